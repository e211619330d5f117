//! The restart on screen: the confirm dialog and the timeline, at 120×40
//! and 80×24.

use super::tests::{at, replacing, screen};
use crate::app::{Action, Msg, State, update};
use crate::model::Task;
use crate::model::observe::{Observation, PollEvent, Resource};

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

fn tasks_at(s: &mut State, tasks: Vec<Task>, t: i64) {
    update(
        s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Tasks,
            at: at(t),
            result: Ok(Observation::Tasks(tasks)),
        })),
    );
}

/// The fixture with only its healthy task up.
fn one_task() -> State {
    let mut s = replacing();
    let tasks: Vec<Task> = s
        .task_list()
        .iter()
        .filter(|t| !t.is_leaving() || t.is_stopped())
        .cloned()
        .collect();
    tasks_at(&mut s, tasks, 98);
    s
}

#[test]
fn the_confirm_dialog_says_what_will_happen() {
    let mut s = one_task();
    update(&mut s, Msg::Action(Action::StopTask));
    let big = screen(&s, 120, 40);
    assert!(big.contains("Stop task 6299e51e?"), "{big}");
    assert!(
        big.contains("max 200% with mongodb on EFS"),
        "the warnings that apply: {big}"
    );
    assert!(big.contains("nothing is sent before y"), "{big}");
    snap!("confirm_stop_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(
        small.contains("nothing is sent before"),
        "the answers stay in view: {small}"
    );
    snap!("confirm_stop_80x24", small);
    update(&mut s, Msg::Action(Action::Cancel));
    update(&mut s, Msg::Action(Action::ForceDeploy));
    let big = screen(&s, 120, 40);
    assert!(
        big.contains("each new task starts beside the old one"),
        "{big}"
    );
    snap!("confirm_deploy_120x40", big);
}

#[test]
fn the_timeline_tells_the_replacement() {
    let mut s = one_task();
    update(&mut s, Msg::Action(Action::StopTask));
    update(&mut s, Msg::Action(Action::Confirm));
    let old = s.task_list()[0].clone();
    let mut stopping = old.clone();
    stopping.desired_status = "STOPPED".into();
    stopping.last_status = "DEACTIVATING".into();
    stopping.stopping_at = Some(at(100));
    tasks_at(&mut s, vec![stopping.clone()], 101);
    let mut new = crate::model::fixtures::task("7a3c11d0", "10.0.2.30", "PROVISIONING", "RUNNING");
    new.created_at = Some(at(101));
    tasks_at(&mut s, vec![new.clone(), stopping.clone()], 102);
    let mut stopped = stopping.clone();
    stopped.last_status = "STOPPED".into();
    stopped.stopped_at = Some(at(110));
    stopped.stopped_reason = Some("ecsdeck: stopped by an operator".into());
    new.last_status = "RUNNING".into();
    new.started_at = Some(at(125));
    new.pull_started_at = Some(at(104));
    new.pull_stopped_at = Some(at(118));
    tasks_at(&mut s, vec![new, stopped], 126);
    update(&mut s, Msg::Tick(at(127)));
    let big = screen(&s, 120, 40);
    assert!(
        big.contains("Restart task 6299e51e → 7a3c11d0 · in progress"),
        "{big}"
    );
    assert!(big.contains("stop requested by ecsdeck"), "{big}");
    assert!(
        big.contains("new task PROVISIONING") && big.contains("(polled: within 1 s before)"),
        "{big}"
    );
    assert!(
        big.contains("+10.0s  old task STOPPED"),
        "AWS's stoppedAt: {big}"
    );
    snap!("timeline_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("Restart task 6299e51e"), "{small}");
    // The logs keep 6 lines beside the timeline, whose newest steps show.
    assert!(
        super::tests_room::logs_rows(&small) >= 8,
        "the logs' rows during a restart: {small}"
    );
    assert!(small.contains("new task RUNNING"), "{small}");
    snap!("timeline_80x24", small);
    update(&mut s, Msg::Action(Action::DismissTimeline));
    assert!(!screen(&s, 120, 40).contains("Restart task"));
}

#[test]
fn redact_masks_the_account_id_everywhere_on_screen() {
    let mut s = one_task();
    // A stop reason from someone else that carries the account id.
    let mut tasks = s.task_list().to_vec();
    if let Some(t) = tasks.iter_mut().find(|t| t.is_stopped()) {
        t.stopped_reason =
            Some("stopped by arn:aws:iam::123456789012:user/bob in 99912345678999".into());
    }
    tasks_at(&mut s, tasks, 99);
    let plain = screen(&s, 120, 40);
    assert!(plain.contains("123456789012"), "{plain}");
    s.ctx.redact = true;
    let out = screen(&s, 120, 40);
    assert!(!out.contains("123456789012"), "{out}");
    assert!(out.contains("account redacted"), "{out}");
    assert!(
        out.contains("99912345678999"),
        "a longer number is not the account: {out}"
    );
    s.focus = crate::app::Pane::Tasks;
    update(&mut s, Msg::Action(Action::Zoom));
    let zoomed = screen(&s, 120, 40);
    assert!(!zoomed.contains("123456789012"), "{zoomed}");
    // Before the identity is known (or with STS unreachable): every ARN's
    // account field is masked from the first frame.
    s.world.identity = Default::default();
    let early = screen(&s, 120, 40);
    assert!(!early.contains("arn:aws:iam::123456789012:"), "{early}");
    assert!(
        early.contains("arn:aws:iam::••••••••••••:user/bob"),
        "{early}"
    );
}
