//! `ecsdeck drill`: the restart drill without a screen, on the same update
//! and effects the dashboard's `R` runs. Steps as they happen, a verdict,
//! an exit code by verdict (0 PASS, 1 FAIL, 3 ABORTED); `--json` prints
//! the report.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;

use crate::app::drill::{Phase, prepare};
use crate::app::shutdown::Shutdown;
use crate::app::{Action, Context, Msg, State, update};
use crate::cloud::{Cloud, Operate};
use crate::drill::files::write_file;
use crate::effects::{DrillSetup, Effects, Links};
use crate::model::ServiceRef;
use crate::model::drill::report::{Report, mask};
use crate::model::drill::{Contract, RestartKind};
use crate::model::observe::PollEvent;
use crate::model::probe::ProbeConfig;
use crate::poll::Plan;
use crate::session::Session;

pub const EXIT_ERROR: i32 = 2;

pub struct Args {
    pub restart: RestartKind,
    /// None: derived from the service's worst case.
    pub timeout: Option<Duration>,
    pub read_window: Duration,
    pub json: bool,
    /// `--report FILE`.
    pub report: Option<std::path::PathBuf>,
    pub yes: bool,
    pub contract: Contract,
    pub probe: ProbeConfig,
    pub redact: bool,
    /// The AWS profile in use, for the journal's lines.
    pub profile: Option<String>,
}

/// Where the drill's observations come from: a session of its own, or a
/// scripted feed in tests.
pub trait Feed: Send {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send;
}

impl Feed for Session {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send {
        Session::next(self)
    }
}

impl Feed for mpsc::Receiver<PollEvent> {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send {
        self.recv()
    }
}

/// The question asked once the preflight is printed, before anything is
/// written; false cancels.
pub type Ask = Box<dyn FnMut() -> bool + Send>;

pub struct Options {
    pub restart: RestartKind,
    /// None: derived from the service's worst case.
    pub timeout: Option<Duration>,
    /// How long the final reads are tried once the service is back.
    pub read_window: Duration,
    pub contract: Contract,
    pub probe: ProbeConfig,
    /// Mask the caller in the stop reason.
    pub redact: bool,
    /// None: no question (`--yes`).
    pub ask: Option<Ask>,
    /// The drills' history, and the report file named for it (`--report`).
    pub history: Option<std::path::PathBuf>,
    pub report_file: Option<std::path::PathBuf>,
}

/// The question, once the preflight is printed: None with `--yes`;
/// without `--yes` and without a terminal to ask on, a refusal.
fn asker(target: &ServiceRef, a: &Args) -> Result<Option<Ask>, String> {
    if a.yes {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "refusing to restart anything: standard input is not a terminal to confirm on; pass --yes"
                .into(),
        );
    }
    let how = match a.restart {
        RestartKind::StopTask => "stop every task of",
        RestartKind::ForceDeployment => "force a new deployment of",
    };
    let question = format!(
        "Write a marker through the load balancer, {how} {}/{} and read the marker back? [y/N] ",
        target.cluster, target.service
    );
    Ok(Some(Box::new(move || {
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        // A closed terminal answers no.
        std::io::stdin().lock().read_line(&mut line).is_ok()
            && line.trim().eq_ignore_ascii_case("y")
    })))
}

/// Runs a drill on the observations of `feed`, acting through `links`,
/// with the dashboard's own update and effects and no screen; each line
/// goes to `on_line` as it is told; each item of `ends` (a signal) ends
/// the run as in the dashboard: the drill cleans up and reports, a second
/// hurries it.
pub async fn run(
    feed: &mut impl Feed,
    links: Links,
    mut opts: Options,
    mut on_line: impl FnMut(&str),
    mut ends: impl Stream<Item = Shutdown> + Unpin,
) -> Result<Report, String> {
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    let region = links.cloud.as_ref().map(|c| c.region()).unwrap_or_default();
    let mut ctx = Context::new(links.target.clone(), region);
    ctx.probe = Some(opts.probe.info.clone());
    ctx.redact = opts.redact;
    ctx.drill_restart = opts.restart;
    ctx.drill_timeout = opts.timeout;
    ctx.drill_read_window = opts.read_window;
    ctx.drill_requests = opts.contract.requests();
    let mut state = State::new(ctx, crate::clock::now());
    let setup = DrillSetup {
        contract: opts.contract.clone(),
        probe: opts.probe.clone(),
        redact: opts.redact,
        dir: None,
        history: opts.history.clone(),
        report_file: opts.report_file.clone(),
    };
    let mut fx = Effects::new(links, tx.clone(), Some(setup));
    prepare(&mut state);
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut asked = false;
    let mut printed = 0;
    let mut refusal = Refusal::default();
    loop {
        let asking = state
            .drill
            .as_ref()
            .is_some_and(|d| d.phase == Phase::Asking);
        let effects = tokio::select! {
            ev = feed.next() => match ev {
                Some(ev) => {
                    if let Some(l) = refusal.on(&ev) {
                        on_line(&l);
                    }
                    update(&mut state, Msg::Poll(Box::new(ev)))
                }
                None => return Err("the session ended".into()),
            },
            Some(m) = rx.recv() => {
                if asking && m == Msg::Action(Action::Cancel) {
                    decline(&mut state, None)
                } else {
                    update(&mut state, m)
                }
            }
            _ = clock.tick() => update(&mut state, Msg::Tick(crate::clock::now())),
            Some(why) = ends.next() => {
                if state.drill.is_none() {
                    return Err("cancelled before the drill began: nothing was sent".into());
                }
                if asking {
                    decline(&mut state, Some(why))
                } else {
                    update(&mut state, Msg::Shutdown(why, crate::clock::now()))
                }
            }
        };
        for e in effects {
            fx.run(e);
        }
        if let Some(why) = state.drill_failed.take() {
            return Err(why);
        }
        let Some(d) = state.drill.as_ref() else {
            continue;
        };
        for l in d.transcript().get(printed..).unwrap_or_default() {
            on_line(l);
        }
        printed = printed.max(d.transcript().len());
        match &d.phase {
            Phase::Asking if !asked => {
                asked = true;
                for l in d.preflight.lines() {
                    on_line(&format!("          {l}"));
                }
                match opts.ask.take() {
                    Some(mut ask) => {
                        for l in &d.preflight.plan {
                            on_line(&format!("          ECS: {l}"));
                        }
                        // Asked on a thread of its own: observations keep
                        // arriving while the operator reads, and a Ctrl-C
                        // meanwhile is still heard.
                        let tx = tx.clone();
                        std::thread::spawn(move || {
                            let yes = ask();
                            let a = if yes { Action::Confirm } else { Action::Cancel };
                            let _ = tx.blocking_send(Msg::Action(a));
                        });
                    }
                    None => {
                        for e in update(&mut state, Msg::Action(Action::Confirm)) {
                            fx.run(e);
                        }
                    }
                }
            }
            Phase::Done { report, .. } => return Ok((**report).clone()),
            _ => {}
        }
    }
}

/// Whether AWS refuses the credentials, from the polls: said once when
/// it starts (a CI log must show why the drill stopped seeing the
/// service) and once when it ends.
#[derive(Default)]
struct Refusal(bool);

impl Refusal {
    fn on(&mut self, ev: &PollEvent) -> Option<String> {
        use crate::model::error::ErrorKind;
        match &ev.result {
            Err(f) if f.error.kind == ErrorKind::Credentials && !self.0 => {
                self.0 = true;
                Some(format!(
                    "          AWS refused the credentials: polling paused, one call every 30 s ({})",
                    f.error.hint.as_deref().unwrap_or(&f.error.message)
                ))
            }
            Ok(_) if self.0 && ev.resource != crate::model::observe::Resource::Probe => {
                self.0 = false;
                Some("          credentials accepted again: polling resumed".into())
            }
            _ => None,
        }
    }
}

/// `n` (or a signal) at the question: the drill ends ABORTED with its
/// report, having sent nothing. The run begins and is cancelled before
/// its baseline, so the machine itself says what was (not) done.
fn decline(state: &mut State, why: Option<Shutdown>) -> Vec<crate::app::Effect> {
    let mut out = update(state, Msg::Action(Action::Confirm));
    out.extend(match why {
        Some(why) => update(state, Msg::Shutdown(why, crate::clock::now())),
        None => update(state, Msg::Action(Action::Cancel)),
    });
    out
}

pub async fn drill(
    cloud: Arc<dyn Cloud>,
    operator: Arc<dyn Operate>,
    target: ServiceRef,
    a: Args,
    signals: crate::term::Signals,
) -> i32 {
    // Refuse before anything is sent, not after the drill.
    if let Some(p) = &a.report
        && p.exists()
    {
        eprintln!(
            "ecsdeck drill: {} exists: a report never overwrites a file; choose another name",
            p.display()
        );
        return EXIT_ERROR;
    }
    let ask = match asker(&target, &a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ecsdeck drill: {e}");
            return EXIT_ERROR;
        }
    };
    let mut session = Session::start(
        cloud,
        target,
        Plan {
            refresh: Duration::from_secs(1),
            // The containers' logs, for what happened on the way
            // (DBPathInUse: two mongod on one volume).
            logs: true,
            metrics: true,
            probe: Some(a.probe.clone()),
        },
    )
    .with_operator(operator)
    .with_journal(crate::journal::default_path(), a.profile.clone());
    let json = a.json;
    // The account is not known before the identity is read: mask every
    // ARN's account field meanwhile.
    let redact = a.redact;
    let say = |l: &str| {
        let l = if redact {
            mask(l, Some(""))
        } else {
            l.to_string()
        };
        if json { say_err(&l) } else { say_out(&l) }
    };
    // Any of INT, TERM (a CI runner cancelling the job), HUP (a dropped
    // session) or QUIT cancels: the drill still removes its marker, writes
    // its report and exits 3; a second signal hurries the cleanup.
    let ends = Box::pin(futures_util::stream::unfold(signals, |mut s| async move {
        let n = s.recv().await;
        tracing::info!(signal = n, "drill cancelled by a signal");
        Some((Shutdown::Signal(n), s))
    }));
    let links = Links::of(&session);
    let opts = Options {
        restart: a.restart,
        timeout: a.timeout,
        read_window: a.read_window,
        contract: a.contract,
        probe: a.probe,
        redact: a.redact,
        ask,
        history: crate::drill::history::default_path(),
        report_file: a.report.clone(),
    };
    match run(&mut session, links, opts, say, ends).await {
        Ok(r) => finish(&r, json, redact, a.report.as_deref()),
        Err(e) => {
            say_err(&format!("ecsdeck drill: {e}"));
            EXIT_ERROR
        }
    }
}

/// A line on standard output; a closed pipe or a gone terminal is not a
/// reason to stop cleaning up (`println!` would panic).
fn say_out(l: &str) {
    let _ = writeln!(std::io::stdout(), "{l}");
}

/// The same on standard error.
fn say_err(l: &str) {
    let _ = writeln!(std::io::stderr(), "{l}");
}

/// Prints the verdict (or the JSON report), writes `--report`, and gives
/// the exit code.
fn finish(r: &Report, json: bool, redact: bool, file: Option<&std::path::Path>) -> i32 {
    let masked = r.redaction(redact);
    if json {
        match r.json(masked) {
            Ok(s) => say_out(&s),
            Err(e) => {
                say_err(&format!("ecsdeck drill: {e}"));
                return EXIT_ERROR;
            }
        }
    } else {
        // The story as the verdict window and the page draw it, for a
        // person reading the run (a terminal, a CI log).
        if let Some(st) = crate::model::drill::story::Story::of(r) {
            let plain = crate::ui::Theme { color: false };
            let rows = crate::ui::dialogs::story::rows_wanted(&st);
            for line in crate::ui::dialogs::story::lines(&st, 100, rows, &plain) {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                say_err(&mask(text.trim_end(), masked));
            }
        }
        say_out(&format!(
            "{}: {}",
            r.verdict.word(),
            mask(&r.reason, masked)
        ));
        for n in &r.notes {
            say_out(&format!("note: {}", mask(n, masked)));
        }
        say_out(&format!("cleanup: {}", r.cleanup));
        if let Some(n) = r.aws_calls {
            say_out(&format!("AWS calls: {n} during the drill"));
        }
    }
    if let Some(w) = r.clock_warning() {
        say_err(&format!("ecsdeck drill: warning: {w}"));
    }
    if let Some(p) = file {
        match write_file(r, p, masked) {
            Ok(p) => say_err(&format!("ecsdeck drill: report written to {}", p.display())),
            // The verdict stands; the file is what failed.
            Err(e) => say_err(&format!("ecsdeck drill: the report was not written: {e}")),
        }
    }
    r.verdict.exit_code()
}

#[cfg(test)]
mod tests;
