//! The guards that an independent review of the drill asked for: each
//! scenario could have given a false PASS or a wrong verdict.

use super::tests::*;
use super::*;

#[test]
fn a_task_that_started_after_the_baseline_is_restarted_too_not_taken_for_new() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    )));
    d.step(read(false, 3));
    // A scale-out (or a replacement of an unhealthy task) before the
    // restart: it may have taken the write.
    d.step(Input::Observed(world(
        1,
        vec![task(OLD, "RUNNING"), task(OLD2, "RUNNING")],
        &[("10.0.1.5", OLD), ("10.0.1.6", OLD2)],
        Some(true),
    )));
    d.step(Input::Written(Ok(Some("m1".into()))));
    assert_eq!(
        d.step(read(true, 4)),
        vec![Command::Restart(Some(vec![OLD.into()]))],
    );
    d.step(Input::Restarted(Ok(())));
    // OLD stopped and replaced, OLD2 still serving: it is stopped next,
    // never taken for a replacement.
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
    assert_eq!(
        cmds,
        vec![Command::Restart(Some(vec![OLD2.into()]))],
        "both are stopped"
    );
    d.step(Input::Restarted(Ok(())));
    assert_eq!(d.stage, Stage::Observing);
}

#[test]
fn a_task_missing_from_the_list_is_not_a_stopped_one() {
    let mut d = restarted(false);
    // ListTasks is eventually consistent: the old task gone from the
    // RUNNING list but not yet listed STOPPED.
    let cmds = d.step(Input::Observed(world(
        40,
        vec![task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    assert!(
        cmds.is_empty(),
        "not back before the old task is seen STOPPED"
    );
    assert_eq!(d.waiting(), "the old task to stop");
    // Once seen STOPPED it stays so, even if it later drops off the list.
    d.step(Input::Observed(world(
        41,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[],
        Some(false),
    )));
    let cmds = d.step(Input::Observed(world(
        42,
        vec![task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    assert_eq!(cmds, vec![Command::Read]);
}

#[test]
fn a_healthy_target_of_no_replacement_blocks_the_final_read() {
    let mut d = restarted(false);
    d.step(Input::Observed(world(
        5,
        vec![task(OLD, "STOPPING")],
        &[],
        Some(false),
    )));
    // A hand-run task that was not healthy at the baseline, now healthy,
    // on the IP of a stopped task of the service.
    let cmds = d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW), ("10.0.1.5", OLD)],
        Some(true),
    )));
    assert!(cmds.is_empty());
    assert!(d.waiting().contains("10.0.1.5"), "{}", d.waiting());
}

#[test]
fn a_count_that_cannot_be_read_after_the_restart_is_no_pass() {
    let mut d = restarted(false);
    back(&mut d);
    let cmds = d.step(Input::Read(Read {
        status: Some(200),
        found: true,
        count: None,
        served_by: None,
        unreadable: None,
    }));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(reason(&d).contains("record count could not be read"));
    cleans_up(&mut d, cmds);
}

#[test]
fn a_failure_before_the_restart_is_not_its_outage_and_a_short_served_by_names_nothing() {
    let mut d = drill(true);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    d.step(Input::Restarted(Ok(())));
    // The probe's last sample failed before the restart was requested.
    let mut w = world(5, vec![task(OLD, "STOPPING")], &[], Some(false));
    w.probe_at = Some(at(-1));
    d.step(Input::Observed(w));
    assert!(!d.outage_seen, "that failure was not the restart's outage");
    // A served-by value any id ends with is no evidence.
    let mut w = world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    );
    w.served_by = Some("c".into());
    assert_eq!(d.step(Input::Observed(w)), vec![Command::Read]);
    assert!(!d.served_by_new);
    d.step(read(true, 4));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(names_task("new00000", NEW), "a short id of 8");
    assert!(names_task("new00000cccc", NEW));
    assert!(!names_task("c", NEW), "the old suffix rule matched this");
}

#[test]
fn the_final_answer_naming_the_new_task_is_evidence_for_a_hand_set_url() {
    let mut d = restarted(true);
    // No outage seen (the ALB kept answering from a draining target).
    d.step(Input::Observed(world(
        40,
        vec![task(OLD, "STOPPED"), task(NEW, "RUNNING")],
        &[("10.0.2.9", NEW)],
        Some(true),
    )));
    d.step(Input::Read(Read {
        status: Some(200),
        found: true,
        count: Some(4),
        served_by: Some(NEW.into()),
        unreadable: None,
    }));
    assert_eq!(verdict(&d), Verdict::Pass, "{}", reason(&d));
}

#[test]
fn a_fail_at_the_timeout_cites_what_ecs_and_the_replacement_said() {
    let mut d = restarted(false);
    let mut new = task(NEW, "STOPPED");
    new.stop_reason = Some(
        "TaskFailedToStart: ResourceInitializationError: failed to invoke EFS utils commands, container mongodb exited 32".into(),
    );
    let mut w = world(30, vec![task(OLD, "STOPPED"), new], &[], Some(false));
    w.scheduler_trouble =
        Some("(service goals-service) is unable to consistently start tasks successfully.".into());
    d.step(Input::Observed(w));
    let cmds = d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Fail);
    let r = reason(&d);
    assert!(
        r.contains("ResourceInitializationError") && r.contains("exited 32"),
        "{r}"
    );
    assert!(r.contains("unable to consistently start tasks"), "{r}");
    cleans_up(&mut d, cmds);
}

#[test]
fn a_drill_that_lost_sight_of_the_service_is_aborted_not_failed() {
    let mut d = restarted(false);
    let mut w = world(20, vec![task(OLD, "STOPPING")], &[], Some(false));
    w.blind = Some("ecs:DescribeTasks has failed for 45 s: throttled on ecs:DescribeTasks".into());
    d.step(Input::Observed(w));
    d.step(Input::Tick(at(700)));
    assert_eq!(verdict(&d), Verdict::Aborted, "{}", reason(&d));
    assert!(
        reason(&d).contains("could not be watched"),
        "{}",
        reason(&d)
    );
}

#[test]
fn a_refusal_of_the_second_stop_says_the_first_was_done() {
    let mut d = drill(false);
    d.step(Input::Baseline(world(
        0,
        vec![task(OLD, "RUNNING"), task(OLD2, "RUNNING")],
        &[("10.0.1.5", OLD), ("10.0.1.6", OLD2)],
        Some(true),
    )));
    d.step(read(false, 3));
    d.step(Input::Written(Ok(Some("m1".into()))));
    d.step(read(true, 4));
    d.step(Input::Restarted(Ok(())));
    d.step(Input::Observed(world(
        40,
        vec![
            task(OLD, "STOPPED"),
            task(OLD2, "RUNNING"),
            task(NEW, "RUNNING"),
        ],
        &[("10.0.1.6", OLD2), ("10.0.2.9", NEW)],
        Some(true),
    )));
    let cmds = d.step(Input::Restarted(Err(RestartError {
        unknown: false,
        message: "add ecs:StopTask to the IAM policy".into(),
    })));
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(
        reason(&d).contains("after 1 of 2 tasks were stopped"),
        "{}",
        reason(&d)
    );
    cleans_up(&mut d, cmds);
}

#[test]
fn a_first_read_that_cannot_be_judged_writes_nothing() {
    // An answer too long to read whole (or an HTML page): the marker's
    // absence cannot be told, so nothing is written to find again.
    let mut d = drill(false);
    let base = world(
        0,
        vec![task(OLD, "RUNNING")],
        &[("10.0.1.5", OLD)],
        Some(true),
    );
    assert_eq!(d.step(Input::Baseline(base)), vec![Command::Read]);
    let cmds = d.step(Input::Read(Read {
        status: Some(200),
        found: false,
        count: None,
        served_by: None,
        unreadable: Some("the answer is longer than 16 MiB".into()),
    }));
    assert_eq!(cmds, vec![Command::Finish], "no Write");
    assert!(!d.written);
    assert_eq!(verdict(&d), Verdict::Aborted);
    assert!(reason(&d).contains("longer than 16 MiB"), "{}", reason(&d));
}
