//! The Containers pane: the selected task's containers with health.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self, ContainerUsage, MEMORY_WARN_PCT};
use crate::model::metrics::{Insights, MetricsReading, enable_command, why_no_task_points};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting, wrapped};
use crate::ui::spark::{self, pct};
use crate::ui::text::{fit, pad};
use ratatui::style::Style;

/// What follows a container's figures: its exit, its reason, its image and
/// its mounts.
fn tail_of(c: &crate::model::Container, def: Option<&crate::model::ContainerDef>) -> String {
    let mut tail = String::new();
    if let Some(code) = c.exit_code {
        tail.push_str(&format!("exit {code}  "));
    }
    if let Some(r) = &c.reason {
        tail.push_str(&format!("{r}  "));
    }
    tail.push_str(&c.image);
    for m in def.map(|d| d.mount_points.as_slice()).unwrap_or(&[]) {
        tail.push_str(&format!("  {}←{}", m.path, m.volume));
    }
    tail
}

/// A container's CPU and memory figures and its chart, into `spans`, in at
/// most `room` columns; the columns used.
fn figures(
    cu: &ContainerUsage,
    room: usize,
    theme: &Theme,
    spans: &mut Vec<Span<'static>>,
) -> usize {
    let mut left = room;
    // CPU of what it may use, memory of its hard limit: the one that
    // kills it (exit 137).
    let mut figures = format!("cpu {:>3} mem {:>3}", pct(cu.cpu_pct), pct(cu.mem_pct));
    // The limit when there is room for it beside a chart.
    if let Some(l) = cu.limit_mib.filter(|_| left >= figures.len() + 16) {
        figures.push_str(&format!(" of {l}M"));
    }
    figures.push(' ');
    let hot = cu.mem_pct.is_some_and(|m| m > MEMORY_WARN_PCT);
    let fw = figures.chars().count().min(left);
    spans.push(Span::styled(
        fit(&figures, fw),
        if hot { theme.warn() } else { Style::new() },
    ));
    left -= fw;
    // A space after the chart when an image follows it.
    let chart = if left >= 40 { 32 } else { left };
    if chart >= 6 {
        let style = if hot { theme.warn() } else { theme.dim() };
        let drawn = spark::spans(&cu.mem, chart, 100.0, style, theme);
        left -= drawn.iter().map(|s| s.width()).sum::<usize>();
        spans.extend(drawn);
        if left > 0 {
            spans.push(Span::raw(" "));
            left -= 1;
        }
    }
    room - left
}

/// Why the task has no figures: a row beside the tasks (where the title
/// has no room for it), or zoomed the whole reason and the command.
fn why_lines(
    state: &State,
    r: &MetricsReading,
    in_title: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let zoomed = state.zoom && state.focus == Pane::Containers;
    if !zoomed {
        return if in_title {
            Vec::new()
        } else {
            vec![Line::from(Span::styled(
                fit("no per-task cpu/memory (Tab here, z: why)", width),
                theme.dim(),
            ))]
        };
    }
    let cluster = &state.ctx.target.cluster;
    let region = &state.ctx.region;
    let why = why_no_task_points(&r.insights, cluster, region);
    // The command on lines of its own, whole, to copy.
    let command = enable_command(cluster, region);
    let Some((before, after)) = why.split_once(&command) else {
        return wrapped(&why, width, theme.dim());
    };
    let text = format!("{}:{}", before.trim_end().trim_end_matches(':'), after);
    let mut lines = wrapped(&text, width, theme.dim());
    // The zoom lays out at any width and wraps to the screen's: lines a
    // bastion's 80 columns hold, each pasteable.
    for l in shell_lines(&command, width.min(78)) {
        lines.push(Line::from(Span::styled(l, theme.key())));
    }
    lines
}

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
        let tail = tail_of(c, def);
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
            room -= figures(cu, room, theme, &mut spans);
        }
        if room >= 8 {
            spans.push(Span::styled(fit(&tail, room), theme.dim()));
        }
        lines.push(Line::from(spans));
    }
    // Why there are no figures, with what turns them on: in the title,
    // once (or a row of its own where the pane has one); zoomed, whole. A
    // new task on a cluster that has them says nothing: its first points
    // come within a minute or two.
    let missing = match state.world.metrics.get() {
        Some(r) if usage.is_none() && r.insights != Ok(Insights::Enhanced) => Some(r),
        _ => None,
    };
    let in_title = width >= TITLE_ROOM;
    if let Some(r) = missing {
        lines.extend(why_lines(state, r, in_title, width, theme));
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
