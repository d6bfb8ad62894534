//! `dpconform generate`: (re)writes the cases generated from the service model.

use std::path::PathBuf;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use dpconform::generate::{drift, generate, summary, write, Drift, GENERATED_DIR};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "One case per input of the service model's coverage-phase enumeration: at every position of \
        every action's input, each value that breaks exactly one constraint and each that sits exactly on a \
        bound (README, \"Cases generated from the service model\"). Files no longer generated are removed.\n\n\
        Examples:\n  dpconform generate            # rewrite cases/generated/\n  dpconform generate --check    # exit 1 if regenerating would change a file"
)]
pub struct GenerateArgs {
    /// Folder of case files; the generated cases go to its `generated/` subfolder
    #[arg(long, value_name = "DIR", default_value = "cases")]
    cases: PathBuf,
    /// Write nothing: list the files regenerating would add, change or remove,
    /// and exit 1 if there are any
    #[arg(long)]
    check: bool,
}

pub fn generate_cases(args: GenerateArgs) -> u8 {
    if !args.cases.is_dir() {
        eprintln!("dpconform: the cases folder {} does not exist", args.cases.display());
        return EXIT_USAGE;
    }
    let result = if args.check {
        drift(&args.cases)
    } else {
        write(&args.cases)
    };
    let changes = match result {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "dpconform: cannot {} {}: {e}",
                if args.check { "read" } else { "write" },
                args.cases.join(GENERATED_DIR).display()
            );
            return EXIT_USAGE;
        }
    };
    print_changes(&changes, args.check);
    crate::outln!("{}", summary(&generate()));
    if args.check && !changes.is_empty() {
        eprintln!("dpconform: the generated cases are out of date: run `dpconform generate`");
        return EXIT_FAILED;
    }
    EXIT_OK
}

fn print_changes(d: &Drift, check: bool) {
    let (add, change, remove) = if check {
        ("missing", "differs", "not generated")
    } else {
        ("added", "rewritten", "removed")
    };
    for (label, paths) in [(add, &d.missing), (change, &d.changed), (remove, &d.extra)] {
        for p in paths {
            crate::outln!("{label}: {}", p.display());
        }
    }
    let n = d.missing.len() + d.changed.len() + d.extra.len();
    crate::outln!(
        "{n} file(s) {}",
        if check { "out of date" } else { "written or removed" }
    );
}
