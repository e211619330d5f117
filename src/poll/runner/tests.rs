use std::sync::atomic::{AtomicU32, Ordering};

use super::*;

#[tokio::test]
async fn one_run_in_flight_at_a_fixed_cadence_and_ends_when_nobody_listens() {
    let ctl = Control::new();
    let runs = Arc::new(AtomicU32::new(0));
    let in_flight = Arc::new(AtomicU32::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
    {
        let runs = runs.clone();
        let in_flight = in_flight.clone();
        ctl.spawn(
            fixed_input(),
            always,
            move |()| {
                let runs = runs.clone();
                let in_flight = in_flight.clone();
                async move {
                    assert_eq!(in_flight.fetch_add(1, Ordering::SeqCst), 0);
                    // A run slower than the cadence: the next one waits.
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    runs.fetch_add(1, Ordering::SeqCst) + 1
                }
            },
            Fixed(Duration::from_millis(100)),
            move |n, _| {
                let tx = tx.clone();
                async move { tx.send(n).await.is_ok() }
            },
        );
    }
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    drop(rx);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // The third run found nobody to take its result and ended there.
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_kick_or_a_changed_input_runs_it_early_and_cancel_stops_it() {
    let ctl = Control::new();
    let (wake_tx, wake_rx) = watch::channel(0u32);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(4);
    ctl.spawn(
        wake_rx,
        always,
        |_| async {},
        Fixed(Duration::from_secs(3600)),
        move |(), _| {
            let tx = tx.clone();
            async move { tx.send(()).await.is_ok() }
        },
    );
    rx.recv().await;
    // Let the runner reach its wait before kicking it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctl.kick();
    tokio::time::timeout(Duration::from_secs(1), rx.recv())
        .await
        .expect("kick runs it now");
    tokio::time::sleep(Duration::from_millis(50)).await;
    wake_tx.send_replace(1);
    tokio::time::timeout(Duration::from_secs(1), rx.recv())
        .await
        .expect("a changed input runs it now");
    ctl.cancel();
    assert_eq!(rx.recv().await, None, "cancelled: the runner is gone");
}

#[tokio::test]
async fn a_panic_inside_a_job_comes_back_as_its_message() {
    let ok = super::contained(async { 7 }).await;
    assert_eq!(ok, Ok(7));
    let boom = super::contained(async {
        if ok.is_ok() {
            panic!("boom: {}", 42);
        }
        0
    })
    .await;
    assert_eq!(boom, Err("boom: 42".to_string()));
}
