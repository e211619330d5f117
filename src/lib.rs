//! ecsdeck: a live terminal dashboard for one AWS ECS service.
//!
//! Imports point one way, down this list, with no arrow back up:
//!
//! - `cli`, `config`: the command line and the config file.
//! - `cmd`: the consumers of one session: `dashboard` (with a screen),
//!   `drill` (the same update and effects without one), `status` (one
//!   snapshot of the world), the service `picker`; `effects` runs what the
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
pub mod cloud;
pub mod cmd;
pub mod config;
pub mod drill;
pub mod effects;
pub mod logfollow;
pub mod model;
pub mod poll;
pub mod probe;
pub mod session;
pub mod term;
pub mod ui;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, eyre};

use cli::{Cli, Command};
use cloud::aws::{AwsCloud, AwsOptions};
use cloud::demo::{DemoEnv, DemoOptions};
use cloud::{Cloud, Operate};
use cmd::status::{self, Settle};
use model::ServiceRef;

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
/// dashboard draws on.
fn init_logging(path: Option<PathBuf>) {
    let Some(path) = path else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("ecsdeck=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

async fn aws_backend(s: &config::Settings) -> Result<Arc<AwsCloud>> {
    let opts = AwsOptions {
        profile: s.profile.clone(),
        region: s.region.clone(),
        endpoint_url: s.endpoint_url.clone(),
    };
    let conf = cloud::aws::load_config(&opts).await.map_err(|e| eyre!(e))?;
    Ok(Arc::new(AwsCloud::new(&conf, s.profile.clone())))
}

async fn aws_cloud(s: &config::Settings) -> Result<Arc<dyn Cloud>> {
    Ok(aws_backend(s).await?)
}

/// The operate half, unless the run is read-only: then there is none.
fn operator<T: Operate + 'static>(backend: Arc<T>, read_only: bool) -> Option<Arc<dyn Operate>> {
    (!read_only).then_some(backend as Arc<dyn Operate>)
}

fn demo_target() -> ServiceRef {
    ServiceRef {
        cluster: cloud::demo::CLUSTER.into(),
        service: cloud::demo::SERVICE.into(),
    }
}

/// The demo's API says which task served each answer: the probe shows it
/// unless told to read another header.
fn demo_probe(p: &mut crate::model::probe::ProbeConfig) {
    p.info
        .served_by_header
        .get_or_insert_with(|| cloud::demo::SERVED_BY.to_string());
}

/// What the dashboard's `R` runs with: nothing in a read-only run or
/// without the probe (the drill reads and writes through it).
fn drill_setup(
    settings: &config::Settings,
    opts: &cmd::dashboard::Options,
) -> Option<effects::DrillSetup> {
    opts.operator.as_ref()?;
    Some(effects::DrillSetup {
        contract: settings.drill.contract.clone(),
        probe: opts.probe.clone()?,
        redact: settings.redact,
        dir: Some(std::env::current_dir().ok()?),
    })
}

/// Runs the program; returns the process exit code.
pub async fn main(cli: Cli) -> Result<i32> {
    let settings = match config::load(&(&cli.opts).into()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecsdeck: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    init_logging(log_path(cli.opts.log_file.clone()));
    tracing::info!(?settings, "starting");
    let mut run_opts = cmd::dashboard::Options {
        refresh: settings.refresh,
        read_only: settings.read_only,
        log_buffer: settings.log_buffer_lines,
        probe: settings.probe.clone(),
        redact: settings.redact,
        operator: None,
        drill: None,
        drill_restart: crate::model::drill::RestartKind::from_config(&settings.drill.restart),
        drill_timeout: settings.drill.timeout,
    };
    match cli.command {
        Some(Command::Demo {
            fresh_volume,
            lb_port,
            data_dir,
            deny_stop_task,
        }) => {
            let env = DemoEnv::start(DemoOptions {
                lb_port,
                fresh_volume,
                data_dir,
                seed_records: true,
                deny_stop_task,
                ..DemoOptions::default()
            })
            .await
            .map_err(|e| eyre!("cannot start the demo environment: {e}"))?;
            let demo = Arc::new(env.cloud());
            run_opts.operator = operator(demo.clone(), settings.read_only);
            let cloud: Arc<dyn Cloud> = demo;
            if let Some(p) = run_opts.probe.as_mut() {
                demo_probe(p);
            }
            run_opts.drill = drill_setup(&settings, &run_opts);
            let ended = cmd::dashboard::run(cloud, demo_target(), run_opts).await?;
            Ok(ended.exit_code())
        }
        Some(Command::Status { json, demo }) => {
            let (cloud, target, _env): (Arc<dyn Cloud>, ServiceRef, Option<DemoEnv>) = if demo {
                let ignored: Vec<&str> = [
                    ("--cluster", settings.cluster.is_some()),
                    ("--service", settings.service.is_some()),
                    ("--region", settings.region.is_some()),
                    ("--profile", settings.profile.is_some()),
                    ("--endpoint-url", settings.endpoint_url.is_some()),
                ]
                .into_iter()
                .filter_map(|(f, set)| set.then_some(f))
                .collect();
                if !ignored.is_empty() {
                    eprintln!(
                        "ecsdeck status --demo: ignoring {} (the demo is its own simulated service, {}/{})",
                        ignored.join(", "),
                        cloud::demo::CLUSTER,
                        cloud::demo::SERVICE
                    );
                }
                eprintln!("ecsdeck status --demo: starting the simulated service…");
                let env = DemoEnv::start(DemoOptions {
                    seed_records: true,
                    ..DemoOptions::default()
                })
                .await?;
                (Arc::new(env.cloud()), demo_target(), Some(env))
            } else {
                let cloud = aws_cloud(&settings).await?;
                let target = match (&settings.cluster, &settings.service) {
                    (Some(c), Some(s)) => ServiceRef {
                        cluster: c.clone(),
                        service: s.clone(),
                    },
                    _ => {
                        eprintln!(
                            "ecsdeck status: which service? Pass --cluster and --service, or set them in the config file"
                        );
                        return Ok(EXIT_ERROR);
                    }
                };
                (cloud, target, None)
            };
            // The demo's first task is still starting: let it come up (at
            // most 20 s), so the snapshot shows a running service rather
            // than a cold start.
            let (refresh, settle) = if demo {
                (
                    Duration::from_secs(1),
                    Settle::Until(Duration::from_secs(20)),
                )
            } else {
                (settings.refresh, Settle::No)
            };
            let mut probe = settings.probe.clone();
            if demo && let Some(p) = probe.as_mut() {
                demo_probe(p);
            }
            match status::snapshot_with(&cloud, &target, refresh, probe, settle).await {
                Ok(snap) => {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&snap)?);
                    } else {
                        print!("{}", status::table(&snap));
                    }
                    Ok(status::exit_code(&snap))
                }
                Err(e) => {
                    eprintln!("ecsdeck status: {e}");
                    Ok(EXIT_ERROR)
                }
            }
        }
        Some(Command::Drill {
            restart,
            timeout,
            json,
            report,
            yes,
            demo,
            fresh_volume,
            deny_stop_task,
        }) => {
            if settings.read_only {
                eprintln!(
                    "ecsdeck drill: read-only: the drill restarts the service, so it does not run; nothing was sent"
                );
                return Ok(EXIT_ERROR);
            }
            let Some(mut probe) = settings.probe.clone() else {
                eprintln!("ecsdeck drill: the drill needs the probe ([probe] enabled = false)");
                return Ok(EXIT_ERROR);
            };
            let restart = crate::model::drill::RestartKind::from_config(
                restart
                    .as_deref()
                    .unwrap_or(settings.drill.restart.as_str()),
            );
            let args = |probe| cmd::drill::Args {
                restart,
                timeout: timeout.unwrap_or(settings.drill.timeout),
                json,
                report: report.clone(),
                yes,
                contract: settings.drill.contract.clone(),
                probe,
                redact: settings.redact,
            };
            if demo {
                let env = DemoEnv::start(DemoOptions {
                    seed_records: true,
                    fresh_volume,
                    deny_stop_task,
                    ..DemoOptions::default()
                })
                .await
                .map_err(|e| eyre!("cannot start the demo environment: {e}"))?;
                demo_probe(&mut probe);
                let d = Arc::new(env.cloud());
                return Ok(cmd::drill::drill(d.clone(), d, demo_target(), args(probe)).await);
            }
            let aws = aws_backend(&settings).await?;
            let target = match (&settings.cluster, &settings.service) {
                (Some(c), Some(s)) => ServiceRef {
                    cluster: c.clone(),
                    service: s.clone(),
                },
                _ => {
                    eprintln!(
                        "ecsdeck drill: which service? Pass --cluster and --service, or set them in the config file"
                    );
                    return Ok(EXIT_ERROR);
                }
            };
            Ok(cmd::drill::drill(aws.clone(), aws, target, args(probe)).await)
        }
        None => {
            let aws = aws_backend(&settings).await?;
            run_opts.operator = operator(aws.clone(), settings.read_only);
            let cloud: Arc<dyn Cloud> = aws;
            let target = match (&settings.cluster, &settings.service) {
                (Some(c), Some(s)) => ServiceRef {
                    cluster: c.clone(),
                    service: s.clone(),
                },
                _ => {
                    match cmd::picker::choose_service(&cloud, settings.cluster.as_deref()).await? {
                        Some(t) => t,
                        None => return Ok(0),
                    }
                }
            };
            run_opts.drill = drill_setup(&settings, &run_opts);
            let ended = cmd::dashboard::run(cloud, target, run_opts).await?;
            Ok(ended.exit_code())
        }
    }
}
