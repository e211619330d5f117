//! Issue 17's rules for the truth on real AWS services: a drill where
//! nothing was restarted is ABORTED, never FAIL.

use std::time::Duration;

use super::tests::*;
use super::*;

#[test]
fn an_old_task_that_left_but_never_stopped_is_a_fail() {
    let mut d = restarted(false);
    d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPING"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Fail, "{}", reason(&d));
}

/// `d` through the restart: a baseline of `tasks` (each with a healthy
/// target), the marker absent, written, read back, the restart accepted.
/// Returns the restart command the read-back asked for.
fn through_restart(d: &mut Drill, tasks: &[&str]) -> Vec<Command> {
    let ips = ["10.0.1.5", "10.0.1.6"];
    let targets: Vec<(&str, &str)> = tasks.iter().zip(ips).map(|(t, ip)| (ip, *t)).collect();
    d.step(Input::Baseline(world(
        0,
        tasks.iter().map(|t| task(t, "RUNNING")).collect(),
        &targets,
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    let restart = d.step(read(true, 4));
    d.step(Input::Restarted(Ok(())));
    restart
}

/// A forced deployment's drill, through its restart.
fn deployment_restarted() -> Drill {
    let mut d = Drill::new(
        "ecsdeck-drill-abc123".into(),
        RestartKind::ForceDeployment,
        false,
        Duration::from_secs(600),
        at(0),
    );
    assert_eq!(
        through_restart(&mut d, &[OLD]),
        vec![Command::Restart(None)]
    );
    d
}

#[test]
fn a_forced_deployment_ecs_cannot_carry_out_is_aborted_naming_the_configuration() {
    let mut d = deployment_restarted();
    // min 100 % / max 100 %: the deployment hangs, the old task runs on.
    let mut w = world(
        30,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    );
    w.cannot_replace = Some("deploy min 100% max 100% with 1 task(s): …".into());
    d.step(Input::Observed(w));
    let cmds = d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(
        reason(&d).contains("nothing was restarted") && reason(&d).contains("min 100% max 100%"),
        "{}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn a_deployment_rolled_back_is_aborted_at_once_never_a_fail() {
    let mut d = deployment_restarted();
    // The new task failed to start; the circuit breaker rolled back.
    let mut w = world(
        60,
        vec![task(OLD, "RUNNING"), task(NEW, "STOPPED")],
        &[("10.0.1.5", OLD)],
        Some(true),
    );
    w.rollout_failed =
        Some("the deployment ecs-svc/2 failed and was rolled back (tasks failed to start)".into());
    let cmds = d.step(Input::Observed(w));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(reason(&d).contains("rolled back"), "{}", reason(&d));
    cleans_up(&mut d, cmds);
}

#[test]
fn the_kth_stop_with_an_unknown_outcome_that_never_stops_is_aborted() {
    let mut d = drill(false);
    through_restart(&mut d, &[OLD, OLD2]);
    // The first is replaced; the second's StopTask times out.
    let cmds = d.step(Input::Observed(world(
        40,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "RUNNING"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.2.9", NEW), ("10.0.1.6", OLD2)],
        Some(true),
    )));
    assert_eq!(cmds, vec![Command::Restart(Some(vec![OLD2.into()]))]);
    d.step(Input::Restarted(Err(RestartError {
        unknown: true,
        message: "timed out".into(),
    })));
    d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(reason(&d).contains("unknown outcome"), "{}", reason(&d));
}

#[test]
fn two_tasks_with_awss_300_s_drain_are_not_a_false_fail_at_ten_minutes() {
    use crate::model::derive::drill_estimate;
    use crate::model::fixtures::{service, task_def, tg};
    // AWS's defaults: each old task drains 300 s (a connection stays
    // open), stops in 30 s; two tasks one at a time take about 12 minutes.
    let mut g = tg(vec![]);
    g.deregistration_delay_s = Some(300);
    let e = drill_estimate(false, &service(), Some(&task_def()), &[g], 2);
    let mut d = Drill::new(
        "ecsdeck-drill-abc123".into(),
        RestartKind::StopTask,
        false,
        e.default_timeout(),
        at(0),
    );
    const NEW2: &str = "arn:aws:ecs:us-east-1:1:task/c/new11111dddd";
    through_restart(&mut d, &[OLD, OLD2]);
    // The first old task drains 300 s, then stops.
    d.step(Input::Observed(world(
        1,
        vec![task(OLD, "STOPPING"), task(OLD2, "RUNNING")],
        &[("10.0.1.6", OLD2)],
        Some(true),
    )));
    for t in (60..360).step_by(60) {
        assert!(
            d.step(Input::Tick(at(t))).is_empty(),
            "still draining at {t} s"
        );
    }
    let next = d.step(Input::Observed(world(
        361,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "RUNNING"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.2.9", NEW), ("10.0.1.6", OLD2)],
        Some(true),
    )));
    assert_eq!(next, vec![Command::Restart(Some(vec![OLD2.into()]))]);
    d.step(Input::Restarted(Ok(())));
    d.step(Input::Observed(world(
        362,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "STOPPING"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    // Past the old flat 10 minutes, the second still drains: no verdict.
    for t in (600..=720).step_by(60) {
        assert!(
            d.step(Input::Tick(at(t))).is_empty(),
            "still waiting at {t} s"
        );
        assert!(d.verdict.is_none(), "{:?}", d.verdict);
    }
    let cmds = d.step(Input::Observed(world(
        725,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "STOPPED"),
            task(NEW, "RUNNING"),
            task(NEW2, "RUNNING"),
        ],
        &[("10.0.2.9", NEW), ("10.0.2.10", NEW2)],
        Some(true),
    )));
    assert_eq!(cmds, vec![Command::Read], "back after 12 minutes");
}

/// A read answering 200 with a body the contract cannot read.
fn unreadable(why: &str) -> Input {
    Input::Read(Read {
        status: Some(200),
        found: false,
        count: None,
        served_by: None,
        unreadable: Some(why.into()),
    })
}

#[test]
fn an_html_page_is_unreadable_not_missing_and_ends_aborted_if_it_stays() {
    let body = b"<!DOCTYPE html><html><body>Maintenance</body></html>";
    let r = read_result(200, body, "m", Some("/goals"), Some("/goals"));
    assert_eq!(r.unreadable.as_deref(), Some("the body is not JSON"));
    let r = read_result(200, br#"{"items":[]}"#, "m", Some("/goals"), None);
    assert_eq!(r.unreadable.as_deref(), Some("no /goals in the JSON"));
    let mut d = restarted(false);
    back(&mut d);
    for t in (40..100).step_by(2) {
        d.step(Input::Tick(at(t)));
        assert_eq!(
            d.step(unreadable("the body is not JSON")),
            vec![Command::ReadAgain],
            "at {t} s"
        );
    }
    d.step(Input::Tick(at(101)));
    let cmds = d.step(unreadable("the body is not JSON"));
    assert_eq!(verdict(&d), Verdict::Aborted, "never FAIL: {}", reason(&d));
    assert!(
        reason(&d).contains("could not be read by the contract"),
        "{}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn a_marker_that_shows_up_on_a_later_read_of_the_window_passes() {
    let mut d = restarted(false);
    back(&mut d);
    // The new task answers 503, then 2xx without the marker (its data
    // still loading), then with it: a slow start, not a loss.
    let answer = |status: u16| {
        Input::Read(Read {
            status: Some(status),
            found: false,
            count: None,
            served_by: None,
            unreadable: None,
        })
    };
    assert_eq!(d.step(answer(503)), vec![Command::ReadAgain]);
    d.step(Input::Tick(at(45)));
    assert_eq!(d.step(read(false, 3)), vec![Command::ReadAgain]);
    d.step(Input::Tick(at(50)));
    assert_eq!(d.step(read(false, 3)), vec![Command::ReadAgain]);
    d.step(Input::Tick(at(55)));
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Pass, "{}", reason(&d));
}

/// The world at `t` with the probe's sample taken then.
fn probed(t: i64, tasks: Vec<TaskView>, targets: &[(&str, &str)], up: bool) -> World {
    world(t, tasks, targets, Some(up))
}

#[test]
fn one_failed_sample_is_no_evidence_for_a_hand_set_url() {
    let mut d = restarted(true);
    // One timeout while the old task drains: a blip, not the outage.
    d.step(Input::Observed(probed(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        false,
    )));
    d.step(Input::Observed(probed(
        6,
        vec![task(OLD, "STOPPING")],
        &[],
        true,
    )));
    let cmds = d.step(Input::Observed(probed(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        true,
    )));
    assert_eq!(cmds, vec![Command::Read]);
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(reason(&d).contains("cannot tell"), "{}", reason(&d));
}

#[test]
fn an_outage_of_two_samples_ending_as_the_replacement_turns_healthy_is_evidence() {
    let mut d = restarted(true);
    d.step(Input::Observed(probed(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        false,
    )));
    // The same sample observed again counts once.
    d.step(Input::Observed(probed(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        false,
    )));
    d.step(Input::Observed(probed(
        6,
        vec![task(OLD, "STOPPED"), task(NEW, "PENDING")],
        &[],
        false,
    )));
    let cmds = d.step(Input::Observed(probed(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        true,
    )));
    assert!(
        d.outage_seen,
        "two failures in a row, over when the new target served"
    );
    assert_eq!(cmds, vec![Command::Read]);
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Pass, "{}", reason(&d));
}

#[test]
fn an_outage_over_before_any_replacement_serves_is_no_evidence() {
    let mut d = restarted(true);
    d.step(Input::Observed(probed(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        false,
    )));
    d.step(Input::Observed(probed(
        6,
        vec![task(OLD, "STOPPING")],
        &[],
        false,
    )));
    // Up again while no replacement is healthy: another copy answered.
    d.step(Input::Observed(probed(
        7,
        vec![task(OLD, "STOPPING")],
        &[],
        true,
    )));
    assert!(!d.outage_seen);
}

#[test]
fn a_task_created_before_the_restart_and_first_seen_after_it_is_no_replacement() {
    const MID: &str = "arn:aws:ecs:us-east-1:1:task/c/mid00000eeee";
    let mut d = restarted(false);
    // The restart was requested at 0 s (the machine's clock then).
    assert!(d.restart_requested.is_some());
    // A task a deployment started before the restart, listed only now
    // (ListTasks is eventually consistent), healthy and serving.
    let mut mid = task(MID, "RUNNING");
    mid.created_at = Some(at(-60));
    let mut new = task(NEW, "PENDING");
    new.created_at = Some(at(3));
    let cmds = d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPED"), mid.clone(), new],
        &[("10.0.3.3", MID)],
        Some(true),
    )));
    assert!(
        cmds.is_empty(),
        "no final read answered by a task never restarted"
    );
    assert!(!d.new_task_arns.contains(&MID.to_string()));
    // It stays healthy: no valid test, never a PASS.
    let cmds = d.step(Input::Observed(world(
        80,
        vec![task(OLD, "STOPPED"), mid],
        &[("10.0.3.3", MID)],
        Some(true),
    )));
    d.step(Input::Tick(at(700)));
    assert_ne!(
        d.verdict.as_ref().map(|(v, _)| *v),
        Some(Verdict::Pass),
        "{cmds:?}"
    );
}

#[test]
fn waiting_out_a_long_drain_says_what_remains_and_lets_the_pollers_relax() {
    let mut d = restarted(false);
    // The replacement is healthy and serving at 60 s; the old target
    // drains (AWS's 300 s delay, 250 s to go).
    let mut w = world(
        60,
        vec![task(OLD, "STOPPING"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    );
    w.draining = Some((250, 300));
    d.step(Input::Observed(w.clone()));
    assert!(
        d.waiting()
            .contains("old target draining: up to 4m 10s more (deregistration delay 300 s)"),
        "{}",
        d.waiting()
    );
    assert!(d.waiting_out_drain(), "only the drain is left");
    // The last 15 s: fast again, the old task's stop is near.
    w.now = at(300);
    w.draining = Some((10, 300));
    d.step(Input::Observed(w.clone()));
    assert!(!d.waiting_out_drain());
    // While the replacement is not yet serving, a step is expected.
    let mut d = restarted(false);
    let mut w = world(
        20,
        vec![task(OLD, "STOPPING"), task(NEW, "PENDING")],
        &[],
        Some(false),
    );
    w.draining = Some((280, 300));
    d.step(Input::Observed(w));
    assert!(!d.waiting_out_drain());
}

#[test]
fn a_failing_final_read_is_tried_again_through_the_read_window_then_fails() {
    let mut d = restarted(false);
    back(&mut d);
    let bad = || {
        Input::Read(Read {
            status: Some(502),
            found: false,
            count: None,
            served_by: None,
            unreadable: None,
        })
    };
    // Tried again, 2 s apart, through the 60 s window: a 502 while the
    // targets switch is not a FAIL.
    for t in (40..100).step_by(2) {
        d.step(Input::Tick(at(t)));
        assert_eq!(d.step(bad()), vec![Command::ReadAgain], "at {t} s");
    }
    d.step(Input::Tick(at(101)));
    d.step(Input::ReadFailed("connection reset".into()));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(
        reason(&d).contains("did not come back to answer reads within 1m")
            && reason(&d).contains("502 ×30, connection reset"),
        "{}",
        reason(&d)
    );
    // A read that gets no answer is tried again too, never left waiting.
    let mut d = restarted(false);
    back(&mut d);
    assert_eq!(
        d.step(Input::ReadFailed("connection reset".into())),
        vec![Command::ReadAgain]
    );
}
