//! The restart drill's window: the preflight (what will happen, how long
//! it takes, the baseline, the warnings, y/n), the running drill (each
//! step with its time, the probe, what it waits for now) and the verdict
//! (in large type, the figures, the drill's story in lanes of characters,
//! the report files). Drawn over the dashboard, which goes on beneath.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::big::big;
use super::numbered;
use crate::app::drill::{DrillScreen, Phase, Preflight, short_tasks};
use crate::app::{Modal, State};
use crate::model::Time;
use crate::model::drill::machine::{RestartKind, Verdict};
use crate::model::drill::report::Report;
use crate::model::timeline::Step;
use crate::ui::Theme;
use crate::ui::pane::{fit_line, wrapped};

fn restart_words(p: &Preflight) -> String {
    match p.restart {
        RestartKind::StopTask if p.tasks.len() == 1 => {
            format!("StopTask of task {}", short_tasks(&p.tasks))
        }
        RestartKind::StopTask => format!(
            "StopTask of all {} tasks ({})",
            p.tasks.len(),
            short_tasks(&p.tasks)
        ),
        RestartKind::ForceDeployment => "a forced new deployment (UpdateService)".into(),
    }
}

fn preflight(p: &Preflight, state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![super::service_line(
        &p.service,
        &p.cluster,
        state.ctx.demo,
        theme,
    )];
    out.push(Line::from(vec![
        Span::styled("restart ", theme.dim()),
        Span::raw(restart_words(p)),
    ]));
    out.push(Line::from(vec![
        Span::styled("probe now ", theme.dim()),
        Span::styled(
            p.baseline.clone(),
            if p.baseline_ok {
                theme.good()
            } else {
                theme.bad()
            },
        ),
    ]));
    if !p.baseline_ok {
        out.extend(wrapped(
            "the API does not answer its expected status through the load balancer: the drill would end ABORTED at once",
            width,
            theme.bad(),
        ));
    }
    out.extend(wrapped(
        &format!(
            "expect about {}–{} s on AWS (timeout {}): {}{}",
            p.estimate.min_s,
            p.estimate.max_s,
            humantime::format_duration(p.timeout),
            p.estimate.parts.join(", "),
            if state.ctx.demo {
                " (the demo's timings are compressed: about 10 s)"
            } else {
                ""
            }
        ),
        width,
        Style::new(),
    ));
    // The warnings before the steps: a short screen keeps them.
    for w in &p.warnings {
        out.extend(wrapped(&format!("⚠ {w}"), width, theme.warn()));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        "The drill, through the load balancer",
        theme.title(),
    )));
    let mut steps = vec![
        "reads: a fresh marker ecsdeck-drill-… must not be there yet".to_string(),
        "writes the marker and reads it back".to_string(),
        format!("restarts: {}", restart_words(p)),
        "waits until the old task is STOPPED, a new task is healthy in the target group and the probe answers 2xx".to_string(),
        "reads again: PASS only if the marker and the record count survived; then deletes the marker".to_string(),
    ];
    if p.hand_set_url {
        steps.push("the probe URL was set by hand: an outage or the served-by header must show it reaches this service, else ABORTED".into());
    }
    numbered(&mut out, &steps, width, theme);
    out.push(Line::from(Span::styled("What ECS does", theme.title())));
    numbered(&mut out, &p.plan, width, theme);
    out.push(Line::default());
    out.push(Line::from(vec![
        Span::styled(" y ", theme.key()),
        Span::raw("start the drill   "),
        Span::styled(" n/Esc ", theme.key()),
        Span::raw("cancel — nothing is sent before y"),
    ]));
    out
}

fn secs_between(a: Time, b: Time) -> f64 {
    (b - a).num_milliseconds() as f64 / 1000.0
}

/// One probe sample on the drill's clock.
struct Dot {
    at: f64,
    up: bool,
    ms: u32,
}

/// The chart: a latency row (2xx), a status row and a row of step marks,
/// `width` columns over `span` seconds; the marks' legend after it.
fn chart(
    dots: &[Dot],
    marks: &[(f64, &'static str)],
    span: f64,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let width = width.max(10);
    let span = span.max(1.0);
    let col = |t: f64| {
        ((t / span) * (width - 1) as f64)
            .round()
            .clamp(0.0, (width - 1) as f64) as usize
    };
    let mut ms: Vec<Option<u32>> = vec![None; width];
    let mut status: Vec<Option<bool>> = vec![None; width];
    for d in dots {
        let c = col(d.at);
        // A failure in a column wins: an outage is never hidden.
        status[c] = Some(status[c].unwrap_or(true) && d.up);
        if d.up {
            ms[c] = Some(ms[c].map_or(d.ms, |m| m.max(d.ms)));
        }
    }
    // A sample stands for the time until the next one: fill the columns
    // between samples, so an outage reads as one stretch.
    let last_col = dots.last().map(|d| col(d.at));
    for c in 1..width {
        if last_col.is_some_and(|l| c > l) {
            break;
        }
        if status[c].is_none() {
            status[c] = status[c - 1];
            if status[c] == Some(true) {
                ms[c] = ms[c - 1];
            }
        }
    }
    let max = ms.iter().flatten().copied().max().unwrap_or(1).max(1);
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let lat: String = ms
        .iter()
        .map(|m| match m {
            Some(v) => BARS[((*v as usize * 7) / max as usize).min(7)],
            None => ' ',
        })
        .collect();
    let strip: Vec<Span<'static>> = status
        .iter()
        .map(|s| match s {
            Some(true) => Span::styled("▀", theme.good()),
            Some(false) => Span::styled("×", theme.bad()),
            None => Span::raw(" "),
        })
        .collect();
    let mut mark_row = vec![' '; width];
    let mut legend = Vec::new();
    let mut marks = marks.to_vec();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (i, (t, name)) in marks.iter().enumerate() {
        let tag = char::from_digit((i + 1) as u32 % 36, 36).unwrap_or('?');
        mark_row[col(*t)] = tag;
        legend.push(format!("{tag} {name} {t:+.1}s"));
    }
    let mut out = vec![
        Line::from(vec![
            Span::styled(lat, theme.good()),
            Span::styled(format!(" ≤{max} ms"), theme.dim()),
        ]),
        Line::from(strip),
        Line::from(Span::styled(
            mark_row.into_iter().collect::<String>(),
            theme.title(),
        )),
    ];
    out.extend(wrapped(&legend.join(" · "), width + 8, theme.dim()));
    out
}

fn step_name(s: Step) -> Option<&'static str> {
    Some(match s {
        Step::StopRequested => "stop",
        Step::OldTargetDraining => "draining",
        Step::OldStopped => "old STOPPED",
        Step::NewTaskSeen => "new task",
        Step::Running => "RUNNING",
        Step::ContainersHealthy => "HEALTHY",
        Step::NewTargetHealthy => "target healthy",
        Step::FirstUp => "first 2xx",
        Step::NewStopped => "new STOPPED",
        _ => return None,
    })
}

/// Before the restart (no story yet): the probe over the drill with the
/// steps marked.
fn probe_strip(
    state: &State,
    started: Time,
    elapsed: f64,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let dots: Vec<Dot> = state
        .world
        .probe
        .history
        .samples()
        .filter(|s| s.at >= started)
        .map(|s| Dot {
            at: secs_between(started, s.at),
            up: s.up,
            ms: s.total_ms,
        })
        .collect();
    let marks = timeline_marks(state, started);
    chart(
        &dots,
        &marks,
        elapsed.max(10.0),
        width.saturating_sub(10),
        theme,
    )
}

fn running(
    d: &DrillScreen,
    started: Time,
    cancelling: bool,
    state: &State,
    theme: &Theme,
    width: usize,
    room: usize,
) -> (String, Vec<Line<'static>>) {
    let drill = match &d.phase {
        Phase::Running { drill, .. } => drill.as_deref(),
        _ => None,
    };
    let elapsed = secs_between(started, state.now).max(0.0);
    let stage = drill.map_or("starting", |m| m.stage.words());
    let title = format!(
        " Restart drill — {elapsed:.0} s of ~{}–{} s · {stage} ",
        d.preflight.estimate.min_s, d.preflight.estimate.max_s
    );
    let mut out = Vec::new();
    out.push(Line::from(vec![
        Span::styled("marker ", theme.dim()),
        Span::raw(drill.map_or("…".to_string(), |m| m.marker.clone())),
        Span::styled("  restart ", theme.dim()),
        Span::raw(restart_words(&d.preflight)),
    ]));
    let waiting = if cancelling {
        "cancelling: removing the marker, then the report (ABORTED)".to_string()
    } else {
        drill.map_or("the drill to start".to_string(), |m| m.waiting())
    };
    out.extend(wrapped(
        &format!("waiting for: {waiting}"),
        width,
        theme.warn(),
    ));
    let probe = match (state.world.probe.history.last(), state.ctx.probe.as_ref()) {
        (Some(s), Some(info)) => {
            crate::model::probe::glance(&state.world.probe.history, info.timeout)
                .map(|g| (format!("probe {} {}", g.head, g.rest), s.up))
                .unwrap_or_default()
        }
        _ => ("probe: no answer yet".into(), false),
    };
    out.push(fit_line(
        Line::from(Span::styled(
            probe.0,
            if probe.1 { theme.good() } else { theme.bad() },
        )),
        width,
    ));
    // Once the restart is on its way, the story so far in the lanes the
    // verdict window and the report draw: what the audience watches is
    // what the report will show.
    let live = match &d.phase {
        Phase::Running {
            conduct: Some(c), ..
        } => c.story.as_ref(),
        _ => None,
    };
    // The newest steps keep four rows at least.
    let rows = room.saturating_sub(out.len() + 2 + 4);
    let lanes = live.map_or_else(Vec::new, |st| super::story::lines(st, width, rows, theme));
    if lanes.is_empty() {
        out.extend(probe_strip(state, started, elapsed, width, theme));
    } else {
        out.extend(lanes);
    }
    // The steps, newest last: the drill's own and the replacement's.
    let mut steps: Vec<(f64, String, Style)> = Vec::new();
    if let Some(m) = drill {
        for (at, what) in &m.log {
            steps.push((secs_between(started, *at), what.clone(), Style::new()));
        }
    }
    if let Some(tl) = state.world.timeline.current.as_ref() {
        for (s, m) in tl.ordered() {
            if m.at < started {
                continue;
            }
            let note = m.note_words();
            let style = if s == Step::NewStopped {
                theme.bad()
            } else {
                theme.dim()
            };
            steps.push((
                secs_between(started, m.at),
                format!("{}{note}", s.words()),
                style,
            ));
        }
    }
    steps.sort_by(|a, b| a.0.total_cmp(&b.0));
    let fixed = out.len() + 2;
    let keep = room.saturating_sub(fixed).max(1);
    let skip = steps.len().saturating_sub(keep);
    for (t, what, style) in steps.into_iter().skip(skip) {
        out.push(fit_line(
            Line::from(vec![
                Span::styled(format!("{t:>7.1}s  "), theme.dim()),
                Span::styled(what, style),
            ]),
            width,
        ));
    }
    out.push(Line::from(vec![
        Span::styled(" Esc ", theme.key()),
        Span::raw(if cancelling {
            "cancelling…"
        } else {
            "cancel the drill (the marker is still removed; the verdict is ABORTED)"
        }),
    ]));
    (title, out)
}

fn timeline_marks(state: &State, started: Time) -> Vec<(f64, &'static str)> {
    let Some(tl) = state.world.timeline.current.as_ref() else {
        return Vec::new();
    };
    tl.ordered()
        .into_iter()
        .filter(|(_, m)| m.at >= started)
        .filter_map(|(s, m)| Some((secs_between(started, m.at), step_name(s)?)))
        .collect()
}

fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    match v {
        Verdict::Pass => theme.good(),
        Verdict::Fail => theme.bad(),
        Verdict::Aborted => theme.warn(),
    }
}

fn done(
    r: &Report,
    files: &Result<Vec<String>, String>,
    theme: &Theme,
    width: usize,
    room: usize,
) -> (String, Vec<Line<'static>>) {
    let style = verdict_style(r.verdict, theme);
    let title = format!(" Restart drill — {} ", r.verdict.word());
    let mut out: Vec<Line<'static>> = Vec::new();
    let story = crate::model::drill::story::Story::of(r);
    let wanted = story.as_ref().map_or(0, super::story::rows_wanted);
    // Large type only where it leaves room for the rest and the story.
    if room >= 14 + wanted {
        for row in big(r.verdict.word()) {
            out.push(Line::from(Span::styled(row, style)));
        }
    }
    let mut head = vec![Span::styled(format!("{} ", r.verdict.word()), style)];
    head.push(Span::raw(format!("— {}", r.reason)));
    out.extend(crate::ui::pane::wrap_words(head, width));
    let n = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
    let short = |a: &Option<String>| {
        a.as_deref()
            .map(|a| crate::model::short_id(a).to_string())
            .unwrap_or_else(|| "—".into())
    };
    // The three figures people ask first, then the tasks and cleanup.
    out.extend(wrapped(
        &format!(
            "downtime (probe) {} · stop → first 2xx {} · records {}",
            n(r.downtime_s),
            n(r.stop_to_first_2xx_s),
            crate::model::drill::report::records_words(r.records_before, r.records_after),
        ),
        width,
        theme.title(),
    ));
    out.extend(wrapped(
        &format!(
            "task {} → {} · cleanup: {}",
            short(&r.old_task),
            short(&r.new_task),
            r.cleanup
        ),
        width,
        Style::new(),
    ));
    if let Some(st) = &story {
        // The story gets what the head, the files and the key leave.
        let left = room.saturating_sub(out.len() + 3);
        out.extend(super::story::lines(st, width, left, theme));
    }
    let mut notes: Vec<(String, Style)> =
        r.notes.iter().map(|n| (n.clone(), theme.dim())).collect();
    notes.extend(r.warnings.iter().map(|w| (format!("⚠ {w}"), theme.warn())));
    notes.extend(r.clock_warning().map(|w| (format!("⚠ {w}"), theme.warn())));
    let files_line = match files {
        Ok(f) => format!("report: {}", f.join("  ")),
        Err(e) => format!("no report file: {e}"),
    };
    let files_lines = wrapped(&files_line, width, theme.title());
    // The notes get what room is left; the files and the key never lose it.
    let mut left = room.saturating_sub(out.len() + files_lines.len() + 1);
    for (text, st) in notes {
        let rows = wrapped(&text, width, st);
        if rows.len() > left {
            break;
        }
        left -= rows.len();
        out.extend(rows);
    }
    out.extend(files_lines);
    out.push(Line::from(vec![
        Span::styled(" Esc ", theme.key()),
        Span::raw("close — the dashboard goes on"),
    ]));
    (title, out)
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    if state.modal != Some(Modal::Drill) {
        return;
    }
    let Some(d) = state.drill.as_ref() else {
        return;
    };
    // Over the body: the header and the bottom bar stay in sight.
    let w = area.width.min(110);
    let h = area.height.saturating_sub(2).max(3);
    let inner_w = w.saturating_sub(2) as usize;
    let room = h.saturating_sub(2) as usize;
    let (title, body, border) = match &d.phase {
        Phase::Asking => (
            format!(" Restart drill of {}? ", d.preflight.service),
            preflight(&d.preflight, state, theme, inner_w),
            theme.warn(),
        ),
        Phase::Running {
            started,
            cancelling,
            ..
        } => {
            let (t, b) = running(d, *started, *cancelling, state, theme, inner_w, room);
            (t, b, theme.title())
        }
        Phase::Done { report, files } => {
            let (t, b) = done(report, files, theme, inner_w, room);
            (t, b, verdict_style(report.verdict, theme))
        }
    };
    let h = (body.len() as u16 + 2).min(h);
    let r = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(border)
        .title(Span::styled(title, theme.title()));
    let body: Vec<Line<'static>> = body.into_iter().map(|l| fit_line(l, inner_w)).collect();
    // Too short a screen: the key line stays, the rest is cut.
    let body = if body.len() > room && room > 0 {
        let mut kept: Vec<Line<'static>> = body[..room - 1].to_vec();
        if let Some(last) = body.last() {
            kept.push(last.clone());
        }
        kept
    } else {
        body
    };
    f.render_widget(Paragraph::new(body).block(block), r);
}
