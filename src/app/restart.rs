//! The restart actions in the reducer: `S`/`D` open a confirm dialog that
//! freezes what will be restarted and says what ECS will do; `y` asks the
//! runtime to send it, once; the answer is kept and shown. Nothing is sent
//! before `y`, and nothing at all in a read-only run.

use super::{Confirm, Effect, Modal, State};
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
    let t = state.task_to_act_on()?;
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
mod tests;
