//! Golden files of what `dpconform explore` prints and writes, from a summary
//! built here: the console text and explore.md; the properties of
//! explore.html and explore.json (its buckets).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use dpconform::case::Grade;
use dpconform::explore::compare::{Normal, Signature};
use dpconform::explore::evidence::{Basis, Citation};
use dpconform::explore::replay::Replayed;
use dpconform::explore::report::{self, Finding, Summary};
use dpconform::explore::{buckets, html};
use serde_json::{json, Value};

fn normal(status: u16, error: Option<&str>, body: Value) -> Normal {
    Normal {
        status,
        error_type: error.map(str::to_string),
        body,
    }
}

fn finding(action: &str, check: &str, path: &str, reference: Normal, endpoint: Normal) -> Finding {
    Finding {
        signature: Signature {
            action: action.into(),
            check: check.into(),
            path: path.into(),
        },
        basis: Basis::Evidenced,
        evidence: Some(Citation {
            grade: Grade::Observed,
            case: "protocol::request_id_and_crc32_on_service_error".into(),
        }),
        seed: 42,
        original_calls: 9,
        minimal_calls: 2,
        case: PathBuf::from(format!("explored/{}/explored_0000.json", action.to_lowercase())),
        reference,
        endpoint,
        detail: None,
        replayed: Replayed {
            passes_reference: true,
            fails_endpoint: Some(true),
            problem: None,
        },
        seen_again: 3,
    }
}

/// Differences of the kinds moto shows: 500 for a missing pipeline on two
/// actions, an envelope difference, and a body difference the corpus does
/// not assert (inferred).
fn summary() -> Summary {
    let mut content_type = finding(
        "AddTags",
        "envelope:content-type",
        "",
        normal(200, None, json!({})),
        normal(500, None, Value::Null),
    );
    content_type.detail =
        Some("Content-Type is \"text/html; charset=utf-8\", expected application/x-amz-json-1.1".into());
    let mut marker = finding(
        "ListPipelines",
        "body",
        "/marker",
        normal(200, None, json!({"hasMoreResults": false, "pipelineIdList": []})),
        normal(
            200,
            None,
            json!({"hasMoreResults": false, "marker": "<b>1</b>", "pipelineIdList": []}),
        ),
    );
    marker.basis = Basis::Inferred;
    marker.evidence = None;
    marker.replayed = Replayed {
        passes_reference: false,
        fails_endpoint: Some(true),
        problem: Some("it fails against the reference: 1 ListPipelines: [json] <b>".into()),
    };
    let missing = |action: &str| {
        finding(
            action,
            "status",
            "",
            normal(400, Some("PipelineNotFoundException"), Value::Null),
            normal(500, None, Value::Null),
        )
    };
    Summary {
        endpoint: "http://127.0.0.1:5000".into(),
        seed: 7,
        partition: Some("1/2".into()),
        sequences: 120,
        calls: 2400,
        compared: 2300,
        shrink_calls: 150,
        seconds: 2.0,
        actions: ["AddTags", "ListPipelines", "DescribeObjects", "GetPipelineDefinition"]
            .map(String::from)
            .into(),
        pairs: BTreeSet::from([
            ("AddTags".to_string(), "200".to_string()),
            ("DescribeObjects".into(), "PipelineNotFoundException".into()),
            ("GetPipelineDefinition".into(), "200".into()),
            ("ListPipelines".into(), "200".into()),
        ]),
        findings: vec![
            content_type,
            missing("DescribeObjects"),
            missing("GetPipelineDefinition"),
            marker,
        ],
        unconfirmed: 1,
        unconfirmed_signatures: BTreeMap::from([("QueryObjects body at /ids".to_string(), 1)]),
        interrupted: false,
    }
}

#[test]
fn console_lists_each_difference_then_the_kinds_then_the_totals() {
    insta::assert_snapshot!("explore_console", report::console(&summary()));
}

#[test]
fn explore_md_opens_with_the_kinds() {
    insta::assert_snapshot!("explore_md", report::markdown(&summary()));
}

#[test]
fn buckets_group_the_same_check_and_answers_across_actions() {
    let kinds = buckets::buckets(&summary().findings);
    let titles: Vec<(String, usize, usize)> = kinds
        .iter()
        .map(|b| (b.title(), b.members.len(), b.evidenced))
        .collect();
    assert_eq!(
        titles,
        vec![
            (
                "status: reference 400 PipelineNotFoundException, endpoint 500".to_string(),
                2,
                2
            ),
            ("body".to_string(), 1, 0),
            ("envelope:content-type".to_string(), 1, 1),
        ]
    );
    assert_eq!(kinds[0].members, ["DescribeObjects", "GetPipelineDefinition"]);
    assert_eq!(kinds[1].members, ["ListPipelines /marker"]);
}

#[test]
fn explore_html_is_self_contained_filterable_by_kind_and_basis_and_escaped() {
    let page = html::page(&summary());
    assert!(page.contains("<h1>dpconform explore: 4 difference(s)</h1>"));
    assert!(page.contains("default-src 'none'"), "no network resources");
    assert!(!page.contains("src=\"http"), "no external resources");
    // The status menu filters by basis, with counts.
    for option in ["all (4)", "evidenced (3)", "inferred (1)"] {
        assert!(page.contains(option), "{option}");
    }
    // Each kind links to its differences through the filter box; each difference carries its kind.
    assert!(page.contains("<a href=\"#q=kind-001\">status: reference 400 PipelineNotFoundException, endpoint 500</a>"));
    assert_eq!(page.matches("data-search=\"kind-001 ").count(), 2);
    assert_eq!(page.matches("data-search=\"kind-002 ").count(), 1);
    assert_eq!(page.matches("data-status=\"inferred\"").count(), 1);
    assert!(page.contains("<span class=\"badge inferred\">inferred</span>"));
    // The envelope check's words are the row's headline; the body diff is labelled by side.
    assert!(page.contains("Content-Type is &quot;text/html; charset=utf-8&quot;"));
    // Only a body difference shows the bodies (a status difference's are noise).
    assert_eq!(page.matches("--- reference").count(), 1);
    assert!(page.contains("+++ endpoint"));
    assert!(
        page.contains("&lt;b&gt;1&lt;/b&gt;") && !page.contains("<b>1</b>"),
        "answers are escaped"
    );
    assert!(page.contains("inferred (no case asserts it)"));
    assert!(page.contains("<p class=\"why\">replayed with <code>dpconform run</code>: DOES NOT REPLAY: it fails against the reference: 1 ListPipelines: [json] &lt;b&gt;</p>"));
    assert_eq!(
        page.matches("fails against the endpoint, passes against the reference")
            .count(),
        3
    );
    assert!(page.contains(
        "1 (not shown again by a second run of the same calls: timing; not reported): QueryObjects body at /ids (1)"
    ));
    assert!(page.contains("evidenced (observed: protocol::request_id_and_crc32_on_service_error)"));
}

#[test]
fn explore_json_holds_the_summary_and_its_buckets() {
    let dir = tempfile::tempdir().unwrap();
    report::write(dir.path(), &summary()).unwrap();
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("explore.json")).unwrap()).unwrap();
    assert_eq!(record["findings"].as_array().unwrap().len(), 4);
    assert_eq!(record["findings"][0]["evidence"]["grade"], "observed");
    assert_eq!(record["findings"][3]["basis"], "inferred");
    assert_eq!(
        record["buckets"][0]["members"],
        json!(["DescribeObjects", "GetPipelineDefinition"])
    );
    for name in ["explore.md", "explore.html"] {
        assert!(dir.path().join(name).is_file(), "{name}");
    }
}
