//! The command line. Flags are global, so they are accepted before or
//! after the subcommand.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Overrides;
pub use crate::config::parse_refresh;

#[derive(Debug, Parser)]
#[command(
    name = "ecsdeck",
    version,
    about = "A live terminal dashboard for one AWS ECS service: tasks, containers, ALB targets and EFS",
    after_help = "Run `ecsdeck demo` to try it on an embedded, simulated service."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub opts: Flags,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Flags {
    /// Config file (default: the platform config dir, e.g. ~/.config/ecsdeck/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// AWS profile from ~/.aws/config
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: the SDK's chain: AWS_REGION, profile, instance metadata)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Endpoint URL for every AWS service (for emulators such as moto)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// ECS cluster name or ARN
    #[arg(long, global = true)]
    pub cluster: Option<String>,
    /// ECS service name
    #[arg(long, global = true)]
    pub service: Option<String>,
    /// How often to poll the service, tasks and targets (e.g. 5s, 1m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_refresh)]
    pub refresh: Option<std::time::Duration>,
    /// Show everything, change nothing: destructive keys are not bound
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Mask the account id and the caller ARN on screen and in stop reasons (for an audience)
    #[arg(long, global = true)]
    pub redact: bool,
    /// Base URL the probe requests (scheme, host, port, optional prefix) instead of the load balancer's own name; the usual case for HTTPS
    #[arg(long, global = true, value_name = "URL", value_parser = crate::model::probe::check_base_url)]
    pub probe_url: Option<String>,
    /// How far back the logs reach at start (e.g. 30m, 2h; default: each stream's last 200 lines)
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::config::parse_since)]
    pub since: Option<std::time::Duration>,
    /// Log file for ecsdeck's own diagnostics (RUST_LOG sets the level)
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the dashboard against the embedded simulated environment
    Demo {
        /// Give every task a fresh empty volume (shows data loss on restart)
        #[arg(long)]
        fresh_volume: bool,
        /// Port for the demo's load balancer address on 127.0.0.1 (0: any free port)
        #[arg(long, default_value_t = 0)]
        lb_port: u16,
        /// Keep the demo's volume (its records) in DIR between runs
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// StopTask is denied, as without ecs:StopTask (S and the drill show the refusal)
        #[arg(long)]
        deny_stop_task: bool,
        /// StopTask stops the task but answers 500 ServerException, an ECS fault after the fact (the outcome is unknown)
        #[arg(long)]
        stop_task_fault: bool,
        /// The API container has no health check, as in most real task definitions (AWS reports it UNKNOWN for ever)
        #[arg(long)]
        no_api_health_check: bool,
        /// The cluster has Container Insights without enhanced observability: the service's CPU and memory only, no task's or container's
        #[arg(long)]
        no_container_insights: bool,
        /// minimumHealthyPercent 100 with maximumPercent 100: a forced deployment cannot replace the task (it hangs)
        #[arg(long)]
        min_healthy_100: bool,
        /// The target group's deregistration delay in seconds (AWS's default is 300; the demo's 4)
        #[arg(long, value_name = "SECONDS")]
        deregistration_delay: Option<u32>,
        /// AWS refuses the credentials (ExpiredTokenException) from FROM to UNTIL after the start, as when an SSO session runs out: polling pauses, then resumes
        #[arg(long, value_name = "FROM..UNTIL", value_parser = parse_window)]
        expired_credentials: Option<(std::time::Duration, std::time::Duration)>,
    },
    /// Print the journal of changes made through ecsdeck on this host (StopTask, UpdateService, drills); --since 24h for the last day
    Journal {
        /// One JSON object a line, as kept
        #[arg(long)]
        json: bool,
    },
    /// Turn a drill's JSON report into its HTML page (-o FILE.html), or print its summary
    Report {
        /// The JSON report (ecsdeck drill --report FILE.json, or the dashboard's .json)
        #[arg(value_name = "FILE.json")]
        file: std::path::PathBuf,
        /// Write the HTML page there (a new file: never overwrites)
        #[arg(short, long, value_name = "FILE.html")]
        output: Option<std::path::PathBuf>,
    },
    /// Print a completion script for SHELL (bash, zsh, fish, powershell) to standard output
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print one snapshot of the service and exit: 0 healthy, 1 degraded or down, 2 error
    Status {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        /// Take the snapshot from the embedded demo instead of AWS
        #[arg(long)]
        demo: bool,
    },
    /// The restart drill: write a marker, restart, wait until the service is back, read it back. Exits 0 PASS, 1 FAIL, 3 ABORTED, 2 error
    Drill(DrillArgs),
}

/// `ecsdeck drill`'s own flags.
#[derive(Debug, clap::Args)]
pub struct DrillArgs {
    /// How to restart: stop-task (every task of the service) or force-deployment
    #[arg(long, value_name = "HOW", value_parser = ["stop-task", "force-deployment"])]
    pub restart: Option<String>,
    /// How long the service may take to come back (default: this service's worst case with a margin, at least 5m)
    #[arg(long, value_name = "DURATION", value_parser = parse_drill_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Print one JSON report at the end (the steps go to stderr)
    #[arg(long)]
    pub json: bool,
    /// Also write the report to FILE: JSON if it ends in .json, else a self-contained HTML page. Never overwrites
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
    /// Do not ask: needed when standard input is not a terminal
    #[arg(long)]
    pub yes: bool,
    /// Print the earlier drills of this host (the service's with --cluster and --service, else all) and exit; runs nothing
    #[arg(long)]
    pub history: bool,
    /// Run it on the embedded demo instead of AWS
    #[arg(long)]
    pub demo: bool,
    /// With --demo: every task gets an empty volume (the drill must FAIL)
    #[arg(long, requires = "demo")]
    pub fresh_volume: bool,
    /// With --demo: StopTask is denied, as without ecs:StopTask (the drill must be ABORTED)
    #[arg(long, requires = "demo")]
    pub deny_stop_task: bool,
    /// With --demo: StopTask stops the task but answers 500 ServerException (the outcome is unknown: the drill keeps watching)
    #[arg(long, requires = "demo")]
    pub stop_task_fault: bool,
    /// With --demo: the API container has no health check (AWS reports it UNKNOWN for ever)
    #[arg(long, requires = "demo")]
    pub no_api_health_check: bool,
    /// With --demo: minimumHealthyPercent 100 with maximumPercent 100, so a forced deployment cannot replace the task (the drill must be ABORTED)
    #[arg(long, requires = "demo")]
    pub min_healthy_100: bool,
    /// With --demo: the target group's deregistration delay in seconds (AWS's default is 300)
    #[arg(long, value_name = "SECONDS", requires = "demo")]
    pub deregistration_delay: Option<u32>,
    /// With --demo: AWS refuses the credentials from FROM to UNTIL after the start (an SSO session running out mid-drill)
    #[arg(long, value_name = "FROM..UNTIL", value_parser = parse_window, requires = "demo")]
    pub expired_credentials: Option<(std::time::Duration, std::time::Duration)>,
    /// With --demo: keep the demo's volume (its records) in DIR, to look at afterwards
    #[arg(long, value_name = "DIR", requires = "demo")]
    pub data_dir: Option<std::path::PathBuf>,
}

fn parse_drill_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|_| format!("{s:?} is not a duration, such as 10m"))?;
    if d < std::time::Duration::from_secs(30) || d > std::time::Duration::from_secs(6 * 3600) {
        return Err("must be between 30s and 6h".into());
    }
    Ok(d)
}

/// `20s..1m20s`: from the first time to the second.
fn parse_window(s: &str) -> Result<(std::time::Duration, std::time::Duration), String> {
    let bad = || format!("{s:?}: write FROM..UNTIL, such as 20s..1m20s");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let from = humantime::parse_duration(a.trim()).map_err(|_| bad())?;
    let until = humantime::parse_duration(b.trim()).map_err(|_| bad())?;
    if until <= from {
        return Err(format!("{s:?}: UNTIL must come after FROM"));
    }
    Ok((from, until))
}

impl From<&Flags> for Overrides {
    fn from(f: &Flags) -> Overrides {
        Overrides {
            config: f.config.clone(),
            profile: f.profile.clone(),
            region: f.region.clone(),
            endpoint_url: f.endpoint_url.clone(),
            cluster: f.cluster.clone(),
            service: f.service.clone(),
            refresh: f.refresh,
            read_only: f.read_only,
            probe_url: f.probe_url.clone(),
            redact: f.redact,
            since: f.since,
        }
    }
}

/// The completion script for `shell`, from the same definition the
/// parser uses (so it can never list a flag that does not exist).
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ecsdeck", &mut out);
    out
}
