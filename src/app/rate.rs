//! A running total's rate over the last minute: the AWS calls of the whole
//! backend, and of the logs poller alone.

use std::collections::VecDeque;

use crate::model::Time;

const WINDOW_S: i64 = 60;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRate {
    samples: VecDeque<(Time, u64)>,
}

impl CallRate {
    /// The samples kept (at most a minute's).
    pub fn kept(&self) -> usize {
        self.samples.len()
    }

    /// Records the running total at a moment; samples older than the
    /// window are dropped.
    pub fn record(&mut self, at: Time, total: u64) {
        self.samples.push_back((at, total));
        while let Some((t, _)) = self.samples.front() {
            if (at - *t).num_seconds() > WINDOW_S {
                self.samples.pop_front();
            } else {
                break;
            }
        }
    }

    /// Per second over the samples kept, once they span `min_s` seconds.
    pub fn per_s(&self, min_s: f64) -> Option<f64> {
        let (t0, c0) = self.samples.front()?;
        let (t1, c1) = self.samples.back()?;
        let secs = (*t1 - *t0).num_milliseconds() as f64 / 1000.0;
        (secs >= min_s).then(|| c1.saturating_sub(*c0) as f64 / secs)
    }
}
