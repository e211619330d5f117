//! The service picker shown when no cluster and service are configured:
//! typing filters (cluster and service names, case-insensitive, the
//! matches highlighted), the arrows, the page keys and Home/End move, and
//! the header says how many of how many are listed. With thousands of
//! services, the one wanted is a few letters away, never thousands of
//! key presses.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::Theme;
use super::text::{fit, pad};
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
    page: Cell<usize>,
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

    pub fn render(&self, theme: &Theme, f: &mut Frame) {
        self.render_in(theme, f, f.area());
    }

    /// Draws the picker in `area` (the whole screen at start, a window
    /// over the dashboard on `:`).
    pub fn render_in(&self, theme: &Theme, f: &mut Frame, area: Rect) {
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let shown = self.shown();
        let so_far = if self.loading {
            " so far, listing…"
        } else {
            ""
        };
        let count = if self.filter.is_empty() {
            format!("{} services{so_far}", self.items.len())
        } else {
            format!("{} of {} services{so_far}", shown.len(), self.items.len())
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" ecsdeck ", theme.title()),
                Span::raw(format!(" pick a service  ({})  {count}  ", self.region)),
                Span::styled("filter: ", theme.dim()),
                Span::styled(format!("{}▏", self.filter), theme.key()),
            ])),
            head,
        );
        let visible = body.height.saturating_sub(2) as usize;
        self.page.set(visible.max(1));
        let offset = (self.cursor + 1).saturating_sub(visible);
        let w = body.width.saturating_sub(2) as usize;
        let cluster_w = shown
            .iter()
            .map(|s| s.cluster.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 40);
        let mut lines: Vec<Line> = shown
            .iter()
            .enumerate()
            .skip(offset)
            .take(visible)
            .map(|(i, s)| {
                let mut spans = marked(&pad(&fit(&s.cluster, cluster_w), cluster_w), &self.filter);
                spans.push(Span::raw(" "));
                let here = self.current.as_ref() == Some(*s);
                let mark = if here { "  (watching)" } else { "" };
                spans.extend(marked(
                    &fit(&s.service, w.saturating_sub(cluster_w + 1 + mark.len())),
                    &self.filter,
                ));
                spans.push(Span::styled(mark, theme.dim()));
                let l = Line::from(spans);
                if i == self.cursor {
                    l.patch_style(theme.cursor())
                } else {
                    l
                }
            })
            .collect();
        if shown.is_empty() && self.loading {
            lines.push(Line::from(Span::styled("listing…", theme.dim())));
        } else if shown.is_empty() && !self.items.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("nothing matches \"{}\" (Backspace or Esc)", self.filter),
                theme.warn(),
            )));
        }
        if let Some(n) = &self.note {
            lines.push(Line::from(Span::styled(fit(n, w), theme.warn())));
        }
        f.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(format!(
                " cluster / service  {}–{} of {} ",
                if shown.is_empty() { 0 } else { offset + 1 },
                (offset + visible).min(shown.len()),
                shown.len()
            ))),
            body,
        );
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" type", theme.key()),
                Span::raw(" to filter  "),
                Span::styled("↑↓ PgUp PgDn Home End", theme.key()),
                Span::raw(" move  "),
                Span::styled("Enter", theme.key()),
                Span::raw(" open  "),
                Span::styled("Esc", theme.key()),
                Span::raw(" clear / quit"),
            ])),
            foot,
        );
    }
}

/// `text` with every case-insensitive occurrence of `needle` emphasised.
fn marked(text: &str, needle: &str) -> Vec<Span<'static>> {
    let emphasis = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    if needle.is_empty() {
        return vec![Span::raw(text.to_string())];
    }
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    // Lower-casing can change lengths outside ASCII: mark only where the
    // byte positions still line up.
    if lower.len() != text.len() {
        return vec![Span::raw(text.to_string())];
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&n) {
        let start = at + i;
        let end = start + n.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        if start > at {
            out.push(Span::raw(text[at..start].to_string()));
        }
        out.push(Span::styled(text[start..end].to_string(), emphasis));
        at = end;
    }
    if at < text.len() {
        out.push(Span::raw(text[at..].to_string()));
    }
    out
}

#[cfg(test)]
mod tests;
