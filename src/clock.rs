//! The one clock of a process: the wall time read once, at the start, and
//! monotonic time since. Every deadline, timeout and pace is a difference
//! of two of its readings, so an NTP step of the system clock (common on
//! a bastion that booted with a wrong one) gives no false timeout and no
//! burst of fast polling; its readings are still wall-clock times for the
//! screen and the reports (off by the size of a step that happens while
//! running — AWS's own timestamps are compared through the measured
//! clock offset, which the same clock measures).
//!
//! It follows tokio's clock, so the tests' virtual time moves it too.

use std::sync::OnceLock;

use crate::model::Time;

static ANCHOR: OnceLock<(tokio::time::Instant, Time)> = OnceLock::new();

/// The wall clock, read once.
#[allow(clippy::disallowed_methods)] // the one place it is read
fn anchor() -> (tokio::time::Instant, Time) {
    *ANCHOR.get_or_init(|| (tokio::time::Instant::now(), chrono::Utc::now()))
}

/// Now: the start's wall time plus the monotonic time since.
///
/// The anchor is shared by the whole process, and a test runtime with a
/// paused clock starts its own virtual time, which may begin before the
/// anchor was taken (by another test's thread): the difference is signed,
/// so two readings in one runtime always differ by exactly the time that
/// passed between them.
pub fn now() -> Time {
    let (mono, wall) = anchor();
    at(wall, mono, tokio::time::Instant::now())
}

fn at(wall: Time, mono: tokio::time::Instant, now: tokio::time::Instant) -> Time {
    let span =
        |d: std::time::Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    match now.checked_duration_since(mono) {
        Some(after) => wall + span(after),
        None => wall - span(mono.saturating_duration_since(now)),
    }
}

#[cfg(test)]
mod tests;
