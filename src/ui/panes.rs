//! The contents of each pane, as lines: what an operator reads.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use unicode_width::UnicodeWidthStr;

use super::text::{age, bytes, clock, fit, pad};
use super::{Content, Theme, freshness};
use crate::app::{Pane, State};
use crate::model::derive::{self, Health, MountStatus};
use crate::model::{Task, arn_tail, short_id, task_def_label};

fn title(name: &str, extra: &str, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {name} "), theme.title())];
    if !extra.is_empty() {
        spans.push(Span::raw(format!("{extra} ")));
    }
    Line::from(spans)
}

fn placeholder<T>(l: &crate::app::Loadable<T>, what: &str, theme: &Theme) -> Vec<Line<'static>> {
    match &l.error {
        Some(e) => vec![Line::from(Span::styled(
            fit(&e.error.operator_text(), 200),
            theme.bad(),
        ))],
        None => vec![Line::from(Span::styled(
            format!("loading {what}…"),
            theme.dim(),
        ))],
    }
}

/// Short AZ ("1a") from "us-east-1a".
fn short_az(az: &str) -> &str {
    az.rsplit('-').next().unwrap_or(az)
}

pub fn header(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    let ctx = &state.ctx;
    let width = width as usize;
    let mut spans = vec![Span::styled(" ecsdeck ", theme.title())];
    let narrow = width < 100;
    if ctx.demo {
        let label = if narrow {
            " DEMO "
        } else {
            " DEMO (simulated) "
        };
        spans.push(Span::styled(label, theme.demo()));
    }
    if narrow {
        spans.push(Span::raw(format!(
            " {} / {} ",
            ctx.target.cluster, ctx.target.service
        )));
    } else {
        spans.push(Span::raw(format!(
            " {} / {}  {} ",
            ctx.target.cluster, ctx.target.service, ctx.region
        )));
    }
    if ctx.read_only {
        spans.push(Span::styled(" read-only ", theme.dim()));
    }
    let v = state.verdict();
    let style = match v.health {
        Health::Healthy => theme.good(),
        Health::Degraded => theme.warn(),
        Health::Down => theme.bad(),
        Health::Unknown => theme.dim(),
    };
    let verdict = format!("● {}  ", v.health.word());
    let used: usize = spans.iter().map(|s| s.width()).sum::<usize>() + verdict.width() + 1;
    // The verdict's reason matters more than who is logged in: it gets the
    // room first, the identity whatever is left.
    let reason = fit(&v.reason, width.saturating_sub(used));
    let mut left = width.saturating_sub(used + reason.width());
    let identity = match (state.identity.get(), &state.identity.error) {
        (Some(id), _) => Some((
            format!(" {} {} ", id.account, arn_tail(&id.arn)),
            theme.dim(),
        )),
        (None, Some(e)) => Some((
            format!(" identity: {} ", e.error.operator_text()),
            theme.warn(),
        )),
        _ => None,
    };
    if let Some((text, st)) = identity
        && left > 12
    {
        let text = fit(&text, left - 2);
        left -= text.width();
        spans.push(Span::styled(text, st));
    }
    spans.push(Span::raw(" ".repeat(left)));
    spans.push(Span::styled(verdict, style));
    spans.push(Span::styled(reason, style));
    Line::from(spans)
}

pub fn service(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.service, state, theme);
    let Some(snap) = state.service.get() else {
        return Content {
            notice: notice.clone(),
            title: title("Service", "", theme),
            status,
            lines: placeholder(&state.service, "service", theme),
            cursor_line: None,
        };
    };
    let s = &snap.service;
    let mut lines = Vec::new();
    let cfg = &s.config;
    let breaker = match cfg.circuit_breaker {
        Some(b) if b.enable && b.rollback => "breaker on (rollback)",
        Some(b) if b.enable => "breaker on",
        _ => "breaker off",
    };
    let counts = vec![
        Span::raw(format!("desired {}  ", s.desired)),
        Span::styled(
            format!("running {}", s.running),
            if s.running >= s.desired && s.desired > 0 {
                theme.good()
            } else {
                theme.warn()
            },
        ),
        Span::raw(format!("  pending {}  ", s.pending)),
    ];
    let used: usize = counts.iter().map(|s| s.width()).sum();
    let mut first = counts;
    first.push(Span::raw(fit(
        &format!(
            "deploy min {}% max {}%  {breaker}  {}  {}",
            cfg.min_percent,
            cfg.max_percent,
            task_def_label(&s.task_definition),
            s.launch_type.as_deref().unwrap_or("-"),
        ),
        width.saturating_sub(used),
    )));
    lines.push(Line::from(first));
    for d in &s.deployments {
        let state_word = d.rollout_state.clone().unwrap_or_default();
        let head = format!(
            "{} {} ",
            fit(&d.id, if width >= 150 { 32 } else { 14 }),
            d.status,
        );
        let tail = format!(
            " {}  {}/{} running {} pending{}  {}",
            task_def_label(&d.task_definition),
            d.running,
            d.desired,
            d.pending,
            if d.failed > 0 {
                format!(" {} failed", d.failed)
            } else {
                String::new()
            },
            d.rollout_reason.as_deref().unwrap_or("")
        );
        let room = width.saturating_sub(head.len() + state_word.len());
        lines.push(Line::from(vec![
            Span::raw(head),
            Span::styled(state_word.clone(), theme.status(&state_word)),
            Span::styled(fit(&tail, room), theme.dim()),
        ]));
    }
    // Wrapped where there is room (or zoomed); a narrow screen shows each
    // warning's start, and `z` on this pane shows them whole.
    let whole = width >= 100 || state.zoom;
    for w in state.warnings() {
        if !whole {
            lines.push(Line::from(Span::styled(
                fit(&format!("⚠ {}", w.message), width),
                theme.warn(),
            )));
            continue;
        }
        for (i, part) in super::text::wrap(&w.message, width.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { "⚠ " } else { "  " };
            lines.push(Line::from(Span::styled(
                format!("{lead}{part}"),
                theme.warn(),
            )));
        }
    }
    Content {
        notice: notice.clone(),
        title: title("Service", &s.name, theme),
        status,
        lines,
        cursor_line: None,
    }
}

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

pub fn tasks(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.tasks, state, theme);
    let list = state.task_list();
    let live = list.iter().filter(|t| !t.is_stopped()).count();
    let extra = if state.tasks.get().is_some() {
        format!("{} running · {} stopped", live, list.len() - live)
    } else {
        String::new()
    };
    let lines = if state.tasks.get().is_none() {
        placeholder(&state.tasks, "tasks", theme)
    } else if list.is_empty() {
        vec![Line::from(Span::styled(
            "no tasks: the service has none running or recently stopped",
            theme.warn(),
        ))]
    } else {
        let selected = state.selected_task().map(|t| t.arn.clone());
        list.iter()
            .map(|t| task_line(t, state, theme, width, Some(&t.arn) == selected.as_ref()))
            .collect()
    };
    Content {
        notice: notice.clone(),
        title: title("Tasks", &extra, theme),
        status,
        lines,
        cursor_line: (state.focus == Pane::Tasks && !list.is_empty())
            .then_some(state.cursor[Pane::Tasks.index()]),
    }
}

pub fn containers(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.tasks, state, theme);
    let Some(task) = state.selected_task() else {
        return Content {
            notice: notice.clone(),
            title: title("Containers", "", theme),
            status,
            lines: if state.tasks.get().is_some() {
                vec![Line::from(Span::styled("no task", theme.dim()))]
            } else {
                placeholder(&state.tasks, "tasks", theme)
            },
            cursor_line: None,
        };
    };
    let td = state.task_def();
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
        notice: notice.clone(),
        title: title("Containers", &format!("{} {pinned}", task.short()), theme),
        status,
        lines,
        cursor_line: (state.focus == Pane::Containers && !task.containers.is_empty())
            .then_some(state.cursor[Pane::Containers.index()]),
    }
}

pub fn targets(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.targets, state, theme);
    let Some(snap) = state.service.get() else {
        return Content {
            notice: notice.clone(),
            title: title("Load balancer", "", theme),
            status,
            lines: placeholder(&state.service, "service", theme),
            cursor_line: None,
        };
    };
    if snap.service.load_balancers.is_empty() {
        return Content {
            notice: notice.clone(),
            title: title("Load balancer", "", theme),
            status: Line::from(""),
            lines: vec![Line::from(Span::styled(
                "the service has no load balancer",
                theme.dim(),
            ))],
            cursor_line: None,
        };
    }
    let Some(groups) = state.targets.get() else {
        return Content {
            notice: notice.clone(),
            title: title("Load balancer", "", theme),
            status,
            lines: placeholder(&state.targets, "target groups", theme),
            cursor_line: None,
        };
    };
    let tasks = state.task_list();
    let mut lines = Vec::new();
    let mut cursor_line = None;
    let mut row = 0;
    let mut extra = String::new();
    // As wide as the longest address, so states line up.
    let addr_w = groups
        .iter()
        .flat_map(|g| g.targets.iter())
        .map(|t| t.id.len() + 1 + t.port.map_or(0, |p| p.to_string().len()))
        .max()
        .unwrap_or(0)
        .max(12);
    for g in groups {
        let hc = &g.health_check;
        extra = g.name.clone();
        // The health check, in the terms that decide how long a new task
        // waits for traffic and an old one drains.
        let settings = format!(
            "{}{} {} every {}s · healthy after {}{} · drain {}",
            if groups.len() > 1 {
                format!("{}: ", g.name)
            } else {
                String::new()
            },
            hc.protocol.as_deref().unwrap_or(""),
            hc.path.as_deref().unwrap_or(""),
            hc.interval_s.unwrap_or(0),
            hc.healthy_threshold.unwrap_or(0),
            derive::time_to_healthy_s(g)
                .map(|s| format!(" ({s}s)"))
                .unwrap_or_default(),
            g.deregistration_delay_s
                .map(|d| format!("{d}s"))
                .unwrap_or_else(|| "?".into())
        );

        if groups.len() > 1 {
            lines.push(Line::from(Span::styled(
                fit(&settings, width),
                theme.title(),
            )));
        }
        let binding = derive::binding_for(&snap.service, g);
        if g.targets.is_empty() {
            lines.push(Line::from(Span::styled(
                "no registered targets: nothing can serve traffic",
                theme.bad(),
            )));
        }
        for t in &g.targets {
            if state.focus == Pane::Targets && row == state.cursor[Pane::Targets.index()] {
                cursor_line = Some(lines.len());
            }
            row += 1;
            let owner = derive::task_for_target(g, binding, t, tasks);
            let addr = format!(
                "{}:{}",
                t.id,
                t.port.map(|p| p.to_string()).unwrap_or_default()
            );
            // The reason code is what an operator searches for; the
            // description only when there is room for it.
            let why = match (t.reason.as_deref(), t.description.as_deref()) {
                (Some(r), Some(d)) if width >= 90 => format!("{r}: {d}"),
                (Some(r), _) => r.to_string(),
                (None, Some(d)) => d.to_string(),
                (None, None) => String::new(),
            };
            let who = match owner {
                Some(task) => format!("→ {}", task.short()),
                None => "→ no task".into(),
            };
            let fixed = addr_w + 1 + 10 + who.len() + 2;
            lines.push(Line::from(vec![
                Span::raw(format!("{} ", pad(&addr, addr_w))),
                Span::styled(pad(&t.state, 9), theme.status(&t.state)),
                Span::raw(" "),
                Span::styled(pad(&why, width.saturating_sub(fixed)), theme.dim()),
                Span::raw(" "),
                Span::raw(who),
            ]));
        }
        // Below the targets (on a small screen they matter most), unless
        // several groups need it as their heading.
        if groups.len() == 1 {
            lines.push(Line::from(Span::styled(fit(&settings, width), theme.dim())));
        }
        for lb in &g.load_balancers {
            for l in &lb.listeners {
                let scheme = if l.protocol == "HTTPS" {
                    "https"
                } else {
                    "http"
                };
                let host = if lb.dns_name.contains(':') {
                    lb.dns_name.clone()
                } else {
                    format!("{}:{}", lb.dns_name, l.port)
                };
                lines.push(Line::from(Span::styled(
                    fit(
                        &format!(
                            "{scheme}://{host}  {} {}",
                            lb.name,
                            lb.state.as_deref().unwrap_or("")
                        ),
                        width,
                    ),
                    theme.dim(),
                )));
            }
        }
    }
    if groups.len() > 1 {
        extra = format!("{} target groups", groups.len());
    }
    Content {
        notice: notice.clone(),
        title: title("Load balancer", &extra, theme),
        status,
        lines,
        cursor_line,
    }
}

pub fn efs(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.efs, state, theme);
    let Some(td) = state.task_def() else {
        return Content {
            notice: notice.clone(),
            title: title("EFS", "", theme),
            status,
            lines: placeholder(&state.service, "task definition", theme),
            cursor_line: None,
        };
    };
    let volumes: Vec<_> = td.volumes.iter().filter(|v| v.efs.is_some()).collect();
    if volumes.is_empty() {
        return Content {
            notice: notice.clone(),
            title: title("EFS", "", theme),
            status: Line::from(""),
            lines: vec![Line::from(Span::styled(
                "no EFS volume in the task definition: data lives only as long as the task",
                theme.warn(),
            ))],
            cursor_line: None,
        };
    }
    let mut lines = Vec::new();
    let mut extra = String::new();
    let mut cursor_line = None;
    let mut row = 0;
    let tasks: Vec<&Task> = state
        .task_list()
        .iter()
        .filter(|t| !t.is_stopped() || derive::is_efs_mount_failure(t))
        .collect();
    for v in volumes {
        let Some(cfg) = &v.efs else { continue };
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
        lines.push(Line::from(fit(
            &format!("{} → {}  {}", v.name, users.join(", "), opts.join(", ")),
            width,
        )));
        let fs = state
            .file_systems()
            .iter()
            .find(|f| f.id == cfg.file_system_id);
        let Some(fs) = fs else {
            if extra.is_empty() {
                extra = cfg.file_system_id.clone();
            }
            lines.extend(placeholder(&state.efs, "file system", theme));
            continue;
        };
        extra = fs.id.clone();
        lines.insert(
            lines.len() - 1,
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
            ]),
        );
        for mt in &fs.mount_targets {
            if state.focus == Pane::Efs && row == state.cursor[Pane::Efs.index()] {
                cursor_line = Some(lines.len());
            }
            row += 1;
            let here: Vec<&str> = tasks
                .iter()
                .filter(|t| !t.is_stopped() && t.az.is_some() && t.az == mt.az)
                .map(|t| t.short())
                .collect();
            lines.push(Line::from(vec![
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
            ]));
        }
        for t in &tasks {
            let m = derive::mount_status(t, td, &v.name, fs);
            let style = match &m {
                MountStatus::Mounted => theme.good(),
                m if m.is_problem() => theme.bad(),
                _ => theme.warn(),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("{} ", t.short())),
                Span::styled(fit(&m.label(), width.saturating_sub(9)), style),
            ]));
        }
    }
    Content {
        notice: notice.clone(),
        title: title("EFS", &extra, theme),
        status,
        lines,
        cursor_line,
    }
}

pub fn events(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.service, state, theme);
    let Some(snap) = state.service.get() else {
        return Content {
            notice: notice.clone(),
            title: title("Events", "", theme),
            status,
            lines: placeholder(&state.service, "events", theme),
            cursor_line: None,
        };
    };
    let prefix = format!("(service {}) ", snap.service.name);
    let lines: Vec<Line> = snap
        .service
        .events
        .iter()
        .map(|e| {
            let msg = e.message.strip_prefix(&prefix).unwrap_or(&e.message);
            let style =
                if msg.contains("unhealthy") || msg.contains("failed") || msg.contains("unable") {
                    theme.warn()
                } else {
                    Style::new()
                };
            Line::from(vec![
                Span::styled(
                    format!("{}  ", e.at.map(clock).unwrap_or_else(|| "--:--:--".into())),
                    theme.dim(),
                ),
                Span::styled(fit(msg, width.saturating_sub(10)), style),
            ])
        })
        .collect();
    let n = lines.len();
    Content {
        notice: notice.clone(),
        title: title("Events", "", theme),
        status,
        lines: if n == 0 {
            vec![Line::from(Span::styled("no events", theme.dim()))]
        } else {
            lines
        },
        cursor_line: (state.focus == Pane::Events && n > 0)
            .then_some(state.cursor[Pane::Events.index()]),
    }
}
