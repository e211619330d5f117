//! What has the keys: the dashboard, the logs view, or a modal on top of
//! them (the help, the filter prompt; later the confirm and drill dialogs).

/// A modal: it takes every key until it is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    /// The logs filter prompt, which takes text.
    Prompt(Prompt),
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
}
