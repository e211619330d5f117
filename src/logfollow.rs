//! Following a service's logs across task replacements, at a cost that
//! does not grow with the number of streams: a stream's first sight reads
//! its tail (`GetLogEvents`); from then on every followed stream of a log
//! group is read by one `FilterLogEvents` call per poll (up to 100 names
//! a call), from a short look-back window before the last poll, so an
//! event ingested late is still found; events are deduplicated by their
//! id, and the pages followed until the token comes back or is gone.

use std::collections::{BTreeMap, HashMap};

use crate::cloud::{Cloud, ErrorKind};
use crate::model::Time;
pub use crate::model::logs::{FollowResult, LogBatch, StreamProblem};
use crate::model::logs::{LogCursor, LogQuery, LogSource, RawLogEvent};

/// Lines read from a stream the first time it is seen.
pub const FIRST_TAIL: i32 = 200;
/// Events per page.
pub const PAGE: i32 = 1000;
/// Pages of one query read in one poll before moving on, so a chatty
/// group cannot starve the others.
const MAX_PAGES: usize = 5;
/// How long a stopped task's streams are still read, for its last lines.
const DRAIN_S: i64 = 60;
/// A stream appears when its container starts; until then reading it
/// answers "not found". Only after this many polls in a row is that a
/// problem worth showing (a wrong log group or stream prefix).
pub const MISSING_POLLS: u32 = 20;
/// How far before the last poll each query starts: events can be
/// readable seconds after their timestamp.
pub const LOOKBACK_MS: i64 = 10_000;
/// `logStreamNames` takes at most this many names.
const NAMES_PER_CALL: usize = 100;

/// A log group, and the region it is read in.
type GroupKey = (String, Option<String>);

#[derive(Debug)]
struct StreamState {
    /// The tail has been read: the stream exists and is read by queries.
    tailed: bool,
    /// Events at or before this time came with the tail (which carries no
    /// event ids): a query's look-back must not show them again.
    cutoff_ms: i64,
    done: bool,
    missing: u32,
    /// When the stream was last in the list of sources.
    seen: Time,
}

/// How long a stream's position is kept after it leaves the list of
/// sources (a task briefly missing from one ListTasks answer), so coming
/// back does not re-read and show its tail twice.
const KEEP_POSITION_S: i64 = 300;

/// Cursors for every stream of the service.
#[derive(Debug)]
pub struct LogFollower {
    streams: HashMap<(String, String), StreamState>,
    /// Per (group, region): when the last successful query was sent.
    since_ms: HashMap<GroupKey, i64>,
    /// Event ids already shown, with their times, within the look-back.
    shown: HashMap<String, i64>,
    page: i32,
}

impl Default for LogFollower {
    fn default() -> Self {
        LogFollower::new(PAGE)
    }
}

impl LogFollower {
    pub fn new(page: i32) -> LogFollower {
        LogFollower {
            streams: HashMap::new(),
            since_ms: HashMap::new(),
            shown: HashMap::new(),
            page,
        }
    }

    /// Reads what is new in every stream.
    pub async fn poll(
        &mut self,
        cloud: &dyn Cloud,
        sources: &[LogSource],
        now: Time,
    ) -> FollowResult {
        let mut round = Round {
            now,
            out: FollowResult::default(),
            batches: BTreeMap::new(),
        };
        let groups = self.tail_new(cloud, sources, &mut round).await;
        for ((group, region), members) in groups {
            self.follow_group(cloud, (group, region), &members, &mut round)
                .await;
        }
        self.finish(round)
    }

    /// Tails each stream seen for the first time; returns the streams
    /// already tailed, by (group, region), with whether each is finished.
    async fn tail_new<'s>(
        &mut self,
        cloud: &dyn Cloud,
        sources: &'s [LogSource],
        round: &mut Round,
    ) -> BTreeMap<GroupKey, Vec<(&'s LogSource, bool)>> {
        let now = round.now;
        let now_ms = now.timestamp_millis();
        let out = &mut round.out;
        let mut groups: BTreeMap<GroupKey, Vec<(&LogSource, bool)>> = BTreeMap::new();
        for src in sources {
            let key = (src.group.clone(), src.stream.clone());
            let state = self.streams.entry(key.clone()).or_insert(StreamState {
                tailed: false,
                cutoff_ms: 0,
                done: false,
                missing: 0,
                seen: now,
            });
            state.seen = now;
            if state.done {
                continue;
            }
            let finished = src
                .stopped_at
                .is_some_and(|t| (now - t).num_seconds() > DRAIN_S);
            // A container that never ran has no stream, and never will
            // once its task stopped: say so, with the stop reason, rather
            // than blame the log configuration.
            if !src.started {
                if src.stopped_at.is_some() {
                    state.done = true;
                    out.notes.push(format!(
                        "task {} stopped before {} ran: {}",
                        src.task_id().chars().take(8).collect::<String>(),
                        src.container,
                        src.stop_reason.as_deref().unwrap_or("no reason given")
                    ));
                }
                continue;
            }
            if !finished {
                out.following += 1;
            }
            if state.tailed {
                groups
                    .entry((src.group.clone(), src.region.clone()))
                    .or_default()
                    .push((src, finished));
                continue;
            }
            out.calls += 1;
            match cloud
                .log_page(src, &LogCursor::Tail(FIRST_TAIL), self.page)
                .await
            {
                Ok(page) => {
                    state.missing = 0;
                    state.tailed = true;
                    state.cutoff_ms = page
                        .events
                        .iter()
                        .map(|e| e.timestamp_ms)
                        .max()
                        .unwrap_or(now_ms - LOOKBACK_MS);
                    // The group's queries start from here at the latest.
                    let since = self
                        .since_ms
                        .entry((src.group.clone(), src.region.clone()))
                        .or_insert(now_ms);
                    *since = (*since).min(now_ms);
                    if !page.events.is_empty() {
                        round.batches.insert(key, (src.clone(), page.events));
                    }
                }
                Err(mut e) => {
                    // CloudWatch answers "not found" for a stream that is
                    // not there yet (moto says "log group"): only after a
                    // while of its container running is that a problem.
                    if e.kind == ErrorKind::NotFound {
                        state.missing += 1;
                        if state.missing < MISSING_POLLS || finished {
                            if finished {
                                state.done = true;
                            }
                            continue;
                        }
                        e.message = format!(
                            "{} not found after {} tries while {} runs: check the task definition's awslogs-group ({}) and awslogs-stream-prefix",
                            src.stream, state.missing, src.container, src.group
                        );
                    }
                    if !finished {
                        out.live_problems += 1;
                    }
                    out.problems.push(StreamProblem {
                        source: src.clone(),
                        error: e,
                    });
                }
            }
            if finished {
                state.done = true;
            }
        }
        groups
    }

    /// What is new in one group's tailed streams: FilterLogEvents, up to
    /// 100 names a call, from the last query's time less a look-back,
    /// dropping events already shown.
    async fn follow_group(
        &mut self,
        cloud: &dyn Cloud,
        (group, region): GroupKey,
        members: &[(&LogSource, bool)],
        round: &mut Round,
    ) {
        let now_ms = round.now.timestamp_millis();
        let gkey = (group.clone(), region.clone());
        let since = *self.since_ms.get(&gkey).unwrap_or(&now_ms);
        let mut all_ok = true;
        for chunk in members.chunks(NAMES_PER_CALL) {
            let q = LogQuery {
                group: group.clone(),
                region: region.clone(),
                streams: chunk.iter().map(|(s, _)| s.stream.clone()).collect(),
                start_ms: since - LOOKBACK_MS,
                limit: self.page,
            };
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                round.out.calls += 1;
                match cloud.filter_logs(&q, token.as_deref()).await {
                    Ok(page) => {
                        for ev in page.events {
                            let Some((src, _)) = chunk.iter().find(|(s, _)| s.stream == ev.stream)
                            else {
                                continue;
                            };
                            let key = (src.group.clone(), src.stream.clone());
                            let cutoff = self.streams.get(&key).map_or(0, |s| s.cutoff_ms);
                            if ev.timestamp_ms <= cutoff
                                || self.shown.insert(ev.id.clone(), ev.timestamp_ms).is_some()
                            {
                                continue;
                            }
                            round
                                .batches
                                .entry(key)
                                .or_insert_with(|| ((*src).clone(), Vec::new()))
                                .1
                                .push(RawLogEvent {
                                    timestamp_ms: ev.timestamp_ms,
                                    message: ev.message,
                                });
                        }
                        // Pages can be short or empty with a token: follow
                        // it, until it is gone or comes back.
                        match page.next {
                            Some(n) if token.as_deref() != Some(n.as_str()) => token = Some(n),
                            _ => break,
                        }
                    }
                    Err(e) => {
                        all_ok = false;
                        for (src, finished) in chunk {
                            if !finished {
                                round.out.live_problems += 1;
                            }
                            round.out.problems.push(StreamProblem {
                                source: (*src).clone(),
                                error: e.clone(),
                            });
                        }
                        break;
                    }
                }
            }
        }
        for (src, finished) in members {
            if *finished
                && let Some(st) = self
                    .streams
                    .get_mut(&(src.group.clone(), src.stream.clone()))
            {
                st.done = true;
            }
        }
        if all_ok {
            self.since_ms.insert(gkey, now_ms);
        }
    }

    /// The round's lines in time order per stream; what can never come
    /// back is forgotten.
    fn finish(&mut self, round: Round) -> FollowResult {
        let Round {
            now,
            mut out,
            batches,
        } = round;
        let now_ms = now.timestamp_millis();
        for (_, (source, mut events)) in batches {
            events.sort_by_key(|e| e.timestamp_ms);
            out.batches.push(LogBatch { source, events });
        }
        // Ids older than any query's look-back can never come back.
        let oldest = self.since_ms.values().copied().min().unwrap_or(now_ms) - 2 * LOOKBACK_MS;
        self.shown.retain(|_, ts| *ts >= oldest);
        self.streams
            .retain(|_, s| (now - s.seen).num_seconds() <= KEEP_POSITION_S);
        out
    }
}

/// One poll's work in progress.
struct Round {
    now: Time,
    out: FollowResult,
    /// New lines by (group, stream).
    batches: BTreeMap<(String, String), (LogSource, Vec<RawLogEvent>)>,
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::cloud::{CloudError, CloudResult};
    use crate::model::fixtures::ts;
    use crate::model::logs::{FilterPage, FilteredEvent, LogPage};
    use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};

    /// Streams by name, their events readable once ingested (`clock_ms`);
    /// "not found" while absent. Filter pages hold at most `cap` events
    /// (as CloudWatch's 1 MB cut).
    /// (timestamp, ingestion time, message).
    type Stored = (i64, i64, String);

    #[derive(Default)]
    struct Fake {
        streams: Mutex<HashMap<String, Vec<Stored>>>,
        clock_ms: Mutex<i64>,
        cap: usize,
        filter_calls: Mutex<u32>,
    }

    impl Fake {
        fn put(&self, stream: &str, ts_ms: i64, ingested_ms: i64, msg: &str) {
            self.streams
                .lock()
                .expect("lock")
                .entry(stream.into())
                .or_default()
                .push((ts_ms, ingested_ms, msg.into()));
        }
        fn at(&self, ms: i64) {
            *self.clock_ms.lock().expect("lock") = ms;
        }
    }

    fn not_here() -> CloudError {
        CloudError::new(ErrorKind::Other, "test", "not in this fake")
    }

    #[async_trait]
    impl Cloud for Fake {
        fn region(&self) -> String {
            "test".into()
        }
        async fn identity(&self) -> CloudResult<Identity> {
            Err(not_here())
        }
        async fn list_services(&self, _: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
            Err(not_here())
        }
        async fn service(&self, _: &ServiceRef) -> CloudResult<Service> {
            Err(not_here())
        }
        async fn task_definition(&self, _: &str) -> CloudResult<TaskDef> {
            Err(not_here())
        }
        async fn tasks(&self, _: &ServiceRef) -> CloudResult<Vec<Task>> {
            Err(not_here())
        }
        async fn target_groups(&self, _: &[String]) -> CloudResult<Vec<TargetGroup>> {
            Err(not_here())
        }
        async fn file_systems(&self, _: &[String]) -> CloudResult<Vec<FileSystem>> {
            Err(not_here())
        }
        async fn log_page(
            &self,
            src: &LogSource,
            cursor: &LogCursor,
            _limit: i32,
        ) -> CloudResult<LogPage> {
            let now = *self.clock_ms.lock().expect("lock");
            let streams = self.streams.lock().expect("lock");
            let Some(events) = streams.get(&src.stream) else {
                return Err(CloudError::new(
                    ErrorKind::NotFound,
                    "logs:GetLogEvents",
                    "The specified log stream does not exist.",
                ));
            };
            let visible: Vec<&Stored> = events.iter().filter(|e| e.1 <= now).collect();
            let n = match cursor {
                LogCursor::Tail(n) => *n as usize,
                LogCursor::After(_) => 0,
            };
            Ok(LogPage {
                events: visible[visible.len().saturating_sub(n)..]
                    .iter()
                    .map(|e| RawLogEvent {
                        timestamp_ms: e.0,
                        message: e.2.clone(),
                    })
                    .collect(),
                next: "f".into(),
            })
        }
        async fn filter_logs(&self, q: &LogQuery, token: Option<&str>) -> CloudResult<FilterPage> {
            *self.filter_calls.lock().expect("lock") += 1;
            let now = *self.clock_ms.lock().expect("lock");
            let streams = self.streams.lock().expect("lock");
            let mut all: Vec<FilteredEvent> = Vec::new();
            for name in &q.streams {
                for (i, e) in streams.get(name).into_iter().flatten().enumerate() {
                    if e.0 >= q.start_ms && e.1 <= now {
                        all.push(FilteredEvent {
                            id: format!("{name}:{i}"),
                            stream: name.clone(),
                            timestamp_ms: e.0,
                            message: e.2.clone(),
                        });
                    }
                }
            }
            all.sort_by_key(|e| e.timestamp_ms);
            let from: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
            let cap = if self.cap == 0 { usize::MAX } else { self.cap };
            let to = from.saturating_add(cap).min(all.len());
            // A token while there is more, short page or not; none once
            // the search is complete.
            Ok(FilterPage {
                events: all[from.min(to)..to].to_vec(),
                next: (to < all.len()).then(|| to.to_string()),
            })
        }
        fn api_calls(&self) -> u64 {
            0
        }
    }

    fn source(container: &str, task: &str, started: bool, stopped: bool) -> LogSource {
        LogSource {
            group: "/ecs/goals".into(),
            region: None,
            stream: format!("ecs/{container}/{task}"),
            container: container.into(),
            task_arn: format!("arn:aws:ecs:r:1:task/c/{task}"),
            stopped_at: if stopped { ts(0) } else { None },
            started,
            stop_reason: stopped
                .then(|| "ResourceInitializationError: failed to invoke EFS utils commands".into()),
        }
    }

    fn lines(r: &FollowResult) -> Vec<String> {
        let mut all: Vec<(i64, String)> = r
            .batches
            .iter()
            .flat_map(|b| b.events.iter().map(|e| (e.timestamp_ms, e.message.clone())))
            .collect();
        all.sort();
        all.into_iter().map(|(_, m)| m).collect()
    }

    fn ms(s: i64) -> i64 {
        ts(s).expect("t").timestamp_millis()
    }

    #[tokio::test]
    async fn a_stream_is_missing_only_once_its_container_runs() {
        let cloud = Fake::default();
        let mut f = LogFollower::default();
        let now = ts(10).expect("t");
        // Not started yet (a Fargate replacement takes 35-60 s): never a
        // problem, however long.
        for _ in 0..MISSING_POLLS + 5 {
            let r = f
                .poll(&cloud, &[source("mongodb", "3f2a91bc", false, false)], now)
                .await;
            assert!(r.problems.is_empty() && r.notes.is_empty(), "{r:?}");
        }
        // Stopped before it ran (an EFS mount error): said as such, once,
        // with the stop reason; the log configuration is not blamed.
        let stopped = [source("mongodb", "3f2a91bc", false, true)];
        let r = f.poll(&cloud, &stopped, now).await;
        assert!(r.problems.is_empty());
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0].starts_with(
                "task 3f2a91bc stopped before mongodb ran: ResourceInitializationError"
            ),
            "{:?}",
            r.notes
        );
        let r = f.poll(&cloud, &stopped, now).await;
        assert!(r.notes.is_empty(), "said once");
        // Running, and the stream is still missing: a problem after a while.
        let mut last = FollowResult::default();
        for _ in 0..MISSING_POLLS {
            last = f
                .poll(&cloud, &[source("goals-api", "3f2a91bc", true, false)], now)
                .await;
        }
        assert_eq!(last.problems.len(), 1);
        assert_eq!(last.live_problems, 1);
        assert!(last.problems[0].error.message.contains("awslogs-group"));
    }

    #[tokio::test]
    async fn four_streams_are_followed_with_one_call_per_poll() {
        let cloud = Fake::default();
        let srcs: Vec<LogSource> = ["t1", "t2"]
            .iter()
            .flat_map(|t| {
                ["goals-api", "mongodb"]
                    .map(|c| source(c, t, true, false))
                    .into_iter()
            })
            .collect();
        for s in &srcs {
            cloud.put(&s.stream, ms(1), ms(1), &format!("{} up", s.stream));
        }
        cloud.at(ms(2));
        let mut f = LogFollower::default();
        let r = f.poll(&cloud, &srcs, ts(2).expect("t")).await;
        assert_eq!(r.calls, 4, "one tail per new stream");
        assert_eq!(lines(&r).len(), 4);
        for (i, s) in srcs.iter().enumerate() {
            cloud.put(&s.stream, ms(3) + i as i64, ms(3), &format!("line {i}"));
        }
        cloud.at(ms(4));
        let r = f.poll(&cloud, &srcs, ts(4).expect("t")).await;
        assert_eq!(r.calls, 1, "one FilterLogEvents for all four");
        assert_eq!(lines(&r), vec!["line 0", "line 1", "line 2", "line 3"]);
        let r = f.poll(&cloud, &srcs, ts(5).expect("t")).await;
        assert_eq!((r.calls, lines(&r).len()), (1, 0), "nothing twice");
    }

    #[tokio::test]
    async fn pages_and_the_look_back_never_show_a_line_twice_and_a_late_one_once() {
        let cloud = Fake {
            cap: 2,
            ..Fake::default()
        };
        let src = [source("goals-api", "t1", true, false)];
        cloud.put(&src[0].stream, ms(1), ms(1), "a");
        cloud.at(ms(1));
        let mut f = LogFollower::default();
        assert_eq!(
            lines(&f.poll(&cloud, &src, ts(1).expect("t")).await),
            vec!["a"]
        );
        for i in 0..5 {
            cloud.put(&src[0].stream, ms(2) + i, ms(2), &format!("n{i}"));
        }
        cloud.at(ms(3));
        // Five new events in pages of two: all of them, once, in one poll.
        let r = f.poll(&cloud, &src, ts(3).expect("t")).await;
        assert_eq!(lines(&r), vec!["n0", "n1", "n2", "n3", "n4"]);
        // An event stamped 3 s ago but readable only now (ingested late):
        // the look-back finds it, once.
        cloud.put(&src[0].stream, ms(1) + 500, ms(4), "late");
        cloud.at(ms(4));
        let r = f.poll(&cloud, &src, ts(4).expect("t")).await;
        assert_eq!(lines(&r), vec!["late"]);
        let r = f.poll(&cloud, &src, ts(5).expect("t")).await;
        assert!(lines(&r).is_empty(), "{r:?}");
    }

    #[tokio::test]
    async fn a_stream_that_briefly_leaves_the_list_keeps_its_position() {
        let cloud = Fake::default();
        let src = [source("goals-api", "t1", true, false)];
        cloud.put(&src[0].stream, ms(1), ms(1), "a");
        cloud.put(&src[0].stream, ms(2), ms(2), "b");
        cloud.at(ms(3));
        let mut f = LogFollower::default();
        assert_eq!(
            lines(&f.poll(&cloud, &src, ts(10).expect("t")).await).len(),
            2
        );
        // One poll without it (a ListTasks answer that missed the task).
        f.poll(&cloud, &[], ts(15).expect("t")).await;
        let r = f.poll(&cloud, &src, ts(20).expect("t")).await;
        assert!(lines(&r).is_empty(), "no tail shown twice: {r:?}");
    }
}
