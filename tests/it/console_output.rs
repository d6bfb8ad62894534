//! Golden files of what people read on the console.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use dpconform::case::Grade;
use dpconform::check::{unified_diff, CheckName};
use dpconform::outcome::{
    CaseOutcome, CaseStatus, CheckFailure, Phase, ReceivedResponse, RunOutcome, SentRequest, StepOutcome, StepStatus,
};
use dpconform::report::console;

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
        cases: vec![
            case(
                "create_pipeline::basic",
                Grade::Observed,
                CaseStatus::Passed,
                vec![step("create", StepStatus::Passed, vec![])],
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
