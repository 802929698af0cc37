//! `quantreplica ste-dynamics`: bad input gets one line on stderr, exit 2, nothing on stdout;
//! a small run prints theory and simulation at the same times.

use crate::support::cli::{self, bad_input};

/// `ste-dynamics` followed by `args`.
fn with_cmd<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["ste-dynamics"];
    all.extend_from_slice(args);
    all
}

fn run(args: &[&str]) -> (i32, String, String) {
    cli::run(&with_cmd(args)).parts()
}

#[test]
fn bad_input_is_rejected_with_one_line() {
    for (args, needle) in [
        (vec!["--lr", "0"], "learning rate"),
        (vec!["--lr", "-1"], "learning rate"),
        (
            vec!["--levels", "continuous", "--lr", "2.5"],
            "stability limit",
        ),
        (vec!["--time", "5:1:10"], "not increasing"),
        (vec!["--time", "0:1"], "T0:T1:COUNT"),
        (vec!["--time", "-1:1:3"], "non-negative"),
        (vec!["--beta", "3"], "beta must be inf"),
        (vec!["--ridge", "0.1"], "weight decay"),
        (vec!["--init-var", "0"], "init variance"),
        (vec!["--n", "1", "--time", "0:1:2"], "n must be at least 2"),
        (vec!["--levels", "continuous", "--clip"], "clipping"),
    ] {
        bad_input(&with_cmd(&args), needle);
    }
}

#[test]
fn small_run_reports_theory_and_simulation() {
    let (code, out, err) = run(&[
        "--bits", "1", "--width", "0.8", "--noise", "0", "--lr", "1", "--time", "0:1:3",
        "--refine", "0.5", "--n", "300", "--seeds", "4", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let th = v["theory"]["points"].as_array().unwrap();
    assert_eq!(th.len(), 3);
    // t = 0: levels ±0.8 independent of the teacher, ε_g = 1 + 0.64.
    assert!((th[0]["gen_error"].as_f64().unwrap() - 1.64).abs() < 1e-9);
    let sim = &v["simulation"]["gen_error"]["mean"];
    assert_eq!(sim.as_array().unwrap().len(), 3);
    assert!(v["fixed_points"].as_array().unwrap().len() == 1);
}
