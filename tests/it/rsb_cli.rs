//! The `rsb` command line contract, through the real binary.

use crate::support::cli::{self, bad_input};

fn run(args: &[&str]) -> (i32, String, String) {
    cli::run(args).parts()
}

#[test]
fn bad_inputs_exit_2_with_one_line_naming_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "beta"),
        (&["--beta", "inf"], "beta"),
        (&["--beta", "Infinity"], "beta"),
        (&["--beta", "0"], "0"),
        (&["--beta", "-3"], "-3"),
        (&["--beta", "nan"], "nan"),
        (&["--beta", "5", "--alpha", "0"], "alpha"),
        (&["--beta", "5", "--alpha", "-1"], "-1"),
        (&["--alpha", "-1"], "-1"),
        (&["--beta", "5", "--noise", "-0.1"], "-0.1"),
        (&["--beta", "5", "--bits", "0"], "0"),
        (&["--beta", "5", "--bits", "17"], "17"),
        (&["--beta", "5", "--width", "-2"], "-2"),
        (&["--beta", "5", "--ridge", "-1"], "-1"),
        (&["--beta", "5", "--levels", "bogus"], "bogus"),
        (&["--beta", "5", "--levels", "custom:1,0"], "unsorted"),
        (&["--beta", "5", "--teacher", "cauchy"], "cauchy"),
        (
            &["--beta", "5", "--levels", "continuous", "--ridge", "0.1"],
            "continuous",
        ),
        (&["--beta", "5", "--x", "0"], "0"),
        (&["--beta", "5", "--x", "1.5"], "1.5"),
        (&["--beta", "5", "--x", "nan"], "nan"),
        (&["--beta", "5", "--frobnicate", "1"], "frobnicate"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["rsb", "--json"];
        args.extend_from_slice(extra);
        bad_input(&args, needle);
    }
}

#[test]
fn json_has_the_rs_keys_plus_the_1rsb_ones() {
    let (code, out, err) = run(&[
        "rsb", "--alpha", "2", "--noise", "0.1", "--bits", "1", "--width", "1.5", "--beta", "5",
        "--x", "0.5", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "m",
        "Q",
        "q1",
        "q0",
        "x",
        "chi",
        "gen_error",
        "mse_posterior_mean",
        "train_error",
        "free_entropy",
        "energy",
        "entropy",
        "complexity",
        "at_eigenvalue",
        "rs_stable",
        "entropy_violation",
        "status",
        "phase",
        "converged",
        "iterations",
        "residual",
        "rs",
        "levels",
        "scan",
        "branches",
        "stationary",
        "chosen_branch",
        "replicon_q1",
    ] {
        assert!(v.get(k).is_some(), "missing key {k}: {out}");
    }
    assert_eq!(v["x"], 0.5);
    assert_eq!(v["phase"], "one_step_rsb");
    assert_eq!(v["converged"], true);
    assert!(v["q1"].as_f64().unwrap() > v["q0"].as_f64().unwrap() + 0.1);
    assert_eq!(v["rs"]["rs_stable"], false);
    // Σ(x) = −x² ∂φ1/∂x, and x = 0.5 lies above x* ≈ 0.24 where Σ < 0.
    let c = v["complexity"].as_f64().unwrap();
    assert!((c + 0.25 * v["dphi_dx"].as_f64().unwrap()).abs() < 1e-12 && c < 0.0);
    let (code, table, _) = run(&[
        "rsb", "--alpha", "2", "--bits", "1", "--width", "1.5", "--beta", "5", "--x", "0.5",
    ]);
    assert_eq!(code, 0);
    assert!(
        table.contains("1RSB") && table.contains("free_entropy"),
        "{table}"
    );
}

#[test]
fn json_lists_branches_and_stationary_points() {
    // A discontinuous (frozen) 1RSB point: RS AT-stable, found from a large-gap start.
    let (code, out, err) = run(&[
        "rsb", "--alpha", "0.5", "--noise", "0.1", "--bits", "1", "--width", "1.5", "--beta", "20",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phase"], "one_step_rsb");
    assert_eq!(v["rs_stable"], true);
    assert_eq!(v["converged"], true);
    let i = v["chosen_branch"].as_u64().unwrap() as usize;
    let b = &v["branches"][i];
    for k in [
        "index",
        "origin",
        "x_max",
        "x_min",
        "points",
        "q0_at_x_max",
        "q1_at_x_max",
        "complexity_at_x_one",
        "attached_to_rs",
        "value",
        "resolved",
    ] {
        assert!(b.get(k).is_some(), "branch lacks {k}: {b}");
    }
    assert_eq!(b["origin"], "gap_start_rs_q");
    let st = v["stationary"].as_array().unwrap();
    let p = st
        .iter()
        .find(|p| p["branch"] == i && p["kind"] == "minimum")
        .unwrap_or_else(|| panic!("no minimum on branch {i}: {st:?}"));
    for k in [
        "x",
        "m",
        "Q",
        "q1",
        "q0",
        "free_entropy",
        "entropy",
        "complexity",
        "converged",
    ] {
        assert!(p.get(k).is_some(), "stationary point lacks {k}: {p}");
    }
    assert_eq!(p["x"], v["x"]);
    assert!(v["scan"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["branch"] == i));
}
