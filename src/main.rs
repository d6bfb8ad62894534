fn main() -> std::process::ExitCode {
    dpconform::snapshot::configure_insta_environment();
    dpconform::cli::main()
}
