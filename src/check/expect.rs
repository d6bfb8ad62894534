//! The step's own expectations: status, error type and message, headers,
//! inline JSON, raw body, and captures. (Snapshots: [`crate::snapshot`].)

use serde_json::Value;

use super::json_match::{self, Mode};
use super::CheckFailure;
use super::{unified_diff, CheckName};
use crate::case::template::Scope;
use crate::case::{Expect, HeaderExpect, HeaderRule};
use crate::send::client::RawResponse;

/// The body as JSON: `None` when empty, `Err` when it is not JSON.
pub fn parse_body(response: &RawResponse) -> Option<Result<Value, String>> {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if let Err(e) = std::str::from_utf8(&response.body) {
        return Some(Err(format!(
            "the body is not valid UTF-8 (at byte {}), so not JSON: JSON text must be UTF-8",
            e.valid_up_to()
        )));
    }
    Some(serde_json::from_slice(&response.body).map_err(|e| {
        let start = String::from_utf8_lossy(&response.body[..response.body.len().min(80)]).into_owned();
        format!("the body is not JSON ({e}); it starts with {start:?}")
    }))
}

/// The status a step expects: as written, else 400 for an expected error, else 200.
pub fn expected_status(expect: &Expect) -> u16 {
    expect.status.unwrap_or(if expect.error.is_some() { 400 } else { 200 })
}

/// Checks everything but the envelope and the snapshot. Captured variables go into `scope`,
/// even when other checks fail, so that `finally` steps can still clean up.
pub fn check(
    expect: &Expect,
    response: &RawResponse,
    body: Option<&Result<Value, String>>,
    scope: &mut Scope,
) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    let status = expected_status(expect);
    if response.status != status {
        let error = match body {
            Some(Ok(json)) => dpconform_protocol::error_type(json)
                .map(|t| format!(" ({t})"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        failures.push(CheckFailure::new(
            CheckName::Status,
            format!("expected status {status}, got {}{error}", response.status),
        ));
    }

    for (name, rule) in &expect.headers {
        let actual = response.header(name);
        let problem = match rule {
            HeaderExpect::Equals(want) | HeaderExpect::Rule(HeaderRule::Equals(want)) => {
                let want = scope.render_str(want).unwrap_or_else(|e| e);
                match actual {
                    Some(v) if v == want => None,
                    Some(v) => Some(format!("{name} is {v:?}, expected {want:?}")),
                    None => Some(format!("{name} is missing, expected {want:?}")),
                }
            }
            HeaderExpect::Rule(HeaderRule::Matches(pattern)) => match actual {
                Some(v) if pattern.is_match(v) => None,
                Some(v) => Some(format!("{name} is {v:?}, which does not match /{pattern}/")),
                None => Some(format!("{name} is missing, expected to match /{pattern}/")),
            },
            HeaderExpect::Rule(HeaderRule::Present(_)) => actual.is_none().then(|| format!("{name} is missing")),
            HeaderExpect::Rule(HeaderRule::Absent(_)) => actual.map(|v| format!("{name} should be absent, is {v:?}")),
        };
        if let Some(message) = problem {
            failures.push(CheckFailure::new(CheckName::Headers, message));
        }
    }

    if let Some(want) = &expect.body {
        let want = scope.render_str(want).unwrap_or_else(|e| e);
        let got = String::from_utf8_lossy(&response.body);
        if got != want {
            failures.push(
                CheckFailure::new(
                    CheckName::Body,
                    format!("the body is not the expected {} bytes", want.len()),
                )
                .with_diff(unified_diff(&want, &got)),
            );
        }
        return failures;
    }

    let json = match body {
        Some(Err(message)) => {
            failures.push(CheckFailure::new(CheckName::Body, message.clone()));
            return failures;
        }
        Some(Ok(json)) => Some(json),
        None => None,
    };

    // Captures first: later expectations of the same step may name them (`{"{{attempt}}": ...}`).
    for (name, pointer) in &expect.capture {
        match json.and_then(|j| j.pointer(pointer)) {
            Some(value) => scope.set(name, value.clone()),
            None => failures.push(CheckFailure::new(
                CheckName::Capture,
                format!("nothing at {pointer} to capture as `{name}`"),
            )),
        }
    }

    if let Some(want) = &expect.error {
        let got = json.and_then(dpconform_protocol::error_type);
        match got {
            Some(got) if &got == want => {}
            Some(got) => failures.push(CheckFailure::new(
                CheckName::ErrorType,
                format!("expected error {want}, got {got}"),
            )),
            None => failures.push(CheckFailure::new(
                CheckName::ErrorType,
                format!("expected error {want}, but the body has no __type"),
            )),
        }
    }
    if let Some(pattern) = &expect.message {
        let got = json.and_then(dpconform_protocol::error_message);
        match got {
            Some(m) if pattern.is_match(m) => {}
            Some(m) => failures.push(CheckFailure::new(
                CheckName::ErrorMessage,
                format!("message {m:?} does not match /{pattern}/"),
            )),
            None => failures.push(CheckFailure::new(CheckName::ErrorMessage, "the body has no message")),
        }
    }

    for (want, mode) in [(&expect.json, Mode::Exact), (&expect.json_includes, Mode::Includes)] {
        let Some(want) = want else { continue };
        let actual = json.cloned().unwrap_or(Value::Null);
        if let Err(message) = json_match::matches(want, &actual, mode, scope) {
            let expected_text = pretty(&json_match::render_expected(want, scope));
            failures.push(
                CheckFailure::new(CheckName::Json, message).with_diff(unified_diff(&expected_text, &pretty(&actual))),
            );
        }
    }

    if let Some(unwanted) = &expect.json_excludes {
        let actual = json.cloned().unwrap_or(Value::Null);
        if json_match::matches(unwanted, &actual, Mode::Includes, scope).is_ok() {
            failures.push(
                CheckFailure::new(CheckName::Json, "the body includes what `json_excludes` rules out").with_diff(
                    unified_diff(
                        &format!("(not) {}", pretty(&json_match::render_expected(unwanted, scope))),
                        &pretty(&actual),
                    ),
                ),
            );
        }
    }

    failures
}

/// JSON as shown in failure messages and snapshots (pretty-printed).
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
