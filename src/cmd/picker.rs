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
/// the operator's pick among several.
pub async fn choose_service(
    cloud: &Arc<dyn Cloud>,
    cluster: Option<&str>,
) -> Result<Option<ServiceRef>> {
    let mut all = cloud.list_services(cluster).await.map_err(|e| {
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
        1 => Ok(all.pop()),
        _ => pick(all, cloud.region()).await,
    }
}

async fn pick(items: Vec<ServiceRef>, region: String) -> Result<Option<ServiceRef>> {
    let theme = Theme::from_env();
    let mut picker = Picker {
        items,
        cursor: 0,
        region,
    };
    let mut signals = term::Signals::new()?;
    let mut terminal = term::init()?;
    let mut events = EventStream::new();
    let outcome = loop {
        if terminal.draw(|f| picker.render(&theme, f)).is_err() {
            break None;
        }
        let ev = tokio::select! {
            ev = events.next() => ev,
            _ = signals.recv() => break None,
        };
        match ev {
            Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => match picker.key(&k) {
                PickerOutcome::Chosen(s) => break Some(s),
                PickerOutcome::Quit => break None,
                PickerOutcome::Continue => {}
            },
            Some(Ok(_)) => {}
            _ => break None,
        }
    };
    term::restore();
    Ok(outcome)
}
