//! `e`: a shell in one of the selected task's containers (ECS Exec). The
//! menu shows each container and why it cannot be entered, judged from
//! what ECS reported; Enter on one that can asks the runtime to hand it
//! the terminal. Nothing is run while a reason stands.

use super::{Action, Effect, ExecMenu, Modal, State};
use crate::model::exec::{Ended, Outcome, Plan, menu};

/// Opens the menu for the selected task.
pub fn open(state: &mut State) {
    let Some(task) = state.task_to_act_on() else {
        state.notice = Some("no task selected: e opens a shell in one of its containers".into());
        return;
    };
    let m = menu(
        state.world.service.get(),
        task,
        state.task_def_of(task),
        &state.ctx.exec.commands,
        &state.ctx.target.cluster,
    );
    // The first container that can be entered, else the first.
    let cursor = (0..m.choices.len())
        .find(|&i| m.blockers_of(i).is_empty())
        .unwrap_or(0);
    state.modal = Some(Modal::Exec(ExecMenu {
        menu: m,
        cursor,
        refused: Vec::new(),
        running: false,
    }));
}

/// A key in the menu.
pub fn key(state: &mut State, a: Action) -> Vec<Effect> {
    let Some(Modal::Exec(m)) = state.modal.as_mut() else {
        return Vec::new();
    };
    let last = m.menu.choices.len().saturating_sub(1);
    match a {
        Action::Up => {
            m.cursor = m.cursor.saturating_sub(1);
            m.refused.clear();
        }
        Action::Down => {
            m.cursor = (m.cursor + 1).min(last);
            m.refused.clear();
        }
        Action::Select => {
            let (arn, cursor) = (m.menu.task_arn.clone(), m.cursor);
            // Judged again on what ECS says now: the task may have
            // stopped or its agent changed since the menu opened.
            let now = state.task_list().iter().find(|t| t.arn == arn).map(|t| {
                menu(
                    state.world.service.get(),
                    t,
                    state.task_def_of(t),
                    &state.ctx.exec.commands,
                    &state.ctx.target.cluster,
                )
            });
            let Some(Modal::Exec(m)) = state.modal.as_mut() else {
                return Vec::new();
            };
            match now {
                Some(fresh) => m.menu = fresh,
                None => {
                    m.refused = vec![format!(
                        "task {} is no longer listed by ECS: it stopped; Esc, pick a running task, e again",
                        m.menu.task_id
                    )];
                    return Vec::new();
                }
            }
            let why = m.menu.blockers_of(cursor);
            if !why.is_empty() {
                m.refused = why;
                return Vec::new();
            }
            let Some(choice) = m.menu.choices.get(cursor) else {
                return Vec::new();
            };
            let plan = Plan {
                cluster: state.ctx.target.cluster.clone(),
                task_arn: m.menu.task_arn.clone(),
                container: choice.container.clone(),
                command: choice.command.clone(),
                profile: state.ctx.exec.profile.clone(),
                region: state.ctx.region.clone(),
                endpoint_url: state.ctx.exec.endpoint_url.clone(),
            };
            m.refused.clear();
            m.running = true;
            return vec![Effect::Exec(plan)];
        }
        Action::Cancel | Action::Close => {
            state.modal = None;
            state.notice = Some("no shell opened".into());
        }
        Action::Quit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        _ => {}
    }
    Vec::new()
}

/// How the shell went: the menu again with what this machine lacks, or
/// the dashboard with a word on how it ended.
pub fn answered(state: &mut State, outcome: Outcome) {
    let Some(Modal::Exec(m)) = state.modal.as_mut() else {
        return;
    };
    m.running = false;
    let (task, container) = (
        m.menu.task_id.chars().take(8).collect::<String>(),
        m.menu
            .choices
            .get(m.cursor)
            .map(|c| c.container.clone())
            .unwrap_or_default(),
    );
    match outcome {
        Outcome::NotReady(why) => m.refused = why,
        Outcome::Failed(e) => m.refused = vec![format!("could not start the AWS CLI: {e}")],
        Outcome::Ended(Ended { code, took }) => {
            state.modal = None;
            let took = humantime::format_duration(std::time::Duration::from_secs(took.as_secs()));
            state.notice = Some(match code {
                Some(0) => format!("the shell in {container} (task {task}) ended after {took}"),
                Some(c) => format!(
                    "the session in {container} (task {task}) ended with exit status {c} after {took}"
                ),
                None => format!("the session in {container} (task {task}) was killed after {took}"),
            });
        }
    }
}

#[cfg(test)]
mod tests;
