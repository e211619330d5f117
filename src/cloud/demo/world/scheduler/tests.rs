use super::*;

/// A world on a manual clock, its volume in a directory kept alive by
/// the returned guard.
fn world() -> (tempfile::TempDir, Clock, World) {
    let dir = tempfile::tempdir().expect("tmp");
    let clock = Clock::manual();
    let w = World::new(
        dir.path().to_path_buf(),
        false,
        "127.0.0.1:8080".parse().expect("addr"),
        clock.clone(),
    );
    (dir, clock, w)
}

fn fake_server() -> Server {
    Server {
        addr: "127.0.0.1:9".parse().expect("addr"),
        shutdown: oneshot::channel().0,
    }
}

/// Steps the world `secs` seconds on in 100 ms ticks, as the scheduler
/// does, giving each task a server when it asks for one.
fn run_for(w: &mut World, clock: &Clock, secs: f64) {
    for _ in 0..(secs * 10.0).round() as usize {
        clock.advance(Duration::from_millis(100));
        let (start, _) = w.step();
        for (id, _) in start {
            w.server_started(&id, Some(fake_server()));
        }
    }
}

fn phases(w: &World) -> Vec<(String, &'static str)> {
    w.tasks()
        .iter()
        .map(|t| {
            let p = match t.last_status.as_str() {
                "RUNNING" => "RUNNING",
                "STOPPED" => "STOPPED",
                _ => "OTHER",
            };
            (t.arn.clone(), p)
        })
        .collect()
}

#[test]
fn the_demo_opens_on_a_running_healthy_service() {
    let (_dir, clock, mut w) = world();
    let (id, _) = w.seed();
    w.seeded(&id, Some(fake_server()));
    run_for(&mut w, &clock, 0.5);
    let tasks = w.tasks();
    assert_eq!(tasks.len(), 1, "no second task launched");
    assert_eq!(tasks[0].last_status, "RUNNING");
    assert_eq!(tasks[0].health.as_deref(), Some("HEALTHY"));
    assert_eq!(w.target_group().targets[0].state, "healthy");
    let s = w.service();
    assert_eq!((s.running, s.pending), (1, 0));
    assert_eq!(
        s.events[0].message,
        "(service goals-service) has reached a steady state."
    );
}

#[test]
fn a_stopped_task_drains_stops_and_is_replaced_in_ecs_phases() {
    let (_dir, clock, mut w) = world();
    w.step();
    assert_eq!(w.tasks()[0].last_status, "PROVISIONING");
    run_for(&mut w, &clock, 1.6);
    assert_eq!(w.tasks()[0].last_status, "PENDING");
    run_for(&mut w, &clock, 1.6);
    assert_eq!(w.tasks()[0].last_status, "ACTIVATING");
    run_for(&mut w, &clock, 1.0);
    let first = w.tasks()[0].clone();
    assert_eq!(first.last_status, "RUNNING");
    assert!(first.started_at.is_some(), "startedAt recorded");
    let tg = w.target_group();
    assert_eq!(tg.targets.len(), 1);
    assert_eq!(tg.targets[0].state, "initial");
    assert_eq!(
        tg.targets[0].reason.as_deref(),
        Some("Elb.RegistrationInProgress")
    );

    assert!(w.stop_task(&first.arn, "restart from a test"));
    assert!(
        !w.stop_task(&first.arn, "twice"),
        "a second stop is refused"
    );
    let old = w
        .tasks()
        .into_iter()
        .find(|t| t.arn == first.arn)
        .expect("old");
    assert_eq!(old.desired_status, "STOPPED");
    assert_eq!(old.stop_code.as_deref(), Some("UserInitiated"));
    assert_eq!(w.target_group().targets[0].state, "draining");
    // The replacement is launched while the old task drains.
    run_for(&mut w, &clock, 0.2);
    assert_eq!(w.tasks().len(), 2, "{:?}", phases(&w));
    // After the deregistration delay and ECS's stop phases, the old
    // task is STOPPED with its times, and its target is gone.
    run_for(&mut w, &clock, f64::from(DEREGISTRATION_S) + 2.5);
    let old = w
        .tasks()
        .into_iter()
        .find(|t| t.arn == first.arn)
        .expect("old");
    assert_eq!(old.last_status, "STOPPED");
    assert!(old.stopped_at.is_some() && old.stopping_at.is_some());
    assert!(
        w.target_group()
            .targets
            .iter()
            .all(|t| t.state != "draining"),
        "drained target removed"
    );
    let new = w
        .tasks()
        .into_iter()
        .find(|t| t.arn != first.arn)
        .expect("new");
    assert_eq!(new.last_status, "RUNNING", "{:?}", phases(&w));
    assert!(new.created_at > first.created_at);
}

#[test]
fn old_tasks_and_their_log_streams_are_pruned() {
    let (_dir, clock, mut w) = world();
    for _ in 0..(STOPPED_KEPT + 5) {
        run_for(&mut w, &clock, 6.0);
        let live = w
            .tasks()
            .into_iter()
            .find(|t| !t.is_leaving())
            .expect("live");
        w.stop_task(&live.arn, "again");
        run_for(&mut w, &clock, 10.0);
    }
    let tasks = w.tasks();
    assert!(tasks.len() <= STOPPED_KEPT + 2, "{}", tasks.len());
    assert!(
        w.logs.len() <= tasks.len() * 2,
        "{} streams for {} tasks",
        w.logs.len(),
        tasks.len()
    );
}
