//! `:`: the picker over the dashboard. The services fill in as they are
//! listed; Enter asks the runtime to start the session again on the one
//! chosen (pollers, logs, probe); Esc keeps the one watched.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::picker::{Listing, Picker, PickerOutcome};
use super::{Action, Effect, Listed, Modal, State};

/// Opens the picker and starts a listing of its own.
pub fn open(state: &mut State) -> Vec<Effect> {
    state.listing += 1;
    let mut p = Picker::new(Vec::new(), state.ctx.region.clone());
    p.loading = true;
    p.current = Some(state.ctx.target.clone());
    p.profile = state.ctx.exec.profile.clone();
    p.tabs = !state.ctx.demo;
    state.modal = Some(Modal::Switch(Box::new(p)));
    vec![Effect::ListServices(
        state.listing,
        state.ctx.target.cluster.clone(),
    )]
}

/// A page, or the end, of listing `n`.
pub fn listed(state: &mut State, n: u64, what: Listed) {
    let Some(Modal::Switch(p)) = state.modal.as_mut() else {
        return;
    };
    // The profiles read from this machine's files: whenever they come.
    if let Listed::Names(names) = what {
        if p.kind == Listing::Profiles {
            p.note = names.is_empty().then(|| {
                "no profiles in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)".into()
            });
            p.names = names;
        }
        return;
    }
    if n != state.listing {
        return;
    }
    match what {
        Listed::Page(page) => p.append(page),
        Listed::Names(_) => {}
        Listed::Account(profile, region) => {
            p.profile = profile;
            p.region = region;
        }
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
        Action::NextPane => KeyCode::Tab,
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
        // Only in the account and region watched: a service of the same
        // name elsewhere is another service.
        PickerOutcome::Chosen(s) if p.current.as_ref() == Some(&s) => {
            state.modal = None;
            state.notice = Some(format!("already watching {}/{}", s.cluster, s.service));
            Vec::new()
        }
        PickerOutcome::Chosen(s) => {
            state.modal = None;
            vec![Effect::SwitchTo(s)]
        }
        PickerOutcome::Tab => {
            let next = match p.kind {
                Listing::Services => Listing::Profiles,
                Listing::Profiles => Listing::Regions,
                Listing::Regions => Listing::Services,
            };
            match next {
                // The services listing goes on meanwhile: its pages are
                // there when Tab comes back to them.
                Listing::Profiles => {
                    p.show(next, Vec::new());
                    vec![Effect::ListProfiles(state.listing)]
                }
                Listing::Regions => {
                    let names = crate::model::regions::REGIONS.iter().map(|r| r.to_string());
                    p.show(next, names.collect());
                    p.loading = false;
                    Vec::new()
                }
                Listing::Services => {
                    p.show(next, Vec::new());
                    Vec::new()
                }
            }
        }
        // Services in another account or region: listed with it, and
        // the session moves there only once one of them is chosen.
        PickerOutcome::Profile(name) => {
            state.listing += 1;
            p.profile = Some(name.clone());
            connect(p, state.listing, Some(name), None)
        }
        PickerOutcome::Region(r) => {
            state.listing += 1;
            p.region = r.clone();
            let profile = p.profile.clone();
            connect(p, state.listing, profile, Some(r))
        }
    }
}

/// The picker waits for the services of another profile or region.
fn connect(p: &mut Picker, n: u64, profile: Option<String>, region: Option<String>) -> Vec<Effect> {
    p.show(Listing::Services, Vec::new());
    p.items.clear();
    p.loading = true;
    p.current = None;
    vec![Effect::Connect(n, profile, region)]
}

#[cfg(test)]
mod tests;
