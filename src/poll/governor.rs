//! One governor for every poller of a session. When AWS throttles an API
//! (the account's quota is shared with everything else it runs), every
//! poller of that API slows down together — the pace halves on each
//! throttle — and speeds up again by small steps after successes. A
//! per-poller backoff that resets on its first success would keep the
//! pressure on; this does not.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

pub use crate::model::observe::Slowed;

/// The slowest pace: a sixteenth of the configured rate.
pub const MIN_PACE: f64 = 1.0 / 16.0;
/// A throttle multiplies the pace by this.
pub const DECREASE: f64 = 0.5;
/// A success adds this much pace back, up to full speed.
pub const INCREASE: f64 = 0.1;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Pace {
    pace: f64,
    throttles: u64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            pace: 1.0,
            throttles: 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct Governor {
    apis: Mutex<BTreeMap<String, Pace>>,
}

/// The API an IAM action belongs to: `ecs` for `ecs:DescribeTasks`.
pub fn api_of(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

impl Governor {
    fn with<R>(&self, api: &str, f: impl FnOnce(&mut Pace) -> R) -> R {
        let mut apis = self.apis.lock().unwrap_or_else(|p| p.into_inner());
        f(apis.entry(api.to_string()).or_default())
    }

    pub fn throttled(&self, api: &str) {
        self.with(api, |p| {
            p.pace = (p.pace * DECREASE).max(MIN_PACE);
            p.throttles += 1;
        });
    }

    pub fn succeeded(&self, api: &str) {
        self.with(api, |p| p.pace = (p.pace + INCREASE).min(1.0));
    }

    /// 1.0 is full speed.
    pub fn pace(&self, api: &str) -> f64 {
        self.with(api, |p| p.pace)
    }

    /// `every`, stretched by the API's pace.
    pub fn stretch(&self, api: &str, every: Duration) -> Duration {
        every.div_f64(self.pace(api))
    }

    /// The APIs below full speed.
    pub fn slowed(&self) -> Vec<Slowed> {
        let apis = self.apis.lock().unwrap_or_else(|p| p.into_inner());
        apis.iter()
            .filter(|(_, p)| p.pace < 1.0)
            .map(|(api, p)| Slowed {
                api: api.clone(),
                pace: p.pace,
                throttles: p.throttles,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
