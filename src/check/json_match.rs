//! Comparing a response body with an expected JSON value: exactly, or as a
//! subset. Expected strings are templates; `"{{any}}"` matches any value.
//!
//! Three operators, written as a one-member object in place of a value, say
//! what plain JSON cannot:
//! - `{"$absent": true}` as a member's value: the member must not be there;
//! - `{"$not": X}`: the value must not match `X` (in the same mode);
//! - `{"$unordered": [..]}`: an array with exactly these elements, in any order.

use serde_json::Value;

use crate::case::template::Scope;
use crate::case::{operator, Operator};

/// How an expected JSON value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Same keys, same array lengths and order, same values.
    Exact,
    /// Expected keys present with matching values; each expected array element
    /// matches a distinct actual element, in any order.
    Includes,
}

const ANY_TEMPLATE: &str = "{{any}}";

/// `Ok(())` if `actual` matches `expected`, else where and how it differs.
pub fn matches(expected: &Value, actual: &Value, mode: Mode, scope: &mut Scope) -> Result<(), String> {
    compare(expected, actual, mode, scope, &mut String::new())
}

/// The expected value with its templates rendered (`{{any}}` left as written), for diffs.
pub fn render_expected(expected: &Value, scope: &mut Scope) -> Value {
    match expected {
        Value::String(s) if s.trim() == ANY_TEMPLATE => expected.clone(),
        Value::Array(items) => Value::Array(items.iter().map(|v| render_expected(v, scope)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render_expected(v, scope)))
                .collect(),
        ),
        other => scope.render_value(other).unwrap_or_else(|_| other.clone()),
    }
}

fn compare(expected: &Value, actual: &Value, mode: Mode, scope: &mut Scope, path: &mut String) -> Result<(), String> {
    let at = |path: &str| {
        if path.is_empty() {
            "/".to_string()
        } else {
            path.to_string()
        }
    };
    match operator(expected) {
        Some(Operator::Absent) => {
            return Err(format!(
                "at {}: expected no such member, got {}",
                at(path),
                short(actual)
            ))
        }
        Some(Operator::Not(inner)) => {
            return match compare(inner, actual, mode, scope, &mut String::new()) {
                Ok(()) => Err(format!(
                    "at {}: expected anything but {}, got {}",
                    at(path),
                    short(&render_expected(inner, scope)),
                    short(actual)
                )),
                Err(_) => Ok(()),
            }
        }
        Some(Operator::Unordered(want)) => {
            let Value::Array(got) = actual else {
                return Err(format!("at {}: expected an array, got {}", at(path), short(actual)));
            };
            if want.len() != got.len() {
                return Err(format!(
                    "at {}: expected exactly {} element(s) in any order, got {}",
                    at(path),
                    want.len(),
                    got.len()
                ));
            }
            return match_elements(want, got, Mode::Exact, scope, path);
        }
        None => {}
    }
    match expected {
        Value::String(s) if s.trim() == ANY_TEMPLATE => Ok(()),
        Value::Object(want) => {
            let Value::Object(got) = actual else {
                return Err(format!("at {}: expected an object, got {}", at(path), short(actual)));
            };
            for (key, want_value) in want {
                // A key may be a template too: `{"{{attempt}}": {...}}` for maps keyed by ids.
                let key = if key.contains("{{") {
                    scope.render_str(key).map_err(|e| format!("at {}: {e}", at(path)))?
                } else {
                    key.clone()
                };
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match (got.get(&key), operator(want_value)) {
                    (None, Some(Operator::Absent)) => {}
                    (None, _) => return Err(format!("at {}: member missing", at(path))),
                    (Some(got_value), _) => compare(want_value, got_value, mode, scope, path)?,
                }
                path.truncate(len);
            }
            if mode == Mode::Exact {
                let wanted: Vec<String> = want
                    .keys()
                    .map(|k| scope.render_str(k).unwrap_or_else(|_| k.clone()))
                    .collect();
                if let Some(extra) = got.keys().find(|k| !wanted.contains(k)) {
                    return Err(format!("at {}: unexpected member {extra:?}", at(path)));
                }
            }
            Ok(())
        }
        Value::Array(want) => {
            let Value::Array(got) = actual else {
                return Err(format!("at {}: expected an array, got {}", at(path), short(actual)));
            };
            match mode {
                Mode::Exact => {
                    if want.len() != got.len() {
                        return Err(format!(
                            "at {}: expected {} element(s), got {}",
                            at(path),
                            want.len(),
                            got.len()
                        ));
                    }
                    for (i, (w, g)) in want.iter().zip(got).enumerate() {
                        let len = path.len();
                        path.push_str(&format!("/{i}"));
                        compare(w, g, mode, scope, path)?;
                        path.truncate(len);
                    }
                    Ok(())
                }
                Mode::Includes => match_elements(want, got, mode, scope, path),
            }
        }
        leaf => {
            let want = scope.render_value(leaf).map_err(|e| format!("at {}: {e}", at(path)))?;
            if &want == actual {
                Ok(())
            } else {
                Err(format!(
                    "at {}: expected {}, got {}",
                    at(path),
                    short(&want),
                    short(actual)
                ))
            }
        }
    }
}

/// Each expected element matches a distinct actual element, in any order.
/// A `{"$not": X}` element instead says that no actual element matches `X`.
fn match_elements(want: &[Value], got: &[Value], mode: Mode, scope: &mut Scope, path: &str) -> Result<(), String> {
    let at = if path.is_empty() { "/" } else { path };
    let mut used = vec![false; got.len()];
    for (i, w) in want.iter().enumerate() {
        if let Some(Operator::Not(inner)) = operator(w) {
            if let Some(j) = got
                .iter()
                .position(|g| compare(inner, g, mode, scope, &mut String::new()).is_ok())
            {
                return Err(format!(
                    "at {at}/{j}: expected no element matching {}, got {}",
                    short(&render_expected(inner, scope)),
                    short(&got[j])
                ));
            }
            continue;
        }
        let found = got
            .iter()
            .enumerate()
            .position(|(j, g)| !used[j] && compare(w, g, mode, scope, &mut String::new()).is_ok());
        match found {
            Some(j) => used[j] = true,
            None => {
                return Err(format!(
                    "at {at}: no element matches expected element {i}: {}",
                    short(&render_expected(w, scope))
                ))
            }
        }
    }
    Ok(())
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    fn check(expected: Value, actual: Value, mode: Mode) -> Result<(), String> {
        let mut scope = Scope::new(UNIX_EPOCH);
        scope.set("id", json!("df-1"));
        matches(&expected, &actual, mode, &mut scope)
    }

    #[test]
    fn exact_requires_same_members() {
        assert!(check(json!({"a": "{{id}}"}), json!({"a": "df-1"}), Mode::Exact).is_ok());
        let err = check(json!({"a": 1}), json!({"a": 1, "b": 2}), Mode::Exact).unwrap_err();
        assert!(err.contains("unexpected member \"b\""), "{err}");
        let err = check(json!({"a": [1, 2]}), json!({"a": [2, 1]}), Mode::Exact).unwrap_err();
        assert!(err.contains("at /a/0: expected 1, got 2"), "{err}");
    }

    #[test]
    fn includes_ignores_extra_members_and_order() {
        let actual = json!({"list": [{"k": "x", "v": 1}, {"k": "y", "v": 2}], "other": true});
        assert!(check(
            json!({"list": [{"k": "y"}, {"k": "x"}]}),
            actual.clone(),
            Mode::Includes
        )
        .is_ok());
        let err = check(json!({"list": [{"k": "z"}]}), actual, Mode::Includes).unwrap_err();
        assert!(err.contains("no element matches"), "{err}");
    }

    #[test]
    fn any_matches_everything() {
        assert!(check(json!({"a": "{{any}}"}), json!({"a": [1, {"b": null}]}), Mode::Exact).is_ok());
        assert!(check(json!({"a": "{{any}}"}), json!({}), Mode::Exact)
            .unwrap_err()
            .contains("missing"));
    }

    #[test]
    fn absent_members_and_not_equal_values() {
        let actual = json!({"taskObject": null, "id": "df-2"});
        assert!(check(json!({"missing": {"$absent": true}}), actual.clone(), Mode::Includes).is_ok());
        let err = check(json!({"id": {"$absent": true}}), actual.clone(), Mode::Includes).unwrap_err();
        assert_eq!(err, "at /id: expected no such member, got \"df-2\"");
        assert!(check(json!({"id": {"$not": "{{id}}"}}), actual.clone(), Mode::Includes).is_ok());
        let err = check(json!({"id": {"$not": "df-2"}}), actual, Mode::Includes).unwrap_err();
        assert_eq!(err, "at /id: expected anything but \"df-2\", got \"df-2\"");
    }

    #[test]
    fn an_element_that_must_not_be_listed() {
        let listed = json!({"pipelineIdList": [{"id": "df-1", "name": "a"}, {"id": "df-3", "name": "c"}]});
        let not_listed = json!({"pipelineIdList": [{"$not": {"id": "df-2"}}]});
        assert!(check(not_listed, listed.clone(), Mode::Includes).is_ok());
        let err = check(
            json!({"pipelineIdList": [{"$not": {"id": "{{id}}"}}]}),
            listed,
            Mode::Includes,
        )
        .unwrap_err();
        assert!(
            err.starts_with("at /pipelineIdList/0: expected no element matching {\"id\":\"df-1\"}"),
            "{err}"
        );
    }

    #[test]
    fn exact_lists_in_any_order() {
        let actual = json!({"tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}], "other": 1});
        let want = json!({"tags": {"$unordered": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}});
        assert!(check(want, actual.clone(), Mode::Includes).is_ok());
        let fewer = json!({"tags": {"$unordered": [{"key": "a", "value": "1"}]}});
        let err = check(fewer, actual.clone(), Mode::Includes).unwrap_err();
        assert_eq!(err, "at /tags: expected exactly 1 element(s) in any order, got 2");
        // Elements compare exactly: an extra member in an element is a difference.
        let partial = json!({"tags": {"$unordered": [{"key": "a"}, {"key": "b", "value": "2"}]}});
        assert!(check(partial, actual, Mode::Includes).is_err());
    }

    #[test]
    fn malformed_operators_are_named() {
        use crate::case::operator_problem;
        assert_eq!(operator_problem(&json!({"a": {"$absent": true}})), None);
        assert_eq!(operator_problem(&json!({"a": [{"$not": {"b": 1}}]})), None);
        assert_eq!(
            operator_problem(&json!([{"$absent": true}])),
            Some("at /0: `$absent` stands only as a member's value".into())
        );
        assert_eq!(
            operator_problem(&json!({"a": {"$unordered": {"b": 1}}})),
            Some("at /a: `$unordered` takes an array".into())
        );
        assert_eq!(
            operator_problem(&json!({"a": {"$nope": 1}})),
            Some("at /a: unknown operator `$nope` (the operators are $absent, $not, $unordered)".into())
        );
        assert_eq!(
            operator_problem(&json!({"a": {"$not": 1, "b": 2}})),
            Some("at /a: `$not` must be the only member of its object".into())
        );
    }

    #[test]
    fn keys_are_templates() {
        let actual = json!({"objects": {"df-1": {"@sphere": "ATTEMPT"}}});
        assert!(check(
            json!({"objects": {"{{id}}": {"@sphere": "ATTEMPT"}}}),
            actual.clone(),
            Mode::Includes
        )
        .is_ok());
        assert!(check(
            json!({"objects": {"{{id}}": {"@sphere": "ATTEMPT"}}}),
            actual.clone(),
            Mode::Exact
        )
        .is_ok());
        let err = check(
            json!({"objects": {"{{id}}": {"@status": "{{any}}"}}}),
            actual,
            Mode::Includes,
        )
        .unwrap_err();
        assert_eq!(err, "at /objects/df-1/@status: member missing");
    }
}
