//! Replays what the fuzzers found (`tests/fuzz_regressions/<target>/*`) and a
//! few hand-written nasty inputs through the same property-checking functions
//! the fuzz targets call (`dpconform::fuzzing`), on stable, without libFuzzer.
//! A property that no longer holds panics inside those functions.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use dpconform::fuzzing::{case_file, reference_request, reference_session};

/// Runs `target` on every input; fails naming each input that broke a property.
fn replay(target: fn(&[u8]), inputs: Vec<(String, Vec<u8>)>) {
    let failed: Vec<String> = inputs
        .into_iter()
        .filter(|(_, data)| catch_unwind(AssertUnwindSafe(|| target(data))).is_err())
        .map(|(name, _)| name)
        .collect();
    assert!(failed.is_empty(), "properties broken by: {failed:?}");
}

/// The committed findings of one target: every file in its folder but hidden ones.
fn findings(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("readable finding")))
        .collect()
}

fn named(inputs: Vec<(&str, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    inputs.into_iter().map(|(n, d)| (n.to_string(), d)).collect()
}

/// A minimal valid case file around one step.
fn case_with_step(step: &str) -> Vec<u8> {
    format!(r#"{{"about": "a", "source": "inferred: fuzz", "grade": "inferred", "steps": [{step}]}}"#).into_bytes()
}

#[test]
fn case_file_findings() {
    replay(case_file, findings("case_file"));
}

#[test]
fn case_file_nasty_inputs() {
    let deep = format!(
        r#"{{"about": "a", "source": "s", "grade": "documented", "vars": {{"v": {}1{}}}, "steps": []}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    replay(
        case_file,
        named(vec![
            ("empty", b"".to_vec()),
            ("whitespace", b" \n\t\r\n ".to_vec()),
            ("newlines then garbage", b"\n\n\n  x".to_vec()),
            ("deeply nested", deep.into_bytes()),
            ("only brackets", "[".repeat(100_000).into_bytes()),
            ("invalid UTF-8", b"{\"about\": \"\xff\xfe\"}".to_vec()),
            ("invalid UTF-8 on line 3", b"{\n\n  \"about\": \"a\xc3\"}".to_vec()),
            ("BOM", b"\xef\xbb\xbf{\"about\": \"a\"}".to_vec()),
            (
                "trailing garbage",
                [case_with_step(r#"{"operation": "ListPipelines"}"#), b"\n}".to_vec()].concat(),
            ),
            (
                "huge status",
                case_with_step(r#"{"operation": "ListPipelines", "expect": {"status": 1e400}}"#),
            ),
            (
                "huge integer",
                case_with_step(r#"{"operation": "ListPipelines", "expect": {"status": 99999999999999999999999}}"#),
            ),
            (
                "negative status",
                case_with_step(r#"{"operation": "ListPipelines", "expect": {"status": -1}}"#),
            ),
            (
                "unclosed template",
                case_with_step(r#"{"operation": "ListPipelines", "body": {"a": "{{"}}"#),
            ),
            (
                "empty template",
                case_with_step(r#"{"operation": "ListPipelines", "body": {"a": "{{}}"}}"#),
            ),
            (
                "template in a key",
                case_with_step(r#"{"operation": "ListPipelines", "body": {"{{run}}": "}}{{"}}"#),
            ),
            (
                "quadruple braces",
                case_with_step(r#"{"operation": "ListPipelines", "body": {"a": "{{{{run}}}}"}}"#),
            ),
            (
                "call without arguments",
                case_with_step(r#"{"operation": "ListPipelines", "body": {"a": "{{repeat(,)}}"}}"#),
            ),
            (
                "call with a huge count",
                case_with_step(
                    r#"{"operation": "ListPipelines", "body": {"a": "{{repeat(a, 99999999999999999999)}}"}}"#,
                ),
            ),
            (
                "timestamp at the edge",
                case_with_step(
                    r#"{"operation": "ListPipelines", "body": {"a": "{{timestamp(-9223372036854775808)}}"}}"#,
                ),
            ),
            (
                "signing a century ahead",
                case_with_step(r#"{"operation": "ListPipelines", "sign": {"time_offset": 3155760000}}"#),
            ),
            (
                "signing a century ago",
                case_with_step(r#"{"operation": "ListPipelines", "sign": {"time_offset": -3155760000}}"#),
            ),
            (
                "multi-byte characters before an error",
                "{\"about\": \"ééé\", \"source\": 1}".as_bytes().to_vec(),
            ),
            (
                "raw step with every part",
                case_with_step(
                    r#"{"raw": {"method": "PUT", "path": "/{{run}}?a=b", "headers": {"x-amz-target": "DataPipeline.ListPipelines"}, "body": "{{region}}"}, "sign": {"region": "{{region}}", "time_offset": -60}}"#,
                ),
            ),
            (
                "generated body",
                case_with_step(r#"{"raw": {"body": {"prefix": "[", "repeat": "0,", "times": 1000, "suffix": "0]"}}}"#),
            ),
        ]),
    );
}

/// The target's input layout: mode, target, content type, extra headers, body.
fn request(mode: u8, target: u8, content_type: u8, headers: &[(u8, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut data = vec![mode, target, content_type, headers.len() as u8];
    for (name, value) in headers {
        data.push(*name);
        data.push(value.len() as u8);
        data.extend_from_slice(value);
    }
    data.extend_from_slice(body);
    data
}

#[test]
fn reference_request_findings() {
    replay(reference_request, findings("reference_request"));
}

#[test]
fn reference_request_nasty_inputs() {
    const OFF: u8 = 0;
    const SIGNED: u8 = 2;
    const UNSIGNED: u8 = 3;
    // Byte 1: Operation::ALL's order.
    const CREATE: u8 = 2;
    const EVALUATE: u8 = 7;
    const PUT_DEFINITION: u8 = 11;
    const QUERY: u8 = 12;
    const SET_TASK_STATUS: u8 = 17;
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let mut inputs = vec![
        ("empty", Vec::new()),
        ("deeply nested body", request(OFF, CREATE, 0, &[], deep.as_bytes())),
        ("huge numbers", request(OFF, QUERY, 0, &[], br#"{"pipelineId": "$PIPELINE", "sphere": "INSTANCE", "limit": 1e400, "marker": "99999999999999999999999"}"#)),
        ("invalid UTF-8 body", request(OFF, CREATE, 0, &[], b"{\"name\": \"\xff\", \"uniqueId\": \"u\"}")),
        ("BOM before the body", request(OFF, CREATE, 0, &[], b"\xef\xbb\xbf{\"name\": \"n\", \"uniqueId\": \"u\"}")),
        ("expression at the nesting limit", request(OFF, EVALUATE, 0, &[], format!(r##"{{"pipelineId": "$PIPELINE", "objectId": "SayHello", "expression": "#{{{}1{}}}"}}"##, "(".repeat(2000), ")".repeat(2000)).as_bytes())),
        ("task finished twice", request(OFF, SET_TASK_STATUS, 0, &[], br#"{"taskId": "$TASK", "taskStatus": "FINISHED"}"#)),
        ("definition replaced by junk ids", request(OFF, PUT_DEFINITION, 0, &[], br#"{"pipelineId": "$PIPELINE", "pipelineObjects": [{"id": "", "name": "", "fields": []}]}"#)),
        ("unsigned with a forged authorization header", request(UNSIGNED, CREATE, 0, &[(0, b"AWS4-HMAC-SHA256 Credential=AKIDDPCONFORMTEST000/20121212/us-east-1/datapipeline/aws4_request, SignedHeaders=host, Signature=00")], br#"{"name": "n", "uniqueId": "u"}"#)),
        ("signed with odd headers", request(SIGNED, CREATE, 0, &[(9, b"a  b"), (2, b"Wed, 12 Dec 2012 01:30:00 GMT")], br#"{"name": "n", "uniqueId": "u"}"#)),
        ("signed with the other prefix", request(SIGNED, 19 + CREATE, 0, &[], br#"{"name": "n", "uniqueId": "u"}"#)),
        ("GET with a signature", request(SIGNED | 0x1c, CREATE, 0, &[], b"")),
        ("unknown content type", request(OFF, CREATE, 5, &[], b"{}")),
    ];
    for op in 0..19 {
        inputs.push((
            "every operation, empty object, signed",
            request(SIGNED, op, 0, &[], b"{}"),
        ));
        inputs.push(("every operation, placeholders", request(OFF, op, 0, &[], br#"{"pipelineId": "$PIPELINE", "taskId": "$TASK", "objectIds": ["SayHello"], "status": "PAUSE", "taskStatus": "FAILED", "workerGroup": "wg"}"#)));
    }
    replay(reference_request, named(inputs));
}

#[test]
fn reference_session_findings() {
    replay(reference_session, findings("reference_session"));
}

#[test]
fn reference_session_nasty_inputs() {
    // 4 bytes per call: operation (see src/fuzzing/reference_session.rs), 3 arguments.
    let session = |calls: &[[u8; 4]]| calls.concat();
    let (create, put, activate, delete, poll, task_status, advance, list, describe) = (0, 1, 2, 4, 5, 7, 9, 12, 13);
    replay(
        reference_session,
        named(vec![
            ("empty", Vec::new()),
            ("a lone byte", vec![12]),
            (
                "create, activate, poll, finish, delete, list",
                session(&[
                    [create, 0, 0, 0],
                    [put, 0, 0, 0],
                    [activate, 0, 0, 0],
                    [poll, 0, 0, 0],
                    [task_status, 0, 0, 0],
                    [delete, 0, 0, 0],
                    [list, 0, 0, 0],
                    [describe, 0, 0, 0],
                    [poll, 0, 0, 0],
                ]),
            ),
            (
                "every pair of names, then a year of time",
                session(&[
                    [create, 0, 0, 0],
                    [create, 0, 1, 0],
                    [create, 0, 2, 0],
                    [create, 1, 0, 0],
                    [create, 1, 1, 0],
                    [create, 1, 2, 0],
                    [create, 2, 0, 0],
                    [create, 2, 1, 0],
                    [create, 2, 2, 0],
                    [put, 3, 0, 0],
                    [activate, 3, 1, 0],
                    [advance, 255, 59, 0],
                    [poll, 0, 0, 0],
                    [list, 0, 0, 0],
                ]),
            ),
            ("every call on nothing", (0..16).flat_map(|op| [op, 0, 0, 0]).collect()),
        ]),
    );
}
