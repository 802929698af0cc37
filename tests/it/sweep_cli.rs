//! `sweep` and `merge` through the real binary: resume after a kill, shards merged, thread
//! independence, agreement with `rs --json`, bad input.

use crate::support::cli::{self, assert_bad_input, Out};
use crate::support::temp::TempDir;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The binary with `args`, without an inherited RAYON_NUM_THREADS, plus `env`.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut e: Vec<(&str, Option<&str>)> = vec![("RAYON_NUM_THREADS", None)];
    e.extend(env.iter().map(|(k, v)| (*k, Some(*v))));
    cli::run_env(args, &e)
}

fn run(args: &[&str]) -> Out {
    run_env(args, &[])
}

fn ok(args: &[&str]) -> Out {
    let o = run(args);
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    o
}

fn tmpdir(name: &str) -> TempDir {
    TempDir::new(&format!("sweep-{name}"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small finite-β grid (12 points) with a swept level spec and an integer axis.
const GRID: &[&str] = &[
    "sweep",
    "--beta",
    "5",
    "--noise",
    "0.1",
    "--over",
    "width=0.6:1.8:3",
    "--over",
    "alpha=0.5,2",
    "--over",
    "bits=1,2",
];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a: Vec<&str> = GRID.to_vec();
    a.extend_from_slice(extra);
    a
}

#[test]
fn killed_and_resumed_sweep_equals_uninterrupted_one() {
    let d = tmpdir("resume");
    let (full_csv, ck) = (d.join("full.csv"), d.join("ck.jsonl"));
    ok(&args(&["--csv", s(&full_csv)]));
    let reference = std::fs::read(&full_csv).unwrap();
    let reference_json = ok(&args(&["--json"])).stdout;

    // An uninterrupted checkpointed run gives the same output.
    let with_ck = d.join("with_ck.csv");
    ok(&args(&["--csv", s(&with_ck), "--checkpoint", s(&ck)]));
    assert_eq!(std::fs::read(&with_ck).unwrap(), reference);
    let text = std::fs::read_to_string(&ck).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "header + 12 points");

    // Simulate a kill: header, 5 complete points, then half of the 6th line.
    for (keep, tag) in [(5usize, "a"), (0, "b"), (11, "c")] {
        let partial = d.join(format!("partial_{tag}.jsonl"));
        let mut cut: String = lines[..=keep].iter().map(|l| format!("{l}\n")).collect();
        let next = lines[keep + 1];
        cut.push_str(&next[..next.len() / 2]);
        std::fs::write(&partial, &cut).unwrap();
        let resumed = d.join(format!("resumed_{tag}.csv"));
        ok(&args(&["--csv", s(&resumed), "--checkpoint", s(&partial)]));
        assert_eq!(
            std::fs::read(&resumed).unwrap(),
            reference,
            "resume after {keep} points"
        );
        // The torn line was dropped and recomputed: the file is whole again.
        let after = std::fs::read_to_string(&partial).unwrap();
        assert!(after.ends_with('\n'));
        assert_eq!(after.lines().count(), 13);
        // Re-running a complete checkpoint recomputes nothing and prints the same JSON.
        let again = ok(&args(&["--json", "--checkpoint", s(&partial)]));
        assert_eq!(again.stdout, reference_json);
    }

    // A real kill (SIGKILL) mid-sweep, then a resume.
    let big = [
        "sweep",
        "--beta",
        "5",
        "--over",
        "width=0.3:2.5:20",
        "--over",
        "alpha=0.2:3:20",
    ];
    let big_ref = ok(&big).stdout;
    let killed = d.join("killed.jsonl");
    let mut child = cli::command()
        .env_remove("RAYON_NUM_THREADS")
        .args(big)
        .args(["--checkpoint", s(&killed), "--threads", "1"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while std::fs::read_to_string(&killed).map_or(0, |t| t.lines().count()) < 30
        && t0.elapsed().as_secs() < 20
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done_at_kill = std::fs::read_to_string(&killed).unwrap().lines().count();
    let mut big_ck: Vec<&str> = big.to_vec();
    big_ck.extend(["--checkpoint", s(&killed)]);
    assert_eq!(
        ok(&big_ck).stdout,
        big_ref,
        "resumed after a kill at {done_at_kill} lines"
    );

    // A header cut in the middle counts as an empty checkpoint.
    let torn_header = d.join("torn_header.jsonl");
    std::fs::write(&torn_header, &lines[0][..20]).unwrap();
    let out = d.join("torn_header.csv");
    ok(&args(&["--csv", s(&out), "--checkpoint", s(&torn_header)]));
    assert_eq!(std::fs::read(&out).unwrap(), reference);

    // A checkpoint of another sweep is refused and left untouched.
    let before = std::fs::read(&ck).unwrap();
    let mut other = args(&["--checkpoint", s(&ck)]);
    other[4] = "0.2"; // --noise 0.2
    let o = run(&other);
    assert_bad_input(&o, &other, "different sweep");
    assert_eq!(std::fs::read(&ck).unwrap(), before);
    // So is someone else's file.
    let foreign = d.join("notes.txt");
    std::fs::write(&foreign, "my notes\n").unwrap();
    let o = run(&args(&["--checkpoint", s(&foreign)]));
    assert_eq!(o.code, 2);
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "my notes\n");
}

#[test]
fn sharded_and_merged_equals_single_run() {
    let d = tmpdir("shard");
    let single = d.join("single.csv");
    ok(&args(&["--csv", s(&single)]));
    let reference = std::fs::read(&single).unwrap();
    let reference_json = ok(&args(&["--json"])).stdout;
    let shards: Vec<PathBuf> = (0..3).map(|i| d.join(format!("shard{i}.jsonl"))).collect();
    for (i, f) in shards.iter().enumerate() {
        let spec = format!("{i}/3");
        let o = ok(&args(&["--shard", &spec, "--checkpoint", s(f)]));
        assert!(o.stdout.is_empty());
    }
    let merged = d.join("merged.csv");
    // Any order of the shard files.
    ok(&[
        "merge",
        s(&shards[2]),
        s(&shards[0]),
        s(&shards[1]),
        "--csv",
        s(&merged),
    ]);
    assert_eq!(std::fs::read(&merged).unwrap(), reference);
    let mj = ok(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
        "--json",
    ]);
    assert_eq!(mj.stdout, reference_json);
    let mcsv = ok(&["merge", s(&shards[0]), s(&shards[1]), s(&shards[2])]);
    assert_eq!(mcsv.stdout.as_bytes(), &reference[..]);

    // Refusals: a missing shard, a shard twice, an incomplete shard, another sweep's shard.
    let incomplete = d.join("incomplete.jsonl");
    let t = std::fs::read_to_string(&shards[1]).unwrap();
    let keep: String = t.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&incomplete, keep).unwrap();
    let other = d.join("other.jsonl");
    let mut oa = args(&["--shard", "1/3", "--checkpoint", s(&other)]);
    oa[2] = "4"; // --beta 4
    ok(&oa);
    let bad_out = d.join("bad.csv");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![s(&shards[0]), s(&shards[1])], "missing"),
        (vec![s(&shards[0]), s(&shards[1]), s(&shards[1])], "twice"),
        (
            vec![s(&shards[0]), s(&incomplete), s(&shards[2])],
            "incomplete",
        ),
        (
            vec![s(&shards[0]), s(&other), s(&shards[2])],
            "different sweep",
        ),
        (
            vec![s(&shards[0]), "/nonexistent/shard.jsonl"],
            "cannot read",
        ),
        (vec![s(&single)], "not a quantreplica sweep file"),
    ];
    for (files, needle) in cases {
        let mut a = vec!["merge"];
        a.extend(files);
        a.extend(["--csv", s(&bad_out)]);
        let o = run(&a);
        assert_bad_input(&o, &a, needle);
        assert!(!bad_out.exists(), "half-written output");
    }
}

#[test]
fn thread_count_does_not_change_the_output() {
    let a = args(&["--json"]);
    let one = run_env(&a, &[("RAYON_NUM_THREADS", "1")]);
    let two = run_env(&a, &[("RAYON_NUM_THREADS", "2")]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.stdout, two.stdout);
    let t3 = ok(&args(&["--json", "--threads", "3"]));
    assert_eq!(one.stdout, t3.stdout);
}

#[test]
fn rows_equal_individual_rs_runs() {
    let sweep = ok(&[
        "sweep",
        "--noise",
        "0.05",
        "--over",
        "beta=2,inf",
        "--over",
        "levels=uniform,custom:-1,0,1,lloyd-max",
        "--over",
        "alpha=0.7,3",
        "--json",
    ]);
    let rows: Vec<Value> = serde_json::from_str(&sweep.stdout).unwrap();
    assert_eq!(rows.len(), 12);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["index"], i);
        let beta = if row["beta"].is_null() {
            "inf".to_string()
        } else {
            row["beta"].to_string()
        };
        let alpha = row["alpha"].to_string();
        let levels = row["level_spec"].as_str().unwrap().to_string();
        let rs = ok(&[
            "rs", "--json", "--noise", "0.05", "--beta", &beta, "--levels", &levels, "--alpha",
            &alpha,
        ]);
        let rs: Value = serde_json::from_str(&rs.stdout).unwrap();
        let rs = rs.as_object().unwrap();
        let row = row.as_object().unwrap();
        let mut extra: Vec<&String> = row.keys().filter(|k| !rs.contains_key(*k)).collect();
        extra.sort();
        assert_eq!(
            extra,
            ["alpha", "beta", "index", "level_spec"],
            "row keys besides those of rs --json"
        );
        // `fixed_points` and `continuation_failures` come from branch continuation, which `rs`
        // runs and sweeps do not.
        for (k, v) in rs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "fixed_points" | "continuation_failures"))
        {
            assert_eq!(&row[k], v, "point {i} key {k}");
        }
    }
    // CSV: same numbers, n_solutions for the array.
    let csv = ok(&[
        "sweep",
        "--noise",
        "0.05",
        "--over",
        "beta=2,inf",
        "--over",
        "alpha=0.7,3",
    ])
    .stdout;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["index", "beta", "alpha"]);
    assert!(
        header.contains(&"n_solutions")
            && header.contains(&"at_eigenvalue")
            && header.contains(&"levels")
    );
    let row: Vec<&str> = lines.nth(3).unwrap().split(',').collect();
    let cell = |k: &str| row[header.iter().position(|h| *h == k).unwrap()];
    assert_eq!(cell("beta"), "", "beta = inf is an empty cell");
    assert_eq!(cell("free_entropy"), "");
    assert_eq!(cell("at_eigenvalue"), "");
    let rs: Value =
        serde_json::from_str(&ok(&["rs", "--json", "--noise", "0.05", "--alpha", "3"]).stdout)
            .unwrap();
    assert_eq!(
        cell("gen_error").parse::<f64>().unwrap(),
        rs["gen_error"].as_f64().unwrap()
    );
    assert_eq!(
        cell("n_solutions"),
        rs["solutions"].as_array().unwrap().len().to_string()
    );
}

#[test]
fn bad_input_exits_2_with_one_line_and_writes_nothing() {
    let d = tmpdir("bad");
    let csv = d.join("out.csv");
    let ck = d.join("ck.jsonl");
    let cases: &[(&[&str], &str)] = &[
        (&["--over", "gamma=1,2"], "gamma"),
        (&["--over", "alpha=1:2:0"], "COUNT"),
        (&["--over", "alpha=1:2:-3"], "COUNT"),
        (&["--over", "alpha=nan,1"], "nan"),
        (&["--over", "width=0.1:inf:3"], "inf"),
        (&["--over", "beta=1:inf:3"], "finite"),
        (&["--over", "alpha"], "alpha"),
        (&["--over", "alpha=1:2"], "START:STOP:COUNT"),
        (&["--over", "alpha="], "no values"),
        (&["--over", "alpha=1,2", "--over", "alpha=3"], "twice"),
        (&["--over", "bits=1:2:3"], "whole"),
        (&["--over", "levels=uniform,bogus"], "bogus"),
        (&["--over", "alpha=1,2", "--log", "width"], "width"),
        (&["--over", "alpha=0:2:3", "--log", "alpha"], "positive"),
        (&["--over", "width=-1,1"], "width"),
        (
            &[
                "--over",
                "alpha=1,2",
                "--shard",
                "3/2",
                "--checkpoint",
                "CK",
            ],
            "3/2",
        ),
        (
            &[
                "--over",
                "alpha=1,2",
                "--shard",
                "0/0",
                "--checkpoint",
                "CK",
            ],
            "0/0",
        ),
        (
            &["--over", "alpha=1,2", "--shard", "x", "--checkpoint", "CK"],
            "i/n",
        ),
        (&["--over", "alpha=1,2", "--shard", "0/2"], "--checkpoint"),
        (&["--over", "alpha=1,2", "--threads", "0"], "threads"),
        (&["--alpha", "2"], "--over"),
        (&["--over", "alpha=1,2", "--noise", "-1"], "noise"),
        (
            &[
                "--over",
                "alpha=1,2",
                "--checkpoint",
                "/proc/no/such/dir/ck.jsonl",
            ],
            "cannot write checkpoint",
        ),
    ];
    for (extra, needle) in cases {
        let mut a = vec!["sweep", "--beta", "5"];
        for e in extra.iter() {
            a.push(if *e == "CK" { s(&ck) } else { e });
        }
        if !a.contains(&"--shard") {
            a.extend(["--csv", s(&csv)]);
        }
        let o = run(&a);
        assert_bad_input(&o, &a, needle);
        assert!(!csv.exists() && !ck.exists(), "{a:?} wrote a file");
    }
    for (a, needle) in [
        (vec!["merge"], "shard file"),
        (vec!["merge", "/nonexistent/x.jsonl"], "cannot read"),
    ] {
        let o = run(&a);
        assert_bad_input(&o, &a, needle);
    }
}
