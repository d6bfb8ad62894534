//! The run-time data of a pipeline: plans (how each activity runs), instances
//! (`@Act_<start>`) and their attempts (`..._Attempt=<n>`), with the queries
//! the API answers from them. The scheduler changes them; the store keeps them.

use std::collections::{HashMap, HashSet};

use crate::model::Field;
use crate::schedule::Period;

/// Status of an instance or attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    pub(crate) fn succeeded(self) -> bool {
        matches!(self, Status::Finished | Status::MarkFinished)
    }
}

/// Which scheduled objects a plan makes instances of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PlanKind {
    /// Run by task runners (or by a resource, `runsOn`).
    Activity,
    /// Checked and written by the service: finished once its producers are.
    DataNode,
    /// Started by the service, ended when its activities are.
    Resource,
}

/// How one scheduled object gets instances.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    pub component: String,
    pub kind: PlanKind,
    /// `workerGroup`; None when the activity has `runsOn` (which wins, and
    /// names a resource no task runner of the reference polls for) or
    /// neither.
    pub worker_group: Option<String>,
    /// `runsOn`: the resource an activity runs on.
    pub runs_on: Option<String>,
    pub timing: Timing,
    pub max_active: usize,
    pub max_retries: u32,
    pub retry_delay: i64,
    /// Activities whose instance of the same interval must finish first.
    pub depends_on: Vec<String>,
    /// `failureAndRerunMode` = cascade.
    pub cascade: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    pub(crate) fn new(number: u32, not_before: i64) -> Attempt {
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

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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

    pub(crate) fn head_mut(&mut self) -> Option<&mut Attempt> {
        self.attempts.last_mut()
    }
}

/// A pipeline's run-time state.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Runtime {
    pub plans: Vec<Plan>,
    pub instances: Vec<Instance>,
    /// Component id → index of the next interval to create.
    pub(crate) cursors: HashMap<String, u64>,
    pub paused: HashSet<String>,
    /// Intervals starting before this are skipped (ActivatePipeline's
    /// `startTimestamp`).
    pub(crate) resume_from: Option<i64>,
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

    pub(crate) fn locate_attempt(&self, attempt_id: &str) -> Option<(usize, usize)> {
        let (inst_id, n) = split_attempt_id(attempt_id)?;
        let i = self.instances.iter().position(|i| i.id == inst_id)?;
        let j = self.instances[i].attempts.iter().position(|a| a.number == n)?;
        Some((i, j))
    }

    pub(crate) fn active_count(&self, component: &str) -> usize {
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
