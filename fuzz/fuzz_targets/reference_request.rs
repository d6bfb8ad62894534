//! One request, decoded from the bytes, through the reference endpoint's core.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dpconform::fuzzing::reference_request(data));
