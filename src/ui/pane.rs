//! A pane's chrome, shared by every pane: its content before layout, the
//! bordered block with the title and the freshness note, lines cut with a
//! visible ellipsis, and the placeholder shown before data arrives.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use unicode_width::UnicodeWidthChar;

use super::Theme;
use super::text;
use crate::app::{Loadable, State};

/// A pane's drawn content before layout: its title, the freshness note on
/// the right of the border, its lines and which line holds the cursor.
pub struct Content {
    /// Why the data is stale, shown above it in full.
    pub notice: Option<Line<'static>>,
    pub title: Line<'static>,
    pub status: Line<'static>,
    pub lines: Vec<Line<'static>>,
    pub cursor_line: Option<usize>,
}

pub fn draw(f: &mut Frame, area: Rect, c: Content, focused: bool, theme: &Theme) {
    if area.height < 2 || area.width < 4 {
        return;
    }
    // The title gives way to the freshness note, never the other way round:
    // a stale warning must stay readable.
    let room = (area.width as usize).saturating_sub(c.status.width() + 3);
    let title = if c.title.width() > room {
        let text: String = c.title.spans.iter().map(|s| s.content.as_ref()).collect();
        Line::from(Span::styled(text::fit(&text, room), theme.title()))
    } else {
        c.title
    };
    let block = block(title, c.status, focused, theme);
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut visible = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Why the data is stale, wrapped (up to three rows) so the missing
    // permission or the cause is readable in full above the data kept.
    if let Some(n) = c.notice
        && visible > 1
    {
        let style = n.spans.first().map(|s| s.style).unwrap_or_default();
        let text: String = n.spans.iter().map(|s| s.content.as_ref()).collect();
        let rows = wrapped(&text, inner_w, style);
        let room = (visible - 1).min(3);
        let cut = rows.len() > room;
        for (i, l) in rows.into_iter().take(room).enumerate() {
            lines.push(if cut && i + 1 == room {
                fit_line(Line::from(format!("{}…", l)).style(style), inner_w)
            } else {
                fit_line(l, inner_w)
            });
            visible -= 1;
        }
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
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
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
pub fn freshness<T>(
    l: &Loadable<T>,
    state: &State,
    theme: &Theme,
) -> (Line<'static>, Option<Line<'static>>) {
    let now = state.now;
    // Paused for refused credentials: the banner says why, once; each
    // pane only how old its data is.
    if state.paused.is_some()
        && l.error
            .as_ref()
            .is_none_or(|e| e.error.kind == crate::model::error::ErrorKind::Credentials)
    {
        let age = l
            .updated
            .map(|at| format!(" · data {} old", text::age(at, now)))
            .unwrap_or_default();
        return (
            Line::from(Span::styled(format!(" ⏸ paused{age} "), theme.warn())),
            None,
        );
    }
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

/// A pane's border: thick and lit when focused, the title on the left and
/// the freshness note on the right.
pub fn block(
    title: Line<'static>,
    status: Line<'static>,
    focused: bool,
    theme: &Theme,
) -> Block<'static> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.focus_border()
        } else {
            Style::new()
        })
        .title(title)
        .title_top(status.right_aligned())
}

pub fn title(name: &str, extra: &str, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {name} "), theme.title())];
    if !extra.is_empty() {
        spans.push(Span::raw(format!("{extra} ")));
    }
    Line::from(spans)
}

/// What a pane shows before its data arrives: the error, wrapped so it is
/// readable in full (the missing IAM action above all), or "loading".
pub fn placeholder<T>(
    l: &Loadable<T>,
    what: &str,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    match &l.error {
        Some(e) => wrapped(&e.error.operator_text(), width, theme.bad()),
        None => vec![Line::from(Span::styled(
            format!("loading {what}…"),
            theme.dim(),
        ))],
    }
}

/// A pane that cannot show anything without another resource (the EFS
/// pane without the task definition) says which, and why it is missing.
pub fn needs<T>(l: &Loadable<T>, what: &str, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    match &l.error {
        Some(e) => wrapped(
            &format!("needs the {what}: {}", e.error.operator_text()),
            width,
            theme.bad(),
        ),
        None => vec![Line::from(Span::styled(
            format!("loading {what}…"),
            theme.dim(),
        ))],
    }
}

/// Text in one style, wrapped at word boundaries to `width`.
pub fn wrapped(s: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    text::wrap(s, width.max(8))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

/// A pane that has nothing but its placeholder (or a note) to show.
pub fn waiting(
    name: &str,
    status: Line<'static>,
    notice: Option<Line<'static>>,
    lines: Vec<Line<'static>>,
    theme: &Theme,
) -> Content {
    Content {
        notice,
        title: title(name, "", theme),
        status,
        lines,
        cursor_line: None,
    }
}

/// Short AZ ("1a") from "us-east-1a".
pub fn short_az(az: &str) -> &str {
    az.rsplit('-').next().unwrap_or(az)
}

/// Splits styled spans into rows of at most `width` columns.
pub fn wrap_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in spans {
        let mut chunk = String::new();
        for ch in span.content.chars() {
            let w = ch.width().unwrap_or(0);
            if used + w > width {
                if !chunk.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut chunk), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            chunk.push(ch);
            used += w;
        }
        if !chunk.is_empty() {
            row.push(Span::styled(chunk, span.style));
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

/// The width panes are laid out at when zoomed: wide enough that nothing
/// is cut; `draw_whole` then wraps each line to the screen.
pub const WHOLE: usize = 1000;

/// A zoomed pane: every line whole, wrapped to the width with a hanging
/// indent, the gaps that aligned its columns at `WHOLE` squeezed.
pub fn draw_whole(f: &mut Frame, area: Rect, c: Content, theme: &Theme) {
    if area.height < 2 || area.width < 8 {
        return;
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut cursor_row = None;
    if let Some(n) = c.notice {
        rows.extend(wrap_words(squeeze(n).spans, inner_w));
    }
    for (i, l) in c.lines.into_iter().enumerate() {
        let style = l.style;
        let mut wrapped = wrap_words(squeeze(l).spans, inner_w.saturating_sub(2));
        for (k, w) in wrapped.iter_mut().enumerate() {
            if k > 0 {
                w.spans.insert(0, Span::raw("  "));
            }
            w.style = style;
        }
        if Some(i) == c.cursor_line {
            cursor_row = Some((rows.len(), wrapped.len()));
        }
        rows.extend(wrapped);
    }
    let visible = area.height.saturating_sub(2) as usize;
    let offset = cursor_row.map_or(0, |(r, n)| (r + n).saturating_sub(visible));
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, l)| match cursor_row {
            Some((r, n)) if i >= r && i < r + n => l.patch_style(theme.cursor()),
            _ => l,
        })
        .collect();
    let title = c.title;
    f.render_widget(
        Paragraph::new(lines).block(block(title, c.status, true, theme)),
        area,
    );
}

/// Styled spans as rows of at most `width` columns, broken at the last
/// space where there is one (a word longer than a row is cut).
pub fn wrap_words(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let cells: Vec<(char, Style)> = spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut row: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    for cell in cells {
        let w = cell.0.width().unwrap_or(0);
        if used + w > width && !row.is_empty() {
            let carry = match row.iter().rposition(|(c, _)| *c == ' ') {
                Some(i) if i > 0 => {
                    let rest = row.split_off(i + 1);
                    row.pop();
                    rest
                }
                _ => Vec::new(),
            };
            rows.push(std::mem::replace(&mut row, carry));
            used = row.iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
        }
        row.push(cell);
        used += w;
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows.into_iter()
        .map(|r| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut text = String::new();
            let mut style = None;
            for (c, st) in r {
                if style.is_some_and(|s| s != st) {
                    spans.push(Span::styled(
                        std::mem::take(&mut text),
                        style.unwrap_or_default(),
                    ));
                }
                style = Some(st);
                text.push(c);
            }
            if !text.is_empty() {
                spans.push(Span::styled(text, style.unwrap_or_default()));
            }
            Line::from(spans)
        })
        .collect()
}

/// Runs of spaces that aligned columns at `WHOLE` become two; trailing
/// space goes.
fn squeeze(l: Line<'static>) -> Line<'static> {
    let style = l.style;
    let mut spans: Vec<Span<'static>> = l
        .spans
        .into_iter()
        .map(|s| {
            let mut out = String::with_capacity(s.content.len());
            let mut run = 0;
            for ch in s.content.chars() {
                if ch == ' ' {
                    run += 1;
                    if run <= 2 {
                        out.push(ch);
                    }
                } else {
                    run = 0;
                    out.push(ch);
                }
            }
            Span::styled(out, s.style)
        })
        .collect();
    while let Some(last) = spans.last_mut() {
        let t = last.content.trim_end().to_string();
        if t.is_empty() {
            spans.pop();
        } else {
            *last = Span::styled(t, last.style);
            break;
        }
    }
    Line::from(spans).style(style)
}
