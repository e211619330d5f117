//! The drill's preflight: what it will restart and how, what ECS will do,
//! how long it should take, the probe now and the warnings — frozen when
//! the operator is asked, the same for the dashboard's `R` and for
//! `ecsdeck drill`.

use super::machine::RestartKind;
use crate::model::derive::{Estimate, Restart, drill_estimate, restart_plan};
use crate::model::probe::{Standing, glance};
use crate::model::world::World;

/// What the preflight shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    pub cluster: String,
    pub service: String,
    pub restart: RestartKind,
    /// The tasks that will be restarted (every running task).
    pub tasks: Vec<String>,
    /// What ECS will do, step by step (as the restart dialog says it).
    pub plan: Vec<String>,
    pub warnings: Vec<String>,
    pub estimate: Estimate,
    /// How long the service may take to come back: `--timeout`, or the
    /// worst case with a margin.
    pub timeout: std::time::Duration,
    /// The probe now, in words (`UP 200 in 3 ms …`).
    pub baseline: String,
    /// The API answers its expected status: without it the drill would
    /// only end ABORTED.
    pub baseline_ok: bool,
    /// The probe's last answer, short (`200 in 3 ms`).
    pub probe_now: Option<String>,
    /// The probe URL was set by hand.
    pub hand_set_url: bool,
}

/// The preflight of a drill restarting `kind` on what `w` shows now; the
/// reason there can be none, in words.
pub fn preflight(
    w: &World,
    cluster: &str,
    kind: RestartKind,
    timeout: Option<std::time::Duration>,
    requests: &[(String, String)],
) -> Result<Preflight, String> {
    let Some(svc) = w.service.get() else {
        return Err("the service is not loaded yet: no drill can start".into());
    };
    let Some(info) = w.probe_info.as_ref() else {
        return Err(
            "the drill needs the probe ([probe] enabled = false): it reads and writes through the load balancer"
                .into(),
        );
    };
    let first = w.task_list().iter().find(|t| !t.is_leaving());
    let restart = match (kind, first) {
        (RestartKind::ForceDeployment, _) => Restart::ForceDeployment,
        (RestartKind::StopTask, Some(t)) => Restart::StopTask {
            task_arn: t.arn.clone(),
        },
        (RestartKind::StopTask, None) => {
            return Err("no running task: nothing for the drill to restart".into());
        }
    };
    let tasks: Vec<String> = w
        .task_list()
        .iter()
        .filter(|t| !t.is_leaving() && !t.is_stopped())
        .map(|t| t.arn.clone())
        .collect();
    let td = first
        .and_then(|t| w.task_def_of(t))
        .or_else(|| w.task_def());
    let mut plan = restart_plan(&restart, svc, td, w.target_groups(), first);
    if tasks.len() > 1 && kind == RestartKind::StopTask {
        plan.insert(
            0,
            format!(
                "the service runs {} tasks: the drill stops every one of them, one at a time (each replaced and healthy before the next), so no read can be answered by a task that was never restarted",
                tasks.len()
            ),
        );
    }
    let estimate = drill_estimate(
        kind == RestartKind::ForceDeployment,
        svc,
        td,
        w.target_groups(),
        tasks.len(),
    );
    let mut warnings: Vec<String> = w.warnings().iter().map(|w| w.message.clone()).collect();
    if let Some(t) = timeout
        && t.as_secs() < u64::from(estimate.max_s)
    {
        warnings.push(format!(
            "the timeout {} is shorter than this service's worst case ({} s): a slow but healthy restart would be called FAIL",
            humantime::format_duration(t),
            estimate.max_s
        ));
    }
    let timeout = timeout.unwrap_or_else(|| estimate.default_timeout());
    // The listener's rules may send the drill's own requests elsewhere:
    // then its URL needs the evidence a hand-set one does.
    let routes = w.route_problems(requests);
    for r in &routes {
        warnings.push(format!(
            "{r}: the drill needs evidence that its requests reach this service (an outage during the restart, or served-by naming a replacement)"
        ));
    }
    let (baseline, baseline_ok) = match glance(&w.probe.history, info.timeout) {
        Some(g) => (format!("{} {}", g.head, g.rest), g.state == Standing::Up),
        None => ("no probe answer yet".to_string(), false),
    };
    Ok(Preflight {
        cluster: cluster.to_string(),
        service: svc.name.clone(),
        restart: kind,
        tasks,
        plan,
        warnings,
        estimate,
        timeout,
        baseline,
        baseline_ok,
        probe_now: w
            .probe
            .history
            .last()
            .map(|s| format!("{} in {} ms", s.outcome.label(), s.total_ms)),
        hand_set_url: info.url.is_some() || !routes.is_empty(),
    })
}

impl Preflight {
    /// The preflight as lines for a terminal, before the question.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "expect about {}–{} s: {}",
                self.estimate.min_s,
                self.estimate.max_s,
                self.estimate.parts.join(", ")
            ),
            format!("timeout {}", humantime::format_duration(self.timeout)),
        ];
        if let Some(p) = &self.probe_now {
            out.push(format!("probe now: {p}"));
        }
        out.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        out
    }
}

#[cfg(test)]
mod tests;
