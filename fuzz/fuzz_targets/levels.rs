//! Fuzz target `levels`: see [`quantreplica::fuzzing::levels`] and docs/fuzzing.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = quantreplica::fuzzing::levels(data);
});
