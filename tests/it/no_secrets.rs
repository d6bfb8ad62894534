//! No secret reaches any output: every command a user runs, against a leaky
//! endpoint that echoes the secret key, the session token and the signature,
//! and every file those commands write (reports, diffs, merged reports,
//! pending snapshots), is searched for them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::report::*;

const ACCESS_KEY: &str = "AKIDNOSECRETSTEST000";

fn secrets_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
    ]
}

/// A case that snapshots the leaky DeletePipeline answer: its pending snapshot is an output too.
const SNAPSHOT_CASE: &str = r#"{ "about": "DeletePipeline's body, snapshotted", "source": "self-test", "grade": "documented",
  "steps": [ { "name": "create", "operation": "CreatePipeline",
               "body": { "name": "s-{{run}}", "uniqueId": "s-{{run}}" }, "expect": { "capture": { "p": "/pipelineId" } } },
             { "name": "delete", "operation": "DeletePipeline", "body": { "pipelineId": "{{p}}" },
               "expect": { "snapshot": true } } ] }"#;

/// Every secret-looking thing that must not appear.
fn leaks(text: &str) -> Vec<String> {
    let mut found: Vec<String> = [SECRET_KEY, SESSION_TOKEN, dpconform::reference::TEST_SECRET_KEY]
        .iter()
        .filter(|s| text.contains(*s))
        .map(|s| s.to_string())
        .collect();
    let signature = regex::Regex::new(r"(?i)signature=[0-9a-f]{16,}").unwrap();
    found.extend(signature.find_iter(text).map(|m| m.as_str().to_string()));
    found
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_output_and_no_written_file_holds_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = write_cases(tmp.path());
    std::fs::create_dir_all(cases.join("leaky")).unwrap();
    std::fs::write(cases.join("leaky/snapshot.json"), SNAPSHOT_CASE).unwrap();
    let env = secrets_env();
    let leaky = start(Mode::Broken);
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut record = |label: &str, out: std::process::Output| outputs.push((label.to_string(), text(&out)));

    let at = |name: &str| tmp.path().join(name).display().to_string();
    let cases_arg = cases.display().to_string();
    record("run (embedded)", run(&cases, &tmp.path().join("base"), None, &[], &env));
    record(
        "run (leaky)",
        run(&cases, &tmp.path().join("new"), Some(&leaky.url), &[], &env),
    );
    record(
        "run --partition 1/2",
        run(
            &cases,
            &tmp.path().join("p1"),
            Some(&leaky.url),
            &["--partition", "1/2"],
            &env,
        ),
    );
    record(
        "run --partition 2/2",
        run(
            &cases,
            &tmp.path().join("p2"),
            Some(&leaky.url),
            &["--partition", "2/2"],
            &env,
        ),
    );
    record(
        "merge",
        dpconform(&["merge", &at("p1"), &at("p2"), "--report-dir", &at("merged")], &env),
    );
    record("diff", dpconform(&["diff", &at("base"), &at("new")], &env));
    record(
        "compare",
        dpconform(
            &[
                "compare",
                "--cases",
                &cases_arg,
                "--endpoint",
                &leaky.url,
                "--endpoint",
                &leaky.url,
            ],
            &env,
        ),
    );
    let snapshots = at("new.snapshots");
    record(
        "snapshots pending",
        dpconform(&["snapshots", "--snapshots", &snapshots, "pending"], &env),
    );
    record("list", dpconform(&["list", "--cases", &cases_arg], &env));

    // `serve` signs with the secret too; its log and a run against it.
    let mut serve = Command::new(env!("CARGO_BIN_EXE_dpconform"))
        .args(["serve", "--port", "0"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut serve_out = BufReader::new(serve.stdout.take().unwrap());
    let mut first = String::new();
    serve_out.read_line(&mut first).unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    record(
        "run (serve)",
        run(&cases, &tmp.path().join("served"), Some(&url), &[], &env),
    );
    serve.kill().unwrap();
    let serve_output = serve.wait_with_output().unwrap();
    let mut log = first;
    serve_out.read_to_string_lossy(&mut log);
    log.push_str(&String::from_utf8_lossy(&serve_output.stderr));
    assert!(log.lines().count() > 5, "serve logged the requests: {log}");
    outputs.push(("serve log".into(), log));

    // The leaky endpoint's echo did reach dpconform: the test can fail.
    let new_run = &outputs[1].1;
    assert!(new_run.contains("[redacted]"), "{new_run}");
    // Failed steps print their reproduction: credentials only as the variables' names.
    let reproductions: Vec<&str> = new_run
        .lines()
        .filter(|l| l.trim_start().starts_with("curl ") || l.trim_start().starts_with("aws "))
        .collect();
    assert!(!reproductions.is_empty(), "{new_run}");
    for line in reproductions.iter().filter(|l| l.contains("curl ")) {
        assert!(
            line.contains("--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\""),
            "{line}"
        );
        assert!(line.contains("X-Amz-Security-Token: $AWS_SESSION_TOKEN"), "{line}");
    }
    for line in &reproductions {
        assert!(!line.contains(ACCESS_KEY), "the access key's value in {line}");
    }

    let mut found = Vec::new();
    for (label, output) in &outputs {
        for leak in leaks(output) {
            found.push(format!("{label}: {leak}"));
        }
    }
    let written = files_under(tmp.path());
    assert!(
        written.iter().any(|p| p.extension().is_some_and(|e| e == "new")),
        "a pending snapshot was written"
    );
    for path in written {
        let bytes = std::fs::read(&path).unwrap();
        for leak in leaks(&String::from_utf8_lossy(&bytes)) {
            found.push(format!("{}: {leak}", path.display()));
        }
    }
    assert!(found.is_empty(), "secrets in outputs:\n{}", found.join("\n"));
}

trait ReadLossy {
    fn read_to_string_lossy(&mut self, into: &mut String);
}

impl<R: std::io::Read> ReadLossy for BufReader<R> {
    fn read_to_string_lossy(&mut self, into: &mut String) {
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(self, &mut bytes);
        into.push_str(&String::from_utf8_lossy(&bytes));
    }
}
