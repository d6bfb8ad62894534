//! The operators of expected JSON values (`$absent`, `$not`, `$unordered`):
//! how a case file writes them, and what makes one malformed. The matching
//! itself is [`crate::check::json_match`].

use serde_json::Value;

/// An operator object in an expected value, if it is one.
pub enum Operator<'a> {
    /// `{"$absent": true}`: the member must not be there.
    Absent,
    /// `{"$not": X}`: the value must not match `X`.
    Not(&'a Value),
    /// `{"$unordered": [..]}`: exactly these elements, in any order.
    Unordered(&'a [Value]),
}

/// The operator an expected value is, if it is one.
pub fn operator(expected: &Value) -> Option<Operator<'_>> {
    let Value::Object(map) = expected else { return None };
    if map.len() != 1 {
        return None;
    }
    let (key, value) = map.iter().next()?;
    match (key.as_str(), value) {
        ("$absent", Value::Bool(true)) => Some(Operator::Absent),
        ("$not", v) => Some(Operator::Not(v)),
        ("$unordered", Value::Array(items)) => Some(Operator::Unordered(items)),
        _ => None,
    }
}

/// Where in the expected value an operator is malformed (`$absent` not as a
/// member's value, `$unordered` without an array, an unknown `$` key), for the
/// case-file parser.
pub fn operator_problem(expected: &Value) -> Option<String> {
    fn walk(v: &Value, as_member: bool, path: &str) -> Option<String> {
        match v {
            Value::Object(map) => {
                if let Some((key, value)) = map.iter().find(|(k, _)| k.starts_with('$')) {
                    let here = if path.is_empty() { "/" } else { path };
                    if map.len() != 1 {
                        return Some(format!("at {here}: `{key}` must be the only member of its object"));
                    }
                    return match (key.as_str(), value) {
                        ("$absent", Value::Bool(true)) if as_member => None,
                        ("$absent", Value::Bool(true)) => {
                            Some(format!("at {here}: `$absent` stands only as a member's value"))
                        }
                        ("$absent", _) => Some(format!("at {here}: write `{{\"$absent\": true}}`")),
                        ("$not", inner) => walk(inner, false, path),
                        ("$unordered", Value::Array(items)) => items
                            .iter()
                            .enumerate()
                            .find_map(|(i, item)| walk(item, false, &format!("{path}/{i}"))),
                        ("$unordered", _) => Some(format!("at {here}: `$unordered` takes an array")),
                        (other, _) => Some(format!(
                            "at {here}: unknown operator `{other}` (the operators are $absent, $not, $unordered)"
                        )),
                    };
                }
                map.iter().find_map(|(k, v)| walk(v, true, &format!("{path}/{k}")))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, false, &format!("{path}/{i}"))),
            _ => None,
        }
    }
    walk(expected, false, "")
}
