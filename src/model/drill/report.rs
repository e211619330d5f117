//! The drill's report: a JSON document (stdout with `--json`, and the
//! report files), built from the machine, its run and the world.

use serde::{Deserialize, Serialize};

use super::machine::{RestartKind, Verdict};
use crate::model::Time;
use crate::model::timeline::{Step, Timeline};

/// One phase of the report: its name, time, where the time comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    /// RFC 3339 with milliseconds, as measured (AWS's clock for `aws`,
    /// this host's for the others).
    pub at: String,
    /// `aws` (AWS's own timestamp), `observed` (seen by a poll, or done by
    /// ecsdeck) or `probe`.
    pub source: String,
    pub uncertainty_s: Option<f64>,
    /// What AWS or the poll said beside it (`no health check`, a stop
    /// reason), when anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The report of a drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Exactly `PASS`, `FAIL` or `ABORTED`.
    pub verdict: Verdict,
    pub reason: String,
    pub service: String,
    pub cluster: String,
    pub restart: RestartKind,
    pub marker: String,
    /// The task that was restarted (the first, when there were several).
    pub old_task: Option<String>,
    pub old_tasks: Vec<String>,
    /// The replacement that answered the final read (served-by), else the
    /// last one.
    pub new_task: Option<String>,
    /// Every replacement seen.
    pub new_tasks: Vec<String>,
    /// Each task restarted: the old task, its replacement and the phases.
    pub restarts: Vec<Restarted>,
    pub probe_url: Option<String>,
    pub probe_url_verified: bool,
    /// The restart-safety warnings at the start.
    pub warnings: Vec<String>,
    /// What happened on the way that an operator should know.
    pub notes: Vec<String>,
    pub cleanup: String,
    pub started_at: String,
    pub ended_at: String,
    /// Every outage the probe saw after the stop, added up (0 when none).
    pub downtime_s: Option<f64>,
    /// The longest of them.
    pub longest_outage_s: Option<f64>,
    /// From the restart request to the first 2xx after it.
    pub stop_to_first_2xx_s: Option<f64>,
    /// This host's clock minus AWS's (to about a second).
    pub clock_offset_s: Option<f64>,
    /// AWS API requests the session sent during the drill (its cost).
    pub aws_calls: Option<u64>,
    /// The preflight's estimate for this service, best and worst case.
    pub estimate_s: Option<Range>,
    /// How long the service was given to come back.
    pub timeout_s: u64,
    pub phases: Vec<Phase>,
    /// Every step the drill logged, with its time.
    pub steps: Vec<(String, String)>,
    /// Every probe sample during the drill.
    pub probe: Vec<ProbeRow>,
    /// Who or what cancelled the drill (`operator`, `SIGTERM`, `terminal
    /// gone`, `internal error`); None when it ran to its verdict.
    pub cancelled_by: Option<String>,
    /// The process was ending: how long its cleanup was given, at most.
    pub cleanup_limit_s: Option<u64>,
    /// The old and new tasks' memory around the restart (CloudWatch
    /// Container Insights), when it has them.
    pub memory: Vec<super::memory::TaskMemory>,
    /// This service's earlier drills on this host (the last 20), oldest
    /// first: the report's trend of downtime.
    #[serde(default)]
    pub history: Vec<super::history::Past>,
    /// The marker's path: every read and write of it, with its time
    /// (this host's clock), in order.
    #[serde(default)]
    pub data: Vec<DataEvent>,
    /// The record count with the marker written, before the restart, and
    /// after it (the last final read's), when the contract counts.
    #[serde(default)]
    pub records_before: Option<u32>,
    #[serde(default)]
    pub records_after: Option<u32>,
    /// The caller's account, for `--redact`; never written.
    #[serde(skip)]
    pub account: Option<String>,
}

/// One task's replacement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restarted {
    pub old_task: String,
    pub new_task: Option<String>,
    pub phases: Vec<Phase>,
}

/// One read or write of the marker through the load balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataEvent {
    pub at: String,
    /// `checked_absent` (the fresh marker is not there yet), `written`,
    /// `read_back` (right after the write), `read_after` (after the
    /// restart; one per try) or `deleted`.
    pub event: String,
    /// The step did what it should: absent, written, found, deleted.
    pub ok: bool,
    /// The HTTP status of a read, when it answered.
    pub status: Option<u16>,
    /// The record count a read found, when the contract counts.
    pub count: Option<u32>,
}

/// A range of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRow {
    pub at: String,
    pub outcome: crate::model::probe::Outcome,
    pub latency_ms: u32,
    /// The answer was what the probe expects (its `expect` statuses, 2xx
    /// by default): what downtime counts. None in older reports.
    #[serde(default)]
    pub up: Option<bool>,
}

impl ProbeRow {
    /// Up as the report's downtime counts it; a 2xx for older reports.
    pub fn is_up(&self) -> bool {
        self.up.unwrap_or(
            matches!(self.outcome, crate::model::probe::Outcome::Http(c) if (200..300).contains(&c)),
        )
    }
}

impl Report {
    /// The clock offset, when it is large enough to matter.
    pub fn clock_warning(&self) -> Option<String> {
        let o = self.clock_offset_s?;
        (o.abs() > 1.0).then(|| {
            format!(
                "this host's clock is {:.1} s {} AWS's: phases from AWS's timestamps and from this host's are that far apart",
                o.abs(),
                if o > 0.0 { "ahead of" } else { "behind" }
            )
        })
    }

    /// What `--redact` masks: the account, and every ARN's account field.
    pub fn redaction(&self, redact: bool) -> Option<&str> {
        redact.then(|| self.account.as_deref().unwrap_or(""))
    }

    /// The report as JSON, the account id masked when `redact` holds one.
    pub fn json(&self, redact: Option<&str>) -> Result<String, String> {
        let s = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        Ok(mask(&s, redact))
    }
}

/// Records before → after in words: `4 → 4`, `4 → —` (never read after
/// the restart), `not counted` (the contract does not count).
pub fn records_words(before: Option<u32>, after: Option<u32>) -> String {
    let n = |v: Option<u32>| v.map_or_else(|| "—".to_string(), |v| v.to_string());
    match (before, after) {
        (None, None) => "not counted".to_string(),
        (b, a) => format!("{} → {}", n(b), n(a)),
    }
}

pub fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn phases(tl: Option<&Timeline>) -> Vec<Phase> {
    let Some(tl) = tl else { return Vec::new() };
    let name = |s: Step| -> Option<&'static str> {
        Some(match s {
            Step::StopRequested => "stop_requested",
            Step::OldStopping => "old_task_stopping",
            Step::OldTargetDraining => "old_target_draining",
            Step::OldTargetGone => "old_target_gone",
            Step::OldStopped => "old_task_stopped",
            Step::NewTaskSeen => "new_task_seen",
            Step::Provisioning => "new_task_provisioning",
            Step::Pending => "new_task_pending",
            Step::PullStarted => "image_pull_started",
            Step::PullStopped => "image_pull_done",
            Step::Running => "new_task_running",
            Step::ContainersHealthy => "new_containers_healthy",
            Step::NewTargetInitial => "new_target_initial",
            Step::NewTargetHealthy => "new_target_healthy",
            Step::FirstUp => "first_2xx",
            Step::NewStopped => "new_task_stopped",
        })
    };
    tl.ordered()
        .into_iter()
        .filter_map(|(s, m)| {
            Some(Phase {
                name: name(s)?.to_string(),
                at: rfc3339(m.at),
                source: match (s, m.within) {
                    (Step::FirstUp, _) => "probe",
                    // ecsdeck's own act, on this host's clock.
                    (Step::StopRequested, _) => "observed",
                    (_, Some(_)) => "observed",
                    (_, None) => "aws",
                }
                .to_string(),
                note: m.note.clone(),
                uncertainty_s: match (s, m.within) {
                    (Step::StopRequested, _) => Some(0.0),
                    // To the millisecond: the poll's spacing, not noise.
                    (_, w) => w.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
                },
            })
        })
        .collect()
}

/// `--redact`: the account id masked in every ARN (the fifth field), and
/// wherever the known account id stands as a whole number.
pub fn mask(s: &str, account: Option<&str>) -> String {
    let Some(account) = account else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // ARNs: arn:partition:service:region:ACCOUNT:resource
    while let Some(i) = rest.find("arn:") {
        out.push_str(&rest[..i]);
        let arn = &rest[i..];
        let fields: Vec<&str> = arn.splitn(6, ':').collect();
        if fields.len() == 6
            && !fields[4].is_empty()
            && fields[4].bytes().all(|b| b.is_ascii_digit())
        {
            let head = fields[..4].join(":");
            out.push_str(&head);
            out.push_str(":************:");
            rest = &arn[head.len() + 1 + fields[4].len() + 1..];
        } else {
            out.push_str("arn:");
            rest = &arn[4..];
        }
    }
    out.push_str(rest);
    if account.len() < 6 {
        return out;
    }
    let mut masked = String::with_capacity(out.len());
    let bytes = out.as_bytes();
    let mut i = 0;
    while i < out.len() {
        let here = &out[i..];
        let before_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        let after = i + account.len();
        let after_digit = bytes.get(after).is_some_and(|b| b.is_ascii_digit());
        if !before_digit && here.starts_with(account) && !after_digit {
            masked.push_str(&"*".repeat(account.len()));
            i = after;
        } else {
            let c = here.chars().next().unwrap_or(' ');
            masked.push(c);
            i += c.len_utf8();
        }
    }
    masked
}
