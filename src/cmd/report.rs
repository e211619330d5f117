//! `ecsdeck report FILE.json [-o FILE.html]`: a drill's JSON report (all
//! a CI job needs to keep) turned into its HTML page, or its summary on
//! standard output. Nothing is asked of AWS.

use std::path::Path;

use crate::drill::files::write_new;
use crate::drill::html::page;
use crate::model::drill::report::Report;

use super::drill::EXIT_ERROR;

/// Reads the report at `file`; writes its page to `output`, or prints its
/// summary. 0 when done, 2 when the file is not a drill report or the
/// page cannot be written.
pub fn run(file: &Path, output: Option<&Path>) -> i32 {
    let report = match read(file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecsdeck report: {e}");
            return EXIT_ERROR;
        }
    };
    match output {
        Some(out) => match write_new(out, &page(&report)) {
            Ok(p) => {
                eprintln!("ecsdeck report: {} written", p.display());
                0
            }
            Err(e) => {
                eprintln!("ecsdeck report: the page was not written: {e}");
                EXIT_ERROR
            }
        },
        None => {
            print!("{}", summary(&report));
            0
        }
    }
}

fn read(file: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a drill report (line {}, column {}: {e})",
            file.display(),
            e.line(),
            e.column()
        )
    })
}

/// The report in a few lines: the verdict and why, the figures people ask
/// first, the notes, and the phases.
pub fn summary(r: &Report) -> String {
    let secs = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |s| format!("{s:.1} s"));
    let mut out = format!(
        "{}: {}\n{}/{}  restart {}  {} → {}\n",
        r.verdict.word(),
        r.reason,
        r.cluster,
        r.service,
        serde_json::to_value(r.restart)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        r.started_at,
        r.ended_at
    );
    out.push_str(&format!(
        "downtime {}  stop → first 2xx {}  records {}  cleanup: {}\n",
        secs(r.downtime_s),
        secs(r.stop_to_first_2xx_s),
        crate::model::drill::report::records_words(r.records_before, r.records_after),
        r.cleanup
    ));
    // The story as the verdict window draws it, in plain characters.
    if let Some(st) = crate::model::drill::story::Story::of(r) {
        let plain = crate::ui::Theme { color: false };
        let rows = crate::ui::dialogs::story::rows_wanted(&st);
        for line in crate::ui::dialogs::story::lines(&st, 100, rows, &plain) {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for p in &r.phases {
        out.push_str(&format!("  {}  {}  ({})\n", p.at, p.name, p.source));
    }
    out
}
