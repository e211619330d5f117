//! Watching the replacement, from the restart to "back": what each
//! observation says (old tasks leaving and STOPPED, the outage, the
//! replacements and their targets), the next task of a multi-task
//! restart, and when the final read may be made.

use super::*;

impl Drill {
    pub(super) fn observe(&mut self, w: World) -> Vec<Command> {
        self.restart_seen(w.now);
        self.take_facts(&w);
        // ECS rolled the deployment back and every pre-drill task still
        // runs: nothing was restarted, nothing can be tested.
        if self.restart == RestartKind::ForceDeployment
            && !self.old_leaving
            && let Some(why) = &self.rollout_failed
        {
            let why = why.clone();
            return self.end(
                Verdict::Aborted,
                format!("nothing was restarted: {why}; every pre-drill task still runs"),
            );
        }
        // Replacements RUNNING with their containers healthy.
        let up: Vec<&str> = w
            .tasks
            .iter()
            .filter(|t| self.is_replacement(t) && t.running && t.healthy)
            .map(|t| t.arn.as_str())
            .collect();
        // Seen STOPPED, not merely missing from a list (ListTasks is
        // eventually consistent).
        let old_gone = self
            .before_tasks
            .iter()
            .all(|arn| self.stopped_seen.contains(arn));
        let replaced = w
            .healthy_targets
            .iter()
            .filter(|(_, o)| o.as_deref().is_some_and(|o| up.contains(&o)))
            .count();
        self.replaced = replaced;
        self.track_outage(&w, replaced > 0);
        self.note_progress(w.now, old_gone, !up.is_empty(), replaced > 0);
        if let Some(next) = self.next_stop(w.now, replaced) {
            return next;
        }
        self.back_or_wait(&w, old_gone, &up, replaced > 0)
    }

    /// What this observation says of the restart: a pre-drill task
    /// leaving or STOPPED, the outage, the replacements and what their
    /// answers and stops say.
    fn take_facts(&mut self, w: &World) {
        if w.scheduler_trouble.is_some() {
            self.scheduler_trouble.clone_from(&w.scheduler_trouble);
        }
        self.blind.clone_from(&w.blind);
        if w.rollout_failed.is_some() {
            self.rollout_failed.clone_from(&w.rollout_failed);
        }
        self.cannot_replace.clone_from(&w.cannot_replace);
        for t in &w.tasks {
            if self.before_tasks.contains(&t.arn)
                && (t.leaving || t.stopped)
                && !self.left.contains(&t.arn)
            {
                self.left.push(t.arn.clone());
            }
        }
        self.old_leaving = !self.left.is_empty();
        for t in &w.tasks {
            if t.stopped
                && self.before_tasks.contains(&t.arn)
                && !self.stopped_seen.contains(&t.arn)
            {
                self.stopped_seen.push(t.arn.clone());
            }
        }
        let new: Vec<&TaskView> = w.tasks.iter().filter(|t| self.is_replacement(t)).collect();
        if let Some(b) = &w.served_by
            && new.iter().any(|t| names_task(b, &t.arn))
        {
            self.served_by_new = true;
        }
        for t in &new {
            if !self.new_task_arns.contains(&t.arn) {
                self.new_task_arns.push(t.arn.clone());
            }
            if t.stopped
                && let Some(r) = &t.stop_reason
            {
                self.replacement_stopped = Some(r.clone());
            }
        }
    }

    /// The restart's outage, as evidence that a URL set by hand reaches
    /// this service: at least two failed samples in a row after the
    /// restart, ending when a replacement is healthy in the target group.
    /// One failed sample (a timeout, a WAF's 429) is no evidence.
    fn track_outage(&mut self, w: &World, replaced: bool) {
        let (Some(up), Some(at)) = (w.probe_up, w.probe_at) else {
            return;
        };
        if self.last_sample_at == Some(at) {
            return;
        }
        self.last_sample_at = Some(at);
        if !up {
            // Only a failure after the restart is its outage.
            if self.restart_at.is_some_and(|r| at >= r) {
                self.failed_in_a_row += 1;
            }
            return;
        }
        if self.failed_in_a_row >= 2 && replaced {
            self.outage_seen = true;
        }
        self.failed_in_a_row = 0;
    }

    /// The steps of the replacement, each said once.
    fn note_progress(&mut self, now: Time, old_gone: bool, new_up: bool, new_target: bool) {
        for (done, what) in [
            (old_gone, "old tasks stopped"),
            (new_up, "new task running, containers healthy"),
            (new_target, "new target healthy"),
        ] {
            if done && !self.log.iter().any(|(_, s)| s == what) {
                self.note(now, what);
            }
        }
    }

    /// The next task, once every one stopped so far is STOPPED and has a
    /// healthy replacement in the target group (`replaced` of them).
    fn next_stop(&mut self, now: Time, replaced: usize) -> Option<Vec<Command>> {
        if self.stage != Stage::Observing
            || self.to_stop.is_empty()
            || !self.stopping.iter().all(|a| self.stopped_seen.contains(a))
            || replaced < self.stopping.len()
        {
            return None;
        }
        // A task that stopped by itself meanwhile needs no StopTask.
        self.to_stop.retain(|a| !self.stopped_seen.contains(a));
        if self.to_stop.is_empty() {
            return None;
        }
        let next = self.to_stop.remove(0);
        self.stopping.push(next.clone());
        self.note(
            now,
            format!(
                "stopping the next task, {} ({} of {})",
                crate::model::short_id(&next),
                self.stopping.len(),
                self.before_tasks.len()
            ),
        );
        self.stage = Stage::Restarting;
        Some(vec![Command::Restart(Some(vec![next]))])
    }

    /// Back — then the final read — or what the service still lacks. A
    /// healthy target that is not a replacement's (one that served before
    /// the drill, a task run by hand, one whose task is unknown) could
    /// answer the read without ever being restarted: wait for it to leave,
    /// then give up on a valid test.
    fn back_or_wait(
        &mut self,
        w: &World,
        old_gone: bool,
        up: &[&str],
        new_target: bool,
    ) -> Vec<Command> {
        let stale = w
            .healthy_targets
            .iter()
            .find(|(_, owner)| owner.as_deref().is_none_or(|o| !up.contains(&o)))
            .map(|(id, owner)| {
                let before = if self.before_targets.contains(id) {
                    ", which served before the drill,"
                } else {
                    ""
                };
                match owner {
                    Some(o) => format!("target {id}{before} (task {})", crate::model::short_id(o)),
                    None => format!("target {id}{before} (no task of this service)"),
                }
            });
        let back = old_gone && !up.is_empty() && new_target && w.probe_up == Some(true);
        self.drain_left = w.draining.filter(|_| !old_gone);
        let old_words = match self.drain_left {
            Some((left, delay)) if left > 0 => format!(
                "the old task to stop — old target draining: up to {} more (deregistration delay {delay} s)",
                humantime::format_duration(std::time::Duration::from_secs(u64::from(left)))
            ),
            _ => "the old task to stop".to_string(),
        };
        self.missing = [
            (!old_gone, old_words.as_str()),
            (up.is_empty(), "a new task running and healthy"),
            (!new_target, "the new task's target healthy"),
            (w.probe_up != Some(true), "a 2xx through the load balancer"),
        ]
        .iter()
        .filter(|(m, _)| *m)
        .map(|(_, s)| s.to_string())
        .collect();
        if !self.to_stop.is_empty() {
            // The rest waits for this one's replacement.
            self.missing = vec![format!(
                "task {} STOPPED and its replacement healthy before the next ({} of {} stopped so far)",
                self.stopping
                    .last()
                    .map(|a| crate::model::short_id(a))
                    .unwrap_or("?"),
                self.stopping.len(),
                self.before_tasks.len()
            )];
        }
        if self.stage != Stage::Observing || !back {
            return Vec::new();
        }
        if let Some(what) = stale {
            // A poll may lag; a task run by hand does not go away.
            let since = *self.stale_since.get_or_insert(w.now);
            let grace = chrono::Duration::from_std(STALE_GRACE).unwrap_or(chrono::Duration::MAX);
            if w.now - since < grace {
                self.missing = vec![format!("{what} to leave the target group")];
                return Vec::new();
            }
            return self.end(
                Verdict::Aborted,
                format!(
                    "{what} is still healthy in the target group: a read could be answered by a task that was never restarted"
                ),
            );
        }
        self.stale_since = None;
        self.note(
            w.now,
            "back: old tasks stopped, a new task healthy in the target group, the probe answers 2xx",
        );
        self.stage = Stage::Verifying;
        self.verify_from = Some(w.now);
        vec![Command::Read]
    }
}
