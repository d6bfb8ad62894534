//! The cases generated from the service model are committed exactly as
//! `dpconform generate` writes them: a change to the model or the generator
//! without regenerating, or a hand edit of a generated file, fails here.

use std::path::Path;

use dpconform::case::model_coverage::{model_coverage, render_report};
use dpconform::generate::{drift, generate, write, GENERATED_DIR};

fn cases_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"))
}

#[test]
fn regenerating_would_change_no_file() {
    let d = drift(cases_dir()).expect("cases/generated is readable");
    assert!(
        d.is_empty(),
        "the generated cases are out of date; run `cargo run -- generate` and commit cases/generated/\n\
         missing: {:#?}\nchanged: {:#?}\nnot generated: {:#?}",
        d.missing,
        d.changed,
        d.extra
    );
}

#[test]
fn the_drift_check_sees_edits_additions_and_removals() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let first = write(dir.path()).expect("written");
    assert_eq!(first.missing.len(), generate().len());
    assert!(drift(dir.path()).expect("read").is_empty());
    let one = dir.path().join(&generate()[0].path);
    std::fs::write(&one, "{}").expect("edit");
    let stray = dir.path().join("generated/create_pipeline/stray.json");
    std::fs::write(&stray, "{}").expect("add");
    std::fs::remove_file(dir.path().join(&generate()[1].path)).expect("remove");
    let d = drift(dir.path()).expect("read");
    assert_eq!((d.changed.len(), d.extra.len(), d.missing.len()), (1, 1, 1), "{d:?}");
    write(dir.path()).expect("rewritten");
    assert!(drift(dir.path()).expect("read").is_empty());
    assert!(!stray.exists());
}

/// The corpus covers every input of the model's enumeration: the closing
/// line of `list --model-coverage` reads C/T with C = T.
#[test]
fn the_corpus_covers_every_model_constraint() {
    let cases = dpconform::load_all(cases_dir()).expect("the corpus loads");
    let rows = model_coverage(&cases);
    let uncovered: Vec<String> = rows
        .iter()
        .flat_map(|r| r.uncovered.iter().map(move |i| format!("{} {i}", r.operation)))
        .collect();
    assert!(uncovered.is_empty(), "not covered by any case: {uncovered:#?}");
}

/// What `list --model-coverage` prints for the generated cases alone (they
/// change only with the model or the generator): a golden.
#[test]
fn model_coverage_of_the_generated_cases() {
    let cases: Vec<_> = dpconform::load_all(cases_dir())
        .expect("the corpus loads")
        .into_iter()
        .filter(|c| c.area == GENERATED_DIR)
        .collect();
    insta::assert_snapshot!(render_report(&model_coverage(&cases)));
}
