//! `--state-dir`: the disk journal, snapshots, and reading them back.

use std::sync::Arc;

use dpconform_reference::storage::{self, Opened};
use dpconform_reference::{operation_request, Config, Reference};
use serde_json::{json, Value};

fn temp_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dpconform-state-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &std::path::Path, compact_after: u64) -> (Reference, Vec<String>) {
    let Opened { journal, saved, notes } = storage::open(dir, compact_after).unwrap();
    let config = Config::embedded().without_auth().with_journal(Arc::new(journal));
    (Reference::restore(config, saved).unwrap(), notes)
}

fn ok(reference: &Reference, op: &str, body: Value) -> Value {
    let r = reference.handle(operation_request(op, body.to_string()));
    assert_eq!(r.status(), 200, "{op}: {:?}", r.body());
    if r.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(r.body()).unwrap()
    }
}

fn listed(reference: &Reference) -> Vec<Value> {
    let mut all = Vec::new();
    let mut marker = Value::Null;
    loop {
        let page = ok(reference, "ListPipelines", json!({"marker": marker}));
        all.extend(page["pipelineIdList"].as_array().unwrap().iter().cloned());
        if page["hasMoreResults"] != true {
            return all;
        }
        marker = page["marker"].clone();
    }
}

#[test]
fn state_reads_back_the_same_across_snapshots() {
    let dir = temp_dir("roundtrip");
    let (reference, _) = open(&dir, 4_000);
    for i in 0..40 {
        let name = format!("p{i}");
        let id = ok(&reference, "CreatePipeline", json!({"name": name, "uniqueId": name}))["pipelineId"].clone();
        ok(
            &reference,
            "AddTags",
            json!({"pipelineId": id, "tags": [{"key": "k", "value": name}]}),
        );
    }
    let before = listed(&reference);
    drop(reference);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 2, "one snapshot and one journal: {files:?}");
    let (reference, notes) = open(&dir, 4_000);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(listed(&reference), before);
    assert_eq!(before.len(), 40);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_incomplete_last_line_is_dropped_and_told_a_damaged_one_refused() {
    let dir = temp_dir("torn");
    let (reference, _) = open(&dir, u64::MAX);
    ok(&reference, "CreatePipeline", json!({"name": "a", "uniqueId": "a"}));
    drop(reference);
    let journal = dir.join("journal-0.log");
    let mut text = std::fs::read(&journal).unwrap();
    let whole = text.len();
    text.extend_from_slice(b"0000abcd {\"t\":\"ca");
    std::fs::write(&journal, &text).unwrap();
    let (reference, notes) = open(&dir, u64::MAX);
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len() as usize,
        whole,
        "cut off the file"
    );
    assert_eq!(listed(&reference).len(), 1);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("journal-0.log:2: dropped an incomplete last line"),
        "{notes:?}"
    );
    drop(reference);

    let mut damaged = std::fs::read(&journal).unwrap();
    damaged[0] = if damaged[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&journal, &damaged).unwrap();
    let err = storage::open(&dir, u64::MAX).err().expect("refused").0;
    assert!(err.contains("journal-0.log:1: damaged journal line"), "{err}");
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let err = storage::open(&dir, u64::MAX).err().expect("refused").0;
    assert!(err.contains("unexpected file `notes.txt`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
