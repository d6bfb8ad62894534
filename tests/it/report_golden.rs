//! Golden files of the reports people read, from outcomes built here with fixed
//! times and ids: summary.md, junit.xml, the console and Markdown diff, the
//! compare output; plus the properties of report.json and report.html.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use dpconform::case::Grade;
use dpconform::check::CheckName;
use dpconform::outcome::{
    CaseOutcome, CaseStatus, CheckFailure, Phase, ReceivedResponse, RunOutcome, SentRequest, StepOutcome, StepStatus,
};
use dpconform::report::json::{hash_case_files, Report, RunMeta, Status};
use dpconform::report::redact::{scrub, Secrets};
use dpconform::report::{compare, diff, html, junit, markdown, matrix, merge};

const SECRET: &str = "GoldenSecretKey/0123456789abcdef";

fn request(op: &str, body: &str) -> SentRequest {
    SentRequest {
        method: "POST".into(),
        url: "http://127.0.0.1:8080/".into(),
        headers: vec![
            ("x-amz-target".into(), format!("DataPipeline.{op}")),
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            (
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=AKIDDPCONFORMTEST000/20240501/us-east-1/datapipeline/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=[redacted]"
                    .into(),
            ),
        ],
        body: body.into(),
        body_len: body.len(),
    }
}

fn response(status: u16, body: &str) -> ReceivedResponse {
    ReceivedResponse {
        status,
        headers: vec![
            ("x-amzn-requestid".into(), "6f1e-fixed".into()),
            ("content-type".into(), "application/x-amz-json-1.1".into()),
        ],
        body: body.into(),
        body_len: body.len(),
    }
}

fn step(name: &str, op: &str, status: u16, body: &str, failures: Vec<CheckFailure>) -> StepOutcome {
    StepOutcome {
        name: name.into(),
        phase: Phase::Main,
        status: if failures.is_empty() {
            StepStatus::Passed
        } else {
            StepStatus::Failed
        },
        failures,
        skipped_checks: vec![],
        request: Some(request(op, r#"{"name":"dpc-run1-abcdef"}"#)),
        response: Some(response(status, body)),
        attempts: 1,
        throttled: 0,
        duration: Duration::from_millis(12),
    }
}

/// The fixtures' grades: inferred where the source says so, observed where it cites the ledger.
fn grade_of(source: &str) -> Grade {
    if source.starts_with("inferred") {
        Grade::Inferred
    } else if source.starts_with("evidence/") {
        Grade::Observed
    } else {
        Grade::Documented
    }
}

fn case(name: &str, source: &str, steps: Vec<StepOutcome>) -> CaseOutcome {
    let failed = steps.iter().any(|s| s.status == StepStatus::Failed);
    let (area, _) = name.split_once("::").unwrap();
    CaseOutcome {
        name: name.into(),
        area: area.into(),
        path: PathBuf::from(format!("cases/{}.json", name.replace("::", "/"))),
        about: format!("about {name}"),
        source: source.into(),
        grade: grade_of(source),
        failed_grade: failed.then(|| grade_of(source)),
        status: if failed { CaseStatus::Failed } else { CaseStatus::Passed },
        steps,
        stale: Vec::new(),
        duration: Duration::from_millis(40),
    }
}

fn base_run() -> RunOutcome {
    RunOutcome {
        endpoint: "http://127.0.0.1:8080".into(),
        run_id: "run1".into(),
        started: UNIX_EPOCH + Duration::from_secs(1_714_564_800),
        duration: Duration::from_millis(1234),
        cases: vec![
            case(
                "create_pipeline::creates",
                "API Reference, CreatePipeline",
                vec![step(
                    "create",
                    "CreatePipeline",
                    200,
                    r#"{"pipelineId":"df-0000000000000000001"}"#,
                    vec![],
                )],
            ),
            case(
                "describe_pipelines::unknown_id",
                "evidence/aws-sdk-js-features-datapipeline.md: an unknown id is PipelineNotFoundException",
                vec![step(
                    "describe",
                    "DescribePipelines",
                    400,
                    r#"{"__type":"com.amazon.setl.webservice#PipelineNotFoundException","message":"no"}"#,
                    vec![],
                )],
            ),
            case(
                "protocol::unknown_operation",
                "inferred: awsJson",
                vec![step(
                    "unknown",
                    "NoSuchOperation",
                    500,
                    "oops",
                    vec![CheckFailure::new(CheckName::Status, "status is 500, expected 400")],
                )],
            ),
            case(
                "delete_pipeline::removed_later",
                "API Reference, DeletePipeline",
                vec![step("delete", "DeletePipeline", 200, "", vec![])],
            ),
            CaseOutcome {
                status: CaseStatus::Skipped("not yet".into()),
                steps: vec![],
                ..case("flows::skipped", "inferred: later", vec![])
            },
        ],
        interrupted: false,
        baseline: None,
        embedded_reference: false,
        stopped: None,
    }
}

fn new_run() -> RunOutcome {
    let mut run = base_run();
    run.run_id = "run2".into();
    run.started += Duration::from_secs(86_400);
    run.cases.retain(|c| c.name != "delete_pipeline::removed_later");
    run.cases[0] = case(
        "create_pipeline::creates",
        "API Reference, CreatePipeline",
        vec![step(
            "create",
            "CreatePipeline",
            200,
            r#"{"pipelineId":"df-0000000000000000009","extra":true}"#,
            vec![CheckFailure::new(
                CheckName::Crc32,
                "x-amz-crc32 is 1, the body's CRC32 is 2",
            )],
        )],
    );
    run.cases[2] = case(
        "protocol::unknown_operation",
        "inferred: awsJson",
        vec![step(
            "unknown",
            "NoSuchOperation",
            400,
            r#"{"__type":"Wrong"}"#,
            vec![CheckFailure::new(
                CheckName::ErrorType,
                "error type is Wrong, expected UnknownOperationException",
            )
            .with_diff("--- expected\n+++ actual\n@@ -1 +1 @@\n-UnknownOperationException\n+Wrong\n".into())],
        )],
    );
    run.cases.push(case(
        "auth::added",
        "API Reference, Authentication",
        vec![step(
            "list",
            "ListPipelines",
            200,
            &format!(r#"{{"echo":"{SECRET}"}}"#),
            vec![],
        )],
    ));
    run.cases.sort_by(|a, b| a.name.cmp(&b.name));
    run
}

fn meta() -> RunMeta {
    RunMeta {
        cases_sha256: "a".repeat(64),
        ..RunMeta::default()
    }
}

fn report(run: &RunOutcome) -> Report {
    let mut report = Report::from_run(run, &meta());
    report.run.dpconform_version = "0.0.0-test".into();
    scrub(&mut report, &Secrets::new([SECRET]));
    report
}

#[test]
fn summary_md() {
    let summary = markdown::summary(&report(&new_run()));
    insta::assert_snapshot!("summary_md", summary);
}

#[test]
fn junit_xml() {
    let xml = junit::render(&report(&new_run())).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert_eq!(xml.matches("<failure").count(), 2);
    assert_eq!(xml.matches("<skipped").count(), 1);
    insta::assert_snapshot!("junit_xml", xml);
}

#[test]
fn diff_console_and_markdown() {
    let d = diff::diff(&report(&base_run()), &report(&new_run()));
    assert_eq!(d.newly_failing.len(), 1);
    assert_eq!(d.different_reason.len(), 1);
    assert!(d.regressed());
    insta::assert_snapshot!("diff_console", diff::console(&d));
    insta::assert_snapshot!("diff_md", markdown::diff(&d));
}

#[test]
fn a_case_failing_for_fewer_reasons_is_not_a_regression() {
    let base = report(&new_run());
    let mut new = base.clone();
    let case = new
        .cases
        .iter_mut()
        .find(|c| c.name == "protocol::unknown_operation")
        .unwrap();
    case.steps[0].failures.clear();
    case.steps[0].status = Status::Passed;
    case.status = Status::Passed;
    let d = diff::diff(&base, &new);
    assert!(!d.regressed());
    assert_eq!(d.newly_passing.len(), 1);
    // A failing case with one more reason is.
    let mut worse = base.clone();
    let failing = worse
        .cases
        .iter_mut()
        .find(|c| c.name == "create_pipeline::creates")
        .unwrap();
    failing.steps[0].failures.push(dpconform::report::json::FailureReport {
        check: "date".into(),
        message: "no Date".into(),
        diff: None,
        known: None,
    });
    let d = diff::diff(&base, &worse);
    assert!(d.regressed() && d.newly_failing.is_empty());
    assert_eq!(d.different_reason[0].new[0].check, "date");
}

#[test]
fn runs_of_different_case_files_are_compared_case_by_case() {
    let (all_1, per_1) = hash_case_files([("create_pipeline::creates", "sha-of-version-1")]);
    let (all_2, per_2) = hash_case_files([("create_pipeline::creates", "sha-of-version-2")]);
    assert_ne!(all_1, all_2);
    let base = Report::from_run(
        &base_run(),
        &RunMeta {
            cases_sha256: all_1,
            case_sha256: per_1,
            partition: None,
        },
    );
    let new = Report::from_run(
        &new_run(),
        &RunMeta {
            cases_sha256: all_2,
            case_sha256: per_2,
            partition: None,
        },
    );
    let d = diff::diff(&base, &new);
    assert!(!d.same_case_files());
    assert_eq!(d.changed_case_files, vec!["create_pipeline::creates".to_string()]);
    assert_eq!(
        d.added.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["auth::added"]
    );
    assert_eq!(
        d.removed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["delete_pipeline::removed_later"]
    );
    assert!(diff::console(&d).contains("create_pipeline::creates  (case file changed)"));
}

#[test]
fn changed_responses_ignore_ids_and_run_tokens() {
    let d = diff::diff(&report(&base_run()), &report(&new_run()));
    let changed: Vec<_> = d
        .changed_responses
        .iter()
        .map(|r| (r.case.as_str(), r.step.as_str()))
        .collect();
    // create: the pipeline id differs (normalised away) and a member was added (reported).
    assert_eq!(
        changed,
        [
            ("create_pipeline::creates", "create"),
            ("protocol::unknown_operation", "unknown")
        ]
    );
    assert!(d.changed_responses[0].diff.contains("+  \"extra\": true"));
    assert!(!d.changed_responses[0].diff.contains("df-"));
}

#[test]
fn report_json_round_trips_and_holds_no_secret() {
    let report = report(&new_run());
    let text = report.to_json();
    assert!(!text.contains(SECRET));
    assert!(text.contains("\"schema\": \"dpconform-report\""));
    assert!(text.contains("\"schema_version\": 1"));
    assert_eq!(Report::parse(&text, "x").unwrap(), report);
    assert_eq!(report.run.started, "2024-05-02T12:00:00Z");
    assert_eq!(report.totals.failed, 2);
    assert_eq!(report.totals.skipped, 1);
    assert_eq!(report.totals.by_grade.inferred.failed, 1);
}

#[test]
fn the_matrix_counts_cases_by_area_and_requests_by_action() {
    let rows = matrix::build(&report(&new_run()));
    let row = |label: &str| rows.iter().find(|r| r.label == label).unwrap().clone();
    assert_eq!(rows.len(), 19 + 3, "19 actions, then auth, flows, protocol");
    assert_eq!(row("CreatePipeline").failed, 1);
    assert_eq!(row("CreatePipeline").verdict(), matrix::Verdict::Fails);
    assert_eq!(row("DescribePipelines").verdict(), matrix::Verdict::Conforms);
    assert_eq!(row("ListPipelines").steps_passed, 1);
    assert_eq!(row("ListPipelines").cases, 0);
    assert_eq!(row("AddTags").verdict(), matrix::Verdict::NotCovered);
    assert_eq!(row("flows").skipped, 1);
    assert!(!row("protocol").is_action);
}

#[test]
fn report_html_is_self_contained_and_escaped() {
    let mut run = new_run();
    run.cases[0].about = "<script>alert(1)</script>".into();
    let page = html::report(&report(&run));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // No resource is loaded from anywhere: URLs appear only as text (the endpoint, requests);
    // the only links are to the page's own filter (`#q=`).
    let without_own_links = page.replace("href=\"#q=", "");
    for remote in ["src=", "<link", "href=", "url(", "@import"] {
        assert!(!without_own_links.contains(remote), "{remote} in report.html");
    }
    assert_eq!(page.matches("class=\"item\"").count(), 5);
}

#[test]
fn compare_output() {
    let a = report(&base_run());
    let b = report(&new_run());
    let c = compare::compare(&a, &b);
    insta::assert_snapshot!("compare_console", compare::console(&c));
    assert_eq!(c.differences.len(), 2);
    assert!(markdown::compare(&c).starts_with("# dpconform compare: 2 of 3 step(s) differ"));
    assert!(html::compare(&c).contains("protocol::unknown_operation / unknown"));
}

#[test]
fn merged_halves_equal_the_whole() {
    let whole = report(&new_run());
    let mut first = whole.clone();
    let mut second = whole.clone();
    first.cases.retain(|c| c.name.as_str() < "f");
    second.cases.retain(|c| c.name.as_str() >= "f");
    first.run.partition = Some("1/2".into());
    second.run.partition = Some("2/2".into());
    second.run.run_id = "run3".into();
    let merged = merge::merge(&[("a".into(), first.clone()), ("b".into(), second.clone())], false).unwrap();
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    assert_eq!(merged.report.cases, whole.cases);
    assert_eq!(merged.report.totals, whole.totals);
    assert_eq!(merged.report.run.merged_from, ["run2", "run3"]);
    let mut other = second.clone();
    other.run.cases_sha256 = "b".repeat(64);
    let err = merge::merge(&[("a".into(), first), ("b".into(), other)], false).unwrap_err();
    assert!(err.contains("other case files"), "{err}");
}
