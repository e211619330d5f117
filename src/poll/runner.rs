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

/// The input of a job that needs none: never changes, always ready.
pub fn fixed_input() -> watch::Receiver<()> {
    watch::channel(()).1
}

/// A `ready` for inputs that are always ready.
pub fn always<W>(_: &W) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn one_run_in_flight_at_a_fixed_cadence_and_ends_when_nobody_listens() {
        let ctl = Control::new();
        let runs = Arc::new(AtomicU32::new(0));
        let in_flight = Arc::new(AtomicU32::new(0));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
        {
            let runs = runs.clone();
            let in_flight = in_flight.clone();
            ctl.spawn(
                fixed_input(),
                always,
                move |()| {
                    let runs = runs.clone();
                    let in_flight = in_flight.clone();
                    async move {
                        assert_eq!(in_flight.fetch_add(1, Ordering::SeqCst), 0);
                        // A run slower than the cadence: the next one waits.
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        runs.fetch_add(1, Ordering::SeqCst) + 1
                    }
                },
                Fixed(Duration::from_millis(100)),
                move |n, _| {
                    let tx = tx.clone();
                    async move { tx.send(n).await.is_ok() }
                },
            );
        }
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        drop(rx);
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The third run found nobody to take its result and ended there.
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_kick_or_a_changed_input_runs_it_early_and_cancel_stops_it() {
        let ctl = Control::new();
        let (wake_tx, wake_rx) = watch::channel(0u32);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(4);
        ctl.spawn(
            wake_rx,
            always,
            |_| async {},
            Fixed(Duration::from_secs(3600)),
            move |(), _| {
                let tx = tx.clone();
                async move { tx.send(()).await.is_ok() }
            },
        );
        rx.recv().await;
        // Let the runner reach its wait before kicking it.
        tokio::time::sleep(Duration::from_millis(50)).await;
        ctl.kick();
        tokio::time::timeout(Duration::from_secs(1), rx.recv())
            .await
            .expect("kick runs it now");
        tokio::time::sleep(Duration::from_millis(50)).await;
        wake_tx.send_replace(1);
        tokio::time::timeout(Duration::from_secs(1), rx.recv())
            .await
            .expect("a changed input runs it now");
        ctl.cancel();
        assert_eq!(rx.recv().await, None, "cancelled: the runner is gone");
    }
}
