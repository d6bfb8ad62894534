//! `cargo test`: every case file is one test, named by its path
//! (`create_pipeline::idempotent_retry`), run against the embedded reference or
//! against `AWS_ENDPOINT_URL_DATA_PIPELINE` (falling back to `AWS_ENDPOINT_URL`).
//! libtest's `--list`, filters, `--exact`, `--skip` and `--ignored` work as usual.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dpconform::case::discover::{case_files, load_all, LoadError};
use dpconform::case::load_case;
use dpconform::outcome::CaseStatus;
use dpconform::report::console;
use dpconform::run::{default_jobs, RunConfig, Runner};
use dpconform::secrets::Secrets;
use dpconform::send::target;
use dpconform::snapshot::{configure_insta_environment, SnapshotStore};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    configure_insta_environment();
    let mut args = Arguments::from_args();
    // Each test mostly waits on the network: run more of them than there are cores.
    if args.test_threads.is_none() {
        args.test_threads = Some(default_jobs());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases_dir = root.join("cases");

    let cases = match load_all(&cases_dir) {
        Ok(cases) => cases,
        Err(LoadError::Files(_)) => {
            // Every bad file becomes a failing test that shows its error; good files still run.
            let trials = case_files(&cases_dir)
                .unwrap_or_default()
                .into_iter()
                .map(|(path, name)| match load_case(&path, name.clone()) {
                    Ok(_) => Trial::test(name, || Err("not run: other case files are malformed".into())),
                    Err(e) => Trial::test(name, move || Err(e.to_string().into())),
                })
                .collect();
            libtest_mimic::run(&args, trials).exit();
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };

    if args.list {
        let trials = cases
            .into_iter()
            .map(|c| Trial::test(c.name, || Ok(())).with_ignored_flag(c.spec.skip.is_some()))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }

    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime"),
    );
    let target = rt.block_on(target::resolve(None)).unwrap_or_else(|message| {
        eprintln!("dpconform: {message}");
        std::process::exit(2);
    });
    eprintln!("dpconform: running against {}", target.describe());
    // Against a foreign endpoint the corpus is read-only: pending snapshots go to
    // cargo's scratch folder, and INSTA_UPDATE changes nothing in `snapshots/`
    // unless DPCONFORM_WRITE_CORPUS is set.
    let pending = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pending-snapshots");
    let snapshots = SnapshotStore::new(&root.join("snapshots"))
        .pending_in(Some(&pending))
        .writing_corpus(std::env::var_os("DPCONFORM_WRITE_CORPUS").is_some())
        .for_target(target.is_embedded());
    if snapshots.is_read_only() {
        eprintln!(
            "dpconform: new snapshots go to {} (the corpus is read-only)",
            pending.display()
        );
    }
    let runner = Arc::new(
        Runner::new(RunConfig {
            endpoint: target.endpoint.clone(),
            credentials: target.credentials.clone(),
            timeout: Duration::from_secs(10),
            jobs: default_jobs(),
            snapshots,
        })
        .expect("an HTTP client"),
    );

    // An endpoint may echo the secret key or token; failure details must not.
    let secrets = Arc::new(Secrets::new(target.credentials.secret_values()));
    let trials = cases
        .into_iter()
        .map(|case| {
            let ignored = case.spec.skip.is_some();
            let (rt, runner, secrets) = (rt.clone(), runner.clone(), secrets.clone());
            Trial::test(case.name.clone(), move || {
                let outcome = rt.block_on(runner.run_case(&case));
                match outcome.status {
                    CaseStatus::Passed | CaseStatus::Skipped(_) => Ok(()),
                    CaseStatus::Failed => Err(Failed::from(secrets.apply(&console::failure_details(&outcome)))),
                }
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(target);
    conclusion.exit();
}
