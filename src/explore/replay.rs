//! Each written case replayed by `dpconform run`'s own runner, as a user will
//! replay it: it must pass against a fresh embedded reference and fail against
//! the endpoint. What the lock-step run showed is not taken on trust: the case
//! file adds captures, `{{any}}` matching and a clean-up of its own, and a
//! finding whose case does not replay so says it.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::lockstep::Endpoint;
use crate::case::load_case;
use crate::outcome::{CaseOutcome, CaseStatus};
use crate::run::{RunConfig, Runner};
use crate::send::target::Credentials;
use crate::snapshot::SnapshotStore;

/// What the replays of one case gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replayed {
    /// It passed against a fresh embedded reference (as it should).
    pub passes_reference: bool,
    /// It failed against the endpoint (as it should); `None` when not replayed
    /// there (`--rate`: every request to the endpoint is paced by the explorer).
    pub fails_endpoint: Option<bool>,
    /// Why the case does not replay as it should, when it does not.
    pub problem: Option<String>,
}

impl Replayed {
    /// `fails against the endpoint, passes against the reference`, or the problem.
    pub fn describe(&self) -> String {
        match (&self.problem, self.fails_endpoint) {
            (Some(problem), _) => format!("DOES NOT REPLAY: {problem}"),
            (None, Some(_)) => "fails against the endpoint, passes against the reference".into(),
            (None, None) => "passes against the reference (not replayed against the endpoint: --rate)".into(),
        }
    }
}

/// Runners for both sides; the reference is one embedded endpoint for every
/// replay (each case's names and ids are its run's own).
pub struct Replayer {
    reference: Runner,
    endpoint: Option<Runner>,
    // Dropping it stops the embedded reference.
    _embedded: dpconform_reference::http::Embedded,
}

impl Replayer {
    /// Starts the embedded reference; `endpoint` is replayed against unless paced.
    pub async fn start(endpoint: &Endpoint) -> Result<Replayer, String> {
        let embedded = dpconform_reference::http::Embedded::start(dpconform_reference::Config::embedded())
            .await
            .map_err(|e| format!("cannot start the embedded reference for replays: {e}"))?;
        let timeout = endpoint.timeout();
        let reference = runner(&embedded.url(), Credentials::embedded(), timeout)?;
        let endpoint = match endpoint.is_paced() {
            true => None,
            false => Some(runner(endpoint.url(), endpoint.credentials().clone(), timeout)?),
        };
        Ok(Replayer {
            reference,
            endpoint,
            _embedded: embedded,
        })
    }

    /// Replays the case file at `path` (a case of the `--out` folder) on both sides.
    pub async fn replay(&self, path: &Path) -> Replayed {
        let name = match (path.parent().and_then(Path::file_name), path.file_stem()) {
            (Some(area), Some(stem)) => format!("{}::{}", area.to_string_lossy(), stem.to_string_lossy()),
            _ => path.display().to_string(),
        };
        let case = match load_case(path, name) {
            Ok(case) => case,
            Err(e) => {
                return Replayed {
                    passes_reference: false,
                    fails_endpoint: None,
                    problem: Some(format!("the case file does not load: {e}")),
                }
            }
        };
        let reference = self.reference.run_case(&case).await;
        let endpoint = match &self.endpoint {
            Some(runner) => Some(runner.run_case(&case).await),
            None => None,
        };
        let problem = if reference.status != CaseStatus::Passed {
            Some(format!("it fails against the reference: {}", first_failure(&reference)))
        } else if endpoint.as_ref().is_some_and(|e| e.status != CaseStatus::Failed) {
            Some("it passes against the endpoint: the difference did not show again".into())
        } else {
            None
        };
        Replayed {
            passes_reference: reference.status == CaseStatus::Passed,
            fails_endpoint: endpoint.map(|e| e.status == CaseStatus::Failed),
            problem,
        }
    }
}

fn runner(url: &str, credentials: Credentials, timeout: Duration) -> Result<Runner, String> {
    Runner::new(RunConfig {
        endpoint: url.to_string(),
        credentials,
        timeout,
        jobs: 1,
        // Explored cases take no snapshots; nothing is written.
        snapshots: SnapshotStore::new(Path::new("snapshots")).for_target(false),
        baseline: None,
    })
}

fn first_failure(outcome: &CaseOutcome) -> String {
    outcome
        .steps
        .iter()
        .find_map(|s| {
            s.failures
                .first()
                .map(|f| format!("{}: [{}] {}", s.name, f.check.as_str(), f.message))
        })
        .unwrap_or_else(|| format!("{:?}", outcome.status))
}
