//! Property over the model-flag space (issue 13, item 6): every combination of model flags,
//! drawn from a table of valid, extreme and invalid values per flag, gives `rs` a result (exit
//! 0 and output) or a one-line error (exit 2, nothing on stdout), never a
//! panic, within a time bound. Combinations are sampled with a seeded RNG (xoshiro), so a
//! failure names a reproducible command line.

use crate::support::cli::command;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::time::{Duration, Instant};

/// Each model flag with its valid (and extreme) values (`None`: the flag left out) and its
/// invalid values.
type Row = (
    &'static str,
    &'static [Option<&'static str>],
    &'static [&'static str],
);
const TABLE: &[Row] = &[
    (
        "--alpha",
        &[Some("2"), Some("0.5"), Some("1e-6"), Some("1e6")],
        &["0", "-1", "nan", "inf", "abc"],
    ),
    (
        "--noise",
        &[None, Some("0.1"), Some("0"), Some("1e-12"), Some("1e6")],
        &["-0.1", "nan"],
    ),
    (
        "--bits",
        &[None, Some("1"), Some("2"), Some("4"), Some("8"), Some("16")],
        &["0", "17", "-1"],
    ),
    (
        "--width",
        &[None, Some("1"), Some("0.01"), Some("1e6")],
        &["0", "-1", "inf"],
    ),
    (
        "--levels",
        &[
            None,
            Some("uniform"),
            Some("midtread"),
            Some("lloyd-max"),
            Some("quantile"),
            Some("pow2"),
            Some("continuous"),
            Some("custom:-1,1"),
            Some("custom:-1,0,1"),
            Some("asq:4"),
        ],
        &["custom:", "bogus", "asq:1"],
    ),
    (
        "--level-weights",
        &[None, None, None, Some("0.5,0.5"), Some("0.2,0.3,0.5")],
        &["1,0", "-1,2", "x"],
    ),
    (
        "--beta",
        &[None, Some("inf"), Some("5"), Some("1e-3"), Some("1e8")],
        &["0", "-1", "nan"],
    ),
    (
        "--ridge",
        &[None, Some("0"), Some("0.1"), Some("1e6")],
        &["-1"],
    ),
    (
        "--teacher",
        &[
            None,
            Some("gaussian"),
            Some("binary"),
            Some("discrete:-1,1"),
            Some("sparse:0.3"),
        ],
        &["sparse:0", "sparse:1.5", "discrete:", "bogus"],
    ),
    (
        "--teacher-var",
        &[None, Some("1"), Some("1e-6"), Some("1e6")],
        &["0", "-1"],
    ),
    (
        "--teacher-probs",
        &[None, None, None, Some("0.5,0.5")],
        &["1", "0.2,0.2"],
    ),
    (
        "--channel",
        &[None, None, Some("gaussian"), Some("sign")],
        &["bogus"],
    ),
    (
        "--flip",
        &[None, None, Some("0"), Some("0.1")],
        &["0.6", "-0.1"],
    ),
    (
        "--labels",
        &[None, None, Some("teacher"), Some("random")],
        &["bogus"],
    ),
    (
        "--margin",
        &[None, None, Some("0"), Some("0.5"), Some("-0.5")],
        &[],
    ),
];

/// Number of sampled combinations and the time bound of one run.
const CASES: usize = 80;
const BOUND: Duration = Duration::from_secs(60);

/// A combination: every flag from its valid values, and in every other case one flag (drawn)
/// from its invalid values.
fn sample(rng: &mut Xoshiro256PlusPlus, case: usize) -> Vec<String> {
    let bad = (case % 2 == 1).then(|| rng.random_range(0..TABLE.len()));
    let mut args = vec!["rs".to_string()];
    for (k, (flag, valid, invalid)) in TABLE.iter().enumerate() {
        let v = if bad == Some(k) && !invalid.is_empty() {
            Some(invalid[rng.random_range(0..invalid.len())])
        } else {
            valid[rng.random_range(0..valid.len())]
        };
        if let Some(v) = v {
            args.push(format!("{flag}={v}"));
        }
    }
    args
}

#[test]
fn every_model_flag_combination_gives_a_result_or_a_one_line_error() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
    let (mut ok, mut refused) = (0, 0);
    for case in 0..CASES {
        let args = sample(&mut rng, case);
        let mut child = command()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if t.elapsed() > BOUND {
                let _ = child.kill();
                panic!(
                    "quantreplica {}: no answer within {BOUND:?}",
                    args.join(" ")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let o = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let shown = args.join(" ");
        assert!(!stderr.contains("panicked"), "{shown}: {stderr}");
        match o.status.code() {
            Some(0) => {
                assert!(!stdout.trim().is_empty(), "{shown}: no output");
                ok += 1;
            }
            Some(2) => {
                assert!(stdout.is_empty(), "{shown}: stdout on error: {stdout}");
                assert_eq!(stderr.trim_end().lines().count(), 1, "{shown}: {stderr}");
                refused += 1;
            }
            c => panic!("{shown}: exit {c:?}: {stderr}"),
        }
    }
    eprintln!("model_flags: {CASES} combinations, {ok} results, {refused} refusals");
    // Half the cases hold an invalid value: both outcomes must occur.
    assert!(ok > 0 && refused > 0, "ok {ok}, refused {refused}");
}
