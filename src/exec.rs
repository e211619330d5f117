//! ECS Exec's side on this machine: whether the AWS CLI and the Session
//! Manager plugin are on `PATH`, and running the shell with the
//! terminal handed over. What ECS reports is judged in `model::exec`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::exec::{Ended, Plan, cli_version_ok};

/// The plugin the AWS CLI starts for an interactive session.
const PLUGIN: &str = "session-manager-plugin";

/// `name`'s first executable on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The AWS CLI to run, once it and the plugin were found and its version
/// can open a session; else what is missing, in words to act on.
pub async fn check_tools() -> Result<PathBuf, Vec<String>> {
    let mut missing = Vec::new();
    let aws = on_path("aws");
    match &aws {
        None => missing.push(
            "the AWS CLI (`aws`) is not on PATH: install v2, https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html".to_string(),
        ),
        Some(aws) => {
            if let Err(e) = version(aws).await.and_then(|v| cli_version_ok(&v)) {
                missing.push(e);
            }
        }
    }
    if on_path(PLUGIN).is_none() {
        missing.push(format!(
            "`{PLUGIN}` is not on PATH: the AWS CLI needs it for an interactive session, https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
        ));
    }
    match aws {
        Some(aws) if missing.is_empty() => Ok(aws),
        _ => Err(missing),
    }
}

/// `aws --version`'s line, within 10 s (the CLI v2 starts in about one).
async fn version(aws: &Path) -> Result<String, String> {
    let run = tokio::process::Command::new(aws)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(Duration::from_secs(10), run).await {
        Err(_) => Err(format!(
            "`{} --version` did not answer within 10 s",
            aws.display()
        )),
        Ok(Err(e)) => Err(format!("`{} --version` could not run: {e}", aws.display())),
        // v1 printed its version on standard error.
        Ok(Ok(out)) => Ok(format!(
            "{} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// What runs: the AWS CLI with the plan's arguments, or in the demo a
/// shell on this machine standing in for the container.
pub enum Program {
    Aws(PathBuf),
    DemoStandIn,
}

/// Starts the shell on the terminal as it is (the caller suspended the
/// dashboard). Standard input, output and error are the terminal's: the
/// plugin puts it in raw mode itself, and a shell is interactive only
/// when its standard error is a terminal.
pub fn spawn(plan: &Plan, program: &Program) -> std::io::Result<tokio::process::Child> {
    let mut cmd = match program {
        Program::Aws(aws) => {
            let mut c = tokio::process::Command::new(aws);
            c.args(plan.args());
            c
        }
        Program::DemoStandIn => {
            println!(
                "ecsdeck demo: the demo has no containers, so a shell on this machine stands in for\n  {}\nin container {}. Type `exit` to return to the dashboard.\n",
                plan.shown(),
                plan.container
            );
            let mut c = tokio::process::Command::new("/bin/sh");
            c.env("PS1", format!("demo {}$ ", plan.container));
            c
        }
    };
    cmd.kill_on_drop(true).spawn()
}

/// Waits for the shell to end.
pub async fn wait(child: &mut tokio::process::Child, started: Instant) -> Ended {
    let code = match child.wait().await {
        Ok(s) => s.code(),
        Err(_) => None,
    };
    Ended {
        code,
        took: started.elapsed(),
    }
}

/// After a shell that failed: what its last words may mean, then a key
/// press, so they can be read before the dashboard covers them. The
/// AWS CLI printed its error above.
pub async fn pause_after_failure(ended: &Ended) {
    let status = ended
        .code
        .map_or_else(|| "was killed".to_string(), |c| format!("exited {c}"));
    println!(
        "\necsdeck: the session {status}. If the AWS CLI said\n  AccessDeniedException … ecs:ExecuteCommand: your IAM policy needs ecs:ExecuteCommand on the task (assets/iam-policy-operator.json);\n  KMS … GenerateDataKey: the cluster encrypts sessions with a KMS key; you need kms:GenerateDataKey on it;
  TargetNotConnectedException: the agent could not connect: the task role needs {}, the task a way to ssmmessages.<region>.amazonaws.com, and no AWS credentials in the container's environment.\nPress Enter to return to the dashboard.",
        crate::model::exec::TASK_ROLE_ACTIONS
    );
    // A line, the end of the input (the session is gone), or a minute.
    // Nothing may go on reading after that: the dashboard reads the keys.
    let _ = tokio::task::spawn_blocking(|| wait_for_line(Duration::from_secs(60))).await;
}

/// Waits for a line on standard input (cooked mode: readable once Enter
/// was pressed) and reads it, or gives up after `limit` without reading.
fn wait_for_line(limit: Duration) {
    let mut fds = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(limit.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd, for the duration of the call.
    let ready = unsafe { libc::poll(&mut fds, 1, ms) };
    if ready > 0 {
        let mut buf = [0u8; 256];
        // SAFETY: reads into a buffer of the length given.
        let _ = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
    }
}
