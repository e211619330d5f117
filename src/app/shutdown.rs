//! Every way a run ends goes through here: a signal (a CI runner's
//! SIGTERM, a dropped SSH session's SIGHUP, Ctrl-C from another shell),
//! the terminal going away, or Ctrl-C pressed again while a drill cleans
//! up. Without a drill running the program quits at once. With one, the
//! drill is cancelled exactly as Esc cancels it — nothing new goes to AWS,
//! its marker is deleted, its report written — within a bounded time the
//! report states; the program quits when the report is out. A second
//! signal shortens the wait, but a marker whose id is known still gets its
//! delete sent once.

use std::time::Duration;

use super::drill::{Phase, busy, stage, step_input};
use super::{Effect, Modal, State};
use crate::model::Time;
use crate::model::drill::machine::{Input, Stage, Stop};

/// How long a drill's cleanup may take once the process is asked to end.
/// Long enough to ride out a short outage (the marker can only be deleted
/// through the API, which is down while the restart is under way), short
/// enough for the grace that supervisors give: Kubernetes 30 s, systemd
/// 90 s. GitHub Actions sends SIGINT, then SIGTERM 7.5 s later — the
/// second signal cuts the wait to `LAST_TRY` — then SIGKILL 2.5 s after.
pub const CLEANUP_LIMIT: Duration = Duration::from_secs(25);

/// After a second signal: the time left for a delete sent once.
pub const LAST_TRY: Duration = Duration::from_secs(2);

/// Why the program is ending, other than the operator's `q`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Ctrl-C pressed again while the drill cleans up.
    Quit,
    /// A signal, by number.
    Signal(i32),
    /// Reading the keys or drawing failed: the terminal is gone.
    TerminalGone,
}

impl Shutdown {
    /// The exit code: 128 + the signal's number, as a shell reports it;
    /// 1 when the terminal went away; 0 for the operator's quit.
    pub fn exit_code(self) -> i32 {
        match self {
            Shutdown::Quit => 0,
            Shutdown::Signal(n) => 128 + n,
            Shutdown::TerminalGone => 1,
        }
    }

    /// What the report says cancelled the drill.
    pub fn stop(self) -> Stop {
        match self {
            Shutdown::Quit => Stop::Operator,
            Shutdown::Signal(n) => Stop::Signal(signal_name(n)),
            Shutdown::TerminalGone => Stop::TerminalGone,
        }
    }

    fn words(self) -> String {
        match self {
            Shutdown::Quit => "Ctrl-C".into(),
            Shutdown::Signal(n) => signal_name(n),
            Shutdown::TerminalGone => "the terminal went away".into(),
        }
    }
}

/// `SIGTERM` for 15.
pub fn signal_name(n: i32) -> String {
    match n {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        3 => "SIGQUIT".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// The program is ending; it waits for the drill's cleanup until
/// `deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    pub why: Shutdown,
    pub deadline: Time,
    /// How the report words the end of the wait: "SIGTERM, 25 s allowed",
    /// "SIGINT, then another signal".
    pub cut: Cut,
}

/// What ended the wait for the cleanup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The limit, in seconds.
    Limit(u64),
    /// A second signal (or Ctrl-C again).
    Again,
}

impl Ending {
    fn words(&self) -> String {
        match self.cut {
            Cut::Limit(s) => format!("the process ended ({}, {s} s allowed)", self.why.words()),
            Cut::Again => match self.why {
                Shutdown::Quit => "the process ended (a second Ctrl-C)".into(),
                _ => format!(
                    "the process ended ({}, then another signal)",
                    self.why.words()
                ),
            },
        }
    }
}

fn after(at: Time, d: Duration) -> Time {
    at + chrono::Duration::from_std(d).unwrap_or_default()
}

/// A signal, the terminal gone, or Ctrl-C again during a cleanup.
pub fn shutdown(state: &mut State, why: Shutdown, at: Time) -> Vec<Effect> {
    state.now = state.now.max(at);
    if !busy(state) {
        state.ending = Some(state.ending.map_or(
            Ending {
                why,
                deadline: at,
                cut: Cut::Limit(0),
            },
            |e| Ending { why, ..e },
        ));
        state.quit = true;
        return vec![Effect::Quit];
    }
    match state.ending {
        None => {
            // Ctrl-C again after Esc or Ctrl-C cancelled: quit once the
            // delete was tried.
            let again = why == Shutdown::Quit && super::drill::cancelling(state);
            let limit = if again { LAST_TRY } else { CLEANUP_LIMIT };
            state.ending = Some(Ending {
                why,
                deadline: after(at, limit),
                cut: if again {
                    Cut::Again
                } else {
                    Cut::Limit(limit.as_secs())
                },
            });
            if let Some(Phase::Running {
                conduct: Some(c), ..
            }) = state.drill.as_mut().map(|d| &mut d.phase)
            {
                c.cleanup_limit_s = Some(limit.as_secs());
            }
            state.modal = Some(Modal::Drill);
            if again {
                state.notice =
                    Some("Ctrl-C again: quitting once the marker's delete was tried".into());
                return hurry(state, "a second Ctrl-C");
            }
            state.notice = Some(format!(
                "{}: removing the marker, writing the report (≤{} s), then quitting",
                why.words(),
                limit.as_secs()
            ));
            if super::drill::cancelling(state) {
                return Vec::new();
            }
            if let Some(d) = state.drill.as_mut()
                && let Phase::Running { cancelling, .. } = &mut d.phase
            {
                *cancelling = true;
            }
            let line = format!("{}: cleaning up", why.stop().words());
            step_input(state, Input::Cancel(why.stop()), Some(&line))
        }
        Some(e) => {
            // A dropped SSH session is one ending however it is heard: the
            // hangup, the failed write, and the hangup again an interactive
            // shell sends its jobs as it exits. A lost terminal is never a
            // second signal.
            let hangup = |w| matches!(w, Shutdown::TerminalGone | Shutdown::Signal(1));
            let second =
                why != Shutdown::TerminalGone && !(why == Shutdown::Signal(1) && hangup(e.why));
            // The exit code is the first signal's: Ctrl-C or a lost
            // terminal after SIGTERM still exits 143; a hangup heard after
            // the lost terminal gives 129.
            let kept = match (e.why, why) {
                (Shutdown::TerminalGone, Shutdown::Signal(_)) => why,
                (Shutdown::Quit, Shutdown::Signal(_)) => why,
                _ => e.why,
            };
            if !second {
                state.ending = Some(Ending { why: kept, ..e });
                return Vec::new();
            }
            state.ending = Some(Ending {
                why: kept,
                deadline: e.deadline.min(after(at, LAST_TRY)),
                cut: Cut::Again,
            });
            state.notice = Some(format!(
                "{} again: quitting once the marker's delete was tried",
                why.words()
            ));
            hurry(state, &format!("a second {}", why.words()))
        }
    }
}

/// The wait was cut short: an answer still awaited (the write, the
/// restart) is not waited for, so a marker whose id is known gets its
/// delete sent now; a delete already in flight keeps the time left.
fn hurry(state: &mut State, why: &str) -> Vec<Effect> {
    if stage(state) == Some(Stage::CleaningUp) {
        return Vec::new();
    }
    step_input(state, Input::Hurry(why.to_string()), None)
}

/// A second passed while ending: past the deadline, the drill stops
/// waiting; what it still sends gets `LAST_TRY`.
pub fn on_tick(state: &mut State, now: Time) -> Vec<Effect> {
    let Some(e) = state.ending else {
        return Vec::new();
    };
    if !busy(state) {
        // The drill ended and its report is out (or it could not run).
        state.quit = true;
        return vec![Effect::Quit];
    }
    if now < e.deadline {
        return Vec::new();
    }
    state.ending = Some(Ending {
        deadline: after(now, LAST_TRY),
        ..e
    });
    let why = e.words();
    step_input(state, Input::Hurry(why), None)
}

/// The drill is over (its report written, or it could not run): an
/// ending program quits now.
pub fn drill_over(state: &mut State) -> Vec<Effect> {
    if state.ending.is_some() {
        state.quit = true;
        return vec![Effect::Quit];
    }
    Vec::new()
}

/// How long a marker's delete may keep trying: long while the operator
/// waits, only what is left when the program is ending.
pub fn delete_wait(state: &State, patient: Duration) -> Duration {
    match state.ending {
        Some(e) => (e.deadline - state.now).to_std().unwrap_or(Duration::ZERO),
        None => patient,
    }
}

#[cfg(test)]
mod tests;
