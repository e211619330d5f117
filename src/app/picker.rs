//! The service picker's state and keys, shared by the picker at start
//! and the one `:` opens over the dashboard: typing filters (cluster and
//! service names, case-insensitive), the arrows, the page keys and
//! Home/End move. With thousands of services, the one wanted is a few
//! letters away, never thousands of key presses. `ui::picker` draws it.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::ServiceRef;

/// What the picker lists: services, or (`:`, then Tab) the AWS profiles
/// or the regions to look for them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Listing {
    #[default]
    Services,
    Profiles,
    Regions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub items: Vec<ServiceRef>,
    pub kind: Listing,
    /// The profiles or regions listed, when those are.
    pub names: Vec<String>,
    /// The profile in use (None: the SDK's default chain).
    pub profile: Option<String>,
    /// Tab offers the profiles and regions (on AWS, not in the demo).
    pub tabs: bool,
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
    Profile(String),
    Region(String),
    /// Tab: the next kind of list, which its owner fills.
    Tab,
    Quit,
    Continue,
}

impl Picker {
    pub fn new(items: Vec<ServiceRef>, region: String) -> Picker {
        Picker {
            items,
            kind: Listing::Services,
            names: Vec::new(),
            profile: None,
            tabs: false,
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

    /// The profiles or regions the filter lets through, in order.
    pub fn shown_names(&self) -> Vec<&String> {
        let f = self.filter.to_lowercase();
        self.names
            .iter()
            .filter(|n| f.is_empty() || n.to_lowercase().contains(&f))
            .collect()
    }

    /// Rows the filter lets through, whatever is listed.
    pub fn rows(&self) -> usize {
        match self.kind {
            Listing::Services => self.shown().len(),
            Listing::Profiles | Listing::Regions => self.shown_names().len(),
        }
    }

    /// Lists `kind` from the start, with `names` (profiles, regions).
    pub fn show(&mut self, kind: Listing, names: Vec<String>) {
        self.kind = kind;
        self.names = names;
        self.filter.clear();
        self.cursor = 0;
        self.note = None;
    }

    fn chosen(&self) -> Option<PickerOutcome> {
        match self.kind {
            Listing::Services => self
                .shown()
                .get(self.cursor)
                .map(|s| PickerOutcome::Chosen((*s).clone())),
            Listing::Profiles => self
                .shown_names()
                .get(self.cursor)
                .map(|n| PickerOutcome::Profile((*n).clone())),
            Listing::Regions => self
                .shown_names()
                .get(self.cursor)
                .map(|n| PickerOutcome::Region((*n).clone())),
        }
    }

    pub fn key(&mut self, k: &KeyEvent) -> PickerOutcome {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return PickerOutcome::Quit;
        }
        let n = self.rows();
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
                if let Some(o) = self.chosen() {
                    return o;
                }
            }
            KeyCode::Tab if self.tabs => return PickerOutcome::Tab,
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
