//! The drill's report: a JSON document (stdout with `--json`, and the
//! report files).

use serde::Serialize;

use super::machine::{RestartKind, Verdict};
use crate::model::Time;
use crate::model::timeline::{Step, Timeline};

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

pub fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn phases(tl: Option<&Timeline>) -> Vec<Phase> {
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
