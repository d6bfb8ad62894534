//! The service's per-account call rates (`dpconform serve --throttle`): a
//! token bucket per (account, action), refilled at the action's regular rate
//! up to its burst, driven by the time the core is given (never by a timer),
//! so that a manual clock makes it deterministic.
//!
//! documented: Developer Guide, "AWS Data Pipeline Limits", Web Service Call
//! Limits (https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-limits.html;
//! shared api-behaviour.md §5 "Rates"): "The following limits apply to a single
//! AWS account"; burst 100 calls for every listed action; "If you exceed the
//! rate limit and the burst limit, your web service call fails and returns a
//! throttling exception". The same page's prose gives CreatePipeline "one call
//! each five seconds" against "1 call per second" in its table; the table wins
//! here. inferred: the buckets are per account across regions (the page says
//! per account and does not mention regions; UNK).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use dpconform_protocol::Operation;

use crate::error::{ApiError, ErrorKind};

/// Calls an account may save up per action (documented: 100 for every action).
pub const BURST: f64 = 100.0;

/// The regular rate of `operation`, in calls per second.
pub fn calls_per_second(operation: Operation) -> f64 {
    match operation {
        // documented: 10 calls per second.
        Operation::ReportTaskProgress | Operation::SetTaskStatus => 10.0,
        // documented: 2 calls per second.
        Operation::DescribeObjects | Operation::PollForTask | Operation::QueryObjects => 2.0,
        // documented: 1 call per second for ActivatePipeline, CreatePipeline,
        // DeletePipeline, DescribePipelines, GetPipelineDefinition, ListPipelines,
        // PutPipelineDefinition, SetStatus, ReportTaskRunnerHeartbeat and
        // ValidatePipelineDefinition. inferred: AddTags, RemoveTags,
        // DeactivatePipeline and EvaluateExpression are not listed; they get
        // the rate of the other listed actions, 1 call per second, burst 100.
        _ => 1.0,
    }
}

/// The answer to a call over its action's rate and burst.
///
/// documented: a "throttling exception" (DG dp-limits) and `ThrottlingException`,
/// HTTP 400 (api-behaviour.md §1, AWS Common Errors). inferred: the message
/// `Rate exceeded`, the text AWS's awsJson services send with it (the Data
/// Pipeline one is UNK).
pub fn throttled() -> ApiError {
    ApiError::new(ErrorKind::Throttling, "Rate exceeded")
}

/// The buckets of every account and action seen so far.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<(String, Operation), Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// When `tokens` was last brought up to date.
    at: SystemTime,
}

impl Limiter {
    /// Takes one call of `operation` by `account` at `now` from its bucket,
    /// or refuses it with `ThrottlingException` when the bucket is empty. A
    /// bucket starts full; a clock that goes backwards refills nothing.
    pub fn admit(&self, account: &str, operation: Operation, now: SystemTime) -> Result<(), ApiError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets
            .entry((account.to_string(), operation))
            .or_insert(Bucket { tokens: BURST, at: now });
        if let Ok(elapsed) = now.duration_since(bucket.at) {
            bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * calls_per_second(operation)).min(BURST);
            bucket.at = now;
        }
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(throttled())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_operation_has_a_documented_or_inferred_rate() {
        for op in Operation::ALL {
            let rate = calls_per_second(*op);
            assert!([1.0, 2.0, 10.0].contains(&rate), "{op:?}: {rate}");
        }
        assert_eq!(calls_per_second(Operation::SetTaskStatus), 10.0);
        assert_eq!(calls_per_second(Operation::QueryObjects), 2.0);
        assert_eq!(calls_per_second(Operation::CreatePipeline), 1.0);
    }

    #[test]
    fn a_clock_going_back_refills_nothing() {
        let limiter = Limiter::default();
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        for _ in 0..100 {
            limiter.admit("a", Operation::ListPipelines, t).unwrap();
        }
        assert!(limiter
            .admit("a", Operation::ListPipelines, t - Duration::from_secs(60))
            .is_err());
        assert!(limiter.admit("a", Operation::ListPipelines, t).is_err());
        assert!(limiter
            .admit("a", Operation::ListPipelines, t + Duration::from_secs(1))
            .is_ok());
    }
}
