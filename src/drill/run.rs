//! Runs the drill: feeds the machine from a session's observations and
//! carries out its commands (reads and writes through the load balancer,
//! the restart through the operator). The same for the headless command
//! and, later, the dashboard.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use super::api::{Api, new_marker};
use super::machine::{Command, Drill, Input, RestartError, RestartKind, TaskView, Verdict, World};
use crate::cloud::{ErrorKind, Operate};
use crate::model::derive::target_owners;
use crate::model::drill::Contract;
use crate::model::lb::probe_base;
use crate::model::observe::Observation;
use crate::model::probe::{ProbeConfig, Sample};
use crate::model::timeline::{Step, Timeline, Tracker};
use crate::model::{Identity, Service, TargetGroup, Task, Time};
use crate::session::Session;

pub struct Options {
    pub restart: RestartKind,
    pub timeout: Duration,
    pub contract: Contract,
    pub probe: ProbeConfig,
    /// Mask the caller in the stop reason.
    pub redact: bool,
}

/// What the drill has seen of the service.
#[derive(Default)]
struct Seen {
    identity: Option<Identity>,
    service: Option<Service>,
    tasks: Option<Vec<Task>>,
    targets: Option<Vec<TargetGroup>>,
    probe: Vec<Sample>,
}

impl Seen {
    fn world(&self, now: Time) -> World {
        let tasks = self.tasks.clone().unwrap_or_default();
        let groups = self.targets.clone().unwrap_or_default();
        let mut healthy = Vec::new();
        if let Some(svc) = &self.service {
            let owners = target_owners(svc, &groups, &tasks);
            for (g, owners) in groups.iter().zip(owners) {
                for (t, owner) in g.targets.iter().zip(owners) {
                    if t.state == "healthy" {
                        healthy.push((t.id.clone(), owner));
                    }
                }
            }
        }
        let last = self.probe.last();
        World {
            now,
            tasks: tasks
                .iter()
                .map(|t| {
                    let checked: Vec<_> =
                        t.containers.iter().filter(|c| c.health.is_some()).collect();
                    TaskView {
                        arn: t.arn.clone(),
                        stopped: t.is_stopped(),
                        leaving: t.is_leaving(),
                        running: t.last_status == "RUNNING" && t.desired_status == "RUNNING",
                        healthy: checked
                            .iter()
                            .all(|c| c.health.as_deref() == Some("HEALTHY")),
                        stop_reason: match (&t.stop_code, &t.stopped_reason) {
                            (Some(c), Some(r)) => Some(format!("{c}: {r}")),
                            (_, r) => r.clone(),
                        },
                    }
                })
                .collect(),
            healthy_targets: healthy,
            probe_up: last.map(|s| s.up),
            served_by: last.and_then(|s| s.served_by.clone()),
        }
    }

    fn ready(&self) -> bool {
        self.service.is_some()
            && self.tasks.is_some()
            && self.targets.is_some()
            && !self.probe.is_empty()
    }
}

/// One phase of the report: its name, time, where the time comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub at: String,
    pub source: &'static str,
    pub uncertainty_s: Option<f64>,
}

/// The report of a drill (JSON on stdout with `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub reason: String,
    pub service: String,
    pub cluster: String,
    pub restart: RestartKind,
    pub marker: String,
    pub old_tasks: Vec<String>,
    pub new_task: Option<String>,
    pub probe_url: Option<String>,
    pub probe_url_verified: bool,
    pub cleanup: String,
    pub started_at: String,
    pub ended_at: String,
    pub downtime_s: Option<f64>,
    pub phases: Vec<Phase>,
    pub steps: Vec<(String, String)>,
    pub probe: Vec<ProbeRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeRow {
    pub at: String,
    pub outcome: crate::model::probe::Outcome,
    pub latency_ms: u32,
}

fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn phases(tl: Option<&Timeline>) -> Vec<Phase> {
    let Some(tl) = tl else { return Vec::new() };
    let name = |s: Step| -> Option<&'static str> {
        Some(match s {
            Step::StopRequested => "stop_requested",
            Step::OldTargetDraining => "old_target_draining",
            Step::OldStopped => "old_task_stopped",
            Step::NewTaskSeen => "new_task_seen",
            Step::Provisioning => "new_task_provisioning",
            Step::Pending => "new_task_pending",
            Step::Running => "new_task_running",
            Step::ContainersHealthy => "new_containers_healthy",
            Step::NewTargetHealthy => "new_target_healthy",
            Step::FirstUp => "first_2xx",
            _ => return None,
        })
    };
    tl.ordered()
        .into_iter()
        .filter_map(|(s, m)| {
            Some(Phase {
                name: name(s)?,
                at: rfc3339(m.at),
                source: match (s, m.within) {
                    (Step::FirstUp, _) => "probe",
                    (Step::StopRequested, _) => "ecsdeck",
                    (_, Some(_)) => "observed",
                    (_, None) => "aws",
                },
                uncertainty_s: m.within.map(|d| d.as_secs_f64()),
            })
        })
        .collect()
}

/// Says the steps logged since the `said`-th; returns how many are said.
fn tell(drill: &Drill, said: usize, started: Time, say: &mut impl FnMut(&str)) -> usize {
    for (at, what) in &drill.log[said.min(drill.log.len())..] {
        say(&format!(
            "{:>7.1}s  {what}",
            (*at - started).num_milliseconds() as f64 / 1000.0
        ));
    }
    drill.log.len()
}

/// Runs a drill on `session` (which must hold an operator), telling each
/// step to `say` as it happens; `cancel` resolves when the operator
/// stops waiting.
pub async fn run(
    session: &mut Session,
    opts: Options,
    mut say: impl FnMut(&str),
    cancel: impl Future<Output = ()>,
) -> Result<Report, String> {
    let op: Arc<dyn Operate> = session
        .operator()
        .cloned()
        .ok_or("this session is read-only: the drill cannot restart anything")?;
    let target = session.target().clone();
    let hand_set = opts.probe.info.url.is_some();
    let marker = new_marker();
    let now = Utc::now();
    let mut drill = Drill::new(marker.clone(), opts.restart, hand_set, opts.timeout, now);
    let mut seen = Seen::default();
    let mut tracker = Tracker::default();
    let mut api: Option<Api> = None;
    let mut said = 0;
    tokio::pin!(cancel);
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut pending: std::collections::VecDeque<Command> = Default::default();
    let mut probe_url: Option<String> = None;
    let mut baseline_sent = false;
    let started = now;
    loop {
        // Say the new steps.
        said = tell(&drill, said, started, &mut say);
        if let Some(cmd) = pending.pop_front() {
            let input = match cmd {
                Command::Finish => break,
                Command::Read => {
                    let Some(api) = &api else { break };
                    match api.read(&marker).await {
                        Ok(r) => Input::Read(r),
                        Err(e) => Input::ReadFailed(e),
                    }
                }
                Command::Write => {
                    let Some(api) = &api else { break };
                    say(&format!("          writing the marker {marker}"));
                    Input::Written(api.write(&marker).await)
                }
                Command::Delete(id) => {
                    let Some(api) = &api else { break };
                    Input::Deleted(api.delete(&id).await)
                }
                Command::Restart(tasks) => {
                    session.hurry();
                    let at = Utc::now();
                    let who = match (&seen.identity, opts.redact) {
                        (_, true) => "an operator (redacted)".to_string(),
                        (Some(i), _) => i.arn.clone(),
                        (None, _) => "an operator (identity unknown)".to_string(),
                    };
                    let reason: String = format!("ecsdeck drill: stopped by {who}")
                        .chars()
                        .take(255)
                        .collect();
                    let r = match &tasks {
                        Some(arns) => {
                            let mut r = Ok(());
                            for arn in arns {
                                tracker.requested(Some(arn.clone()), at);
                                if let Err(e) = op.stop_task(&target.cluster, arn, &reason).await {
                                    r = Err(e);
                                    break;
                                }
                            }
                            r
                        }
                        None => {
                            tracker.requested(None, at);
                            op.force_deployment(&target.cluster, &target.service).await
                        }
                    };
                    say(&format!(
                        "          restart sent ({}): {}",
                        match opts.restart {
                            RestartKind::StopTask => "StopTask",
                            RestartKind::ForceDeployment => "UpdateService forceNewDeployment",
                        },
                        match &r {
                            Ok(()) => "accepted".to_string(),
                            Err(e) => e.operator_text(),
                        }
                    ));
                    Input::Restarted(r.map_err(|e| RestartError {
                        unknown: e.kind == ErrorKind::Network,
                        message: e.operator_text(),
                    }))
                }
            };
            pending.extend(drill.step(input));
            continue;
        }
        tokio::select! {
            _ = &mut cancel => {
                say("          cancelled: cleaning up");
                pending.extend(drill.step(Input::Cancel));
            }
            _ = clock.tick() => {
                pending.extend(drill.step(Input::Tick(Utc::now())));
            }
            ev = session.next() => {
                let Some(ev) = ev else { return Err("the session ended".into()) };
                let at = ev.at;
                if let Ok(obs) = ev.result {
                    match obs {
                        Observation::Identity(i) => seen.identity = Some(i),
                        Observation::Service(s) => seen.service = Some(*s),
                        Observation::Tasks(t) => {
                            tracker.on_tasks(&t, at);
                            seen.tasks = Some(t);
                        }
                        Observation::Targets(g) => {
                            if let (Some(svc), Some(tasks)) = (&seen.service, &seen.tasks) {
                                tracker.on_targets(&g, &target_owners(svc, &g, tasks), at);
                            }
                            seen.targets = Some(g);
                        }
                        Observation::Probe(r) => {
                            tracker.on_probe(&r.sample);
                            if api.is_none() {
                                let base = r.url.strip_suffix(opts.probe.info.path.as_str()).unwrap_or(&r.url).trim_end_matches('/').to_string();
                                api = Some(Api::new(&base, &opts.probe, opts.contract.clone())?);
                                probe_url = Some(r.url.clone());
                            }
                            seen.probe.push(r.sample);
                        }
                        _ => {}
                    }
                }
                if !baseline_sent && seen.ready() && api.is_some() {
                    baseline_sent = true;
                    pending.extend(drill.step(Input::Baseline(seen.world(Utc::now()))));
                } else if baseline_sent {
                    pending.extend(drill.step(Input::Observed(seen.world(Utc::now()))));
                }
                // No URL to probe at all: nothing can be verified.
                if !baseline_sent && api.is_none()
                    && let (Some(svc), Some(groups)) = (&seen.service, &seen.targets)
                    && opts.probe.info.url.is_none()
                    && let Err(why) = probe_base(&svc.target_group_arns(), groups)
                {
                    return Err(format!("no URL to reach the API: {why}"));
                }
            }
        }
    }
    tell(&drill, said, started, &mut say);
    let (verdict, reason) = drill
        .verdict
        .clone()
        .unwrap_or((Verdict::Aborted, "the drill ended without a verdict".into()));
    let tl = tracker.current.as_ref();
    Ok(Report {
        verdict,
        reason,
        service: target.service.clone(),
        cluster: target.cluster.clone(),
        restart: opts.restart,
        marker,
        old_tasks: drill.before_tasks.clone(),
        new_task: tl.and_then(|t| t.new_task.clone()),
        probe_url,
        probe_url_verified: !hand_set || drill.outage_seen || drill.served_by_new,
        cleanup: match &drill.cleanup {
            Some(Ok(())) => "deleted".into(),
            Some(Err(e)) => format!("not done: {e}"),
            None => "nothing to clean up".into(),
        },
        started_at: rfc3339(started),
        ended_at: rfc3339(Utc::now()),
        downtime_s: tl
            .and_then(|t| t.outage)
            .and_then(|(a, b)| b.map(|b| (b - a).num_milliseconds() as f64 / 1000.0)),
        phases: phases(tl),
        steps: drill
            .log
            .iter()
            .map(|(t, s)| (rfc3339(*t), s.clone()))
            .collect(),
        probe: seen
            .probe
            .iter()
            .filter(|s| s.at >= started)
            .map(|s| ProbeRow {
                at: rfc3339(s.at),
                outcome: s.outcome,
                latency_ms: s.total_ms,
            })
            .collect(),
    })
}
