//! Helpers of the load test: a signed client that records every answer, and
//! the ledger in which all simulated clients write down what they saw.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use dpconform::case::SignOverrides;
use dpconform::send::client::HttpClient;
use dpconform::send::request::PreparedRequest;
use dpconform::send::sign::sign_request;
use dpconform::send::target::Credentials;
use serde_json::Value;

/// One answer: status, request id and parsed body (Null when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The short error type (`PipelineDeletedException`), if any.
    pub fn error_type(&self) -> Option<&str> {
        let t = self.body.get("__type")?.as_str()?;
        Some(t.rsplit('#').next().unwrap_or(t))
    }
}

/// One simulated client: its own connection pool, signing with the embedded
/// reference's test credentials, like the harness does.
#[derive(Clone)]
pub struct Client {
    http: HttpClient,
    url: String,
    credentials: Arc<Credentials>,
    ledger: Ledger,
    /// Who this is, for the problems it reports.
    pub who: String,
}

impl Client {
    pub fn new(url: &str, who: String, ledger: Ledger) -> Client {
        Client {
            // Above the long poll (30 s): a deadlocked server shows as errors.
            http: HttpClient::new(Duration::from_secs(40)).expect("an HTTP client"),
            url: url.to_string(),
            credentials: Arc::new(Credentials::embedded()),
            ledger,
            who,
        }
    }

    /// Sends `op` signed; a transport failure or an unreadable body is
    /// recorded as a problem and returned as `None`.
    pub async fn call(&self, op: &str, body: &Value) -> Option<Answer> {
        let mut request = PreparedRequest {
            method: "POST".into(),
            url: format!("{}/", self.url),
            headers: vec![
                ("x-amz-target".into(), format!("DataPipeline.{op}")),
                ("content-type".into(), "application/x-amz-json-1.1".into()),
            ],
            body: Bytes::from(body.to_string()),
            signing: None,
        };
        if let Err(e) = sign_request(
            &mut request,
            &self.credentials,
            &SignOverrides::default(),
            SystemTime::now(),
        ) {
            self.problem(format!("{op}: cannot sign: {e}"));
            return None;
        }
        let raw = match self.http.send(&request).await {
            Ok(raw) => raw,
            Err(e) => {
                self.problem(format!("{op}: transport error: {e}"));
                return None;
            }
        };
        self.ledger.note_request(raw.header("x-amzn-requestid"));
        let body = if raw.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&raw.body) {
                Ok(v) => v,
                Err(e) => {
                    self.problem(format!("{op}: status {}, body is not JSON: {e}", raw.status));
                    return None;
                }
            }
        };
        Some(Answer {
            status: raw.status,
            body,
        })
    }

    /// Sends `op` and expects 200; anything else is a problem.
    pub async fn ok(&self, op: &str, body: &Value) -> Option<Value> {
        let answer = self.call(op, body).await?;
        if answer.status != 200 {
            self.problem(format!("{op} {body:.200}: status {}: {}", answer.status, answer.body));
            return None;
        }
        Some(answer.body)
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Records a problem unless `holds`.
    pub fn expect(&self, holds: bool, what: impl FnOnce() -> String) {
        if !holds {
            self.problem(what());
        }
    }

    pub fn problem(&self, what: String) {
        self.ledger.problem(format!("{}: {what}", self.who));
    }
}

/// A task as a runner received it.
#[derive(Debug, Clone)]
pub struct Handed {
    pub runner: String,
    pub pipeline_id: String,
    pub attempt_id: String,
}

#[derive(Debug, Default)]
pub struct Records {
    /// Every failed expectation, in the words of whoever saw it.
    pub problems: Vec<String>,
    pub requests: usize,
    pub request_ids: HashSet<String>,
    /// taskId → who got it.
    pub handed: HashMap<String, Handed>,
    /// (pipelineId, attemptId) → taskId.
    pub attempts: HashMap<(String, String), String>,
    /// pipelineId → tasks whose SetTaskStatus was accepted.
    pub done: HashMap<String, usize>,
}

/// Shared by every simulated client.
#[derive(Debug, Clone, Default)]
pub struct Ledger(Arc<Mutex<Records>>);

impl Ledger {
    pub fn lock(&self) -> MutexGuard<'_, Records> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn problem(&self, what: String) {
        self.lock().problems.push(what);
    }

    fn note_request(&self, request_id: Option<&str>) {
        let mut r = self.lock();
        r.requests += 1;
        match request_id {
            None => r.problems.push("a response without x-amzn-requestid".into()),
            Some(id) => {
                if !r.request_ids.insert(id.to_string()) {
                    r.problems.push(format!("request id {id} answered twice"));
                }
            }
        }
    }

    /// Records a task handed to `runner`; a task id or attempt seen before is
    /// a problem (a task must go to exactly one runner).
    pub fn hand(&self, task_id: &str, handed: Handed) {
        let mut r = self.lock();
        let key = (handed.pipeline_id.clone(), handed.attempt_id.clone());
        if let Some(other) = r.attempts.get(&key) {
            let msg = format!("attempt {key:?} handed out twice: task {other} and task {task_id}");
            r.problems.push(msg);
        }
        r.attempts.insert(key, task_id.to_string());
        if let Some(before) = r.handed.insert(task_id.to_string(), handed.clone()) {
            let msg = format!("task {task_id} handed to {} and to {}", before.runner, handed.runner);
            r.problems.push(msg);
        }
    }

    pub fn finish(&self, pipeline_id: &str) {
        *self.lock().done.entry(pipeline_id.to_string()).or_default() += 1;
    }

    pub fn done(&self, pipeline_id: &str) -> usize {
        self.lock().done.get(pipeline_id).copied().unwrap_or(0)
    }

    /// The runner that received an attempt.
    pub fn runner_of(&self, pipeline_id: &str, attempt_id: &str) -> Option<String> {
        let r = self.lock();
        let task = r.attempts.get(&(pipeline_id.to_string(), attempt_id.to_string()))?;
        r.handed.get(task).map(|h| h.runner.clone())
    }
}

/// A small deterministic generator (no dependency on a random crate).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}
