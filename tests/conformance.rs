//! `cargo test`: every case file is one test, named by its path
//! (`create_pipeline::idempotent_retry`), run against the embedded reference or
//! against `AWS_ENDPOINT_URL_DATA_PIPELINE` (falling back to `AWS_ENDPOINT_URL`).
//! libtest's `--list`, filters, `--exact`, `--skip` and `--ignored` work as usual.
//! This is the same ten-line file a user's own `cargo test` has (README,
//! examples/own-cargo-test): one code path.

fn main() -> std::process::ExitCode {
    dpconform::Harness::new().run()
}
