//! Endpoint faults, end to end through the command line: each fault is a named
//! failure of the step it hits, the other cases of the run go on and pass, and
//! the reports are written. Also Ctrl-C: an interrupted run writes what it has.

use std::process::Output;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint, PIPELINE_ID};
use crate::support::{dpconform, TempDir};
use serde_json::Value;

/// A case whose create step carries `x-fault: FAULT`; a second step follows it.
fn case_with_fault(fault: &str) -> String {
    format!(
        r#"{{
  "about": "the endpoint answers the create with the fault {fault}",
  "source": "self-test", "grade": "documented",
  "steps": [
    {{ "name": "create", "operation": "CreatePipeline", "headers": {{ "x-fault": "{fault}" }},
       "body": {{ "name": "n", "uniqueId": "u" }},
       "expect": {{ "json": {{ "pipelineId": "{PIPELINE_ID}" }} }} }},
    {{ "name": "describe", "operation": "DescribePipelines", "body": {{ "pipelineIds": ["df-unknown"] }},
       "expect": {{ "error": "PipelineNotFoundException" }} }}
  ]
}}"#
    )
}

/// One failure as report.json has it: (step, check, message).
type Failure = (String, String, String);

/// (case name, its failures) from report.json, in the report's order.
fn failures(report: &Value) -> Vec<(String, Vec<Failure>)> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            let steps = case["steps"].as_array().expect("steps");
            let found = steps
                .iter()
                .flat_map(|s| {
                    s["failures"].as_array().into_iter().flatten().map(move |f| {
                        (
                            s["name"].as_str().unwrap_or_default().to_string(),
                            f["check"].as_str().unwrap_or_default().to_string(),
                            f["message"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                })
                .collect();
            (case["name"].as_str().unwrap_or_default().to_string(), found)
        })
        .collect()
}

/// Runs dpconform against `endpoint` in `dir` off the async runtime (the endpoint lives on it).
async fn run_cli(dir: TempDir, args: Vec<String>) -> (TempDir, Output) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = dpconform(&dir, &args);
        (dir, out)
    })
    .await
    .expect("join")
}

fn read_report(dir: &TempDir) -> Value {
    let text = std::fs::read_to_string(dir.path().join("out/report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_a_named_failure_of_its_step_and_the_run_goes_on() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("endpoint-faults");
    // fault -> (check, start of the message) of the create step.
    let expected = [
        (
            "never-answers",
            "transport",
            "timeout: no complete response within 2.0s",
        ),
        (
            "reset-mid-body",
            "transport",
            "connection reset: the endpoint reset the connection while sending the body",
        ),
        (
            "endless-body",
            "transport",
            "body too large: the response body exceeds 64 MiB",
        ),
        (
            "content-length-too-long",
            "transport",
            "incomplete body: the connection closed before the whole body arrived",
        ),
        (
            "drop-connection",
            "transport",
            "connection closed: the endpoint closed the connection without answering",
        ),
        ("invalid-utf8", "body", "the body is not valid UTF-8 (at byte 18)"),
        ("invalid-json", "body", "the body is not JSON (EOF while parsing"),
        (
            "wrong-content-length",
            "content-length",
            "Content-Length says 46, but the body is 39 bytes",
        ),
        ("http10", "http-version", "the response is HTTP/1.0, expected HTTP/1.1"),
    ];
    for (fault, _, _) in expected {
        dir.write(
            &format!("cases/faults/{}.json", fault.replace('-', "_")),
            &case_with_fault(fault),
        );
    }
    dir.write("cases/faults/zz_healthy_after.json", &case_with_fault("none"));
    let args = [
        "run",
        "--endpoint",
        &endpoint.url,
        "--timeout",
        "2",
        "--report-dir",
        "out",
        "--progress",
        "plain",
    ];
    let (dir, out) = run_cli(dir, args.map(String::from).to_vec()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 passed, 9 failed"), "{stdout}");
    for file in ["report.json", "junit.xml", "summary.md", "report.html"] {
        assert!(dir.path().join("out").join(file).is_file(), "{file} not written");
    }
    let found = failures(&read_report(&dir));
    assert_eq!(found.len(), 10, "every case is reported: {found:#?}");
    for (fault, check, message) in expected {
        let name = format!("faults::{}", fault.replace('-', "_"));
        let (_, failures) = found.iter().find(|(n, _)| *n == name).expect("case reported");
        assert_eq!(failures.len(), 1, "{name}: exactly one failure: {failures:#?}");
        let (step, got_check, got_message) = &failures[0];
        assert_eq!(
            (step.as_str(), got_check.as_str()),
            ("create", check),
            "{name}: {got_message}"
        );
        assert!(got_message.starts_with(message), "{name}: {got_message}");
    }
    let (_, healthy) = found
        .iter()
        .find(|(n, _)| n == "faults::zz_healthy_after")
        .expect("reported");
    assert!(healthy.is_empty(), "the case after the faults passes: {healthy:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_stops_listening_mid_run_is_refused_per_step() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("endpoint-refused");
    dir.write("cases/r/a_stops.json", &case_with_fault("stop-listening"));
    dir.write("cases/r/b_after.json", &case_with_fault("none"));
    let args = [
        "run",
        "--endpoint",
        &endpoint.url,
        "-j",
        "1",
        "--report-dir",
        "out",
        "--progress",
        "plain",
    ];
    let (dir, out) = run_cli(dir, args.map(String::from).to_vec()).await;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let found = failures(&read_report(&dir));
    let refused = |(step, check, message): &Failure, want_step: &str| {
        step == want_step && check == "transport" && message.starts_with("connection refused: cannot connect to")
    };
    // The create was answered; the endpoint then went away under the case's next step.
    assert_eq!(found[0].0, "r::a_stops");
    assert!(
        found[0].1.len() == 1 && refused(&found[0].1[0], "describe"),
        "{found:#?}"
    );
    assert_eq!(found[1].0, "r::b_after");
    assert!(found[1].1.len() == 1 && refused(&found[1].1[0], "create"), "{found:#?}");
}
