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

#[derive(Debug, Default)]
struct StreamState {
    token: Option<String>,
    done: bool,
    missing: u32,
}

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
            let state = self.streams.entry(key).or_default();
            if state.done {
                continue;
            }
            let finished = src
                .stopped_at
                .is_some_and(|t| (now - t).num_seconds() > DRAIN_S);
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
                        let got = page.events.len();
                        events.extend(page.events);
                        if !page.next.is_empty() {
                            state.token = Some(page.next);
                        }
                        // A first read takes the tail only; a page that is
                        // not full means the stream has nothing more now.
                        if matches!(cursor, LogCursor::Tail(_)) || got < self.page as usize {
                            break;
                        }
                    }
                    Err(mut e) => {
                        // CloudWatch says "log stream does not exist" (moto
                        // says "log group") for a container that has not
                        // started: wait a while before calling it a problem.
                        if e.kind == ErrorKind::NotFound {
                            state.missing += 1;
                            if state.missing < MISSING_POLLS && !finished {
                                break;
                            }
                            e.message = format!(
                                "{} not found after {} tries: check the task definition's awslogs-group ({}) and awslogs-stream-prefix",
                                src.stream, state.missing, src.group
                            );
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
        let live: std::collections::HashSet<(String, String)> = sources
            .iter()
            .map(|s| (s.group.clone(), s.stream.clone()))
            .collect();
        self.streams.retain(|k, _| live.contains(k));
        out
    }
}
