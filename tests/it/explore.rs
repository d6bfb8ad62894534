//! `dpconform explore` against endpoints with a stateful bug planted (a proxy in
//! front of the reference): each bug is found within a bounded number of
//! sequences (counted, not timed), shrunk to a case of a few steps, and that
//! case fails against the planted endpoint and passes against the reference.
//! Against the reference itself nothing is found.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use dpconform::explore::{self, Settings};

use crate::support::planted::{self, Bug};
use crate::support::{dpconform, TempDir};

/// Enough sequences for every planted bug with seed 1 (most need far fewer).
const SEQUENCES: u64 = 400;

fn explore_once(url: Option<&str>, out: &std::path::Path, sequences: u64) -> explore::report::Summary {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (endpoint, _target) = explore::connect(url, Duration::from_secs(20), None).await.unwrap();
        let settings = Settings {
            seed: 1,
            sequences: Some(sequences),
            jobs: 2,
            out: out.to_path_buf(),
            max_findings: Some(1),
            ..Settings::default()
        };
        explore::explore(endpoint, settings, Arc::new(AtomicBool::new(false)))
            .await
            .unwrap()
    })
}

/// The action whose answer shows each bug.
fn shown_by(bug: Bug) -> &'static str {
    match bug {
        Bug::TagsReplacedOnSecondAddTags | Bug::DescriptionDroppedAfterActivation | Bug::RemoveTagsRemovesAll => {
            "DescribePipelines"
        }
        Bug::ListDropsActivatedPipelines => "ListPipelines",
        Bug::SecondDefinitionErrored => "PutPipelineDefinition",
        Bug::ProgressCanceledAfterHeartbeat => "ReportTaskProgress",
        Bug::InstancesHiddenAfterTaskFinished => "QueryObjects",
        Bug::StatusLostAfterSetStatus => "DescribeObjects",
        other => panic!("{other:?} is not stateful"),
    }
}

fn run_cases(dir: &TempDir, cases: &std::path::Path, endpoint: Option<&str>) -> (Option<i32>, String) {
    let cases = cases.to_string_lossy().into_owned();
    let mut args = vec!["run", "--cases", &cases, "-j", "1"];
    if let Some(url) = endpoint {
        args.extend(["--endpoint", url]);
    }
    let out = dpconform(dir, &args);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), shown)
}

#[test]
fn every_planted_stateful_bug_is_found_and_written_as_a_failing_case() {
    let mut missed = Vec::new();
    let only = std::env::var("EXPLORE_BUG").ok();
    for bug in Bug::STATEFUL {
        if only.as_ref().is_some_and(|b| *b != format!("{bug:?}")) {
            continue;
        }
        let endpoint = planted::start(bug);
        let dir = TempDir::new("explore");
        let out = dir.path().join("found");
        let summary = explore_once(Some(&endpoint.url), &out, SEQUENCES);
        assert!(summary.findings.len() <= 2, "{bug:?}: {:#?}", summary.findings);
        let Some(finding) = summary.findings.first() else {
            missed.push(format!("{bug:?}: nothing found in {} sequences", summary.sequences));
            continue;
        };
        assert_eq!(finding.signature.action, shown_by(bug), "{bug:?}: {finding:?}");
        assert!(
            finding.minimal_calls <= 8,
            "{bug:?}: the case has {} steps: {finding:#?}",
            finding.minimal_calls
        );
        let cases = finding.case.parent().unwrap().parent().unwrap();
        let case = std::fs::read_to_string(&finding.case).unwrap();
        let (code, stdout) = run_cases(&dir, cases, Some(&endpoint.url));
        assert_eq!(
            code,
            Some(1),
            "{bug:?}: the case passes against the planted endpoint:\n{stdout}\n{case}"
        );
        let (code, stdout) = run_cases(&dir, cases, None);
        assert_eq!(
            code,
            Some(0),
            "{bug:?}: the case fails against the reference:\n{stdout}\n{case}"
        );
    }
    assert!(missed.is_empty(), "missed: {missed:#?}");
}

#[test]
fn against_the_reference_nothing_differs() {
    let dir = TempDir::new("explore-self");
    let summary = explore_once(None, &dir.path().join("found"), 60);
    assert!(summary.findings.is_empty(), "{:#?}", summary.findings);
    assert_eq!(summary.actions.len(), 19, "{:?}", summary.actions);
    assert!(summary.compared > 1000, "{summary:?}");
}
