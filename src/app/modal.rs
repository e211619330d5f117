//! What has the keys: the dashboard, the logs view, or a modal on top of
//! them (the help, the filter prompt, the confirm and drill dialogs).

use crate::model::derive::Restart;

/// A modal: it takes every key until it is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    /// The logs filter prompt, which takes text.
    Prompt(Prompt),
    /// A restart, asked for and not yet sent: `y` sends it, `n`/`Esc` not.
    Confirm(Confirm),
    /// The restart drill's window (`State::drill` holds what it shows).
    Drill,
    /// `e`: the task's containers, to open a shell in one.
    Exec(ExecMenu),
    /// `:`: the services to switch to, filling in as they are listed.
    Switch(Box<super::picker::Picker>),
}

/// The shell menu: the containers of the task `e` was pressed on, fixed
/// then, and why the one chosen cannot be entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecMenu {
    pub menu: crate::model::exec::Menu,
    pub cursor: usize,
    /// Why the shell asked for was not opened: nothing was run.
    pub refused: Vec<String>,
    /// A shell is running (the dashboard is suspended until it ends).
    pub running: bool,
}

/// What the confirm dialog shows, fixed when the key was pressed: the
/// selection may move while it is open, the task to stop does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub restart: Restart,
    pub cluster: String,
    pub service: String,
    /// `Stop task 6299e51e?`, `Force a new deployment of goals-service?`
    pub title: String,
    /// What ECS will do next, step by step.
    pub plan: Vec<String>,
    /// The restart-safety warnings that apply.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prompt {
    pub text: String,
    pub regex: bool,
    pub error: Option<String>,
}

/// Which key table is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Dashboard,
    /// The logs pane is focused or full-screen: the movement keys scroll it.
    Logs,
    Prompt,
    Help,
    /// A confirm dialog: only y, n and Esc.
    Confirm,
    /// A running drill, or its verdict: only Esc.
    Drill,
    /// The shell menu: ↑/↓, Enter, Esc.
    Exec,
    /// The service picker (`:`): keys are its filter's text.
    Switch,
}
