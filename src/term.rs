//! Terminal set-up and restore only: raw mode, the alternate screen, the
//! panic hook and the signals that must end the program cleanly.
//! Restoring is idempotent, so every exit path can call it.

use std::io;

use ratatui::DefaultTerminal;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// Enters raw mode and the alternate screen. ratatui's init also installs
/// a panic hook that restores the terminal before the report is printed;
/// color-eyre's hooks are installed before this, so they run after it.
///
/// Bracketed paste is on, so pasted text arrives as one paste event —
/// which the dashboard ignores — and never as keys: a pasted `Sy` must
/// not stop a task.
pub fn init() -> io::Result<DefaultTerminal> {
    let t = ratatui::try_init()?;
    crossterm::execute!(io::stdout(), crossterm::event::EnableBracketedPaste)?;
    Ok(t)
}

pub fn restore() {
    let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
}

/// The signals that end a run like `q` does, so the terminal is restored
/// first: a dropped SSH session (HUP), Ctrl-C or `kill -INT` from another
/// shell (in raw mode Ctrl-C is a key, not a signal), TERM and QUIT.
pub struct Signals {
    hup: Signal,
    int: Signal,
    quit: Signal,
    term: Signal,
}

impl Signals {
    pub fn new() -> io::Result<Signals> {
        Ok(Signals {
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
            quit: signal(SignalKind::quit())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for the next signal; returns its number.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.hup.recv() => 1,
            _ = self.int.recv() => 2,
            _ = self.quit.recv() => 3,
            _ = self.term.recv() => 15,
        }
    }
}
