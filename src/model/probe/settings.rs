//! The probe's settings: what the screen may show of them, what only the
//! prober may know (headers, the proxy), and the checks of the values an
//! operator writes.

use std::time::Duration;

use super::Expect;

/// The probe's settings, as the screen describes them (never the headers,
/// never the proxy's address, which may carry a password).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeInfo {
    /// The base URL given by `--probe-url` / `[probe] url`; None: found
    /// from the load balancer.
    pub url: Option<String>,
    pub path: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub expect: Expect,
    pub reuse_connections: bool,
    pub via_proxy: bool,
    pub insecure_tls: bool,
    pub served_by_header: Option<String>,
    /// `[probe.headers]` are set (their names and values stay in
    /// `ProbeConfig`): the URL found from the load balancer is its HTTPS
    /// listener when it has one, so they never cross the network in clear.
    pub secret_headers: bool,
}

impl Default for ProbeInfo {
    fn default() -> Self {
        ProbeInfo {
            url: None,
            path: "/goals".into(),
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            expect: Expect::default(),
            reuse_connections: false,
            via_proxy: false,
            insecure_tls: false,
            served_by_header: None,
            secret_headers: false,
        }
    }
}

/// Everything the prober needs; `info` is what the screen may show, the
/// rest (headers, the proxy's address) it must not.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeConfig {
    pub info: ProbeInfo,
    pub headers: Vec<(String, crate::model::secret::Secret)>,
    pub proxy: Option<crate::model::secret::Secret>,
    /// A JSON pointer to the array whose length is the record count.
    pub count_pointer: String,
    /// The most of an answer read: past it, the count is a lower bound.
    pub read_limit: usize,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            info: ProbeInfo::default(),
            headers: Vec::new(),
            proxy: None,
            count_pointer: "/goals".into(),
            read_limit: READ_LIMIT,
        }
    }
}

/// The probe's default read limit: a page of a list API counts whole; a
/// 50 MB list is read to its first MiB once a second, not all of it.
pub const READ_LIMIT: usize = 1 << 20;
/// What `read_limit` may be set to.
pub const READ_LIMITS: (usize, usize) = (4 << 10, 64 << 20);

/// A size such as `1MiB`, `256KiB` or `65536` (bytes), within
/// `READ_LIMITS`.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let scale: usize = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        _ => {
            return Err(format!(
                "{s:?} is not a size: write a number and KiB or MiB, such as 1MiB"
            ));
        }
    };
    let bytes = n
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| {
            format!("{s:?} is not a size: write a number and KiB or MiB, such as 1MiB")
        })?;
    if bytes < READ_LIMITS.0 || bytes > READ_LIMITS.1 {
        return Err(format!(
            "must be between {}KiB and {}MiB",
            READ_LIMITS.0 >> 10,
            READ_LIMITS.1 >> 20
        ));
    }
    Ok(bytes)
}

/// `http://` or `https://`, a host, an optional port and path prefix; no
/// query, no credentials. Returned without a trailing slash.
pub fn check_base_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    let rest = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))
        .ok_or_else(|| {
            format!("{s:?}: write the base URL with its scheme, such as https://api.example.com")
        })?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!(
            "{s:?}: no credentials in the URL; send them with [probe] headers"
        ));
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || authority.starts_with('[') => {
            if !port.is_empty() && port.parse::<u16>().is_err() && !authority.ends_with(']') {
                return Err(format!("{s:?}: {port:?} is not a port"));
            }
            h
        }
        _ => authority,
    };
    if host.is_empty() {
        return Err(format!("{s:?} names no host"));
    }
    if t.contains('?') || t.contains('#') {
        return Err(format!(
            "{s:?}: give the base URL without a query; the path is [probe] path"
        ));
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{s:?}: a URL holds no spaces"));
    }
    Ok(t.trim_end_matches('/').to_string())
}

/// An HTTP header name as RFC 9110 allows it (a token).
pub fn check_header_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a valid HTTP header name"))
    }
}

/// A header value without the control characters HTTP forbids. The value
/// itself is never repeated: it may be a secret.
pub fn check_header_value(name: &str, value: &str) -> Result<(), String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!(
            "the value of header {name:?} holds characters HTTP forbids"
        ));
    }
    Ok(())
}
