//! `ecsdeck drill`: the restart drill without a screen. Steps as they
//! happen, a verdict, an exit code by verdict (0 PASS, 1 FAIL, 3 ABORTED);
//! `--json` prints the report.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::cloud::{Cloud, Operate};
use crate::drill::machine::RestartKind;
use crate::drill::report::{mask, write_file};
use crate::drill::run::{Links, Options, Progress, run};
use crate::model::ServiceRef;
use crate::model::drill::Contract;
use crate::model::probe::ProbeConfig;
use crate::poll::Plan;
use crate::session::Session;

pub const EXIT_ERROR: i32 = 2;

pub struct Args {
    pub restart: RestartKind,
    pub timeout: Duration,
    pub json: bool,
    /// `--report FILE`.
    pub report: Option<std::path::PathBuf>,
    pub yes: bool,
    pub contract: Contract,
    pub probe: ProbeConfig,
    pub redact: bool,
}

/// The question, once the preflight is printed: None with `--yes`;
/// without `--yes` and without a terminal to ask on, a refusal.
fn asker(target: &ServiceRef, a: &Args) -> Result<Option<Box<dyn FnMut() -> bool + Send>>, String> {
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

pub async fn drill(
    cloud: Arc<dyn Cloud>,
    operator: Arc<dyn Operate>,
    target: ServiceRef,
    a: Args,
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
    let confirm = match asker(&target, &a) {
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
            probe: Some(a.probe.clone()),
        },
    )
    .with_operator(operator);
    let json = a.json;
    // The account is not known before the identity is read: mask every
    // ARN's account field meanwhile.
    let redact = a.redact;
    let say = |p: Progress<'_>| {
        if let Progress::Line(l) = p {
            let l = if redact {
                mask(l, Some(""))
            } else {
                l.to_string()
            };
            if json {
                eprintln!("{l}");
            } else {
                println!("{l}");
            }
        }
    };
    let Some(links) = Links::of(&session) else {
        eprintln!("ecsdeck drill: this session is read-only: the drill cannot restart anything");
        return EXIT_ERROR;
    };
    let cancel = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let report = run(
        &mut session,
        links,
        Options {
            restart: a.restart,
            timeout: a.timeout,
            contract: a.contract,
            probe: a.probe,
            redact: a.redact,
            caller: None,
            wait_for_identity: true,
            confirm,
        },
        say,
        cancel,
    )
    .await;
    match report {
        Ok(r) => {
            let masked = r.redaction(redact);
            if json {
                match r.json(masked) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("ecsdeck drill: {e}");
                        return EXIT_ERROR;
                    }
                }
            } else {
                println!("{}: {}", r.verdict.word(), mask(&r.reason, masked));
                for n in &r.notes {
                    println!("note: {}", mask(n, masked));
                }
                println!("cleanup: {}", r.cleanup);
                if let Some(n) = r.aws_calls {
                    println!("AWS calls: {n} during the drill");
                }
            }
            if let Some(w) = r.clock_warning() {
                eprintln!("ecsdeck drill: warning: {w}");
            }
            if let Some(p) = &a.report {
                match write_file(&r, p, masked) {
                    Ok(p) => eprintln!("ecsdeck drill: report written to {}", p.display()),
                    // The verdict stands; the file is what failed.
                    Err(e) => eprintln!("ecsdeck drill: the report was not written: {e}"),
                }
            }
            r.verdict.exit_code()
        }
        Err(e) => {
            eprintln!("ecsdeck drill: {e}");
            EXIT_ERROR
        }
    }
}
