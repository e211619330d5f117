//! The restart actions in the reducer: `S`/`D` open a confirm dialog that
//! freezes what will be restarted and says what ECS will do; `y` asks the
//! runtime to send it, once; the answer is kept and shown. Nothing is sent
//! before `y`, and nothing at all in a read-only run.

use super::{Confirm, Effect, Modal, Pane, State};
use crate::model::derive::{Restart, restart_plan};
use crate::model::error::CloudError;
use crate::model::{Time, short_id};

/// A restart the operator confirmed, and what AWS answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Requested {
    pub restart: Restart,
    pub at: Time,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Sent, no answer yet.
    Waiting,
    Accepted,
    /// Refused: the words to act on (`add ecs:StopTask to the IAM policy`).
    Refused(String),
    /// The call timed out or the connection broke: it may or may not
    /// have happened; the next observations tell.
    Unknown(String),
}

impl Requested {
    /// The answer in words, for the hint bar and the timeline.
    pub fn words(&self) -> String {
        let what = match &self.restart {
            Restart::StopTask { task_arn } => format!("stop task {}", short_id(task_arn)),
            Restart::ForceDeployment => "force a new deployment".to_string(),
        };
        match &self.answer {
            Answer::Waiting => format!("{what}: sent, waiting for AWS…"),
            Answer::Accepted => format!("{what}: accepted by AWS"),
            Answer::Refused(e) => format!("{what}: refused — {e}"),
            Answer::Unknown(e) => format!(
                "{what}: outcome unknown ({e}); not retried — watch the tasks, it may still happen"
            ),
        }
    }
}

/// The task `S` means: the one under the cursor in the Tasks pane, else
/// the one whose containers are shown; never a stopped one.
fn target_task(state: &State) -> Option<String> {
    let t = if state.focus == Pane::Tasks {
        state
            .task_list()
            .get(state.cursor[Pane::Tasks.index()])
            .or_else(|| state.selected_task())
    } else {
        state.selected_task()
    }?;
    (!t.is_leaving()).then(|| t.arn.clone())
}

/// `S` or `D`: the dialog, with everything frozen now.
pub fn open(state: &mut State, force: bool) {
    let Some(svc) = state.world.service.get() else {
        state.notice = Some("the service is not loaded yet: nothing to restart".into());
        return;
    };
    let restart = if force {
        Restart::ForceDeployment
    } else {
        match target_task(state) {
            Some(task_arn) => Restart::StopTask { task_arn },
            None => {
                state.notice = Some("no running task selected to stop".into());
                return;
            }
        }
    };
    let task = match &restart {
        Restart::StopTask { task_arn } => state.task_list().iter().find(|t| &t.arn == task_arn),
        Restart::ForceDeployment => None,
    };
    let td = task
        .and_then(|t| state.task_def_of(t))
        .or_else(|| state.task_def());
    let plan = restart_plan(&restart, svc, td, state.target_groups(), task);
    let title = match &restart {
        Restart::StopTask { task_arn } => format!("Stop task {}?", short_id(task_arn)),
        Restart::ForceDeployment => format!("Force a new deployment of {}?", svc.name),
    };
    let confirm = Confirm {
        cluster: state.ctx.target.cluster.clone(),
        service: svc.name.clone(),
        restart,
        title,
        plan,
        warnings: state.warnings().iter().map(|w| w.message.clone()).collect(),
    };
    state.modal = Some(Modal::Confirm(confirm));
}

/// `y`: the effect that sends it, once.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    let Some(Modal::Confirm(c)) = state.modal.take() else {
        return Vec::new();
    };
    if state.ctx.read_only {
        return Vec::new();
    }
    let effect = match &c.restart {
        Restart::StopTask { task_arn } => Effect::StopTask {
            cluster: c.cluster.clone(),
            task_arn: task_arn.clone(),
            reason: stop_reason(state),
        },
        Restart::ForceDeployment => Effect::ForceDeployment {
            cluster: c.cluster.clone(),
            service: c.service.clone(),
        },
    };
    let task = match &c.restart {
        Restart::StopTask { task_arn } => Some(task_arn.clone()),
        Restart::ForceDeployment => None,
    };
    state.world.timeline.requested(task, state.now);
    state.restart = Some(Requested {
        restart: c.restart,
        at: state.now,
        answer: Answer::Waiting,
    });
    vec![effect]
}

/// `ecsdeck: stopped by <caller ARN>`, at most 255 characters; the caller
/// masked with `--redact`.
pub fn stop_reason(state: &State) -> String {
    let caller = state.world.identity.get().map(|i| i.arn.as_str());
    crate::model::derive::stop_reason("ecsdeck", caller, state.ctx.redact)
}

/// AWS's answer.
pub fn answered(state: &mut State, result: Result<(), CloudError>) {
    let Some(r) = state.restart.as_mut() else {
        return;
    };
    r.answer = match result {
        Ok(()) => Answer::Accepted,
        Err(e) if e.outcome_unknown() => Answer::Unknown(e.operator_text()),
        Err(e) => {
            state.world.timeline.refused();
            Answer::Refused(e.operator_text())
        }
    };
    state.notice = Some(r.words());
}

#[cfg(test)]
mod tests {
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
                reason: "ecsdeck: stopped by arn:aws:sts::123456789012:assumed-role/ops/alice"
                    .into(),
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
}
