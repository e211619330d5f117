//! The restart drill as a pure state machine: inputs (what was read,
//! written, answered, observed) in, commands (read, write, restart,
//! delete) out. Every guard against a false PASS lives here, where each
//! can be tested without a network: a PASS needs the whole path — the
//! marker absent, written and read back, a restart that happened (every
//! pre-drill task stopped, new tasks serving, no pre-drill target still
//! healthy), the service back, and the marker and the count found after.

use serde::Serialize;

use crate::model::Time;

mod judge;
mod types;
mod watch;
pub use types::*;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drill {
    pub marker: String,
    pub restart: RestartKind,
    pub stage: Stage,
    /// The probe URL was set by hand: evidence that it reaches this
    /// service is needed (an outage during the restart, or the served-by
    /// header naming a new task).
    pub hand_set_url: bool,
    pub started: Time,
    /// Give up (FAIL) if the service is not back by then.
    pub timeout: std::time::Duration,
    pub restart_at: Option<Time>,
    /// The tasks up before the drill, and their healthy targets.
    pub before_tasks: Vec<String>,
    /// Every task listed before the drill, stopped ones too: none of them
    /// is a replacement.
    pub known_before: Vec<String>,
    pub before_targets: Vec<String>,
    pub count_before: Option<u32>,
    pub marker_id: Option<String>,
    /// A write was sent that may have created the marker.
    pub written: bool,
    pub restart_sent: bool,
    /// AWS refused the restart: nothing was restarted.
    pub restart_refused: bool,
    pub restart_unknown: bool,
    /// A pre-drill task was seen leaving: the restart happened.
    pub old_leaving: bool,
    /// The pre-drill tasks seen leaving or STOPPED.
    pub left: Vec<String>,
    /// The task whose StopTask had an unknown outcome.
    pub unknown_stop: Option<String>,
    /// Why ECS could not carry out a deployment: a rollback's reason, or
    /// a configuration that cannot replace a task.
    pub rollout_failed: Option<String>,
    pub cannot_replace: Option<String>,
    pub outage_seen: bool,
    /// Failed probe samples in a row since the restart, and the last
    /// sample counted (each counts once, however often it is observed).
    pub failed_in_a_row: u32,
    pub last_sample_at: Option<Time>,
    pub served_by_new: bool,
    /// The newest thing the drill saw, for a FAIL's reason.
    pub last_step: String,
    /// The latest stop reason of a replacement.
    pub replacement_stopped: Option<String>,
    /// What ECS's scheduler said of it, when it gave up.
    pub scheduler_trouble: Option<String>,
    /// The drill cannot see part of the service (a poll failing).
    pub blind: Option<String>,
    pub verdict: Option<(Verdict, String)>,
    pub cleanup: Option<Result<(), String>>,
    /// While observing: what the service still lacks to be back.
    pub missing: Vec<String>,
    /// Pre-drill tasks seen with lastStatus STOPPED (a task missing from a
    /// list is not a stopped one).
    pub stopped_seen: Vec<String>,
    /// Since when the service is back but for a target that is not a
    /// replacement's.
    pub stale_since: Option<Time>,
    /// The replacements seen.
    pub new_task_arns: Vec<String>,
    /// StopTask, one task at a time: those asked so far, and those left.
    pub stopping: Vec<String>,
    pub to_stop: Vec<String>,
    /// The final reads: the window they are tried through, when it
    /// began, the reads that answered 2xx without the marker, why an
    /// answer could not be read, and what each answered.
    pub read_window: std::time::Duration,
    pub verify_from: Option<Time>,
    pub missing_reads: Vec<Time>,
    pub unreadable: Option<String>,
    pub answers: Vec<String>,
    /// The latest time the machine was told (observations and ticks).
    pub now: Time,
    /// The task the last 2xx final read named (served-by).
    pub final_served_by: Option<String>,
    /// When the first restart was sent (this host's clock), and this
    /// host's clock minus AWS's: a replacement is created after it.
    pub restart_requested: Option<Time>,
    pub clock_offset_s: f64,
    /// The old target's drain: seconds left at most, and the delay.
    pub drain_left: Option<(u32, u32)>,
    /// Replacements healthy in the target group, at the last look.
    pub replaced: usize,
    /// The drill was cancelled while a write or a restart was in flight:
    /// it ends with that answer.
    pub cancel_asked: bool,
    /// Why the drill was cancelled, when it was.
    pub stopped_by: Option<Stop>,
    /// Each step with its time, for the report.
    pub log: Vec<(Time, String)>,
}

/// The pollers run fast again this long before a drain ends.
const RELAX_MARGIN_S: u32 = 15;

/// How long the final reads are tried (2 s apart) after "back", by
/// default: a new task can take a while to answer with its data.
pub const READ_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// How long the service may look back while a target that is not a
/// replacement's is still healthy, before the drill gives up on a valid
/// test (a poll can lag; a task run by hand does not go away).
pub const STALE_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// AWS's `createdAt` and this host's clock agree to about this.
const CREATED_SLACK_S: f64 = 2.0;

impl Drill {
    /// A replacement: a task not in the pre-drill picture, created after
    /// the restart was requested (AWS's `createdAt`, shifted by the
    /// measured clock offset). A task ECS started before the restart — a
    /// deployment under way, a scale-out, one run by hand — first seen
    /// later is never taken for one.
    pub fn is_replacement(&self, t: &TaskView) -> bool {
        if self.known_before.contains(&t.arn) {
            return false;
        }
        match (t.created_at, self.restart_requested) {
            (Some(c), Some(r)) => {
                let ms = ((self.clock_offset_s + CREATED_SLACK_S) * 1000.0) as i64;
                c + chrono::Duration::milliseconds(ms) >= r
            }
            _ => true,
        }
    }
}

/// Whether a served-by value names the task `arn`: its id, its ARN, or at
/// least the first 8 characters of its id — never a shorter or generic
/// value that any id would end with.
pub fn names_task(served_by: &str, arn: &str) -> bool {
    let id = crate::model::arn_tail(arn);
    let v = served_by.trim();
    v == arn || v == id || (v.len() >= 8 && id.starts_with(v))
}

impl Drill {
    pub fn new(
        marker: String,
        restart: RestartKind,
        hand_set_url: bool,
        timeout: std::time::Duration,
        now: Time,
    ) -> Drill {
        Drill {
            marker,
            restart,
            stage: Stage::Preflight,
            hand_set_url,
            started: now,
            timeout,
            restart_at: None,
            before_tasks: Vec::new(),
            known_before: Vec::new(),
            before_targets: Vec::new(),
            count_before: None,
            marker_id: None,
            written: false,
            restart_sent: false,
            restart_refused: false,
            restart_unknown: false,
            old_leaving: false,
            left: Vec::new(),
            unknown_stop: None,
            rollout_failed: None,
            cannot_replace: None,
            outage_seen: false,
            failed_in_a_row: 0,
            last_sample_at: None,
            served_by_new: false,
            last_step: "preflight".into(),
            replacement_stopped: None,
            scheduler_trouble: None,
            blind: None,
            verdict: None,
            cleanup: None,
            missing: Vec::new(),
            stopped_seen: Vec::new(),
            stale_since: None,
            new_task_arns: Vec::new(),
            stopping: Vec::new(),
            to_stop: Vec::new(),
            read_window: READ_WINDOW,
            verify_from: None,
            missing_reads: Vec::new(),
            unreadable: None,
            answers: Vec::new(),
            now,
            final_served_by: None,
            restart_requested: None,
            clock_offset_s: 0.0,
            drain_left: None,
            replaced: 0,
            cancel_asked: false,
            stopped_by: None,
            log: Vec::new(),
        }
    }

    /// Whether the drill only waits out a long drain: every replacement
    /// so far healthy and serving, the old task's target draining with
    /// more than `RELAX_MARGIN_S` to go. The pollers may relax; AWS's own
    /// timestamps keep the precision of the steps.
    pub fn waiting_out_drain(&self) -> bool {
        self.stage == Stage::Observing
            && self.log.iter().any(|(_, s)| s == "new target healthy")
            && self
                .drain_left
                .is_some_and(|(left, _)| left > RELAX_MARGIN_S)
    }

    /// What the drill is waiting for now, in words.
    pub fn waiting(&self) -> String {
        match self.stage {
            Stage::Preflight => "the baseline: the tasks, the targets and a probe answer".into(),
            Stage::CheckAbsent => "a read: the fresh marker must not be there yet".into(),
            Stage::Writing => "the write of the marker".into(),
            Stage::ReadBack => "the read-back of the marker".into(),
            Stage::Restarting => "AWS's answer to the restart".into(),
            Stage::Observing if self.missing.is_empty() => "the next observation".into(),
            Stage::Observing => self.missing.join(", "),
            Stage::Verifying => "the final read of the marker".into(),
            Stage::CleaningUp => "the marker's delete".into(),
            Stage::Done => "nothing: the drill is over".into(),
        }
    }

    fn note(&mut self, at: Time, what: impl Into<String>) {
        let what = what.into();
        self.last_step = what.clone();
        self.log.push((at, what));
    }

    /// Ends the drill with `verdict`; deletes the marker first when one
    /// was written (whatever the verdict).
    fn end(&mut self, verdict: Verdict, reason: impl Into<String>) -> Vec<Command> {
        self.verdict = Some((verdict, reason.into()));
        match (&self.marker_id, self.written) {
            (Some(id), _) => {
                self.stage = Stage::CleaningUp;
                vec![Command::Delete(id.clone())]
            }
            (None, true) => {
                self.cleanup = Some(Err(
                    "the write's response gave no id: the marker, if written, is left".into(),
                ));
                self.stage = Stage::Done;
                vec![Command::Finish]
            }
            (None, false) => {
                self.stage = Stage::Done;
                vec![Command::Finish]
            }
        }
    }

    pub fn step(&mut self, input: Input) -> Vec<Command> {
        if self.stage == Stage::Done {
            return Vec::new();
        }
        match &input {
            Input::Tick(t) => self.now = self.now.max(*t),
            Input::Observed(w) | Input::Baseline(w) => self.now = self.now.max(w.now),
            _ => {}
        }
        if let Input::Deleted(r) = input {
            if self.stage == Stage::CleaningUp {
                self.cleanup = Some(r);
                self.stage = Stage::Done;
                return vec![Command::Finish];
            }
            return Vec::new();
        }
        if let Input::Hurry(why) = input {
            return self.hurry(why);
        }
        if self.stage == Stage::CleaningUp {
            return Vec::new();
        }
        if let Input::Cancel(stop) = input {
            self.stopped_by.get_or_insert(stop);
            if matches!(self.stage, Stage::Writing | Stage::Restarting) {
                // A write or a restart is in flight: its answer decides
                // what there is to clean up; nothing more is sent after it.
                self.cancel_asked = true;
                return Vec::new();
            }
            return self.cancelled();
        }
        let answer = matches!(
            (self.stage, &input),
            (Stage::Writing, Input::Written(_)) | (Stage::Restarting, Input::Restarted(_))
        );
        let out = self.take(input);
        if answer
            && self.cancel_asked
            && self.stage != Stage::Done
            && self.stage != Stage::CleaningUp
        {
            return self.cancelled();
        }
        out
    }

    /// Ends the drill as it was asked to.
    fn cancelled(&mut self) -> Vec<Command> {
        let sent = if self.restart_sent {
            "the restart had already been requested"
        } else {
            "no restart was requested"
        };
        let who = self.stopped_by.get_or_insert(Stop::Operator).words();
        self.end(Verdict::Aborted, format!("{who}; {sent}"))
    }

    /// The process is ending: an answer still awaited is taken as
    /// unknown, so the drill ends now; a delete in flight is not waited
    /// for.
    fn hurry(&mut self, why: String) -> Vec<Command> {
        match self.stage {
            Stage::Done => Vec::new(),
            Stage::CleaningUp => {
                self.cleanup = Some(Err(format!(
                    "the delete had not succeeded when {why}; the marker may be left"
                )));
                self.stage = Stage::Done;
                vec![Command::Finish]
            }
            Stage::Writing if self.cancel_asked => {
                let e = WriteError {
                    unknown: true,
                    message: format!("no answer before {why}"),
                };
                let out = self.take(Input::Written(Err(e)));
                self.after_hurry(out)
            }
            Stage::Restarting if self.cancel_asked => {
                let e = RestartError {
                    unknown: true,
                    message: format!("no answer before {why}"),
                };
                let out = self.take(Input::Restarted(Err(e)));
                self.after_hurry(out)
            }
            _ => {
                self.stopped_by.get_or_insert(Stop::Operator);
                self.cancelled()
            }
        }
    }

    /// The answer taken may have ended the drill; if not, it ends now.
    fn after_hurry(&mut self, out: Vec<Command>) -> Vec<Command> {
        if matches!(self.stage, Stage::Done | Stage::CleaningUp) {
            return out;
        }
        self.cancelled()
    }

    fn take(&mut self, input: Input) -> Vec<Command> {
        match (self.stage, input) {
            (Stage::Preflight, Input::Baseline(w)) => self.baseline(&w),
            (Stage::CheckAbsent, Input::Read(r)) => {
                if !r.status.is_some_and(|s| (200..300).contains(&s)) {
                    return self.end(
                        Verdict::Aborted,
                        format!("the first read answered {:?}, not a 2xx", r.status),
                    );
                }
                if r.found {
                    return self.end(
                        Verdict::Aborted,
                        "the fresh marker is already there before it was written: the endpoint echoes what it is asked, no claim about the data can be made",
                    );
                }
                if let Some(why) = &r.unreadable {
                    // Absent cannot be told from unread: nothing is
                    // written that could not be found again.
                    return self.end(
                        Verdict::Aborted,
                        format!("the first read cannot be judged ({why}); nothing was written"),
                    );
                }
                self.count_before = r.count;
                self.stage = Stage::Writing;
                self.written = true;
                vec![Command::Write]
            }
            (Stage::Writing, Input::Written(Ok(id))) => {
                self.marker_id = id;
                self.stage = Stage::ReadBack;
                vec![Command::Read]
            }
            (Stage::Writing, Input::Written(Err(e))) => {
                if !e.unknown {
                    // Refused: nothing was written.
                    self.written = false;
                }
                let how = if e.unknown {
                    "timed out or broke: its outcome is unknown"
                } else {
                    "was refused"
                };
                self.end(Verdict::Aborted, format!("the write {how} ({})", e.message))
            }
            (Stage::ReadBack, Input::Read(r)) => self.read_back(r),
            (Stage::CheckAbsent | Stage::ReadBack, Input::ReadFailed(e)) => self.end(
                Verdict::Aborted,
                format!("a read before the restart failed: {e}"),
            ),
            (Stage::Restarting, Input::Restarted(Ok(()))) => {
                self.stage = Stage::Observing;
                Vec::new()
            }
            (Stage::Restarting, Input::Restarted(Err(e))) if !e.unknown => {
                self.restart_refused = true;
                let done = self.stopping.len().saturating_sub(1);
                let partly = if done > 0 {
                    format!(
                        " (after {done} of {} tasks were stopped and replaced)",
                        self.before_tasks.len()
                    )
                } else {
                    String::new()
                };
                self.end(
                    Verdict::Aborted,
                    format!("the restart was refused: {}{partly}", e.message),
                )
            }
            (Stage::Restarting, Input::Restarted(Err(_))) => {
                // Unknown: the task may still stop. Keep watching.
                self.restart_unknown = true;
                if self.restart == RestartKind::StopTask {
                    self.unknown_stop = self.stopping.last().cloned();
                }
                self.stage = Stage::Observing;
                Vec::new()
            }
            (Stage::CheckAbsent | Stage::Writing | Stage::ReadBack, Input::Observed(w)) => {
                // A task that started after the baseline and before the
                // restart may hold the marker: it is a pre-drill task too.
                self.remember_before(&w);
                Vec::new()
            }
            (Stage::Restarting | Stage::Observing | Stage::Verifying, Input::Observed(w)) => {
                self.observe(w)
            }
            (Stage::Verifying, Input::Read(r)) => self.verify(r),
            (Stage::Verifying, Input::ReadFailed(e)) => {
                self.answered(e);
                self.read_again()
            }
            (_, Input::Tick(now)) => self.tick(now),
            _ => Vec::new(),
        }
    }

    /// The world when the operator said yes: the probe must be up, and
    /// every task and healthy target then is a pre-drill one.
    fn baseline(&mut self, w: &World) -> Vec<Command> {
        if w.probe_up != Some(true) {
            return self.end(
                Verdict::Aborted,
                "the API does not answer its expected status through the load balancer before the drill: no valid test can be made",
            );
        }
        self.remember_before(w);
        if self.before_tasks.is_empty() {
            return self.end(
                Verdict::Aborted,
                "the service has no running task to restart",
            );
        }
        self.note(w.now, "baseline: the API answers through the load balancer");
        self.stage = Stage::CheckAbsent;
        vec![Command::Read]
    }

    /// The marker read back right after its write: the count from here
    /// includes it; then the restart, one task at a time.
    fn read_back(&mut self, r: Read) -> Vec<Command> {
        if !r.found {
            return self.end(
                Verdict::Aborted,
                "the marker could not be read back right after writing it: no claim about the data can be made",
            );
        }
        // The count before includes the marker from here on.
        if self.count_before.is_some() && r.count.is_none() {
            return self.end(
                Verdict::Aborted,
                "the record count could not be read back with the marker: a drop could not be seen",
            );
        }
        self.count_before = r.count;
        self.stage = Stage::Restarting;
        self.restart_sent = true;
        let what = match self.restart {
            // One task at a time: the service keeps serving, and
            // each is replaced before the next is stopped.
            RestartKind::StopTask => {
                self.to_stop = self.before_tasks.clone();
                let first = self.to_stop.remove(0);
                self.stopping.push(first.clone());
                Some(vec![first])
            }
            RestartKind::ForceDeployment => None,
        };
        self.restart_requested.get_or_insert(self.now);
        vec![Command::Restart(what)]
    }

    /// Every task and healthy target seen before the restart is sent.
    fn remember_before(&mut self, w: &World) {
        for t in &w.tasks {
            if !self.known_before.contains(&t.arn) {
                self.known_before.push(t.arn.clone());
            }
            if !t.stopped && !self.before_tasks.contains(&t.arn) {
                self.before_tasks.push(t.arn.clone());
            }
        }
        for (id, _) in &w.healthy_targets {
            if !self.before_targets.contains(id) {
                self.before_targets.push(id.clone());
            }
        }
    }

    fn restart_seen(&mut self, now: Time) {
        if self.restart_sent && self.restart_at.is_none() {
            self.restart_at = Some(now);
            self.note(now, "restart requested");
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_guards;
#[cfg(test)]
mod tests_truth;
