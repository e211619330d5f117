//! The HTTP probe's samples and what they add up to: the outcome of each
//! request through the load balancer, availability over windows, outages,
//! and the rule that turns failures into a verdict. Pure: the prober
//! (`crate::probe`) makes samples, everything else reads them.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

use super::Time;

mod count;
mod settings;
pub use count::{Count, count_start, count_whole};
pub use settings::*;

/// An hour of samples at the default 1 s interval.
pub const RING: usize = 3600;

/// Failed samples in a row before the probe calls the service down: one
/// failed request never turns the header red.
pub const DOWN_AFTER: u32 = 3;

/// …or failures spanning this long (at a slow interval three samples take
/// a while).
pub const DOWN_FOR: Duration = Duration::from_secs(3);

/// Why a request got no HTTP answer, told apart because each points
/// somewhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    Dns,
    Refused,
    ConnectTimeout,
    Tls,
    Reset,
    Timeout,
    Other,
}

impl ErrorClass {
    pub fn word(self) -> &'static str {
        match self {
            ErrorClass::Dns => "dns",
            ErrorClass::Refused => "refused",
            ErrorClass::ConnectTimeout => "connect timeout",
            ErrorClass::Tls => "tls",
            ErrorClass::Reset => "reset",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Other => "error",
        }
    }

    /// No connection was ever made: what a URL not reachable from this
    /// host looks like (a private load balancer seen from outside its
    /// VPC, a security group that does not let this host in).
    pub fn before_connecting(self) -> bool {
        matches!(
            self,
            ErrorClass::Dns | ErrorClass::Refused | ErrorClass::ConnectTimeout | ErrorClass::Tls
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The HTTP status the load balancer (or the API behind it) answered.
    Http(u16),
    Failed(ErrorClass),
}

impl Outcome {
    /// `200`, `503`, `connect timeout`: what JSON and the pane print.
    pub fn label(self) -> String {
        match self {
            Outcome::Http(code) => code.to_string(),
            Outcome::Failed(c) => c.word().to_string(),
        }
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Outcome::Http(code) => s.serialize_u16(*code),
            Outcome::Failed(c) => c.serialize(s),
        }
    }
}

/// As written: a status code, or the error's class (a report read back).
impl<'de> serde::Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written {
            Code(u16),
            Class(ErrorClass),
        }
        Ok(match Written::deserialize(d)? {
            Written::Code(c) => Outcome::Http(c),
            Written::Class(c) => Outcome::Failed(c),
        })
    }
}

/// What an answer means, in words, beside the code: the ALB's own codes
/// first, since they say where the request died.
pub fn meaning(outcome: Outcome, timeout: Duration) -> String {
    let s = match outcome {
        Outcome::Http(503) => "no healthy targets (the task is down or draining)",
        Outcome::Http(502) => {
            "the target closed the connection or failed (a dying task, or the API's keep-alive shorter than the ALB idle timeout)"
        }
        Outcome::Http(504) => "the target did not answer in time",
        Outcome::Http(500) => "the API failed (see its logs)",
        Outcome::Http(401 | 403) => "refused: does the API need [probe] headers?",
        Outcome::Http(404) => "no such path: check [probe] path",
        Outcome::Http(c) if (300..400).contains(&c) => "a redirect, not followed",
        Outcome::Http(_) => "",
        Outcome::Failed(ErrorClass::Dns) => "the name does not resolve from this host",
        Outcome::Failed(ErrorClass::Refused) => "nothing listens on that port",
        Outcome::Failed(ErrorClass::ConnectTimeout) => {
            "no answer to the connection (a private load balancer, or a security group that does not let this host in)"
        }
        Outcome::Failed(ErrorClass::Tls) => "the TLS handshake failed",
        Outcome::Failed(ErrorClass::Reset) => "the connection was reset or closed mid-answer",
        Outcome::Failed(ErrorClass::Timeout) => {
            return format!("no answer within {}", humantime::format_duration(timeout));
        }
        Outcome::Failed(ErrorClass::Other) => "the request failed",
    };
    s.to_string()
}

/// Which status codes count as up: `2xx`, `200`, `200-399`, `200,204,3xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    text: String,
    ranges: Vec<(u16, u16)>,
}

impl Default for Expect {
    fn default() -> Self {
        Expect {
            text: "2xx".into(),
            ranges: vec![(200, 299)],
        }
    }
}

impl Expect {
    pub fn parse(s: &str) -> Result<Expect, String> {
        let mut ranges = Vec::new();
        let code = |t: &str| -> Result<u16, String> {
            t.parse::<u16>()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(|| format!("{t:?} is not an HTTP status code (100 to 599)"))
        };
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let lower = part.to_ascii_lowercase();
            if let Some(d) = lower.strip_suffix("xx")
                && d.len() == 1
                && let Some(d) = d.chars().next().and_then(|c| c.to_digit(10))
                && (1..=5).contains(&d)
            {
                let base = d as u16 * 100;
                ranges.push((base, base + 99));
            } else if let Some((a, b)) = part.split_once('-') {
                let (a, b) = (code(a.trim())?, code(b.trim())?);
                if a > b {
                    return Err(format!("{part:?}: the range goes down"));
                }
                ranges.push((a, b));
            } else {
                let c = code(part)?;
                ranges.push((c, c));
            }
        }
        if ranges.is_empty() {
            return Err("name at least one code or class, such as 2xx or 200".into());
        }
        Ok(Expect {
            text: s.trim().to_string(),
            ranges,
        })
    }

    pub fn matches(&self, code: u16) -> bool {
        self.ranges.iter().any(|(a, b)| (*a..=*b).contains(&code))
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// One request through the load balancer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// When the request was sent.
    pub at: Time,
    pub outcome: Outcome,
    /// The answer matched `expect`.
    pub up: bool,
    /// Send to last byte of the body (or to the failure).
    pub total_ms: u32,
    /// DNS, TCP and TLS; None when a kept connection was reused.
    pub connect_ms: Option<u32>,
    /// Send to the response headers.
    pub first_byte_ms: Option<u32>,
    /// How many records the answer holds (`count_pointer`).
    pub records: Option<u32>,
    /// The answer was longer than `read_limit`: `records` is how many its
    /// start holds, and there are at least that many.
    pub records_at_least: bool,
    /// The task that served it (`served_by_header`).
    pub served_by: Option<String>,
    /// More on a failure: where a redirect pointed, what TLS said.
    pub detail: Option<String>,
}

impl Sample {
    /// The record count as the probe knows it: exact, or a lower bound.
    pub fn count(&self) -> Option<Count> {
        self.records.map(|n| Count {
            n,
            at_least: self.records_at_least,
        })
    }

    pub fn ended(&self) -> Time {
        self.at + chrono::Duration::milliseconds(i64::from(self.total_ms))
    }
}

/// A run of failed samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    /// The first failed sample.
    pub from: Time,
    /// The first answer that was up again; None while it lasts.
    pub to: Option<Time>,
    pub samples: u32,
    /// The last failure's outcome.
    pub last: Outcome,
    /// Each outcome seen and how often, in order of first sight.
    pub outcomes: Vec<(Outcome, u32)>,
}

impl Outage {
    /// Its length: to the first answer up again, or to `now`.
    pub fn length(&self, now: Time) -> Duration {
        (self.to.unwrap_or(now) - self.from)
            .to_std()
            .unwrap_or_default()
    }
}

/// The samples so far (the last `RING` kept) and their running totals.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    samples: VecDeque<Sample>,
    cap: usize,
    total: u64,
    up: u64,
    answered: bool,
    current: Option<Outage>,
    longest: Option<Outage>,
    /// The most recent outage that ended.
    previous: Option<Outage>,
    last_up: Option<Time>,
}

impl Default for History {
    fn default() -> Self {
        History::with_capacity(RING)
    }
}

impl History {
    pub fn with_capacity(cap: usize) -> History {
        History {
            samples: VecDeque::with_capacity(cap.min(RING)),
            cap: cap.max(1),
            total: 0,
            up: 0,
            answered: false,
            current: None,
            longest: None,
            previous: None,
            last_up: None,
        }
    }

    pub fn push(&mut self, s: Sample) {
        self.total += 1;
        if matches!(s.outcome, Outcome::Http(_)) {
            self.answered = true;
        }
        if s.up {
            self.up += 1;
            self.last_up = Some(s.at);
            if let Some(mut o) = self.current.take() {
                o.to = Some(s.at);
                self.keep_longest(o.clone());
                self.previous = Some(o);
            }
        } else {
            let o = self.current.get_or_insert_with(|| Outage {
                from: s.at,
                to: None,
                samples: 0,
                last: s.outcome,
                outcomes: Vec::new(),
            });
            o.samples += 1;
            o.last = s.outcome;
            match o.outcomes.iter_mut().find(|(k, _)| *k == s.outcome) {
                Some((_, n)) => *n += 1,
                None => o.outcomes.push((s.outcome, 1)),
            }
        }
        if self.samples.len() == self.cap {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }

    fn keep_longest(&mut self, o: Outage) {
        let longer = match &self.longest {
            Some(l) => o.length(o.from) > l.length(l.from),
            None => true,
        };
        if longer {
            self.longest = Some(o);
        }
    }

    pub fn last(&self) -> Option<&Sample> {
        self.samples.back()
    }

    pub fn samples(&self) -> impl DoubleEndedIterator<Item = &Sample> + ExactSizeIterator {
        self.samples.iter()
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Some request got an HTTP answer: the URL is reachable from here.
    pub fn answered(&self) -> bool {
        self.answered
    }

    pub fn current_outage(&self) -> Option<&Outage> {
        self.current.as_ref()
    }

    /// The most recent outage that has ended.
    pub fn previous_outage(&self) -> Option<&Outage> {
        self.previous.as_ref()
    }

    /// The longest outage so far, the one still going included.
    pub fn longest_outage(&self, now: Time) -> Option<Duration> {
        let closed = self.longest.as_ref().map(|o| o.length(o.from));
        let open = self.current.as_ref().map(|o| o.length(now));
        closed.max(open)
    }

    /// Share of samples up since the first, in percent.
    pub fn availability_total(&self) -> Option<f64> {
        (self.total > 0).then(|| self.up as f64 * 100.0 / self.total as f64)
    }

    /// Share of the samples sent in the last `window` that were up.
    pub fn availability(&self, now: Time, window: Duration) -> Option<f64> {
        let since = now - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
        let (mut n, mut up) = (0u32, 0u32);
        for s in self.samples.iter().rev().take_while(|s| s.at >= since) {
            n += 1;
            up += u32::from(s.up);
        }
        (n > 0).then(|| f64::from(up) * 100.0 / f64::from(n))
    }

    /// The probe says the service is down: `DOWN_AFTER` failures in a row,
    /// or failures over `DOWN_FOR`; and only once the URL has answered at
    /// all, since a URL never reachable from here says nothing about the
    /// service.
    pub fn down(&self) -> Option<&Outage> {
        if !self.answered {
            return None;
        }
        let o = self.current.as_ref()?;
        let last_end = self.samples.back().map(Sample::ended)?;
        let span = (last_end - o.from).to_std().unwrap_or_default();
        (o.samples >= DOWN_AFTER || (o.samples >= 2 && span >= DOWN_FOR)).then_some(o)
    }

    /// No request has got an HTTP answer, and enough have been tried to
    /// say so: the URL is not reachable from this host.
    pub fn unreachable(&self) -> Option<ErrorClass> {
        if self.answered || self.total < u64::from(DOWN_AFTER) {
            return None;
        }
        match self.samples.back()?.outcome {
            Outcome::Failed(c) if c.before_connecting() => Some(c),
            _ => None,
        }
    }

    /// Bytes the ring holds, roughly: for the memory figure.
    pub fn approx_bytes(&self) -> usize {
        let heap: usize = self
            .samples
            .iter()
            .map(|s| {
                s.served_by.as_ref().map_or(0, String::capacity)
                    + s.detail.as_ref().map_or(0, String::capacity)
            })
            .sum();
        self.samples.capacity() * std::mem::size_of::<Sample>() + heap
    }
}

/// How the probe stands, in one line: the state word, then the details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    pub state: Standing,
    /// `UP 200`, `DOWN 503`, `FAILING timeout`, `NOT REACHABLE`.
    pub head: String,
    /// `in 12 ms (connect 3 ms) · 4 records · served by 6299e51e`, or
    /// `for 8 s — no healthy targets (…)`.
    pub rest: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Up,
    /// Failing, not yet for long enough to call it down.
    Failing,
    Down,
    /// Never reached from this host.
    Unreachable,
}

/// A task id is shown by its first 8 characters, as everywhere else.
pub fn short_served(s: &str) -> &str {
    if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        &s[..8]
    } else {
        s
    }
}

/// The probe's state at a glance, for the pane and `status`.
pub fn glance(h: &History, timeout: Duration) -> Option<Glance> {
    let last = h.last()?;
    if let Some(class) = h.unreachable() {
        return Some(Glance {
            state: Standing::Unreachable,
            head: "NOT REACHABLE".into(),
            rest: format!(
                "from this host: {} ×{} — {}",
                class.word(),
                h.total(),
                meaning(last.outcome, timeout)
            ),
        });
    }
    if last.up {
        let mut rest = format!("in {} ms", last.total_ms);
        if let Some(c) = last.connect_ms {
            rest.push_str(&format!(" (connect {c} ms)"));
        }
        if let Some(c) = last.count() {
            rest.push_str(&format!(" · {c} record{}", if c.n == 1 { "" } else { "s" }));
        }
        if let Some(b) = &last.served_by {
            rest.push_str(&format!(" · served by {}", short_served(b)));
            // Who served before: the audience sees the new task take over.
            if let Some(before) = h
                .samples()
                .rev()
                .filter_map(|s| s.served_by.as_deref())
                .find(|s| s != b)
            {
                rest.push_str(&format!(" (was {})", short_served(before)));
            }
        }
        return Some(Glance {
            state: Standing::Up,
            head: format!("UP {}", last.outcome.label()),
            rest,
        });
    }
    let o = h.current_outage()?;
    let secs = (last.ended() - o.from).num_seconds().max(0);
    let why = meaning(last.outcome, timeout);
    let mut rest = if h.down().is_some() {
        format!("for {secs} s")
    } else {
        format!("{} in a row", o.samples)
    };
    if !why.is_empty() {
        rest.push_str(&format!(" — {why}"));
    }
    if let Some(d) = &last.detail {
        rest.push_str(&format!(" ({d})"));
    }
    let down = h.down().is_some();
    Some(Glance {
        state: if down {
            Standing::Down
        } else {
            Standing::Failing
        },
        head: format!(
            "{} {}",
            if down { "DOWN" } else { "FAILING" },
            last.outcome.label()
        ),
        rest,
    })
}

/// The URL the probe requests: the base (scheme, host, port, optional
/// prefix) and the path, with exactly one slash between them.
pub fn join_url(base: &str, path: &str) -> String {
    let path = path.trim_start_matches('/');
    format!("{}/{path}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests;
