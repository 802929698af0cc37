//! The bad-input corpus (issue 13, item 6): a table of (arguments, expectation) over every
//! subcommand, run as one test, each case under a time bound (killed after [`LIMIT`]: a hang).
//!
//! Expectations:
//! - `Bad`: the error contract — exit 2, nothing on stdout, one line on stderr naming the value
//!   or the flag, no panic.
//! - `Good`: exit 0, no `NaN` in the output, no panic.
//! - `Either`: a value that may be meaningful (a negative number, a zero count): accepted as
//!   `Good`, or refused as `Bad`, naming the flag (so `-1` after any flag must reach the flag's
//!   own parser, not "unexpected argument '-1'").
//!
//! Most cases are generated from a cheap good invocation per command and, for each of its
//! flags, the values that must be refused for that flag's kind (a finite number, a count, a
//! named choice or spec); hand-written cases follow. The test prints the numbers that README.md
//! and docs/robustness.md quote, and first checks that its own judge catches a bad run (a
//! panic, a hang, NaN, a two-line error, output on stdout, a wrong expectation).

use crate::support::cli;
use crate::support::temp::TempDir;
use std::io::Read;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A case running longer than this is a hang (generous: the machine may be loaded).
const LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Bad,
    Good,
    Either,
}

#[derive(Debug, Clone)]
struct Case {
    args: Vec<String>,
    expect: Expect,
    /// Any of these in the error line counts as naming the value (empty: none required).
    needles: Vec<String>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
enum Ending {
    Exit(i32),
    Signal(i32),
    Hang,
}

#[derive(Debug, Clone)]
struct Run {
    ending: Ending,
    stdout: String,
    stderr: String,
}

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Verdict {
    refused: bool,
    accepted: bool,
    panic: bool,
    hang: bool,
    nan: bool,
    failed: bool,
}

fn has_nan(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| t == "NaN" || t == "nan")
}

fn judge(c: &Case, r: &Run) -> Verdict {
    let mut v = Verdict {
        hang: r.ending == Ending::Hang,
        panic: r.stderr.contains("panicked")
            || matches!(r.ending, Ending::Exit(101) | Ending::Signal(_)),
        // An error naming a bad `nan` is fine; a result printing NaN is not.
        nan: has_nan(&r.stdout) || (r.ending == Ending::Exit(0) && has_nan(&r.stderr)),
        ..Verdict::default()
    };
    let lines = r.stderr.trim_end().lines().count();
    // "unexpected argument '-1'" names the value but not as the flag's value: never a refusal.
    let err = r.stderr.to_lowercase();
    let stray_number = ["'-1'", "'-0", "'-i"]
        .iter()
        .any(|n| err.contains(&format!("unexpected argument {n}")));
    let named = (c.needles.is_empty() || c.needles.iter().any(|n| err.contains(&n.to_lowercase())))
        && !stray_number;
    v.refused = r.ending == Ending::Exit(2) && r.stdout.is_empty() && lines == 1 && named;
    v.accepted = r.ending == Ending::Exit(0);
    let met = match c.expect {
        Expect::Bad => v.refused,
        Expect::Good => v.accepted,
        Expect::Either => v.refused || v.accepted,
    };
    v.failed = !met || v.panic || v.hang || v.nan;
    v
}

fn run_case(c: &Case) -> Run {
    let mut child = cli::command()
        .args(&c.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the binary");
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let to = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let te = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let t0 = Instant::now();
    let ending = loop {
        if let Some(s) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            break match (s.code(), s.signal()) {
                (Some(code), _) => Ending::Exit(code),
                (None, Some(sig)) => Ending::Signal(sig),
                _ => Ending::Signal(0),
            };
        }
        if t0.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break Ending::Hang;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Run {
        ending,
        stdout: text(to.join().unwrap()),
        stderr: text(te.join().unwrap()),
    }
}

/// The kinds of flag values, and what must be refused for each.
#[derive(Clone, Copy)]
enum Kind {
    /// A finite real number.
    Real,
    /// A real number or `inf` (β).
    RealOrInf,
    /// A count (non-negative integer).
    Count,
    /// A named choice or spec with these bad values.
    Spec(&'static [&'static str]),
}

/// A command: its cheap good invocation and its flags with their kinds.
struct Cmd {
    name: &'static str,
    base: Vec<(String, String)>,
    flags: Vec<(&'static str, Kind)>,
}

/// The ways a message may name a flag: `--teacher-var`, `teacher-var`, `teacher_var`,
/// `teacher var`, and the singular (`level weight` for `--level-weights`).
fn names_of(flag: &str) -> Vec<String> {
    let bare = flag.trim_start_matches('-');
    let mut v = vec![flag.to_string()];
    for b in [bare, bare.trim_end_matches('s')] {
        v.extend([b.to_string(), b.replace('-', "_"), b.replace('-', " ")]);
    }
    v.retain(|n| n.len() > 1);
    v
}

/// The ways a message may name a bad value: the value itself, or the offending piece of a list
/// or spec (`custom:1,nan` -> `'nan'`), quoted or, when longer than one character, bare; an
/// empty value or piece as `''` or "empty".
fn value_names(value: &str) -> Vec<String> {
    let mut v = Vec::new();
    if value.is_empty() {
        v.extend(["''".to_string(), "empty".to_string()]);
        return v;
    }
    v.push(value.to_string());
    for piece in value.split([',', ':', '=', '/']) {
        v.push(format!("'{piece}'"));
        if piece.len() > 1 {
            v.push(piece.to_string());
        }
        if piece.is_empty() {
            v.push("empty".into());
        }
    }
    v
}

impl Cmd {
    /// The base invocation with `flag` set to `value` (replacing the base's own value).
    fn with(&self, flag: &str, value: &str) -> Vec<String> {
        let mut v = vec![self.name.to_string()];
        for (f, x) in &self.base {
            if f == flag {
                continue;
            }
            v.push(f.clone());
            if !x.is_empty() {
                v.push(x.clone());
            }
        }
        v.push(flag.to_string());
        v.push(value.to_string());
        v
    }

    fn base_args(&self) -> Vec<String> {
        let mut v = vec![self.name.to_string()];
        for (f, x) in &self.base {
            v.push(f.clone());
            if !x.is_empty() {
                v.push(x.clone());
            }
        }
        v
    }

    fn cases(&self) -> Vec<Case> {
        let mut out = vec![Case {
            args: self.base_args(),
            expect: Expect::Good,
            needles: vec![],
        }];
        for &(flag, kind) in &self.flags {
            let mut bad = |value: &str| {
                let mut needles = names_of(flag);
                needles.extend(value_names(value));
                out.push(Case {
                    args: self.with(flag, value),
                    expect: Expect::Bad,
                    needles,
                });
            };
            match kind {
                Kind::Real => {
                    for v in ["nan", "inf", "-inf", "abc", "", "1,2"] {
                        bad(v);
                    }
                    // Overflows to inf: "got inf" names it.
                    let mut needles = names_of(flag);
                    needles.extend(["1e400".to_string(), "inf".to_string()]);
                    out.push(Case {
                        args: self.with(flag, "1e400"),
                        expect: Expect::Bad,
                        needles,
                    });
                }
                Kind::RealOrInf => {
                    for v in ["nan", "-inf", "abc", "", "1,2"] {
                        bad(v);
                    }
                }
                Kind::Count => {
                    for v in ["nan", "abc", "", "1.5", "99999999999999999999999"] {
                        bad(v);
                    }
                }
                Kind::Spec(vals) => {
                    for v in vals {
                        bad(v);
                    }
                }
            }
            // A negative number after any flag is that flag's value: accepted, or refused
            // naming the flag.
            if !matches!(kind, Kind::Spec(_)) {
                for v in ["-1", "-0.5"] {
                    let mut needles = names_of(flag);
                    needles.push(v.to_string());
                    out.push(Case {
                        args: self.with(flag, v),
                        expect: Expect::Either,
                        needles,
                    });
                }
            }
        }
        out
    }
}

fn pairs(v: &[&str]) -> Vec<(String, String)> {
    v.chunks(2)
        .map(|p| (p[0].to_string(), p.get(1).unwrap_or(&"").to_string()))
        .collect()
}

const LEVELS: &[&str] = &[
    "bogus",
    "custom:",
    "custom:1,nan",
    "custom:1,1",
    "asq:0",
    "asq:-3",
    "uniform,",
    "",
];
const TEACHER: &[&str] = &[
    "bogus",
    "discrete:",
    "discrete:1,nan",
    "sparse:2",
    "sparse:-1",
    "sparse:nan",
    "",
];
const LIST: &[&str] = &["a,b", "nan,1", "1,,x", "-1,2", ""];
const AXIS: &[&str] = &[
    "alpha",
    "alpha=",
    "bogus=1:2:3",
    "alpha=nan:2:3",
    "alpha=1:2:0",
    "alpha=1:2:-3",
    "alpha=1:2:1e12",
    "alpha=a,b",
    "bits=0,1",
    "bits=1.5,2",
    "",
];

fn model_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--alpha", Kind::Real),
        ("--noise", Kind::Real),
        ("--bits", Kind::Count),
        ("--width", Kind::Real),
        ("--levels", Kind::Spec(LEVELS)),
        ("--level-weights", Kind::Spec(LIST)),
        ("--beta", Kind::RealOrInf),
        ("--ridge", Kind::Real),
        ("--teacher", Kind::Spec(TEACHER)),
        ("--teacher-var", Kind::Real),
        ("--teacher-probs", Kind::Spec(LIST)),
        ("--channel", Kind::Spec(&["bogus", ""])),
        ("--flip", Kind::Real),
        ("--labels", Kind::Spec(&["bogus", ""])),
        ("--margin", Kind::Real),
    ]
}

fn sim_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--n", Kind::Count),
        ("--seeds", Kind::Count),
        ("--seed", Kind::Count),
        ("--x", Kind::Spec(&["/nonexistent/x.npy", ""])),
    ]
}

fn problem_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("-d", Kind::Count),
        ("-a", Kind::Real),
        ("--noise", Kind::Real),
        (
            "--wstar",
            Kind::Spec(&["bogus", "power:x", "power:nan", ""]),
        ),
        ("--batch", Kind::Count),
        ("--lr", Kind::Real),
        ("--steps", Kind::Count),
        (
            "--schedule",
            Kind::Spec(&["bogus", "inverse:-1", "poly:x", "stepdecay:x", ""]),
        ),
        ("--iterate", Kind::Spec(&["bogus", "tail:x", "tail:-1", ""])),
        ("--runs", Kind::Count),
        ("--seed", Kind::Count),
    ]
}

fn commands(dir: &std::path::Path) -> Vec<Cmd> {
    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let with_model = |extra: Vec<(&'static str, Kind)>| {
        let mut f = model_flags();
        f.extend(extra);
        f
    };
    let (pd, val) = (p("pd"), p("val"));
    vec![
        Cmd {
            name: "rs",
            base: pairs(&["--alpha", "2"]),
            flags: model_flags(),
        },
        Cmd {
            name: "headline",
            base: pairs(&["--no-figures"]),
            flags: vec![
                ("--alpha", Kind::Real),
                ("--noise", Kind::Real),
                ("--beta", Kind::RealOrInf),
            ],
        },
        Cmd {
            name: "rsb",
            base: pairs(&["--beta", "5", "--parisi-x", "0.5"]),
            flags: with_model(vec![("--parisi-x", Kind::Real)]),
        },
        Cmd {
            name: "sweep",
            base: pairs(&["--over", "alpha=0.5:3:3"]),
            flags: with_model(vec![
                ("--over", Kind::Spec(AXIS)),
                ("--threads", Kind::Count),
                ("--shard", Kind::Spec(&["0/0", "2/2", "a/b", "1", ""])),
            ]),
        },
        Cmd {
            name: "phase-diagram",
            base: pairs(&[
                "--x-axis",
                "width=0.5:2:3",
                "--y-axis",
                "bits=1,2",
                "--no-transitions",
                "--out",
                &pd,
            ]),
            flags: with_model(vec![
                ("--x-axis", Kind::Spec(AXIS)),
                ("--y-axis", Kind::Spec(AXIS)),
            ]),
        },
        Cmd {
            name: "optimal-width",
            base: pairs(&["--bits", "2"]),
            flags: with_model(vec![
                (
                    "--bits-range",
                    Kind::Spec(&["0:8", "8:1", "a:b", "1:17", "-1:3", "1", ""]),
                ),
                ("--objective", Kind::Spec(&["bogus", ""])),
                ("--stability-beta", Kind::RealOrInf),
            ]),
        },
        Cmd {
            name: "transitions",
            base: pairs(&["--over", "alpha=0.5:3:5"]),
            flags: with_model(vec![("--over", Kind::Spec(AXIS))]),
        },
        Cmd {
            name: "amp",
            base: pairs(&["--beta", "5", "--n", "50", "--seeds", "1"]),
            flags: {
                let mut f = with_model(sim_flags());
                f.extend([
                    ("--damping", Kind::Real),
                    ("--max-iter", Kind::Count),
                    ("--tol", Kind::Real),
                ]);
                f
            },
        },
        Cmd {
            name: "gibbs",
            base: pairs(&[
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
            ]),
            flags: {
                let mut f = with_model(sim_flags());
                f.extend([
                    ("--sweeps", Kind::Count),
                    ("--burn-in", Kind::Count),
                    ("--temperatures", Kind::Count),
                    ("--beta-min", Kind::Real),
                    ("--overlap-bins", Kind::Count),
                ]);
                f
            },
        },
        Cmd {
            name: "qat",
            base: pairs(&["--n", "30", "--seeds", "1", "--epochs", "2"]),
            flags: {
                let mut f = with_model(sim_flags());
                f.extend([
                    ("--epochs", Kind::Count),
                    ("--batch", Kind::Count),
                    ("--lr", Kind::Real),
                    ("--schedule", Kind::Spec(&["bogus", ""])),
                    ("--decay-every", Kind::Count),
                    ("--decay", Kind::Real),
                    ("--rounding", Kind::Spec(&["bogus", ""])),
                    ("--init-scale", Kind::Real),
                ]);
                f
            },
        },
        Cmd {
            name: "validate",
            base: pairs(&[
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
            ]),
            flags: vec![
                ("--seeds", Kind::Count),
                ("--seed", Kind::Count),
                ("--n-amp", Kind::Count),
                ("--n-gibbs", Kind::Count),
                ("--n-qat", Kind::Count),
                ("--sweeps", Kind::Count),
            ],
        },
        Cmd {
            name: "sgd",
            base: pairs(&["-d", "10", "--steps", "50", "--runs", "2"]),
            flags: {
                let mut f = problem_flags();
                f.extend([
                    ("--quantize", Kind::Spec(&[])),
                    ("--quantizer", Kind::Spec(&["bogus", "int:x:1", ""])),
                    ("--eps", Kind::Real),
                    ("--rounding", Kind::Spec(&["bogus", ""])),
                    ("--q", Kind::Spec(&["bogus", "data", "data=bogus", "=add"])),
                    ("--shrink-q", Kind::Real),
                    ("--grad-noise", Kind::Real),
                    ("--grad-format", Kind::Spec(&["bogus", ""])),
                ]);
                f
            },
        },
        Cmd {
            name: "scaling-law",
            base: pairs(&[
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
            ]),
            flags: vec![
                ("-d", Kind::Count),
                ("-a", Kind::Real),
                ("--noise", Kind::Real),
                ("--lr", Kind::Real),
                ("--batch", Kind::Count),
                ("--ms", Kind::Spec(&["a", "0", "-1", "4,100", ""])),
                ("--ns", Kind::Spec(&["a", "0", "-1", ""])),
                ("--eps", Kind::Spec(&["x", "nan", "-0.1", ""])),
                ("--schemes", Kind::Spec(&["bogus"])),
                ("--quantize", Kind::Spec(&["bogus"])),
                ("--sketches", Kind::Count),
                ("--runs", Kind::Count),
                ("--seed", Kind::Count),
            ],
        },
        Cmd {
            name: "shrinkage",
            base: pairs(&["-d", "10", "--steps", "50", "--runs", "2"]),
            flags: {
                let mut f = problem_flags();
                f.extend([
                    ("--qs", Kind::Spec(&["0", "2", "x", "nan", "-0.5", ""])),
                    ("--grad-noise", Kind::Real),
                    ("--target", Kind::Real),
                    ("--formats", Kind::Spec(&["bogus"])),
                    ("--grad-scale", Kind::Real),
                ]);
                f
            },
        },
        Cmd {
            name: "asq",
            base: pairs(&["--dist", "normal", "--d", "10000", "--s", "4"]),
            flags: vec![
                ("--dist", Kind::Spec(&["bogus", ""])),
                ("--d", Kind::Count),
                ("--seed", Kind::Count),
                ("--s", Kind::Count),
                ("--method", Kind::Spec(&["bogus", "dp", ""])),
                ("--bins", Kind::Count),
                ("--objective", Kind::Spec(&["bogus", ""])),
                ("--weights", Kind::Spec(&["/nonexistent/w.npy", ""])),
            ],
        },
        Cmd {
            name: "ste-dynamics",
            base: pairs(&["--time", "0:0.5:2"]),
            flags: with_model(vec![
                ("--lr", Kind::Real),
                (
                    "--time",
                    Kind::Spec(&["0:1", "1:0:3", "a:b:c", "0:1:0", "0:nan:3", "0:inf:3", ""]),
                ),
                ("--init-var", Kind::Real),
                ("--weight-decay", Kind::Real),
                ("--n", Kind::Count),
                ("--seeds", Kind::Count),
                ("--seed", Kind::Count),
                ("--refine", Kind::Real),
            ]),
        },
    ]
}

/// Hand-written cases: data files, shard files, combinations.
fn extra(dir: &std::path::Path) -> Vec<Case> {
    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    std::fs::write(p("garbage.csv"), "1,2\nx,y\n").unwrap();
    std::fs::write(p("empty.csv"), "").unwrap();
    std::fs::write(p("nan.csv"), "1,nan\n2,3\n").unwrap();
    std::fs::write(p("ragged.csv"), "1,2,3\n4,5\n").unwrap();
    std::fs::write(p("y3.csv"), "1\n2\n3\n").unwrap();
    std::fs::write(p("not.npy"), "\u{93}NUMPY garbage").unwrap();
    std::fs::write(p("shard_garbage"), "{not json\n").unwrap();
    let bad = |args: &[&str], needle: &str| Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        expect: Expect::Bad,
        needles: vec![needle.to_string()],
    };
    let good = |args: &[&str]| Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        expect: Expect::Good,
        needles: vec![],
    };
    let (g, e, n, r, y3, np) = (
        p("garbage.csv"),
        p("empty.csv"),
        p("nan.csv"),
        p("ragged.csv"),
        p("y3.csv"),
        p("not.npy"),
    );
    let sim = ["--beta", "5", "--seeds", "1"];
    let amp = |x: &str, y: &str| -> Vec<String> {
        ["amp", "--x", x, "--y", y]
            .iter()
            .chain(&sim)
            .map(|s| s.to_string())
            .collect()
    };
    let mut v = vec![
        bad(&["bogus-command"], "bogus-command"),
        bad(&["rs", "--bogus"], "--bogus"),
        bad(&["rs", "--alpha"], "--alpha"),
        bad(&["rs", "positional"], "positional"),
        bad(&["rs", "--alpha", "1", "--alpha", "2"], "--alpha"),
        bad(&["rs", "--channel", "sign", "--noise", "0.1"], "--noise"),
        bad(&["rs", "--channel", "sign", "--flip", "0.7"], "flip"),
        bad(&["rs", "--flip", "0.1"], "flip"),
        bad(
            &["rs", "--teacher", "discrete:1,2", "--teacher-probs", "0.5"],
            "probabilit",
        ),
        bad(&["rs", "--level-weights", "0.5,0.5"], "weight"),
        bad(
            &[
                "rs",
                "--levels",
                "custom:-1,1",
                "--bits",
                "3",
                "--level-weights",
                "1,2,3",
            ],
            "weight",
        ),
        bad(&["rs", "--bits", "17"], "17"),
        bad(&["rs", "--bits", "0"], "0"),
        bad(&["rs", "--width", "0"], "width"),
        bad(
            &["sweep", "--over", "alpha=1,2", "--over", "alpha=1,2"],
            "alpha",
        ),
        bad(&["sweep", "--over", "alpha=1,2", "--log", "alpha"], "log"),
        bad(&["sweep", "--over", "alpha=1,2", "--log", "bogus"], "bogus"),
        bad(
            &["sweep", "--over", "alpha=1,2", "--shard", "0/2"],
            "--checkpoint",
        ),
        bad(&["sweep", "--over", "alpha=1,2", "--csv", "/"], "/"),
        bad(&["merge", "/nonexistent/shard"], "/nonexistent/shard"),
        bad(&["merge", &p("shard_garbage")], "shard_garbage"),
        bad(&["merge", &e], "empty.csv"),
        bad(&["merge", dir.to_str().unwrap()], dir.to_str().unwrap()),
        bad(
            &[
                "phase-diagram",
                "--x-axis",
                "bits=1,2",
                "--y-axis",
                "width=1:2:3",
                "--out",
                &p("pd2"),
            ],
            "bits",
        ),
        bad(
            &[
                "phase-diagram",
                "--x-axis",
                "width=1:2:3",
                "--y-axis",
                "width=1:2:3",
                "--out",
                &p("pd3"),
            ],
            "width",
        ),
        bad(
            &[
                "phase-diagram",
                "--out",
                &format!("{g}/stem"),
                "--x-axis",
                "width=1:2:3",
            ],
            "garbage.csv",
        ),
        bad(&["optimal-width", "--channel", "sign"], "sign"),
        bad(
            &["optimal-width", "--csv", dir.to_str().unwrap()],
            dir.to_str().unwrap(),
        ),
        bad(&["transitions"], "--over"),
        bad(
            &["transitions", "--over", "alpha=1,2,3", "--beta", "-2"],
            "-2",
        ),
        bad(&["amp", "--n", "1", "--beta", "5"], "1"),
        bad(&["amp", "--damping", "0", "--beta", "5"], "damping"),
        bad(&["amp", "--damping", "1.5", "--beta", "5"], "damping"),
        bad(&["amp", "--x", &g, "--beta", "5"], "--y"),
        bad(&["amp", "--y", &g, "--beta", "5"], "--x"),
        bad(&["amp", "--tol", "0", "--beta", "5"], "tol"),
        bad(&["gibbs", "--beta", "inf"], "beta"),
        bad(
            &[
                "gibbs",
                "--beta",
                "2",
                "--temperatures",
                "3",
                "--beta-min",
                "5",
            ],
            "beta",
        ),
        bad(&["qat", "--decay", "0"], "decay"),
        bad(&["qat", "--decay", "2"], "decay"),
        bad(&["validate", "--n-amp", "1"], "n-amp"),
        bad(&["validate", "--n-amp", "100000"], "n-amp"),
        bad(&["validate", "--out-dir", &g], "garbage.csv"),
        bad(&["sgd", "--quantize", "data"], "eps"),
        bad(&["sgd", "--quantize", "bogus", "--eps", "0.1"], "bogus"),
        bad(
            &["sgd", "--quantize", "data,bogus", "--eps", "0.1"],
            "bogus",
        ),
        bad(&["sgd", "--shrink-q", "0"], "shrink"),
        bad(&["sgd", "--shrink-q", "1.5"], "shrink"),
        bad(&["scaling-law", "-d", "4", "--ms", "8"], "8"),
        bad(&["asq"], "--"),
        bad(&["asq", "--s", "4"], "--input"),
        bad(
            &["asq", "--dist", "normal", "--input", &g, "--s", "4"],
            "--input",
        ),
        bad(&["asq", "--input", &g, "--s", "4"], "garbage.csv"),
        bad(&["asq", "--input", &e, "--s", "4"], "empty.csv"),
        bad(&["asq", "--input", &np, "--s", "4"], "not.npy"),
        bad(
            &["asq", "--input", dir.to_str().unwrap(), "--s", "4"],
            dir.to_str().unwrap(),
        ),
        bad(&["asq", "--dist", "normal", "--d", "0", "--s", "4"], "0"),
        bad(&["asq", "--dist", "normal", "--s", "1"], "1"),
        bad(
            &[
                "asq",
                "--dist",
                "normal",
                "--s",
                "4",
                "--method",
                "approx",
                "--objective",
                "worst",
            ],
            "worst",
        ),
        bad(
            &[
                "asq",
                "--dist",
                "normal",
                "--d",
                "100",
                "--s",
                "4",
                "--weights",
                &y3,
            ],
            "weight",
        ),
        bad(&["ste-dynamics", "--beta", "5"], "beta"),
        bad(&["ste-dynamics", "--ridge", "1"], "ridge"),
        bad(
            &[
                "ste-dynamics",
                "--time",
                "0:1:3",
                "--out",
                &format!("{g}/stem"),
            ],
            "garbage.csv",
        ),
        good(&["rs", "--margin", "-1", "--channel", "sign", "--bits", "1"]),
        good(&["rs", "--levels", "custom:-1.5,-0.5,0.5,1.5"]),
        good(&["rs", "--level-weights", "0.4,0.1,0.1,0.4", "--beta", "5"]),
        good(&["rs", "--json"]),
        good(&["rs", "--beta", "1e300"]),
        good(&["rs", "--alpha", "1e-6"]),
        good(&["rs", "--noise", "0"]),
        good(&[
            "rs",
            "--bits",
            "1",
            "--channel",
            "sign",
            "--labels",
            "random",
        ]),
        good(&["sweep", "--over", "alpha=0.5:3:3", "--json"]),
        good(&["optimal-width", "--bits-range", "1:2"]),
        good(&[
            "ste-dynamics",
            "--time",
            "0:0.5:2",
            "--n",
            "50",
            "--seeds",
            "1",
        ]),
        good(&[
            "gibbs",
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
        ]),
        bad(
            &["asq", "--dist", "normal", "--d", "1", "--s", "4"],
            "distinct",
        ),
        good(&[
            "asq", "--dist", "normal", "--d", "1000", "--s", "2", "--method", "approx", "--bins",
            "1",
        ]),
        good(&["--version"]),
        good(&["rs", "--help"]),
    ];
    for (x, y, needle) in [
        (&g, &y3, "garbage.csv"),
        (&e, &y3, "empty.csv"),
        (&n, &y3, "nan.csv"),
        (&r, &y3, "ragged.csv"),
        (&np, &y3, "not.npy"),
    ] {
        v.push(Case {
            args: amp(x, y),
            expect: Expect::Bad,
            needles: vec![needle.to_string()],
        });
    }
    v
}

/// The judge catches what it must: each of these runs fails it.
fn judge_self_check() {
    let good = Case {
        args: vec!["rs".into()],
        expect: Expect::Good,
        needles: vec![],
    };
    let bad = Case {
        args: vec!["rs".into(), "--alpha".into(), "nan".into()],
        expect: Expect::Bad,
        needles: vec!["nan".into()],
    };
    let run = |ending, stdout: &str, stderr: &str| Run {
        ending,
        stdout: stdout.into(),
        stderr: stderr.into(),
    };
    let refused = run(Ending::Exit(2), "", "error: --alpha nan\n");
    assert!(
        !judge(&bad, &refused).failed,
        "the judge rejects a good refusal"
    );
    assert!(!judge(&good, &run(Ending::Exit(0), "m 0.5\n", "")).failed);
    for (case, r, why) in [
        (
            &bad,
            run(Ending::Exit(101), "", "thread 'main' panicked at x\n"),
            "panic",
        ),
        (&bad, run(Ending::Signal(6), "", "error: nan\n"), "abort"),
        (&bad, run(Ending::Hang, "", ""), "hang"),
        (
            &bad,
            run(Ending::Exit(2), "partial\n", "error: nan\n"),
            "stdout",
        ),
        (
            &bad,
            run(Ending::Exit(2), "", "error: nan\nmore\n"),
            "two lines",
        ),
        (
            &bad,
            run(Ending::Exit(2), "", "error: something\n"),
            "not named",
        ),
        (&bad, run(Ending::Exit(1), "", "error: nan\n"), "exit 1"),
        (&bad, run(Ending::Exit(0), "m 0.5\n", ""), "accepted"),
        (&good, run(Ending::Exit(0), "gen_error NaN\n", ""), "NaN"),
        (&good, run(Ending::Exit(2), "", "error: x\n"), "refused"),
    ] {
        assert!(judge(case, &r).failed, "the judge misses a {why}");
    }
    // Live: a wrong expectation on a real run is caught.
    let wrong = Case {
        args: vec!["rs".into(), "--alpha".into(), "2".into()],
        expect: Expect::Bad,
        needles: vec![],
    };
    assert!(judge(&wrong, &run_case(&wrong)).failed);
}

#[test]
fn bad_input_corpus() {
    judge_self_check();
    let t = TempDir::new("corpus");
    let cmds = commands(t.path());
    // Every subcommand of the binary is in the table (a new one must be added).
    let help = cli::ok(&["--help"]).stdout;
    let listed: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    let mut covered: Vec<&str> = cmds.iter().map(|c| c.name).collect();
    covered.push("merge");
    for c in &listed {
        assert!(covered.contains(c), "subcommand {c} has no corpus cases");
    }
    let mut cases: Vec<Case> = cmds.iter().flat_map(Cmd::cases).collect();
    cases.extend(extra(t.path()));
    let n = cases.len();
    assert!(n >= 300, "only {n} cases");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verdict, Run)>> = Mutex::new(Vec::new());
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = run_case(&cases[i]);
                let v = judge(&cases[i], &r);
                results.lock().unwrap().push((i, v, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let count = |f: fn(&Verdict) -> bool| results.iter().filter(|r| f(&r.1)).count();
    let expected_bad = cases.iter().filter(|c| c.expect == Expect::Bad).count();
    let refused = count(|v| v.refused);
    let accepted = count(|v| v.accepted);
    let (panics, hangs, nans) = (count(|v| v.panic), count(|v| v.hang), count(|v| v.nan));
    let failed: Vec<_> = results.iter().filter(|r| r.1.failed).collect();
    println!(
        "bad-input corpus: {n} cases over {} subcommands ({expected_bad} must be refused); {refused} refused with a one-line error naming the value (exit 2, nothing on stdout), {accepted} accepted; {panics} panics, {hangs} hangs, {nans} NaN; {} failures ({:.0} s)",
        listed.len(),
        failed.len(),
        t0.elapsed().as_secs_f64()
    );
    for (i, v, r) in &failed {
        println!(
            "FAIL {:?} expected {:?}: {:?} {:?} stdout {:?} stderr {:?}",
            cases[*i].args,
            cases[*i].expect,
            v,
            r.ending,
            r.stdout.chars().take(200).collect::<String>(),
            r.stderr.chars().take(300).collect::<String>()
        );
    }
    assert!(failed.is_empty(), "{} of {n} cases failed", failed.len());
}
