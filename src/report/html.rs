//! Self-contained HTML pages: `report.html` of a run, and the pages of
//! `dpconform diff` and `dpconform compare`. One file each, with inline CSS
//! and script and a Content-Security-Policy that forbids every network
//! resource. Every listed item (`.item`) carries `data-status` and
//! `data-search`; the page's script filters them by a text box and a status
//! menu and says how many are shown.

use std::fmt::Write;

use crate::case::Grade;

use super::compare::Comparison;
use super::diff::{Reason, ReportDiff};
use super::groups::{self, signature, FailureGroup};
use super::json::{CaseReport, Exchange, Report, Status, StepReport};
use super::matrix;

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#1b1f24}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
td.n{text-align:right}tr.fails td:first-child{border-left:4px solid #cf222e}tr.conforms td:first-child{border-left:4px solid #1a7f37}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:30em;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;padding:0 4px;color:#fff;font-weight:600;font-size:12px}
.badge.passed,.badge.newly-passing{background:#1a7f37}.badge.failed,.badge.newly-failing,.badge.differs,.badge.evidenced{background:#cf222e}
.badge.skipped,.badge.added,.badge.removed{background:#6e7781}.badge.different-reason,.badge.changed-response,.badge.known,.badge.inferred{background:#9a6700}
.item{border:1px solid #d0d7de;border-radius:6px;margin:.4em 0;padding:.2em .8em}
.item>details>summary{cursor:pointer;padding:.2em 0}.why{color:#cf222e}
.step{margin:.5em 0 .5em 1em;padding-left:.8em;border-left:3px solid #d0d7de}.step.failed{border-left-color:#cf222e}
.step.passed{border-left-color:#1a7f37}.step.known{border-left-color:#9a6700}
.add{color:#1a7f37}.del{color:#cf222e}.hunk{color:#8250df}
#controls{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #d0d7de}
#filter{width:28em;padding:4px}.muted{color:#57606a}
"#;

const SCRIPT: &str = r#"
(function () {
  var input = document.getElementById('filter');
  var status = document.getElementById('status');
  var shown = document.getElementById('shown');
  var items = Array.prototype.slice.call(document.querySelectorAll('.item'));
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var wanted = status.value;
    var count = 0;
    items.forEach(function (item) {
      var text = item.getAttribute('data-search');
      var ok = (wanted === 'all' || item.getAttribute('data-status') === wanted) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      item.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + ' of ' + items.length + ' shown';
  }
  input.addEventListener('input', apply);
  status.addEventListener('change', apply);
  function fromHash() {
    var query = /^#q=(.*)$/.exec(window.location.hash);
    if (query) { input.value = decodeURIComponent(query[1]); apply(); }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  apply();
})();
"#;

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page around `body`; `statuses` are the options of the status menu
/// (value, label), the first selected.
pub(crate) fn page(title: &str, body: &str, statuses: &[(&str, String)]) -> String {
    let mut options = String::new();
    for (i, (value, label)) in statuses.iter().enumerate() {
        let selected = if i == 0 { " selected" } else { "" };
        let _ = write!(
            options,
            "<option value=\"{}\"{selected}>{}</option>",
            esc(value),
            esc(label)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        title = esc(title),
        body = body.replace("<!--STATUS-OPTIONS-->", &options),
    )
}

/// The filter box and status menu above the listed items.
pub(crate) fn controls(placeholder: &str) -> String {
    format!(
        "<div id=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"{}\" aria-label=\"filter\"> \
         <select id=\"status\" aria-label=\"status\"><!--STATUS-OPTIONS--></select> \
         <span id=\"shown\" class=\"muted\"></span></div>",
        esc(placeholder)
    )
}

/// A status badge: the only place a status colour is painted.
pub(crate) fn badge(class: &str, label: &str) -> String {
    format!("<span class=\"badge {}\">{}</span>", esc(class), esc(label))
}

/// A unified diff with added, removed and hunk lines coloured.
pub(crate) fn diff_block(diff: &str) -> String {
    let mut out = String::from("<pre class=\"diff\">");
    for line in diff.lines() {
        let class = if line.starts_with("+++") || line.starts_with("---") {
            "hunk"
        } else if line.starts_with('+') {
            "add"
        } else if line.starts_with('-') {
            "del"
        } else if line.starts_with("@@") {
            "hunk"
        } else {
            ""
        };
        if class.is_empty() {
            let _ = writeln!(out, "{}", esc(line));
        } else {
            let _ = writeln!(out, "<span class=\"{class}\">{}</span>", esc(line));
        }
    }
    out.push_str("</pre>");
    out
}

fn exchange_block(label: &str, exchange: &Exchange) -> String {
    let mut text = String::new();
    if let (Some(method), Some(url)) = (&exchange.method, &exchange.url) {
        let _ = writeln!(text, "{method} {url}");
    }
    if let Some(status) = exchange.status {
        let _ = writeln!(text, "HTTP {status}");
    }
    for (name, value) in &exchange.headers {
        let _ = writeln!(text, "{name}: {value}");
    }
    let _ = writeln!(text);
    text.push_str(&exchange.body);
    format!(
        "<details><summary>{} ({} bytes)</summary><pre>{}</pre></details>",
        esc(label),
        exchange.body_len,
        esc(&text)
    )
}

fn step_block(step: &StepReport) -> String {
    let mut out = String::new();
    let class = match step.status {
        Status::Failed => "failed",
        Status::Known => "known",
        Status::Passed => "passed",
        Status::Skipped | Status::NotRun => "skipped",
    };
    let op = step
        .operation
        .as_deref()
        .map(|o| format!(" · {}", esc(o)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<div class=\"step {class}\"><div>{} <b>{}</b>{op} <span class=\"muted\">{:.0} ms{}</span></div>",
        badge(class, step.status.as_str()),
        esc(&step.name),
        step.duration_ms,
        retries(step)
    );
    if let Some(reason) = &step.not_run_reason {
        let _ = write!(out, "<div class=\"muted\">{}</div>", esc(reason));
    }
    if !step.failures.is_empty() {
        out.push_str("<ul class=\"failures\">");
        for f in &step.failures {
            let known = f
                .known
                .as_deref()
                .map(|r| format!(" {} <span class=\"muted\">{}</span>", badge("known", "known"), esc(r)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li><code>[{}]</code>{known} <pre>{}</pre>",
                esc(&f.check),
                esc(&f.message)
            );
            if let Some(diff) = &f.diff {
                out.push_str(&diff_block(diff));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if let Some(r) = &step.reproduce {
        let commands: Vec<&str> = [Some(&r.dpconform), r.curl.as_ref(), r.aws.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let _ = write!(
            out,
            "<details><summary>reproduce</summary><pre>{}</pre></details>",
            esc(&commands.join("\n"))
        );
    }
    if let Some(r) = &step.request {
        out.push_str(&exchange_block("request", r));
    }
    if let Some(r) = &step.response {
        out.push_str(&exchange_block("response", r));
    }
    out.push_str("</div>");
    out
}

fn case_item(case: &CaseReport) -> String {
    let mut search = format!("{} {} {} {}", case.name, case.area, case.status.as_str(), case.about);
    for step in &case.steps {
        for f in &step.failures {
            let _ = write!(
                search,
                " {} {} {} {}: {}",
                step.name,
                f.check,
                f.message,
                f.check,
                signature(&f.message)
            );
        }
    }
    let status = case.status.as_str();
    // A failed case says on its collapsed row why: its first failed check.
    let headline = match case
        .failed_steps()
        .flat_map(|s| s.failures.first().map(|f| (s, f)))
        .next()
    {
        Some((step, f)) => format!(
            "<span class=\"why\">{} <code>[{}]</code> {}</span>",
            esc(&step.name),
            esc(&f.check),
            esc(super::text::first_line(&f.message))
        ),
        None => esc(&case.about),
    };
    let mut out = format!(
        "<section class=\"item\" data-status=\"{}\" data-search=\"{}\"><details><summary>{} <code>{}</code> — {headline}</summary>",
        esc(status),
        esc(&search.to_lowercase()),
        badge(status, status),
        esc(&case.name),
    );
    let _ = write!(
        out,
        "<p>{}</p><p class=\"muted\">file <code>{}</code> · grade {}{} · source: {}{}</p>",
        esc(&case.about),
        esc(&case.file),
        case.grade,
        case.failed_grade
            .filter(|g| *g != case.grade)
            .map(|g| format!(" (failed assertion: {g})"))
            .unwrap_or_default(),
        esc(&case.source),
        case.skip_reason
            .as_deref()
            .map(|r| format!(" · skipped: {}", esc(r)))
            .unwrap_or_default()
    );
    for step in &case.steps {
        out.push_str(&step_block(step));
    }
    out.push_str("</details></section>\n");
    out
}

/// The table of failures by cause, largest first; each cause links to the
/// cases it failed (the filter box, through the page's `#q=` address).
fn causes_table(groups: &[FailureGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2>Failures by cause</h2><table id=\"causes\"><tr><th>check</th><th>cause</th><th>cases</th><th>failures</th><th>e.g.</th></tr>",
    );
    for g in groups {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><a href=\"#q={}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&g.check),
            esc(&percent_encode(&g.cause().to_lowercase())),
            esc(&g.signature),
            g.cases,
            g.failures,
            g.examples.iter().map(|e| format!("<code>{}</code>", esc(e))).collect::<Vec<_>>().join(", ")
        );
    }
    out.push_str("</table>");
    out
}

/// `text` for a URL fragment: every byte but unreserved ones as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `report.html`: metadata, totals, the per-action matrix, and every case
/// (failures first in the menu) with its steps, requests, responses and diffs.
pub fn report(report: &Report) -> String {
    let t = &report.totals;
    let r = &report.run;
    let mut body = format!("<h1>dpconform: {}</h1>\n", esc(&t.summary_line()));
    let mut run_table = String::new();
    let _ = write!(
        run_table,
        "<table><tr><th>endpoint</th><td><code>{}</code></td></tr><tr><th>started</th><td>{}</td></tr>\
         <tr><th>duration</th><td>{:.0} ms</td></tr><tr><th>requests</th><td>{}</td></tr>\
         <tr><th>run</th><td><code>{}</code>{}</td></tr><tr><th>dpconform</th><td>{}</td></tr>\
         <tr><th>case files</th><td><code>sha256 {}</code></td></tr></table>",
        esc(&r.endpoint),
        esc(&r.started),
        r.duration_ms,
        r.requests,
        esc(&r.run_id),
        r.partition
            .as_deref()
            .map(|p| format!(" (partition {})", esc(p)))
            .unwrap_or_default(),
        esc(&r.dpconform_version),
        esc(&r.cases_sha256),
    );
    if r.interrupted {
        body.push_str("<p><b>Interrupted</b>: only the cases that finished are counted.</p>");
    }
    if let Some(stopped) = &r.stopped {
        let _ = write!(
            body,
            "<p id=\"stopped\"><b>Stopped early</b>: {}.</p>",
            esc(&stopped.line())
        );
    }
    body.push_str(&causes_table(&groups::group(report)));
    body.push_str("<h2>Run</h2>");
    body.push_str(&run_table);
    // Known failures (a baseline) get their own column, only when there are any.
    let known = |n: usize| {
        if t.known > 0 {
            format!("<td class=\"n\">{n}</td>")
        } else {
            String::new()
        }
    };
    let _ = write!(
        body,
        "<h2>Totals by evidence grade</h2><p id=\"verdict\"><b>{}</b></p>\
         <table id=\"grades\"><tr><th>grade</th><th>passed</th><th>failed</th>{}</tr>",
        esc(&t.by_grade.verdict()),
        if t.known > 0 { "<th>known</th>" } else { "" }
    );
    for g in Grade::ALL {
        let pf = t.by_grade.get(g);
        let _ = write!(
            body,
            "<tr><td>{g}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>",
            pf.passed,
            pf.failed,
            known(pf.known)
        );
    }
    let _ = write!(
        body,
        "<tr><th>all</th><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr></table><p>{} skipped. \
         A failed case counts under the grade of its failed assertion.</p>",
        t.passed,
        t.failed,
        known(t.known),
        t.skipped
    );
    body.push_str(
        "<h2>Conformance per action</h2><table id=\"matrix\"><tr><th>action</th><th>verdict</th><th>cases</th>\
         <th>passed</th><th>failed</th><th>observed</th><th>model</th><th>documented</th><th>inferred</th><th>requests passed / failed</th></tr>",
    );
    for row in matrix::build(report) {
        let verdict = row.verdict();
        let class = verdict.label().replace(' ', "-");
        let label = if row.is_action {
            esc(&row.label)
        } else {
            format!("<i>{}</i>", esc(&row.label))
        };
        let requests = row.requests_cell();
        let _ = write!(
            body,
            "<tr class=\"{class}\"><td>{label}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{requests}</td></tr>",
            verdict.label(),
            row.cases,
            row.passed,
            row.failed,
            row.grade_cell(Grade::Observed),
            row.grade_cell(Grade::Model),
            row.grade_cell(Grade::Documented),
            row.grade_cell(Grade::Inferred),
        );
    }
    body.push_str("</table>");
    let _ = write!(body, "<h2>Cases</h2>{}", controls("filter: case name, check, message…"));
    body.push_str("<div id=\"items\">");
    for case in &report.cases {
        body.push_str(&case_item(case));
    }
    body.push_str("</div>");
    let mut statuses = Vec::new();
    if t.failed > 0 {
        statuses.push(("failed", format!("failed ({})", t.failed)));
    }
    statuses.push(("all", format!("all ({})", report.cases.len())));
    if t.failed == 0 {
        statuses.push(("failed", "failed (0)".to_string()));
    }
    statuses.push(("passed", format!("passed ({})", t.passed)));
    statuses.push(("skipped", format!("skipped ({})", t.skipped)));
    page(&format!("dpconform: {}", t.summary_line()), &body, &statuses)
}

fn reasons_list(sign: &str, reasons: &[Reason]) -> String {
    let mut out = String::from("<ul>");
    for r in reasons {
        let _ = write!(
            out,
            "<li>{}<b>{}</b>: <code>[{}]</code> {}</li>",
            esc(sign),
            esc(&r.step),
            esc(&r.check),
            esc(&r.message)
        );
    }
    out.push_str("</ul>");
    out
}

fn diff_item(status: &str, label: &str, name: &str, inner: &str, search_extra: &str) -> String {
    format!(
        "<section class=\"item\" data-status=\"{}\" data-search=\"{}\"><div>{} <code>{}</code></div>{inner}</section>\n",
        esc(status),
        esc(&format!("{name} {label} {search_extra}").to_lowercase()),
        badge(status, label),
        esc(name)
    )
}

/// The page of `dpconform diff`.
pub fn diff(d: &ReportDiff) -> String {
    let verdict = if d.regressed() { "regressed" } else { "no regressions" };
    let mut body = format!("<h1>dpconform diff: {verdict}</h1>");
    let _ = write!(
        body,
        "<table><tr><th></th><th>base</th><th>new</th></tr>\
         <tr><th>run</th><td><code>{}</code></td><td><code>{}</code></td></tr>\
         <tr><th>endpoint</th><td><code>{}</code></td><td><code>{}</code></td></tr>\
         <tr><th>started</th><td>{}</td><td>{}</td></tr>\
         <tr><th>case files</th><td><code>{}</code></td><td><code>{}</code></td></tr></table><p>{}</p>",
        esc(&d.base.run_id),
        esc(&d.new.run_id),
        esc(&d.base.endpoint),
        esc(&d.new.endpoint),
        esc(&d.base.started),
        esc(&d.new.started),
        esc(&d.base.cases_sha256),
        esc(&d.new.cases_sha256),
        esc(&d.summary_line())
    );
    if !d.same_case_files() {
        body.push_str("<p>The runs used different versions of the case files: compared case by case.</p>");
    }
    body.push_str(&controls("filter: case name, check, message…"));
    body.push_str("<div id=\"items\">");
    let changed = |c: bool| {
        if c {
            "<p class=\"muted\">case file changed</p>"
        } else {
            ""
        }
    };
    for c in &d.newly_failing {
        let inner = format!("{}{}", reasons_list("", &c.reasons), changed(c.file_changed));
        let extra: String = c.reasons.iter().map(Reason::line).collect::<Vec<_>>().join(" ");
        body.push_str(&diff_item("newly-failing", "newly failing", &c.name, &inner, &extra));
    }
    for c in &d.newly_passing {
        body.push_str(&diff_item(
            "newly-passing",
            "newly passing",
            &c.name,
            changed(c.file_changed),
            "",
        ));
    }
    for c in &d.different_reason {
        let inner = format!(
            "{}{}{}",
            reasons_list("no longer: ", &c.gone),
            reasons_list("now: ", &c.new),
            changed(c.file_changed)
        );
        let extra: String = c
            .gone
            .iter()
            .chain(&c.new)
            .map(Reason::line)
            .collect::<Vec<_>>()
            .join(" ");
        body.push_str(&diff_item("different-reason", "other reason", &c.name, &inner, &extra));
    }
    for c in &d.added {
        let inner = format!("<p class=\"muted\">{}</p>", c.status.as_str());
        body.push_str(&diff_item("added", "added", &c.name, &inner, ""));
    }
    for c in &d.removed {
        let inner = format!("<p class=\"muted\">was {}</p>", c.status.as_str());
        body.push_str(&diff_item("removed", "removed", &c.name, &inner, ""));
    }
    for r in &d.changed_responses {
        let name = format!("{} / {}", r.case, r.step);
        body.push_str(&diff_item(
            "changed-response",
            "response changed",
            &name,
            &diff_block(&r.diff),
            &r.diff,
        ));
    }
    body.push_str("</div>");
    let statuses = [
        ("all", "all".to_string()),
        ("newly-failing", format!("newly failing ({})", d.newly_failing.len())),
        ("newly-passing", format!("newly passing ({})", d.newly_passing.len())),
        (
            "different-reason",
            format!("different reason ({})", d.different_reason.len()),
        ),
        ("added", format!("added ({})", d.added.len())),
        ("removed", format!("removed ({})", d.removed.len())),
        (
            "changed-response",
            format!("changed responses ({})", d.changed_responses.len()),
        ),
    ];
    page(&format!("dpconform diff: {verdict}"), &body, &statuses)
}

/// The page of `dpconform compare`.
pub fn compare(c: &Comparison) -> String {
    let mut body = format!(
        "<h1>dpconform compare: {} of {} step(s) differ</h1>",
        c.differences.len(),
        c.compared_steps
    );
    let _ = write!(
        body,
        "<table><tr><th></th><th>endpoint</th><th>run</th></tr>\
         <tr><th>A</th><td><code>{}</code></td><td><code>{}</code></td></tr>\
         <tr><th>B</th><td><code>{}</code></td><td><code>{}</code></td></tr></table>",
        esc(&c.a.endpoint),
        esc(&c.a.run_id),
        esc(&c.b.endpoint),
        esc(&c.b.run_id)
    );
    body.push_str(&controls("filter: case, step, operation…"));
    body.push_str("<div id=\"items\">");
    for d in &c.differences {
        let name = format!("{} / {}", d.case, d.step);
        let inner = format!(
            "<p class=\"muted\">{} · differs in {}</p>{}",
            esc(d.operation.as_deref().unwrap_or("raw request")),
            esc(&d.aspects.join(", ")),
            diff_block(&d.diff)
        );
        let extra = format!(
            "{} {} {}",
            d.operation.as_deref().unwrap_or_default(),
            d.aspects.join(" "),
            d.diff
        );
        body.push_str(&diff_item("differs", "differs", &name, &inner, &extra));
    }
    body.push_str("</div>");
    page(
        "dpconform compare",
        &body,
        &[("all", format!("all ({})", c.differences.len()))],
    )
}

/// ", 3 attempts, throttled 2×" after a step's duration; empty for one plain send.
fn retries(step: &StepReport) -> String {
    let mut out = String::new();
    if step.attempts > 1 {
        out.push_str(&format!(", {} attempts", step.attempts));
    }
    if step.throttled > 0 {
        out.push_str(&format!(", throttled {}×", step.throttled));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::STYLE;

    /// The classes that colour a badge; on anything else they would paint a whole block.
    const STATUS_CLASSES: [&str; 10] = [
        "passed",
        "failed",
        "skipped",
        "newly-passing",
        "newly-failing",
        "differs",
        "added",
        "removed",
        "different-reason",
        "changed-response",
    ];

    /// Selectors of `css` that give a status class a background without being a badge's.
    fn status_backgrounds_off_badges(css: &str) -> Vec<String> {
        let mut found = Vec::new();
        for rule in css.split('}') {
            let Some((selectors, declarations)) = rule.split_once('{') else {
                continue;
            };
            if !declarations.contains("background") {
                continue;
            }
            for selector in selectors.split(',').map(str::trim) {
                let classes: Vec<&str> = selector
                    .split('.')
                    .skip(1)
                    .map(|c| c.split([' ', '>', ':']).next().unwrap_or(c))
                    .collect();
                let status = classes.iter().any(|c| STATUS_CLASSES.contains(c));
                if status && !selector.starts_with(".badge.") {
                    found.push(selector.to_string());
                }
            }
        }
        found
    }

    #[test]
    fn only_badges_carry_a_status_background() {
        assert_eq!(status_backgrounds_off_badges(STYLE), Vec::<String>::new());
    }

    #[test]
    fn the_rule_that_painted_whole_steps_is_caught() {
        // The rule report.html had: `.failed` matched `<div class="step failed">` too.
        let old = ".passed,.newly-passing{background:#1a7f37}.failed{background:#cf222e}";
        assert_eq!(
            status_backgrounds_off_badges(old),
            [".passed", ".newly-passing", ".failed"]
        );
        assert_eq!(
            status_backgrounds_off_badges(".step.failed{background:#fee}"),
            [".step.failed"]
        );
    }
}
