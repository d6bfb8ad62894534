//! A request body read against an operation's input shape: the first value
//! of a wrong JSON type, every broken constraint (with the member path and
//! constraint text of the Coral validator's message), and the inputs of the
//! enumeration ([`super::inputs`]) the body holds that break nothing (values
//! on a bound, undeclared members). The reference answers from the first
//! two; the harness measures the corpus with all three.

use serde_json::Value;

use super::inputs::{InputKind, JsonType, ModelInput, Position, Segment};
use super::{ServiceModel, Shape, ShapeType};

/// How many characters of an offending string a [`Violation`] keeps: enough
/// for an echo in a message, without copying a 20 MiB expression.
pub const VALUE_KEPT: usize = 1024;

/// A constraint a value breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The input of the enumeration it is.
    pub input: ModelInput,
    /// The member path as the Coral validator writes it: `name`, `tags.1.member.key`.
    pub path: String,
    /// The offending value (`null` for a missing member); a string longer
    /// than [`VALUE_KEPT`] characters is cut to its first [`VALUE_KEPT`].
    pub value: Value,
    /// The constraint as the Coral validator writes it: `Member must not be null`.
    pub constraint: String,
}

/// A value of the wrong JSON type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeMismatch {
    /// Where.
    pub position: Position,
    /// The type found; `None` for `null` (only as the body).
    pub found: Option<JsonType>,
    /// The type the shape wants.
    pub expected: ShapeType,
}

/// What [`inspect`] finds in a body.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// The first value of a wrong JSON type, in member-name order; when there
    /// is one, `violations` and `valid` hold only what was read before it.
    pub type_error: Option<TypeMismatch>,
    /// Every broken constraint, in member-name order.
    pub violations: Vec<Violation>,
    /// Inputs of the enumeration that break nothing: values on a bound, undeclared members.
    pub valid: Vec<ModelInput>,
}

impl Inspection {
    /// The one input of the enumeration that the body breaks, if it breaks exactly one.
    pub fn single_break(&self) -> Option<ModelInput> {
        match (&self.type_error, self.violations.as_slice()) {
            (Some(t), []) => Some(ModelInput {
                position: t.position.clone(),
                kind: InputKind::WrongType(t.found?),
            }),
            (None, [v]) => Some(v.input.clone()),
            _ => None,
        }
    }
}

/// Reads `body` against the input shape of `operation` (by name). An
/// operation without an input shape accepts anything.
pub fn inspect(operation: &str, body: &Value) -> Inspection {
    let model = ServiceModel::get();
    let mut walker = Walker {
        model,
        at: Vec::new(),
        path: String::new(),
        out: Inspection::default(),
    };
    if let Some((_, shape)) = model.input_shape(operation) {
        // A type error ends the walk; it is recorded in the inspection.
        let _ = walker.value(body, shape);
    }
    walker.out
}

/// Removes, in place, what awsJson ignores: members the model does not
/// declare, and `null` members (absent). Meant for a body [`inspect`] found
/// sound: it stops at values of the wrong type.
pub fn strip_ignored(operation: &str, body: &mut Value) {
    let model = ServiceModel::get();
    if let Some((_, shape)) = model.input_shape(operation) {
        strip(model, shape, body);
    }
}

fn strip(model: &ServiceModel, shape: &Shape, value: &mut Value) {
    match (shape.kind, value) {
        (ShapeType::Structure, Value::Object(members)) => {
            members.retain(|k, v| !v.is_null() && shape.members.contains_key(k));
            for (k, v) in members.iter_mut() {
                strip(model, model.shape(&shape.members[k].shape), v);
            }
        }
        (ShapeType::Map, Value::Object(entries)) => {
            entries.retain(|_, v| !v.is_null());
            if let Some(m) = &shape.value {
                let value_shape = model.shape(&m.shape);
                entries.values_mut().for_each(|v| strip(model, value_shape, v));
            }
        }
        (ShapeType::List, Value::Array(items)) => {
            if let Some(m) = &shape.member {
                let item_shape = model.shape(&m.shape);
                items.iter_mut().for_each(|v| strip(model, item_shape, v));
            }
        }
        _ => {}
    }
}

/// The type-error short cut: the walk stops at the first one.
struct Stop;

struct Walker<'m> {
    model: &'m ServiceModel,
    at: Vec<Segment>,
    path: String,
    out: Inspection,
}

impl Walker<'_> {
    fn here(&self, kind: InputKind) -> ModelInput {
        ModelInput {
            position: Position(self.at.clone()),
            kind,
        }
    }

    fn violate(&mut self, kind: InputKind, value: &Value, constraint: String) {
        let input = self.here(kind);
        let value = match value {
            Value::String(s) if s.len() > VALUE_KEPT => Value::String(s.chars().take(VALUE_KEPT).collect()),
            other => other.clone(),
        };
        self.out.violations.push(Violation {
            input,
            path: self.path.clone(),
            value,
            constraint,
        });
    }

    fn valid(&mut self, kind: InputKind) {
        let input = self.here(kind);
        self.out.valid.push(input);
    }

    fn mismatch(&mut self, found: &Value, expected: ShapeType) -> Stop {
        let found = match found {
            Value::Null => None,
            Value::Bool(_) => Some(JsonType::Boolean),
            Value::Number(n) if n.is_f64() && expected != ShapeType::Timestamp => {
                Some(if matches!(expected, ShapeType::Integer | ShapeType::Long) {
                    JsonType::Fraction
                } else {
                    JsonType::Number
                })
            }
            Value::Number(_) => Some(JsonType::Number),
            Value::String(_) => Some(JsonType::String),
            Value::Array(_) => Some(JsonType::Array),
            Value::Object(_) => Some(JsonType::Object),
        };
        self.out.type_error = Some(TypeMismatch {
            position: Position(self.at.clone()),
            found,
            expected,
        });
        Stop
    }

    /// Steps into `segment` for the duration of `f`.
    fn within<T>(&mut self, segment: Segment, coral: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(coral);
        self.at.push(segment);
        let result = f(self);
        self.at.pop();
        self.path.truncate(len);
        result
    }

    fn value(&mut self, value: &Value, shape: &Shape) -> Result<(), Stop> {
        match shape.kind {
            ShapeType::String => self.string(value, shape),
            ShapeType::Integer => match value.as_i64().and_then(|i| i32::try_from(i).ok()) {
                Some(_) => Ok(()),
                None => Err(self.mismatch(value, shape.kind)),
            },
            ShapeType::Long => match value.as_i64() {
                Some(_) => Ok(()),
                None => Err(self.mismatch(value, shape.kind)),
            },
            ShapeType::Boolean => match value {
                Value::Bool(_) => Ok(()),
                _ => Err(self.mismatch(value, shape.kind)),
            },
            ShapeType::Timestamp => match value.as_f64().filter(|f| f.is_finite()) {
                Some(_) => Ok(()),
                None => Err(self.mismatch(value, shape.kind)),
            },
            ShapeType::List => self.list(value, shape),
            ShapeType::Map => self.map(value, shape),
            ShapeType::Structure => self.structure(value, shape),
        }
    }

    fn string(&mut self, value: &Value, shape: &Shape) -> Result<(), Stop> {
        let Value::String(text) = value else {
            return Err(self.mismatch(value, shape.kind));
        };
        if let Some(values) = &shape.values {
            if !values.iter().any(|v| v == text) {
                let constraint = format!("Member must satisfy enum value set: [{}]", values.join(", "));
                self.violate(InputKind::Enum, value, constraint);
            }
            return Ok(());
        }
        // Lengths in characters (Unicode scalar values).
        let len = text.chars().count() as u64;
        match (shape.min, shape.max) {
            (Some(min), _) if len < min => self.violate(
                InputKind::BelowMin,
                value,
                format!("Member must have length greater than or equal to {min}"),
            ),
            (_, Some(max)) if len > max => self.violate(
                InputKind::AboveMax,
                value,
                format!("Member must have length less than or equal to {max}"),
            ),
            (Some(min), _) if len == min => self.valid(InputKind::AtMin),
            (_, Some(max)) if len == max => self.valid(InputKind::AtMax),
            _ => {}
        }
        if !shape.pattern_allows(text) {
            let pattern = shape.pattern.as_deref().unwrap_or_default();
            let constraint = format!("Member must satisfy regular expression pattern: {pattern}");
            self.violate(InputKind::Pattern, value, constraint);
        }
        Ok(())
    }

    fn list(&mut self, value: &Value, shape: &Shape) -> Result<(), Stop> {
        let Value::Array(items) = value else {
            return Err(self.mismatch(value, shape.kind));
        };
        let item_shape = shape.member.as_ref().map(|m| self.model.shape(&m.shape));
        for (i, item) in items.iter().enumerate() {
            let coral = format!("{}.member", i + 1);
            self.within(Segment::Item, &coral, |w| {
                if item.is_null() {
                    w.violate(InputKind::Null, item, "Member must not be null".into());
                    return Ok(());
                }
                item_shape.map_or(Ok(()), |s| w.value(item, s))
            })?;
        }
        let len = items.len() as u64;
        match (shape.min, shape.max) {
            (Some(min), _) if len < min => self.violate(
                InputKind::ListShort,
                value,
                format!("Member must have length greater than or equal to {min}"),
            ),
            (_, Some(max)) if len > max => self.violate(
                InputKind::ListLong,
                value,
                format!("Member must have length less than or equal to {max}"),
            ),
            (Some(min), _) if len == min => self.valid(InputKind::ListAtMin),
            (_, Some(max)) if len == max => self.valid(InputKind::ListAtMax),
            _ => {}
        }
        Ok(())
    }

    fn map(&mut self, value: &Value, shape: &Shape) -> Result<(), Stop> {
        let Value::Object(entries) = value else {
            return Err(self.mismatch(value, shape.kind));
        };
        let value_shape = shape.value.as_ref().map(|m| self.model.shape(&m.shape));
        for (k, v) in entries {
            if let (false, Some(s)) = (v.is_null(), value_shape) {
                self.within(Segment::Member(k.clone()), k, |w| w.value(v, s))?;
            }
        }
        Ok(())
    }

    fn structure(&mut self, value: &Value, shape: &Shape) -> Result<(), Stop> {
        let Value::Object(members) = value else {
            return Err(self.mismatch(value, shape.kind));
        };
        if members.keys().any(|k| !shape.members.contains_key(k)) {
            self.valid(InputKind::Unknown);
        }
        for (name, member) in &shape.members {
            let member_shape = self.model.shape(&member.shape);
            let required = shape.required.contains(name);
            self.within(Segment::Member(name.clone()), name, |w| match members.get(name) {
                None | Some(Value::Null) if required => {
                    let kind = if members.contains_key(name) {
                        InputKind::Null
                    } else {
                        InputKind::Missing
                    };
                    w.violate(kind, &Value::Null, "Member must not be null".into());
                    Ok(())
                }
                None | Some(Value::Null) => Ok(()),
                Some(v) => w.value(v, member_shape),
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member(names: &[&str]) -> Position {
        Position(
            names
                .iter()
                .map(|n| {
                    if *n == "[]" {
                        Segment::Item
                    } else {
                        Segment::Member(n.to_string())
                    }
                })
                .collect(),
        )
    }

    #[test]
    fn a_missing_required_member_is_one_violation_with_the_coral_path() {
        let found = inspect("CreatePipeline", &json!({"name": "n"}));
        assert_eq!(found.violations.len(), 1);
        let v = &found.violations[0];
        assert_eq!(
            (v.path.as_str(), v.constraint.as_str()),
            ("uniqueId", "Member must not be null")
        );
        assert_eq!(found.single_break().map(|i| i.kind), Some(InputKind::Missing));
        let found = inspect("CreatePipeline", &json!({"name": "n", "uniqueId": null}));
        assert_eq!(found.single_break().map(|i| i.kind), Some(InputKind::Null));
    }

    #[test]
    fn nested_paths_and_bounds() {
        let body = json!({"name": "n", "uniqueId": "u", "tags": [{"key": "", "value": "v"}]});
        let found = inspect("CreatePipeline", &body);
        let v = &found.violations[0];
        assert_eq!(v.path, "tags.1.member.key");
        assert_eq!(v.constraint, "Member must have length greater than or equal to 1");
        assert_eq!(v.input.position, member(&["tags", "[]", "key"]));
        let eleven: Vec<Value> = (0..11).map(|i| json!({"key": format!("k{i}"), "value": ""})).collect();
        let found = inspect("AddTags", &json!({"pipelineId": "p", "tags": eleven}));
        assert_eq!(found.single_break().map(|i| i.kind), Some(InputKind::ListLong));
        assert_eq!(
            found.violations[0].constraint,
            "Member must have length less than or equal to 10"
        );
    }

    #[test]
    fn valid_inputs_on_bounds_and_unknown_members_are_found() {
        let body = json!({"name": "n", "uniqueId": "u".repeat(1024), "tags": [], "extra": 1});
        let found = inspect("CreatePipeline", &body);
        assert!(found.violations.is_empty() && found.type_error.is_none());
        let kinds: Vec<String> = found.valid.iter().map(ToString::to_string).collect();
        assert_eq!(
            kinds,
            ["(body) unknown", "name at_min", "tags list_at_min", "uniqueId at_max"]
        );
        let mut stripped = body.clone();
        strip_ignored("CreatePipeline", &mut stripped);
        assert_eq!(stripped, json!({"name": "n", "uniqueId": "u".repeat(1024), "tags": []}));
        let mut nested = json!({"pipelineId": "p", "pipelineObjects": [
            {"id": "a", "name": "a", "x": 1, "fields": [{"key": "k", "refValue": null}]}]});
        strip_ignored("PutPipelineDefinition", &mut nested);
        assert_eq!(
            nested,
            json!({"pipelineId": "p", "pipelineObjects": [{"id": "a", "name": "a", "fields": [{"key": "k"}]}]})
        );
    }

    #[test]
    fn a_long_offending_string_is_kept_cut() {
        let found = inspect("DeletePipeline", &json!({"pipelineId": "é".repeat(2000)}));
        assert_eq!(
            found.violations[0].value.as_str().map(|s| s.chars().count()),
            Some(VALUE_KEPT)
        );
        assert!(ServiceModel::get().shape("id").pattern_allows("tab\there, ünïcode"));
    }

    #[test]
    fn the_first_wrong_type_stops_the_walk() {
        let found = inspect("QueryObjects", &json!({"pipelineId": "p", "sphere": "S", "limit": 1.5}));
        let t = found.type_error.expect("a type error");
        assert_eq!((t.found, t.expected), (Some(JsonType::Fraction), ShapeType::Integer));
        assert_eq!(t.position, member(&["limit"]));
        let found = inspect("ActivatePipeline", &json!({"pipelineId": "p", "startTimestamp": 1.5e9}));
        assert!(found.type_error.is_none());
        let found = inspect("DeletePipeline", &json!([]));
        assert_eq!(
            found.single_break().map(|i| i.kind),
            Some(InputKind::WrongType(JsonType::Array))
        );
    }

    #[test]
    fn pattern_and_enum() {
        let found = inspect("SetTaskStatus", &json!({"taskId": "t\u{1}", "taskStatus": "DONE"}));
        let constraints: Vec<&str> = found.violations.iter().map(|v| v.constraint.as_str()).collect();
        assert_eq!(
            constraints,
            [
                "Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*",
                "Member must satisfy enum value set: [FINISHED, FAILED, FALSE]",
            ]
        );
    }
}
