//! The drill's report as one self-contained HTML page: inline CSS and an
//! inline SVG chart, no script, nothing fetched. Every string in it came
//! from AWS, the API or the operator's config and is escaped.

use std::fmt::Write;

use crate::model::drill::machine::Verdict;
use crate::model::drill::report::Report;
use crate::model::probe::Outcome;

fn esc(s: &str) -> String {
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

fn parse(t: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

const W: f64 = 900.0;
const H: f64 = 200.0;
const TOP: f64 = 60.0;

/// The probe over the drill: one bar per sample (height the latency,
/// green a 2xx, red anything else at full height), a line at each phase.
fn chart(r: &Report) -> String {
    let (Some(start), Some(end)) = (parse(&r.started_at), parse(&r.ended_at)) else {
        return String::new();
    };
    let span = ((end - start).num_milliseconds() as f64 / 1000.0).max(1.0);
    let x = |t: &str| -> Option<f64> {
        let s = (parse(t)? - start).num_milliseconds() as f64 / 1000.0;
        Some((s / span).clamp(0.0, 1.0) * W)
    };
    let max_ms = r
        .probe
        .iter()
        .map(|p| p.latency_ms)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bar_w = (W / (span + 1.0)).clamp(1.0, 8.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {}" width="100%" role="img" aria-label="probe latency and status over the drill">"#,
        H + TOP + 20.0
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="{TOP}" width="{W}" height="{H}" fill="#f6f6f6"/>"##
    );
    for p in &r.probe {
        let Some(px) = x(&p.at) else { continue };
        let up = matches!(p.outcome, Outcome::Http(c) if (200..300).contains(&c));
        let h = if up {
            (p.latency_ms as f64 / max_ms * H).max(2.0)
        } else {
            H
        };
        let _ = write!(
            svg,
            r#"<rect x="{px:.1}" y="{:.1}" width="{bar_w:.1}" height="{h:.1}" fill="{}"><title>{} {} ms</title></rect>"#,
            TOP + H - h,
            if up { "#2e9e4f" } else { "#d23c3c" },
            esc(&p.outcome.label()),
            p.latency_ms
        );
    }
    for (i, ph) in r.phases.iter().enumerate() {
        let Some(px) = x(&ph.at) else { continue };
        let y = 12.0 + (i % 4) as f64 * 12.0;
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" y1="{y}" x2="{px:.1}" y2="{}" stroke="#333" stroke-dasharray="3 2"/><text x="{:.1}" y="{y}" font-size="10">{}</text>"##,
            TOP + H,
            (px + 2.0).min(W - 120.0),
            esc(&ph.name)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="0" y="{}" font-size="11">0 s</text><text x="{}" y="{}" font-size="11" text-anchor="end">{span:.0} s · tallest bar {max_ms:.0} ms</text></svg>"#,
        TOP + H + 15.0,
        W,
        TOP + H + 15.0
    );
    svg
}

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

pub fn page(r: &Report) -> String {
    let colour = match r.verdict {
        Verdict::Pass => "#2e9e4f",
        Verdict::Fail => "#d23c3c",
        Verdict::Aborted => "#c98a00",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>ecsdeck drill: {v} — {svc}</title><style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:960px;color:#222}}.v{{font-size:3em;font-weight:bold;color:{colour}}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}}code{{font-size:.9em}}</style></head><body>"#,
        v = r.verdict.word(),
        svc = esc(&r.service)
    );
    let _ = write!(
        h,
        r#"<div class="v">{}</div><p>{}</p>"#,
        r.verdict.word(),
        esc(&r.reason)
    );
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
    h.push_str("<h2>Probe through the load balancer</h2>");
    h.push_str(&chart(r));
    h.push_str(
        "<h2>Phases</h2><table><tr><th>phase</th><th>at</th><th>source</th><th>± s</th></tr>",
    );
    for p in &r.phases {
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.at),
            esc(&p.source),
            p.uncertainty_s
                .map(|u| format!("{u:.1}"))
                .unwrap_or_default()
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
    let _ = writeln!(
        h,
        "</table><p><small>ecsdeck {} · {} probe samples</small></p></body></html>",
        env!("CARGO_PKG_VERSION"),
        r.probe.len()
    );
    h
}
