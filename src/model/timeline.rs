//! The restart timeline: each step of a task replacement with its time
//! since the stop, whoever caused it. Built from observations only, so
//! the dashboard and the drill read the same story. AWS's own timestamps
//! are used where AWS records one (`stoppingAt`, `stoppedAt`, `createdAt`,
//! `pullStartedAt`, `pullStoppedAt`, `startedAt`); a step only a poll saw
//! carries its uncertainty: it happened since the poll before.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::probe::{Count, Sample};
use super::{TargetGroup, Task, Time, short_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// ecsdeck sent StopTask or UpdateService (its own clock).
    StopRequested,
    /// The old task's desired status turned STOPPED (`stoppingAt`).
    OldStopping,
    OldTargetDraining,
    /// The old target left the target group: its drain is over (ECS
    /// sends SIGTERM next).
    OldTargetGone,
    OldStopped,
    /// The replacement exists (`createdAt`).
    NewTaskSeen,
    Provisioning,
    Pending,
    PullStarted,
    PullStopped,
    Running,
    /// Every essential container healthy, or none has a health check.
    ContainersHealthy,
    NewTargetInitial,
    NewTargetHealthy,
    /// The probe's first 2xx after the outage.
    FirstUp,
    /// The replacement stopped before it served.
    NewStopped,
}

impl Step {
    pub fn words(self) -> &'static str {
        match self {
            Step::StopRequested => "stop requested by ecsdeck",
            Step::OldStopping => "old task stopping",
            Step::OldTargetDraining => "old target draining",
            Step::OldTargetGone => "old target drained: out of the target group",
            Step::OldStopped => "old task STOPPED",
            Step::NewTaskSeen => "new task created",
            Step::Provisioning => "new task PROVISIONING",
            Step::Pending => "new task PENDING",
            Step::PullStarted => "image pull started",
            Step::PullStopped => "image pull done",
            Step::Running => "new task RUNNING",
            Step::ContainersHealthy => "containers HEALTHY",
            Step::NewTargetInitial => "new target initial",
            Step::NewTargetHealthy => "new target healthy",
            Step::FirstUp => "first 2xx through the load balancer",
            Step::NewStopped => "new task STOPPED",
        }
    }
}

/// When a step happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub at: Time,
    /// None: AWS's own timestamp (or the probe's or ecsdeck's clock);
    /// Some(d): first seen by a poll, so it happened up to `d` earlier.
    pub within: Option<Duration>,
    /// Something to say beside it (`no health check`, a stop reason).
    pub note: Option<String>,
}

/// One replacement, from the stop to the service being back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// The task being replaced.
    pub old_task: String,
    pub new_task: Option<String>,
    /// Time zero: the stop request, or the first sign of the stop.
    pub began: Time,
    pub steps: BTreeMap<Step, Mark>,
    /// The probe's outage: its first failure and the first 2xx after.
    pub outage: Option<(Time, Option<Time>)>,
    pub records_before: Option<Count>,
    pub records_after: Option<Count>,
    /// The new task's containers have health checks (false: "no health
    /// check", said so).
    pub health_checked: bool,
}

impl Mark {
    /// `  (polled: within 1 s before)` for a step first seen by a poll.
    pub fn polled_words(&self) -> String {
        self.within
            .map(|d| format!("  (polled: within {} s before)", d.as_secs().max(1)))
            .unwrap_or_default()
    }

    /// `  <note>`, when there is one.
    pub fn note_words(&self) -> String {
        self.note
            .as_deref()
            .map(|n| format!("  {n}"))
            .unwrap_or_default()
    }
}

impl Timeline {
    /// The steps in the order they happened.
    pub fn ordered(&self) -> Vec<(Step, &Mark)> {
        let mut v: Vec<(Step, &Mark)> = self.steps.iter().map(|(s, m)| (*s, m)).collect();
        v.sort_by_key(|(s, m)| (m.at, *s));
        v
    }

    /// Seconds since the stop.
    pub fn offset(&self, at: Time) -> f64 {
        (at - self.began).num_milliseconds() as f64 / 1000.0
    }

    /// Back, by ecsdeck's definition: the old task stopped, a new task
    /// RUNNING with healthy containers, its target healthy, and (when
    /// probed) a 2xx through the load balancer.
    pub fn back(&self, probed: bool) -> bool {
        let has = |s| self.steps.contains_key(&s);
        has(Step::OldStopped)
            && has(Step::Running)
            && has(Step::ContainersHealthy)
            && has(Step::NewTargetHealthy)
            && (!probed || has(Step::FirstUp))
    }

    fn mark(&mut self, step: Step, at: Time, within: Option<Duration>, note: Option<String>) {
        self.steps.entry(step).or_insert(Mark { at, within, note });
    }
}

/// How far before `at` a step seen by a poll may have happened: the
/// poll's spacing, or since the timeline began when no poll came before.
fn polled(gap: Option<Duration>, at: Time, began: Time) -> Option<Duration> {
    Some(gap.unwrap_or_else(|| (at - began).to_std().unwrap_or_default()))
}

/// Builds timelines from the observations as they arrive (the reducer
/// feeds it); keeps the latest one until it is dismissed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tracker {
    pub current: Option<Timeline>,
    /// The timelines before the current one, newest last (a drill of
    /// several tasks reports each).
    pub past: Vec<Timeline>,
    /// The tasks of the previous observation, and when it was.
    last_tasks: Vec<Task>,
    last_tasks_at: Option<Time>,
    last_targets_at: Option<Time>,
    /// A restart ecsdeck sent and no task has shown yet.
    requested: Option<(Option<String>, Time)>,
    last_up_records: Option<Count>,
}

/// Timelines kept before the current one.
const PAST_KEPT: usize = 16;

fn live(t: &Task) -> bool {
    t.desired_status == "RUNNING" && !t.is_stopped()
}

impl Tracker {
    /// ecsdeck sent a restart: of `task` (StopTask), or of every task (a
    /// forced deployment, None).
    pub fn requested(&mut self, task: Option<String>, at: Time) {
        self.requested = Some((task, at));
        let old = task_or_first(&self.requested, &self.last_tasks);
        let Some(old) = old else { return };
        // The task was already seen leaving (a poll came before the news
        // of our own request): the same restart, not a second one.
        if let Some(c) = self.current.as_mut()
            && c.old_task == old
            && !c.steps.contains_key(&Step::StopRequested)
            && !c.steps.contains_key(&Step::OldStopped)
        {
            c.began = c.began.min(at);
            c.mark(Step::StopRequested, at, None, None);
            return;
        }
        self.start(old, at, true);
    }

    pub fn dismiss(&mut self) {
        self.current = None;
    }

    /// AWS refused the restart ecsdeck sent: nothing happened, so there is
    /// nothing to tell (unless the task was seen stopping anyway).
    pub fn refused(&mut self) {
        self.requested = None;
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.steps.keys().all(|s| *s == Step::StopRequested))
        {
            self.current = None;
        }
    }

    fn start(&mut self, old: String, began: Time, ours: bool) {
        let mut t = Timeline {
            old_task: old,
            new_task: None,
            began,
            steps: BTreeMap::new(),
            outage: None,
            records_before: self.last_up_records,
            records_after: None,
            health_checked: true,
        };
        if ours {
            t.mark(Step::StopRequested, began, None, None);
        }
        if let Some(prev) = self.current.replace(t) {
            self.past.push(prev);
            if self.past.len() > PAST_KEPT {
                self.past.remove(0);
            }
        }
    }

    /// A task list arrived at `at`; a container has a health check when
    /// it reports a health.
    pub fn on_tasks(&mut self, tasks: &[Task], at: Time) {
        self.on_tasks_checked(tasks, at, &|_, c| c.health.is_some());
    }

    /// A task list arrived at `at`; `checked` says which containers have
    /// a health check (the world asks each task's own revision).
    pub fn on_tasks_checked(
        &mut self,
        tasks: &[Task],
        at: Time,
        checked: &dyn Fn(&Task, &crate::model::Container) -> bool,
    ) {
        let gap = self
            .last_tasks_at
            .map(|p| (at - p).to_std().unwrap_or_default());
        // A task that was live and is now leaving starts a timeline
        // (unless this one is already being told).
        let leaving = tasks.iter().find(|t| {
            t.is_leaving()
                && self.last_tasks.iter().any(|p| p.arn == t.arn && live(p))
                && self
                    .current
                    .as_ref()
                    .is_none_or(|c| c.old_task != t.arn && c.new_task.as_deref() != Some(&t.arn))
        });
        if let Some(t) = leaving
            && self
                .current
                .as_ref()
                .is_none_or(|c| c.back(false) || c.steps.contains_key(&Step::NewStopped))
        {
            let began = t.stopping_at.unwrap_or(at);
            self.start(t.arn.clone(), began, false);
        }
        if let Some(tl) = self.current.as_mut() {
            let began = tl.began;
            // Host time seen by a poll: never passed off as AWS's.
            let gap = polled(gap, at, began);
            if let Some(old) = tasks.iter().find(|t| t.arn == tl.old_task) {
                if let Some(s) = old.stopping_at {
                    tl.mark(Step::OldStopping, s, None, None);
                }
                if old.is_stopped() {
                    let note = old.stopped_reason.clone();
                    match old.stopped_at {
                        Some(s) => tl.mark(Step::OldStopped, s, None, note),
                        None => tl.mark(Step::OldStopped, at, gap, note),
                    }
                }
            }
            if tl.new_task.is_none() {
                tl.new_task = tasks
                    .iter()
                    .filter(|t| t.arn != tl.old_task)
                    .filter(|t| {
                        t.created_at
                            .is_some_and(|c| c >= began - chrono::Duration::seconds(1))
                    })
                    .min_by_key(|t| t.created_at)
                    .map(|t| t.arn.clone());
            }
            if let Some(new) = tl.new_task.clone()
                && let Some(n) = tasks.iter().find(|t| t.arn == new)
            {
                if let Some(c) = n.created_at {
                    tl.mark(
                        Step::NewTaskSeen,
                        c,
                        None,
                        Some(short_id(&n.arn).to_string()),
                    );
                }
                match n.last_status.as_str() {
                    "PROVISIONING" => tl.mark(Step::Provisioning, at, gap, None),
                    "PENDING" => tl.mark(Step::Pending, at, gap, None),
                    _ => {}
                }
                if let Some(p) = n.pull_started_at {
                    tl.mark(Step::PullStarted, p, None, None);
                }
                if let Some(p) = n.pull_stopped_at {
                    tl.mark(Step::PullStopped, p, None, None);
                }
                if n.last_status == "RUNNING" {
                    match n.started_at {
                        Some(s) => tl.mark(Step::Running, s, None, None),
                        None => tl.mark(Step::Running, at, gap, None),
                    }
                    let checked: Vec<_> = n.containers.iter().filter(|c| checked(n, c)).collect();
                    if checked.is_empty() {
                        tl.health_checked = false;
                        let (at, within) = n.started_at.map_or((at, gap), |s| (s, None));
                        tl.mark(
                            Step::ContainersHealthy,
                            at,
                            within,
                            Some("no health check".into()),
                        );
                    } else if checked
                        .iter()
                        .all(|c| c.health.as_deref() == Some("HEALTHY"))
                    {
                        tl.mark(Step::ContainersHealthy, at, gap, None);
                    }
                }
                if n.is_stopped() && !tl.steps.contains_key(&Step::NewTargetHealthy) {
                    let why = match (&n.stop_code, &n.stopped_reason) {
                        (Some(c), Some(r)) => Some(format!("{c}: {r}")),
                        (_, r) => r.clone(),
                    };
                    tl.mark(Step::NewStopped, n.stopped_at.unwrap_or(at), None, why);
                }
            }
        }
        self.last_tasks = tasks.to_vec();
        self.last_tasks_at = Some(at);
        // A restart ecsdeck sent before the task list knew the task.
        if self.current.is_none()
            && let Some((_, at_req)) = self.requested
            && let Some(old) = task_or_first(&self.requested, tasks)
        {
            self.start(old, at_req, true);
        }
    }

    /// The target groups arrived at `at`; `owners[g][i]` is the task ARN
    /// behind the i-th target of the g-th group.
    pub fn on_targets(&mut self, groups: &[TargetGroup], owners: &[Vec<Option<String>>], at: Time) {
        let gap = self
            .last_targets_at
            .map(|p| (at - p).to_std().unwrap_or_default());
        self.last_targets_at = Some(at);
        let Some(tl) = self.current.as_mut() else {
            return;
        };
        let gap = polled(gap, at, tl.began);
        for (g, owners) in groups.iter().zip(owners) {
            for (t, owner) in g.targets.iter().zip(owners) {
                let Some(owner) = owner else { continue };
                if owner == &tl.old_task && t.state == "draining" {
                    tl.mark(Step::OldTargetDraining, at, gap, None);
                }
                if Some(owner) == tl.new_task.as_ref() {
                    match t.state.as_str() {
                        "initial" => tl.mark(Step::NewTargetInitial, at, gap, None),
                        "healthy" => tl.mark(Step::NewTargetHealthy, at, gap, None),
                        _ => {}
                    }
                }
            }
        }
        // The drain is over when the old target is no longer registered.
        // A draining target whose task is not known could be it: not yet.
        if tl.steps.contains_key(&Step::OldTargetDraining) && !groups.is_empty() {
            let still = groups.iter().zip(owners).any(|(g, o)| {
                g.targets.iter().zip(o).any(|(t, owner)| match owner {
                    Some(x) => x == &tl.old_task && t.state != "unused",
                    None => t.state == "draining",
                })
            });
            if !still {
                tl.mark(Step::OldTargetGone, at, gap, None);
            }
        }
    }

    /// A probe sample.
    pub fn on_probe(&mut self, s: &Sample) {
        if s.up {
            self.last_up_records = s.count().or(self.last_up_records);
        }
        let Some(tl) = self.current.as_mut() else {
            return;
        };
        if s.at < tl.began {
            return;
        }
        match (&mut tl.outage, s.up) {
            (None, false) => tl.outage = Some((s.at, None)),
            (Some((_, end @ None)), true) => {
                *end = Some(s.at);
                tl.mark(Step::FirstUp, s.at, None, None);
                tl.records_after = s.count();
            }
            (None, true) if tl.steps.contains_key(&Step::NewTargetHealthy) => {
                // Back with no outage the probe saw.
                tl.mark(Step::FirstUp, s.at, None, Some("no outage seen".into()));
                tl.records_after = s.count();
            }
            _ => {}
        }
    }
}

/// The task a request names, or the first live one (a forced deployment).
fn task_or_first(req: &Option<(Option<String>, Time)>, tasks: &[Task]) -> Option<String> {
    match req {
        Some((Some(t), _)) => Some(t.clone()),
        Some((None, _)) => tasks.iter().find(|t| live(t)).map(|t| t.arn.clone()),
        None => None,
    }
}

#[cfg(test)]
mod tests;
