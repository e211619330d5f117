//! `[` (and `PgUp` at the top of the logs): the hour before the oldest
//! line held; and, at start, the look-back `--since` asks for. The lines
//! load in a spawned task (`Effect::LoadHistory`); the answer says what
//! came and what it cost.

use super::{Effect, State};
use crate::model::local_clock;
use crate::model::logs::{History, HistoryAsk, log_sources};

/// How far one press of `[` reaches back.
pub fn hour() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// Asks for the lines from `back` before the oldest held.
pub fn older(state: &mut State, back: chrono::Duration) -> Vec<Effect> {
    let to = state.logs.older_than(state.now);
    ask(state, to - back, to)
}

/// Asks for the lines from `from` up to `to`, unless one request is out
/// already or the buffer has no room; says why not on the logs' line.
fn ask(state: &mut State, from: crate::model::Time, to: crate::model::Time) -> Vec<Effect> {
    if let Some((f, t)) = state.logs.loading {
        state.logs.notice = Some(format!(
            "still loading the lines from {} to {}",
            local_clock(f),
            local_clock(t)
        ));
        return Vec::new();
    }
    let limit = state.logs.history_room();
    if limit == 0 {
        state.logs.notice = Some(format!(
            "the logs hold their most ({} lines): older lines would push out newer ones",
            state.logs.len()
        ));
        return Vec::new();
    }
    let mut sources = Vec::new();
    for t in state.task_list() {
        if let Some(td) = state.task_def_of(t) {
            sources.extend(log_sources(td, std::slice::from_ref(t)).0);
        }
    }
    if sources.is_empty() {
        state.logs.notice = Some(
            "no log streams known yet: older lines can be loaded once tasks are listed".into(),
        );
        return Vec::new();
    }
    state.logs.loading = Some((from, to));
    vec![Effect::LoadHistory(Box::new(HistoryAsk {
        sources,
        from,
        to,
        limit,
    }))]
}

/// The look-back at start: once the first lines are in, the lines from
/// `since` ago up to them.
pub fn at_start(state: &mut State) -> Vec<Effect> {
    let Some(since) = state.ctx.logs_since else {
        return Vec::new();
    };
    if state.logs.since_asked {
        return Vec::new();
    }
    let to = state.logs.older_than(state.now);
    let from = state.now - since;
    if from >= to {
        state.logs.since_asked = true;
        return Vec::new();
    }
    // Not possible yet (no stream known): asked again with the next lines,
    // and nothing said meanwhile.
    let said = state.logs.notice.take();
    let out = ask(state, from, to);
    state.logs.since_asked = !out.is_empty();
    state.logs.notice = said;
    out
}

/// A request's answer.
pub fn answered(state: &mut State, h: &History) {
    let words = state.logs.ingest_history(h);
    state.logs.notice = Some(words);
}

#[cfg(test)]
mod tests;
