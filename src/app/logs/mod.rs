//! The logs view's state: a bounded, time-ordered buffer of sanitised
//! lines and task dividers, the follow/pause anchor, the filter and the
//! display toggles. What drawing needs per line (readable JSON, whether it
//! matches the filter, the match count) is worked out when a line arrives
//! or the filter changes, never per frame. Pure: tested without a runtime
//! or a terminal.

mod buffer;
mod filter;
mod history;
mod json;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Loadable;
use super::rate::CallRate;
use crate::model::logs::FollowResult;
use crate::model::{Task, Time};
use buffer::{Buffer, Stored};
pub use filter::Filter;
pub use json::readable_json;

pub use crate::model::logs::DEFAULT_BUFFER;

/// Notes about streams that will never exist, kept for the screen.
const NOTES_KEPT: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Time,
    pub container: String,
    pub task_arn: String,
    /// Sanitised: printable text only.
    pub text: String,
    /// The line as readable JSON rows, when it is JSON.
    pub readable: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Line(LogLine),
    /// A rule between tasks: `new_task` started, replacing `old_task`; or,
    /// without `new_task`, `old_task` stopped (placed when it stopped, after
    /// its last lines, when the two tasks overlapped).
    Divider {
        at: Time,
        old_task: String,
        new_task: Option<String>,
    },
    /// Lines from `at` to `until` were not loaded (more than one request
    /// loads were logged in that time, or CloudWatch was still searching).
    Gap {
        at: Time,
        until: Time,
        why: crate::model::logs::HoleWhy,
    },
}

impl Entry {
    pub fn at(&self) -> Time {
        match self {
            Entry::Line(l) => l.at,
            Entry::Divider { at, .. } | Entry::Gap { at, .. } => *at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsMode {
    Off,
    Local,
    Relative,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogState {
    buf: Buffer,
    filter: Option<Filter>,
    hidden: BTreeSet<String>,
    /// One stopped task's lines only (Enter on it in the Tasks pane).
    only_task: Option<String>,
    /// Lines that match the filter in containers that are shown.
    matches: usize,
    pub wrap: bool,
    /// JSON lines made readable (MongoDB's one-liners, others indented).
    pub readable_json: bool,
    pub ts: TsMode,
    divided: HashSet<String>,
    /// Old task → when its successor started.
    replaced: HashMap<String, Time>,
    stop_marked: HashSet<String>,
    pub status: Loadable<()>,
    /// Per-stream problems of the last poll, in words.
    pub problems: Vec<String>,
    /// Streams that will never exist, and why (the newest few).
    pub notes: Vec<String>,
    pub following: usize,
    pub total_calls: u64,
    pub call_rate: CallRate,
    pub full: bool,
    /// An answer to the operator's last action (saved file, no match).
    pub notice: Option<String>,
    /// Lines before the held ones were loaded back to here: the held
    /// lines are complete from it on.
    complete_from: Option<Time>,
    /// A request for older lines is out, for this window.
    pub loading: Option<(Time, Time)>,
    /// The look-back at start (`--since`) was asked for.
    pub since_asked: bool,
    /// The newest end of a window loaded: the follower's lines up to it
    /// may be held already.
    loaded_to: Option<Time>,
    /// Where the held lines become complete, when older lines of some
    /// streams (read whole) are held before it: a rule is drawn there.
    edge: Option<Time>,
    /// Streams (task ARN, container) first read from a full tail: older
    /// lines than theirs may exist.
    cut: HashSet<(String, String)>,
}

impl LogState {
    /// The sizes of what it keeps, for the day-long memory figures.
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("log lines", self.buf.len()),
            ("log tasks divided", self.divided.len()),
            ("log tasks replaced", self.replaced.len()),
            ("log tasks stop-marked", self.stop_marked.len()),
            ("log notes", self.notes.len()),
            ("log streams cut", self.cut.len()),
            ("log rate samples", self.call_rate.kept()),
        ]
    }

    pub fn new(cap: usize) -> LogState {
        LogState {
            buf: Buffer::new(cap),
            filter: None,
            hidden: BTreeSet::new(),
            only_task: None,
            matches: 0,
            wrap: false,
            readable_json: true,
            ts: TsMode::Local,
            divided: HashSet::new(),
            replaced: HashMap::new(),
            stop_marked: HashSet::new(),
            status: Loadable::default(),
            problems: Vec::new(),
            notes: Vec::new(),
            following: 0,
            total_calls: 0,
            call_rate: CallRate::default(),
            full: false,
            notice: None,
            complete_from: None,
            loading: None,
            since_asked: false,
            loaded_to: None,
            edge: None,
            cut: HashSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Entry> {
        self.buf.get(i).map(|s| &s.entry)
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.buf.iter().map(|s| &s.entry)
    }

    /// Index of the bottom line on screen while paused; None follows.
    pub fn anchor(&self) -> Option<usize> {
        self.buf.anchor
    }

    pub fn paused(&self) -> bool {
        self.buf.anchor.is_some()
    }

    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// Sets (or clears) the filter and marks every buffered line once.
    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.filter = filter;
        let f = self.filter.as_ref();
        for s in self.buf.iter_mut() {
            s.matched = matched(f, &s.entry);
        }
        self.recount();
    }

    /// Only matching lines, or all lines with the matches lit.
    pub fn toggle_only_matches(&mut self) -> bool {
        match self.filter.as_mut() {
            Some(f) => {
                f.only_matches = !f.only_matches;
                true
            }
            None => false,
        }
    }

    /// Shows only `task`'s lines (and its dividers), or every task's.
    pub fn set_only_task(&mut self, task: Option<String>) {
        self.only_task = task;
        self.recount();
    }

    pub fn only_task(&self) -> Option<&str> {
        self.only_task.as_deref()
    }

    /// The line is of a task the view shows.
    fn of_shown_task(&self, task_arn: &str) -> bool {
        self.only_task.as_deref().is_none_or(|t| t == task_arn)
    }

    pub fn is_hidden(&self, container: &str) -> bool {
        self.hidden.contains(container)
    }

    pub fn toggle_hidden(&mut self, container: &str) {
        if !self.hidden.remove(container) {
            self.hidden.insert(container.to_string());
        }
        self.recount();
    }

    fn recount(&mut self) {
        let n = self.buf.iter().filter(|s| self.counts(s)).count();
        self.matches = n;
    }

    /// The entry counts as a match: it matches and its container is shown.
    fn counts(&self, s: &Stored) -> bool {
        s.matched
            && matches!(&s.entry, Entry::Line(l)
                if !self.hidden.contains(&l.container) && self.of_shown_task(&l.task_arn))
    }

    fn insert(&mut self, entry: Entry) {
        let m = matched(self.filter.as_ref(), &entry);
        let counted = m
            && matches!(&entry, Entry::Line(l)
                if !self.hidden.contains(&l.container) && self.of_shown_task(&l.task_arn));
        for old in self.buf.insert(entry, m) {
            if self.counts(&old) {
                self.matches -= 1;
            }
        }
        if counted {
            self.matches += 1;
        }
    }

    pub fn ingest(&mut self, result: &FollowResult, at: Time) {
        for b in &result.batches {
            for ev in &b.events {
                let when = chrono::DateTime::from_timestamp_millis(ev.timestamp_ms).unwrap_or(at);
                // Sanitised by the backend, where it became a domain type.
                let text = ev.message.clone();
                let line = LogLine {
                    at: when,
                    container: b.source.container.clone(),
                    task_arn: b.source.task_arn.clone(),
                    readable: readable_json(&text),
                    text,
                };
                // A stream first read after a window that reached past its
                // start (loaded while nothing was held) brings lines the
                // window brought already.
                if self.loaded_to.is_some_and(|t| line.at <= t) && self.holds(&line) {
                    continue;
                }
                self.insert(Entry::Line(line));
            }
        }
        self.problems = result
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.source.stream, p.error.operator_text()))
            .collect();
        for n in &result.notes {
            if !self.notes.contains(n) {
                self.notes.push(n.clone());
            }
        }
        let keep = self.notes.len().saturating_sub(NOTES_KEPT);
        self.notes.drain(..keep);
        self.following = result.following;
        self.total_calls += result.calls;
        self.call_rate.record(at, self.total_calls);
        self.status.set((), at);
        self.cut.extend(result.cut.iter().cloned());
        self.prune_cut();
        self.edge = self.find_edge();
    }

    /// Calls per second of the logs poller over the last minute.
    pub fn calls_per_s(&self) -> Option<f64> {
        self.call_rate.per_s(3.0)
    }

    /// Dividers for task replacements. One at the new task's creation, so
    /// the new task's first lines follow it. When the old task was still
    /// up then (ECS starts the replacement while the old task drains),
    /// a second rule marks when the old task stopped, after its last lines;
    /// otherwise the first rule says both.
    pub fn note_tasks(&mut self, tasks: &[Task]) {
        for t in tasks.iter().filter(|t| !t.is_stopped()) {
            if self.divided.contains(&t.arn) {
                continue;
            }
            self.divided.insert(t.arn.clone());
            let Some(created) = t.created_at else {
                continue;
            };
            let old = tasks
                .iter()
                .filter(|o| o.arn != t.arn && o.is_leaving())
                .filter(|o| o.created_at.is_some_and(|c| c < created))
                .max_by_key(|o| o.stopping_at.or(o.stopped_at).or(o.created_at));
            if let Some(old) = old {
                self.replaced.insert(old.arn.clone(), created);
                self.insert(Entry::Divider {
                    at: created,
                    old_task: old.arn.clone(),
                    new_task: Some(t.arn.clone()),
                });
            }
        }
        for t in tasks.iter().filter(|t| t.is_stopped()) {
            if !self.stop_marked.insert(t.arn.clone()) {
                continue;
            }
            let Some(stopped) = t.stopped_at else {
                continue;
            };
            if self.replaced.get(&t.arn).is_some_and(|at| stopped <= *at) {
                continue;
            }
            self.insert(Entry::Divider {
                at: stopped,
                old_task: t.arn.clone(),
                new_task: None,
            });
        }
        // A task that left the list (ECS keeps stopped tasks about an hour)
        // does not come back: forget it, so a long run stays small.
        let listed: HashSet<&str> = tasks.iter().map(|t| t.arn.as_str()).collect();
        self.divided.retain(|a| listed.contains(a.as_str()));
        self.replaced.retain(|a, _| listed.contains(a.as_str()));
        self.stop_marked.retain(|a| listed.contains(a.as_str()));
    }

    /// Tasks the divider bookkeeping still remembers.
    pub fn remembered_tasks(&self) -> usize {
        let mut all: HashSet<&String> = self.divided.iter().collect();
        all.extend(self.replaced.keys());
        all.extend(self.stop_marked.iter());
        all.len()
    }

    fn visible_at(&self, i: usize) -> bool {
        self.buf.get(i).is_some_and(|s| self.shown(s))
    }

    fn shown(&self, s: &Stored) -> bool {
        match &s.entry {
            Entry::Line(l) => {
                !self.hidden.contains(&l.container)
                    && self.of_shown_task(&l.task_arn)
                    && (s.matched || self.filter.as_ref().is_none_or(|f| !f.only_matches))
            }
            Entry::Divider {
                old_task, new_task, ..
            } => {
                self.of_shown_task(old_task)
                    || new_task.as_deref().is_some_and(|n| self.of_shown_task(n))
            }
            Entry::Gap { .. } => true,
        }
    }

    /// The entry at `i` is shown (its container is, and the filter lets it).
    pub fn visible(&self, i: usize) -> bool {
        self.visible_at(i)
    }

    fn is_match_at(&self, i: usize) -> bool {
        self.buf.get(i).is_some_and(|s| self.counts(s))
    }

    fn bottom(&self) -> Option<usize> {
        self.buf.anchor.or(self.buf.len().checked_sub(1))
    }

    /// Moves the view `n` visible entries up (older); pauses following.
    pub fn up(&mut self, n: usize) {
        let Some(mut i) = self.bottom() else { return };
        let mut moved = 0;
        while moved < n && i > 0 {
            i -= 1;
            if self.visible_at(i) {
                moved += 1;
            }
        }
        self.buf.anchor = Some(i);
    }

    /// Moves the view `n` visible entries down; at the end, follows again.
    pub fn down(&mut self, n: usize) {
        let Some(mut i) = self.buf.anchor else { return };
        let mut moved = 0;
        while moved < n {
            if i + 1 >= self.buf.len() {
                self.buf.anchor = None;
                return;
            }
            i += 1;
            if self.visible_at(i) {
                moved += 1;
            }
        }
        self.buf.anchor = Some(i);
    }

    /// The view is at the oldest line held (or holds none): going up
    /// further means loading older lines.
    pub fn at_top(&self) -> bool {
        match self.buf.anchor {
            Some(a) => !(0..a).any(|i| self.visible_at(i)),
            None => self.buf.is_empty(),
        }
    }

    pub fn top(&mut self) {
        if let Some(i) = (0..self.buf.len()).find(|&i| self.visible_at(i)) {
            self.buf.anchor = Some(i);
        }
    }

    pub fn follow(&mut self) {
        self.buf.anchor = None;
    }

    /// Jumps to the next (newer) or previous (older) match of the filter.
    pub fn jump(&mut self, newer: bool) {
        let Some(f) = &self.filter else {
            self.notice = Some("no filter: press / to set one".into());
            return;
        };
        let text = f.text.clone();
        let len = self.buf.len();
        let from = self.bottom().unwrap_or(0);
        let found = if newer {
            (from + 1..len).find(|&i| self.is_match_at(i))
        } else {
            // Following: the newest match counts as "previous" too.
            let end = if self.buf.anchor.is_none() { len } else { from };
            (0..end).rev().find(|&i| self.is_match_at(i))
        };
        match found {
            Some(i) => {
                self.buf.anchor = Some(i);
                self.notice = None;
            }
            None => {
                self.notice = Some(format!(
                    "no {} match for {text:?}",
                    if newer { "newer" } else { "older" }
                ))
            }
        }
    }

    /// Visible entries below a paused view: what End would bring in.
    pub fn newer_visible(&self) -> usize {
        match self.buf.anchor {
            Some(a) => (a + 1..self.buf.len())
                .filter(|&i| self.visible_at(i))
                .count(),
            None => 0,
        }
    }

    /// The match the view is paused on (where n/N went), if it is one.
    pub fn current_match(&self) -> Option<usize> {
        let a = self.buf.anchor?;
        (self.filter.is_some() && self.is_match_at(a)).then_some(a)
    }

    /// Which match that is, counting from the oldest (1-based): "3" of
    /// "3/42".
    pub fn match_ordinal(&self) -> Option<usize> {
        let a = self.current_match()?;
        Some((0..=a).filter(|&i| self.is_match_at(i)).count())
    }

    /// Lines that match the filter in the containers shown; kept as lines
    /// arrive and leave, so the title does not count per frame.
    pub fn match_count(&self) -> usize {
        self.matches
    }

    /// The visible lines as plain text, for saving.
    pub fn export(&self, names: &dyn Fn(&Entry) -> String) -> String {
        let mut out = String::new();
        for s in self.buf.iter().filter(|s| self.shown(s)) {
            match &s.entry {
                Entry::Line(l) => {
                    out.push_str(&format!(
                        "{} {} {} {}\n",
                        l.at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                        l.container,
                        crate::model::short_id(&l.task_arn),
                        l.text
                    ));
                }
                Entry::Divider { .. } | Entry::Gap { .. } => {
                    out.push_str(&format!("---- {} ----\n", names(&s.entry)));
                }
            }
        }
        out
    }
}

/// Whether an entry matches a filter (a divider never does).
fn matched(f: Option<&Filter>, e: &Entry) -> bool {
    match (f, e) {
        (Some(f), Entry::Line(l)) => f.matches(&l.text),
        _ => false,
    }
}
