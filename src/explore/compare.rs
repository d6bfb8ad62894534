//! One call's two answers made comparable, and what differs between them.
//!
//! The normalisation is the one `dpconform compare` uses (dates, uuids, pipeline
//! ids and request ids labelled, epoch seconds as `[timestamp]`), plus what a
//! lock-step run knows: every value an answer bound (a pipeline id, a task id, a
//! marker) is replaced by its variable (`{{p0}}`), so that ids map between the
//! two sides; lists are sorted (their order is not specified); pipelines that
//! the sequence did not create are left out of listings (others may share the
//! endpoint); error bodies keep only their error type (messages are free text).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::sequence::Bindings;
use crate::report::normalize::{is_timestamp, label_text};

/// What a difference is about: the action, the check (`status`, `error type`,
/// `body`, `envelope:<check>`, `transport`) and the JSON path (array elements as
/// `*`, or `[key]` for lists of keyed fields). Findings with the same signature
/// are one finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Signature {
    /// The action.
    pub action: String,
    /// The check that differs.
    pub check: String,
    /// Where in the body (empty for status, error type, envelope and transport).
    pub path: String,
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.action, self.check)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        Ok(())
    }
}

/// An answer reduced to what two conforming endpoints agree on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Normal {
    /// HTTP status.
    pub status: u16,
    /// The short error type of an error answer.
    pub error_type: Option<String>,
    /// The normalised body (`null` for errors and empty bodies).
    pub body: Value,
}

/// The answer's JSON body (`null` when empty or not JSON).
pub fn parse(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// `body` with every bound value replaced by its `{{variable}}`; `exact` values
/// only when short (a marker like `1` must not rewrite every `1`).
pub fn templated(body: &Value, bindings: &Bindings) -> Value {
    let mut by_length: Vec<(&String, &String)> = bindings.iter().map(|(k, v)| (v, k)).collect();
    by_length.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(b.1)));
    fn walk(v: &Value, values: &[(&String, &String)]) -> Value {
        match v {
            Value::String(s) => {
                if let Some((_, name)) = values.iter().find(|(value, _)| *value == s) {
                    return Value::String(format!("{{{{{name}}}}}"));
                }
                let mut out = s.clone();
                for (value, name) in values.iter().filter(|(value, _)| value.len() >= 8) {
                    if out.contains(value.as_str()) {
                        out = out.replace(value.as_str(), &format!("{{{{{name}}}}}"));
                    }
                }
                Value::String(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, values)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, i)| (k.clone(), walk(i, values))).collect()),
            other => other.clone(),
        }
    }
    walk(body, &by_length)
}

/// A listing keeps only the pipelines this sequence made (bound to a variable).
fn only_own_pipelines(operation: &str, body: &mut Value) {
    if operation != "ListPipelines" {
        return;
    }
    if let Some(list) = body.get_mut("pipelineIdList").and_then(Value::as_array_mut) {
        list.retain(|p| p["id"].as_str().is_some_and(|id| id.starts_with("{{")));
    }
}

/// One answer normalised; `bindings` are the values this side's answers bound.
pub fn normalise(operation: &str, status: u16, body: &[u8], bindings: &Bindings) -> Normal {
    let parsed = parse(body);
    if status != 200 {
        return Normal {
            status,
            error_type: dpconform_protocol::error_type(&parsed).filter(|t| !t.is_empty()),
            body: Value::Null,
        };
    }
    let mut body = templated(&parsed, bindings);
    only_own_pipelines(operation, &mut body);
    Normal {
        status,
        error_type: None,
        body: labelled(&body),
    }
}

fn labelled(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(label_text(s)),
        Value::Number(n) if is_timestamp(n) => Value::String("[timestamp]".into()),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(labelled).collect();
            items.sort_by_cached_key(|i| i.to_string());
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, i)| (k.clone(), labelled(i))).collect()),
        other => other.clone(),
    }
}

/// The reference's answer as a case file expects it: bound values as
/// `{{variable}}`, values that differ from run to run (dates, uuids, other
/// pipelines' ids, times) as `{{any}}`; listings keep only the sequence's own pipelines.
pub fn expected_body(operation: &str, body: &[u8], bindings: &Bindings) -> Value {
    fn walk(v: &Value) -> Value {
        match v {
            Value::String(s) if !s.contains("{{") && label_text(s) != *s => Value::String("{{any}}".into()),
            Value::Number(n) if is_timestamp(n) => Value::String("{{any}}".into()),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, i)| (k.clone(), walk(i))).collect()),
            other => other.clone(),
        }
    }
    let mut body = templated(&parse(body), bindings);
    only_own_pipelines(operation, &mut body);
    walk(&body)
}

/// Every signature under which `endpoint` differs from `reference`, status first.
pub fn differences(action: &str, reference: &Normal, endpoint: &Normal) -> Vec<Signature> {
    let signature = |check: &str, path: &str| Signature {
        action: action.to_string(),
        check: check.to_string(),
        path: path.to_string(),
    };
    if reference.status != endpoint.status {
        return vec![signature("status", "")];
    }
    if reference.error_type != endpoint.error_type {
        return vec![signature("error type", "")];
    }
    let mut paths = Vec::new();
    body_paths("", &reference.body, &endpoint.body, &mut paths);
    paths.into_iter().map(|p| signature("body", &p)).collect()
}

/// How an element of a keyed list is identified: a field by its `key` (which
/// names behaviour: `@status`), an object by its `id` (which is data).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Field(String),
    Id(String),
}

impl Key {
    /// The element's path segment: `[key]` for a field, `*` for an object, as
    /// for any list element (a signature names where, not which).
    fn segment(&self) -> String {
        match self {
            Key::Field(k) => format!("[{k}]"),
            Key::Id(_) => "*".into(),
        }
    }
}

/// The key of an element of a keyed list (fields: `key`, with at most a
/// `stringValue` or `refValue` beside it; objects: `id`). Tags are not keyed:
/// their keys are data.
fn element_key(v: &Value) -> Option<Key> {
    let map = v.as_object()?;
    let field = map
        .keys()
        .all(|k| matches!(k.as_str(), "key" | "stringValue" | "refValue"));
    match (map.get("key"), map.get("id")) {
        (Some(Value::String(k)), _) if field => Some(Key::Field(k.clone())),
        (_, Some(Value::String(id))) => Some(Key::Id(id.clone())),
        _ => None,
    }
}

fn keyed(items: &[Value]) -> Option<BTreeMap<Key, &Value>> {
    let mut map = BTreeMap::new();
    for item in items {
        if map.insert(element_key(item)?, item).is_some() {
            return None;
        }
    }
    Some(map)
}

fn body_paths(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let here = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => body_paths(&here, p, q, out),
                    _ => out.push(here),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if let (Some(kx), Some(ky)) = (keyed(x), keyed(y)) {
                for key in kx.keys().chain(ky.keys().filter(|k| !kx.contains_key(*k))) {
                    let here = format!("{path}/{}", key.segment());
                    match (kx.get(key), ky.get(key)) {
                        (Some(p), Some(q)) => body_paths(&here, p, q, out),
                        _ => out.push(here),
                    }
                }
            } else if x.len() == y.len() {
                for (p, q) in x.iter().zip(y) {
                    body_paths(&format!("{path}/*"), p, q, out);
                }
            } else {
                out.push(path.to_string());
            }
        }
        _ => out.push(if path.is_empty() { "/".into() } else { path.to_string() }),
    }
    out.dedup();
}

/// Every path in `value`, named as differences name them (members, `*` for
/// list elements and objects, `[key]` for fields), each once, sorted.
pub fn paths(value: &Value) -> Vec<String> {
    fn walk(path: &str, v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (key, item) in map {
                    let here = format!("{path}/{key}");
                    out.insert(here.clone());
                    walk(&here, item, out);
                }
            }
            Value::Array(items) => {
                let keys = keyed(items);
                for item in items {
                    let segment = match (&keys, element_key(item)) {
                        (Some(_), Some(key)) => key.segment(),
                        _ => "*".into(),
                    };
                    let here = format!("{path}/{segment}");
                    out.insert(here.clone());
                    walk(&here, item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk("", value, &mut out);
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bindings(pairs: &[(&str, &str)]) -> Bindings {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ids_map_between_the_sides_and_lists_are_unordered() {
        let a = normalise(
            "DescribePipelines",
            200,
            br#"{"pipelineDescriptionList":[{"pipelineId":"df-AAAA1111","fields":[{"key":"b","stringValue":"2"},{"key":"@creationTime","stringValue":"2024-01-01T00:00:00"}]}]}"#,
            &bindings(&[("p0", "df-AAAA1111")]),
        );
        let b = normalise(
            "DescribePipelines",
            200,
            br#"{"pipelineDescriptionList":[{"fields":[{"key":"@creationTime","stringValue":"2025-05-05T05:05:05"},{"key":"b","stringValue":"2"}],"pipelineId":"df-BBBB2222"}]}"#,
            &bindings(&[("p0", "df-BBBB2222")]),
        );
        assert_eq!(a, b);
        assert!(differences("DescribePipelines", &a, &b).is_empty());
    }

    #[test]
    fn a_missing_field_is_named_by_its_key() {
        let a = normalise(
            "X",
            200,
            br#"{"fields":[{"key":"a","stringValue":"1"},{"key":"description","stringValue":"d"}]}"#,
            &Bindings::new(),
        );
        let b = normalise(
            "X",
            200,
            br#"{"fields":[{"key":"a","stringValue":"1"}]}"#,
            &Bindings::new(),
        );
        let found = differences("X", &a, &b);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "/fields/[description]");
        assert_eq!(found[0].check, "body");
    }

    #[test]
    fn errors_compare_by_status_and_type_and_listings_by_own_pipelines() {
        let a = normalise(
            "X",
            400,
            br#"{"__type":"InvalidRequestException","message":"a"}"#,
            &Bindings::new(),
        );
        let b = normalise(
            "X",
            400,
            br#"{"__type":"InvalidRequestException","message":"b"}"#,
            &Bindings::new(),
        );
        assert!(differences("X", &a, &b).is_empty());
        let c = normalise(
            "X",
            400,
            br#"{"__type":"PipelineNotFoundException","message":"b"}"#,
            &Bindings::new(),
        );
        assert_eq!(differences("X", &a, &c)[0].check, "error type");
        let own = bindings(&[("p0", "df-OWN00001")]);
        let listed = normalise(
            "ListPipelines",
            200,
            br#"{"pipelineIdList":[{"id":"df-OWN00001","name":"n"},{"id":"df-OTHER0001","name":"o"}],"hasMoreResults":false}"#,
            &own,
        );
        assert_eq!(listed.body["pipelineIdList"], json!([{"id": "{{p0}}", "name": "n"}]));
        assert_eq!(
            expected_body(
                "ListPipelines",
                br#"{"pipelineIdList":[{"id":"df-OWN00001","name":"n"}],"t":1700000000}"#,
                &own
            ),
            json!({"pipelineIdList": [{"id": "{{p0}}", "name": "n"}], "t": "{{any}}"})
        );
    }
}
