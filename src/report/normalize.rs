//! Responses made comparable across runs and endpoints: the status, the error
//! type, and the body with dynamic values (ids, run tokens, dates, request ids)
//! replaced by labels and JSON keys sorted. Used by `diff` and `compare`.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::json::Exchange;

/// A response reduced to what should be equal between two conforming endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Normalized {
    /// HTTP status code (0 when the record has none).
    pub(crate) status: u16,
    /// The short error type, from the body's `__type` or the `x-amzn-ErrorType` header.
    pub(crate) error_type: Option<String>,
    /// Pretty JSON with dynamic values labelled, or the text body labelled.
    pub(crate) body: String,
}

impl Normalized {
    /// The text that a unified diff of two responses shows.
    pub(crate) fn render(&self) -> String {
        let mut out = format!("status: {}\n", self.status);
        if let Some(error) = &self.error_type {
            out.push_str(&format!("error type: {error}\n"));
        }
        out.push_str(&self.body);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// `response` normalised; `run_ids` are the ids of the run(s) it came from (their
/// `{{run}}` values are replaced too).
pub(crate) fn response(response: &Exchange, run_ids: &[&str]) -> Normalized {
    let labels = Labels::new(run_ids);
    let parsed: Option<Value> = if response.body.trim().is_empty() {
        None
    } else {
        serde_json::from_str(&response.body).ok()
    };
    let error_type = parsed
        .as_ref()
        .and_then(dpconform_protocol::error_type)
        .or_else(|| {
            response
                .header("x-amzn-errortype")
                .map(|t| t.split(':').next().unwrap_or(t).to_string())
        })
        .filter(|t| !t.is_empty());
    let body = match parsed {
        Some(mut json) => {
            labels.value(&mut json);
            serde_json::to_string_pretty(&json).unwrap_or_default()
        }
        None if response.body.is_empty() => "(empty body)".into(),
        None => labels.text(&response.body),
    };
    Normalized {
        status: response.status.unwrap_or(0),
        error_type,
        body,
    }
}

/// `text` with uuids, pipeline ids and date-times replaced by labels (`[uuid]`,
/// `[pipeline-id]`, `[datetime]`), as in every normalised body.
pub(crate) fn label_text(text: &str) -> String {
    Labels::new(&[]).text(text)
}

/// Whether a JSON number is a time (epoch seconds, 2001..2286) rather than data.
pub(crate) fn is_timestamp(n: &serde_json::Number) -> bool {
    n.as_f64().is_some_and(|f| (1.0e9..1.0e10).contains(&f))
}

struct Labels {
    run: Option<Regex>,
}

impl Labels {
    fn new(run_ids: &[&str]) -> Self {
        let ids: Vec<String> = run_ids
            .iter()
            .filter(|id| !id.is_empty())
            .map(|id| regex::escape(id))
            .collect();
        let run = (!ids.is_empty())
            .then(|| Regex::new(&format!(r"(?:{})(?:-[0-9a-z]{{6}})?", ids.join("|"))).ok())
            .flatten();
        Labels { run }
    }

    fn text(&self, text: &str) -> String {
        let mut out = match &self.run {
            Some(run) => run.replace_all(text, "[run]").into_owned(),
            None => text.to_string(),
        };
        for (pattern, label) in patterns() {
            out = pattern.replace_all(&out, *label).into_owned();
        }
        out
    }

    fn value(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key.eq_ignore_ascii_case("requestid") || key.eq_ignore_ascii_case("request_id") {
                        *v = Value::String("[request-id]".into());
                    } else {
                        self.value(v);
                    }
                }
            }
            Value::Number(n) => {
                if is_timestamp(n) {
                    *value = Value::String("[timestamp]".into());
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            (
                r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                "[uuid]",
            ),
            (r"\bdf-[0-9A-Za-z]{6,}", "[pipeline-id]"),
            (
                // Also `2024-01-02T03-04-05`, as some emulators write times.
                r"\d{4}-\d{2}-\d{2}[T ]\d{2}[:-]\d{2}[:-]\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
                "[datetime]",
            ),
        ]
        .into_iter()
        .filter_map(|(p, l)| Regex::new(p).ok().map(|r| (r, l)))
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, body: &str) -> Exchange {
        Exchange {
            method: None,
            url: None,
            status: Some(status),
            headers: vec![],
            body: body.into(),
            body_len: body.len(),
        }
    }

    #[test]
    fn dynamic_values_become_labels_and_keys_are_sorted() {
        let a = response(
            &exchange(
                200,
                r#"{"pipelineId":"df-0123456789ABCDEF","name":"dpc-run1-abc123","at":"2024-01-02T03:04:05Z","t":1700000000}"#,
            ),
            &["run1"],
        );
        let b = response(
            &exchange(
                200,
                r#"{"t":1800000000.5,"name":"dpc-run2-zzz999","at":"2025-05-05T05-05-05","pipelineId":"df-99999999"}"#,
            ),
            &["run2"],
        );
        assert_eq!(a, b);
        assert!(a.body.contains("[pipeline-id]") && a.body.contains("dpc-[run]"));
    }

    #[test]
    fn error_type_comes_from_the_body() {
        let n = response(
            &exchange(
                400,
                r#"{"__type":"com.amazon.setl#PipelineNotFoundException","message":"x"}"#,
            ),
            &["r"],
        );
        assert_eq!(n.error_type.as_deref(), Some("PipelineNotFoundException"));
        assert_eq!(response(&exchange(200, ""), &["r"]).body, "(empty body)");
    }
}
