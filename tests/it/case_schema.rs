//! `dpconform schema`: every case of the corpus validates against the JSON
//! Schema it prints, and the schema rejects what the parser rejects at the top
//! (unknown keys, unknown operations, a grade that is none).

use std::path::Path;

use dpconform::case::discover::case_files;
use dpconform::case::schema::case_schema;

use crate::support::{dpconform, TempDir};

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&case_schema()).expect("the schema is a valid JSON Schema")
}

#[test]
fn every_corpus_case_validates() {
    let validator = validator();
    let cases = case_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")).expect("cases");
    assert!(cases.len() > 400, "{} cases", cases.len());
    let mut problems = Vec::new();
    for (path, _) in cases {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for error in validator.iter_errors(&case) {
            problems.push(format!("{}: at {}: {error}", path.display(), error.instance_path()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn what_the_parser_refuses_at_the_top_the_schema_refuses() {
    let validator = validator();
    let good = serde_json::json!({
        "$schema": "../../case.schema.json",
        "about": "a", "grade": "documented", "source": "s",
        "steps": [ { "operation": "CreatePipeline", "body": { "name": "x", "uniqueId": 5, "odd": true } } ]
    });
    assert!(
        validator.is_valid(&good),
        "odd bodies are allowed: cases send them on purpose"
    );
    let bad = [
        serde_json::json!({ "about": "a", "grade": "documented", "source": "s", "steps": [], "stpes": [] }),
        serde_json::json!({ "about": "a", "grade": "guessed", "source": "s", "steps": [ { "operation": "ListPipelines" } ] }),
        serde_json::json!({ "about": "a", "grade": "documented", "source": "s", "steps": [ { "operation": "ListPipeline" } ] }),
        serde_json::json!({ "about": "a", "grade": "documented", "source": "s",
                             "steps": [ { "operation": "ListPipelines", "expect": { "stauts": 200 } } ] }),
        serde_json::json!({ "about": "a", "grade": "documented", "source": "s",
                             "steps": [ { "operation": "ListPipelines", "skip_checks": { "crc": "x" } } ] }),
    ];
    for case in bad {
        assert!(!validator.is_valid(&case), "{case}");
    }
}

#[test]
fn the_command_prints_the_schema_and_a_case_may_name_it() {
    let dir = TempDir::new("schema");
    let out = dpconform(&dir, &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed, case_schema());
    // The parser accepts the `$schema` key an editor user adds.
    dir.write(
        "cases/a/named.json",
        r#"{ "$schema": "../../case.schema.json", "about": "a", "grade": "documented", "source": "s",
             "steps": [ { "operation": "ListPipelines" } ] }"#,
    );
    let out = dpconform(&dir, &["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
