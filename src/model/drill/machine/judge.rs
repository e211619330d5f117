//! The verdicts' judgements: the timeout (FAIL, or ABORTED when nothing
//! happened or the drill could not see) and the final read (PASS only on
//! the whole path).

use super::*;

/// A 2xx without the marker is a FAIL only on this many reads...
const MISSING_READS: usize = 3;
/// ...spanning at least this long.
const MISSING_SPAN_S: i64 = 20;

impl Drill {
    pub(super) fn tick(&mut self, now: Time) -> Vec<Command> {
        self.restart_seen(now);
        let Some(at) = self.restart_at else {
            return Vec::new();
        };
        let limit = chrono::Duration::from_std(self.timeout).unwrap_or(chrono::Duration::MAX);
        // Once back, the final reads have their own window.
        if matches!(self.stage, Stage::Observing | Stage::Restarting) && now - at > limit {
            let mins = humantime::format_duration(self.timeout).to_string();
            if self.restart_unknown && !self.old_leaving {
                return self.end(
                    Verdict::Aborted,
                    format!(
                        "the restart's outcome was unknown and nothing stopped within {mins}: no restart happened"
                    ),
                );
            }
            // No pre-drill task ever left: ECS did not carry the restart
            // out, and nothing about the data was tested.
            if !self.old_leaving {
                let why = self
                    .rollout_failed
                    .as_ref()
                    .or(self.cannot_replace.as_ref())
                    .map(|w| format!("; ECS: {w}"))
                    .unwrap_or_default();
                return self.end(
                    Verdict::Aborted,
                    format!("nothing was restarted: no pre-drill task left within {mins}{why}"),
                );
            }
            if let Some(arn) = self.unknown_stop.clone()
                && !self.left.contains(&arn)
            {
                return self.end(
                    Verdict::Aborted,
                    format!(
                        "the stop of task {} had an unknown outcome and it never stopped within {mins}: not every task was restarted",
                        crate::model::short_id(&arn)
                    ),
                );
            }
            // Not back, but unseen: no claim either way.
            if let Some(b) = &self.blind {
                return self.end(
                    Verdict::Aborted,
                    format!(
                        "the service could not be watched to the end ({b}): whether it came back within {mins} is unknown"
                    ),
                );
            }
            let mut why = self
                .replacement_stopped
                .as_ref()
                .map(|r| format!("; a replacement stopped: {r}"))
                .unwrap_or_default();
            if let Some(e) = &self.scheduler_trouble {
                why.push_str(&format!("; ECS: {e}"));
            }
            return self.end(
                Verdict::Fail,
                format!(
                    "the service did not come back within {mins} (last step: {}){why}",
                    self.last_step
                ),
            );
        }
        Vec::new()
    }

    pub(super) fn verify(&mut self, r: Read) -> Vec<Command> {
        if !r.status.is_some_and(|s| (200..300).contains(&s)) {
            self.answered(r.status.map_or("no status".into(), |s| s.to_string()));
            return self.read_again();
        }
        if r.served_by.is_some() {
            self.final_served_by.clone_from(&r.served_by);
        }
        // The final answer naming a replacement is evidence too.
        if let Some(b) = &r.served_by
            && self.new_task_arns.iter().any(|a| names_task(b, a))
        {
            self.served_by_new = true;
        }
        if self.hand_set_url && !(self.outage_seen || self.served_by_new) {
            return self.end(
                Verdict::Aborted,
                "cannot tell that the probe URL is served by this service: no outage was seen during the restart and no served-by header named the new task",
            );
        }
        // An HTML page or a body the contract cannot read says nothing
        // about the marker: not missing, unreadable.
        if let Some(why) = &r.unreadable {
            self.unreadable = Some(why.clone());
            self.answered(format!("{} unreadable", r.status.unwrap_or(200)));
            return self.read_again();
        }
        if !r.found {
            // A new task can answer before its data is in place: missing
            // only on every read of a window of 3 reads over 20 s.
            self.missing_reads.push(self.now);
            let first = self.missing_reads[0];
            if self.missing_reads.len() >= MISSING_READS
                && (self.now - first).num_seconds() >= MISSING_SPAN_S
            {
                return self.end(
                    Verdict::Fail,
                    format!(
                        "the restart happened and the marker {} is missing: the data did not survive ({} reads over {} s answered 2xx without it)",
                        self.marker,
                        self.missing_reads.len(),
                        (self.now - first).num_seconds()
                    ),
                );
            }
            return vec![Command::ReadAgain];
        }
        match (self.count_before, r.count) {
            (Some(before), Some(after)) if after < before => {
                return self.end(
                    Verdict::Fail,
                    format!(
                        "the restart happened and the record count dropped from {before} to {after}"
                    ),
                );
            }
            (Some(_), None) => {
                return self.end(
                    Verdict::Aborted,
                    "the marker is there, but the record count could not be read after the restart (see count_pointer): its survival is not shown",
                );
            }
            _ => {}
        }
        self.end(
            Verdict::Pass,
            "a restart happened (every old task stopped, a new task serves) and the marker and the record count survived",
        )
    }

    /// What a final read answered, for the reason if none ever serves.
    pub(super) fn answered(&mut self, what: String) {
        self.answers.push(what);
    }

    /// Another read, while the read window lasts; then the window's
    /// verdict: unreadable answers say nothing (ABORTED), no answer at
    /// all is a service that did not come back (FAIL).
    pub(super) fn read_again(&mut self) -> Vec<Command> {
        let from = *self.verify_from.get_or_insert(self.now);
        let window = chrono::Duration::from_std(self.read_window).unwrap_or(chrono::Duration::MAX);
        if self.now - from < window || !self.missing_reads.is_empty() {
            return vec![Command::ReadAgain];
        }
        let secs = humantime::format_duration(self.read_window);
        if let Some(why) = &self.unreadable {
            let why = why.clone();
            return self.end(
                Verdict::Aborted,
                format!(
                    "the answers through the load balancer could not be read by the contract for {secs} ({why}): whether the marker survived is unknown"
                ),
            );
        }
        let answers = tally(&self.answers);
        self.end(
            Verdict::Fail,
            format!(
                "the service did not come back to answer reads within {secs}: it answered {answers}"
            ),
        )
    }
}

/// `502 ×3, connection reset ×2`, in the order first seen.
fn tally(answers: &[String]) -> String {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for a in answers {
        match seen.iter_mut().find(|(x, _)| x == a) {
            Some((_, n)) => *n += 1,
            None => seen.push((a, 1)),
        }
    }
    seen.iter()
        .map(|(a, n)| {
            if *n > 1 {
                format!("{a} ×{n}")
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
