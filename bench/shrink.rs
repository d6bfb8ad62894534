//! Figure (e) of `bench/run`, the second half: how long `dpconform explore`
//! takes to shrink a 50-call sequence (issue 16).
//!
//! An endpoint with one stateful bug planted (the proxy of the integration
//! tests, `tests/it/support/planted.rs`, in front of an embedded reference)
//! stands in for a broken implementation. Generated sequences are run against
//! it in lock step, as the explorer runs them, seed after seed (the explorer's
//! seeds: `sequence_seed(--seed, 0)`, `sequence_seed(--seed, 1)`, ...), until
//! one whose first difference is that bug's and falls on its last call, the
//! `--length`-th: all its calls are the sequence to shrink (the explorer
//! shrinks the calls up to the difference, so this is a sequence it would
//! shrink as it stands). A replay of those calls must show the difference
//! again, as the explorer asks before it shrinks.
//!
//! Then `shrink::shrink` runs on it `--runs` times with the explorer's budget
//! and predicate (`explore::minimise`): each candidate is replayed in lock step
//! with a token of its own, and kept when the replay shows the same signature
//! with the same reference status and error type there. Only the shrink is
//! timed (not the search, nor the explorer's last run of the minimal sequence
//! and its case file).
//!
//! The bug (`--bug`, default DescriptionDroppedAfterRemoveTags: once tags were
//! removed from a pipeline, DescribePipelines drops its description): of the
//! stateful bugs, the one whose sequence the search meets first with seed 1
//! (sequence 31, under a second; DescriptionDroppedAfterActivation takes 1030
//! sequences, about 20 s, TagsLostAfterDeactivation 551), since the generator
//! removes tags and describes often and the first DescribePipelines after a
//! RemoveTags shows it. Its minimal sequence is 3 calls (create, remove tags,
//! describe), so the shrink has 47 of the 50 to drop, as with a real finding;
//! the other stateful bugs shrink 50 calls in about the same time (0.55 to
//! 0.8 s each, one run each, release build, on the 2-core machine of
//! docs/performance.md).
//!
//! Usage: `bench-shrink [--seed S] [--length N] [--runs N] [--budget N] [--search N] [--bug NAME]`.
//! Prints one line on stdout:
//! `shrink: from=50 to=K median_ms=.. min_ms=.. max_ms=.. replays=R replayed_calls=C runs=N seed=S sequence=I bug=NAME`
//! (`replays`: candidates replayed, `replayed_calls`: calls they made, both of
//! the median run; `sequence`: the index of the sequence shrunk), and a line
//! for people on stderr. Exits 1 when no sequence in the search shows the bug.

#[path = "../tests/it/support/planted.rs"]
#[allow(dead_code)]
mod planted;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dpconform::explore::generate::Generated;
use dpconform::explore::lockstep::{self, Endpoint, Outcome};
use dpconform::explore::sequence::{Call, Tokens};
use dpconform::explore::{sequence_seed, shrink, Settings};
use dpconform::Credentials;
use planted::Bug;

struct Args {
    seed: u64,
    length: usize,
    runs: usize,
    budget: usize,
    search: u64,
    bug: Bug,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        seed: 1,
        length: 50,
        runs: 5,
        budget: Settings::default().shrink_budget,
        search: 3000,
        bug: Bug::DescriptionDroppedAfterRemoveTags,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        fn number<T: std::str::FromStr>(arg: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{arg}: not a number: `{v}`"))
        }
        match arg.as_str() {
            "--seed" => parsed.seed = number(&arg, value()?)?,
            "--length" => parsed.length = number(&arg, value()?)?,
            "--runs" => parsed.runs = number(&arg, value()?)?,
            "--budget" => parsed.budget = number(&arg, value()?)?,
            "--search" => parsed.search = number(&arg, value()?)?,
            "--bug" => {
                let name = value()?;
                parsed.bug = Bug::STATEFUL
                    .into_iter()
                    .find(|b| format!("{b:?}") == name)
                    .ok_or_else(|| {
                        let names: Vec<String> = Bug::STATEFUL.iter().map(|b| format!("{b:?}")).collect();
                        format!("--bug: `{name}` is none of {}", names.join(", "))
                    })?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.length == 0 || parsed.runs == 0 || parsed.search == 0 {
        return Err("--length, --runs and --search must be above 0".into());
    }
    Ok(parsed)
}

/// The action whose answer shows each stateful bug (as in tests/it/explore.rs).
fn shown_by(bug: Bug) -> &'static str {
    match bug {
        Bug::ListDropsActivatedPipelines | Bug::ListDropsPipelinesAfterRemoveTags => "ListPipelines",
        _ => "DescribePipelines",
    }
}

/// The sequence to shrink: its index, its calls, and the run that showed the difference again.
struct Found {
    index: u64,
    calls: Vec<Call>,
    shown: Outcome,
    target: dpconform::explore::compare::Signature,
}

async fn search(endpoint: &Endpoint, tokens: &Tokens, args: &Args) -> Option<Found> {
    for index in 0..args.search {
        let mut source = Generated::new(sequence_seed(args.seed, index), args.length);
        let outcome = lockstep::run(endpoint, &mut source, &tokens.next()).await;
        let Some(found) = &outcome.found else { continue };
        if found.index + 1 != args.length || found.signature.action != shown_by(args.bug) {
            continue;
        }
        // As the explorer does before it shrinks: the same calls show it again.
        let target = found.signature.clone();
        let calls = outcome.calls;
        let again = lockstep::run(endpoint, &mut calls.clone().into_iter(), &tokens.next()).await;
        if again.shown(&target).is_some() {
            return Some(Found {
                index,
                calls,
                shown: again,
                target,
            });
        }
    }
    None
}

/// One timed shrink: (milliseconds, calls left, replays, calls replayed).
async fn shrink_once(endpoint: &Endpoint, tokens: &Tokens, found: &Found, budget: usize) -> (f64, usize, u64, u64) {
    let target = &found.target;
    let original = found
        .shown
        .shown(target)
        .map(|f| (f.reference.status, f.reference.error_type.clone()));
    let replays = AtomicU64::new(0);
    let replayed_calls = AtomicU64::new(0);
    let started = Instant::now();
    let minimal = shrink::shrink(found.calls.clone(), budget, |candidate| {
        let original = original.clone();
        let (replays, replayed_calls) = (&replays, &replayed_calls);
        async move {
            let replay = lockstep::run(endpoint, &mut candidate.into_iter(), &tokens.next()).await;
            replays.fetch_add(1, Ordering::Relaxed);
            replayed_calls.fetch_add(replay.calls.len() as u64, Ordering::Relaxed);
            replay
                .shown(target)
                .is_some_and(|f| Some((f.reference.status, f.reference.error_type.clone())) == original)
        }
    })
    .await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (
        ms,
        minimal.len(),
        replays.load(Ordering::Relaxed),
        replayed_calls.load(Ordering::Relaxed),
    )
}

async fn bench(args: &Args, url: &str) -> Result<(), String> {
    let endpoint = Endpoint::new(url, Credentials::embedded(), Duration::from_secs(20), None)?;
    let tokens = Tokens::new();
    let searching = Instant::now();
    let Some(found) = search(&endpoint, &tokens, args).await else {
        return Err(format!(
            "no sequence of the first {} (seed {}) shows {:?} at its call {} (--length): try another --seed or a larger --search",
            args.search, args.seed, args.bug, args.length
        ));
    };
    eprintln!(
        "bench-shrink: sequence {} of seed {} shows {:?} ({}) at call {} (found in {:.1} s)",
        found.index,
        args.seed,
        args.bug,
        found.target,
        args.length,
        searching.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    for _ in 0..args.runs {
        runs.push(shrink_once(&endpoint, &tokens, &found, args.budget).await);
    }
    let lefts: Vec<usize> = runs.iter().map(|r| r.1).collect();
    if lefts.iter().any(|&k| k != lefts[0]) {
        eprintln!("bench-shrink: the runs shrank to different lengths: {lefts:?}");
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median_ms, to, replays, replayed_calls) = runs[runs.len() / 2];
    let (min_ms, max_ms) = (runs[0].0, runs[runs.len() - 1].0);
    println!(
        "shrink: from={} to={to} median_ms={median_ms:.1} min_ms={min_ms:.1} max_ms={max_ms:.1} replays={replays} replayed_calls={replayed_calls} runs={} seed={} sequence={} bug={:?}",
        found.calls.len(),
        args.runs,
        args.seed,
        found.index,
        args.bug
    );
    eprintln!(
        "bench-shrink: {} calls shrunk to {to} in {median_ms:.0} ms (median of {}; {min_ms:.0}-{max_ms:.0} ms), {replays} replays of {replayed_calls} calls in all, budget {}",
        found.calls.len(),
        args.runs,
        args.budget
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("bench-shrink: {e}");
            eprintln!("usage: bench-shrink [--seed S] [--length N] [--runs N] [--budget N] [--search N] [--bug NAME]");
            std::process::exit(2);
        }
    };
    let planted = planted::start(args.bug);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-shrink: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(bench(&args, &planted.url)) {
        eprintln!("bench-shrink: {e}");
        std::process::exit(1);
    }
}
