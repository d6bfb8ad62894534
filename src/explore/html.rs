//! `explore.html`: the page of an exploration, in the style of the run
//! reports (one self-contained file, a filter box, collapsed rows): the
//! differences by kind, each difference with both answers, the body diff and
//! its minimal case, and what the sequences reached.

use std::fmt::Write;

use super::buckets::{answer, buckets, Bucket};
use super::compare::Normal;
use super::evidence::Basis;
use super::report::{Finding, Summary};
use crate::check::labelled_diff;
use crate::report::html::{badge, controls, diff_block, esc, page as html_page};

/// The whole page.
pub fn page(summary: &Summary) -> String {
    let found = summary.findings.len();
    let mut body = format!(
        "<h1>dpconform explore: {}</h1>",
        if found == 0 {
            "nothing differs".to_string()
        } else {
            format!("{found} difference(s)")
        }
    );
    let _ = write!(
        body,
        "<table><tr><th>endpoint</th><td><code>{}</code></td></tr>\
         <tr><th>seed</th><td>{}{}</td></tr>\
         <tr><th>explored</th><td>{}{}</td></tr>\
         <tr><th>reached</th><td>{} of 19 actions, {} (action, outcome) pairs</td></tr>\
         <tr><th>unconfirmed</th><td>{} (not shown again by a second run of the same calls: timing; not reported){}</td></tr></table>",
        esc(&summary.endpoint),
        summary.seed,
        summary
            .partition
            .as_deref()
            .map(|p| format!(", partition {}", esc(p)))
            .unwrap_or_default(),
        esc(&summary.rate_line()),
        if summary.interrupted { " — interrupted" } else { "" },
        summary.actions.len(),
        summary.pairs.len(),
        summary.unconfirmed,
        if summary.unconfirmed == 0 {
            String::new()
        } else {
            format!(": {}", esc(&summary.unconfirmed_list()))
        },
    );
    body.push_str(&kinds_table(&buckets(&summary.findings)));
    body.push_str("<h2>Differences</h2>");
    body.push_str(
        "<p class=\"muted\">Evidenced: a case of grade observed, model or documented asserts what the \
         reference answered there. Inferred: only inferred cases do, or none. Each case file replays \
         with <code>dpconform run --cases DIR --endpoint URL</code>.</p>",
    );
    body.push_str(&controls("filter: action, check, path, answer…"));
    body.push_str("<div id=\"items\">");
    let kinds = buckets(&summary.findings);
    for f in &summary.findings {
        let kind = kinds.iter().position(|b| b.holds(f)).unwrap_or_default();
        body.push_str(&finding_item(f, kind + 1));
    }
    body.push_str("</div>");
    body.push_str(&reached_table(summary));
    let evidenced = summary.findings.iter().filter(|f| f.basis == Basis::Evidenced).count();
    html_page(
        "dpconform explore",
        &body,
        &[
            ("all", format!("all ({found})")),
            ("evidenced", format!("evidenced ({evidenced})")),
            ("inferred", format!("inferred ({})", found - evidenced)),
        ],
    )
}

/// The buckets, each linking to its differences through the filter box
/// (`kind-N`, which each difference of the N-th bucket carries).
fn kinds_table(buckets: &[Bucket]) -> String {
    if buckets.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2>The differences by kind</h2><table id=\"kinds\"><tr><th>differences</th><th>kind</th>\
         <th>evidenced</th><th>inferred</th><th>where</th></tr>",
    );
    for (i, b) in buckets.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td><a href=\"#q=kind-{:03}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            b.members.len(),
            i + 1,
            esc(&b.title()),
            b.evidenced,
            b.inferred(),
            b.members
                .iter()
                .map(|m| format!("<code>{}</code>", esc(m)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("</table>");
    out
}

fn finding_item(f: &Finding, kind: usize) -> String {
    let basis = f.basis.as_str();
    let search = format!(
        "kind-{kind:03} {} {} {} {} {} reference {} endpoint {}",
        f.signature,
        f.headline(),
        f.signature.check,
        basis,
        f.basis_text(),
        answer(&f.reference),
        answer(&f.endpoint)
    );
    let mut out = format!(
        "<section class=\"item\" data-status=\"{basis}\" data-search=\"{}\"><details><summary>{} <code>{}</code> — \
         <span class=\"why\">{}</span></summary>",
        esc(&search.to_lowercase()),
        badge(basis, basis),
        esc(&f.signature.to_string()),
        esc(&f.headline()),
    );
    let _ = write!(
        out,
        "<p>reference {}, endpoint {}</p><p class=\"muted\">{basis_text} · {} call(s), shrunk from {} · seed {} · seen again {} time(s) · case <code>{}</code></p>",
        esc(&answer(&f.reference)),
        esc(&answer(&f.endpoint)),
        f.minimal_calls,
        f.original_calls,
        f.seed,
        f.seen_again,
        esc(&f.case.display().to_string()),
        basis_text = esc(&f.basis_text()),
    );
    let replay_class = if f.replayed.problem.is_some() { "why" } else { "muted" };
    let _ = write!(
        out,
        "<p class=\"{replay_class}\">replayed with <code>dpconform run</code>: {}</p>",
        esc(&f.replayed.describe())
    );
    if f.signature.check == "body" {
        out.push_str("<p>The normalised bodies:</p>");
        out.push_str(&diff_block(&labelled_diff(
            &pretty(&f.reference),
            &pretty(&f.endpoint),
            "reference",
            "endpoint",
        )));
    }
    if let Ok(case) = std::fs::read_to_string(&f.case) {
        let _ = write!(
            out,
            "<details><summary>the minimal case</summary><pre>{}</pre></details>",
            esc(&case)
        );
    }
    out.push_str("</details></section>\n");
    out
}

fn pretty(n: &Normal) -> String {
    serde_json::to_string_pretty(&n.body).unwrap_or_default()
}

fn reached_table(summary: &Summary) -> String {
    let mut out = String::from("<h2>Reached</h2><table><tr><th>action</th><th>outcomes</th></tr>");
    for (action, outcomes) in summary.reached() {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(action),
            esc(&outcomes.join(", "))
        );
    }
    out.push_str("</table>");
    out
}
