//! The one picture of the service: every observation is folded here once,
//! and every fact a consumer asks — the verdict, the warnings, whose target
//! is whose, the mounts, what has a health check, the restart timeline, the
//! probe's base URL, the drill's preflight — is derived here once. The
//! dashboard's state embeds it; `status` prints it; the drill reads it.

use std::time::Duration;

use super::derive::{self, Verdict, Warning};
use super::loadable::Loadable;
use super::logs::FollowResult;
use super::metrics::MetricsReading;
use super::observe::{Observation, PollEvent, Resource};
use super::probe::{History, ProbeInfo};
use super::timeline::Tracker;
use super::{Container, FileSystem, Identity, Service, TargetGroup, Task, TaskDef, Time};

/// What the probe has seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeState {
    /// The URL of the last sample.
    pub url: Option<String>,
    pub history: History,
    pub updated: Option<Time>,
    /// The probe could not start.
    pub error: Option<String>,
}

/// The verdict, the warnings and the joins, as of the last observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub verdict: Verdict,
    pub warnings: Vec<Warning>,
    /// Per target group, per target: the ARN of the task behind it.
    pub owners: Vec<Vec<Option<String>>>,
    pub mounts: Vec<derive::TaskMount>,
    /// The URL the probe found from the load balancer, or why there is
    /// none (None: a URL was given, or the probe is off).
    pub probe_base: Option<Result<String, String>>,
    /// CPU and memory, once CloudWatch has answered.
    pub usage: Option<Usage>,
}

/// CPU and memory as every consumer reads them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Usage {
    /// `AWS/ECS` CPUUtilization and MemoryUtilization, percent, newest.
    pub service_cpu_pct: Option<f64>,
    pub service_mem_pct: Option<f64>,
    pub service_cpu: derive::Chart,
    pub service_mem: derive::Chart,
    pub tasks: Vec<derive::TaskUsage>,
}

impl Default for Derived {
    fn default() -> Self {
        Derived {
            verdict: derive::verdict(None, None, None),
            warnings: Vec::new(),
            owners: Vec::new(),
            mounts: Vec::new(),
            probe_base: None,
            usage: None,
        }
    }
}

/// A line of a container's log that tells of trouble on the volume.
#[derive(Debug, Clone, PartialEq)]
pub struct LogAlarm {
    /// The line's own time.
    pub at: Time,
    /// In words, naming the container and the task.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct World {
    /// The probe's settings; None when it does not run.
    pub probe_info: Option<ProbeInfo>,
    pub identity: Loadable<Identity>,
    pub service: Loadable<Service>,
    /// The task definitions in use, by revision.
    pub task_defs: Loadable<Vec<TaskDef>>,
    pub tasks: Loadable<Vec<Task>>,
    pub targets: Loadable<Vec<TargetGroup>>,
    pub efs: Loadable<Vec<FileSystem>>,
    pub probe: ProbeState,
    /// The restart timeline, whoever caused the restart.
    pub timeline: Tracker,
    /// Worked out when an observation arrives, never while drawing.
    pub derived: Derived,
    /// `DBPathInUse` and its kin, as the containers' logs said them.
    pub log_alarms: Vec<LogAlarm>,
    /// The last hour of CPU and memory, as CloudWatch last answered.
    pub metrics: Loadable<MetricsReading>,
}

/// A container's memory point older than this (minutes before the
/// reading's end) no longer warns: CloudWatch is a minute or two behind,
/// and a point older than that is from a task no longer reporting.
const MEMORY_FRESH_MIN: i64 = 5;

/// Log alarms kept: the newest; older ones are long told.
const ALARMS_KEPT: usize = 32;

impl World {
    pub fn new(probe_info: Option<ProbeInfo>) -> World {
        World {
            probe_info,
            identity: Loadable::default(),
            service: Loadable::default(),
            task_defs: Loadable::default(),
            tasks: Loadable::default(),
            targets: Loadable::default(),
            efs: Loadable::default(),
            probe: ProbeState::default(),
            timeline: Tracker::default(),
            derived: Derived::default(),
            log_alarms: Vec::new(),
            metrics: Loadable::default(),
        }
    }

    /// Takes one observation: folds it, derives again, and moves the
    /// timeline on. A failure keeps the last good data.
    pub fn apply(&mut self, ev: PollEvent) {
        let (resource, at) = (ev.resource, ev.at);
        let ok = ev.result.is_ok();
        match ev.result {
            Ok(Observation::Identity(i)) => self.identity.set(i, at),
            Ok(Observation::Service(s)) => self.service.set(*s, at),
            Ok(Observation::TaskDefs(t)) => self.task_defs.set(t, at),
            Ok(Observation::Tasks(mut t)) => {
                super::sort_tasks(&mut t);
                self.tasks.set(t, at)
            }
            Ok(Observation::Targets(t)) => self.targets.set(t, at),
            Ok(Observation::Efs(f)) => self.efs.set(f, at),
            Ok(Observation::Logs(r)) => self.scan_logs(&r),
            Ok(Observation::Metrics(m)) => self.metrics.set(*m, at),
            Ok(Observation::Probe(r)) => {
                let p = &mut self.probe;
                if p.url.as_deref() != Some(r.url.as_str()) {
                    p.url = Some(r.url);
                }
                p.history.push(r.sample);
                p.updated = Some(at);
            }
            Err(f) => match resource {
                Resource::Identity => self.identity.fail(f.error, at, f.retry_in),
                Resource::Service => self.service.fail(f.error, at, f.retry_in),
                Resource::TaskDefs => self.task_defs.fail(f.error, at, f.retry_in),
                Resource::Tasks => self.tasks.fail(f.error, at, f.retry_in),
                Resource::Targets => self.targets.fail(f.error, at, f.retry_in),
                Resource::Efs => self.efs.fail(f.error, at, f.retry_in),
                Resource::Metrics => self.metrics.fail(f.error, at, f.retry_in),
                // The logs' own status lives with the logs view.
                Resource::Logs => {}
                // Samples carry their own failures: this is the probe
                // that could not start at all.
                Resource::Probe => self.probe.error = Some(f.error.message.clone()),
            },
        }
        if resource != Resource::Logs {
            self.derive();
        }
        if ok {
            self.feed_timeline(resource, at);
        }
    }

    /// The restart timeline reads the same observations, once derived.
    fn feed_timeline(&mut self, resource: Resource, at: Time) {
        match resource {
            Resource::Tasks => {
                let tds = self.task_defs.get().map(Vec::as_slice).unwrap_or(&[]);
                let tasks = self.tasks.get().map(Vec::as_slice).unwrap_or(&[]);
                // Only essential containers with a health check wait to
                // turn HEALTHY; the others are ready once running.
                self.timeline.on_tasks_checked(tasks, at, &|t, c| {
                    let td = tds.iter().find(|d| d.arn == t.task_definition);
                    gates_readiness(td, c) && has_health_check(td, c)
                });
            }
            Resource::Targets => {
                let groups = self.targets.get().map(Vec::as_slice).unwrap_or(&[]);
                self.timeline.on_targets(groups, &self.derived.owners, at);
            }
            Resource::Probe => {
                if let Some(s) = self.probe.history.last() {
                    self.timeline.on_probe(s);
                }
            }
            _ => {}
        }
    }

    /// A second mongod on the same files says so in its log.
    fn scan_logs(&mut self, f: &FollowResult) {
        for b in &f.batches {
            let Some(e) = b.events.iter().find(|e| {
                e.message.contains("DBPathInUse")
                    || e.message.contains("Unable to lock the lock file")
            }) else {
                continue;
            };
            let note = format!(
                "DBPathInUse in the log of {} of task {}: a second database process found the files locked (two tasks on one volume)",
                b.source.container,
                super::short_id(&b.source.task_arn)
            );
            let at = chrono::DateTime::from_timestamp_millis(e.timestamp_ms).unwrap_or_default();
            if !self.log_alarms.iter().any(|a| a.note == note && a.at == at) {
                self.log_alarms.push(LogAlarm { at, note });
                if self.log_alarms.len() > ALARMS_KEPT {
                    self.log_alarms.remove(0);
                }
            }
        }
    }

    /// Works out the derived views again.
    pub fn derive(&mut self) {
        let service = self.service.get();
        let tasks = self.task_list();
        let aws = derive::verdict(
            service,
            self.tasks.get().map(Vec::as_slice),
            self.targets.get().map(Vec::as_slice),
        );
        let probe = self.probe_info.as_ref();
        let usage = self.usage();
        self.derived = Derived {
            verdict: match probe {
                Some(p) => derive::with_probe(aws, &self.probe.history, p.timeout),
                None => aws,
            },
            probe_base: match (probe, service) {
                (Some(p), _) if p.url.is_some() => None,
                (Some(p), Some(s)) => Some(super::lb::probe_base_at(
                    &s.target_group_arns(),
                    self.target_groups(),
                    &p.path,
                    p.secret_headers,
                )),
                _ => None,
            },
            warnings: match service {
                Some(s) => {
                    let mut w = derive::preflight(
                        s,
                        self.task_def(),
                        self.target_groups(),
                        self.file_systems(),
                        tasks,
                    );
                    if let (Some(u), Some(m)) = (&usage, self.metrics.get()) {
                        w.extend(derive::memory_warnings(
                            &u.tasks,
                            tasks,
                            m.end,
                            MEMORY_FRESH_MIN,
                        ));
                    }
                    w
                }
                None => Vec::new(),
            },
            usage,
            owners: match service {
                Some(s) => derive::target_owners(s, self.target_groups(), tasks),
                None => Vec::new(),
            },
            mounts: derive::task_mounts(
                self.task_defs.get().map(Vec::as_slice).unwrap_or(&[]),
                self.file_systems(),
                tasks,
            ),
        };
    }

    /// CPU and memory from the last reading, over the tasks known now.
    fn usage(&self) -> Option<Usage> {
        let m = self.metrics.get()?;
        let tasks = self.task_list();
        let tds = self.task_defs.get().map(Vec::as_slice).unwrap_or(&[]);
        Some(Usage {
            service_cpu_pct: m.page.service_cpu.last().map(|p| p.1),
            service_mem_pct: m.page.service_mem.last().map(|p| p.1),
            service_cpu: derive::with_marks(&m.page.service_cpu, tasks, m.end),
            service_mem: derive::with_marks(&m.page.service_mem, tasks, m.end),
            tasks: derive::task_usage(&m.page, tasks, tds, m.end),
        })
    }

    /// A task's CPU and memory, when CloudWatch has them.
    pub fn task_usage(&self, task_arn: &str) -> Option<&derive::TaskUsage> {
        self.derived
            .usage
            .as_ref()?
            .tasks
            .iter()
            .find(|u| u.task_arn == task_arn)
    }

    /// The service's own task definition revision.
    pub fn task_def(&self) -> Option<&TaskDef> {
        let arn = &self.service.get()?.task_definition;
        self.task_def_by_arn(arn)
    }

    pub fn task_def_by_arn(&self, arn: &str) -> Option<&TaskDef> {
        self.task_defs.get()?.iter().find(|td| td.arn == arn)
    }

    /// The task definition a task runs: its own revision, which during a
    /// deployment is not the service's.
    pub fn task_def_of(&self, task: &Task) -> Option<&TaskDef> {
        self.task_def_by_arn(&task.task_definition)
    }

    pub fn task_list(&self) -> &[Task] {
        self.tasks.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn target_groups(&self) -> &[TargetGroup] {
        self.targets.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn file_systems(&self) -> &[FileSystem] {
        self.efs.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn verdict(&self) -> &Verdict {
        &self.derived.verdict
    }

    pub fn warnings(&self) -> &[Warning] {
        &self.derived.warnings
    }

    pub fn mounts(&self) -> &[derive::TaskMount] {
        &self.derived.mounts
    }

    /// The task behind the `target`-th target of the `group`-th group.
    pub fn target_owner(&self, group: usize, target: usize) -> Option<&Task> {
        let arn = self.derived.owners.get(group)?.get(target)?.as_ref()?;
        self.task_list().iter().find(|t| &t.arn == arn)
    }

    /// The healthy targets of the service's groups: (target id, the task
    /// behind it when known).
    pub fn healthy_targets(&self) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for (g, owners) in self.target_groups().iter().zip(&self.derived.owners) {
            for (t, owner) in g.targets.iter().zip(owners) {
                if t.state == "healthy" {
                    out.push((t.id.clone(), owner.clone()));
                }
            }
        }
        out
    }

    /// Whether `c` of `task` has a health check, by the task's own
    /// revision.
    pub fn health_checked(&self, task: &Task, c: &Container) -> bool {
        has_health_check(self.task_def_of(task), c)
    }

    /// Every container that gates the task ready, by the task's own
    /// revision: what "containers healthy" means for the timeline and the
    /// drill.
    pub fn task_ready(&self, task: &Task) -> bool {
        let td = self.task_def_of(task);
        task.containers
            .iter()
            .filter(|c| gates_readiness(td, c))
            .all(|c| container_ready(td, c))
    }

    /// The caller identity poll answered, or failed: a stop reason can
    /// name the caller, or say it is unknown.
    pub fn identity_answered(&self) -> bool {
        self.identity.get().is_some() || self.identity.error.is_some()
    }

    /// The probe's base URL as the drill reaches the API: the last
    /// sample's URL without the probe's path.
    pub fn api_base(&self) -> Option<String> {
        let url = self.probe.url.as_deref()?;
        let path = self.probe_info.as_ref().map_or("", |p| p.path.as_str());
        Some(
            url.strip_suffix(path)
                .unwrap_or(url)
                .trim_end_matches('/')
                .to_string(),
        )
    }

    /// Where each of `requests` (method, path) goes through the listener
    /// the probe found: what does not reach only this service's target
    /// groups, in words (empty when the probe URL was set by hand: the
    /// load balancer behind it is not known).
    pub fn route_problems(&self, requests: &[(String, String)]) -> Vec<String> {
        let Some(svc) = self.service.get() else {
            return Vec::new();
        };
        let bound = svc.target_group_arns();
        let path = self.probe_info.as_ref().map_or("/", |p| p.path.as_str());
        if self.probe_info.as_ref().is_some_and(|p| p.url.is_some()) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for g in self
            .target_groups()
            .iter()
            .filter(|g| bound.contains(&g.arn))
        {
            for lb in &g.load_balancers {
                let probed = lb.listeners.iter().filter(|l| {
                    super::lb::route(l, &bound, &lb.dns_name, "GET", path) == super::lb::Route::Ours
                });
                for l in probed {
                    for (method, p) in requests {
                        match super::lb::route(l, &bound, &lb.dns_name, method, p) {
                            super::lb::Route::Ours => {}
                            super::lb::Route::Elsewhere(w) | super::lb::Route::Unsure(w) => {
                                if !out.contains(&w) {
                                    out.push(w);
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// A poll the drill needs that has failed for `after` (counting from
    /// `since` at the earliest): that part of the service is unseen.
    pub fn blind(&self, now: Time, since: Time, after: Duration) -> Option<String> {
        let polls = [
            (&self.service.error, self.service.updated),
            (&self.tasks.error, self.tasks.updated),
            (&self.targets.error, self.targets.updated),
        ];
        polls.iter().find_map(|(err, ok)| {
            let e = err.as_ref()?;
            let from = ok.map_or(since, |t| t.max(since));
            let secs = (now - from).num_seconds();
            (secs >= after.as_secs() as i64).then(|| {
                if e.error.kind == super::error::ErrorKind::Credentials {
                    // Every poller was paused, not this one call failing.
                    return format!(
                        "AWS refused the credentials for {secs} s: {}",
                        e.error.hint.as_deref().unwrap_or(&e.error.message)
                    );
                }
                format!(
                    "{} has failed for {secs} s: {}",
                    e.error.action,
                    e.error.operator_text()
                )
            })
        })
    }
}

/// Whether a container decides that its task is ready: the essential ones
/// (every one, when the revision is not known). A non-essential sidecar
/// may fail without the task failing.
pub fn gates_readiness(td: Option<&TaskDef>, c: &Container) -> bool {
    td.and_then(|d| d.containers.iter().find(|x| x.name == c.name))
        .is_none_or(|def| def.essential)
}

/// Whether a container is ready: HEALTHY when it has a health check,
/// RUNNING when it has none (AWS never reports such a one healthy).
pub fn container_ready(td: Option<&TaskDef>, c: &Container) -> bool {
    if has_health_check(td, c) {
        c.health.as_deref() == Some("HEALTHY")
    } else {
        c.last_status == "RUNNING"
    }
}

/// Whether a container has a health check: its task definition revision
/// says (AWS reports `UNKNOWN` health for ever when there is none); when
/// the revision is not known, a reported HEALTHY or UNHEALTHY is taken as
/// one, an UNKNOWN as none (the drill waits for the revision instead).
pub fn has_health_check(td: Option<&TaskDef>, c: &Container) -> bool {
    match td.and_then(|d| d.containers.iter().find(|x| x.name == c.name)) {
        Some(def) => def.health_check.is_some(),
        None => c.health.as_deref().is_some_and(|h| h != "UNKNOWN"),
    }
}

#[cfg(test)]
mod tests;
