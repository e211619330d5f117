//! Dialogs drawn over the dashboard.

pub mod big;
pub mod confirm;
pub mod drill;
pub mod exec;
pub mod help;
pub mod story;
pub mod switch;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::ui::Theme;
use crate::ui::pane::wrapped;

/// `service goals-service  cluster demo  (the simulated demo)`: which
/// service a dialog that changes AWS is about.
pub fn service_line(service: &str, cluster: &str, demo: bool, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("service ", theme.dim()),
        Span::raw(service.to_string()),
        Span::styled("  cluster ", theme.dim()),
        Span::raw(cluster.to_string()),
        Span::styled(
            if demo { "  (the simulated demo)" } else { "" },
            theme.demo(),
        ),
    ])
}

/// Steps numbered ` 1. `, wrapped under their text.
pub fn numbered(out: &mut Vec<Line<'static>>, items: &[String], width: usize, theme: &Theme) {
    for (i, step) in items.iter().enumerate() {
        for (k, r) in wrapped(step, width.saturating_sub(4), Style::new())
            .into_iter()
            .enumerate()
        {
            let lead = if k == 0 {
                format!(" {}. ", i + 1)
            } else {
                "    ".into()
            };
            let mut spans = vec![Span::styled(lead, theme.dim())];
            spans.extend(r.spans);
            out.push(Line::from(spans));
        }
    }
}

/// A `w` by `h` window in the middle of `area`, never larger than it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The lines that fit in `room` rows. When they do not all fit, the last
/// — the dialog's keys — stays visible.
pub fn keeping_last(body: Vec<Line<'static>>, room: usize) -> Vec<Line<'static>> {
    if body.len() <= room || room == 0 {
        return body;
    }
    let mut kept: Vec<Line<'static>> = body[..room - 1].to_vec();
    kept.extend(body.last().cloned());
    kept
}
