//! Reference-request target: bytes -> one request (method, target, content
//! type, extra headers, body; unsigned, or signed with the test credentials)
//! -> [`Reference::handle`] on an endpoint holding an active pipeline with a
//! task handed out.
//!
//! Input layout: byte 0 mode (authentication and method), byte 1 target,
//! byte 2 content type, byte 3 number of extra headers, then per header a
//! name byte, a length byte and that many value bytes; the rest is the body.
//! In the body, `$PIPELINE` and `$TASK` stand for the endpoint's pipeline id
//! and task id, so the fuzzer can reach past "not found".

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{json, Value};

use crate::send::request::PreparedRequest;
use crate::send::sign::sign_request;
use crate::send::target::Credentials;
use dpconform_reference::{Config, ManualClock, Operation, Reference};

type Request = http::Request<Bytes>;
type Response = http::Response<Bytes>;

/// A header's value as text, if it is text.
fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// 2012-12-12T01:30:00Z: the hourly schedule below has instances due.
const NOW_SECS: u64 = 1_355_275_800;
const PIPELINE_TOKEN: &str = "$PIPELINE";
const TASK_TOKEN: &str = "$TASK";

const METHODS: [&str; 4] = ["GET", "PUT", "post", "DELETE"];
const CONTENT_TYPES: [&str; 9] = [
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
    "application/x-amz-json-1.1; charset=utf-8",
    " APPLICATION/JSON ",
    "text/plain",
    "",
    ";",
    "application/x-amz-json-1.1,application/json",
];
/// Names an extra header may take: the ones the endpoint reads, and others.
const HEADER_NAMES: [&str; 10] = [
    "authorization",
    "x-amz-date",
    "date",
    "x-amz-security-token",
    "host",
    "content-type",
    "x-amz-target",
    "X-Amz-Target",
    "content-length",
    "x-fuzz",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum AuthMode {
    Off,
    /// Authentication on, the request signed correctly.
    Signed,
    /// Authentication on, the request not signed (an extra header may still try).
    Unsigned,
}

/// The decoded input.
struct Input {
    auth: AuthMode,
    method: &'static str,
    target: Option<String>,
    content_type: Option<&'static str>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn decode(data: &[u8]) -> Input {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let mode = byte(0);
    let auth = match mode & 3 {
        0 | 1 => AuthMode::Off,
        2 => AuthMode::Signed,
        _ => AuthMode::Unsigned,
    };
    let method = if mode & 0x1c == 0x1c {
        METHODS[usize::from(mode >> 5) % METHODS.len()]
    } else {
        "POST"
    };
    let ops = Operation::ALL;
    let t = usize::from(byte(1));
    let target = match t % 48 {
        i if i < ops.len() => Some(format!("DataPipeline.{}", ops[i].name())),
        i if i < 2 * ops.len() => Some(format!("DataPipeline_20121129.{}", ops[i - ops.len()].name())),
        38 => None,
        39 => Some("DataPipeline.NoSuchOperation".into()),
        40 => Some(format!(
            "datapipeline.{}",
            ops[t / 48 % ops.len()].name().to_lowercase()
        )),
        41 => Some(format!(" DataPipeline.{} ", ops[t / 48 % ops.len()].name())),
        42 => Some("DataPipeline.".into()),
        _ => Some(format!("DataPipeline.{}", ops[t % ops.len()].name())),
    };
    let c = usize::from(byte(2));
    let content_type = (c < 3 * CONTENT_TYPES.len()).then(|| CONTENT_TYPES[c % CONTENT_TYPES.len()]);
    let mut at = 4;
    let mut headers = Vec::new();
    for _ in 0..byte(3) % 4 {
        let name = HEADER_NAMES[usize::from(byte(at)) % HEADER_NAMES.len()];
        let len = usize::from(byte(at + 1));
        let start = (at + 2).min(data.len());
        let end = (start + len).min(data.len());
        headers.push((
            name.to_string(),
            String::from_utf8_lossy(&data[start..end]).into_owned(),
        ));
        at = end;
    }
    let body = data.get(at..).unwrap_or_default().to_vec();
    Input {
        auth,
        method,
        target,
        content_type,
        headers,
        body,
    }
}

/// One request decoded from `data`, answered by a reference endpoint.
///
/// Properties: no panic (the core turns a panic into a 500, which is a
/// finding too); status 200 or 400; every response carries a request id, a
/// correct `x-amz-crc32` and `Content-Length`; a body is JSON, an error body
/// has `__type` and `message`; an unsigned request never succeeds with
/// authentication on; a correctly signed one never fails authentication.
pub fn reference_request(data: &[u8]) {
    let input = decode(data);
    let endpoint = Endpoint::new(input.auth != AuthMode::Off);
    let body = substitute(&input.body, &endpoint.pipeline_id, &endpoint.task_id);

    let mut headers = Vec::new();
    if let Some(target) = &input.target {
        headers.push(("X-Amz-Target".to_string(), target.clone()));
    }
    if let Some(ct) = input.content_type {
        headers.push(("Content-Type".to_string(), ct.to_string()));
    }
    headers.extend(input.headers.iter().cloned());
    let mut signed = false;
    let request = if input.auth == AuthMode::Signed {
        match endpoint.sign(input.method, headers.clone(), body.clone()) {
            Some(request) => {
                signed = true;
                request
            }
            None => plain(input.method, headers, body),
        }
    } else {
        plain(input.method, headers, body)
    };
    let handled = endpoint.reference.handle_detailed(&request);
    let response = &handled.response;
    let error_type = check_envelope(response);
    assert_eq!(
        handled.error_type, error_type,
        "the logged error type is not the body's"
    );
    if input.auth == AuthMode::Unsigned {
        assert_ne!(
            response.status(),
            200,
            "an unsigned request succeeded with authentication on"
        );
    }
    // Routed: the method, target and content type named an operation.
    if signed && handled.operation.is_some() {
        let auth_errors = [
            "MissingAuthenticationTokenException",
            "IncompleteSignatureException",
            "InvalidSignatureException",
            "UnrecognizedClientException",
        ];
        if let Some(t) = &error_type {
            assert!(
                !auth_errors.contains(&t.as_str()),
                "a correctly signed request failed authentication: {}",
                String::from_utf8_lossy(response.body())
            );
        }
    }
}

/// The envelope properties every answer has; returns the short error type.
pub(super) fn check_envelope(response: &Response) -> Option<String> {
    let body = response.body();
    let shown = String::from_utf8_lossy(body);
    let status = response.status().as_u16();
    assert!(status == 200 || status == 400, "status {status}: {shown}");
    assert!(
        header(response, "x-amzn-RequestId").is_some_and(|id| !id.is_empty()),
        "no x-amzn-RequestId"
    );
    assert_eq!(
        header(response, "x-amz-crc32"),
        Some(crc32fast::hash(body).to_string().as_str()),
        "x-amz-crc32 does not match the body"
    );
    assert_eq!(
        header(response, "content-length"),
        Some(body.len().to_string().as_str()),
        "Content-Length does not match the body"
    );
    if body.is_empty() {
        assert_eq!(status, 200, "an error without a body");
        return None;
    }
    let value: Value = serde_json::from_slice(body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {shown}"));
    assert!(value.is_object(), "body is not a JSON object: {shown}");
    if status == 200 {
        return None;
    }
    let wire_type = value["__type"]
        .as_str()
        .unwrap_or_else(|| panic!("error without __type: {shown}"));
    assert!(value["message"].is_string(), "error without message: {shown}");
    let short = dpconform_protocol::error_type(&value).unwrap_or_default();
    // With or without a `namespace#` prefix: clients read either (the reference
    // sends none, as the service did in 2017).
    assert!(
        !wire_type.is_empty() && !short.is_empty(),
        "__type names no error type: {shown}"
    );
    Some(short)
}

/// The request as the socket layer would hand it to the core: a header that is not
/// valid HTTP (a control character in its value) cannot arrive, so it is left out.
fn plain(method: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Request {
    let mut request = Request::new(Bytes::from(body));
    if let Ok(method) = http::Method::from_bytes(method.as_bytes()) {
        *request.method_mut() = method;
    }
    *request.uri_mut() = http::Uri::from_static("/");
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    request
}

/// Replaces the placeholders in a body with the endpoint's ids.
fn substitute(body: &[u8], pipeline_id: &str, task_id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(PIPELINE_TOKEN.as_bytes()) {
            out.extend_from_slice(pipeline_id.as_bytes());
            rest = after;
        } else if let Some(after) = rest.strip_prefix(TASK_TOKEN.as_bytes()) {
            out.extend_from_slice(task_id.as_bytes());
            rest = after;
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// A reference endpoint with an activated hourly pipeline and one task handed out.
struct Endpoint {
    reference: Reference,
    auth: bool,
    pipeline_id: String,
    task_id: String,
}

impl Endpoint {
    fn new(auth: bool) -> Endpoint {
        let clock = Arc::new(ManualClock::at_unix(NOW_SECS));
        let config = Config::embedded().with_clock(clock);
        let config = if auth { config } else { config.without_auth() };
        let mut endpoint = Endpoint {
            reference: Reference::new(config),
            auth,
            pipeline_id: String::new(),
            task_id: String::new(),
        };
        let created = endpoint.setup("CreatePipeline", json!({"name": "fuzz", "uniqueId": "fuzz"}));
        endpoint.pipeline_id = created["pipelineId"].as_str().unwrap_or_default().to_string();
        let id = endpoint.pipeline_id.clone();
        endpoint.setup(
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": hourly_definition()}),
        );
        endpoint.setup("ActivatePipeline", json!({"pipelineId": id}));
        let polled = endpoint.setup("PollForTask", json!({"workerGroup": "wg", "hostname": "fuzz"}));
        endpoint.task_id = polled["taskObject"]["taskId"].as_str().unwrap_or_default().to_string();
        assert!(!endpoint.task_id.is_empty(), "set-up: no task was handed out: {polled}");
        endpoint
    }

    /// A set-up call that must succeed.
    fn setup(&self, op: &str, body: Value) -> Value {
        let headers = vec![
            ("X-Amz-Target".to_string(), format!("DataPipeline.{op}")),
            ("Content-Type".to_string(), "application/x-amz-json-1.1".to_string()),
        ];
        let body = body.to_string().into_bytes();
        let request = if self.auth {
            self.sign("POST", headers, body).expect("set-up requests can be signed")
        } else {
            plain("POST", headers, body)
        };
        let response = self.reference.handle(request);
        let value: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        assert_eq!(response.status(), 200, "set-up {op} failed: {value}");
        value
    }

    /// The request signed with the test credentials at the endpoint's time;
    /// `None` when the signer refuses it (e.g. a header value it cannot sign).
    fn sign(&self, method: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Option<Request> {
        let credentials = Credentials {
            access_key: dpconform_protocol::test_credentials::ACCESS_KEY.into(),
            secret_key: dpconform_protocol::test_credentials::SECRET_KEY.into(),
            session_token: None,
            region: dpconform_protocol::test_credentials::REGION.into(),
        };
        let mut prepared = PreparedRequest {
            method: method.to_string(),
            url: "http://localhost/".into(),
            headers,
            body: Bytes::from(body),
            signing: None,
        };
        let now = UNIX_EPOCH + Duration::from_secs(NOW_SECS);
        sign_request(&mut prepared, &credentials, &Default::default(), now).ok()?;
        let count = prepared.headers.len();
        let request = plain(&prepared.method, prepared.headers, prepared.body.to_vec());
        // A header HTTP cannot carry would be left out, and the signature with it.
        (request.headers().len() == count).then_some(request)
    }
}

/// An hourly pipeline from 2012-12-12T00:00:00 with one shell activity on worker group `wg`.
pub(super) fn hourly_definition() -> Value {
    let field = |k: &str, v: &str| match v.strip_prefix('&') {
        Some(r) => json!({"key": k, "refValue": r}),
        None => json!({"key": k, "stringValue": v}),
    };
    json!([
        {"id": "Default", "name": "Default", "fields": [
            field("scheduleType", "cron"), field("workerGroup", "wg"), field("pipelineLogUri", "s3://logs/")]},
        {"id": "Hourly", "name": "Hourly", "fields": [
            field("type", "Schedule"), field("period", "1 hour"), field("startDateTime", "2012-12-12T00:00:00")]},
        {"id": "SayHello", "name": "SayHello", "fields": [
            field("type", "ShellCommandActivity"), field("command", "echo hello"), field("schedule", "&Hourly")]},
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str, crc: Option<u32>) -> Response {
        let crc = crc.unwrap_or_else(|| crc32fast::hash(body.as_bytes()));
        http::Response::builder()
            .status(status)
            .header("x-amzn-RequestId", "id")
            .header("x-amz-crc32", crc.to_string())
            .header("Content-Length", body.len().to_string())
            .body(Bytes::from(body.to_string()))
            .unwrap()
    }

    #[test]
    fn decodes_the_layout() {
        let input = decode(&[3, 40, 1, 1, 0, 2, b'a', b'b', b'{', b'}']);
        assert_eq!(input.auth, AuthMode::Unsigned);
        assert_eq!(input.method, "POST");
        assert_eq!(input.target.as_deref(), Some("datapipeline.activatepipeline"));
        assert_eq!(input.content_type, Some("application/x-amz-json-1.0"));
        assert_eq!(input.headers, vec![("authorization".to_string(), "ab".to_string())]);
        assert_eq!(input.body, b"{}");
        assert_eq!(decode(&[0x1c | 1 << 5]).method, "PUT");
    }

    #[test]
    fn substitutes_placeholders() {
        assert_eq!(
            substitute(b"[\"$PIPELINE\",\"$TASK\",$]", "df-1", "t"),
            b"[\"df-1\",\"t\",$]"
        );
    }

    #[test]
    fn a_good_envelope_passes() {
        assert_eq!(check_envelope(&response(200, "{}", None)), None);
        assert_eq!(check_envelope(&response(200, "", None)), None);
        let error = r#"{"__type": "a.b#PipelineNotFoundException", "message": "m"}"#;
        assert_eq!(
            check_envelope(&response(400, error, None)).as_deref(),
            Some("PipelineNotFoundException")
        );
    }

    #[test]
    #[should_panic(expected = "x-amz-crc32")]
    fn a_wrong_checksum_is_a_finding() {
        check_envelope(&response(200, "{}", Some(1)));
    }

    #[test]
    #[should_panic(expected = "status 500")]
    fn a_fault_is_a_finding() {
        check_envelope(&response(
            500,
            r#"{"__type": "a#InternalServiceError", "message": "m"}"#,
            None,
        ));
    }

    #[test]
    #[should_panic(expected = "error without __type")]
    fn an_error_without_type_is_a_finding() {
        check_envelope(&response(400, r#"{"message": "m"}"#, None));
    }

    #[test]
    #[should_panic(expected = "not JSON")]
    fn a_body_that_is_not_json_is_a_finding() {
        check_envelope(&response(400, "oops", None));
    }
}
