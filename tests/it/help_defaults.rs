//! Every default that `--help` shows is accepted when passed explicitly (issue 13, item 5): for
//! each subcommand, a cheap invocation is run twice, as is and with every shown default not
//! already in it (`--flag DEFAULT`), and both runs must succeed with the same output (lines
//! with timings dropped). A default the command refuses or that changes the result (a help
//! text that lies) fails the test.

use crate::support::cli;
use crate::support::temp::TempDir;

/// `(flag, default)` for every `[default: X]` in a subcommand's `--help`.
fn shown_defaults(sub: &str) -> Vec<(String, String)> {
    let help = cli::ok(&[sub, "--help"]).stdout;
    let mut out = Vec::new();
    let mut flag: Option<String> = None;
    for line in help.lines() {
        let t = line.trim_start();
        if t.starts_with('-') {
            // `-d, --d <D>` or `--alpha <ALPHA>`: the long name.
            flag = t
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
                .map(str::to_string);
        }
        if let (Some(f), Some(i)) = (&flag, line.find("[default: ")) {
            let rest = &line[i + "[default: ".len()..];
            if let Some(j) = rest.find(']') {
                // clap shows an empty default as `""`.
                let v = rest[..j].trim_matches('"');
                out.push((f.clone(), v.to_string()));
            }
        }
    }
    out
}

fn without_timings(s: &str) -> String {
    s.lines()
        .filter(|l| !l.contains("done in") && !l.contains("time:") && !l.contains("seconds"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_default_shown_in_help_is_accepted() {
    let t = TempDir::new("help-defaults");
    let p = |n: &str| t.join(n).to_string_lossy().into_owned();
    let shard = p("shard");
    cli::ok(&[
        "sweep",
        "--over",
        "alpha=0.5:3:3",
        "--shard",
        "0/1",
        "--checkpoint",
        &shard,
    ]);
    let (pd, val, ste) = (p("pd"), p("val"), p("ste"));
    let bases: Vec<(&str, Vec<&str>)> = vec![
        ("rs", vec![]),
        ("headline", vec!["--no-figures"]),
        ("rsb", vec!["--beta", "5", "--parisi-x", "0.5"]),
        ("sweep", vec!["--over", "alpha=0.5:3:3"]),
        ("merge", vec![&shard]),
        (
            "phase-diagram",
            vec![
                "--x-axis",
                "width=0.5:2:3",
                "--y-axis",
                "bits=1,2",
                "--no-transitions",
                "--out",
                &pd,
            ],
        ),
        ("optimal-width", vec![]),
        ("transitions", vec!["--over", "alpha=0.5:3:5"]),
        ("amp", vec!["--beta", "5", "--n", "50", "--seeds", "1"]),
        (
            "gibbs",
            vec![
                "--beta",
                "2",
                "--n",
                "20",
                "--seeds",
                "1",
                "--sweeps",
                "20",
                "--burn-in",
                "10",
            ],
        ),
        ("qat", vec!["--n", "30", "--seeds", "1", "--epochs", "2"]),
        (
            "validate",
            vec![
                "--seeds",
                "1",
                "--n-amp",
                "30",
                "--n-gibbs",
                "10",
                "--n-qat",
                "10",
                "--sweeps",
                "10",
                "--out-dir",
                &val,
            ],
        ),
        ("sgd", vec!["-d", "10", "--steps", "50", "--runs", "2"]),
        (
            "scaling-law",
            vec![
                "-d",
                "64",
                "--ms",
                "4,8",
                "--ns",
                "10,20",
                "--sketches",
                "1",
                "--runs",
                "2",
            ],
        ),
        (
            "shrinkage",
            vec!["-d", "10", "--steps", "50", "--runs", "2"],
        ),
        ("asq", vec!["--dist", "normal", "--d", "10000", "--s", "4"]),
        ("ste-dynamics", vec!["--time", "0:0.5:2", "--out", &ste]),
    ];
    let mut checked = 0;
    for (sub, base) in &bases {
        let defaults = shown_defaults(sub);
        let extra: Vec<String> = defaults
            .iter()
            .filter(|(f, _)| !base.iter().any(|b| b == f))
            // `-d` and `--d` are the same flag.
            .filter(|(f, _)| !(f == "--d" && base.contains(&"-d")))
            .flat_map(|(f, v)| [f.clone(), v.clone()])
            .collect();
        let mut args: Vec<String> = std::iter::once(sub.to_string())
            .chain(base.iter().map(|s| s.to_string()))
            .collect();
        let plain = cli::run(&args);
        assert_eq!(plain.code, 0, "{args:?}: {}", plain.stderr);
        args.extend(extra.iter().cloned());
        let explicit = cli::run(&args);
        assert_eq!(
            explicit.code, 0,
            "{sub}: the defaults of --help passed explicitly are refused: {args:?}: {}",
            explicit.stderr
        );
        assert_eq!(
            without_timings(&explicit.stdout),
            without_timings(&plain.stdout),
            "{sub}: passing the defaults of --help changes the output: {args:?}"
        );
        checked += extra.len() / 2;
    }
    // Every subcommand listed by the binary is covered.
    let help = cli::ok(&["--help"]).stdout;
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
    {
        let Some(c) = line.split_whitespace().next() else {
            break;
        };
        if !line.starts_with("  ") {
            break;
        }
        assert!(
            c == "help" || bases.iter().any(|(s, _)| *s == c),
            "subcommand {c} is not covered"
        );
    }
    println!("{checked} shown defaults passed explicitly, all accepted with the same output");
    assert!(
        checked > 100,
        "only {checked} defaults found: is the --help parser broken?"
    );
}
