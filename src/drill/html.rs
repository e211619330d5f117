//! The drill's report as one self-contained HTML page: inline CSS and an
//! inline SVG chart, no script, nothing fetched. Every string in it came
//! from AWS, the API or the operator's config and is escaped.

use std::fmt::Write;

use crate::model::drill::machine::Verdict;
use crate::model::drill::report::Report;

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

const W: f64 = 900.0;

/// This service's earlier drills and this one: a bar each, its height
/// the downtime, its verdict as a letter under it (it reads without
/// colour), this drill outlined and last.
fn trend(r: &Report) -> String {
    if r.history.is_empty() {
        return String::new();
    }
    let mut bars: Vec<(&str, &str, Option<f64>)> = r
        .history
        .iter()
        .map(|p| (p.at.as_str(), p.verdict.as_str(), p.downtime_s))
        .collect();
    bars.push((r.ended_at.as_str(), r.verdict.word(), r.downtime_s));
    let max = bars.iter().filter_map(|b| b.2).fold(1.0_f64, f64::max);
    let (area, step) = (80.0, (W / bars.len() as f64).min(40.0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} 120" width="100%" role="img" aria-label="downtime of this service's drills, oldest first">"#
    );
    let last = bars.len() - 1;
    for (i, (at, verdict, downtime)) in bars.iter().enumerate() {
        let h = downtime.map_or(2.0, |d| (d / max * area).max(2.0));
        let x = i as f64 * step;
        let fill = match *verdict {
            "PASS" => "#2e9e4f",
            "FAIL" => "#d23c3c",
            _ => "#c98a00",
        };
        let outline = if i == last {
            r##" stroke="#000" stroke-width="2""##
        } else {
            ""
        };
        let secs = downtime.map_or_else(
            || "no downtime measured".to_string(),
            |d| format!("{d:.1} s"),
        );
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}"{outline}><title>{} {} {}</title></rect><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text><text x="{:.1}" y="112" font-size="10" text-anchor="middle">{}</text>"##,
            x + 2.0,
            14.0 + area - h,
            (step - 4.0).max(1.0),
            esc(at),
            esc(verdict),
            esc(&secs),
            x + step / 2.0,
            11.0 + area - h,
            downtime.map_or_else(|| "—".to_string(), |d| format!("{d:.0}")),
            x + step / 2.0,
            esc(&verdict.chars().take(1).collect::<String>())
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="60" font-size="10">seconds of downtime above each bar</text></svg>"#,
        bars.len() as f64 * step + 8.0
    );
    svg
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1000px;padding:0 1em;color:#222}\
h1{margin:0;font-size:1.2em;font-weight:normal}\
.v{font-size:3em;font-weight:bold;line-height:1.1}\
.reason{font-size:1.15em;margin:.3em 0 .8em}\
.figs{display:flex;gap:1em;margin:.5em 0 1em}\
.fig{border:1px solid #999;border-radius:4px;padding:.4em .8em;min-width:12em}\
.fig b{display:block;font-size:1.6em}\
table{border-collapse:collapse}\
td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}\
code{font-size:.9em}\
.tech{margin-top:2em;border-top:2px solid #999}\
@page{size:A4 landscape;margin:10mm}\
@media print{body{margin:0;max-width:none;font-size:10pt}.first{break-after:page}.first svg.story{max-height:118mm;width:100%}.v{font-size:2.2em}.figs{margin:.3em 0}.tech{border:0;margin:0}}";

/// The three figures people ask first.
fn figures(r: &Report) -> String {
    let secs = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
    let records = crate::model::drill::report::records_words(r.records_before, r.records_after);
    let restarted = !r.restarts.is_empty() || r.stop_to_first_2xx_s.is_some();
    let mut h = String::from(r#"<div class="figs">"#);
    for (name, value, what) in [
        (
            "downtime",
            if restarted {
                secs(r.downtime_s)
            } else {
                "no restart".to_string()
            },
            "no answer through the load balancer",
        ),
        (
            "stop → first 2xx",
            match (r.stop_to_first_2xx_s, r.downtime_s) {
                _ if !restarted => "—".to_string(),
                (None, Some(0.0)) => "no outage".to_string(),
                (v, _) => secs(v),
            },
            "from the restart request",
        ),
        (
            "records before → after",
            records,
            "the marker written, then after the restart",
        ),
    ] {
        let _ = write!(
            h,
            r#"<div class="fig">{}<b>{}</b><small>{}</small></div>"#,
            esc(name),
            esc(&value),
            esc(what)
        );
    }
    h.push_str("</div>");
    h
}

/// The technical part, under the first screen: the figures in full, the
/// phases of every task restarted, the marker's steps, the drill's steps.
fn details(r: &Report) -> String {
    let mut h = String::new();
    h.push_str(r#"<div class="tech"><h2>Details</h2>"#);
    let secs = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
    let rows: Vec<(&str, String)> = vec![
        ("service", format!("{}/{}", r.cluster, r.service)),
        ("restart", format!("{:?}", r.restart)),
        ("marker", r.marker.clone()),
        ("old task", r.old_task.clone().unwrap_or_default()),
        ("new task", r.new_task.clone().unwrap_or_default()),
        (
            "probe URL",
            format!(
                "{} ({})",
                r.probe_url.clone().unwrap_or_default(),
                if r.probe_url_verified {
                    "reaches this service"
                } else {
                    "not shown to reach this service"
                }
            ),
        ),
        ("started", r.started_at.clone()),
        ("ended", r.ended_at.clone()),
        ("downtime (probe)", secs(r.downtime_s)),
        ("longest outage", secs(r.longest_outage_s)),
        ("stop → first 2xx", secs(r.stop_to_first_2xx_s)),
        ("clock offset", secs(r.clock_offset_s)),
        (
            "AWS calls",
            r.aws_calls.map_or("—".to_string(), |n| n.to_string()),
        ),
        ("cleanup", r.cleanup.clone()),
    ];
    h.push_str("<table>");
    for (k, v) in rows {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    }
    h.push_str("</table>");
    let mut phases: Vec<(usize, &crate::model::drill::report::Phase)> = r
        .restarts
        .iter()
        .enumerate()
        .flat_map(|(i, x)| x.phases.iter().map(move |p| (i + 1, p)))
        .collect();
    if phases.is_empty() {
        phases = r.phases.iter().map(|p| (1, p)).collect();
    }
    h.push_str(
        "<h2>Phases</h2><table><tr><th>task</th><th>phase</th><th>at</th><th>source</th><th>± s</th></tr>",
    );
    for (n, p) in phases {
        let _ = write!(
            h,
            "<tr><td>{n}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.at),
            esc(&p.source),
            p.uncertainty_s
                .map(|u| format!("{u:.1}"))
                .unwrap_or_default()
        );
    }
    h.push_str("</table><h2>The marker</h2><table><tr><th>at</th><th>step</th><th>done</th><th>status</th><th>records</th></tr>");
    for e in &r.data {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.at),
            esc(&e.event),
            if e.ok { "yes" } else { "NO" },
            e.status.map(|s| s.to_string()).unwrap_or_default(),
            e.count.map(|s| s.to_string()).unwrap_or_default()
        );
    }
    h.push_str("</table><h2>Steps</h2><table>");
    for (at, what) in &r.steps {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            esc(at),
            esc(what)
        );
    }
    h
}

pub fn page(r: &Report) -> String {
    let colour = match r.verdict {
        Verdict::Pass => "#2e7d32",
        Verdict::Fail => "#c62828",
        Verdict::Aborted => "#a66f00",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>ecsdeck drill: {v} — {svc}</title><style>{STYLE}.v{{color:{colour}}}</style></head><body><section class="first">"#,
        v = r.verdict.word(),
        svc = esc(&r.service)
    );
    let _ = write!(
        h,
        r#"<h1>Restart drill of <b>{}</b> in {} · {}</h1><div class="v">{}</div><p class="reason">{}</p>"#,
        esc(&r.service),
        esc(crate::model::arn_tail(&r.cluster)),
        esc(r
            .started_at
            .get(..19)
            .unwrap_or(&r.started_at)
            .replace('T', " ")
            .as_str()),
        r.verdict.word(),
        esc(&r.reason)
    );
    h.push_str(&figures(r));
    if let Some(story) = crate::model::drill::story::Story::of(r) {
        h.push_str(&super::svg::swimlane(&story));
    }
    let list = |h: &mut String, title: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = write!(h, "<h2>{}</h2><ul>", esc(title));
        for i in items {
            let _ = write!(h, "<li>{}</li>", esc(i));
        }
        h.push_str("</ul>");
    };
    h.push_str("</section>");
    let mut warn = r.warnings.clone();
    warn.extend(r.clock_warning());
    list(&mut h, "Warnings", &warn);
    list(&mut h, "On the way", &r.notes);
    if !r.history.is_empty() {
        let _ = write!(
            h,
            "<h2>This service's drills</h2><p>Downtime of the last {} drills from this host and this one (outlined, last); P pass, F fail, A aborted.</p>",
            r.history.len()
        );
        h.push_str(&trend(r));
    }
    h.push_str(&details(r));
    let _ = writeln!(
        h,
        "</table><p><small>ecsdeck {} · {} probe samples</small></p></div></body></html>",
        env!("CARGO_PKG_VERSION"),
        r.probe.len()
    );
    h
}

#[cfg(test)]
mod tests;
