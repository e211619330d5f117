//! The HTTP probe: one request through the load balancer per interval, the
//! way the API's users reach it, classified into a `model::probe::Sample`.
//! A fresh connection per sample by default (a dead load balancer node or
//! a connect failure must show); never a proxy unless one is configured
//! (a bastion's HTTPS_PROXY would measure the proxy); never following a
//! redirect to another host; TLS verified unless explicitly told not to.

use std::error::Error as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{mpsc, watch};

use crate::model::observe::{Observation, PollEvent, ProbeResult, Resource};
use crate::model::probe::{
    ErrorClass, Outcome, ProbeConfig, Sample, count_start, count_whole, join_url,
};
use crate::model::sanitize::clean;
use crate::poll::runner::{Control, Fixed};

/// When the connector of the current request started and how long it
/// took: the connect time, apart from the time to first byte.
#[derive(Debug, Default)]
struct ConnectTimes {
    started: Option<Instant>,
    took: Option<Duration>,
}

type Slot = Arc<Mutex<ConnectTimes>>;

fn slot(s: &Slot) -> std::sync::MutexGuard<'_, ConnectTimes> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// A tower layer around reqwest's connector (DNS, TCP, TLS) that times it.
#[derive(Clone)]
struct Timing(Slot);

impl<S> tower_layer::Layer<S> for Timing {
    type Service = Timed<S>;
    fn layer(&self, inner: S) -> Timed<S> {
        Timed {
            inner,
            slot: self.0.clone(),
        }
    }
}

#[derive(Clone)]
struct Timed<S> {
    inner: S,
    slot: Slot,
}

impl<S, R> tower_service::Service<R> for Timed<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let start = Instant::now();
        slot(&self.slot).started = Some(start);
        let fut = self.inner.call(req);
        let s = self.slot.clone();
        Box::pin(async move {
            let r = fut.await;
            if r.is_ok() {
                slot(&s).took = Some(start.elapsed());
            }
            r
        })
    }
}

pub struct Prober {
    client: reqwest::Client,
    times: Slot,
    cfg: ProbeConfig,
}

/// The configured headers, checked as HTTP allows them.
pub fn header_map(headers: &[(String, crate::model::secret::Secret)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| format!("header name {k:?} is not a valid HTTP header name"))?;
        let mut value = HeaderValue::from_str(v.expose())
            .map_err(|_| format!("the value of header {k:?} holds characters HTTP forbids"))?;
        value.set_sensitive(true);
        map.insert(name, value);
    }
    Ok(map)
}

impl Prober {
    pub fn new(cfg: ProbeConfig) -> Result<Prober, String> {
        let times: Slot = Arc::default();
        let info = &cfg.info;
        let mut headers = header_map(&cfg.headers)?;
        let secret_headers = !cfg.headers.is_empty();
        // A cache between here and the API must not answer for it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        let mut b = reqwest::Client::builder()
            .user_agent(concat!("ecsdeck/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(info.timeout)
            .connect_timeout(info.timeout)
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                let first = attempt.previous().first();
                // With secret headers, a redirect may not change the scheme,
                // the host or the port: reqwest strips only Authorization
                // and Cookie, so an X-Api-Key would follow to http:// or to
                // another port in clear. Without them, the host is enough.
                let stays = if secret_headers {
                    first.map(|u| u.origin()) == Some(attempt.url().origin())
                } else {
                    first.and_then(|u| u.host_str()) == attempt.url().host_str()
                };
                if attempt.previous().len() >= 5 || !stays {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .connector_layer(Timing(times.clone()))
            .tls_danger_accept_invalid_certs(info.insecure_tls);
        b = match &cfg.proxy {
            Some(p) => b.proxy(
                reqwest::Proxy::all(p.expose())
                    .map_err(|_| "[probe] proxy is not a valid proxy URL".to_string())?,
            ),
            None => b.no_proxy(),
        };
        if !info.reuse_connections {
            b = b.pool_max_idle_per_host(0);
        }
        let client = b
            .build()
            .map_err(|e| format!("cannot set up the probe's HTTP client: {e}"))?;
        Ok(Prober { client, times, cfg })
    }

    /// One request to `url`; never fails: a failure is a sample too.
    pub async fn sample(&self, url: &str) -> Sample {
        *slot(&self.times) = ConnectTimes::default();
        let at = crate::clock::now();
        let start = Instant::now();
        let mut s = Sample {
            at,
            outcome: Outcome::Failed(ErrorClass::Other),
            up: false,
            total_ms: 0,
            connect_ms: None,
            first_byte_ms: None,
            records: None,
            records_at_least: false,
            served_by: None,
            detail: None,
        };
        match self.client.get(url).send().await {
            Err(e) => {
                let (class, detail) = self.classify(&e);
                s.outcome = Outcome::Failed(class);
                s.detail = detail;
            }
            Ok(mut resp) => {
                s.first_byte_ms = Some(ms(start.elapsed()));
                let code = resp.status().as_u16();
                s.outcome = Outcome::Http(code);
                if let Some(name) = &self.cfg.info.served_by_header {
                    s.served_by = resp
                        .headers()
                        .get(name.as_str())
                        .and_then(|v| v.to_str().ok())
                        .map(|v| clean(&v.chars().take(64).collect::<String>()))
                        .filter(|v| !v.is_empty());
                }
                if (300..400).contains(&code) {
                    s.detail = resp
                        .headers()
                        .get(header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| format!("to {}", redirect_target(v)));
                }
                let limit = self.cfg.read_limit;
                let mut body: Vec<u8> = Vec::new();
                let mut read = Read::Whole;
                loop {
                    match resp.chunk().await {
                        Ok(Some(c)) => {
                            let room = limit - body.len();
                            if c.len() > room {
                                // Enough to count a lower bound; dropping
                                // the answer closes the connection, so the
                                // rest is never sent.
                                body.extend_from_slice(&c[..room]);
                                read = Read::Start;
                                break;
                            }
                            body.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            // Headers came, the body did not: the answer
                            // is not whole, so it is no answer.
                            let (class, detail) = self.classify(&e);
                            s.outcome = Outcome::Failed(class);
                            s.detail = detail;
                            read = Read::Broken;
                            break;
                        }
                    }
                }
                let count = match read {
                    Read::Whole => count_whole(&body, &self.cfg.count_pointer),
                    Read::Start => count_start(&body, &self.cfg.count_pointer),
                    Read::Broken => None,
                };
                s.records = count.map(|c| c.n);
                s.records_at_least = count.is_some_and(|c| c.at_least);
                s.up = matches!(s.outcome, Outcome::Http(c) if self.cfg.info.expect.matches(c));
            }
        }
        s.total_ms = ms(start.elapsed());
        s.connect_ms = slot(&self.times).took.map(ms);
        s
    }

    fn classify(&self, e: &reqwest::Error) -> (ErrorClass, Option<String>) {
        let t = slot(&self.times);
        let connecting = t.started.is_some() && t.took.is_none();
        drop(t);
        classify(e, connecting)
    }
}

fn ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// How much of an answer was read.
enum Read {
    Whole,
    /// Its first `read_limit` bytes.
    Start,
    /// It broke off: no answer.
    Broken,
}

/// Where a redirect points, to show: its query (a presigned URL's
/// signature, a session token) as `?…`, and at most 200 characters.
pub fn redirect_target(location: &str) -> String {
    let (path, query) = match location.split_once('?') {
        Some((p, _)) => (p, true),
        None => (location, false),
    };
    let mut shown = clean(&path.chars().take(200).collect::<String>());
    if query {
        shown.push_str("?…");
    }
    shown
}

/// Which failure it was, from the error and what the connector was doing.
fn classify(e: &reqwest::Error, connecting: bool) -> (ErrorClass, Option<String>) {
    let what = Signs {
        timeout: e.is_timeout(),
        connect: e.is_connect(),
        dns: e.is_dns(),
        connecting,
    };
    classify_chain(what, e.source(), &e.to_string())
}

/// What reqwest says about a failure, and whether the connector (DNS,
/// TCP, TLS) was still at work when it happened.
#[derive(Debug, Clone, Copy, Default)]
struct Signs {
    timeout: bool,
    connect: bool,
    dns: bool,
    connecting: bool,
}

/// The error class from the signs and the chain of causes: the io error
/// kind, a rustls error, hyper's "closed before the answer was complete".
fn classify_chain(
    what: Signs,
    mut source: Option<&(dyn std::error::Error + 'static)>,
    text: &str,
) -> (ErrorClass, Option<String>) {
    if what.timeout {
        let class = if what.connecting || what.connect {
            ErrorClass::ConnectTimeout
        } else {
            ErrorClass::Timeout
        };
        return (class, None);
    }
    if what.dns {
        return (ErrorClass::Dns, None);
    }
    let mut causes = Vec::new();
    while let Some(err) = source {
        causes.push(err.to_string());
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return (ErrorClass::Tls, Some(clean(&tls.to_string())));
        }
        if let Some(outer) = err.downcast_ref::<std::io::Error>() {
            // The TLS stack wraps its error in an io error, which the
            // connector wraps in another: look inside each.
            let mut io = outer;
            while let Some(inner) = io.get_ref() {
                if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                    return (ErrorClass::Tls, Some(clean(&tls.to_string())));
                }
                match inner.downcast_ref::<std::io::Error>() {
                    Some(i) => io = i,
                    None => break,
                }
            }
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionRefused => return (ErrorClass::Refused, None),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
                    return (ErrorClass::Reset, None);
                }
                K::TimedOut if what.connecting => return (ErrorClass::ConnectTimeout, None),
                K::TimedOut => return (ErrorClass::Timeout, None),
                _ => {}
            }
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled() || h.is_closed())
        {
            return (ErrorClass::Reset, None);
        }
        source = err.source();
    }
    let all = causes.join(": ");
    if what.connecting && (all.contains("tls") || all.contains("certificate")) {
        return (ErrorClass::Tls, Some(clean(&all)));
    }
    (
        ErrorClass::Other,
        Some(clean(if all.is_empty() { text } else { &all })),
    )
}

/// Spawns the probe: every `interval`, whatever the last sample said (a
/// sampler must not slow down when what it measures fails), at the URL
/// `url` holds (it waits until there is one). Each sample arrives on `tx`
/// as an observation of `Resource::Probe`.
pub fn spawn(
    ctl: &Control,
    prober: Prober,
    url: watch::Receiver<Option<String>>,
    tx: mpsc::Sender<PollEvent>,
) {
    let prober = Arc::new(prober);
    let path = prober.cfg.info.path.clone();
    let every = prober.cfg.info.interval;
    ctl.spawn(
        url,
        Option::is_some,
        move |base: Option<String>| {
            let prober = prober.clone();
            let url = join_url(base.as_deref().unwrap_or_default(), &path);
            async move {
                // A panic is ecsdeck's failure, never the service's: no
                // sample (it would read as an outage), an error in the
                // pane, and the next sample on time.
                let sample = crate::poll::runner::contained(prober.sample(&url)).await;
                sample.map(|sample| ProbeResult { url, sample })
            }
        },
        Fixed(every),
        move |r: Result<ProbeResult, String>, wait| {
            let tx = tx.clone();
            async move {
                let event = match r {
                    Ok(r) => PollEvent {
                        resource: Resource::Probe,
                        at: r.sample.at,
                        result: Ok(Observation::Probe(Box::new(r))),
                    },
                    Err(p) => PollEvent {
                        resource: Resource::Probe,
                        at: crate::clock::now(),
                        result: Err(crate::model::observe::Failure {
                            error: crate::model::error::CloudError::new(
                                crate::model::error::ErrorKind::Other,
                                "probe",
                                format!("internal error in ecsdeck ({p}); details in the log"),
                            ),
                            retry_in: wait,
                        }),
                    },
                };
                tx.send(event).await.is_ok()
            }
        },
    );
}

#[cfg(test)]
mod tests;
