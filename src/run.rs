//! The wiring: terminal, pollers, reducer, render and effects.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::{Context, Effect, Msg, State, update};
use crate::cloud::Cloud;
use crate::model::ServiceRef;
use crate::poll;
use crate::term;
use crate::ui::picker::{Picker, PickerOutcome};
use crate::ui::{self, Theme, keys};

/// How the run ended, for the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal,
    TerminalGone,
}

pub struct Options {
    pub refresh: Duration,
    pub read_only: bool,
    pub log_buffer: usize,
}

/// Runs the dashboard until the operator quits, a signal arrives or the
/// terminal goes away. The terminal is restored on every path.
pub async fn dashboard(cloud: Arc<dyn Cloud>, target: ServiceRef, opts: Options) -> Result<Ended> {
    let mut terminal = term::init()?;
    let result = dashboard_loop(&mut terminal, cloud, target, opts).await;
    term::restore();
    result
}

async fn dashboard_loop(
    terminal: &mut ratatui::DefaultTerminal,
    cloud: Arc<dyn Cloud>,
    target: ServiceRef,
    opts: Options,
) -> Result<Ended> {
    let theme = Theme::from_env();
    let ctx = Context {
        target: target.clone(),
        region: cloud.region(),
        demo: cloud.is_demo(),
        read_only: opts.read_only,
        refresh: opts.refresh,
        log_buffer: opts.log_buffer,
    };
    let mut state = State::new(ctx, Utc::now());
    let (tx, mut rx) = mpsc::channel(64);
    let pollers = poll::spawn(cloud.clone(), target, opts.refresh, tx);
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let (effect_tx, mut effect_rx) = mpsc::channel::<Msg>(8);
    let mut dirty = true;
    loop {
        if dirty {
            // A dropped SSH session shows up as a failed write: leave.
            if terminal.draw(|f| ui::render(&state, &theme, f)).is_err() {
                return Ok(Ended::TerminalGone);
            }
            dirty = false;
            // A test hook: the end-to-end tests prove the terminal is
            // restored when the dashboard panics.
            if std::env::var_os("ECSDECK_TEST_PANIC").is_some() {
                panic!("ECSDECK_TEST_PANIC is set: panicking on purpose");
            }
        }
        let effects = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    match keys::action_for(&k, state.logs.prompt.is_some()) {
                        Some(a) => {
                            dirty = true;
                            update(&mut state, Msg::Action(a))
                        }
                        None => Vec::new(),
                    }
                }
                Some(Ok(Event::Resize(..))) => {
                    dirty = true;
                    Vec::new()
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(_)) | None => return Ok(Ended::TerminalGone),
            },
            Some(ev) = rx.recv() => {
                dirty = true;
                update(&mut state, Msg::Poll(Box::new(ev)))
            }
            Some(msg) = effect_rx.recv() => {
                dirty = true;
                update(&mut state, msg)
            }
            _ = clock.tick() => {
                let now = Utc::now();
                update(&mut state, Msg::Tick(now));
                update(&mut state, Msg::ApiCalls(now, cloud.api_calls()));
                dirty = true;
                Vec::new()
            }
            _ = sigterm.recv() => return Ok(Ended::Signal),
            _ = sighup.recv() => return Ok(Ended::Signal),
        };
        for e in effects {
            match e {
                Effect::Quit => return Ok(Ended::Quit),
                Effect::RefreshNow => pollers.refresh(),
                Effect::SaveLogs { name, contents } => {
                    let tx = effect_tx.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(Msg::LogsSaved(save(&name, &contents).await)).await;
                    });
                }
            }
        }
    }
}

/// Writes a new file in the working directory; never overwrites one.
async fn save(name: &str, contents: &str) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let dir = std::env::current_dir().map_err(|e| e.to_string())?;
    let path = dir.join(name);
    let mut f = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(contents.as_bytes())
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// Finds the service to watch when none is configured: the only one, or
/// the operator's pick among several.
pub async fn choose_service(
    cloud: &Arc<dyn Cloud>,
    cluster: Option<&str>,
) -> Result<Option<ServiceRef>> {
    let mut all = cloud.list_services().await.map_err(|e| {
        eyre!("cannot list ECS services: {e}\n\nTo try ecsdeck without AWS, run: ecsdeck demo")
    })?;
    if let Some(c) = cluster {
        all.retain(|s| s.cluster == crate::model::arn_tail(c));
    }
    match all.len() {
        0 => Err(eyre!(
            "no ECS services found in {}{}. Pass --cluster and --service, check --region and --profile, or try: ecsdeck demo",
            cloud.region(),
            cluster
                .map(|c| format!(" (cluster {c})"))
                .unwrap_or_default()
        )),
        1 => Ok(all.pop()),
        _ => pick(all, cloud.region()).await,
    }
}

async fn pick(items: Vec<ServiceRef>, region: String) -> Result<Option<ServiceRef>> {
    let theme = Theme::from_env();
    let mut picker = Picker {
        items,
        cursor: 0,
        region,
    };
    let mut terminal = term::init()?;
    let mut events = EventStream::new();
    let outcome = loop {
        if terminal.draw(|f| picker.render(&theme, f)).is_err() {
            break None;
        }
        match events.next().await {
            Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => match picker.key(&k) {
                PickerOutcome::Chosen(s) => break Some(s),
                PickerOutcome::Quit => break None,
                PickerOutcome::Continue => {}
            },
            Some(Ok(_)) => {}
            _ => break None,
        }
    };
    term::restore();
    Ok(outcome)
}
