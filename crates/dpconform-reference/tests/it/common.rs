//! Helpers shared by the reference endpoint's tests: call an operation
//! through `Reference::handle` and read the JSON answer.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dpconform_reference::{operation_request, Config, ManualClock, Reference};
use serde_json::{json, Value};

/// 2012-12-12T01:30:00Z.
pub const T0: u64 = 1_355_275_800;

/// The core's response type.
pub type Response = http::Response<Bytes>;

/// A header's value as text, by case-insensitive name.
pub trait HeaderText {
    fn header(&self, name: &str) -> Option<&str>;
}

impl<T> HeaderText for http::Response<T> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name).and_then(|v| v.to_str().ok())
    }
}

impl<T> HeaderText for http::Request<T> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Fixture {
    pub reference: Reference,
    pub clock: Arc<ManualClock>,
}

impl Fixture {
    /// A reference without authentication on a manual clock at [`T0`].
    pub fn new() -> Fixture {
        let clock = Arc::new(ManualClock::at_unix(T0));
        let config = Config::embedded().without_auth().with_clock(clock.clone());
        Fixture {
            reference: Reference::new(config),
            clock,
        }
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    pub fn raw(&self, op: &str, body: &str) -> Response {
        self.reference.handle(operation_request(op, body.to_string()))
    }

    /// Calls `op`; returns status and parsed body (Null for an empty body).
    pub fn call(&self, op: &str, body: Value) -> (u16, Value) {
        let r = self.raw(op, &body.to_string());
        let v = if r.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(r.body()).expect("response bodies are JSON")
        };
        (r.status().as_u16(), v)
    }

    /// Calls `op` and expects 200.
    pub fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = self.call(op, body);
        assert_eq!(status, 200, "{op} failed: {v}");
        v
    }

    /// Calls `op` and expects an error; returns its short type.
    pub fn err(&self, op: &str, body: Value) -> String {
        let (status, v) = self.call(op, body);
        assert_ne!(status, 200, "{op} unexpectedly succeeded: {v}");
        let t = v["__type"].as_str().expect("errors have __type");
        t.rsplit('#').next().unwrap_or(t).to_string()
    }

    pub fn create(&self, name: &str) -> String {
        let v = self.ok("CreatePipeline", json!({"name": name, "uniqueId": name}));
        v["pipelineId"].as_str().unwrap().to_string()
    }

    /// Creates, puts `objects` and activates; returns the pipeline id.
    pub fn activated(&self, name: &str, objects: Value) -> String {
        let id = self.create(name);
        let put = self.ok(
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": objects}),
        );
        assert_eq!(put["errored"], false, "{put}");
        self.ok("ActivatePipeline", json!({"pipelineId": id}));
        id
    }

    pub fn poll(&self, worker_group: &str) -> Option<Value> {
        let v = self.ok(
            "PollForTask",
            json!({"workerGroup": worker_group, "hostname": "runner-1"}),
        );
        v.get("taskObject").cloned()
    }

    /// A field's string value of one object.
    pub fn field(&self, pipeline: &str, object: &str, key: &str) -> Option<String> {
        let v = self.ok(
            "DescribeObjects",
            json!({"pipelineId": pipeline, "objectIds": [object]}),
        );
        let fields = v["pipelineObjects"][0]["fields"].as_array()?.clone();
        fields
            .iter()
            .find(|f| f["key"] == key)
            .and_then(|f| f["stringValue"].as_str().or(f["refValue"].as_str()))
            .map(str::to_string)
    }

    pub fn status(&self, pipeline: &str, object: &str) -> String {
        self.field(pipeline, object, "@status").unwrap_or_default()
    }

    pub fn pipeline_field(&self, pipeline: &str, key: &str) -> Option<String> {
        let v = self.ok("DescribePipelines", json!({"pipelineIds": [pipeline]}));
        v["pipelineDescriptionList"][0]["fields"]
            .as_array()?
            .iter()
            .find(|f| f["key"] == key)
            .and_then(|f| f["stringValue"].as_str())
            .map(str::to_string)
    }

    pub fn query(&self, pipeline: &str, sphere: &str, selectors: Value) -> Vec<String> {
        let v = self.ok(
            "QueryObjects",
            json!({"pipelineId": pipeline, "sphere": sphere, "query": {"selectors": selectors}}),
        );
        v["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect()
    }
}

/// One object of a definition: `("k", "v")` is a string field, `("k", "&id")`
/// a reference.
pub fn object(id: &str, fields: &[(&str, &str)]) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|(k, v)| match v.strip_prefix('&') {
            Some(r) => json!({"key": k, "refValue": r}),
            None => json!({"key": k, "stringValue": v}),
        })
        .collect();
    json!({"id": id, "name": id, "fields": fields})
}

/// An hourly cron pipeline from 2012-12-12T00:00:00 with one shell activity
/// on worker group `wg`; `extra` fields go on the activity.
pub fn hourly(extra: &[(&str, &str)]) -> Value {
    let mut act = vec![
        ("type", "ShellCommandActivity"),
        ("command", "echo hello"),
        ("schedule", "&Hourly"),
    ];
    act.extend_from_slice(extra);
    json!([
        object(
            "Default",
            &[
                ("scheduleType", "cron"),
                ("workerGroup", "wg"),
                ("pipelineLogUri", "s3://logs/")
            ]
        ),
        object(
            "Hourly",
            &[
                ("type", "Schedule"),
                ("period", "1 hour"),
                ("startDateTime", "2012-12-12T00:00:00")
            ]
        ),
        object("SayHello", &act),
    ])
}

/// An on-demand pipeline with one shell activity on worker group `wg`.
pub fn ondemand(extra: &[(&str, &str)]) -> Value {
    let mut act = vec![("type", "ShellCommandActivity"), ("command", "echo hello")];
    act.extend_from_slice(extra);
    json!([
        object(
            "Default",
            &[
                ("scheduleType", "ondemand"),
                ("workerGroup", "wg"),
                ("pipelineLogUri", "s3://logs/")
            ]
        ),
        object("Run", &act),
    ])
}

/// A request signed with `aws_sigv4::http_request::sign` as an SDK signs it:
/// `POST path` with `target` (an operation name, or None for a control route).
pub fn signed_request(
    path: &str,
    target: Option<&str>,
    body: &str,
    (key, secret): (&str, &str),
    region: &str,
    time: std::time::SystemTime,
) -> http::Request<Bytes> {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_smithy_runtime_api::client::identity::Identity;
    let identity: Identity = Credentials::new(key, secret, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("datapipeline")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = "localhost";
    let target = target.map(|op| format!("DataPipeline.{op}"));
    let mut headers = vec![("host", host), ("content-type", "application/x-amz-json-1.1")];
    if let Some(t) = &target {
        headers.push(("x-amz-target", t));
    }
    let signable = SignableRequest::new(
        "POST",
        format!("http://{host}{path}"),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method("POST").uri(path);
    for (k, v) in headers.iter().copied().chain(instructions.headers()) {
        req = req.header(k, v);
    }
    req.body(Bytes::from(body.to_string())).unwrap()
}

/// One caller of a reference that checks signatures: a key pair and a region.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
}

impl Caller<'_> {
    /// Calls `op` (or, starting with `/`, a control route) signed at `time`; status and JSON body.
    pub fn call_at(&self, reference: &Reference, op: &str, body: Value, time: std::time::SystemTime) -> (u16, Value) {
        let (path, target) = if op.starts_with('/') {
            (op, None)
        } else {
            ("/", Some(op))
        };
        let req = signed_request(
            path,
            target,
            &body.to_string(),
            (self.key, self.secret),
            self.region,
            time,
        );
        let r = reference.handle(req);
        let v = if r.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(r.body()).expect("response bodies are JSON")
        };
        (r.status().as_u16(), v)
    }

    /// [`Caller::call_at`] signed now by the system clock.
    pub fn call(&self, reference: &Reference, op: &str, body: Value) -> (u16, Value) {
        self.call_at(reference, op, body, std::time::SystemTime::now())
    }

    /// Calls and expects 200.
    pub fn ok(&self, reference: &Reference, op: &str, body: Value) -> Value {
        let (status, v) = self.call(reference, op, body);
        assert_eq!(status, 200, "{op} as {} in {} failed: {v}", self.key, self.region);
        v
    }

    /// The ids ListPipelines shows this caller.
    pub fn listed(&self, reference: &Reference) -> Vec<String> {
        let v = self.ok(reference, "ListPipelines", json!({}));
        v["pipelineIdList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    }
}
