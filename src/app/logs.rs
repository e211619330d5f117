//! The logs view's state: a bounded, time-ordered buffer of sanitised
//! lines and task dividers, the follow/pause anchor, the filter and the
//! display toggles. Pure: tested without a runtime or a terminal.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use regex::{Regex, RegexBuilder};

use super::Loadable;
use crate::model::logs::FollowResult;
use crate::model::sanitize::sanitize;
use crate::model::{Task, Time};

pub use crate::model::logs::DEFAULT_BUFFER;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Time,
    pub container: String,
    pub task_arn: String,
    /// Sanitised: printable text only.
    pub text: String,
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
}

impl Entry {
    pub fn at(&self) -> Time {
        match self {
            Entry::Line(l) => l.at,
            Entry::Divider { at, .. } => *at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsMode {
    Off,
    Local,
    Relative,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub text: String,
    matcher: Matcher,
    /// Show only matching lines (true), or every line with the matches
    /// highlighted, for stepping through them with n/N (false).
    pub only_matches: bool,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// Case-insensitive plain text.
    Plain(String),
    Regex(Regex),
}

impl PartialEq for Filter {
    fn eq(&self, o: &Self) -> bool {
        self.text == o.text
            && self.is_regex() == o.is_regex()
            && self.only_matches == o.only_matches
    }
}

impl Filter {
    pub fn new(text: &str, regex: bool) -> Result<Filter, String> {
        let matcher = if regex {
            Matcher::Regex(
                RegexBuilder::new(text)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        } else {
            Matcher::Plain(text.to_lowercase())
        };
        Ok(Filter {
            text: text.to_string(),
            matcher,
            only_matches: true,
        })
    }

    pub fn is_regex(&self) -> bool {
        matches!(self.matcher, Matcher::Regex(_))
    }

    /// Byte ranges of the matches in `s`.
    pub fn find(&self, s: &str) -> Vec<(usize, usize)> {
        match &self.matcher {
            Matcher::Regex(r) => r
                .find_iter(s)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Plain(p) if p.is_empty() => Vec::new(),
            Matcher::Plain(p) => {
                // Lowercasing can change byte lengths (rare outside ASCII):
                // fall back to a plain "matches" without ranges then.
                let lower = s.to_lowercase();
                if lower.len() != s.len() {
                    return if lower.contains(p.as_str()) {
                        vec![(0, 0)]
                    } else {
                        Vec::new()
                    };
                }
                lower
                    .match_indices(p.as_str())
                    .map(|(i, m)| (i, i + m.len()))
                    .collect()
            }
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(r) => r.is_match(s),
            Matcher::Plain(p) => s.to_lowercase().contains(p.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prompt {
    pub text: String,
    pub regex: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogState {
    entries: VecDeque<(u64, Entry)>,
    pub cap: usize,
    seq: u64,
    /// Index of the bottom line on screen while paused; None follows.
    pub anchor: Option<usize>,
    pub filter: Option<Filter>,
    pub prompt: Option<Prompt>,
    pub wrap: bool,
    /// JSON lines made readable (MongoDB's one-liners, others indented).
    pub readable_json: bool,
    pub ts: TsMode,
    pub hidden: BTreeSet<String>,
    divided: HashSet<String>,
    /// Old task → when its successor started.
    replaced: HashMap<String, Time>,
    stop_marked: HashSet<String>,
    pub status: Loadable<()>,
    /// Per-stream problems of the last poll, in words.
    pub problems: Vec<String>,
    pub following: usize,
    pub total_calls: u64,
    pub call_samples: VecDeque<(Time, u64)>,
    pub full: bool,
    /// An answer to the operator's last action (saved file, no match).
    pub notice: Option<String>,
}

impl LogState {
    pub fn new(cap: usize) -> LogState {
        LogState {
            entries: VecDeque::new(),
            cap: cap.max(1),
            seq: 0,
            anchor: None,
            filter: None,
            prompt: None,
            wrap: false,
            readable_json: true,
            ts: TsMode::Local,
            hidden: BTreeSet::new(),
            divided: HashSet::new(),
            replaced: HashMap::new(),
            stop_marked: HashSet::new(),
            status: Loadable::default(),
            problems: Vec::new(),
            following: 0,
            total_calls: 0,
            call_samples: VecDeque::new(),
            full: false,
            notice: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i).map(|(_, e)| e)
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter().map(|(_, e)| e)
    }

    pub fn paused(&self) -> bool {
        self.anchor.is_some()
    }

    /// Inserts in time order (equal times keep arrival order), keeping a
    /// paused view still, and drops the oldest entries past the cap.
    pub fn insert(&mut self, entry: Entry) {
        self.seq += 1;
        let key = (entry.at(), self.seq);
        let pos = self.entries.partition_point(|(s, e)| (e.at(), *s) <= key);
        self.entries.insert(pos, (self.seq, entry));
        if let Some(a) = self.anchor.as_mut()
            && pos <= *a
        {
            *a += 1;
        }
        while self.entries.len() > self.cap {
            self.entries.pop_front();
            if let Some(a) = self.anchor.as_mut() {
                *a = a.saturating_sub(1);
            }
        }
    }

    pub fn ingest(&mut self, result: &FollowResult, at: Time) {
        for b in &result.batches {
            for ev in &b.events {
                let when = chrono::DateTime::from_timestamp_millis(ev.timestamp_ms).unwrap_or(at);
                self.insert(Entry::Line(LogLine {
                    at: when,
                    container: b.source.container.clone(),
                    task_arn: b.source.task_arn.clone(),
                    text: sanitize(ev.message.as_bytes()),
                }));
            }
        }
        self.problems = result
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.source.stream, p.error.operator_text()))
            .collect();
        self.following = result.following;
        self.total_calls += result.calls;
        self.call_samples.push_back((at, self.total_calls));
        while let Some((t, _)) = self.call_samples.front() {
            if (at - *t).num_seconds() > 60 {
                self.call_samples.pop_front();
            } else {
                break;
            }
        }
        self.status.set((), at);
    }

    /// Calls per second of the logs poller over the last minute.
    pub fn calls_per_s(&self) -> Option<f64> {
        let (t0, c0) = self.call_samples.front()?;
        let (t1, c1) = self.call_samples.back()?;
        let secs = (*t1 - *t0).num_milliseconds() as f64 / 1000.0;
        (secs >= 3.0).then(|| c1.saturating_sub(*c0) as f64 / secs)
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
    }

    pub fn visible(&self, e: &Entry) -> bool {
        match e {
            Entry::Line(l) => {
                !self.hidden.contains(&l.container)
                    && self
                        .filter
                        .as_ref()
                        .is_none_or(|f| !f.only_matches || f.matches(&l.text))
            }
            Entry::Divider { .. } => true,
        }
    }

    fn is_match(&self, e: &Entry) -> bool {
        match (e, &self.filter) {
            (Entry::Line(l), Some(f)) => !self.hidden.contains(&l.container) && f.matches(&l.text),
            _ => false,
        }
    }

    fn bottom(&self) -> Option<usize> {
        self.anchor.or(self.entries.len().checked_sub(1))
    }

    /// Moves the view `n` visible entries up (older); pauses following.
    pub fn up(&mut self, n: usize) {
        let Some(mut i) = self.bottom() else { return };
        let mut moved = 0;
        while moved < n && i > 0 {
            i -= 1;
            if self.get(i).is_some_and(|e| self.visible(e)) {
                moved += 1;
            }
        }
        self.anchor = Some(i);
    }

    /// Moves the view `n` visible entries down; at the end, follows again.
    pub fn down(&mut self, n: usize) {
        let Some(mut i) = self.anchor else { return };
        let mut moved = 0;
        while moved < n {
            if i + 1 >= self.entries.len() {
                self.anchor = None;
                return;
            }
            i += 1;
            if self.get(i).is_some_and(|e| self.visible(e)) {
                moved += 1;
            }
        }
        self.anchor = Some(i);
    }

    pub fn top(&mut self) {
        if let Some(i) =
            (0..self.entries.len()).find(|&i| self.get(i).is_some_and(|e| self.visible(e)))
        {
            self.anchor = Some(i);
        }
    }

    pub fn follow(&mut self) {
        self.anchor = None;
    }

    /// Jumps to the next (newer) or previous (older) match of the filter.
    pub fn jump(&mut self, newer: bool) {
        let Some(f) = &self.filter else {
            self.notice = Some("no filter: press / to set one".into());
            return;
        };
        let text = f.text.clone();
        let len = self.entries.len();
        let from = self.bottom().unwrap_or(0);
        let found = if newer {
            (from + 1..len).find(|&i| self.get(i).is_some_and(|e| self.is_match(e)))
        } else {
            // Following: the newest match counts as "previous" too.
            let end = if self.anchor.is_none() { len } else { from };
            (0..end)
                .rev()
                .find(|&i| self.get(i).is_some_and(|e| self.is_match(e)))
        };
        match found {
            Some(i) => {
                self.anchor = Some(i);
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

    pub fn match_count(&self) -> usize {
        self.entries().filter(|e| self.is_match(e)).count()
    }

    /// The visible lines as plain text, for saving.
    pub fn export(&self, names: &dyn Fn(&Entry) -> String) -> String {
        let mut out = String::new();
        for e in self.entries().filter(|e| self.visible(e)) {
            match e {
                Entry::Line(l) => {
                    out.push_str(&format!(
                        "{} {} {} {}\n",
                        l.at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                        l.container,
                        crate::model::short_id(&l.task_arn),
                        l.text
                    ));
                }
                Entry::Divider { .. } => {
                    out.push_str(&format!("---- {} ----\n", names(e)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logfollow::{LogBatch, StreamProblem};
    use crate::model::fixtures::{task, ts};
    use crate::model::logs::{LogSource, RawLogEvent};

    fn src(container: &str, task: &str) -> LogSource {
        LogSource {
            group: "/ecs/goals".into(),
            region: None,
            stream: format!("ecs/{container}/{task}"),
            container: container.into(),
            task_arn: format!("arn:aws:ecs:us-east-1:1:task/c/{task}"),
            stopped_at: None,
        }
    }

    fn ms(s: i64) -> i64 {
        ts(s).expect("t").timestamp_millis()
    }

    fn batch(container: &str, task: &str, events: &[(i64, &str)]) -> LogBatch {
        LogBatch {
            source: src(container, task),
            events: events
                .iter()
                .map(|(t, m)| RawLogEvent {
                    timestamp_ms: ms(*t),
                    message: m.to_string(),
                })
                .collect(),
        }
    }

    fn result(batches: Vec<LogBatch>) -> FollowResult {
        FollowResult {
            batches,
            problems: vec![],
            calls: 2,
            following: 2,
        }
    }

    fn texts(s: &LogState) -> Vec<String> {
        s.entries()
            .filter(|e| s.visible(e))
            .map(|e| match e {
                Entry::Line(l) => l.text.clone(),
                Entry::Divider { .. } => "--".into(),
            })
            .collect()
    }

    #[test]
    fn lines_of_both_containers_interleave_in_time_order() {
        let mut s = LogState::new(100);
        s.ingest(
            &result(vec![batch("goals-api", "t1", &[(1, "a1"), (5, "a5")])]),
            ts(6).expect("t"),
        );
        // mongodb's stream lagged: its earlier lines slot in between.
        s.ingest(
            &result(vec![batch(
                "mongodb",
                "t1",
                &[(2, "m2"), (5, "m5"), (7, "m7")],
            )]),
            ts(8).expect("t"),
        );
        assert_eq!(texts(&s), vec!["a1", "m2", "a5", "m5", "m7"]);
    }

    #[test]
    fn buffer_is_bounded_and_a_paused_view_stays_put() {
        let mut s = LogState::new(5);
        let evs: Vec<(i64, String)> = (0..5).map(|i| (i, format!("l{i}"))).collect();
        let evs: Vec<(i64, &str)> = evs.iter().map(|(t, m)| (*t, m.as_str())).collect();
        s.ingest(
            &result(vec![batch("goals-api", "t1", &evs)]),
            ts(9).expect("t"),
        );
        s.up(1);
        assert_eq!(s.anchor, Some(3));
        let at = |s: &LogState| match s.get(s.anchor.expect("paused")) {
            Some(Entry::Line(l)) => l.text.clone(),
            _ => String::new(),
        };
        assert_eq!(at(&s), "l3");
        s.ingest(
            &result(vec![batch("goals-api", "t1", &[(10, "l10"), (11, "l11")])]),
            ts(12).expect("t"),
        );
        assert_eq!(s.len(), 5, "never more than the cap");
        assert_eq!(at(&s), "l3", "the paused view did not move");
        // A late line older than the anchor shifts it, not the view.
        s.ingest(
            &result(vec![batch("mongodb", "t1", &[(3, "m3")])]),
            ts(12).expect("t"),
        );
        assert_eq!(at(&s), "l3");
        s.follow();
        assert!(!s.paused());
    }

    #[test]
    fn scrolling_down_past_the_end_resumes_following() {
        let mut s = LogState::new(100);
        s.ingest(
            &result(vec![batch(
                "goals-api",
                "t1",
                &[(1, "a"), (2, "b"), (3, "c")],
            )]),
            ts(4).expect("t"),
        );
        s.up(2);
        assert_eq!(s.anchor, Some(0));
        s.down(1);
        assert_eq!(s.anchor, Some(1));
        s.down(5);
        assert_eq!(s.anchor, None);
        s.top();
        assert_eq!(s.anchor, Some(0));
    }

    #[test]
    fn divider_between_old_and_new_task() {
        let mut s = LogState::new(100);
        let mut old = task("old00000", "10.0.1.9", "STOPPED", "STOPPED");
        old.created_at = ts(0);
        old.stopped_at = ts(20);
        let mut new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
        new.created_at = ts(10);
        s.ingest(
            &result(vec![batch("goals-api", "old00000", &[(5, "old says bye")])]),
            ts(30).expect("t"),
        );
        s.ingest(
            &result(vec![batch("goals-api", "new00000", &[(12, "new banner")])]),
            ts(30).expect("t"),
        );
        s.ingest(
            &result(vec![batch(
                "goals-api",
                "old00000",
                &[(15, "old shuts down")],
            )]),
            ts(30).expect("t"),
        );
        s.note_tasks(&[old.clone(), new.clone()]);
        s.note_tasks(&[old.clone(), new.clone()]);
        // They overlapped: "started" at 10, "stopped" at 20.
        assert_eq!(
            texts(&s),
            vec!["old says bye", "--", "new banner", "old shuts down", "--"],
            "two rules, each once, in place"
        );
        // No overlap: one rule says both.
        let mut s3 = LogState::new(100);
        let mut old2 = old;
        old2.stopped_at = ts(8);
        s3.note_tasks(&[old2, new]);
        assert_eq!(s3.len(), 1);
        // The first task of a service has no divider.
        let mut s2 = LogState::new(10);
        s2.note_tasks(&[task("only0000", "10.0.1.5", "RUNNING", "RUNNING")]);
        assert!(s2.is_empty());
    }

    #[test]
    fn filter_plain_and_regex_with_match_navigation() {
        let mut s = LogState::new(100);
        s.ingest(
            &result(vec![batch(
                "goals-api",
                "t1",
                &[
                    (1, "GET /goals 200"),
                    (2, "POST /goals 201"),
                    (3, "GET /goals 500"),
                    (4, "boot"),
                ],
            )]),
            ts(5).expect("t"),
        );
        s.filter = Some(Filter::new("get", false).expect("plain"));
        assert_eq!(
            texts(&s),
            vec!["GET /goals 200", "GET /goals 500"],
            "case-insensitive"
        );
        assert_eq!(s.match_count(), 2);
        s.filter = Some(Filter::new(r" [45]\d\d$", true).expect("regex"));
        assert_eq!(texts(&s), vec!["GET /goals 500"]);
        assert_eq!(
            s.filter.as_ref().map(|f| f.find("GET /goals 500")),
            Some(vec![(10, 14)])
        );
        assert!(Filter::new("(", true).is_err());

        // All lines shown, matches stepped through with n/N.
        let mut f = Filter::new("goals", false).expect("plain");
        f.only_matches = false;
        s.filter = Some(f);
        assert_eq!(texts(&s).len(), 4);
        s.jump(false);
        assert_eq!(s.anchor, Some(2), "N from the tail: newest match");
        s.jump(false);
        assert_eq!(s.anchor, Some(1));
        s.jump(true);
        assert_eq!(s.anchor, Some(2));
        s.jump(true);
        assert_eq!(s.anchor, Some(2), "no newer match: stays");
        assert!(
            s.notice
                .as_deref()
                .is_some_and(|n| n.contains("no newer match"))
        );
    }

    #[test]
    fn hidden_container_and_export() {
        let mut s = LogState::new(100);
        s.ingest(
            &result(vec![
                batch("goals-api", "t1", &[(1, "api")]),
                batch("mongodb", "t1", &[(2, "db")]),
            ]),
            ts(3).expect("t"),
        );
        s.hidden.insert("mongodb".into());
        assert_eq!(texts(&s), vec!["api"]);
        let out = s.export(&|_| String::new());
        assert!(out.ends_with("goals-api t1 api\n"), "{out}");
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn hostile_lines_are_sanitised_on_ingest_and_problems_kept() {
        let mut s = LogState::new(10);
        let mut r = result(vec![batch(
            "goals-api",
            "t1",
            &[(1, "\x1b]52;c;cGF3bmVk\x07\x1b[2Jok")],
        )]);
        r.problems.push(StreamProblem {
            source: src("mongodb", "t1"),
            error: crate::cloud::CloudError::new(
                crate::cloud::ErrorKind::AccessDenied,
                "logs:GetLogEvents",
                "denied",
            ),
        });
        s.ingest(&r, ts(2).expect("t"));
        assert_eq!(texts(&s), vec!["ok"]);
        assert_eq!(
            s.problems,
            vec!["ecs/mongodb/t1: AccessDenied: add logs:GetLogEvents to the IAM policy"]
        );
    }

    #[test]
    fn poller_call_rate() {
        let mut s = LogState::new(10);
        for i in 0..=10 {
            s.ingest(&result(vec![]), ts(i).expect("t"));
        }
        let r = s.calls_per_s().expect("rate");
        assert!((r - 2.0).abs() < 1e-9, "{r}");
    }
}
