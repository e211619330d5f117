//! The Probe pane: what the load balancer's URL answers, as the API's
//! users see it. The state at a glance first (it is the one line an
//! 80×24 screen has room for), then the latency and status strips and the
//! record count over time, then, zoomed, every recent sample.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::app::State;
use crate::model::probe::{
    ErrorClass, History, Outcome, ProbeInfo, Sample, Standing, glance, join_url, meaning,
    short_served,
};
use crate::ui::Theme;
use crate::ui::pane::{Content, title, wrapped};
use crate::ui::text::{clock, fit, short_duration};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The pane at `width` columns inside its border, with `rows` lines of
/// room (more rows add the recent samples). The lines come in order of
/// importance, as a short pane shows only the first ones.
pub fn probe(state: &State, theme: &Theme, width: usize, rows: usize) -> Content {
    let Some(info) = state.ctx.probe.as_ref() else {
        return Content {
            notice: None,
            title: title("Probe", "", theme),
            status: Line::default(),
            lines: vec![Line::from(Span::styled("off", theme.dim()))],
            cursor_line: None,
        };
    };
    let p = &state.world.probe;
    let url = p.url.clone().or_else(|| {
        let base = info.url.clone().or_else(|| {
            state
                .world
                .derived
                .probe_base
                .as_ref()
                .and_then(|b| b.as_ref().ok().cloned())
        });
        base.map(|b| join_url(&b, &info.path))
    });
    let title_line = title(
        "Probe",
        &format!(
            "GET {}  every {} · {}{}{}",
            url.as_deref().unwrap_or("…"),
            humantime::format_duration(info.interval),
            if info.reuse_connections {
                "kept connection"
            } else {
                "new connection"
            },
            if info.via_proxy { " · via proxy" } else { "" },
            if info.insecure_tls {
                " · TLS NOT VERIFIED"
            } else {
                ""
            },
        ),
        theme,
    );
    let status = freshness(state, info, theme);
    let h = &p.history;
    let Some(g) = glance(h, info.timeout) else {
        let line = match (&p.error, &state.world.derived.probe_base) {
            (Some(e), _) => wrapped(
                &format!("the probe could not start: {e}"),
                width,
                theme.bad(),
            ),
            (None, Some(Err(why))) if info.url.is_none() => {
                wrapped(&format!("no URL to probe: {why}"), width, theme.warn())
            }
            _ if url.is_none() => vec![Line::from(Span::styled(
                "waiting for the load balancer's URL (its listener that forwards to the service's target group)…",
                theme.dim(),
            ))],
            _ => vec![Line::from(Span::styled("first request…", theme.dim()))],
        };
        return Content {
            notice: None,
            title: title_line,
            status,
            lines: line,
            cursor_line: None,
        };
    };
    let head_style = match g.state {
        Standing::Up => theme.good(),
        Standing::Failing | Standing::Unreachable => theme.warn(),
        Standing::Down => theme.bad(),
    };
    let mut first = vec![
        Span::styled(g.head.clone(), head_style),
        Span::raw(format!(" {}", g.rest)),
    ];
    let avail = availability(state, h);
    let used: usize = first.iter().map(|s| s.content.width()).sum();
    let short = format!(
        "1m {}",
        pct(h.availability(state.now, std::time::Duration::from_secs(60)))
    );
    // All three windows beside the glance when they fit; else the last
    // minute there and all three under the strips.
    let full_first = used + avail.width() + 3 <= width;
    let tail = if full_first { avail.clone() } else { short };
    if used + tail.width() + 3 <= width {
        first.push(Span::raw(" ".repeat(width - used - tail.width())));
        first.push(Span::styled(tail, theme.dim()));
    }
    let mut lines = vec![Line::from(first)];
    lines.push(strips(state, h, theme, width));
    lines.push(records_line(h, info, theme, width));
    if !full_first {
        lines.push(Line::from(Span::styled(avail.clone(), theme.dim())));
    }
    if rows > lines.len() + 2 {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "{:<9} {:<16} {:>7} {:>8} {:>10} {:>7}  {}",
                "time", "answer", "total", "connect", "first byte", "records", "served by"
            ),
            theme.dim(),
        )));
        let room = rows.saturating_sub(lines.len());
        for s in h.samples().rev().take(room) {
            lines.push(sample_row(s, theme));
        }
    }
    Content {
        notice: notice(state, info, h, theme),
        title: title_line,
        status,
        lines,
        cursor_line: None,
    }
}

/// `updated 0s ago`, or a warning when samples stopped coming.
fn freshness(state: &State, info: &ProbeInfo, theme: &Theme) -> Line<'static> {
    let Some(at) = state.world.probe.updated else {
        return Line::from(Span::styled(" starting… ", theme.dim()));
    };
    let age = (state.now - at).num_seconds().max(0) as u64;
    let late = age > 3 * (info.interval + info.timeout).as_secs().max(1);
    Line::from(Span::styled(
        format!(" updated {}s ago ", age),
        if late { theme.warn() } else { theme.dim() },
    ))
}

fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 99.95 => "100%".into(),
        Some(v) => format!("{v:.1}%"),
        None => "-".into(),
    }
}

fn availability(state: &State, h: &History) -> String {
    use std::time::Duration;
    format!(
        "available 1m {}  5m {}  since start {}",
        pct(h.availability(state.now, Duration::from_secs(60))),
        pct(h.availability(state.now, Duration::from_secs(300))),
        pct(h.availability_total())
    )
}

/// The latency sparkline and the status strip side by side, over the same
/// last samples, newest on the right; then the longest outage.
fn strips(state: &State, h: &History, theme: &Theme, width: usize) -> Line<'static> {
    let longest = h
        .longest_outage(state.now)
        .map(|d| format!("  longest outage {}", short_duration(d)))
        .unwrap_or_else(|| "  no outage".into());
    let n = width.saturating_sub(8 + 8 + longest.width()) / 2;
    let shown: Vec<&Sample> = {
        let skip = h.samples().len().saturating_sub(n);
        h.samples().skip(skip).collect()
    };
    let max = shown
        .iter()
        .filter(|s| s.up)
        .map(|s| s.total_ms)
        .max()
        .unwrap_or(1)
        .max(1);
    let pad = " ".repeat(n.saturating_sub(shown.len()));
    let latency: String = shown
        .iter()
        .map(|s| {
            if s.up {
                BARS[(s.total_ms as usize * 7 / max as usize).min(7)]
            } else {
                ' '
            }
        })
        .collect();
    let mut spans = vec![
        Span::styled("latency ", theme.dim()),
        Span::raw(format!("{pad}{latency}")),
        Span::styled(" status ", theme.dim()),
        Span::raw(pad.clone()),
    ];
    for s in &shown {
        let (c, style) = match s.outcome {
            _ if s.up => ('█', theme.good()),
            Outcome::Http(_) => ('▒', theme.bad()),
            Outcome::Failed(_) => ('░', theme.bad()),
        };
        spans.push(Span::styled(c.to_string(), style));
    }
    spans.push(Span::styled(longest, theme.dim()));
    Line::from(spans)
}

/// The record count over time, and what the current (or last) outage
/// answered, in words.
fn records_line(h: &History, info: &ProbeInfo, theme: &Theme, width: usize) -> Line<'static> {
    // The last count known: during an outage, the one before it.
    let known = h.samples().rev().find_map(|s| s.count());
    let label = match known {
        Some(c) => {
            let n = c.to_string();
            // A wide count ("≥ 14319") keeps a space before the plot.
            if n.chars().count() < 4 {
                format!("records {n:<4}")
            } else {
                format!("records {n} ")
            }
        }
        None => "records -   ".into(),
    };
    let n = (width / 3).min(h.samples().len());
    let skip = h.samples().len() - n;
    let shown: Vec<Option<u32>> = h.samples().skip(skip).map(|s| s.records).collect();
    let max = shown.iter().flatten().copied().max().unwrap_or(0).max(1);
    let plot: String = shown
        .iter()
        .map(|r| match r {
            None => ' ',
            Some(0) => '_',
            Some(v) => BARS[(1 + (*v as usize * 6 / max as usize)).min(7)],
        })
        .collect();
    let mut spans = vec![
        Span::styled(label, theme.dim()),
        Span::raw(format!("{plot}  ")),
    ];
    // The outage in words: each answer and how often; after it ended,
    // the last one, so the audience still sees what happened.
    let words = |o: &crate::model::probe::Outage| -> String {
        o.outcomes
            .iter()
            .map(|(k, n)| {
                let m = meaning(*k, info.timeout);
                if m.is_empty() {
                    format!("{} ×{n}", k.label())
                } else {
                    format!("{} ×{n}: {m}", k.label())
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(o) = h.current_outage() {
        spans.push(Span::styled(
            format!("failing since {}: {}", clock(o.from), words(o)),
            theme.warn(),
        ));
    } else if let Some(o) = h.previous_outage() {
        spans.push(Span::styled(
            format!(
                "last outage {} for {}: {}",
                clock(o.from),
                short_duration(o.length(o.from)),
                words(o)
            ),
            theme.dim(),
        ));
    } else if let Some(s) = h.last() {
        let mut t = Vec::new();
        if let Some(c) = s.connect_ms {
            t.push(format!("connect {c} ms"));
        }
        if let Some(f) = s.first_byte_ms {
            t.push(format!("first byte {f} ms"));
        }
        t.push(format!("total {} ms", s.total_ms));
        spans.push(Span::styled(t.join(" · "), theme.dim()));
    }
    Line::from(spans)
}

fn sample_row(s: &Sample, theme: &Theme) -> Line<'static> {
    let ms = |v: Option<u32>| v.map(|v| format!("{v} ms")).unwrap_or_else(|| "-".into());
    let answer = match s.outcome {
        Outcome::Http(c) => format!("{c}{}", if s.up { " up" } else { " down" }),
        Outcome::Failed(c) => c.word().to_string(),
    };
    let style = if s.up { Style::new() } else { theme.warn() };
    Line::from(vec![
        Span::styled(format!("{:<9} ", clock(s.at)), theme.dim()),
        Span::styled(format!("{:<16} ", fit(&answer, 16)), style),
        Span::raw(format!(
            "{:>7} {:>8} {:>10} {:>7}  {}{}",
            format!("{} ms", s.total_ms),
            ms(s.connect_ms),
            ms(s.first_byte_ms),
            s.count()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            s.served_by.as_deref().map(short_served).unwrap_or("-"),
            s.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default()
        )),
    ])
}

/// Said above the samples in full: what the operator must do about a
/// certificate that names another host, or a URL never reachable here.
fn notice(state: &State, info: &ProbeInfo, h: &History, theme: &Theme) -> Option<Line<'static>> {
    let last = h.last()?;
    if last.outcome == Outcome::Failed(ErrorClass::Tls) && info.url.is_none() && !info.insecure_tls
    {
        let host = state
            .world
            .probe
            .url
            .as_deref()
            .and_then(|u| u.split("://").nth(1))
            .and_then(|r| r.split(['/', ':']).next())
            .unwrap_or("the load balancer");
        return Some(Line::from(Span::styled(
            format!(
                "⚠ TLS verification failed for {host}{}: the certificate names your domain, not the load balancer's DNS name; pass --probe-url https://<your domain>",
                last.detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
            theme.warn(),
        )));
    }
    if let Some(class) = h.unreachable() {
        // One line, so the logs keep their room; the reasons when zoomed.
        let text = if state.zoom && state.focus == crate::app::Pane::Probe {
            format!(
                "⚠ never reached from this host ({}): a load balancer of scheme internal answers only inside its VPC, or a security group keeps this host out; the verdict ignores the probe until it answers",
                class.word()
            )
        } else {
            format!(
                "⚠ never reached from this host ({}); the verdict ignores it · z: why",
                class.word()
            )
        };
        return Some(Line::from(Span::styled(text, theme.warn())));
    }
    None
}
