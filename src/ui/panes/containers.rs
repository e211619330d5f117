//! The Containers pane: the selected task's containers with health.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting};
use crate::ui::text::{fit, pad};

pub fn containers(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.tasks, state, theme);
    let Some(task) = state.selected_task() else {
        return waiting(
            "Containers",
            status,
            notice,
            if state.world.tasks.get().is_some() {
                vec![Line::from(Span::styled("no task", theme.dim()))]
            } else {
                placeholder(&state.world.tasks, "tasks", theme, width)
            },
            theme,
        );
    };
    // The task's own revision: during a deployment an old task's
    // containers and health checks are not the service's current ones.
    let td = state.task_def_of(task);
    let mut lines = Vec::new();
    for c in &task.containers {
        let def = td.and_then(|d| d.container(&c.name));
        let health = match (def.map(|d| d.health_check.is_some()), c.health.as_deref()) {
            (Some(false), _) => "no health check".to_string(),
            (_, Some(h)) => h.to_string(),
            (_, None) => "-".to_string(),
        };
        let mut tail = String::new();
        if let Some(code) = c.exit_code {
            tail.push_str(&format!("exit {code}  "));
        }
        if let Some(r) = &c.reason {
            tail.push_str(&format!("{r}  "));
        }
        tail.push_str(&c.image);
        if let Some(d) = def {
            for m in &d.mount_points {
                tail.push_str(&format!("  {}←{}", m.path, m.volume));
            }
        }
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", pad(&c.name, 10))),
            Span::styled(pad(&c.last_status, 8), theme.status(&c.last_status)),
            Span::raw(" "),
            Span::styled(pad(&health, 9), theme.status(&health)),
            Span::raw(" "),
            Span::styled(fit(&tail, width.saturating_sub(30)), theme.dim()),
        ]));
    }
    if task.is_stopped()
        && let Some(r) = &task.stopped_reason
    {
        lines.push(Line::from(Span::styled(
            fit(&format!("stopped: {r}"), width),
            if derive::is_efs_mount_failure(task) {
                theme.bad()
            } else {
                theme.dim()
            },
        )));
    }
    let pinned = if state.pinned_task.is_some() {
        "(pinned, Esc in Tasks follows newest)"
    } else {
        ""
    };
    Content {
        notice,
        title: title("Containers", &format!("{} {pinned}", task.short()), theme),
        status,
        lines,
        cursor_line: (state.focus == Pane::Containers && !task.containers.is_empty())
            .then_some(state.cursor[Pane::Containers.index()]),
    }
}
