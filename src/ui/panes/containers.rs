//! The Containers pane: the selected task's containers with health.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self, MEMORY_WARN_PCT};
use crate::model::metrics::{Insights, enable_command, why_no_task_points};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting, wrapped};
use crate::ui::spark::{self, pct};
use crate::ui::text::{fit, pad};
use ratatui::style::Style;

/// A shell command in lines of at most `width`, broken before an option
/// with a `\` so it still pastes as one command.
fn shell_lines(cmd: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for part in cmd.split(" --") {
        let piece = if cur.is_empty() && out.is_empty() {
            part.to_string()
        } else {
            format!("--{part}")
        };
        let sep = usize::from(!cur.is_empty());
        if !cur.is_empty() && cur.chars().count() + sep + piece.chars().count() + 2 > width {
            out.push(format!("{cur} \\"));
            cur = format!("  {piece}");
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(&piece);
        }
    }
    out.push(cur);
    out
}

/// From this width the pane's title says why there are no figures.
const TITLE_ROOM: usize = 70;

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
    let usage = state.world.task_usage(&task.arn).filter(|u| u.at.is_some());
    let mut lines = Vec::new();
    let health_of = |c: &crate::model::Container| {
        let def = td.and_then(|d| d.container(&c.name));
        match (def.map(|d| d.health_check.is_some()), c.health.as_deref()) {
            (Some(false), _) => "no health check".to_string(),
            (_, Some(h)) => h.to_string(),
            (_, None) => "-".to_string(),
        }
    };
    let health_w = task
        .containers
        .iter()
        .map(|c| health_of(c).chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let widest = |f: &dyn Fn(&crate::model::Container) -> usize| {
        task.containers.iter().map(f).max().unwrap_or(0)
    };
    let name_w = widest(&|c| c.name.chars().count()).clamp(6, 16);
    let status_w = widest(&|c| c.last_status.chars().count()).max(7);
    for c in &task.containers {
        let def = td.and_then(|d| d.container(&c.name));
        let health = health_of(c);
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
        let mut spans = vec![
            Span::raw(format!("{} ", pad(&c.name, name_w))),
            Span::styled(pad(&c.last_status, status_w), theme.status(&c.last_status)),
            Span::raw(" "),
            Span::styled(pad(&health, health_w), theme.status(&health)),
            Span::raw(" "),
        ];
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let mut room = width.saturating_sub(used);
        if let Some(cu) = usage.and_then(|u| u.containers.iter().find(|x| x.name == c.name)) {
            // CPU of what it may use, memory of its hard limit: the one
            // that kills it (exit 137).
            let mut figures = format!("cpu {:>3} mem {:>3}", pct(cu.cpu_pct), pct(cu.mem_pct));
            // The limit when there is room for it beside a chart.
            if let Some(l) = cu.limit_mib.filter(|_| room >= figures.len() + 16) {
                figures.push_str(&format!(" of {l}M"));
            }
            figures.push(' ');
            let hot = cu.mem_pct.is_some_and(|m| m > MEMORY_WARN_PCT);
            let fw = figures.chars().count().min(room);
            spans.push(Span::styled(
                fit(&figures, fw),
                if hot { theme.warn() } else { Style::new() },
            ));
            room -= fw;
            // A space after the chart when an image follows it.
            let chart = if room >= 40 { 32 } else { room };
            if chart >= 6 {
                let style = if hot { theme.warn() } else { theme.dim() };
                let drawn = spark::spans(&cu.mem, chart, 100.0, style, theme);
                room -= drawn.iter().map(|s| s.width()).sum::<usize>();
                spans.extend(drawn);
                if room > 0 {
                    spans.push(Span::raw(" "));
                    room -= 1;
                }
            }
        }
        if room >= 8 {
            spans.push(Span::styled(fit(&tail, room), theme.dim()));
        }
        lines.push(Line::from(spans));
    }
    // Why there are no figures, with what turns them on: in the title,
    // once; zoomed, whole. A new task on a cluster that has them says
    // nothing: its first points come within a minute or two.
    let missing = match state.world.metrics.get() {
        Some(r) if usage.is_none() && r.insights != Ok(Insights::Enhanced) => Some(r),
        _ => None,
    };
    // Beside the tasks (the wide layout) the pane has a row to spare for
    // it; full width (80×24) its title has the room instead.
    let in_title = width >= TITLE_ROOM;
    if missing.is_some() && !in_title && !(state.zoom && state.focus == Pane::Containers) {
        lines.push(Line::from(Span::styled(
            fit("no per-task cpu/memory (Tab here, z: why)", width),
            theme.dim(),
        )));
    }
    if let Some(r) = missing
        && state.zoom
        && state.focus == Pane::Containers
    {
        let cluster = &state.ctx.target.cluster;
        let region = &state.ctx.region;
        let why = why_no_task_points(&r.insights, cluster, region);
        // The command on a line of its own, whole, to copy.
        let command = enable_command(cluster, region);
        match why.split_once(&command) {
            Some((before, after)) => {
                let text = format!("{}:{}", before.trim_end().trim_end_matches(':'), after);
                lines.extend(wrapped(&text, width, theme.dim()));
                // The zoom lays out at any width and wraps to the screen's:
                // lines a bastion's 80 columns hold, each pasteable.
                for l in shell_lines(&command, width.min(78)) {
                    lines.push(Line::from(Span::styled(l, theme.key())));
                }
            }
            None => lines.extend(wrapped(&why, width, theme.dim())),
        }
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
        title: title(
            "Containers",
            &format!(
                "{}{} {pinned}",
                task.short(),
                match (usage.is_some(), missing.is_some()) {
                    (true, _) => " · mem of limit",
                    (false, true) if in_title => " · no per-task cpu/memory (z: why)",
                    _ => "",
                }
            ),
            theme,
        ),
        status,
        lines,
        cursor_line: (state.focus == Pane::Containers && !task.containers.is_empty())
            .then_some(state.cursor[Pane::Containers.index()]),
    }
}
