//! The drill's story on one time axis, from its report: a lane for each
//! task and target it restarted and for the replacements, one for the
//! probe and one for the marker, the outages across them all. The HTML
//! report draws it as an SVG and the terminal's verdict window in
//! characters, so both tell the same story. Seconds count from the first
//! restart request (from the drill's start when none was sent); AWS's
//! timestamps are put on this host's clock by the measured offset.

use super::report::{Phase, Report, Restarted};
use crate::model::Time;
use crate::model::probe::Outcome;

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// The axis: seconds from `zero`, before (negative) and after.
    pub from: f64,
    pub to: f64,
    /// Zero is the restart request; false: the drill's start (no restart).
    pub zero_is_stop: bool,
    /// Every probe outage after the restart: first failure to first 2xx
    /// (or the last sample, when it never came back).
    pub outages: Vec<(f64, f64)>,
    pub lanes: Vec<Lane>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    OldTask,
    OldTarget,
    NewTask,
    NewTarget,
    Probe,
    Data,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub kind: LaneKind,
    pub title: String,
    pub spans: Vec<Span>,
    pub marks: Vec<Mark>,
    /// Words in place of a picture (no sample, a task not timed).
    pub note: Option<String>,
}

/// A stretch of a task's or target's life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Provisioning,
    Pending,
    Running,
    Healthy,
    Initial,
    Draining,
    Stopping,
    Stopped,
}

impl State {
    pub fn word(self) -> &'static str {
        match self {
            State::Provisioning => "provisioning",
            State::Pending => "pending",
            State::Running => "running",
            State::Healthy => "healthy",
            State::Initial => "initial",
            State::Draining => "draining",
            State::Stopping => "stopping",
            State::Stopped => "stopped",
        }
    }
}

/// Something that happened at a moment: a phase, a probe sample, a read.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// Seen by a poll: it happened up to this long before `at` (a
    /// bracket). 0: an exact time (AWS's own timestamp, or ecsdeck's).
    pub within: f64,
    pub shape: Shape,
    /// What to write beside it; empty for probe samples (a legend).
    pub label: String,
    /// A probe sample's latency against the drill's slowest, 0 to 1.
    pub level: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A phase at an exact time.
    Tick,
    /// A phase first seen by a poll.
    Bracket,
    /// A probe sample answered 2xx.
    Up,
    /// A probe sample answered another status.
    Error,
    /// A probe sample got no answer (timeout, refused).
    NoAnswer,
    /// A read or write of the marker that did what it should.
    DataOk,
    /// One that did not (missing, refused, unanswered).
    DataBad,
}

fn parse(t: &str) -> Option<Time> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// Every time the phase `name` was reached, in any restart or the last.
fn phase_times<'a>(r: &'a Report, name: &'a str) -> impl Iterator<Item = Time> + 'a {
    r.restarts
        .iter()
        .flat_map(|x| &x.phases)
        .chain(&r.phases)
        .filter(move |p| p.name == name)
        .filter_map(|p| parse(&p.at))
}

fn secs(a: Time, b: Time) -> f64 {
    (b - a).num_milliseconds() as f64 / 1000.0
}

impl Story {
    pub fn of(r: &Report) -> Option<Story> {
        let started = parse(&r.started_at)?;
        let ended = parse(&r.ended_at)?.max(started);
        let stop = phase_times(r, "stop_requested").min();
        let zero = stop.unwrap_or(started);
        let offset = r.clock_offset_s.unwrap_or(0.0);
        let at = |p: &Phase| -> Option<f64> {
            let t = secs(zero, parse(&p.at)?);
            Some(if p.source == "aws" { t + offset } else { t })
        };
        // A drill over in milliseconds still gets a second of axis.
        let from = secs(zero, started);
        let to = secs(zero, ended).max(from + 1.0);
        let mut lanes = Vec::new();
        let numbered = r.restarts.len() > 1;
        for (i, x) in r.restarts.iter().enumerate() {
            let n = if numbered {
                format!("{} ", i + 1)
            } else {
                String::new()
            };
            lanes.extend(restart_lanes(x, &n, (from, to), &at));
        }
        let timed = |old: &String| r.restarts.iter().any(|x| &x.old_task == old);
        for old in r.old_tasks.iter().filter(|o| !timed(o)) {
            let title = format!("old task {}", crate::model::short_id(old));
            lanes.push(if r.restarts.is_empty() {
                // Nothing was restarted: the tasks ran on.
                Lane {
                    kind: LaneKind::OldTask,
                    title,
                    spans: vec![Span {
                        from,
                        to,
                        state: State::Running,
                    }],
                    marks: Vec::new(),
                    note: None,
                }
            } else {
                // A deployment replaced it with no timeline of its own:
                // said, never drawn as if known.
                Lane {
                    kind: LaneKind::OldTask,
                    title,
                    spans: Vec::new(),
                    marks: Vec::new(),
                    note: Some("replaced in the same deployment; its phases were not timed".into()),
                }
            });
        }
        lanes.push(probe_lane(r, zero));
        lanes.push(data_lane(r, zero));
        // Nothing drawn off the axis: a time outside the drill (a clock
        // apart, a poll's bracket) widens it.
        let (mut from, mut to) = (from, to);
        for m in lanes.iter().flat_map(|l| &l.marks) {
            from = from.min(m.at - m.within);
            to = to.max(m.at);
        }
        Some(Story {
            from,
            to,
            zero_is_stop: stop.is_some(),
            outages: match stop {
                Some(_) => outages(r, zero),
                None => Vec::new(),
            },
            lanes,
        })
    }
}

/// One restart's phases on the story's axis.
struct Phases<'a> {
    x: &'a Restarted,
    at: &'a dyn Fn(&Phase) -> Option<f64>,
    /// The axis's ends.
    from: f64,
    to: f64,
}

impl Phases<'_> {
    fn get(&self, name: &str) -> Option<&Phase> {
        self.x.phases.iter().find(|p| p.name == name)
    }

    fn t(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|p| (self.at)(p))
    }

    /// The phase as a mark: a bracket when a poll saw it, else a tick.
    fn mark(&self, name: &str, label: &str) -> Option<Mark> {
        let p = self.get(name)?;
        let within = p.uncertainty_s.unwrap_or(0.0).max(0.0);
        Some(Mark {
            at: (self.at)(p)?,
            within,
            shape: if within > 0.0 {
                Shape::Bracket
            } else {
                Shape::Tick
            },
            label: label.to_string(),
            level: 0.0,
        })
    }

    fn marks(&self, of: &[(&str, &str)]) -> Vec<Mark> {
        of.iter().filter_map(|(n, l)| self.mark(n, l)).collect()
    }
}

/// One restart's lanes: the old task and its target, the replacement and
/// its target (`n`: its number when there were several).
fn restart_lanes(
    x: &Restarted,
    n: &str,
    (from, to): (f64, f64),
    at: &dyn Fn(&Phase) -> Option<f64>,
) -> Vec<Lane> {
    let p = Phases { x, at, from, to };
    let mut lanes = old_lanes(&p, n);
    lanes.extend(new_lanes(&p, n));
    lanes
}

/// The old task (running, draining while its target drains, stopping
/// once SIGTERM is sent, stopped) and its target.
fn old_lanes(p: &Phases, n: &str) -> Vec<Lane> {
    let (from, to) = (p.from, p.to);
    // The task leaves when ECS says so (stoppingAt): a forced
    // deployment starts replacements first and stops it later.
    let stop_at = p.t("old_task_stopping").or(p.t("stop_requested"));
    let old_stopped = p.t("old_task_stopped");
    // ECS deactivates the task while its target drains, then stops it
    // (SIGTERM): the drain's end splits the two.
    let gone = p.t("old_target_gone");
    let draining = p.t("old_target_draining");
    let leaving = if gone.is_some() || draining.is_some() {
        State::Draining
    } else {
        State::Stopping
    };
    vec![
        Lane {
            kind: LaneKind::OldTask,
            title: format!("{n}old task {}", crate::model::short_id(&p.x.old_task)),
            spans: spans(
                from,
                to,
                &[
                    (Some(from), State::Running),
                    (stop_at, leaving),
                    (gone, State::Stopping),
                    (old_stopped, State::Stopped),
                ],
            ),
            note: None,
            marks: p.marks(&[
                ("stop_requested", "stop"),
                ("old_task_stopping", "deactivating"),
                ("old_task_stopped", "STOPPED"),
                ("old_target_gone", "SIGTERM"),
            ]),
        },
        // The target leaves the group when its drain ends (or its task
        // stops, when that end was not seen).
        Lane {
            kind: LaneKind::OldTarget,
            title: format!("{n}old target"),
            spans: spans(
                from,
                gone.or(old_stopped).unwrap_or(to),
                &[(Some(from), State::Healthy), (draining, State::Draining)],
            ),
            note: None,
            marks: p.marks(&[
                ("old_target_draining", "draining"),
                ("old_target_gone", "deregistered"),
            ]),
        },
    ]
}

/// The replacement (provisioning to healthy, or stopped) and its target;
/// none when no replacement was seen.
fn new_lanes(p: &Phases, n: &str) -> Vec<Lane> {
    let (from, to) = (p.from, p.to);
    let unchecked = p
        .get("new_containers_healthy")
        .and_then(|p| p.note.as_deref())
        .is_some_and(|n| n == "no health check");
    // Without a health check AWS never says HEALTHY: the containers
    // counted from RUNNING, said so.
    let healthy = if unchecked {
        "no health check"
    } else {
        "HEALTHY"
    };
    let marks = p.marks(&[
        ("new_task_seen", "created"),
        ("new_task_provisioning", "PROVISIONING"),
        ("new_task_pending", "PENDING"),
        ("image_pull_done", "pulled"),
        ("new_task_running", "RUNNING"),
        ("new_containers_healthy", healthy),
        ("new_task_stopped", "STOPPED"),
    ]);
    if marks.is_empty() && p.x.new_task.is_none() {
        return Vec::new();
    }
    let id =
        p.x.new_task
            .as_deref()
            .map(crate::model::short_id)
            .unwrap_or("?");
    vec![
        Lane {
            kind: LaneKind::NewTask,
            title: format!("{n}new task {id}"),
            spans: spans(
                from,
                to,
                &[
                    (
                        p.t("new_task_seen").or(p.t("new_task_provisioning")),
                        State::Provisioning,
                    ),
                    (p.t("new_task_pending"), State::Pending),
                    (p.t("new_task_running"), State::Running),
                    (
                        p.t("new_containers_healthy").filter(|_| !unchecked),
                        State::Healthy,
                    ),
                    (p.t("new_task_stopped"), State::Stopped),
                ],
            ),
            marks,
            note: None,
        },
        // A replacement that stopped takes its target with it.
        Lane {
            kind: LaneKind::NewTarget,
            title: format!("{n}new target"),
            note: None,
            spans: spans(
                from,
                p.t("new_task_stopped").unwrap_or(to),
                &[
                    (p.t("new_target_initial"), State::Initial),
                    (p.t("new_target_healthy"), State::Healthy),
                ],
            ),
            marks: p.marks(&[
                ("new_target_initial", "initial"),
                ("new_target_healthy", "healthy"),
            ]),
        },
    ]
}

/// Stretches from state changes in order: each lasts to the next known
/// change (or `to`); a change never seen leaves no stretch.
fn spans(from: f64, to: f64, changes: &[(Option<f64>, State)]) -> Vec<Span> {
    // A stop AWS timed before the drill began (clock skew) ends nothing
    // before the start.
    let to = to.max(from);
    let mut known: Vec<(f64, State)> = changes
        .iter()
        .filter_map(|(t, s)| Some((t.as_ref()?.clamp(from, to), *s)))
        .collect();
    // Polled changes can be seen out of order: the timeline's order.
    known.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    for (i, &(a, state)) in known.iter().enumerate() {
        let b = known.get(i + 1).map_or(to, |n| n.0);
        if b > a {
            out.push(Span {
                from: a,
                to: b,
                state,
            });
        }
    }
    out
}

fn probe_lane(r: &Report, zero: Time) -> Lane {
    let slowest = r
        .probe
        .iter()
        .map(|p| p.latency_ms)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut marks: Vec<Mark> = r
        .probe
        .iter()
        .filter_map(|p| {
            let at = secs(zero, parse(&p.at)?);
            let shape = match p.outcome {
                _ if p.is_up() => Shape::Up,
                Outcome::Http(_) => Shape::Error,
                Outcome::Failed(_) => Shape::NoAnswer,
            };
            Some(Mark {
                at,
                within: 0.0,
                shape,
                label: String::new(),
                level: if shape == Shape::Up {
                    f64::from(p.latency_ms) / slowest
                } else {
                    1.0
                },
            })
        })
        .collect();
    let first = phase_times(r, "first_2xx").max();
    if let Some(t) = first {
        marks.push(Mark {
            at: secs(zero, t),
            within: 0.0,
            shape: Shape::Tick,
            label: "first 2xx".into(),
            level: 0.0,
        });
    }
    Lane {
        kind: LaneKind::Probe,
        title: "probe".into(),
        spans: Vec::new(),
        note: marks
            .is_empty()
            .then(|| "no probe sample during the drill".to_string()),
        marks,
    }
}

fn data_lane(r: &Report, zero: Time) -> Lane {
    let marks: Vec<Mark> = r
        .data
        .iter()
        .filter_map(|e| {
            let at = secs(zero, parse(&e.at)?);
            let label = match (e.event.as_str(), e.ok) {
                ("checked_absent", true) => "absent".to_string(),
                ("checked_absent", false) => "NOT absent".to_string(),
                ("written", true) => "written".to_string(),
                ("written", false) => "write failed".to_string(),
                ("read_back", true) => "read back".to_string(),
                ("read_back", false) => "NOT read back".to_string(),
                ("read_after", true) => "found".to_string(),
                ("read_after", false) => match e.status {
                    Some(s) if (200..300).contains(&s) => "MISSING".to_string(),
                    Some(s) => format!("read {s}"),
                    None => "no answer".to_string(),
                },
                ("deleted", true) => "deleted".to_string(),
                ("deleted", false) => "NOT deleted".to_string(),
                (other, _) => other.to_string(),
            };
            let label = match e.count {
                Some(n) if e.event != "checked_absent" => format!("{label} ({n})"),
                _ => label,
            };
            Some(Mark {
                at,
                within: 0.0,
                shape: if e.ok { Shape::DataOk } else { Shape::DataBad },
                label,
                level: 0.0,
            })
        })
        .collect();
    Lane {
        kind: LaneKind::Data,
        title: "data (marker)".into(),
        spans: Vec::new(),
        note: marks
            .is_empty()
            .then(|| "the marker was never read or written".to_string()),
        marks: repeats_once(marks),
    }
}

/// A run of the same answer (the final reads, tried again and again)
/// is labelled once, with how many times it came.
fn repeats_once(mut marks: Vec<Mark>) -> Vec<Mark> {
    let mut i = 0;
    while i < marks.len() {
        // The same answer with another count is still the same answer.
        let word = |m: &Mark| m.label.split(" (").next().unwrap_or("").to_string();
        let first = word(&marks[i]);
        let same = marks[i..]
            .iter()
            .take_while(|m| word(m) == first && m.shape == marks[i].shape)
            .count();
        if same > 1 {
            marks[i].label = format!("{} ×{same}", marks[i].label);
            for m in &mut marks[i + 1..i + same] {
                m.label.clear();
            }
        }
        i += same;
    }
    marks
}

/// The probe's outages from the restart on, as the report counts them.
fn outages(r: &Report, zero: Time) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut since: Option<f64> = None;
    let mut last: Option<f64> = None;
    for p in &r.probe {
        let Some(t) = parse(&p.at) else { continue };
        let at = secs(zero, t);
        if at < 0.0 {
            continue;
        }
        last = Some(at);
        match (p.is_up(), since) {
            (false, None) => since = Some(at),
            (true, Some(a)) => {
                out.push((a, at));
                since = None;
            }
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (since, last) {
        out.push((a, b));
    }
    out
}

/// Rows for labels so that none overlaps another: each `(start, width)`
/// goes in the first row where it clears every label already there by
/// `gap`. The same for pixels and for terminal cells.
pub fn stagger(items: &[(f64, f64)], gap: f64) -> Vec<usize> {
    let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
    items
        .iter()
        .map(|&(x, w)| {
            let fits =
                |row: &Vec<(f64, f64)>| row.iter().all(|&(a, b)| x + w + gap <= a || x >= b + gap);
            let i = rows.iter().position(fits).unwrap_or(rows.len());
            if i == rows.len() {
                rows.push(Vec::new());
            }
            rows[i].push((x, x + w));
            i
        })
        .collect()
}

#[cfg(test)]
mod tests;
