//! `ecsdeck status`: one snapshot, printed as a table or JSON, with an exit
//! code by health.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::app::{Context, Msg, State, update};
use crate::cloud::{Cloud, CloudError};
use crate::config::DEFAULT_REFRESH;
use crate::model::derive::{Health, MountStatus, Verdict, Warning};
use crate::model::observe::{PollEvent, Resource};
use crate::model::probe::{Outcome, ProbeConfig, Standing, glance, join_url};
use crate::model::world::World;
use crate::model::{
    FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef, short_id,
};
use crate::poll::Plan;
use crate::session::Session;

mod usage;

#[derive(Debug, Serialize)]
pub struct TargetRow {
    pub target_group: String,
    pub id: String,
    pub port: Option<i32>,
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
    pub task: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MountRow {
    pub task: String,
    pub volume: String,
    pub file_system: String,
    pub status: MountStatus,
}

#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub cluster: String,
    pub service_name: String,
    pub region: String,
    pub identity: Option<Identity>,
    pub verdict: Verdict,
    pub service: Service,
    pub task_definition: TaskDef,
    pub tasks: Vec<Task>,
    pub target_groups: Vec<TargetGroup>,
    pub targets: Vec<TargetRow>,
    pub file_systems: Vec<FileSystem>,
    pub mounts: Vec<MountRow>,
    pub warnings: Vec<Warning>,
    /// The HTTP probe through the load balancer; None when it is off.
    pub probe: Option<ProbeSnap>,
    /// The service's CPU and memory (`AWS/ECS`, percent of what its
    /// tasks reserve), the newest minute; null with `metrics_reason`.
    pub cpu: Option<usage::Percent>,
    pub memory: Option<usage::Percent>,
    pub metrics_reason: Option<String>,
    /// Each listed task's CPU and memory (Container Insights).
    pub task_metrics: Vec<usage::TaskMetrics>,
}

/// The probe's last answer, and what it adds up to.
#[derive(Debug, Serialize)]
pub struct ProbeSnap {
    /// The URL requested; None when none could be found.
    pub url: Option<String>,
    /// The HTTP status, or the error class (`connect_timeout`, `dns`, …).
    pub outcome: Option<Outcome>,
    pub up: bool,
    /// `up`, `failing`, `down`, `unreachable` or `none`.
    pub state: &'static str,
    pub latency_ms: Option<u32>,
    pub connect_ms: Option<u32>,
    pub records: Option<u32>,
    /// The answer was longer than `[probe] read_limit`: `records` counts
    /// its start, and there are at least that many.
    pub records_at_least: bool,
    pub served_by: Option<String>,
    pub samples: u64,
    /// In words: the state and its reason.
    pub summary: String,
}

/// The service as the dashboard's own update sees it (no screen), and
/// what a snapshot still needs of it.
struct Collected {
    state: State,
    /// The probe's settings; None when it is off.
    probe: Option<ProbeConfig>,
    /// Failures in a row that may pass (throttling, AWS's 5xx), per
    /// resource.
    transient: std::collections::HashMap<Resource, u32>,
}

/// How often a failure that may pass (a throttle, a 5xx, a dropped
/// connection) is tried again before the snapshot gives up: a CI gate
/// must not fail on one throttle.
const RETRIES: u32 = 3;

/// What the snapshot does with an observation.
#[derive(Debug, PartialEq)]
enum Taken {
    Kept,
    /// Ask again after this long.
    Retry(Duration),
    Failed(CloudError),
}

impl Collected {
    fn new(svc: &ServiceRef, region: String, probe: Option<ProbeConfig>) -> Collected {
        let mut ctx = Context::new(svc.clone(), region);
        ctx.probe = probe.as_ref().map(|p| p.info.clone());
        ctx.read_only = true;
        Collected {
            state: State::new(ctx, crate::clock::now()),
            probe,
            transient: std::collections::HashMap::new(),
        }
    }

    fn world(&self) -> &World {
        &self.state.world
    }

    /// The probe's base URL, or why there is none; None before the
    /// service and its target groups are known.
    fn base(&self) -> Option<Result<String, String>> {
        let cfg = self.probe.as_ref()?;
        if let Some(u) = &cfg.info.url {
            return Some(Ok(u.clone()));
        }
        self.world().targets.get()?;
        self.world().derived.probe_base.clone()
    }

    /// Up, or three samples taken, or nothing to probe: enough to say.
    fn probe_settled(&self) -> bool {
        if self.probe.is_none() || self.world().probe.error.is_some() {
            return true;
        }
        let h = &self.world().probe.history;
        match self.base() {
            None => false,
            Some(Err(_)) => true,
            Some(Ok(_)) => {
                h.last().is_some_and(|s| s.up)
                    || h.total() >= u64::from(crate::model::probe::DOWN_AFTER)
            }
        }
    }

    /// Takes one observation. A failure of anything but the identity, the
    /// probe and the logs ends the snapshot — after `RETRIES` tries when
    /// it may pass (throttling, a 5xx, a broken connection). The identity
    /// needs no permission but can fail on bad credentials; the service
    /// call will say that more usefully.
    fn take(&mut self, ev: PollEvent) -> Taken {
        if let Err(f) = &ev.result
            && !matches!(
                ev.resource,
                Resource::Identity | Resource::Probe | Resource::Logs | Resource::Metrics
            )
        {
            let e = &f.error;
            let passing = e.kind == crate::cloud::ErrorKind::Throttled || e.outcome_unknown();
            let tries = self.transient.entry(ev.resource).or_default();
            *tries += 1;
            if passing && *tries <= RETRIES {
                tracing::info!(resource = ?ev.resource, error = %e, tries = *tries, "status: trying again");
                return Taken::Retry(Duration::from_secs(1 << (*tries - 1)));
            }
            let mut e = e.clone();
            if passing {
                e.message = format!("{} (after {} tries)", e.message, RETRIES + 1);
            }
            return Taken::Failed(e);
        }
        self.transient.remove(&ev.resource);
        // Nothing a snapshot does asks for work: the effects are none.
        let _ = update(&mut self.state, Msg::Poll(Box::new(ev)));
        Taken::Kept
    }

    fn missing(&self) -> Vec<&'static str> {
        let w = self.world();
        let mut out = Vec::new();
        if !w.identity_answered() {
            out.push("the caller identity (sts:GetCallerIdentity)");
        }
        if w.service.get().is_none() {
            out.push("the service");
        }
        if w.task_defs.get().is_none() {
            out.push("the task definitions");
        }
        if w.tasks.get().is_none() {
            out.push("the tasks");
        }
        if w.targets.get().is_none() {
            out.push("the target groups");
        }
        if w.efs.get().is_none() {
            out.push("the EFS file systems");
        }
        if !self.probe_settled() {
            out.push("the probe");
        }
        if !self.metrics_answered() {
            out.push("CPU and memory (cloudwatch:GetMetricData)");
        }
        out
    }

    fn complete(&self) -> bool {
        let w = self.world();
        w.identity_answered()
            && w.task_def().is_some()
            && w.tasks.get().is_some()
            && w.targets.get().is_some()
            && w.efs.get().is_some()
            && self.probe_settled()
            && self.metrics_answered()
    }

    /// CloudWatch answered, or refused: either is enough to say.
    fn metrics_answered(&self) -> bool {
        let m = &self.world().metrics;
        m.get().is_some() || m.error.is_some()
    }

    fn verdict(&self) -> Option<&Verdict> {
        self.world().service.get()?;
        Some(self.world().verdict())
    }
}

/// The longest a snapshot waits for its first answers (each AWS call is
/// bounded at 30 s; a failing one ends the snapshot sooner).
const SNAPSHOT_LIMIT: Duration = Duration::from_secs(90);

/// How long a snapshot waits for the service to turn healthy.
#[derive(Debug, Clone, Copy)]
pub enum Settle {
    /// Take the first complete observation, whatever it says.
    No,
    /// Keep observing until the verdict is HEALTHY or this much time has
    /// passed (the demo's first task is still starting).
    Until(Duration),
}

/// One snapshot of the service, from a session of its own.
pub async fn snapshot(cloud: &Arc<dyn Cloud>, svc: &ServiceRef) -> Result<Snapshot, CloudError> {
    snapshot_with(cloud, svc, DEFAULT_REFRESH, None, Settle::No).await
}

/// A snapshot; with `probe`, it also probes the API (up to three samples
/// before calling it down).
pub async fn snapshot_with(
    cloud: &Arc<dyn Cloud>,
    svc: &ServiceRef,
    refresh: Duration,
    probe: Option<ProbeConfig>,
    settle: Settle,
) -> Result<Snapshot, CloudError> {
    let mut session = Session::start(
        cloud.clone(),
        svc.clone(),
        Plan {
            refresh,
            logs: false,
            metrics: true,
            probe: probe.clone(),
        },
    );
    let deadline = match settle {
        Settle::No => None,
        Settle::Until(d) => Some(tokio::time::Instant::now() + d),
    };
    // However the backend misbehaves, a snapshot ends: a poller that never
    // answers is named rather than waited on for ever.
    let give_up = tokio::time::Instant::now() + SNAPSHOT_LIMIT;
    let mut c = Collected::new(svc, cloud.region(), probe);
    // Once healthy, one more round of the fast resources, so the tasks'
    // container health is as new as the target health that said so.
    let mut fresh: Option<Vec<Resource>> = None;
    loop {
        let Ok(next) = tokio::time::timeout_at(give_up, session.next()).await else {
            return Err(CloudError::new(
                crate::cloud::ErrorKind::Network,
                "ecsdeck",
                format!(
                    "no answer within {} s for: {}",
                    SNAPSHOT_LIMIT.as_secs(),
                    c.missing().join(", ")
                ),
            ));
        };
        let Some(ev) = next else { break };
        let resource = ev.resource;
        match c.take(ev) {
            Taken::Kept => {}
            Taken::Retry(after) => {
                // The pollers would wait out their backoff: ask now.
                tokio::time::sleep(after).await;
                session.hurry_handle().refresh();
                continue;
            }
            Taken::Failed(e) => return Err(e),
        }
        if !c.complete() {
            continue;
        }
        let Some(deadline) = deadline else { break };
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        let healthy = c.verdict().is_some_and(|v| v.health == Health::Healthy);
        match fresh.as_mut() {
            _ if !healthy => fresh = None,
            None => fresh = Some(vec![Resource::Service, Resource::Tasks, Resource::Targets]),
            Some(left) => {
                left.retain(|r| *r != resource);
                if left.is_empty() {
                    break;
                }
            }
        }
    }
    build(c, svc, cloud.region()).ok_or_else(|| {
        CloudError::new(
            crate::cloud::ErrorKind::Other,
            "ecsdeck",
            "the session ended before every resource was observed",
        )
    })
}

fn probe_snap(cfg: &ProbeConfig, c: &Collected) -> ProbeSnap {
    let p = &c.world().probe;
    let last = p.history.last();
    let g = glance(&p.history, cfg.info.timeout);
    let base = c.base();
    let url = p.url.clone().or_else(|| {
        base.as_ref()
            .and_then(|b| b.as_ref().ok())
            .map(|b| join_url(b, &cfg.info.path))
    });
    let summary = match (&g, &base, &p.error) {
        (_, _, Some(e)) => format!("could not start: {e}"),
        (Some(g), _, _) => format!("{} {}", g.head, g.rest),
        (None, Some(Err(why)), _) => format!("no URL to probe: {why}"),
        (None, _, _) => "no answer yet".into(),
    };
    ProbeSnap {
        url,
        outcome: last.map(|s| s.outcome),
        up: last.is_some_and(|s| s.up),
        state: match g.map(|g| g.state) {
            Some(Standing::Up) => "up",
            Some(Standing::Failing) => "failing",
            Some(Standing::Down) => "down",
            Some(Standing::Unreachable) => "unreachable",
            None => "none",
        },
        latency_ms: last.map(|s| s.total_ms),
        connect_ms: last.and_then(|s| s.connect_ms),
        records: last.and_then(|s| s.records),
        records_at_least: last.is_some_and(|s| s.records.is_some() && s.records_at_least),
        served_by: last.and_then(|s| s.served_by.clone()),
        samples: p.history.total(),
        summary,
    }
}

fn build(c: Collected, svc: &ServiceRef, region: String) -> Option<Snapshot> {
    let verdict = c.verdict()?.clone();
    let probe = c.probe.as_ref().map(|p| probe_snap(p, &c));
    let w = c.world();
    let service = w.service.get()?.clone();
    let task_def = w.task_def()?.clone();
    let tasks = w.task_list().to_vec();
    let target_groups = w.target_groups().to_vec();
    let file_systems = w.efs.get()?.clone();
    let mut targets = Vec::new();
    for (g, owners) in target_groups.iter().zip(&w.derived.owners) {
        for (t, owner) in g.targets.iter().zip(owners) {
            targets.push(TargetRow {
                target_group: g.name.clone(),
                id: t.id.clone(),
                port: t.port,
                state: t.state.clone(),
                reason: t.reason.clone(),
                description: t.description.clone(),
                task: owner
                    .as_deref()
                    .map(|a| crate::model::arn_tail(a).to_string()),
            });
        }
    }
    let (cpu, memory, metrics_reason) = usage::service(w);
    let task_metrics = usage::tasks(w, &svc.cluster, &region);
    let mounts = w
        .mounts()
        .iter()
        .map(|m| MountRow {
            task: crate::model::arn_tail(&m.task_arn).to_string(),
            volume: m.volume.clone(),
            file_system: m.file_system.clone(),
            status: m.status.clone(),
        })
        .collect();
    Some(Snapshot {
        cluster: svc.cluster.clone(),
        service_name: svc.service.clone(),
        region,
        identity: w.identity.get().cloned(),
        verdict,
        service,
        task_definition: task_def,
        tasks,
        target_groups,
        targets,
        file_systems,
        mounts,
        warnings: w.warnings().to_vec(),
        probe,
        cpu,
        memory,
        metrics_reason,
        task_metrics,
    })
}

/// Exit code by verdict: 0 healthy, 1 degraded, down or unknown.
/// Preflight warnings do not change it.
pub fn exit_code(s: &Snapshot) -> i32 {
    match s.verdict.health {
        Health::Healthy => 0,
        _ => 1,
    }
}

pub fn table(s: &Snapshot) -> String {
    let mut o = String::new();
    let svc = &s.service;
    let _ = writeln!(
        o,
        "{} / {}  ({})  {}",
        s.cluster,
        s.service_name,
        s.region,
        s.identity
            .as_ref()
            .map(|i| i.arn.as_str())
            .unwrap_or("identity unknown")
    );
    let _ = writeln!(
        o,
        "verdict: {}  {}",
        s.verdict.health.word(),
        s.verdict.reason
    );
    if let Some(p) = &s.probe {
        let _ = writeln!(
            o,
            "probe:   GET {}  {}",
            p.url.as_deref().unwrap_or("-"),
            p.summary
        );
    }
    let _ = writeln!(
        o,
        "\nservice: {}  desired {} running {} pending {}  deploy min {}% max {}%",
        svc.status,
        svc.desired,
        svc.running,
        svc.pending,
        svc.config.min_percent,
        svc.config.max_percent
    );
    for d in &svc.deployments {
        let _ = writeln!(
            o,
            "  deployment {} {} {} {}  {}/{} running",
            d.id,
            d.status,
            d.rollout_state.as_deref().unwrap_or("-"),
            crate::model::task_def_label(&d.task_definition),
            d.running,
            d.desired
        );
    }
    let _ = writeln!(o, "{}", usage::line(&s.cpu, &s.memory, &s.metrics_reason));
    tasks_table(&mut o, &s.tasks);
    let _ = writeln!(o, "\ntargets:");
    if s.targets.is_empty() {
        let _ = writeln!(o, "  (none registered)");
    }
    for t in &s.targets {
        let _ = writeln!(
            o,
            "  {:<10} {}:{}  {:<9} {:<32} → {}",
            t.target_group,
            t.id,
            t.port.map(|p| p.to_string()).unwrap_or_default(),
            t.state,
            t.reason.as_deref().unwrap_or(""),
            t.task.as_deref().map(short_id).unwrap_or("no task")
        );
    }
    efs_table(&mut o, s);
    if !s.warnings.is_empty() {
        let _ = writeln!(o, "\nwarnings:");
        for w in &s.warnings {
            let _ = writeln!(o, "  ⚠ {}", w.message);
        }
    }
    o
}

/// The tasks and their containers, one line each.
fn tasks_table(o: &mut String, tasks: &[Task]) {
    let _ = writeln!(o, "\ntasks:");
    for t in tasks {
        let _ = writeln!(
            o,
            "  {:<8}  {:<13} {:<9} {:<8} {:<11} {:<15} {}",
            t.short(),
            t.last_status,
            t.health.as_deref().unwrap_or("-"),
            crate::model::task_def_label(&t.task_definition),
            t.az.as_deref().unwrap_or("-"),
            t.private_ip.as_deref().unwrap_or("-"),
            match (&t.stop_code, &t.stopped_reason) {
                (Some(c), Some(r)) => format!("{c}: {r}"),
                _ => String::new(),
            }
        );
        for c in &t.containers {
            let _ = writeln!(
                o,
                "      {:<12} {:<8} {:<9} {}{}",
                c.name,
                c.last_status,
                c.health.as_deref().unwrap_or("-"),
                c.image,
                c.exit_code
                    .map(|e| format!("  exit {e}"))
                    .unwrap_or_default()
            );
        }
    }
}

/// The file systems, their mount targets and each task's mount.
fn efs_table(o: &mut String, s: &Snapshot) {
    let _ = writeln!(o, "\nefs:");
    for f in &s.file_systems {
        let _ = writeln!(
            o,
            "  {} {} {} bytes, {} mount targets",
            f.id, f.lifecycle, f.size_bytes, f.mount_target_count
        );
        for m in &f.mount_targets {
            let _ = writeln!(
                o,
                "    {} {} {} {}",
                m.id,
                m.az.as_deref().unwrap_or("-"),
                m.state,
                m.ip.as_deref().unwrap_or("")
            );
        }
    }
    for m in &s.mounts {
        let _ = writeln!(
            o,
            "  task {} volume {}: {}",
            short_id(&m.task),
            m.volume,
            m.status.label()
        );
    }
}

#[cfg(test)]
mod tests;
