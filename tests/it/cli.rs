//! The command line as a user meets it: exit statuses, messages, and that a
//! bad case file or an unreachable endpoint stops the run before anything is sent.

use std::sync::atomic::Ordering;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint};
use crate::support::{dpconform, dpconform_command, TempDir};

const GOOD_CASE: &str = r#"{
  "about": "describe an unknown pipeline",
  "source": "self-test", "grade": "documented",
  "steps": [ { "operation": "DescribePipelines", "body": { "pipelineIds": ["df-x"] },
               "expect": { "error": "PipelineNotFoundException" } } ]
}"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_case_file_exits_2_with_its_position_and_sends_nothing() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("cli-bad");
    dir.write("cases/a/good.json", GOOD_CASE);
    dir.write(
        "cases/a/bad.json",
        "{\n  \"about\": \"x\",\n  \"source\": \"s\",\n  \"steps\": [ { \"operation\": 5 } ]\n}",
    );
    let out = dpconform(&dir, &["run", "--endpoint", &endpoint.url]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cases/a/bad.json:4:29: steps[0].operation: invalid type: integer `5`, expected a string"),
        "{stderr}"
    );
    assert!(stderr.contains("no request was sent"), "{stderr}");
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn an_unreachable_endpoint_exits_2_with_a_clear_message() {
    let dir = TempDir::new("cli-unreachable");
    dir.write("cases/a/good.json", GOOD_CASE);
    let out = dpconform(&dir, &["run", "--endpoint", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot connect to http://127.0.0.1:9"), "{stderr}");
    assert!(stderr.contains("Is the endpoint running?"), "{stderr}");
}

#[test]
fn a_bad_endpoint_url_is_a_usage_error() {
    let dir = TempDir::new("cli-bad-url");
    dir.write("cases/a/good.json", GOOD_CASE);
    let out = dpconform(&dir, &["run", "--endpoint", "localhost:5000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("must be an http:// or https:// URL"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_and_failing_runs_set_the_exit_status_and_the_closing_line() {
    let dir = TempDir::new("cli-run");
    dir.write("cases/a/good.json", GOOD_CASE);
    let good = FaultyEndpoint::start(Fault::None).await;
    let out = dpconform(&dir, &["run", "--endpoint", &good.url]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"), "{stdout}");
    assert!(stdout.contains("PASS  a::good"), "{stdout}");

    let broken = FaultyEndpoint::start(Fault::WrongCrc).await;
    let out = dpconform(&dir, &["run", "--endpoint", &broken.url]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().last(), Some("0 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("FAIL  a::good"), "{stdout}");
    assert!(stdout.contains("[crc32] x-amz-crc32 says"), "{stdout}");
}

#[test]
fn filters_that_match_nothing_are_a_usage_error() {
    let dir = TempDir::new("cli-filter");
    dir.write("cases/a/good.json", GOOD_CASE);
    let out = dpconform(&dir, &["run", "nothing-matches-this"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no case matches"), "{}", text(&out.stderr));
}

#[test]
fn list_shows_cases_and_grades() {
    let dir = TempDir::new("cli-list");
    dir.write("cases/a/good.json", GOOD_CASE);
    dir.write(
        "cases/b/guess.json",
        &GOOD_CASE.replace(
            "\"self-test\", \"grade\": \"documented\"",
            "\"inferred: the documentation is silent\", \"grade\": \"inferred\"",
        ),
    );
    let out = dpconform(&dir, &["list"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("a::good  (documented, 1 step(s))"), "{stdout}");
    assert!(stdout.contains("b::guess  (inferred, 1 step(s))"), "{stdout}");
    assert!(stdout.ends_with("2 case(s)\n"), "{stdout}");
}

#[test]
fn generate_writes_checks_and_model_coverage_measures() {
    let dir = TempDir::new("cli-generate");
    dir.write("cases/a/good.json", GOOD_CASE);
    let check = dpconform(&dir, &["generate", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stdout));
    assert!(text(&check.stderr).contains("run `dpconform generate`"));
    // The case provokes a declared error but sends no bound: it covers no constraint.
    let coverage = text(&dpconform(&dir, &["list", "--model-coverage"]).stdout);
    assert!(
        coverage.contains("DescribePipelines: 0/21 constraints covered, 1/4 declared errors covered"),
        "{coverage}"
    );
    assert!(
        coverage.contains("  not covered: pipelineIds[] above_max\n"),
        "{coverage}"
    );
    assert!(
        coverage.ends_with("model: 0/1026 constraints covered, 1/71 declared errors covered\n"),
        "{coverage}"
    );
    let written = dpconform(&dir, &["generate"]);
    assert_eq!(written.status.code(), Some(0));
    assert!(text(&written.stdout).contains("1026 file(s) written or removed"));
    assert_eq!(dpconform(&dir, &["generate", "--check"]).status.code(), Some(0));
    let coverage = text(&dpconform(&dir, &["list", "--model-coverage"]).stdout);
    assert!(
        coverage.ends_with("model: 1026/1026 constraints covered, 16/71 declared errors covered\n"),
        "{coverage}"
    );
}

#[test]
fn serve_refuses_a_poll_wait_out_of_range_before_listening() {
    let dir = TempDir::new("cli-poll-wait");
    for bad in ["-1", "3601", "soon"] {
        let out = dpconform(&dir, &["serve", "--port", "0", "--poll-wait", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("number of seconds from 0 to 3600"),
            "{bad}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stdout).contains("listening"), "{bad}");
    }
}

#[test]
fn every_command_has_help() {
    let dir = TempDir::new("cli-help");
    for command in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["list", "--help"],
        vec!["serve", "--help"],
        vec!["snapshots", "--help"],
        vec!["generate", "--help"],
    ] {
        let out = dpconform(&dir, &command);
        assert_eq!(out.status.code(), Some(0), "{command:?}");
        assert!(text(&out.stdout).contains("Usage: dpconform"), "{command:?}");
    }
    // Examples are pasted into a shell: a line that goes on ends with its backslash.
    let serve = text(&dpconform(&dir, &["serve", "--help"]).stdout);
    let example: Vec<&str> = serve
        .lines()
        .skip_while(|l| !l.starts_with("Example"))
        .skip(1)
        .collect();
    assert!(example.iter().any(|l| l.contains("list-pipelines")), "{serve}");
    let mut continued = false;
    for line in example.iter().filter(|l| !l.trim().is_empty()) {
        let first = line.split_whitespace().next().unwrap_or_default();
        assert!(
            continued || ["dpconform", "export", "aws"].contains(&first),
            "`{line}` is neither a command nor the continuation of one:\n{serve}"
        );
        continued = line.ends_with('\\');
    }
}

#[test]
fn a_closed_stdout_neither_panics_nor_loses_the_reports() {
    // `dpconform run | head -1`: the reader is gone before the summary is printed.
    let dir = TempDir::new("cli-closed-stdout");
    dir.write("cases/a/good.json", GOOD_CASE);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = dpconform_command(&dir)
        .args(["run", "--cases", "cases", "--report-dir", "out", "--progress", "plain"])
        .stdout(writer)
        .output()
        .expect("run dpconform");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("out/report.json").is_file());
}

/// Ten cases that all fail on one header, one case in flight at a time.
fn ten_failing_cases(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    for i in 0..10 {
        dir.write(&format!("cases/a/case_{i}.json"), GOOD_CASE);
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_prints_the_causes_and_the_totals_only() {
    let endpoint = FaultyEndpoint::start(Fault::WrongContentType).await;
    let dir = ten_failing_cases("cli-quiet");
    let out = dpconform(&dir, &["run", "--quiet", "-j", "2", "--endpoint", &endpoint.url]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("FAIL "), "{stdout}");
    assert!(!stdout.contains("---- a::"), "no details: {stdout}");
    let causes = stdout.find("failures by cause").expect(&stdout);
    let content_type = stdout.find("10 cases  content-type: Content-Type is").expect(&stdout);
    assert!(causes < content_type, "{stdout}");
    assert!(stdout.trim_end().ends_with("0 passed, 10 failed"), "{stdout}");
    assert!(stdout.lines().count() < 15, "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_failures_starts_no_case_after_the_limit_and_the_reports_say_so() {
    let endpoint = FaultyEndpoint::start(Fault::WrongContentType).await;
    let dir = ten_failing_cases("cli-max-failures");
    let out = dpconform(
        &dir,
        &[
            "run",
            "-j",
            "1",
            "--max-failures",
            "3",
            "--report-dir",
            "out",
            "--endpoint",
            &endpoint.url,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("stopped after 3 failed case(s) (--max-failures): 7 case(s) not started"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("0 passed, 3 failed"), "{stdout}");
    assert_eq!(
        endpoint.requests.load(Ordering::SeqCst),
        3,
        "one request per started case"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap()).unwrap();
    assert_eq!(report["run"]["stopped"]["not_started"], 7);
    assert_eq!(report["cases"].as_array().map(Vec::len), Some(3));
    let summary = std::fs::read_to_string(dir.path().join("out/summary.md")).unwrap();
    assert!(summary.contains("**Stopped early**"), "{summary}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("id=\"stopped\""));
}
