//! The corpus is read-only unless a run means to change it: a run against any
//! endpoint but the embedded reference leaves `cases/` and `snapshots/`
//! byte-identical, with or without `INSTA_UPDATE=always`, and its new snapshots
//! land in the report folder; a run against the embedded reference still
//! updates snapshots the way insta users expect.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint};
use crate::support::{dpconform_command, TempDir};

/// A case whose stored snapshot the endpoint contradicts, and one with none stored.
const DIFFERS: &str = r#"{
  "about": "an unknown pipeline, snapshot", "source": "self-test", "grade": "documented",
  "steps": [ { "name": "describe", "operation": "DescribePipelines", "body": { "pipelineIds": ["df-x"] },
               "expect": { "status": 400, "snapshot": true } } ]
}"#;
const STORED: &str = "---\nsource: src/snapshot/mod.rs\ndescription: \"a::differs / describe\"\n\
input_file: cases/a/differs.json\n---\n{\n  \"__type\": \"PipelineNotFoundException\",\n  \"message\": \"what the corpus says\"\n}\n";

/// Every file below `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).expect("below").display().to_string();
                files.insert(name, std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

fn corpus(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    dir.write("cases/a/differs.json", DIFFERS);
    dir.write("cases/a/unseen.json", DIFFERS);
    dir.write("snapshots/a/differs__describe.snap", STORED);
    dir
}

fn run(dir: &TempDir, endpoint: Option<&str>, insta_update: Option<&str>) -> std::process::Output {
    let mut command = dpconform_command(dir);
    command.args(["run", "--cases", "cases", "--report-dir", "out", "--progress", "plain"]);
    if let Some(url) = endpoint {
        command.args(["--endpoint", url]);
    }
    match insta_update {
        Some(mode) => command.env("INSTA_UPDATE", mode),
        None => command.env_remove("INSTA_UPDATE"),
    };
    command.env_remove("CI").output().expect("run dpconform")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_run_leaves_the_corpus_byte_identical_and_pends_in_the_report_folder() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    for insta_update in [None, Some("always"), Some("unseen"), Some("new")] {
        let dir = corpus("read-only");
        let before = (tree(&dir.path().join("cases")), tree(&dir.path().join("snapshots")));
        let out = run(&dir, Some(&endpoint.url), insta_update);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "INSTA_UPDATE={insta_update:?}: the snapshots differ\n{stdout}"
        );
        let after = (tree(&dir.path().join("cases")), tree(&dir.path().join("snapshots")));
        assert!(
            before == after,
            "INSTA_UPDATE={insta_update:?} changed the corpus: {:?}",
            after.1.keys()
        );
        let pending = tree(&dir.path().join("out/pending-snapshots"));
        assert_eq!(
            pending.keys().collect::<Vec<_>>(),
            ["a/differs__describe.snap.new", "a/unseen__describe.snap.new"],
            "INSTA_UPDATE={insta_update:?}"
        );
        assert!(
            stdout.contains("the corpus is read-only against this endpoint"),
            "{stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_corpus_lets_a_foreign_run_change_the_snapshots_on_purpose() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = corpus("write-corpus");
    let out = dpconform_command(&dir)
        .args(["run", "--cases", "cases", "--write-corpus", "--endpoint", &endpoint.url])
        .env("INSTA_UPDATE", "always")
        .output()
        .expect("run dpconform");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let stored = std::fs::read_to_string(dir.path().join("snapshots/a/differs__describe.snap")).unwrap();
    assert!(stored.contains("Pipeline not found"), "{stored}");
}

#[test]
fn a_run_against_the_embedded_reference_still_updates_the_corpus_as_insta_does() {
    let dir = corpus("reference-writes");
    let out = run(&dir, None, Some("always"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let stored = std::fs::read_to_string(dir.path().join("snapshots/a/differs__describe.snap")).unwrap();
    assert!(!stored.contains("what the corpus says"), "{stored}");
    assert!(dir.path().join("snapshots/a/unseen__describe.snap").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_folder_inside_the_corpus_is_refused() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = corpus("pending-inside");
    let out = dpconform_command(&dir)
        .args([
            "run",
            "--cases",
            "cases",
            "--pending",
            "snapshots/new",
            "--endpoint",
            &endpoint.url,
        ])
        .output()
        .expect("run dpconform");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the snapshots folder"));
    assert_eq!(endpoint.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_runs_pending_snapshots_are_accepted_only_on_purpose() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = corpus("accept-from");
    let before = tree(&dir.path().join("snapshots"));
    run(&dir, Some(&endpoint.url), None);
    // The corpus has nothing pending: `accept` there changes nothing.
    let out = dpconform_command(&dir).args(["snapshots", "accept"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 snapshot(s) accepted"));
    assert!(tree(&dir.path().join("snapshots")) == before);
    let out = dpconform_command(&dir)
        .args(["snapshots", "accept", "--from", "out/pending-snapshots"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 snapshot(s) accepted"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let after = tree(&dir.path().join("snapshots"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        ["a/differs__describe.snap", "a/unseen__describe.snap"]
    );
    assert!(String::from_utf8_lossy(&after["a/differs__describe.snap"]).contains("Pipeline not found"));
}
