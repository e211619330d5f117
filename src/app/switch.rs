//! `:`: the picker over the dashboard. The services fill in as they are
//! listed; Enter asks the runtime to start the session again on the one
//! chosen (pollers, logs, probe); Esc keeps the one watched.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::picker::{Picker, PickerOutcome};
use super::{Action, Effect, Listed, Modal, State};

/// Opens the picker and starts a listing of its own.
pub fn open(state: &mut State) -> Vec<Effect> {
    state.listing += 1;
    let mut p = Picker::new(Vec::new(), state.ctx.region.clone());
    p.loading = true;
    p.current = Some(state.ctx.target.clone());
    state.modal = Some(Modal::Switch(Box::new(p)));
    vec![Effect::ListServices(
        state.listing,
        state.ctx.target.cluster.clone(),
    )]
}

/// A page, or the end, of listing `n`.
pub fn listed(state: &mut State, n: u64, what: Listed) {
    if n != state.listing {
        return;
    }
    let Some(Modal::Switch(p)) = state.modal.as_mut() else {
        return;
    };
    match what {
        Listed::Page(page) => p.append(page),
        Listed::Done(note) => {
            p.loading = false;
            p.note = note;
        }
    }
}

/// A key in the picker: the picker's own keys, as at start.
pub fn key(state: &mut State, a: Action) -> Vec<Effect> {
    let code = match a {
        Action::PromptChar(c) => KeyCode::Char(c),
        Action::PromptBackspace => KeyCode::Backspace,
        Action::PromptSubmit => KeyCode::Enter,
        Action::PromptCancel => KeyCode::Esc,
        Action::Up => KeyCode::Up,
        Action::Down => KeyCode::Down,
        Action::PageUp => KeyCode::PageUp,
        Action::PageDown => KeyCode::PageDown,
        Action::Top => KeyCode::Home,
        Action::Bottom => KeyCode::End,
        Action::Quit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        _ => return Vec::new(),
    };
    let Some(Modal::Switch(p)) = state.modal.as_mut() else {
        return Vec::new();
    };
    let here = state.ctx.target.clone();
    match p.key(&KeyEvent::new(code, KeyModifiers::NONE)) {
        PickerOutcome::Continue => Vec::new(),
        PickerOutcome::Quit => {
            state.modal = None;
            state.notice = Some(format!("still watching {}/{}", here.cluster, here.service));
            Vec::new()
        }
        PickerOutcome::Chosen(s) if s == here => {
            state.modal = None;
            state.notice = Some(format!("already watching {}/{}", s.cluster, s.service));
            Vec::new()
        }
        PickerOutcome::Chosen(s) => {
            state.modal = None;
            vec![Effect::SwitchTo(s)]
        }
    }
}

#[cfg(test)]
mod tests;
