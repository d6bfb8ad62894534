//! State shared by all cases of one run.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The run's identity and the request IDs seen so far.
#[derive(Debug)]
pub struct RunContext {
    /// The run's id: short, lowercase, unique enough across runs (`t4k2mq-x81c`).
    pub(crate) run_id: String,
    request_ids: Mutex<HashMap<String, String>>,
}

impl RunContext {
    /// A new run: a fresh run id, no request id seen yet.
    pub(crate) fn new() -> Self {
        RunContext {
            run_id: new_run_id(),
            request_ids: Mutex::new(HashMap::new()),
        }
    }

    /// Records a response's request ID; `Err(first)` names the step that already had it.
    pub(crate) fn record_request_id(&self, id: &str, step: &str) -> Result<(), String> {
        let mut seen = self.request_ids.lock().unwrap_or_else(|p| p.into_inner());
        match seen.get(id) {
            Some(first) => Err(first.clone()),
            None => {
                seen.insert(id.to_string(), step.to_string());
                Ok(())
            }
        }
    }
}

impl Default for RunContext {
    fn default() -> Self {
        Self::new()
    }
}

/// Short, lowercase, unique enough across runs: seconds since the epoch in base 36
/// plus 4 random base-36 characters (e.g. `t4k2mq-x81c`).
fn new_run_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let random = uuid::Uuid::new_v4().as_u128();
    format!("{}-{}", base36(secs as u128, 0), base36(random, 4))
}

fn base36(mut n: u128, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 && (width == 0 || out.len() < width) {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width.max(1) {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_recorded_once() {
        let ctx = RunContext::new();
        assert!(ctx.record_request_id("a", "x::one").is_ok());
        assert_eq!(ctx.record_request_id("a", "y::two"), Err("x::one".to_string()));
    }

    #[test]
    fn run_ids_differ() {
        assert_ne!(RunContext::new().run_id, RunContext::new().run_id);
    }
}
