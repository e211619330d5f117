//! Lines from before the oldest held: where the next request ends, how
//! many it may load, and taking its answer in (without a line twice).

use std::collections::{HashMap, HashSet};

use super::{Entry, LogLine, LogState, readable_json};
use crate::model::logs::{FIRST_TAIL, HISTORY_MAX, History};
use crate::model::{Time, local_clock};

impl LogState {
    /// Where a request for older lines ends: the held lines are complete
    /// from here on. Before any was loaded, that is the oldest line of
    /// the streams whose first read was cut at its tail (they may have
    /// more before it); a stream with fewer lines held was read whole.
    /// Nothing held: now.
    pub fn older_than(&self, now: Time) -> Time {
        let base = self
            .complete_from
            .or_else(|| self.tail_edge())
            .unwrap_or(now);
        match self.buf.evicted_to {
            Some(e) => base.max(e),
            None => base,
        }
    }

    fn tail_edge(&self) -> Option<Time> {
        let mut per: HashMap<(&str, &str), (usize, Time)> = HashMap::new();
        for e in self.entries() {
            if let Entry::Line(l) = e {
                let v = per
                    .entry((l.task_arn.as_str(), l.container.as_str()))
                    .or_insert((0, l.at));
                v.0 += 1;
                v.1 = v.1.min(l.at);
            }
        }
        let cut = per
            .values()
            .filter(|(n, _)| *n >= FIRST_TAIL as usize)
            .map(|(_, at)| *at)
            .max();
        cut.or_else(|| per.values().map(|(_, at)| *at).min())
    }

    /// Lines one request may load now: the buffer keeps up to twice its
    /// configured size for them.
    pub fn history_room(&self) -> usize {
        self.buf.room().min(HISTORY_MAX)
    }

    /// Takes a request's answer in; returns what to tell the operator.
    pub fn ingest_history(&mut self, h: &History) -> String {
        self.loading = None;
        let (asked_from, asked_to) = h.asked;
        let calls = match h.calls {
            1 => "1 call".to_string(),
            n => format!("{n} calls"),
        };
        if let Some(e) = &h.error {
            return format!(
                "the lines before {} could not be loaded ({calls}): {}",
                local_clock(asked_to),
                e.operator_text()
            );
        }
        // A line held already (a tail read reaching into the window) is
        // not shown twice.
        let held: HashSet<(i64, &str, &str, &str)> = self
            .entries()
            .filter_map(|e| match e {
                Entry::Line(l) if l.at >= h.from && l.at <= asked_to => Some((
                    l.at.timestamp_millis(),
                    l.task_arn.as_str(),
                    l.container.as_str(),
                    l.text.as_str(),
                )),
                _ => None,
            })
            .collect();
        let mut new = Vec::new();
        for b in &h.batches {
            for ev in &b.events {
                let key = (
                    ev.timestamp_ms,
                    b.source.task_arn.as_str(),
                    b.source.container.as_str(),
                    ev.message.as_str(),
                );
                if held.contains(&key) {
                    continue;
                }
                new.push(LogLine {
                    at: chrono::DateTime::from_timestamp_millis(ev.timestamp_ms).unwrap_or(h.from),
                    container: b.source.container.clone(),
                    task_arn: b.source.task_arn.clone(),
                    readable: readable_json(&ev.message),
                    text: ev.message.clone(),
                });
            }
        }
        let n = new.len();
        self.buf.make_room(n + usize::from(h.hole.is_some()));
        for l in new {
            self.insert(Entry::Line(l));
        }
        if let Some((at, until)) = h.hole {
            self.insert(Entry::Gap {
                at,
                until,
                limit: h.limit,
            });
        }
        self.complete_from = Some(self.complete_from.map_or(h.from, |c| c.min(h.from)));
        let mut words = if n == 0 {
            format!(
                "nothing more was logged from {} to {} ({calls})",
                local_clock(h.from),
                local_clock(asked_to)
            )
        } else {
            format!(
                "loaded {n} line{} from {} to {} ({calls})",
                if n == 1 { "" } else { "s" },
                local_clock(h.from),
                local_clock(asked_to)
            )
        };
        if h.from > asked_from {
            words.push_str(&format!(
                ": more than {} lines since {}",
                h.limit,
                local_clock(asked_from)
            ));
        }
        if let Some((at, until)) = h.hole {
            words.push_str(&format!(
                "; {} to {} not loaded",
                local_clock(at),
                local_clock(until)
            ));
        }
        words.push_str(" · [ loads the hour before");
        words
    }
}
