//! The drills' history on this host: `~/.local/state/ecsdeck/drills.jsonl`
//! (`$XDG_STATE_HOME` when set), one summary a drill, kept as the journal
//! is (0600, never through a symlink). What is kept and how it is read is
//! `model::drill::history`.

use std::path::{Path, PathBuf};

use crate::model::drill::history::Past;

/// Where the history is kept.
pub fn default_path() -> Option<PathBuf> {
    crate::journal::default_path().map(|j| j.with_file_name("drills.jsonl"))
}

/// Every drill kept at `path`, oldest first; a line that does not read is
/// skipped (a newer ecsdeck may add fields, never rename them).
pub fn load(path: &Path) -> Vec<Past> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Adds one drill; a failure is the caller's to say, never the drill's.
pub fn record(path: &Path, past: &Past) -> Result<(), String> {
    crate::journal::append(path, past)
}
