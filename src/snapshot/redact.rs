//! Making a response body stable enough to snapshot: dynamic values become
//! placeholders and lists the API does not order are sorted.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::case::datetime_pattern;
use crate::case::template::{value_text, Scope};

/// Members whose arrays the API does not promise to order.
const UNORDERED: [&str; 13] = [
    "fields",
    "tags",
    "pipelineIdList",
    "pipelineDescriptionList",
    "pipelineObjects",
    "parameterObjects",
    "parameterValues",
    "attributes",
    "ids",
    "validationErrors",
    "validationWarnings",
    "errors",
    "warnings",
];

/// Field keys whose values depend on the account or caller, not on the request.
const IDENTITY_FIELDS: [(&str, &str); 3] = [
    ("@accountId", "[account]"),
    ("@userId", "[user]"),
    ("pipelineCreator", "[user]"),
];

/// Built-in variables that are not dynamic and stay as they are.
const STABLE_VARS: [&str; 3] = ["case", "region", "access_key"];

fn pipeline_id_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\bdf-[A-Za-z0-9]{8,}\b").expect("valid regex"))
}

/// The redactions of one step.
pub(crate) struct Redactor {
    /// Dynamic text -> placeholder, longest text first.
    labels: Vec<(String, String)>,
    keep: HashSet<String>,
    pointers: BTreeMap<String, String>,
}

impl Redactor {
    /// `scope`: captured and built-in variables and generated values; `literals`: date-times
    /// the case wrote itself; `pointers`: the step's explicit `redact` entries.
    pub(crate) fn new(scope: &Scope, literals: &[String], pointers: &BTreeMap<String, String>) -> Self {
        let mut labels: Vec<(String, String)> = scope
            .vars()
            .iter()
            .filter(|(name, _)| !STABLE_VARS.contains(&name.as_str()))
            .filter(|(_, value)| matches!(value, Value::String(_) | Value::Number(_)))
            .map(|(name, value)| (value_text(value), format!("[{name}]")))
            .chain(
                scope
                    .dynamic_values()
                    .iter()
                    .map(|(text, label)| (text.clone(), format!("[{label}]"))),
            )
            // Short values would replace unrelated text.
            .filter(|(text, _)| text.len() >= 4)
            .collect();
        labels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        Redactor {
            labels,
            keep: literals.iter().cloned().collect(),
            pointers: pointers.clone(),
        }
    }

    /// `value` with the step's `redact` pointers replaced, then every dynamic
    /// value labelled and unordered lists sorted.
    pub(crate) fn apply(&self, value: &Value) -> Value {
        let mut value = value.clone();
        for (pointer, label) in &self.pointers {
            if let Some(slot) = value.pointer_mut(pointer) {
                *slot = Value::String(format!("[{}]", label.trim_matches(|c| c == '[' || c == ']')));
            }
        }
        self.walk(&mut value, None);
        value
    }

    fn walk(&self, value: &mut Value, member: Option<&str>) {
        match value {
            Value::String(s) => *s = self.redact_text(s),
            Value::Number(n) => {
                let text = n.to_string();
                if let Some((_, label)) = self.labels.iter().find(|(t, _)| *t == text) {
                    *value = Value::String(label.clone());
                }
            }
            Value::Array(items) => {
                for item in items.iter_mut() {
                    self.walk(item, None);
                }
                if member.is_some_and(|m| UNORDERED.contains(&m)) {
                    items.sort_by_cached_key(|v| v.to_string());
                }
            }
            Value::Object(map) => {
                let identity = map
                    .get("key")
                    .and_then(Value::as_str)
                    .and_then(|k| IDENTITY_FIELDS.iter().find(|(f, _)| *f == k))
                    .map(|(_, label)| *label);
                for (key, item) in map.iter_mut() {
                    match (identity, key.as_str()) {
                        (Some(label), "stringValue") => *item = Value::String(label.into()),
                        _ => self.walk(item, Some(key)),
                    }
                }
            }
            _ => {}
        }
    }

    fn redact_text(&self, text: &str) -> String {
        if let Some((_, label)) = self.labels.iter().find(|(t, _)| t == text) {
            return label.clone();
        }
        let mut out = text.to_string();
        for (dynamic, label) in &self.labels {
            if out.contains(dynamic.as_str()) {
                out = out.replace(dynamic.as_str(), label);
            }
        }
        let out = datetime_pattern().replace_all(&out, |c: &regex::Captures| {
            let found = &c[0];
            if self.keep.contains(found) {
                found.to_string()
            } else {
                "[datetime]".to_string()
            }
        });
        pipeline_id_pattern().replace_all(&out, "[pipeline-id]").into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    #[test]
    fn redacts_captures_times_identities_and_sorts() {
        let mut scope = Scope::new(UNIX_EPOCH);
        scope.set("pipeline", json!("df-ABCDEFGHIJ0123456789"));
        scope.set("run", json!("abc123-x9"));
        let redactor = Redactor::new(&scope, &["2012-12-12T00:00:00".into()], &BTreeMap::new());
        let body = json!({
            "pipelineId": "df-ABCDEFGHIJ0123456789",
            "other": "df-ZZZZZZZZZZ0000000000",
            "fields": [
                {"key": "name", "stringValue": "p-abc123-x9"},
                {"key": "@creationTime", "stringValue": "2026-11-23T12:00:00"},
                {"key": "@accountId", "stringValue": "123456789012"},
                {"key": "startDateTime", "stringValue": "2012-12-12T00:00:00"}
            ]
        });
        assert_eq!(
            redactor.apply(&body),
            json!({
                "pipelineId": "[pipeline]",
                "other": "[pipeline-id]",
                "fields": [
                    {"key": "@accountId", "stringValue": "[account]"},
                    {"key": "@creationTime", "stringValue": "[datetime]"},
                    {"key": "name", "stringValue": "p-[run]"},
                    {"key": "startDateTime", "stringValue": "2012-12-12T00:00:00"}
                ]
            })
        );
    }

    #[test]
    fn explicit_pointers_win() {
        let scope = Scope::new(UNIX_EPOCH);
        let pointers = BTreeMap::from([("/taskObject/taskId".to_string(), "task-id".to_string())]);
        let redactor = Redactor::new(&scope, &[], &pointers);
        assert_eq!(
            redactor.apply(&json!({"taskObject": {"taskId": "opaque"}})),
            json!({"taskObject": {"taskId": "[task-id]"}})
        );
    }
}
