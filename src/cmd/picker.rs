//! The service picker: when no service is configured, the only one, or
//! the operator's pick among several.

use std::sync::Arc;

use color_eyre::eyre::{Result, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;

use crate::cloud::Cloud;
use crate::model::ServiceRef;
use crate::term;
use crate::ui::Theme;
use crate::ui::picker::{Picker, PickerOutcome};

/// Finds the service to watch when none is configured: the only one, or
/// the operator's pick among several; None when the operator quit; the
/// exit code when a signal or the terminal's loss ended the choice.
pub async fn choose_service(
    cloud: &Arc<dyn Cloud>,
    cluster: Option<&str>,
    signals: &term::Signals,
) -> Result<Result<Option<ServiceRef>, i32>> {
    let listed = match term::or_signal(signals, cloud.list_services(cluster)).await {
        Ok(l) => l,
        Err(n) => return Ok(Err(128 + n)),
    };
    let mut all = listed.map_err(|e| {
        eyre!("cannot list ECS services: {e}\n\nTo try ecsdeck without AWS, run: ecsdeck demo")
    })?;
    if let Some(c) = cluster {
        all.retain(|s| s.cluster == crate::model::arn_tail(c));
    }
    match all.len() {
        0 => Err(eyre!(
            "no ECS services found in {}{}. Pass --cluster and --service, check --region and --profile, or try: ecsdeck demo",
            cloud.region(),
            cluster
                .map(|c| format!(" (cluster {c})"))
                .unwrap_or_default()
        )),
        1 => Ok(Ok(all.pop())),
        _ => pick(all, cloud.region(), signals.clone()).await,
    }
}

async fn pick(
    items: Vec<ServiceRef>,
    region: String,
    mut signals: term::Signals,
) -> Result<Result<Option<ServiceRef>, i32>> {
    let theme = Theme::from_env();
    let mut picker = Picker::new(items, region);
    let mut screen = term::init()?;
    let mut events = EventStream::new();
    let outcome = loop {
        // The terminal is gone.
        if screen.terminal.draw(|f| picker.render(&theme, f)).is_err() {
            break Err(1);
        }
        let ev = tokio::select! {
            ev = events.next() => ev,
            n = signals.recv() => break Err(128 + n),
        };
        match ev {
            Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => match picker.key(&k) {
                PickerOutcome::Chosen(s) => break Ok(Some(s)),
                PickerOutcome::Quit => break Ok(None),
                PickerOutcome::Continue => {}
            },
            Some(Ok(_)) => {}
            _ => break Err(1),
        }
    };
    term::close(screen);
    Ok(outcome)
}
