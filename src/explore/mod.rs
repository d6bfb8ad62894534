//! `dpconform explore`: generated call sequences run against an endpoint and,
//! in lock step, against a fresh embedded reference; each difference shrunk to
//! a minimal sequence and written as an ordinary case file.
//!
//! [`generate`] makes the calls (a state machine over the 19 actions and a
//! generator of definitions), [`sequence`] holds them as data, [`lockstep`]
//! runs them on both sides and [`compare`] judges the answers; [`shrink`]
//! minimises a difference, [`case_file`] writes it, [`grades`] says whether
//! the reference's side is evidenced, [`report`] tells what was found.

pub mod case_file;
pub mod compare;
pub mod generate;
pub mod grades;
pub mod lockstep;
pub mod report;
pub mod sequence;
pub mod shrink;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::partition::Partition;
use crate::send::target::{self, ResolvedTarget};
use generate::Generator;
use lockstep::{Endpoint, Outcome, Source};
use report::{Finding, Summary};
use sequence::{Bindings, Call};

/// How an exploration runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The base seed: the same seed and endpoint give the same sequences.
    pub seed: u64,
    /// Stop after this many sequences.
    pub sequences: Option<u64>,
    /// Stop after this long (the sequences under way finish).
    pub time: Option<Duration>,
    /// Calls per generated sequence.
    pub length: usize,
    /// Sequences run at once.
    pub jobs: usize,
    /// This machine's share of the seeds (`--partition K/N`): sequence numbers
    /// are dealt round-robin, so the parts never run the same sequence.
    pub partition: Option<Partition>,
    /// Where the case files go (a folder `dpconform run --cases` reads).
    pub out: PathBuf,
    /// Where explore.json and explore.md go (kept apart from the cases).
    pub report_dir: Option<PathBuf>,
    /// Most replays spent shrinking one difference.
    pub shrink_budget: usize,
    /// Stop once this many differences were found.
    pub max_findings: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 0,
            sequences: None,
            time: None,
            length: 30,
            jobs: 1,
            partition: None,
            out: PathBuf::from("explored"),
            report_dir: None,
            shrink_budget: 400,
            max_findings: None,
        }
    }
}

/// The endpoint to explore: `explicit`, else the endpoint variables, else a
/// fresh embedded reference (kept alive by the returned target); an error when
/// nothing answers there.
pub async fn connect(
    explicit: Option<&str>,
    timeout: Duration,
    rate: Option<f64>,
) -> Result<(Endpoint, ResolvedTarget), String> {
    let resolved = target::resolve(explicit).await?;
    target::check_reachable(&resolved.endpoint, timeout).await?;
    let endpoint = Endpoint::new(&resolved.endpoint, resolved.credentials.clone(), timeout, rate)?;
    Ok((endpoint, resolved))
}

/// The seed of the `index`-th sequence (splitmix64: nearby indexes, unrelated seeds).
pub fn sequence_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Calls generated one by one from a seed.
struct Generated {
    generator: Generator,
    left: usize,
}

impl Source for Generated {
    fn next(&mut self, bound: &Bindings) -> Option<Call> {
        self.left = self.left.checked_sub(1)?;
        Some(self.generator.next(bound))
    }
}

/// Tokens that make each replay's names and unique ids its own on the endpoint.
struct Tokens {
    nonce: String,
    count: AtomicU64,
}

impl Tokens {
    fn new() -> Tokens {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Tokens {
            nonce: format!("x{:06x}", nanos % 0xFF_FFFF),
            count: AtomicU64::new(0),
        }
    }

    fn next(&self) -> String {
        format!("{}-{}", self.nonce, self.count.fetch_add(1, Ordering::Relaxed))
    }
}

struct Shared {
    endpoint: Endpoint,
    settings: Settings,
    stop: Arc<AtomicBool>,
    tokens: Tokens,
    next: AtomicU64,
    started: Instant,
    summary: Mutex<Summary>,
    /// Signatures found (or being shrunk), with the index of their finding.
    claimed: Mutex<BTreeMap<compare::Signature, Option<usize>>>,
}

impl Shared {
    fn stopped(&self) -> bool {
        let enough = self.settings.max_findings.is_some_and(|max| {
            let claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            claimed.len() >= max
        });
        enough || self.stop.load(Ordering::Relaxed) || self.settings.time.is_some_and(|t| self.started.elapsed() >= t)
    }

    fn summary(&self) -> std::sync::MutexGuard<'_, Summary> {
        self.summary.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Explores `endpoint` until `settings` say stop or `stop` is set (Ctrl-C);
/// writes a case per difference into `settings.out`, and the reports into
/// `settings.report_dir` when given.
pub async fn explore(endpoint: Endpoint, settings: Settings, stop: Arc<AtomicBool>) -> Result<Summary, String> {
    let summary = Summary {
        endpoint: endpoint.url().to_string(),
        seed: settings.seed,
        partition: settings.partition.map(|p| p.to_string()),
        ..Summary::default()
    };
    let shared = Arc::new(Shared {
        endpoint,
        settings,
        stop,
        tokens: Tokens::new(),
        next: AtomicU64::new(0),
        started: Instant::now(),
        summary: Mutex::new(summary),
        claimed: Mutex::new(BTreeMap::new()),
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..shared.settings.jobs.max(1) {
        let shared = shared.clone();
        workers.spawn(async move { worker(&shared).await });
    }
    let mut first_error = None;
    while let Some(result) = workers.join_next().await {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => first_error = first_error.or(Some(e)),
            Err(e) => first_error = first_error.or(Some(format!("an explore worker failed: {e}"))),
        }
    }
    let mut summary = shared.summary().clone();
    summary.seconds = shared.started.elapsed().as_secs_f64();
    summary.interrupted = shared.stop.load(Ordering::Relaxed);
    summary.findings.sort_by(|a, b| a.signature.cmp(&b.signature));
    if let Some(dir) = &shared.settings.report_dir {
        report::write(dir, &summary)?;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(summary),
    }
}

async fn worker(shared: &Shared) -> Result<(), String> {
    let settings = &shared.settings;
    let (k, n) = settings.partition.map_or((1, 1), |p| (p.index as u64, p.count as u64));
    while !shared.stopped() {
        let number = shared.next.fetch_add(1, Ordering::Relaxed);
        if settings.sequences.is_some_and(|max| number >= max) {
            break;
        }
        let seed = sequence_seed(settings.seed, number * n + (k - 1));
        let mut source = Generated {
            generator: Generator::new(seed),
            left: settings.length,
        };
        let outcome = lockstep::run(&shared.endpoint, &mut source, &shared.tokens.next()).await;
        {
            let mut summary = shared.summary();
            summary.sequences += 1;
            summary.calls += outcome.calls.len() as u64;
            summary.compared += outcome.compared as u64;
            for (action, result) in &outcome.reached {
                summary.actions.insert(action.clone());
                summary.pairs.insert((action.clone(), result.clone()));
            }
        }
        let Some(found) = &outcome.found else { continue };
        let seen = {
            let mut claimed = shared.claimed.lock().unwrap_or_else(|e| e.into_inner());
            let seen = claimed.get(&found.signature).copied();
            if seen.is_none() {
                claimed.insert(found.signature.clone(), None);
            }
            seen
        };
        if let Some(index) = seen {
            if let Some(i) = index {
                shared.summary().findings[i].seen_again += 1;
            }
            continue;
        }
        // A difference that a second run of the same calls does not show again
        // rests on timing (a deleting phase ending between the two sides' calls,
        // a slow machine): counted, not reported, and its signature left open.
        let again = lockstep::run(
            &shared.endpoint,
            &mut outcome.calls.clone().into_iter(),
            &shared.tokens.next(),
        )
        .await;
        if !again.found.is_some_and(|f| f.signatures.contains(&found.signature)) {
            shared.summary().unconfirmed += 1;
            shared
                .claimed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&found.signature);
            continue;
        }
        let finding = minimise(shared, seed, &outcome).await?;
        let signature = finding.signature.clone();
        let index = {
            let mut summary = shared.summary();
            summary.findings.push(finding);
            summary.findings.len() - 1
        };
        shared
            .claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(signature, Some(index));
    }
    Ok(())
}

/// Shrinks the sequence of `outcome` to one that still shows its difference
/// (the same signature), writes it as a case, and describes the finding.
async fn minimise(shared: &Shared, seed: u64, outcome: &Outcome) -> Result<Finding, String> {
    let Some(found) = &outcome.found else {
        return Err("minimise: no difference".into());
    };
    let target = found.signature.clone();
    let replays = AtomicU64::new(0);
    let minimal = shrink::shrink(outcome.calls.clone(), shared.settings.shrink_budget, |calls| {
        let target = target.clone();
        let replays = &replays;
        async move {
            if shared.stop.load(Ordering::Relaxed) {
                return false;
            }
            let replay = lockstep::run(&shared.endpoint, &mut calls.into_iter(), &shared.tokens.next()).await;
            replays.fetch_add(replay.calls.len() as u64, Ordering::Relaxed);
            replay.found.is_some_and(|f| f.signatures.contains(&target))
        }
    })
    .await;
    // Once more, for the answers the case expects (an endpoint that changed its
    // mind keeps the original sequence).
    let last = lockstep::run(
        &shared.endpoint,
        &mut minimal.clone().into_iter(),
        &shared.tokens.next(),
    )
    .await;
    let (calls, shown, bound, answers) = match &last.found {
        Some(f) if f.signatures.contains(&target) => (minimal, f.clone(), last.bound.clone(), last.answers.clone()),
        _ => (
            outcome.calls.clone(),
            found.clone(),
            outcome.bound.clone(),
            outcome.answers.clone(),
        ),
    };
    let mut shown = shown;
    shown.signature = target.clone();
    let case = case_file::write(
        &shared.settings.out,
        &case_file::Finding {
            seed,
            calls: &calls,
            found: &shown,
            bound: &bound,
            answers: &answers,
        },
    )?;
    shared.summary().shrink_calls += replays.load(Ordering::Relaxed) + last.calls.len() as u64;
    Ok(Finding {
        basis: grades::basis(&target),
        signature: target,
        seed,
        original_calls: outcome.calls.len(),
        minimal_calls: calls.len(),
        case,
        reference: shown.reference,
        endpoint: shown.endpoint,
        seen_again: 0,
    })
}
