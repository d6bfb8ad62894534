//! What an exploration reports, in the style of the run reports: console
//! text, `explore.json` (the record) and `explore.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::buckets::{answer, buckets, Bucket};
use super::compare::{Normal, Signature};
use super::evidence::{Basis, Citation, Judgement};
use super::replay::Replayed;

/// One difference, with its minimal case.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Action, check and JSON path.
    pub signature: Signature,
    /// Whether the reference's side rests on evidenced or only inferred behaviour.
    pub basis: Basis,
    /// The strongest corpus case asserting the same thing, if any does.
    pub evidence: Option<Citation>,
    /// The seed of the sequence that first showed it.
    pub seed: u64,
    /// Calls in that sequence up to the difference.
    pub original_calls: usize,
    /// Calls in the minimal sequence.
    pub minimal_calls: usize,
    /// The case file written (replay it with `dpconform run --cases`).
    pub case: PathBuf,
    /// The reference's normalised answer at the difference.
    pub reference: Normal,
    /// The endpoint's normalised answer there.
    pub endpoint: Normal,
    /// What an envelope check said of the endpoint's answer.
    pub detail: Option<String>,
    /// The case replayed by `dpconform run`'s runner on both sides.
    pub replayed: Replayed,
    /// Sequences that showed the same signature again.
    pub seen_again: usize,
}

impl Finding {
    /// `evidenced (documented: area::case)` or `inferred (no case asserts it)`.
    pub fn basis_text(&self) -> String {
        Judgement {
            basis: self.basis,
            cited: self.evidence.clone(),
        }
        .describe()
    }
}

impl Finding {
    /// What differs, in a line: the envelope check's words, the body's path, or both answers.
    pub fn headline(&self) -> String {
        match (&self.detail, self.signature.check.as_str()) {
            (Some(detail), _) => detail.clone(),
            (None, "body") => format!("the bodies differ at {}", self.signature.path),
            _ => format!(
                "reference {}, endpoint {}",
                answer(&self.reference),
                answer(&self.endpoint)
            ),
        }
    }
}

/// One exploration.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// The endpoint explored.
    pub endpoint: String,
    /// The base seed.
    pub seed: u64,
    /// `K/N` when the seeds were split across machines.
    pub partition: Option<String>,
    /// Sequences run (shrinking replays not counted).
    pub sequences: u64,
    /// Calls made in them.
    pub calls: u64,
    /// Calls whose two answers were compared.
    pub compared: u64,
    /// Calls replayed while shrinking.
    pub shrink_calls: u64,
    /// Seconds taken.
    pub seconds: f64,
    /// Actions the sequences reached.
    pub actions: BTreeSet<String>,
    /// (action, outcome) pairs reached: outcome `200` or the reference's error type.
    pub pairs: BTreeSet<(String, String)>,
    /// The differences, one per signature.
    pub findings: Vec<Finding>,
    /// Differences that a second run of the same calls did not show (timing), not reported.
    pub unconfirmed: u64,
    /// Those differences by signature, with how often each was not shown again.
    pub unconfirmed_signatures: BTreeMap<String, u64>,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
}

impl Summary {
    /// Compared calls per second.
    pub fn calls_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.compared as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// `DescribeObjects body at /x (2), ...`: the unconfirmed differences.
    pub fn unconfirmed_list(&self) -> String {
        self.unconfirmed_signatures
            .iter()
            .map(|(signature, n)| format!("{signature} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Each action reached, with its outcomes.
    pub fn reached(&self) -> Vec<(&str, Vec<&str>)> {
        self.actions
            .iter()
            .map(|action| {
                let outcomes = self
                    .pairs
                    .iter()
                    .filter(|(a, _)| a == action)
                    .map(|(_, o)| o.as_str())
                    .collect();
                (action.as_str(), outcomes)
            })
            .collect()
    }

    /// `N sequence(s), N call(s), N compared in S s (R compared calls/s, R sequences/s)`.
    pub fn rate_line(&self) -> String {
        format!(
            "{} sequence(s), {} call(s), {} compared in {:.1} s ({:.0} compared calls/s, {:.1} sequences/s)",
            self.sequences,
            self.calls,
            self.compared,
            self.seconds,
            self.calls_per_second(),
            if self.seconds > 0.0 {
                self.sequences as f64 / self.seconds
            } else {
                0.0
            },
        )
    }
}

/// The console text: each difference, then the buckets, then the totals.
pub fn console(summary: &Summary) -> String {
    let mut out = String::new();
    for basis in [Basis::Evidenced, Basis::Inferred] {
        let found: Vec<&Finding> = summary.findings.iter().filter(|f| f.basis == basis).collect();
        if found.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{} difference(s) on {} behaviour:", found.len(), basis.as_str());
        for f in found {
            let _ = writeln!(out, "DIFF  {}", f.signature);
            let answers = format!("reference {}, endpoint {}", answer(&f.reference), answer(&f.endpoint));
            let _ = writeln!(
                out,
                "      {}; {} call(s), shrunk from {} (seed {}); seen again {} time(s)",
                match &f.detail {
                    Some(detail) => format!("{detail} ({answers})"),
                    None => answers,
                },
                f.minimal_calls,
                f.original_calls,
                f.seed,
                f.seen_again
            );
            let _ = writeln!(out, "      basis: {}", f.basis_text());
            let _ = writeln!(out, "      case: {} ({})", f.case.display(), f.replayed.describe());
        }
    }
    let buckets = buckets(&summary.findings);
    if !buckets.is_empty() {
        let _ = writeln!(out, "\nThe differences by kind, largest first:");
        for b in &buckets {
            let _ = writeln!(
                out,
                "{:>4}  {} ({} evidenced, {} inferred)\n      {}",
                b.members.len(),
                b.title(),
                b.evidenced,
                b.inferred(),
                b.members.join(", ")
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", summary.rate_line());
    let _ = writeln!(
        out,
        "{} of 19 action(s) and {} (action, outcome) pair(s) reached; {} difference(s), {} unconfirmed{}",
        summary.actions.len(),
        summary.pairs.len(),
        summary.findings.len(),
        summary.unconfirmed,
        if summary.interrupted { " (interrupted)" } else { "" }
    );
    let not_replaying = summary.findings.iter().filter(|f| f.replayed.problem.is_some()).count();
    if not_replaying > 0 {
        let _ = writeln!(
            out,
            "{not_replaying} written case(s) do not replay as they should (DOES NOT REPLAY above): \
             keep them out of a suite until they do"
        );
    }
    if !summary.unconfirmed_signatures.is_empty() {
        let _ = writeln!(
            out,
            "unconfirmed (not shown again by a second run: timing): {}",
            summary.unconfirmed_list()
        );
    }
    out
}

/// `explore.md`.
pub fn markdown(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# dpconform explore\n");
    let _ = writeln!(out, "Endpoint: {}  ", summary.endpoint);
    let _ = writeln!(
        out,
        "Seed: {}{}  ",
        summary.seed,
        summary
            .partition
            .as_deref()
            .map(|p| format!(", partition {p}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "{}  ", summary.rate_line());
    let _ = writeln!(
        out,
        "Unconfirmed (not shown again by a second run of the same calls: timing; not reported): {}\n",
        if summary.unconfirmed == 0 {
            "none".to_string()
        } else {
            summary.unconfirmed_list()
        }
    );
    let buckets = buckets(&summary.findings);
    if !buckets.is_empty() {
        let _ = writeln!(out, "## The differences by kind\n");
        let _ = writeln!(out, "| differences | kind | evidenced | inferred | where |");
        let _ = writeln!(out, "|---:|---|---:|---:|---|");
        for b in &buckets {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                b.members.len(),
                b.title(),
                b.evidenced,
                b.inferred(),
                b.members
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Differences\n");
    if summary.findings.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| action | check | path | basis | reference | endpoint | calls | case | replayed |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
        for f in &summary.findings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | `{}` | {} |",
                f.signature.action,
                f.signature.check,
                if f.signature.path.is_empty() {
                    String::new()
                } else {
                    format!("`{}`", f.signature.path)
                },
                f.basis_text(),
                answer(&f.reference),
                answer(&f.endpoint),
                f.minimal_calls,
                f.case.display(),
                f.replayed.describe().replace('|', "\\|").replace('<', "&lt;")
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Reached\n");
    let _ = writeln!(out, "| action | outcomes |");
    let _ = writeln!(out, "|---|---|");
    for (action, outcomes) in summary.reached() {
        let _ = writeln!(out, "| {action} | {} |", outcomes.join(", "));
    }
    out
}

/// What `explore.json` holds: the summary and its buckets.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    buckets: Vec<Bucket>,
}

/// Writes `explore.json`, `explore.md` and `explore.html` into `out`.
pub fn write(out: &Path, summary: &Summary) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let record = Record {
        summary,
        buckets: buckets(&summary.findings),
    };
    let json = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())? + "\n";
    for (name, text) in [
        ("explore.json", json),
        ("explore.md", markdown(summary)),
        ("explore.html", super::html::page(summary)),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
