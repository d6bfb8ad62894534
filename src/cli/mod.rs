//! The command line: argument parsing and one module per command. Thin: the
//! work is done by the library.

mod baseline;
mod compare;
mod diff;
mod explore;
mod generate;
mod list;
mod merge;
mod progress;
mod run;
mod schema;
mod serve;
mod snapshots;
pub mod stdout;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dpconform::CaseFolder;

/// Exit status: every case passed.
pub const EXIT_OK: u8 = 0;
/// Exit status: a case failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage, a bad case file, or an endpoint that cannot be reached.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: stopped by Ctrl-C (128 + SIGINT, as shells report it); the reports hold what finished.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "dpconform",
    version,
    about = "Conformance tests for endpoints that speak the AWS Data Pipeline API",
    long_about = "Conformance tests for endpoints that speak the AWS Data Pipeline API.\n\n\
        dpconform replays declarative case files (cases/) against an endpoint and checks \
        status codes, error types, x-amzn-RequestId, x-amz-crc32, the other envelope headers, \
        and JSON bodies against insta snapshots (snapshots/). With no endpoint it starts its \
        embedded reference implementation of all 19 actions.\n\n\
        Exit status: 0 all passed, 1 a case failed, 2 usage or case-file error or unreachable endpoint, \
        130 interrupted by Ctrl-C (the reports hold the cases that finished)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run cases against an endpoint (default: the embedded reference)
    Run(run::RunArgs),
    /// List cases (or, with --coverage, count them per action and kind)
    List(list::ListArgs),
    /// Serve the reference endpoint for real clients (AWS CLI, SDKs)
    Serve(serve::ServeArgs),
    /// Review snapshots written by failed comparisons (.snap.new files)
    Snapshots(snapshots::SnapshotsArgs),
    /// Compare two runs' report.json: newly failing/passing cases, changed responses
    Diff(diff::DiffArgs),
    /// Run the same cases against two endpoints and report every response that differs
    Compare(compare::CompareArgs),
    /// Write the cases generated from the service model (cases/generated/), or check them with --check
    Generate(generate::GenerateArgs),
    /// Merge the report.json files of a partitioned run (--partition K/N) into one report
    Merge(merge::MergeArgs),
    /// Write a baseline of known failures (TOML) from a run's report.json
    Baseline(baseline::BaselineArgs),
    /// Print the JSON Schema of case files (for editor completion and checking)
    Schema(schema::SchemaArgs),
    /// Run generated call sequences against an endpoint and the reference in lock step; write each difference as a case
    Explore(explore::ExploreArgs),
}

/// Where case files and snapshots are found.
#[derive(Debug, Clone, clap::Args)]
struct Locations {
    /// Folder of case files (one JSON file per case, one subfolder per area); repeat it to
    /// run several folders together [default: the corpus that ships with dpconform]
    #[arg(long, value_name = "DIR")]
    cases: Vec<PathBuf>,
    /// Folder of insta snapshots of the N-th --cases folder [default: `snapshots` beside it]
    #[arg(long, value_name = "DIR")]
    snapshots: Vec<PathBuf>,
}

impl Locations {
    /// The case folders, each with its snapshots.
    fn folders(&self) -> Result<Vec<CaseFolder>, String> {
        if self.snapshots.len() > self.cases.len().max(1) {
            return Err("more --snapshots than --cases folders: each --snapshots pairs with one --cases".into());
        }
        if self.cases.is_empty() {
            let corpus = CaseFolder::corpus();
            let snapshots = self.snapshots.first().cloned().unwrap_or(corpus.snapshots);
            if !corpus.cases.is_dir() {
                return Err(format!(
                    "the corpus is not at {} (this dpconform was built from a source that is gone); give --cases DIR",
                    corpus.cases.display()
                ));
            }
            return Ok(vec![CaseFolder::new(corpus.cases, snapshots)]);
        }
        Ok(self
            .cases
            .iter()
            .enumerate()
            .map(|(i, cases)| match self.snapshots.get(i) {
                Some(snapshots) => CaseFolder::new(cases, snapshots),
                None => CaseFolder::beside(cases),
            })
            .collect())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::List(args) => list::list(args),
        Command::Serve(args) => serve::serve(args),
        Command::Snapshots(args) => snapshots::snapshots(args),
        Command::Diff(args) => diff::diff(args),
        Command::Compare(args) => compare::compare(args),
        Command::Merge(args) => merge::merge(args),
        Command::Baseline(args) => baseline::baseline(args),
        Command::Generate(args) => generate::generate_cases(args),
        Command::Schema(args) => schema::schema(args),
        Command::Explore(args) => explore::explore(args),
    };
    ExitCode::from(code)
}

/// A multi-threaded runtime for a command; failing to build one is a usage-level error.
fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("dpconform: cannot start the async runtime: {e}");
            EXIT_USAGE
        })
}
