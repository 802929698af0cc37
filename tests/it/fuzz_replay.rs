//! Replays every fuzz corpus file and every crash regression (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the same parser entry points the fuzz targets call
//! (`quantreplica::fuzzing`): each must return `Ok` or a one-line error, never panic, and
//! quickly. See docs/fuzzing.md.

use std::path::Path;
use std::time::{Duration, Instant};

type Entry = fn(&[u8]) -> quantreplica::Result<()>;

const TARGETS: [(&str, Entry); 6] = [
    ("levels", quantreplica::fuzzing::levels),
    ("teacher", quantreplica::fuzzing::teacher),
    ("over", quantreplica::fuzzing::over),
    ("checkpoint", quantreplica::fuzzing::checkpoint),
    ("data", quantreplica::fuzzing::data),
    ("specs", quantreplica::fuzzing::specs),
];

fn replay(dir: &Path, f: Entry) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let t = Instant::now();
        let r = std::panic::catch_unwind(|| f(&bytes));
        let shown = path.display();
        match r {
            Err(_) => panic!("{shown}: the parser panicked"),
            Ok(Err(e)) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "{shown}: error not one line: {msg}");
                assert!(!msg.is_empty(), "{shown}: empty error");
            }
            Ok(Ok(())) => {}
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{shown}: took {:?}",
            t.elapsed()
        );
        n += 1;
    }
    n
}

#[test]
fn every_corpus_file_and_regression_parses_or_fails_in_one_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut total = 0;
    for (name, f) in TARGETS {
        total += replay(&root.join("corpus").join(name), f);
        total += replay(&root.join("regressions").join(name), f);
    }
    assert!(total > 0, "no corpus found under {}", root.display());
}

/// The crashes the fuzzers found, each as the parser's answer now.
#[test]
fn fuzz_found_crashes_are_one_line_errors() {
    // data: an .npy header whose shape has no '(' sliced out of range.
    let mut npy = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    npy.extend_from_slice(b"{'descr': '<f4', 'fortran_order': False, 'shape':    ) }\n");
    let e = quantreplica::instance::table_from_bytes(&npy, true, "x.npy").unwrap_err();
    assert!(e.to_string().starts_with("x.npy: "), "{e}");
    // data: a version-1 .npy shorter than its 10-byte preamble (ASQ values).
    let e = quantreplica::asq::values_from_bytes(b"\x93NUMPY\x01", "v.npy").unwrap_err();
    assert_eq!(e.to_string(), "input file 'v.npy': malformed .npy header");
    // specs: `--time 0:42061:420616262` made 420 million times (3 GB) before any check.
    let e = quantreplica::ste::parse_time("0:42061:420616262").unwrap_err();
    assert!(e.to_string().contains("COUNT 420616262"), "{e}");
    assert_eq!(quantreplica::ste::parse_time("0:10:21").unwrap().len(), 21);
}
