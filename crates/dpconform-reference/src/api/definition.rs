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

fn output(f: &Findings) -> Value {
    let mut out = json!({ "errored": f.errored() });
    if !f.errors.is_empty() {
        out["validationErrors"] = f
            .errors
            .iter()
            .map(|(id, e)| json!({ "id": id, "errors": e }))
            .collect();
    }
    if !f.warnings.is_empty() {
        out["validationWarnings"] = f
            .warnings
            .iter()
            .map(|(id, w)| json!({ "id": id, "warnings": w }))
            .collect();
    }
    out
}

/// PutPipelineDefinition: replaces the whole definition. Fatal problems
/// save nothing and answer InvalidRequestException (API Reference sample);
/// any other error saves the definition with `errored: true` (it cannot be
/// activated until fixed); warnings never block.
pub fn put(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let (id, mut def) = typed::<DefinitionInput>(input)?.split();
    let p = store.pipeline_mut(&id)?;
    if p.state == PipelineState::Finished {
        return Err(ApiError::invalid(format!(
            "Pipeline {id} is FINISHED; its definition cannot be changed."
        )));
    }
    let fatal = definition_check::fatal(&def);
    if !fatal.is_empty() {
        return Err(ApiError::invalid(format!(
            "Pipeline definition has errors: Could not save the pipeline definition due to FATAL errors: [{}] Please call Validate to validate your pipeline",
            fatal.join(", ")
        )));
    }
    let f = findings(p, &def);
    def.errored = f.errored();
    p.latest = Some(def);
    Ok(Reply::json(output(&f)))
}

/// ValidatePipelineDefinition: the same checks, nothing stored. inferred:
/// problems that would be fatal for Put are reported here as validation
/// errors on the object (or on the pipeline id).
pub fn validate(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let (id, def) = typed::<DefinitionInput>(input)?.split();
    let p = store.pipeline(&id)?;
    let fatal = definition_check::fatal(&def);
    let mut f = if fatal.len() == 1 && def.objects.len() > definition_check::MAX_OBJECTS {
        Findings::default()
    } else {
        findings(p, &def)
    };
    for e in fatal {
        f.error(&id, e);
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
