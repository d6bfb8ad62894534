//! How well the corpus covers the API: per action, the number of cases of each
//! kind (`happy`, `errors`, `validation`, `paging` tags in the action's folder)
//! and of `flows/` cases that call the action, so gaps are visible.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Case, Grade};
use dpconform_protocol::{snake_case, OPERATIONS};

/// The kinds a case of an action folder is tagged with.
pub const KINDS: [&str; 4] = ["happy", "errors", "validation", "paging"];

/// How many cases one action or area has, by kind and grade.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageRow {
    /// The action (`CreatePipeline`) or the area (`protocol/`).
    pub label: String,
    /// Cases per kind, in [`KINDS`] order.
    pub kinds: [usize; 4],
    /// Cases of the folder with none of the kinds.
    pub untagged: usize,
    /// `flows/` cases with a step that calls the action.
    pub flows: usize,
    /// Cases of the folder.
    pub total: usize,
    /// Cases per grade, in [`Grade::ALL`] order.
    pub grades: [usize; 4],
}

/// One row per action (all 19, covered or not), then one per other area.
pub fn coverage(cases: &[Case]) -> Vec<CoverageRow> {
    let mut rows: Vec<CoverageRow> = OPERATIONS
        .iter()
        .map(|op| {
            let area = snake_case(op);
            let mut row = row_of(op, cases.iter().filter(|c| c.area == area));
            row.flows = cases
                .iter()
                .filter(|c| c.area == "flows")
                .filter(|c| {
                    c.spec
                        .steps
                        .iter()
                        .chain(&c.spec.finally)
                        .any(|s| s.operation.as_deref() == Some(*op))
                })
                .count();
            row
        })
        .collect();
    let action_areas: BTreeSet<String> = OPERATIONS.iter().map(|op| snake_case(op)).collect();
    let other_areas: BTreeSet<&str> = cases
        .iter()
        .map(|c| c.area.as_str())
        .filter(|a| !action_areas.contains(*a))
        .collect();
    for area in other_areas {
        rows.push(row_of(&format!("{area}/"), cases.iter().filter(|c| c.area == area)));
    }
    rows
}

fn row_of<'a>(label: &str, cases: impl Iterator<Item = &'a Case>) -> CoverageRow {
    let mut row = CoverageRow {
        label: label.to_string(),
        ..Default::default()
    };
    for case in cases {
        row.total += 1;
        row.grades[case.grade() as usize] += 1;
        let mut tagged = false;
        for (i, kind) in KINDS.iter().enumerate() {
            if case.spec.tags.iter().any(|t| t == kind) {
                row.kinds[i] += 1;
                tagged = true;
            }
        }
        if !tagged {
            row.untagged += 1;
        }
    }
    row
}

/// A Markdown table (readable as plain text too), with a totals line.
pub fn render(rows: &[CoverageRow]) -> String {
    let mut out = String::from(
        "| action / area | happy | errors | validation | paging | flows | cases | observed | model | documented | inferred |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let cell = |n: usize| if n == 0 { "-".to_string() } else { n.to_string() };
    for row in rows {
        let flows = if row.label.ends_with('/') {
            String::new()
        } else {
            cell(row.flows)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.label,
            cell(row.kinds[0]),
            cell(row.kinds[1]),
            cell(row.kinds[2]),
            cell(row.kinds[3]),
            flows,
            row.total,
            cell(row.grades[0]),
            cell(row.grades[1]),
            cell(row.grades[2]),
            cell(row.grades[3]),
        );
    }
    let total: usize = rows.iter().map(|r| r.total).sum();
    let per_grade: Vec<String> = Grade::ALL
        .iter()
        .enumerate()
        .map(|(i, g)| format!("{} {g}", rows.iter().map(|r| r.grades[i]).sum::<usize>()))
        .collect();
    let uncovered: Vec<&str> = rows
        .iter()
        .filter(|r| r.total == 0 && !r.label.ends_with('/'))
        .map(|r| r.label.as_str())
        .collect();
    let _ = write!(out, "\n{total} cases ({})", per_grade.join(", "));
    if !uncovered.is_empty() {
        let _ = write!(out, "; actions without a case folder: {}", uncovered.join(", "));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse::parse_case;
    use std::path::Path;

    fn case(name: &str, tags: &str, source: &str, op: &str) -> Case {
        let text = format!(
            r#"{{"about": "a", "source": "{source}", "grade": "{}", "tags": [{tags}], "steps": [{{"operation": "{op}"}}]}}"#,
            if source.starts_with("inferred") {
                "inferred"
            } else {
                "documented"
            }
        );
        parse_case(Path::new("x.json"), name.into(), &text).expect("valid")
    }

    #[test]
    fn counts_kinds_flows_and_other_areas() {
        let cases = vec![
            case("create_pipeline::a", r#""happy""#, "API Reference", "CreatePipeline"),
            case(
                "create_pipeline::b",
                r#""errors", "x""#,
                "inferred: why",
                "CreatePipeline",
            ),
            case("flows::life", "", "DG", "CreatePipeline"),
            case("protocol::p", "", "inferred: x", "ListPipelines"),
        ];
        let rows = coverage(&cases);
        let create = rows.iter().find(|r| r.label == "CreatePipeline").expect("row");
        assert_eq!(
            (create.kinds, create.flows, create.total, create.grades[3]),
            ([1, 1, 0, 0], 1, 2, 1)
        );
        assert_eq!(rows.len(), 19 + 2);
        let table = render(&rows);
        assert!(
            table.contains("| CreatePipeline | 1 | 1 | - | - | 1 | 2 | - | - | 1 | 1 |"),
            "{table}"
        );
        assert!(
            table.contains("| protocol/ | - | - | - | - |  | 1 | - | - | - | 1 |"),
            "{table}"
        );
        assert!(
            table.contains("4 cases (0 observed, 0 model, 2 documented, 2 inferred); actions without a case folder: ActivatePipeline"),
            "{table}"
        );
    }
}
