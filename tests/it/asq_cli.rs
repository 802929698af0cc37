//! The `asq` command through the real binary: bad input gives exit status 2, exactly one
//! line on stderr and nothing on stdout; good input gives JSON that checks out.

use crate::support::cli::{bad_input, json};
use crate::support::temp::TempDir;
use std::path::PathBuf;

fn temp(dir: &TempDir, name: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn expect_input_error(args: &[&str], needle: &str) {
    let mut all = vec!["asq"];
    all.extend_from_slice(args);
    bad_input(&all, needle);
}

#[test]
fn bad_input_is_one_line_exit_2() {
    let dir = TempDir::new("asq_cli");
    let temp = |name: &str, body: &[u8]| temp(&dir, name, body);
    let nan = temp("nan.txt", b"1\n2\nNaN\n");
    let inf = temp("inf.txt", b"1, inf, 3");
    let empty = temp("empty.txt", b"");
    let few = temp("few.txt", b"1 1 2 2 3");
    let junk = temp("junk.txt", b"1 2 abc");
    let w_bad = temp("w.txt", b"1 -1 1 1 1");
    let missing = dir.join("definitely_missing.txt");
    let p = |x: &std::path::PathBuf| x.to_str().unwrap().to_string();
    expect_input_error(&["--input", &p(&nan), "--s", "2"], "NaN");
    expect_input_error(&["--input", &p(&inf), "--s", "2"], "inf");
    expect_input_error(&["--input", &p(&empty), "--s", "2"], "no values");
    expect_input_error(&["--input", &p(&missing), "--s", "2"], "cannot read");
    expect_input_error(&["--input", &p(&junk), "--s", "2"], "abc");
    expect_input_error(&["--input", &p(&few), "--s", "4"], "distinct");
    expect_input_error(
        &["--input", &p(&few), "--s", "4", "--method", "approx"],
        "distinct",
    );
    expect_input_error(&["--input", &p(&few), "--s", "1"], "s = 1");
    for retired in ["dp", "smawk", "smawk2", "lagrange"] {
        expect_input_error(
            &[
                "--dist", "normal", "--d", "10", "--s", "2", "--method", retired,
            ],
            "retired",
        );
    }
    expect_input_error(
        &["--input", &p(&few), "--s", "2", "--weights", &p(&w_bad)],
        "weight #2",
    );
    expect_input_error(&["--dist", "cauchy", "--d", "10", "--s", "2"], "cauchy");
    expect_input_error(
        &[
            "--dist", "normal", "--d", "10", "--s", "2", "--method", "fast",
        ],
        "fast",
    );
    expect_input_error(
        &[
            "--dist",
            "normal",
            "--d",
            "10",
            "--s",
            "2",
            "--objective",
            "mean",
        ],
        "mean",
    );
    expect_input_error(&["--dist", "normal", "--d", "0", "--s", "2"], "d = 0");
    expect_input_error(&["--s", "3"], "--input");
}

#[test]
fn json_output_checks_out() {
    let vals = b"0 1 2 3 4 5 6 7 8 9 10 20 40";
    let dir = TempDir::new("asq_cli_json");
    let f = temp(&dir, "vals.txt", vals);
    let x: Vec<f64> = String::from_utf8_lossy(vals)
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    for method in ["exact", "approx"] {
        let v = json(&[
            "asq",
            "--input",
            f.to_str().unwrap(),
            "--s",
            "4",
            "--json",
            "--bins",
            "40",
            "--method",
            method,
        ]);
        let levels: Vec<f64> = v["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_f64().unwrap())
            .collect();
        assert_eq!(levels.len(), 4, "{method}");
        assert_eq!((levels[0], levels[3]), (0.0, 40.0), "{method}");
        // vNMSE recomputed here from its definition.
        let mut err = 0.0;
        for &xi in &x {
            let k = levels.iter().rposition(|&l| l <= xi).unwrap().min(2);
            err += (levels[k + 1] - xi) * (xi - levels[k]);
        }
        let norm: f64 = x.iter().map(|v| v * v).sum();
        let vn = v["vnmse"].as_f64().unwrap();
        assert!(
            (vn - err / norm).abs() < 1e-12,
            "{method}: {vn} vs {}",
            err / norm
        );
        assert!(v["seconds"].as_f64().unwrap() >= 0.0);
        assert!(v["sort_seconds"].as_f64().unwrap() >= 0.0);
    }
    // A synthetic draw is the same for the same seed.
    let run = || {
        json(&[
            "asq",
            "--dist",
            "lognormal",
            "--d",
            "2000",
            "--seed",
            "3",
            "--s",
            "8",
            "--json",
        ])
    };
    let (la, lb) = (run(), run());
    assert_eq!(la["levels"], lb["levels"]);
}

/// A version-1 `.npy` file of a 1-D array: `descr` (`<f8`, `<f4`), `n` values, their bytes.
fn npy_1d(descr: &str, n: usize, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({n},), }}");
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(h.len() as u16).to_le_bytes());
    bytes.extend_from_slice(h.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// The levels `asq --input FILE --s 5 --json` chooses for `bytes` written as FILE.
fn five_levels_of_npy(name: &str, bytes: &[u8]) -> Vec<f64> {
    let dir = TempDir::new(name);
    let f = temp(&dir, "vals.npy", bytes);
    let v = json(&["asq", "--input", f.to_str().unwrap(), "--s", "5", "--json"]);
    v["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_f64().unwrap())
        .collect()
}

#[test]
fn npy_input_is_read() {
    let vals = [3.0f64, -1.0, 2.5, 0.0, 7.0];
    let data: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let levels = five_levels_of_npy("asq_cli_npy", &npy_1d("<f8", vals.len(), &data));
    assert_eq!(levels, vec![-1.0, 0.0, 2.5, 3.0, 7.0]);
}

#[test]
fn float32_npy_input_is_widened_exactly() {
    // float32 values that are not short decimals: the levels are their exact widenings.
    let vals = [0.1f32, -1.3, 2.7, 1e-30, 7.25];
    let data: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let levels = five_levels_of_npy("asq_cli_npy32", &npy_1d("<f4", vals.len(), &data));
    let mut want: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
    want.sort_by(f64::total_cmp);
    assert_eq!(levels, want);
}
