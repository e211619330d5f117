//! Following a service's logs across task replacements, at a cost that
//! does not grow with the number of streams: a stream's first sight reads
//! its tail (`GetLogEvents`); from then on every followed stream of a log
//! group is read by one `FilterLogEvents` call per poll (up to 100 names
//! a call), from a short look-back window before the last poll, so an
//! event ingested late is still found; events are deduplicated by their
//! id, and the pages followed until the token comes back or is gone.

pub mod history;

use std::collections::{BTreeMap, HashMap};

use crate::cloud::{Cloud, ErrorKind};
use crate::model::Time;
pub use crate::model::logs::{FollowResult, LogBatch, StreamProblem};
use crate::model::logs::{LogCursor, LogQuery, LogSource, RawLogEvent};

pub use crate::model::logs::FIRST_TAIL;
/// A GetLogEvents answer holds at most 1 MB, and an event is up to 256 KB:
/// a first read within one event of the 1 MB may have been cut there,
/// whatever its count of lines.
const TAIL_BYTES: usize = 1_048_576 - 262_144;
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

    /// The sizes of its bookkeeping, for the day-long memory figures.
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("follower streams", self.streams.len()),
            ("follower groups", self.since_ms.len()),
            ("follower event ids", self.shown.len()),
        ]
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
                    // Cut at its tail: the lines asked for, or near the
                    // 1 MB an answer holds (26 bytes an event besides its
                    // message), reached before them.
                    let bytes: usize = page.events.iter().map(|e| e.message.len() + 26).sum();
                    if page.events.len() >= FIRST_TAIL as usize || bytes >= TAIL_BYTES {
                        out.cut.push((src.task_arn.clone(), src.container.clone()));
                    }
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
                prefix: None,
                start_ms: since - LOOKBACK_MS,
                end_ms: None,
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
        // A group none of whose streams is followed any more (a deployment
        // changed awslogs-group, a sidecar went away) is read no more: its
        // last query time must not hold every later id in `shown`.
        self.streams
            .retain(|_, s| (now - s.seen).num_seconds() <= KEEP_POSITION_S);
        let streams = &self.streams;
        self.since_ms
            .retain(|(group, _), _| streams.keys().any(|(g, _)| g == group));
        // Ids older than any query's look-back can never come back.
        let oldest = self.since_ms.values().copied().min().unwrap_or(now_ms) - 2 * LOOKBACK_MS;
        self.shown.retain(|_, ts| *ts >= oldest);
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
mod tests;
#[cfg(test)]
mod tests_history;
