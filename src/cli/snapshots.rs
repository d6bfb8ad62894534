//! `dpconform snapshots pending|accept|reject`: what `cargo insta review` does,
//! for users of the installed binary (cargo insta only works inside a cargo package).
//! A run against another endpoint leaves its pending snapshots outside the corpus;
//! `--from DIR` reviews and accepts those, on purpose.

use std::path::PathBuf;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use dpconform::snapshot::{self, Pending};

#[derive(Debug, clap::Args)]
pub struct SnapshotsArgs {
    #[command(subcommand)]
    action: Action,
    /// Folder of insta snapshots
    #[arg(long, value_name = "DIR", default_value = "snapshots", global = true)]
    snapshots: PathBuf,
    /// Take the pending snapshots from this folder (a run's `<report-dir>/pending-snapshots`
    /// against another endpoint) instead of from beside the stored ones; `accept`
    /// then writes them into --snapshots
    #[arg(long, value_name = "DIR", global = true)]
    from: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List pending snapshots (.snap.new) with their diffs; exit 1 if there are any
    Pending {
        /// Only snapshots whose path contains one of these
        filters: Vec<String>,
    },
    /// Make pending snapshots the stored ones
    Accept {
        /// Only snapshots whose path contains one of these
        filters: Vec<String>,
    },
    /// Delete pending snapshots
    Reject {
        /// Only snapshots whose path contains one of these
        filters: Vec<String>,
    },
}

pub fn snapshots(args: SnapshotsArgs) -> u8 {
    let (filters, verb) = match &args.action {
        Action::Pending { filters } => (filters, "pending"),
        Action::Accept { filters } => (filters, "accepted"),
        Action::Reject { filters } => (filters, "rejected"),
    };
    let found = match &args.from {
        Some(from) => snapshot::pending_from(from, &args.snapshots),
        None => snapshot::pending(&args.snapshots),
    };
    let all = match found {
        Ok(all) => all,
        Err(e) => {
            let folder = args.from.as_ref().unwrap_or(&args.snapshots);
            eprintln!("dpconform: cannot read {}: {e}", folder.display());
            return EXIT_USAGE;
        }
    };
    let chosen: Vec<Pending> = all
        .into_iter()
        .filter(|p| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|f| p.new_file.to_string_lossy().contains(f.as_str()))
        })
        .collect();
    for p in &chosen {
        let result = match args.action {
            Action::Pending { .. } => {
                crate::outln!("{}", p.new_file.display());
                for line in snapshot::pending_diff(p).lines() {
                    crate::outln!("    {line}");
                }
                Ok(())
            }
            Action::Accept { .. } => snapshot::accept(p).map(|_| crate::outln!("accepted {}", p.snap_file.display())),
            Action::Reject { .. } => snapshot::reject(p).map(|_| crate::outln!("rejected {}", p.new_file.display())),
        };
        if let Err(e) = result {
            eprintln!("dpconform: {}: {e}", p.new_file.display());
            return EXIT_USAGE;
        }
    }
    crate::outln!("{} snapshot(s) {verb}", chosen.len());
    match args.action {
        Action::Pending { .. } if !chosen.is_empty() => EXIT_FAILED,
        _ => EXIT_OK,
    }
}
