//! The service picker: when no service is configured, the only one, or
//! the operator's pick among several. The list fills in as ListServices
//! pages arrive: a large account's first services are on screen while
//! the rest are still being listed.

use std::sync::Arc;

use color_eyre::eyre::{Result, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cloud::{Cloud, CloudResult};
use crate::model::ServiceRef;
use crate::term;
use crate::ui::Theme;
use crate::ui::picker::{Picker, PickerOutcome};

type Listing = JoinHandle<CloudResult<()>>;

/// Finds the service to watch when none is configured: the only one, or
/// the operator's pick among several; None when the operator quit; the
/// exit code when a signal or the terminal's loss ended the choice.
pub async fn choose_service(
    cloud: &Arc<dyn Cloud>,
    cluster: Option<&str>,
    signals: &term::Signals,
) -> Result<Result<Option<ServiceRef>, i32>> {
    let (tx, mut pages) = mpsc::unbounded_channel();
    let (c, asked) = (cloud.clone(), cluster.map(str::to_string));
    let mut listing: Listing =
        tokio::spawn(async move { c.list_services_each(asked.as_deref(), &tx).await });
    let keep = |page: Vec<ServiceRef>| -> Vec<ServiceRef> {
        match cluster {
            Some(c) => page
                .into_iter()
                .filter(|s| s.cluster == crate::model::arn_tail(c))
                .collect(),
            None => page,
        }
    };
    // Until there is a choice to make (two services), or the listing ended.
    let mut items = Vec::new();
    let mut ended = None;
    let mut signals = signals.clone();
    while items.len() < 2 && ended.is_none() {
        tokio::select! {
            Some(page) = pages.recv() => items.extend(keep(page)),
            r = &mut listing => ended = Some(joined(r)),
            n = signals.recv() => return Ok(Err(128 + n)),
        }
    }
    if ended.is_some() {
        while let Ok(page) = pages.try_recv() {
            items.extend(keep(page));
        }
    }
    match (&ended, items.len()) {
        (Some(Err(e)), 0) => Err(eyre!(
            "cannot list ECS services: {e}\n\nTo try ecsdeck without AWS, run: ecsdeck demo"
        )),
        (Some(Ok(())), 0) => Err(eyre!(
            "no ECS services found in {}{}. Pass --cluster and --service, check --region and --profile, or try: ecsdeck demo",
            cloud.region(),
            cluster
                .map(|c| format!(" (cluster {c})"))
                .unwrap_or_default()
        )),
        (Some(Ok(())), 1) => Ok(Ok(items.pop())),
        _ => {
            let mut picker = Picker::new(items, cloud.region());
            picker.loading = ended.is_none();
            if let Some(Err(e)) = ended {
                picker.note = Some(format!("the listing stopped: {e}"));
            }
            let listing = picker.loading.then_some(listing);
            pick(picker, pages, listing, keep, signals).await
        }
    }
}

/// A finished listing's answer; a panic in it is an error like AWS's.
fn joined(r: Result<CloudResult<()>, tokio::task::JoinError>) -> Result<(), String> {
    match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

async fn pick(
    mut picker: Picker,
    mut pages: mpsc::UnboundedReceiver<Vec<ServiceRef>>,
    mut listing: Option<Listing>,
    keep: impl Fn(Vec<ServiceRef>) -> Vec<ServiceRef>,
    mut signals: term::Signals,
) -> Result<Result<Option<ServiceRef>, i32>> {
    let theme = Theme::from_env();
    let mut screen = term::init()?;
    let mut events = EventStream::new();
    let outcome = loop {
        // The terminal is gone.
        if screen.terminal.draw(|f| picker.render(&theme, f)).is_err() {
            break Err(1);
        }
        let ev = tokio::select! {
            Some(page) = pages.recv() => {
                picker.append(keep(page));
                continue;
            }
            r = async {
                match listing.as_mut() {
                    Some(l) => l.await,
                    None => std::future::pending().await,
                }
            }, if listing.is_some() => {
                listing = None;
                picker.loading = false;
                if let Err(e) = joined(r) {
                    picker.note = Some(format!("the listing stopped: {e}"));
                }
                continue;
            }
            ev = events.next() => ev,
            n = signals.recv() => break Err(128 + n),
        };
        match ev {
            Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => match picker.key(&k) {
                PickerOutcome::Chosen(s) => break Ok(Some(s)),
                PickerOutcome::Quit => break Ok(None),
                // No profiles or regions at start: the settings chose them.
                _ => {}
            },
            Some(Ok(_)) => {}
            _ => break Err(1),
        }
    };
    term::close(screen);
    if let Some(l) = listing {
        l.abort();
    }
    Ok(outcome)
}
