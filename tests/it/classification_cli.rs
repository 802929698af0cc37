//! The sign channel through the command line: `--channel sign --flip --labels --margin` in the
//! shared model flags, against published values and exact identities, and bad input (one line
//! on stderr, exit 2, nothing on stdout).

use crate::support::cli::{bad_input, ok};

/// The CSV rows of `sweep` as maps from column name to text.
fn sweep(args: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let mut all = vec!["sweep"];
    all.extend_from_slice(args);
    let o = ok(&all);
    let mut lines = o.stdout.lines();
    let head: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &std::collections::HashMap<String, String>, k: &str) -> f64 {
    row[k].parse().unwrap()
}

#[test]
fn bad_sign_channel_input_is_one_line_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["rs", "--margin", "0.5"],
            "--margin 0.5 needs --channel sign",
        ),
        (
            &["rs", "--channel", "sign", "--flip", "0.7"],
            "--flip must be in [0, 1/2], got 0.7",
        ),
        (
            &[
                "sweep",
                "--channel",
                "sign",
                "--flip",
                "-0.1",
                "--over",
                "alpha=1,2",
            ],
            "--flip must be in [0, 1/2], got -0.1",
        ),
        (
            &["rs", "--labels", "random"],
            "--labels random needs --channel sign",
        ),
        (
            &["rs", "--channel", "sign", "--noise", "0.2"],
            "--noise 0.2 is the Gaussian channel's",
        ),
        (
            &["rs", "--channel", "softmax"],
            "unknown --channel 'softmax'",
        ),
        (
            &[
                "amp",
                "--channel",
                "sign",
                "--labels",
                "random",
                "--bits",
                "1",
                "--beta",
                "5",
                "--n",
                "100",
                "--seeds",
                "1",
            ],
            "random labels (--labels random) have no teacher",
        ),
        (
            &[
                "optimal-width",
                "--channel",
                "sign",
                "--bits",
                "2",
                "--beta",
                "5",
            ],
            "the width is a gauge",
        ),
        (
            &[
                "optimal-width",
                "--channel",
                "sign",
                "--labels",
                "random",
                "--bits",
                "2",
                "--ridge",
                "1",
            ],
            "no generalization error",
        ),
    ];
    for (args, msg) in cases {
        bad_input(args, msg);
    }
}

/// Storage with ±1 weights at β = ∞: the RS entropy of the version space vanishes at
/// Krauth–Mézard's α = 0.833078599 and is negative beyond; `m` is absent (no teacher).
#[test]
fn storage_entropy_zero_at_krauth_mezard() {
    let rows = sweep(&[
        "--channel",
        "sign",
        "--labels",
        "random",
        "--bits",
        "1",
        "--over",
        "alpha=0.833078599,1.0",
    ]);
    let s0 = num(&rows[0], "entropy");
    assert!(
        s0.abs() < 2e-7,
        "entropy at the Krauth-Mezard capacity: {s0}"
    );
    assert!(num(&rows[1], "entropy") < -0.01);
    assert_eq!(num(&rows[0], "train_error"), 0.0);
}

/// ±1 teacher and student at β = ∞ with clean labels is Bayes-optimal (Nishimori): `m = q`,
/// `Q = 1`, and the classification error is `arccos(m)/π`; the spread of a learning curve's
/// branch is monotone. Also through `--flip`: at `p`, the Nishimori temperature
/// `β = ln((1 − p)/p)` gives `m = q` again and the error `p + (1 − 2p) arccos(m)/π`.
#[test]
fn teacher_student_is_bayes_optimal_on_the_nishimori_line() {
    let p: f64 = 0.1;
    let beta_n = ((1.0 - p) / p).ln().to_string();
    for (extra, flip) in [
        (vec![], 0.0),
        (vec!["--flip", "0.1", "--beta", beta_n.as_str()], p),
    ] {
        let mut args = vec![
            "--channel",
            "sign",
            "--teacher",
            "binary",
            "--bits",
            "1",
            "--over",
            "alpha=0.5,1.0",
        ];
        args.extend(extra.iter().copied());
        let rows = sweep(&args);
        for r in &rows {
            let (m, q, big_q) = (num(r, "m"), num(r, "q"), num(r, "Q"));
            assert!((m - q).abs() < 1e-6, "{args:?}: m = {m}, q = {q}");
            assert!((big_q - 1.0).abs() < 1e-12);
            let eg = flip + (1.0 - 2.0 * flip) * m.acos() / std::f64::consts::PI;
            assert!((num(r, "gen_error") - eg).abs() < 1e-9, "{args:?}");
        }
        assert!(num(&rows[1], "m") > num(&rows[0], "m"));
    }
}

/// Storage has no teacher: `rsb`'s text table says so instead of printing NaN.
#[test]
fn rsb_storage_table_has_no_nan() {
    let o = ok(&[
        "rsb",
        "--channel",
        "sign",
        "--labels",
        "random",
        "--bits",
        "1",
        "--alpha",
        "0.7",
        "--beta",
        "20",
        "--parisi-x",
        "0.5",
    ]);
    assert!(!o.stdout.contains("NaN"), "{}", o.stdout);
    assert!(o.stdout.contains("undefined"), "{}", o.stdout);
}
