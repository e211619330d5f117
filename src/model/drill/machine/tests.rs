//! One test per guard against a false PASS, and the one path that passes.

use std::time::Duration;

use super::*;
use crate::model::fixtures::ts;

pub(super) const OLD: &str = "arn:aws:ecs:us-east-1:1:task/c/old00000aaaa";
pub(super) const OLD2: &str = "arn:aws:ecs:us-east-1:1:task/c/old11111bbbb";
pub(super) const NEW: &str = "arn:aws:ecs:us-east-1:1:task/c/new00000cccc";

pub(super) fn at(s: i64) -> Time {
    ts(s).expect("time")
}

pub(super) fn task(arn: &str, state: &str) -> TaskView {
    TaskView {
        arn: arn.into(),
        stopped: state == "STOPPED",
        leaving: matches!(state, "STOPPING" | "STOPPED"),
        running: state == "RUNNING",
        healthy: state == "RUNNING",
        stop_reason: None,
        created_at: None,
    }
}

pub(super) fn world(
    t: i64,
    tasks: Vec<TaskView>,
    targets: &[(&str, &str)],
    up: Option<bool>,
) -> World {
    World {
        now: at(t),
        tasks,
        healthy_targets: targets
            .iter()
            .map(|(id, owner)| (id.to_string(), Some(owner.to_string())))
            .collect(),
        probe_up: up,
        probe_at: up.map(|_| at(t)),
        scheduler_trouble: None,
        blind: None,
        served_by: None,
        rollout_failed: None,
        cannot_replace: None,
        draining: None,
    }
}

pub(super) fn read(found: bool, count: u32) -> Input {
    Input::Read(Read {
        status: Some(200),
        found,
        count: Some(count),
        served_by: None,
        unreadable: None,
    })
}

pub(super) fn drill(hand_set: bool) -> Drill {
    Drill::new(
        "ecsdeck-drill-abc123".into(),
        RestartKind::StopTask,
        hand_set,
        Duration::from_secs(600),
        at(0),
    )
}

/// Through the restart: baseline, absent, written (id m1), read back.
pub(super) fn restarted(hand_set: bool) -> Drill {
    let mut d = drill(hand_set);
    let base = world(
        0,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    );
    assert_eq!(d.step(Input::Baseline(base)), vec![Command::Read]);
    assert_eq!(d.step(read(false, 3)), vec![Command::Write]);
    assert_eq!(
        d.step(Input::Written(Ok(Some("m1".into())))),
        vec![Command::Read]
    );
    assert_eq!(
        d.step(read(true, 4)),
        vec![Command::Restart(Some(vec![OLD.into()]))]
    );
    assert_eq!(d.step(Input::Restarted(Ok(()))), vec![]);
    d
}

/// The replacement, all the way back: old stopped, new healthy, its
/// target healthy, the probe up after an outage.
pub(super) fn back(d: &mut Drill) -> Vec<Command> {
    d.step(Input::Observed(world(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        Some(false),
    )));
    d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )))
}

pub(super) fn verdict(d: &Drill) -> Verdict {
    d.verdict.as_ref().map(|(v, _)| *v).expect("a verdict")
}

pub(super) fn reason(d: &Drill) -> String {
    d.verdict
        .as_ref()
        .map(|(_, r)| r.clone())
        .unwrap_or_default()
}

/// Deleting the marker, then finishing.
pub(super) fn cleans_up(d: &mut Drill, cmds: Vec<Command>) {
    assert_eq!(cmds, vec![Command::Delete("m1".into())], "{:?}", d.verdict);
    assert_eq!(d.step(Input::Deleted(Ok(()))), vec![Command::Finish]);
    assert_eq!(d.cleanup, Some(Ok(())));
}

#[test]
fn the_full_path_passes() {
    let mut d = restarted(false);
    assert_eq!(back(&mut d), vec![Command::Read]);
    let cmds = d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Pass, "{}", reason(&d));
    cleans_up(&mut d, cmds);
    assert_eq!(Verdict::Pass.exit_code(), 0);
}

#[test]
fn a_baseline_that_is_not_up_aborts() {
    let mut d = drill(false);
    let base = world(0, vec![task(OLD, "RUNNING")], &[], Some(false));
    assert_eq!(d.step(Input::Baseline(base)), vec![Command::Finish]);
    assert_eq!(verdict(&d), Verdict::Aborted);
}

#[test]
fn a_marker_already_present_aborts_an_echoing_endpoint() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    assert_eq!(d.step(read(true, 3)), vec![Command::Finish]);
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("echoes"), "{}", reason(&d));
    assert!(!d.written, "nothing was written");
}

#[test]
fn a_timed_out_write_aborts_and_says_the_cleanup_cannot_be_done() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    d.step(read(false, 3));
    let cmds = d.step(Input::Written(Err(WriteError {
        unknown: true,
        message: "timeout".into(),
    })));
    assert_eq!(cmds, vec![Command::Finish]);
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("unknown"), "{}", reason(&d));
    assert!(
        matches!(d.cleanup, Some(Err(_))),
        "said, not silently skipped"
    );
    assert!(!d.restart_sent);
}

#[test]
fn a_marker_not_readable_right_after_writing_aborts_and_cleans_up() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    let cmds = d.step(read(false, 3));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(!d.restart_sent, "no restart without a marker to look for");
    cleans_up(&mut d, cmds);
}

#[test]
fn a_refused_restart_aborts_naming_it_and_cleans_up() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    let cmds = d.step(Input::Restarted(Err(RestartError {
        unknown: false,
        message: "add ecs:StopTask to the IAM policy (AccessDeniedException)".into(),
    })));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("ecs:StopTask"), "{}", reason(&d));
    cleans_up(&mut d, cmds);
}

#[test]
fn a_timed_out_restart_keeps_observing_and_can_still_pass() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    let cmds = d.step(Input::Restarted(Err(RestartError {
        unknown: true,
        message: "timeout".into(),
    })));
    assert!(cmds.is_empty(), "no verdict yet: the task may still stop");
    assert_eq!(d.stage, Stage::Observing);
    assert_eq!(back(&mut d), vec![Command::Read]);
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Pass);
}

#[test]
fn an_unknown_restart_that_never_happened_aborts_at_the_timeout() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    d.step(Input::Restarted(Err(RestartError {
        unknown: true,
        message: "timeout".into(),
    })));
    d.step(Input::Observed(world(
        1,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    )));
    let cmds = d.step(Input::Tick(at(700)));
    assert_eq!(
        verdict(&d),
        Verdict::Aborted,
        "no restart happened: {}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn no_new_task_ever_fails_at_the_timeout_with_the_last_step() {
    let mut d = restarted(false);
    d.step(Input::Observed(world(
        5,
        vec![task(OLD, "STOPPED")],
        &[],
        Some(false),
    )));
    assert!(d.step(Input::Tick(at(300))).is_empty(), "not yet");
    let cmds = d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(
        reason(&d).contains("did not come back within 10m"),
        "{}",
        reason(&d)
    );
    assert!(
        reason(&d).contains("old tasks stopped"),
        "the last step: {}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn a_replacement_that_fails_to_start_is_named_in_the_fail() {
    let mut d = restarted(false);
    let mut failed = task(NEW, "STOPPED");
    failed.stop_reason =
        Some("TaskFailedToStart: ResourceInitializationError: failed to invoke EFS utils".into());
    d.step(Input::Observed(world(
        30,
        vec![task(OLD, "STOPPED"), failed],
        &[],
        Some(false),
    )));
    d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(
        reason(&d).contains("ResourceInitializationError"),
        "{}",
        reason(&d)
    );
}

#[test]
fn a_task_stopped_before_the_drill_is_not_taken_for_a_replacement() {
    let mut d = drill(false);
    let mut earlier = task("arn:aws:ecs:us-east-1:1:task/c/earlier0dddd", "STOPPED");
    earlier.stop_reason = Some("Essential container in task exited".into());
    let base = world(
        0,
        vec![task(OLD, "RUNNING"), earlier.clone()],
        &[("10.0.1.5", OLD)],
        Some(true),
    );
    d.step(Input::Baseline(base));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    d.step(Input::Restarted(Ok(())));
    d.step(Input::Observed(world(
        5,
        vec![task(OLD, "STOPPED"), earlier],
        &[],
        Some(false),
    )));
    d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(
        !reason(&d).contains("Essential container"),
        "{}",
        reason(&d)
    );
}

#[test]
fn the_old_task_never_stopping_is_not_back() {
    let mut d = restarted(false);
    // The new task is up and healthy, but the old one still runs.
    let cmds = d.step(Input::Observed(world(
        40,
        vec![task(OLD, "RUNNING"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    assert!(cmds.is_empty(), "no final read while the old task runs");
    assert_eq!(d.waiting(), "the old task to stop");
    d.step(Input::Tick(at(700)));
    // It never even left (desired RUNNING throughout): nothing was
    // restarted, so nothing about the data was tested (issue 17, rule 4).
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(
        reason(&d).contains("nothing was restarted"),
        "{}",
        reason(&d)
    );
}

#[test]
fn the_final_read_waits_for_the_new_target_to_be_healthy() {
    let mut d = restarted(false);
    // Old stopped, new running, the probe even answers (an ALB fails
    // open) — but the new target is not healthy yet.
    let cmds = d.step(Input::Observed(world(
        30,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[],
        Some(true),
    )));
    assert!(cmds.is_empty(), "must wait");
    assert_eq!(d.stage, Stage::Observing);
    assert_eq!(
        d.waiting(),
        "the new task's target healthy",
        "said on screen"
    );
    assert_eq!(back(&mut d), vec![Command::Read]);
}

#[test]
fn a_pre_drill_task_still_serving_aborts_when_there_are_several() {
    let mut d = drill(false);
    let base = world(
        0,
        vec![task(OLD, "RUNNING"), task(OLD2, "RUNNING")],
        &[("10.0.1.5", OLD), ("10.0.1.6", OLD2)],
        Some(true),
    );
    d.step(Input::Baseline(base));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    // Every pre-drill task is to be restarted, one at a time.
    assert_eq!(
        d.step(read(true, 4)),
        vec![Command::Restart(Some(vec![OLD.into()]))]
    );
    d.step(Input::Restarted(Ok(())));
    // OLD's replacement is not healthy yet: OLD2 waits.
    let cmds = d.step(Input::Observed(world(
        30,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "RUNNING"),
            task(NEW, "PENDING"),
        ],
        &[("10.0.1.6", OLD2)],
        Some(true),
    )));
    assert!(cmds.is_empty(), "the service keeps one task serving");
    assert!(
        d.waiting()
            .contains("before the next (1 of 2 stopped so far)"),
        "{}",
        d.waiting()
    );
    // Replaced: now OLD2. Not back while it runs.
    let cmds = d.step(Input::Observed(world(
        40,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "RUNNING"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.1.6", OLD2), ("10.0.2.9", NEW)],
        Some(true),
    )));
    assert_eq!(cmds, vec![Command::Restart(Some(vec![OLD2.into()]))]);
    assert!(d.step(Input::Restarted(Ok(()))).is_empty());
    // Both stopped, but something still answers on a pre-drill target
    // (a task run by hand on the same IP and port).
    let mut w = world(
        50,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "STOPPED"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.2.9", NEW)],
        Some(true),
    );
    w.healthy_targets.push(("10.0.1.6".into(), None));
    // A poll may lag: the drill waits, saying for what…
    let cmds = d.step(Input::Observed(w.clone()));
    assert!(cmds.is_empty(), "no final read while it answers");
    assert!(d.verdict.is_none());
    assert!(d.waiting().contains("10.0.1.6"), "{}", d.waiting());
    // …and gives up on a valid test once the grace is over.
    w.now = at(50 + STALE_GRACE.as_secs() as i64 + 1);
    let cmds = d.step(Input::Observed(w));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("10.0.1.6"), "{}", reason(&d));
    cleans_up(&mut d, cmds);
}

#[test]
fn a_hand_set_url_with_no_outage_and_no_served_by_aborts() {
    let mut d = restarted(true);
    // The probe never went down and nothing named the new task.
    d.step(Input::Observed(world(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        Some(true),
    )));
    let cmds = d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    assert_eq!(cmds, vec![Command::Read]);
    let cmds = d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("cannot tell that the probe URL is served by this service"));
    cleans_up(&mut d, cmds);
    // With the served-by header naming the new task, it is evidence.
    let mut d = restarted(true);
    let mut w = world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    );
    w.served_by = Some("new00000cccc".into());
    assert_eq!(d.step(Input::Observed(w)), vec![Command::Read]);
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Pass, "{}", reason(&d));
}

#[test]
fn the_marker_only_inside_an_error_body_is_not_found() {
    let marker = "ecsdeck-drill-abc123";
    let body = format!(r#"{{"message":"no such goal: {marker}"}}"#);
    let r = read_result(500, body.as_bytes(), marker, Some("/goals"), Some("/goals"));
    assert!(!r.found, "a 500 never counts");
    let r = read_result(200, body.as_bytes(), marker, Some("/goals"), Some("/goals"));
    assert!(!r.found, "not at the pointer");
    let ok = format!(r#"{{"goals":[{{"id":"1","text":"{marker}"}}]}}"#);
    let r = read_result(200, ok.as_bytes(), marker, Some("/goals"), Some("/goals"));
    assert!(r.found && r.count == Some(1));
    // Part of a longer string is not the marker.
    let longer = format!(r#"{{"goals":[{{"id":"1","text":"x{marker}y"}}]}}"#);
    assert!(!read_result(200, longer.as_bytes(), marker, Some("/goals"), None).found);
}

#[test]
fn a_missing_marker_fails_on_every_read_of_20_s() {
    let mut d = restarted(false);
    back(&mut d);
    // A new task may answer before its data is in place: not at once.
    assert_eq!(d.step(read(false, 4)), vec![Command::ReadAgain]);
    d.step(Input::Tick(at(50)));
    assert_eq!(d.step(read(false, 4)), vec![Command::ReadAgain]);
    d.step(Input::Tick(at(60)));
    let cmds = d.step(read(false, 4));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(
        reason(&d).contains("marker ecsdeck-drill-abc123 is missing")
            && reason(&d).contains("3 reads over 20 s"),
        "{}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn a_dropped_count_fails_even_with_the_marker() {
    let mut d = restarted(false);
    back(&mut d);
    d.step(read(true, 1));
    assert_eq!(verdict(&d), Verdict::Fail);
    assert!(reason(&d).contains("from 4 to 1"), "{}", reason(&d));
}

#[test]
fn cancel_aborts_says_whether_the_restart_was_sent_and_cleans_up() {
    let mut d = restarted(false);
    let cmds = d.step(Input::Cancel(Stop::Operator));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(
        reason(&d).contains("the restart had already been requested"),
        "{}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
    assert!(d.step(read(true, 4)).is_empty(), "over: nothing more");
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert_eq!(Verdict::Aborted.exit_code(), 3);
    assert_eq!(Verdict::Fail.exit_code(), 1);
    assert_eq!(
        serde_json::to_string(&Verdict::Aborted).expect("json"),
        "\"ABORTED\""
    );
}
