//! The service picker drawn: at start (the whole screen) and on `:` (a
//! window over the dashboard). The matches of the filter are underlined,
//! the header says how many of how many are listed, and whether more are
//! on their way. Its state and keys are `app::picker`'s.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::Theme;
use super::text::{fit, pad};
use crate::app::picker::Listing;
pub use crate::app::picker::{Picker, PickerOutcome};

impl Picker {
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
        let (what, total) = match self.kind {
            Listing::Services => ("services", self.items.len()),
            Listing::Profiles => ("profiles", self.names.len()),
            Listing::Regions => ("regions", self.names.len()),
        };
        let shown = self.rows();
        let so_far = if self.loading && self.kind == Listing::Services {
            " so far, listing…"
        } else {
            ""
        };
        let what = if total == 1 {
            what.trim_end_matches('s')
        } else {
            what
        };
        let count = if self.filter.is_empty() {
            format!("{total} {what}{so_far}")
        } else {
            format!("{shown} of {total} {what}{so_far}")
        };
        let account = match &self.profile {
            Some(p) => format!("profile {p} · {}", self.region),
            None => self.region.clone(),
        };
        let ask = match self.kind {
            Listing::Services => "pick a service",
            Listing::Profiles => "pick a profile",
            Listing::Regions => "pick a region",
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" ecsdeck ", theme.title()),
                Span::raw(format!(" {ask}  ({account})  {count}  ")),
                Span::styled("filter: ", theme.dim()),
                Span::styled(format!("{}▏", self.filter), theme.key()),
            ])),
            head,
        );
        let visible = body.height.saturating_sub(2) as usize;
        self.page.set(visible.max(1));
        let offset = (self.cursor + 1).saturating_sub(visible);
        let w = body.width.saturating_sub(2) as usize;
        let rows = match self.kind {
            Listing::Services => self.service_rows(theme, w, offset, visible),
            Listing::Profiles | Listing::Regions => self.name_rows(theme, w, offset, visible),
        };
        let mut lines: Vec<Line> = rows
            .into_iter()
            .enumerate()
            .map(|(k, l)| {
                if offset + k == self.cursor {
                    l.patch_style(theme.cursor())
                } else {
                    l
                }
            })
            .collect();
        if shown == 0 && self.loading {
            lines.push(Line::from(Span::styled("listing…", theme.dim())));
        } else if shown == 0 && total > 0 {
            lines.push(Line::from(Span::styled(
                format!("nothing matches \"{}\" (Backspace or Esc)", self.filter),
                theme.warn(),
            )));
        }
        if let Some(n) = &self.note {
            lines.push(Line::from(Span::styled(fit(n, w), theme.warn())));
        }
        let heading = match self.kind {
            Listing::Services => "cluster / service",
            Listing::Profiles => "profile (~/.aws)",
            Listing::Regions => "region",
        };
        f.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(format!(
                " {heading}  {}–{} of {shown} ",
                if shown == 0 { 0 } else { offset + 1 },
                (offset + visible).min(shown),
            ))),
            body,
        );
        let mut keys = vec![
            Span::styled(" type", theme.key()),
            Span::raw(" to filter  "),
            Span::styled("↑↓ PgUp PgDn Home End", theme.key()),
            Span::raw(" move  "),
            Span::styled("Enter", theme.key()),
            Span::raw(" open  "),
        ];
        if self.tabs {
            keys.push(Span::styled("Tab", theme.key()));
            keys.push(Span::raw(" profiles/regions  "));
        }
        keys.push(Span::styled("Esc", theme.key()));
        keys.push(Span::raw(" clear / quit"));
        f.render_widget(Paragraph::new(Line::from(keys)), foot);
    }

    /// The services in view: cluster, service, the one watched marked.
    fn service_rows(
        &self,
        theme: &Theme,
        w: usize,
        offset: usize,
        visible: usize,
    ) -> Vec<Line<'static>> {
        let shown = self.shown();
        let cluster_w = shown
            .iter()
            .map(|s| s.cluster.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 40);
        shown
            .iter()
            .skip(offset)
            .take(visible)
            .map(|s| {
                let mut spans = marked(&pad(&fit(&s.cluster, cluster_w), cluster_w), &self.filter);
                spans.push(Span::raw(" "));
                let here = self.current.as_ref() == Some(*s);
                let mark = if here { "  (watching)" } else { "" };
                spans.extend(marked(
                    &fit(&s.service, w.saturating_sub(cluster_w + 1 + mark.len())),
                    &self.filter,
                ));
                spans.push(Span::styled(mark, theme.dim()));
                Line::from(spans)
            })
            .collect()
    }

    /// The profiles or regions in view, the one in use marked.
    fn name_rows(
        &self,
        theme: &Theme,
        w: usize,
        offset: usize,
        visible: usize,
    ) -> Vec<Line<'static>> {
        let in_use = match self.kind {
            Listing::Profiles => self.profile.as_deref(),
            _ => Some(self.region.as_str()),
        };
        self.shown_names()
            .into_iter()
            .skip(offset)
            .take(visible)
            .map(|n| {
                let mark = if in_use == Some(n.as_str()) {
                    "  (in use)"
                } else {
                    ""
                };
                let mut spans = marked(&fit(n, w.saturating_sub(mark.len())), &self.filter);
                spans.push(Span::styled(mark, theme.dim()));
                Line::from(spans)
            })
            .collect()
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
