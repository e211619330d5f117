//! The EFS pane: file systems, mount targets and each task's mount.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::MountStatus;
use crate::model::{Task, short_id};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, needs, placeholder, short_az, title, waiting};
use crate::ui::text::{bytes, fit, pad};

pub fn efs(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.efs, state, theme);
    let Some(td) = state.task_def() else {
        return waiting(
            "EFS",
            status,
            notice,
            if state.world.service.get().is_some() {
                needs(&state.world.task_defs, "task definition", theme, width)
            } else {
                placeholder(&state.world.service, "service", theme, width)
            },
            theme,
        );
    };
    let volumes: Vec<_> = td.volumes.iter().filter(|v| v.efs.is_some()).collect();
    if volumes.is_empty() {
        return waiting(
            "EFS",
            Line::from(""),
            notice,
            vec![Line::from(Span::styled(
                "no EFS volume in the task definition: data lives only as long as the task",
                theme.warn(),
            ))],
            theme,
        );
    }
    let mut lines = Vec::new();
    let mut extra = String::new();
    let mut cursor_line = None;
    let mut row = 0;
    let tasks: Vec<&Task> = state
        .task_list()
        .iter()
        .filter(|t| !t.is_stopped())
        .collect();
    for v in volumes {
        let Some(cfg) = &v.efs else { continue };
        lines.push(volume_line(v, cfg, td, width));
        let fs = state
            .file_systems()
            .iter()
            .find(|f| f.id == cfg.file_system_id);
        let Some(fs) = fs else {
            if extra.is_empty() {
                extra = cfg.file_system_id.clone();
            }
            lines.extend(placeholder(&state.world.efs, "file system", theme, width));
            continue;
        };
        extra = fs.id.clone();
        lines.insert(lines.len() - 1, fs_line(fs, theme, width));
        // Each task's mount first: on a small screen it is the line that
        // matters, before the mount targets.
        for m in state.mounts().iter().filter(|m| m.volume == v.name) {
            let style = match &m.status {
                MountStatus::Mounted => theme.good(),
                s if s.is_problem() => theme.bad(),
                _ => theme.warn(),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("{} ", short_id(&m.task_arn))),
                Span::styled(fit(&m.status.label(), width.saturating_sub(9)), style),
            ]));
        }
        for mt in &fs.mount_targets {
            if state.focus == Pane::Efs && row == state.cursor[Pane::Efs.index()] {
                cursor_line = Some(lines.len());
            }
            row += 1;
            lines.push(mount_target_line(mt, &tasks, theme, width));
        }
    }
    Content {
        notice,
        title: title("EFS", &extra, theme),
        status,
        lines,
        cursor_line,
    }
}

/// A volume: who mounts it where, and how (access point or root, TLS,
/// IAM).
fn volume_line(
    v: &crate::model::Volume,
    cfg: &crate::model::EfsVolume,
    td: &crate::model::TaskDef,
    width: usize,
) -> Line<'static> {
    let users: Vec<String> = td
        .containers
        .iter()
        .flat_map(|c| {
            c.mount_points
                .iter()
                .filter(|m| m.volume == v.name)
                .map(move |m| {
                    format!(
                        "{}:{}{}",
                        c.name,
                        m.path,
                        if m.read_only { " ro" } else { " rw" }
                    )
                })
        })
        .collect();
    let mut opts = Vec::new();
    if let Some(ap) = &cfg.access_point {
        opts.push(format!("AP {}", short_id(ap)));
    } else if let Some(r) = &cfg.root_directory {
        opts.push(format!("root {r}"));
    }
    if cfg.transit_encryption {
        opts.push("TLS".into());
    }
    if cfg.iam {
        opts.push("IAM".into());
    }
    Line::from(fit(
        &format!("{} → {}  {}", v.name, users.join(", "), opts.join(", ")),
        width,
    ))
}

/// The file system: its state, size and mount targets.
fn fs_line(fs: &crate::model::FileSystem, theme: &Theme, width: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled(fs.lifecycle.clone(), theme.status(&fs.lifecycle)),
        Span::raw(fit(
            &format!(
                "  {}  {} mount target{}{}",
                bytes(fs.size_bytes),
                fs.mount_target_count,
                if fs.mount_target_count == 1 { "" } else { "s" },
                fs.name
                    .as_deref()
                    .map(|n| format!("  \"{n}\""))
                    .unwrap_or_default()
            ),
            width.saturating_sub(fs.lifecycle.len()),
        )),
    ])
}

/// A mount target, and the live tasks in its AZ.
fn mount_target_line(
    mt: &crate::model::MountTarget,
    tasks: &[&Task],
    theme: &Theme,
    width: usize,
) -> Line<'static> {
    let here: Vec<&str> = tasks
        .iter()
        .filter(|t| t.az.is_some() && t.az == mt.az)
        .map(|t| t.short())
        .collect();
    Line::from(vec![
        Span::raw(format!(
            "{} {} ",
            pad(mt.az.as_deref().map(short_az).unwrap_or("-"), 3),
            pad(&mt.id, 13)
        )),
        Span::styled(pad(&mt.state, 10), theme.status(&mt.state)),
        Span::styled(
            fit(
                &format!(
                    " {}{}",
                    mt.ip.as_deref().unwrap_or(""),
                    if here.is_empty() {
                        String::new()
                    } else {
                        format!("  ✓ task {}", here.join(", "))
                    }
                ),
                width.saturating_sub(29),
            ),
            theme.dim(),
        ),
    ])
}
