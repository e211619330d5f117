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
    /// Counts the resumes: a refusal from a call sent before the last
    /// resume is old news, not a new pause.
    epoch: u64,
    /// The last pause, when the try that ended it could not tell (STS
    /// unreachable or throttled): a refusal soon after continues it.
    unsure: Option<(Paused, tokio::time::Instant)>,
}

/// How long after an unsure resume a refusal continues the same pause.
const UNSURE_FOR: Duration = Duration::from_secs(120);

/// Whether the AWS pollers may call AWS; shared by all of a session's.
#[derive(Default)]
pub struct Gate {
    inner: Mutex<Inner>,
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Before a poller calls AWS: while paused, the refusal to show
    /// instead of calling; else the epoch to hand back with a failure.
    #[allow(clippy::result_large_err)] // handed on as the poll's own CloudResult
    pub fn enter(&self) -> Result<u64, CloudError> {
        let g = self.lock();
        match &g.paused {
            Some(p) => Err(p.error.clone()),
            None => Ok(g.epoch),
        }
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
        (e, epoch): (&CloudError, u64),
        now: Time,
        cloud: &Arc<dyn Cloud>,
        ctl: &Control,
    ) {
        if e.kind != ErrorKind::Credentials {
            return;
        }
        {
            let mut g = self.lock();
            if g.paused.is_some() || epoch < g.epoch {
                return;
            }
            tracing::warn!(error = %e, "credentials refused: AWS polling paused");
            let mut p = Paused {
                since: now,
                error: e.clone(),
                tries: 0,
                next_try_in: None,
            };
            if let Some((before, at)) = g.unsure.take()
                && at.elapsed() < UNSURE_FOR
            {
                // The same pause, not a new one: the banner keeps its age.
                p.since = before.since;
                p.tries = before.tries;
            }
            g.paused = Some(p);
            g.next_try = Some(tokio::time::Instant::now() + RETRY);
        }
        let (gate, cloud, ctl) = (self.clone(), cloud.clone(), ctl.clone());
        tokio::spawn(async move {
            let g = gate.clone();
            if let Err(p) = super::runner::contained(g.try_again(cloud, ctl.clone())).await {
                // Never stuck paused: the pollers try for themselves.
                tracing::error!(panic = %p, "the credentials retry panicked; resuming");
                gate.resume(false);
                ctl.kick();
            }
        });
    }

    /// Ends the pause; `sure`: the try was accepted (not merely not
    /// refused: STS could not be reached, or throttled).
    fn resume(&self, sure: bool) {
        let mut g = self.lock();
        let p = g.paused.take();
        g.next_try = None;
        g.epoch += 1;
        g.unsure = match (sure, p) {
            (false, Some(p)) => Some((p, tokio::time::Instant::now())),
            _ => None,
        };
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
                    // pollers, is not a call each time: one soon after
                    // the last waits for the floor, then tries.
                    if let Some(l) = last
                        && l.elapsed() < KICK_FLOOR
                    {
                        let mut g = self.lock();
                        g.next_try = g.next_try.map(|t| t.min(l + KICK_FLOOR));
                        continue;
                    }
                }
            }
            last = Some(tokio::time::Instant::now());
            let result = tokio::select! {
                _ = ctl.cancelled() => return,
                r = async {
                    // As a new process would: keys replaced on disk, a
                    // session revoked before the cached one's expiry.
                    cloud.reload_credentials().await;
                    cloud.identity().await
                } => r,
            };
            match result {
                Err(e) if e.kind == ErrorKind::Credentials => {
                    let mut g = self.lock();
                    if let Some(p) = g.paused.as_mut() {
                        p.tries += 1;
                        p.error = e;
                    }
                    g.next_try = Some(tokio::time::Instant::now() + RETRY);
                }
                other => {
                    // Accepted; or STS could not say (unreachable from a
                    // private subnet, throttled): the pollers find out.
                    let sure = other.is_ok();
                    tracing::info!(sure, "AWS polling resumed");
                    self.resume(sure);
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
