//! An endpoint with a planted bug: a proxy in front of an embedded reference
//! (authentication off) that rewrites some answers the way a broken
//! implementation would, keeping the envelope sound (`x-amz-crc32` and
//! `Content-Length` recomputed), so only an assertion on the body can tell.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use dpconform::reference::http::Embedded;
use dpconform::reference::Config;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The bugs a proxy can plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bug {
    /// ListPipelines answers leave out the pipeline created last.
    ListDropsNewestPipeline,
    /// PollForTask's task objects lose their `@pipelineId` field.
    TaskObjectLosesPipelineId,
    // Stateful bugs: the wrong answer shows only after a certain sequence of calls.
    /// A second AddTags replaces the pipeline's tags instead of adding to them.
    TagsReplacedOnSecondAddTags,
    /// Once a pipeline is activated, DescribePipelines drops its description.
    DescriptionDroppedAfterActivation,
    /// RemoveTags removes every tag of the pipeline, not only the keys named (the corpus catches it).
    RemoveTagsRemovesAll,
    /// A tag key once removed stays hidden from DescribePipelines, even when added again.
    RemovedTagKeyStaysHidden,
    /// A CreatePipeline repeated (same name and uniqueId) replaces the pipeline's description.
    RepeatedCreateRedescribes,
    /// ListPipelines leaves out pipelines that had tags removed.
    ListDropsPipelinesAfterRemoveTags,
    /// ListPipelines leaves out pipelines that were activated.
    ListDropsActivatedPipelines,
    /// A second PutPipelineDefinition of a pipeline answers `errored: true` (the corpus catches it).
    SecondDefinitionErrored,
    /// After a heartbeat of its worker group, ReportTaskProgress says `canceled: true` (the corpus catches it).
    ProgressCanceledAfterHeartbeat,
    /// Once a task of a pipeline is set FINISHED, QueryObjects finds no instances there (the corpus catches it).
    InstancesHiddenAfterTaskFinished,
    /// After a SetStatus on a pipeline, DescribeObjects there loses `@status`.
    StatusLostAfterSetStatus,
    /// Once a pipeline is deactivated, DescribePipelines shows it without tags.
    TagsLostAfterDeactivation,
    /// QueryObjects (COMPONENT) also lists the objects of definitions replaced since (the corpus catches it).
    ComponentsOfOldDefinitionsListed,
    /// Once tags were removed from a pipeline, DescribePipelines drops its description.
    DescriptionDroppedAfterRemoveTags,
    /// A PollForTask that finds no task answers `{"taskObject": null}` instead of `{}`
    /// (explore sees it only with empty polls sent).
    EmptyPollAnswersNullTask,
    /// After a SetStatus on a pipeline, EvaluateExpression there answers the expression unevaluated
    /// (explore rarely reaches it: a SetStatus and an EvaluateExpression that both succeed).
    ExpressionUnevaluatedAfterSetStatus,
}

impl Bug {
    /// The stateful bugs, which `dpconform explore` must find.
    pub const STATEFUL: [Bug; 8] = [
        Bug::TagsReplacedOnSecondAddTags,
        Bug::DescriptionDroppedAfterActivation,
        Bug::RemovedTagKeyStaysHidden,
        Bug::ListDropsActivatedPipelines,
        Bug::RepeatedCreateRedescribes,
        Bug::TagsLostAfterDeactivation,
        Bug::DescriptionDroppedAfterRemoveTags,
        Bug::ListDropsPipelinesAfterRemoveTags,
    ];
}

/// What the proxy remembers of earlier calls, per pipeline (or task, or worker group),
/// so that a bug shows only after its sequence.
#[derive(Default)]
struct Memory {
    add_tags: HashMap<String, usize>,
    /// The tags a pipeline has after a replacing AddTags.
    replaced_tags: HashMap<String, Value>,
    tags_cleared: HashSet<String>,
    /// Pipeline -> tag keys removed from it.
    removed_keys: HashMap<String, HashSet<String>>,
    /// uniqueId -> pipeline id, and pipeline id -> the name a repeated create gave.
    unique_ids: HashMap<String, String>,
    /// Pipeline -> the description a repeated create gave (None: none).
    redescribed: HashMap<String, Option<String>>,
    /// Pipeline -> object ids of each definition put there, in order.
    defined: HashMap<String, Vec<Vec<String>>>,
    activated: HashSet<String>,
    puts: HashMap<String, usize>,
    status_set: HashSet<String>,
    heartbeats: HashSet<String>,
    /// Task id -> (worker group, pipeline id), from PollForTask.
    tasks: HashMap<String, (String, String)>,
    finished: HashSet<String>,
    deactivated: HashSet<String>,
    /// Pipeline -> component ids any QueryObjects (COMPONENT) listed there.
    components: HashMap<String, Vec<Value>>,
}

/// A running proxy; stops when dropped.
pub struct Planted {
    pub url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Planted {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

struct State {
    bug: Bug,
    upstream: String,
    client: reqwest::Client,
    newest_pipeline: Mutex<Option<String>>,
    memory: Mutex<Memory>,
}

/// Starts an embedded reference and the proxy in front of it.
pub fn start(bug: Bug) -> Planted {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (listener, embedded) = runtime.block_on(async {
        let embedded = Embedded::start(Config::embedded().without_auth()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        (listener, embedded)
    });
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = Arc::new(State {
        bug,
        upstream: embedded.url(),
        client: {
            // reqwest is built without a default provider; this test must not depend on
            // another test having installed one in the same process.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
        newest_pipeline: Mutex::new(None),
        memory: Mutex::new(Memory::default()),
    });
    runtime.spawn(async move {
        let _embedded = embedded;
        while let Ok((stream, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let state = state.clone();
                    async move { Ok::<_, std::convert::Infallible>(forward(&state, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Planted {
        url: format!("http://{addr}"),
        runtime: Some(runtime),
    }
}

async fn forward(state: &State, req: hyper::Request<hyper::body::Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut upstream = state
        .client
        .request(parts.method.clone(), format!("{}{}", state.upstream, parts.uri))
        .body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.expect("the reference answers");
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut bytes = answer.bytes().await.unwrap_or_default();
    if status.is_success() {
        // An empty answer (SetStatus) is still remembered by the stateful bugs.
        let mut json = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
        if plant(state, &target, &request, &mut json) {
            bytes = Bytes::from(serde_json::to_vec(&json).unwrap());
        }
    }
    let mut builder = hyper::Response::builder().status(status);
    for (name, value) in &headers {
        match name.as_str() {
            "content-length" => {}
            "x-amz-crc32" => builder = builder.header(name, crc32fast::hash(&bytes).to_string()),
            _ => builder = builder.header(name, value),
        }
    }
    builder.body(Full::new(bytes)).unwrap()
}

/// Rewrites one answer to `request`; true when it changed.
fn plant(state: &State, target: &str, request: &Value, json: &mut Value) -> bool {
    let newest = || state.newest_pipeline.lock().unwrap();
    if plant_stateful(state, target, request, json) {
        return true;
    }
    match (state.bug, target) {
        (_, "DataPipeline.CreatePipeline") => {
            *newest() = json["pipelineId"].as_str().map(str::to_string);
            false
        }
        (Bug::ListDropsNewestPipeline, "DataPipeline.ListPipelines") => {
            let Some(id) = newest().clone() else { return false };
            let Some(list) = json["pipelineIdList"].as_array_mut() else {
                return false;
            };
            let before = list.len();
            list.retain(|p| p["id"] != id.as_str());
            list.len() != before
        }
        (Bug::EmptyPollAnswersNullTask, "DataPipeline.PollForTask") if json.get("taskObject").is_none() => {
            json["taskObject"] = Value::Null;
            true
        }
        (Bug::TaskObjectLosesPipelineId, "DataPipeline.PollForTask") => {
            let Some(objects) = json.pointer_mut("/taskObject/objects").and_then(Value::as_object_mut) else {
                return false;
            };
            for object in objects.values_mut() {
                if let Some(fields) = object["fields"].as_array_mut() {
                    fields.retain(|f| f["key"] != "@pipelineId");
                }
            }
            true
        }
        _ => false,
    }
}

/// The stateful bugs: remembers what the calls did, rewrites what depends on it.
fn plant_stateful(state: &State, target: &str, request: &Value, json: &mut Value) -> bool {
    let mut memory = state.memory.lock().unwrap();
    let pipeline = request["pipelineId"].as_str().unwrap_or_default().to_string();
    let op = target.strip_prefix("DataPipeline.").unwrap_or(target);
    match (state.bug, op) {
        (Bug::TagsReplacedOnSecondAddTags, "AddTags") => {
            let count = memory.add_tags.entry(pipeline.clone()).or_default();
            *count += 1;
            if *count >= 2 {
                memory.replaced_tags.insert(pipeline, request["tags"].clone());
            }
            false
        }
        (Bug::TagsReplacedOnSecondAddTags, "DescribePipelines") => {
            for_each_description(json, |id, description| match memory.replaced_tags.get(id) {
                Some(tags) => {
                    description["tags"] = tags.clone();
                    true
                }
                None => false,
            })
        }
        (Bug::DescriptionDroppedAfterActivation, "ActivatePipeline") => {
            memory.activated.insert(pipeline);
            false
        }
        (Bug::DescriptionDroppedAfterActivation, "DescribePipelines") => {
            for_each_description(json, |id, description| {
                memory.activated.contains(id) && drop_description(description)
            })
        }
        (Bug::DescriptionDroppedAfterRemoveTags, "RemoveTags") => {
            memory.tags_cleared.insert(pipeline);
            false
        }
        (Bug::DescriptionDroppedAfterRemoveTags, "DescribePipelines") => {
            for_each_description(json, |id, description| {
                memory.tags_cleared.contains(id) && drop_description(description)
            })
        }
        (Bug::RemoveTagsRemovesAll, "RemoveTags") => {
            memory.tags_cleared.insert(pipeline);
            false
        }
        (Bug::RemoveTagsRemovesAll, "AddTags") => {
            memory.tags_cleared.remove(&pipeline);
            false
        }
        (Bug::RemoveTagsRemovesAll, "DescribePipelines") => for_each_description(json, |id, description| {
            if memory.tags_cleared.contains(id) && description["tags"].as_array().is_some_and(|t| !t.is_empty()) {
                description["tags"] = Value::Array(Vec::new());
                return true;
            }
            false
        }),
        (Bug::RemovedTagKeyStaysHidden, "RemoveTags") => {
            let keys = request["tagKeys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str);
            memory
                .removed_keys
                .entry(pipeline)
                .or_default()
                .extend(keys.map(str::to_string));
            false
        }
        (Bug::RemovedTagKeyStaysHidden, "DescribePipelines") => for_each_description(json, |id, description| {
            let Some(removed) = memory.removed_keys.get(id) else {
                return false;
            };
            let Some(tags) = description["tags"].as_array_mut() else {
                return false;
            };
            let before = tags.len();
            tags.retain(|t| !removed.contains(t["key"].as_str().unwrap_or_default()));
            tags.len() != before
        }),
        (Bug::RepeatedCreateRedescribes, "CreatePipeline") => {
            let unique_id = request["uniqueId"].as_str().unwrap_or_default().to_string();
            let id = json["pipelineId"].as_str().unwrap_or_default().to_string();
            if memory.unique_ids.get(&unique_id) == Some(&id) {
                let description = request["description"].as_str().map(str::to_string);
                memory.redescribed.insert(id, description);
            } else {
                memory.unique_ids.insert(unique_id, id);
            }
            false
        }
        (Bug::RepeatedCreateRedescribes, "DescribePipelines") => for_each_description(json, |id, description| {
            let Some(new) = memory.redescribed.get(id) else {
                return false;
            };
            let before = description.clone();
            if let Some(map) = description.as_object_mut() {
                map.remove("description");
                if let Some(new) = new {
                    map.insert("description".into(), Value::String(new.clone()));
                }
            }
            if let Some(fields) = description["fields"].as_array_mut() {
                fields.retain(|f| f["key"] != "description");
                if let Some(new) = new {
                    fields.push(serde_json::json!({"key": "description", "stringValue": new}));
                }
            }
            *description != before
        }),
        (Bug::ListDropsPipelinesAfterRemoveTags, "RemoveTags") => {
            memory.tags_cleared.insert(pipeline);
            false
        }
        (Bug::ListDropsPipelinesAfterRemoveTags, "ListPipelines") => {
            let Some(list) = json["pipelineIdList"].as_array_mut() else {
                return false;
            };
            let before = list.len();
            list.retain(|p| !memory.tags_cleared.contains(p["id"].as_str().unwrap_or_default()));
            list.len() != before
        }
        (Bug::ListDropsActivatedPipelines, "ActivatePipeline") => {
            memory.activated.insert(pipeline);
            false
        }
        (Bug::ListDropsActivatedPipelines, "ListPipelines") => {
            let Some(list) = json["pipelineIdList"].as_array_mut() else {
                return false;
            };
            let before = list.len();
            list.retain(|p| !memory.activated.contains(p["id"].as_str().unwrap_or_default()));
            list.len() != before
        }
        (Bug::SecondDefinitionErrored, "PutPipelineDefinition") => {
            let count = memory.puts.entry(pipeline).or_default();
            *count += 1;
            if *count >= 2 && json["errored"] == false {
                json["errored"] = Value::Bool(true);
                return true;
            }
            false
        }
        (Bug::ProgressCanceledAfterHeartbeat | Bug::InstancesHiddenAfterTaskFinished, "PollForTask") => {
            if let Some(task) = json.pointer("/taskObject/taskId").and_then(Value::as_str) {
                let group = request["workerGroup"].as_str().unwrap_or_default().to_string();
                let owner = json
                    .pointer("/taskObject/pipelineId")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                memory.tasks.insert(task.to_string(), (group, owner.to_string()));
            }
            false
        }
        (Bug::ProgressCanceledAfterHeartbeat, "ReportTaskRunnerHeartbeat") => {
            if let Some(group) = request["workerGroup"].as_str() {
                memory.heartbeats.insert(group.to_string());
            }
            false
        }
        (Bug::ProgressCanceledAfterHeartbeat, "ReportTaskProgress") => {
            let task = request["taskId"].as_str().unwrap_or_default();
            let beaten = memory
                .tasks
                .get(task)
                .is_some_and(|(group, _)| memory.heartbeats.contains(group));
            if beaten && json["canceled"] == false {
                json["canceled"] = Value::Bool(true);
                return true;
            }
            false
        }
        (Bug::InstancesHiddenAfterTaskFinished, "SetTaskStatus") => {
            if request["taskStatus"] == "FINISHED" {
                let task = request["taskId"].as_str().unwrap_or_default();
                if let Some((_, owner)) = memory.tasks.get(task).cloned() {
                    memory.finished.insert(owner);
                }
            }
            false
        }
        (Bug::InstancesHiddenAfterTaskFinished, "QueryObjects") => {
            let hidden = request["sphere"] == "INSTANCE" && memory.finished.contains(&pipeline);
            if hidden && json["ids"].as_array().is_some_and(|ids| !ids.is_empty()) {
                json["ids"] = Value::Array(Vec::new());
                return true;
            }
            false
        }
        (Bug::TagsLostAfterDeactivation, "DeactivatePipeline") => {
            memory.deactivated.insert(pipeline);
            false
        }
        (Bug::TagsLostAfterDeactivation, "DescribePipelines") => for_each_description(json, |id, description| {
            let tagged = description["tags"].as_array().is_some_and(|t| !t.is_empty());
            if memory.deactivated.contains(id) && tagged {
                description["tags"] = Value::Array(Vec::new());
                return true;
            }
            false
        }),
        (Bug::ComponentsOfOldDefinitionsListed, "PutPipelineDefinition") => {
            let ids = request["pipelineObjects"].as_array().into_iter().flatten();
            let ids: Vec<String> = ids.filter_map(|o| o["id"].as_str().map(str::to_string)).collect();
            memory.defined.entry(pipeline).or_default().push(ids);
            false
        }
        (Bug::ComponentsOfOldDefinitionsListed, "QueryObjects") => {
            let Some((latest, replaced)) = memory.defined.get(&pipeline).and_then(|d| d.split_last()) else {
                return false;
            };
            let Some(ids) = json["ids"].as_array_mut() else {
                return false;
            };
            if request["sphere"] != "COMPONENT" {
                return false;
            }
            let before = ids.len();
            for id in replaced.iter().flatten().filter(|id| !latest.contains(id)) {
                if !ids.iter().any(|i| i == id.as_str()) {
                    ids.push(Value::String(id.clone()));
                }
            }
            ids.len() != before
        }
        (Bug::ExpressionUnevaluatedAfterSetStatus | Bug::StatusLostAfterSetStatus, "SetStatus") => {
            memory.status_set.insert(pipeline);
            false
        }
        (Bug::ExpressionUnevaluatedAfterSetStatus, "EvaluateExpression") => {
            let unevaluated = request["expression"].clone();
            if memory.status_set.contains(&pipeline) && json["evaluatedExpression"] != unevaluated {
                json["evaluatedExpression"] = unevaluated;
                return true;
            }
            false
        }
        (Bug::StatusLostAfterSetStatus, "DescribeObjects") => {
            if !memory.status_set.contains(&pipeline) {
                return false;
            }
            let mut changed = false;
            for object in json["pipelineObjects"].as_array_mut().into_iter().flatten() {
                if let Some(fields) = object["fields"].as_array_mut() {
                    let before = fields.len();
                    fields.retain(|f| f["key"] != "@status");
                    changed |= fields.len() != before;
                }
            }
            changed
        }
        _ => false,
    }
}

/// Calls `rewrite` with each pipeline description of a DescribePipelines answer; true when one changed.
fn for_each_description(json: &mut Value, mut rewrite: impl FnMut(&str, &mut Value) -> bool) -> bool {
    let mut changed = false;
    for description in json["pipelineDescriptionList"].as_array_mut().into_iter().flatten() {
        let id = description["pipelineId"].as_str().unwrap_or_default().to_string();
        changed |= rewrite(&id, description);
    }
    changed
}

/// Drops the description of one pipeline description (member and field); true when it had one.
fn drop_description(description: &mut Value) -> bool {
    let mut had = description
        .as_object_mut()
        .and_then(|map| map.remove("description"))
        .is_some();
    if let Some(fields) = description["fields"].as_array_mut() {
        let before = fields.len();
        fields.retain(|f| f["key"] != "description");
        had |= fields.len() != before;
    }
    had
}
