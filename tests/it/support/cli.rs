//! The one way the tests run the built `quantreplica` binary: arguments (and environment) in,
//! exit code, stdout and stderr out; and the one bad-input contract (exit code 2, nothing on
//! stdout, exactly one line on stderr naming the offending value, never a panic).

use std::ffi::OsStr;
use std::fmt::Debug;
use std::process::Command;

/// What a finished run of the binary returned.
#[derive(Debug)]
pub struct Out {
    /// Exit code (−1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Out {
    /// `(code, stdout, stderr)`.
    pub fn parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }
}

/// The built binary as a [`Command`] with no arguments yet (for spawning, killing, or adding
/// environment variables before [`output`]).
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quantreplica"))
}

/// Runs a prepared [`command`] to completion and captures its output.
pub fn output(c: &mut Command) -> Out {
    let o = c.output().expect("cannot run the quantreplica binary");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs the binary with `args`.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Out {
    output(command().args(args))
}

/// Runs the binary with `args` and environment changes: `(name, Some(value))` sets a variable,
/// `(name, None)` removes it.
pub fn run_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, Option<&str>)]) -> Out {
    let mut c = command();
    c.args(args);
    for (k, v) in env {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    output(&mut c)
}

/// Runs the binary with `args` and asserts success (exit code 0, stderr shown otherwise).
pub fn ok<S: AsRef<OsStr> + Debug>(args: &[S]) -> Out {
    let o = run(args);
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    o
}

/// Runs the binary with `args`, asserts success and parses stdout as JSON.
pub fn json<S: AsRef<OsStr> + Debug>(args: &[S]) -> serde_json::Value {
    let o = ok(args);
    serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", o.stdout))
}

/// The bad-input contract on a finished run: exit code 2, empty stdout, exactly one line on
/// stderr, containing `needle` (the offending value or flag), and no panic.
pub fn assert_bad_input(o: &Out, what: &dyn Debug, needle: &str) {
    assert_eq!(o.code, 2, "{what:?}: exit {}, stderr {}", o.code, o.stderr);
    assert!(
        o.stdout.is_empty(),
        "{what:?}: stdout not empty: {}",
        o.stdout
    );
    assert_eq!(
        o.stderr.trim_end().lines().count(),
        1,
        "{what:?}: stderr not one line: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains(needle),
        "{what:?}: stderr does not name '{needle}': {}",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"), "{what:?}: {}", o.stderr);
}

/// Runs the binary with `args` and asserts the bad-input contract naming `needle`.
pub fn bad_input<S: AsRef<OsStr> + Debug>(args: &[S], needle: &str) -> Out {
    let o = run(args);
    assert_bad_input(&o, &args, needle);
    o
}
