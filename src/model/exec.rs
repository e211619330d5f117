//! ECS Exec: whether a shell can be opened in a container, in words an
//! operator can act on, and the command line that opens it. What ECS
//! reports is judged here (pure); what is on this machine's `PATH` is
//! looked at by `crate::exec` just before anything is run. AWS's
//! `amazon-ecs-exec-checker` is the reference for what is checked.

use super::{Service, Task, TaskDef};

/// The permissions ECS Exec's agent needs on the task role.
pub const TASK_ROLE_ACTIONS: &str = "ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel";

/// The command run in a container with no `[exec]` entry of its own.
pub const DEFAULT_COMMAND: &str = "/bin/sh";

/// One container a shell can be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub container: String,
    /// What is run in it: its `[exec]` entry, else `/bin/sh`.
    pub command: String,
    /// Why a shell cannot be opened in it now; empty when it can.
    pub blockers: Vec<String>,
}

/// What `e` offers for a task: one choice per container, and what holds
/// for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub task_arn: String,
    pub task_id: String,
    pub choices: Vec<Choice>,
    /// Why no container of the task can be entered (the service's and
    /// the task's settings); empty when that is not the reason.
    pub blockers: Vec<String>,
    /// What ecsdeck cannot see but the session needs: the task role's
    /// permissions.
    pub notes: Vec<String>,
}

/// Judges `task`'s containers for ECS Exec from what ECS reported.
/// `commands` is the `[exec]` table: container name → command.
pub fn menu(
    service: Option<&Service>,
    task: &Task,
    def: Option<&TaskDef>,
    commands: &[(String, String)],
    cluster: &str,
) -> Menu {
    let id = task.id().to_string();
    let mut blockers = Vec::new();
    if task.last_status != "RUNNING" {
        blockers.push(format!(
            "task {id} is {}: ECS Exec enters running tasks only",
            task.last_status
        ));
    } else if !task.exec_enabled {
        blockers.push(not_enabled(service, &id, cluster));
    }
    let mut notes = Vec::new();
    match def.map(|d| d.task_role_arn.as_deref()) {
        // Not a blocker: the task may have been started with a role of
        // its own (overrides), or run on EC2 under the instance's role.
        Some(None) => notes.push(format!(
            "the task definition names no task role: unless the task was started with one, or its EC2 instance's role allows them, the agent lacks {TASK_ROLE_ACTIONS}"
        )),
        Some(Some(role)) => notes.push(format!(
            "the task role {} must allow {TASK_ROLE_ACTIONS}",
            role.rsplit('/').next().unwrap_or(role)
        )),
        None => notes.push(format!(
            "the task role (not read yet) must allow {TASK_ROLE_ACTIONS}"
        )),
    }
    let choices = task
        .containers
        .iter()
        .map(|c| {
            let mut why = Vec::new();
            let read_only = def
                .and_then(|d| d.container(&c.name))
                .is_some_and(|d| d.readonly_root);
            if c.last_status != "RUNNING" {
                why.push(format!("{} is {}", c.name, c.last_status));
            } else if read_only {
                why.push(format!(
                    "{} has readonlyRootFilesystem: ECS Exec does not support it (the agent cannot write its files)",
                    c.name
                ));
            } else if task.exec_enabled {
                match c.exec_agent.as_deref() {
                    Some("RUNNING") => {}
                    Some(s) => why.push(format!(
                        "{}'s ExecuteCommandAgent is {s}: it needs to be RUNNING (when it stays so: the task role's ssmmessages permissions, a way to ssmmessages.<region>.amazonaws.com, or AWS credentials in the container's environment overriding the role)",
                        c.name
                    )),
                    None => why.push(format!(
                        "{} has no ExecuteCommandAgent (Fargate needs platform version 1.4.0 or later; EC2, ECS agent 1.50.2 or later)",
                        c.name
                    )),
                }
            }
            Choice {
                command: commands
                    .iter()
                    .find(|(name, _)| *name == c.name)
                    .map_or_else(|| DEFAULT_COMMAND.to_string(), |(_, cmd)| cmd.clone()),
                container: c.name.clone(),
                blockers: why,
            }
        })
        .collect();
    Menu {
        task_arn: task.arn.clone(),
        task_id: id,
        choices,
        blockers,
        notes,
    }
}

/// The task was started without `enableExecuteCommand`: what to do.
fn not_enabled(service: Option<&Service>, id: &str, cluster: &str) -> String {
    match service {
        Some(s) if s.exec_enabled => format!(
            "task {id} was started before the service had enableExecuteCommand: only tasks started since have the agent; force a new deployment (D) to replace it"
        ),
        _ => format!(
            "task {id} was started without enableExecuteCommand; turn it on and replace the tasks: aws ecs update-service --cluster {cluster} --service {} --enable-execute-command --force-new-deployment",
            service.map_or("SERVICE", |s| s.name.as_str())
        ),
    }
}

impl Menu {
    /// Why the `i`-th container cannot be entered now; empty when it can.
    pub fn blockers_of(&self, i: usize) -> Vec<String> {
        let mut out = self.blockers.clone();
        if let Some(c) = self.choices.get(i) {
            out.extend(c.blockers.iter().cloned());
        }
        out
    }
}

/// What is run: `aws` and its arguments, with the session's profile,
/// region and endpoint so the shell reaches the service on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub cluster: String,
    pub task_arn: String,
    pub container: String,
    pub command: String,
    pub profile: Option<String>,
    pub region: String,
    pub endpoint_url: Option<String>,
}

impl Plan {
    /// `aws`'s arguments. Global options first: the AWS CLI takes them
    /// anywhere, and there they read like the documentation's examples.
    pub fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(p) = &self.profile {
            a.extend(["--profile".to_string(), p.clone()]);
        }
        a.extend(["--region".to_string(), self.region.clone()]);
        if let Some(e) = &self.endpoint_url {
            a.extend(["--endpoint-url".to_string(), e.clone()]);
        }
        a.extend(
            [
                "ecs",
                "execute-command",
                "--cluster",
                &self.cluster,
                "--task",
                &self.task_arn,
                "--container",
                &self.container,
                "--interactive",
                "--command",
                &self.command,
            ]
            .map(String::from),
        );
        a
    }

    /// The command as an operator would type it, quoted for a POSIX
    /// shell.
    pub fn shown(&self) -> String {
        std::iter::once("aws".to_string())
            .chain(self.args().iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// An AWS CLI version line (`aws-cli/2.15.30 Python/3.11.8 …`): whether
/// it can run `ecs execute-command` as the ECS guide asks (1.22.3 or
/// later, 2.3.6 or later), or why not.
pub fn cli_version_ok(line: &str) -> Result<String, String> {
    let v = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("aws-cli/"))
        .ok_or_else(|| {
            format!(
                "`aws --version` said {:?}, not an AWS CLI version",
                line.trim()
            )
        })?;
    let parts: Vec<u32> = v
        .split('.')
        .map(|p| p.parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("cannot read the AWS CLI version {v:?}"))?;
    let at_least = match parts.first() {
        Some(1) => [1, 22, 3],
        _ => [2, 3, 6],
    };
    let have = [
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    ];
    if have >= at_least {
        Ok(v.to_string())
    } else {
        Err(format!(
            "the AWS CLI is {v}: ECS Exec needs {}.{}.{} or later (install v2)",
            at_least[0], at_least[1], at_least[2]
        ))
    }
}

/// How a shell session ended: its exit code (None: killed by a
/// signal) and how long it lasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub code: Option<i32>,
    pub took: std::time::Duration,
}

/// What the dashboard hears back after a shell was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// What this machine lacks (the AWS CLI, the plugin): nothing was run.
    NotReady(Vec<String>),
    /// The program could not be started.
    Failed(String),
    Ended(Ended),
}

#[cfg(test)]
mod tests;
