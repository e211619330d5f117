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
pub(super) struct Fake {
    pub(super) streams: Mutex<HashMap<String, Vec<Stored>>>,
    pub(super) clock_ms: Mutex<i64>,
    pub(super) cap: usize,
    pub(super) filter_calls: Mutex<u32>,
    /// Every query, for the tests that check what was asked.
    pub(super) queries: Mutex<Vec<LogQuery>>,
    /// Every page empty with a new token: CloudWatch still searching.
    pub(super) searching: bool,
    /// FilterLogEvents fails (throttled) from this call on.
    pub(super) fail_from: Option<u32>,
}

impl Fake {
    pub(super) fn put(&self, stream: &str, ts_ms: i64, ingested_ms: i64, msg: &str) {
        self.streams
            .lock()
            .expect("lock")
            .entry(stream.into())
            .or_default()
            .push((ts_ms, ingested_ms, msg.into()));
    }
    pub(super) fn at(&self, ms: i64) {
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
    async fn insights(&self, _: &str) -> CloudResult<crate::model::metrics::Insights> {
        Err(not_here())
    }
    async fn metrics(
        &self,
        _: &crate::model::metrics::MetricsAsk,
    ) -> CloudResult<crate::model::metrics::MetricsPage> {
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
        let calls = {
            let mut n = self.filter_calls.lock().expect("lock");
            *n += 1;
            *n
        };
        self.queries.lock().expect("lock").push(q.clone());
        if self.fail_from.is_some_and(|n| calls >= n) {
            return Err(CloudError::new(
                ErrorKind::Throttled,
                "logs:FilterLogEvents",
                "Rate exceeded",
            ));
        }
        if self.searching {
            return Ok(FilterPage {
                events: Vec::new(),
                next: Some(format!("searching {calls}")),
            });
        }
        let now = *self.clock_ms.lock().expect("lock");
        let streams = self.streams.lock().expect("lock");
        let mut all: Vec<FilteredEvent> = Vec::new();
        // CloudWatch takes names or a prefix, never both.
        assert!(q.streams.is_empty() || q.prefix.is_none(), "{q:?}");
        let mut names: Vec<&String> = match &q.prefix {
            Some(p) => streams
                .keys()
                .filter(|n| n.starts_with(p.as_str()))
                .collect(),
            None => q.streams.iter().collect(),
        };
        names.sort();
        for name in names {
            for (i, e) in streams.get(name).into_iter().flatten().enumerate() {
                if e.0 >= q.start_ms && q.end_ms.is_none_or(|end| e.0 <= end) && e.1 <= now {
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

pub(super) fn source(container: &str, task: &str, started: bool, stopped: bool) -> LogSource {
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

pub(super) fn ms(s: i64) -> i64 {
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
        r.notes[0]
            .starts_with("task 3f2a91bc stopped before mongodb ran: ResourceInitializationError"),
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

#[tokio::test]
async fn a_log_group_no_longer_read_does_not_hold_the_seen_ids_for_ever() {
    // A deployment moved the containers to another log group: group A
    // is read once, then only B, a line a second, for 10,000 polls.
    let cloud = Fake::default();
    let mut a = source("goals-api", "t1", true, false);
    a.group = "/ecs/old".into();
    let mut b = source("goals-api", "t2", true, false);
    b.group = "/ecs/new".into();
    cloud.put(&a.stream, ms(1), ms(1), "a");
    cloud.at(ms(2));
    let mut f = LogFollower::default();
    f.poll(&cloud, std::slice::from_ref(&a), ts(2).expect("t"))
        .await;
    let mut most = 0;
    for i in 3..10_003 {
        cloud.put(&b.stream, ms(i), ms(i), "b");
        cloud.at(ms(i));
        f.poll(&cloud, std::slice::from_ref(&b), ts(i).expect("t"))
            .await;
        most = most.max(f.shown.len());
    }
    assert_eq!(f.since_ms.len(), 1, "group A's bookkeeping is gone");
    assert!(
        most < 1_000,
        "the seen ids stay within the look-back: at most {most}"
    );
}

#[tokio::test]
async fn a_full_first_tail_is_reported_cut_and_a_short_one_whole() {
    let cloud = Fake::default();
    let busy = source("goals-api", "t1", true, false);
    let quiet = source("mongodb", "t1", true, false);
    for i in 0..(FIRST_TAIL as i64 + 50) {
        cloud.put(&busy.stream, ms(i), ms(i), "GET /goals 200");
    }
    cloud.put(&quiet.stream, ms(1), ms(1), "mongod up");
    cloud.at(ms(1000));
    let mut f = LogFollower::default();
    let r = f
        .poll(&cloud, &[busy.clone(), quiet], ts(1000).expect("t"))
        .await;
    assert_eq!(r.cut, [(busy.task_arn.clone(), "goals-api".to_string())]);
    // Lines so long that 1 MB holds fewer than 200: cut all the same.
    let long = source("goals-api", "t2", true, false);
    let big = "x".repeat(20_000);
    for i in 0..60 {
        cloud.put(&long.stream, ms(i), ms(i), &big);
    }
    let r = f
        .poll(&cloud, std::slice::from_ref(&long), ts(1000).expect("t"))
        .await;
    assert_eq!(r.cut, [(long.task_arn.clone(), "goals-api".to_string())]);
    // Later polls read on: nothing is cut again.
    cloud.put(&busy.stream, ms(1001), ms(1001), "GET /goals 200");
    cloud.at(ms(1002));
    let r = f.poll(&cloud, &[busy], ts(1002).expect("t")).await;
    assert!(r.cut.is_empty(), "{:?}", r.cut);
}
