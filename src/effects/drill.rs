//! The drill's steps that touch the world outside the reducer: the
//! journal's entries, the report's files and the restart itself.

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::app::drill::DrillMsg;
use crate::cloud::{CloudError, Operate};
use crate::drill::files::write_pair;
use crate::model::drill::report::Report;

/// A drill began: its marker in the journal.
pub(super) async fn journal_start(j: &crate::journal::Journal, marker: &str) {
    j.record("drill_start", marker, None, ("started".into(), None), None)
        .await;
}

/// A drill ended: its verdict, reason, cleanup and tasks in the journal.
pub(super) async fn journal_end(j: &crate::journal::Journal, report: &Report) {
    let tasks = |v: &[String]| {
        v.iter()
            .map(|t| crate::model::short_id(t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let detail = format!(
        "{}; cleanup: {}; {} → {}",
        report.reason,
        report.cleanup,
        tasks(&report.old_tasks),
        tasks(&report.new_tasks)
    );
    j.record(
        "drill_end",
        &report.marker,
        None,
        (report.verdict.word().to_string(), None),
        Some(detail),
    )
    .await;
}

/// The dashboard's report pair, written off the loop.
pub(super) async fn write_files(
    report: &Report,
    dir: std::path::PathBuf,
    redact: bool,
) -> Result<Vec<String>, String> {
    let masked = report.redaction(redact).map(String::from);
    let r = report.clone();
    tokio::task::spawn_blocking(move || write_pair(&r, &dir, masked.as_deref()))
        .await
        .map_err(|e| e.to_string())
        .and_then(|x| x)
        .map(|v| v.iter().map(|p| p.display().to_string()).collect())
}

/// The drill's restart: StopTask for each task (every one is asked, even
/// after a failure: a task left running could answer the final read), or
/// a forced deployment. Each request is told before it is sent.
pub(super) async fn restart(
    op: &dyn Operate,
    tx: &mpsc::Sender<Msg>,
    cluster: &str,
    service: &str,
    tasks: Option<Vec<String>>,
    reason: &str,
) -> Result<(), CloudError> {
    let Some(arns) = tasks else {
        let _ = tx
            .send(Msg::Drill(DrillMsg::Requested(None, crate::clock::now())))
            .await;
        return op.force_deployment(cluster, service).await;
    };
    let mut refused: Option<CloudError> = None;
    let mut unknown: Option<CloudError> = None;
    let mut accepted = 0;
    for arn in &arns {
        let _ = tx
            .send(Msg::Drill(DrillMsg::Requested(
                Some(arn.clone()),
                crate::clock::now(),
            )))
            .await;
        match op.stop_task(cluster, arn, reason).await {
            Ok(()) => accepted += 1,
            Err(e) if e.outcome_unknown() => {
                unknown.get_or_insert(e);
            }
            Err(e) => {
                refused.get_or_insert(e);
            }
        }
    }
    match (refused, unknown) {
        (Some(mut e), _) => {
            if accepted > 0 {
                e.message = format!(
                    "{} (for {} of {} tasks; {accepted} were stopped)",
                    e.message,
                    arns.len() - accepted,
                    arns.len()
                );
            }
            Err(e)
        }
        (None, Some(e)) => Err(e),
        (None, None) => Ok(()),
    }
}
