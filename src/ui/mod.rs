//! Rendering: reads state only, never waits on anything.

pub mod keys;
mod logs;
mod panes;
pub mod picker;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::{Action, Loadable, Pane, State};
pub use theme::Theme;

/// A pane's drawn content before layout: its title, the freshness note on
/// the right of the border, its lines and which line holds the cursor.
pub(crate) struct Content {
    /// Why the data is stale, shown above it in full.
    notice: Option<Line<'static>>,
    title: Line<'static>,
    status: Line<'static>,
    lines: Vec<Line<'static>>,
    cursor_line: Option<usize>,
}

pub fn render(state: &State, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(panes::header(state, theme, area.width)),
        header,
    );
    f.render_widget(Paragraph::new(hint_bar(state, theme, area.width)), footer);

    if state.logs.full || (state.zoom && state.focus == Pane::Logs) {
        logs::draw(f, body, state, theme, true);
    } else if state.zoom {
        let c = pane_content(state, theme, state.focus, body.width);
        draw(f, body, c, true, theme);
    } else {
        body_layout(state, theme, f, body);
    }
    if state.help {
        help_overlay(theme, f, area);
    }
}

fn pane_content(state: &State, theme: &Theme, pane: Pane, width: u16) -> Content {
    let inner = width.saturating_sub(2) as usize;
    match pane {
        Pane::Service => panes::service(state, theme, inner),
        Pane::Tasks => panes::tasks(state, theme, inner),
        Pane::Containers => panes::containers(state, theme, inner),
        Pane::Targets => panes::targets(state, theme, inner),
        Pane::Efs => panes::efs(state, theme, inner),
        Pane::Events => panes::events(state, theme, inner),
        // Drawn by `logs::draw`, which needs the height.
        Pane::Logs => panes::events(state, theme, inner),
    }
}

fn body_layout(state: &State, theme: &Theme, f: &mut Frame, body: Rect) {
    let wide = body.width >= 110;
    let tall = body.height >= 34;
    let left_pct = if wide { 58 } else { 55 };
    let left_w = (body.width as u32 * left_pct / 100) as u16;
    let right_w = body.width - left_w;
    let full = body.width.saturating_sub(2) as usize;
    let svc = panes::service(state, theme, full);
    let (tasks_w, cont_w) = if wide {
        (left_w, right_w)
    } else {
        (body.width, body.width)
    };
    let tasks = panes::tasks(state, theme, tasks_w.saturating_sub(2) as usize);
    let conts = panes::containers(state, theme, cont_w.saturating_sub(2) as usize);
    let lb = panes::targets(state, theme, left_w.saturating_sub(2) as usize);
    let efs = panes::efs(state, theme, right_w.saturating_sub(2) as usize);
    let events = panes::events(state, theme, full);
    let h = |c: &Content, min: u16, max: u16| (c.lines.len() as u16 + 2).clamp(min, max);
    let both = |a: &Content, b: &Content, min: u16, max: u16| h(a, min, max).max(h(b, min, max));
    let focus = |p: Pane| state.focus == p;
    // The service box grows with its warnings, but never crowds out the
    // tasks and targets.
    let svc_h = h(&svc, 3, if tall { 9 } else { 5 });
    let mid_h = both(&lb, &efs, 4, if tall { 10 } else { 5 });

    if wide {
        let row1_h = both(&tasks, &conts, 4, if tall { 10 } else { 6 });
        let ev_h = h(&events, 3, if tall { 7 } else { 4 });
        let [s, row1, row2, ev, lg] = Layout::vertical([
            Constraint::Length(svc_h),
            Constraint::Length(row1_h),
            Constraint::Length(mid_h),
            Constraint::Length(ev_h),
            Constraint::Min(3),
        ])
        .areas(body);
        logs::draw(f, lg, state, theme, focus(Pane::Logs));
        draw(f, s, svc, focus(Pane::Service), theme);
        let [t, c] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(row1);
        draw(f, t, tasks, focus(Pane::Tasks), theme);
        draw(f, c, conts, focus(Pane::Containers), theme);
        let [l, e] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(row2);
        draw(f, l, lb, focus(Pane::Targets), theme);
        draw(f, e, efs, focus(Pane::Efs), theme);
        draw(f, ev, events, focus(Pane::Events), theme);
    } else {
        // Events and logs share the last slot on a small screen: the one
        // focused last is shown (logs by default).
        let [s, t, c, row, ev] = Layout::vertical([
            Constraint::Length(svc_h.min(4)),
            Constraint::Length(h(&tasks, 3, 4)),
            Constraint::Length(h(&conts, 3, 4)),
            Constraint::Length(mid_h),
            Constraint::Min(3),
        ])
        .areas(body);
        draw(f, s, svc, focus(Pane::Service), theme);
        draw(f, t, tasks, focus(Pane::Tasks), theme);
        draw(f, c, conts, focus(Pane::Containers), theme);
        let [l, e] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(row);
        draw(f, l, lb, focus(Pane::Targets), theme);
        draw(f, e, efs, focus(Pane::Efs), theme);
        if focus(Pane::Events) {
            draw(f, ev, events, true, theme);
        } else {
            logs::draw(f, ev, state, theme, focus(Pane::Logs));
        }
    }
}

fn draw(f: &mut Frame, area: Rect, c: Content, focused: bool, theme: &Theme) {
    if area.height < 2 || area.width < 4 {
        return;
    }
    let border = if focused {
        theme.focus_border()
    } else {
        Style::new()
    };
    // The title gives way to the freshness note, never the other way round:
    // a stale warning must stay readable.
    let room = (area.width as usize).saturating_sub(c.status.width() + 3);
    let title = if c.title.width() > room {
        let text: String = c.title.spans.iter().map(|s| s.content.as_ref()).collect();
        Line::from(Span::styled(text::fit(&text, room), theme.title()))
    } else {
        c.title
    };
    let block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(title)
        .title_top(c.status.right_aligned());
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut visible = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(n) = c.notice
        && visible > 1
    {
        lines.push(fit_line(n, inner_w));
        visible -= 1;
    }
    // Keep the cursor in view: scroll just enough to show it.
    let offset = c.cursor_line.map_or(0, |l| (l + 1).saturating_sub(visible));
    lines.extend(
        c.lines
            .into_iter()
            .enumerate()
            .skip(offset)
            .take(visible)
            .map(|(i, l)| {
                let l = fit_line(l, inner_w);
                if focused && Some(i) == c.cursor_line {
                    l.patch_style(theme.cursor())
                } else {
                    l
                }
            }),
    );
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Cuts a line to `width` columns with a visible ellipsis, so no pane ever
/// loses text silently at its edge.
fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.width();
        if used + w < width {
            used += w;
            spans.push(span);
            continue;
        }
        let cut = text::fit(&format!("{}…", span.content), width - used);
        spans.push(Span::styled(cut, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// The right side of a pane's border: how fresh its data is; and, when a
/// poll failed, a line saying why, shown above the data it kept.
pub(crate) fn freshness<T>(
    l: &Loadable<T>,
    state: &State,
    theme: &Theme,
) -> (Line<'static>, Option<Line<'static>>) {
    let now = state.now;
    match (&l.error, l.updated) {
        (Some(e), Some(at)) => (
            Line::from(Span::styled(
                format!(
                    " ⚠ stale {} · retry in {} ",
                    text::age(at, now),
                    text::short_duration(e.retry_in)
                ),
                theme.warn(),
            )),
            Some(Line::from(Span::styled(
                format!("⚠ {}", e.error.operator_text()),
                theme.warn(),
            ))),
        ),
        (Some(e), None) => (
            Line::from(Span::styled(
                format!(" ⚠ failed · retry in {} ", text::short_duration(e.retry_in)),
                theme.bad(),
            )),
            None,
        ),
        (None, Some(at)) => {
            let age = (now - at).num_seconds();
            let stale = age > (state.ctx.refresh.as_secs() as i64 * 3).max(30);
            (
                Line::from(Span::styled(
                    format!(" updated {} ago ", text::age(at, now)),
                    if stale { theme.warn() } else { theme.dim() },
                )),
                None,
            )
        }
        (None, None) => (Line::from(Span::styled(" loading… ", theme.dim())), None),
    }
}

fn hint_bar(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    // Help and quit first: on a narrow screen they are the ones that must
    // stay visible.
    let first = |b: &&keys::Binding| !matches!(b.action, Action::Help | Action::Quit);
    let mut hinted: Vec<&keys::Binding> =
        keys::BINDINGS.iter().filter(|b| b.hint.is_some()).collect();
    hinted.sort_by_key(first);
    let mut used = 1;
    for b in hinted {
        let Some(h) = b.hint else { continue };
        let w = b.label.chars().count() + h.chars().count() + 3;
        if used + w > width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    let left: usize = spans.iter().map(|s| s.width()).sum();
    let right = match state.calls_per_min() {
        Some(r) => format!("AWS {r:.0} calls/min "),
        None => "AWS calls/min: measuring ".into(),
    };
    let right = if state.ctx.demo {
        format!("simulated {right}")
    } else {
        right
    };
    let gap = (width as usize).saturating_sub(left + right.len());
    if gap > 0 {
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::styled(right, theme.dim()));
    }
    Line::from(spans)
}

fn help_overlay(theme: &Theme, f: &mut Frame, area: Rect) {
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
    let logs = column(Section::Logs, "Logs");
    let footer = Line::from(Span::styled(" Esc or ? closes this help", theme.dim()));
    // Two columns side by side when the screen is short, one after the
    // other when it is tall and narrow.
    let side_by_side = area.width >= 76 && (general.len() + logs.len() + 5) as u16 > area.height;
    let w = if side_by_side {
        area.width.min(84)
    } else {
        area.width.min(48)
    };
    let rows = if side_by_side {
        general.len().max(logs.len()) + 3
    } else {
        general.len() + logs.len() + 4
    };
    let h = (rows as u16).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
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

#[cfg(test)]
mod tests;
