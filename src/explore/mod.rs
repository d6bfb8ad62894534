//! `dpconform explore`: generated call sequences run against an endpoint and,
//! in lock step, against a fresh embedded reference; each difference shrunk to
//! a minimal sequence and written as an ordinary case file.
//!
//! [`generate`] makes the calls (a state machine over the 19 actions and a
//! generator of definitions), [`sequence`] holds them as data, [`lockstep`]
//! runs them on both sides and [`compare`] judges the answers; [`shrink`]
//! minimises a difference, [`case_file`] writes it and [`replay`] replays it
//! with the runner on both sides; [`evidence`] says whether the reference's
//! side is evidenced, [`buckets`] puts differences in kinds, and [`report`]
//! and [`html`] tell what was found.

pub mod buckets;
pub mod case_file;
pub mod compare;
pub mod evidence;
pub mod generate;
pub mod html;
pub mod lockstep;
pub mod replay;
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
use generate::Generated;
use lockstep::{Endpoint, Outcome};
use report::{Finding, Summary};
use sequence::{Call, Tokens};

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

/// What an exploration tells while it goes (for a progress display).
#[derive(Debug, Clone)]
pub enum Event {
    /// A sequence ran; the totals so far.
    SequenceDone {
        /// Sequences run.
        sequences: u64,
        /// Calls compared.
        compared: u64,
        /// Differences found (one per signature).
        findings: usize,
    },
    /// A difference was confirmed, shrunk and written.
    Found(Box<Finding>),
}

/// Receives an exploration's events, from its workers.
pub type Watcher = Arc<dyn Fn(Event) + Send + Sync>;

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

struct Shared {
    watcher: Watcher,
    replayer: replay::Replayer,
    endpoint: Endpoint,
    evidence: &'static evidence::Evidence,
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
    explore_watched(endpoint, settings, stop, Arc::new(|_| {})).await
}

/// [`explore`], telling `watcher` of each sequence run and difference found.
pub async fn explore_watched(
    endpoint: Endpoint,
    settings: Settings,
    stop: Arc<AtomicBool>,
    watcher: Watcher,
) -> Result<Summary, String> {
    let summary = Summary {
        endpoint: endpoint.url().to_string(),
        seed: settings.seed,
        partition: settings.partition.map(|p| p.to_string()),
        ..Summary::default()
    };
    let evidence = evidence::Evidence::corpus()?;
    let replayer = replay::Replayer::start(&endpoint).await?;
    let shared = Arc::new(Shared {
        watcher,
        replayer,
        endpoint,
        evidence,
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
        let mut source = Generated::new(seed, settings.length);
        let outcome = lockstep::run(&shared.endpoint, &mut source, &shared.tokens.next()).await;
        let done = {
            let mut summary = shared.summary();
            summary.sequences += 1;
            summary.calls += outcome.calls.len() as u64;
            summary.compared += outcome.compared as u64;
            for (action, result) in &outcome.reached {
                summary.actions.insert(action.clone());
                summary.pairs.insert((action.clone(), result.clone()));
            }
            Event::SequenceDone {
                sequences: summary.sequences,
                compared: summary.compared,
                findings: summary.findings.len(),
            }
        };
        (shared.watcher)(done);
        let candidates: Vec<&lockstep::Found> = outcome.envelope.iter().chain(&outcome.found).collect();
        for found in candidates {
            if shared.stop.load(Ordering::Relaxed) {
                break;
            }
            consider(shared, seed, &outcome, found).await?;
        }
    }
    Ok(())
}

/// A difference found in `outcome`: reported once per signature, after a
/// second run of the same calls shows it again (what does not rests on timing:
/// a deleting phase ending between the two sides' calls, a slow machine; it is
/// counted, not reported, and its signature left open).
async fn consider(shared: &Shared, seed: u64, outcome: &Outcome, found: &lockstep::Found) -> Result<(), String> {
    let target = found.signature.clone();
    let seen = {
        let mut claimed = shared.claimed.lock().unwrap_or_else(|e| e.into_inner());
        let seen = claimed.get(&target).copied();
        if seen.is_none() {
            claimed.insert(target.clone(), None);
        }
        seen
    };
    if let Some(index) = seen {
        if let Some(i) = index {
            shared.summary().findings[i].seen_again += 1;
        }
        return Ok(());
    }
    let calls = outcome.calls[..=found.index].to_vec();
    let again = lockstep::run(&shared.endpoint, &mut calls.clone().into_iter(), &shared.tokens.next()).await;
    if again.shown(&target).is_none() {
        {
            let mut summary = shared.summary();
            summary.unconfirmed += 1;
            *summary.unconfirmed_signatures.entry(target.to_string()).or_default() += 1;
        }
        shared.claimed.lock().unwrap_or_else(|e| e.into_inner()).remove(&target);
        return Ok(());
    }
    let finding = minimise(shared, seed, calls, &again, target.clone()).await?;
    (shared.watcher)(Event::Found(Box::new(finding.clone())));
    let index = {
        let mut summary = shared.summary();
        summary.findings.push(finding);
        summary.findings.len() - 1
    };
    shared
        .claimed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(target, Some(index));
    Ok(())
}

/// Shrinks `calls` (whose run `shown` showed the difference `target`) to a
/// sequence that still shows it, writes it as a case (ending at the call that
/// differs), and describes the finding.
async fn minimise(
    shared: &Shared,
    seed: u64,
    calls: Vec<Call>,
    shown: &Outcome,
    target: compare::Signature,
) -> Result<Finding, String> {
    // The reference's answer there stays what it was: a body simplified into
    // another error (a required member dropped) is another difference.
    let Some(original) = shown
        .shown(&target)
        .map(|f| (f.reference.status, f.reference.error_type.clone()))
    else {
        return Err("minimise: the difference is not in its run".into());
    };
    let same = move |f: &lockstep::Found| (f.reference.status, f.reference.error_type.clone()) == original;
    let replays = AtomicU64::new(0);
    let minimal = shrink::shrink(calls.clone(), shared.settings.shrink_budget, |candidate| {
        let target = target.clone();
        let replays = &replays;
        let same = same.clone();
        async move {
            if shared.stop.load(Ordering::Relaxed) {
                return false;
            }
            let replay = lockstep::run(&shared.endpoint, &mut candidate.into_iter(), &shared.tokens.next()).await;
            replays.fetch_add(replay.calls.len() as u64, Ordering::Relaxed);
            replay.shown(&target).is_some_and(same)
        }
    })
    .await;
    // Once more, for the answers the case expects (an endpoint that changed its
    // mind keeps the sequence as found).
    let last = lockstep::run(
        &shared.endpoint,
        &mut minimal.clone().into_iter(),
        &shared.tokens.next(),
    )
    .await;
    let (run, calls) = match last.shown(&target) {
        Some(f) if same(f) => (&last, minimal),
        _ => (shown, calls),
    };
    let Some(at) = run.shown(&target) else {
        return Err("minimise: the difference is gone".into());
    };
    let mut at = at.clone();
    at.signature = target.clone();
    let calls = calls[..=at.index].to_vec();
    let answers = &run.answers[..=at.index.min(run.answers.len().saturating_sub(1))];
    let judged = shared.evidence.judge(&target, &at.reference);
    let case = case_file::write(
        &shared.settings.out,
        &case_file::Finding {
            seed,
            calls: &calls,
            found: &at,
            bound: &run.bound,
            answers,
            judged: &judged,
        },
    )?;
    shared.summary().shrink_calls += replays.load(Ordering::Relaxed) + last.calls.len() as u64;
    let replayed = shared.replayer.replay(&case).await;
    Ok(Finding {
        basis: judged.basis,
        evidence: judged.cited,
        signature: target,
        seed,
        original_calls: shown.calls.len(),
        minimal_calls: calls.len(),
        case,
        reference: at.reference,
        endpoint: at.endpoint,
        detail: at.detail,
        replayed,
        seen_again: 0,
    })
}
