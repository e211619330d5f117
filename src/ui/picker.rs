//! The service picker shown when no cluster and service are configured.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::Theme;
use super::text::fit;
use crate::model::ServiceRef;

pub struct Picker {
    pub items: Vec<ServiceRef>,
    pub cursor: usize,
    pub region: String,
}

pub enum PickerOutcome {
    Chosen(ServiceRef),
    Quit,
    Continue,
}

impl Picker {
    pub fn key(&mut self, k: &KeyEvent) -> PickerOutcome {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return PickerOutcome::Quit;
        }
        match k.code {
            KeyCode::Char('q') | KeyCode::Esc => PickerOutcome::Quit,
            KeyCode::Up | KeyCode::Char('k') => {
                self.cursor = self.cursor.saturating_sub(1);
                PickerOutcome::Continue
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(self.items.len().saturating_sub(1));
                PickerOutcome::Continue
            }
            KeyCode::Enter => match self.items.get(self.cursor) {
                Some(s) => PickerOutcome::Chosen(s.clone()),
                None => PickerOutcome::Continue,
            },
            _ => PickerOutcome::Continue,
        }
    }

    pub fn render(&self, theme: &Theme, f: &mut Frame) {
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(f.area());
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" ecsdeck ", theme.title()),
                Span::raw(format!(" pick a service  ({})", self.region)),
            ])),
            head,
        );
        let visible = body.height.saturating_sub(2) as usize;
        let offset = (self.cursor + 1).saturating_sub(visible);
        let w = body.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(offset)
            .take(visible)
            .map(|(i, s)| {
                let l = Line::from(fit(&format!("{:<30} {}", s.cluster, s.service), w));
                if i == self.cursor {
                    l.patch_style(theme.cursor())
                } else {
                    l
                }
            })
            .collect();
        f.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(" cluster / service ")),
            body,
        );
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" ↑↓", theme.key()),
                Span::raw(" move  "),
                Span::styled("Enter", theme.key()),
                Span::raw(" open  "),
                Span::styled("q", theme.key()),
                Span::raw(" quit"),
            ])),
            foot,
        );
    }
}

#[cfg(test)]
mod tests;
