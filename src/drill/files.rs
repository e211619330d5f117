//! The drill's report files: written new, owner-only (a report names
//! the service's tasks and the caller), never over an existing file.

use std::path::{Path, PathBuf};

use crate::model::drill::report::{Report, mask};

/// Writes `contents` to `path`, which must not exist yet, owner-only: a
/// report names the service's tasks and the caller.
pub fn write_new(path: &Path, contents: &str) -> Result<PathBuf, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(contents.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

/// `--report FILE`: JSON when FILE ends in `.json`, else the HTML page.
pub fn write_file(r: &Report, path: &Path, redact: Option<&str>) -> Result<PathBuf, String> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let contents = if json {
        r.json(redact)?
    } else {
        mask(&super::html::page(r), redact)
    };
    write_new(path, &contents)
}

/// The dashboard's pair, in `dir`: `ecsdeck-drill-<time>-<verdict>.json`
/// and `.html`.
pub fn write_pair(r: &Report, dir: &Path, redact: Option<&str>) -> Result<Vec<PathBuf>, String> {
    let stamp = r
        .started_at
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(14)
        .collect::<String>();
    let first = format!("ecsdeck-drill-{stamp}-{}", r.verdict.word().to_lowercase());
    // Never overwrite: a second drill in the same second gets `-2`.
    let base = (1..100)
        .map(|n| {
            if n == 1 {
                first.clone()
            } else {
                format!("{first}-{n}")
            }
        })
        .find(|b| {
            !dir.join(format!("{b}.json")).exists() && !dir.join(format!("{b}.html")).exists()
        })
        .ok_or_else(|| format!("{}: too many reports named {first}", dir.display()))?;
    Ok(vec![
        write_file(r, &dir.join(format!("{base}.json")), redact)?,
        write_file(r, &dir.join(format!("{base}.html")), redact)?,
    ])
}

#[cfg(test)]
mod tests;
