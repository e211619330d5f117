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
