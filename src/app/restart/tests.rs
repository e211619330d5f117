use super::*;
use crate::app::testing::loaded_with;
use crate::app::{Action, Msg, update};
use crate::model::Identity;
use crate::model::error::ErrorKind;
use crate::model::fixtures::*;

/// Two running tasks, the identity known.
fn loaded(read_only: bool) -> State {
    let mut a = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    a.created_at = ts(10);
    let mut b = task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING");
    b.created_at = ts(5);
    loaded_with(read_only, vec![a, b])
}

fn act(s: &mut State, a: Action) -> Vec<Effect> {
    update(s, Msg::Action(a))
}

#[test]
fn s_asks_first_and_y_sends_the_task_frozen_when_s_was_pressed() {
    let mut s = loaded(false);
    // The cursor on the first (newest) task.
    assert!(
        act(&mut s, Action::StopTask).is_empty(),
        "nothing sent before y"
    );
    let c = s.confirm().expect("the dialog").clone();
    assert_eq!(c.title, "Stop task aaaa1111?");
    assert!(
        c.plan[0].contains("ECS stops task aaaa1111"),
        "{:?}",
        c.plan
    );
    // Keys other than y/n do nothing behind the dialog (the table has
    // none; should one arrive, the selection must not move the task).
    act(&mut s, Action::Down);
    let effects = act(&mut s, Action::Confirm);
    assert_eq!(
        effects,
        vec![Effect::StopTask {
            cluster: "goals-cluster".into(),
            task_arn: task("aaaa1111", "", "", "").arn,
            reason: "ecsdeck: stopped by arn:aws:sts::123456789012:assumed-role/ops/alice".into(),
        }]
    );
    assert!(s.confirm().is_none());
    assert_eq!(
        s.restart.as_ref().map(|r| &r.answer),
        Some(&Answer::Waiting)
    );
    assert!(
        s.world.timeline.current.is_some(),
        "the timeline starts at the request"
    );
    // A second y sends nothing: the dialog is gone.
    assert!(act(&mut s, Action::Confirm).is_empty());
}

#[test]
fn n_and_esc_send_nothing() {
    let mut s = loaded(false);
    act(&mut s, Action::StopTask);
    assert!(act(&mut s, Action::Cancel).is_empty());
    assert!(s.confirm().is_none());
    assert_eq!(s.notice.as_deref(), Some("cancelled: nothing was sent"));
    assert!(s.restart.is_none());
    act(&mut s, Action::ForceDeploy);
    assert!(
        s.confirm()
            .is_some_and(|c| c.title == "Force a new deployment of goals-service?")
    );
    assert!(act(&mut s, Action::Cancel).is_empty());
    assert!(s.restart.is_none());
}

#[test]
fn d_forces_a_deployment_of_the_service() {
    let mut s = loaded(false);
    act(&mut s, Action::ForceDeploy);
    assert_eq!(
        act(&mut s, Action::Confirm),
        vec![Effect::ForceDeployment {
            cluster: "goals-cluster".into(),
            service: "goals-service".into()
        }]
    );
}

#[test]
fn read_only_never_opens_the_dialog_nor_sends() {
    let mut s = loaded(true);
    for a in [Action::StopTask, Action::ForceDeploy, Action::Confirm] {
        assert!(act(&mut s, a).is_empty());
        assert!(s.confirm().is_none(), "{a:?}");
    }
    assert!(s.restart.is_none());
}

#[test]
fn the_answer_in_words_refused_names_the_action_a_timeout_is_unknown() {
    let mut s = loaded(false);
    act(&mut s, Action::StopTask);
    act(&mut s, Action::Confirm);
    let mut denied = CloudError::new(ErrorKind::AccessDenied, "ecs:StopTask", "not authorized");
    denied.code = Some("AccessDeniedException".into());
    update(&mut s, Msg::Restarted(Err(denied)));
    let words = s.notice.clone().unwrap_or_default();
    assert!(words.contains("refused"), "{words}");
    assert!(words.contains("ecs:StopTask"), "{words}");
    assert!(
        s.world.timeline.current.is_none(),
        "nothing happened: no timeline"
    );
    act(&mut s, Action::StopTask);
    act(&mut s, Action::Confirm);
    let timeout = CloudError::new(
        ErrorKind::Network,
        "ecs:StopTask",
        "no answer before the timeout",
    );
    update(&mut s, Msg::Restarted(Err(timeout)));
    let words = s.notice.clone().unwrap_or_default();
    assert!(
        words.contains("outcome unknown") && words.contains("not retried"),
        "{words}"
    );
}

#[test]
fn the_stop_reason_is_at_most_255_characters_and_redact_masks_the_caller() {
    let mut s = loaded(false);
    s.world.identity.data = Some(Identity {
        account: "123456789012".into(),
        arn: format!("arn:aws:sts::123456789012:assumed-role/{}", "r".repeat(400)),
    });
    assert_eq!(stop_reason(&s).chars().count(), 255);
    s.ctx.redact = true;
    let r = stop_reason(&s);
    assert!(!r.contains("123456789012"), "{r}");
    assert_eq!(r, "ecsdeck: stopped by an operator (redacted)");
}

#[test]
fn y_within_300_ms_of_the_dialog_is_not_the_answer_and_s_d_r_wait_for_a_pending_answer() {
    let mut s = loaded(false);
    let t0 = ts(100).expect("t");
    let ms = |n: i64| t0 + chrono::Duration::milliseconds(n);
    let press = |s: &mut State, a, at| update(s, Msg::Pressed(a, at));
    // S and y 1 ms apart, as a terminal without bracketed paste delivers
    // a pasted "Sy": the dialog stays, nothing is sent.
    assert!(press(&mut s, Action::StopTask, ms(0)).is_empty());
    assert!(press(&mut s, Action::Confirm, ms(1)).is_empty());
    assert!(s.confirm().is_some(), "the dialog stays open");
    assert!(
        s.notice.as_deref().is_some_and(|n| n.contains("too soon")),
        "{:?}",
        s.notice
    );
    // Read, then y: sent once.
    let fx = press(&mut s, Action::Confirm, ms(450));
    assert!(matches!(fx.as_slice(), [Effect::StopTask { .. }]), "{fx:?}");
    // While AWS has not answered, S, D and R open nothing.
    for a in [Action::StopTask, Action::ForceDeploy, Action::Drill] {
        assert!(press(&mut s, a, ms(900)).is_empty(), "{a:?}");
        assert!(s.modal.is_none(), "{a:?} opened a dialog");
        assert!(
            s.notice
                .as_deref()
                .is_some_and(|n| n.contains("waiting for AWS's answer")),
            "{:?}",
            s.notice
        );
    }
    update(&mut s, Msg::Restarted(Ok(())));
    press(&mut s, Action::ForceDeploy, ms(2000));
    assert!(s.confirm().is_some(), "answered: D asks again");
    // A slow frame (a congested SSH link): the 300 ms count from when the
    // dialog was on screen, not from the key.
    press(&mut s, Action::Cancel, ms(3000));
    press(&mut s, Action::StopTask, ms(3100));
    update(&mut s, Msg::Shown(ms(3600)));
    assert!(press(&mut s, Action::Confirm, ms(3601)).is_empty());
    assert!(s.confirm().is_some());
    press(&mut s, Action::Cancel, ms(3700));
    // A dialog reopened later gets its own 300 ms.
    press(&mut s, Action::ForceDeploy, ms(5000));
    assert!(press(&mut s, Action::Confirm, ms(5100)).is_empty());
    assert!(!press(&mut s, Action::Confirm, ms(5400)).is_empty());
}
