//! The help overlay: every key, from the same table the handler uses.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::State;
use crate::model::observe::quota_per_s;
use crate::ui::pane::fit_line;
use crate::ui::{Theme, keys};

/// ecsdeck's calls per API over the last minute, with the share of the
/// account quota each uses (the quota is shared with everything else the
/// account runs).
fn api_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        "AWS calls, last minute",
        theme.title(),
    ))];
    let mut any = false;
    for (api, rate) in &state.api_rates {
        let Some(per_s) = rate.per_s(5.0) else {
            continue;
        };
        if per_s <= 0.0 {
            continue;
        }
        any = true;
        let share = quota_per_s(api)
            .map(|q| format!("  {:.1}% of {q:.0}/s", per_s * 100.0 / q))
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::raw(format!(" {:<5.1}/min ", per_s * 60.0)),
            Span::styled(api.clone(), theme.key()),
            Span::styled(share, theme.dim()),
        ]));
    }
    if !any {
        out.push(Line::from(Span::styled(" measuring…", theme.dim())));
    }
    out
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    use keys::Section;
    let column = |section: Section, heading: &'static str| {
        let mut lines = vec![Line::from(Span::styled(heading, theme.title()))];
        for b in keys::BINDINGS.iter().filter(|b| b.section == section) {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<7}", b.label), theme.key()),
                Span::raw(b.help),
            ]));
        }
        lines
    };
    let mut general = column(Section::General, "Dashboard");
    general.push(Line::from(vec![
        Span::styled(format!(" {:<7}", "Ctrl-C"), theme.key()),
        Span::raw("quit"),
    ]));
    general.push(Line::from(""));
    // The actions beside the logs' keys, where a short screen still
    // shows them; the dialogs' own keys last (each dialog shows them too).
    let mut logs = column(Section::Logs, "Logs");
    logs.extend(column(Section::Copy, "Copy"));
    logs.push(Line::from(""));
    if state.ctx.read_only {
        logs.push(Line::from(Span::styled(
            "Read-only: no key changes anything in AWS",
            theme.title(),
        )));
    } else {
        logs.extend(column(Section::Actions, "Actions (change AWS)"));
        general.extend(column(Section::Dialog, "In a confirm dialog"));
        general.extend(column(Section::Drill, "In the drill's window"));
    }
    logs.push(Line::from(""));
    logs.extend(api_lines(state, theme));
    let footer = Line::from(Span::styled(" Esc or ? closes this help", theme.dim()));
    // Two columns side by side when the screen is short, one after the
    // other when it is tall and narrow.
    let side_by_side = area.width >= 76 && (general.len() + logs.len() + 5) as u16 > area.height;
    let w = if side_by_side {
        area.width.min(100)
    } else {
        area.width.min(48)
    };
    // Borders (2) and the footer (1); one after the other, two blank
    // rows between the sections and before the footer.
    let rows = if side_by_side {
        general.len().max(logs.len()) + 3
    } else {
        general.len() + logs.len() + 5
    };
    let h = (rows as u16).min(area.height);
    let r = super::centered(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(" Help: keys ", theme.title()));
    let inner = block.inner(r);
    f.render_widget(block, r);
    if side_by_side {
        let [cols, foot] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(cols);
        let fit_all = |v: Vec<Line<'static>>, w: u16| -> Vec<Line<'static>> {
            v.into_iter().map(|l| fit_line(l, w as usize)).collect()
        };
        f.render_widget(Paragraph::new(fit_all(general, a.width)), a);
        f.render_widget(Paragraph::new(fit_all(logs, b.width)), b);
        f.render_widget(Paragraph::new(footer), foot);
    } else {
        let mut all = general;
        all.push(Line::from(""));
        all.extend(logs);
        all.push(Line::from(""));
        all.push(footer);
        let all: Vec<Line> = all
            .into_iter()
            .map(|l| fit_line(l, inner.width as usize))
            .collect();
        f.render_widget(Paragraph::new(all), inner);
    }
}
