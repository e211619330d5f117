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
    let mut healthy_targets = 0usize;
    let mut target_problem: Option<String> = None;
    let bound = svc.target_group_arns();
    if let Some(tgs) = tgs.filter(|_| !bound.is_empty()) {
        let Some(tasks) = tasks else {
            return Verdict::new(
                Health::Unknown,
                "tasks not loaded: cannot tell whose targets are healthy",
            );
        };
        let mut dead: Vec<String> = Vec::new();
        let mut serving = 0usize;
        for arn in &bound {
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
                    target_problem.get_or_insert_with(|| {
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
            healthy_targets += owned_healthy;
            if owned_healthy > 0 {
                serving += 1;
            } else if tg.targets.is_empty() {
                dead.push(format!(
                    "no healthy target in {} (none registered)",
                    tg.name
                ));
            } else if foreign_healthy > 0 {
                dead.push(format!(
                    "{}: no healthy target of the service's tasks ({foreign_healthy} healthy belong to none of them)",
                    tg.name
                ));
            } else {
                dead.push(format!("no healthy target in {}", tg.name));
            }
        }
        if !dead.is_empty() {
            let health = if serving == 0 {
                Health::Down
            } else {
                Health::Degraded
            };
            return Verdict::new(health, dead.join("; "));
        }
    }
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
mod tests {
    use crate::model::derive::*;
    use crate::model::fixtures::*;

    #[test]
    fn verdict_healthy_when_running_and_target_healthy() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Healthy, "{v:?}");
        assert_eq!(v.reason, "1/1 running, 1 target healthy");
    }

    #[test]
    fn verdict_down_with_empty_target_group_even_if_steady() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![])];
        let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Down);
        assert!(v.reason.contains("no healthy target in goals-tg"));
    }

    #[test]
    fn verdict_down_without_running_task() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED")];
        let v = verdict(Some(&svc), Some(&tasks), None);
        assert_eq!(v.health, Health::Down);
        assert_eq!(v.reason, "0/1 tasks running");
    }

    #[test]
    fn verdict_degraded_on_unhealthy_container_or_initial_target() {
        let svc = service();
        let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
        t.containers[1].health = Some("UNHEALTHY".into());
        let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let v = verdict(Some(&svc), Some(std::slice::from_ref(&t)), Some(&tgs));
        assert_eq!(v.health, Health::Degraded);
        assert!(v.reason.contains("mongodb"));

        let mut svc2 = service();
        svc2.desired = 2;
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING"),
        ];
        let tgs = vec![tg(vec![
            target("10.0.1.5", "healthy", None),
            target("10.0.1.6", "initial", Some("Elb.RegistrationInProgress")),
        ])];
        let v = verdict(Some(&svc2), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Degraded);
        assert_eq!(
            v.reason,
            "target 10.0.1.6 initial (Elb.RegistrationInProgress)"
        );
    }

    #[test]
    fn draining_target_of_a_leaving_task_does_not_degrade() {
        let svc = service();
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("old00000", "10.0.1.9", "RUNNING", "STOPPED"),
        ];
        let tgs = vec![tg(vec![
            target("10.0.1.5", "healthy", None),
            target(
                "10.0.1.9",
                "draining",
                Some("Target.DeregistrationInProgress"),
            ),
        ])];
        assert_eq!(
            verdict(Some(&svc), Some(&tasks), Some(&tgs)).health,
            Health::Healthy
        );
    }

    #[test]
    fn verdict_unknown_before_load_and_degraded_on_failed_rollout() {
        assert_eq!(verdict(None, None, None).health, Health::Unknown);
        let mut svc = service();
        svc.deployments[0].rollout_state = Some("FAILED".into());
        svc.deployments[0].rollout_reason = Some("tasks failed to start".into());
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let v = verdict(Some(&svc), Some(&tasks), None);
        assert_eq!(v.health, Health::Degraded);
        assert_eq!(v.reason, "deployment failed: tasks failed to start");
    }

    #[test]
    fn each_target_group_is_judged_on_its_own() {
        let mut svc = service();
        svc.load_balancers.push(crate::model::LbBinding {
            target_group_arn: "arn:tg/admin-tg".into(),
            container_name: "goals-api".into(),
            container_port: 80,
        });
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let mut empty = tg(vec![]);
        empty.arn = "arn:tg/admin-tg".into();
        empty.name = "admin-tg".into();
        let groups = vec![tg(vec![target("10.0.1.5", "healthy", None)]), empty];
        let v = verdict(Some(&svc), Some(&tasks), Some(&groups));
        assert_eq!(v.health, Health::Degraded, "{v:?}");
        assert!(
            v.reason
                .contains("no healthy target in admin-tg (none registered)"),
            "{v:?}"
        );
    }

    #[test]
    fn a_healthy_target_of_nobody_does_not_make_the_service_healthy() {
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let groups = vec![tg(vec![target("10.0.9.9", "healthy", None)])];
        let v = verdict(Some(&service()), Some(&tasks), Some(&groups));
        assert_eq!(v.health, Health::Down, "{v:?}");
        assert!(v.reason.contains("belong to none of them"), "{v:?}");
    }

    #[test]
    fn without_the_tasks_ownership_is_unknown_never_down() {
        let groups = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let v = verdict(Some(&service()), None, Some(&groups));
        assert_eq!(v.health, Health::Unknown, "{v:?}");
    }

    fn probed(outcomes: &[(i64, u16)]) -> crate::model::probe::History {
        use chrono::TimeZone;
        let mut h = crate::model::probe::History::default();
        for (at, code) in outcomes {
            h.push(crate::model::probe::Sample {
                at: chrono::Utc
                    .timestamp_opt(1_800_000_000 + at, 0)
                    .single()
                    .expect("valid"),
                outcome: crate::model::probe::Outcome::Http(*code),
                up: (200..300).contains(code),
                total_ms: 10,
                connect_ms: None,
                first_byte_ms: None,
                records: None,
                served_by: None,
                detail: None,
            });
        }
        h
    }

    #[test]
    fn the_probe_turns_the_verdict_only_on_a_confirmed_outage() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let aws = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(aws.health, Health::Healthy);
        let two_s = std::time::Duration::from_secs(2);
        // One failed sample: the header stays as AWS says.
        let v = with_probe(aws.clone(), &probed(&[(0, 200), (1, 503)]), two_s);
        assert_eq!(v, aws);
        // Three in a row: DOWN, with the probe's reason first and AWS's kept.
        let v = with_probe(
            aws.clone(),
            &probed(&[(0, 200), (1, 503), (2, 503), (3, 503)]),
            two_s,
        );
        assert_eq!(v.health, Health::Down);
        assert!(
            v.reason
                .starts_with("probe 503 for 2 s — no healthy targets"),
            "{}",
            v.reason
        );
        assert!(v.reason.contains("AWS: 1/1 running"), "{}", v.reason);
        // An unexpected 404 is an answer, not an outage of the service.
        let v = with_probe(aws.clone(), &probed(&[(0, 404), (1, 404), (2, 404)]), two_s);
        assert_eq!(v.health, Health::Degraded);
        // Recovered: AWS's verdict again.
        let v = with_probe(
            aws.clone(),
            &probed(&[(0, 503), (1, 503), (2, 503), (3, 200)]),
            two_s,
        );
        assert_eq!(v, aws);
    }

    #[test]
    fn a_200_while_aws_says_down_is_said_beside_it_never_instead() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![target(
            "10.0.1.5",
            "unhealthy",
            Some("Target.Timeout"),
        )])];
        let aws = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(aws.health, Health::Down);
        let v = with_probe(aws, &probed(&[(0, 200)]), std::time::Duration::from_secs(2));
        assert_eq!(v.health, Health::Down);
        assert!(v.reason.contains("fails open"), "{}", v.reason);
    }
}
