//! The Tasks pane: the living tasks, then the recently stopped ones.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self, MEMORY_WARN_PCT};
use crate::model::{Task, task_def_label};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, short_az, title};
use crate::ui::spark::{self, pct};
use crate::ui::text::{age, fit, pad};
use ratatui::style::Style;

fn task_line(
    t: &Task,
    (state, cols): (&State, &Cols),
    theme: &Theme,
    width: usize,
    marked: bool,
) -> Line<'static> {
    let mark = if marked { "▶ " } else { "  " };
    let since = t.stopped_at.or(t.started_at).or(t.created_at);
    let age_s = since.map(|at| age(at, state.now)).unwrap_or_default();
    if t.is_stopped() {
        let reason = t.stopped_reason.as_deref().unwrap_or("");
        let mount_failed = derive::is_efs_mount_failure(t);
        let base = format!(
            "{mark}{} STOPPED  {:<4} {} ",
            pad(t.short(), 8),
            age_s,
            t.stop_code.as_deref().unwrap_or("-"),
        );
        let room = width.saturating_sub(base.chars().count());
        let style = if mount_failed {
            theme.bad()
        } else {
            theme.dim()
        };
        return Line::from(vec![
            Span::styled(base, theme.dim()),
            Span::styled(
                fit(
                    &if mount_failed {
                        format!("EFS MOUNT FAILED: {reason}")
                    } else {
                        format!("\"{reason}\"")
                    },
                    room,
                ),
                style,
            ),
        ]);
    }
    let status = live_status(t);
    let health = t.health.clone().unwrap_or_else(|| "UNKNOWN".into());
    // The revision only when it is not the service's (a deployment).
    let td = match state.world.service.get() {
        Some(s) if s.task_definition == t.task_definition => String::new(),
        _ => format!("{} ", task_def_label(&t.task_definition)),
    };
    let full = format!(
        " {td}{} {} {}",
        t.az.as_deref().map(short_az).unwrap_or("-"),
        pad(t.private_ip.as_deref().unwrap_or("-"), cols.ip),
        pad(&age_s, 3)
    );
    let mut spans = vec![
        Span::raw(format!("{mark}{} ", pad(t.short(), 8))),
        Span::styled(pad(&status, cols.status), theme.status(&t.last_status)),
        Span::raw(" "),
        Span::styled(pad(&health, cols.health), theme.status(&health)),
    ];
    let used = 2 + 9 + cols.status + 1 + cols.health;
    let Some(u) = state.world.task_usage(&t.arn).filter(|u| u.at.is_some()) else {
        spans.push(Span::raw(fit(&full, width.saturating_sub(used))));
        return Line::from(spans);
    };
    let figures = format!("  cpu {:>3} mem {:>3} ", pct(u.cpu_pct), pct(u.mem_pct));
    // The chart before the address: the load balancer pane names each
    // target's task anyway.
    let short = format!(" {td}{}", pad(&age_s, 3));
    let room = |rest: &str| width.saturating_sub(used + rest.chars().count() + figures.len());
    let rest = if room(&full) >= CHART_MIN {
        full
    } else {
        short
    };
    let chart = room(&rest);
    spans.push(Span::raw(fit(&rest, width.saturating_sub(used))));
    if width < used + rest.chars().count() + figures.len() {
        return Line::from(spans);
    }
    let hot = u.mem_pct.is_some_and(|m| m > MEMORY_WARN_PCT);
    spans.push(Span::styled(
        figures,
        if hot { theme.warn() } else { Style::new() },
    ));
    if chart >= CHART_MIN {
        spans.extend(spark::spans(
            &u.mem,
            chart.min(66),
            100.0,
            theme.dim(),
            theme,
        ));
    }
    Line::from(spans)
}

/// A chart narrower than this says too little to be worth its room.
const CHART_MIN: usize = 8;

/// A running task asked to stop says so; the later phases
/// (DEACTIVATING, STOPPING, DEPROVISIONING) say it themselves.
fn live_status(t: &Task) -> String {
    if t.last_status == "RUNNING" && t.desired_status == "STOPPED" {
        "RUNNING→STOP".to_string()
    } else {
        t.last_status.clone()
    }
}

/// Column widths of the living tasks' rows: as wide as the widest shown.
struct Cols {
    status: usize,
    health: usize,
    ip: usize,
}

impl Cols {
    fn of(tasks: &[Task]) -> Cols {
        let live = || tasks.iter().filter(|t| !t.is_stopped());
        let w = |s: &str| s.chars().count();
        Cols {
            status: live().map(|t| w(&live_status(t))).max().unwrap_or(7).max(7),
            health: live()
                .map(|t| w(t.health.as_deref().unwrap_or("UNKNOWN")))
                .max()
                .unwrap_or(7)
                .max(7),
            ip: live()
                .map(|t| w(t.private_ip.as_deref().unwrap_or("-")))
                .max()
                .unwrap_or(1),
        }
    }
}

/// Stopped tasks listed when the pane is not focused: the latest
/// replacements; older ones are one line.
const STOPPED_SHOWN: usize = 2;

pub fn tasks(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.tasks, state, theme);
    let list = state.task_list();
    let live = list.iter().filter(|t| !t.is_stopped()).count();
    let extra = if state.world.tasks.get().is_some() {
        format!("{} running · {} stopped", live, list.len() - live)
    } else {
        String::new()
    };
    let lines = if state.world.tasks.get().is_none() {
        placeholder(&state.world.tasks, "tasks", theme, width)
    } else if list.is_empty() {
        vec![Line::from(Span::styled(
            "no tasks: the service has none running or recently stopped",
            theme.warn(),
        ))]
    } else {
        let selected = state.selected_task().map(|t| t.arn.clone());
        // Older stopped tasks fold into one line, so the logs below keep
        // their rows: zoomed, or with the cursor moved down to them, they
        // are listed.
        let here = state.focus == Pane::Tasks;
        let cursor = state.cursor[Pane::Tasks.index()];
        let shown = if here && state.zoom {
            list.len()
        } else {
            let reach = if here { cursor + 1 } else { 0 };
            (live + STOPPED_SHOWN).max(reach).min(list.len())
        };
        let cols = Cols::of(&list[..shown]);
        let mut lines: Vec<Line<'static>> = list[..shown]
            .iter()
            .map(|t| {
                task_line(
                    t,
                    (state, &cols),
                    theme,
                    width,
                    Some(&t.arn) == selected.as_ref(),
                )
            })
            .collect();
        if shown < list.len() {
            lines.push(Line::from(Span::styled(
                format!("  + {} stopped (↓ or z to list them)", list.len() - shown),
                theme.dim(),
            )));
        }
        lines
    };
    Content {
        notice,
        title: title("Tasks", &extra, theme),
        status,
        lines,
        cursor_line: (state.focus == Pane::Tasks && !list.is_empty())
            .then_some(state.cursor[Pane::Tasks.index()]),
    }
}
