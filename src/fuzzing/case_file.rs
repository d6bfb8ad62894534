//! Case-file target: bytes -> the parser the CLI uses -> (when valid) every
//! step rendered and signed as the runner would.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use crate::case::template::Scope;
use crate::case::{parse, Case, CaseFileError};
use crate::send::request::prepare;
use crate::send::sign::sign_request;
use crate::send::target::Credentials;

const PATH: &str = "cases/fuzz/input.json";
const ENDPOINT: &str = "http://127.0.0.1:9";
/// 2023-11-14T22:13:20Z: a fixed "now" keeps a finding reproducible.
const NOW_SECS: u64 = 1_700_000_000;
/// Smaller than the runner's allowance, so that inputs near it stay fast.
const RENDER_LIMIT: usize = 1024 * 1024;

/// Parses `data` as a case file; a valid case is then rendered step by step.
///
/// Properties: no panic; an error names the fake path and a line and column
/// inside the input, with a message; a request's body and URL stay within a
/// bound set by the rendering allowance and the input's size, whatever
/// `repeat` and variables ask for.
pub fn case_file(data: &[u8]) {
    let path = Path::new(PATH);
    match parse::parse_case_bytes(path, "fuzz::input".into(), data) {
        Ok(case) => render_steps(&case, data.len()),
        Err(e) => check_error(&e, data),
    }
}

fn check_error(e: &CaseFileError, data: &[u8]) {
    assert_eq!(e.path, Path::new(PATH), "error names another file: {e}");
    let lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    assert!(
        (1..=lines.len()).contains(&e.line),
        "line {} outside the input's {} line(s): {e}",
        e.line,
        lines.len()
    );
    let line_len = lines[e.line - 1].len();
    assert!(
        (1..=line_len + 1).contains(&e.column),
        "column {} outside line {} ({line_len} bytes): {e}",
        e.column,
        e.line
    );
    assert!(!e.message.trim().is_empty(), "an error without a message: {e}");
    let shown = e.to_string();
    let prefix = format!("{PATH}:{}:{}: ", e.line, e.column);
    assert!(shown.starts_with(&prefix), "not `path:line:column: message`: {shown}");
}

/// What the runner does with a case before sending anything: variables, then
/// each step prepared and signed; a captured variable gets a stand-in value.
fn render_steps(case: &Case, data_len: usize) {
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    let mut scope = Scope::new(now).with_render_limit(RENDER_LIMIT);
    for (name, value) in [
        ("run", "fuzz-run"),
        ("run_id", "fuzz"),
        ("case", case.name.as_str()),
        ("access_key", dpconform_protocol::test_credentials::ACCESS_KEY),
        ("region", dpconform_protocol::test_credentials::REGION),
    ] {
        scope.set(name, value.into());
    }
    for (name, value) in &case.spec.vars {
        match scope.render_value(value) {
            Ok(v) => scope.set(name, v),
            // The runner fails the case here.
            Err(_) => return,
        }
    }
    let credentials = Credentials {
        access_key: dpconform_protocol::test_credentials::ACCESS_KEY.into(),
        secret_key: dpconform_protocol::test_credentials::SECRET_KEY.into(),
        session_token: None,
        region: dpconform_protocol::test_credentials::REGION.into(),
    };
    for step in case.spec.steps.iter().chain(&case.spec.finally) {
        if let Ok(mut request) = prepare(step, ENDPOINT, &mut scope) {
            // A rendered character takes at most 6 bytes in JSON (`\u001f`).
            let bound = 6 * (RENDER_LIMIT + data_len);
            assert!(
                request.body.len() <= bound,
                "a {} byte body from a {data_len} byte case",
                request.body.len()
            );
            assert!(
                request.url.len() <= ENDPOINT.len() + 1 + RENDER_LIMIT,
                "a {} byte URL",
                request.url.len()
            );
            if step.operation.is_some() {
                let body: Result<serde_json::Value, _> = serde_json::from_slice(&request.body);
                assert!(
                    body.is_ok_and(|b| b.is_object()),
                    "an operation step's body is not a JSON object"
                );
            }
            if let Some(overrides) = request.signing.clone() {
                let _ = sign_request(&mut request, &credentials, &overrides, now);
            }
        }
        for name in step.expect.capture.keys() {
            scope.set(name, "fuzz-captured".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(line: usize, column: usize) -> CaseFileError {
        CaseFileError {
            path: PATH.into(),
            line,
            column,
            message: "m".into(),
            further: Vec::new(),
        }
    }

    #[test]
    fn positions_inside_the_input_pass() {
        check_error(&error(2, 2), b"{\n}");
        check_error(&error(1, 1), b"");
    }

    #[test]
    #[should_panic(expected = "line 3 outside")]
    fn a_line_past_the_end_is_a_finding() {
        check_error(&error(3, 1), b"{\n}");
    }

    #[test]
    #[should_panic(expected = "column 4 outside")]
    fn a_column_past_the_line_is_a_finding() {
        check_error(&error(1, 4), b"ab\ncdef");
    }
}
