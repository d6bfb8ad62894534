//! A sequence of calls as data. A call's body may name what earlier answers
//! produced as `{{name}}` (the case files' template syntax), so the same
//! sequence replays on both sides, each with its own ids, and is written as a
//! case file as it stands.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The variable that holds a replay's own token (unique names, worker groups).
pub const RUN_VAR: &str = "run";

/// One call of a sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// The action (`CreatePipeline`).
    pub operation: String,
    /// The JSON body, with `{{name}}` where an earlier answer's value goes.
    pub body: Value,
    /// The variables this call's answer binds: name and JSON pointer into the answer.
    #[serde(default)]
    pub produces: Vec<(String, String)>,
}

impl Call {
    /// A call of `operation` with `body` that binds nothing.
    pub fn new(operation: &str, body: Value) -> Call {
        Call {
            operation: operation.to_string(),
            body,
            produces: Vec::new(),
        }
    }

    /// The same call, also binding `name` to the answer's value at `pointer`.
    pub fn producing(mut self, name: &str, pointer: &str) -> Call {
        self.produces.push((name.to_string(), pointer.to_string()));
        self
    }
}

/// The values one side's answers bound so far: variable name -> value.
pub type Bindings = BTreeMap<String, String>;

/// The stand-in for a variable that this side never bound (its producer failed there).
pub fn unbound(name: &str) -> String {
    format!("unbound-{name}")
}

/// `value` with every `{{name}}` in its strings replaced by the bound value.
pub fn render(value: &Value, bindings: &Bindings) -> Value {
    match value {
        Value::String(s) => Value::String(render_str(s, bindings)),
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, bindings)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), render(v, bindings))).collect()),
        other => other.clone(),
    }
}

fn render_str(text: &str, bindings: &Bindings) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        let name = rest[start + 2..start + 2 + len].trim();
        out.push_str(&rest[..start]);
        match bindings.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&unbound(name)),
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The variables `value` names.
pub fn names_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                let Some(len) = rest[start + 2..].find("}}") else { break };
                out.push(rest[start + 2..start + 2 + len].trim().to_string());
                rest = &rest[start + 2 + len + 2..];
            }
        }
        Value::Array(items) => items.iter().for_each(|v| names_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| names_in(v, out)),
        _ => {}
    }
}

/// Binds what `call` produces from its `answer` (a string at each pointer).
pub fn bind(call: &Call, answer: &Value, bindings: &mut Bindings) {
    for (name, pointer) in &call.produces {
        if let Some(v) = answer.pointer(pointer).and_then(Value::as_str) {
            bindings.insert(name.clone(), v.to_string());
        }
    }
}

/// Tokens that make each run's names and unique ids its own on the endpoint
/// (`{{run}}`): a nonce of the process's start and a counter.
pub struct Tokens {
    nonce: String,
    count: AtomicU64,
}

impl Tokens {
    /// A fresh nonce.
    pub fn new() -> Tokens {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Tokens {
            nonce: format!("x{:06x}", nanos % 0xFF_FFFF),
            count: AtomicU64::new(0),
        }
    }

    /// The next token.
    pub fn next(&self) -> String {
        format!("{}-{}", self.nonce, self.count.fetch_add(1, Ordering::Relaxed))
    }
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_take_bound_values_and_unbound_ones_a_stand_in() {
        let bindings = Bindings::from([("p0".to_string(), "df-1".to_string())]);
        let body = json!({"pipelineId": "{{p0}}", "ids": ["x-{{t0}}"]});
        assert_eq!(
            render(&body, &bindings),
            json!({"pipelineId": "df-1", "ids": ["x-unbound-t0"]})
        );
        let mut names = Vec::new();
        names_in(&body, &mut names);
        names.sort();
        assert_eq!(names, ["p0", "t0"]);
    }
}
