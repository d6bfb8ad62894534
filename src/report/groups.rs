//! Failures grouped by cause: one group per check and *signature* (the first
//! line of the failure's message with what varies from case to case, such as
//! ids, sizes and snapshot paths, blanked out), largest first. An endpoint that
//! fails every case on the same two headers reads as two lines, not thousands;
//! the console, summary.md and report.html all open with these groups.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use regex::Regex;

use super::json::Report;
use super::text::first_line;

/// Longest signature kept, in characters (the rest is cut with `…`).
const SIGNATURE_CHARS: usize = 120;

/// Case names kept per group as examples.
const EXAMPLES: usize = 3;

/// The failures of one check with one signature, across the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup {
    /// The check's name as case files write it (`crc32`, `content-type`, `json`, ...).
    pub check: String,
    /// The failure's first line with the varying parts blanked out.
    pub signature: String,
    /// Failed cases with at least one failure of this group.
    pub cases: usize,
    /// Failures of this group over all steps of all cases.
    pub failures: usize,
    /// The first few of those cases, in name order.
    pub examples: Vec<String>,
}

impl FailureGroup {
    /// `crc32: no x-amz-crc32 header`: the check and the signature, as one line.
    pub fn cause(&self) -> String {
        format!("{}: {}", self.check, self.signature)
    }

    /// `410 cases` / `1 case`, with the failure count when it differs.
    pub fn counts(&self) -> String {
        let cases = plural(self.cases, "case", "cases");
        if self.failures == self.cases {
            cases
        } else {
            format!("{cases}, {}", plural(self.failures, "failure", "failures"))
        }
    }
}

/// Every failure of the report's failed cases, grouped by check and
/// signature; the largest group (by cases, then failures) first, ties by name.
pub fn group(report: &Report) -> Vec<FailureGroup> {
    struct Tally {
        cases: BTreeSet<String>,
        failures: usize,
    }
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for case in report.failed_cases() {
        for step in case.failed_steps() {
            for failure in &step.failures {
                let key = (failure.check.clone(), signature(&failure.message));
                let tally = tallies.entry(key).or_insert_with(|| Tally {
                    cases: BTreeSet::new(),
                    failures: 0,
                });
                tally.cases.insert(case.name.clone());
                tally.failures += 1;
            }
        }
    }
    let mut groups: Vec<FailureGroup> = tallies
        .into_iter()
        .map(|((check, signature), tally)| FailureGroup {
            check,
            signature,
            cases: tally.cases.len(),
            failures: tally.failures,
            examples: tally.cases.into_iter().take(EXAMPLES).collect(),
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.cases, b.failures)
            .cmp(&(a.cases, a.failures))
            .then_with(|| (&a.check, &a.signature).cmp(&(&b.check, &b.signature)))
    });
    groups
}

/// The first line of a failure message with what varies between cases blanked
/// out: snapshot paths, id-like tokens and numbers (status codes after
/// `status`/`got` stay, they are the cause).
pub fn signature(message: &str) -> String {
    static PATTERNS: OnceLock<[(Regex, &'static str); 2]> = OnceLock::new();
    let [snapshot, id] = PATTERNS.get_or_init(|| {
        [
            (
                Regex::new(r"\S*\.snap(\.new)?\b").expect("snapshot path pattern"),
                "<snapshot>",
            ),
            // An id, a run token, a hash: letters, digits, `-` and `_`, 8 or more long
            // with 4 or more digits (`x-amz-crc32` and `json-1.1` are no ids).
            (
                Regex::new(r"\b[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*").expect("id pattern"),
                "…",
            ),
        ]
    });
    let line = first_line(message);
    let line = snapshot.0.replace_all(line, snapshot.1);
    let line = id.0.replace_all(&line, |c: &regex::Captures| {
        let token = &c[0];
        if token.len() >= 8 && token.chars().filter(char::is_ascii_digit).count() >= 4 {
            id.1.to_string()
        } else {
            token.to_string()
        }
    });
    let mut out = blank_numbers(&line);
    if out.chars().count() > SIGNATURE_CHARS {
        out = out.chars().take(SIGNATURE_CHARS - 1).collect();
        out.push('…');
    }
    out
}

/// Standalone digit runs become `N` (`says 12, but the body is 15 bytes`), except a
/// status code after `status` or `got`; digits inside a word (`utf-8`, `df-1`) stay.
fn blank_numbers(line: &str) -> String {
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    let number = NUMBER.get_or_init(|| Regex::new(r"[0-9]+").expect("number pattern"));
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for m in number.find_iter(line) {
        let before = line[..m.start()].chars().next_back();
        let after = line[m.end()..].chars().next();
        let in_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.');
        let status = m.as_str().len() == 3
            && (100..600).contains(&m.as_str().parse::<u32>().unwrap_or(0))
            && (line[..m.start()].ends_with("status ") || line[..m.start()].ends_with("got "));
        out.push_str(&line[last..m.start()]);
        if in_word(before) || in_word(after) || status {
            out.push_str(m.as_str());
        } else {
            out.push('N');
        }
        last = m.end();
    }
    out.push_str(&line[last..]);
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn what_varies_between_cases_is_blanked_and_the_cause_stays() {
        let cases = [
            (
                "x-amz-crc32 says 12, but the CRC32 of the 215 body bytes is 3412345",
                "x-amz-crc32 says N, but the CRC32 of the N body bytes is N",
            ),
            (
                "Content-Type is \"text/html; charset=utf-8\", expected application/x-amz-json-1.1",
                "Content-Type is \"text/html; charset=utf-8\", expected application/x-amz-json-1.1",
            ),
            (
                "expected status 200, got 404 (ResourceNotFoundException)",
                "expected status 200, got 404 (ResourceNotFoundException)",
            ),
            (
                "the body differs from snapshots/create_pipeline/basic__create.snap; new snapshot written to reports/pending/create_pipeline/basic__create.snap.new",
                "the body differs from <snapshot>; new snapshot written to <snapshot>",
            ),
            (
                "at /pipelineId: expected \"df-0123456789ABCDEFGHIJ\", got \"df-1\"\nmore",
                "at /pipelineId: expected \"…\", got \"df-1\"",
            ),
            (
                "connection refused by http://127.0.0.1:41235/",
                "connection refused by http://127.0.0.1:N/",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(signature(message), expected, "{message}");
        }
    }

    #[test]
    fn a_long_message_is_cut() {
        let long = "x".repeat(500);
        let cut = signature(&long);
        assert_eq!(cut.chars().count(), super::SIGNATURE_CHARS);
        assert!(cut.ends_with('…'));
    }
}
