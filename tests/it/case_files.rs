//! Malformed case files: each error names file, line and column, and says what
//! was expected.

use std::path::Path;

use dpconform::case::parse::{parse_case, parse_case_bytes};

fn error_of(text: &str) -> String {
    parse_case(Path::new("cases/x/bad.json"), "x::bad".into(), text)
        .expect_err("the file is malformed")
        .to_string()
}

const STEP: &str = r#"{ "operation": "ListPipelines" }"#;

fn case_with_step(step: &str) -> String {
    format!(
        "{{\n  \"about\": \"a\",\n  \"source\": \"s\", \"grade\": \"documented\",\n  \"steps\": [\n    {step}\n  ]\n}}"
    )
}

#[test]
fn a_well_formed_case_parses() {
    let case = parse_case(Path::new("cases/x/ok.json"), "x::ok".into(), &case_with_step(STEP)).expect("valid");
    assert_eq!(case.area, "x");
    assert_eq!(case.spec.steps.len(), 1);
}

#[test]
fn syntax_error_position() {
    assert_eq!(
        error_of("{\n  \"about\": \"a\",\n  \"source\": \"s\"\n  \"steps\": []\n}"),
        "cases/x/bad.json:4:3: expected `,` or `}`"
    );
}

#[test]
fn unknown_key_is_an_error_with_its_position() {
    let text = case_with_step(r#"{ "operation": "ListPipelines", "expect": { "stauts": 200 } }"#);
    assert_eq!(
        error_of(&text),
        "cases/x/bad.json:5:56: steps[0].expect.stauts: unknown field `stauts`, expected one of `grade`, `source`, `status`, `error`, \
         `message`, `headers`, `json`, `json_includes`, `json_excludes`, `body`, `snapshot`, `capture`, `redact`"
    );
}

#[test]
fn wrong_type_names_the_path() {
    let text = case_with_step(r#"{ "operation": "ListPipelines", "expect": { "status": "200" } }"#);
    assert_eq!(
        error_of(&text),
        "cases/x/bad.json:5:63: steps[0].expect.status: invalid type: string \"200\", expected u16"
    );
}

#[test]
fn missing_required_key() {
    assert_eq!(
        error_of("{\n  \"about\": \"a\",\n  \"grade\": \"observed\",\n  \"steps\": []\n}"),
        "cases/x/bad.json:5:1: missing field `source`"
    );
    assert_eq!(
        error_of("{\n  \"about\": \"a\",\n  \"source\": \"s\",\n  \"steps\": []\n}"),
        "cases/x/bad.json:5:1: missing field `grade`"
    );
}

#[test]
fn a_grade_and_its_citation_must_fit() {
    let case = |grade: &str, source: &str| {
        format!(
            "{{\n  \"about\": \"a\",\n  \"source\": \"{source}\", \"grade\": \"{grade}\",\n  \"steps\": [{STEP}]\n}}"
        )
    };
    assert_eq!(
        error_of(&case("guessed", "s")),
        "cases/x/bad.json:3:35: grade: unknown variant `guessed`, expected one of `observed`, `model`, `documented`, `inferred`"
    );
    assert_eq!(
        error_of(&case("inferred", "API Reference")),
        "cases/x/bad.json:3:13: grade `inferred` needs a `source` that starts with `inferred:` and says why"
    );
    assert_eq!(
        error_of(&case("observed", "inferred: a guess")),
        "cases/x/bad.json:3:13: the `source` says inferred, but the grade is `observed`: make the grade `inferred`, or cite the evidence"
    );
    let step = r#"{ "operation": "ListPipelines", "expect": { "grade": "inferred" } }"#;
    assert_eq!(
        error_of(&case_with_step(step)),
        "cases/x/bad.json:5:58: a step's own `grade` needs its own `source` (the citation)"
    );
    let step = r#"{ "operation": "ListPipelines", "expect": { "grade": "observed", "source": "inferred: x" } }"#;
    assert_eq!(
        error_of(&case_with_step(step)),
        "cases/x/bad.json:5:80: the `source` says inferred, but the grade is `observed`: make the grade `inferred`, or cite the evidence"
    );
}

#[test]
fn unknown_operation_points_at_the_operation_and_suggests() {
    let text = case_with_step(r#"{ "operation": "createPipeline" }"#);
    assert_eq!(
        error_of(&text),
        "cases/x/bad.json:5:20: unknown operation `createPipeline` (did you mean `CreatePipeline`?); \
         use a `raw` step to send an unknown target"
    );
}

#[test]
fn undefined_variable_points_at_the_step() {
    let text = case_with_step(r#"{ "operation": "DeletePipeline", "body": { "pipelineId": "{{pipeline}}" } }"#);
    let error = error_of(&text);
    assert!(
        error.starts_with("cases/x/bad.json:5:5: `{{pipeline}}` is not defined here"),
        "{error}"
    );
}

#[test]
fn a_variable_captured_by_an_earlier_step_is_defined() {
    let text = r#"{ "about": "a", "source": "s", "grade": "documented", "steps": [
        { "operation": "CreatePipeline", "body": { "name": "n", "uniqueId": "u" },
          "expect": { "capture": { "p": "/pipelineId" } } },
        { "operation": "DeletePipeline", "body": { "pipelineId": "{{p}}" } } ] }"#;
    assert!(parse_case(Path::new("c.json"), "x::c".into(), text).is_ok());
}

#[test]
fn a_step_needs_exactly_one_of_operation_and_raw() {
    let error = error_of(&case_with_step(r#"{ "name": "nothing" }"#));
    assert_eq!(
        error,
        "cases/x/bad.json:5:5: a step needs `operation` (an API call) or `raw` (a request sent as written)"
    );
    let error = error_of(&case_with_step(r#"{ "operation": "ListPipelines", "raw": {} }"#));
    assert_eq!(
        error,
        "cases/x/bad.json:5:44: a step has either `operation` or `raw`, not both"
    );
}

#[test]
fn bad_regex_and_bad_skip_check_are_reported() {
    let error = error_of(&case_with_step(
        r#"{ "operation": "ListPipelines", "expect": { "message": "(" } }"#,
    ));
    assert!(
        error.starts_with("cases/x/bad.json:5:64: steps[0].expect.message: not a valid regular expression"),
        "{error}"
    );
    let error = error_of(&case_with_step(
        r#"{ "operation": "ListPipelines", "skip_checks": { "status": "x" } }"#,
    ));
    assert!(
        error.starts_with("cases/x/bad.json:5:64: `status` is not an envelope check"),
        "{error}"
    );
}

#[test]
fn bad_template_is_reported() {
    let error = error_of(&case_with_step(
        r#"{ "operation": "ListPipelines", "body": { "marker": "{{repeat(a)}}" } }"#,
    ));
    assert_eq!(error, "cases/x/bad.json:5:45: `repeat` does not take 1 argument(s)");
}

#[test]
fn trailing_content_is_an_error() {
    let error = error_of(&format!("{}\n{{}}", case_with_step(STEP)));
    assert_eq!(error, "cases/x/bad.json:8:1: trailing characters");
}

#[test]
fn text_that_is_not_utf8_is_an_error_at_the_bad_byte() {
    let bytes = b"{\n  \"about\": \"caf\xe9\"\n}";
    let e = parse_case_bytes(Path::new("cases/x/y.json"), "x::y".into(), bytes).unwrap_err();
    assert_eq!(e.to_string(), "cases/x/y.json:2:16: the case file is not valid UTF-8");
}

#[test]
fn a_generated_body_is_bounded() {
    let step = |times: &str| format!(r#"{{ "raw": {{ "body": {{"repeat": "ab", "times": {times}}} }} }}"#);
    let at_limit = case_with_step(&step("33554432"));
    assert!(parse_case(Path::new("cases/x/ok.json"), "x::ok".into(), &at_limit).is_ok());
    assert_eq!(
        error_of(&case_with_step(&step("33554433"))),
        "cases/x/bad.json:5:50: the generated body must be at most 67108864 bytes"
    );
    assert!(error_of(&case_with_step(&step("18446744073709551615"))).ends_with("at most 67108864 bytes"));
}

#[test]
fn a_signing_time_offset_is_bounded() {
    let step = |offset: &str| format!(r#"{{ "operation": "ListPipelines", "sign": {{"time_offset": {offset}}} }}"#);
    for ok in ["3155760000", "-3155760000"] {
        assert!(parse_case(Path::new("cases/x/ok.json"), "x::ok".into(), &case_with_step(&step(ok))).is_ok());
    }
    assert_eq!(
        error_of(&case_with_step(&step("-9223372036854775808"))),
        "cases/x/bad.json:5:61: must be within ±3155760000 seconds (100 years)"
    );
}

#[test]
fn every_broken_step_of_a_file_is_reported_in_one_run() {
    let text = "{\n  \"about\": \"\",\n  \"source\": \"s\", \"grade\": \"documented\",\n  \"steps\": [\n    \
                { \"operation\": \"ListPipeline\" },\n    \
                { \"operation\": \"ListPipelines\", \"body\": { \"marker\": \"{{nope}}\" } }\n  ]\n}";
    let error = error_of(text);
    let lines: Vec<&str> = error.lines().collect();
    assert_eq!(lines.len(), 3, "{error}");
    assert!(lines[0].starts_with("cases/x/bad.json:2:"), "{error}");
    assert!(lines[0].contains("`about`"), "{error}");
    assert!(
        lines[1].starts_with("cases/x/bad.json:5:") && lines[1].contains("ListPipeline"),
        "{error}"
    );
    assert!(
        lines[2].starts_with("cases/x/bad.json:6:") && lines[2].contains("nope"),
        "{error}"
    );
}

#[test]
fn every_unknown_key_and_wrong_type_of_a_file_is_reported_in_one_run() {
    let text = "{\n  \"about\": \"a\",\n  \"source\": \"s\", \"grade\": \"documented\",\n  \"colour\": 1,\n  \"steps\": [\n    \
                { \"operation\": \"ListPipelines\", \"expectt\": {} },\n    \
                { \"operation\": \"ListPipelines\", \"retry\": \"often\" }\n  ]\n}";
    let error = error_of(text);
    let lines: Vec<&str> = error.lines().collect();
    assert_eq!(lines.len(), 3, "{error}");
    assert!(
        lines[0].starts_with("cases/x/bad.json:4:") && lines[0].contains("unknown field `colour`"),
        "{error}"
    );
    assert!(
        lines[1].starts_with("cases/x/bad.json:6:") && lines[1].contains("unknown field `expectt`"),
        "{error}"
    );
    assert!(
        lines[2].starts_with("cases/x/bad.json:7:") && lines[2].contains("steps[1].retry"),
        "{error}"
    );
}

#[test]
fn a_syntax_error_is_reported_alone_and_a_removed_required_member_is_not_missing() {
    let broken = "{\n  \"about\": \"a\",\n  \"source\": \"s\" \"grade\": \"documented\"\n}";
    assert_eq!(error_of(broken).lines().count(), 1, "{}", error_of(broken));
    let wrong_type = "{\n  \"about\": 5,\n  \"source\": \"s\", \"grade\": \"documented\", \"steps\": []\n}";
    let error = error_of(wrong_type);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(!error.contains("missing field"), "{error}");
}
