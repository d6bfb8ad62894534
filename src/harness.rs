//! Every case as one libtest test, in a user's own `cargo test` (feature `libtest`).
//!
//! A `tests/conformance.rs` with `harness = false` in the user's `Cargo.toml`:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     dpconform::Harness::new()
//!         .endpoint("http://127.0.0.1:4566")
//!         .baseline("tests/dpconform-baseline.toml")
//!         .run()
//! }
//! ```
//!
//! libtest's own arguments work as usual: name filters, `--exact`, `--skip`,
//! `--list`, `--ignored`, `--test-threads`. The cases go through the same
//! [`Selection`] and [`Session`] as `dpconform run`.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::case::discover::{case_files, CaseFolder, LoadError};
use crate::case::load_case;
use crate::outcome::CaseStatus;
use crate::report::console;
use crate::run::default_jobs;
use crate::send::target::Credentials;
use crate::session::{Chosen, Selection, Session, SessionError};
use crate::snapshot::{configure_insta_environment, SnapshotStore};

type StartFn = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = String> + Send>> + Send>;

/// Where the endpoint under test comes from.
enum Endpoint {
    /// `AWS_ENDPOINT_URL_DATA_PIPELINE`, then `AWS_ENDPOINT_URL`, then the embedded reference.
    FromEnvironment,
    /// A running endpoint.
    Url(String),
    /// A future that starts the implementation and yields its URL.
    Start(StartFn),
}

/// A conformance run as libtest tests: build it, then [`Harness::run`] from `main`.
pub struct Harness {
    selection: Selection,
    endpoint: Endpoint,
    credentials: Option<Credentials>,
    pending: PathBuf,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// The corpus that ships with dpconform, against the endpoint the
    /// environment names (`AWS_ENDPOINT_URL_DATA_PIPELINE`, then
    /// `AWS_ENDPOINT_URL`), else the embedded reference (feature `embedded-reference`).
    pub fn new() -> Self {
        Harness {
            selection: Selection::default(),
            endpoint: Endpoint::FromEnvironment,
            credentials: None,
            pending: std::env::temp_dir().join("dpconform-pending-snapshots"),
        }
    }

    /// Where new or changed snapshots (`.snap.new`) go when the endpoint is not
    /// the embedded reference: the case folders stay read-only then, whatever
    /// `INSTA_UPDATE` says, unless `DPCONFORM_WRITE_CORPUS` is set
    /// (default: `dpconform-pending-snapshots` in the temporary folder).
    pub fn pending_snapshots(mut self, dir: impl Into<PathBuf>) -> Self {
        self.pending = dir.into();
        self
    }

    /// Test the endpoint at `url` (`http://127.0.0.1:4566`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Endpoint::Url(url.into());
        self
    }

    /// Test an implementation that `start` starts: it runs inside the
    /// harness's tokio runtime (spawn the server there, on an ephemeral
    /// loopback port) and yields the URL it listens on.
    pub fn start<F, Fut>(mut self, start: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = String> + Send + 'static,
    {
        self.endpoint = Endpoint::Start(Box::new(move || Box::pin(start())));
        self
    }

    /// Sign with these credentials and region (default: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, else test values).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Also run the cases in `cases`, their snapshots in the `snapshots`
    /// folder beside it (`tests/cases` → `tests/snapshots`).
    pub fn cases(mut self, cases: impl Into<PathBuf>) -> Self {
        self.selection.folders.push(CaseFolder::beside(cases));
        self
    }

    /// Also run the cases of `folder`.
    pub fn folder(mut self, folder: CaseFolder) -> Self {
        self.selection.folders.push(folder);
        self
    }

    /// Run only the folders given with [`Harness::cases`] or [`Harness::folder`], not the corpus.
    pub fn without_corpus(mut self) -> Self {
        self.selection.folders.retain(|f| !f.is_corpus());
        self
    }

    /// Judge failures by this baseline of known failures (see [`crate::baseline`]).
    pub fn baseline(mut self, path: impl Into<PathBuf>) -> Self {
        self.selection.baseline = Some(path.into());
        self
    }

    /// Deadline of each request in seconds (default 10; PollForTask steps wait
    /// above the service's long poll on their own).
    pub fn timeout(mut self, seconds: f64) -> Self {
        self.selection.timeout_seconds = seconds;
        self
    }

    /// Any other part of the selection (tags, grades, skips).
    pub fn select(mut self, choose: impl FnOnce(&mut Selection)) -> Self {
        choose(&mut self.selection);
        self
    }

    /// Parses libtest's arguments, runs every selected case as a test, and
    /// returns the exit status (0 passed, 101 a test failed or a baseline entry
    /// is stale, 2 unusable set-up).
    pub fn run(self) -> ExitCode {
        let args = Arguments::from_args();
        self.run_with(args)
    }

    /// [`Harness::run`] with arguments already parsed.
    pub fn run_with(self, mut args: Arguments) -> ExitCode {
        configure_insta_environment();
        // Each test mostly waits on the network: run more of them than there are cores.
        if args.test_threads.is_none() {
            args.test_threads = Some(default_jobs());
        }
        let chosen = match self.selection.choose() {
            Ok(chosen) => chosen,
            Err(SessionError::CaseFiles(LoadError::Files(_))) => {
                return exit(libtest_mimic::run(&args, malformed_case_trials(&self.selection)));
            }
            Err(e) => return setup_error(&e.to_string()),
        };
        if args.list {
            let trials = chosen
                .cases
                .iter()
                .map(|c| Trial::test(c.name.clone(), || Ok(())).with_ignored_flag(c.spec.skip.is_some()))
                .collect();
            return exit(libtest_mimic::run(&args, trials));
        }
        let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => Arc::new(rt),
            Err(e) => return setup_error(&format!("cannot start the async runtime: {e}")),
        };
        let snapshots = chosen
            .snapshots
            .clone()
            .pending_in(Some(&self.pending))
            .writing_corpus(std::env::var_os("DPCONFORM_WRITE_CORPUS").is_some());
        let session = match rt.block_on(start_session(self.endpoint, self.credentials, &chosen, snapshots)) {
            Ok(session) => Arc::new(session),
            Err(e) => return setup_error(&e.to_string()),
        };
        eprintln!("dpconform: running against {}", session.target());
        if session.corpus_is_read_only() {
            eprintln!(
                "dpconform: new snapshots go to {} (the case folders are read-only against this endpoint)",
                self.pending.display()
            );
        }
        let trials = chosen
            .cases
            .into_iter()
            .map(|case| {
                let ignored = case.spec.skip.is_some();
                let (rt, session) = (rt.clone(), session.clone());
                Trial::test(case.name.clone(), move || {
                    let outcome = rt.block_on(session.run_case(&case));
                    // An endpoint may echo the secret key or token; failure details must not.
                    let secrets = session.secrets();
                    match outcome.status {
                        CaseStatus::Failed => Err(Failed::from(
                            secrets.apply(&console::failure_details(&outcome, session.named_endpoint())),
                        )),
                        _ if !outcome.stale.is_empty() => Err(Failed::from(outcome.stale.join("\n"))),
                        _ => Ok(()),
                    }
                })
                .with_ignored_flag(ignored)
            })
            .collect();
        let conclusion = libtest_mimic::run(&args, trials);
        let mut code = exit(conclusion);
        if let Some(verdict) = session.baseline_verdict() {
            for stale in &verdict.stale_checks {
                eprintln!("dpconform: {stale}");
                code = ExitCode::from(101);
            }
        }
        code
    }
}

async fn start_session(
    endpoint: Endpoint,
    credentials: Option<Credentials>,
    chosen: &Chosen,
    snapshots: SnapshotStore,
) -> Result<Session, SessionError> {
    let url = match endpoint {
        Endpoint::FromEnvironment => None,
        Endpoint::Url(url) => Some(url),
        Endpoint::Start(start) => Some(start().await),
    };
    Session::start(url.as_deref(), credentials, chosen, snapshots).await
}

/// Every bad case file becomes a failing test that shows its error; the good ones are not run.
fn malformed_case_trials(selection: &Selection) -> Vec<Trial> {
    selection
        .folders
        .iter()
        .flat_map(|folder| case_files(&folder.cases).unwrap_or_default())
        .map(|(path, name)| match load_case(&path, name.clone()) {
            Ok(_) => Trial::test(name, || Err("not run: other case files are malformed".into())),
            Err(e) => Trial::test(name, move || Err(e.to_string().into())),
        })
        .collect()
}

fn exit(conclusion: libtest_mimic::Conclusion) -> ExitCode {
    if conclusion.has_failed() {
        ExitCode::from(101)
    } else {
        ExitCode::SUCCESS
    }
}

fn setup_error(message: &str) -> ExitCode {
    eprintln!("dpconform: {message}");
    ExitCode::from(2)
}
