//! A drill's run beside its machine: when it began, what it has told so
//! far (a terminal's transcript), what it saw on the way, and the report
//! it leaves, built from the machine, this record and the world.

use std::collections::BTreeSet;

use super::machine::names_task;
use super::machine::{Drill, Read, RestartKind, Stage, Stop, Verdict};
use super::report::{DataEvent, Phase, ProbeRow, Range, Report, Restarted, phases, rfc3339};
use super::story::Story;
use super::view::notes;
use crate::model::timeline::{Step, Timeline};
use crate::model::world::World;
use crate::model::{ServiceRef, Time};

#[derive(Debug, Clone, PartialEq)]
pub struct Conduct {
    pub began: Time,
    /// The machine has its baseline: the drill is under way.
    pub baseline_sent: bool,
    /// The restart-safety warnings at the baseline.
    pub warnings: Vec<String>,
    /// When the final read answered.
    pub final_read: Option<Time>,
    /// Tasks that held the data volume at once: which, since when (still
    /// at once), and for how long in all, as polled.
    pub overlap: Overlap,
    /// The URL the drill read and wrote through, without credentials.
    pub probe_url: Option<String>,
    /// The API's base URL, as the probe reaches it.
    pub base: Option<String>,
    /// The preflight's estimate, best and worst, in seconds.
    pub estimate: Option<(u32, u32)>,
    /// Every line told so far, for a terminal.
    pub transcript: Vec<String>,
    /// The process is ending: the cleanup's time, at most.
    pub cleanup_limit_s: Option<u64>,
    /// Every read and write of the marker, in order.
    pub data: Vec<DataEvent>,
    /// The drill's story so far, once the restart is on its way: what
    /// the running window draws (the verdict window and the report draw
    /// the final one).
    pub story: Option<Story>,
    /// The machine's log entries told, and the timeline's steps.
    said: usize,
    told: BTreeSet<Step>,
    told_for: Option<String>,
}

/// Tasks that held the data volume at once during the drill.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overlap {
    pub since: Option<Time>,
    pub total_s: f64,
    pub tasks: Vec<String>,
    /// The last observation that showed the overlap going on.
    pub seen: Option<Time>,
    /// A tasks poll failed while it went on (expired credentials, an
    /// outage of the API): its end is not known to the poll.
    pub unseen: bool,
}

impl Overlap {
    /// The overlap as of `seen`, the last time the tasks were observed:
    /// one still going is counted to then, never through a time they
    /// could not be polled (expired credentials, an outage of the API).
    pub fn until(&self, seen: Time) -> Overlap {
        let mut o = self.clone();
        if let Some(s) = o.since.take() {
            let end = if o.unseen { o.seen.unwrap_or(s) } else { seen };
            o.total_s += secs(s, end.max(s));
        }
        o
    }
}

/// A URL as a report may show it: no user name or password.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn secs(from: Time, to: Time) -> f64 {
    (to - from).num_milliseconds() as f64 / 1000.0
}

impl Conduct {
    pub fn new(began: Time) -> Conduct {
        Conduct {
            began,
            baseline_sent: false,
            warnings: Vec::new(),
            final_read: None,
            overlap: Overlap::default(),
            probe_url: None,
            base: None,
            estimate: None,
            transcript: Vec::new(),
            cleanup_limit_s: None,
            data: Vec::new(),
            story: None,
            said: 0,
            told: BTreeSet::new(),
            told_for: None,
        }
    }

    /// A read through the load balancer answered (or failed) at `at`, in
    /// `stage`: a step of the marker's path.
    pub fn read_answered(&mut self, stage: Stage, result: &Result<Read, String>, at: Time) {
        let (status, found, count, readable) = match result {
            Ok(r) => (r.status, r.found, r.count, r.unreadable.is_none()),
            Err(_) => (None, false, None, false),
        };
        let two = status.is_some_and(|s| (200..300).contains(&s));
        let event = match stage {
            Stage::CheckAbsent => ("checked_absent", two && !found && readable),
            Stage::ReadBack => ("read_back", found),
            Stage::Verifying => ("read_after", found),
            _ => return,
        };
        self.data_event(at, event.0, event.1, status, count);
    }

    /// The write answered: the marker written, or not.
    pub fn written(&mut self, now: Time, ok: bool) {
        self.data_event(now, "written", ok, None, None);
    }

    /// The delete answered; one already gone is gone.
    pub fn deleted(&mut self, now: Time, r: &Result<(), String>) {
        let gone = r.as_ref().is_ok() || r.as_ref().is_err_and(|e| e.starts_with("already gone"));
        self.data_event(now, "deleted", gone, None, None);
    }

    /// The count the last final read that answered 2xx found.
    fn records_after(&self) -> Option<u32> {
        self.data
            .iter()
            .rev()
            .find(|e| e.event == "read_after" && e.status.is_some_and(|s| (200..300).contains(&s)))
            .and_then(|e| e.count)
    }

    /// The story so far, once the restart was sent.
    pub fn retell(&mut self, d: &Drill, w: &World, target: &ServiceRef, now: Time) {
        if d.restart_sent {
            self.story = Story::of(&self.report(d, w, target, now));
        }
    }

    /// A read or write of the marker answered at `at`. Answers told on
    /// the reducer's clock (a tick's) never go before one told earlier.
    pub fn data_event(
        &mut self,
        at: Time,
        event: &str,
        ok: bool,
        status: Option<u16>,
        count: Option<u32>,
    ) {
        let at = self
            .data
            .last()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e.at).ok())
            .map_or(at, |last| at.max(last.with_timezone(&chrono::Utc)));
        self.data.push(DataEvent {
            at: rfc3339(at),
            event: event.to_string(),
            ok,
            status,
            count,
        });
    }

    /// A line of its own (an act of the drill's, not a step).
    pub fn say(&mut self, line: impl AsRef<str>) {
        self.transcript.push(format!("          {}", line.as_ref()));
    }

    /// Tells the machine's new steps, then the replacement's as the
    /// timeline sees them (AWS's times; polled ones with their spacing).
    pub fn tell(&mut self, drill: &Drill, tl: Option<&Timeline>) {
        for (at, what) in &drill.log[self.said.min(drill.log.len())..] {
            self.transcript
                .push(format!("{:>7.1}s  {what}", secs(self.began, *at)));
        }
        self.said = drill.log.len();
        let Some(tl) = tl else { return };
        // A new timeline (the next task stopped): its steps anew.
        if self.told_for.as_deref() != Some(tl.old_task.as_str()) {
            self.told.clear();
            self.told_for = Some(tl.old_task.clone());
        }
        for (step, m) in tl.ordered() {
            if self.told.contains(&step) || step == Step::StopRequested {
                continue;
            }
            self.told.insert(step);
            self.transcript.push(format!(
                "{:>7.1}s    {}{}{}",
                secs(self.began, m.at),
                step.words(),
                m.note_words(),
                m.polled_words()
            ));
        }
    }

    /// The tasks whose containers may run now (a draining task still runs
    /// its database): two or more at once on the data volume is an
    /// overlap, timed from the observations.
    pub fn note_running(&mut self, w: &World, at: Time) {
        let o = &mut self.overlap;
        if w.tasks.error.is_some() {
            // The tasks were not seen: the overlap, if any, goes on unseen.
            o.unseen |= o.since.is_some();
            return;
        }
        let holding: Vec<&str> = w
            .task_list()
            .iter()
            .filter(|t| {
                matches!(
                    t.last_status.as_str(),
                    "ACTIVATING" | "RUNNING" | "DEACTIVATING" | "STOPPING"
                )
            })
            .map(|t| t.arn.as_str())
            .collect();
        let o = &mut self.overlap;
        if holding.len() > 1 {
            o.since.get_or_insert(at);
            o.seen = Some(at);
            for t in holding {
                if !o.tasks.iter().any(|x| x == t) {
                    o.tasks.push(t.to_string());
                }
            }
        } else if let Some(s) = o.since.take() {
            // Seen to end at this poll; after a blind stretch, only to
            // the last poll that saw it (never a time nobody saw).
            let end = match (o.unseen, o.seen) {
                (true, Some(seen)) => seen,
                _ => at,
            };
            o.total_s += secs(s, end.max(s));
            o.unseen = false;
        }
    }

    /// The report, once the machine is done. The clock offset and the
    /// calls are the backend's, filled in by whoever writes it.
    pub fn report(&self, d: &Drill, w: &World, target: &ServiceRef, now: Time) -> Report {
        let (verdict, reason) = d
            .verdict
            .clone()
            .unwrap_or((Verdict::Aborted, "the drill ended without a verdict".into()));
        // This drill's timelines: one per task it restarted.
        let tracker = &w.timeline;
        let ours: Vec<&Timeline> = tracker
            .past
            .iter()
            .chain(tracker.current.as_ref())
            .filter(|t| t.began >= self.began && d.before_tasks.contains(&t.old_task))
            .collect();
        let tl = ours.last().copied();
        let mut last_phases = phases(tl);
        if let Some(at) = self.final_read {
            last_phases.push(Phase {
                note: None,
                name: "marker_read".into(),
                at: rfc3339(at),
                source: "observed".into(),
                uncertainty_s: Some(0.0),
            });
        }
        let mark = |t: Option<&Timeline>, s: Step| t.and_then(|t| t.steps.get(&s)).map(|m| m.at);
        let stopped_at = mark(ours.first().copied(), Step::StopRequested).or(d.restart_at);
        let stop_to_first_2xx_s = match (stopped_at, mark(tl, Step::FirstUp)) {
            (Some(a), Some(b)) => Some(secs(a, b)),
            _ => None,
        };
        let (downtime, longest) = match stopped_at {
            Some(from) => outages(w, from),
            None => (0.0, 0.0),
        };
        // The replacement that served the final read, else the last.
        let new_task = d
            .final_served_by
            .as_ref()
            .and_then(|b| d.new_task_arns.iter().find(|a| names_task(b, a)))
            .cloned()
            .or_else(|| tl.and_then(|t| t.new_task.clone()))
            .or_else(|| d.new_task_arns.last().cloned());
        let (memory, memory_note) =
            super::memory::around_restart(w, &d.before_tasks, &d.new_task_arns);
        let mut notes = notes(
            w,
            &d.before_tasks,
            &self
                .overlap
                .until(w.tasks.updated.map_or(now, |u| u.min(now))),
            self.began,
            verdict,
            d.restart,
        );
        notes.extend(memory_note);
        Report {
            history: Vec::new(),
            data: self.data.clone(),
            records_before: d.count_before,
            records_after: self.records_after(),
            verdict,
            reason,
            memory,
            service: target.service.clone(),
            cluster: target.cluster.clone(),
            restart: d.restart,
            marker: d.marker.clone(),
            old_task: d.before_tasks.first().cloned(),
            old_tasks: d.before_tasks.clone(),
            new_task,
            new_tasks: d.new_task_arns.clone(),
            restarts: ours
                .iter()
                .map(|t| Restarted {
                    old_task: t.old_task.clone(),
                    new_task: t.new_task.clone(),
                    phases: phases(Some(t)),
                })
                .collect(),
            probe_url: self.probe_url.clone(),
            probe_url_verified: !d.hand_set_url || d.outage_seen || d.served_by_new,
            warnings: self.warnings.clone(),
            notes,
            cleanup: cleanup_words(&d.cleanup),
            started_at: rfc3339(self.began),
            ended_at: rfc3339(now),
            downtime_s: Some(downtime),
            longest_outage_s: Some(longest),
            stop_to_first_2xx_s,
            clock_offset_s: None,
            aws_calls: None,
            estimate_s: self.estimate.map(|(min, max)| Range { min, max }),
            timeout_s: d.timeout.as_secs(),
            cancelled_by: d.stopped_by.as_ref().map(Stop::who),
            cleanup_limit_s: self.cleanup_limit_s,
            account: w.identity.get().map(|i| i.account.clone()),
            phases: last_phases,
            steps: d
                .log
                .iter()
                .map(|(t, s)| (rfc3339(*t), s.clone()))
                .collect(),
            probe: w
                .probe
                .history
                .samples()
                .filter(|s| s.at >= self.began)
                .map(|s| ProbeRow {
                    at: rfc3339(s.at),
                    outcome: s.outcome,
                    latency_ms: s.total_ms,
                    up: Some(s.up),
                })
                .collect(),
        }
    }
}

/// The marker's cleanup in the report's words.
fn cleanup_words(c: &Option<Result<(), String>>) -> String {
    match c {
        Some(Ok(())) => "deleted".into(),
        Some(Err(e)) if e.starts_with("already gone") => e.clone(),
        Some(Err(e)) => format!("not done: {e}"),
        None => "nothing to clean up".into(),
    }
}

/// Every outage the probe saw from `from` on, added up, and the longest:
/// from a failed sample to the next 2xx (or the last sample, when it
/// never came back).
fn outages(w: &World, from: Time) -> (f64, f64) {
    let (mut total, mut longest) = (0.0f64, 0.0f64);
    let mut since: Option<Time> = None;
    let mut last: Option<Time> = None;
    for s in w.probe.history.samples().filter(|s| s.at >= from) {
        last = Some(s.at);
        match (s.up, since) {
            (false, None) => since = Some(s.at),
            (true, Some(a)) => {
                let d = secs(a, s.at);
                total += d;
                longest = longest.max(d);
                since = None;
            }
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (since, last) {
        let d = secs(a, b);
        total += d;
        longest = longest.max(d);
    }
    (total, longest)
}

/// The restart in the words of the line that says it was sent.
pub fn restart_words(kind: RestartKind) -> &'static str {
    match kind {
        RestartKind::StopTask => "StopTask",
        RestartKind::ForceDeployment => "UpdateService forceNewDeployment",
    }
}

#[cfg(test)]
mod tests;
