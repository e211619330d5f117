//! The bounded, time-ordered buffer of log entries, with the paused
//! anchor: inserting or evicting never moves what a paused view shows.

use std::collections::VecDeque;

use super::Entry;

/// An entry and what is known about it when it arrived (or when the
/// filter last changed), so drawing does no work per line.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    seq: u64,
    pub entry: Entry,
    /// The line matches the current filter.
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Buffer {
    entries: VecDeque<Stored>,
    cap: usize,
    /// What the cap may grow to for lines loaded from before the oldest
    /// held (`[`): twice the configured cap.
    ceiling: usize,
    /// The newest time evicted: the buffer is complete only after it.
    pub evicted_to: Option<crate::model::Time>,
    seq: u64,
    /// Index of the bottom line on screen while paused; None follows.
    pub anchor: Option<usize>,
}

impl Buffer {
    pub fn new(cap: usize) -> Buffer {
        Buffer {
            entries: VecDeque::new(),
            cap: cap.max(1),
            ceiling: cap.max(1) * 2,
            evicted_to: None,
            seq: 0,
            anchor: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Older lines that can still be loaded without evicting any.
    pub fn room(&self) -> usize {
        self.ceiling.saturating_sub(self.entries.len())
    }

    /// Lets `n` more entries in without evicting, up to the ceiling: the
    /// older lines asked for would otherwise be the first to go.
    pub fn make_room(&mut self, n: usize) {
        self.cap = self
            .cap
            .max(self.entries.len().saturating_add(n).min(self.ceiling));
    }

    pub fn get(&self, i: usize) -> Option<&Stored> {
        self.entries.get(i)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Stored> {
        self.entries.iter()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Stored> {
        self.entries.iter_mut()
    }

    /// Inserts in time order (equal times keep arrival order), keeping a
    /// paused view still; returns the oldest entries dropped past the cap.
    pub fn insert(&mut self, entry: Entry, matched: bool) -> Vec<Stored> {
        self.seq += 1;
        let key = (entry.at(), self.seq);
        let pos = self
            .entries
            .partition_point(|s| (s.entry.at(), s.seq) <= key);
        self.entries.insert(
            pos,
            Stored {
                seq: self.seq,
                entry,
                matched,
            },
        );
        if let Some(a) = self.anchor.as_mut()
            && pos <= *a
        {
            *a += 1;
        }
        let mut evicted = Vec::new();
        while self.entries.len() > self.cap {
            if let Some(old) = self.entries.pop_front() {
                let at = old.entry.at();
                self.evicted_to = Some(self.evicted_to.map_or(at, |t| t.max(at)));
                evicted.push(old);
            }
            if let Some(a) = self.anchor.as_mut() {
                *a = a.saturating_sub(1);
            }
        }
        evicted
    }
}
