//! The drill's vocabulary: what goes into the machine (reads, writes,
//! answers, observations of the world), what comes out (commands), and
//! the verdict.

use serde::Serialize;

use crate::model::Time;

/// The outcome, and the exit code `ecsdeck drill` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Fail,
    Aborted,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Aborted => "ABORTED",
        }
    }

    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Aborted => 3,
        }
    }
}

/// Where the drill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the baseline: the probe up, the tasks and targets known.
    Preflight,
    /// Reading: the fresh marker must not be there yet.
    CheckAbsent,
    Writing,
    /// Reading the marker back right after writing it.
    ReadBack,
    /// The restart was asked for; waiting for AWS's answer.
    Restarting,
    /// Watching the replacement until the service is back.
    Observing,
    /// The final read.
    Verifying,
    /// Deleting the marker.
    CleaningUp,
    Done,
}

impl Stage {
    /// The stage in a few words, for the running view's title.
    pub fn words(self) -> &'static str {
        match self {
            Stage::Preflight => "baseline",
            Stage::CheckAbsent => "checking the marker is absent",
            Stage::Writing => "writing the marker",
            Stage::ReadBack => "reading it back",
            Stage::Restarting => "restarting",
            Stage::Observing => "watching the replacement",
            Stage::Verifying => "reading the marker after the restart",
            Stage::CleaningUp => "cleaning up",
            Stage::Done => "done",
        }
    }
}

/// What a read through the load balancer found. A read only counts when
/// it is a 2xx and the marker is where the contract says, never anywhere
/// in an error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub status: Option<u16>,
    pub found: bool,
    pub count: Option<u32>,
    /// The task the answer came from (the served-by header), when known.
    pub served_by: Option<String>,
    /// A 2xx whose body the contract cannot read (not JSON, the pointer
    /// missing: an HTML page), and why: neither found nor missing.
    pub unreadable: Option<String>,
}

/// Whether `marker` is in `body` where the contract says: at the JSON
/// pointer (anywhere in that subtree, as a whole string value), or — with
/// no pointer — anywhere in the text. Only for 2xx answers.
pub fn read_result(
    status: u16,
    body: &[u8],
    marker: &str,
    pointer: Option<&str>,
    count_pointer: Option<&str>,
) -> Read {
    let ok = (200..300).contains(&status);
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    fn holds(v: &serde_json::Value, marker: &str) -> bool {
        match v {
            serde_json::Value::String(s) => s == marker,
            serde_json::Value::Array(a) => a.iter().any(|x| holds(x, marker)),
            serde_json::Value::Object(o) => o.values().any(|x| holds(x, marker)),
            _ => false,
        }
    }
    let found = ok
        && match pointer {
            Some(p) => json
                .as_ref()
                .and_then(|j| j.pointer(p))
                .is_some_and(|v| holds(v, marker)),
            None => String::from_utf8_lossy(body).contains(marker),
        };
    let count = if ok {
        count_pointer.and_then(|p| {
            json.as_ref()?
                .pointer(p)?
                .as_array()
                .and_then(|a| u32::try_from(a.len()).ok())
        })
    } else {
        None
    };
    let unreadable = match (ok, pointer) {
        (true, Some(p)) => match &json {
            None => Some("the body is not JSON".to_string()),
            Some(j) if j.pointer(p).is_none() => Some(format!("no {p} in the JSON")),
            Some(_) => None,
        },
        _ => None,
    };
    Read {
        status: Some(status),
        found,
        count,
        served_by: None,
        unreadable,
    }
}

/// A task as the drill needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub arn: String,
    pub stopped: bool,
    /// Desired STOPPED: ECS is taking it away.
    pub leaving: bool,
    /// RUNNING with desired RUNNING.
    pub running: bool,
    /// Every essential container ready: HEALTHY with a health check,
    /// RUNNING without one (AWS reports such a one UNKNOWN for ever).
    pub healthy: bool,
    /// `stopCode: stoppedReason` once stopped.
    pub stop_reason: Option<String>,
    /// AWS's `createdAt` (AWS's clock), when known.
    pub created_at: Option<Time>,
}

/// One observation of the service around the drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub now: Time,
    pub tasks: Vec<TaskView>,
    /// The healthy targets of the service's target group: (target id,
    /// the task behind it when known).
    pub healthy_targets: Vec<(String, Option<String>)>,
    /// The probe's last sample: up (2xx) or not; None before any.
    pub probe_up: Option<bool>,
    /// When that sample was taken: a failure before the restart is no
    /// outage of the restart.
    pub probe_at: Option<Time>,
    /// A service event since the drill began saying the scheduler gives
    /// up (`unable to consistently start tasks`).
    pub scheduler_trouble: Option<String>,
    /// The task the probe's last answer named (served-by header).
    pub served_by: Option<String>,
    /// A poll the drill needs has been failing: what it cannot see.
    pub blind: Option<String>,
    /// A deployment since the drill began that ECS rolled back (the
    /// circuit breaker): its id and reason.
    pub rollout_failed: Option<String>,
    /// The deployment configuration leaves ECS unable to replace a task
    /// in a deployment (it hangs), in words.
    pub cannot_replace: Option<String>,
    /// A pre-drill task's target draining: the seconds left at most, and
    /// the deregistration delay.
    pub draining: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The world at the start: the probe must be up.
    Baseline(World),
    Read(Read),
    /// A read that got no answer (a connection error, a timeout).
    ReadFailed(String),
    /// The write answered; `Ok(id)` is the id from its response.
    Written(Result<Option<String>, WriteError>),
    /// AWS's answer to the restart.
    Restarted(Result<(), RestartError>),
    Observed(World),
    Deleted(Result<(), String>),
    /// Stop the drill: it cleans up and reports.
    Cancel(Stop),
    /// The process is ending (a signal's deadline, a second signal):
    /// stop waiting on an answer; a marker whose id is known gets its
    /// delete sent once, then the report.
    Hurry(String),
    Tick(Time),
}

/// Who or what ended a drill before its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Stop {
    /// Esc, Ctrl-C, `n` at the question.
    Operator,
    /// A signal, by name (`SIGTERM`).
    Signal(String),
    /// The terminal went away (a dropped SSH session).
    TerminalGone,
    /// A part of ecsdeck failed (a panic in one of the drill's tasks).
    Internal(String),
}

impl Stop {
    /// The start of the report's reason.
    pub fn words(&self) -> String {
        match self {
            Stop::Operator => "cancelled by the operator".into(),
            Stop::Signal(name) => format!("cancelled by {name}"),
            Stop::TerminalGone => "cancelled: the terminal went away".into(),
            Stop::Internal(e) => format!("internal error in ecsdeck ({e})"),
        }
    }

    /// For the report's `cancelled_by`.
    pub fn who(&self) -> String {
        match self {
            Stop::Operator => "operator".into(),
            Stop::Signal(name) => name.clone(),
            Stop::TerminalGone => "terminal gone".into(),
            Stop::Internal(_) => "internal error".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    /// Timed out or the connection broke: the write may have happened.
    pub unknown: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartError {
    /// Timed out: the restart may have happened.
    pub unknown: bool,
    pub message: String,
}

/// What the runtime must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Read through the load balancer (no-cache, cache-busting query).
    Read,
    /// The same, after a pause (a final read that failed or was not 2xx).
    ReadAgain,
    Write,
    /// Stop these tasks (StopTask), or force a deployment (None).
    Restart(Option<Vec<String>>),
    Delete(String),
    /// The drill is over: write the report.
    Finish,
}

/// How the drill restarts the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartKind {
    StopTask,
    ForceDeployment,
}

impl RestartKind {
    /// `[drill] restart` and `--restart`: `force-deployment`, else StopTask.
    pub fn from_config(s: &str) -> RestartKind {
        match s {
            "force-deployment" => RestartKind::ForceDeployment,
            _ => RestartKind::StopTask,
        }
    }
}
