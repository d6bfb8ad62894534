//! `dpconform list`: the cases that would run.

use super::{Locations, EXIT_OK, EXIT_USAGE};
use dpconform::case::discover::{load_all, matches_filters};
use dpconform::case::Grade;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    locations: Locations,
    /// Match filters exactly instead of as substrings
    #[arg(long)]
    exact: bool,
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
    /// Only cases of these evidence grades (comma-separated: observed, model, documented, inferred)
    #[arg(long, value_name = "GRADES", value_delimiter = ',', value_parser = clap::value_parser!(Grade))]
    grade: Vec<Grade>,
    /// List only cases whose name contains one of these
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,
}

pub fn list(args: ListArgs) -> u8 {
    let cases = match load_all(&args.locations.cases) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let grades = args.grade;
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| grades.is_empty() || grades.contains(&c.grade()))
        .collect();
    if args.model_coverage {
        let chosen: Vec<_> = cases
            .into_iter()
            .filter(|c| matches_filters(&c.name, &args.filters, args.exact))
            .collect();
        crate::out!(
            "{}",
            dpconform::case::model_coverage::render_report(&dpconform::case::model_coverage::model_coverage(&chosen))
        );
        return EXIT_OK;
    }
    if args.coverage {
        let chosen: Vec<_> = cases
            .into_iter()
            .filter(|c| matches_filters(&c.name, &args.filters, args.exact))
            .collect();
        crate::out!(
            "{}",
            dpconform::case::coverage::render(&dpconform::case::coverage::coverage(&chosen))
        );
        return EXIT_OK;
    }
    let mut shown = 0;
    for case in cases
        .iter()
        .filter(|c| matches_filters(&c.name, &args.filters, args.exact))
    {
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
