//! AddTags and RemoveTags, and the tag rules CreatePipeline shares.

use serde::Deserialize;
use serde_json::Value;

use super::Reply;
use crate::error::{ApiError, ApiResult};
use crate::model::Tag;
use crate::state::{Store, MAX_TAGS};
use crate::validate::typed;

/// Tag rules beyond the shape's lengths. inferred: the `aws:` prefix is
/// reserved, as in the other AWS tagging APIs (UNK for Data Pipeline).
pub fn check(tags: &[Tag]) -> ApiResult<()> {
    if let Some(t) = tags.iter().find(|t| t.key.to_ascii_lowercase().starts_with("aws:")) {
        return Err(ApiError::invalid(format!(
            "Tag key '{}' is not allowed: the 'aws:' prefix is reserved.",
            t.key
        )));
    }
    Ok(())
}

/// Adds or overwrites by key (case-sensitive); at most 10 tags in all.
pub fn merged(mut current: Vec<Tag>, new: Vec<Tag>) -> ApiResult<Vec<Tag>> {
    for t in new {
        match current.iter_mut().find(|c| c.key == t.key) {
            Some(c) => c.value = t.value,
            None => current.push(t),
        }
    }
    if current.len() > MAX_TAGS {
        return Err(ApiError::invalid(format!(
            "A pipeline can have at most {MAX_TAGS} tags; this request would give it {}.",
            current.len()
        )));
    }
    Ok(current)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddInput {
    pipeline_id: String,
    tags: Vec<Tag>,
}

pub fn add(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: AddInput = typed(input)?;
    let p = store.pipeline_mut(&input.pipeline_id)?;
    check(&input.tags)?;
    p.tags = merged(p.tags.clone(), input.tags)?;
    Ok(Reply::empty_object())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoveInput {
    pipeline_id: String,
    tag_keys: Vec<String>,
}

/// Removes by key; a key the pipeline does not have is ignored (inferred).
pub fn remove(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: RemoveInput = typed(input)?;
    let p = store.pipeline_mut(&input.pipeline_id)?;
    p.tags.retain(|t| !input.tag_keys.contains(&t.key));
    Ok(Reply::empty_object())
}
