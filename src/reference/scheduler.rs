//! The run-time side of a pipeline: activation turns the active definition's
//! activities into plans; time passing creates instances (`@Act_<start>`)
//! with attempts (`..._Attempt=<n>`); task runners, SetTaskStatus and
//! SetStatus move them through the documented states.
//!
//! Everything here is a function of the pipeline, its definition and `now`
//! (Unix seconds): no clock, no I/O.

use std::collections::{HashMap, HashSet};

use super::dates;
use super::error::{ApiError, ApiResult};
use super::model::{Field, ParameterValue};
use super::schedule::{self, Period, ScheduleType, Start};
use super::state::{Definition, Pipeline, PipelineState};

/// Instances created for one component in one step (bounds a backfill).
const MAX_CREATIONS_PER_STEP: usize = 32;
/// Instances kept per pipeline; the oldest ended ones are forgotten beyond.
pub const MAX_INSTANCES: usize = 1000;
/// Attempts one instance may accumulate through reruns.
const MAX_ATTEMPTS: usize = 100;
/// DG limits: at most 5 retries, at most 5 active instances per object.
const MAX_RETRIES_CAP: u32 = 5;
const MAX_ACTIVE_CAP: usize = 5;
/// DG: retries at least 2 minutes apart when a `retryDelay` is given.
/// inferred: without a `retryDelay` the retry attempt is queued at once (the
/// default delay is UNK), which keeps runs short and deterministic.
const MIN_RETRY_DELAY: i64 = 120;
/// inferred: `maximumRetries` defaults to 2 (UNK in the facts).
const DEFAULT_MAX_RETRIES: u32 = 2;
/// M (ReportTaskProgress): a runner acknowledges a task with ReportTaskProgress
/// within 2 minutes, or the task is reassigned in a later PollForTask.
const ACK_WINDOW: i64 = 120;

/// Status of an instance or attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    WaitingOnDependencies,
    WaitingForRunner,
    Running,
    Finished,
    Failed,
    CascadeFailed,
    Canceled,
    MarkFinished,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::WaitingOnDependencies => "WAITING_ON_DEPENDENCIES",
            Status::WaitingForRunner => "WAITING_FOR_RUNNER",
            Status::Running => "RUNNING",
            Status::Finished => "FINISHED",
            Status::Failed => "FAILED",
            Status::CascadeFailed => "CASCADE_FAILED",
            Status::Canceled => "CANCELED",
            Status::MarkFinished => "MARK_FINISHED",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Finished | Status::Failed | Status::CascadeFailed | Status::Canceled | Status::MarkFinished
        )
    }

    fn succeeded(self) -> bool {
        matches!(self, Status::Finished | Status::MarkFinished)
    }
}

/// How one activity is run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub component: String,
    /// `workerGroup`; None when the activity has `runsOn` (which wins, and
    /// names a resource no task runner of the reference polls for) or
    /// neither.
    pub worker_group: Option<String>,
    pub timing: Timing,
    pub max_active: usize,
    pub max_retries: u32,
    pub retry_delay: i64,
    /// Activities whose instance of the same interval must finish first.
    pub depends_on: Vec<String>,
    /// `failureAndRerunMode` = cascade.
    pub cascade: bool,
}

#[derive(Debug, Clone)]
pub enum Timing {
    /// One run per activation.
    OnDemand,
    Periodic {
        start: i64,
        period: Period,
        period_text: String,
        end: Option<i64>,
        occurrences: Option<u64>,
        /// timeseries: an instance is made at the end of its interval;
        /// cron: at the start.
        timeseries: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub number: u32,
    pub status: Status,
    pub task_id: Option<String>,
    pub hostname: Option<String>,
    pub actual_start: Option<i64>,
    pub actual_end: Option<i64>,
    pub report_progress_time: Option<i64>,
    /// Not handed out before this time (retry delay).
    pub not_before: i64,
    pub error_id: Option<String>,
    pub error_message: Option<String>,
    pub error_stack_trace: Option<String>,
    pub cancellation_reason: Option<String>,
    /// Fields reported with ReportTaskProgress.
    pub progress: Vec<Field>,
}

impl Attempt {
    fn new(number: u32, not_before: i64) -> Attempt {
        Attempt {
            number,
            status: Status::WaitingForRunner,
            task_id: None,
            hostname: None,
            actual_start: None,
            actual_end: None,
            report_progress_time: None,
            not_before,
            error_id: None,
            error_message: None,
            error_stack_trace: None,
            cancellation_reason: None,
            progress: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub component: String,
    pub scheduled_start: i64,
    pub scheduled_end: i64,
    pub status: Status,
    pub actual_start: Option<i64>,
    pub actual_end: Option<i64>,
    pub attempts: Vec<Attempt>,
    /// Retries left before a failed attempt fails the instance.
    pub retries_left: u32,
    pub cancellation_reason: Option<String>,
}

impl Instance {
    pub fn attempt_id(&self, a: &Attempt) -> String {
        format!("{}_Attempt={}", self.id, a.number)
    }

    pub fn head(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    fn head_mut(&mut self) -> Option<&mut Attempt> {
        self.attempts.last_mut()
    }
}

/// A pipeline's run-time state.
#[derive(Debug, Default)]
pub struct Runtime {
    pub plans: Vec<Plan>,
    pub instances: Vec<Instance>,
    /// Component id → index of the next interval to create.
    cursors: HashMap<String, u64>,
    pub paused: HashSet<String>,
    /// Intervals starting before this are skipped (ActivatePipeline's
    /// `startTimestamp`).
    resume_from: Option<i64>,
    /// (healthy, when) of the last instance that ended.
    pub health: Option<(bool, i64)>,
}

impl Runtime {
    pub fn plan(&self, component: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.component == component)
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// The instance and attempt of an attempt id.
    pub fn attempt(&self, attempt_id: &str) -> Option<(&Instance, &Attempt)> {
        let (inst_id, n) = split_attempt_id(attempt_id)?;
        let inst = self.instance(inst_id)?;
        let a = inst.attempts.iter().find(|a| a.number == n)?;
        Some((inst, a))
    }

    fn locate_attempt(&self, attempt_id: &str) -> Option<(usize, usize)> {
        let (inst_id, n) = split_attempt_id(attempt_id)?;
        let i = self.instances.iter().position(|i| i.id == inst_id)?;
        let j = self.instances[i].attempts.iter().position(|a| a.number == n)?;
        Some((i, j))
    }

    fn active_count(&self, component: &str) -> usize {
        self.instances
            .iter()
            .filter(|i| i.component == component && !i.status.is_terminal())
            .count()
    }

    /// Start of the next interval still to be created, over all plans.
    pub fn next_run_time(&self) -> Option<i64> {
        self.plans
            .iter()
            .filter_map(|p| match &p.timing {
                Timing::Periodic { start, period, .. } => {
                    period.nth(*start, self.cursors.get(&p.component).copied().unwrap_or(0))
                }
                Timing::OnDemand => None,
            })
            .min()
    }

    /// The latest scheduled start of an instance that has started.
    pub fn latest_run_time(&self) -> Option<i64> {
        self.instances
            .iter()
            .filter(|i| i.actual_start.is_some())
            .map(|i| i.scheduled_start)
            .max()
    }

    /// Status a client sees: waiting objects of a paused component are
    /// PAUSED.
    pub fn shown_status(&self, component: &str, status: Status) -> &'static str {
        if self.paused.contains(component) && matches!(status, Status::WaitingForRunner | Status::WaitingOnDependencies)
        {
            "PAUSED"
        } else {
            status.as_str()
        }
    }
}

/// `@Act_2012-09-25T17:00:00_Attempt=2` → (`@Act_2012-09-25T17:00:00`, 2).
pub fn split_attempt_id(id: &str) -> Option<(&str, u32)> {
    let (inst, n) = id.rsplit_once("_Attempt=")?;
    Some((inst, n.parse().ok()?))
}

/// Builds the plans of a definition's activities (types ending in
/// `Activity`). inferred: only activities get instances; data nodes,
/// resources and preconditions stay components (the reference launches no
/// resources).
pub fn plans(def: &Definition, first_activation: i64) -> Vec<Plan> {
    let ondemand = schedule::schedule_type(def) == Ok(ScheduleType::OnDemand);
    let timeseries = schedule::schedule_type(def) == Ok(ScheduleType::Timeseries);
    let activity_ids: Vec<&str> = def
        .objects
        .iter()
        .filter(|o| is_activity(def, o))
        .map(|o| o.id.as_str())
        .collect();
    let mut out = Vec::new();
    for obj in def.objects.iter().filter(|o| is_activity(def, o)) {
        let fields = schedule::resolved_fields(def, obj);
        let string = |k: &str| fields.iter().find(|f| f.key == k).and_then(|f| f.string_value.clone());
        let has = |k: &str| fields.iter().any(|f| f.key == k);
        let timing = if ondemand {
            Timing::OnDemand
        } else {
            let Some(spec) = fields
                .iter()
                .find(|f| f.key == "schedule")
                .and_then(|f| f.ref_value.as_deref())
                .and_then(|id| def.object(id))
                .and_then(|s| schedule::parse_schedule(s).ok())
            else {
                continue;
            };
            Timing::Periodic {
                start: match spec.start {
                    Start::At(t) => t,
                    Start::FirstActivation => first_activation,
                },
                period: spec.period,
                period_text: spec.period_text,
                end: spec.end,
                occurrences: spec.occurrences,
                timeseries,
            }
        };
        let retry_delay = string("retryDelay")
            .and_then(|d| schedule::parse_period_any(&d))
            .map(|d| d.max(MIN_RETRY_DELAY))
            .unwrap_or(0);
        out.push(Plan {
            component: obj.id.clone(),
            worker_group: if has("runsOn") { None } else { string("workerGroup") },
            timing,
            max_active: string("maxActiveInstances")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1usize)
                .clamp(1, MAX_ACTIVE_CAP),
            max_retries: string("maximumRetries")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(DEFAULT_MAX_RETRIES)
                .min(MAX_RETRIES_CAP),
            retry_delay,
            depends_on: fields
                .iter()
                .filter(|f| f.key == "dependsOn")
                .filter_map(|f| f.ref_value.clone())
                .filter(|r| activity_ids.contains(&r.as_str()) && r != &obj.id)
                .collect(),
            cascade: string("failureAndRerunMode").is_some_and(|m| m.eq_ignore_ascii_case("cascade")),
        });
    }
    out
}

pub fn is_activity(def: &Definition, obj: &super::model::PipelineObject) -> bool {
    schedule::inherited_string(def, obj, "type").is_some_and(|t| t.ends_with("Activity"))
}

/// ActivatePipeline: checks the latest definition, makes it the active one
/// and starts (or resumes) scheduling.
pub fn activate(
    p: &mut Pipeline,
    now: i64,
    start_timestamp: Option<i64>,
    values: Option<Vec<ParameterValue>>,
) -> ApiResult<()> {
    let Some(latest) = p.latest.as_ref() else {
        // inferred: the error type for activating without a definition is
        // UNK; InvalidRequestException like the other refusals.
        return Err(ApiError::invalid(format!(
            "Pipeline {} does not have a pipeline definition. Call PutPipelineDefinition first.",
            p.id
        )));
    };
    if latest.errored {
        return Err(ApiError::invalid(format!(
            "Pipeline {} has a definition with errors and cannot be activated. Call ValidatePipelineDefinition to see them.",
            p.id
        )));
    }
    let mut active = latest.clone();
    if let Some(values) = values {
        active.parameter_values = values;
    }
    let first = *p.first_activation.get_or_insert(now);
    p.last_activation = Some(now);
    p.activations = p.activations.saturating_add(1);
    let rt = &mut p.runtime;
    rt.plans = plans(&active, first);
    rt.resume_from = start_timestamp;
    if let Some(ts) = start_timestamp {
        for plan in &rt.plans {
            if let Timing::Periodic { start, period, .. } = &plan.timing {
                let k = first_interval_at_or_after(*start, *period, ts);
                let cur = rt.cursors.entry(plan.component.clone()).or_insert(0);
                *cur = (*cur).max(k);
            }
        }
    }
    // AR: re-activating an on-demand pipeline cancels its running objects
    // and runs again.
    let ondemand: Vec<String> = rt
        .plans
        .iter()
        .filter(|pl| matches!(pl.timing, Timing::OnDemand))
        .map(|pl| pl.component.clone())
        .collect();
    for c in &ondemand {
        for inst in rt.instances.iter_mut().filter(|i| &i.component == c) {
            cancel_instance(inst, now, "Canceled by a new activation of the on-demand pipeline");
        }
        let mut start = now;
        while rt.instances.iter().any(|i| i.id == instance_id(c, start)) {
            start += 1;
        }
        let deps = !rt.plan(c).is_some_and(|pl| pl.depends_on.is_empty());
        let retries = rt.plan(c).map_or(DEFAULT_MAX_RETRIES, |pl| pl.max_retries);
        rt.instances.push(new_instance(c, start, start, deps, retries, now));
    }
    p.active = Some(active);
    p.state = PipelineState::Scheduled;
    prune(&mut p.runtime);
    Ok(())
}

fn first_interval_at_or_after(start: i64, period: Period, t: i64) -> u64 {
    if t <= start {
        return 0;
    }
    match period {
        Period::Seconds(s) if s > 0 => {
            let k = (i128::from(t) - i128::from(start) + i128::from(s) - 1) / i128::from(s);
            u64::try_from(k).unwrap_or(u64::MAX)
        }
        _ => {
            let mut k = 0u64;
            while k < 100_000 && period.nth(start, k).is_some_and(|s| s < t) {
                k += 1;
            }
            k
        }
    }
}

pub fn instance_id(component: &str, scheduled_start: i64) -> String {
    format!("@{component}_{}", dates::format_field(scheduled_start))
}

fn new_instance(component: &str, start: i64, end: i64, waits: bool, retries: u32, now: i64) -> Instance {
    Instance {
        id: instance_id(component, start),
        component: component.to_string(),
        scheduled_start: start,
        scheduled_end: end,
        status: if waits {
            Status::WaitingOnDependencies
        } else {
            Status::WaitingForRunner
        },
        actual_start: None,
        actual_end: None,
        attempts: if waits { Vec::new() } else { vec![Attempt::new(1, now)] },
        retries_left: retries,
        cancellation_reason: None,
    }
}

/// DeactivatePipeline. inferred: DEACTIVATING is instantaneous in memory, so
/// the pipeline is INACTIVE on return; deactivating a pipeline that is not
/// SCHEDULED changes nothing.
pub fn deactivate(p: &mut Pipeline, now: i64, cancel_active: bool) {
    if p.state != PipelineState::Scheduled {
        return;
    }
    p.state = PipelineState::Inactive;
    p.last_deactivation = Some(now);
    if cancel_active {
        for inst in &mut p.runtime.instances {
            cancel_instance(inst, now, "Canceled by DeactivatePipeline");
        }
        note_health(&mut p.runtime, now);
    }
}

fn cancel_instance(inst: &mut Instance, now: i64, reason: &str) {
    if inst.status.is_terminal() {
        return;
    }
    inst.status = Status::Canceled;
    inst.actual_end = Some(now);
    inst.cancellation_reason = Some(reason.to_string());
    if let Some(a) = inst.head_mut().filter(|a| !a.status.is_terminal()) {
        a.status = Status::Canceled;
        a.actual_end = Some(now);
        a.cancellation_reason = Some(reason.to_string());
    }
}

/// Lets time pass: creates due instances, releases those whose
/// dependencies finished, and finishes a pipeline with nothing left to run.
/// Returns true when a task may have become available.
pub fn advance(p: &mut Pipeline, now: i64) -> bool {
    if p.state != PipelineState::Scheduled {
        return false;
    }
    let mut changed = false;
    let rt = &mut p.runtime;
    let plans = rt.plans.clone();
    for plan in &plans {
        let Timing::Periodic {
            start,
            period,
            end,
            occurrences,
            timeseries,
            ..
        } = &plan.timing
        else {
            continue;
        };
        if rt.paused.contains(&plan.component) {
            continue;
        }
        for _ in 0..MAX_CREATIONS_PER_STEP {
            let k = rt.cursors.get(&plan.component).copied().unwrap_or(0);
            if occurrences.is_some_and(|n| k >= n) {
                break;
            }
            let (Some(s), Some(e)) = (period.nth(*start, k), period.nth(*start, k + 1)) else {
                break;
            };
            if end.is_some_and(|end| s >= end) {
                break;
            }
            let due = if *timeseries { e } else { s };
            if due > now || rt.active_count(&plan.component) >= plan.max_active {
                break;
            }
            rt.cursors.insert(plan.component.clone(), k + 1);
            if rt.resume_from.is_some_and(|r| s < r) {
                continue;
            }
            let waits = !plan.depends_on.is_empty();
            rt.instances
                .push(new_instance(&plan.component, s, e, waits, plan.max_retries, now));
            changed |= !waits;
        }
    }
    changed |= release_dependents(rt, &plans, now);
    if finished(rt) {
        p.state = PipelineState::Finished;
    }
    prune(&mut p.runtime);
    changed
}

fn release_dependents(rt: &mut Runtime, plans: &[Plan], now: i64) -> bool {
    let mut changed = false;
    for i in 0..rt.instances.len() {
        if rt.instances[i].status != Status::WaitingOnDependencies {
            continue;
        }
        let Some(plan) = plans.iter().find(|p| p.component == rt.instances[i].component) else {
            continue;
        };
        let start = rt.instances[i].scheduled_start;
        let deps: Vec<Option<Status>> = plan
            .depends_on
            .iter()
            .map(|d| {
                rt.instances
                    .iter()
                    .find(|o| &o.component == d && o.scheduled_start == start)
                    .map(|o| o.status)
            })
            .collect();
        let inst = &mut rt.instances[i];
        if deps.iter().all(|s| s.is_some_and(Status::succeeded)) {
            inst.status = Status::WaitingForRunner;
            inst.attempts.push(Attempt::new(1, now));
            changed = true;
        } else if plan.cascade
            && deps
                .iter()
                .any(|s| matches!(s, Some(Status::Failed | Status::CascadeFailed | Status::Canceled)))
        {
            inst.status = Status::CascadeFailed;
            inst.actual_end = Some(now);
            rt.health = Some((false, now));
        }
    }
    changed
}

/// A pipeline is FINISHED when every activity has a bounded schedule that is
/// exhausted and every instance has ended. inferred: on-demand pipelines
/// stay SCHEDULED between runs (they can be re-activated).
fn finished(rt: &Runtime) -> bool {
    if rt.plans.is_empty() {
        return false;
    }
    let schedules_done = rt.plans.iter().all(|p| match &p.timing {
        Timing::OnDemand => false,
        Timing::Periodic {
            start,
            period,
            end,
            occurrences,
            ..
        } => {
            let k = rt.cursors.get(&p.component).copied().unwrap_or(0);
            occurrences.is_some_and(|n| k >= n) || end.is_some_and(|end| period.nth(*start, k).is_none_or(|s| s >= end))
        }
    });
    schedules_done && rt.instances.iter().all(|i| i.status.is_terminal())
}

fn prune(rt: &mut Runtime) {
    while rt.instances.len() > MAX_INSTANCES {
        match rt.instances.iter().position(|i| i.status.is_terminal()) {
            Some(i) => {
                rt.instances.remove(i);
            }
            None => break,
        }
    }
}

fn note_health(rt: &mut Runtime, now: i64) {
    let last = rt
        .instances
        .iter()
        .filter(|i| i.status.is_terminal())
        .max_by_key(|i| i.actual_end.unwrap_or(i64::MIN));
    if let Some(i) = last {
        rt.health = Some((i.status.succeeded(), now));
    }
}

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
        let first = inst.attempts.len() == 1;
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
        if first {
            inst.actual_start = None;
        }
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

/// The statuses SetStatus accepts: PAUSE/RESUME on components,
/// TRY_CANCEL/RERUN/MARK_FINISHED on instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Pause,
    Resume,
    TryCancel,
    Rerun,
    MarkFinished,
}

impl StatusChange {
    /// inferred: matched case-insensitively (the API Reference sample sends
    /// "pause").
    pub fn parse(s: &str) -> Option<StatusChange> {
        match s.to_ascii_uppercase().as_str() {
            "PAUSE" => Some(StatusChange::Pause),
            "RESUME" => Some(StatusChange::Resume),
            "TRY_CANCEL" => Some(StatusChange::TryCancel),
            "RERUN" => Some(StatusChange::Rerun),
            "MARK_FINISHED" => Some(StatusChange::MarkFinished),
            _ => None,
        }
    }

    pub fn for_components(self) -> bool {
        matches!(self, StatusChange::Pause | StatusChange::Resume)
    }
}

/// SetStatus on already-checked ids: components for PAUSE/RESUME, instance
/// ids otherwise. Returns true when a task may have become available.
pub fn set_status(p: &mut Pipeline, ids: &[String], change: StatusChange, now: i64) -> bool {
    let rt = &mut p.runtime;
    let mut changed = false;
    for id in ids {
        match change {
            StatusChange::Pause => {
                rt.paused.insert(id.clone());
            }
            StatusChange::Resume => {
                changed |= rt.paused.remove(id);
            }
            StatusChange::TryCancel | StatusChange::Rerun | StatusChange::MarkFinished => {
                let Some(inst) = rt.instances.iter_mut().find(|i| &i.id == id) else {
                    continue;
                };
                match change {
                    StatusChange::TryCancel => cancel_instance(inst, now, "Canceled by SetStatus TRY_CANCEL"),
                    // inferred: the instance then reads MARK_FINISHED (DG:
                    // dp-interpret-health-status names it beside FINISHED as
                    // an instance's healthy end); a live attempt is canceled.
                    StatusChange::MarkFinished => {
                        if let Some(a) = inst.head_mut().filter(|a| !a.status.is_terminal()) {
                            a.status = Status::Canceled;
                            a.actual_end = Some(now);
                            a.cancellation_reason = Some("Instance marked finished".to_string());
                        }
                        inst.status = Status::MarkFinished;
                        inst.actual_end = Some(now);
                    }
                    _ => {
                        if inst.status == Status::WaitingOnDependencies || inst.attempts.len() >= MAX_ATTEMPTS {
                            continue;
                        }
                        if let Some(a) = inst.head_mut().filter(|a| !a.status.is_terminal()) {
                            a.status = Status::Canceled;
                            a.actual_end = Some(now);
                            a.cancellation_reason = Some("Superseded by a rerun".to_string());
                        }
                        let next = inst.head().map_or(1, |a| a.number + 1);
                        inst.attempts.push(Attempt::new(next, now));
                        inst.status = Status::WaitingForRunner;
                        inst.actual_end = None;
                        inst.cancellation_reason = None;
                        inst.retries_left = rt
                            .plans
                            .iter()
                            .find(|pl| pl.component == inst.component)
                            .map_or(DEFAULT_MAX_RETRIES, |pl| pl.max_retries);
                        changed = true;
                    }
                }
            }
        }
    }
    note_health(rt, now);
    changed
}
