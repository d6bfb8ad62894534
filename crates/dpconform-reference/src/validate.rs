//! Input validation against the service model, from one declarative table per
//! operation: JSON syntax and member types (SerializationException), then
//! required members, lengths, patterns and enums (ValidationException, with
//! coral's `N validation error(s) detected: ...` message). Unknown members
//! are ignored and `null` counts as absent, as in the awsJson services.

use serde_json::{Map, Value};

use super::dispatch::Operation;
use super::error::{ApiError, ApiResult, ErrorKind};

/// A shape of the service model, reduced to what is checked.
#[derive(Debug)]
pub enum Shape {
    /// A string of `min..=max` characters; `xml` = the model's pattern of
    /// XML characters.
    Str {
        min: usize,
        max: usize,
        xml: bool,
    },
    /// A string without constraints.
    Text,
    Enum(&'static [&'static str]),
    Bool,
    Int,
    /// A JSON number of epoch seconds.
    Timestamp,
    List(&'static Shape),
    /// A list of at most this many items (the model's `max` on a list shape).
    BoundedList(&'static Shape, usize),
    Struct(&'static [Member]),
}

#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub required: bool,
    pub shape: &'static Shape,
}

const fn req(name: &'static str, shape: &'static Shape) -> Member {
    Member {
        name,
        required: true,
        shape,
    }
}

const fn opt(name: &'static str, shape: &'static Shape) -> Member {
    Member {
        name,
        required: false,
        shape,
    }
}

const fn s(min: usize, max: usize) -> Shape {
    Shape::Str { min, max, xml: true }
}

static ID: Shape = s(1, 1024);
static STR0_1024: Shape = s(0, 1024);
static STR1_256: Shape = s(1, 256);
static STR0_10240: Shape = s(0, 10240);
static TASK_ID: Shape = s(1, 2048);
static EXPRESSION: Shape = s(0, 20_971_520);
static TEXT: Shape = Shape::Text;
static BOOL: Shape = Shape::Bool;
static INT: Shape = Shape::Int;
static TIMESTAMP: Shape = Shape::Timestamp;
static TAG_KEY: Shape = Shape::Str {
    min: 1,
    max: 128,
    xml: false,
};
static TAG_VALUE: Shape = Shape::Str {
    min: 0,
    max: 256,
    xml: false,
};
static TASK_STATUS: Shape = Shape::Enum(&["FINISHED", "FAILED", "FALSE"]);
static OPERATOR_TYPE: Shape = Shape::Enum(&["EQ", "REF_EQ", "LE", "GE", "BETWEEN"]);

static ID_LIST: Shape = Shape::List(&ID);
static STR0_1024_LIST: Shape = Shape::List(&STR0_1024);
static FIELD: Shape = Shape::Struct(&[
    req("key", &STR1_256),
    opt("stringValue", &STR0_10240),
    opt("refValue", &STR1_256),
]);
static FIELDS: Shape = Shape::List(&FIELD);
/// A definition's objects: `id` and `name` required, 1..1024, and `refValue`
/// 1..256, as the model declares them (evidence/botocore-model.md). A model
/// constraint is enforced by the request validator, so a missing or empty id or
/// name, or an empty ref, is a ValidationException before the service looks at
/// the definition (/work/shared/evidence.md; observed for null members,
/// evidence/gh-aws-sdk-ruby-324.md, and string minimums,
/// evidence/aws-sdk-js-features-datapipeline.md). The operation's documentation
/// calls them FATAL errors (documented); the model wins over prose. An empty
/// `stringValue` (model minimum 0) does reach the service: see definition_check.
static PIPELINE_OBJECT: Shape = Shape::Struct(&[req("id", &ID), req("name", &ID), req("fields", &FIELDS)]);
static PIPELINE_OBJECTS: Shape = Shape::List(&PIPELINE_OBJECT);
static PARAMETER_ATTRIBUTE: Shape = Shape::Struct(&[req("key", &STR1_256), req("stringValue", &STR0_10240)]);
static PARAMETER_OBJECT: Shape = Shape::Struct(&[
    req("id", &STR1_256),
    req("attributes", &Shape::List(&PARAMETER_ATTRIBUTE)),
]);
static PARAMETER_OBJECTS: Shape = Shape::List(&PARAMETER_OBJECT);
static PARAMETER_VALUE: Shape = Shape::Struct(&[req("id", &STR1_256), req("stringValue", &STR0_10240)]);
static PARAMETER_VALUES: Shape = Shape::List(&PARAMETER_VALUE);
static TAG: Shape = Shape::Struct(&[req("key", &TAG_KEY), req("value", &TAG_VALUE)]);
/// The model's `tagList`: at most 10 tags in one request. observed:
/// evidence/gh-aws-cdk-13794.md (11 tags in CreatePipeline → ValidationException
/// "... at 'tags' failed to satisfy constraint: Member must have length less than
/// or equal to 10"); AddTags uses the same shape (model).
static TAGS: Shape = Shape::BoundedList(&TAG, 10);
static OPERATOR: Shape = Shape::Struct(&[opt("type", &OPERATOR_TYPE), opt("values", &STR0_1024_LIST)]);
static SELECTOR: Shape = Shape::Struct(&[opt("fieldName", &STR0_1024), opt("operator", &OPERATOR)]);
static QUERY: Shape = Shape::Struct(&[opt("selectors", &Shape::List(&SELECTOR))]);
static INSTANCE_IDENTITY: Shape = Shape::Struct(&[opt("document", &STR0_1024), opt("signature", &STR0_1024)]);

/// The input members of each operation, from the service model.
pub fn input_members(op: Operation) -> &'static [Member] {
    use Operation::*;
    match op {
        ActivatePipeline => {
            const {
                &[
                    req("pipelineId", &ID),
                    opt("parameterValues", &PARAMETER_VALUES),
                    opt("startTimestamp", &TIMESTAMP),
                ]
            }
        }
        AddTags => const { &[req("pipelineId", &ID), req("tags", &TAGS)] },
        CreatePipeline => {
            const {
                &[
                    req("name", &ID),
                    req("uniqueId", &ID),
                    opt("description", &STR0_1024),
                    opt("tags", &TAGS),
                ]
            }
        }
        DeactivatePipeline => const { &[req("pipelineId", &ID), opt("cancelActive", &BOOL)] },
        DeletePipeline => const { &[req("pipelineId", &ID)] },
        DescribeObjects => {
            const {
                &[
                    req("pipelineId", &ID),
                    req("objectIds", &ID_LIST),
                    opt("evaluateExpressions", &BOOL),
                    opt("marker", &STR0_1024),
                ]
            }
        }
        DescribePipelines => const { &[req("pipelineIds", &ID_LIST)] },
        EvaluateExpression => {
            const {
                &[
                    req("pipelineId", &ID),
                    req("objectId", &ID),
                    req("expression", &EXPRESSION),
                ]
            }
        }
        GetPipelineDefinition => const { &[req("pipelineId", &ID), opt("version", &STR0_1024)] },
        ListPipelines => const { &[opt("marker", &STR0_1024)] },
        PollForTask => {
            const {
                &[
                    req("workerGroup", &STR0_1024),
                    opt("hostname", &ID),
                    opt("instanceIdentity", &INSTANCE_IDENTITY),
                ]
            }
        }
        PutPipelineDefinition | ValidatePipelineDefinition => {
            const {
                &[
                    req("pipelineId", &ID),
                    req("pipelineObjects", &PIPELINE_OBJECTS),
                    opt("parameterObjects", &PARAMETER_OBJECTS),
                    opt("parameterValues", &PARAMETER_VALUES),
                ]
            }
        }
        QueryObjects => {
            const {
                &[
                    req("pipelineId", &ID),
                    opt("query", &QUERY),
                    req("sphere", &STR0_1024),
                    opt("marker", &STR0_1024),
                    opt("limit", &INT),
                ]
            }
        }
        RemoveTags => const { &[req("pipelineId", &ID), req("tagKeys", &STR0_1024_LIST)] },
        ReportTaskProgress => const { &[req("taskId", &TASK_ID), opt("fields", &FIELDS)] },
        ReportTaskRunnerHeartbeat => {
            const {
                &[
                    req("taskrunnerId", &ID),
                    opt("workerGroup", &STR0_1024),
                    opt("hostname", &ID),
                ]
            }
        }
        SetStatus => {
            const {
                &[
                    req("pipelineId", &ID),
                    req("objectIds", &ID_LIST),
                    req("status", &STR0_1024),
                ]
            }
        }
        SetTaskStatus => {
            const {
                &[
                    req("taskId", &TASK_ID),
                    req("taskStatus", &TASK_STATUS),
                    opt("errorId", &STR0_1024),
                    opt("errorMessage", &TEXT),
                    opt("errorStackTrace", &STR0_1024),
                ]
            }
        }
    }
}

/// Parses and validates a request body for `op`. Returns the input with
/// unknown members and nulls removed, ready for typed deserialization.
///
/// inferred: an empty (or all-whitespace) body is read as `{}`, so the
/// operation's required members are then reported missing.
pub fn parse_input(op: Operation, body: &[u8]) -> ApiResult<Value> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::serialization(format!("Could not parse the request body as JSON: {e}")))?
    };
    let mut violations = Vec::new();
    let cleaned = check_struct(&value, input_members(op), "", &mut violations)?;
    if violations.is_empty() {
        Ok(cleaned)
    } else {
        let n = violations.len();
        Err(ApiError::new(
            ErrorKind::Validation,
            format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                violations.join("; ")
            ),
        ))
    }
}

const XML_PATTERN: &str = r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*";

fn check_struct(
    value: &Value,
    members: &'static [Member],
    path: &str,
    violations: &mut Vec<String>,
) -> ApiResult<Value> {
    let Value::Object(obj) = value else {
        return Err(type_mismatch(value, "a structure"));
    };
    let mut out = Map::new();
    for m in members {
        // Written only when needed: most members of a shape are absent from most requests.
        let member_path = || {
            if path.is_empty() {
                m.name.to_string()
            } else {
                format!("{path}.{}", m.name)
            }
        };
        match obj.get(m.name) {
            None | Some(Value::Null) => {
                if m.required {
                    violations.push(violation("null", &member_path(), "Member must not be null"));
                }
            }
            Some(v) => {
                let checked = check(v, m.shape, &member_path(), violations)?;
                out.insert(m.name.to_string(), checked);
            }
        }
    }
    Ok(Value::Object(out))
}

fn check(value: &Value, shape: &'static Shape, path: &str, violations: &mut Vec<String>) -> ApiResult<Value> {
    match shape {
        Shape::Str { min, max, xml } => {
            let s = value.as_str().ok_or_else(|| type_mismatch(value, "a String"))?;
            let len = s.chars().count();
            if len < *min {
                violations.push(violation(
                    &quoted(s),
                    path,
                    &format!("Member must have length greater than or equal to {min}"),
                ));
            }
            if len > *max {
                violations.push(violation(
                    &quoted(s),
                    path,
                    &format!("Member must have length less than or equal to {max}"),
                ));
            }
            if *xml && !s.chars().all(is_xml_char) {
                violations.push(violation(
                    &quoted(s),
                    path,
                    &format!("Member must satisfy regular expression pattern: {XML_PATTERN}"),
                ));
            }
            Ok(value.clone())
        }
        Shape::Text => {
            value.as_str().ok_or_else(|| type_mismatch(value, "a String"))?;
            Ok(value.clone())
        }
        Shape::Enum(allowed) => {
            let s = value.as_str().ok_or_else(|| type_mismatch(value, "a String"))?;
            if !allowed.contains(&s) {
                violations.push(violation(
                    &quoted(s),
                    path,
                    &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
                ));
            }
            Ok(value.clone())
        }
        Shape::Bool => {
            value.as_bool().ok_or_else(|| type_mismatch(value, "a Boolean"))?;
            Ok(value.clone())
        }
        Shape::Int => {
            value
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(|| type_mismatch(value, "an Integer"))?;
            Ok(value.clone())
        }
        Shape::Timestamp => {
            value
                .as_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| type_mismatch(value, "a Timestamp"))?;
            Ok(value.clone())
        }
        Shape::BoundedList(item, max) => {
            let checked = check_list(value, item, path, violations)?;
            if let Value::Array(items) = value {
                if items.len() > *max {
                    violations.push(violation(
                        &quoted(&render_list(items)),
                        path,
                        &format!("Member must have length less than or equal to {max}"),
                    ));
                }
            }
            Ok(checked)
        }
        Shape::List(item) => check_list(value, item, path, violations),
        Shape::Struct(members) => check_struct(value, members, path, violations),
    }
}

fn check_list(value: &Value, item: &'static Shape, path: &str, violations: &mut Vec<String>) -> ApiResult<Value> {
    let Value::Array(items) = value else {
        return Err(type_mismatch(value, "a list"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let item_path = format!("{path}.{}.member", i + 1);
        if v.is_null() {
            violations.push(violation("null", &item_path, "Member must not be null"));
            continue;
        }
        out.push(check(v, item, &item_path, violations)?);
    }
    Ok(Value::Array(out))
}

/// The model's XML-character pattern (surrogate pairs are whole chars here).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// A value as coral echoes it; very long values are cut so an error message
/// stays small (inferred: the real service echoes the whole value).
fn quoted(s: &str) -> String {
    const SHOWN: usize = 256;
    if s.chars().count() > SHOWN {
        let head: String = s.chars().take(SHOWN).collect();
        format!("'{head}...'")
    } else {
        format!("'{s}'")
    }
}

/// A list as the validator echoes it. inferred: Java's `List.toString` of the
/// model objects (`[Tag(key=k, value=v), ...]`); the observed message has the value
/// redacted (evidence/gh-aws-cdk-13794.md).
fn render_list(items: &[Value]) -> String {
    let item = |v: &Value| match v {
        Value::Object(members) => {
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            format!("Tag({})", inner.join(", "))
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("[{}]", items.iter().map(item).collect::<Vec<_>>().join(", "))
}

fn violation(value: &str, path: &str, constraint: &str) -> String {
    format!("Value {value} at '{path}' failed to satisfy constraint: {constraint}")
}

/// A JSON value of the wrong type for its member: coral's deserializer fails
/// before validation, with SerializationException and a Jackson-style
/// message naming the token it found.
fn type_mismatch(found: &Value, expected: &str) -> ApiError {
    let message = match found {
        Value::Object(_) => "Start of structure or map found where not expected.".to_string(),
        Value::Array(_) => "Start of list found where not expected".to_string(),
        Value::String(_) => format!("STRING_VALUE can not be converted to {expected}"),
        Value::Number(_) => format!("NUMBER_VALUE can not be converted to {expected}"),
        Value::Bool(true) => format!("TRUE_VALUE can not be converted to {expected}"),
        Value::Bool(false) => format!("FALSE_VALUE can not be converted to {expected}"),
        Value::Null => format!("null can not be converted to {expected}"),
    };
    ApiError::serialization(message)
}

/// Deserializes a validated input into its typed form.
pub fn typed<T: serde::de::DeserializeOwned>(input: Value) -> ApiResult<T> {
    serde_json::from_value(input).map_err(|e| ApiError::serialization(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(op: Operation, body: &str) -> ApiError {
        parse_input(op, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn missing_required_member_is_a_validation_error() {
        let e = err(Operation::DeletePipeline, "{}");
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'pipelineId' failed to satisfy constraint: Member must not be null"
        );
        let e = err(Operation::DeletePipeline, r#"{"pipelineId": null}"#);
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(err(Operation::DeletePipeline, "").kind, ErrorKind::Validation);
    }

    #[test]
    fn lengths_patterns_enums_and_nesting() {
        let e = err(Operation::CreatePipeline, r#"{"name":"","uniqueId":"u\u0001"}"#);
        assert!(e.message.starts_with("2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; "), "{}", e.message);
        assert!(e
            .message
            .contains("at 'uniqueId' failed to satisfy constraint: Member must satisfy regular expression pattern"));
        let e = err(Operation::SetTaskStatus, r#"{"taskId":"t","taskStatus":"DONE"}"#);
        assert!(e
            .message
            .contains("Member must satisfy enum value set: [FINISHED, FAILED, FALSE]"));
        let e = err(
            Operation::PutPipelineDefinition,
            r#"{"pipelineId":"df-1","pipelineObjects":[{"id":"a","name":"a","fields":[{"stringValue":"x"}]}]}"#,
        );
        assert!(
            e.message
                .contains("Value null at 'pipelineObjects.1.member.fields.1.member.key'"),
            "{}",
            e.message
        );
        // Missing object ids and names, and empty refs, are the validator's.
        let e = err(
            Operation::PutPipelineDefinition,
            r#"{"pipelineId":"df-1","pipelineObjects":[{"fields":[{"key":"k","refValue":""}]}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(e.message.starts_with("3 validation errors detected: "), "{}", e.message);
        assert!(e.message.contains(
            "Value null at 'pipelineObjects.1.member.id' failed to satisfy constraint: Member must not be null"
        ));
        assert!(e.message.contains(
            "Value '' at 'pipelineObjects.1.member.fields.1.member.refValue' failed to satisfy constraint: Member must have length greater than or equal to 1"
        ));
        let eleven: Vec<String> = (0..11).map(|i| format!(r#"{{"key":"k{i}","value":"v"}}"#)).collect();
        let e = err(
            Operation::AddTags,
            &format!(r#"{{"pipelineId":"p","tags":[{}]}}"#, eleven.join(",")),
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(
            e.message
                .starts_with("1 validation error detected: Value '[Tag(key=k0, value=v), Tag(key=k1, value=v), "),
            "{}",
            e.message
        );
        assert!(e
            .message
            .ends_with("]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 10"));
        let long = "x".repeat(129);
        let e = err(
            Operation::AddTags,
            &format!(r#"{{"pipelineId":"p","tags":[{{"key":"{long}","value":""}}]}}"#),
        );
        assert!(e.message.contains(
            "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"
        ));
    }

    #[test]
    fn wrong_types_and_bad_json_are_serialization_errors() {
        for body in [
            r#"{"pipelineId": 5}"#,
            r#"{"pipelineId": ["a"]}"#,
            r#"{"pipelineId": {}}"#,
            "[]",
            "{",
            "not json",
        ] {
            assert_eq!(
                err(Operation::DeletePipeline, body).kind,
                ErrorKind::Serialization,
                "{body}"
            );
        }
        assert_eq!(
            err(
                Operation::QueryObjects,
                r#"{"pipelineId":"p","sphere":"COMPONENT","limit":1.5}"#
            )
            .kind,
            ErrorKind::Serialization
        );
        assert_eq!(
            err(
                Operation::ActivatePipeline,
                r#"{"pipelineId":"p","startTimestamp":"2012"}"#
            )
            .kind,
            ErrorKind::Serialization
        );
    }

    #[test]
    fn unknown_members_and_nulls_are_dropped() {
        let v = parse_input(
            Operation::DescribePipelines,
            br#"{"pipelineIds":["a"],"extra":1,"more":null}"#,
        )
        .unwrap();
        assert_eq!(v, serde_json::json!({"pipelineIds":["a"]}));
        let v = parse_input(
            Operation::ActivatePipeline,
            br#"{"pipelineId":"p","startTimestamp":1.5e9}"#,
        );
        assert!(v.is_ok());
    }

    #[test]
    fn every_operation_has_a_table() {
        for op in Operation::ALL {
            // Every table names its members once.
            let members = input_members(*op);
            for (i, m) in members.iter().enumerate() {
                assert!(members[i + 1..].iter().all(|o| o.name != m.name), "{op}: {}", m.name);
            }
        }
    }
}
