use super::*;
use crate::model::metrics::TaskAsk;

#[test]
fn mongods_memory_grows_after_start_and_a_write_spikes_the_apis_cpu() {
    let dir = tempfile::tempdir().expect("tmp");
    let clock = Clock::manual();
    let mut w = World::new(
        dir.path().to_path_buf(),
        false,
        "127.0.0.1:8080".parse().expect("addr"),
        clock.clone(),
    );
    let id = w.seed_history();
    // Twenty minutes of quiet reads, then a drill's write and delete.
    let t0 = clock.utc();
    for s in (0..20 * 60).step_by(5) {
        let at = t0 + chrono::Duration::seconds(s);
        w.log_at("goals-api", &id, at, "GET /goals 200".into());
    }
    let busy = t0 + chrono::Duration::minutes(12) + chrono::Duration::seconds(10);
    for line in [
        "TRYING TO STORE GOAL",
        "STORED NEW GOAL",
        "TRYING TO DELETE GOAL",
    ] {
        w.log_at("goals-api", &id, busy, line.into());
    }
    // The seeded task ran for three hours up to its crash; look at an
    // hour of a task like it that has not crashed.
    for t in &mut w.tasks {
        t.crash = None;
        t.stopped_at = None;
        t.started_at = Some(t0 - chrono::Duration::minutes(2));
    }
    let end = t0 + chrono::Duration::minutes(20);
    let page = w.metrics(&MetricsAsk {
        cluster: "demo".into(),
        service: "goals-service".into(),
        tasks: vec![TaskAsk {
            id: id.clone(),
            containers: vec!["goals-api".into(), "mongodb".into()],
        }],
        start: end - chrono::Duration::hours(1),
        end,
    });
    let t = &page.tasks[0];
    let api = &t.containers[0];
    let db = &t.containers[1];
    let minute =
        |at: Time| chrono::DateTime::from_timestamp(at.timestamp() / 60 * 60, 0).expect("t");
    let spike = api.cpu_used.at(minute(busy)).expect("the busy minute");
    let quiet = api
        .cpu_used
        .at(minute(busy) - chrono::Duration::minutes(3))
        .expect("quiet");
    assert!(spike > quiet * 3.0, "spike {spike} vs quiet {quiet}");
    let mem: Vec<f64> = db.mem_used.points.iter().map(|p| p.1).collect();
    assert!(mem.len() >= 20, "{}", mem.len());
    assert!(mem[mem.len() - 1] > mem[1] + 100.0, "grows: {mem:?}");
    assert!(mem.iter().all(|m| *m < 1024.0), "under its limit");
    assert!(!page.service_cpu.is_empty() && !page.service_mem.is_empty());
}
