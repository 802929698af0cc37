//! The `amp`, `gibbs`, `qat` and `validate` command lines through the real binary: bad input
//! gives exit 2, one stderr line and empty stdout; JSON has the contract keys; data files load;
//! results do not depend on the number of threads.

use crate::support::cli::{self, bad_input};
use crate::support::temp::TempDir;
use quantreplica::instance::{to_npy, Table};
use std::path::PathBuf;

fn run_env(args: &[&str], threads: Option<&str>) -> (i32, String, String) {
    let env: Vec<(&str, Option<&str>)> = threads
        .map(|t| ("RAYON_NUM_THREADS", Some(t)))
        .into_iter()
        .collect();
    cli::run_env(args, &env).parts()
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, None)
}

/// A small consistent data set: X 40 × 10, y = X·1 + noise.
fn write_data(dir: &TempDir) -> (String, String, String, String) {
    let tmp = |name: &str| dir.join(name);
    let (m, n) = (40, 10);
    let x: Vec<f64> = (0..m * n)
        .map(|k| ((k * 7919 % 101) as f64 / 101.0 - 0.5) / (n as f64).sqrt())
        .collect();
    let y: Vec<f64> = (0..m)
        .map(|i| x[i * n..(i + 1) * n].iter().sum::<f64>() + 0.01 * (i as f64 % 3.0 - 1.0))
        .collect();
    let xc = tmp("x.csv");
    let yc = tmp("y.csv");
    let xs: Vec<String> = (0..m)
        .map(|i| {
            x[i * n..(i + 1) * n]
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    std::fs::write(&xc, xs.join("\n")).unwrap();
    std::fs::write(
        &yc,
        y.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let xn = tmp("x.npy");
    let yn = tmp("y.npy");
    std::fs::write(
        &xn,
        to_npy(&Table {
            rows: m,
            cols: n,
            data: x,
        }),
    )
    .unwrap();
    std::fs::write(
        &yn,
        to_npy(&Table {
            rows: m,
            cols: 1,
            data: y,
        }),
    )
    .unwrap();
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    (s(xc), s(yc), s(xn), s(yn))
}

#[test]
fn bad_inputs_exit_2_with_one_line() {
    let dir = TempDir::new("validate-bad");
    let tmp = |name: &str| dir.join(name);
    let (xc, yc, xn, _yn) = write_data(&dir);
    let short_y = tmp("short_y.csv");
    std::fs::write(&short_y, "1\n2\n3\n").unwrap();
    let bad_csv = tmp("bad.csv");
    std::fs::write(&bad_csv, "1,2\n3,x\n").unwrap();
    let ragged = tmp("ragged.csv");
    std::fs::write(&ragged, "1,2,3\n4,5\n").unwrap();
    let bad_npy = tmp("bad.npy");
    std::fs::write(&bad_npy, b"\x93NUMPY\x01\x00garbage").unwrap();
    let s = |p: &PathBuf| p.to_string_lossy().into_owned();
    let (short_y, bad_csv, ragged, bad_npy) = (s(&short_y), s(&bad_csv), s(&ragged), s(&bad_npy));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["amp", "--beta", "5", "--n", "1"], "1"),
        (vec!["amp", "--beta", "5", "--n", "0"], "0"),
        (vec!["amp", "--beta", "5", "--seeds", "0"], "seeds"),
        (vec!["amp", "--beta", "5", "--n", "-3"], "-3"),
        (vec!["amp", "--beta", "inf"], "beta"),
        (vec!["amp"], "beta"),
        (vec!["amp", "--beta", "5", "--alpha", "0"], "alpha"),
        (vec!["amp", "--beta", "5", "--noise", "-1"], "-1"),
        (vec!["amp", "--beta", "5", "--bits", "17"], "17"),
        (vec!["amp", "--beta", "5", "--width", "nan"], "nan"),
        (vec!["amp", "--beta", "5", "--levels", "bogus"], "bogus"),
        (vec!["amp", "--beta", "5", "--damping", "1.5"], "1.5"),
        (
            vec!["amp", "--beta", "5", "--n", "100000000"],
            "--n 100000000",
        ),
        (vec!["amp", "--beta", "5", "--x", &xc], "y"),
        (
            vec!["amp", "--beta", "5", "--x", &xc, "--y", &short_y],
            "mismatch",
        ),
        (vec!["amp", "--beta", "5", "--x", &bad_csv, "--y", &yc], "x"),
        (
            vec!["amp", "--beta", "5", "--x", &ragged, "--y", &yc],
            "cells",
        ),
        (
            vec!["amp", "--beta", "5", "--x", &bad_npy, "--y", &yc],
            "npy",
        ),
        (
            vec![
                "amp",
                "--beta",
                "5",
                "--x",
                "/nonexistent/x.csv",
                "--y",
                &yc,
            ],
            "nonexistent",
        ),
        (vec!["amp", "--beta", "5", "--x", &xn, "--y", &xc], "labels"),
        (vec!["gibbs", "--beta", "inf"], "beta"),
        (vec!["gibbs", "--beta", "5", "--n", "1"], "1"),
        (vec!["gibbs", "--beta", "5", "--seeds", "0"], "seeds"),
        (vec!["gibbs", "--beta", "5", "--sweeps", "0"], "sweeps"),
        (
            vec![
                "gibbs",
                "--beta",
                "5",
                "--temperatures",
                "3",
                "--beta-min",
                "7",
            ],
            "beta-min",
        ),
        (vec!["gibbs", "--beta", "5", "--bins", "0"], "bins"),
        (vec!["qat", "--n", "1"], "1"),
        (vec!["qat", "--seeds", "0"], "seeds"),
        (vec!["qat", "--lr", "-1"], "-1"),
        (vec!["qat", "--batch", "0"], "batch"),
        (vec!["qat", "--epochs", "0"], "epochs"),
        (vec!["qat", "--rounding", "up"], "up"),
        (vec!["qat", "--schedule", "cosine"], "cosine"),
        (vec!["qat", "--decay", "2"], "2"),
        (vec!["validate", "--seeds", "0"], "seeds"),
        (vec!["validate", "--n-amp", "1"], "n-amp"),
        (vec!["validate", "--sweeps", "0"], "sweeps"),
    ];
    for (args, needle) in cases {
        let mut a = args.clone();
        a.push("--json");
        bad_input(&a, needle);
    }
}

fn keys_ok(v: &serde_json::Value, keys: &[&str]) {
    for k in keys {
        let q = &v[*k];
        assert!(q.is_object(), "missing {k}: {v}");
        for f in ["mean", "stderr", "theory", "per_seed"] {
            assert!(q.get(f).is_some(), "{k} lacks {f}");
        }
        assert!(q["theory"].is_number(), "{k}.theory not a number");
    }
}

#[test]
fn json_contract_and_thread_independence() {
    let amp = [
        "amp", "--beta", "5", "--bits", "2", "--width", "1.5", "--n", "300", "--seeds", "3",
        "--json",
    ];
    let (c1, o1, e1) = run_env(&amp, Some("1"));
    let (c2, o2, _) = run_env(&amp, Some("2"));
    assert_eq!(c1, 0, "{e1}");
    assert_eq!(c2, 0);
    assert_eq!(o1, o2, "AMP output depends on the thread count");
    let v: serde_json::Value = serde_json::from_str(&o1).unwrap();
    keys_ok(&v, &["mse_posterior_mean", "gen_error"]);
    assert_eq!(
        v["mse_posterior_mean"]["per_seed"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let gibbs = [
        "gibbs",
        "--beta",
        "5",
        "--n",
        "50",
        "--seeds",
        "2",
        "--sweeps",
        "100",
        "--burn-in",
        "50",
        "--temperatures",
        "2",
        "--json",
    ];
    let (c1, o1, e1) = run_env(&gibbs, Some("1"));
    let (_, o2, _) = run_env(&gibbs, Some("2"));
    assert_eq!(c1, 0, "{e1}");
    assert_eq!(o1, o2, "Gibbs output depends on the thread count");
    let v: serde_json::Value = serde_json::from_str(&o1).unwrap();
    keys_ok(&v, &["gen_error", "train_error", "overlap"]);

    let qat = [
        "qat",
        "--n",
        "100",
        "--seeds",
        "2",
        "--epochs",
        "5",
        "--rounding",
        "stochastic",
        "--json",
    ];
    let (c1, o1, e1) = run_env(&qat, Some("1"));
    let (_, o2, _) = run_env(&qat, Some("2"));
    assert_eq!(c1, 0, "{e1}");
    assert_eq!(o1, o2, "QAT output depends on the thread count");
    let v: serde_json::Value = serde_json::from_str(&o1).unwrap();
    keys_ok(&v, &["gen_error", "train_error"]);
}

#[test]
fn data_files_load_as_csv_and_npy_alike() {
    let dir = TempDir::new("validate-data");
    let (xc, yc, xn, yn) = write_data(&dir);
    let (c1, o1, e1) = run(&[
        "amp", "--beta", "5", "--x", &xc, "--y", &yc, "--seeds", "1", "--json",
    ]);
    let (c2, o2, e2) = run(&[
        "amp", "--beta", "5", "--x", &xn, "--y", &yn, "--seeds", "1", "--json",
    ]);
    assert_eq!(c1, 0, "{e1}");
    assert_eq!(c2, 0, "{e2}");
    let v1: serde_json::Value = serde_json::from_str(&o1).unwrap();
    let v2: serde_json::Value = serde_json::from_str(&o2).unwrap();
    assert_eq!(v1["m"], 40);
    assert_eq!(v1["n"], 10);
    // No teacher in user data: the error against it is null, the training error is not.
    assert!(v1["mse_posterior_mean"]["mean"].is_null());
    let t1 = v1["train_error_mean"]["mean"].as_f64().unwrap();
    let t2 = v2["train_error_mean"]["mean"].as_f64().unwrap();
    assert!(
        (t1 - t2).abs() < 1e-9 * (1.0 + t1.abs()),
        "CSV {t1} vs npy {t2}"
    );
    let (c3, _, e3) = run(&[
        "gibbs",
        "--beta",
        "5",
        "--x",
        &xn,
        "--y",
        &yn,
        "--seeds",
        "1",
        "--sweeps",
        "20",
        "--burn-in",
        "5",
        "--json",
    ]);
    assert_eq!(c3, 0, "{e3}");
    let (c4, _, e4) = run(&[
        "qat", "--x", &xc, "--y", &yc, "--seeds", "1", "--epochs", "2", "--json",
    ]);
    assert_eq!(c4, 0, "{e4}");
}
