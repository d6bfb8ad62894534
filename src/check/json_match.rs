//! Comparing a response body with an expected JSON value: exactly, or as a
//! subset. Expected strings are templates; `"{{any}}"` matches any value.

use serde_json::Value;

use crate::case::template::Scope;

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
    match expected {
        Value::String(s) if s.trim() == ANY_TEMPLATE => Ok(()),
        Value::Object(want) => {
            let Value::Object(got) = actual else {
                return Err(format!("at {}: expected an object, got {}", at(path), short(actual)));
            };
            for (key, want_value) in want {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match got.get(key) {
                    None => return Err(format!("at {}: member missing", at(path))),
                    Some(got_value) => compare(want_value, got_value, mode, scope, path)?,
                }
                path.truncate(len);
            }
            if mode == Mode::Exact {
                if let Some(extra) = got.keys().find(|k| !want.contains_key(*k)) {
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
                Mode::Includes => {
                    let mut used = vec![false; got.len()];
                    for (i, w) in want.iter().enumerate() {
                        let found = got
                            .iter()
                            .enumerate()
                            .position(|(j, g)| !used[j] && compare(w, g, mode, scope, &mut String::new()).is_ok());
                        match found {
                            Some(j) => used[j] = true,
                            None => {
                                return Err(format!(
                                    "at {}: no element matches expected element {i}: {}",
                                    at(path),
                                    short(&render_expected(w, scope))
                                ))
                            }
                        }
                    }
                    Ok(())
                }
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
}
