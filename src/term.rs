//! Terminal set-up and restore only: raw mode, the alternate screen, the
//! panic hook and the signals that must end the program cleanly.
//! Restoring is idempotent, so every exit path can call it.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

mod output;

pub use output::{Handle, Output};

/// The terminal the dashboard and the picker draw on: ratatui over
/// crossterm, its bytes written by `Output`'s thread.
pub type Term = ratatui::Terminal<ratatui::backend::CrosstermBackend<Output>>;

/// The terminal, and how far behind its output is.
pub struct Screen {
    pub terminal: Term,
    pub output: Handle,
}
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// Whether the terminal is in the dashboard's modes now: a panic in a
/// task must then leave it alone (the loop goes on drawing), and its
/// report goes to the log file, not over the screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Enters raw mode, the alternate screen and bracketed paste: pasted text
/// arrives as one paste event — which the dashboard ignores — and never
/// as keys, so a pasted `Sy` does not stop a task. The panic hook
/// (`install_panic_hook`) restores all three.
pub fn init() -> io::Result<Screen> {
    crossterm::terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let set = crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )
    .and_then(|()| Output::start())
    .and_then(|(out, output)| {
        let terminal = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(out))?;
        Ok(Screen { terminal, output })
    });
    if set.is_err() {
        // Half set up is not left behind.
        restore();
    }
    set
}

/// Leaves every mode `init` set. Each step on its own, errors ignored: a
/// terminal that is gone (a dropped SSH session: EIO on every write, no
/// `/dev/tty`) cannot be restored and is not an error to report — and
/// reporting it on stderr, gone too, would panic.
pub fn restore() {
    ACTIVE.store(false, Ordering::SeqCst);
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal and lets go of it: the modes are left through
/// the output thread, after the frames still queued, and waited for at
/// most a second — a stalled terminal cannot hold the exit up. Raw mode
/// is left directly (a terminal setting, not output). The `Terminal` is
/// forgotten, not dropped: its drop shows the cursor again and reports a
/// failure with `eprintln!`, which panics when stderr is gone too.
pub fn close(screen: Screen) {
    let Screen {
        mut terminal,
        output,
    } = screen;
    ACTIVE.store(false, Ordering::SeqCst);
    let _ = terminal.show_cursor();
    let _ = crossterm::execute!(
        terminal.backend_mut(),
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen
    );
    if !output.finish(std::time::Duration::from_secs(1)) {
        tracing::warn!("the terminal did not take its last output within 1 s");
    }
    let _ = crossterm::terminal::disable_raw_mode();
    std::mem::forget(terminal);
}

/// Hands the terminal to another program (an ECS Exec shell): the
/// frames queued are written first, then every mode `init` set is left.
/// `resume` takes it back. The caller stops reading keys before.
pub async fn suspend(screen: &mut Screen) {
    let _ = crossterm::execute!(
        screen.terminal.backend_mut(),
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    // A terminal that does not take them within a second is stalled; the
    // shell would not be usable on it either.
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    while screen.output.backlog() > 0 && tokio::time::Instant::now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    ACTIVE.store(false, Ordering::SeqCst);
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Takes the terminal back after `suspend`, and has the next frame drawn
/// whole: what the other program left on screen is not ratatui's.
pub fn resume(screen: &mut Screen) -> io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    crossterm::execute!(
        screen.terminal.backend_mut(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    repaint(screen)
}

/// Clears the screen and has the next frame drawn whole. Not ratatui's
/// `Terminal::clear`: it first asks the terminal where its cursor is and
/// reads the answer from the keys, which the event loop's reader takes
/// (an error after 2 s, and nothing cleared).
pub fn repaint(screen: &mut Screen) -> io::Result<()> {
    crossterm::execute!(
        screen.terminal.backend_mut(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // Both buffers empty: the next frame differs from "the screen" in
    // every cell that is not blank.
    screen.terminal.swap_buffers();
    Ok(())
}

/// The process's panic hook: `report` makes the report (color-eyre's).
/// A panic on the main thread (the event loop) restores the terminal,
/// then prints the report; on stderr when it is there, else to the log
/// file. A panic in a spawned task while the dashboard runs leaves the
/// terminal alone and goes to the log: the task's owner shows it in its
/// pane and goes on.
pub fn install_panic_hook(
    report: impl Fn(&std::panic::PanicHookInfo<'_>) -> String + Send + Sync + 'static,
) {
    std::panic::set_hook(Box::new(move |info| {
        let text = report(info);
        let main = std::thread::current().name() == Some("main");
        if !main {
            // A task's panic: its owner shows it and goes on. The whole
            // report to the log; one line on stderr only when no screen
            // is drawn on it.
            tracing::error!("a task panicked: {text}");
            if !ACTIVE.load(Ordering::SeqCst) {
                let _ = writeln!(
                    io::stderr(),
                    "ecsdeck: internal error in a task ({}); details in the log",
                    panic_message(info)
                );
            }
            return;
        }
        // Only a terminal this process set up is restored: `drill --json`
        // and `status` never had one, and stdout may be a pipe.
        if ACTIVE.load(Ordering::SeqCst) {
            restore();
        }
        if writeln!(io::stderr(), "{text}").is_err() {
            tracing::error!("panic (standard error is gone): {text}");
        }
    }));
}

/// The panic's message, for one line.
fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    let p = info.payload();
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// The signals that end a run: a dropped SSH session (HUP), Ctrl-C or
/// `kill -INT` from another shell (in raw mode Ctrl-C is a key, not a
/// signal), TERM (a CI runner cancelling the job) and QUIT. Installed
/// once, before anything else, so no phase of a run is killed with the
/// terminal left raw or a drill's marker left behind; every clone hears
/// every signal that arrives after it was made.
#[derive(Clone)]
pub struct Signals {
    rx: watch::Receiver<(u64, i32)>,
}

impl Signals {
    /// Listens from now on; needs the runtime.
    pub fn install() -> io::Result<Signals> {
        let mut hup = signal(SignalKind::hangup())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        let mut term = signal(SignalKind::terminate())?;
        let (tx, rx) = watch::channel((0, 0));
        tokio::spawn(async move {
            let mut count = 0;
            loop {
                let n = tokio::select! {
                    _ = hup.recv() => 1,
                    _ = int.recv() => 2,
                    _ = quit.recv() => 3,
                    _ = term.recv() => 15,
                };
                count += 1;
                if tx.send((count, n)).is_err() {
                    return;
                }
            }
        });
        Ok(Signals { rx })
    }

    /// Waits for the next signal; returns its number. Never returns if
    /// the listener is gone.
    pub async fn recv(&mut self) -> i32 {
        match self.rx.changed().await {
            Ok(()) => self.rx.borrow_and_update().1,
            Err(_) => std::future::pending().await,
        }
    }
}

/// Runs `work` unless a signal comes first: then its number.
pub async fn or_signal<T>(signals: &Signals, work: impl Future<Output = T>) -> Result<T, i32> {
    let mut s = signals.clone();
    tokio::select! {
        v = work => Ok(v),
        n = s.recv() => Err(n),
    }
}
