//! The service picker's state and keys, shared by the picker at start
//! and the one `:` opens over the dashboard: typing filters (cluster and
//! service names, case-insensitive), the arrows, the page keys and
//! Home/End move. With thousands of services, the one wanted is a few
//! letters away, never thousands of key presses. `ui::picker` draws it.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::ServiceRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub items: Vec<ServiceRef>,
    /// More pages are on their way: the list fills in as they arrive.
    pub loading: bool,
    /// What the listing said besides the services (a refusal, a
    /// narrower listing).
    pub note: Option<String>,
    /// The service watched now, marked in the list (`:`).
    pub current: Option<ServiceRef>,
    /// The row among those the filter lets through.
    pub cursor: usize,
    pub region: String,
    /// What was typed; empty lists every service.
    pub filter: String,
    /// Rows in view at the last draw: what PgUp/PgDn move by.
    pub(crate) page: Cell<usize>,
}

pub enum PickerOutcome {
    Chosen(ServiceRef),
    Quit,
    Continue,
}

impl Picker {
    pub fn new(items: Vec<ServiceRef>, region: String) -> Picker {
        Picker {
            items,
            loading: false,
            note: None,
            current: None,
            cursor: 0,
            region,
            filter: String::new(),
            page: Cell::new(10),
        }
    }

    /// A page that arrived: the rows already shown keep their places (a
    /// page adds at the end), so the cursor stays on its service.
    pub fn append(&mut self, page: Vec<ServiceRef>) {
        self.items.extend(page);
    }

    /// The services the filter lets through, in order.
    pub fn shown(&self) -> Vec<&ServiceRef> {
        let f = self.filter.to_lowercase();
        self.items
            .iter()
            .filter(|s| {
                f.is_empty()
                    || s.cluster.to_lowercase().contains(&f)
                    || s.service.to_lowercase().contains(&f)
                    || format!("{}/{}", s.cluster, s.service)
                        .to_lowercase()
                        .contains(&f)
            })
            .collect()
    }

    pub fn key(&mut self, k: &KeyEvent) -> PickerOutcome {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return PickerOutcome::Quit;
        }
        let n = self.shown().len();
        let last = n.saturating_sub(1);
        let page = self.page.get().max(1);
        match k.code {
            // Esc clears a filter first, then quits.
            KeyCode::Esc if !self.filter.is_empty() => {
                self.filter.clear();
                self.cursor = 0;
            }
            KeyCode::Esc => return PickerOutcome::Quit,
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down => self.cursor = (self.cursor + 1).min(last),
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(page),
            KeyCode::PageDown => self.cursor = (self.cursor + page).min(last),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = last,
            KeyCode::Backspace => {
                self.filter.pop();
                self.cursor = 0;
            }
            KeyCode::Enter => {
                if let Some(s) = self.shown().get(self.cursor) {
                    return PickerOutcome::Chosen((*s).clone());
                }
            }
            // Every other character is the filter's: a service may be
            // called anything, `q` and `j` included.
            KeyCode::Char(c) if !c.is_control() => {
                self.filter.push(c);
                self.cursor = 0;
            }
            _ => {}
        }
        PickerOutcome::Continue
    }
}
