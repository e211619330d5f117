//! Every way a run ends, on the reducer: a signal or the terminal's loss
//! with and without a drill running, at each step of the drill.

use super::*;
use crate::app::drill::{DrillEffect, DrillMsg};
use crate::app::testing::{loaded_with, ok, probe_up};
use crate::app::{Action, Msg, update};
use crate::model::drill::Report;
use crate::model::drill::machine::{Read, Verdict};
use crate::model::fixtures::*;
use crate::model::observe::{Observation, Resource};
use crate::model::probe::ProbeInfo;

fn at(t: i64) -> Time {
    ts(t).expect("time")
}

fn read(found: bool) -> Msg {
    Msg::Drill(DrillMsg::Read {
        result: Ok(Read {
            status: Some(200),
            found,
            count: Some(if found { 4 } else { 3 }),
            served_by: None,
            unreadable: None,
        }),
        at: at(101),
    })
}

/// How far the drill got when the program is asked to end.
#[derive(PartialEq)]
enum Point {
    /// The marker's write is sent, not answered.
    WriteInFlight,
    /// The marker (id 42) is written and read back; StopTask is sent,
    /// not answered.
    RestartInFlight,
    /// StopTask was accepted: the drill watches the replacement.
    Watching,
}

fn drill_to(point: Point) -> (State, Vec<Effect>) {
    let mut s = loaded_with(
        false,
        vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    s.set_probe(Some(ProbeInfo::default()));
    update(&mut s, ok(Resource::Probe, probe_up(100)));
    let targets = || {
        ok(
            Resource::Targets,
            Observation::Targets(vec![tg(vec![target("10.0.1.5", "healthy", None)])]),
        )
    };
    update(&mut s, targets());
    update(&mut s, Msg::Action(Action::Drill));
    update(&mut s, Msg::Action(Action::Confirm));
    update(
        &mut s,
        Msg::Drill(DrillMsg::Begun {
            marker: "ecsdeck-drill-0a1b2c3d4e5f".into(),
            at: at(100),
            clock_offset_s: None,
        }),
    );
    // The baseline: polls answered after yes.
    let poll = |resource, obs| {
        Msg::Poll(Box::new(crate::model::observe::PollEvent {
            resource,
            at: at(101),
            result: Ok(obs),
        }))
    };
    let mut fx = update(&mut s, poll(Resource::Probe, probe_up(101)));
    fx.extend(update(
        &mut s,
        poll(
            Resource::Tasks,
            Observation::Tasks(vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")]),
        ),
    ));
    fx.extend(update(
        &mut s,
        poll(
            Resource::Targets,
            Observation::Targets(vec![tg(vec![target("10.0.1.5", "healthy", None)])]),
        ),
    ));
    assert!(has_read(&fx), "the baseline: {fx:?}");
    let fx = update(&mut s, read(false));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Drill(DrillEffect::Write { .. }))),
        "{fx:?}"
    );
    if point == Point::WriteInFlight {
        return (s, fx);
    }
    let fx = update(&mut s, Msg::Drill(DrillMsg::Written(Ok(Some("42".into())))));
    assert!(has_read(&fx), "read back: {fx:?}");
    let fx = update(&mut s, read(true));
    assert!(restart_sent(&fx), "{fx:?}");
    if point == Point::RestartInFlight {
        return (s, fx);
    }
    let fx = update(&mut s, Msg::Drill(DrillMsg::Restarted(Ok(()))));
    (s, fx)
}

fn has_read(fx: &[Effect]) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::Drill(DrillEffect::Read { .. })))
}

fn restart_sent(fx: &[Effect]) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::Drill(DrillEffect::Restart { .. })))
}

fn delete_of(fx: &[Effect]) -> Option<Duration> {
    fx.iter().find_map(|e| match e {
        Effect::Drill(DrillEffect::Delete { id, wait, .. }) if id == "42" => Some(*wait),
        _ => None,
    })
}

fn finish_of(fx: &[Effect]) -> Option<Report> {
    fx.iter().find_map(|e| match e {
        Effect::Drill(DrillEffect::Finish(r)) => Some((**r).clone()),
        _ => None,
    })
}

/// The report written: the dashboard quits now.
fn files_written(s: &mut State, r: Report) -> Vec<Effect> {
    update(
        s,
        Msg::Drill(DrillMsg::Finished {
            report: Box::new(r),
            files: Ok(vec!["/w/ecsdeck-drill-1-aborted.json".into()]),
        }),
    )
}

#[test]
fn without_a_drill_a_signal_or_a_lost_terminal_quits_at_once_with_its_exit_code() {
    for (why, code) in [
        (Shutdown::Signal(15), 143),
        (Shutdown::Signal(1), 129),
        (Shutdown::Signal(2), 130),
        (Shutdown::TerminalGone, 1),
    ] {
        let mut s = loaded_with(false, vec![]);
        assert_eq!(
            update(&mut s, Msg::Shutdown(why, at(100))),
            vec![Effect::Quit]
        );
        assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(code), "{why:?}");
    }
    // The preflight is open: nothing was sent, nothing to clean up.
    let (mut s, _) = drill_to(Point::Watching);
    s.drill = None;
    s.modal = None;
    update(&mut s, Msg::Action(Action::Drill));
    assert_eq!(
        update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(100))),
        vec![Effect::Quit]
    );
}

#[test]
fn sigterm_mid_drill_deletes_the_marker_within_the_limit_writes_the_report_then_quits_143() {
    let (mut s, _) = drill_to(Point::Watching);
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(110)));
    assert!(!restart_sent(&fx), "nothing new goes to AWS");
    assert!(!fx.contains(&Effect::Quit), "not before the cleanup");
    let wait = delete_of(&fx).expect("the marker's delete");
    assert!(wait <= CLEANUP_LIMIT, "bounded: {wait:?}");
    let d = s.drill.as_ref().expect("drill");
    assert!(
        d.transcript()
            .iter()
            .any(|l| l.contains("cancelled by SIGTERM: cleaning up")),
        "{:?}",
        d.transcript()
    );
    assert_eq!(
        s.modal,
        Some(crate::app::Modal::Drill),
        "the cleanup is shown"
    );
    // Keys still answer, and none of them quits before the report.
    assert!(!update(&mut s, Msg::Action(Action::Cancel)).contains(&Effect::Quit));
    let fx = update(&mut s, Msg::Drill(DrillMsg::Deleted(Ok(()))));
    let r = finish_of(&fx).expect("the report");
    assert_eq!(r.verdict, Verdict::Aborted);
    assert_eq!(
        r.reason,
        "cancelled by SIGTERM; the restart had already been requested"
    );
    assert_eq!(r.cancelled_by.as_deref(), Some("SIGTERM"));
    assert_eq!(r.cleanup_limit_s, Some(CLEANUP_LIMIT.as_secs()));
    assert_eq!(r.cleanup, "deleted");
    assert_eq!(files_written(&mut s, r), vec![Effect::Quit]);
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(143));
}

#[test]
fn a_signal_while_the_write_is_in_flight_sends_no_stop_task_and_deletes_what_was_written() {
    let (mut s, _) = drill_to(Point::WriteInFlight);
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(1), at(105)));
    assert!(fx.is_empty(), "waits for the write's answer: {fx:?}");
    let fx = update(&mut s, Msg::Drill(DrillMsg::Written(Ok(Some("42".into())))));
    assert!(!restart_sent(&fx), "no StopTask after the signal: {fx:?}");
    assert!(delete_of(&fx).is_some(), "{fx:?}");
    let fx = update(&mut s, Msg::Drill(DrillMsg::Deleted(Ok(()))));
    let r = finish_of(&fx).expect("report");
    assert_eq!(r.reason, "cancelled by SIGHUP; no restart was requested");
}

#[test]
fn a_delete_without_an_answer_is_given_up_at_the_limit_and_the_report_says_so() {
    let (mut s, _) = drill_to(Point::Watching);
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(110)));
    assert!(delete_of(&fx).is_some());
    // The API does not answer the delete.
    for t in 111..135 {
        assert!(
            update(&mut s, Msg::Tick(at(t)))
                .iter()
                .all(|e| finish_of(std::slice::from_ref(e)).is_none())
        );
    }
    let fx = update(&mut s, Msg::Tick(at(135)));
    let r = finish_of(&fx).expect("the report, at the limit");
    assert!(
        r.cleanup.contains(
            "the delete had not succeeded when the process ended (SIGTERM, 25 s allowed)"
        ),
        "{}",
        r.cleanup
    );
    assert_eq!(files_written(&mut s, r), vec![Effect::Quit]);
}

#[test]
fn a_second_signal_while_stop_task_is_unanswered_still_sends_the_delete_once_then_quits() {
    let (mut s, _) = drill_to(Point::RestartInFlight);
    // SIGINT from GitHub Actions, then its SIGTERM.
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(2), at(105)));
    assert!(fx.is_empty(), "waits for StopTask's answer: {fx:?}");
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(106)));
    let wait = delete_of(&fx).expect("the delete, once");
    assert!(wait <= LAST_TRY, "{wait:?}");
    // The exit code is the first signal's, as the run was ended by it.
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(130));
    // No answer: at the shortened deadline, the report.
    let fx = update(&mut s, Msg::Tick(at(108)));
    let r = finish_of(&fx).expect("report");
    assert!(
        r.reason
            .starts_with("cancelled by SIGINT; the restart had already been requested"),
        "{}",
        r.reason
    );
    assert!(
        r.cleanup
            .starts_with("not done: the delete had not succeeded"),
        "{}",
        r.cleanup
    );
    assert_eq!(files_written(&mut s, r), vec![Effect::Quit]);
}

#[test]
fn a_lost_terminal_after_a_hangup_is_one_ending_and_exits_129() {
    let (mut s, _) = drill_to(Point::Watching);
    let fx = update(&mut s, Msg::Shutdown(Shutdown::Signal(1), at(110)));
    assert!(delete_of(&fx).is_some());
    // EIO on the next draw: not a second signal, the delete is not cut
    // short.
    assert!(update(&mut s, Msg::Shutdown(Shutdown::TerminalGone, at(110))).is_empty());
    assert!(
        update(&mut s, Msg::Tick(at(112)))
            .iter()
            .all(|e| finish_of(std::slice::from_ref(e)).is_none())
    );
    let fx = update(&mut s, Msg::Drill(DrillMsg::Deleted(Ok(()))));
    let r = finish_of(&fx).expect("report");
    assert_eq!(r.cancelled_by.as_deref(), Some("SIGHUP"));
    assert_eq!(files_written(&mut s, r), vec![Effect::Quit]);
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(129));
    // The terminal first, then the hangup: the hangup's code.
    let (mut s, _) = drill_to(Point::Watching);
    update(&mut s, Msg::Shutdown(Shutdown::TerminalGone, at(110)));
    assert!(update(&mut s, Msg::Shutdown(Shutdown::Signal(1), at(110))).is_empty());
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(129));
}

#[test]
fn ctrl_c_twice_mid_drill_quits_once_the_delete_was_tried_never_before() {
    let (mut s, _) = drill_to(Point::Watching);
    let fx = update(&mut s, Msg::Action(Action::Quit));
    assert!(delete_of(&fx).is_some(), "the first cancels: {fx:?}");
    let fx = update(&mut s, Msg::Action(Action::Quit));
    assert!(
        fx.is_empty(),
        "the delete is in flight: it is given its moment: {fx:?}"
    );
    let fx = update(&mut s, Msg::Drill(DrillMsg::Deleted(Ok(()))));
    let r = finish_of(&fx).expect("the report");
    assert!(
        r.reason.starts_with("cancelled by the operator"),
        "{}",
        r.reason
    );
    assert_eq!(r.cleanup, "deleted");
    assert_eq!(files_written(&mut s, r), vec![Effect::Quit]);
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(0));
    // The delete unanswered: the report after LAST_TRY, then quit.
    let (mut s, _) = drill_to(Point::Watching);
    update(&mut s, Msg::Action(Action::Quit));
    update(&mut s, Msg::Action(Action::Quit));
    let fx = update(&mut s, Msg::Tick(at(100 + LAST_TRY.as_secs() as i64)));
    let r = finish_of(&fx).expect("the report");
    assert!(
        r.cleanup
            .contains("had not succeeded when the process ended (a second Ctrl-C)"),
        "{}",
        r.cleanup
    );
}

#[test]
fn a_panic_in_one_of_the_drills_tasks_ends_it_aborted_with_its_cleanup_never_running_for_ever() {
    // Watching: the marker's id is known; the drill deletes it.
    let (mut s, _) = drill_to(Point::Watching);
    let fx = update(&mut s, Msg::Drill(DrillMsg::Internal("boom".into())));
    assert!(delete_of(&fx).is_some(), "{fx:?}");
    let fx = update(&mut s, Msg::Drill(DrillMsg::Deleted(Ok(()))));
    let r = finish_of(&fx).expect("report");
    assert_eq!(r.verdict, Verdict::Aborted);
    assert!(
        r.reason.starts_with("internal error in ecsdeck (boom)"),
        "{}",
        r.reason
    );
    assert_eq!(r.cancelled_by.as_deref(), Some("internal error"));
    update(
        &mut s,
        Msg::Drill(DrillMsg::Finished {
            report: Box::new(r),
            files: Ok(vec![]),
        }),
    );
    assert!(!crate::app::drill::busy(&s), "S, D and R are back");
    // The restart's task panicked: its answer never comes; the delete
    // goes out at once.
    let (mut s, _) = drill_to(Point::RestartInFlight);
    let fx = update(&mut s, Msg::Drill(DrillMsg::Internal("boom".into())));
    assert!(delete_of(&fx).is_some(), "{fx:?}");
    assert!(!restart_sent(&fx));
}

#[test]
fn a_hangup_heard_twice_is_one_ending_and_ctrl_c_after_sigterm_keeps_143() {
    // The kernel's SIGHUP, then the exiting shell's SIGHUP to its jobs:
    // the cleanup keeps its whole limit.
    let (mut s, _) = drill_to(Point::Watching);
    update(&mut s, Msg::Shutdown(Shutdown::Signal(1), at(110)));
    assert!(update(&mut s, Msg::Shutdown(Shutdown::Signal(1), at(110))).is_empty());
    assert!(update(&mut s, Msg::Shutdown(Shutdown::TerminalGone, at(111))).is_empty());
    assert!(
        update(&mut s, Msg::Tick(at(125)))
            .iter()
            .all(|e| finish_of(std::slice::from_ref(e)).is_none()),
        "still within the limit"
    );
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(129));
    // SIGTERM, then the operator's Ctrl-C in the drill's window: quit
    // sooner, but the exit code is still the signal's.
    let (mut s, _) = drill_to(Point::Watching);
    update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(110)));
    update(&mut s, Msg::Action(Action::Quit));
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(143));
    let fx = update(&mut s, Msg::Tick(at(113)));
    let r = finish_of(&fx).expect("the report, after the shortened wait");
    assert!(
        r.cleanup.contains("(SIGTERM, then another signal)"),
        "{}",
        r.cleanup
    );
    // SIGTERM, then the terminal lost: not a second signal.
    let (mut s, _) = drill_to(Point::Watching);
    update(&mut s, Msg::Shutdown(Shutdown::Signal(15), at(110)));
    assert!(update(&mut s, Msg::Shutdown(Shutdown::TerminalGone, at(110))).is_empty());
    assert!(
        update(&mut s, Msg::Tick(at(120)))
            .iter()
            .all(|e| finish_of(std::slice::from_ref(e)).is_none())
    );
    assert_eq!(s.ending.map(|e| e.why.exit_code()), Some(143));
}
