//! The drill's story as an inline SVG swimlane: a lane for each task and
//! target, the probe and the marker on one axis of seconds from the
//! restart request, the outages shaded across every lane with their
//! length written over them. Labels are monospace, so their boxes are
//! known, and staggered into rows where they would touch. Words and
//! shapes carry the meaning; colour only helps.

use std::fmt::Write;

use crate::model::drill::story::{Lane, LaneKind, Mark, Shape, State, Story, stagger};

pub const WIDTH: f64 = 960.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 945.0;
/// Labels: 10 px monospace, about 0.6 em a character.
pub const CHAR_W: f64 = 6.1;
pub const ROW_H: f64 = 12.0;
const BAR_H: f64 = 16.0;
const PROBE_H: f64 = 36.0;
const GAP: f64 = 8.0;

fn esc(s: &str) -> String {
    super::html::esc(s)
}

/// Where a label goes: right of its mark, or left of it at the edge.
fn label_box(x: f64, text: &str) -> (f64, f64) {
    let w = text.chars().count() as f64 * CHAR_W;
    if x + 3.0 + w > RIGHT {
        ((x - 3.0 - w).max(LEFT), w)
    } else {
        (x + 3.0, w)
    }
}

struct Axis {
    from: f64,
    to: f64,
}

impl Axis {
    fn x(&self, t: f64) -> f64 {
        let span = (self.to - self.from).max(1.0);
        LEFT + ((t - self.from) / span).clamp(0.0, 1.0) * (RIGHT - LEFT)
    }
}

fn fill(s: State) -> (&'static str, &'static str) {
    match s {
        State::Running => ("#2e7d32", "#fff"),
        State::Healthy => ("#66bb6a", "#000"),
        State::Provisioning => ("#eceff1", "#000"),
        State::Pending => ("#b0bec5", "#000"),
        State::Initial => ("#b3e5fc", "#000"),
        State::Draining => ("#ffcc80", "#000"),
        State::Stopping => ("#ef9a9a", "#000"),
        State::Stopped => ("#fafafa", "#555"),
    }
}

/// The labels of `marks` in rows: (x, row, text) for each labelled mark.
fn placed(marks: &[Mark], axis: &Axis) -> (Vec<(f64, usize, String)>, usize) {
    let labelled: Vec<&Mark> = marks.iter().filter(|m| !m.label.is_empty()).collect();
    let boxes: Vec<(f64, f64)> = labelled
        .iter()
        .map(|m| label_box(axis.x(m.at), &m.label))
        .collect();
    let rows = stagger(&boxes, 4.0);
    let n = rows.iter().map(|r| r + 1).max().unwrap_or(0);
    let out = labelled
        .iter()
        .zip(&boxes)
        .zip(&rows)
        .map(|((m, b), r)| (b.0, *r, m.label.clone()))
        .collect();
    (out, n)
}

fn mark(svg: &mut String, m: &Mark, axis: &Axis, top: f64, h: f64) {
    let x = axis.x(m.at);
    let bottom = top + h;
    let _ = match m.shape {
        Shape::Tick => write!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#000" stroke-width="1.5"/>"##,
            top - 3.0,
            bottom + 3.0
        ),
        Shape::Bracket => {
            let x0 = axis.x(m.at - m.within);
            write!(
                svg,
                r##"<path d="M{x0:.1} {:.1}V{:.1}H{x:.1}V{:.1}" fill="none" stroke="#000"/><line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#000" stroke-dasharray="2 2"/>"##,
                top + 1.0,
                top - 3.0,
                top + 1.0
            )
        }
        Shape::Up => write!(
            svg,
            r##"<circle cx="{x:.1}" cy="{:.1}" r="3" fill="#2e9e4f" stroke="#000" stroke-width=".5"/>"##,
            bottom - 3.0 - m.level * (h - 6.0)
        ),
        Shape::Error => write!(
            svg,
            r##"<path d="M{:.1} {:.1}l7 7m0 -7l-7 7" stroke="#c62828" stroke-width="2"/>"##,
            x - 3.5,
            top + 1.0
        ),
        Shape::NoAnswer => write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="none" stroke="#c62828" stroke-width="1.5"/>"##,
            x - 3.5,
            top + 1.0
        ),
        Shape::DataOk => write!(
            svg,
            r##"<path d="M{x:.1} {:.1}l5 5l-5 5l-5 -5z" fill="#1565c0" stroke="#000" stroke-width=".5"/>"##,
            top + 3.0
        ),
        Shape::DataBad => write!(
            svg,
            r##"<path d="M{:.1} {:.1}l10 10m0 -10l-10 10" stroke="#c62828" stroke-width="2.5"/>"##,
            x - 5.0,
            top + 3.0
        ),
    };
}

fn lane(svg: &mut String, l: &Lane, axis: &Axis, y: f64) -> f64 {
    let (labels, rows) = placed(&l.marks, axis);
    let top = y + rows as f64 * ROW_H + 4.0;
    let h = if l.kind == LaneKind::Probe {
        PROBE_H
    } else {
        BAR_H
    };
    let _ = write!(
        svg,
        r#"<text class="lane" x="4" y="{:.1}">{}</text>"#,
        top + h / 2.0 + 4.0,
        esc(&l.title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{:.1}" x2="{RIGHT}" y2="{:.1}" stroke="#bbb"/>"##,
        top + h,
        top + h
    );
    for s in &l.spans {
        let (x0, x1) = (axis.x(s.from), axis.x(s.to));
        let (bg, fg) = fill(s.state);
        let _ = write!(
            svg,
            r##"<rect x="{x0:.1}" y="{top:.1}" width="{:.1}" height="{h}" fill="{bg}" stroke="#555" stroke-width=".5"><title>{}</title></rect>"##,
            (x1 - x0).max(0.5),
            s.state.word()
        );
        let word = s.state.word();
        if x1 - x0 > word.len() as f64 * CHAR_W + 6.0 {
            let _ = write!(
                svg,
                r#"<text class="state" x="{:.1}" y="{:.1}" fill="{fg}">{word}</text>"#,
                x0 + 3.0,
                top + h / 2.0 + 3.5
            );
        }
    }
    for m in &l.marks {
        mark(svg, m, axis, top, h);
    }
    if let Some(note) = &l.note {
        let _ = write!(
            svg,
            r#"<text class="state" x="{:.1}" y="{:.1}">{}</text>"#,
            LEFT + 3.0,
            top + h / 2.0 + 3.5,
            esc(note)
        );
    }
    for (x, row, text) in labels {
        let _ = write!(
            svg,
            r#"<text class="lbl" x="{x:.1}" y="{:.1}">{}</text>"#,
            y + (row + 1) as f64 * ROW_H - 2.0,
            esc(&text)
        );
    }
    top + h + GAP
}

/// A step for the axis's ticks: about a dozen at most.
fn tick_step(span: f64) -> f64 {
    [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
    ]
    .into_iter()
    .find(|s| span / s <= 12.0)
    .unwrap_or(3600.0)
}

pub fn swimlane(st: &Story) -> String {
    let axis = Axis {
        from: st.from,
        to: st.to,
    };
    let mut body = String::new();
    // The header: where zero is, and each outage's length.
    let zero = if st.zero_is_stop {
        "0 s restart requested"
    } else {
        "0 s drill start (no restart)"
    };
    let mut heads: Vec<(f64, String)> = vec![(0.0, zero.to_string())];
    heads.extend(
        st.outages
            .iter()
            .map(|(a, b)| (*a, format!("outage {:.1} s", b - a))),
    );
    let boxes: Vec<(f64, f64)> = heads
        .iter()
        .map(|(t, s)| label_box(axis.x(*t), s))
        .collect();
    let rows = stagger(&boxes, 4.0);
    let head_rows = rows.iter().map(|r| r + 1).max().unwrap_or(1);
    for ((_, text), (b, r)) in heads.iter().zip(boxes.iter().zip(&rows)) {
        let _ = write!(
            body,
            r#"<text class="lbl head" x="{:.1}" y="{:.1}">{}</text>"#,
            b.0,
            (r + 1) as f64 * ROW_H - 2.0,
            esc(text)
        );
    }
    let lanes_top = head_rows as f64 * ROW_H + 4.0;
    let mut lanes_svg = String::new();
    let mut y = lanes_top;
    for l in &st.lanes {
        y = lane(&mut lanes_svg, l, &axis, y);
    }
    let lanes_bottom = y - GAP;
    // The outages behind the lanes, hatched: they read without colour.
    for (a, b) in &st.outages {
        let (x0, x1) = (axis.x(*a), axis.x(*b));
        let _ = write!(
            body,
            r##"<rect class="outage" x="{x0:.1}" y="{lanes_top:.1}" width="{:.1}" height="{:.1}" fill="url(#hatch)" stroke="#c62828" stroke-dasharray="4 2"><title>no answer through the load balancer: {:.1} s</title></rect>"##,
            (x1 - x0).max(1.0),
            lanes_bottom - lanes_top,
            b - a
        );
    }
    let zx = axis.x(0.0);
    let _ = write!(
        body,
        r##"<line x1="{zx:.1}" y1="{:.1}" x2="{zx:.1}" y2="{lanes_bottom:.1}" stroke="#000" stroke-dasharray="5 3"/>"##,
        lanes_top - 4.0
    );
    body.push_str(&lanes_svg);
    // The axis: seconds from zero.
    let step = tick_step(st.to - st.from);
    let ay = lanes_bottom + 4.0;
    let _ = write!(
        body,
        r##"<line x1="{LEFT}" y1="{ay:.1}" x2="{RIGHT}" y2="{ay:.1}" stroke="#000"/>"##
    );
    let mut t = (st.from / step).ceil() * step;
    while t <= st.to + 1e-9 {
        let x = axis.x(t);
        // Never "-0".
        let t_label = if t.abs() < 1e-9 { 0.0 } else { t };
        let _ = write!(
            body,
            r##"<line x1="{x:.1}" y1="{ay:.1}" x2="{x:.1}" y2="{:.1}" stroke="#000"/><text class="tick" x="{x:.1}" y="{:.1}">{t_label:.0}</text>"##,
            ay + 4.0,
            ay + 15.0
        );
        t += step;
    }
    let _ = write!(
        body,
        r#"<text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
        (LEFT + RIGHT) / 2.0,
        ay + 28.0,
        if st.zero_is_stop {
            "seconds from the restart request"
        } else {
            "seconds from the drill's start"
        }
    );
    let legend_y = ay + 44.0;
    body.push_str(&legend(legend_y));
    let height = legend_y + 24.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="story" viewBox="0 0 {WIDTH} {height:.0}" width="100%" role="img" aria-label="the drill on one time axis: tasks, targets, probe and data"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#c62828" fill-opacity=".08"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c62828" stroke-opacity=".45" stroke-width="2"/></pattern></defs><style>text{{font-family:monospace;font-size:10px}}.lane{{font-family:system-ui,sans-serif;font-size:11px;font-weight:bold}}.tick{{text-anchor:middle}}.head{{font-weight:bold}}</style>{body}</svg>"##
    )
}

/// What each shape means, in a row under the axis.
fn legend(y: f64) -> String {
    let mut s = String::new();
    let items: [(Shape, &str); 7] = [
        (Shape::Tick, "AWS's time"),
        (Shape::Bracket, "seen by a poll (within)"),
        (Shape::Up, "probe up (height: latency)"),
        (Shape::Error, "other status"),
        (Shape::NoAnswer, "no answer"),
        (Shape::DataOk, "marker step done"),
        (Shape::DataBad, "marker step failed"),
    ];
    // Each shape drawn on an axis in pixels, then moved to its place.
    let axis = Axis {
        from: LEFT,
        to: RIGHT,
    };
    let at = LEFT + 10.0;
    let mut x = 8.0;
    for (shape, words) in items {
        let m = Mark {
            at,
            within: 8.0,
            shape,
            label: String::new(),
            level: 0.5,
        };
        let mut g = String::new();
        mark(&mut g, &m, &axis, y - 10.0, 14.0);
        let _ = write!(
            s,
            r#"<g transform="translate({:.1} 0)">{g}</g><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0 - at,
            x + 14.0,
            y + 1.0,
            esc(words)
        );
        x += 14.0 + words.chars().count() as f64 * CHAR_W + 14.0;
    }
    s
}

#[cfg(test)]
mod tests;
