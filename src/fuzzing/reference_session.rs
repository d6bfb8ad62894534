//! Stateful reference target: bytes -> a sequence of calls (create, put a
//! definition, activate, poll, report, set status, delete, let time pass...)
//! on one [`Reference`] with a manual clock, checked against a small model of
//! which pipelines exist.
//!
//! Input layout: 4 bytes per call (operation, then 3 argument bytes that pick
//! names, pipelines, tasks, definitions and statuses), at most [`MAX_CALLS`].

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::reference_request::{check_envelope, hourly_definition};
use dpconform_reference::{operation_request, Config, ManualClock, Reference};

const MAX_CALLS: usize = 64;
/// 2012-12-12T01:30:00Z, as in the request target.
const T0: u64 = 1_355_275_800;
const NAMES: [&str; 3] = ["a", "b", "c"];
const SET_STATUSES: [&str; 7] = [
    "PAUSE",
    "RESUME",
    "CANCEL",
    "RERUN",
    "MARK_FINISHED",
    "TRY_CANCEL",
    "NOPE",
];
const TASK_STATUSES: [&str; 3] = ["FINISHED", "FAILED", "FALSE"];
const SPHERES: [&str; 3] = ["COMPONENT", "INSTANCE", "ATTEMPT"];

/// What the calls so far imply about the endpoint.
#[derive(Default)]
struct Model {
    /// Every id CreatePipeline returned, with the (name, uniqueId) it was made with.
    created: Vec<(String, (String, String))>,
    deleted: BTreeSet<String>,
    tasks: Vec<String>,
    /// Object ids seen in QueryObjects answers.
    objects: Vec<String>,
}

impl Model {
    fn live(&self) -> BTreeSet<String> {
        self.created
            .iter()
            .map(|(id, _)| id.clone())
            .filter(|id| !self.deleted.contains(id))
            .collect()
    }

    /// A pipeline id picked by `b`: mostly one that was created (live or not), sometimes an unknown one.
    fn pipeline(&self, b: u8) -> String {
        match self.created.get(usize::from(b) % (self.created.len() + 1)) {
            Some((id, _)) => id.clone(),
            None => "df-NOSUCHPIPELINE0001".into(),
        }
    }

    fn task(&self, b: u8) -> String {
        match self.tasks.get(usize::from(b) % (self.tasks.len() + 1)) {
            Some(id) => id.clone(),
            None => "no-such-task".into(),
        }
    }

    fn object(&self, b: u8) -> String {
        match self.objects.get(usize::from(b) % (self.objects.len() + 1)) {
            Some(id) => id.clone(),
            None => "SayHello".into(),
        }
    }
}

/// Runs the calls `data` describes; asserts every answer's envelope and the model's invariants:
/// ListPipelines lists exactly the live pipelines, DescribePipelines answers for a live one and
/// refuses a deleted one, CreatePipeline is idempotent while its pipeline lives, and no task is
/// handed out for a deleted pipeline.
pub fn reference_session(data: &[u8]) {
    let clock = Arc::new(ManualClock::at_unix(T0));
    // No deleting phase: the model expects a deleted pipeline to be refused at once.
    let reference = Reference::new(
        Config::embedded()
            .without_auth()
            .with_clock(clock.clone())
            .with_deletion_delay(Duration::ZERO),
    );
    let call = |op: &str, body: Value| -> (u16, Value) {
        let response = reference.handle(operation_request(op, body.to_string()));
        check_envelope(&response);
        let value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (response.status().as_u16(), value)
    };
    let mut model = Model::default();
    for chunk in data.chunks(4).take(MAX_CALLS) {
        let arg = |i: usize| chunk.get(i).copied().unwrap_or(0);
        let (a, b, c) = (arg(1), arg(2), arg(3));
        match chunk[0] % 16 {
            0 => {
                let key = (
                    NAMES[usize::from(a) % 3].to_string(),
                    NAMES[usize::from(b) % 3].to_string(),
                );
                let (status, v) = call("CreatePipeline", json!({"name": key.0, "uniqueId": key.1}));
                assert_eq!(status, 200, "CreatePipeline failed: {v}");
                let id = v["pipelineId"].as_str().unwrap_or_default().to_string();
                if let Some((earlier, _)) = model
                    .created
                    .iter()
                    .find(|(i, k)| *k == key && !model.deleted.contains(i))
                {
                    assert_eq!(
                        &id, earlier,
                        "CreatePipeline with the same name and uniqueId made a second pipeline"
                    );
                }
                if !model.created.iter().any(|(i, _)| *i == id) {
                    model.created.push((id, key));
                }
            }
            1 => {
                call(
                    "PutPipelineDefinition",
                    json!({"pipelineId": model.pipeline(a), "pipelineObjects": definition(b, c)}),
                );
            }
            2 => {
                let mut body = json!({"pipelineId": model.pipeline(a)});
                if b & 1 == 1 {
                    body["startTimestamp"] = json!(T0 as i64 + (i64::from(c) - 128) * 3600);
                }
                call("ActivatePipeline", body);
            }
            3 => {
                call(
                    "DeactivatePipeline",
                    json!({"pipelineId": model.pipeline(a), "cancelActive": b & 1 == 1}),
                );
            }
            4 => {
                let id = model.pipeline(a);
                if call("DeletePipeline", json!({"pipelineId": id})).0 == 200 {
                    model.deleted.insert(id);
                }
            }
            5 => {
                let (_, v) = call("PollForTask", json!({"workerGroup": "wg", "hostname": "fuzz"}));
                if let Some(task) = v.get("taskObject") {
                    let pipeline = task["pipelineId"].as_str().unwrap_or_default();
                    assert!(
                        !model.deleted.contains(pipeline),
                        "a task was handed out for deleted pipeline {pipeline}"
                    );
                    if let Some(id) = task["taskId"].as_str() {
                        model.tasks.push(id.to_string());
                    }
                }
            }
            6 => {
                call("ReportTaskProgress", json!({"taskId": model.task(a)}));
            }
            7 => {
                let status = TASK_STATUSES[usize::from(b) % TASK_STATUSES.len()];
                call("SetTaskStatus", json!({"taskId": model.task(a), "taskStatus": status}));
            }
            8 => {
                let status = SET_STATUSES[usize::from(b) % SET_STATUSES.len()];
                call(
                    "SetStatus",
                    json!({"pipelineId": model.pipeline(a), "objectIds": [model.object(c)], "status": status}),
                );
            }
            9 => clock.advance(Duration::from_secs(u64::from(a) * 60 * (1 + u64::from(b % 60)))),
            10 => {
                let sphere = SPHERES[usize::from(b) % SPHERES.len()];
                let (_, v) = call(
                    "QueryObjects",
                    json!({"pipelineId": model.pipeline(a), "sphere": sphere, "limit": 1 + c % 20}),
                );
                for id in v["ids"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if model.objects.len() < 64 && !model.objects.iter().any(|o| o == id) {
                        model.objects.push(id.to_string());
                    }
                }
            }
            11 => {
                call(
                    "DescribeObjects",
                    json!({"pipelineId": model.pipeline(a), "objectIds": [model.object(b)], "evaluateExpressions": c & 1 == 1}),
                );
            }
            12 => {
                let listed = list_all(&call);
                assert_eq!(
                    listed,
                    model.live(),
                    "ListPipelines does not list exactly the live pipelines"
                );
            }
            13 => {
                let id = model.pipeline(a);
                let (status, v) = call("DescribePipelines", json!({"pipelineIds": [id]}));
                if model.deleted.contains(&id) {
                    assert_ne!(status, 200, "a deleted pipeline was described: {v}");
                } else if model.live().contains(&id) {
                    assert_eq!(status, 200, "a live pipeline could not be described: {v}");
                }
            }
            14 => {
                call(
                    "ReportTaskRunnerHeartbeat",
                    json!({"taskrunnerId": NAMES[usize::from(a) % 3], "workerGroup": "wg"}),
                );
            }
            _ => {
                let expression = [
                    "#{@scheduledStartTime}",
                    "#{node.@status}",
                    "#{format(@actualStartTime, 'YYYY')}",
                ][usize::from(b) % 3];
                call(
                    "EvaluateExpression",
                    json!({"pipelineId": model.pipeline(a), "objectId": model.object(c), "expression": expression}),
                );
            }
        }
    }
}

/// Every pipeline id ListPipelines gives, following its markers.
fn list_all(call: &dyn Fn(&str, Value) -> (u16, Value)) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut body = json!({});
    // A page holds at least one id, so as many pages as ids (plus one) suffice.
    for _ in 0..=MAX_CALLS {
        let (status, v) = call("ListPipelines", body.clone());
        assert_eq!(status, 200, "ListPipelines failed: {v}");
        for p in v["pipelineIdList"].as_array().into_iter().flatten() {
            ids.insert(p["id"].as_str().unwrap_or_default().to_string());
        }
        match (v["hasMoreResults"].as_bool(), v["marker"].as_str()) {
            (Some(true), Some(marker)) => body = json!({"marker": marker}),
            _ => return ids,
        }
    }
    panic!("ListPipelines kept saying hasMoreResults");
}

/// A definition picked by `b` (valid or not), its activity's retries set by `c`.
fn definition(b: u8, c: u8) -> Value {
    let field = |k: &str, v: &str| json!({"key": k, "stringValue": v});
    let retries = (c % 4).to_string();
    match b % 4 {
        0 => hourly_definition(),
        1 => json!([
            {"id": "Default", "name": "Default", "fields": [field("scheduleType", "ondemand"), field("workerGroup", "wg")]},
            {"id": "SayHello", "name": "SayHello", "fields": [
                field("type", "ShellCommandActivity"), field("command", "echo"), field("maximumRetries", &retries)]},
        ]),
        2 => json!([
            {"id": "Default", "name": "Default", "fields": [field("scheduleType", "cron"), field("workerGroup", "wg")]},
            {"id": "Every", "name": "Every", "fields": [
                field("type", "Schedule"), field("period", "15 minutes"), field("startDateTime", "2012-12-12T00:00:00"),
                field("occurrences", &retries)]},
            {"id": "SayHello", "name": "SayHello", "fields": [
                field("type", "ShellCommandActivity"), field("command", "echo"),
                json!({"key": "schedule", "refValue": "Every"}), field("maximumRetries", &retries)]},
        ]),
        _ => {
            json!([{"id": "SayHello", "name": "SayHello", "fields": [json!({"key": "schedule", "refValue": "Nowhere"})]}])
        }
    }
}
