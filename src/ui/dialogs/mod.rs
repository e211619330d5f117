//! Dialogs drawn over the dashboard.

pub mod big;
pub mod confirm;
pub mod drill;
pub mod exec;
pub mod help;
pub mod switch;

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
