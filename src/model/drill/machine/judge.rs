//! The verdicts' judgements: the timeout (FAIL, or ABORTED when nothing
//! happened or the drill could not see) and the final read (PASS only on
//! the whole path).

use super::*;

impl Drill {
    pub(super) fn tick(&mut self, now: Time) -> Vec<Command> {
        self.restart_seen(now);
        let Some(at) = self.restart_at else {
            return Vec::new();
        };
        let limit = chrono::Duration::from_std(self.timeout).unwrap_or(chrono::Duration::MAX);
        if matches!(
            self.stage,
            Stage::Observing | Stage::Restarting | Stage::Verifying
        ) && now - at > limit
        {
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
            self.reads += 1;
            return if self.reads < READS {
                vec![Command::ReadAgain]
            } else {
                self.end(
                    Verdict::Fail,
                    format!("the final read answered {:?}, not a 2xx", r.status),
                )
            };
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
        if !r.found {
            return self.end(
                Verdict::Fail,
                format!(
                    "the restart happened and the marker {} is missing: the data did not survive",
                    self.marker
                ),
            );
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
}
