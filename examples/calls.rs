//! What ecsdeck costs in AWS calls, per API, at one and at two tasks, and
//! how soon a line written by a container is on the dashboard: a session
//! (the dashboard's pollers, logs included) against the embedded demo,
//! which counts calls as the AWS backend sends them.
//!
//!   scripts/bench-calls.sh [SECONDS]      # default 60 per run

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
use ecsdeck::model::ServiceRef;
use ecsdeck::model::observe::{Observation, quota_per_s};
use ecsdeck::poll::Plan;
use ecsdeck::session::Session;

fn totals(cloud: &dyn Cloud) -> BTreeMap<String, u64> {
    cloud.api_calls_by().into_iter().collect()
}

async fn run(tasks: u32, secs: u64) {
    let env = DemoEnv::start(DemoOptions {
        tasks,
        ..DemoOptions::default()
    })
    .await
    .expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let mut session = Session::start(
        cloud.clone(),
        ServiceRef {
            cluster: CLUSTER.into(),
            service: SERVICE.into(),
        },
        Plan {
            refresh: Duration::from_secs(5),
            logs: true,
            metrics: true,
            probe: None,
        },
    );
    // Until every task runs and the first reads are done, and the pollers
    // are back at the refresh after the start's motion (a second task
    // registering keeps them fast 30 s more): steady state, at rest.
    let warm = Instant::now() + Duration::from_secs(20);
    let give_up = Instant::now() + Duration::from_secs(180);
    while Instant::now() < warm
        || (session.cadence() < Duration::from_secs(5) && Instant::now() < give_up)
    {
        session.next_within(Duration::from_millis(200)).await;
    }
    let live = cloud
        .tasks(session.target())
        .await
        .map(|t| t.iter().filter(|t| !t.is_stopped()).count())
        .unwrap_or(0);
    let before = totals(&*cloud);
    let http = reqwest::Client::new();
    let start = Instant::now();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut marker: Option<(String, Instant)> = None;
    let mut n = 0;
    while start.elapsed() < Duration::from_secs(secs) {
        // A request through the load balancer: the API logs it, with a
        // marker in the path; time until the line arrives.
        if marker.is_none() {
            n += 1;
            let m = format!("bench-{n}");
            let _ = http.get(format!("{}/goals?{m}", env.lb_url())).send().await;
            marker = Some((m, Instant::now()));
        }
        let Some(ev) = session.next_within(Duration::from_millis(100)).await else {
            continue;
        };
        if let (Ok(Observation::Logs(r)), Some((m, at))) = (&ev.result, &marker)
            && r.batches
                .iter()
                .any(|b| b.events.iter().any(|e| e.message.contains(m.as_str())))
        {
            latencies.push(at.elapsed());
            marker = None;
            // A random gap, so the requests do not lock to the poll cycle.
            tokio::time::sleep(Duration::from_millis(300 + rand::random::<u64>() % 1000)).await;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let after = totals(&*cloud);
    println!("\n{tasks} desired task(s), {live} running, {elapsed:.0} s:");
    let mut sum = 0.0;
    for (api, n) in &after {
        let per_min = (n - before.get(api).copied().unwrap_or(0)) as f64 * 60.0 / elapsed;
        if per_min == 0.0 {
            continue;
        }
        sum += per_min;
        let share = quota_per_s(api)
            .map(|q| format!("  ({:.2}% of {q:.0}/s)", per_min / 60.0 * 100.0 / q))
            .unwrap_or_default();
        println!("  {per_min:>7.1}/min  {api}{share}");
    }
    println!("  {sum:>7.1}/min  all APIs");
    latencies.sort();
    if let Some(median) = latencies.get(latencies.len() / 2) {
        println!(
            "  log line on screen: median {:.2} s, worst {:.2} s, over {} lines",
            median.as_secs_f64(),
            latencies.last().map_or(0.0, |d| d.as_secs_f64()),
            latencies.len()
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    run(1, secs).await;
    run(2, secs).await;
}
