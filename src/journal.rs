//! The journal: one JSON line for every change made through ecsdeck
//! (StopTask, UpdateService, a drill's start and its end), appended to
//! `~/.local/state/ecsdeck/journal.jsonl` (created 0600), so a bastion's
//! actions can be reviewed without CloudTrail. `ecsdeck journal` reads it.
//! Writing it never holds up or fails an action: a write that fails is
//! logged.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cloud::{Cloud, CloudResult, Operate, Receipt};
use crate::model::sanitize::clean;
use crate::model::{ServiceRef, Time};

/// One change, as the journal keeps it. Field names are an API: add,
/// never rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: Time,
    /// `stop_task`, `force_deployment`, `drill_start`, `drill_end`.
    pub action: String,
    /// The caller's ARN, when STS said it.
    pub caller: Option<String>,
    pub profile: Option<String>,
    pub region: String,
    pub cluster: String,
    pub service: String,
    /// What was acted on: a task ARN, the service, the drill's marker.
    pub target: String,
    /// The reason sent with it (StopTask's), or the drill's.
    pub reason: Option<String>,
    /// AWS's request id of the answer, when there was one.
    pub request_id: Option<String>,
    /// `ok`, `refused: …`, `unknown: …` (sent, answer lost), or a
    /// drill's verdict.
    pub outcome: String,
    /// More words: a drill's reason, its cleanup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Where the journal is: `$XDG_STATE_HOME/ecsdeck/journal.jsonl`, else
/// `~/.local/state/ecsdeck/journal.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))
        .map(|d| d.join("ecsdeck").join("journal.jsonl"))
}

/// The journal of one session: where it goes, and what every line of it
/// shares.
pub struct Journal {
    path: Option<PathBuf>,
    profile: Option<String>,
    region: String,
    target: ServiceRef,
    cloud: Arc<dyn Cloud>,
    caller: tokio::sync::OnceCell<Option<String>>,
}

impl Journal {
    pub fn new(
        path: Option<PathBuf>,
        profile: Option<String>,
        cloud: Arc<dyn Cloud>,
        target: ServiceRef,
    ) -> Journal {
        Journal {
            path,
            profile,
            region: cloud.region(),
            target,
            cloud,
            caller: tokio::sync::OnceCell::new(),
        }
    }

    /// The caller's ARN, asked of STS once (it needs no permission).
    async fn caller(&self) -> Option<String> {
        self.caller
            .get_or_init(|| async { self.cloud.identity().await.ok().map(|i| i.arn) })
            .await
            .clone()
    }

    /// Appends one line; a failure is logged, never raised.
    pub async fn record(
        &self,
        action: &str,
        target: &str,
        reason: Option<&str>,
        outcome: (String, Option<String>),
        detail: Option<String>,
    ) {
        let Some(path) = self.path.clone() else {
            return;
        };
        let entry = Entry {
            at: crate::clock::now(),
            action: action.into(),
            caller: self.caller().await,
            profile: self.profile.clone(),
            region: self.region.clone(),
            cluster: self.target.cluster.clone(),
            service: self.target.service.clone(),
            target: target.into(),
            reason: reason.map(clean),
            request_id: outcome.1,
            outcome: outcome.0,
            detail,
        };
        let written = tokio::task::spawn_blocking(move || append(&path, &entry)).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the journal could not be written"),
            Err(e) => tracing::warn!(error = %e, "the journal could not be written"),
        }
    }
}

/// Appends `entry` as one JSON line, creating the file 0600 (and its
/// directory 0700) when it is not there. The drills' history too.
pub fn append<T: Serialize>(path: &Path, entry: &T) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    // One write of the whole line: appends from two sessions never
    // interleave within a line.
    f.write_all(line.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The entries of the journal at `path` from `since` on, oldest first;
/// lines that do not read as entries are counted, not fatal.
pub fn read(path: &Path, since: Option<Time>) -> Result<(Vec<Entry>, usize), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut bad = 0;
    let entries = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| match serde_json::from_str::<Entry>(l) {
            Ok(e) => Some(e),
            Err(_) => {
                bad += 1;
                None
            }
        })
        .filter(|e| since.is_none_or(|s| e.at >= s))
        .collect();
    Ok((entries, bad))
}

/// An outcome in the journal's words.
pub fn outcome<T>(r: &CloudResult<T>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) if e.outcome_unknown() => format!("unknown: {}", e.operator_text()),
        Err(e) => format!("refused: {}", e.operator_text()),
    }
}

/// An `Operate` that journals every change it passes on, with AWS's
/// request id and the outcome.
pub struct Journaled {
    pub inner: Arc<dyn Operate>,
    pub journal: Arc<Journal>,
}

#[async_trait]
impl Operate for Journaled {
    async fn stop_task_receipt(
        &self,
        cluster: &str,
        task_arn: &str,
        reason: &str,
    ) -> CloudResult<Receipt> {
        let r = self
            .inner
            .stop_task_receipt(cluster, task_arn, reason)
            .await;
        let id = request_id(&r);
        self.journal
            .record("stop_task", task_arn, Some(reason), (outcome(&r), id), None)
            .await;
        r
    }

    async fn force_deployment_receipt(&self, cluster: &str, service: &str) -> CloudResult<Receipt> {
        let r = self.inner.force_deployment_receipt(cluster, service).await;
        let id = request_id(&r);
        self.journal
            .record("force_deployment", service, None, (outcome(&r), id), None)
            .await;
        r
    }
}

fn request_id(r: &CloudResult<Receipt>) -> Option<String> {
    match r {
        Ok(x) => x.request_id.clone(),
        Err(e) => e.request_id.clone(),
    }
}

/// `ecsdeck journal`: the entries as a table, or as JSON lines.
pub fn print(entries: &[Entry], json: bool) -> String {
    let mut out = String::new();
    for e in entries {
        if json {
            if let Ok(l) = serde_json::to_string(e) {
                out.push_str(&l);
                out.push('\n');
            }
            continue;
        }
        let local =
            e.at.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S");
        out.push_str(&format!(
            "{local}  {:<16} {}/{}  {}  {}\n",
            e.action,
            e.cluster,
            e.service,
            crate::model::arn_tail(&e.target),
            e.outcome
        ));
        let mut more = Vec::new();
        if let Some(c) = &e.caller {
            more.push(format!("by {c}"));
        }
        if let Some(p) = &e.profile {
            more.push(format!("profile {p}"));
        }
        more.push(format!("region {}", e.region));
        if let Some(r) = &e.request_id {
            more.push(format!("request {r}"));
        }
        out.push_str(&format!("    {}\n", more.join(" · ")));
        if let Some(r) = &e.reason {
            out.push_str(&format!("    reason: {r}\n"));
        }
        if let Some(d) = &e.detail {
            out.push_str(&format!("    {d}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
