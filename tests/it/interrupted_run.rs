//! Ctrl-C: a first interrupt lets the case in flight finish and starts no other;
//! a second stops the case in flight. Either way the run exits 130 and the
//! reports hold exactly the cases that finished, marked as interrupted.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint};
use crate::support::{dpconform_command, TempDir};
use serde_json::Value;

fn case(fault: &str) -> String {
    format!(
        r#"{{ "about": "a describe answered with the fault {fault}", "source": "self-test", "grade": "documented",
  "steps": [ {{ "operation": "DescribePipelines", "headers": {{ "x-fault": "{fault}" }},
               "body": {{ "pipelineIds": ["df-x"] }}, "expect": {{ "error": "PipelineNotFoundException" }} }} ] }}"#
    )
}

/// Five quick cases (`a_1`..`a_5`), then ten whose endpoint answers with `fault` (`b_01`..).
fn cases(dir: &TempDir, fault: &str) {
    for i in 1..=5 {
        dir.write(&format!("cases/i/a_{i}.json"), &case("none"));
    }
    for i in 1..=10 {
        dir.write(&format!("cases/i/b_{i:02}.json"), &case(fault));
    }
}

/// Lines of a child's stream, as they come.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (at most a minute, so that a bug fails instead of hanging) for a line containing `text`.
fn wait_for(lines: &mpsc::Receiver<String>, text: &str) {
    loop {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains(text) => return,
            Ok(_) => {}
            Err(e) => panic!("no line with {text:?}: {e}"),
        }
    }
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn start(dir: &TempDir, endpoint: &str) -> Child {
    dpconform_command(dir)
        .args([
            "run",
            "--cases",
            "cases",
            "--endpoint",
            endpoint,
            "-j",
            "1",
            "--timeout",
            "60",
        ])
        .args(["--report-dir", "out", "--progress", "plain"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dpconform")
}

/// Waits for the child with a deadline, killing it if it hangs.
fn finish(mut child: Child) -> std::process::ExitStatus {
    for _ in 0..600 {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("dpconform did not stop within a minute of the interrupt");
}

fn reported(dir: &TempDir) -> (bool, Vec<(String, String)>) {
    let text = std::fs::read_to_string(dir.path().join("out/report.json")).expect("report.json written");
    let report: Value = serde_json::from_str(&text).expect("JSON");
    let cases = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (report["run"]["interrupted"].as_bool().expect("interrupted flag"), cases)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_interrupt_finishes_the_case_in_flight_and_writes_the_reports() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("interrupt-drain");
    cases(&dir, "slow-3s");
    let url = endpoint.url.clone();
    let (dir, status, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = start(&dir, &url);
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        // The slow cases are 3 s each; the interrupt lands while one of them is in flight.
        wait_for(&stdout, "i::a_5");
        interrupt(&child);
        wait_for(&stderr, "finishing the cases in flight");
        let status = finish(child);
        let rest: Vec<String> = stderr.try_iter().collect();
        (dir, status, rest.join("\n"))
    })
    .await
    .expect("join");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: 6 of 15 case(s) finished and are reported"),
        "{stderr}"
    );
    let (interrupted, cases) = reported(&dir);
    assert!(interrupted);
    let names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["i::a_1", "i::a_2", "i::a_3", "i::a_4", "i::a_5", "i::b_01"]);
    assert!(cases.iter().all(|(_, s)| s == "passed"), "{cases:?}");
    for file in ["junit.xml", "summary.md", "report.html"] {
        assert!(dir.path().join("out").join(file).is_file(), "{file} not written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_interrupt_stops_the_case_in_flight() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("interrupt-abort");
    cases(&dir, "never-answers");
    let url = endpoint.url.clone();
    let (dir, status) = tokio::task::spawn_blocking(move || {
        let mut child = start(&dir, &url);
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        wait_for(&stdout, "i::a_5");
        interrupt(&child);
        wait_for(&stderr, "finishing the cases in flight");
        interrupt(&child);
        wait_for(&stderr, "stopping the cases in flight");
        (dir, finish(child))
    })
    .await
    .expect("join");
    assert_eq!(status.code(), Some(130));
    let (interrupted, cases) = reported(&dir);
    assert!(interrupted);
    let names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["i::a_1", "i::a_2", "i::a_3", "i::a_4", "i::a_5"],
        "the stopped case is not a result"
    );
}
