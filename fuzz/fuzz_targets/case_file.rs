//! A case file's bytes through the parser and, when valid, the runner's rendering.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dpconform::fuzzing::case_file(data));
