//! Pollers: one tokio task per resource kind, each with its own cadence, at
//! most one request in flight, backoff on throttling and faults, and a
//! cancellation token. They send owned observations; a poller ends as soon
//! as its receiver is gone.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::cloud::{Cloud, CloudError, ErrorKind};
use crate::logfollow::{FollowResult, LogFollower};
use crate::model::logs::log_sources;
use crate::model::{
    FileSystem, Identity, ServiceRef, ServiceSnapshot, TargetGroup, Task, TaskDef, Time,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Identity,
    Service,
    Tasks,
    Targets,
    Efs,
    Logs,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    Identity(Identity),
    Service(Box<ServiceSnapshot>),
    Tasks(Vec<Task>),
    Targets(Vec<TargetGroup>),
    Efs(Vec<FileSystem>),
    Logs(Box<FollowResult>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: CloudError,
    /// When the poller will try again.
    pub retry_in: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PollEvent {
    pub resource: Resource,
    pub at: Time,
    pub result: Result<Observation, Failure>,
}

/// What the dependent pollers need from the service: its target groups and
/// the EFS file systems of its task definition.
#[derive(Debug, Clone, Default, PartialEq)]
struct Scope {
    target_groups: Vec<String>,
    file_systems: Vec<String>,
}

fn scope_of(snap: &ServiceSnapshot) -> Scope {
    let mut target_groups: Vec<String> = snap
        .service
        .load_balancers
        .iter()
        .map(|b| b.target_group_arn.clone())
        .collect();
    target_groups.dedup();
    let mut file_systems: Vec<String> = snap
        .task_def
        .iter()
        .flat_map(|td| td.volumes.iter())
        .filter_map(|v| v.efs.as_ref().map(|e| e.file_system_id.clone()))
        .collect();
    file_systems.sort();
    file_systems.dedup();
    Scope {
        target_groups,
        file_systems,
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

/// Handles to the running pollers.
pub struct Pollers {
    cancel: CancellationToken,
    kick: Arc<Notify>,
}

impl Pollers {
    /// Ask every poller to poll now ("r").
    pub fn refresh(&self) {
        self.kick.notify_waiters();
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Cadences: the fast-changing resources every `refresh`, the slow ones
/// less often, to stay far below the account's shared quotas.
pub fn spawn(
    cloud: Arc<dyn Cloud>,
    svc: ServiceRef,
    refresh: Duration,
    tx: mpsc::Sender<PollEvent>,
) -> Pollers {
    let cancel = CancellationToken::new();
    let kick = Arc::new(Notify::new());
    let (scope_tx, scope_rx) = watch::channel(Scope::default());
    let (logs_tx, logs_rx) = watch::channel(LogInputs::default());
    let logs_tx = Arc::new(logs_tx);
    let ctx = Ctx {
        cancel: cancel.clone(),
        kick: kick.clone(),
        tx,
    };

    {
        let cloud = cloud.clone();
        ctx.spawn(Resource::Identity, Duration::from_secs(600), move || {
            let cloud = cloud.clone();
            async move { cloud.identity().await.map(Observation::Identity) }
        });
    }
    {
        let cloud = cloud.clone();
        let svc = svc.clone();
        let cache: Arc<tokio::sync::Mutex<Option<TaskDef>>> = Arc::default();
        let logs_tx = logs_tx.clone();
        ctx.spawn(Resource::Service, refresh, move || {
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
                scope_tx.send_if_modified(|s| {
                    let new = scope_of(&snap);
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
        ctx.spawn(Resource::Tasks, refresh, move || {
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
        let rx = scope_rx.clone();
        ctx.spawn_scoped(Resource::Targets, refresh, rx, move |scope| {
            let cloud = cloud.clone();
            async move {
                cloud
                    .target_groups(&scope.target_groups)
                    .await
                    .map(Observation::Targets)
            }
        });
    }
    {
        let cloud = cloud.clone();
        ctx.spawn_scoped(Resource::Efs, refresh * 6, scope_rx, move |scope| {
            let cloud = cloud.clone();
            async move {
                cloud
                    .file_systems(&scope.file_systems)
                    .await
                    .map(Observation::Efs)
            }
        });
    }
    {
        let cloud = cloud.clone();
        let follower = Arc::new(tokio::sync::Mutex::new(LogFollower::default()));
        ctx.spawn(Resource::Logs, LOG_POLL, move || {
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
                // Every stream failing the same way is the poller failing
                // (a missing group, a missing permission): say so as one
                // stale panel; otherwise the lines that came are shown.
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
    Pollers { cancel, kick }
}

#[derive(Clone)]
struct Ctx {
    cancel: CancellationToken,
    kick: Arc<Notify>,
    tx: mpsc::Sender<PollEvent>,
}

impl Ctx {
    fn spawn<F, Fut>(&self, resource: Resource, every: Duration, mut poll: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Observation, CloudError>> + Send,
    {
        let ctx = self.clone();
        tokio::spawn(async move {
            let mut failures = 0u32;
            loop {
                // One request in flight: the next poll starts only after
                // this one has answered.
                let result = tokio::select! {
                    _ = ctx.cancel.cancelled() => return,
                    r = poll() => r,
                };
                let Some(wait) = ctx.report(resource, every, result, &mut failures).await else {
                    return;
                };
                if !ctx.sleep(wait).await {
                    return;
                }
            }
        });
    }

    /// A poller that needs the service's scope; it waits until the scope is
    /// known, and polls again at once when it changes.
    fn spawn_scoped<F, Fut>(
        &self,
        resource: Resource,
        every: Duration,
        mut rx: watch::Receiver<Scope>,
        mut poll: F,
    ) where
        F: FnMut(Scope) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Observation, CloudError>> + Send,
    {
        let ctx = self.clone();
        tokio::spawn(async move {
            // Wait for the first scope from the service poller.
            tokio::select! {
                _ = ctx.cancel.cancelled() => return,
                r = rx.changed() => if r.is_err() { return },
            }
            let mut failures = 0u32;
            loop {
                let scope = rx.borrow_and_update().clone();
                let result = tokio::select! {
                    _ = ctx.cancel.cancelled() => return,
                    r = poll(scope) => r,
                };
                let Some(wait) = ctx.report(resource, every, result, &mut failures).await else {
                    return;
                };
                tokio::select! {
                    _ = ctx.cancel.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                    _ = ctx.kick.notified() => {}
                    r = rx.changed() => if r.is_err() { return },
                }
            }
        });
    }

    /// Sends a poll's result; returns how long to wait before the next
    /// poll (backing off after failures), or None when nobody listens.
    async fn report(
        &self,
        resource: Resource,
        every: Duration,
        result: Result<Observation, CloudError>,
        failures: &mut u32,
    ) -> Option<Duration> {
        let wait = match &result {
            Ok(_) => {
                *failures = 0;
                every
            }
            Err(e) => {
                *failures += 1;
                let wait = backoff(every, e.kind, *failures);
                tracing::warn!(?resource, error = %e, retry_in = ?wait, "poll failed");
                wait
            }
        };
        let event = PollEvent {
            resource,
            at: Utc::now(),
            result: result.map_err(|error| Failure {
                error,
                retry_in: wait,
            }),
        };
        self.tx.send(event).await.ok()?;
        Some(wait)
    }

    /// Sleeps `wait`, or less when a refresh is asked for. False when
    /// cancelled.
    async fn sleep(&self, wait: Duration) -> bool {
        tokio::select! {
            _ = self.cancel.cancelled() => false,
            _ = tokio::time::sleep(wait) => true,
            _ = self.kick.notified() => true,
        }
    }
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
}
