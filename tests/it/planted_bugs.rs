//! Endpoints with a bug planted behind a sound envelope, that the corpus must
//! catch: a ListPipelines that leaves out the newest pipeline (on whichever
//! page), a PollForTask whose task objects lose `@pipelineId`. Each runs the
//! hand-written corpus, one case at a time so that "the newest pipeline" is
//! the one the listing case just created. The generated cases are left out:
//! each sends one request that lists nothing and polls no task, and 1026 of
//! them one at a time would more than double the test's time.

use crate::support::planted::{self, Bug};
use crate::support::{dpconform, TempDir};
use dpconform::generate::GENERATED_DIR;
use std::path::Path;

/// The case files below `from`, without the generated ones, into `to`.
fn copy_hand_written(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the cases folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().expect("a name");
        if path.is_dir() {
            if name != GENERATED_DIR {
                copy_hand_written(&path, &to.join(name));
            }
        } else {
            std::fs::create_dir_all(to).expect("a folder");
            std::fs::copy(&path, to.join(name)).expect("a copy");
        }
    }
}

fn failed_cases(bug: Bug) -> (String, Vec<String>) {
    let endpoint = planted::start(bug);
    let dir = TempDir::new("planted");
    let root = env!("CARGO_MANIFEST_DIR");
    let cases = dir.path().join("cases");
    copy_hand_written(&Path::new(root).join("cases"), &cases);
    let out = dpconform(
        &dir,
        &[
            "run",
            "--endpoint",
            &endpoint.url,
            "--cases",
            &cases.display().to_string(),
            "--snapshots",
            &format!("{root}/snapshots"),
            "-j",
            "1",
            "--timeout",
            "20",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let failed = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL  "))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    (stdout, failed)
}

#[test]
fn a_listing_that_drops_the_newest_pipeline_is_caught() {
    let (stdout, failed) = failed_cases(Bug::ListDropsNewestPipeline);
    assert!(
        failed
            .iter()
            .any(|c| c == "list_pipelines::created_pipeline_is_listed_on_some_page"),
        "{stdout}"
    );
}

#[test]
fn a_task_object_without_its_pipeline_id_is_caught() {
    let (stdout, failed) = failed_cases(Bug::TaskObjectLosesPipelineId);
    assert!(
        failed
            .iter()
            .any(|c| c == "poll_for_task::task_object_holds_the_attempt"),
        "{stdout}"
    );
}

/// The stateful bugs `dpconform explore` finds (tests/it/explore.rs) are ones the
/// corpus misses: which of them the whole corpus catches, by hand (eight corpus runs):
/// `cargo test --test it planted_bugs::stateful -- --ignored --nocapture`.
#[test]
#[ignore = "eight whole-corpus runs; by hand"]
fn stateful_bugs_the_corpus_misses() {
    let mut caught = Vec::new();
    let only = std::env::var("PLANTED_BUG").ok();
    for bug in Bug::STATEFUL {
        if only.as_ref().is_some_and(|b| *b != format!("{bug:?}")) {
            continue;
        }
        let (_, failed) = failed_cases(bug);
        // The proxy's reference takes unsigned requests: the auth cases fail whatever the bug.
        let failed: Vec<String> = failed.into_iter().filter(|c| !c.starts_with("auth::")).collect();
        println!("{bug:?}: {} failing case(s) outside auth::: {failed:?}", failed.len());
        if !failed.is_empty() {
            caught.push(bug);
        }
    }
    println!("caught by the corpus: {caught:?}");
}
