//! Checks every response must pass, whatever the step expects: request ID
//! (present, unique in the run), CRC32 of the body, Content-Type,
//! Content-Length, Date and the HTTP version. Status is checked with the expectations.

use std::collections::BTreeMap;

use super::CheckFailure;
use super::CheckName;
use super::RunContext;
use crate::send::client::RawResponse;
use dpconform_protocol::CONTENT_TYPE;

/// The header that carries the request id.
const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";
/// The header that carries the CRC32 of the body.
const CRC32_HEADER: &str = "x-amz-crc32";

/// Runs the envelope checks not switched off in `skip`; `step` names the step
/// for the uniqueness check's message.
pub(crate) fn check(
    response: &RawResponse,
    skip: &BTreeMap<String, String>,
    context: &RunContext,
    step: &str,
) -> Vec<CheckFailure> {
    let on = |c: CheckName| !skip.contains_key(c.as_str());
    let mut failures = Vec::new();
    let mut fail = |c: CheckName, m: String| failures.push(CheckFailure::new(c, m));

    let request_id = response.header(REQUEST_ID_HEADER).map(str::trim);
    match request_id {
        None if on(CheckName::RequestId) => fail(CheckName::RequestId, format!("no {REQUEST_ID_HEADER} header")),
        Some("") if on(CheckName::RequestId) => fail(CheckName::RequestId, format!("{REQUEST_ID_HEADER} is empty")),
        Some(id) if !id.is_empty() && on(CheckName::RequestIdUnique) => {
            if let Err(first) = context.record_request_id(id, step) {
                fail(
                    CheckName::RequestIdUnique,
                    format!("{REQUEST_ID_HEADER} {id:?} was already returned to {first}"),
                );
            }
        }
        _ => {}
    }

    if on(CheckName::Crc32) {
        let actual = crc32fast::hash(&response.body);
        // observed: none of the 127 real answers recorded in
        // evidence/ansible-community-aws-data-pipeline-placebo-recordings.md
        // carries x-amz-crc32, so its absence is no difference; the SDKs check
        // it when it is there, so a present one must be right.
        match response.header(CRC32_HEADER).map(str::trim) {
            None => {}
            Some(text) => match text.parse::<u32>() {
                Err(_) => fail(
                    CheckName::Crc32,
                    format!("{CRC32_HEADER} {text:?} is not an unsigned decimal CRC32 (expected {actual})"),
                ),
                Ok(declared) if declared != actual => fail(
                    CheckName::Crc32,
                    format!(
                        "{CRC32_HEADER} says {declared}, but the CRC32 of the {} body bytes is {actual}",
                        response.body.len()
                    ),
                ),
                Ok(_) => {}
            },
        }
    }

    if on(CheckName::ContentType) {
        match response.header("content-type") {
            None => fail(
                CheckName::ContentType,
                format!("no Content-Type header (expected {CONTENT_TYPE})"),
            ),
            Some(value) => {
                let media_type = value.split(';').next().unwrap_or_default().trim();
                if !media_type.eq_ignore_ascii_case(CONTENT_TYPE) {
                    fail(
                        CheckName::ContentType,
                        format!("Content-Type is {value:?}, expected {CONTENT_TYPE}"),
                    );
                }
            }
        }
    }

    if on(CheckName::ContentLength) {
        match response.header("content-length").map(str::trim) {
            None => fail(
                CheckName::ContentLength,
                format!("no Content-Length header (body is {} bytes)", response.body.len()),
            ),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n == response.body.len() => {}
                Ok(n) => fail(
                    CheckName::ContentLength,
                    format!("Content-Length says {n}, but the body is {} bytes", response.body.len()),
                ),
                Err(_) => fail(
                    CheckName::ContentLength,
                    format!("Content-Length {text:?} is not a number"),
                ),
            },
        }
    }

    if on(CheckName::Date) {
        match response.header("date") {
            None => fail(CheckName::Date, "no Date header".into()),
            Some(value) => {
                if let Err(e) = httpdate::parse_http_date(value.trim()) {
                    fail(CheckName::Date, format!("Date {value:?} is not an HTTP date: {e}"));
                }
            }
        }
    }
    // The service answers HTTP/1.1 requests in HTTP/1.1 (keep-alive, a length per body);
    // an HTTP/1.0 answer forces a connection per request on every client.
    if on(CheckName::HttpVersion) && response.version != http::Version::HTTP_11 {
        fail(
            CheckName::HttpVersion,
            format!("the response is {:?}, expected HTTP/1.1", response.version),
        );
    }
    failures
}
