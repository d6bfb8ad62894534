//! PutPipelineDefinition, ValidatePipelineDefinition, GetPipelineDefinition.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Reply;
use crate::definition_check;
use crate::error::{ApiError, ApiResult};
use crate::model::{Definition, Findings, ParameterObject, ParameterValue, PipelineObject};
use crate::state::{Pipeline, PipelineState, Store};
use crate::validate::typed;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefinitionInput {
    pipeline_id: String,
    pipeline_objects: Vec<PipelineObject>,
    #[serde(default)]
    parameter_objects: Vec<ParameterObject>,
    #[serde(default)]
    parameter_values: Vec<ParameterValue>,
}

impl DefinitionInput {
    fn split(self) -> (String, Definition) {
        (
            self.pipeline_id,
            Definition {
                objects: self.pipeline_objects,
                parameter_objects: self.parameter_objects,
                parameter_values: self.parameter_values,
                errored: false,
            },
        )
    }
}

/// Findings of a definition for a pipeline, including the rule that an
/// activated pipeline's objects may not be removed (DG; inferred: reported
/// as a validation error on the removed object's id, since how the service
/// refuses it is UNK).
fn findings(p: &Pipeline, def: &Definition) -> Findings {
    let mut f = definition_check::check(def);
    if let Some(active) = &p.active {
        for old in &active.objects {
            if def.object(&old.id).is_none() {
                f.error(
                    &old.id,
                    "INVALID_OBJECT:  objects of an activated pipeline cannot be removed.",
                );
            }
        }
    }
    f
}

/// The answer of Put and Validate: `errored` and always both lists, empty or not.
/// observed: evidence/aws-cli-examples-put-pipeline-definition.md,
/// evidence/ansible-community-aws-data-pipeline-placebo-recordings.md (content-length
/// 63 = the compact body with both empty lists),
/// evidence/gh-harrystech-arthur-redshift-etl-657.md (a clean Put). inferred: an
/// errored answer and Validate's answer have the same shape (one output structure).
fn output(f: &Findings) -> Value {
    json!({
        "errored": f.errored(),
        "validationErrors": f
            .errors
            .iter()
            .map(|(id, e)| json!({ "id": id, "errors": e }))
            .collect::<Vec<_>>(),
        "validationWarnings": f
            .warnings
            .iter()
            .map(|(id, w)| json!({ "id": id, "warnings": w }))
            .collect::<Vec<_>>(),
    })
}

/// More than [`definition_check::MAX_OBJECTS`] objects: refused before anything
/// else. observed: evidence/gh-krux-hyperion-467.md (PutPipelineDefinition →
/// InvalidRequestException "Web service limit exceeded: Exceeded maximum number of
/// objects allowed per pipeline"). inferred: Validate is refused the same way (the
/// wording names a web-service limit, not a validation finding).
fn check_object_count(def: &Definition) -> ApiResult<()> {
    if def.objects.len() > definition_check::MAX_OBJECTS {
        return Err(ApiError::invalid(definition_check::TOO_MANY_OBJECTS));
    }
    Ok(())
}

/// PutPipelineDefinition: replaces the whole definition. Fatal problems
/// save nothing and answer InvalidRequestException (observed for an empty value:
/// evidence/aws-sdk-ruby-v1-integration-features.md; the message's frame is the
/// API Reference sample's, documented, with the findings inside instead of the
/// sample's Java object names); any other error saves the definition with
/// `errored: true` (it cannot be activated until fixed); warnings never block.
pub fn put(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let (id, mut def) = typed::<DefinitionInput>(input)?.split();
    let p = store.pipeline_mut(&id)?;
    if p.state == PipelineState::Finished {
        return Err(ApiError::invalid(format!(
            "Pipeline {id} is FINISHED; its definition cannot be changed."
        )));
    }
    check_object_count(&def)?;
    let fatal = definition_check::fatal(&def);
    if !fatal.is_empty() {
        let found: Vec<String> = fatal
            .iter()
            .map(|f| match &f.id {
                Some(object) => format!("{object}: {}", f.message),
                None => f.message.clone(),
            })
            .collect();
        return Err(ApiError::invalid(format!(
            "Pipeline definition has errors: Could not save the pipeline definition due to FATAL errors: [{}] Please call Validate to validate your pipeline",
            found.join(", ")
        )));
    }
    let f = findings(p, &def);
    def.errored = f.errored();
    p.latest = Some(def);
    Ok(Reply::json(output(&f)))
}

/// ValidatePipelineDefinition: the same checks, nothing stored. What would be
/// fatal for Put is reported as a validation error on its object: observed for an
/// empty value (evidence/aws-sdk-ruby-v1-integration-features.md:
/// `[{"id":"Schedule","errors":["INVALID_FIELD: Field values cannot be empty. Found
/// empty values for 'type'"]}]`); inferred for the size limits (on the pipeline id
/// when no object is named).
pub fn validate(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let (id, def) = typed::<DefinitionInput>(input)?.split();
    let p = store.pipeline(&id)?;
    check_object_count(&def)?;
    let mut f = findings(p, &def);
    for problem in definition_check::fatal(&def) {
        f.error(problem.id.as_deref().unwrap_or(&id), problem.message);
    }
    Ok(Reply::json(output(&f)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetInput {
    pipeline_id: String,
    version: Option<String>,
}

/// GetPipelineDefinition: `latest` (default) or `active`, objects as put.
/// inferred: another version value is InvalidRequestException; a pipeline
/// without such a definition answers an empty `pipelineObjects` (UNK).
pub fn get(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: GetInput = typed(input)?;
    let p = store.pipeline(&input.pipeline_id)?;
    let def = match input.version.as_deref() {
        None | Some("latest") => p.latest.as_ref(),
        Some("active") => p.active.as_ref(),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "Invalid version '{other}': must be 'latest' or 'active'."
            )))
        }
    };
    let Some(def) = def else {
        return Ok(Reply::json(json!({ "pipelineObjects": [] })));
    };
    Reply::serialized(&GetOutput {
        parameter_objects: (!def.parameter_objects.is_empty()).then_some(&def.parameter_objects),
        parameter_values: (!def.parameter_values.is_empty()).then_some(&def.parameter_values),
        pipeline_objects: &def.objects,
    })
}

/// GetPipelineDefinition's output; members in sorted order (see [`Reply::serialized`]).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetOutput<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter_objects: Option<&'a [ParameterObject]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter_values: Option<&'a [ParameterValue]>,
    pipeline_objects: &'a [PipelineObject],
}
