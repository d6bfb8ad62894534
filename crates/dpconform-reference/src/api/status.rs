//! SetStatus: PAUSE/RESUME on components, TRY_CANCEL/RERUN/MARK_FINISHED on
//! instances.

use serde::Deserialize;
use serde_json::Value;

use super::{Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::scheduler::{self, StatusChange};
use crate::state::{PipelineState, Store};
use crate::validate::typed;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetStatusInput {
    pipeline_id: String,
    object_ids: Vec<String>,
    status: String,
}

/// inferred: an unknown status, an id that names no component or instance
/// (attempt ids included), mixed components and instances, and a status that
/// does not apply to the ids' sphere are all InvalidRequestException; the
/// answer has no body (M).
pub fn set_status(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: SetStatusInput = typed(input)?;
    let p = store.pipeline_mut(&input.pipeline_id)?;
    if p.state == PipelineState::Finished {
        return Err(ApiError::invalid(format!(
            "Pipeline {} is FINISHED; the status of its objects cannot be set.",
            p.id
        )));
    }
    let change = StatusChange::parse(&input.status).ok_or_else(|| {
        ApiError::invalid(format!(
            "Invalid status '{}': components take PAUSE or RESUME, instances TRY_CANCEL, RERUN or MARK_FINISHED.",
            input.status
        ))
    })?;
    let mut components = 0;
    let mut instances = 0;
    for id in &input.object_ids {
        if p.components().is_some_and(|d| d.object(id).is_some()) {
            components += 1;
        } else if p.runtime.instance(id).is_some() {
            instances += 1;
        } else {
            return Err(ApiError::invalid(format!(
                "Object '{id}' is not a component or instance of pipeline {}.",
                p.id
            )));
        }
    }
    if components > 0 && instances > 0 {
        return Err(ApiError::invalid(
            "objectIds must be all components or all instances, not a mix.",
        ));
    }
    let wants_components = change.for_components();
    if (wants_components && instances > 0) || (!wants_components && components > 0) {
        return Err(ApiError::invalid(format!(
            "Status {} does not apply to {}.",
            input.status.to_ascii_uppercase(),
            if components > 0 { "components" } else { "instances" }
        )));
    }
    let changed = scheduler::set_status(p, &input.object_ids, change, ctx.now);
    Ok(Reply::no_body().with_tasks_changed(changed))
}
