//! No input makes the core panic or fault: odd and random bodies for every
//! operation get a client error (or success), never a 500.

use crate::common::{hourly, Fixture, HeaderText};
use dpconform_reference::Operation;
use serde_json::json;

fn assert_no_fault(f: &Fixture, op: &str, body: &str) {
    let r = f.raw(op, body);
    assert!(
        r.status() == 200 || r.status() == 400,
        "{op} {body:.200}: status {}",
        r.status()
    );
    assert!(r.header("x-amz-crc32").is_some());
}

#[test]
fn odd_bodies_for_every_operation() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[]));
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let fixed = [
        "",
        "null",
        "[]",
        "{}",
        "1",
        "\"s\"",
        "{\"a\":",
        "\u{0}",
        "{\"pipelineId\": null}",
        deep.as_str(),
    ];
    for op in Operation::ALL {
        for body in fixed {
            assert_no_fault(&f, op.name(), body);
        }
        // Every member of every shape with values of each JSON type.
        for member in [
            "pipelineId",
            "name",
            "uniqueId",
            "objectIds",
            "pipelineIds",
            "tags",
            "tagKeys",
            "pipelineObjects",
            "parameterObjects",
            "parameterValues",
            "startTimestamp",
            "limit",
            "query",
            "sphere",
            "marker",
            "expression",
            "objectId",
            "status",
            "taskId",
            "taskStatus",
            "fields",
            "workerGroup",
            "version",
            "cancelActive",
            "evaluateExpressions",
            "errorId",
        ] {
            for value in [
                json!(null),
                json!(true),
                json!(-1),
                json!(1e308),
                json!(i64::MIN),
                json!("x"),
                json!(""),
                json!([]),
                json!([null]),
                json!([{}]),
                json!({}),
                json!(id),
                json!([id]),
            ] {
                let body = json!({"pipelineId": id, member: value}).to_string();
                assert_no_fault(&f, op.name(), &body);
            }
        }
    }
}

#[test]
fn random_mutations_of_valid_requests() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[]));
    let inst = "@SayHello_2012-12-12T00:00:00";
    let valid = [
        (
            "QueryObjects",
            json!({"pipelineId": id, "sphere": "INSTANCE", "limit": 5,
            "query": {"selectors": [{"fieldName": "@scheduledStartTime", "operator": {"type": "BETWEEN", "values": ["2012-01-01T00:00:00", "2013-01-01T00:00:00"]}}]}}),
        ),
        (
            "EvaluateExpression",
            json!({"pipelineId": id, "objectId": inst,
            "expression": "#{format(plusMonths(minusDays(@scheduledStartTime, 3), 2), 'YYYY-MM-dd HH:mm')} #{2 ^ 10 / 3}"}),
        ),
        (
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": hourly(&[("maximumRetries", "3")])}),
        ),
        (
            "SetStatus",
            json!({"pipelineId": id, "objectIds": [inst], "status": "RERUN"}),
        ),
        (
            "ActivatePipeline",
            json!({"pipelineId": id, "startTimestamp": 1_355_270_400}),
        ),
        (
            "DescribeObjects",
            json!({"pipelineId": id, "objectIds": [inst, "SayHello"], "evaluateExpressions": true}),
        ),
    ];
    // A small deterministic generator.
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let junk = [
        "#{",
        "}",
        "(",
        ")",
        "'",
        "\\\"",
        "@",
        "_Attempt=",
        "9999999999999",
        "-",
        "\u{1F600}",
        "\u{7}",
        ",",
        "{",
        "[",
        "0",
    ];
    for (op, body) in &valid {
        let text = body.to_string();
        for _ in 0..300 {
            let mut s = text.clone();
            for _ in 0..1 + next() % 4 {
                let mut at = next() % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 3 {
                    0 => s.insert_str(at, junk[next() % junk.len()]),
                    1 => {
                        let mut end = (at + 1 + next() % 8).min(s.len());
                        while !s.is_char_boundary(end) {
                            end -= 1;
                        }
                        s.replace_range(at..end, "");
                    }
                    _ => s.insert_str(at, &"9".repeat(next() % 30)),
                }
            }
            assert_no_fault(&f, op, &s);
        }
    }
}
