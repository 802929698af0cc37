//! Progress bars (issue 13, item 3): every command that can take more than a few seconds draws
//! an indicatif bar on stderr when stderr is a terminal (here a pseudo-terminal), and nothing
//! when it is not (a pipe) or `CI` is set. Stdout stays the result either way.

use crate::support::cli::{command, run_env};
use crate::support::temp::TempDir;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

/// A pseudo-terminal pair (master, slave).
fn pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // A terminal of 24 x 100 (indicatif draws nothing on a terminal of width 0).
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors into the two ints; a null name and termios
    // are allowed, the size is read only.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(r, 0, "openpty failed");
    // SAFETY: both descriptors are fresh and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs the binary with stderr on a pseudo-terminal; returns (exit code, stdout, what the
/// terminal received).
fn on_terminal(args: &[&str]) -> (i32, String, String) {
    let (master, slave) = pty();
    let child = command()
        .args(args)
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("cannot run the quantreplica binary");
    // The parent's copy of the slave went into `Stdio` and is closed after spawn, so reading
    // the master ends (EIO) once the child exits.
    let reader = std::thread::spawn(move || {
        let mut f = std::fs::File::from(master);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match f.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        String::from_utf8_lossy(&buf).into_owned()
    });
    let out = child.wait_with_output().expect("wait");
    let term = reader.join().expect("reader");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        term,
    )
}

const CASES: &[(&[&str], &str)] = &[
    (&["transitions", "--over", "alpha=0.5:3:12"], "transitions"),
    (
        &["asq", "--dist", "normal", "--d", "200000", "--s", "4"],
        "asq: ",
    ),
    (
        &[
            "ste-dynamics",
            "--beta",
            "inf",
            "--bits",
            "1",
            "--width",
            "1",
            "--time",
            "0:0.5:3",
            "--n",
            "50",
            "--seeds",
            "2",
        ],
        "STE ",
    ),
    (
        &[
            "scaling-law",
            "--d",
            "64",
            "--ms",
            "8,16",
            "--ns",
            "100,300",
            "--sketches",
            "1",
            "--schemes",
            "add",
        ],
        "scaling law",
    ),
    (&["sweep", "--over", "alpha=0.5:3:12"], "sweep"),
];

#[test]
fn long_commands_draw_a_bar_on_a_terminal_only() {
    for (args, label) in CASES {
        let (code, stdout, term) = on_terminal(args);
        assert_eq!(code, 0, "{args:?}: {term}");
        assert!(!stdout.is_empty(), "{args:?}: no result on stdout");
        assert!(
            term.contains(label),
            "{args:?}: no progress bar labelled '{label}' on the terminal: {term:?}"
        );
        // Not on a pipe.
        let piped = run_env(args, &[("CI", None)]);
        assert_eq!(piped.code, 0);
        assert_eq!(piped.stderr, "", "{args:?}: a bar on a pipe");
        // (asq prints its timings: the lines without them.)
        let timeless = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !l.starts_with("time:"))
                .map(String::from)
                .collect()
        };
        assert_eq!(
            timeless(&piped.stdout),
            timeless(&stdout),
            "{args:?}: the bar changed the result"
        );
    }
}

/// `headline` (about a minute) draws one bar for the whole report, counting its 14 stages and
/// naming the one under way, with the bar of each phase map drawn below it in the same frame
/// (an indicatif MultiProgress); on a pipe nothing is drawn and stdout is the same.
#[test]
fn headline_draws_one_bar_for_the_whole_report() {
    let dir = TempDir::new("progress-headline");
    let out = dir.join("figures");
    let out = out.to_str().unwrap();
    let args = ["headline", "--out-dir", out];
    let (code, stdout, term) = on_terminal(&args);
    assert_eq!(code, 0, "{term}");
    for stage in [
        "headline: optimal widths",
        "headline: (width, bits) phase map",
        "headline: (width, beta) phase map, b = 2",
        "headline: binary (alpha, beta) phase map",
    ] {
        assert!(term.contains(stage), "no stage '{stage}' on the terminal");
    }
    assert!(
        term.contains(" 14/14 "),
        "the report's bar does not reach 14/14"
    );
    // A frame with both lines: the report's bar, then (after a wrap at the terminal's width or a
    // newline) a phase map's bar.
    let both = term
        .split("headline: ")
        .filter_map(|frame| frame.split_once("/14 (eta"))
        .any(|(_, below)| below.contains("phase map ["));
    assert!(both, "no frame shows the report's bar above a phase map's");
    let piped = run_env(&args, &[("CI", None)]);
    assert_eq!(piped.code, 0);
    assert_eq!(piped.stderr, "", "a bar on a pipe");
    let timeless = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("done in"))
            .map(String::from)
            .collect()
    };
    assert_eq!(timeless(&piped.stdout), timeless(&stdout));
}
