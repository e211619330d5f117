//! ecsdeck: a live terminal dashboard for one AWS ECS service.
//!
//! Imports point one way, down this list, with no arrow back up:
//!
//! - `cli`, `config`: the command line and the config file.
//! - `cmd`: `launch` opens the backend once; the consumers of one
//!   session: `dashboard` (with a screen), `drill` (the same update and
//!   effects without one), `status` (one snapshot of the world, through
//!   the same update), the service `picker`; `effects` runs what the
//!   reducer asks for; `term` only sets up and restores the terminal.
//! - `ui`: rendering, reading state only; the key table.
//! - `app`: state and the pure reducer, the drill stepped in it; imports
//!   `model` only.
//! - `session`: the backend, the pollers and their channel.
//! - `drill`: the drill's I/O (the marker's HTTP, the report files);
//!   `probe`; `poll`: the generic periodic runner and the AWS pollers;
//!   `logfollow` reads the log streams.
//! - `cloud`: the backends (the AWS SDK, the embedded demo) behind the
//!   observe and operate traits, speaking domain types.
//! - `model`: domain types, observations, errors; `world`, the one picture
//!   of the service every consumer reads; the pure rules (`derive`) and
//!   the drill's pure machine and vocabulary (`drill`).

pub mod app;
pub mod cli;
pub mod clock;
pub mod cloud;
pub mod cmd;
pub mod config;
pub mod drill;
pub mod effects;
pub mod exec;
pub mod journal;
pub mod logfollow;
pub mod model;
pub mod poll;
pub mod probe;
pub mod session;
pub mod term;
pub mod ui;

use std::path::PathBuf;
use std::time::Duration;

use color_eyre::eyre::Result;

use cli::{Cli, Command};
use cloud::demo::DemoOptions;
use cmd::launch::{self, Launched, Source, launch};
use cmd::status::{self, Settle};
use model::ServiceRef;
use model::drill::RestartKind;

/// Exit codes: 0 fine (or healthy), 1 degraded or down (status), 2 error.
pub const EXIT_ERROR: i32 = 2;

fn log_path(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| {
        dirs::state_dir()
            .or_else(dirs::cache_dir)
            .map(|d| d.join("ecsdeck").join("ecsdeck.log"))
    })
}

/// ecsdeck's own diagnostics go to a file, never to the terminal the
/// dashboard draws on. The file can hold what the service returns (log
/// lines, error bodies): owner-only, in an owner-only directory, and a
/// symbolic link planted at its path on a shared host is refused, not
/// followed.
fn init_logging(path: Option<PathBuf>) {
    let Some(path) = path else { return };
    let file = match open_log(&path) {
        Ok(f) => f,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "ecsdeck: not logging to {}: {e}",
                path.display()
            );
            return;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("ecsdeck=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

fn open_log(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // ecsdeck's own directory, made earlier with the umask's mode, is
        // narrowed; a directory named with --log-file is left as it is.
        if dir.file_name().is_some_and(|n| n == "ecsdeck") {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                std::io::Error::other("it is a symbolic link; remove it or pass --log-file")
            } else {
                e
            }
        })?;
    // A file made earlier with the umask's mode is narrowed too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// The dashboard on what `launch` opened: `R` runs with the probe and
/// the operate half (neither in a read-only run), the report files in the
/// working directory.
async fn dashboard(
    settings: &config::Settings,
    launched: Launched,
    target: ServiceRef,
    signals: &term::Signals,
) -> Result<i32> {
    let drill = match (&launched.operator, &launched.probe) {
        (Some(_), Some(probe)) => std::env::current_dir().ok().map(|dir| effects::DrillSetup {
            history: drill::history::default_path(),
            report_file: None,
            contract: settings.drill.contract.clone(),
            probe: probe.clone(),
            redact: settings.redact,
            dir: Some(dir),
        }),
        _ => None,
    };
    let opts = cmd::dashboard::Options {
        refresh: settings.refresh,
        read_only: settings.read_only,
        log_buffer: settings.log_buffer_lines,
        logs_since: settings.logs_since,
        probe: launched.probe.clone(),
        redact: settings.redact,
        operator: launched.operator.clone(),
        drill,
        drill_restart: RestartKind::from_config(&settings.drill.restart),
        drill_timeout: settings.drill.timeout,
        drill_read_window: settings.drill.read_window,
        signals: signals.clone(),
        profile: settings.profile.clone(),
        exec: app::ExecContext {
            commands: settings.exec.clone(),
            profile: settings.profile.clone(),
            endpoint_url: settings.endpoint_url.clone(),
        },
    };
    cmd::dashboard::run(launched.cloud.clone(), target, opts).await
}

/// `ecsdeck status`: one snapshot, its exit code by health.
async fn status(
    settings: &config::Settings,
    json: bool,
    demo: bool,
    signals: &term::Signals,
) -> Result<i32> {
    let source = if demo {
        let ignored = launch::ignored_by_demo(settings);
        if !ignored.is_empty() {
            eprintln!(
                "ecsdeck status --demo: ignoring {} (the demo is its own simulated service, {}/{})",
                ignored.join(", "),
                cloud::demo::CLUSTER,
                cloud::demo::SERVICE
            );
        }
        eprintln!("ecsdeck status --demo: starting the simulated service…");
        Source::Demo(DemoOptions {
            seed_records: true,
            ..DemoOptions::default()
        })
    } else {
        Source::Aws
    };
    let launched = match term::or_signal(signals, launch(settings, source, false)).await {
        Ok(l) => l?,
        Err(n) => return Ok(128 + n),
    };
    let Some(target) = launched.target.clone() else {
        eprintln!("{}", launch::which_service("status"));
        return Ok(EXIT_ERROR);
    };
    // The demo's first task is still starting: let it come up (at most
    // 20 s), so the snapshot shows a running service rather than a cold
    // start.
    let (refresh, settle) = if demo {
        (
            Duration::from_secs(1),
            Settle::Until(Duration::from_secs(20)),
        )
    } else {
        (settings.refresh, Settle::No)
    };
    let snap = status::snapshot_with(
        &launched.cloud,
        &target,
        refresh,
        launched.probe.clone(),
        settle,
    );
    let snap = match term::or_signal(signals, snap).await {
        Ok(s) => s,
        Err(n) => return Ok(128 + n),
    };
    // --redact: every account id in an ARN masked, and the caller's own
    // account wherever it stands; before the identity is known (or when
    // STS is unreachable) the ARNs' account fields are masked anyway.
    let account = match &snap {
        Ok(s) => s.identity.as_ref().map(|i| i.account.clone()),
        Err(_) => None,
    };
    let redact = |text: &str| -> String {
        if settings.redact {
            model::drill::report::mask(text, Some(account.as_deref().unwrap_or("")))
        } else {
            text.to_string()
        }
    };
    match snap {
        Ok(snap) => {
            if json {
                println!("{}", redact(&serde_json::to_string_pretty(&snap)?));
            } else {
                print!("{}", redact(&status::table(&snap)));
            }
            Ok(status::exit_code(&snap))
        }
        Err(e) => {
            eprintln!("ecsdeck status: {}", redact(&e.to_string()));
            Ok(EXIT_ERROR)
        }
    }
}

/// `ecsdeck drill`: refused in a read-only run or without the probe.
async fn drill(
    settings: &config::Settings,
    a: cli::DrillArgs,
    signals: &term::Signals,
) -> Result<i32> {
    if settings.read_only {
        eprintln!(
            "ecsdeck drill: read-only: the drill restarts the service, so it does not run; nothing was sent"
        );
        return Ok(EXIT_ERROR);
    }
    if settings.probe.is_none() {
        eprintln!("ecsdeck drill: the drill needs the probe ([probe] enabled = false)");
        return Ok(EXIT_ERROR);
    }
    let source = if a.demo {
        Source::Demo(DemoOptions {
            seed_records: true,
            fresh_volume: a.fresh_volume,
            deny_stop_task: a.deny_stop_task,
            stop_task_fault: a.stop_task_fault,
            no_api_health_check: a.no_api_health_check,
            min_healthy_100: a.min_healthy_100,
            deregistration_s: a.deregistration_delay,
            expired_credentials: a.expired_credentials,
            data_dir: a.data_dir.clone(),
            ..DemoOptions::default()
        })
    } else {
        Source::Aws
    };
    let launched = match term::or_signal(signals, launch(settings, source, true)).await {
        Ok(l) => l?,
        Err(n) => {
            eprintln!(
                "ecsdeck drill: stopped by a signal before the drill began: nothing was sent"
            );
            return Ok(128 + n);
        }
    };
    let (Some(target), Some(operator), Some(probe)) = (
        launched.target.clone(),
        launched.operator.clone(),
        launched.probe.clone(),
    ) else {
        eprintln!("{}", launch::which_service("drill"));
        return Ok(EXIT_ERROR);
    };
    let args = cmd::drill::Args {
        restart: RestartKind::from_config(
            a.restart
                .as_deref()
                .unwrap_or(settings.drill.restart.as_str()),
        ),
        timeout: a.timeout.or(settings.drill.timeout),
        read_window: settings.drill.read_window,
        json: a.json,
        report: a.report,
        yes: a.yes,
        contract: settings.drill.contract.clone(),
        probe,
        redact: settings.redact,
        profile: settings.profile.clone(),
    };
    Ok(cmd::drill::drill(
        launched.cloud.clone(),
        operator,
        target,
        args,
        signals.clone(),
    )
    .await)
}

/// Runs the program; returns the process exit code.
pub async fn main(cli: Cli) -> Result<i32> {
    // These need no configuration, no terminal and no AWS.
    // `--since` is the global flag: for the journal, how far back to list.
    if let Some(Command::Journal { json }) = &cli.command {
        return Ok(journal_command(*json, cli.opts.since));
    }
    if let Some(Command::Report { file, output }) = &cli.command {
        return Ok(cmd::report::run(file, output.as_deref()));
    }
    if let Some(Command::Completions { shell }) = &cli.command {
        use std::io::Write;
        let script = cli::completions(*shell);
        return Ok(match std::io::stdout().write_all(&script) {
            Ok(()) => 0,
            Err(_) => EXIT_ERROR,
        });
    }
    // Before anything else, so that no phase of a run (loading, the
    // picker, the dashboard, a drill) is killed with the terminal raw or
    // a marker left.
    let signals = term::Signals::install()?;
    let settings = match config::load(&(&cli.opts).into()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecsdeck: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    init_logging(log_path(cli.opts.log_file.clone()));
    tracing::info!(?settings, "starting");
    let operate = !settings.read_only;
    match cli.command {
        Some(Command::Demo {
            fresh_volume,
            lb_port,
            data_dir,
            deny_stop_task,
            stop_task_fault,
            no_api_health_check,
            no_container_insights,
            min_healthy_100,
            deregistration_delay,
            expired_credentials,
        }) => {
            let source = Source::Demo(DemoOptions {
                lb_port,
                fresh_volume,
                data_dir,
                seed_records: true,
                deny_stop_task,
                stop_task_fault,
                no_api_health_check,
                no_container_insights,
                min_healthy_100,
                deregistration_s: deregistration_delay,
                expired_credentials,
                ..DemoOptions::default()
            });
            let launched = match term::or_signal(&signals, launch(&settings, source, operate)).await
            {
                Ok(l) => l?,
                Err(n) => return Ok(128 + n),
            };
            let Some(target) = launched.target.clone() else {
                return Ok(EXIT_ERROR);
            };
            dashboard(&settings, launched, target, &signals).await
        }
        Some(Command::Status { json, demo }) => status(&settings, json, demo, &signals).await,
        Some(Command::Drill(a)) if a.history => Ok(history_command(&settings, a.json)),
        Some(Command::Drill(a)) => drill(&settings, a, &signals).await,
        // Answered before the configuration was read.
        Some(Command::Completions { .. })
        | Some(Command::Journal { .. })
        | Some(Command::Report { .. }) => Ok(0),
        None => {
            let launched =
                match term::or_signal(&signals, launch(&settings, Source::Aws, operate)).await {
                    Ok(l) => l?,
                    Err(n) => return Ok(128 + n),
                };
            let target = match launched.target.clone() {
                Some(t) => t,
                None => {
                    let chosen = cmd::picker::choose_service(
                        &launched.cloud,
                        settings.cluster.as_deref(),
                        &signals,
                    )
                    .await?;
                    match chosen {
                        Ok(Some(t)) => t,
                        Ok(None) => return Ok(0),
                        Err(code) => return Ok(code),
                    }
                }
            };
            dashboard(&settings, launched, target, &signals).await
        }
    }
}

/// `ecsdeck journal`: the changes made through ecsdeck on this host.
/// `ecsdeck drill --history`: the drills run from this host, oldest first.
fn history_command(settings: &config::Settings, json: bool) -> i32 {
    use model::drill::history::{of_service, table};
    let Some(path) = drill::history::default_path() else {
        eprintln!("ecsdeck drill: no home or state directory to keep a history in");
        return EXIT_ERROR;
    };
    let all = drill::history::load(&path);
    let shown: Vec<_> = match (&settings.cluster, &settings.service) {
        (Some(c), Some(s)) => of_service(&all, c, s),
        _ => all.iter().collect(),
    };
    if json {
        for p in &shown {
            match serde_json::to_string(p) {
                Ok(l) => println!("{l}"),
                Err(e) => eprintln!("ecsdeck drill: {e}"),
            }
        }
    } else if shown.is_empty() {
        eprintln!("ecsdeck drill: no drill kept yet ({})", path.display());
    } else {
        print!("{}", table(&shown));
    }
    0
}

fn journal_command(json: bool, within: Option<std::time::Duration>) -> i32 {
    use std::io::Write;
    let Some(path) = journal::default_path() else {
        eprintln!("ecsdeck journal: no home or state directory to keep a journal in");
        return EXIT_ERROR;
    };
    let since = within
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| clock::now() - d);
    match journal::read(&path, since) {
        Ok((entries, bad)) => {
            if entries.is_empty() && !json {
                eprintln!(
                    "ecsdeck journal: nothing journaled{} ({})",
                    if since.is_some() {
                        " in that time"
                    } else {
                        " yet"
                    },
                    path.display()
                );
            }
            if bad > 0 {
                eprintln!(
                    "ecsdeck journal: {bad} line(s) of {} could not be read",
                    path.display()
                );
            }
            match std::io::stdout().write_all(journal::print(&entries, json).as_bytes()) {
                Ok(()) => 0,
                Err(_) => EXIT_ERROR,
            }
        }
        Err(e) => {
            eprintln!("ecsdeck journal: {e}");
            EXIT_ERROR
        }
    }
}
