//! The dashboard: keys, observations, effects and a clock in one loop,
//! drawn into the terminal when something changed.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::app::shutdown::Shutdown;
use crate::app::{Context, Listed, Msg, State, update};
use crate::cloud::Cloud;
use crate::effects::{self, Next};
use crate::model::ServiceRef;
use crate::poll::Plan;
use crate::session::{self, Session};
use crate::term;
use crate::ui::{self, Theme, keys};

mod connect;
mod shell;

pub struct Options {
    pub refresh: Duration,
    pub read_only: bool,
    pub log_buffer: usize,
    /// How far back the logs reach at start; None: each stream's tail.
    pub logs_since: Option<Duration>,
    pub probe: Option<crate::model::probe::ProbeConfig>,
    /// Mask the account id and the caller (`--redact`).
    pub redact: bool,
    /// The operate half of the backend; None in a read-only run.
    pub operator: Option<Arc<dyn crate::cloud::Operate>>,
    /// What `R` runs with; None in a read-only run or without the probe.
    pub drill: Option<effects::DrillSetup>,
    pub drill_restart: crate::model::drill::RestartKind,
    pub drill_timeout: Option<Duration>,
    pub drill_read_window: Duration,
    /// Installed before the terminal was touched.
    pub signals: term::Signals,
    /// The AWS profile in use, for the journal's lines.
    pub profile: Option<String>,
    /// What `e` runs, with the session's profile and endpoint.
    pub exec: crate::app::ExecContext,
}

/// How long after the program was asked to end it quits whatever is
/// still running: the drill's own limit, and a margin for its report.
const BACKSTOP: Duration = Duration::from_secs(
    crate::app::shutdown::CLEANUP_LIMIT.as_secs() + crate::app::shutdown::LAST_TRY.as_secs() + 3,
);

/// Runs the dashboard until the operator quits, a signal arrives or the
/// terminal goes away; a running drill cleans up and reports first. The
/// terminal is restored on every path. Returns the exit code.
pub async fn run(cloud: Arc<dyn Cloud>, target: ServiceRef, opts: Options) -> Result<i32> {
    let mut screen = term::init()?;
    let result = event_loop(&mut screen, cloud, target, opts).await;
    term::close(screen);
    result
}

/// The exit code of a run that ended this way.
fn exit_code(state: &State) -> i32 {
    state.ending.map_or(0, |e| e.why.exit_code())
}

async fn event_loop(
    screen: &mut term::Screen,
    cloud: Arc<dyn Cloud>,
    target: ServiceRef,
    opts: Options,
) -> Result<i32> {
    let theme = Theme::from_env();
    let ctx = context(&cloud, &target, &opts);
    let mut state = State::new(ctx, crate::clock::now());
    let mut session = Session::start(
        cloud,
        target,
        Plan {
            refresh: opts.refresh,
            logs: true,
            metrics: true,
            probe: opts.probe,
        },
    );
    if let Some(op) = opts.operator {
        session = session
            .with_operator(op)
            .with_journal(crate::journal::default_path(), opts.profile.clone());
    }
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut signals = opts.signals.clone();
    // Set once the program is asked to end: the last moment it waits.
    let mut backstop: Option<tokio::time::Instant> = None;
    let mut out = Output::default();
    // A test hook, in debug builds only: the end-to-end tests prove the
    // terminal is restored when the dashboard panics.
    let test_panic = cfg!(debug_assertions)
        && std::env::var_os("ECSDECK_TEST_PANIC").is_some_and(|v| v != "poller");
    let (answer_tx, mut answer_rx) = mpsc::channel::<Msg>(64);
    let mut drill = opts.drill.clone();
    let mut candidate: Option<session::Backend> = None;
    let mut fx = effects::Effects::new(effects::Links::of(&session), answer_tx, drill.clone());
    let mut dirty = true;
    loop {
        let mut effects = Vec::new();
        if dirty {
            effects = draw(screen, &mut state, &theme, &mut out);
            dirty = false;
            if test_panic {
                panic!("ECSDECK_TEST_PANIC is set: panicking on purpose");
            }
        }
        if effects.is_empty() {
            effects = tokio::select! {
                ev = events.next(), if !out.gone => {
                    let (fx, changed) = on_terminal(&mut state, ev, &mut out);
                    dirty |= changed;
                    fx
                }
                Some(ev) = session.next_event() => {
                    dirty = true;
                    on_session(&mut state, ev)
                }
                Some(msg) = answer_rx.recv() => {
                    dirty = true;
                    update(&mut state, msg)
                }
                _ = clock.tick() => {
                    dirty = true;
                    update(&mut state, Msg::Tick(crate::clock::now()))
                }
                n = signals.recv() => {
                    dirty = true;
                    update(&mut state, Msg::Shutdown(Shutdown::Signal(n), crate::clock::now()))
                }
                _ = sleep_until(backstop), if backstop.is_some() => {
                    tracing::warn!("the drill's cleanup overran its limit: quitting");
                    return Ok(exit_code(&state));
                }
            };
        }
        if state.ending.is_some() && backstop.is_none() {
            backstop = Some(tokio::time::Instant::now() + BACKSTOP);
        }
        let mut queue = std::collections::VecDeque::from(effects);
        while let Some(e) = queue.pop_front() {
            match fx.run(e) {
                Next::Quit => return Ok(exit_code(&state)),
                Next::Continue => {}
                Next::Exec(plan) => {
                    // The old reader stops: the shell reads the keys now.
                    events = EventStream::new();
                    queue
                        .extend(run_shell(screen, &plan, &session, &mut signals, &mut state).await);
                    dirty = true;
                }
                Next::Switch(to) => {
                    // What was still to do was the old service's.
                    queue.clear();
                    let to_backend = candidate.take();
                    fx.stop();
                    (session, fx, answer_rx, state) =
                        switch(session, to, to_backend, &mut drill, &state);
                    dirty = true;
                }
                Next::Connect(n, profile, region) => {
                    let (opened, more) = open_account(&fx, &mut state, n, profile, region).await;
                    candidate = opened;
                    queue.extend(more);
                    dirty = true;
                }
            }
        }
        // Another profile's or region's AWS, held while the picker is open
        // (an Enter in it has taken it by now).
        if !matches!(state.modal, Some(crate::app::Modal::Switch(_))) {
            candidate = None;
        }
    }
}

/// `e`'s shell, with the terminal handed over; then what the state says
/// to how it went (and to a signal that ended the program meanwhile).
async fn run_shell(
    screen: &mut term::Screen,
    plan: &crate::model::exec::Plan,
    session: &Session,
    signals: &mut term::Signals,
    state: &mut State,
) -> Vec<crate::app::Effect> {
    let demo = session.cloud().is_demo();
    let journal = session.journal().cloned();
    let (outcome, signal) = shell::run(screen, plan, demo, journal, signals).await;
    let mut out = update(state, Msg::Exec(outcome));
    if let Some(n) = signal {
        let at = crate::clock::now();
        out.extend(update(state, Msg::Shutdown(Shutdown::Signal(n), at)));
    }
    out
}

/// AWS opened with another profile or region for the `:` picker (listing
/// `n`), its services listed there; what to hold until one is chosen.
async fn open_account(
    fx: &effects::Effects,
    state: &mut State,
    n: u64,
    profile: Option<String>,
    region: Option<String>,
) -> (Option<session::Backend>, Vec<crate::app::Effect>) {
    let endpoint = state.ctx.exec.endpoint_url.clone();
    match connect::open(profile, region, &state.ctx.region, endpoint).await {
        Ok(b) => {
            fx.list_services_of(b.cloud.clone(), n, None);
            let said = Listed::Account(b.profile.clone(), b.region.clone());
            (Some(b), update(state, Msg::Listed(n, said)))
        }
        Err(e) => {
            let said = Listed::Done(Some(format!("cannot open AWS so: {e}")));
            (None, update(state, Msg::Listed(n, said)))
        }
    }
}

/// What the state knows of this run: the settings, the service.
fn context(cloud: &Arc<dyn Cloud>, target: &ServiceRef, opts: &Options) -> Context {
    Context {
        target: target.clone(),
        region: cloud.region(),
        demo: cloud.is_demo(),
        read_only: opts.read_only,
        refresh: opts.refresh,
        log_buffer: opts.log_buffer,
        logs_since: opts
            .logs_since
            .and_then(|d| chrono::Duration::from_std(d).ok()),
        probe: opts.probe.as_ref().map(|p| p.info.clone()),
        redact: opts.redact,
        drill_restart: opts.drill_restart,
        drill_timeout: opts.drill_timeout,
        drill_read_window: opts.drill_read_window,
        drill_requests: opts
            .drill
            .as_ref()
            .map(|d| d.contract.requests())
            .unwrap_or_default(),
        exec: opts.exec.clone(),
    }
}

/// The session, its effects runner, their answers and the state, moved
/// to `to`. A new answer channel: late answers about the old service (a
/// page of older logs) do not reach the new state.
fn switch(
    session: Session,
    to: ServiceRef,
    backend: Option<session::Backend>,
    drill: &mut Option<effects::DrillSetup>,
    old: &State,
) -> (Session, effects::Effects, mpsc::Receiver<Msg>, State) {
    let account = backend
        .as_ref()
        .map(|b| (b.profile.clone(), b.region.clone()));
    let (session, dropped) = session.switch(to.clone(), backend);
    if dropped && let Some(d) = drill.as_mut() {
        d.probe.info.url = None;
    }
    let (tx, rx) = mpsc::channel::<Msg>(64);
    let fx = effects::Effects::new(effects::Links::of(&session), tx, drill.clone());
    let mut state = switched(old, to, dropped);
    if let Some((profile, region)) = account {
        state.ctx.exec.profile = profile;
        state.ctx.region = region;
    }
    (session, fx, rx, state)
}

/// The fresh state of a session switched to `to`: the same settings,
/// nothing of the old service's.
fn switched(old: &State, to: ServiceRef, dropped_probe_url: bool) -> State {
    let mut ctx = old.ctx.clone();
    ctx.target = to.clone();
    if dropped_probe_url && let Some(p) = ctx.probe.as_mut() {
        p.url = None;
    }
    let mut state = State::new(ctx, crate::clock::now());
    update(&mut state, Msg::Switched(to));
    if dropped_probe_url && let Some(n) = state.notice.as_mut() {
        n.push_str(" (the probe URL given was the other service's: this one's is found from its load balancer)");
    }
    state
}

/// How the terminal is taking what is drawn.
#[derive(Default)]
struct Output {
    /// The terminal is gone: nothing more is drawn or read.
    gone: bool,
    /// It stopped taking output (a network that died without sshd
    /// noticing): no drawing until it catches up, then a whole frame.
    stalled: bool,
}

/// Draws the state, unless the terminal is gone or stalled; a failed
/// draw tells which.
fn draw(
    screen: &mut term::Screen,
    state: &mut State,
    theme: &Theme,
    out: &mut Output,
) -> Vec<crate::app::Effect> {
    if out.stalled && screen.output.backlog() == 0 {
        out.stalled = false;
        // The frames dropped meanwhile: ratatui's diff is stale.
        let _ = term::repaint(screen);
    }
    if out.gone || out.stalled {
        return Vec::new();
    }
    match screen.terminal.draw(|f| ui::render(state, theme, f)) {
        Ok(_) => update(state, Msg::Shown(crate::clock::now())),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            out.stalled = true;
            Vec::new()
        }
        // A dropped SSH session shows up as a failed write.
        Err(_) => {
            out.gone = true;
            update(
                state,
                Msg::Shutdown(Shutdown::TerminalGone, crate::clock::now()),
            )
        }
    }
}

/// A key, a resize, or the end of the input; and whether to redraw.
fn on_terminal(
    state: &mut State,
    ev: Option<std::io::Result<Event>>,
    out: &mut Output,
) -> (Vec<crate::app::Effect>, bool) {
    match ev {
        Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
            match keys::action_for(&k, state.mode(), state.ctx.read_only) {
                Some(a) => (update(state, Msg::Pressed(a, crate::clock::now())), true),
                None => (Vec::new(), false),
            }
        }
        Some(Ok(Event::Resize(..))) => (Vec::new(), true),
        Some(Ok(_)) => (Vec::new(), false),
        Some(Err(_)) | None => {
            out.gone = true;
            let fx = update(
                state,
                Msg::Shutdown(Shutdown::TerminalGone, crate::clock::now()),
            );
            (fx, true)
        }
    }
}

/// An observation, or the backend's counters.
fn on_session(state: &mut State, ev: session::Event) -> Vec<crate::app::Effect> {
    match ev {
        session::Event::Poll(ev) => update(state, Msg::Poll(Box::new(ev))),
        session::Event::Counters(c) => {
            let mut out = update(state, Msg::ApiCalls(c.at, c.calls));
            out.extend(update(state, Msg::ApiCallsBy(c.at, c.by_api)));
            out.extend(update(state, Msg::Slowed(c.slowed)));
            out.extend(update(state, Msg::Paused(c.paused)));
            out.extend(update(state, Msg::Cadence(c.cadence)));
            out
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
