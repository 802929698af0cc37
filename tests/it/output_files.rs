//! Output files (issue 13, items 4 and 5): a regular file is replaced atomically (a rename: a
//! hard link to the old file keeps the old bytes), a symbolic link stays a link and its target
//! gets the table, `/dev/null` stays a device, `/dev/stdout` and a FIFO are written as streams,
//! a path of the wrong kind is refused before any computing starts (exit 2, one line naming the
//! path, no temp file left), and a closed stdout (`| head`) ends the program quietly.
//!
//! Nothing here depends on running as root or not: permission bits are not used (root ignores
//! them), and neither is `/proc/version` (as root, writing it fails with EIO only at write time).

use crate::support::cli::{self, assert_bad_input};
use crate::support::temp::TempDir;
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A quick sweep (3 points) and its CSV as printed on stdout.
const QUICK: [&str; 3] = ["sweep", "--over", "alpha=0.5:3:3"];

/// A sweep of 10^6 points (hours): only an up-front refusal can end it within seconds.
const HUGE: [&str; 5] = [
    "sweep",
    "--over",
    "alpha=0.5:3:1000",
    "--over",
    "width=0.5:2:1000",
];

fn args(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stdout_table() -> String {
    cli::ok(&QUICK).stdout
}

#[test]
fn a_regular_file_is_replaced_atomically() {
    let t = TempDir::new("out-regular");
    let out = t.join("table.csv");
    std::fs::write(&out, "old\n").unwrap();
    std::fs::hard_link(&out, t.join("old_link")).unwrap();
    cli::ok(&args(&QUICK, &["--csv", out.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout_table());
    // A rename, not a rewrite in place: the other name of the old inode keeps the old bytes.
    assert_eq!(
        std::fs::read_to_string(t.join("old_link")).unwrap(),
        "old\n"
    );
    assert_eq!(listing(t.path()), ["old_link", "table.csv"]);
    // A new file in a new subdirectory.
    let nested = t.join("a/b/new.csv");
    cli::ok(&args(&QUICK, &["--csv", nested.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&nested).unwrap(), stdout_table());
}

#[test]
fn a_symlink_stays_a_link() {
    let t = TempDir::new("out-link");
    std::fs::create_dir(t.join("data")).unwrap();
    // Dangling at first (relative target), then existing.
    std::os::unix::fs::symlink("data/real.csv", t.join("link.csv")).unwrap();
    for _ in 0..2 {
        cli::ok(&args(
            &QUICK,
            &["--csv", t.join("link.csv").to_str().unwrap()],
        ));
        let m = std::fs::symlink_metadata(t.join("link.csv")).unwrap();
        assert!(
            m.file_type().is_symlink(),
            "the link was replaced by a file"
        );
        assert_eq!(
            std::fs::read_to_string(t.join("data/real.csv")).unwrap(),
            stdout_table()
        );
        assert_eq!(listing(t.path()), ["data", "link.csv"]);
        assert_eq!(listing(&t.join("data")), ["real.csv"]);
    }
}

#[test]
fn devices_and_fifos_are_streams() {
    // /dev/null stays a device.
    cli::ok(&args(&QUICK, &["--csv", "/dev/null"]));
    let m = std::fs::metadata("/dev/null").unwrap();
    assert!(
        m.file_type().is_char_device(),
        "/dev/null is no longer a device"
    );
    // /dev/stdout (a pipe here) gets the table itself.
    let o = cli::ok(&args(&QUICK, &["--csv", "/dev/stdout"]));
    assert_eq!(o.stdout, stdout_table());
    // A FIFO: a reader thread gets the table.
    let t = TempDir::new("out-fifo");
    let fifo = t.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    cli::ok(&args(&QUICK, &["--csv", fifo.to_str().unwrap()]));
    assert_eq!(reader.join().unwrap(), stdout_table());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(listing(t.path()), ["fifo"]);
}

/// Every output flag of every command, given a path of the wrong kind, is refused at once.
#[test]
fn wrong_kinds_are_refused_before_computing() {
    let t = TempDir::new("out-refuse");
    let file = t.join("a_file");
    std::fs::write(&file, "keep\n").unwrap();
    let dir = t.join("a_dir");
    std::fs::create_dir(&dir).unwrap();
    let (f, d) = (file.to_str().unwrap(), dir.to_str().unwrap());
    let under_file = format!("{f}/x.csv");
    let under_file_stem = format!("{f}/stem");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (args(&HUGE, &["--csv", d]), d),
        (args(&HUGE, &["--csv", &under_file]), f),
        (args(&HUGE, &["--csv", &format!("{d}/")]), d),
        (
            args(
                &["phase-diagram", "--x-axis", "width=0.1:4:1000", "--y-axis"],
                &["beta=1:10:1000", "--out", &under_file_stem],
            ),
            f,
        ),
        (
            args(&["optimal-width", "--bits-range", "1:16", "--csv"], &[d]),
            d,
        ),
        (
            args(
                &["ste-dynamics", "--time", "0:1000:100000", "--out"],
                &[&under_file_stem],
            ),
            f,
        ),
        (args(&["validate", "--out-dir"], &[f]), f),
        (args(&["headline", "--out-dir"], &[f]), f),
        // The old names are aliases of the new ones.
        (args(&["validate", "--out"], &[f]), f),
    ];
    for (a, needle) in &cases {
        let t0 = Instant::now();
        let o = cli::run(a);
        assert_bad_input(&o, a, needle);
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "{a:?}: refused only after {:?}",
            t0.elapsed()
        );
    }
    assert_eq!(listing(t.path()), ["a_dir", "a_file"]);
    assert!(
        listing(&dir).is_empty(),
        "temp files left: {:?}",
        listing(&dir)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep\n");
}

/// `| head`: the reader closes the pipe after one line; the program ends quietly (killed by
/// SIGPIPE or exit 0), nothing on stderr.
#[test]
fn a_closed_stdout_ends_quietly() {
    for a in [
        vec!["sweep", "--over", "alpha=0.5:3:4000"],
        vec!["sweep", "--over", "alpha=0.5:3:4000", "--json"],
    ] {
        let mut child = cli::command()
            .args(&a)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is dropped here; the writer's next write hits a closed pipe.
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert!(
            status.signal() == Some(libc::SIGPIPE) || status.code() == Some(0),
            "{a:?}: {status:?}, stderr {err}"
        );
        assert!(err.is_empty(), "{a:?}: stderr {err}");
    }
}

/// A sweep's checkpoint goes through the same checks (issue 13, item 4): a wrong-kind or
/// unreachable path, and a device (a checkpoint is read back to resume), are refused before
/// computing; a symbolic link stays a link; a new checkpoint appears whole (no temp file left)
/// and a second run resumes from it.
#[test]
fn checkpoints_go_through_the_sink() {
    let t = TempDir::new("out-checkpoint");
    let file = t.join("a_file");
    std::fs::write(&file, "keep\n").unwrap();
    let dir = t.join("a_dir");
    std::fs::create_dir(&dir).unwrap();
    let (f, d) = (file.to_str().unwrap(), dir.to_str().unwrap());
    let under_file = format!("{f}/x.jsonl");
    for (cp, needle) in [
        (d, d),
        (under_file.as_str(), f),
        ("/dev/null", "must be a regular file"),
    ] {
        let a = args(&HUGE, &["--checkpoint", cp]);
        let t0 = Instant::now();
        let o = cli::run(&a);
        assert_bad_input(&o, &a, needle);
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "{a:?}: refused late"
        );
    }
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert_eq!(listing(t.path()), ["a_dir", "a_file"]);
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));

    // A dangling link: the checkpoint is written where it points, the link kept; the second
    // run finds every point done and prints the same table.
    std::fs::create_dir(t.join("data")).unwrap();
    std::os::unix::fs::symlink("data/real.jsonl", t.join("link.jsonl")).unwrap();
    let a = args(
        &QUICK,
        &["--checkpoint", t.join("link.jsonl").to_str().unwrap()],
    );
    let first = cli::ok(&a).stdout;
    let saved = std::fs::read_to_string(t.join("data/real.jsonl")).unwrap();
    assert_eq!(saved.lines().count(), 4, "a header and 3 points: {saved}");
    let second = cli::ok(&a).stdout;
    assert_eq!(first, second);
    assert_eq!(first, stdout_table());
    assert!(std::fs::symlink_metadata(t.join("link.jsonl"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(t.join("data/real.jsonl")).unwrap(),
        saved,
        "a resumed run with nothing to do appends nothing"
    );
    assert_eq!(listing(&t.join("data")), ["real.jsonl"]);
}
