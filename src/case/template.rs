//! `{{...}}` templates in case files: variables (`{{pipeline}}`, `{{run}}`) and a few
//! generator functions (`{{repeat(a, 1025)}}`, `{{datetime(-3600)}}`, `{{timestamp(0)}}`).
//!
//! Templates are checked when a case is loaded ([`parse_template`]) so that a typo is a
//! file error, not a run-time surprise; they are rendered step by step at run time.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The placeholder that matches any value in JSON expectations.
pub const ANY: &str = "any";

/// The most text the templates of one request (or of a case's `vars`) may
/// render to: far above any length limit a case tests, and a bound on the
/// memory that `repeat` and variables used many times can claim.
pub const MAX_RENDERED_BYTES: usize = 64 * 1024 * 1024;

/// One piece of a template string.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text as is.
    Text(String),
    /// A variable: `{{name}}`.
    Var(String),
    /// A built-in function: `{{repeat(a, 3)}}`.
    Call(Function),
}

/// The built-in template functions.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// `repeat(text, n)`: `text` n times (length-bound tests).
    Repeat(String, usize),
    /// `timestamp(offset)`: seconds since the epoch, now + offset, as a JSON number.
    Timestamp(i64),
    /// `datetime(offset)`: `YYYY-MM-DDTHH:MM:SS` UTC, now + offset seconds.
    Datetime(i64),
}

/// Splits `text` into literal text, variables and calls; `Err` says what is wrong.
pub fn parse_template(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("unclosed `{{{{` in {text:?}"))?;
        parts.push(parse_expr(after[..end].trim())?);
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Ok(parts)
}

fn parse_expr(expr: &str) -> Result<Part, String> {
    let Some(open) = expr.find('(') else {
        if is_identifier(expr) {
            return Ok(Part::Var(expr.to_string()));
        }
        return Err(format!(
            "`{{{{{expr}}}}}` is not a variable name (letters, digits, `_`, `-`) or a call"
        ));
    };
    let name = expr[..open].trim();
    let args_text = expr[open + 1..]
        .strip_suffix(')')
        .ok_or_else(|| format!("`{{{{{expr}}}}}`: a call must end with `)`"))?;
    let args: Vec<String> = if args_text.trim().is_empty() {
        Vec::new()
    } else {
        args_text
            .split(',')
            .map(|a| a.trim().trim_matches('\'').trim_matches('"').to_string())
            .collect()
    };
    let int = |i: usize| -> Result<i64, String> {
        args.get(i)
            .ok_or_else(|| format!("`{name}` needs argument {}", i + 1))?
            .parse::<i64>()
            .map_err(|_| format!("`{name}`: argument {} must be an integer", i + 1))
    };
    let function = match (name, args.len()) {
        ("repeat", 2) => {
            let times = int(1)?;
            if !(0..=64 * 1024 * 1024).contains(&times) {
                return Err("`repeat`: count must be between 0 and 67108864".into());
            }
            let times = times as usize;
            if args[0].len().saturating_mul(times) > MAX_RENDERED_BYTES {
                return Err(format!("`repeat` must render at most {MAX_RENDERED_BYTES} bytes"));
            }
            Function::Repeat(args[0].clone(), times)
        }
        ("timestamp", 0) => Function::Timestamp(0),
        ("timestamp", 1) => Function::Timestamp(int(0)?),
        ("datetime", 0) => Function::Datetime(0),
        ("datetime", 1) => Function::Datetime(int(0)?),
        ("repeat" | "timestamp" | "datetime", n) => return Err(format!("`{name}` does not take {n} argument(s)")),
        _ => {
            return Err(format!(
                "unknown function `{name}` (known: repeat, timestamp, datetime)"
            ))
        }
    };
    Ok(Part::Call(function))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Every variable a JSON value's templates refer to.
pub fn variables_in(value: &Value, out: &mut Vec<String>) -> Result<(), String> {
    match value {
        Value::String(s) => variables_in_str(s, out),
        Value::Array(items) => items.iter().try_for_each(|v| variables_in(v, out)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            variables_in_str(k, out)?;
            variables_in(v, out)
        }),
        _ => Ok(()),
    }
}

/// Collects the variables a text names; an error for a malformed template.
pub fn variables_in_str(text: &str, out: &mut Vec<String>) -> Result<(), String> {
    for part in parse_template(text)? {
        if let Part::Var(name) = part {
            out.push(name);
        }
    }
    Ok(())
}

/// Variables in scope while a case runs, and the dynamic values rendered so far
/// (so that snapshots can redact them).
#[derive(Debug, Clone)]
pub struct Scope {
    vars: BTreeMap<String, Value>,
    /// Rendered dynamic text -> its label, e.g. `"2026-11-23T12:00:00"` -> `datetime(-3600)`.
    dynamic: Vec<(String, String)>,
    now: Option<SystemTime>,
    /// Bytes rendered since the scope was made or the last [`Scope::begin_request`].
    rendered: usize,
    limit: usize,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            vars: BTreeMap::new(),
            dynamic: Vec::new(),
            now: None,
            rendered: 0,
            limit: MAX_RENDERED_BYTES,
        }
    }
}

impl Scope {
    /// A scope whose date templates count from `now`.
    pub fn new(now: SystemTime) -> Self {
        Scope {
            now: Some(now),
            ..Default::default()
        }
    }

    /// The same scope with another rendering allowance (default [`MAX_RENDERED_BYTES`]).
    pub fn with_render_limit(mut self, bytes: usize) -> Self {
        self.limit = bytes;
        self
    }

    /// The rendering allowance.
    pub fn render_limit(&self) -> usize {
        self.limit
    }

    /// Bytes rendered since the last [`Scope::begin_request`]: about the size of the request's text.
    pub fn rendered(&self) -> usize {
        self.rendered
    }

    /// Starts a new request: the rendering allowance is whole again.
    pub fn begin_request(&mut self) {
        self.rendered = 0;
    }

    /// Counts `bytes` against the allowance before they are produced.
    pub fn reserve(&mut self, bytes: usize) -> Result<(), String> {
        match self.rendered.checked_add(bytes) {
            Some(total) if total <= self.limit => {
                self.rendered = total;
                Ok(())
            }
            _ => Err(format!(
                "templates would render more than {} bytes for one request",
                self.limit
            )),
        }
    }

    /// Defines or replaces a variable.
    pub fn set(&mut self, name: &str, value: Value) {
        self.vars.insert(name.to_string(), value);
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    /// Variables and their values, for redaction.
    pub fn vars(&self) -> &BTreeMap<String, Value> {
        &self.vars
    }

    /// Values produced by generator functions, with their labels.
    pub fn dynamic_values(&self) -> &[(String, String)] {
        &self.dynamic
    }

    /// Renders every template in a JSON value. A string that is exactly one
    /// `{{var}}` takes the variable's JSON value (number, object...), not its text.
    pub fn render_value(&mut self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => {
                let parts = parse_template(s)?;
                match parts.as_slice() {
                    [Part::Var(name)] => {
                        let size = rendered_len(self.lookup(name)?);
                        self.reserve(size)?;
                        self.lookup(name)?.clone()
                    }
                    [Part::Call(f @ Function::Timestamp(_))] => self.call(f)?,
                    // A whole-string call keeps its string: no copy of a large repeat.
                    [Part::Call(f)] => match self.call(f)? {
                        text @ Value::String(_) => text,
                        other => Value::String(value_text(&other)),
                    },
                    _ => Value::String(self.render_parts(&parts)?),
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render_value(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(self.render_str(k)?, self.render_value(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// Renders a template string as text.
    pub fn render_str(&mut self, text: &str) -> Result<String, String> {
        if !text.contains("{{") {
            self.reserve(text.len())?;
            return Ok(text.to_string());
        }
        let parts = parse_template(text)?;
        self.render_parts(&parts)
    }

    fn render_parts(&mut self, parts: &[Part]) -> Result<String, String> {
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => {
                    self.reserve(t.len())?;
                    out.push_str(t);
                }
                Part::Var(name) => {
                    let size = rendered_len(self.lookup(name)?);
                    self.reserve(size)?;
                    out.push_str(&value_text(self.lookup(name)?));
                }
                Part::Call(f) => {
                    let value = self.call(f)?;
                    out.push_str(&value_text(&value));
                }
            }
        }
        Ok(out)
    }

    fn lookup(&self, name: &str) -> Result<&Value, String> {
        self.vars
            .get(name)
            .ok_or_else(|| format!("variable `{{{{{name}}}}}` has no value (was its capture step skipped or failed?)"))
    }

    fn call(&mut self, function: &Function) -> Result<Value, String> {
        let now = self.now.unwrap_or_else(SystemTime::now);
        let epoch = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Ok(match function {
            Function::Repeat(text, n) => {
                self.reserve(text.len().saturating_mul(*n))?;
                Value::String(text.repeat(*n))
            }
            Function::Timestamp(offset) => {
                let v = epoch.saturating_add(*offset);
                self.dynamic.push((v.to_string(), format!("timestamp({offset})")));
                Value::from(v)
            }
            Function::Datetime(offset) => {
                let text = format_datetime(epoch.saturating_add(*offset));
                self.dynamic.push((text.clone(), format!("datetime({offset})")));
                Value::String(text)
            }
        })
    }
}

/// Roughly the bytes a value takes once rendered as JSON (at least its text's
/// length): what copying a variable counts against the allowance.
fn rendered_len(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len().saturating_add(2),
        Value::Array(items) => items
            .iter()
            .map(|v| rendered_len(v).saturating_add(1))
            .fold(2, usize::saturating_add),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| k.len().saturating_add(4).saturating_add(rendered_len(v)))
            .fold(2, usize::saturating_add),
        _ => 24,
    }
}

/// A JSON value as template text: strings without quotes, the rest as JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) for seconds since the epoch: the service's date-time form.
pub fn format_datetime(epoch_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(epoch_seconds)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_text_vars_and_calls() {
        assert_eq!(
            parse_template("a-{{run}}-{{ repeat(x, 3) }}").unwrap(),
            vec![
                Part::Text("a-".into()),
                Part::Var("run".into()),
                Part::Text("-".into()),
                Part::Call(Function::Repeat("x".into(), 3)),
            ]
        );
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(parse_template("{{run").unwrap_err().contains("unclosed"));
        assert!(parse_template("{{nope(1)}}").unwrap_err().contains("unknown function"));
        assert!(parse_template("{{repeat(a)}}").unwrap_err().contains("1 argument"));
        assert!(parse_template("{{a b}}").unwrap_err().contains("not a variable"));
    }

    #[test]
    fn whole_string_variable_keeps_its_json_type() {
        let mut scope = Scope::new(UNIX_EPOCH);
        scope.set("n", json!(5));
        scope.set("id", json!("df-1"));
        let out = scope
            .render_value(&json!({"a": "{{n}}", "b": "x{{n}}", "c": ["{{id}}"]}))
            .unwrap();
        assert_eq!(out, json!({"a": 5, "b": "x5", "c": ["df-1"]}));
    }

    #[test]
    fn generators_render_and_are_recorded_as_dynamic() {
        let mut scope = Scope::new(UNIX_EPOCH + std::time::Duration::from_secs(86_400));
        let out = scope
            .render_value(&json!(["{{datetime(-60)}}", "{{timestamp(10)}}", "{{repeat(ab, 2)}}"]))
            .unwrap();
        assert_eq!(out, json!(["1970-01-01T23:59:00", 86_410, "abab"]));
        assert_eq!(scope.dynamic_values().len(), 2);
    }

    #[test]
    fn offsets_at_the_ends_of_i64_do_not_overflow() {
        let mut scope = Scope::new(UNIX_EPOCH + std::time::Duration::from_secs(60));
        let out = scope
            .render_value(&json!([
                "{{timestamp(9223372036854775807)}}",
                "{{datetime(9223372036854775807)}}",
                "{{timestamp(-9223372036854775808)}}"
            ]))
            .unwrap();
        assert_eq!(out, json!([i64::MAX, "1970-01-01T00:00:00", i64::MIN + 60]));
    }

    #[test]
    fn repeat_is_bounded_by_its_output_not_only_its_count() {
        assert!(parse_template("{{repeat(ab, 33554432)}}").is_ok());
        let err = parse_template("{{repeat(ab, 33554433)}}").unwrap_err();
        assert!(err.contains("at most 67108864 bytes"), "{err}");
    }

    #[test]
    fn rendering_stops_at_the_allowance_and_each_request_has_its_own() {
        let over = |r: Result<Value, String>| r.unwrap_err().contains("more than 10 bytes");
        let mut scope = Scope::new(UNIX_EPOCH).with_render_limit(10);
        assert!(over(scope.render_value(&json!("{{repeat(a, 11)}}"))));
        scope.begin_request();
        assert_eq!(
            scope.render_value(&json!("{{repeat(a, 10)}}")).unwrap(),
            json!("a".repeat(10))
        );
        // A variable used many times counts every time.
        scope.set("v", json!("abcd"));
        scope.begin_request();
        assert!(over(scope.render_value(&json!("{{v}}{{v}}"))));
        scope.begin_request();
        assert!(over(scope.render_value(&json!(["{{v}}", "{{v}}"]))));
        scope.begin_request();
        assert_eq!(scope.render_value(&json!("{{v}}")).unwrap(), json!("abcd"));
    }

    #[test]
    fn missing_variable_is_an_error() {
        let mut scope = Scope::new(UNIX_EPOCH);
        assert!(scope.render_str("{{pipeline}}").unwrap_err().contains("pipeline"));
    }
}
