//! The logs before the oldest line held, loaded on request (`[`) or at
//! start (`--since`): `FilterLogEvents` with a start and an end time, one
//! query per log group and stream prefix, so the streams of tasks ECS no
//! longer lists (it keeps stopped tasks about an hour) are read too.
//!
//! CloudWatch answers oldest first, and a window can hold more lines than
//! the view keeps. Loaded lines must join the held ones without a hole, so
//! a window that overflows is narrowed towards its end, from the rate its
//! first pages showed, and read again (a few times at most). If it still
//! overflows, what was read is kept and the hole is said, never hidden.

use std::collections::{BTreeMap, HashMap};

use crate::cloud::{Cloud, CloudError};
use crate::model::Time;
pub use crate::model::logs::{History, HistoryAsk};
use crate::model::logs::{Hole, HoleWhy};
use crate::model::logs::{LogBatch, LogQuery, LogSource, RawLogEvent};

use super::PAGE;

/// The pause between two pages of a load.
const PAGE_GAP: std::time::Duration = std::time::Duration::from_millis(250);
/// Reads of a narrowed window before the hole is accepted.
const ATTEMPTS: usize = 3;
/// Pages of one query: a prefix shared with other services' streams
/// (filtered out here) must not read on without end.
const MAX_PAGES: usize = 30;

/// A group's streams of one prefix: `<prefix>/<container>/<task-id>`.
#[derive(Debug)]
struct Family<'s> {
    containers: Vec<&'s str>,
    /// A listed task's ARN, to name unlisted tasks of the same cluster.
    arn_like: &'s str,
}

type FamilyKey = (String, Option<String>, String);

/// The prefix of a source's stream name: what precedes
/// `/<container>/<task-id>`.
fn prefix_of(src: &LogSource) -> Option<&str> {
    let tail = format!("/{}/{}", src.container, src.task_id());
    src.stream.strip_suffix(tail.as_str())
}

fn families(sources: &[LogSource]) -> BTreeMap<FamilyKey, Family<'_>> {
    let mut out: BTreeMap<FamilyKey, Family> = BTreeMap::new();
    for s in sources {
        let Some(prefix) = prefix_of(s) else {
            continue;
        };
        let f = out
            .entry((s.group.clone(), s.region.clone(), format!("{prefix}/")))
            .or_insert(Family {
                containers: Vec::new(),
                arn_like: &s.task_arn,
            });
        if !f.containers.contains(&s.container.as_str()) {
            f.containers.push(&s.container);
        }
    }
    out
}

/// An event, with the family whose query found it.
struct Ev {
    fam: usize,
    stream: String,
    ts: i64,
    message: String,
}

/// One read of the window: the events, whether it stopped short and why,
/// and up to when it is whole.
struct Read {
    events: Vec<Ev>,
    overflow: Option<HoleWhy>,
    calls: u64,
    /// Every query was read up to here (inclusive): a query cut short
    /// counts up to its newest event, one never sent up to nothing.
    whole_to: i64,
    error: Option<CloudError>,
}

async fn read(
    cloud: &dyn Cloud,
    fams: &BTreeMap<FamilyKey, Family<'_>>,
    (from_ms, end_ms): (i64, i64),
    limit: usize,
    again: bool,
) -> Read {
    let mut r = Read {
        events: Vec::new(),
        overflow: None,
        calls: 0,
        whole_to: end_ms,
        error: None,
    };
    for (i, ((group, region, prefix), fam)) in fams.iter().enumerate() {
        // A query not sent (an earlier one stopped the read) has nothing.
        if r.overflow.is_some() {
            r.whole_to = r.whole_to.min(from_ms - 1);
            break;
        }
        let q = LogQuery {
            group: group.clone(),
            region: region.clone(),
            streams: Vec::new(),
            prefix: Some(prefix.clone()),
            start_ms: from_ms,
            end_ms: Some(end_ms),
            limit: PAGE,
        };
        let mut token: Option<String> = None;
        let mut newest = from_ms - 1;
        for page_no in 0..MAX_PAGES {
            // FilterLogEvents' quota (5 to 10 a second, per account and
            // region) is shared with the follower and everyone else: pages
            // are read at most four a second, never in a burst.
            if r.calls > 0 || again {
                tokio::time::sleep(PAGE_GAP).await;
            }
            r.calls += 1;
            let page = match cloud.filter_logs(&q, token.as_deref()).await {
                Ok(p) => p,
                Err(e) => {
                    r.error = Some(e);
                    r.overflow = Some(HoleWhy::Failed);
                    break;
                }
            };
            for ev in page.events {
                // The prefix may be shared, and an emulator may ignore it:
                // only this family's containers count.
                let ours = ev
                    .stream
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(c, id)| fam.containers.contains(&c) && !id.is_empty());
                if ours && ev.timestamp_ms >= from_ms && ev.timestamp_ms <= end_ms {
                    newest = newest.max(ev.timestamp_ms);
                    r.events.push(Ev {
                        fam: i,
                        stream: ev.stream,
                        ts: ev.timestamp_ms,
                        message: ev.message,
                    });
                }
            }
            if r.events.len() > limit {
                r.overflow = Some(HoleWhy::TooMany(limit));
                break;
            }
            match page.next {
                Some(n) if token.as_deref() != Some(n.as_str()) => token = Some(n),
                _ => break,
            }
            if page_no + 1 == MAX_PAGES {
                r.overflow = Some(HoleWhy::StillSearching(MAX_PAGES));
            }
        }
        if r.overflow.is_some() {
            r.whole_to = r.whole_to.min(newest);
        }
    }
    r
}

fn at_ms(ms: i64) -> Time {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Loads what `ask` wants, narrowing the window while it holds more than
/// the limit (or CloudWatch is still searching); what was read of a
/// request that failed is kept, its hole said.
pub async fn load(cloud: &dyn Cloud, ask: &HistoryAsk) -> History {
    let fams = families(&ask.sources);
    // `endTime` is inclusive: a line in the held oldest line's millisecond
    // is read too, and the dedupe drops the one held.
    let end_ms = ask.to.timestamp_millis();
    let mut from_ms = ask.from.timestamp_millis().min(end_ms);
    let limit = ask.limit.max(1);
    let mut out = History {
        asked: (ask.from, ask.to),
        limit,
        from: ask.from,
        narrowed: None,
        batches: Vec::new(),
        lines: 0,
        calls: 0,
        hole: None,
        error: None,
    };
    for attempt in 1..=ATTEMPTS {
        let r = read(cloud, &fams, (from_ms, end_ms), limit, attempt > 1).await;
        out.calls += r.calls;
        let mut events = r.events;
        events.sort_by_key(|e| e.ts);
        if let Some(why) = r.overflow
            && attempt < ATTEMPTS
            && r.error.is_none()
        {
            // The rate of the part read says how much of the window's end
            // holds about two thirds of the limit.
            let newest = events.last().map_or(end_ms, |e| e.ts);
            let span = (newest - from_ms).max(1) as f64;
            let keep = span * (2.0 / 3.0) * limit as f64 / events.len().max(1) as f64;
            let narrowed = end_ms - keep as i64;
            let least = from_ms + (end_ms - from_ms) / 10;
            from_ms = if narrowed > least {
                narrowed
            } else {
                from_ms + (end_ms - from_ms) / 2
            };
            out.narrowed = Some(why);
            continue;
        }
        if let Some(why) = r.overflow {
            // Whole up to the least read query; within the limit.
            let mut whole_to = r.whole_to;
            events.retain(|e| e.ts <= whole_to);
            if events.len() > limit {
                events.truncate(limit);
                whole_to = events.last().map_or(whole_to, |e| e.ts);
                events.retain(|e| e.ts < whole_to);
                whole_to -= 1;
            }
            out.hole = Some(Hole {
                from: at_ms(whole_to + 1),
                until: ask.to,
                why,
            });
            out.error = r.error;
        }
        out.from = at_ms(from_ms);
        out.lines = events.len();
        out.batches = batches(&ask.sources, &fams, events);
        break;
    }
    out
}

/// The events as batches per stream, each with its source: a listed
/// task's own, or one made from the stream's name for a task ECS no
/// longer lists.
fn batches(
    sources: &[LogSource],
    fams: &BTreeMap<FamilyKey, Family<'_>>,
    events: Vec<Ev>,
) -> Vec<LogBatch> {
    let known: HashMap<&str, &LogSource> = sources.iter().map(|s| (s.stream.as_str(), s)).collect();
    let keys: Vec<(&FamilyKey, &Family)> = fams.iter().collect();
    let mut by_stream: BTreeMap<String, LogBatch> = BTreeMap::new();
    for ev in events {
        if !by_stream.contains_key(&ev.stream) {
            let source = match known.get(ev.stream.as_str()) {
                Some(s) => Some((*s).clone()),
                None => keys
                    .get(ev.fam)
                    .and_then(|(k, f)| unlisted(k, f, &ev.stream)),
            };
            let Some(source) = source else {
                continue;
            };
            by_stream.insert(
                ev.stream.clone(),
                LogBatch {
                    source,
                    events: Vec::new(),
                },
            );
        }
        if let Some(b) = by_stream.get_mut(&ev.stream) {
            b.events.push(RawLogEvent {
                timestamp_ms: ev.ts,
                message: ev.message,
            });
        }
    }
    by_stream.into_values().collect()
}

/// The source of a stream of a task ECS no longer lists: its container
/// and task id come from the name, the ARN's cluster from a listed task.
fn unlisted((group, region, prefix): &FamilyKey, fam: &Family, stream: &str) -> Option<LogSource> {
    let (container, id) = stream.strip_prefix(prefix.as_str())?.split_once('/')?;
    let arn = match fam.arn_like.rsplit_once('/') {
        Some((head, _)) => format!("{head}/{id}"),
        None => id.to_string(),
    };
    Some(LogSource {
        group: group.clone(),
        region: region.clone(),
        stream: stream.to_string(),
        container: container.to_string(),
        task_arn: arn,
        stopped_at: None,
        started: true,
        stop_reason: None,
    })
}
