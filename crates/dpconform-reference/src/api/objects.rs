//! DescribeObjects, QueryObjects, EvaluateExpression.

use serde::Deserialize;
use serde_json::{json, Value};

use super::describe::{self, PipelineScope, Sphere};
use super::{parse_marker, Reply};
use crate::dates;
use crate::error::{ApiError, ApiResult};
use crate::expr;
use crate::model::PipelineObject;
use crate::state::Store;
use crate::validate::typed;

/// DescribeObjects takes at most 100 ids and answers them in one page.
/// observed: evidence/gh-aws-cli-2923.md, evidence/aws-cli-customizations-datapipeline.md
/// (the CLI sent up to 100 ids per call from 2015 to 2017 and failed only above
/// 100). The "as many as 25" of the model's documentation is prose, not a bound
/// (evidence/botocore-model.md); observed beats documented. inferred: more than
/// 100 is InvalidRequestException (the real refusal's type and text are UNK).
const MAX_DESCRIBE_OBJECTS: usize = 100;
/// documented (DG dp-limits): at most 10 selectors per query (not a model bound,
/// so inferred: InvalidRequestException from the service).
const MAX_SELECTORS: usize = 10;
/// observed: evidence/gh-fog-2766.md — a QueryObjects without `limit` returned at
/// most 100 ids per call.
const DEFAULT_LIMIT: usize = 100;
/// inferred: the maximum `limit` is UNK; larger values are treated as 1000.
const MAX_LIMIT: usize = 1000;

/// Fields EQ and REF_EQ apply to, and fields GE, LE and BETWEEN apply to (M).
const EQ_FIELDS: &[&str] = &[
    "name",
    "@sphere",
    "parent",
    "@componentParent",
    "@instanceParent",
    "@status",
    "@scheduledStartTime",
    "@scheduledEndTime",
    "@actualStartTime",
    "@actualEndTime",
];
const RANGE_FIELDS: &[&str] = &[
    "@scheduledStartTime",
    "@scheduledEndTime",
    "@actualStartTime",
    "@actualEndTime",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInput {
    pipeline_id: String,
    object_ids: Vec<String>,
    evaluate_expressions: Option<bool>,
    marker: Option<String>,
}

/// DescribeObjects. inferred: ids that name no object are left out (UNK).
pub fn describe(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: DescribeInput = typed(input)?;
    let p = store.pipeline(&input.pipeline_id)?;
    if input.object_ids.len() > MAX_DESCRIBE_OBJECTS {
        return Err(ApiError::invalid(format!(
            "Too many object ids: at most {MAX_DESCRIBE_OBJECTS} may be described in one call."
        )));
    }
    let from = parse_marker(input.marker.as_deref())?;
    let scope = PipelineScope { pipeline: p };
    let objects: Vec<PipelineObject> = input
        .object_ids
        .iter()
        .skip(from)
        .filter_map(|id| describe::find(p, id))
        .map(|mut obj| {
            if input.evaluate_expressions == Some(true) {
                let original = obj.clone();
                for f in &mut obj.fields {
                    if let Some(s) = f.string_value.as_mut().filter(|s| s.contains("#{")) {
                        // inferred: a value that cannot be evaluated is shown
                        // as written.
                        if let Ok(v) = expr::evaluate_string(s, &original, &scope) {
                            *s = v;
                        }
                    }
                }
            }
            obj
        })
        .collect();
    Ok(Reply::json(
        json!({ "pipelineObjects": objects, "hasMoreResults": false }),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryInput {
    pipeline_id: String,
    query: Option<Query>,
    sphere: String,
    marker: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    selectors: Vec<Selector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    field_name: Option<String>,
    operator: Option<Operator>,
}

#[derive(Deserialize)]
struct Operator {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

/// A checked selector.
struct Condition {
    field: String,
    kind: String,
    values: Vec<String>,
}

fn condition(s: Selector) -> ApiResult<Condition> {
    let field = s
        .field_name
        .filter(|f| !f.is_empty())
        .ok_or_else(|| ApiError::invalid("A selector needs a fieldName."))?;
    let op = s
        .operator
        .ok_or_else(|| ApiError::invalid(format!("The selector on '{field}' needs an operator.")))?;
    let kind = op
        .kind
        .ok_or_else(|| ApiError::invalid(format!("The operator on '{field}' needs a type.")))?;
    // observed: evidence/gh-aws-cli-1644.md — EQ with several values is refused
    // ("Missing single value for field: @status in query"). inferred: the same for
    // REF_EQ and for no value at all, and for every field name.
    if matches!(kind.as_str(), "EQ" | "REF_EQ") && op.values.len() != 1 {
        return Err(ApiError::invalid(format!(
            "The request is missing a required value: Missing single value for field: {field} in query"
        )));
    }
    let arity_ok = match kind.as_str() {
        "LE" | "GE" => op.values.len() == 1,
        "BETWEEN" => op.values.len() == 2,
        _ => true,
    };
    if !arity_ok {
        return Err(ApiError::invalid(format!(
            "Operator {kind} on '{field}' was given {} value(s).",
            op.values.len()
        )));
    }
    Ok(Condition {
        field,
        kind,
        values: op.values,
    })
}

/// Compares field date-times as dates when both sides are, else as text.
fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (dates::parse_field(a), dates::parse_field(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

impl Condition {
    /// EQ compares string values and REF_EQ reference values (a value of the
    /// other kind does not match), each against its single value; BETWEEN is
    /// inclusive; an unset field fails (M).
    fn matches(&self, obj: &PipelineObject) -> bool {
        // inferred: an operator applied to a field it does not act on (M
        // lists them) matches nothing rather than failing the call.
        let allowed = if matches!(self.kind.as_str(), "EQ" | "REF_EQ") {
            EQ_FIELDS
        } else {
            RANGE_FIELDS
        };
        if !allowed.contains(&self.field.as_str()) {
            return false;
        }
        let refs = self.kind == "REF_EQ";
        let mut values: Vec<&str> = obj
            .fields
            .iter()
            .filter(|f| f.key == self.field)
            .filter_map(|f| {
                if refs {
                    f.ref_value.as_deref()
                } else {
                    f.string_value.as_deref()
                }
            })
            .collect();
        if self.field == "name" && !refs && values.is_empty() {
            values.push(&obj.name);
        }
        values.iter().any(|v| match self.kind.as_str() {
            "EQ" | "REF_EQ" => self.values[0] == **v,
            "LE" => cmp(v, &self.values[0]).is_le(),
            "GE" => cmp(v, &self.values[0]).is_ge(),
            _ => cmp(v, &self.values[0]).is_ge() && cmp(v, &self.values[1]).is_le(),
        })
    }
}

/// QueryObjects: ids of one sphere matching every selector, in order
/// (definition order for components, creation order otherwise), paged.
pub fn query(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: QueryInput = typed(input)?;
    let p = store.pipeline(&input.pipeline_id)?;
    let sphere = Sphere::parse(&input.sphere).ok_or_else(|| {
        ApiError::invalid(format!(
            "Invalid sphere '{}': must be COMPONENT, INSTANCE or ATTEMPT.",
            input.sphere
        ))
    })?;
    let selectors = input.query.map(|q| q.selectors).unwrap_or_default();
    if selectors.len() > MAX_SELECTORS {
        return Err(ApiError::invalid(format!(
            "Too many selectors: at most {MAX_SELECTORS} are allowed."
        )));
    }
    let conditions = selectors.into_iter().map(condition).collect::<ApiResult<Vec<_>>>()?;
    let limit = match input.limit {
        None => DEFAULT_LIMIT,
        Some(n) if n < 1 => return Err(ApiError::invalid(format!("Invalid limit {n}: must be at least 1."))),
        Some(n) => usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
    };
    let from = parse_marker(input.marker.as_deref())?;
    let ids: Vec<String> = describe::all(p, sphere)
        .into_iter()
        .filter(|o| conditions.iter().all(|c| c.matches(o)))
        .map(|o| o.id)
        .collect();
    let page: Vec<&String> = ids.iter().skip(from).take(limit).collect();
    let next = from.saturating_add(page.len());
    let more = next < ids.len();
    let mut out = json!({ "ids": page, "hasMoreResults": more });
    if more {
        out["marker"] = json!(next.to_string());
    }
    Ok(Reply::json(out))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvaluateInput {
    pipeline_id: String,
    object_id: String,
    expression: String,
}

/// EvaluateExpression against a component, instance or attempt.
/// inferred: an unknown object is TaskNotFoundException (the only other
/// not-found error the model lists for this action); an expression that
/// cannot be evaluated is InvalidRequestException.
pub fn evaluate(store: &mut Store, input: Value) -> ApiResult<Reply> {
    let input: EvaluateInput = typed(input)?;
    let p = store.pipeline(&input.pipeline_id)?;
    let obj = describe::find(p, &input.object_id).ok_or_else(|| {
        ApiError::task_not_found(&format!(
            "No object with id '{}' in pipeline {}.",
            input.object_id, input.pipeline_id
        ))
    })?;
    let scope = PipelineScope { pipeline: p };
    let value = expr::evaluate_string(&input.expression, &obj, &scope).map_err(ApiError::invalid)?;
    Ok(Reply::json(json!({ "evaluatedExpression": value })))
}
