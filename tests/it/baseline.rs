//! A baseline of known failures, end to end through the CLI: known failures
//! pass, new ones fail, a fixed entry is stale, and a bad baseline is refused
//! before anything is sent.

use std::sync::atomic::Ordering;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint};
use crate::support::{dpconform, TempDir};

const UNKNOWN_ID: &str = r#"{
  "about": "describe an unknown pipeline",
  "source": "self-test", "grade": "documented",
  "steps": [ { "operation": "DescribePipelines", "body": { "pipelineIds": ["df-x"] },
               "expect": { "error": "PipelineNotFoundException" } } ]
}"#;

const LIST: &str = r#"{
  "about": "describe two unknown pipelines",
  "source": "self-test", "grade": "documented",
  "steps": [ { "operation": "DescribePipelines", "body": { "pipelineIds": ["df-y", "df-z"] },
               "expect": { "status": 400 } } ]
}"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn cases() -> TempDir {
    let dir = TempDir::new("baseline");
    dir.write("cases/a/unknown_id.json", UNKNOWN_ID);
    dir.write("cases/a/list.json", LIST);
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_written_from_a_run_makes_it_pass_and_names_the_waived_check() {
    let endpoint = FaultyEndpoint::start(Fault::WrongContentType).await;
    let dir = cases();
    let first = dpconform(&dir, &["run", "--endpoint", &endpoint.url, "--report-dir", "night1"]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stdout));

    let written = dpconform(&dir, &["baseline", "--from", "night1"]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let toml = text(&written.stdout);
    assert!(toml.contains("[[check]]\nname = \"content-type\""), "{toml}");
    assert!(!toml.contains("[[case]]"), "only the waived check fails: {toml}");
    dir.write("baseline.toml", &toml);

    let second = dpconform(
        &dir,
        &["run", "--endpoint", &endpoint.url, "--baseline", "baseline.toml"],
    );
    let stdout = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{stdout}{}", text(&second.stderr));
    assert!(stdout.contains("known to fail in every case: content-type"), "{stdout}");
    assert!(stdout.ends_with("2 passed, 0 failed\n"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_case_counts_as_known_and_the_same_entry_is_stale_once_fixed() {
    let baseline = "[[case]]\nname = \"a::unknown_id\"\nchecks = [\"error-type\"]\nreason = \"we answer PipelineDeletedException\"\n";
    let broken = FaultyEndpoint::start(Fault::WrongErrorType).await;
    let dir = cases();
    dir.write("baseline.toml", baseline);
    let known = dpconform(
        &dir,
        &[
            "run",
            "--endpoint",
            &broken.url,
            "--baseline",
            "baseline.toml",
            "--report-dir",
            "r",
        ],
    );
    let stdout = text(&known.stdout);
    assert_eq!(known.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("KNOWN  a::unknown_id"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 0 failed, 1 known\n"), "{stdout}");
    assert!(
        stdout.contains("by grade: documented 1 passed, 0 failed, 1 known"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(dir.path().join("r/summary.md")).unwrap();
    assert!(
        summary.contains("| grade | passed | failed | known | skipped |"),
        "{summary}"
    );
    assert!(summary.contains("| **all** | **1** | **0** | **1** |"), "{summary}");
    let html = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(
        html.contains("<th>known</th>") && html.contains("<summary>reproduce</summary>"),
        "report.html"
    );
    let report = std::fs::read_to_string(dir.path().join("r/report.json")).unwrap();
    assert!(report.contains("\"status\": \"known\""), "{report}");
    assert!(
        report.contains("\"known\": \"we answer PipelineDeletedException\""),
        "{report}"
    );

    // Without its entry the same failure is new.
    dir.write("baseline.toml", "");
    let new = dpconform(&dir, &["run", "--endpoint", &broken.url, "--baseline", "baseline.toml"]);
    assert_eq!(new.status.code(), Some(1));
    assert!(
        text(&new.stdout).contains("FAIL  a::unknown_id"),
        "{}",
        text(&new.stdout)
    );

    // Fixed: the entry matches nothing any more, and the run says to remove it.
    dir.write("baseline.toml", baseline);
    let honest = FaultyEndpoint::start(Fault::None).await;
    let fixed = dpconform(&dir, &["run", "--endpoint", &honest.url, "--baseline", "baseline.toml"]);
    let stdout = text(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("fixed: `a::unknown_id` no longer fails on error-type: remove its entry from the baseline (baseline.toml:1)"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_baseline_exits_2_naming_file_line_and_column_and_sends_nothing() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = cases();
    let refused = [
        ("[[case]\nname = \"a::list\"\n", "baseline.toml:1:"),
        (
            "[[case]]\nname = \"a::nope\"\nreason = \"r\"\n",
            "baseline.toml:2:8: no case is named `a::nope`",
        ),
        (
            "[[check]]\nname = \"crc\"\nreason = \"r\"\n",
            "baseline.toml:2:8: `crc` is not a check; checks are transport,",
        ),
        (
            "[[case]]\nname = \"a::list\"\nreason = \"r\"\nexpires = 2020-01-31\n",
            "baseline.toml:4:11: this entry expired on 2020-01-31",
        ),
        (
            "[[case]]\nname = \"a::list\"\nreason = \" \"\n",
            "baseline.toml:3:10: the reason is empty",
        ),
        (
            "[[case]]\nname = \"a::list\"\nreason = \"r\"\nwhy = 1\n",
            "baseline.toml:4:1: unknown field `why`",
        ),
    ];
    for (baseline, expected) in refused {
        dir.write("baseline.toml", baseline);
        let out = dpconform(
            &dir,
            &["run", "--endpoint", &endpoint.url, "--baseline", "baseline.toml"],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{baseline}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{baseline}: expected `{expected}` in\n{stderr}"
        );
        assert!(stderr.contains("no request was sent"), "{stderr}");
    }
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 0);
}
