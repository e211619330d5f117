//! The service verdict: one word for the whole service, and why.

use serde::Serialize;

use super::join::{binding_for, task_for_target};

use std::time::Duration;

use crate::model::probe::{History, Outcome, meaning};
use crate::model::{Service, TargetGroup, Task};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Down,
    Unknown,
}

impl Health {
    pub fn word(self) -> &'static str {
        match self {
            Health::Healthy => "HEALTHY",
            Health::Degraded => "DEGRADED",
            Health::Down => "DOWN",
            Health::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub health: Health,
    pub reason: String,
}

impl Verdict {
    fn new(health: Health, reason: impl Into<String>) -> Self {
        Verdict {
            health,
            reason: reason.into(),
        }
    }
}

fn is_live(t: &Task) -> bool {
    t.desired_status == "RUNNING" && t.last_status == "RUNNING"
}

/// One word for the whole service, and why. "Steady" is not "healthy": a
/// service whose target group has no healthy target is down even when ECS
/// reports the desired count running.
pub fn verdict(
    service: Option<&Service>,
    tasks: Option<&[Task]>,
    tgs: Option<&[TargetGroup]>,
) -> Verdict {
    let Some(svc) = service else {
        return Verdict::new(Health::Unknown, "service not loaded yet");
    };
    if svc.status != "ACTIVE" {
        return Verdict::new(Health::Down, format!("service is {}", svc.status));
    }
    if svc.desired == 0 {
        return Verdict::new(Health::Down, "desired count is 0");
    }
    let live: Vec<&Task> = tasks
        .map(|ts| ts.iter().filter(|t| is_live(t)).collect())
        .unwrap_or_default();
    let running = if tasks.is_some() {
        live.len() as i32
    } else {
        svc.running
    };
    if running == 0 {
        return Verdict::new(Health::Down, format!("0/{} tasks running", svc.desired));
    }
    // Each bound target group on its own: it serves only when one of the
    // service's own tasks is healthy in it. An empty group, or one whose
    // healthy targets belong to nobody we know, serves nothing.
    let bound = svc.target_group_arns();
    let mut groups = Groups::default();
    if let Some(tgs) = tgs.filter(|_| !bound.is_empty()) {
        let Some(tasks) = tasks else {
            return Verdict::new(
                Health::Unknown,
                "tasks not loaded: cannot tell whose targets are healthy",
            );
        };
        groups = judge_groups(svc, &bound, tgs, tasks);
        if !groups.dead.is_empty() {
            let health = if groups.serving == 0 {
                Health::Down
            } else {
                Health::Degraded
            };
            return Verdict::new(health, groups.dead.join("; "));
        }
    }
    let (healthy_targets, target_problem) = (groups.healthy, groups.problem);
    for t in &live {
        for c in &t.containers {
            if c.health.as_deref() == Some("UNHEALTHY") {
                return Verdict::new(
                    Health::Degraded,
                    format!("{} in task {} is UNHEALTHY", c.name, t.short()),
                );
            }
        }
    }
    if running < svc.desired {
        return Verdict::new(
            Health::Degraded,
            format!("{running}/{} tasks running", svc.desired),
        );
    }
    if let Some(p) = target_problem {
        return Verdict::new(Health::Degraded, p);
    }
    if let Some(d) = svc
        .deployments
        .iter()
        .find(|d| d.rollout_state.as_deref() == Some("FAILED"))
    {
        return Verdict::new(
            Health::Degraded,
            format!(
                "deployment failed: {}",
                d.rollout_reason.as_deref().unwrap_or("no reason given")
            ),
        );
    }
    if svc.deployments.len() > 1 {
        return Verdict::new(Health::Degraded, "deployment in progress");
    }
    let mut reason = format!("{running}/{} running", svc.desired);
    if !bound.is_empty() && tgs.is_some() {
        reason.push_str(&format!(
            ", {healthy_targets} target{} healthy",
            if healthy_targets == 1 { "" } else { "s" }
        ));
    }
    Verdict::new(Health::Healthy, reason)
}

/// The bound target groups, each judged on its own.
#[derive(Default)]
struct Groups {
    /// Healthy targets of the service's own tasks.
    healthy: usize,
    /// Groups with at least one.
    serving: usize,
    /// Why each other group serves nothing.
    dead: Vec<String>,
    /// The first target of a live task that is not healthy.
    problem: Option<String>,
}

/// Each bound target group serves only when one of the service's own
/// tasks is healthy in it. An empty group, or one whose healthy targets
/// belong to nobody we know, serves nothing.
fn judge_groups(svc: &Service, bound: &[String], tgs: &[TargetGroup], tasks: &[Task]) -> Groups {
    let mut g = Groups::default();
    for arn in bound {
        let Some(tg) = tgs.iter().find(|g| &g.arn == arn) else {
            continue;
        };
        let b = binding_for(svc, tg);
        let mut owned_healthy = 0usize;
        let mut foreign_healthy = 0usize;
        for target in &tg.targets {
            let owner = task_for_target(tg, b, target, tasks);
            if target.state == "healthy" {
                if owner.is_some() {
                    owned_healthy += 1;
                } else {
                    foreign_healthy += 1;
                }
            } else if owner.is_none_or(|t| !t.is_leaving()) && target.state != "draining" {
                g.problem.get_or_insert_with(|| {
                    format!(
                        "target {} {}{}",
                        target.id,
                        target.state,
                        target
                            .reason
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    )
                });
            }
        }
        g.healthy += owned_healthy;
        if owned_healthy > 0 {
            g.serving += 1;
        } else if tg.targets.is_empty() {
            g.dead.push(format!(
                "no healthy target in {} (none registered)",
                tg.name
            ));
        } else if foreign_healthy > 0 {
            g.dead.push(format!(
                "{}: no healthy target of the service's tasks ({foreign_healthy} healthy belong to none of them)",
                tg.name
            ));
        } else {
            g.dead.push(format!("no healthy target in {}", tg.name));
        }
    }
    g
}

/// The probe joins the verdict once its URL has answered at all (a URL
/// never reachable from this host says nothing about the service), and
/// only on a confirmed outage (`History::down`): then users cannot use the
/// API, whatever ECS says. 5xx and connection failures are DOWN; an
/// unexpected 4xx is DEGRADED (the API answers, not as expected). When
/// AWS says down but the probe still gets answers, both are said: an ALB
/// whose targets are all unhealthy fails open.
pub fn with_probe(aws: Verdict, probe: &History, timeout: Duration) -> Verdict {
    if let Some(o) = probe.down() {
        let last_end = probe.last().map(|s| s.ended()).unwrap_or(o.from);
        let secs = (last_end - o.from).num_seconds().max(0);
        let why = meaning(o.last, timeout);
        let mut reason = format!("probe {} for {secs} s", o.last.label());
        if !why.is_empty() {
            reason.push_str(&format!(" — {why}"));
        }
        let health = match o.last {
            Outcome::Http(c) if c < 500 && aws.health != Health::Down => Health::Degraded,
            _ => Health::Down,
        };
        return Verdict::new(health, format!("{reason}; AWS: {}", aws.reason));
    }
    if aws.health == Health::Down
        && let Some(s) = probe.last().filter(|s| s.up)
    {
        return Verdict::new(
            Health::Down,
            format!(
                "{}; the probe still gets {} (an ALB with no healthy target fails open)",
                aws.reason,
                s.outcome.label()
            ),
        );
    }
    aws
}

#[cfg(test)]
mod tests;
