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

/// Explores `url` (`None`: the embedded reference), sending empty polls when `empty_polls` is given.
fn explore_at(url: Option<&str>, empty_polls: Option<Duration>, settings: Settings) -> explore::report::Summary {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (mut endpoint, _target) = explore::connect(url, Duration::from_secs(20), None).await.unwrap();
        if let Some(wait) = empty_polls {
            endpoint = endpoint.with_empty_polls(wait);
        }
        explore::explore(endpoint, settings, Arc::new(AtomicBool::new(false)))
            .await
            .unwrap()
    })
}

fn explore_once(url: Option<&str>, out: &std::path::Path, sequences: u64) -> explore::report::Summary {
    let settings = Settings {
        seed: 1,
        sequences: Some(sequences),
        jobs: 2,
        out: out.to_path_buf(),
        max_findings: Some(1),
        ..Settings::default()
    };
    explore_at(url, None, settings)
}

/// The action whose answer shows each bug.
fn shown_by(bug: Bug) -> &'static str {
    match bug {
        Bug::TagsReplacedOnSecondAddTags | Bug::DescriptionDroppedAfterActivation | Bug::RemovedTagKeyStaysHidden => {
            "DescribePipelines"
        }
        Bug::ListDropsActivatedPipelines | Bug::ListDropsPipelinesAfterRemoveTags => "ListPipelines",
        Bug::RepeatedCreateRedescribes => "DescribePipelines",
        Bug::TagsLostAfterDeactivation => "DescribePipelines",
        Bug::DescriptionDroppedAfterRemoveTags => "DescribePipelines",
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
        eprintln!("{bug:?}: {} — {}", finding.signature, finding.basis_text());
        assert_eq!(finding.replayed.problem, None, "{bug:?}: {finding:#?}");
        assert_eq!(finding.replayed.fails_endpoint, Some(true), "{bug:?}");
        // Descriptions, tags and listings are recorded answers of the real
        // service (the corpus asserts them with grade observed).
        assert_eq!(
            finding.basis,
            explore::evidence::Basis::Evidenced,
            "{bug:?}: {}",
            finding.basis_text()
        );
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

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_command_reports_and_exits_as_run_does() {
    let dir = TempDir::new("explore-cli");
    // Nothing listens on port 9 (discard) on a test machine: exit 2 with a clear message.
    let out = dpconform(
        &dir,
        &["explore", "--endpoint", "http://127.0.0.1:9", "--sequences", "1"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("cannot connect"), "{}", text(&out));
    let out = dpconform(&dir, &["explore", "--partition", "3/2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // Against the reference: nothing differs (exit 0), the same seed gives the same sequences.
    let explored = |report: &str| {
        let out = dpconform(
            &dir,
            &[
                "explore",
                "--seed",
                "5",
                "--sequences",
                "8",
                "-j",
                "1",
                "--report-dir",
                report,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("19 action(s)") || text(&out).contains("action(s)"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(report).join("explore.json")).unwrap())
                .unwrap();
        assert!(std::fs::read_to_string(dir.path().join(report).join("explore.md"))
            .unwrap()
            .contains("## Reached"));
        (json["calls"].clone(), json["pairs"].clone())
    };
    assert_eq!(explored("first"), explored("second"));
}

#[test]
fn ctrl_c_writes_what_was_found_and_exits_130() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = TempDir::new("explore-int");
    let mut child = crate::support::dpconform_command(&dir)
        .args(["explore", "--time", "600", "--report-dir", "out"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(first.starts_with("exploring"), "{first}");
    // Keep reading: a closed pipe would fail the child's next message.
    let rest = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut code = None;
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            code = status.code();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if code.is_none() {
        let _ = child.kill();
    }
    assert_eq!(code, Some(130), "{}", rest.join().unwrap_or_default());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/explore.json")).unwrap()).unwrap();
    assert_eq!(json["interrupted"], true);
}

#[test]
fn empty_polls_are_compared_only_when_asked() {
    let endpoint = planted::start(Bug::EmptyPollAnswersNullTask);
    let explore_with = |empty_polls: Option<Duration>| {
        let dir = TempDir::new("explore-empty-polls");
        let settings = Settings {
            seed: 1,
            sequences: Some(40),
            jobs: 2,
            out: dir.path().join("found"),
            ..Settings::default()
        };
        explore_at(Some(&endpoint.url), empty_polls, settings)
    };
    // Not sent by default: the bug stays hidden.
    let quiet = explore_with(None);
    assert!(quiet.findings.is_empty(), "{:#?}", quiet.findings);
    // Sent with a wait longer than the reference's 150 ms hold: found, and its case replays.
    let found = explore_with(Some(Duration::from_secs(2)));
    let signatures: Vec<String> = found.findings.iter().map(|f| f.signature.to_string()).collect();
    assert_eq!(signatures, ["PollForTask body at /taskObject"]);
    assert_eq!(found.findings[0].replayed.problem, None);
    assert_eq!(found.findings[0].replayed.fails_endpoint, Some(true));
    // A wait shorter than the hold counts the held poll as no task.
    let held = explore_with(Some(Duration::from_millis(50)));
    assert!(held.findings.is_empty(), "{:#?}", held.findings);
}
