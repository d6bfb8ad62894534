//! The corpus's evidence policy, checked: every case and every step with its
//! own grade cites its evidence. A non-inferred citation names a ledger entry
//! that exists (`evidence/<file>.md`) or a documentation page (`https://...`);
//! the model grade cites the model's ledger entry or a shape; exact bodies and
//! snapshots are counted per grade so a reader sees how much is asserted whole.

use std::path::Path;

use dpconform::case::discover::load_all;
use dpconform::case::Grade;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What is wrong with one citation, if anything.
fn citation_problem(grade: Grade, source: &str) -> Option<String> {
    if grade == Grade::Inferred {
        return None;
    }
    let cited: Vec<&str> = source
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter_map(|w| w.find("evidence/").map(|i| &w[i..]))
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '_' && c != '-'))
        .map(|w| w.trim_end_matches(':').trim_end_matches('.'))
        .collect();
    for entry in &cited {
        let path = if entry.ends_with(".md") {
            root().join(entry)
        } else {
            root().join(format!("{entry}.md"))
        };
        if !path.is_file() {
            return Some(format!("cites `{entry}`, which is not a file of the ledger"));
        }
    }
    if cited.is_empty() && !source.contains("https://") {
        return Some(
            "cites neither a ledger entry (`evidence/<file>.md`) nor a documentation page (`https://...`)".into(),
        );
    }
    None
}

#[test]
fn every_graded_expectation_cites_its_evidence() {
    let cases = load_all(&root().join("cases")).expect("the corpus loads");
    let mut problems = Vec::new();
    for case in &cases {
        if let Some(p) = citation_problem(case.grade(), &case.spec.source) {
            problems.push(format!("{}: {p}", case.name));
        }
        for step in case.spec.steps.iter().chain(&case.spec.finally) {
            if let (Some(grade), Some(source)) = (step.expect.grade, &step.expect.source) {
                if let Some(p) = citation_problem(grade, source) {
                    problems.push(format!("{} (a step's own grade): {p}", case.name));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} citation(s) to fix:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_citation_check_catches_what_it_should() {
    assert_eq!(citation_problem(Grade::Inferred, "inferred: siblings do so"), None);
    assert_eq!(
        citation_problem(Grade::Observed, "evidence/gh-aws-cli-1644.md: the refusal"),
        None
    );
    assert!(citation_problem(Grade::Observed, "evidence/no-such-entry.md").is_some());
    assert!(citation_problem(Grade::Documented, "API Reference, CreatePipeline").is_some());
    assert_eq!(
        citation_problem(
            Grade::Documented,
            "https://docs.aws.amazon.com/datapipeline/latest/APIReference/API_CreatePipeline.html"
        ),
        None
    );
}
