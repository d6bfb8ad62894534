//! The `dpconform` command: a thin layer over the library (see `cli`).

mod cli;

fn main() -> std::process::ExitCode {
    dpconform::snapshot::configure_insta_environment();
    cli::main()
}
