//! Pollers: one runner per resource kind, each with its own cadence, at
//! most one request in flight, backoff on throttling and faults, and a
//! cancellation token. They send owned observations (`model::observe`); a
//! poller ends as soon as its receiver is gone.

pub mod governor;
mod pace;
pub mod runner;

pub use pace::{FAST, FAST_AFTER_ACTION, FAST_WHILE_CHANGING, Hurry, Pace, in_motion};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};

use crate::cloud::{Cloud, CloudError, CloudResult, ErrorKind};
use crate::logfollow::LogFollower;
use crate::model::logs::log_sources_by_task;
use crate::model::observe::{Failure, Observation, PollEvent, Resource};
use crate::model::{ServiceRef, Task, TaskDef};
use governor::Governor;
use runner::{Cadence, Control};

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
    /// Probe the API through the load balancer (the session runs it).
    pub probe: Option<crate::model::probe::ProbeConfig>,
}

/// Handles to the running pollers; dropping them stops every poller.
pub struct Pollers {
    ctl: Control,
    governor: Arc<Governor>,
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
}

impl Drop for Pollers {
    fn drop(&mut self) {
        self.ctl.cancel();
    }
}

/// Spawns an AWS poller: `job` at `every`, backing off on failures, its
/// results sent as `PollEvent`s of `resource`.
fn spawn_aws<W, J, Fut>(
    (ctl, governor, pace): (&Control, &Arc<Governor>, Option<&Arc<Pace>>),
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
    let tx = tx.clone();
    let pace_for_sink = pace.cloned();
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
                    && in_motion(obs)
                {
                    p.hurry_for(FAST_WHILE_CHANGING);
                }
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
    let governor = Arc::new(Governor::default());
    let pace = Arc::new(Pace::default());
    let g = (&ctl, &governor, None);
    let fast = (&ctl, &governor, Some(&pace));
    let refresh = plan.refresh;
    // None until known, so a service with no load balancer and no EFS
    // still gets its (empty) targets and file systems polled: the target
    // groups come from DescribeServices, the file systems from the task
    // definitions.
    let (tg_tx, tg_rx) = watch::channel(None::<Vec<String>>);
    let (fs_tx, fs_rx) = watch::channel(None::<Vec<String>>);
    let (need_tx, need_rx) = watch::channel(Needed::default());
    let need_tx = Arc::new(need_tx);
    let (logs_tx, logs_rx) = watch::channel(LogInputs::default());
    let logs_tx = Arc::new(logs_tx);
    let (url_tx, url_rx) = watch::channel(None::<String>);
    let url_tx = Arc::new(url_tx);
    let none = || {
        (
            runner::fixed_input(),
            runner::always::<()> as fn(&()) -> bool,
        )
    };
    type Ready<W> = fn(&Option<W>) -> bool;
    let tg_scope = (tg_rx, Option::is_some as Ready<Vec<String>>);
    let fs_scope = (fs_rx, Option::is_some as Ready<Vec<String>>);

    {
        let cloud = cloud.clone();
        spawn_aws(
            g,
            &tx,
            (Resource::Identity, "sts"),
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
        let tg_tx = Arc::new(tg_tx);
        let need_tx = need_tx.clone();
        spawn_aws(
            fast,
            &tx,
            (Resource::Service, "ecs"),
            refresh,
            none(),
            move |_| {
                let cloud = cloud.clone();
                let svc = svc.clone();
                let tg_tx = tg_tx.clone();
                let need_tx = need_tx.clone();
                async move {
                    let service = cloud.service(&svc).await?;
                    let groups = Some(service.target_group_arns());
                    tg_tx.send_if_modified(|s| {
                        let changed = *s != groups;
                        *s = groups;
                        changed
                    });
                    let mut wanted: BTreeSet<String> = service
                        .deployments
                        .iter()
                        .map(|d| d.task_definition.clone())
                        .collect();
                    wanted.insert(service.task_definition.clone());
                    need_tx.send_if_modified(|n| {
                        let changed = n.service != wanted;
                        n.service = wanted;
                        changed
                    });
                    Ok(Observation::Service(Box::new(service)))
                }
            },
        );
    }
    {
        // Task definitions are immutable: each revision is described once,
        // and kept while the service or a listed task uses it.
        let cloud = cloud.clone();
        let cache: Arc<tokio::sync::Mutex<BTreeMap<String, TaskDef>>> = Arc::default();
        let fs_tx = Arc::new(fs_tx);
        let logs_tx = logs_tx.clone();
        let needed = (
            need_rx,
            (|n: &Needed| !n.service.is_empty()) as fn(&Needed) -> bool,
        );
        spawn_aws(
            g,
            &tx,
            (Resource::TaskDefs, "ecs"),
            refresh,
            needed,
            move |need: Needed| {
                let cloud = cloud.clone();
                let cache = cache.clone();
                let fs_tx = fs_tx.clone();
                let logs_tx = logs_tx.clone();
                async move {
                    let wanted = need.all();
                    let mut cache = cache.lock().await;
                    cache.retain(|arn, _| wanted.contains(arn));
                    for arn in &wanted {
                        if !cache.contains_key(arn) {
                            let td = cloud.task_definition(arn).await?;
                            cache.insert(arn.clone(), td);
                        }
                    }
                    let tds: Vec<TaskDef> = cache.values().cloned().collect();
                    let mut ids: Vec<String> = tds.iter().flat_map(TaskDef::efs_ids).collect();
                    ids.sort();
                    ids.dedup();
                    let ids = Some(ids);
                    fs_tx.send_if_modified(|s| {
                        let changed = *s != ids;
                        *s = ids;
                        changed
                    });
                    logs_tx.send_if_modified(|i| {
                        let changed = i.task_defs != tds;
                        i.task_defs = tds.clone();
                        changed
                    });
                    Ok(Observation::TaskDefs(tds))
                }
            },
        );
    }
    {
        let cloud = cloud.clone();
        let svc = svc.clone();
        let logs_tx = logs_tx.clone();
        let need_tx = need_tx.clone();
        spawn_aws(
            fast,
            &tx,
            (Resource::Tasks, "ecs"),
            refresh,
            none(),
            move |_| {
                let cloud = cloud.clone();
                let svc = svc.clone();
                let logs_tx = logs_tx.clone();
                let need_tx = need_tx.clone();
                async move {
                    let tasks = cloud.tasks(&svc).await?;
                    let wanted: BTreeSet<String> =
                        tasks.iter().map(|t| t.task_definition.clone()).collect();
                    need_tx.send_if_modified(|n| {
                        let changed = n.tasks != wanted;
                        n.tasks = wanted;
                        changed
                    });
                    logs_tx.send_modify(|i| i.tasks = tasks.clone());
                    Ok(Observation::Tasks(tasks))
                }
            },
        );
    }
    {
        let cloud = cloud.clone();
        spawn_aws(
            fast,
            &tx,
            (Resource::Targets, "elasticloadbalancing"),
            refresh,
            tg_scope,
            move |groups: Option<Vec<String>>| {
                let cloud = cloud.clone();
                let url_tx = url_tx.clone();
                async move {
                    let Some(groups) = groups else {
                        return Err(gone());
                    };
                    let found = cloud.target_groups(&groups).await?;
                    // The probe's URL: kept when the load balancer stops
                    // saying, so a blip does not stop the probe.
                    if let Ok(url) = crate::model::lb::probe_base(&groups, &found) {
                        url_tx.send_if_modified(|u| {
                            let changed = u.as_deref() != Some(url.as_str());
                            *u = Some(url);
                            changed
                        });
                    }
                    Ok(Observation::Targets(found))
                }
            },
        );
    }
    {
        let cloud = cloud.clone();
        spawn_aws(
            g,
            &tx,
            (Resource::Efs, "elasticfilesystem"),
            refresh * 6,
            fs_scope,
            move |ids: Option<Vec<String>>| {
                let cloud = cloud.clone();
                async move {
                    let Some(ids) = ids else {
                        return Err(gone());
                    };
                    cloud.file_systems(&ids).await.map(Observation::Efs)
                }
            },
        );
    }
    if plan.logs {
        let cloud = cloud.clone();
        let follower = Arc::new(tokio::sync::Mutex::new(LogFollower::default()));
        spawn_aws(
            g,
            &tx,
            (Resource::Logs, "logs"),
            LOG_POLL,
            none(),
            move |_| {
                let cloud = cloud.clone();
                let follower = follower.clone();
                let inputs = logs_rx.borrow().clone();
                async move {
                    let sources = log_sources_by_task(&inputs.task_defs, &inputs.tasks);
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
                        && result.live_problems >= result.following
                        && let Some(p) = result.problems.first()
                    {
                        return Err(p.error.clone());
                    }
                    Ok(Observation::Logs(Box::new(result)))
                }
            },
        );
    }
    Pollers {
        ctl,
        governor,
        pace,
        refresh,
        probe_url: url_rx,
    }
}

/// The poller that feeds this one is gone, so the session is ending.
fn gone() -> CloudError {
    CloudError::new(ErrorKind::Other, "ecsdeck", "the session is ending")
}

#[cfg(test)]
mod tests;
