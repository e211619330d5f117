//! The key table: the handler, the help overlay and the hint bar all read
//! it, so they never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::Action;

pub struct Binding {
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
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        help: "show or hide this help",
        hint: Some("help"),
    },
    Binding {
        keys: &[KeyCode::Tab],
        label: "Tab",
        action: Action::NextPane,
        help: "focus the next pane",
        hint: Some("pane"),
    },
    Binding {
        keys: &[KeyCode::BackTab],
        label: "S-Tab",
        action: Action::PrevPane,
        help: "focus the previous pane",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        help: "move up",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        help: "move down",
        hint: Some("move"),
    },
    Binding {
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::PageUp,
        help: "up a page",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::PageDown,
        help: "down a page",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "g/Home",
        action: Action::Top,
        help: "first row",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "G/End",
        action: Action::Bottom,
        help: "last row",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Select,
        help: "show the containers of the task under the cursor",
        hint: Some("select"),
    },
    Binding {
        keys: &[KeyCode::Char('z')],
        label: "z",
        action: Action::Zoom,
        help: "zoom the focused pane to the full screen",
        hint: Some("zoom"),
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Refresh,
        help: "refresh everything now",
        hint: Some("refresh"),
    },
    Binding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Close,
        help: "close the overlay or zoom; unpin the selected task",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        help: "quit",
        hint: Some("quit"),
    },
];

/// The action a key press means, if any. Ctrl-C always quits.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            _ => None,
        };
    }
    BINDINGS
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reachable_and_keys_unique() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
                let ev = KeyEvent::new(*k, KeyModifiers::NONE);
                assert_eq!(action_for(&ev), Some(b.action));
            }
        }
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c), Some(Action::Quit));
    }
}
