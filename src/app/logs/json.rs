//! JSON log lines made readable, once, when they arrive.

use crate::model::sanitize::sanitize;

/// A JSON line made readable: MongoDB's structured log line as
/// `I NETWORK  [listener] Waiting for connections {"port":27017}`, any other
/// JSON indented over several rows. None when the line is not JSON.
pub fn readable_json(text: &str) -> Option<Vec<String>> {
    let t = text.trim_start();
    if !t.starts_with('{') && !t.starts_with('[') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(t).ok()?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str());
    let lines = match (field("s"), field("msg")) {
        (Some(sev), Some(msg)) => {
            let attr = v.get("attr").map(|a| format!(" {a}")).unwrap_or_default();
            let ctx = field("ctx").map(|c| format!("[{c}] ")).unwrap_or_default();
            vec![format!(
                "{sev} {:<8} {ctx}{msg}{attr}",
                field("c").unwrap_or("")
            )]
        }
        _ => serde_json::to_string_pretty(&v)
            .ok()?
            .lines()
            .map(str::to_string)
            .collect(),
    };
    // JSON escapes (\u001b) decode to real control characters: clean again.
    Some(lines.iter().map(|l| sanitize(l.as_bytes())).collect())
}

#[cfg(test)]
mod tests;
