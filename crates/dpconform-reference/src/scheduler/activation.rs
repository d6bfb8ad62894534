//! Activation and deactivation: plans from the definition, instances of the first intervals.

use crate::dates;
use crate::error::{ApiError, ApiResult};
use crate::model::{Definition, ParameterValue};
use crate::runtime::{Attempt, Instance, Plan, Status, Timing};
use crate::schedule::{self, Period, ScheduleType, Start};
use crate::state::{Pipeline, PipelineState};

use super::*;

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

pub fn is_activity(def: &Definition, obj: &crate::model::PipelineObject) -> bool {
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

pub(super) fn new_instance(component: &str, start: i64, end: i64, waits: bool, retries: u32, now: i64) -> Instance {
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
