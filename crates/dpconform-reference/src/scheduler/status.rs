//! SetStatus on components and instances.

use crate::runtime::{Attempt, Status};
use crate::state::Pipeline;

use super::*;

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
