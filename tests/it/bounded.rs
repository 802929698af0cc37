//! Bounded cost (issue 13, item 3): every command refuses, before any work, what cannot fit in
//! memory or (without --force) in a day; `--threads` is bounded; a big but allowed request
//! starts; Ctrl-C ends a run with exit 130 and nothing written. The per-unit costs and limits
//! are in `quantreplica::budget` (docs/limits.md).

use crate::support::cli::{bad_input, command, run};
use crate::support::temp::TempDir;
use std::time::{Duration, Instant};

/// Every refusal comes at once (no work started): exit 2, one line naming the value.
#[test]
fn oversized_requests_are_refused_before_any_work() {
    let cases: &[(&[&str], &str)] = &[
        // Memory: rows of a 25-million-point grid (about 100 GB).
        (
            &[
                "sweep",
                "--over",
                "alpha=0.1:5:5000",
                "--over",
                "width=0.5:2:5000",
            ],
            "--over alpha=0.1:5:5000 --over width=0.5:2:5000: needs about",
        ),
        // An axis COUNT beyond the largest grid is refused before its values are made.
        (
            &["sweep", "--over", "alpha=0.1:5:100000000000"],
            "COUNT 100000000000",
        ),
        (
            &["transitions", "--over", "alpha=0.1:5:1000000000000"],
            "COUNT 1000000000000",
        ),
        (
            &[
                "phase-diagram",
                "--x",
                "width=0.1:2:50000",
                "--y",
                "alpha=0.5:3:50000",
            ],
            "--x-axis width=0.1:2:50000 --y-axis alpha=0.5:3:50000",
        ),
        (&["amp", "--n", "100000", "--beta", "5"], "--n 100000"),
        (&["qat", "--n", "20000"], "--n 20000"),
        (
            &[
                "gibbs",
                "--n",
                "2000",
                "--beta",
                "5",
                "--sweeps",
                "100000000",
            ],
            "--sweeps 100000000",
        ),
        (
            &["sgd", "-d", "1000000000000", "--steps", "10"],
            "-d 1000000000000",
        ),
        (
            &["sgd", "-d", "1000", "--steps", "1000000000000"],
            "--steps 1000000000000",
        ),
        (
            &["shrinkage", "-d", "1000000000", "--steps", "1000000"],
            "-d 1000000000",
        ),
        (&["scaling-law", "-d", "100000000000"], "-d 100000000000"),
        (
            &["asq", "--dist", "normal", "--d", "100000000000", "--s", "4"],
            "--d 100000000000",
        ),
        (
            &["ste-dynamics", "--beta", "inf", "--n", "1000000000000"],
            "--n 1000000000000",
        ),
    ];
    for (args, needle) in cases {
        let t = Instant::now();
        bad_input(args, needle);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}: the refusal must come before the work",
            t.elapsed()
        );
    }
}

/// The time limit names --force, and --force lifts it (memory limits stay).
#[test]
fn force_lifts_the_time_limit_only() {
    // About 3 days by the estimate, 160 MB of memory.
    let slow = [
        "gibbs", "--n", "1000", "--sweeps", "10000000", "--beta", "inf",
    ];
    let o = bad_input(&slow, "--sweeps 10000000");
    assert!(o.stderr.contains("would take"), "{}", o.stderr);
    assert!(o.stderr.contains("--force"), "{}", o.stderr);
    // With --force the budget lets it through; the command's own check (β = ∞) then answers.
    let mut forced = slow.to_vec();
    forced.push("--force");
    bad_input(&forced, "finite --beta");
    // Memory is never forced.
    bad_input(
        &[
            "asq",
            "--dist",
            "normal",
            "--d",
            "100000000000",
            "--s",
            "4",
            "--force",
        ],
        "of memory",
    );
}

#[test]
fn threads_are_bounded() {
    let max = quantreplica::budget::max_threads();
    let too_many = (max + 1).to_string();
    bad_input(
        &["sweep", "--over", "alpha=1,2", "--threads", &too_many],
        &format!("--threads {too_many}"),
    );
    bad_input(
        &["sweep", "--over", "alpha=1,2", "--threads", "0"],
        "--threads",
    );
    let o = run(&[
        "sweep",
        "--over",
        "alpha=1,2",
        "--threads",
        &max.to_string(),
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The library's pool refuses the same counts.
    let opts = quantreplica::parallel::RunOptions {
        threads: Some(max + 1),
        progress: false,
    };
    assert!(quantreplica::parallel::map(&[1], &opts, "t", |&x: &i32| x).is_err());
}

/// A big sweep that fits (a million points, about 4 GB by the estimate) starts; Ctrl-C then
/// stops it within seconds, exit 130, one line, no output file and no temporary file left.
#[test]
fn a_big_allowed_sweep_starts_and_ctrl_c_leaves_nothing() {
    let dir = TempDir::new("bounded-ctrlc");
    let csv = dir.join("out.csv");
    let mut child = command()
        .args([
            "sweep",
            "--over",
            "alpha=0.1:5:1000000",
            "--beta",
            "5",
            "--threads",
            "1",
            "--csv",
        ])
        .arg(&csv)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the allowed sweep should still be running"
    );
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let t = Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert_eq!(stderr.trim_end(), "error: interrupted");
    assert!(o.stdout.is_empty());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

/// Ctrl-C on a checkpointed sweep leaves only complete lines: the file resumes.
#[test]
fn ctrl_c_on_a_checkpointed_sweep_leaves_a_resumable_file() {
    let dir = TempDir::new("bounded-ckpt");
    let ck = dir.join("ck.jsonl");
    let args = [
        "sweep",
        "--over",
        "alpha=0.1:5:400000",
        "--beta",
        "5",
        "--threads",
        "1",
        "--checkpoint",
    ];
    let child = command()
        .args(args)
        .arg(&ck)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130));
    let bytes = std::fs::read(&ck).unwrap();
    assert_eq!(bytes.last(), Some(&b'\n'), "a torn last line");
    let loaded = quantreplica::sweep::store::load(&ck, None).unwrap();
    assert!(!loaded.records.is_empty(), "no point finished in 1.5 s");
    assert_eq!(loaded.valid_len, bytes.len() as u64);
}

/// Big buffers are allocated fallibly: a size past what the allocator can give is a one-line
/// error naming it, never an allocation abort.
#[test]
fn impossible_allocations_are_errors() {
    use quantreplica::lowprec::sgd::{Problem, WStar};
    let e = Problem::power_law(usize::MAX / 16, 1.5, 0.1, WStar::Ones)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "dimension d = {}: cannot allocate",
            usize::MAX / 16
        )),
        "{e}"
    );
}

/// The first bad value given is the one named: an unknown quantization target before the
/// missing level of the default quantizer.
#[test]
fn sgd_names_the_bad_target_first() {
    bad_input(&["sgd", "--quantize", "bogus"], "'bogus'");
    bad_input(&["sgd", "--q", "bogus=add"], "'bogus'");
    bad_input(&["sgd", "--quantize", "data"], "needs a level");
}

/// Data files are budgeted for the passes over them, not only their size: `amp` over a CSV X of
/// 40 x 20 with 10^12 iterations is refused once the file is parsed (its shape known), before
/// the first iteration, with the same one line and `--force` as every time refusal; a `.npy`
/// X is sized from its header alone, before its data is read (here a header of 1000 x 1000
/// with 8 bytes of data: refused by the budget, and with --force the load reports the
/// truncation).
#[test]
fn data_files_are_budgeted_for_their_passes() {
    let dir = TempDir::new("bounded-data");
    let (m, n) = (40, 20);
    let cell = |i: usize, j: usize| (((i * 31 + j * 17) % 23) as f64 - 11.0) / 11.0;
    let x_csv = dir.join("x.csv");
    let rows: Vec<String> = (0..m)
        .map(|i| {
            (0..n)
                .map(|j| cell(i, j).to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    std::fs::write(&x_csv, rows.join("\n")).unwrap();
    let y_csv = dir.join("y.csv");
    let ys: Vec<String> = (0..m).map(|i| cell(i, 3).to_string()).collect();
    std::fs::write(&y_csv, ys.join("\n")).unwrap();
    let (x, y) = (x_csv.to_str().unwrap(), y_csv.to_str().unwrap());
    let slow = [
        "amp",
        "--x",
        x,
        "--y",
        y,
        "--max-iter",
        "1000000000000",
        "--tol",
        "0",
    ];
    let o = bad_input(&slow, "--max-iter 1000000000000");
    assert!(
        o.stderr.contains("--x (M x N = 40 x 20)") && o.stderr.contains("would take"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("pass --force"), "{}", o.stderr);
    // With --force the budget lets it through: the command's own check of --tol answers.
    let mut forced = slow.to_vec();
    forced.push("--force");
    bad_input(&forced, "--tol must be positive");
    // The same request within the limit runs.
    let fine = [
        "amp",
        "--x",
        x,
        "--y",
        y,
        "--max-iter",
        "20",
        "--seeds",
        "1",
        "--beta",
        "20",
    ];
    let o = run(&fine);
    assert_eq!(o.code, 0, "{}", o.stderr);

    // A .npy X: the shape from the header, before the data is read.
    let x_npy = dir.join("x.npy");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let mut header =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&1.0f64.to_le_bytes());
    std::fs::write(&x_npy, bytes).unwrap();
    let xn = x_npy.to_str().unwrap();
    let slow = ["amp", "--x", xn, "--y", y, "--max-iter", "100000000"];
    let o = bad_input(&slow, "--x (M x N = 1000 x 1000)");
    assert!(o.stderr.contains("would take"), "{}", o.stderr);
    let mut forced = slow.to_vec();
    forced.push("--force");
    bad_input(&forced, "data has 8 bytes");
}
