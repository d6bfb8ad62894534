//! Plain-text pieces shared by the console, JUnit and the diff: the full story
//! of a failed case, from its [`CaseReport`].

use std::fmt::Write;

use super::json::{CaseReport, Status};

/// Each failed step of a case, its checks, messages and diffs; steps not run with why.
pub(crate) fn case_details(case: &CaseReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---- {} ----", case.name);
    let _ = writeln!(out, "  file:   {}", case.file);
    let _ = writeln!(out, "  about:  {}", case.about);
    let _ = writeln!(out, "  source: {}", case.source);
    for step in &case.steps {
        match step.status {
            Status::Failed | Status::Known => {
                let request = step
                    .request
                    .as_ref()
                    .map(|r| {
                        let target = r.header("x-amz-target").map(|v| format!(" {v}")).unwrap_or_default();
                        format!(
                            " ({} {}{target})",
                            r.method.as_deref().unwrap_or_default(),
                            r.url.as_deref().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(out, "  step \"{}\"{request}:", step.name);
                for failure in &step.failures {
                    let known = failure
                        .known
                        .as_deref()
                        .map(|reason| format!(" (known: {reason})"))
                        .unwrap_or_default();
                    let _ = writeln!(out, "    [{}] {}{known}", failure.check, failure.message);
                    if let Some(diff) = &failure.diff {
                        for line in diff.lines() {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
                if let Some(response) = &step.response {
                    let _ = writeln!(
                        out,
                        "    response: {} {}",
                        response.status.unwrap_or_default(),
                        first_line(&response.body)
                    );
                }
                if let Some(r) = &step.reproduce {
                    let _ = writeln!(out, "    reproduce:");
                    for command in [Some(&r.dpconform), r.curl.as_ref(), r.aws.as_ref()]
                        .into_iter()
                        .flatten()
                    {
                        let _ = writeln!(out, "      {command}");
                    }
                }
            }
            Status::NotRun => {
                let _ = writeln!(
                    out,
                    "  step \"{}\": not run ({})",
                    step.name,
                    step.not_run_reason.as_deref().unwrap_or_default()
                );
            }
            Status::Passed | Status::Skipped => {}
        }
    }
    out
}

/// The first line of `text` (empty for empty text).
pub(crate) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
