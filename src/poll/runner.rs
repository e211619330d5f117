//! The periodic runner every poller is built on: one job in flight at a
//! time, a cadence that decides the wait after each run (fixed for the
//! probe, backing off for AWS), a "run now" kick, an optional watch that
//! wakes it early when its inputs change, and cancellation. The runner
//! ends as soon as nobody takes its results.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

/// Decides how long to wait after a run, from its result.
pub trait Cadence<T>: Send + 'static {
    fn after(&mut self, result: &T) -> Duration;
}

/// The same wait after every run, whatever it returned: a sampler that
/// must not slow down when what it measures fails.
pub struct Fixed(pub Duration);

impl<T> Cadence<T> for Fixed {
    fn after(&mut self, _: &T) -> Duration {
        self.0
    }
}

/// What the runners of one session share: cancellation and the kick.
#[derive(Clone, Default)]
pub struct Control {
    cancel: CancellationToken,
    kick: Arc<Notify>,
}

impl Control {
    pub fn new() -> Control {
        Control::default()
    }

    /// A control cancelled with this one but kicked on its own: for a
    /// sampler whose interval must stay regular when the operator asks
    /// for a refresh.
    pub fn sibling(&self) -> Control {
        Control {
            cancel: self.cancel.clone(),
            kick: Arc::default(),
        }
    }

    /// Every runner runs its job now instead of waiting out its cadence.
    pub fn kick(&self) {
        self.kick.notify_waiters();
    }

    /// Completes at the next kick.
    pub async fn kicked(&self) {
        self.kick.notified().await;
    }

    /// Completes when the session is cancelled.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Spawns a runner. `job` makes one run from the latest `input`;
    /// `cadence` says how long to wait after it; `sink` takes the result
    /// and the wait, and returns false when nobody listens any more. The
    /// first run waits until `ready(input)`; a change of `input` ends a
    /// wait early. (`fixed_input` gives a job that needs none.)
    pub fn spawn<W, T, J, Fut, C, S, SFut>(
        &self,
        mut input: watch::Receiver<W>,
        ready: fn(&W) -> bool,
        mut job: J,
        mut cadence: C,
        mut sink: S,
    ) where
        W: Clone + Send + Sync + 'static,
        T: Send + 'static,
        J: FnMut(W) -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send,
        C: Cadence<T>,
        S: FnMut(T, Duration) -> SFut + Send + 'static,
        SFut: Future<Output = bool> + Send,
    {
        let ctl = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = ctl.cancel.cancelled() => return,
                r = input.wait_for(ready) => if r.is_err() { return },
            }
            loop {
                let value = input.borrow_and_update().clone();
                // One run in flight: the next starts only after this one
                // has answered.
                let result = tokio::select! {
                    _ = ctl.cancel.cancelled() => return,
                    r = job(value) => r,
                };
                let wait = cadence.after(&result);
                if !sink(result, wait).await {
                    return;
                }
                let changed = async {
                    if input.changed().await.is_err() {
                        // The sender is gone: nothing will change again,
                        // so only time and kicks wake us.
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = ctl.cancel.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                    _ = ctl.kick.notified() => {}
                    _ = changed => {}
                }
            }
        });
    }
}

/// Runs `fut`; a panic inside it comes back as its message. A poller's
/// or an effect's panic is then one failed run, shown where its result
/// would be, never a task that silently stops (or a drill whose window
/// says "running" for ever).
pub async fn contained<T>(fut: impl Future<Output = T>) -> Result<T, String> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .map_err(|p| {
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into())
        })
}

/// The input of a job that needs none: never changes, always ready.
pub fn fixed_input() -> watch::Receiver<()> {
    watch::channel(()).1
}

/// A `ready` for inputs that are always ready.
pub fn always<W>(_: &W) -> bool {
    true
}

#[cfg(test)]
mod tests;
