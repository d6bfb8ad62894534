//! A JSON Schema (draft 2020-12) of the case-file format, for editors:
//! completion and hover text for every key, the 19 operations, and each
//! operation's body members from the service model. `dpconform schema` prints it.
//!
//! It describes what the parser accepts and no more: a body member's type is
//! told in its description, never enforced, because cases send wrong types and
//! unknown members on purpose. The parser ([`super::parse`]) stays the judge;
//! `tests/it/case_schema.rs` checks every corpus case validates against this.

use serde_json::{json, Map, Value};

use dpconform_protocol::{OPERATIONS, SERVICE_MODEL_JSON};

use super::{CheckName, Grade};

/// The schema's `$id`.
const ID: &str = "https://github.com/dpconform/dpconform/case.schema.json";

/// The schema of a case file, as a JSON value.
pub fn case_schema() -> Value {
    let grades: Vec<&str> = Grade::ALL.iter().map(|g| g.name()).collect();
    let checks: Vec<String> = CheckName::ENVELOPE.iter().map(|c| c.to_string()).collect();
    let step = step_schema(&checks);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": "dpconform case file",
        "description": "One conformance case: requests to a Data Pipeline endpoint and what the answers must look like (README, Case files).",
        "type": "object",
        "required": ["about", "grade", "source", "steps"],
        "additionalProperties": false,
        "properties": {
            "$schema": { "type": "string", "description": "This schema, for editors (ignored by dpconform)." },
            "about": { "type": "string", "description": "One line: what the case shows." },
            "grade": { "enum": grades, "description": "The evidence the expectations rest on, strongest first: observed, model, documented, inferred." },
            "source": { "type": "string", "description": "The citation of that grade: evidence/<file>.md, a documentation URL, the model; for inferred, `inferred: <why>`." },
            "tags": { "type": "array", "items": { "type": "string" }, "description": "Words for choosing cases (happy, errors, validation, paging are counted by `list --coverage`)." },
            "skip": { "type": "string", "description": "The case is not run, for this reason." },
            "vars": { "type": "object", "description": "Constants usable as {{name}}." },
            "steps": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/step" }, "description": "Run in order." },
            "finally": { "type": "array", "items": { "$ref": "#/$defs/step" }, "description": "Clean-up steps, always run." }
        },
        "$defs": {
            "step": step,
            "expect": expect_schema(&grades),
            "header_rule": {
                "oneOf": [
                    { "type": "string", "description": "The header equals this text." },
                    {
                        "type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1,
                        "properties": {
                            "equals": { "type": "string" },
                            "matches": { "type": "string", "description": "A regular expression." },
                            "present": { "const": true },
                            "absent": { "const": true }
                        }
                    }
                ]
            }
        }
    })
}

fn step_schema(checks: &[String]) -> Value {
    let mut step = json!({
        "type": "object",
        "additionalProperties": false,
        "description": "One request (an `operation`, or a `raw` one) and what its response must look like.",
        "properties": {
            "name": { "type": "string", "description": "Shown in output; names the snapshot file." },
            "operation": { "enum": OPERATIONS, "description": "Sets x-amz-target: DataPipeline.<operation> and the JSON content type; signed by default." },
            "body": { "description": "The JSON body of an operation step (default {}); templates allowed." },
            "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Extra or replacing headers." },
            "raw": {
                "type": "object", "additionalProperties": false,
                "description": "Instead of `operation`: a request sent exactly as written (default POST /), unsigned by default.",
                "properties": {
                    "method": { "type": "string" },
                    "path": { "type": "string" },
                    "headers": { "type": "object", "additionalProperties": { "type": "string" } },
                    "body": {
                        "oneOf": [
                            { "type": "string" },
                            {
                                "type": "object", "additionalProperties": false, "required": ["repeat", "times"],
                                "properties": {
                                    "prefix": { "type": "string" }, "repeat": { "type": "string" },
                                    "times": { "type": "integer", "minimum": 0 }, "suffix": { "type": "string" }
                                }
                            }
                        ]
                    }
                }
            },
            "sign": {
                "oneOf": [
                    { "type": "boolean" },
                    {
                        "type": "object", "additionalProperties": false,
                        "description": "Deliberate signing deviations.",
                        "properties": {
                            "access_key": { "type": "string" }, "secret_key": { "type": "string" },
                            "session_token": { "type": "string" }, "region": { "type": "string" },
                            "service": { "type": "string" },
                            "time_offset": { "type": "integer", "description": "Seconds; negative = past." }
                        }
                    }
                ]
            },
            "expect": { "$ref": "#/$defs/expect" },
            "skip_checks": {
                "type": "object", "propertyNames": { "enum": checks },
                "additionalProperties": { "type": "string" },
                "description": "Envelope checks switched off, each with a reason."
            },
            "retry": {
                "type": "object", "additionalProperties": false, "required": ["for_seconds"],
                "properties": { "for_seconds": { "type": "number" }, "interval_ms": { "type": "integer", "minimum": 0 } },
                "description": "Re-send until the expectations hold (eventually consistent reads)."
            },
            "paginate": { "type": "boolean", "description": "Follow marker/hasMoreResults to the last page." },
            "timeout": { "type": "number", "exclusiveMinimum": 0, "description": "Seconds: this step's request deadline." }
        }
    });
    // Each operation's body: its members from the model, for completion and hover.
    let rules: Vec<Value> = operation_bodies()
        .into_iter()
        .map(|(operation, body)| {
            json!({
                "if": { "properties": { "operation": { "const": operation } }, "required": ["operation"] },
                "then": { "properties": { "body": body } }
            })
        })
        .collect();
    step["allOf"] = Value::Array(rules);
    step
}

fn expect_schema(grades: &[&str]) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "description": "What the response must look like; envelope checks are implied.",
        "properties": {
            "status": { "type": "integer", "minimum": 100, "maximum": 599, "description": "Default 200, or 400 with `error`." },
            "error": { "type": "string", "description": "The error type: __type after # and before :." },
            "message": { "type": "string", "description": "A regular expression the error message must match." },
            "headers": { "type": "object", "additionalProperties": { "$ref": "#/$defs/header_rule" } },
            "json": { "description": "The body equals this JSON; \"{{any}}\" matches anything." },
            "json_includes": { "description": "The body contains this JSON." },
            "json_excludes": { "description": "The body does not contain this JSON." },
            "body": { "type": "string", "description": "The raw body equals this text." },
            "snapshot": { "type": "boolean", "description": "Compare with snapshots/<area>/<case>__<step>.snap." },
            "capture": { "type": "object", "additionalProperties": { "type": "string" }, "description": "variable -> JSON pointer." },
            "redact": { "type": "object", "additionalProperties": { "type": "string" }, "description": "JSON pointer -> label." },
            "grade": { "enum": grades, "description": "This step's own grade (with `source`)." },
            "source": { "type": "string", "description": "This step's own citation (with `grade`)." }
        }
    })
}

/// Each operation with the schema of its body: the input shape's members,
/// described, none enforced.
fn operation_bodies() -> Vec<(&'static str, Value)> {
    let model: Value = serde_json::from_str(SERVICE_MODEL_JSON).unwrap_or_default();
    let shapes = &model["shapes"];
    OPERATIONS
        .iter()
        .map(|operation| {
            let input = model["operations"][operation]["input"].as_str().unwrap_or_default();
            let shape = &shapes[input];
            let required: Vec<&str> = shape["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut members = Map::new();
            if let Some(fields) = shape["members"].as_object() {
                for (name, member) in fields {
                    let shape_name = member["shape"].as_str().unwrap_or_default();
                    members.insert(
                        name.clone(),
                        json!({ "description": describe(shape_name, &shapes[shape_name], required.contains(&name.as_str())) }),
                    );
                }
            }
            (
                *operation,
                json!({
                    "type": "object",
                    "description": format!("The body of {operation} ({input} in the model; members required there: {})",
                        if required.is_empty() { "none".to_string() } else { required.join(", ") }),
                    "properties": members
                }),
            )
        })
        .collect()
}

/// `id: string, 1..1024 characters; required by the model`.
fn describe(name: &str, shape: &Value, required: bool) -> String {
    let kind = shape["type"].as_str().unwrap_or("value");
    let mut text = format!("{name}: {kind}");
    let unit = if kind == "string" {
        " characters"
    } else if kind == "list" {
        " items"
    } else {
        ""
    };
    match (shape["min"].as_i64(), shape["max"].as_i64()) {
        (Some(min), Some(max)) => text.push_str(&format!(", {min}..{max}{unit}")),
        (Some(min), None) => text.push_str(&format!(", at least {min}{unit}")),
        (None, Some(max)) => text.push_str(&format!(", at most {max}{unit}")),
        (None, None) => {}
    }
    if let Some(values) = shape["enum"].as_array() {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        text.push_str(&format!(", one of {}", values.join(", ")));
    }
    if required {
        text.push_str("; required by the model");
    }
    text.push_str(" (not enforced here: cases send odd bodies on purpose)");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_its_model_members() {
        let schema = case_schema();
        let rules = schema["$defs"]["step"]["allOf"].as_array().expect("rules");
        assert_eq!(rules.len(), 19);
        let create = rules
            .iter()
            .find(|r| r["if"]["properties"]["operation"]["const"] == "CreatePipeline")
            .expect("CreatePipeline");
        let members = create["then"]["properties"]["body"]["properties"]
            .as_object()
            .expect("members");
        let names: Vec<&str> = members.keys().map(String::as_str).collect();
        assert_eq!(names, ["description", "name", "tags", "uniqueId"]);
        assert!(members["name"]["description"]
            .as_str()
            .unwrap()
            .contains("1..1024 characters; required"));
        for rule in rules {
            let body = &rule["then"]["properties"]["body"];
            assert!(body["properties"].is_object(), "{rule}");
        }
    }
}
