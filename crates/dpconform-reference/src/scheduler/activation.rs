//! Activation and deactivation: plans from the definition, instances of the first intervals.

use crate::dates;
use crate::definition_check;
use crate::error::{ApiError, ApiResult};
use crate::model::{Definition, ParameterValue};
use crate::runtime::{Attempt, Instance, Plan, PlanKind, Status, Timing};
use crate::schedule::{self, Period, ScheduleType, Start};
use crate::state::{Pipeline, PipelineState};

use super::*;

/// Builds the plans of a definition's scheduled objects: those whose type has the
/// invocation field `schedule` in the Developer Guide's object reference —
/// activities, data nodes, Ec2Resource and EmrCluster (documented:
/// evidence/dg-object-reference.md; observed: evidence/aws-cli-examples-list-runs.md
/// lists instances of a resource and two data nodes beside the activity's).
/// Only activities are run by task runners; data nodes and resources are the
/// service's own work (see [`PlanKind`]).
pub fn plans(def: &Definition, first_activation: i64) -> Vec<Plan> {
    let ondemand = schedule::schedule_type(def) == Ok(ScheduleType::OnDemand);
    let timeseries = schedule::schedule_type(def) == Ok(ScheduleType::Timeseries);
    let kinds: Vec<(&str, PlanKind)> = def
        .objects
        .iter()
        .filter_map(|o| plan_kind(def, o).map(|k| (o.id.as_str(), k)))
        .collect();
    let activity_ids: Vec<&str> = kinds
        .iter()
        .filter(|(_, k)| *k == PlanKind::Activity)
        .map(|(id, _)| *id)
        .collect();
    let mut out = Vec::new();
    for (id, kind) in &kinds {
        let Some(obj) = def.object(id) else { continue };
        let fields = schedule::resolved_fields(def, obj);
        let string = |k: &str| fields.iter().find(|f| f.key == k).and_then(|f| f.string_value.clone());
        let has = |k: &str| fields.iter().any(|f| f.key == k);
        let schedule_obj = fields
            .iter()
            .find(|f| f.key == "schedule")
            .and_then(|f| f.ref_value.as_deref())
            .and_then(|id| def.object(id))
            .map(|s| schedule::resolved_object(def, s));
        let timing = if ondemand || schedule_obj.as_ref().is_some_and(schedule::is_on_demand_schedule) {
            Timing::OnDemand
        } else {
            let Some(spec) = schedule_obj.and_then(|s| schedule::parse_schedule(&s).ok()) else {
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
        let refs = |key: &str| -> Vec<String> {
            fields
                .iter()
                .filter(|f| f.key == key)
                .filter_map(|f| f.ref_value.clone())
                .collect()
        };
        let depends_on: Vec<String> = match kind {
            PlanKind::Activity => refs("dependsOn")
                .into_iter()
                .filter(|r| activity_ids.contains(&r.as_str()) && r != id)
                .collect(),
            // inferred: a data node waits for the activities that write it (its
            // producers, by their `output`), as the output node of
            // evidence/aws-cli-examples-list-runs.md waited while the activity ran.
            PlanKind::DataNode => kinds
                .iter()
                .filter(|(a, k)| *k == PlanKind::Activity && a != id)
                .filter(|(a, _)| {
                    def.object(a).is_some_and(|ao| {
                        schedule::resolved_fields(def, ao)
                            .iter()
                            .any(|f| f.key == "output" && f.ref_value.as_deref() == Some(*id))
                    })
                })
                .map(|(a, _)| a.to_string())
                .collect(),
            // A resource waits for nothing; it ends when the activities that run on
            // it have ended (see advance).
            PlanKind::Resource => Vec::new(),
        };
        out.push(Plan {
            component: id.to_string(),
            kind: *kind,
            worker_group: match kind {
                PlanKind::Activity if !has("runsOn") => string("workerGroup"),
                _ => None,
            },
            runs_on: refs("runsOn").into_iter().next(),
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
            depends_on,
            cascade: string("failureAndRerunMode").is_some_and(|m| m.eq_ignore_ascii_case("cascade")),
        });
    }
    out
}

/// What kind of scheduled object `obj` is, if it gets instances at all.
fn plan_kind(def: &Definition, obj: &crate::model::PipelineObject) -> Option<PlanKind> {
    let ty = schedule::inherited_string(def, obj, "type")?;
    if !definition_check::is_scheduled_type(&ty) {
        return None;
    }
    match definition_check::category(&ty)? {
        "activity" => Some(PlanKind::Activity),
        "datanode" => Some(PlanKind::DataNode),
        "resource" => Some(PlanKind::Resource),
        _ => None,
    }
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
    let ondemand: Vec<Plan> = rt
        .plans
        .iter()
        .filter(|pl| matches!(pl.timing, Timing::OnDemand))
        .cloned()
        .collect();
    for plan in &ondemand {
        let c = &plan.component;
        for inst in rt.instances.iter_mut().filter(|i| &i.component == c) {
            cancel_instance(inst, now, "Canceled by a new activation of the on-demand pipeline");
        }
        let mut start = now;
        while rt.instances.iter().any(|i| i.id == instance_id(c, start)) {
            start += 1;
        }
        rt.instances.push(new_instance(plan, start, start, now));
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

/// A new instance of `plan` for the interval `[start, end)`, created `now`.
///
/// observed: evidence/aws-cli-examples-list-runs.md — every instance of a
/// just-activated pipeline already has `@actualStartTime`, also those still
/// WAITING_ON_DEPENDENCIES or WAITING_FOR_RUNNER, so it is set at creation; a data
/// node with nothing to wait for is FINISHED at once, with start = end.
/// inferred: a resource is RUNNING at once (the reference starts no machine, so
/// there is no CREATING phase to wait for) and data nodes and resources have no
/// attempts (no task runner works on them).
pub(super) fn new_instance(plan: &Plan, start: i64, end: i64, now: i64) -> Instance {
    let waits = !plan.depends_on.is_empty();
    let (status, actual_end, attempts) = match (plan.kind, waits) {
        (_, true) => (Status::WaitingOnDependencies, None, Vec::new()),
        (PlanKind::Activity, false) => (Status::WaitingForRunner, None, vec![Attempt::new(1, now)]),
        (PlanKind::DataNode, false) => (Status::Finished, Some(now), Vec::new()),
        (PlanKind::Resource, false) => (Status::Running, None, Vec::new()),
    };
    Instance {
        id: instance_id(&plan.component, start),
        component: plan.component.clone(),
        scheduled_start: start,
        scheduled_end: end,
        status,
        actual_start: Some(now),
        actual_end,
        attempts,
        retries_left: plan.max_retries,
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

pub(super) fn cancel_instance(inst: &mut Instance, now: i64, reason: &str) {
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
