use std::time::Duration;

use super::*;

#[tokio::test(start_paused = true)]
async fn it_moves_with_monotonic_time_only() {
    let a = now();
    tokio::time::advance(Duration::from_secs(3600)).await;
    let b = now();
    assert_eq!((b - a).num_seconds(), 3600);
    // Nothing reads the system clock after the start: a step of it (an
    // NTP correction) cannot move a reading, so no deadline jumps.
    assert!(now() >= b);
}

/// The anchor is process-wide; another test's thread may take it after
/// this runtime's virtual clock began. Readings still differ by exactly
/// the time that passed (the CI failure of stop 26: 3600 s read as less).
#[test]
fn readings_before_the_anchor_keep_their_distance() {
    let wall = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let base = tokio::time::Instant::now();
    let anchor = base + Duration::from_secs(5);
    let a = at(wall, anchor, base);
    let b = at(wall, anchor, base + Duration::from_secs(3600));
    assert_eq!((b - a).num_seconds(), 3600);
    assert_eq!((wall - a).num_seconds(), 5);
}
