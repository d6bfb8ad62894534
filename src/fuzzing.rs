//! Fuzz targets as plain functions: bytes in, the properties asserted (a panic
//! is a finding). The libFuzzer targets in `fuzz/` and the stable regression
//! test `tests/fuzz_regressions.rs` call these same functions, so a finding is
//! replayed by `cargo test` without libFuzzer.

mod case_file;
mod reference_request;
mod reference_session;

pub use case_file::case_file;
pub use reference_request::reference_request;
pub use reference_session::reference_session;
