//! A sequence of calls, decoded from the bytes, on one reference endpoint.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dpconform::fuzzing::reference_session(data));
