//! Pollers: one runner per resource kind, each with its own cadence, at
//! most one request in flight, backoff on throttling and faults, and a
//! cancellation token. They send owned observations (`model::observe`); a
//! poller ends as soon as its receiver is gone.

mod aws;
pub mod gate;
pub mod governor;
mod pace;
pub mod runner;

pub use pace::{
    FAST, FAST_AFTER_ACTION, FAST_WHILE_CHANGING, Hurry, Pace, RELAXED, in_motion, in_motion_with,
};

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::cloud::{Cloud, CloudError, CloudResult, ErrorKind};
use crate::model::observe::{Failure, Observation, PollEvent, Resource};
use crate::model::{ServiceRef, Task, TaskDef};
use gate::Gate;
use governor::Governor;
use runner::{Cadence, Control};

/// Delay after a failure: throttling and faults back off exponentially up
/// to two minutes; a missing permission will not fix itself soon either.
pub fn backoff(base: Duration, kind: ErrorKind, failures: u32) -> Duration {
    let start = match kind {
        ErrorKind::Throttled => base.max(Duration::from_secs(2)),
        ErrorKind::AccessDenied => Duration::from_secs(30),
        // Refused credentials pause every poller (`gate`): no call is made
        // while paused, so a short wait costs nothing, and a poller that
        // missed the resume's kick is back within seconds.
        ErrorKind::Credentials => return Duration::from_secs(5),
        _ => base,
    };
    let factor = 1u32 << failures.saturating_sub(1).min(6);
    (start * factor).min(Duration::from_secs(120))
}

/// An AWS poller's cadence: `every` after a success, stretched by the
/// shared governor's pace for the API; a throttle slows every poller of
/// that API at once; other failures back off by their kind, in a row.
pub struct Governed {
    every: Duration,
    api: &'static str,
    governor: Arc<Governor>,
    failures: u32,
    /// For the fast-changing pollers: 1 s while something changes.
    pace: Option<Arc<Pace>>,
}

impl Governed {
    pub fn new(every: Duration, api: &'static str, governor: Arc<Governor>) -> Governed {
        Governed {
            every,
            api,
            governor,
            failures: 0,
            pace: None,
        }
    }

    fn every(&self) -> Duration {
        match &self.pace {
            Some(p) => p.cadence(self.every),
            None => self.every,
        }
    }
}

impl<T> Cadence<CloudResult<T>> for Governed {
    fn after(&mut self, result: &CloudResult<T>) -> Duration {
        match result {
            Ok(_) => {
                self.failures = 0;
                self.governor.succeeded(self.api);
                // The governor's stretch applies to the fast cadence too:
                // a throttle wins over hurrying.
                self.governor.stretch(self.api, self.every())
            }
            Err(e) if e.kind == ErrorKind::Throttled => {
                let api = governor::api_of(&e.action);
                self.governor.throttled(api);
                self.governor.stretch(api, self.every)
            }
            Err(e) => {
                self.failures += 1;
                self.governor
                    .stretch(self.api, backoff(self.every, e.kind, self.failures))
            }
        }
    }
}

/// What the logs poller needs: the task definitions' log configurations
/// and the tasks whose streams to read.
#[derive(Debug, Clone, Default)]
struct LogInputs {
    task_defs: Vec<TaskDef>,
    tasks: Vec<Task>,
}

/// The task definitions in use: the service's current one, its
/// deployments', and each listed task's own.
#[derive(Debug, Clone, Default, PartialEq)]
struct Needed {
    service: BTreeSet<String>,
    tasks: BTreeSet<String>,
}

impl Needed {
    fn all(&self) -> BTreeSet<String> {
        self.service.union(&self.tasks).cloned().collect()
    }
}

/// The logs poller's cadence: a line should be on screen within about
/// 1.5 s of becoming readable.
pub const LOG_POLL: Duration = Duration::from_secs(1);

/// Which pollers a session runs, and how often.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The fast-changing resources (service, tasks, targets); EFS every
    /// six of these.
    pub refresh: Duration,
    /// Follow the containers' logs (the dashboard does; `status` does not).
    pub logs: bool,
    /// Read CPU and memory from CloudWatch once a minute.
    pub metrics: bool,
    /// Probe the API through the load balancer (the session runs it).
    pub probe: Option<crate::model::probe::ProbeConfig>,
}

/// Handles to the running pollers; dropping them stops every poller.
pub struct Pollers {
    ctl: Control,
    governor: Arc<Governor>,
    gate: Arc<Gate>,
    pace: Arc<Pace>,
    refresh: Duration,
    probe_url: watch::Receiver<Option<String>>,
}

impl Pollers {
    /// Ask every poller to poll now ("r").
    pub fn refresh(&self) {
        self.ctl.kick();
    }

    /// A restart was sent: poll fast for a while.
    pub fn hurry(&self) {
        self.pace.hurry_for(FAST_AFTER_ACTION);
    }

    /// The cadence of the service, task and target pollers now.
    pub fn cadence(&self) -> Duration {
        self.pace.cadence(self.refresh)
    }

    /// A handle that hurries these pollers from another task (the drill).
    pub fn hurry_handle(&self) -> Hurry {
        Hurry {
            pace: self.pace.clone(),
            ctl: self.ctl.clone(),
        }
    }

    /// The base URL found from the service's load balancer, once known.
    pub fn probe_url(&self) -> watch::Receiver<Option<String>> {
        self.probe_url.clone()
    }

    /// Cancelled with the pollers, kicked on its own.
    pub fn sibling(&self) -> Control {
        self.ctl.sibling()
    }

    /// The APIs the pollers are slowing down on, because AWS throttles them.
    pub fn slowed(&self) -> Vec<governor::Slowed> {
        self.governor.slowed()
    }

    /// AWS polling is paused: the credentials were refused.
    pub fn paused(&self) -> Option<crate::model::observe::Paused> {
        self.gate.paused()
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        self.ctl.cancel();
    }
}

static TEST_PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What an AWS poller shares with the others of its session.
struct Shared<'a> {
    ctl: &'a Control,
    governor: &'a Arc<Governor>,
    /// For the fast-changing pollers: hurried while something changes.
    pace: Option<&'a Arc<Pace>>,
    gate: &'a Arc<Gate>,
    cloud: &'a Arc<dyn Cloud>,
}

/// Spawns an AWS poller: `job` at `every`, backing off on failures, its
/// results sent as `PollEvent`s of `resource`. While the credentials are
/// refused it calls nothing, and says so in its pane.
fn spawn_aws<W, J, Fut>(
    sh: Shared,
    tx: &mpsc::Sender<PollEvent>,
    (resource, api): (Resource, &'static str),
    every: Duration,
    (input, ready): (watch::Receiver<W>, fn(&W) -> bool),
    job: J,
) where
    W: Clone + Send + Sync + 'static,
    J: FnMut(W) -> Fut + Send + 'static,
    Fut: Future<Output = CloudResult<Observation>> + Send,
{
    let Shared {
        ctl,
        governor,
        pace,
        gate,
        cloud,
    } = sh;
    let tx = tx.clone();
    let pace_for_sink = pace.cloned();
    let (gate, cloud, ctl_for_gate) = (gate.clone(), cloud.clone(), ctl.clone());
    let mut job = job;
    // A test hook, in debug builds only: the end-to-end tests prove a
    // poller's panic shows in its pane and the dashboard goes on.
    let test_panic = cfg!(debug_assertions)
        && resource == Resource::Service
        && std::env::var("ECSDECK_TEST_PANIC").as_deref() == Ok("poller");
    let job = move |w: W| {
        let entered = gate.enter();
        let fut = job(w);
        let (gate, cloud, ctl) = (gate.clone(), cloud.clone(), ctl_for_gate.clone());
        async move {
            let epoch = entered?;
            let run = async {
                if test_panic && !TEST_PANICKED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    panic!("ECSDECK_TEST_PANIC=poller: panicking on purpose");
                }
                fut.await
            };
            // A panic is one failed poll: shown in the pane, retried
            // with the failures' backoff.
            let result = match runner::contained(run).await {
                Ok(r) => r,
                Err(p) => Err(CloudError::new(
                    ErrorKind::Other,
                    api,
                    format!("internal error in ecsdeck ({p}); retrying, details in the log"),
                )),
            };
            if let Err(e) = &result {
                gate.failed((e, epoch), crate::clock::now(), &cloud, &ctl);
            }
            result
        }
    };
    ctl.spawn(
        input,
        ready,
        job,
        Governed {
            pace: pace.cloned(),
            ..Governed::new(every, api, governor.clone())
        },
        move |result: CloudResult<Observation>, wait| {
            let tx = tx.clone();
            let pace = pace_for_sink.clone();
            async move {
                if let (Some(p), Ok(obs)) = (&pace, &result)
                    && p.moving(obs)
                {
                    p.hurry_for(FAST_WHILE_CHANGING);
                }
                if let Err(e) = &result {
                    tracing::warn!(?resource, error = %e, retry_in = ?wait, "poll failed");
                }
                let event = PollEvent {
                    resource,
                    at: crate::clock::now(),
                    result: result.map_err(|error| Failure {
                        error,
                        retry_in: wait,
                    }),
                };
                tx.send(event).await.is_ok()
            }
        },
    );
}

/// Cadences: the fast-changing resources every `refresh`, the slow ones
/// less often, to stay far below the account's shared quotas.
pub fn spawn(
    cloud: Arc<dyn Cloud>,
    svc: ServiceRef,
    plan: Plan,
    tx: mpsc::Sender<PollEvent>,
) -> Pollers {
    let ctl = Control::new();
    let governor = Arc::new(Governor::default());
    let pace = Arc::new(Pace::default());
    let gate = Arc::new(Gate::default());
    // None until known, so a service with no load balancer and no EFS
    // still gets its (empty) targets and file systems polled: the target
    // groups come from DescribeServices, the file systems from the task
    // definitions.
    let (tg_tx, tg_rx) = watch::channel(None::<Vec<String>>);
    let (fs_tx, fs_rx) = watch::channel(None::<Vec<String>>);
    let (need_tx, need_rx) = watch::channel(Needed::default());
    let (logs_tx, logs_rx) = watch::channel(LogInputs::default());
    let (url_tx, url_rx) = watch::channel(None::<String>);
    let (seen_tx, seen_rx) = watch::channel(false);
    let w = aws::Wires {
        cloud,
        svc,
        tx,
        ctl: &ctl,
        governor: &governor,
        pace: &pace,
        gate: &gate,
        refresh: plan.refresh,
        groups: Arc::new(tg_tx),
        file_systems: Arc::new(fs_tx),
        needed: Arc::new(need_tx),
        log_inputs: Arc::new(logs_tx),
        tasks_seen: Arc::new(seen_tx),
        probe_url: Arc::new(url_tx),
        probe_path: plan
            .probe
            .as_ref()
            .map_or_else(|| "/".to_string(), |p| p.info.path.clone()),
        probe_https_first: plan.probe.as_ref().is_some_and(|p| p.info.secret_headers),
    };
    aws::identity(&w);
    aws::service(&w);
    aws::task_defs(&w, need_rx);
    aws::tasks(&w);
    aws::targets(&w, tg_rx);
    aws::efs(&w, fs_rx);
    if plan.metrics {
        aws::metrics(&w, seen_rx, logs_rx.clone());
    }
    if plan.logs {
        aws::logs(&w, logs_rx);
    }
    Pollers {
        ctl,
        governor,
        gate,
        pace,
        refresh: plan.refresh,
        probe_url: url_rx,
    }
}

/// The poller that feeds this one is gone, so the session is ending.
fn gone() -> CloudError {
    CloudError::new(ErrorKind::Other, "ecsdeck", "the session is ending")
}

#[cfg(test)]
mod tests;
