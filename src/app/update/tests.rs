use std::time::Duration;

use super::*;
use crate::app::Context;
use crate::model::error::{CloudError, ErrorKind};
use crate::model::fixtures::{service, target, task, task_def, tg, ts};
use crate::model::observe::Failure;
use crate::model::{ServiceRef, Time};

fn now() -> Time {
    ts(100).expect("time")
}

fn state() -> State {
    State::new(
        Context {
            log_buffer: 100,
            ..Context::new(
                ServiceRef {
                    cluster: "goals-cluster".into(),
                    service: "goals-service".into(),
                },
                "us-east-1",
            )
        },
        now(),
    )
}

fn ok(resource: Resource, obs: Observation) -> Msg {
    Msg::Poll(Box::new(PollEvent {
        resource,
        at: now(),
        result: Ok(obs),
    }))
}

fn loaded() -> State {
    let mut s = state();
    update(
        &mut s,
        ok(Resource::Service, Observation::Service(Box::new(service()))),
    );
    update(
        &mut s,
        ok(Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
    );
    let mut old = task("old00000", "10.0.1.9", "STOPPED", "STOPPED");
    old.created_at = ts(-500);
    let mut new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
    new.created_at = ts(10);
    update(
        &mut s,
        ok(Resource::Tasks, Observation::Tasks(vec![old, new])),
    );
    update(
        &mut s,
        ok(
            Resource::Targets,
            Observation::Targets(vec![tg(vec![target("10.0.1.5", "healthy", None)])]),
        ),
    );
    s
}

#[test]
fn tasks_sorted_living_first_and_selection_follows_newest() {
    let s = loaded();
    let ids: Vec<&str> = s.task_list().iter().map(|t| t.short()).collect();
    assert_eq!(ids, vec!["new00000", "old00000"]);
    assert_eq!(s.selected_task().map(|t| t.short()), Some("new00000"));
    assert_eq!(s.verdict().health, crate::model::derive::Health::Healthy);
}

#[test]
fn enter_pins_a_task_and_esc_unpins() {
    let mut s = loaded();
    update(&mut s, Msg::Action(Action::Down));
    update(&mut s, Msg::Action(Action::Select));
    assert_eq!(s.selected_task().map(|t| t.short()), Some("old00000"));
    assert_eq!(s.focus, Pane::Containers);
    update(&mut s, Msg::Action(Action::PrevPane));
    update(&mut s, Msg::Action(Action::Close));
    assert_eq!(s.selected_task().map(|t| t.short()), Some("new00000"));
}

#[test]
fn failed_poll_keeps_last_data_and_records_why() {
    let mut s = loaded();
    let err = CloudError::new(ErrorKind::AccessDenied, "ecs:DescribeTasks", "not allowed");
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Tasks,
            at: ts(200).expect("time"),
            result: Err(Failure {
                error: err.clone(),
                retry_in: Duration::from_secs(30),
            }),
        })),
    );
    assert_eq!(s.task_list().len(), 2, "data kept");
    let e = s.world.tasks.error.as_ref().expect("error recorded");
    assert_eq!(e.error, err);
    assert_eq!(s.world.tasks.updated, Some(now()));
    assert_eq!(
        e.error.operator_text(),
        "add ecs:DescribeTasks to the IAM policy (AccessDenied)"
    );
}

#[test]
fn cursor_stays_in_bounds_and_tab_cycles() {
    let mut s = loaded();
    for _ in 0..5 {
        update(&mut s, Msg::Action(Action::Down));
    }
    assert_eq!(s.cursor[Pane::Tasks.index()], 1);
    update(&mut s, Msg::Action(Action::Top));
    assert_eq!(s.cursor[Pane::Tasks.index()], 0);
    // The probe is off here: Tab never lands on it.
    for _ in 0..Pane::ALL.len() - 1 {
        update(&mut s, Msg::Action(Action::NextPane));
        assert_ne!(s.focus, Pane::Probe);
    }
    assert_eq!(s.focus, Pane::Tasks);
    s.set_probe(Some(crate::model::probe::ProbeInfo::default()));
    for _ in 0..Pane::ALL.len() {
        update(&mut s, Msg::Action(Action::NextPane));
    }
    assert_eq!(s.focus, Pane::Tasks, "with the probe on, one more stop");
    s.focus = Pane::Efs;
    update(&mut s, Msg::Action(Action::NextPane));
    assert_eq!(s.focus, Pane::Probe);
    s.set_probe(None);
    s.focus = Pane::Tasks;
    update(&mut s, Msg::Action(Action::PrevPane));
    update(&mut s, Msg::Action(Action::PrevPane));
    assert_eq!(s.focus, Pane::Logs);
    // Fewer tasks after a poll: the cursor follows.
    update(&mut s, Msg::Action(Action::NextPane));
    update(&mut s, Msg::Action(Action::NextPane));
    update(&mut s, Msg::Action(Action::Bottom));
    update(&mut s, ok(Resource::Tasks, Observation::Tasks(vec![])));
    assert_eq!(s.cursor[Pane::Tasks.index()], 0);
}

#[test]
fn help_is_modal_and_quit_always_works() {
    let mut s = loaded();
    update(&mut s, Msg::Action(Action::Help));
    assert!(s.help_open());
    update(&mut s, Msg::Action(Action::Down));
    assert_eq!(s.cursor[0], 0, "keys behind the overlay are ignored");
    update(&mut s, Msg::Action(Action::Close));
    assert!(!s.help_open());
    update(&mut s, Msg::Action(Action::Help));
    assert_eq!(
        update(&mut s, Msg::Action(Action::Quit)),
        vec![Effect::Quit]
    );
    assert!(s.quit);
}

#[test]
fn refresh_asks_for_an_effect() {
    let mut s = loaded();
    assert_eq!(
        update(&mut s, Msg::Action(Action::Refresh)),
        vec![Effect::RefreshNow]
    );
}

#[test]
fn call_rate_over_the_last_minute() {
    let mut s = state();
    assert_eq!(s.calls_per_min(), None);
    for i in 0..=12 {
        update(
            &mut s,
            Msg::ApiCalls(ts(i * 10).expect("t"), (i * 5) as u64),
        );
    }
    // 60 s window kept: 6 samples apart, 30 calls.
    let rate = s.calls_per_min().expect("rate");
    assert!((rate - 30.0).abs() < 0.01, "{rate}");
}

#[test]
fn a_service_given_as_an_arn_saves_to_a_plain_file_name() {
    let mut s = State::new(
        Context::new(
            ServiceRef {
                cluster: "goals-cluster".into(),
                service: "arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals-service"
                    .into(),
            },
            "us-east-1",
        ),
        now(),
    );
    let effects = update(&mut s, Msg::Action(Action::SaveLogs));
    let Some(Effect::SaveLogs { name, .. }) = effects.first() else {
        panic!("no save: {effects:?}");
    };
    assert!(name.starts_with("ecsdeck-goals-service-"), "{name}");
    assert!(!name.contains('/') && !name.contains(':'), "{name}");
}

#[test]
fn reopening_the_filter_prompt_edits_the_current_filter() {
    let mut s = loaded();
    update(&mut s, Msg::Action(Action::Filter));
    for c in "mongo".chars() {
        update(&mut s, Msg::Action(Action::PromptChar(c)));
    }
    update(&mut s, Msg::Action(Action::PromptSubmit));
    assert_eq!(s.logs.filter().map(|f| f.text.as_str()), Some("mongo"));
    update(&mut s, Msg::Action(Action::Filter));
    assert_eq!(s.prompt().map(|p| p.text.as_str()), Some("mongo"));
    // A bad regex keeps the prompt open with the message.
    update(&mut s, Msg::Action(Action::PromptRegex));
    update(&mut s, Msg::Action(Action::PromptChar('(')));
    update(&mut s, Msg::Action(Action::PromptSubmit));
    assert!(s.prompt().is_some_and(|p| p.error.is_some()));
}

#[test]
fn a_stopped_tasks_divider_says_why_and_each_exit_code_with_its_meaning() {
    use crate::model::fixtures::{task, ts};
    let mut t = task("cd3ca58b", "10.0.1.5", "STOPPED", "STOPPED");
    t.stopped_at = ts(100);
    t.stop_code = Some("EssentialContainerExited".into());
    t.stopped_reason = Some("Essential container in task exited".into());
    t.containers[0].exit_code = Some(0);
    t.containers[1].exit_code = Some(137);
    t.containers[1].reason = Some("OutOfMemoryError: Container killed due to memory usage".into());
    let e = crate::app::logs::Entry::Divider {
        at: ts(100).expect("t"),
        old_task: t.arn.clone(),
        new_task: None,
    };
    assert_eq!(
        divider_words(&e, &[t]),
        "task cd3ca58b stopped (mongodb exit 137 — killed (SIGKILL: out of memory, \
         or still running at stopTimeout) (OutOfMemoryError: Container killed due to memory usage), \
         goals-api exit 0 — exited cleanly; EssentialContainerExited: Essential container in task exited)"
    );
}

#[test]
fn c_copies_the_selected_tasks_id_and_capital_c_its_arn_in_read_only_too() {
    let mut s = loaded();
    s.ctx.read_only = true;
    let fx = update(&mut s, Msg::Action(Action::CopyId));
    assert_eq!(fx, vec![Effect::Copy("new00000".into())]);
    assert!(
        s.notice.as_deref().is_some_and(
            |n| n.contains("copied task id new00000") && n.contains("set-clipboard on")
        ),
        "{:?}",
        s.notice
    );
    let fx = update(&mut s, Msg::Action(Action::CopyArn));
    let arn = s.selected_task().map(|t| t.arn.clone()).expect("a task");
    assert!(arn.contains(":task/"), "{arn}");
    assert_eq!(fx, vec![Effect::Copy(arn)]);
    let mut empty = state();
    assert!(update(&mut empty, Msg::Action(Action::CopyId)).is_empty());
    assert_eq!(empty.notice.as_deref(), Some("no task to copy"));
}
