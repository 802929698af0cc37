//! The `sgd`, `scaling-law` and `shrinkage` commands through the real binary.

use crate::support::cli::{self, bad_input};

fn run(args: &[&str]) -> (i32, String, String) {
    cli::run(args).parts()
}

#[test]
fn bad_input_is_one_line_exit_2_and_names_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "sgd",
                "--quantize",
                "data",
                "--quantizer",
                "add",
                "--eps",
                "-0.1",
            ],
            "-0.1",
        ),
        (&["sgd", "--batch", "0"], "batch"),
        (&["sgd", "--quantize", "data", "--quantizer", "e9q"], "e9q"),
        (&["sgd", "-d", "0"], "dimension"),
        (&["sgd", "-d", "-4"], "-4"),
        (&["sgd", "--lr", "NaN"], "NaN"),
        (&["sgd", "--noise", "nan"], "NaN"),
        (&["sgd", "--q", "weights=add:0.1"], "weights"),
        (&["sgd", "--iterate", "median"], "median"),
        (&["sgd", "--schedule", "cosine"], "cosine"),
        (&["scaling-law", "--ms", "8,4096", "-d", "512"], "4096"),
        (&["scaling-law", "--eps", "-1"], "-1"),
        (&["shrinkage", "--qs", "1,1.5"], "1.5"),
        (&["shrinkage", "--formats", "fp7"], "fp7"),
    ];
    for (args, needle) in cases {
        bad_input(args, needle);
    }
}

#[test]
fn sgd_json_has_risk_stats_and_exact_risk() {
    let (code, out, err) = run(&[
        "sgd",
        "-d",
        "20",
        "--steps",
        "100",
        "--runs",
        "8",
        "--quantize",
        "data,params",
        "--quantizer",
        "mult-vec",
        "--eps",
        "0.05",
        "--exact",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["excess_risk"]["per_run"].as_array().unwrap().len(), 8);
    assert!(v["excess_risk"]["mean"].as_f64().unwrap() > 0.0);
    assert!(v["excess_risk"]["stderr"].as_f64().unwrap() > 0.0);
    assert!(v["exact_risk"].as_f64().unwrap() > 0.0);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["diverged"], false);
}

#[test]
fn diverging_step_is_reported_not_nan() {
    let (code, out, _) = run(&[
        "sgd", "-d", "20", "--steps", "300", "--lr", "4", "--runs", "3", "--exact", "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diverged"], true);
    assert_eq!(v["status"], "diverged");
    assert_eq!(v["exact_status"], "diverged");
    assert!(v["exact_risk"].is_null());
    assert_eq!(v["diverged_runs"], 3);
    assert!(!out.contains("NaN"));
}

#[test]
fn real_formats_run_and_have_no_exact_risk() {
    let (code, out, err) = run(&[
        "sgd",
        "-d",
        "20",
        "--steps",
        "50",
        "--runs",
        "4",
        "--quantize",
        "all",
        "--quantizer",
        "e4m3",
        "--rounding",
        "stochastic",
        "--exact",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["exact_risk"].is_null());
    assert!(v["exact_note"].is_string());
    assert_eq!(v["targets"]["data"], "e4m3-sr");
}
