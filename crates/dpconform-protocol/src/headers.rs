//! Headers as ordered `(name, value)` pairs, the way both sides of the wire keep them.

/// The first value of a header, by case-insensitive name.
pub fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
