//! The task-runner side: handing out tasks, progress, reassignment, task status.

use crate::error::{ApiError, ApiResult};
use crate::model::Field;
use crate::runtime::{Attempt, Status};
use crate::state::{Pipeline, PipelineState};

use super::*;

/// Takes back every task handed out [`ACK_WINDOW`] ago or longer and never
/// acknowledged (its runner may never have received the answer): its attempt
/// waits for a runner again. Returns the task ids taken back, which are no
/// longer valid. inferred: the same attempt is handed out again, not a retry
/// (the reassignment consumes no `maximumRetries`).
pub fn reassign_unacknowledged(p: &mut Pipeline, now: i64) -> Vec<String> {
    let mut taken = Vec::new();
    for inst in &mut p.runtime.instances {
        if inst.status != Status::Running {
            continue;
        }
        let Some(a) = inst.head_mut() else { continue };
        let unacknowledged = a.status == Status::Running
            && a.report_progress_time.is_none()
            && a.actual_start.is_some_and(|t| now.saturating_sub(t) >= ACK_WINDOW);
        if !unacknowledged {
            continue;
        }
        taken.extend(a.task_id.take());
        a.status = Status::WaitingForRunner;
        a.hostname = None;
        a.actual_start = None;
        inst.status = Status::WaitingForRunner;
    }
    taken
}

/// The next task for a worker group: index of an instance whose head attempt
/// waits for a runner of exactly that group (case-sensitive).
pub fn next_task(p: &Pipeline, worker_group: &str, now: i64) -> Option<usize> {
    if p.state != PipelineState::Scheduled {
        return None;
    }
    let rt = &p.runtime;
    rt.instances.iter().position(|inst| {
        inst.status == Status::WaitingForRunner
            && !rt.paused.contains(&inst.component)
            && rt.plan(&inst.component).and_then(|pl| pl.worker_group.as_deref()) == Some(worker_group)
            && inst
                .head()
                .is_some_and(|a| a.status == Status::WaitingForRunner && a.not_before <= now)
    })
}

/// Hands the head attempt of instance `i` to a runner: records the task id,
/// host and start time. The attempt turns RUNNING with [`mark_running`].
pub fn claim(p: &mut Pipeline, i: usize, task_id: &str, hostname: Option<&str>, now: i64) -> Option<String> {
    let inst = p.runtime.instances.get_mut(i)?;
    inst.actual_start.get_or_insert(now);
    let a = inst.attempts.last_mut()?;
    a.task_id = Some(task_id.to_string());
    a.hostname = hostname.map(str::to_string);
    a.actual_start = Some(now);
    let id = format!("{}_Attempt={}", inst.id, a.number);
    Some(id)
}

pub fn mark_running(p: &mut Pipeline, i: usize) {
    if let Some(inst) = p.runtime.instances.get_mut(i) {
        inst.status = Status::Running;
        if let Some(a) = inst.head_mut() {
            a.status = Status::Running;
        }
    }
}

/// ReportTaskProgress: records the report and its fields; true when the
/// attempt was canceled and the runner should stop.
pub fn report_progress(p: &mut Pipeline, attempt_id: &str, fields: Vec<Field>, now: i64) -> ApiResult<bool> {
    let (i, j) = p
        .runtime
        .locate_attempt(attempt_id)
        .ok_or_else(|| ApiError::task_not_found("The task does not exist or is no longer active."))?;
    let inst = &mut p.runtime.instances[i];
    let a = &mut inst.attempts[j];
    a.report_progress_time = Some(now);
    for f in fields {
        if f.key.starts_with('@') {
            continue;
        }
        a.progress.retain(|o| o.key != f.key);
        a.progress.push(f);
    }
    a.progress.truncate(50);
    Ok(a.status == Status::Canceled)
}

/// What a runner reports with SetTaskStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    Finished,
    Failed,
    /// A precondition was false. inferred: for an activity this is handled
    /// like FAILED (it consumes a retry).
    False,
}

pub struct TaskError {
    pub id: Option<String>,
    pub message: Option<String>,
    pub stack_trace: Option<String>,
}

/// SetTaskStatus. Returns true when a retry attempt was queued.
pub fn set_task_status(
    p: &mut Pipeline,
    attempt_id: &str,
    outcome: TaskOutcome,
    error: TaskError,
    now: i64,
) -> ApiResult<bool> {
    let (i, j) = p
        .runtime
        .locate_attempt(attempt_id)
        .ok_or_else(|| ApiError::task_not_found("The task does not exist or is no longer active."))?;
    let rt = &mut p.runtime;
    let delay = rt.plan(&rt.instances[i].component).map_or(0, |pl| pl.retry_delay);
    let inst = &mut rt.instances[i];
    let is_head = j + 1 == inst.attempts.len();
    let a = &mut inst.attempts[j];
    // A canceled or superseded attempt needs no status (M: "unneeded after
    // cancel"); the report is accepted and changes nothing.
    if a.status.is_terminal() || !is_head || inst.status.is_terminal() {
        return Ok(false);
    }
    a.actual_end = Some(now);
    let mut retried = false;
    match outcome {
        TaskOutcome::Finished => {
            a.status = Status::Finished;
            inst.status = Status::Finished;
            inst.actual_end = Some(now);
            rt.health = Some((true, now));
        }
        TaskOutcome::Failed | TaskOutcome::False => {
            a.status = Status::Failed;
            a.error_id = error.id;
            a.error_message = error.message;
            a.error_stack_trace = error.stack_trace;
            let number = a.number;
            if inst.retries_left > 0 && inst.attempts.len() < MAX_ATTEMPTS {
                inst.retries_left -= 1;
                inst.status = Status::WaitingForRunner;
                inst.attempts.push(Attempt::new(number + 1, now + delay));
                retried = true;
            } else {
                inst.status = Status::Failed;
                inst.actual_end = Some(now);
                rt.health = Some((false, now));
            }
        }
    }
    Ok(retried)
}
