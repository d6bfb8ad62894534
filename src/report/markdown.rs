//! Markdown for people and CI step summaries: `summary.md` of a run, the
//! Markdown of `dpconform diff` and of `dpconform compare`. summary.md opens
//! with the failures grouped by cause, and stays short (tens of KB) whatever
//! fails: GitHub's step summary takes at most 1 MiB, so the per-case details
//! are cut with a pointer to report.html, which has them all.

use std::fmt::Write;

use crate::case::Grade;

use super::compare::Comparison;
use super::diff::{Reason, ReportDiff};
use super::groups::{self, FailureGroup};
use super::json::{CaseReport, Report, RunInfo, Status};
use super::matrix::{self, Verdict};

/// Failure details stop growing past this size (the rest is in report.html/report.json).
const DETAILS_BUDGET: usize = 40 * 1024;

/// Groups of failures listed in the table; the rest are counted.
const GROUPS_SHOWN: usize = 40;

/// `summary.md`: failures by cause, totals, the per-action matrix, then the
/// failed cases with their diffs as far as the budget goes.
pub fn summary(report: &Report) -> String {
    let t = &report.totals;
    let mut out = String::new();
    let _ = writeln!(out, "# dpconform: {}\n", t.summary_line());
    if report.run.interrupted {
        let _ = writeln!(out, "> **Interrupted**: only the cases that finished are counted.\n");
    }
    if let Some(stopped) = &report.run.stopped {
        let _ = writeln!(out, "> **Stopped early**: {}.\n", stopped.line());
    }
    causes(&mut out, &groups::group(report));
    let _ = writeln!(out, "\n## Run\n");
    run_table(&mut out, &report.run);
    let _ = writeln!(out, "\n## Totals by evidence grade\n");
    let _ = writeln!(out, "**{}**\n", t.by_grade.verdict());
    if t.known > 0 {
        // A baseline of known failures: their own column.
        let _ = writeln!(out, "| grade | passed | failed | known | skipped |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for g in Grade::ALL {
            let pf = t.by_grade.get(g);
            let _ = writeln!(out, "| {g} | {} | {} | {} | |", pf.passed, pf.failed, pf.known);
        }
        let _ = writeln!(
            out,
            "| **all** | **{}** | **{}** | **{}** | {} |",
            t.passed, t.failed, t.known, t.skipped
        );
    } else {
        let _ = writeln!(out, "| grade | passed | failed | skipped |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for g in Grade::ALL {
            let pf = t.by_grade.get(g);
            let _ = writeln!(out, "| {g} | {} | {} | |", pf.passed, pf.failed);
        }
        let _ = writeln!(out, "| **all** | **{}** | **{}** | {} |", t.passed, t.failed, t.skipped);
    }
    let _ = writeln!(
        out,
        "\nA failed case counts under the grade of its failed assertion: *observed* (captured from the real \
         service), *model* (the service model), *documented* (the documentation), *inferred* (a choice where \
         all evidence is silent)."
    );

    let _ = writeln!(out, "\n## Conformance per action\n");
    let _ = writeln!(
        out,
        "| action | | cases | passed | failed | observed | model | documented | inferred | requests passed / failed |"
    );
    let _ = writeln!(out, "|---|:-:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in matrix::build(report) {
        let verdict = row.verdict();
        let label = if row.is_action {
            row.label.clone()
        } else {
            format!("*{}*", row.label)
        };
        if verdict == Verdict::NotCovered {
            let _ = writeln!(out, "| {label} | {} | 0 | | | | | | | |", verdict.symbol());
            continue;
        }
        let requests = row.requests_cell();
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {requests} |",
            verdict.symbol(),
            row.cases,
            row.passed,
            row.failed,
            row.grade_cell(Grade::Observed),
            row.grade_cell(Grade::Model),
            row.grade_cell(Grade::Documented),
            row.grade_cell(Grade::Inferred),
        );
    }
    let _ = writeln!(
        out,
        "\n✅ conforms · ❌ fails · ➖ not covered. *Italic* rows are areas that are not one action; \
         requests count every call of the action from any case."
    );

    let failed: Vec<&CaseReport> = report.failed_cases().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n## Failures ({})\n", failed.len());
        let start = out.len();
        for (i, case) in failed.iter().enumerate() {
            if out.len() - start > DETAILS_BUDGET {
                let _ = writeln!(
                    out,
                    "\n*… and {} more failed case(s): see [report.html](report.html) (or report.json) beside this file.*",
                    failed.len() - i
                );
                break;
            }
            case_failure(&mut out, case);
        }
    }
    out
}

/// The table of failures by cause, largest first.
fn causes(out: &mut String, groups: &[FailureGroup]) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Failures by cause\n");
    let _ = writeln!(out, "| check | cause | cases | failures | e.g. |");
    let _ = writeln!(out, "|---|---|---:|---:|---|");
    for g in groups.iter().take(GROUPS_SHOWN) {
        let examples: Vec<String> = g.examples.iter().map(|e| format!("`{}`", cell(e))).collect();
        let more = if g.cases > g.examples.len() { ", …" } else { "" };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {}{more} |",
            cell(&g.check),
            inline(&g.signature),
            g.cases,
            g.failures,
            examples.join(", ")
        );
    }
    if groups.len() > GROUPS_SHOWN {
        let _ = writeln!(
            out,
            "\n*… and {} more cause(s): see [report.html](report.html).*",
            groups.len() - GROUPS_SHOWN
        );
    }
}

fn run_table(out: &mut String, run: &RunInfo) {
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| endpoint | `{}` |", cell(&run.endpoint));
    let _ = writeln!(out, "| started | {} |", run.started);
    let _ = writeln!(out, "| duration | {} |", seconds(run.duration_ms));
    let _ = writeln!(out, "| requests | {} |", run.requests);
    let _ = writeln!(out, "| run | `{}` |", run.run_id);
    if let Some(p) = &run.partition {
        let _ = writeln!(out, "| partition | {p} |");
    }
    if !run.merged_from.is_empty() {
        let _ = writeln!(out, "| merged from | {} run(s) |", run.merged_from.len());
    }
    let _ = writeln!(out, "| dpconform | {} |", run.dpconform_version);
    let _ = writeln!(out, "| case files | sha256 `{}` |", short(&run.cases_sha256));
}

fn case_failure(out: &mut String, case: &CaseReport) {
    let _ = writeln!(out, "### ❌ `{}`\n", case.name);
    let _ = writeln!(out, "{}  ", case.about);
    let _ = writeln!(out, "source: {}  ", case.source);
    let _ = writeln!(out, "file: `{}`\n", case.file);
    for step in &case.steps {
        match step.status {
            Status::Failed | Status::Known => {
                let request = step
                    .request
                    .as_ref()
                    .map(|r| {
                        let target = step.operation.as_deref().map(|o| format!(" {o}")).unwrap_or_default();
                        format!(" — `{}{target}`", r.method.as_deref().unwrap_or_default())
                    })
                    .unwrap_or_default();
                let status = step
                    .response
                    .as_ref()
                    .and_then(|r| r.status)
                    .map(|s| format!(" → {s}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "**step `{}`**{request}{status}\n", step.name);
                for failure in &step.failures {
                    let mut lines = failure.message.lines();
                    let _ = writeln!(out, "- `[{}]` {}", failure.check, lines.next().unwrap_or_default());
                    let rest: Vec<&str> = lines.collect();
                    if !rest.is_empty() {
                        fenced(out, "text", &rest.join("\n"), "  ");
                    }
                    if let Some(diff) = &failure.diff {
                        fenced(out, "diff", diff, "  ");
                    }
                }
                let _ = writeln!(out);
            }
            Status::NotRun => {
                let _ = writeln!(
                    out,
                    "step `{}`: not run ({})\n",
                    step.name,
                    step.not_run_reason.as_deref().unwrap_or_default()
                );
            }
            Status::Passed | Status::Skipped => {}
        }
    }
}

/// The Markdown of `dpconform diff`.
pub fn diff(d: &ReportDiff) -> String {
    let mut out = String::new();
    let verdict = if d.regressed() { "regressed" } else { "no regressions" };
    let _ = writeln!(out, "# dpconform diff: {verdict}\n");
    let _ = writeln!(out, "| | base | new |\n|---|---|---|");
    let _ = writeln!(out, "| run | `{}` | `{}` |", d.base.run_id, d.new.run_id);
    let _ = writeln!(
        out,
        "| endpoint | `{}` | `{}` |",
        cell(&d.base.endpoint),
        cell(&d.new.endpoint)
    );
    let _ = writeln!(out, "| started | {} | {} |", d.base.started, d.new.started);
    let _ = writeln!(
        out,
        "| case files | `{}` | `{}` |",
        short(&d.base.cases_sha256),
        short(&d.new.cases_sha256)
    );
    if !d.same_case_files() {
        let _ = writeln!(
            out,
            "\nThe runs used different versions of the case files: compared case by case \
             ({} common case file(s) changed).",
            d.changed_case_files.len()
        );
    }
    let _ = writeln!(out, "\n{}", d.summary_line());
    let changed = |c: bool| if c { " *(case file changed)*" } else { "" };
    let reasons = |out: &mut String, sign: &str, list: &[Reason]| {
        for r in list {
            let _ = writeln!(out, "  - {sign}`{}`: `[{}]` {}", r.step, r.check, r.message);
        }
    };
    if !d.newly_failing.is_empty() {
        let _ = writeln!(out, "\n## Newly failing ({})\n", d.newly_failing.len());
        for c in &d.newly_failing {
            let _ = writeln!(out, "- ❌ `{}`{}", c.name, changed(c.file_changed));
            reasons(&mut out, "", &c.reasons);
        }
    }
    if !d.newly_passing.is_empty() {
        let _ = writeln!(out, "\n## Newly passing ({})\n", d.newly_passing.len());
        for c in &d.newly_passing {
            let _ = writeln!(out, "- ✅ `{}`{}", c.name, changed(c.file_changed));
        }
    }
    if !d.different_reason.is_empty() {
        let _ = writeln!(
            out,
            "\n## Still failing, for a different reason ({})\n",
            d.different_reason.len()
        );
        for c in &d.different_reason {
            let _ = writeln!(out, "- `{}`{}", c.name, changed(c.file_changed));
            reasons(&mut out, "no longer: ", &c.gone);
            reasons(&mut out, "now: ", &c.new);
        }
    }
    if !d.added.is_empty() {
        let _ = writeln!(out, "\n## Added cases ({})\n", d.added.len());
        for c in &d.added {
            let _ = writeln!(out, "- `{}` ({})", c.name, c.status.as_str());
        }
    }
    if !d.removed.is_empty() {
        let _ = writeln!(out, "\n## Removed cases ({})\n", d.removed.len());
        for c in &d.removed {
            let _ = writeln!(out, "- `{}` (was {})", c.name, c.status.as_str());
        }
    }
    if !d.changed_responses.is_empty() {
        let _ = writeln!(out, "\n## Changed responses ({})\n", d.changed_responses.len());
        for r in &d.changed_responses {
            let _ = writeln!(out, "### `{}` / {}\n", r.case, r.step);
            fenced(&mut out, "diff", &r.diff, "");
        }
    }
    out
}

/// The Markdown of `dpconform compare`.
pub fn compare(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# dpconform compare: {} of {} step(s) differ\n",
        c.differences.len(),
        c.compared_steps
    );
    let _ = writeln!(out, "| | endpoint | run |\n|---|---|---|");
    let _ = writeln!(out, "| A | `{}` | `{}` |", cell(&c.a.endpoint), c.a.run_id);
    let _ = writeln!(out, "| B | `{}` | `{}` |", cell(&c.b.endpoint), c.b.run_id);
    let _ = writeln!(
        out,
        "\nResponses are compared after normalisation (ids, dates and run tokens replaced, \
         JSON keys sorted), whatever the cases expect."
    );
    for d in &c.differences {
        let op = d.operation.as_deref().map(|o| format!(" ({o})")).unwrap_or_default();
        let _ = writeln!(out, "\n## `{}` / {}{op}\n", d.case, d.step);
        let _ = writeln!(out, "differs in: {}\n", d.aspects.join(", "));
        fenced(&mut out, "diff", &d.diff, "");
    }
    out
}

/// A fenced code block that no backtick run inside `text` can close early.
fn fenced(out: &mut String, lang: &str, text: &str, indent: &str) {
    let mut fence = "```".to_string();
    while text.contains(&fence) {
        fence.push('`');
    }
    let _ = writeln!(out, "{indent}{fence}{lang}");
    for line in text.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
    let _ = writeln!(out, "{indent}{fence}");
}

/// Text as inline code inside a table cell, whatever backticks it holds.
fn inline(text: &str) -> String {
    let text = text.replace('|', "\\|").replace('\n', " ");
    let mut fence = "`".to_string();
    while text.contains(&fence) {
        fence.push('`');
    }
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text safe inside a table cell and inline code.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('`', "'").replace('\n', " ")
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn seconds(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{} ms", ms.round() as u64)
    }
}
