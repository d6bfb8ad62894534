//! The control routes of a local stand-in, under `/_dpconform/`: not part of
//! the Data Pipeline API, for test suites that drive the endpoint. They are
//! authenticated like API calls (nothing unsigned changes state) and answer
//! in the same envelope.
//!
//! - `POST /_dpconform/reset` with `{}` empties the caller's account in the
//!   region its signature names; with `{"all": true}` every account and region.
//! - `POST /_dpconform/clock` with `{"advance_seconds": N}` moves the service
//!   clock N seconds ahead (only with a manual clock); `{}` reads it. The answer
//!   is `{"now": <epoch seconds>, "time": "YYYY-MM-DDTHH:MM:SS"}`.

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::{json, Value};

use super::dates;
use super::dispatch::Request;
use super::error::{ApiError, ApiResult, ErrorKind};

/// The path prefix of every control route.
pub const PREFIX: &str = "/_dpconform/";

/// The longest step one clock request may take: 100 years.
const MAX_ADVANCE_SECONDS: f64 = 100.0 * 365.25 * 86_400.0;

/// A control request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Empty the caller's account and region, or every one.
    Reset { all: bool },
    /// Move the manual clock ahead (zero: only read it).
    Clock { advance: Duration },
}

/// Whether a request is addressed to a control route.
pub fn is_control(req: &Request) -> bool {
    req.uri().path().starts_with(PREFIX)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    #[serde(default)]
    all: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    #[serde(default)]
    advance_seconds: f64,
}

/// The command a control request asks for, or why it is refused.
pub fn parse(req: &Request) -> ApiResult<Command> {
    let path = req.uri().path();
    if !req.method().as_str().eq_ignore_ascii_case("POST") {
        return Err(ApiError::new(
            ErrorKind::UnknownOperation,
            format!("Control routes take POST, not {}", req.method()),
        ));
    }
    let body: &[u8] = if req.body().is_empty() { b"{}" } else { req.body() };
    let bad_body = |e: serde_json::Error| ApiError::serialization(format!("Bad body for {path}: {e}"));
    match &path[PREFIX.len()..] {
        "reset" => {
            let body: ResetBody = serde_json::from_slice(body).map_err(bad_body)?;
            Ok(Command::Reset { all: body.all })
        }
        "clock" => {
            let body: ClockBody = serde_json::from_slice(body).map_err(bad_body)?;
            let seconds = body.advance_seconds;
            if !(0.0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
                return Err(ApiError::invalid(format!(
                    "advance_seconds must be from 0 to {MAX_ADVANCE_SECONDS} (the clock only moves forward), not {seconds}"
                )));
            }
            Ok(Command::Clock {
                advance: Duration::from_secs_f64(seconds),
            })
        }
        other => Err(ApiError::new(
            ErrorKind::UnknownOperation,
            format!("No control route {PREFIX}{other}: there are {PREFIX}reset and {PREFIX}clock"),
        )),
    }
}

/// What a clock request answers.
pub fn clock_answer(now: SystemTime) -> Value {
    let millis = dates::unix_millis(now);
    json!({
        "now": millis as f64 / 1000.0,
        "time": dates::format_field(dates::unix_seconds(now)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn req(method: &str, path: &str, body: &str) -> Request {
        ::http::Request::builder()
            .method(method)
            .uri(path)
            .body(Bytes::from(body.to_string()))
            .unwrap()
    }

    #[test]
    fn commands() {
        assert_eq!(
            parse(&req("POST", "/_dpconform/reset", "")),
            Ok(Command::Reset { all: false })
        );
        assert_eq!(
            parse(&req("POST", "/_dpconform/reset", r#"{"all":true}"#)),
            Ok(Command::Reset { all: true })
        );
        assert_eq!(
            parse(&req("POST", "/_dpconform/clock", r#"{"advance_seconds":90}"#)),
            Ok(Command::Clock {
                advance: Duration::from_secs(90)
            })
        );
    }

    #[test]
    fn refusals() {
        let kind = |r: Request| parse(&r).unwrap_err().kind;
        assert_eq!(kind(req("GET", "/_dpconform/reset", "")), ErrorKind::UnknownOperation);
        assert_eq!(
            kind(req("POST", "/_dpconform/nothing", "")),
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            kind(req("POST", "/_dpconform/reset", r#"{"al":true}"#)),
            ErrorKind::Serialization
        );
        assert_eq!(
            kind(req("POST", "/_dpconform/clock", r#"{"advance_seconds":-1}"#)),
            ErrorKind::InvalidRequest
        );
        assert_eq!(kind(req("POST", "/_dpconform/clock", "[")), ErrorKind::Serialization);
    }
}
