//! Following a service's logs across task replacements: one forward token
//! per stream (`GetLogEvents`), so a line is never skipped or repeated,
//! whatever its timestamp, a page boundary or a new stream.

use std::collections::HashMap;

use crate::cloud::{Cloud, ErrorKind};
use crate::model::Time;
pub use crate::model::logs::{FollowResult, LogBatch, StreamProblem};
use crate::model::logs::{LogCursor, LogSource};

/// Lines read from a stream the first time it is seen.
pub const FIRST_TAIL: i32 = 200;
/// Events per page when reading on.
pub const PAGE: i32 = 1000;
/// Pages read from one stream in one poll before moving on, so a chatty
/// container cannot starve the others.
const MAX_PAGES: usize = 5;
/// How long a stopped task's streams are still read, for its last lines.
const DRAIN_S: i64 = 60;
/// A stream appears when its container starts; until then reading it
/// answers "not found". Only after this many polls in a row is that a
/// problem worth showing (a wrong log group or stream prefix).
pub const MISSING_POLLS: u32 = 20;

#[derive(Debug)]
struct StreamState {
    token: Option<String>,
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
            page,
        }
    }

    /// Reads what is new in every stream, oldest first per stream.
    pub async fn poll(
        &mut self,
        cloud: &dyn Cloud,
        sources: &[LogSource],
        now: Time,
    ) -> FollowResult {
        let mut out = FollowResult::default();
        for src in sources {
            let key = (src.group.clone(), src.stream.clone());
            let state = self.streams.entry(key).or_insert(StreamState {
                token: None,
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
            let mut events = Vec::new();
            for _ in 0..MAX_PAGES {
                let cursor = match &state.token {
                    Some(t) => LogCursor::After(t.clone()),
                    None => LogCursor::Tail(FIRST_TAIL),
                };
                out.calls += 1;
                match cloud.log_page(src, &cursor, self.page).await {
                    Ok(page) => {
                        state.missing = 0;
                        events.extend(page.events);
                        let same = state.token.as_deref() == Some(page.next.as_str());
                        if !page.next.is_empty() {
                            state.token = Some(page.next);
                        }
                        // A first read takes the tail only. Reading on
                        // ends when the same token comes back: a short or
                        // empty page does not mean the end (pages are also
                        // cut at 1 MB).
                        if matches!(cursor, LogCursor::Tail(_)) || same {
                            break;
                        }
                    }
                    Err(mut e) => {
                        // CloudWatch answers "not found" for a stream that
                        // is not there yet (moto says "log group"): only
                        // after a while of its container running is that
                        // a problem worth showing.
                        if e.kind == ErrorKind::NotFound {
                            state.missing += 1;
                            if state.missing < MISSING_POLLS || finished {
                                break;
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
                        break;
                    }
                }
            }
            if finished {
                state.done = true;
            }
            if !events.is_empty() {
                out.batches.push(LogBatch {
                    source: src.clone(),
                    events,
                });
            }
        }
        self.streams
            .retain(|_, s| (now - s.seen).num_seconds() <= KEEP_POSITION_S);
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::cloud::{CloudError, CloudResult};
    use crate::model::fixtures::ts;
    use crate::model::logs::{LogPage, RawLogEvent};
    use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};

    /// Streams by name: events, or "not found" while absent. Pages hold
    /// at most `cap` events whatever the limit (as CloudWatch's 1 MB cut).
    #[derive(Default)]
    struct Fake {
        streams: Mutex<HashMap<String, Vec<String>>>,
        cap: usize,
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
        async fn stop_task(&self, _: &str, _: &str, _: &str) -> CloudResult<()> {
            Err(not_here())
        }
        async fn log_page(
            &self,
            src: &LogSource,
            cursor: &LogCursor,
            limit: i32,
        ) -> CloudResult<LogPage> {
            let streams = self.streams.lock().expect("lock");
            let Some(events) = streams.get(&src.stream) else {
                return Err(CloudError::new(
                    ErrorKind::NotFound,
                    "logs:GetLogEvents",
                    "The specified log stream does not exist.",
                ));
            };
            let (from, to) = match cursor {
                LogCursor::Tail(n) => (events.len().saturating_sub(*n as usize), events.len()),
                LogCursor::After(t) => {
                    let from: usize = t.parse().unwrap_or(0);
                    let n = (limit as usize).min(self.cap.max(1));
                    (from, (from + n).min(events.len()))
                }
            };
            Ok(LogPage {
                events: events[from..to]
                    .iter()
                    .map(|m| RawLogEvent {
                        timestamp_ms: 0,
                        message: m.clone(),
                    })
                    .collect(),
                next: to.to_string(),
            })
        }
        fn api_calls(&self) -> u64 {
            0
        }
    }

    fn source(container: &str, started: bool, stopped: bool) -> LogSource {
        LogSource {
            group: "/ecs/goals".into(),
            region: None,
            stream: format!("ecs/{container}/t1"),
            container: container.into(),
            task_arn: "arn:aws:ecs:r:1:task/c/3f2a91bc0d0e".into(),
            stopped_at: if stopped { ts(0) } else { None },
            started,
            stop_reason: stopped
                .then(|| "ResourceInitializationError: failed to invoke EFS utils commands".into()),
        }
    }

    fn lines(r: &FollowResult) -> Vec<String> {
        r.batches
            .iter()
            .flat_map(|b| b.events.iter().map(|e| e.message.clone()))
            .collect()
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
                .poll(&cloud, &[source("mongodb", false, false)], now)
                .await;
            assert!(r.problems.is_empty() && r.notes.is_empty(), "{r:?}");
        }
        // Stopped before it ran (an EFS mount error): said as such, once,
        // with the stop reason; the log configuration is not blamed.
        let r = f.poll(&cloud, &[source("mongodb", false, true)], now).await;
        assert!(r.problems.is_empty());
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0].starts_with(
                "task 3f2a91bc stopped before mongodb ran: ResourceInitializationError"
            ),
            "{:?}",
            r.notes
        );
        let r = f.poll(&cloud, &[source("mongodb", false, true)], now).await;
        assert!(r.notes.is_empty(), "said once");
        // Running, and the stream is still missing: a problem after a while.
        let mut last = FollowResult::default();
        for _ in 0..MISSING_POLLS {
            last = f
                .poll(&cloud, &[source("goals-api", true, false)], now)
                .await;
        }
        assert_eq!(last.problems.len(), 1);
        assert_eq!(last.live_problems, 1);
        assert!(last.problems[0].error.message.contains("awslogs-group"));
    }

    #[tokio::test]
    async fn reading_on_ends_on_a_repeated_token_not_a_short_page() {
        let cloud = Fake {
            cap: 2,
            ..Fake::default()
        };
        cloud
            .streams
            .lock()
            .expect("lock")
            .insert("ecs/goals-api/t1".into(), vec!["a".into()]);
        let mut f = LogFollower::new(1000);
        let src = [source("goals-api", true, false)];
        let now = ts(10).expect("t");
        assert_eq!(lines(&f.poll(&cloud, &src, now).await), vec!["a"]);
        cloud
            .streams
            .lock()
            .expect("lock")
            .get_mut("ecs/goals-api/t1")
            .expect("stream")
            .extend((0..5).map(|i| format!("n{i}")));
        // Pages are cut at 2 events though the limit is 1000: every line
        // still arrives in one poll.
        let r = f.poll(&cloud, &src, now).await;
        assert_eq!(lines(&r), vec!["n0", "n1", "n2", "n3", "n4"]);
    }

    #[tokio::test]
    async fn a_stream_that_briefly_leaves_the_list_keeps_its_position() {
        let cloud = Fake::default();
        cloud
            .streams
            .lock()
            .expect("lock")
            .insert("ecs/goals-api/t1".into(), vec!["a".into(), "b".into()]);
        let mut f = LogFollower::default();
        let src = [source("goals-api", true, false)];
        let now = ts(10).expect("t");
        assert_eq!(lines(&f.poll(&cloud, &src, now).await).len(), 2);
        // One poll without it (a ListTasks answer that missed the task).
        f.poll(&cloud, &[], ts(15).expect("t")).await;
        let r = f.poll(&cloud, &src, ts(20).expect("t")).await;
        assert!(lines(&r).is_empty(), "no tail shown twice: {r:?}");
    }
}
