//! Stopping a run early (Ctrl-C) without losing what it has. A first request
//! lets the cases in flight finish, so that their `finally` steps clean up on
//! the endpoint; a second stops them at once. Either way the run ends with the
//! cases that finished, marked as interrupted, and the reports are written.

use tokio::sync::watch;

/// How far a stop request has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum StopLevel {
    /// No stop requested.
    Running,
    /// Start no new case; let those in flight finish.
    Drain,
    /// Stop the cases in flight too.
    Abort,
}

/// The runner's side: waits for a stop request. Made with its [`StopHandle`] by
/// [`crate::session::interrupt_channel`], and handed to the run.
#[derive(Debug, Clone)]
pub struct Interrupt(watch::Receiver<StopLevel>);

/// The side that asks the run to stop: handed to the Ctrl-C handler,
/// [`crate::session::stop_on_ctrl_c`].
#[derive(Debug)]
pub struct StopHandle(watch::Sender<StopLevel>);

impl Interrupt {
    /// A new stop request, not raised: the handle that raises it and the interrupt that sees it.
    pub(crate) fn channel() -> (StopHandle, Interrupt) {
        let (tx, rx) = watch::channel(StopLevel::Running);
        (StopHandle(tx), Interrupt(rx))
    }

    /// An interrupt that never comes.
    pub(crate) fn never() -> Interrupt {
        let (handle, interrupt) = Interrupt::channel();
        // The receiver keeps the last value once the sender is gone: Running, for ever.
        drop(handle);
        interrupt
    }

    /// How far the stop request has gone now.
    pub(crate) fn level(&self) -> StopLevel {
        *self.0.borrow()
    }

    /// Resolves once the stop request reaches `level`; never, if it does not.
    pub(crate) async fn reached(&self, level: StopLevel) {
        let mut rx = self.0.clone();
        if rx.wait_for(|l| *l >= level).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl StopHandle {
    /// Raises the stop request to `level` (never lowers it).
    pub(crate) fn raise(&self, level: StopLevel) {
        self.0.send_if_modified(|current| {
            let raise = level > *current;
            if raise {
                *current = level;
            }
            raise
        });
    }
}
