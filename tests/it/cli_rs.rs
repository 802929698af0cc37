//! The `rs` command line contract, through the real binary.

use crate::support::cli::{self, bad_input};

fn run(args: &[&str]) -> (i32, String, String) {
    cli::run(args).parts()
}

#[test]
fn bad_inputs_exit_2_with_one_line_naming_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (&["--alpha", "0"], "alpha"),
        (&["--alpha", "-1"], "-1"),
        (&["--noise", "-0.1"], "-0.1"),
        (&["--bits", "0"], "0"),
        (&["--bits", "17"], "17"),
        (&["--width", "0"], "width"),
        (&["--width", "-2"], "-2"),
        (&["--beta", "0"], "0"),
        (&["--beta", "-3"], "-3"),
        (&["--beta", "nan"], "nan"),
        (&["--alpha", "NaN"], "NaN"),
        (&["--noise", "inf"], "inf"),
        (&["--ridge", "-1"], "-1"),
        (&["--levels", "bogus"], "bogus"),
        (&["--levels", ""], "empty"),
        (&["--levels", "custom:"], "empty"),
        (&["--levels", "custom:1,0"], "unsorted"),
        (&["--levels", "custom:0,1,1"], "duplicate"),
        (&["--levels", "custom:0,x"], "x"),
        (&["--levels", "midtread", "--bits", "1"], "midtread"),
        (&["--teacher", "cauchy"], "cauchy"),
        (&["--teacher", "discrete:"], "empty"),
        (&["--level-weights", "1,2"], "2 level weights"),
        (
            &["--levels", "continuous", "--beta", "2", "--alpha", "0.5"],
            "ridge",
        ),
        (&["--alpha"], "alpha"),
        (&["--frobnicate", "1"], "frobnicate"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["rs", "--json"];
        args.extend_from_slice(extra);
        bad_input(&args, needle);
    }
}

#[test]
fn json_has_the_contract_keys() {
    let (code, out, err) = run(&[
        "rs", "--alpha", "2", "--noise", "0.1", "--bits", "2", "--width", "1.5", "--beta", "5",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "gen_error",
        "mse_posterior_mean",
        "train_error",
        "free_entropy",
        "entropy",
        "at_eigenvalue",
        "rs_stable",
        "Q",
        "q",
        "m",
        "chi",
        "converged",
        "iterations",
        "solutions",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["converged"], serde_json::Value::Bool(true));
    let sols = v["solutions"].as_array().unwrap();
    assert!(!sols.is_empty());
    for s in sols {
        assert!(s.get("gen_error").is_some() && s.get("free_entropy").is_some());
    }
    // β = ∞ with discrete levels: AT eigenvalue is infinite, written as null; RS unstable.
    let (_, out, _) = run(&["rs", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["at_eigenvalue"].is_null());
    assert_eq!(v["rs_stable"], serde_json::Value::Bool(false));
    assert!(v["free_entropy"].is_null());
}

#[test]
fn every_level_kind_and_teacher_runs() {
    for levels in [
        "uniform",
        "midtread",
        "lloyd-max",
        "quantile",
        "pow2",
        "continuous",
        "custom:-1,0,2",
        "asq:4",
    ] {
        for teacher in ["gaussian", "binary", "discrete:-1,0.5,2", "sparse:0.3"] {
            if matches!(levels, "lloyd-max" | "quantile") && teacher.starts_with("binary") {
                continue; // two atoms cannot make four distinct prior-adapted levels
            }
            let (code, out, err) = run(&[
                "rs",
                "--levels",
                levels,
                "--teacher",
                teacher,
                "--beta",
                "4",
                "--ridge",
                "0.1",
                "--json",
            ]);
            if code == 2 {
                // Prior-adapted levels of a discrete teacher may legitimately collapse.
                assert!(
                    err.contains("coincide")
                        || err.contains("degenerate")
                        || err.contains("distinct values"),
                    "{levels} {teacher}: {err}"
                );
                continue;
            }
            assert_eq!(code, 0, "{levels} {teacher}: {err}");
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(
                v["converged"],
                serde_json::Value::Bool(true),
                "{levels} {teacher}: {out}"
            );
        }
    }
}
