//! Time passing: due instances created, dependents released, finished pipelines.

use crate::runtime::{Attempt, Plan, PlanKind, Runtime, Status, Timing};
use crate::state::{Pipeline, PipelineState};

use super::*;

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
            let instance = new_instance(plan, s, e, now);
            changed |= instance.status == Status::WaitingForRunner;
            rt.instances.push(instance);
        }
    }
    changed |= release_dependents(rt, &plans, now);
    end_resources(rt, &plans, now);
    if finished(rt) {
        p.state = PipelineState::Finished;
        p.finished_at = Some(now);
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
            if plan.kind == PlanKind::Activity {
                inst.status = Status::WaitingForRunner;
                inst.attempts.push(Attempt::new(1, now));
                changed = true;
            } else {
                // inferred: the service's own work on a data node (writing it is the
                // activity's) is done once its producers are.
                // observed: evidence/gh-aws-cli-1212.md — the output node finished after
                // the activity.
                inst.status = Status::Finished;
                inst.actual_end = Some(now);
            }
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

/// Ends the resources no activity needs any more: a RUNNING resource instance turns
/// FINISHED once every activity instance of the same interval that runs on it has
/// ended. observed: evidence/gh-aws-cli-1212.md (the resource finished last, after
/// the activity and the output node); inferred: at once when nothing runs on it.
fn end_resources(rt: &mut Runtime, plans: &[Plan], now: i64) {
    for i in 0..rt.instances.len() {
        let inst = &rt.instances[i];
        if inst.status != Status::Running {
            continue;
        }
        if !plans
            .iter()
            .any(|p| p.component == inst.component && p.kind == PlanKind::Resource)
        {
            continue;
        }
        let users: Vec<&str> = plans
            .iter()
            .filter(|p| p.kind == PlanKind::Activity && p.runs_on.as_deref() == Some(inst.component.as_str()))
            .map(|p| p.component.as_str())
            .collect();
        let busy = rt.instances.iter().any(|o| {
            users.contains(&o.component.as_str())
                && o.scheduled_start == inst.scheduled_start
                && !o.status.is_terminal()
        });
        if !busy {
            let inst = &mut rt.instances[i];
            inst.status = Status::Finished;
            inst.actual_end = Some(now);
        }
    }
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

pub(super) fn prune(rt: &mut Runtime) {
    while rt.instances.len() > MAX_INSTANCES {
        match rt.instances.iter().position(|i| i.status.is_terminal()) {
            Some(i) => {
                rt.instances.remove(i);
            }
            None => break,
        }
    }
}

pub(super) fn note_health(rt: &mut Runtime, now: i64) {
    let last = rt
        .instances
        .iter()
        .filter(|i| i.status.is_terminal())
        .max_by_key(|i| i.actual_end.unwrap_or(i64::MIN));
    if let Some(i) = last {
        rt.health = Some((i.status.succeeded(), now));
    }
}
