//! Pollers: one runner per resource kind, each with its own cadence, at
//! most one request in flight, backoff on throttling and faults, and a
//! cancellation token. They send owned observations (`model::observe`); a
//! poller ends as soon as its receiver is gone.

pub mod runner;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};

use crate::cloud::{Cloud, CloudError, CloudResult, ErrorKind};
use crate::logfollow::LogFollower;
use crate::model::logs::log_sources;
use crate::model::observe::{Failure, Observation, PollEvent, Resource};
use crate::model::{ServiceRef, ServiceSnapshot, Task, TaskDef};
use runner::{Cadence, Control};

/// What the dependent pollers need from the service: its target groups and
/// the EFS file systems of its task definition.
#[derive(Debug, Clone, Default, PartialEq)]
struct Scope {
    target_groups: Vec<String>,
    file_systems: Vec<String>,
}

fn scope_of(snap: &ServiceSnapshot) -> Scope {
    Scope {
        target_groups: snap.service.target_group_arns(),
        file_systems: snap
            .task_def
            .as_ref()
            .map(TaskDef::efs_ids)
            .unwrap_or_default(),
    }
}

/// Delay after a failure: throttling and faults back off exponentially up
/// to two minutes; a missing permission will not fix itself soon either.
pub fn backoff(base: Duration, kind: ErrorKind, failures: u32) -> Duration {
    let start = match kind {
        ErrorKind::Throttled => base.max(Duration::from_secs(2)),
        ErrorKind::AccessDenied | ErrorKind::Credentials => Duration::from_secs(30),
        _ => base,
    };
    let factor = 1u32 << failures.saturating_sub(1).min(6);
    (start * factor).min(Duration::from_secs(120))
}

/// An AWS poller's cadence: `every` after a success, backing off by the
/// kind of error after failures in a row.
pub struct Backoff {
    every: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(every: Duration) -> Backoff {
        Backoff { every, failures: 0 }
    }
}

impl<T> Cadence<CloudResult<T>> for Backoff {
    fn after(&mut self, result: &CloudResult<T>) -> Duration {
        match result {
            Ok(_) => {
                self.failures = 0;
                self.every
            }
            Err(e) => {
                self.failures += 1;
                backoff(self.every, e.kind, self.failures)
            }
        }
    }
}

/// What the logs poller needs: the task definition's log configuration and
/// the tasks whose streams to read.
#[derive(Debug, Clone, Default)]
struct LogInputs {
    task_def: Option<TaskDef>,
    tasks: Vec<Task>,
}

/// The logs poller's cadence: a line should be on screen within about
/// 1.5 s of becoming readable.
pub const LOG_POLL: Duration = Duration::from_secs(1);

/// Which pollers a session runs, and how often.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The fast-changing resources (service, tasks, targets); EFS every
    /// six of these.
    pub refresh: Duration,
    /// Follow the containers' logs (the dashboard does; `status` does not).
    pub logs: bool,
}

/// Handles to the running pollers; dropping them stops every poller.
pub struct Pollers {
    ctl: Control,
}

impl Pollers {
    /// Ask every poller to poll now ("r").
    pub fn refresh(&self) {
        self.ctl.kick();
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        self.ctl.cancel();
    }
}

/// Spawns an AWS poller: `job` at `every`, backing off on failures, its
/// results sent as `PollEvent`s of `resource`.
fn spawn_aws<W, J, Fut>(
    ctl: &Control,
    tx: &mpsc::Sender<PollEvent>,
    resource: Resource,
    every: Duration,
    (input, ready): (watch::Receiver<W>, fn(&W) -> bool),
    job: J,
) where
    W: Clone + Send + Sync + 'static,
    J: FnMut(W) -> Fut + Send + 'static,
    Fut: Future<Output = CloudResult<Observation>> + Send,
{
    let tx = tx.clone();
    ctl.spawn(
        input,
        ready,
        job,
        Backoff::new(every),
        move |result: CloudResult<Observation>, wait| {
            let tx = tx.clone();
            async move {
                if let Err(e) = &result {
                    tracing::warn!(?resource, error = %e, retry_in = ?wait, "poll failed");
                }
                let event = PollEvent {
                    resource,
                    at: Utc::now(),
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
    let refresh = plan.refresh;
    // None until the service poller has answered once, so a service with
    // no load balancer and no EFS still gets its (empty) targets and file
    // systems polled.
    let (scope_tx, scope_rx) = watch::channel(None::<Scope>);
    let (logs_tx, logs_rx) = watch::channel(LogInputs::default());
    let logs_tx = Arc::new(logs_tx);
    let none = || {
        (
            runner::fixed_input(),
            runner::always::<()> as fn(&()) -> bool,
        )
    };
    let scoped = || {
        (
            scope_rx.clone(),
            Option::is_some as fn(&Option<Scope>) -> bool,
        )
    };

    {
        let cloud = cloud.clone();
        spawn_aws(
            &ctl,
            &tx,
            Resource::Identity,
            Duration::from_secs(600),
            none(),
            move |_| {
                let cloud = cloud.clone();
                async move { cloud.identity().await.map(Observation::Identity) }
            },
        );
    }
    {
        let cloud = cloud.clone();
        let svc = svc.clone();
        let cache: Arc<tokio::sync::Mutex<Option<TaskDef>>> = Arc::default();
        let logs_tx = logs_tx.clone();
        let scope_tx = Arc::new(scope_tx);
        spawn_aws(&ctl, &tx, Resource::Service, refresh, none(), move |_| {
            let cloud = cloud.clone();
            let svc = svc.clone();
            let cache = cache.clone();
            let scope_tx = scope_tx.clone();
            let logs_tx = logs_tx.clone();
            async move {
                let service = cloud.service(&svc).await?;
                // Task definitions are immutable: describe each one once.
                let mut cached = cache.lock().await;
                let task_def = match cached.as_ref() {
                    Some(td) if td.arn == service.task_definition => Some(td.clone()),
                    _ => {
                        let td = cloud.task_definition(&service.task_definition).await?;
                        *cached = Some(td.clone());
                        Some(td)
                    }
                };
                logs_tx.send_if_modified(|i| {
                    let changed = i.task_def != task_def;
                    i.task_def = task_def.clone();
                    changed
                });
                let snap = ServiceSnapshot { service, task_def };
                let new = Some(scope_of(&snap));
                scope_tx.send_if_modified(|s| {
                    let changed = *s != new;
                    *s = new;
                    changed
                });
                Ok(Observation::Service(Box::new(snap)))
            }
        });
    }
    {
        let cloud = cloud.clone();
        let svc = svc.clone();
        let logs_tx = logs_tx.clone();
        spawn_aws(&ctl, &tx, Resource::Tasks, refresh, none(), move |_| {
            let cloud = cloud.clone();
            let svc = svc.clone();
            let logs_tx = logs_tx.clone();
            async move {
                let tasks = cloud.tasks(&svc).await?;
                logs_tx.send_modify(|i| i.tasks = tasks.clone());
                Ok(Observation::Tasks(tasks))
            }
        });
    }
    {
        let cloud = cloud.clone();
        spawn_aws(
            &ctl,
            &tx,
            Resource::Targets,
            refresh,
            scoped(),
            move |scope: Option<Scope>| {
                let cloud = cloud.clone();
                async move {
                    let Some(scope) = scope else {
                        return Err(gone());
                    };
                    cloud
                        .target_groups(&scope.target_groups)
                        .await
                        .map(Observation::Targets)
                }
            },
        );
    }
    {
        let cloud = cloud.clone();
        spawn_aws(
            &ctl,
            &tx,
            Resource::Efs,
            refresh * 6,
            scoped(),
            move |scope: Option<Scope>| {
                let cloud = cloud.clone();
                async move {
                    let Some(scope) = scope else {
                        return Err(gone());
                    };
                    cloud
                        .file_systems(&scope.file_systems)
                        .await
                        .map(Observation::Efs)
                }
            },
        );
    }
    if plan.logs {
        let cloud = cloud.clone();
        let follower = Arc::new(tokio::sync::Mutex::new(LogFollower::default()));
        spawn_aws(&ctl, &tx, Resource::Logs, LOG_POLL, none(), move |_| {
            let cloud = cloud.clone();
            let follower = follower.clone();
            let inputs = logs_rx.borrow().clone();
            async move {
                let Some(td) = inputs.task_def else {
                    return Ok(Observation::Logs(Box::default()));
                };
                let (sources, _) = log_sources(&td, &inputs.tasks);
                let result = follower
                    .lock()
                    .await
                    .poll(&*cloud, &sources, Utc::now())
                    .await;
                // Every stream failing the same way is the poller
                // failing (a missing group, a missing permission): say
                // so as one stale panel; otherwise the lines that came
                // are shown.
                if result.batches.is_empty()
                    && result.following > 0
                    && result.problems.len() >= result.following
                    && let Some(p) = result.problems.first()
                {
                    return Err(p.error.clone());
                }
                Ok(Observation::Logs(Box::new(result)))
            }
        });
    }
    Pollers { ctl }
}

/// The service poller is gone, so the session is ending.
fn gone() -> CloudError {
    CloudError::new(ErrorKind::Other, "ecsdeck", "the session is ending")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, ErrorKind::Network, 1), base);
        assert_eq!(backoff(base, ErrorKind::Network, 2), base * 2);
        assert_eq!(backoff(base, ErrorKind::Network, 3), base * 4);
        assert_eq!(
            backoff(base, ErrorKind::Network, 30),
            Duration::from_secs(120)
        );
        assert_eq!(
            backoff(Duration::from_secs(1), ErrorKind::Throttled, 1),
            Duration::from_secs(2)
        );
        assert_eq!(
            backoff(base, ErrorKind::AccessDenied, 1),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn the_aws_cadence_backs_off_in_a_row_and_resets_on_success() {
        let mut c = Backoff::new(Duration::from_secs(5));
        let err: CloudResult<()> = Err(CloudError::new(ErrorKind::Network, "ecs:X", "down"));
        assert_eq!(c.after(&err), Duration::from_secs(5));
        assert_eq!(c.after(&err), Duration::from_secs(10));
        assert_eq!(c.after(&Ok(())), Duration::from_secs(5));
        assert_eq!(c.after(&err), Duration::from_secs(5));
    }
}
