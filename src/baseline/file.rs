//! The baseline file: TOML, read with every problem named by file, line and column.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::Date;
use toml::Spanned;

use crate::case::{line_column, CheckName};

/// A parsed, validated baseline file.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file it was read from (named in messages about its entries).
    pub path: PathBuf,
    /// Checks known to fail for every case.
    pub checks: Vec<CheckEntry>,
    /// Cases known to fail.
    pub cases: Vec<CaseEntry>,
}

/// `[[check]]`: a check known to fail for every case.
#[derive(Debug, Clone)]
pub struct CheckEntry {
    /// The check (`crc32`, `content-type`, ...).
    pub check: CheckName,
    /// Why it fails.
    pub reason: String,
    /// After this day the entry is refused.
    pub expires: Option<Date>,
    /// Where the entry is: `baseline.toml:3`.
    pub at: String,
}

/// `[[case]]`: a case known to fail, on any check or on the ones named.
#[derive(Debug, Clone)]
pub struct CaseEntry {
    /// The case's name (`create_pipeline::idempotent_retry`).
    pub case: String,
    /// The checks known to fail; empty: any check.
    pub checks: Vec<CheckName>,
    /// Why it fails.
    pub reason: String,
    /// After this day the entry is refused.
    pub expires: Option<Date>,
    /// Where the entry is: `baseline.toml:7`.
    pub at: String,
}

/// Why a baseline cannot be used: every problem, each with file:line:column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineError {
    /// One line per problem.
    pub problems: Vec<String>,
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for BaselineError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
    #[serde(default)]
    case: Vec<Spanned<RawCase>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: Spanned<String>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::value::Datetime>>,
}

impl Baseline {
    /// Reads and validates `path` against the names of every case there is
    /// (not only those selected) and today's date.
    pub fn load(path: &Path, case_names: &HashSet<&str>, today: Date) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError {
            problems: vec![format!("{}: cannot read the baseline: {e}", path.display())],
        })?;
        Baseline::parse(&text, path, case_names, today)
    }

    /// Parses and validates a baseline's text (see [`Baseline::load`]).
    pub fn parse(text: &str, path: &Path, case_names: &HashSet<&str>, today: Date) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let at = |span: std::ops::Range<usize>| {
            let (line, column) = line_column(text, span.start);
            format!("{shown}:{line}:{column}")
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| BaselineError {
            problems: vec![format!(
                "{}: {}",
                e.span().map_or(shown.clone(), &at),
                e.message().trim_end()
            )],
        })?;
        let mut problems = Vec::new();
        let mut baseline = Baseline {
            path: path.to_path_buf(),
            checks: Vec::new(),
            cases: Vec::new(),
        };
        for entry in raw.check {
            let line = line_of(&at(entry.span()));
            let entry = entry.into_inner();
            let check = match CheckName::parse(entry.name.get_ref()) {
                Some(c) => c,
                None => {
                    problems.push(unknown_check(&at(entry.name.span()), entry.name.get_ref()));
                    continue;
                }
            };
            let reason = reason(&entry.reason, &at, &mut problems);
            let expires = expiry(entry.expires.as_ref(), today, &at, &mut problems);
            baseline.checks.push(CheckEntry {
                check,
                reason,
                expires,
                at: line,
            });
        }
        for entry in raw.case {
            let line = line_of(&at(entry.span()));
            let entry = entry.into_inner();
            let name = entry.name.get_ref();
            if !case_names.contains(name.as_str()) {
                problems.push(format!(
                    "{}: no case is named `{name}` (`dpconform list` names every case)",
                    at(entry.name.span())
                ));
            }
            let mut checks = Vec::new();
            for check in &entry.checks {
                match CheckName::parse(check.get_ref()) {
                    Some(c) => checks.push(c),
                    None => problems.push(unknown_check(&at(check.span()), check.get_ref())),
                }
            }
            let reason = reason(&entry.reason, &at, &mut problems);
            let expires = expiry(entry.expires.as_ref(), today, &at, &mut problems);
            baseline.cases.push(CaseEntry {
                case: name.clone(),
                checks,
                reason,
                expires,
                at: line,
            });
        }
        if problems.is_empty() {
            Ok(baseline)
        } else {
            Err(BaselineError { problems })
        }
    }

    /// Whether the baseline has no entry at all.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.cases.is_empty()
    }
}

fn unknown_check(at: &str, name: &str) -> String {
    let known: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
    format!("{at}: `{name}` is not a check; checks are {}", known.join(", "))
}

fn reason(
    reason: &Spanned<String>,
    at: &impl Fn(std::ops::Range<usize>) -> String,
    problems: &mut Vec<String>,
) -> String {
    let text = reason.get_ref().trim();
    if text.is_empty() {
        problems.push(format!("{}: the reason is empty; say why it fails", at(reason.span())));
    }
    text.to_string()
}

fn expiry(
    expires: Option<&Spanned<toml::value::Datetime>>,
    today: Date,
    at: &impl Fn(std::ops::Range<usize>) -> String,
    problems: &mut Vec<String>,
) -> Option<Date> {
    let expires = expires?;
    let date = match expires.get_ref() {
        toml::value::Datetime {
            date: Some(d),
            time: None,
            offset: None,
        } => time::Month::try_from(d.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(d.year), m, d.day).ok()),
        _ => None,
    };
    let Some(date) = date else {
        problems.push(format!(
            "{}: `expires` must be a date such as 2027-01-31",
            at(expires.span())
        ));
        return None;
    };
    if date < today {
        problems.push(format!(
            "{}: this entry expired on {date}: fix the failure, or renew the entry with a new date and reason",
            at(expires.span())
        ));
    }
    Some(date)
}

/// `file:line` of a `file:line:column`.
fn line_of(at: &str) -> String {
    at.rsplit_once(':').map_or(at.to_string(), |(rest, _)| rest.to_string())
}
