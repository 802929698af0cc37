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

/// `(long flag, its help text)` of every option a subcommand's `--help` lists (clap's layout: a
/// line starting with the flag, its help on the same line or on the next lines).
fn options(sub: &str) -> Vec<(String, String)> {
    let help = cli::ok(&[sub, "--help"]).stdout;
    let mut out: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let t = line.trim_start();
        if t.starts_with('-') {
            if let Some(f) = t.split([' ', ',']).find(|w| w.starts_with("--")) {
                let text = t.split_once("  ").map_or("", |(_, h)| h.trim());
                out.push((f.to_string(), text.to_string()));
                continue;
            }
        }
        if let Some(last) = out.last_mut() {
            if !t.is_empty() && line.starts_with(' ') {
                last.1.push(' ');
                last.1.push_str(t);
            }
        }
    }
    out
}

/// One name per concept across commands (issue 13, item 5): every option whose help is a
/// label-noise variance is `--noise`, every step size `--lr`, and no command shows the old
/// names (`--sigma2`, `--step`, `--plot`, `--bins` other than `asq`'s histogram, `--x` other
/// than a data file).
#[test]
fn one_name_per_concept() {
    let help = cli::ok(&["--help"]).stdout;
    let subs: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|s| s != "help")
        .collect();
    assert!(subs.len() >= 16, "subcommands {subs:?}");
    let (mut noise, mut lr) = (0, 0);
    for sub in &subs {
        for (flag, text) in options(sub) {
            let lower = text.to_lowercase();
            if lower.starts_with("label-noise") || lower.starts_with("label noise") {
                assert_eq!(
                    flag, "--noise",
                    "{sub}: {flag} is a label-noise variance: {text}"
                );
                noise += 1;
            }
            let step = (lower.starts_with("step")
                || lower.contains(" step size")
                || lower.contains("constant step")
                || lower.starts_with("base step"))
                && (text.contains('γ') || text.contains('η'));
            if step {
                assert_eq!(flag, "--lr", "{sub}: {flag} is a step size: {text}");
                lr += 1;
            }
            for old in ["--sigma2", "--step", "--plot"] {
                assert_ne!(flag, old, "{sub} shows the old name {old}");
            }
            // `asq --bins`: its histogram; the overlap histogram is `--overlap-bins`.
            assert!(flag != "--bins" || sub == "asq", "{sub} shows --bins");
            if flag == "--x" {
                assert!(
                    lower.contains("file") || lower.contains(".npy"),
                    "{sub}: --x is {text}"
                );
            }
        }
    }
    // The model commands, sgd, shrinkage, scaling-law; qat, ste-dynamics, sgd, shrinkage,
    // scaling-law.
    assert!(noise >= 12, "{noise} label-noise options");
    assert_eq!(lr, 5, "step-size options");
}
