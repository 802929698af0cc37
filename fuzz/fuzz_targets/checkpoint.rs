//! Fuzz target `checkpoint`: see [`quantreplica::fuzzing::checkpoint`] and docs/fuzzing.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = quantreplica::fuzzing::checkpoint(data);
});
