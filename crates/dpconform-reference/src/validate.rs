//! Input validation against the service model: the committed botocore model
//! (`dpconform_protocol::model`), not a table of its own. JSON syntax and
//! member types first (SerializationException), then required members,
//! lengths, patterns, enums and list bounds (ValidationException, with
//! Coral's `N validation error(s) detected: ...` message). Unknown members
//! are ignored and `null` counts as absent, as in the awsJson services.
//! Limits the service checks beyond the model (documented ones, such as the
//! 25 ids of a Describe call) are the actions' own code, with their evidence.

use dpconform_protocol::model::{inspect, strip_ignored, JsonType, ShapeType, Violation};
use serde_json::{Map, Value};

use super::dispatch::Operation;
use super::error::{ApiError, ApiResult, ErrorKind};

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
    let found = inspect(op.name(), &value);
    if let Some(mismatch) = found.type_error {
        return Err(type_mismatch(mismatch.found, mismatch.expected));
    }
    if found.violations.is_empty() {
        let mut value = value;
        strip_ignored(op.name(), &mut value);
        return Ok(value);
    }
    let n = found.violations.len();
    let listed: Vec<String> = found.violations.iter().map(message_part).collect();
    Err(ApiError::new(
        ErrorKind::Validation,
        format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            listed.join("; ")
        ),
    ))
}

/// One violation as Coral writes it: `Value <value> at '<path>' failed to satisfy constraint: <constraint>`.
fn message_part(v: &Violation) -> String {
    let value = match &v.value {
        Value::Null => "null".to_string(),
        Value::String(s) => quoted(s),
        Value::Array(items) => quoted(&render_list(items)),
        other => quoted(&other.to_string()),
    };
    format!(
        "Value {value} at '{}' failed to satisfy constraint: {}",
        v.path, v.constraint
    )
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

/// A JSON value of the wrong type for its member: coral's deserializer fails
/// before validation, with SerializationException and a Jackson-style
/// message naming the token it found.
fn type_mismatch(found: Option<JsonType>, expected: ShapeType) -> ApiError {
    let expected = match expected {
        ShapeType::String => "a String",
        ShapeType::Integer => "an Integer",
        ShapeType::Long => "a Long",
        ShapeType::Boolean => "a Boolean",
        ShapeType::Timestamp => "a Timestamp",
        ShapeType::List => "a list",
        ShapeType::Map | ShapeType::Structure => "a structure",
    };
    let message = match found {
        Some(JsonType::Object) => "Start of structure or map found where not expected.".to_string(),
        Some(JsonType::Array) => "Start of list found where not expected".to_string(),
        Some(JsonType::String) => format!("STRING_VALUE can not be converted to {expected}"),
        Some(JsonType::Number | JsonType::Fraction) => format!("NUMBER_VALUE can not be converted to {expected}"),
        Some(JsonType::Boolean) => format!("BOOLEAN_VALUE can not be converted to {expected}"),
        None => format!("null can not be converted to {expected}"),
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
}
