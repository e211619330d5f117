//! The drill's story in characters for the verdict window: the same
//! lanes as the report's picture (`model::drill::story`), one row each,
//! states as bars with their words where they fit, the probe's samples,
//! the marker's steps, and an axis with the outage marked on it, so what
//! the audience saw live and what the report shows agree.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::drill::story::{Lane, LaneKind, Shape, State, Story};
use crate::ui::Theme;
use crate::ui::pane::wrapped;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn glyph(s: State) -> char {
    match s {
        State::Provisioning | State::Pending | State::Initial => '░',
        State::Draining => '▒',
        // Going down.
        State::Stopping => '▄',
        State::Running => '▓',
        State::Healthy => '█',
        State::Stopped => ' ',
    }
}

fn style(s: State, theme: &Theme) -> Style {
    match s {
        State::Running | State::Healthy => theme.good(),
        State::Draining | State::Stopping => theme.warn(),
        State::Stopped => theme.dim(),
        State::Provisioning | State::Pending | State::Initial => Style::new(),
    }
}

/// The lanes that fit in `rows` (the axis and the marker's line
/// included): the probe and the data first, then the tasks, then the
/// targets, always shown in the story's order.
fn kept(st: &Story, rows: usize) -> Vec<&Lane> {
    let priority = |l: &Lane| match l.kind {
        LaneKind::Probe | LaneKind::Data => 0,
        LaneKind::OldTask | LaneKind::NewTask => 1,
        LaneKind::OldTarget | LaneKind::NewTarget => 2,
    };
    let room = rows.saturating_sub(3);
    let mut order: Vec<usize> = (0..st.lanes.len()).collect();
    order.sort_by_key(|&i| priority(&st.lanes[i]));
    order.truncate(room);
    order.sort_unstable();
    order.into_iter().map(|i| &st.lanes[i]).collect()
}

/// How many rows the story takes at most (one a lane, the axis, the
/// marker's steps).
pub fn rows_wanted(st: &Story) -> usize {
    st.lanes.len() + 3
}

pub fn lines(st: &Story, width: usize, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lanes = kept(st, rows);
    if lanes.len() < 2 || width < 40 {
        return Vec::new();
    }
    let longest = lanes
        .iter()
        .map(|l| l.title.chars().count())
        .max()
        .unwrap_or(0);
    let tw = if width >= 90 {
        (longest + 1).clamp(12, 22)
    } else {
        12
    };
    let pw = width - tw - 1;
    let span = (st.to - st.from).max(1.0);
    let col = |t: f64| {
        (((t - st.from) / span) * (pw - 1) as f64)
            .round()
            .clamp(0.0, (pw - 1) as f64) as usize
    };
    // A cell's time: its middle.
    let at = |c: usize| st.from + (c as f64 + 0.5) / pw as f64 * span;
    let mut out = Vec::new();
    for l in &lanes {
        let mut title: String = if width >= 90 {
            l.title.clone()
        } else {
            let base = l.title.trim_end_matches(" (marker)");
            match (l.kind, base.rsplit_once(' ')) {
                (LaneKind::OldTask | LaneKind::NewTask, Some((head, _))) => head.to_string(),
                _ => base.to_string(),
            }
        };
        title = title.chars().take(tw - 1).collect();
        let mut spans = vec![Span::styled(format!("{title:<tw$}"), theme.title())];
        spans.push(Span::raw("│"));
        match l.kind {
            _ if l.note.is_some() => {
                let note = l.note.clone().unwrap_or_default();
                spans.push(Span::styled(note, theme.dim()));
            }
            LaneKind::Probe => spans.extend(probe(l, pw, &col, theme)),
            LaneKind::Data => spans.extend(data(l, pw, &col, theme)),
            _ => spans.extend(bars(l, pw, &at, theme)),
        }
        out.push(Line::from(spans));
    }
    out.push(axis(st, tw, pw, &col, theme));
    let steps: Vec<String> = st
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Data)
        .flat_map(|l| &l.marks)
        .filter(|m| !m.label.is_empty())
        // Never "-0.0s": a step a few milliseconds before the stop is at it.
        .map(|m| {
            format!(
                "{} {:+.1}s",
                m.label,
                if m.at.abs() < 0.05 { 0.0 } else { m.at }
            )
        })
        .collect();
    if !steps.is_empty() {
        let text = format!("marker: {}", steps.join(" · "));
        out.extend(wrapped(&text, width, theme.dim()).into_iter().take(2));
    }
    out
}

/// A task's or target's states, each run of cells in its glyph with its
/// word written in where it fits.
fn bars(l: &Lane, pw: usize, at: &dyn Fn(usize) -> f64, theme: &Theme) -> Vec<Span<'static>> {
    let cells: Vec<Option<State>> = (0..pw)
        .map(|c| {
            let t = at(c);
            l.spans
                .iter()
                .find(|s| s.from <= t && t < s.to)
                .map(|s| s.state)
        })
        .collect();
    let mut out = Vec::new();
    let mut c = 0;
    while c < pw {
        let here = cells[c];
        let run = cells[c..].iter().take_while(|x| **x == here).count();
        match here {
            None => out.push(Span::raw(" ".repeat(run))),
            Some(s) => {
                let word = s.word();
                let st = style(s, theme);
                if run > word.len() + 1 {
                    out.push(Span::styled(
                        word.to_string(),
                        st.add_modifier(Modifier::REVERSED),
                    ));
                    out.push(Span::styled(
                        glyph(s).to_string().repeat(run - word.len()),
                        st,
                    ));
                } else {
                    out.push(Span::styled(glyph(s).to_string().repeat(run), st));
                }
            }
        }
        c += run;
    }
    out
}

/// The probe: an error wins its cell (an outage is never hidden), a 2xx
/// is a bar as high as its latency; a sample stands until the next.
fn probe(l: &Lane, pw: usize, col: &dyn Fn(f64) -> usize, theme: &Theme) -> Vec<Span<'static>> {
    let mut cells: Vec<Option<(char, bool)>> = vec![None; pw];
    let mut last = None;
    for m in &l.marks {
        let c = col(m.at);
        let cell = match m.shape {
            Shape::Up => (BARS[((m.level * 7.0).round() as usize).min(7)], true),
            Shape::Error => ('×', false),
            Shape::NoAnswer => ('○', false),
            _ => continue,
        };
        if cells[c].is_none_or(|(_, up)| up) {
            cells[c] = Some(cell);
        }
        last = Some(last.map_or(c, |l: usize| l.max(c)));
    }
    for c in 1..pw {
        if last.is_some_and(|l| c > l) {
            break;
        }
        if cells[c].is_none() {
            cells[c] = cells[c - 1];
        }
    }
    cells
        .into_iter()
        .map(|x| match x {
            Some((ch, true)) => Span::styled(ch.to_string(), theme.good()),
            Some((ch, false)) => Span::styled(ch.to_string(), theme.bad()),
            None => Span::raw(" "),
        })
        .collect()
}

fn data(l: &Lane, pw: usize, col: &dyn Fn(f64) -> usize, theme: &Theme) -> Vec<Span<'static>> {
    let mut cells: Vec<Option<bool>> = vec![None; pw];
    for m in &l.marks {
        let c = col(m.at);
        let ok = m.shape == Shape::DataOk;
        // A failed step wins its cell.
        cells[c] = Some(cells[c].unwrap_or(true) && ok);
    }
    cells
        .into_iter()
        .map(|x| match x {
            Some(true) => Span::styled("◆", theme.good()),
            Some(false) => Span::styled("✗", theme.bad()),
            None => Span::raw(" "),
        })
        .collect()
}

/// The axis: zero and the end in seconds, each outage bracketed under
/// its columns with its length.
fn axis(
    st: &Story,
    tw: usize,
    pw: usize,
    col: &dyn Fn(f64) -> usize,
    theme: &Theme,
) -> Line<'static> {
    let mut row: Vec<char> = vec!['─'; pw];
    let mut bad = vec![false; pw];
    for (a, b) in &st.outages {
        let (ca, cb) = (col(*a), col(*b).max(col(*a)));
        for (i, ch) in row.iter_mut().enumerate().take(cb + 1).skip(ca) {
            *ch = if i == ca {
                '└'
            } else if i == cb {
                '┘'
            } else {
                '━'
            };
            bad[i] = true;
        }
        let text: Vec<char> = format!("outage {:.1} s", b - a).chars().collect();
        // Inside its bracket when it fits, else just after it.
        let start = if cb > ca + text.len() + 1 {
            ca + (cb - ca + 1 - text.len()) / 2
        } else {
            (cb + 1).min(pw.saturating_sub(text.len()))
        };
        for (i, ch) in text.into_iter().enumerate() {
            if let Some(cell) = row.get_mut(start + i) {
                *cell = ch;
                bad[start + i] = true;
            }
        }
    }
    let z = col(0.0);
    if !bad[z] {
        row[z] = '0';
    }
    let end: Vec<char> = format!("{:.0}s", st.to).chars().collect();
    let from = pw.saturating_sub(end.len());
    if !bad[from..].iter().any(|b| *b) {
        row[from..].copy_from_slice(&end[..pw - from]);
    }
    let label = if st.zero_is_stop {
        "s from stop"
    } else {
        "s from start"
    };
    let mut spans = vec![
        Span::styled(format!("{label:<tw$}"), theme.dim()),
        Span::raw("└"),
    ];
    let mut c = 0;
    while c < pw {
        let b = bad[c];
        let run = bad[c..].iter().take_while(|x| **x == b).count();
        let text: String = row[c..c + run].iter().collect();
        spans.push(if b {
            Span::styled(text, theme.bad())
        } else {
            Span::styled(text, theme.dim())
        });
        c += run;
    }
    Line::from(spans)
}
