//! The key table: the handler, the help overlay and the hint bar all read
//! it, so they never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Action, Mode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    General,
    Logs,
    /// Keys that change something in AWS: absent in a read-only run.
    Actions,
    /// Inside a confirm dialog.
    Dialog,
    /// In the drill's window, while it runs and at its verdict.
    Drill,
    /// To the clipboard, wherever the focus is.
    Copy,
    /// In the shell menu (`e`).
    Exec,
}

pub struct Binding {
    pub section: Section,
    pub keys: &'static [KeyCode],
    /// How the keys are written in help and hints.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Short word for the bottom bar; None keeps it out of the bar.
    pub hint: Option<&'static str>,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        help: "show or hide this help",
        hint: Some("help"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Tab],
        label: "Tab",
        action: Action::NextPane,
        help: "focus the next pane",
        hint: Some("pane"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::BackTab],
        label: "S-Tab",
        action: Action::PrevPane,
        help: "focus the previous pane",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        help: "move up (logs: scroll, pause)",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        help: "move down",
        hint: Some("move"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::PageUp,
        help: "up a page",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::PageDown,
        help: "down a page",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "g/Home",
        action: Action::Top,
        help: "first row",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "G/End",
        action: Action::Bottom,
        help: "last row (logs: follow again)",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Select,
        help: "show the task's containers",
        hint: Some("select"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char('z')],
        label: "z",
        action: Action::Zoom,
        help: "zoom the focused pane",
        hint: Some("zoom"),
    },
    Binding {
        section: Section::Copy,
        keys: &[KeyCode::Char('c')],
        label: "c",
        action: Action::CopyId,
        help: "the selected task's id (OSC 52)",
        hint: None,
    },
    Binding {
        section: Section::Copy,
        keys: &[KeyCode::Char('C')],
        label: "C",
        action: Action::CopyArn,
        help: "its ARN",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char(':')],
        label: ":",
        action: Action::Switch,
        help: "switch service (picker)",
        hint: Some("switch"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Refresh,
        help: "refresh everything now",
        hint: Some("refresh"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Close,
        help: "close overlay/zoom; unpin task",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('l')],
        label: "l",
        action: Action::LogsFull,
        help: "full-screen logs on and off",
        hint: Some("logs"),
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::Filter,
        help: "filter lines (Ctrl-R: regex)",
        hint: Some("filter"),
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('f')],
        label: "f",
        action: Action::FilterMode,
        help: "only matches / all, matches lit",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('n')],
        label: "n",
        action: Action::NextMatch,
        help: "next (newer) match",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('N')],
        label: "N",
        action: Action::PrevMatch,
        help: "previous (older) match",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('w')],
        label: "w",
        action: Action::Wrap,
        help: "wrap (elsewhere: the warnings)",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('J')],
        label: "J",
        action: Action::Json,
        help: "JSON lines as they are/readable",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('t')],
        label: "t",
        action: Action::Timestamps,
        help: "timestamps: local/relative/off",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[
            KeyCode::Char('1'),
            KeyCode::Char('2'),
            KeyCode::Char('3'),
            KeyCode::Char('4'),
            KeyCode::Char('5'),
            KeyCode::Char('6'),
            KeyCode::Char('7'),
            KeyCode::Char('8'),
            KeyCode::Char('9'),
        ],
        label: "1-9",
        action: Action::ToggleContainer(0),
        help: "show/hide container 1, 2, …",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('[')],
        label: "[",
        action: Action::Older,
        help: "the hour before (PgUp at top)",
        hint: None,
    },
    Binding {
        section: Section::Logs,
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::SaveLogs,
        help: "save lines in view to a file",
        hint: None,
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        help: "quit",
        hint: Some("quit"),
    },
    Binding {
        section: Section::General,
        keys: &[KeyCode::Char('x')],
        label: "x",
        action: Action::DismissTimeline,
        help: "put the restart timeline away",
        hint: None,
    },
    Binding {
        section: Section::Actions,
        keys: &[KeyCode::Char('S')],
        label: "S",
        action: Action::StopTask,
        help: "stop the selected task (asks y/n)",
        hint: Some("stop task"),
    },
    Binding {
        section: Section::Actions,
        keys: &[KeyCode::Char('D')],
        label: "D",
        action: Action::ForceDeploy,
        help: "force a new deployment (asks y/n)",
        hint: Some("deploy"),
    },
    Binding {
        section: Section::Actions,
        keys: &[KeyCode::Char('R')],
        label: "R",
        action: Action::Drill,
        help: "the restart drill: write a marker, restart, prove it survived (asks y/n)",
        hint: Some("drill"),
    },
    Binding {
        section: Section::Actions,
        keys: &[KeyCode::Char('e')],
        label: "e",
        action: Action::Exec,
        help: "a shell in a container (ECS Exec)",
        hint: Some("shell"),
    },
    Binding {
        section: Section::Exec,
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Select,
        help: "open a shell in the container (the dashboard returns when it exits)",
        hint: None,
    },
    Binding {
        section: Section::Exec,
        keys: &[KeyCode::Esc, KeyCode::Char('n')],
        label: "Esc",
        action: Action::Cancel,
        help: "close: nothing is run",
        hint: None,
    },
    Binding {
        section: Section::Drill,
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Cancel,
        help: "drill: cancel it (the marker is still removed) / close the verdict",
        hint: Some("cancel/close"),
    },
    Binding {
        section: Section::Dialog,
        keys: &[KeyCode::Char('y')],
        label: "y",
        action: Action::Confirm,
        help: "send it (once)",
        hint: None,
    },
    Binding {
        section: Section::Dialog,
        keys: &[KeyCode::Char('n'), KeyCode::Esc],
        label: "n/Esc",
        action: Action::Cancel,
        help: "cancel: nothing is sent",
        hint: None,
    },
];

/// The keys of the filter prompt, which takes text.
pub const PROMPT_HELP: &str = "Enter apply · Esc cancel · Ctrl-R regex · both case-insensitive";

/// The bindings in force in a mode: every binding on the dashboard and in
/// the logs view (the reducer decides what the movement keys move); only
/// closing and quitting behind the help.
/// A confirm dialog has only its own keys. In a read-only run the keys
/// that change AWS are not bound at all.
pub fn bindings(mode: Mode, read_only: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| {
        if read_only && b.action.changes_aws() {
            return false;
        }
        match mode {
            Mode::Dashboard | Mode::Logs => {
                !matches!(b.section, Section::Dialog | Section::Drill | Section::Exec)
            }
            Mode::Help => matches!(b.action, Action::Help | Action::Close | Action::Quit),
            Mode::Prompt | Mode::Switch => false,
            Mode::Confirm => b.section == Section::Dialog,
            Mode::Drill => b.section == Section::Drill,
            Mode::Exec => {
                b.section == Section::Exec || matches!(b.action, Action::Up | Action::Down)
            }
        }
    })
}

/// The action a key press means in a mode, if any. Ctrl-C always quits.
/// While the filter prompt is open, keys are text.
pub fn action_for(key: &KeyEvent, mode: Mode, read_only: bool) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if mode == Mode::Prompt {
        return match key.code {
            KeyCode::Char('r') if ctrl => Some(Action::PromptRegex),
            KeyCode::Char(c) if !ctrl => Some(Action::PromptChar(c)),
            KeyCode::Backspace => Some(Action::PromptBackspace),
            KeyCode::Enter => Some(Action::PromptSubmit),
            KeyCode::Esc => Some(Action::PromptCancel),
            _ => None,
        };
    }
    if mode == Mode::Switch {
        // The picker's keys: every character is its filter's.
        return match key.code {
            KeyCode::Char(c) if !ctrl => Some(Action::PromptChar(c)),
            KeyCode::Backspace => Some(Action::PromptBackspace),
            KeyCode::Enter => Some(Action::PromptSubmit),
            KeyCode::Esc => Some(Action::PromptCancel),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::Home => Some(Action::Top),
            KeyCode::End => Some(Action::Bottom),
            KeyCode::Tab => Some(Action::NextPane),
            _ => None,
        };
    }
    if ctrl {
        return None;
    }
    let b = bindings(mode, read_only).find(|b| b.keys.contains(&key.code))?;
    Some(match (b.action, key.code) {
        (Action::ToggleContainer(_), KeyCode::Char(c)) => {
            Action::ToggleContainer(c.to_digit(10).unwrap_or(0) as u8)
        }
        (a, _) => a,
    })
}

#[cfg(test)]
mod tests;
