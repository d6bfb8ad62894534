//! Self-tests of the checks: the same cases run against a deliberately faulty
//! endpoint, one fault at a time; each fault must be reported by the right
//! check and only by it, and a correct endpoint must pass.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint, PIPELINE_ID};
use crate::support::TempDir;
use dpconform::case::discover::load_all;
use dpconform::check::CheckName;
use dpconform::outcome::{CaseStatus, RunOutcome};
use dpconform::run::{RunConfig, Runner};
use dpconform::send::target::Credentials;
use dpconform::snapshot::SnapshotStore;

/// Two steps: a success with an exact JSON body, then an expected error.
const CASE: &str = r#"{
  "about": "A create and a describe of an unknown pipeline",
  "source": "self-test", "grade": "documented",
  "steps": [
    { "name": "create", "operation": "CreatePipeline",
      "body": { "name": "n", "uniqueId": "u" },
      "expect": { "json": { "pipelineId": "PIPELINE_ID" } } },
    { "name": "describe unknown", "operation": "DescribePipelines",
      "body": { "pipelineIds": ["df-unknown"] },
      "expect": { "error": "PipelineNotFoundException" } }
  ]
}"#;

async fn run_against(fault: Fault) -> RunOutcome {
    let endpoint = FaultyEndpoint::start(fault).await;
    let dir = TempDir::new("faults");
    dir.write("cases/self/two_steps.json", &CASE.replace("PIPELINE_ID", PIPELINE_ID));
    let cases = load_all(&dir.path().join("cases")).expect("valid case");
    let runner = Runner::new(RunConfig {
        endpoint: endpoint.url.clone(),
        credentials: Credentials::embedded(),
        timeout: Duration::from_millis(500),
        jobs: 1,
        snapshots: SnapshotStore::new(&dir.path().join("snapshots")),
        baseline: None,
    })
    .expect("runner");
    Arc::new(runner).run_all(cases, Arc::new(|_| {})).await
}

fn failed_checks(run: &RunOutcome) -> BTreeSet<CheckName> {
    run.cases
        .iter()
        .flat_map(|c| &c.steps)
        .flat_map(|s| &s.failures)
        .map(|f| f.check)
        .collect()
}

async fn assert_only(fault: Fault, expected: CheckName) {
    let run = run_against(fault).await;
    assert_eq!(run.cases[0].status, CaseStatus::Failed, "{fault:?} must fail the case");
    assert_eq!(
        failed_checks(&run),
        BTreeSet::from([expected]),
        "{fault:?}: {:#?}",
        run.cases[0].steps
    );
}

#[tokio::test]
async fn a_correct_endpoint_passes() {
    let run = run_against(Fault::None).await;
    assert_eq!(run.cases[0].status, CaseStatus::Passed, "{:#?}", run.cases[0].steps);
    assert_eq!(run.requests(), 2);
}

#[tokio::test]
async fn wrong_crc_is_reported_by_crc32_only() {
    assert_only(Fault::WrongCrc, CheckName::Crc32).await;
}

#[tokio::test]
async fn an_answer_without_crc32_passes_as_the_real_services_do() {
    let run = run_against(Fault::NoCrc).await;
    assert_eq!(run.cases[0].status, CaseStatus::Passed, "{:#?}", run.cases[0].steps);
}

#[tokio::test]
async fn missing_request_id_is_reported_by_request_id_only() {
    assert_only(Fault::MissingRequestId, CheckName::RequestId).await;
}

#[tokio::test]
async fn repeated_request_id_is_reported_by_request_id_unique_only() {
    let run = run_against(Fault::RepeatedRequestId).await;
    assert_eq!(failed_checks(&run), BTreeSet::from([CheckName::RequestIdUnique]));
    // The first response is fine; only the repetition fails.
    assert!(run.cases[0].steps[0].failures.is_empty());
    assert!(run.cases[0].steps[1].failures[0]
        .message
        .contains("already returned to self::two_steps / create"));
}

#[tokio::test]
async fn wrong_status_is_reported_by_status_only() {
    assert_only(Fault::WrongStatus, CheckName::Status).await;
}

#[tokio::test]
async fn wrong_error_type_is_reported_by_error_type_only() {
    let run = run_against(Fault::WrongErrorType).await;
    assert_eq!(failed_checks(&run), BTreeSet::from([CheckName::ErrorType]));
    assert_eq!(
        run.cases[0].steps[1].failures[0].message,
        "expected error PipelineNotFoundException, got PipelineDeletedException"
    );
}

#[tokio::test]
async fn changed_json_field_is_reported_by_json_only_with_a_diff() {
    let run = run_against(Fault::ChangedJsonField).await;
    assert_eq!(failed_checks(&run), BTreeSet::from([CheckName::Json]));
    let failure = &run.cases[0].steps[0].failures[0];
    assert!(
        failure.message.starts_with("at /pipelineId: expected"),
        "{}",
        failure.message
    );
    let diff = failure.diff.as_deref().expect("a diff");
    assert!(
        diff.contains(&format!("-  \"pipelineId\": \"{PIPELINE_ID}\"")),
        "{diff}"
    );
    assert!(diff.contains("+  \"pipelineId\": \"df-ZZZZZZZZZZZZZZZZZZZ\""), "{diff}");
}

#[tokio::test]
async fn wrong_content_type_is_reported_by_content_type_only() {
    assert_only(Fault::WrongContentType, CheckName::ContentType).await;
}

#[tokio::test]
async fn wrong_content_length_is_reported_by_content_length_only() {
    assert_only(Fault::WrongContentLength, CheckName::ContentLength).await;
}

#[tokio::test]
async fn missing_date_is_reported_by_date_only() {
    assert_only(Fault::MissingDate, CheckName::Date).await;
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_transport_failure() {
    let run = run_against(Fault::Slow(Duration::from_secs(3))).await;
    assert_eq!(failed_checks(&run), BTreeSet::from([CheckName::Transport]));
    let failure = &run.cases[0].steps[0].failures[0];
    assert!(failure.message.contains("timeout"), "{}", failure.message);
    // The step after a transport failure is not sent.
    assert_eq!(run.requests(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_failure() {
    assert_only(Fault::DropConnection, CheckName::Transport).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_reported_by_body_only() {
    let run = run_against(Fault::NotJson).await;
    assert_eq!(failed_checks(&run), BTreeSet::from([CheckName::Body]));
    assert!(run.cases[0].steps[0].failures[0].message.contains("not JSON"));
}
