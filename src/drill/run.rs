//! Runs the drill: feeds the machine from a session's observations and
//! carries out its commands (reads and writes through the load balancer,
//! the restart through the operator). The same for the headless command
//! and the dashboard's `R`.

use std::sync::Arc;
use std::time::Duration;

use super::api::{Api, new_marker};
use super::machine::Stage;
use super::machine::{Command, Drill, Input, RestartError, RestartKind, Verdict};
use super::report::{Phase, ProbeRow, Report, phases, rfc3339};
use crate::cloud::{Cloud, CloudError, ErrorKind, Operate};
use crate::model::ServiceRef;
use crate::model::Time;
use crate::model::derive::target_owners;
use crate::model::drill::Contract;
use crate::model::lb::probe_base;
use crate::model::observe::{Observation, PollEvent, Resource};
use crate::model::probe::ProbeConfig;
use crate::model::timeline::{Step, Tracker};
use crate::poll::Hurry;
use crate::session::Session;
use chrono::Utc;

mod seen;
use seen::Seen;

/// A poll the drill needs failing this long makes it blind to the service.
const BLIND_AFTER_S: i64 = 30;

/// The baseline (the tasks, targets and a probe answer) must come within
/// this: the drill never waits for ever to start.
const BASELINE_WAIT: Duration = Duration::from_secs(60);

/// How long the marker's delete keeps trying while the API does not
/// answer (a drill cancelled during the outage).
const CLEANUP_WAIT: Duration = Duration::from_secs(90);

pub struct Options {
    pub restart: RestartKind,
    pub timeout: Duration,
    pub contract: Contract,
    pub probe: ProbeConfig,
    /// Mask the caller in the stop reason.
    pub redact: bool,
    /// The caller's ARN, for the stop reason, when the feed does not
    /// bring it (the dashboard's identity was polled before the drill).
    pub caller: Option<String>,
    /// Wait for the session's identity poll before the restart, so the
    /// stop reason names the caller (the dashboard's was polled before).
    pub wait_for_identity: bool,
    /// Asked once the preflight is printed, before anything is written
    /// (`ecsdeck drill` on a terminal, without `--yes`); false cancels.
    pub confirm: Option<Box<dyn FnMut() -> bool + Send>>,
}

/// Says the steps logged since the `said`-th; returns how many are said.
fn tell(drill: &Drill, said: usize, started: Time, on: &mut impl FnMut(Progress<'_>)) -> usize {
    for (at, what) in &drill.log[said.min(drill.log.len())..] {
        on(Progress::Line(&format!(
            "{:>7.1}s  {what}",
            (*at - started).num_milliseconds() as f64 / 1000.0
        )));
    }
    drill.log.len()
}

/// A URL as a report may show it: no user name or password.
fn without_userinfo(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

/// Where the drill's observations come from: a session of its own
/// (headless), or the dashboard's, forwarded to it.
pub trait Feed: Send {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send;
}

impl Feed for Session {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send {
        Session::next(self)
    }
}

impl Feed for tokio::sync::mpsc::Receiver<PollEvent> {
    fn next(&mut self) -> impl Future<Output = Option<PollEvent>> + Send {
        self.recv()
    }
}

/// What the drill acts through.
#[derive(Clone)]
pub struct Links {
    /// The backend, for its clock offset; None when there is none.
    pub cloud: Option<Arc<dyn Cloud>>,
    pub operator: Arc<dyn Operate>,
    pub target: ServiceRef,
    pub hurry: Hurry,
}

impl Links {
    /// The links of `session`; None when it is read-only.
    pub fn of(session: &Session) -> Option<Links> {
        Some(Links {
            cloud: Some(session.cloud().clone()),
            operator: session.operator()?.clone(),
            target: session.target().clone(),
            hurry: session.hurry_handle(),
        })
    }
}

/// What the drill tells as it goes.
pub enum Progress<'a> {
    /// A line for a terminal.
    Line(&'a str),
    /// The machine after a step.
    State(&'a Drill),
    /// The restart is being sent: a task (StopTask) or the service (None).
    Requested(Option<&'a str>, Time),
}

/// Runs a drill on the observations of `feed`, acting through `links`,
/// telling each step to `on` as it happens; `cancel` resolves when the
/// operator stops waiting.
pub async fn run(
    feed: &mut impl Feed,
    links: Links,
    mut opts: Options,
    mut on: impl FnMut(Progress<'_>),
    cancel: impl Future<Output = ()>,
) -> Result<Report, String> {
    let op = links.operator.clone();
    let target = links.target.clone();
    let hand_set = opts.probe.info.url.is_some();
    let marker = new_marker();
    let now = Utc::now();
    let mut drill = Drill::new(marker.clone(), opts.restart, hand_set, opts.timeout, now);
    let mut seen = Seen {
        identity_answered: !opts.wait_for_identity,
        started: now,
        ..Seen::default()
    };
    let mut tracker = Tracker::default();
    let mut api: Option<Api> = None;
    let mut said = 0;
    tokio::pin!(cancel);
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut pending: std::collections::VecDeque<Command> = Default::default();
    let mut probe_url: Option<String> = None;
    let mut baseline_sent = false;
    let mut final_read: Option<Time> = None;
    let calls_before = links.cloud.as_ref().map(|c| c.api_calls());
    let mut told: std::collections::BTreeSet<Step> = Default::default();
    let mut told_for: Option<String> = None;
    let mut warnings: Vec<String> = Vec::new();
    let started = now;
    loop {
        // Say the new steps.
        said = tell(&drill, said, started, &mut on);
        // The replacement's steps, as the timeline sees them.
        if let Some(tl) = tracker.current.as_ref() {
            // A new timeline (the next task stopped): its steps anew.
            if told_for.as_deref() != Some(tl.old_task.as_str()) {
                told.clear();
                told_for = Some(tl.old_task.clone());
            }
            for (step, m) in tl.ordered() {
                if told.contains(&step) || step == Step::StopRequested {
                    continue;
                }
                told.insert(step);
                let (within, note) = (m.polled_words(), m.note_words());
                on(Progress::Line(&format!(
                    "{:>7.1}s    {}{note}{within}",
                    (m.at - started).num_milliseconds() as f64 / 1000.0,
                    step.words()
                )));
            }
        }
        on(Progress::State(&drill));
        if let Some(cmd) = pending.pop_front() {
            let input = match cmd.clone() {
                Command::Finish => break,
                Command::Read | Command::ReadAgain => {
                    let Some(api) = &api else { break };
                    if cmd == Command::ReadAgain {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                    let last = drill.stage == Stage::Verifying;
                    let r = api.read(&marker).await;
                    if last {
                        final_read = Some(Utc::now());
                    }
                    match r {
                        Ok(r) => Input::Read(r),
                        Err(e) => Input::ReadFailed(e),
                    }
                }
                Command::Write => {
                    let Some(api) = &api else { break };
                    on(Progress::Line(&format!(
                        "          writing the marker {marker}"
                    )));
                    Input::Written(api.write(&marker).await)
                }
                Command::Delete(id) => {
                    let Some(api) = &api else { break };
                    on(Progress::Line("          removing the marker"));
                    Input::Deleted(api.delete_patiently(&id, CLEANUP_WAIT).await)
                }
                Command::Restart(tasks) => {
                    links.hurry.now();
                    let at = Utc::now();
                    let caller = opts
                        .caller
                        .clone()
                        .or_else(|| seen.identity.as_ref().map(|i| i.arn.clone()));
                    let who = match (caller, opts.redact) {
                        (_, true) => "an operator (redacted)".to_string(),
                        (Some(arn), _) => arn,
                        (None, _) => "an operator (identity unknown)".to_string(),
                    };
                    let reason: String = format!("ecsdeck drill: stopped by {who}")
                        .chars()
                        .take(255)
                        .collect();
                    let r = match &tasks {
                        Some(arns) => {
                            // Every task is asked, even after a failure: a
                            // task left running could answer the final read.
                            let mut refused: Option<CloudError> = None;
                            let mut unknown: Option<CloudError> = None;
                            let mut accepted = 0;
                            for arn in arns {
                                tracker.requested(Some(arn.clone()), at);
                                on(Progress::Requested(Some(arn), at));
                                match op.stop_task(&target.cluster, arn, &reason).await {
                                    Ok(()) => accepted += 1,
                                    Err(e) if e.kind == ErrorKind::Network => {
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
                                    tracker.refused();
                                    Err(e)
                                }
                                (None, Some(e)) => Err(e),
                                (None, None) => Ok(()),
                            }
                        }
                        None => {
                            tracker.requested(None, at);
                            on(Progress::Requested(None, at));
                            let r = op.force_deployment(&target.cluster, &target.service).await;
                            if r.as_ref().is_err_and(|e| e.kind != ErrorKind::Network) {
                                tracker.refused();
                            }
                            r
                        }
                    };
                    on(Progress::Line(&format!(
                        "          restart sent ({}): {}",
                        match opts.restart {
                            RestartKind::StopTask => "StopTask",
                            RestartKind::ForceDeployment => "UpdateService forceNewDeployment",
                        },
                        match &r {
                            Ok(()) => "accepted".to_string(),
                            Err(e) => e.operator_text(),
                        }
                    )));
                    Input::Restarted(r.map_err(|e| RestartError {
                        unknown: e.kind == ErrorKind::Network,
                        message: e.operator_text(),
                    }))
                }
            };
            pending.extend(drill.step(input));
            continue;
        }
        tokio::select! {
            _ = &mut cancel => {
                on(Progress::Line("          cancelled: cleaning up"));
                pending.extend(drill.step(Input::Cancel));
            }
            _ = clock.tick() => {
                links.hurry.keep();
                let now = Utc::now();
                if !baseline_sent
                    && (now - started).to_std().is_ok_and(|d| d > BASELINE_WAIT)
                {
                    return Err(format!(
                        "no baseline after {} s: {}; nothing was sent",
                        BASELINE_WAIT.as_secs(),
                        seen.missing()
                    ));
                }
                pending.extend(drill.step(Input::Tick(now)));
            }
            ev = feed.next() => {
                let Some(ev) = ev else { return Err("the session ended".into()) };
                let at = ev.at;
                if ev.resource == crate::model::observe::Resource::Identity {
                    seen.identity_answered = true;
                }
                match &ev.result {
                    Ok(_) => {
                        seen.last_ok.insert(ev.resource, at);
                        seen.last_err.remove(&ev.resource);
                    }
                    Err(f) => {
                        // Denied before the drill began: it could never
                        // see the service come back. Nothing was sent.
                        if !baseline_sent
                            && f.error.kind == ErrorKind::AccessDenied
                            && matches!(ev.resource, Resource::Service | Resource::Tasks | Resource::Targets)
                        {
                            return Err(format!(
                                "the drill needs to watch the service: {}; nothing was sent",
                                f.error.operator_text()
                            ));
                        }
                        seen.last_err.insert(ev.resource, f.error.clone());
                    }
                }
                if let Ok(obs) = ev.result {
                    match obs {
                        Observation::Identity(i) => seen.identity = Some(i),
                        Observation::Service(s) => seen.service = Some(*s),
                        Observation::Tasks(t) => {
                            tracker.on_tasks(&t, at);
                            let running: Vec<String> = t
                                .iter()
                                .filter(|t| t.last_status == "RUNNING")
                                .map(|t| t.arn.clone())
                                .collect();
                            if running.len() > seen.overlap.len() {
                                seen.overlap = running;
                            }
                            seen.tasks = Some(t);
                        }
                        Observation::TaskDefs(d) => seen.task_defs = d,
                        Observation::Logs(f) => seen.scan_logs(&f),
                        Observation::Efs(f) => seen.efs = f,
                        Observation::Targets(g) => {
                            if let (Some(svc), Some(tasks)) = (&seen.service, &seen.tasks) {
                                tracker.on_targets(&g, &target_owners(svc, &g, tasks), at);
                            }
                            seen.targets = Some(g);
                        }
                        Observation::Probe(r) => {
                            tracker.on_probe(&r.sample);
                            if api.is_none() {
                                let base = r.url.strip_suffix(opts.probe.info.path.as_str()).unwrap_or(&r.url).trim_end_matches('/').to_string();
                                api = Some(Api::new(&base, &opts.probe, opts.contract.clone())?);
                                probe_url = Some(without_userinfo(&r.url));
                            }
                            seen.probe.push(r.sample);
                        }
                    }
                }
                if !baseline_sent && seen.ready() && api.is_some() {
                    baseline_sent = true;
                    warnings = seen.warnings();
                    if let Some(svc) = &seen.service {
                        let td = seen.task_defs.iter().find(|d| d.arn == svc.task_definition);
                        let e = crate::model::derive::drill_estimate(
                            opts.restart == RestartKind::ForceDeployment,
                            svc,
                            td,
                            seen.targets.as_deref().unwrap_or_default(),
                        );
                        on(Progress::Line(&format!(
                            "          expect about {} s: {}",
                            e.seconds,
                            e.parts.join(", ")
                        )));
                    }
                    if let Some(s) = seen.probe.last() {
                        on(Progress::Line(&format!(
                            "          probe now: {} in {} ms",
                            s.outcome.label(),
                            s.total_ms
                        )));
                    }
                    for w in &warnings {
                        on(Progress::Line(&format!("          warning: {w}")));
                    }
                    // Asked now, with the preflight on screen, before
                    // anything is written.
                    let go = match opts.confirm.as_mut() {
                        Some(ask) => {
                            for l in seen.plan(opts.restart) {
                                on(Progress::Line(&format!("          ECS: {l}")));
                            }
                            ask()
                        }
                        None => true,
                    };
                    pending.extend(drill.step(if go {
                        Input::Baseline(seen.world(Utc::now()))
                    } else {
                        Input::Cancel
                    }));
                } else if baseline_sent {
                    pending.extend(drill.step(Input::Observed(seen.world(Utc::now()))));
                }
                // No URL to probe at all: nothing can be verified.
                if !baseline_sent && api.is_none()
                    && let (Some(svc), Some(groups)) = (&seen.service, &seen.targets)
                    && opts.probe.info.url.is_none()
                    && let Err(why) = probe_base(&svc.target_group_arns(), groups)
                {
                    return Err(format!("no URL to reach the API: {why}"));
                }
            }
        }
    }
    tell(&drill, said, started, &mut on);
    let (verdict, reason) = drill
        .verdict
        .clone()
        .unwrap_or((Verdict::Aborted, "the drill ended without a verdict".into()));
    let tl = tracker.current.as_ref();
    let mut phases = phases(tl);
    if let Some(at) = final_read {
        phases.push(Phase {
            name: "marker_read",
            at: rfc3339(at),
            source: "observed",
            uncertainty_s: Some(0.0),
        });
    }
    let mark = |s: Step| tl.and_then(|t| t.steps.get(&s)).map(|m| m.at);
    let stop_to_first_2xx_s = match (mark(Step::StopRequested), mark(Step::FirstUp)) {
        (Some(a), Some(b)) => Some((b - a).num_milliseconds() as f64 / 1000.0),
        _ => None,
    };
    Ok(Report {
        verdict,
        reason,
        service: target.service.clone(),
        cluster: target.cluster.clone(),
        restart: opts.restart,
        marker,
        old_task: drill.before_tasks.first().cloned(),
        old_tasks: drill.before_tasks.clone(),
        new_task: tl.and_then(|t| t.new_task.clone()),
        probe_url,
        probe_url_verified: !hand_set || drill.outage_seen || drill.served_by_new,
        warnings,
        notes: seen.notes(&drill.before_tasks, verdict, opts.restart),
        cleanup: match &drill.cleanup {
            Some(Ok(())) => "deleted".into(),
            Some(Err(e)) if e.starts_with("already gone") => e.clone(),
            Some(Err(e)) => format!("not done: {e}"),
            None => "nothing to clean up".into(),
        },
        started_at: rfc3339(started),
        ended_at: rfc3339(Utc::now()),
        downtime_s: tl
            .and_then(|t| t.outage)
            .and_then(|(a, b)| b.map(|b| (b - a).num_milliseconds() as f64 / 1000.0)),
        stop_to_first_2xx_s,
        clock_offset_s: links.cloud.as_ref().and_then(|c| c.clock_offset_s()),
        aws_calls: links
            .cloud
            .as_ref()
            .zip(calls_before)
            .map(|(c, b)| c.api_calls().saturating_sub(b)),
        account: seen
            .identity
            .as_ref()
            .map(|i| i.account.clone())
            .or_else(|| {
                opts.caller
                    .as_deref()
                    .and_then(|c| c.split(':').nth(4))
                    .map(String::from)
            }),
        phases,
        steps: drill
            .log
            .iter()
            .map(|(t, s)| (rfc3339(*t), s.clone()))
            .collect(),
        probe: seen
            .probe
            .iter()
            .filter(|s| s.at >= started)
            .map(|s| ProbeRow {
                at: rfc3339(s.at),
                outcome: s.outcome,
                latency_ms: s.total_ms,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests;
