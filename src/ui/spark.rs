//! A chart in one row of text: each column the highest of its minutes'
//! averages (memory near its limit is what kills), blank where no task
//! reported (never a bar of zero, never a line drawn across), `│` where a
//! task started or stopped.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::model::derive::Chart;
use crate::ui::Theme;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// What one column shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column {
    Gap,
    Mark,
    /// A bar of 0..=7.
    Bar(usize),
}

/// `chart` in at most `width` columns (one a minute when there is room),
/// scaled so `full` is the top bar. A mark is a column of its own, before
/// the minute it happened in, so it hides no point.
pub fn columns(chart: &Chart, width: usize, full: f64) -> Vec<Column> {
    let n = chart.slots.len();
    let mut marks: Vec<usize> = chart.marks.iter().copied().filter(|m| *m < n).collect();
    marks.sort_unstable();
    marks.dedup();
    // With too little room the minutes matter more than the marks'
    // columns (each mark takes one, and each stretch between two at
    // least one); the stretches are still drawn apart while they fit.
    let drawn = width >= 2 * marks.len() + 8;
    let cols = width
        .saturating_sub(if drawn { marks.len() } else { 0 })
        .min(n);
    if cols == 0 {
        return Vec::new();
    }
    if !drawn && marks.len() >= cols {
        marks.clear();
    }
    // The minutes between two marks are drawn apart: no column mixes a
    // task's minutes with its replacement's.
    let mut bounds = vec![0];
    bounds.extend(marks.iter().copied().filter(|m| *m > 0));
    bounds.push(n);
    bounds.dedup();
    let segments: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let share = shares(&segments, cols, n);
    let mut out = Vec::with_capacity(cols + marks.len());
    for ((from, to), k) in segments.iter().zip(share) {
        if drawn && marks.contains(from) {
            out.push(Column::Mark);
        }
        let len = to - from;
        for c in 0..k {
            let a = from + c * len / k;
            let b = (from + (c + 1) * len / k).max(a + 1).min(*to);
            out.push(column(&chart.slots[a..b], full));
        }
    }
    out
}

/// Columns for each segment, in proportion to its minutes, one at least
/// while there are enough; never more than its minutes.
fn shares(segments: &[(usize, usize)], cols: usize, n: usize) -> Vec<usize> {
    let mut share: Vec<usize> = segments
        .iter()
        .map(|(a, b)| ((b - a) * cols / n).max(1).min(b - a))
        .collect();
    // Trim the largest until they fit, then grow the ones cut shortest.
    while share.iter().sum::<usize>() > cols {
        if let Some(i) = (0..share.len())
            .filter(|i| share[*i] > 1)
            .max_by_key(|i| share[*i])
        {
            share[i] -= 1;
        } else {
            break;
        }
    }
    while share.iter().sum::<usize>() < cols {
        let room = (0..share.len())
            .filter(|i| share[*i] < segments[*i].1 - segments[*i].0)
            .max_by_key(|i| (segments[*i].1 - segments[*i].0) * 1000 / share[*i].max(1));
        match room {
            Some(i) => share[i] += 1,
            None => break,
        }
    }
    share
}

/// One column of minutes: their peak, or a gap when none reported.
fn column(slots: &[Option<f64>], full: f64) -> Column {
    match slots
        .iter()
        .flatten()
        .copied()
        .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))))
    {
        None => Column::Gap,
        Some(v) => {
            let level = (v / full.max(f64::MIN_POSITIVE) * 8.0).ceil() as i64 - 1;
            Column::Bar(level.clamp(0, 7) as usize)
        }
    }
}

/// The same as spans: bars in `style` (the warning colour above
/// `warn_at` of full), marks dim.
pub fn spans(
    chart: &Chart,
    width: usize,
    full: f64,
    style: Style,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style = style;
    let flush = |run: &mut String, s: Style, out: &mut Vec<Span<'static>>| {
        if !run.is_empty() {
            out.push(Span::styled(std::mem::take(run), s));
        }
    };
    for col in columns(chart, width, full) {
        let (ch, s) = match col {
            Column::Gap => (' ', style),
            Column::Mark => ('│', theme.dim()),
            Column::Bar(l) => (BARS[l], style),
        };
        if s != run_style {
            flush(&mut run, run_style, &mut out);
            run_style = s;
        }
        run.push(ch);
    }
    flush(&mut run, run_style, &mut out);
    out
}

/// A percentage as a pane shows it: `23%`, `-` when unknown.
pub fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{:.0}%", v.max(0.0)),
        _ => "-".into(),
    }
}

#[cfg(test)]
mod tests;
