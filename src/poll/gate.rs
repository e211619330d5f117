//! Credentials that expire (an SSO session on a bastion runs out after
//! hours): the first call AWS refuses for them pauses every AWS poller,
//! one call (`sts:GetCallerIdentity`) tries again every 30 s, and the
//! first one that passes resumes them all at once. Without this, seven
//! pollers would each fail on their own and keep asking, each pane saying
//! the same thing in its own words.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cloud::{Cloud, CloudError, ErrorKind};
use crate::model::Time;
use crate::model::observe::Paused;

use super::runner::Control;

/// How often the one call tries again while paused.
pub const RETRY: Duration = Duration::from_secs(30);
/// A refresh tries at once, but not more often than this.
const KICK_FLOOR: Duration = Duration::from_secs(2);

#[derive(Default)]
struct Inner {
    paused: Option<Paused>,
    /// The monotonic time of the next try, for the countdown shown.
    next_try: Option<tokio::time::Instant>,
}

/// Whether the AWS pollers may call AWS; shared by all of a session's.
#[derive(Default)]
pub struct Gate {
    inner: Mutex<Inner>,
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// While paused, the refusal a poller shows instead of calling AWS.
    pub fn closed(&self) -> Option<CloudError> {
        self.lock().paused.as_ref().map(|p| p.error.clone())
    }

    /// What the screen says: since when, why, and when the next try is.
    pub fn paused(&self) -> Option<Paused> {
        let g = self.lock();
        let mut p = g.paused.clone()?;
        p.next_try_in = g
            .next_try
            .map(|t| t.saturating_duration_since(tokio::time::Instant::now()));
        Some(p)
    }

    /// A poller's call failed. Credentials refused: pause, and start the
    /// one call that tries again (once per pause).
    pub fn failed(
        self: &Arc<Self>,
        e: &CloudError,
        now: Time,
        cloud: &Arc<dyn Cloud>,
        ctl: &Control,
    ) {
        if e.kind != ErrorKind::Credentials {
            return;
        }
        {
            let mut g = self.lock();
            if g.paused.is_some() {
                return;
            }
            tracing::warn!(error = %e, "credentials refused: AWS polling paused");
            g.paused = Some(Paused {
                since: now,
                error: e.clone(),
                tries: 0,
                next_try_in: None,
            });
            g.next_try = Some(tokio::time::Instant::now() + RETRY);
        }
        let (gate, cloud, ctl) = (self.clone(), cloud.clone(), ctl.clone());
        tokio::spawn(async move { gate.try_again(cloud, ctl).await });
    }

    /// Every 30 s, or at once when the operator refreshes (`r` after
    /// `aws sso login`): one call. Anything but a refusal of the
    /// credentials resumes every poller now.
    async fn try_again(self: Arc<Self>, cloud: Arc<dyn Cloud>, ctl: Control) {
        let mut last: Option<tokio::time::Instant> = None;
        loop {
            let at = self.lock().next_try;
            let Some(at) = at else { return };
            tokio::select! {
                _ = ctl.cancelled() => return,
                _ = tokio::time::sleep_until(at) => {}
                _ = ctl.kicked() => {
                    // A refresh key held down, or the drill hurrying the
                    // pollers, is not a call each time.
                    if last.is_some_and(|l| l.elapsed() < KICK_FLOOR) {
                        continue;
                    }
                }
            }
            last = Some(tokio::time::Instant::now());
            let result = tokio::select! {
                _ = ctl.cancelled() => return,
                r = cloud.identity() => r,
            };
            let mut g = self.lock();
            match result {
                Err(e) if e.kind == ErrorKind::Credentials => {
                    if let Some(p) = g.paused.as_mut() {
                        p.tries += 1;
                        p.error = e;
                    }
                    g.next_try = Some(tokio::time::Instant::now() + RETRY);
                }
                _ => {
                    tracing::info!("credentials accepted again: AWS polling resumed");
                    g.paused = None;
                    g.next_try = None;
                    drop(g);
                    // Every poller now, not after its backoff.
                    ctl.kick();
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
