//! Retrying a request the endpoint throttled, as the service asks clients to
//! ("If you write a worker, we recommend that you implement similar retry
//! logic": Developer Guide, AWS Data Pipeline Limits): exponential backoff
//! with jitter, a few times, within the step's deadline.

use std::time::Duration;

use crate::case::Step;
use crate::send::client::RawResponse;

/// The error type of a throttled call (documented: HTTP 400, `ThrottlingException`).
pub const THROTTLING: &str = "ThrottlingException";

/// Retries of one request at most; with [`FIRST_DELAY`] doubling, about 3 s
/// of waiting in all.
pub const MAX_RETRIES: u32 = 5;

/// The wait before the first retry; each further one waits twice as long.
pub const FIRST_DELAY: Duration = Duration::from_millis(100);

/// Whether `response` says the call was throttled.
pub fn is_throttled(response: &RawResponse) -> bool {
    response.status == 400
        && serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|body| dpconform_protocol::error_type(&body))
            .is_some_and(|t| t == THROTTLING)
}

/// Whether a throttled answer to `step` may be retried: not when the case
/// expects the throttling itself.
pub fn may_retry(step: &Step) -> bool {
    step.expect.error.as_deref() != Some(THROTTLING)
}

/// The wait before retry number `retry` (0-based): [`FIRST_DELAY`] doubled
/// `retry` times, of which a random half ("equal jitter"), so that clients
/// throttled together do not all come back at once.
pub fn backoff(retry: u32) -> Duration {
    let full = FIRST_DELAY.saturating_mul(1 << retry.min(16));
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waits_double_with_jitter_within_each_half() {
        for retry in 0..MAX_RETRIES {
            let full = FIRST_DELAY * (1 << retry);
            let wait = backoff(retry);
            assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait:?}");
        }
    }

    #[test]
    fn a_step_that_expects_the_throttling_is_not_retried() {
        let step = |json: &str| serde_json::from_str::<Step>(json).expect("a step");
        assert!(may_retry(&step(r#"{"operation": "ListPipelines", "body": {}}"#)));
        assert!(may_retry(&step(
            r#"{"operation": "ListPipelines", "body": {}, "expect": {"error": "ValidationException"}}"#
        )));
        assert!(!may_retry(&step(
            r#"{"operation": "ListPipelines", "body": {}, "expect": {"error": "ThrottlingException"}}"#
        )));
    }

    #[test]
    fn only_a_400_throttling_exception_is_throttled() {
        let response = |status: u16, body: &str| RawResponse {
            version: http::Version::HTTP_11,
            status,
            headers: Vec::new(),
            body: body.to_string().into(),
        };
        assert!(is_throttled(&response(
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#
        )));
        assert!(is_throttled(&response(
            400,
            r#"{"__type":"com.amazon.coral#ThrottlingException"}"#
        )));
        assert!(!is_throttled(&response(400, r#"{"__type":"InvalidRequestException"}"#)));
        assert!(!is_throttled(&response(500, r#"{"__type":"ThrottlingException"}"#)));
        assert!(!is_throttled(&response(400, "not json")));
    }
}
