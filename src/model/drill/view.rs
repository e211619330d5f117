//! The world as the drill's machine sees it, and what the drill says of
//! the way: both read from the one model of the service.

use std::time::Duration;

use super::machine::{RestartKind, TaskView, Verdict, World as Sight};
use crate::model::derive::deployment_can_replace;
use crate::model::world::World;
use crate::model::{Task, Time, short_id};

/// A poll the drill needs failing this long makes it blind to the service.
pub const BLIND_AFTER: Duration = Duration::from_secs(30);

/// The baseline (the tasks, targets and a probe answer) must come within
/// this: the drill never waits for ever to start.
pub const BASELINE_WAIT: Duration = Duration::from_secs(60);

/// `stopCode: stoppedReason`, with the containers' non-zero exit codes.
fn stop_reason(t: &Task) -> Option<String> {
    let exits: String = t
        .containers
        .iter()
        .filter_map(|c| match c.exit_code {
            Some(n) if n != 0 => Some(format!(", container {} exited {n}", c.name)),
            _ => None,
        })
        .collect();
    match (&t.stop_code, &t.stopped_reason) {
        (Some(c), Some(r)) => Some(format!("{c}: {r}{exits}")),
        (_, Some(r)) => Some(format!("{r}{exits}")),
        (_, None) if !exits.is_empty() => Some(exits.trim_start_matches(", ").to_string()),
        (_, None) => None,
    }
}

/// The machine's view of `w` at `now`; `since` is when the drill began
/// (service events and poll failures count from then).
pub fn sight(w: &World, now: Time, since: Time) -> Sight {
    let last = w.probe.history.last();
    Sight {
        now,
        tasks: w
            .task_list()
            .iter()
            .map(|t| TaskView {
                arn: t.arn.clone(),
                stopped: t.is_stopped(),
                leaving: t.is_leaving(),
                running: t.last_status == "RUNNING" && t.desired_status == "RUNNING",
                healthy: w.task_ready(t),
                stop_reason: stop_reason(t),
                created_at: t.created_at,
            })
            .collect(),
        healthy_targets: w.healthy_targets(),
        probe_up: last.map(|s| s.up),
        probe_at: last.map(|s| s.at),
        served_by: last.and_then(|s| s.served_by.clone()),
        blind: w.blind(now, since, BLIND_AFTER),
        draining: draining(w, now),
        rollout_failed: w.service.get().and_then(|s| {
            s.deployments
                .iter()
                .filter(|d| d.updated_at.is_none_or(|u| u >= since))
                .find(|d| d.rollout_state.as_deref() == Some("FAILED"))
                .map(|d| {
                    format!(
                        "the deployment {} failed and was rolled back ({})",
                        d.id,
                        d.rollout_reason.as_deref().unwrap_or("no reason given")
                    )
                })
        }),
        cannot_replace: w.service.get().and_then(|s| {
            let c = &s.config;
            (!deployment_can_replace(s.desired, c.min_percent, c.max_percent)).then(|| {
                format!(
                    "deploy min {}% max {}% with {} task(s): a deployment can neither start a new task beside the old nor stop one first, so it cannot replace them",
                    c.min_percent, c.max_percent, s.desired
                )
            })
        }),
        scheduler_trouble: w.service.get().and_then(|s| {
            s.events
                .iter()
                .filter(|e| e.at.is_some_and(|at| at >= since))
                .find(|e| e.message.contains("unable to consistently start tasks"))
                .map(|e| e.message.clone())
        }),
    }
}

/// A draining target of a task that is leaving: how long it may still
/// drain (from when it was first seen draining), and the delay.
fn draining(w: &World, now: Time) -> Option<(u32, u32)> {
    let since = w
        .timeline
        .current
        .as_ref()
        .and_then(|t| {
            t.steps
                .get(&crate::model::timeline::Step::OldTargetDraining)
        })
        .map(|m| m.at)?;
    w.target_groups()
        .iter()
        .zip(&w.derived.owners)
        .filter_map(|(g, owners)| {
            let delay = g.deregistration_delay_s?;
            g.targets
                .iter()
                .zip(owners)
                .any(|(t, o)| {
                    t.state == "draining"
                        && o.as_ref()
                            .and_then(|o| w.task_list().iter().find(|x| &x.arn == o))
                            .is_some_and(|x| x.is_leaving())
                })
                .then(|| {
                    let gone = (now - since).num_seconds().max(0) as u32;
                    (delay.saturating_sub(gone), delay)
                })
        })
        .max()
}

/// The drill can take its baseline: the caller identity answered (the
/// stop reason names the caller), the service, its tasks and targets
/// known, and the probe has answered.
pub fn ready(w: &World) -> bool {
    w.identity_answered()
        && w.service.get().is_some()
        && w.tasks.get().is_some()
        && w.targets.get().is_some()
        && w.probe.history.last().is_some()
        && revisions_known(w)
}

/// The task definition revision of every live task is known: without it,
/// which containers have a health check is not (AWS reports UNKNOWN both
/// for a container still starting and for one with no check).
fn revisions_known(w: &World) -> bool {
    w.task_list()
        .iter()
        .filter(|t| !t.is_stopped())
        .all(|t| w.task_def_of(t).is_some())
}

/// What the baseline still lacks, in words.
pub fn missing(w: &World) -> String {
    let err =
        |e: &Option<crate::model::loadable::LoadError>| e.as_ref().map(|e| e.error.operator_text());
    let mut out = Vec::new();
    for (have, what, why) in [
        (w.identity_answered(), "the caller identity", None),
        (
            w.service.get().is_some(),
            "the service",
            err(&w.service.error),
        ),
        (w.tasks.get().is_some(), "the tasks", err(&w.tasks.error)),
        (
            w.targets.get().is_some(),
            "the target health",
            err(&w.targets.error),
        ),
        (
            w.probe.history.last().is_some(),
            "a probe answer",
            w.probe.error.clone(),
        ),
        (
            revisions_known(w),
            "the tasks' task definitions (which containers have a health check)",
            err(&w.task_defs.error),
        ),
    ] {
        if !have {
            out.push(match why {
                Some(e) => format!("{what} ({e})"),
                None => format!("{what} (no answer yet)"),
            });
        }
    }
    format!("still waiting for {}", out.join(", "))
}

/// Why no drill can start on what `w` shows, before anything is sent: a
/// poll the drill needs is denied, or there is no URL to reach the API.
pub fn cannot_start(w: &World) -> Option<String> {
    for e in [
        &w.service.error,
        &w.tasks.error,
        &w.targets.error,
        &w.task_defs.error,
    ]
    .into_iter()
    .flatten()
    {
        if e.error.kind == crate::model::error::ErrorKind::AccessDenied {
            return Some(format!(
                "the drill needs to watch the service: {}; nothing was sent",
                e.error.operator_text()
            ));
        }
    }
    if w.api_base().is_none()
        && let Some(Err(why)) = &w.derived.probe_base
        && w.targets.get().is_some()
    {
        return Some(format!("no URL to reach the API: {why}"));
    }
    None
}

/// What an operator should know of the way: the old tasks' exit codes,
/// the logs' alarms since `since`, tasks on the data volume at once
/// (`overlap`), and what kind of stop was tested.
pub fn notes(
    w: &World,
    before: &[String],
    overlap: &super::conduct::Overlap,
    since: Time,
    verdict: Verdict,
    kind: RestartKind,
) -> Vec<String> {
    let mut out = Vec::new();
    for t in w.task_list().iter().filter(|t| before.contains(&t.arn)) {
        for c in &t.containers {
            match c.exit_code {
                Some(137) => out.push(format!(
                    "container {} of the old task {} exited 137: it was killed (SIGKILL) after stopTimeout, not stopped cleanly",
                    c.name,
                    short_id(&t.arn)
                )),
                Some(0) | None => {}
                Some(n) => out.push(format!(
                    "container {} of the old task {} exited {n}",
                    c.name,
                    short_id(&t.arn)
                )),
            }
        }
    }
    let volume = w
        .task_def()
        .and_then(|td| td.volumes.iter().find_map(|v| v.efs.as_ref()))
        .map(|e| e.file_system_id.clone());
    let alarms: Vec<&str> = w
        .log_alarms
        .iter()
        .filter(|a| a.at >= since)
        .map(|a| a.note.as_str())
        .collect();
    let mut cited = None;
    if overlap.tasks.len() > 1
        && let Some(fs) = volume
    {
        cited = alarms.first().copied();
        let cite = cited.map(|n| format!("; {n}")).unwrap_or_default();
        out.push(format!(
            "{} tasks had the data volume ({fs}) at once for {:.0} s during the restart ({}), as polled: two database processes may have shared its files{cite}",
            overlap.tasks.len(),
            overlap.total_s,
            overlap
                .tasks
                .iter()
                .map(|a| short_id(a))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for a in alarms {
        if Some(a) != cited && !out.iter().any(|n| n == a) {
            out.push(a.to_string());
        }
    }
    if verdict == Verdict::Pass {
        out.push(match kind {
            RestartKind::StopTask => "a graceful stop was tested (StopTask: SIGTERM, then stopTimeout), not a crash or a lost host".to_string(),
            RestartKind::ForceDeployment => "a graceful replacement was tested (a forced deployment), not a crash or a lost host".to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests;
