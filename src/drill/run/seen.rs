//! What the drill has seen of the service: the last of each observation,
//! turned into the machine's `World`, and what the report says of the way.

use std::collections::HashMap;

use super::BLIND_AFTER_S;
use crate::cloud::CloudError;
use crate::drill::machine::{RestartKind, TaskView, Verdict, World};
use crate::model::derive::target_owners;
use crate::model::observe::Resource;
use crate::model::probe::Sample;
use crate::model::{FileSystem, Identity, Service, TargetGroup, Task, TaskDef, Time};

/// What the drill has seen of the service.
#[derive(Default)]
pub(super) struct Seen {
    pub(super) identity: Option<Identity>,
    pub(super) service: Option<Service>,
    pub(super) tasks: Option<Vec<Task>>,
    pub(super) targets: Option<Vec<TargetGroup>>,
    pub(super) task_defs: Vec<TaskDef>,
    pub(super) efs: Vec<FileSystem>,
    pub(super) probe: Vec<Sample>,
    /// The most tasks seen running at once, and which.
    pub(super) overlap: Vec<String>,
    /// When the drill began: service events and log lines from then on.
    pub(super) started: Time,
    /// What the containers' logs said on the way (`DBPathInUse`).
    pub(super) log_notes: Vec<String>,
    /// The last answer of each poll the drill depends on, and the last
    /// failure since: a drill that cannot see must not judge.
    pub(super) last_ok: HashMap<Resource, Time>,
    pub(super) last_err: HashMap<Resource, CloudError>,
    /// The caller identity poll answered (or failed): the stop reason can
    /// name the caller, or say it is unknown, from then on.
    pub(super) identity_answered: bool,
}

impl Seen {
    /// A poll the drill needs that has failed for a while: the drill is
    /// blind to that part of the service.
    pub(super) fn blind(&self, now: Time) -> Option<String> {
        [Resource::Service, Resource::Tasks, Resource::Targets]
            .iter()
            .find_map(|r| {
                let e = self.last_err.get(r)?;
                let since = self.last_ok.get(r).copied().unwrap_or(self.started);
                let secs = (now - since).num_seconds();
                (secs >= BLIND_AFTER_S).then(|| {
                    format!(
                        "{} has failed for {secs} s: {}",
                        e.action,
                        e.operator_text()
                    )
                })
            })
    }

    pub(super) fn world(&self, now: Time) -> World {
        let tasks = self.tasks.as_deref().unwrap_or_default();
        let groups = self.targets.as_deref().unwrap_or_default();
        let mut healthy = Vec::new();
        if let Some(svc) = &self.service {
            let owners = target_owners(svc, groups, tasks);
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
                        stop_reason: {
                            let exits: String = t
                                .containers
                                .iter()
                                .filter_map(|c| match c.exit_code {
                                    Some(n) if n != 0 => {
                                        Some(format!(", container {} exited {n}", c.name))
                                    }
                                    _ => None,
                                })
                                .collect();
                            match (&t.stop_code, &t.stopped_reason) {
                                (Some(c), Some(r)) => Some(format!("{c}: {r}{exits}")),
                                (_, Some(r)) => Some(format!("{r}{exits}")),
                                (_, None) if !exits.is_empty() => {
                                    Some(exits.trim_start_matches(", ").to_string())
                                }
                                (_, None) => None,
                            }
                        },
                    }
                })
                .collect(),
            healthy_targets: healthy,
            probe_up: last.map(|s| s.up),
            probe_at: last.map(|s| s.at),
            served_by: last.and_then(|s| s.served_by.clone()),
            blind: self.blind(now),
            scheduler_trouble: self.service.as_ref().and_then(|s| {
                s.events
                    .iter()
                    .filter(|e| e.at.is_some_and(|at| at >= self.started))
                    .find(|e| e.message.contains("unable to consistently start tasks"))
                    .map(|e| e.message.clone())
            }),
        }
    }

    /// A second mongod on the same files says so in its log.
    pub(super) fn scan_logs(&mut self, f: &crate::model::logs::FollowResult) {
        let from = self.started.timestamp_millis();
        for b in &f.batches {
            let hit = b.events.iter().any(|e| {
                e.timestamp_ms >= from
                    && (e.message.contains("DBPathInUse")
                        || e.message.contains("Unable to lock the lock file"))
            });
            let note = format!(
                "DBPathInUse in the log of {} of task {}: a second database process found the files locked (two tasks on one volume)",
                b.source.container,
                crate::model::short_id(&b.source.task_arn)
            );
            if hit && !self.log_notes.contains(&note) {
                self.log_notes.push(note);
            }
        }
    }

    /// What ECS will do, step by step, as the restart dialog says it.
    pub(super) fn plan(&self, kind: RestartKind) -> Vec<String> {
        let Some(svc) = &self.service else {
            return Vec::new();
        };
        let tasks = self.tasks.as_deref().unwrap_or_default();
        let first = tasks.iter().find(|t| !t.is_leaving());
        let restart = match (kind, first) {
            (RestartKind::StopTask, Some(t)) => crate::model::derive::Restart::StopTask {
                task_arn: t.arn.clone(),
            },
            (RestartKind::StopTask, None) => return Vec::new(),
            (RestartKind::ForceDeployment, _) => crate::model::derive::Restart::ForceDeployment,
        };
        let td = self.task_defs.iter().find(|d| d.arn == svc.task_definition);
        let mut out = crate::model::derive::restart_plan(
            &restart,
            svc,
            td,
            self.targets.as_deref().unwrap_or_default(),
            first,
        );
        let running = tasks.iter().filter(|t| !t.is_leaving()).count();
        if kind == RestartKind::StopTask && running > 1 {
            out.insert(
                0,
                format!("the service runs {running} tasks: each is stopped in turn, once the last one's replacement is healthy"),
            );
        }
        out
    }

    /// The restart-safety warnings, as the dashboard shows them.
    pub(super) fn warnings(&self) -> Vec<String> {
        let (Some(svc), Some(tasks)) = (&self.service, &self.tasks) else {
            return Vec::new();
        };
        let td = self.task_defs.iter().find(|d| d.arn == svc.task_definition);
        crate::model::derive::preflight(
            svc,
            td,
            self.targets.as_deref().unwrap_or_default(),
            &self.efs,
            tasks,
        )
        .into_iter()
        .map(|w| w.message)
        .collect()
    }

    /// What an operator should know of the way: the old task's exit codes
    /// and two tasks running at once.
    pub(super) fn notes(
        &self,
        before: &[String],
        verdict: Verdict,
        kind: RestartKind,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for t in self
            .tasks
            .iter()
            .flatten()
            .filter(|t| before.contains(&t.arn))
        {
            for c in &t.containers {
                match c.exit_code {
                    Some(137) => out.push(format!(
                        "container {} of the old task {} exited 137: it was killed (SIGKILL) after stopTimeout, not stopped cleanly",
                        c.name,
                        crate::model::short_id(&t.arn)
                    )),
                    Some(0) | None => {}
                    Some(n) => out.push(format!(
                        "container {} of the old task {} exited {n}",
                        c.name,
                        crate::model::short_id(&t.arn)
                    )),
                }
            }
        }
        out.extend(self.log_notes.iter().cloned());
        if self.overlap.len() > 1 {
            out.push(format!(
                "{} tasks ran at once during the restart ({}): with the data on one EFS volume, two database processes may have shared its files",
                self.overlap.len(),
                self.overlap
                    .iter()
                    .map(|a| crate::model::short_id(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if verdict == Verdict::Pass {
            out.push(match kind {
                RestartKind::StopTask => "a graceful stop was tested (StopTask: SIGTERM, then stopTimeout), not a crash or a lost host".to_string(),
                RestartKind::ForceDeployment => "a graceful replacement was tested (a forced deployment), not a crash or a lost host".to_string(),
            });
        }
        out
    }

    /// What the baseline still lacks, in words.
    pub(super) fn missing(&self) -> String {
        let mut out = Vec::new();
        for (r, have, what) in [
            (
                Resource::Identity,
                self.identity_answered,
                "the caller identity",
            ),
            (Resource::Service, self.service.is_some(), "the service"),
            (Resource::Tasks, self.tasks.is_some(), "the tasks"),
            (
                Resource::Targets,
                self.targets.is_some(),
                "the target health",
            ),
            (Resource::Probe, !self.probe.is_empty(), "a probe answer"),
        ] {
            if !have {
                out.push(match self.last_err.get(&r) {
                    Some(e) => format!("{what} ({})", e.operator_text()),
                    None => format!("{what} (no answer yet)"),
                });
            }
        }
        format!("still waiting for {}", out.join(", "))
    }

    pub(super) fn ready(&self) -> bool {
        self.identity_answered
            && self.service.is_some()
            && self.tasks.is_some()
            && self.targets.is_some()
            && !self.probe.is_empty()
    }
}
