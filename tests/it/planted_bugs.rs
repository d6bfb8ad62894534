//! Endpoints with a bug planted behind a sound envelope, that the corpus must
//! catch: a ListPipelines that leaves out the newest pipeline (on whichever
//! page), a PollForTask whose task objects lose `@pipelineId`. Each runs the
//! whole corpus, one case at a time so that "the newest pipeline" is the one
//! the listing case just created.

use crate::support::planted::{self, Bug};
use crate::support::{dpconform, TempDir};

fn failed_cases(bug: Bug) -> (String, Vec<String>) {
    let endpoint = planted::start(bug);
    let dir = TempDir::new("planted");
    let root = env!("CARGO_MANIFEST_DIR");
    let out = dpconform(
        &dir,
        &[
            "run",
            "--endpoint",
            &endpoint.url,
            "--cases",
            &format!("{root}/cases"),
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
