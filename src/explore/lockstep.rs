//! Running a sequence against the endpoint and, in lock step, against a fresh
//! in-process reference (no HTTP), comparing every answer.
//!
//! The reference's clock is a manual one set to the wall clock before each of
//! its calls, so that it and the endpoint see the same "now" (an endpoint's
//! clock cannot be driven from here; within a sequence that is the time
//! between two calls). A PollForTask goes to the endpoint only when the
//! reference hands out a task: an empty poll would hold the call open for the
//! endpoint's long-poll wait (20 s on `serve`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::compare::{self, Normal, Signature};
use super::sequence::{bind, render, Bindings, Call, RUN_VAR};
use crate::case::SignOverrides;
use crate::check::{envelope, RunContext};
use crate::send::client::{HttpClient, RawResponse};
use crate::send::request::PreparedRequest;
use crate::send::sign::sign_request;
use crate::send::target::Credentials;
use dpconform_protocol::{CONTENT_TYPE, TARGET_PREFIX};
use dpconform_reference::{operation_request, Config, ManualClock, Reference};

/// The endpoint under exploration: where to send, how to sign, how fast.
pub struct Endpoint {
    client: HttpClient,
    url: String,
    credentials: Credentials,
    timeout: Duration,
    /// How long an empty poll may wait for the endpoint's answer, when empty polls are sent.
    empty_polls: Option<Duration>,
    /// Earliest time of the next request, when a rate is set.
    pace: Option<(Mutex<Instant>, Duration)>,
}

impl Endpoint {
    /// An endpoint at `url` (no trailing slash), each request within `timeout`,
    /// at most `rate` requests per second when given.
    pub fn new(url: &str, credentials: Credentials, timeout: Duration, rate: Option<f64>) -> Result<Endpoint, String> {
        let pace = match rate {
            Some(r) if !(r.is_finite() && r > 0.0) => return Err(format!("--rate must be above 0, not {r}")),
            Some(r) => Some((Mutex::new(Instant::now()), Duration::from_secs_f64(1.0 / r))),
            None => None,
        };
        Ok(Endpoint {
            client: HttpClient::new(timeout)?,
            url: url.trim_end_matches('/').to_string(),
            credentials,
            timeout,
            empty_polls: None,
            pace,
        })
    }

    /// Also sends PollForTask when the reference has no task for it, waiting at
    /// most `wait` for the endpoint's answer: an answer is compared, and a poll
    /// held open that long counts as the reference's (no task). Off by default:
    /// against a long-polling endpoint each empty poll costs `wait`.
    pub fn with_empty_polls(mut self, wait: Duration) -> Endpoint {
        self.empty_polls = Some(wait);
        self
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What requests to it are signed with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The deadline of each request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether its requests are paced (`--rate`).
    pub fn is_paced(&self) -> bool {
        self.pace.is_some()
    }

    async fn call(&self, operation: &str, body: &Value) -> Result<RawResponse, String> {
        if let Some((next, interval)) = &self.pace {
            let at = {
                let mut next = next.lock().await;
                let at = (*next).max(Instant::now());
                *next = at + *interval;
                at
            };
            tokio::time::sleep_until(at).await;
        }
        let mut request = PreparedRequest {
            method: "POST".into(),
            url: format!("{}/", self.url),
            headers: vec![
                ("content-type".into(), CONTENT_TYPE.into()),
                ("x-amz-target".into(), format!("{TARGET_PREFIX}.{operation}")),
            ],
            body: Bytes::from(body.to_string()),
            signing: None,
        };
        sign_request(
            &mut request,
            &self.credentials,
            &SignOverrides::default(),
            SystemTime::now(),
        )?;
        self.client.send(&request).await
    }
}

/// A fresh reference for one sequence, its clock following the wall clock call by call.
struct LockstepReference {
    reference: Reference,
    clock: Arc<ManualClock>,
}

impl LockstepReference {
    fn new() -> LockstepReference {
        let clock = Arc::new(ManualClock::new(SystemTime::now()));
        LockstepReference {
            reference: Reference::new(Config::embedded().without_auth().with_clock(clock.clone())),
            clock,
        }
    }

    fn call(&self, operation: &str, body: &Value) -> (u16, Bytes) {
        self.clock.set(SystemTime::now());
        let response = self.reference.handle(operation_request(operation, body.to_string()));
        (response.status().as_u16(), response.into_body())
    }
}

/// The first call whose answers differ.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its index in the sequence.
    pub index: usize,
    /// The first signature (the finding's).
    pub signature: Signature,
    /// Every signature of that call.
    pub signatures: Vec<Signature>,
    /// The reference's normalised answer.
    pub reference: Normal,
    /// The endpoint's normalised answer (status 0: no answer).
    pub endpoint: Normal,
    /// What a case file expects of the body (see [`compare::expected_body`]).
    pub expected_body: Value,
    /// What an envelope check said of the endpoint's answer (`Content-Type is "text/html"`).
    pub detail: Option<String>,
}

/// What one run of a sequence did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The calls made, up to the first difference.
    pub calls: Vec<Call>,
    /// Calls whose two answers were compared.
    pub compared: usize,
    /// (action, outcome) pairs the reference answered: `200` or the error type.
    pub reached: BTreeSet<(String, String)>,
    /// The first difference in status, error type, body or transport, if any:
    /// the sequence stops there (the two sides' states may have parted).
    pub found: Option<Found>,
    /// Envelope differences (request id, CRC32, content type...), the first of each
    /// signature: they do not stop the sequence, since the states have not parted.
    pub envelope: Vec<Found>,
    /// What the reference's answers bound.
    pub bound: Bindings,
    /// The reference's status and error type for each call made.
    pub answers: Vec<(u16, Option<String>)>,
}

impl Outcome {
    /// The difference under `target` in this run, if it showed.
    pub fn shown(&self, target: &Signature) -> Option<&Found> {
        self.found
            .iter()
            .chain(&self.envelope)
            .find(|f| f.signatures.contains(target))
    }
}

/// Where a sequence's calls come from: generated one by one from the answers so
/// far, or a fixed list (a replay while shrinking).
pub trait Source: Send {
    /// The next call, given what the reference bound so far; `None` ends the sequence.
    fn next(&mut self, bound: &Bindings) -> Option<Call>;
}

impl<I: Iterator<Item = Call> + Send> Source for I {
    fn next(&mut self, _bound: &Bindings) -> Option<Call> {
        Iterator::next(self)
    }
}

/// Runs the calls of `source` against `endpoint` and a fresh reference, each
/// side with `token` as `{{run}}`, until the first difference; then deletes on
/// the endpoint every pipeline the sequence created there.
pub async fn run(endpoint: &Endpoint, source: &mut dyn Source, token: &str) -> Outcome {
    let reference = LockstepReference::new();
    let context = RunContext::new();
    let mut outcome = Outcome::default();
    let mut ours = Bindings::from([(RUN_VAR.to_string(), token.to_string())]);
    let mut theirs = ours.clone();
    while let Some(call) = source.next(&ours) {
        let index = outcome.calls.len();
        outcome.calls.push(call.clone());
        let (status, body) = reference.call(&call.operation, &render(&call.body, &ours));
        let reference_answer = compare::parse(&body);
        let reached =
            if status == 200 && call.operation == "PollForTask" && reference_answer.get("taskObject").is_none() {
                "200 (no task)".to_string()
            } else if status == 200 {
                "200".to_string()
            } else {
                dpconform_protocol::error_type(&reference_answer).unwrap_or_else(|| status.to_string())
            };
        outcome.reached.insert((call.operation.clone(), reached));
        let error_type = (status != 200)
            .then(|| dpconform_protocol::error_type(&reference_answer))
            .flatten();
        outcome.answers.push((status, error_type));
        let empty_poll =
            call.operation == "PollForTask" && status == 200 && reference_answer.get("taskObject").is_none();
        bind(&call, &reference_answer, &mut ours);
        if empty_poll && endpoint.empty_polls.is_none() {
            // Not sent: the endpoint would hold an empty poll open.
            continue;
        }
        let normal_ours = compare::normalise(&call.operation, status, &body, &ours);
        let request = render(&call.body, &theirs);
        let answer = match endpoint.empty_polls.filter(|_| empty_poll) {
            Some(wait) => match tokio::time::timeout(wait, endpoint.call(&call.operation, &request)).await {
                Ok(answer) => answer,
                Err(_) => {
                    // Held open that long: what a long poll that finds no task does.
                    outcome.compared += 1;
                    continue;
                }
            },
            None => endpoint.call(&call.operation, &request).await,
        };
        outcome.compared += 1;
        let (normal_theirs, signatures) = match &answer {
            Ok(raw) => {
                bind(&call, &compare::parse(&raw.body), &mut theirs);
                let normal = compare::normalise(&call.operation, raw.status, &raw.body, &theirs);
                for failure in envelope::check(raw, &BTreeMap::new(), &context, &index.to_string()) {
                    let signature = Signature {
                        action: call.operation.clone(),
                        check: format!("envelope:{}", failure.check.as_str()),
                        path: String::new(),
                    };
                    if outcome.envelope.iter().all(|f| f.signature != signature) {
                        outcome.envelope.push(Found {
                            index,
                            signatures: vec![signature.clone()],
                            signature,
                            reference: normal_ours.clone(),
                            endpoint: normal.clone(),
                            expected_body: compare::expected_body(&call.operation, &body, &ours),
                            detail: Some(failure.message.clone()),
                        });
                    }
                }
                let signatures = compare::differences(&call.operation, &normal_ours, &normal);
                (normal, signatures)
            }
            Err(message) => {
                let fault = message.split(':').next().unwrap_or("transport").to_string();
                let normal = Normal {
                    status: 0,
                    error_type: Some(fault),
                    body: Value::Null,
                };
                let signature = Signature {
                    action: call.operation.clone(),
                    check: "transport".into(),
                    path: String::new(),
                };
                (normal, vec![signature])
            }
        };
        if let Some(first) = signatures.first() {
            outcome.found = Some(Found {
                index,
                signature: first.clone(),
                signatures: signatures.clone(),
                reference: normal_ours,
                endpoint: normal_theirs,
                expected_body: compare::expected_body(&call.operation, &body, &ours),
                detail: None,
            });
            break;
        }
    }
    outcome.bound = ours;
    clean_up(endpoint, &outcome.calls, &theirs).await;
    outcome
}

/// Deletes every pipeline the sequence created on the endpoint (what it answers is not judged).
async fn clean_up(endpoint: &Endpoint, calls: &[Call], theirs: &Bindings) {
    let created: BTreeSet<&String> = calls
        .iter()
        .filter(|c| c.operation == "CreatePipeline")
        .flat_map(|c| c.produces.iter().map(|(name, _)| name))
        .filter_map(|name| theirs.get(name))
        .collect();
    for id in created {
        let _ = endpoint.call("DeletePipeline", &json!({"pipelineId": id})).await;
    }
}
