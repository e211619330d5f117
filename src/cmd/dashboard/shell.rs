//! `e`'s shell, run from the event loop that owns the terminal: the
//! tools are checked, the dashboard steps aside (terminal restored, keys
//! no longer read), the shell runs, and the dashboard comes back. Both
//! ends are journaled. The pollers wait meanwhile: nothing reads their
//! observations, so they make no calls nobody would see.

use std::sync::Arc;
use std::time::Instant;

use crate::exec::{self, Program};
use crate::journal::Journal;
use crate::model::exec::{Ended, Outcome, Plan};
use crate::term;

/// Whether the demo runs the AWS CLI instead of its stand-in: a test hook
/// in debug builds only, so a fake `aws` on `PATH` can be checked.
fn demo_runs_aws() -> bool {
    cfg!(debug_assertions) && std::env::var_os("ECSDECK_TEST_DEMO_EXEC").is_some_and(|v| v == "aws")
}

/// Runs the shell of `plan`; returns how it went, and the signal that
/// ended the program meanwhile, if one did (HUP, TERM: the shell is
/// killed). INT and QUIT go to the shell: the terminal sends them to
/// the whole foreground group, and they are the shell's keys.
pub async fn run(
    screen: &mut term::Screen,
    plan: &Plan,
    demo: bool,
    journal: Option<Arc<Journal>>,
    signals: &mut term::Signals,
) -> (Outcome, Option<i32>) {
    let program = if demo && !demo_runs_aws() {
        Program::DemoStandIn
    } else {
        tokio::select! {
            found = exec::check_tools() => match found {
                Ok(aws) => Program::Aws(aws),
                Err(why) => return (Outcome::NotReady(why), None),
            },
            n = signals.recv() => return (Outcome::NotReady(Vec::new()), Some(n)),
        }
    };
    let detail = format!("container {}: {}", plan.container, plan.command);
    if let Some(j) = &journal {
        j.record(
            "exec_start",
            &plan.task_arn,
            None,
            ("started".into(), None),
            Some(detail.clone()),
        )
        .await;
    }
    // Ctrl-Z in the shell stops the whole foreground group, ecsdeck
    // with it, and the login shell would take the terminal back from
    // under the session: a handler (not "ignore", which the shell would
    // inherit) keeps ecsdeck running.
    let tstp =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(libc::SIGTSTP));
    term::suspend(screen).await;
    let started = Instant::now();
    let (outcome, mut signal) = match exec::spawn(plan, &program) {
        Err(e) => (Outcome::Failed(e.to_string()), None),
        Ok(mut child) => match shielded(exec::wait(&mut child, started), signals).await {
            Ok(ended) => (Outcome::Ended(ended), None),
            Err(n) => {
                let _ = child.start_kill();
                (
                    Outcome::Ended(exec::wait(&mut child, started).await),
                    Some(n),
                )
            }
        },
    };
    drop(tstp);
    if signal.is_none()
        && let Outcome::Ended(e) = &outcome
        && e.code != Some(0)
    {
        signal = shielded(exec::pause_after_failure(e), signals).await.err();
    }
    if let Err(e) = term::resume(screen) {
        tracing::warn!(error = %e, "the terminal could not be taken back after the shell");
    }
    if let Some(j) = &journal {
        let said = match &outcome {
            Outcome::Ended(Ended { code: Some(c), .. }) => format!("exit {c}"),
            Outcome::Ended(Ended { code: None, .. }) => "killed".to_string(),
            Outcome::Failed(e) => format!("could not start: {e}"),
            Outcome::NotReady(_) => "not run".to_string(),
        };
        let took =
            humantime::format_duration(std::time::Duration::from_secs(started.elapsed().as_secs()));
        j.record(
            "exec_end",
            &plan.task_arn,
            None,
            (said, None),
            Some(format!("{detail}; {took}")),
        )
        .await;
    }
    (outcome, signal)
}

/// Runs `work`; INT and QUIT meanwhile are the shell's (the terminal sent
/// them to the whole group) and are let pass; HUP or TERM end it: their
/// number.
async fn shielded<T>(work: impl Future<Output = T>, signals: &mut term::Signals) -> Result<T, i32> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            v = &mut work => return Ok(v),
            n = signals.recv() => {
                if n != 2 && n != 3 {
                    return Err(n);
                }
            }
        }
    }
}
