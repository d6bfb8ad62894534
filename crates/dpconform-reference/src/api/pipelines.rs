//! CreatePipeline, DeletePipeline, DescribePipelines, ListPipelines,
//! ActivatePipeline, DeactivatePipeline.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{describe, parse_marker, tags, Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::model::{ParameterValue, Tag};
use crate::scheduler;
use crate::state::{Pipeline, PipelineState, Store, MAX_PIPELINES};
use crate::validate::typed;

/// Pipelines per ListPipelines page. inferred: the real page size is UNK;
/// 25, like the API's other per-call limits.
const LIST_PAGE: usize = 25;
/// documented (the model's documentation prose, not a bound:
/// evidence/botocore-model.md): at most 25 ids per DescribePipelines. inferred:
/// more is InvalidRequestException (the real refusal is UNK).
const MAX_DESCRIBE: usize = 25;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    name: String,
    unique_id: String,
    description: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// CreatePipeline: idempotent on (name, uniqueId).
/// inferred: a repeat with other description or tags returns the same id and
/// changes nothing (UNK); the same uniqueId with another name is another
/// pipeline (the key is the pair).
pub fn create(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: CreateInput = typed(input)?;
    let key = (input.name.clone(), input.unique_id.clone());
    if let Some(id) = store.unique.get(&key) {
        return Ok(Reply::json(json!({ "pipelineId": id })));
    }
    tags::check(&input.tags)?;
    // More than 10 tags never get here: the request validator refuses them.
    let tags = tags::merged(Vec::new(), input.tags)?;
    if store.pipelines.len() >= MAX_PIPELINES {
        return Err(ApiError::invalid(format!(
            "Limit exceeded: an account can have at most {MAX_PIPELINES} pipelines."
        )));
    }
    let mut id = new_pipeline_id(ctx);
    while store.pipelines.contains_key(&id) || store.is_deleted(&id) {
        id = new_pipeline_id(ctx);
    }
    let seq = store.next_seq();
    store.pipelines.insert(
        id.clone(),
        Pipeline {
            id: id.clone(),
            account_id: ctx.account_id.clone(),
            name: input.name,
            unique_id: input.unique_id,
            description: input.description,
            tags,
            created: ctx.now,
            seq,
            state: PipelineState::Pending,
            latest: None,
            active: None,
            activations: 0,
            first_activation: None,
            last_activation: None,
            last_deactivation: None,
            finished_at: None,
            runtime: Default::default(),
        },
    );
    store.unique.insert(key, id.clone());
    Ok(Reply::json(json!({ "pipelineId": id })))
}

/// `df-` and 20 uppercase letters and digits, like `df-04654872H25YEAGKG08Q`.
fn new_pipeline_id(ctx: &Ctx) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = ctx.ids.next_u128();
    let mut id = String::from("df-");
    for _ in 0..20 {
        id.push(char::from(ALPHABET[(n % 36) as usize]));
        n /= 36;
    }
    id
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PipelineIdInput {
    pipeline_id: String,
}

/// DeletePipeline: the pipeline enters its deleting phase (see
/// [`crate::state::Deleting`]); runners holding its tasks are told `canceled`.
/// Answers 200 with no body (observed: the Ansible recordings, content-length 0).
pub fn delete(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: PipelineIdInput = typed(input)?;
    store.delete(&input.pipeline_id, ctx.now, ctx.now_ms, ctx.deletion_delay_ms)?;
    Ok(Reply::no_body())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInput {
    pipeline_ids: Vec<String>,
}

/// DescribePipelines. inferred: an unknown or deleted id fails the whole
/// call (UNK); descriptions come in the order asked. A pipeline in its deleting
/// phase is described as DELETING (observed: see [`crate::state::Deleting`]).
pub fn describe(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: DescribeInput = typed(input)?;
    if input.pipeline_ids.len() > MAX_DESCRIBE {
        return Err(ApiError::invalid(format!(
            "Too many pipeline ids: at most {MAX_DESCRIBE} may be described in one call."
        )));
    }
    let list = input
        .pipeline_ids
        .iter()
        .map(|id| match store.deleting.get(id) {
            Some(d) => Ok(describe::deleting(d)),
            None => store.pipeline(id).map(describe::pipeline),
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Reply::serialized(&DescribeOutput {
        pipeline_description_list: list,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeOutput<'a> {
    pipeline_description_list: Vec<describe::PipelineDescription<'a>>,
}

#[derive(Deserialize)]
struct ListInput {
    marker: Option<String>,
}

/// ListPipelines: pages of 25 in creation order; the marker is the position
/// of the next pipeline.
pub fn list(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: ListInput = typed(input)?;
    let from = parse_marker(input.marker.as_deref())?;
    let mut all: Vec<&Pipeline> = store.pipelines.values().collect();
    all.sort_by_key(|p| p.seq);
    let page: Vec<PipelineIdName> = all
        .iter()
        .skip(from)
        .take(LIST_PAGE)
        .map(|p| PipelineIdName {
            id: &p.id,
            name: &p.name,
        })
        .collect();
    let next = from.saturating_add(page.len());
    let more = next < all.len();
    Reply::serialized(&ListOutput {
        has_more_results: more,
        marker: more.then(|| next.to_string()),
        pipeline_id_list: page,
    })
}

/// ListPipelines' output; members in sorted order (see [`Reply::serialized`]).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput<'a> {
    has_more_results: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
    pipeline_id_list: Vec<PipelineIdName<'a>>,
}

#[derive(Serialize)]
struct PipelineIdName<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivateInput {
    pipeline_id: String,
    parameter_values: Option<Vec<ParameterValue>>,
    start_timestamp: Option<f64>,
}

/// ActivatePipeline: `{}` on success.
pub fn activate(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: ActivateInput = typed(input)?;
    let p = store.pipeline_mut(&input.pipeline_id)?;
    if let Some(values) = &input.parameter_values {
        // Values given at activation must fit the definition's parameters.
        if let Some(latest) = &p.latest {
            let mut def = latest.clone();
            def.parameter_values = values.clone();
            let findings = crate::definition_check::check(&def);
            if findings.errored() {
                let msgs: Vec<String> = findings
                    .errors
                    .iter()
                    .map(|(id, e)| format!("{id}: {}", e.join("; ")))
                    .collect();
                return Err(ApiError::invalid(format!(
                    "The parameter values are not valid for this pipeline: {}",
                    msgs.join(" | ")
                )));
            }
        }
    }
    let start = input.start_timestamp.map(|t| t.floor() as i64);
    scheduler::activate(p, ctx.now, start, input.parameter_values)?;
    let changed = scheduler::advance(p, ctx.now);
    Ok(Reply::empty_object()
        .with_tasks_changed(true)
        .with_tasks_changed(changed))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeactivateInput {
    pipeline_id: String,
    cancel_active: Option<bool>,
}

/// DeactivatePipeline: `cancelActive` defaults to true (M).
pub fn deactivate(store: &mut Store, ctx: &Ctx, input: Value) -> ApiResult<Reply> {
    let input: DeactivateInput = typed(input)?;
    let p = store.pipeline_mut(&input.pipeline_id)?;
    scheduler::deactivate(p, ctx.now, input.cancel_active.unwrap_or(true));
    Ok(Reply::empty_object())
}
