//! The Tasks pane: the living tasks, then the recently stopped ones.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self};
use crate::model::{Task, task_def_label};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, short_az, title};
use crate::ui::text::{age, fit, pad};

fn task_line(t: &Task, state: &State, theme: &Theme, width: usize, marked: bool) -> Line<'static> {
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
    // A running task asked to stop says so; the later phases
    // (DEACTIVATING, STOPPING, DEPROVISIONING) say it themselves.
    let status = if t.last_status == "RUNNING" && t.desired_status == "STOPPED" {
        "RUNNING→STOP".to_string()
    } else {
        t.last_status.clone()
    };
    let health = t.health.clone().unwrap_or_else(|| "UNKNOWN".into());
    let rest = format!(
        " {} {} {} {}",
        task_def_label(&t.task_definition),
        t.az.as_deref().map(short_az).unwrap_or("-"),
        pad(t.private_ip.as_deref().unwrap_or("-"), 15),
        age_s
    );
    Line::from(vec![
        Span::raw(format!("{mark}{} ", pad(t.short(), 8))),
        Span::styled(pad(&status, 14), theme.status(&t.last_status)),
        Span::raw(" "),
        Span::styled(pad(&health, 9), theme.status(&health)),
        Span::raw(fit(&rest, width.saturating_sub(35))),
    ])
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
        let mut lines: Vec<Line<'static>> = list[..shown]
            .iter()
            .map(|t| task_line(t, state, theme, width, Some(&t.arn) == selected.as_ref()))
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
