//! The AWS pollers, one function each, and the wires between them: what
//! one learns (the target groups, the task definitions in use, the file
//! systems, the probe's URL) is what another polls.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::gate::Gate;
use super::governor::Governor;
use super::runner::{self, Control};
use super::{LOG_POLL, LogInputs, Needed, Pace, Shared, gone, spawn_aws};
use crate::cloud::Cloud;
use crate::logfollow::LogFollower;
use crate::model::logs::log_sources_by_task;
use crate::model::metrics::{Insights, MetricsAsk, MetricsReading, WINDOW_MIN};
use crate::model::observe::{Observation, PollEvent, Resource};
use crate::model::{ServiceRef, TaskDef};

/// What every poller of a session shares.
pub(super) struct Wires<'a> {
    pub(super) cloud: Arc<dyn Cloud>,
    pub(super) svc: ServiceRef,
    pub(super) tx: mpsc::Sender<PollEvent>,
    pub(super) ctl: &'a Control,
    pub(super) governor: &'a Arc<Governor>,
    pub(super) pace: &'a Arc<Pace>,
    pub(super) gate: &'a Arc<Gate>,
    pub(super) refresh: Duration,
    /// The service's target groups, once known.
    pub(super) groups: Arc<watch::Sender<Option<Vec<String>>>>,
    /// The EFS file systems the task definitions mount, once known.
    pub(super) file_systems: Arc<watch::Sender<Option<Vec<String>>>>,
    /// The task definition revisions in use.
    pub(super) needed: Arc<watch::Sender<Needed>>,
    /// What the logs follower follows (the metrics poller reads it too).
    pub(super) log_inputs: Arc<watch::Sender<LogInputs>>,
    /// The tasks have been listed once: the metrics poller starts.
    pub(super) tasks_seen: Arc<watch::Sender<bool>>,
    /// The load balancer's URL for the probe, and the path it requests
    /// (the listener rules decide where that path goes).
    pub(super) probe_url: Arc<watch::Sender<Option<String>>>,
    pub(super) probe_path: String,
    /// Secret headers are set: the HTTPS listener first.
    pub(super) probe_https_first: bool,
}

impl<'a> Wires<'a> {
    /// A slow poller: its own cadence, never hurried.
    fn slow(&'a self) -> Shared<'a> {
        Shared {
            ctl: self.ctl,
            governor: self.governor,
            pace: None,
            gate: self.gate,
            cloud: &self.cloud,
        }
    }

    /// A poller that runs fast while something changes.
    fn fast(&'a self) -> Shared<'a> {
        Shared {
            pace: Some(self.pace),
            ..self.slow()
        }
    }
}

/// No input: the poller runs on its cadence alone.
fn none() -> (watch::Receiver<()>, fn(&()) -> bool) {
    (
        runner::fixed_input(),
        runner::always::<()> as fn(&()) -> bool,
    )
}

/// Sets `tx`'s value, telling its readers only when it changed.
fn set_if_changed<T: PartialEq>(tx: &watch::Sender<T>, value: T) {
    tx.send_if_modified(|v| {
        let changed = *v != value;
        *v = value;
        changed
    });
}

pub(super) fn identity(w: &Wires) {
    let cloud = w.cloud.clone();
    spawn_aws(
        w.slow(),
        &w.tx,
        (Resource::Identity, "sts"),
        Duration::from_secs(600),
        none(),
        move |_| {
            let cloud = cloud.clone();
            async move { cloud.identity().await.map(Observation::Identity) }
        },
    );
}

/// The service; it says which target groups and task definitions the
/// other pollers need.
pub(super) fn service(w: &Wires) {
    let (cloud, svc) = (w.cloud.clone(), w.svc.clone());
    let (groups_tx, need_tx) = (w.groups.clone(), w.needed.clone());
    spawn_aws(
        w.fast(),
        &w.tx,
        (Resource::Service, "ecs"),
        w.refresh,
        none(),
        move |_| {
            let (cloud, svc) = (cloud.clone(), svc.clone());
            let (groups_tx, need_tx) = (groups_tx.clone(), need_tx.clone());
            async move {
                let service = cloud.service(&svc).await?;
                set_if_changed(&groups_tx, Some(service.target_group_arns()));
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

/// Task definitions are immutable: each revision is described once, and
/// kept while the service or a listed task uses it. They say which file
/// systems to poll and where the logs are.
pub(super) fn task_defs(w: &Wires, need_rx: watch::Receiver<Needed>) {
    let cloud = w.cloud.clone();
    let cache: Arc<tokio::sync::Mutex<BTreeMap<String, TaskDef>>> = Arc::default();
    let (fs_tx, logs_tx) = (w.file_systems.clone(), w.log_inputs.clone());
    let pace = w.pace.clone();
    let needed = (
        need_rx,
        (|n: &Needed| !n.service.is_empty()) as fn(&Needed) -> bool,
    );
    spawn_aws(
        w.slow(),
        &w.tx,
        (Resource::TaskDefs, "ecs"),
        w.refresh,
        needed,
        move |need: Needed| {
            let (cloud, cache) = (cloud.clone(), cache.clone());
            let (fs_tx, logs_tx) = (fs_tx.clone(), logs_tx.clone());
            let pace = pace.clone();
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
                set_if_changed(&fs_tx, Some(ids));
                pace.set_task_defs(tds.clone());
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

/// The tasks; their revisions are needed too (a deployment's old task
/// keeps its own), and the logs follow them.
pub(super) fn tasks(w: &Wires) {
    let (cloud, svc) = (w.cloud.clone(), w.svc.clone());
    let (logs_tx, need_tx) = (w.log_inputs.clone(), w.needed.clone());
    let seen_tx = w.tasks_seen.clone();
    spawn_aws(
        w.fast(),
        &w.tx,
        (Resource::Tasks, "ecs"),
        w.refresh,
        none(),
        move |_| {
            let (cloud, svc) = (cloud.clone(), svc.clone());
            let (logs_tx, need_tx) = (logs_tx.clone(), need_tx.clone());
            let seen_tx = seen_tx.clone();
            async move {
                // The metrics poller starts on the first answer either way:
                // refused tasks still leave the service's figures to read.
                let tasks = cloud.tasks(&svc).await;
                set_if_changed(&seen_tx, true);
                let tasks = tasks?;
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

/// The target groups and their targets' health; the load balancer's URL
/// for the probe.
pub(super) fn targets(w: &Wires, groups_rx: watch::Receiver<Option<Vec<String>>>) {
    let cloud = w.cloud.clone();
    let url_tx = w.probe_url.clone();
    let path = w.probe_path.clone();
    let https_first = w.probe_https_first;
    type Ready = fn(&Option<Vec<String>>) -> bool;
    spawn_aws(
        w.fast(),
        &w.tx,
        (Resource::Targets, "elasticloadbalancing"),
        w.refresh,
        (groups_rx, Option::is_some as Ready),
        move |groups: Option<Vec<String>>| {
            let cloud = cloud.clone();
            let url_tx = url_tx.clone();
            let path = path.clone();
            async move {
                let Some(groups) = groups else {
                    return Err(gone());
                };
                let found = cloud.target_groups(&groups).await?;
                // Kept when the load balancer stops saying, so a blip
                // does not stop the probe.
                if let Ok(url) =
                    crate::model::lb::probe_base_at(&groups, &found, &path, https_first)
                {
                    set_if_changed(&url_tx, Some(url));
                }
                Ok(Observation::Targets(found))
            }
        },
    );
}

pub(super) fn efs(w: &Wires, ids_rx: watch::Receiver<Option<Vec<String>>>) {
    let cloud = w.cloud.clone();
    type Ready = fn(&Option<Vec<String>>) -> bool;
    spawn_aws(
        w.slow(),
        &w.tx,
        (Resource::Efs, "elasticfilesystem"),
        w.refresh * 6,
        (ids_rx, Option::is_some as Ready),
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

/// The containers' logs, followed across task replacements.
pub(super) fn logs(w: &Wires, inputs_rx: watch::Receiver<LogInputs>) {
    let cloud = w.cloud.clone();
    let follower = Arc::new(tokio::sync::Mutex::new(LogFollower::default()));
    // On the pace, so a drill waiting out a drain relaxes it too.
    spawn_aws(
        w.fast(),
        &w.tx,
        (Resource::Logs, "logs"),
        LOG_POLL,
        none(),
        move |_| {
            let (cloud, follower) = (cloud.clone(), follower.clone());
            let inputs = inputs_rx.borrow().clone();
            async move {
                let sources = log_sources_by_task(&inputs.task_defs, &inputs.tasks);
                let result = follower
                    .lock()
                    .await
                    .poll(&*cloud, &sources, crate::clock::now())
                    .await;
                // Every stream failing the same way is the poller failing
                // (a missing group, a missing permission): say so as one
                // stale panel; otherwise the lines that came are shown.
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

/// How often CPU and memory are read: CloudWatch has one-minute points.
pub(super) const METRICS_EVERY: Duration = Duration::from_secs(60);
/// The cluster's Container Insights setting is asked again this often
/// (an operator may turn it on while watching).
const INSIGHTS_EVERY: Duration = Duration::from_secs(600);

/// What the metrics poller remembers between reads: the setting, and the
/// tasks seen in the last hour (a task gone from the list still has its
/// points on the charts).
#[derive(Default)]
struct MetricsMemory {
    insights: Option<(
        Result<Insights, crate::cloud::CloudError>,
        tokio::time::Instant,
    )>,
    tasks: BTreeMap<String, crate::model::metrics::Seen>,
}

/// CPU and memory: one GetMetricData a minute for the service and every
/// task of the last hour; DescribeClusters every ten minutes (every
/// minute while it fails). Not kicked
/// by a refresh (the points are a minute apart); started once the tasks
/// are known, so the first read has them.
pub(super) fn metrics(
    w: &Wires,
    seen_rx: watch::Receiver<bool>,
    inputs_rx: watch::Receiver<LogInputs>,
) {
    let (cloud, svc) = (w.cloud.clone(), w.svc.clone());
    let memory: Arc<tokio::sync::Mutex<MetricsMemory>> = Arc::default();
    let sibling = w.ctl.sibling();
    let shared = Shared {
        ctl: &sibling,
        ..w.slow()
    };
    type Ready = fn(&bool) -> bool;
    spawn_aws(
        shared,
        &w.tx,
        (Resource::Metrics, "cloudwatch"),
        METRICS_EVERY,
        (seen_rx, (|b: &bool| *b) as Ready),
        move |_| {
            let (cloud, svc, memory) = (cloud.clone(), svc.clone(), memory.clone());
            let inputs = inputs_rx.borrow().clone();
            async move {
                let mut mem = memory.lock().await;
                let stale = match &mem.insights {
                    None => true,
                    Some((Ok(_), at)) => at.elapsed() >= INSIGHTS_EVERY,
                    Some((Err(_), at)) => at.elapsed() >= METRICS_EVERY,
                };
                if stale {
                    let got = cloud.insights(&svc.cluster).await;
                    mem.insights = Some((got, tokio::time::Instant::now()));
                }
                let insights = match &mem.insights {
                    Some((i, _)) => i.clone(),
                    None => Ok(Insights::NotSaid),
                };
                let now = crate::clock::now();
                let end =
                    crate::model::Time::from_timestamp(now.timestamp().div_euclid(60) * 60 + 60, 0)
                        .unwrap_or(now);
                let start = end - chrono::Duration::minutes(WINDOW_MIN);
                crate::model::metrics::remember(&mut mem.tasks, &inputs.tasks, now, start);
                // Per-task series exist only with enhanced observability;
                // asked for when the setting is not known either.
                let wanted = insights.as_ref().map_or(true, |i| i.may_have_tasks());
                let tasks = if wanted {
                    crate::model::metrics::asks(&mem.tasks)
                } else {
                    Vec::new()
                };
                drop(mem);
                let ask = MetricsAsk::new(&svc, tasks, start, end);
                let page = cloud.metrics(&ask).await?;
                Ok(Observation::Metrics(Box::new(MetricsReading {
                    insights,
                    page,
                    end,
                })))
            }
        },
    );
}
