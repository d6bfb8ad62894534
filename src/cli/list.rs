//! `dpconform list`: the cases that would run.

use super::run::{choose, Filters};
use super::EXIT_OK;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filters: Filters,
    /// Print a table: per action, the number of happy, errors, validation and paging
    /// cases (by tag), of flows that call it, and of cases per evidence grade; per
    /// other area, its cases
    #[arg(long)]
    coverage: bool,
    /// Measure the cases against the service model: per action, the model's
    /// constraints covered (every broken constraint and every bound, at every
    /// depth, sent with the answer the model implies) and the declared errors
    /// provoked; names every constraint not covered and every declared error
    /// not provoked, with the reason; ends with
    /// `model: C/T constraints covered, E/71 declared errors covered`
    #[arg(long, conflicts_with = "coverage")]
    model_coverage: bool,
}

pub fn list(args: ListArgs) -> u8 {
    let selection = match args.filters.to_session() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cases = match choose(&selection) {
        Ok(chosen) => chosen.cases,
        Err(code) => return code,
    };
    if args.model_coverage {
        crate::out!(
            "{}",
            dpconform::case::model_coverage::render_report(&dpconform::case::model_coverage::model_coverage(&cases))
        );
        return EXIT_OK;
    }
    if args.coverage {
        crate::out!(
            "{}",
            dpconform::case::coverage::render(&dpconform::case::coverage::coverage(&cases))
        );
        return EXIT_OK;
    }
    let mut shown = 0;
    for case in &cases {
        let kind = case.grade();
        let skip = case
            .spec
            .skip
            .as_ref()
            .map(|r| format!("  [skipped: {r}]"))
            .unwrap_or_default();
        crate::outln!(
            "{}  ({kind}, {} step(s)): {}{skip}",
            case.name,
            case.spec.steps.len() + case.spec.finally.len(),
            case.spec.about
        );
        shown += 1;
    }
    crate::outln!("{shown} case(s)");
    EXIT_OK
}
