//! How soon a task's state change is on the dashboard during a
//! replacement, and the AWS call rate before, during and after it: a
//! session (the dashboard's pollers, logs and probe) against the embedded
//! demo, a StopTask as `S`/`y` sends it, and the lag from the time AWS
//! records for each change (createdAt, startedAt, stoppingAt, stoppedAt)
//! to the observation that carries it.
//!
//!   cargo run --example replacement

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
use ecsdeck::cloud::{Cloud, Operate};
use ecsdeck::model::observe::Observation;
use ecsdeck::model::probe::ProbeConfig;
use ecsdeck::model::{ServiceRef, Task, Time};
use ecsdeck::poll::Plan;
use ecsdeck::session::Session;

fn stamps(t: &Task) -> Vec<(&'static str, Option<Time>)> {
    vec![
        ("created", t.created_at),
        (
            "running",
            t.started_at
                .filter(|_| t.last_status == "RUNNING" || t.is_stopped()),
        ),
        ("stopping", t.stopping_at),
        ("stopped", t.stopped_at.filter(|_| t.is_stopped())),
    ]
}

async fn rate(session: &mut Session, cloud: &dyn Cloud, secs: u64) -> f64 {
    let before = cloud.api_calls();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        session.next_within(Duration::from_millis(200)).await;
    }
    (cloud.api_calls() - before) as f64 * 60.0 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let env = DemoEnv::start(DemoOptions {
        seed_records: true,
        ..DemoOptions::default()
    })
    .await
    .expect("demo");
    let demo = Arc::new(env.cloud());
    let cloud: Arc<dyn Cloud> = demo.clone();
    let refresh = Duration::from_secs(5);
    let mut session = Session::start(
        cloud.clone(),
        ServiceRef {
            cluster: CLUSTER.into(),
            service: SERVICE.into(),
        },
        Plan {
            refresh,
            logs: true,
            metrics: true,
            probe: Some(ProbeConfig::default()),
        },
    )
    .with_operator(demo.clone());
    // Warm up, then the steady rate.
    rate(&mut session, &*cloud, 15).await;
    let steady = rate(&mut session, &*cloud, 30).await;
    println!(
        "steady (refresh 5s): {steady:.0} calls/min, cadence {:?}",
        session.cadence()
    );

    let task = cloud.tasks(session.target()).await.expect("tasks")[0].clone();
    demo.stop_task(CLUSTER, &task.arn, "ecsdeck: replacement bench")
        .await
        .expect("stop");
    session.hurry();
    let stopped_at = Instant::now();
    let stop_utc = ecsdeck::clock::now() - chrono::Duration::seconds(1);
    let calls_at_stop = cloud.api_calls();
    let mut seen: std::collections::BTreeSet<(String, &'static str)> = Default::default();
    let mut lags: Vec<(String, &'static str, f64)> = Vec::new();
    let mut back_at: Option<Instant> = None;
    while stopped_at.elapsed() < Duration::from_secs(240) {
        let Some(ev) = session.next_within(Duration::from_millis(200)).await else {
            continue;
        };
        if let Ok(Observation::Tasks(ts)) = &ev.result {
            let now = ecsdeck::clock::now();
            for t in ts {
                for (what, at) in stamps(t) {
                    // Only what changed since the stop.
                    let Some(at) = at.filter(|a| *a >= stop_utc) else {
                        continue;
                    };
                    if seen.insert((t.arn.clone(), what)) {
                        let lag = (now - at).num_milliseconds() as f64 / 1000.0;
                        lags.push((t.short().to_string(), what, lag));
                    }
                }
            }
            let old_gone = ts.iter().any(|t| t.arn == task.arn && t.is_stopped());
            let new_up = ts
                .iter()
                .any(|t| t.arn != task.arn && t.last_status == "RUNNING");
            if old_gone && new_up && back_at.is_none() {
                back_at = Some(Instant::now());
            }
        }
        if back_at.is_some() && session.cadence() == refresh {
            break;
        }
    }
    let during_s = stopped_at.elapsed().as_secs_f64();
    let during = (cloud.api_calls() - calls_at_stop) as f64 * 60.0 / during_s;
    println!("state changes, from AWS's timestamp to the observation (s):");
    let mut worst: f64 = 0.0;
    for (task, what, lag) in &lags {
        worst = worst.max(*lag);
        println!("  {task} {what:<9} {lag:>5.2}");
    }
    println!("  worst {worst:.2} s");
    println!(
        "during the replacement and until the cadence relaxed ({during_s:.0} s): {during:.0} calls/min at 1 s; back after {:.1} s",
        back_at
            .map(|b| (b - stopped_at).as_secs_f64())
            .unwrap_or(f64::NAN)
    );
    let after = rate(&mut session, &*cloud, 60).await;
    println!(
        "after (steady again): {after:.0} calls/min, cadence {:?}",
        session.cadence()
    );
}
