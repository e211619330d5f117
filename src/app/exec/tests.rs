use super::*;
use crate::app::testing::{loaded_with, ok};
use crate::app::{Msg, update};
use crate::model::exec::Outcome;
use crate::model::fixtures::*;
use crate::model::observe::{Observation, Resource};

fn enabled() -> crate::model::Task {
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    t.exec_enabled = true;
    for c in &mut t.containers {
        c.exec_agent = Some("RUNNING".into());
    }
    t
}

fn act(s: &mut State, a: Action) -> Vec<Effect> {
    update(s, Msg::Action(a))
}

fn menu_of(s: &State) -> &ExecMenu {
    match &s.modal {
        Some(Modal::Exec(m)) => m,
        other => panic!("no shell menu: {other:?}"),
    }
}

#[test]
fn e_lists_the_containers_and_enter_runs_the_chosen_one_with_the_sessions_settings() {
    let mut s = loaded_with(false, vec![enabled()]);
    s.ctx.exec.commands = vec![("mongodb".into(), "mongosh --quiet".into())];
    s.ctx.exec.profile = Some("ops".into());
    assert!(act(&mut s, Action::Exec).is_empty(), "nothing runs on e");
    assert_eq!(s.mode(), crate::app::Mode::Exec);
    assert_eq!(menu_of(&s).menu.choices.len(), 2);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Select);
    let [Effect::Exec(plan)] = fx.as_slice() else {
        panic!("one shell: {fx:?}");
    };
    assert_eq!(plan.container, "mongodb");
    assert_eq!(plan.command, "mongosh --quiet");
    assert_eq!(plan.cluster, "goals-cluster");
    assert!(plan.task_arn.ends_with("/aaaa1111"));
    assert_eq!(plan.profile.as_deref(), Some("ops"));
    assert_eq!(plan.region, "us-east-1");
    // The shell ended: the dashboard, and how it went.
    update(
        &mut s,
        Msg::Exec(Outcome::Ended(crate::model::exec::Ended {
            code: Some(0),
            took: std::time::Duration::from_secs(75),
        })),
    );
    assert_eq!(s.modal, None);
    let n = s.notice.clone().unwrap_or_default();
    assert!(n.contains("mongodb") && n.contains("1m 15s"), "{n}");
}

#[test]
fn a_task_without_enable_execute_command_gets_the_readiness_message_and_nothing_runs() {
    let mut s = loaded_with(
        false,
        vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    act(&mut s, Action::Exec);
    assert!(act(&mut s, Action::Select).is_empty(), "nothing is run");
    let m = menu_of(&s);
    assert!(!m.running);
    let why = m.refused.join("\n");
    assert!(
        why.contains("started without enableExecuteCommand"),
        "{why}"
    );
    assert!(why.contains("--enable-execute-command"), "{why}");
    // Esc closes it; still nothing run.
    assert!(act(&mut s, Action::Cancel).is_empty());
    assert_eq!(s.modal, None);
}

#[test]
fn tools_missing_on_this_machine_are_shown_in_the_menu() {
    let mut s = loaded_with(false, vec![enabled()]);
    act(&mut s, Action::Exec);
    assert_eq!(act(&mut s, Action::Select).len(), 1);
    update(
        &mut s,
        Msg::Exec(Outcome::NotReady(vec![
            "the AWS CLI (`aws`) is not on PATH".into(),
        ])),
    );
    let m = menu_of(&s);
    assert!(!m.running);
    assert_eq!(m.refused, ["the AWS CLI (`aws`) is not on PATH"]);
}

#[test]
fn e_waits_for_a_running_drill_or_restart_and_does_not_exist_read_only() {
    let mut s = loaded_with(false, vec![enabled()]);
    s.restart = Some(crate::app::restart::Requested {
        restart: crate::model::derive::Restart::ForceDeployment,
        at: s.now,
        answer: crate::app::restart::Answer::Waiting,
    });
    act(&mut s, Action::Exec);
    assert_eq!(s.modal, None);
    assert!(
        s.notice
            .clone()
            .unwrap_or_default()
            .contains("e and : wait")
    );
    let mut ro = loaded_with(true, vec![enabled()]);
    assert!(act(&mut ro, Action::Exec).is_empty());
    assert_eq!(ro.modal, None, "read-only: no shell");
}

#[test]
fn a_task_gone_or_changed_since_the_menu_opened_is_judged_again_on_enter() {
    let mut s = loaded_with(false, vec![enabled()]);
    act(&mut s, Action::Exec);
    let mut other = enabled();
    other.arn = other.arn.replace("aaaa1111", "bbbb2222");
    update(&mut s, ok(Resource::Tasks, Observation::Tasks(vec![other])));
    assert!(act(&mut s, Action::Select).is_empty(), "nothing run");
    assert!(
        menu_of(&s).refused[0].contains("aaaa1111 is no longer listed"),
        "{:?}",
        menu_of(&s).refused
    );
    // An agent that stopped since.
    let mut s = loaded_with(false, vec![enabled()]);
    act(&mut s, Action::Exec);
    let mut t = enabled();
    t.containers[0].exec_agent = Some("STOPPED".into());
    update(&mut s, ok(Resource::Tasks, Observation::Tasks(vec![t])));
    assert!(act(&mut s, Action::Select).is_empty(), "nothing run");
    assert!(
        menu_of(&s).refused[0].contains("ExecuteCommandAgent is STOPPED"),
        "{:?}",
        menu_of(&s).refused
    );
}

#[test]
fn e_acts_on_the_task_under_the_cursor_as_s_does_and_a_stopped_one_is_refused() {
    let mut stopped = task("bbbb2222", "10.0.1.6", "STOPPED", "STOPPED");
    stopped.created_at = crate::model::fixtures::ts(5);
    let mut s = loaded_with(false, vec![enabled(), stopped]);
    assert_eq!(s.focus, crate::app::Pane::Tasks);
    act(&mut s, Action::Down);
    act(&mut s, Action::Exec);
    let m = menu_of(&s);
    assert_eq!(m.menu.task_id, "bbbb2222");
    assert!(act(&mut s, Action::Select).is_empty(), "nothing run");
    let why = menu_of(&s).refused.join(" ");
    assert!(
        why.contains("bbbb2222 is STOPPED: ECS Exec enters running tasks only"),
        "{why}"
    );
}
