//! Lines from before the oldest held: where the next request ends, how
//! many it may load, and taking its answer in (without a line twice).

use std::collections::{HashMap, HashSet};

use super::{Entry, LogLine, LogState, readable_json};
use crate::model::logs::{HISTORY_MAX, History};
use crate::model::{Time, local_clock};

impl LogState {
    /// Where a request for older lines ends: the held lines are complete
    /// from here on. Before any was loaded, that is the oldest line of
    /// the streams whose first read was cut at its tail (they may have
    /// more before it); where none was cut, every stream was read whole
    /// and it is the oldest line held. Nothing held: now.
    /// A stream cut after a load (a new task that logged 200 lines before
    /// its first read) moves it forward again.
    pub fn older_than(&self, now: Time) -> Time {
        let oldest = self.oldest_by_stream();
        let cut = self
            .cut
            .iter()
            .filter_map(|(t, c)| oldest.get(&(t.as_str(), c.as_str())).copied())
            .max();
        let base = match self.complete_from {
            Some(c) => Some(cut.map_or(c, |e| e.max(c))),
            None => cut.or_else(|| oldest.values().copied().min()),
        }
        .unwrap_or(now);
        match self.buf.evicted_to {
            Some(e) => base.max(e),
            None => base,
        }
    }

    /// A cut stream none of whose lines is held any more (evicted) is
    /// forgotten: the eviction says where the held lines begin.
    pub(super) fn prune_cut(&mut self) {
        if self.cut.is_empty() {
            return;
        }
        let held: HashSet<(&str, &str)> = self
            .entries()
            .filter_map(|e| match e {
                Entry::Line(l) => Some((l.task_arn.as_str(), l.container.as_str())),
                _ => None,
            })
            .collect();
        let keep: HashSet<(String, String)> = self
            .cut
            .iter()
            .filter(|(t, c)| held.contains(&(t.as_str(), c.as_str())))
            .cloned()
            .collect();
        self.cut = keep;
    }

    /// Where older lines are held of some streams only: the time the
    /// held lines are complete from, when a line older than it is held.
    pub(super) fn find_edge(&self) -> Option<Time> {
        let oldest = self.entries().find_map(|e| match e {
            Entry::Line(l) => Some(l.at),
            _ => None,
        })?;
        let edge = self.older_than(oldest);
        (oldest < edge).then_some(edge)
    }

    /// The index of the first entry at or after the edge, where the rule
    /// goes, and the edge.
    pub fn edge_index(&self) -> Option<(usize, Time)> {
        let edge = self.edge?;
        let (mut lo, mut hi) = (0, self.buf.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.buf.get(mid) {
                Some(s) if s.entry.at() < edge => lo = mid + 1,
                _ => hi = mid,
            }
        }
        Some((lo, edge))
    }

    /// Each stream's oldest line held.
    fn oldest_by_stream(&self) -> HashMap<(&str, &str), Time> {
        let mut oldest: HashMap<(&str, &str), Time> = HashMap::new();
        for e in self.entries() {
            if let Entry::Line(l) = e {
                oldest
                    .entry((l.task_arn.as_str(), l.container.as_str()))
                    .or_insert(l.at);
            }
        }
        oldest
    }

    /// The line is held already: the same time, stream and text.
    pub(super) fn holds(&self, l: &LogLine) -> bool {
        let (mut lo, mut hi) = (0, self.buf.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.buf.get(mid) {
                Some(s) if s.entry.at() < l.at => lo = mid + 1,
                _ => hi = mid,
            }
        }
        (lo..self.buf.len())
            .map_while(|i| self.buf.get(i).filter(|s| s.entry.at() == l.at))
            .any(|s| {
                matches!(&s.entry, Entry::Line(h)
                if h.task_arn == l.task_arn && h.container == l.container && h.text == l.text)
            })
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
        if let Some(e) = &h.error
            && h.lines == 0
        {
            return format!(
                "the lines before {} could not be loaded ({calls}): {}",
                local_clock(asked_to),
                e.operator_text()
            );
        }
        // A line held already (a tail read reaching into the window) is
        // not shown twice; identical lines in one millisecond are counted,
        // not merged.
        let mut held: HashMap<(i64, &str, &str, &str), usize> = HashMap::new();
        for k in self.entries().filter_map(|e| match e {
            Entry::Line(l) if l.at >= h.from && l.at <= asked_to => Some((
                l.at.timestamp_millis(),
                l.task_arn.as_str(),
                l.container.as_str(),
                l.text.as_str(),
            )),
            _ => None,
        }) {
            *held.entry(k).or_default() += 1;
        }
        let mut new = Vec::new();
        for b in &h.batches {
            for ev in &b.events {
                let key = (
                    ev.timestamp_ms,
                    b.source.task_arn.as_str(),
                    b.source.container.as_str(),
                    ev.message.as_str(),
                );
                if let Some(n) = held.get_mut(&key).filter(|n| **n > 0) {
                    *n -= 1;
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
        if let Some(hole) = &h.hole {
            self.insert(Entry::Gap {
                at: hole.from,
                until: hole.until,
                why: hole.why,
            });
        }
        self.complete_from = Some(self.complete_from.map_or(h.from, |c| c.min(h.from)));
        self.loaded_to = Some(self.loaded_to.map_or(asked_to, |t| t.max(asked_to)));
        // A cut stream whose oldest line the window reached is whole now.
        let covered: HashSet<(String, String)> = self
            .oldest_by_stream()
            .into_iter()
            .filter(|(_, at)| *at <= asked_to)
            .map(|((t, c), _)| (t.to_string(), c.to_string()))
            .collect();
        self.cut.retain(|k| !covered.contains(k));
        self.edge = self.find_edge();
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
            let why = match h.narrowed {
                Some(crate::model::logs::HoleWhy::StillSearching(p)) => {
                    format!("CloudWatch was still searching after {p} pages")
                }
                _ => format!("more than {} lines", h.limit),
            };
            words.push_str(&format!(": {why} since {}", local_clock(asked_from)));
        }
        if let Some(hole) = &h.hole {
            words.push_str(&format!(
                "; {} to {} not loaded ({})",
                local_clock(hole.from),
                local_clock(hole.until),
                hole.why.words()
            ));
        }
        if let Some(e) = &h.error {
            words.push_str(&format!(": {}", e.operator_text()));
        }
        words.push_str(" · [ loads the hour before");
        words
    }
}
