//! Fuzz target `specs`: see [`quantreplica::fuzzing::specs`] and docs/fuzzing.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = quantreplica::fuzzing::specs(data);
});
