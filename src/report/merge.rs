//! Merging the reports of a partitioned run (`--partition K/N` on N machines)
//! into one report, as if one machine had run every case.

use std::collections::BTreeMap;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::json::{Report, RunInfo, SCHEMA, SCHEMA_VERSION};
use crate::outcome::BaselineVerdict;

/// A merged report and what the merge noticed but did not refuse.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The report of the whole run.
    pub report: Report,
    /// What looks wrong but was merged anyway (a missing part, mixed versions), for people.
    pub warnings: Vec<String>,
}

/// Merges `parts` (each named by where it came from). Refused: no parts, parts
/// that ran different versions of the case files, a case present in two
/// parts, the same partition twice, and a missing part unless `allow_missing`
/// (then it is a warning): a report without a part's cases would read as a
/// smaller, greener run.
pub fn merge(parts: &[(String, Report)], allow_missing: bool) -> Result<Merged, String> {
    let Some((first_origin, first)) = parts.first() else {
        return Err("nothing to merge: give the report.json of every part".into());
    };
    let mut warnings = Vec::new();
    for (origin, part) in &parts[1..] {
        if part.run.cases_sha256 != first.run.cases_sha256 {
            return Err(format!(
                "{origin} ran other case files than {first_origin} (cases_sha256 {} vs {}): \
                 the parts of one run must use the same cases",
                short(&part.run.cases_sha256),
                short(&first.run.cases_sha256)
            ));
        }
        if part.run.dpconform_version != first.run.dpconform_version {
            warnings.push(format!(
                "{origin} was made by dpconform {}, {first_origin} by {}",
                part.run.dpconform_version, first.run.dpconform_version
            ));
        }
    }
    check_partitions(parts, allow_missing, &mut warnings)?;
    let mut cases = BTreeMap::new();
    for (origin, part) in parts {
        for case in &part.cases {
            if let Some((other, _)) = cases.insert(case.name.clone(), (origin.clone(), case.clone())) {
                return Err(format!("case {} is in both {other} and {origin}", case.name));
            }
        }
    }
    let mut endpoints: Vec<&str> = parts.iter().map(|(_, p)| p.run.endpoint.as_str()).collect();
    endpoints.dedup();
    let mut merged_from = Vec::new();
    for (_, part) in parts {
        merged_from.extend(part.run.run_ids().into_iter().map(str::to_string));
    }
    let spans: Vec<(OffsetDateTime, f64)> = parts
        .iter()
        .filter_map(|(_, p)| {
            OffsetDateTime::parse(&p.run.started, &Rfc3339)
                .ok()
                .map(|t| (t, p.run.duration_ms))
        })
        .collect();
    let (started, duration_ms) = match spans.iter().map(|(t, _)| *t).min() {
        Some(start) if spans.len() == parts.len() => {
            let end = spans
                .iter()
                .map(|(t, d)| (*t - start).as_seconds_f64() * 1000.0 + d)
                .fold(0.0, f64::max);
            (start.format(&Rfc3339).unwrap_or_default(), end)
        }
        _ => (
            first.run.started.clone(),
            parts.iter().map(|(_, p)| p.run.duration_ms).fold(0.0, f64::max),
        ),
    };
    let mut report = Report {
        schema: SCHEMA.into(),
        schema_version: SCHEMA_VERSION,
        run: RunInfo {
            endpoint: endpoints.join(", "),
            dpconform_version: first.run.dpconform_version.clone(),
            run_id: format!("merged-{}", first.run.run_id),
            started,
            duration_ms: (duration_ms * 1000.0).round() / 1000.0,
            cases_sha256: first.run.cases_sha256.clone(),
            partition: None,
            merged_from,
            interrupted: parts.iter().any(|(_, p)| p.run.interrupted),
            // A part that stopped early: the merge stopped short too, by all parts' unstarted cases.
            stopped: parts
                .iter()
                .filter_map(|(_, p)| p.run.stopped)
                .reduce(|a, b| crate::outcome::Stopped {
                    max_failures: a.max_failures,
                    not_started: a.not_started + b.not_started,
                }),
            requests: parts.iter().map(|(_, p)| p.run.requests).sum(),
            baseline: merged_baseline(parts.iter().map(|(_, p)| p)),
        },
        totals: Default::default(),
        cases: cases.into_values().map(|(_, c)| c).collect(),
    };
    report.totals = report.compute_totals();
    Ok(Merged { report, warnings })
}

fn check_partitions(parts: &[(String, Report)], allow_missing: bool, warnings: &mut Vec<String>) -> Result<(), String> {
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    let mut count = None;
    for (origin, part) in parts {
        let Some(text) = &part.run.partition else {
            warnings.push(format!("{origin} is not a part of a partitioned run"));
            continue;
        };
        let p = super::partition::Partition::parse(text).map_err(|e| format!("{origin}: partition {e}"))?;
        if *count.get_or_insert(p.count) != p.count {
            return Err(format!(
                "{origin} is part {text}, but other parts split the cases {} ways",
                count.unwrap_or(p.count)
            ));
        }
        if let Some(other) = seen.insert(p.index, origin) {
            return Err(format!("{origin} and {other} are both part {text}"));
        }
    }
    if let Some(n) = count {
        let missing: Vec<String> = (1..=n)
            .filter(|k| !seen.contains_key(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "missing part(s) {}: their cases are not in the report",
                missing.join(", ")
            );
            if !allow_missing {
                return Err(format!("{message} (--allow-missing merges what there is)"));
            }
            warnings.push(message);
        }
    }
    Ok(())
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

impl RunInfo {
    /// The run's id and, for a merged report, the ids of its parts: the values of
    /// `{{run_id}}` that its bodies may contain.
    pub(crate) fn run_ids(&self) -> Vec<&str> {
        if self.merged_from.is_empty() {
            vec![self.run_id.as_str()]
        } else {
            self.merged_from.iter().map(String::as_str).collect()
        }
    }
}

/// The parts' baseline verdict: a `[[check]]` entry is stale only if it matched
/// nothing in every part.
fn merged_baseline<'a>(mut parts: impl Iterator<Item = &'a Report>) -> Option<BaselineVerdict> {
    let mut merged = parts.next()?.run.baseline.clone()?;
    for part in parts {
        let stale = part
            .run
            .baseline
            .as_ref()
            .map(|b| b.stale_checks.clone())
            .unwrap_or_default();
        merged.stale_checks.retain(|s| stale.contains(s));
    }
    Some(merged)
}
