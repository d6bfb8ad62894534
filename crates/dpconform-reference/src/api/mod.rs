//! The 19 actions, one module per action group. Each handler takes its
//! validated input and the store, and returns the output body.

mod definition;
mod describe;
mod objects;
mod pipelines;
mod status;
mod tags;
mod tasks;

use serde::Serialize;
use serde_json::Value;

use super::dispatch::Operation;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::scheduler;
use super::state::Store;
use super::wire::Body;

/// What a handler may need besides its input.
pub struct Ctx {
    /// Now, in Unix seconds.
    pub now: i64,
    /// Now, in Unix milliseconds (the deleting phase is shorter than seconds count).
    pub now_ms: i64,
    /// [`crate::Config::deletion_delay`], in milliseconds.
    pub deletion_delay_ms: i64,
    /// The account of the credential that signed (`@accountId` of what it creates).
    pub account_id: String,
    /// Where made-up ids come from (seeded per request, so a replay makes the same ones).
    pub ids: crate::ids::Ids,
}

/// A handler's successful answer.
pub struct Reply {
    pub body: Body,
    /// A task may have become available to a task runner.
    pub tasks_changed: bool,
}

impl Reply {
    pub fn json(v: Value) -> Reply {
        Reply {
            body: Body::Json(v),
            tasks_changed: false,
        }
    }

    /// An output serialized straight from its typed form. Its struct fields must be
    /// declared in the sorted order of their JSON names, so that the bytes are those of
    /// [`Reply::json`] of the same document (`serde_json::Value` sorts object keys).
    pub fn serialized(output: &impl Serialize) -> ApiResult<Reply> {
        let bytes = serde_json::to_vec(output)
            .map_err(|_| ApiError::new(ErrorKind::InternalServiceError, "An internal error occurred."))?;
        Ok(Reply {
            body: Body::Serialized(bytes.into()),
            tasks_changed: false,
        })
    }

    /// `{}`: outputs without members.
    pub fn empty_object() -> Reply {
        Reply::json(Value::Object(serde_json::Map::new()))
    }

    /// No body: operations without an output shape.
    pub fn no_body() -> Reply {
        Reply {
            body: Body::Empty,
            tasks_changed: false,
        }
    }

    pub fn with_tasks_changed(mut self, changed: bool) -> Reply {
        self.tasks_changed |= changed;
        self
    }
}

/// Lets time pass for every pipeline (and ends deleting phases); true when a
/// task may have appeared.
pub fn advance_all(store: &mut Store, ctx: &Ctx) -> bool {
    let now = ctx.now;
    store.purge_deleting(ctx.now_ms);
    let mut changed = false;
    let mut taken_back = Vec::new();
    for p in store.pipelines.values_mut() {
        taken_back.extend(scheduler::reassign_unacknowledged(p, now));
        changed |= scheduler::advance(p, now);
    }
    changed |= !taken_back.is_empty();
    for task_id in taken_back {
        store.tasks.remove(&task_id);
    }
    changed
}

pub fn call(op: Operation, store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    use Operation::*;
    match op {
        CreatePipeline => pipelines::create(store, ctx, input),
        DeletePipeline => pipelines::delete(store, ctx, input),
        DescribePipelines => pipelines::describe(store, input),
        ListPipelines => pipelines::list(store, input),
        ActivatePipeline => pipelines::activate(store, ctx, input),
        DeactivatePipeline => pipelines::deactivate(store, ctx, input),
        PutPipelineDefinition => definition::put(store, input),
        ValidatePipelineDefinition => definition::validate(store, input),
        GetPipelineDefinition => definition::get(store, input),
        AddTags => tags::add(store, input),
        RemoveTags => tags::remove(store, input),
        DescribeObjects => objects::describe(store, input),
        QueryObjects => objects::query(store, input),
        EvaluateExpression => objects::evaluate(store, input),
        SetStatus => status::set_status(store, ctx, input),
        PollForTask => tasks::poll(store, ctx, input),
        ReportTaskProgress => tasks::report_progress(store, ctx, input),
        ReportTaskRunnerHeartbeat => tasks::heartbeat(store, ctx, input),
        SetTaskStatus => tasks::set_task_status(store, ctx, input),
    }
}

/// Opaque page markers: the decimal position of the next item.
/// inferred: the real markers are opaque strings (UNK); an unreadable one is
/// InvalidRequestException.
fn parse_marker(marker: Option<&str>) -> ApiResult<usize> {
    match marker {
        None | Some("") => Ok(0),
        Some(m) => m
            .parse()
            .map_err(|_| super::error::ApiError::invalid(format!("Invalid marker: '{m}'"))),
    }
}
