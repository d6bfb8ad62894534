//! The task-runner actions: PollForTask, ReportTaskProgress,
//! ReportTaskRunnerHeartbeat, SetTaskStatus.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{describe, Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::model::Field;
use crate::scheduler::{self, TaskError, TaskOutcome};
use crate::state::{Runner, Store, TaskRef};
use crate::validate::typed;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PollInput {
    worker_group: String,
    hostname: Option<String>,
}

/// PollForTask: the oldest waiting attempt of the worker group (exact,
/// case-sensitive) over all pipelines, handed to this runner only. With no
/// task the answer is `{}` (the socket layer long-polls before giving it).
/// The task object carries the attempt as it was when picked
/// (`WAITING_FOR_RUNNER`, as in the API Reference sample); it is RUNNING from
/// then on.
pub fn poll(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: PollInput = typed(input)?;
    let mut order: Vec<(u64, String)> = store.pipelines.values().map(|p| (p.seq, p.id.clone())).collect();
    order.sort();
    for (_, pid) in order {
        let Some(p) = store.pipelines.get_mut(&pid) else {
            continue;
        };
        let Some(i) = scheduler::next_task(p, &input.worker_group, ctx.now) else {
            continue;
        };
        let task_id = new_task_id(ctx);
        let Some(attempt_id) = scheduler::claim(p, i, &task_id, input.hostname.as_deref(), ctx.now) else {
            continue;
        };
        let snapshot = p
            .runtime
            .attempt(&attempt_id)
            .map(|(inst, a)| describe::attempt(p, inst, a));
        scheduler::mark_running(p, i);
        let Some(object) = snapshot else { continue };
        store.remember_task(
            task_id.clone(),
            TaskRef {
                pipeline_id: pid.clone(),
                attempt_id: attempt_id.clone(),
            },
        );
        return Ok(Reply::json(json!({
            "taskObject": {
                "taskId": task_id,
                "pipelineId": pid,
                "attemptId": attempt_id,
                "objects": { attempt_id.clone(): object },
            }
        })));
    }
    Ok(Reply::empty_object())
}

/// An opaque task id (base64-like text with `:` separators, as the real ids).
fn new_task_id(ctx: &Ctx) -> String {
    format!("{:032x}:{:032x}", ctx.ids.next_u128(), ctx.ids.next_u128())
}

/// The task a task id names. A task of a deleted pipeline is Ok(None).
fn task(store: &Store, task_id: &str) -> ApiResult<Option<TaskRef>> {
    let t = store
        .tasks
        .get(task_id)
        .cloned()
        .ok_or_else(|| ApiError::task_not_found(&format!("Task {task_id} does not exist.")))?;
    if store.is_deleted(&t.pipeline_id) {
        return Ok(None);
    }
    store.pipeline(&t.pipeline_id)?;
    Ok(Some(t))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProgressInput {
    task_id: String,
    #[serde(default)]
    fields: Vec<Field>,
}

/// ReportTaskProgress: acknowledges the task and stores its fields;
/// `canceled: true` once the attempt was canceled (TRY_CANCEL, a
/// cancelActive deactivation, or — inferred — the pipeline's deletion).
pub fn report_progress(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: ProgressInput = typed(input)?;
    let Some(t) = task(store, &input.task_id)? else {
        return Ok(Reply::json(json!({ "canceled": true })));
    };
    let p = store.pipeline_mut(&t.pipeline_id)?;
    let canceled = scheduler::report_progress(p, &t.attempt_id, input.fields, ctx.now)?;
    Ok(Reply::json(json!({ "canceled": canceled })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeartbeatInput {
    taskrunner_id: String,
}

/// ReportTaskRunnerHeartbeat: remembered; never asks a runner to terminate
/// (the reference manages no resources).
pub fn heartbeat(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: HeartbeatInput = typed(input)?;
    store.heartbeat(&input.taskrunner_id, Runner { last_seen: ctx.now });
    Ok(Reply::json(json!({ "terminate": false })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetTaskStatusInput {
    task_id: String,
    task_status: String,
    error_id: Option<String>,
    error_message: Option<String>,
    error_stack_trace: Option<String>,
}

/// SetTaskStatus: FINISHED, FAILED (retried up to `maximumRetries`) or
/// FALSE; `{}` on success. The task id is spent afterwards.
pub fn set_task_status(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: SetTaskStatusInput = typed(input)?;
    if input.error_id.as_deref().is_some_and(|e| e.starts_with("Service_")) {
        return Err(ApiError::invalid(
            "errorId must not start with 'Service_': that prefix is reserved for the service.",
        ));
    }
    let outcome = match input.task_status.as_str() {
        "FINISHED" => TaskOutcome::Finished,
        "FAILED" => TaskOutcome::Failed,
        _ => TaskOutcome::False,
    };
    let Some(t) = task(store, &input.task_id)? else {
        return Ok(Reply::empty_object());
    };
    let p = store.pipeline_mut(&t.pipeline_id)?;
    let error = TaskError {
        id: input.error_id,
        message: input.error_message,
        stack_trace: input.error_stack_trace,
    };
    let retried = scheduler::set_task_status(p, &t.attempt_id, outcome, error, ctx.now)?;
    store.tasks.remove(&input.task_id);
    Ok(Reply::empty_object().with_tasks_changed(retried))
}
