//! The containers' CloudWatch logs: where they are and what comes back.

use serde::Serialize;

use super::error::CloudError;
use super::{Task, TaskDef, Time};

/// Lines the logs view keeps unless the config says otherwise.
pub const DEFAULT_BUFFER: usize = 10_000;

/// One awslogs stream: `<prefix>/<container>/<task-id>` in a log group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LogSource {
    pub group: String,
    pub region: Option<String>,
    pub stream: String,
    pub container: String,
    pub task_arn: String,
    /// When the task stopped; its stream is read to the end, then left.
    pub stopped_at: Option<Time>,
    /// The container has started (it is RUNNING, or it ran and exited):
    /// only then does CloudWatch have its stream.
    pub started: bool,
    /// Why the task stopped, when it did.
    pub stop_reason: Option<String>,
}

impl LogSource {
    pub fn task_id(&self) -> &str {
        super::arn_tail(&self.task_arn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLogEvent {
    pub timestamp_ms: i64,
    /// Sanitised by the backend: printable text only.
    pub message: String,
}

/// Where to read a stream from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCursor {
    /// The newest `n` events (the first read of a stream).
    Tail(i32),
    /// Everything after a forward token from an earlier page.
    After(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    pub events: Vec<RawLogEvent>,
    /// The token to read on from. The same token back means "nothing new".
    pub next: String,
}

/// One `FilterLogEvents` query: many streams of one group, from a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub group: String,
    pub region: Option<String>,
    /// At most 100 stream names (the API's limit).
    pub streams: Vec<String>,
    /// Instead of names (the API takes one or the other): every stream
    /// whose name starts so, including those of tasks ECS no longer lists.
    pub prefix: Option<String>,
    pub start_ms: i64,
    /// The last millisecond wanted (inclusive, as the API's `endTime`).
    pub end_ms: Option<i64>,
    /// Events per page.
    pub limit: i32,
}

/// An event from `FilterLogEvents`: it carries its id and stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilteredEvent {
    pub id: String,
    pub stream: String,
    pub timestamp_ms: i64,
    /// Sanitised by the backend: printable text only.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterPage {
    pub events: Vec<FilteredEvent>,
    /// More may follow (pages can be short or empty with a token).
    pub next: Option<String>,
}

/// What one poll of the followed streams brought: new lines per stream,
/// and the streams that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBatch {
    pub source: LogSource,
    pub events: Vec<RawLogEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamProblem {
    pub source: LogSource,
    pub error: CloudError,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowResult {
    pub batches: Vec<LogBatch>,
    pub problems: Vec<StreamProblem>,
    /// Streams that will never exist, and why, in words: a task that
    /// stopped before its container ran has no log to show.
    pub notes: Vec<String>,
    /// API calls this poll made.
    pub calls: u64,
    /// Streams followed (not yet finished).
    pub following: usize,
    /// Problems of streams still followed; a finished stream's problem
    /// never fails the whole poll.
    pub live_problems: usize,
    /// Streams (task ARN, container) whose first read was a full tail
    /// (`FIRST_TAIL` lines): they may hold older lines than those read.
    pub cut: Vec<(String, String)>,
}

/// Lines read from a stream the first time it is seen.
pub const FIRST_TAIL: i32 = 200;

/// Lines one request for older lines (`[`, `--since`) loads at most.
pub const HISTORY_MAX: usize = 10_000;

/// What to load: the lines of these streams' log groups and prefixes from
/// `from` up to `to` (its millisecond included: lines held already are
/// not shown twice), at most `limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryAsk {
    pub sources: Vec<LogSource>,
    pub from: Time,
    pub to: Time,
    pub limit: usize,
}

/// What a request loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub asked: (Time, Time),
    /// The most lines it could load.
    pub limit: usize,
    /// Every line from here to the asked end is in `batches`, except in
    /// `hole`: the window was narrowed to this start when it held more
    /// than the limit.
    pub from: Time,
    /// Why the window was narrowed, when it was.
    pub narrowed: Option<HoleWhy>,
    pub batches: Vec<LogBatch>,
    pub lines: usize,
    pub calls: u64,
    /// Lines in this span were not loaded, and why.
    pub hole: Option<Hole>,
    pub error: Option<CloudError>,
}

/// A span of a request's window whose lines were not loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Hole {
    pub from: Time,
    pub until: Time,
    pub why: HoleWhy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoleWhy {
    /// More lines than one request loads, even narrowed.
    TooMany(usize),
    /// CloudWatch's pages can be empty while it searches: it was still
    /// searching after this many.
    StillSearching(usize),
    /// The request failed (the error is said beside).
    Failed,
}

impl HoleWhy {
    pub fn words(self) -> String {
        match self {
            HoleWhy::TooMany(n) => format!("more than {n} lines"),
            HoleWhy::StillSearching(p) => format!("CloudWatch was still searching after {p} pages"),
            HoleWhy::Failed => "the request failed".into(),
        }
    }
}

/// A container of the task definition that cannot be followed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfollowable {
    pub container: String,
    pub why: String,
}

/// The streams to follow for these tasks, from the task definition's log
/// configuration; and the containers that cannot be followed.
pub fn log_sources(td: &TaskDef, tasks: &[Task]) -> (Vec<LogSource>, Vec<Unfollowable>) {
    let mut sources = Vec::new();
    let mut unfollowable = Vec::new();
    for c in &td.containers {
        let Some(log) = &c.log else {
            unfollowable.push(Unfollowable {
                container: c.name.clone(),
                why: "no awslogs log configuration".into(),
            });
            continue;
        };
        let Some(prefix) = &log.stream_prefix else {
            unfollowable.push(Unfollowable {
                container: c.name.clone(),
                why: "awslogs-stream-prefix is not set, so stream names are not known".into(),
            });
            continue;
        };
        for t in tasks {
            sources.push(LogSource {
                group: log.group.clone(),
                region: log.region.clone(),
                stream: format!("{prefix}/{}/{}", c.name, t.id()),
                container: c.name.clone(),
                task_arn: t.arn.clone(),
                stopped_at: if t.is_stopped() {
                    t.stopped_at.or(t.stopping_at).or(t.created_at)
                } else {
                    None
                },
                started: t.containers.iter().any(|k| {
                    k.name == c.name && (k.last_status == "RUNNING" || k.exit_code.is_some())
                }),
                stop_reason: t.stopped_reason.clone(),
            });
        }
    }
    (sources, unfollowable)
}

/// The streams to follow for these tasks, each read with its own task
/// definition (an old task of a deployment keeps its old log group,
/// prefix and container names). Tasks whose definition is not known yet
/// are left out.
pub fn log_sources_by_task(tds: &[TaskDef], tasks: &[Task]) -> Vec<LogSource> {
    let mut out = Vec::new();
    for td in tds {
        let mine: Vec<Task> = tasks
            .iter()
            .filter(|t| t.task_definition == td.arn)
            .cloned()
            .collect();
        if !mine.is_empty() {
            out.extend(log_sources(td, &mine).0);
        }
    }
    out
}

#[cfg(test)]
mod tests;
