//! Golden files of what people read on the console.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use dpconform::case::Grade;
use dpconform::check::{unified_diff, CheckName};
use dpconform::outcome::{
    CaseOutcome, CaseStatus, CheckFailure, Phase, ReceivedResponse, RunOutcome, SentRequest, StepOutcome, StepStatus,
    Stopped,
};
use dpconform::report::json::{Report, RunMeta};
use dpconform::report::{console, markdown};

fn step(name: &str, status: StepStatus, failures: Vec<CheckFailure>) -> StepOutcome {
    StepOutcome {
        name: name.into(),
        phase: Phase::Main,
        status,
        failures,
        skipped_checks: Vec::new(),
        request: Some(SentRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:8080/".into(),
            headers: vec![("x-amz-target".into(), "DataPipeline.CreatePipeline".into())],
            body: "{}".into(),
            body_len: 2,
        }),
        response: Some(ReceivedResponse {
            status: 200,
            headers: Vec::new(),
            body: r#"{"pipelineId":"df-1"}"#.into(),
            body_len: 21,
        }),
        attempts: 1,
        throttled: 0,
        duration: Duration::from_millis(3),
    }
}

fn case(name: &str, grade: Grade, status: CaseStatus, steps: Vec<StepOutcome>) -> CaseOutcome {
    CaseOutcome {
        name: name.into(),
        area: name.split("::").next().unwrap_or_default().into(),
        path: PathBuf::from(format!("cases/{}.json", name.replace("::", "/"))),
        about: "what the case shows".into(),
        source: "API Reference, CreatePipeline".into(),
        grade,
        failed_grade: (status == CaseStatus::Failed).then_some(grade),
        status,
        steps,
        stale: Vec::new(),
        duration: Duration::from_millis(12),
    }
}

fn run() -> RunOutcome {
    let json_failure = CheckFailure::new(CheckName::Json, "at /pipelineId: expected \"df-1\", got \"df-2\"").with_diff(
        unified_diff("{\n  \"pipelineId\": \"df-1\"\n}", "{\n  \"pipelineId\": \"df-2\"\n}"),
    );
    RunOutcome {
        endpoint: "http://127.0.0.1:8080".into(),
        run_id: "abc-1234".into(),
        started: UNIX_EPOCH,
        duration: Duration::from_millis(1234),
        interrupted: false,
        baseline: None,
        embedded_reference: false,
        stopped: None,
        cases: vec![
            case(
                "create_pipeline::basic",
                Grade::Observed,
                CaseStatus::Passed,
                // Throttled twice, then answered: the totals say so.
                vec![StepOutcome {
                    throttled: 2,
                    ..step("create", StepStatus::Passed, vec![])
                }],
            ),
            case(
                "create_pipeline::idempotent",
                Grade::Inferred,
                CaseStatus::Failed,
                vec![
                    step(
                        "create",
                        StepStatus::Failed,
                        vec![
                            json_failure,
                            CheckFailure::new(
                                CheckName::Crc32,
                                "x-amz-crc32 says 1, but the CRC32 of the 21 body bytes is 2",
                            ),
                        ],
                    ),
                    StepOutcome {
                        status: StepStatus::NotRun("an earlier step failed".into()),
                        ..step("again", StepStatus::Passed, vec![])
                    },
                ],
            ),
            case(
                "protocol::guess",
                Grade::Documented,
                CaseStatus::Skipped("not yet".into()),
                vec![],
            ),
        ],
    }
}

#[test]
fn case_lines() {
    let lines: Vec<String> = run().cases.iter().map(console::case_line).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn run_summary() {
    insta::assert_snapshot!(console::summary(&run()));
}

/// An endpoint that gets two headers wrong on every answer, and one status on one case:
/// what a run against an emulator such as moto looks like.
fn header_failures_run() -> RunOutcome {
    let header_failures = |body_len: usize| {
        vec![
            CheckFailure::new(CheckName::RequestId, "no x-amzn-RequestId header"),
            CheckFailure::new(
                CheckName::ContentType,
                "Content-Type is \"text/html; charset=utf-8\", expected application/x-amz-json-1.1",
            ),
            CheckFailure::new(
                CheckName::ContentLength,
                format!("Content-Length says {}, but the body is {body_len} bytes", body_len + 1),
            ),
        ]
    };
    let failing = |name: &str, body_len: usize, extra: Vec<CheckFailure>| {
        let mut failures = header_failures(body_len);
        failures.extend(extra);
        case(
            name,
            Grade::Documented,
            CaseStatus::Failed,
            vec![
                step("create", StepStatus::Failed, failures),
                step("delete", StepStatus::Failed, header_failures(0)),
            ],
        )
    };
    RunOutcome {
        endpoint: "http://127.0.0.1:5000".into(),
        run_id: "abc-1234".into(),
        started: UNIX_EPOCH,
        duration: Duration::from_millis(2345),
        interrupted: false,
        baseline: None,
        embedded_reference: false,
        stopped: Some(Stopped {
            max_failures: 4,
            not_started: 17,
        }),
        cases: vec![
            failing("activate_pipeline::basic", 21, vec![]),
            failing(
                "create_pipeline::bad_name",
                33,
                vec![CheckFailure::new(CheckName::Status, "expected status 400, got 200")],
            ),
            failing("create_pipeline::basic", 1234, vec![]),
            failing("list_pipelines::basic", 99, vec![]),
            case(
                "protocol::request_id",
                Grade::Observed,
                CaseStatus::Passed,
                vec![step("list", StepStatus::Passed, vec![])],
            ),
        ],
    }
}

#[test]
fn grouped_causes_quiet() {
    insta::assert_snapshot!(console::brief(&header_failures_run()));
}

#[test]
fn grouped_causes_then_matrix_in_the_summary() {
    let summary = console::summary(&header_failures_run());
    let causes = summary.find("failures by cause").expect("causes");
    let matrix = summary.find("per action:").expect("matrix");
    assert!(summary.find("failures:\n").unwrap() < causes && causes < matrix);
    insta::assert_snapshot!(&summary[causes..]);
}

#[test]
fn grouped_causes_open_summary_md() {
    let report = Report::from_run(&header_failures_run(), &RunMeta::default());
    insta::assert_snapshot!(markdown::summary(&report));
}
