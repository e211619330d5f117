#[test]
fn motion_is_a_task_between_states_a_rollout_or_a_target_coming_or_going() {
    use crate::model::fixtures::*;
    let steady = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    assert!(!in_motion(&Observation::Tasks(vec![steady.clone()])));
    let stopped = task("bbbb2222", "10.0.1.6", "STOPPED", "STOPPED");
    assert!(!in_motion(&Observation::Tasks(vec![
        steady.clone(),
        stopped
    ])));
    let leaving = task("cccc3333", "10.0.1.7", "RUNNING", "STOPPED");
    assert!(in_motion(&Observation::Tasks(vec![
        steady.clone(),
        leaving
    ])));
    let pending = task("dddd4444", "10.0.1.8", "PENDING", "RUNNING");
    assert!(in_motion(&Observation::Tasks(vec![pending])));
    let mut svc = service();
    assert!(!in_motion(&Observation::Service(Box::new(svc.clone()))));
    svc.deployments[0].rollout_state = Some("IN_PROGRESS".into());
    assert!(in_motion(&Observation::Service(Box::new(svc))));
    let healthy = tg(vec![target("10.0.1.5", "healthy", None)]);
    assert!(!in_motion(&Observation::Targets(vec![healthy])));
    // Stuck unhealthy is not motion: it would keep polling fast for ever.
    let stuck = tg(vec![target(
        "10.0.1.5",
        "unhealthy",
        Some("Target.Timeout"),
    )]);
    assert!(!in_motion(&Observation::Targets(vec![stuck])));
    let draining = tg(vec![target("10.0.1.5", "draining", None)]);
    assert!(in_motion(&Observation::Targets(vec![draining])));
}

#[test]
fn the_pace_is_fast_for_a_while_then_the_refresh_again_and_the_governor_wins() {
    let pace = Pace::default();
    let refresh = Duration::from_secs(5);
    assert_eq!(pace.cadence(refresh), refresh);
    pace.hurry_for(Duration::from_millis(300));
    assert_eq!(pace.cadence(refresh), FAST);
    assert_eq!(
        pace.cadence(Duration::from_millis(500)),
        Duration::from_millis(500),
        "never slower than asked"
    );
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(pace.cadence(refresh), refresh, "steady again");
    // Throttled: the fast cadence is stretched like any other.
    let governor = Arc::new(Governor::default());
    let pace = Arc::new(Pace::default());
    pace.hurry_for(Duration::from_secs(60));
    let mut c = Governed {
        pace: Some(pace),
        ..Governed::new(refresh, "ecs", governor.clone())
    };
    let ok: CloudResult<()> = Ok(());
    assert_eq!(c.after(&ok), FAST);
    let throttled: CloudResult<()> = Err(CloudError::new(
        ErrorKind::Throttled,
        "ecs:DescribeTasks",
        "slow down",
    ));
    c.after(&throttled);
    assert!(c.after(&ok) > FAST, "the governor wins over hurrying");
}

use super::*;

#[test]
fn backoff_grows_and_caps() {
    let base = Duration::from_secs(5);
    assert_eq!(backoff(base, ErrorKind::Network, 1), base);
    assert_eq!(backoff(base, ErrorKind::Network, 2), base * 2);
    assert_eq!(backoff(base, ErrorKind::Network, 3), base * 4);
    assert_eq!(
        backoff(base, ErrorKind::Network, 30),
        Duration::from_secs(120)
    );
    assert_eq!(
        backoff(Duration::from_secs(1), ErrorKind::Throttled, 1),
        Duration::from_secs(2)
    );
    assert_eq!(
        backoff(base, ErrorKind::AccessDenied, 1),
        Duration::from_secs(30)
    );
}

#[test]
fn the_aws_cadence_backs_off_in_a_row_and_resets_on_success() {
    let mut c = Governed::new(Duration::from_secs(5), "ecs", Arc::default());
    let err: CloudResult<()> = Err(CloudError::new(ErrorKind::Network, "ecs:X", "down"));
    assert_eq!(c.after(&err), Duration::from_secs(5));
    assert_eq!(c.after(&err), Duration::from_secs(10));
    assert_eq!(c.after(&Ok(())), Duration::from_secs(5));
    assert_eq!(c.after(&err), Duration::from_secs(5));
}

/// Three ECS pollers at 5 s for ten minutes of simulated time, every
/// call answered ThrottlingException with probability `p` (a fixed
/// pseudo-random sequence): how many calls they make.
fn simulate(p: f64, governor: &Arc<Governor>, secs: f64) -> usize {
    let mut pollers: Vec<(f64, Governed)> = (0..3)
        .map(|i| {
            (
                f64::from(i),
                Governed::new(Duration::from_secs(5), "ecs", governor.clone()),
            )
        })
        .collect();
    let mut seed: u64 = 42;
    let mut calls = 0;
    loop {
        let Some((t, c)) = pollers
            .iter_mut()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(t, _)| *t < secs)
        else {
            return calls;
        };
        calls += 1;
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let draw = (seed >> 33) as f64 / f64::from(1u32 << 31);
        let r: CloudResult<()> = if draw < p {
            Err(CloudError::new(
                ErrorKind::Throttled,
                "ecs:DescribeTasks",
                "Rate exceeded",
            ))
        } else {
            Ok(())
        };
        *t += c.after(&r).as_secs_f64();
    }
}

#[test]
fn under_30_percent_throttling_the_rate_falls_below_60_percent_and_recovers() {
    let steady = simulate(0.0, &Arc::default(), 600.0);
    let g: Arc<Governor> = Arc::default();
    let throttled = simulate(0.3, &g, 600.0);
    let share = throttled as f64 / steady as f64;
    println!("30 % throttled: {throttled} calls against {steady} steady ({share:.2})");
    assert!(share <= 0.6, "{throttled} of {steady} calls: {share:.2}");
    // Throttling stops: within a minute the pace is full again.
    simulate(0.0, &g, 60.0);
    assert_eq!(g.pace("ecs"), 1.0);
    assert!(g.slowed().is_empty());
}

#[test]
fn a_container_without_a_health_check_is_no_motion_for_ever() {
    use crate::model::fixtures::{task, task_def};
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    t.containers[0].health = Some("UNKNOWN".into());
    let obs = Observation::Tasks(vec![t]);
    // Its revision says goals-api has no health check: UNKNOWN is how AWS
    // reports it for ever, not a container starting.
    let mut td = task_def();
    td.containers[0].health_check = None;
    assert!(!in_motion_with(&obs, &[td]));
    // With a check, UNKNOWN is a container still starting.
    assert!(in_motion_with(&obs, &[task_def()]));
    let pace = Pace::default();
    let mut td = task_def();
    td.containers[0].health_check = None;
    pace.set_task_defs(vec![td]);
    assert!(!pace.moving(&obs));
}

#[test]
fn a_relaxed_pace_polls_no_faster_than_five_seconds_until_kept_fast_again() {
    let pace = std::sync::Arc::new(Pace::default());
    pace.hurry_for(std::time::Duration::from_secs(60));
    assert_eq!(pace.cadence(std::time::Duration::from_secs(5)), FAST);
    pace.relax_for(std::time::Duration::from_secs(3));
    assert_eq!(pace.cadence(std::time::Duration::from_secs(5)), RELAXED);
    // The logs' 1 s poller relaxes too.
    assert_eq!(pace.cadence(std::time::Duration::from_secs(1)), RELAXED);
    let hurry = Hurry {
        pace: pace.clone(),
        ctl: runner::Control::new(),
    };
    hurry.keep();
    assert_eq!(pace.cadence(std::time::Duration::from_secs(5)), FAST);
}
