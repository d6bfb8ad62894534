//! Progress while a run goes: on a terminal an indicatif bar (cases done, of how
//! many, failures so far, the elapsed time) with each case's line printed above
//! it; otherwise one plain line per case as it finishes. An exploration the
//! same way: a spinner with the totals and each difference printed above it as
//! found; otherwise a line per difference and the totals every 30 seconds.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use dpconform::explore::{self, Watcher};
use dpconform::outcome::{CaseStatus, Event, Observer};
use dpconform::report::console;
use dpconform::report::redact::Secrets;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// A bar when stdout and stderr are terminals, plain lines otherwise
    Auto,
    /// Always a bar (on stderr)
    Bar,
    /// Plain lines only
    Plain,
    /// Nothing while the run goes (`--quiet`)
    #[value(skip)]
    Quiet,
}

/// The observer of a run and the handle that ends the bar.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Case lines are printed with `secrets` removed.
    pub fn new(mode: ProgressMode, secrets: Secrets) -> (Progress, Observer) {
        if mode == ProgressMode::Quiet {
            let observer: Observer = Arc::new(|_| {});
            return (Progress { bar: None }, observer);
        }
        let use_bar = match mode {
            ProgressMode::Quiet => false,
            ProgressMode::Bar => true,
            ProgressMode::Plain => false,
            ProgressMode::Auto => std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        };
        if !use_bar {
            let observer: Observer = Arc::new(move |event: Event| {
                if let Event::CaseFinished(case) = event {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{}", secrets.apply(&console::case_line(&case)));
                }
            });
            return (Progress { bar: None }, observer);
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} cases {prefix}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let failed = Arc::new(AtomicUsize::new(0));
        let handle = bar.clone();
        let observer: Observer = Arc::new(move |event: Event| match event {
            // Drawn from here on, below the run's opening line.
            Event::RunStarted { cases, .. } => {
                handle.set_length(cases as u64);
                handle.enable_steady_tick(Duration::from_millis(200));
            }
            Event::CaseStarted { name } => handle.set_message(name),
            Event::CaseFinished(case) => {
                if case.status == CaseStatus::Failed {
                    let n = failed.fetch_add(1, Ordering::Relaxed) + 1;
                    handle.set_prefix(format!("{n} failed"));
                }
                handle.println(secrets.apply(&console::case_line(&case)));
                handle.inc(1);
            }
        });
        (Progress { bar: Some(bar) }, observer)
    }

    /// The watcher of an exploration.
    pub fn for_explore(mode: ProgressMode) -> (Progress, Watcher) {
        let use_bar = match mode {
            ProgressMode::Quiet => {
                let watcher: Watcher = Arc::new(|_| {});
                return (Progress { bar: None }, watcher);
            }
            ProgressMode::Bar => true,
            ProgressMode::Plain => false,
            ProgressMode::Auto => std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        };
        let found_line = |f: &explore::report::Finding| format!("found  {} — {}", f.signature, f.headline());
        let totals = |sequences: u64, compared: u64, findings: usize| {
            format!("{sequences} sequence(s), {compared} compared call(s), {findings} difference(s)")
        };
        if !use_bar {
            let started = Instant::now();
            let last = Mutex::new(Instant::now());
            let watcher: Watcher = Arc::new(move |event| match event {
                explore::Event::Found(f) => println!("{}", found_line(&f)),
                explore::Event::SequenceDone {
                    sequences,
                    compared,
                    findings,
                } => {
                    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                    if last.elapsed() >= Duration::from_secs(30) {
                        *last = Instant::now();
                        eprintln!(
                            "explore: {} after {} s",
                            totals(sequences, compared, findings),
                            started.elapsed().as_secs()
                        );
                    }
                }
            });
            return (Progress { bar: None }, watcher);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let handle = bar.clone();
        let watcher: Watcher = Arc::new(move |event| match event {
            explore::Event::Found(f) => handle.println(found_line(&f)),
            explore::Event::SequenceDone {
                sequences,
                compared,
                findings,
            } => handle.set_message(totals(sequences, compared, findings)),
        });
        (Progress { bar: Some(bar) }, watcher)
    }

    /// Removes the bar; the case lines stay.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
