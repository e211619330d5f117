//! The drill's reads and writes through the load balancer, by the API
//! contract of `[drill]`: write the marker, read it (no cache, a
//! cache-busting query), delete it. Answers become the machine's inputs.

use std::time::Duration;

use reqwest::header::{self, HeaderValue};

use crate::model::drill::machine::{Read, WriteError, read_result};
use crate::model::probe::{ProbeConfig, join_url};
use crate::model::sanitize::clean;

pub use crate::model::drill::Contract;

/// A fresh marker: never seen before, so an endpoint that answers with it
/// before it was written is echoing.
pub fn new_marker() -> String {
    format!("ecsdeck-drill-{:012x}", rand::random::<u64>() >> 16)
}

const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// The most of one answer the drill reads. A list endpoint can be huge
/// (every record ever written); the drill runs on a shared bastion, in
/// the middle of a restart, and must not run it out of memory.
pub const READ_CAP: usize = 16 << 20;

/// The body, read to at most `cap` bytes; None when it is longer (the
/// rest is not read).
async fn capped(mut r: reqwest::Response, cap: usize) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// `id` as one URL path segment: unreserved characters as they are,
/// every other byte percent-encoded. None for an id that names no record
/// (empty, `.` or `..`, which a server resolves to another path).
fn path_segment(id: &str) -> Option<String> {
    if id.is_empty() || id == "." || id == ".." {
        return None;
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    contract: Contract,
    served_by: Option<String>,
}

impl Api {
    /// The client follows the probe's settings (proxy, TLS, headers,
    /// timeout) and never a cache.
    pub fn new(base: &str, probe: &ProbeConfig, contract: Contract) -> Result<Api, String> {
        let mut headers = crate::probe::header_map(&probe.headers)?;
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        let mut b = reqwest::Client::builder()
            .user_agent(concat!("ecsdeck/", env!("CARGO_PKG_VERSION"), " drill"))
            .default_headers(headers)
            .timeout(probe.info.timeout.max(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .tls_danger_accept_invalid_certs(probe.info.insecure_tls);
        b = match &probe.proxy {
            Some(p) => b.proxy(
                reqwest::Proxy::all(p.expose())
                    .map_err(|_| "[probe] proxy is not a valid proxy URL".to_string())?,
            ),
            None => b.no_proxy(),
        };
        Ok(Api {
            client: b
                .build()
                .map_err(|e| format!("cannot set up the drill's HTTP client: {e}"))?,
            base: base.to_string(),
            contract,
            served_by: probe.info.served_by_header.clone(),
        })
    }

    fn url(&self, path: &str) -> String {
        join_url(&self.base, path)
    }

    /// Writes the marker; Ok holds the id from the response, when the
    /// contract says where it is.
    pub async fn write(&self, marker: &str) -> Result<Option<String>, WriteError> {
        let method =
            reqwest::Method::from_bytes(self.contract.write_method.as_bytes()).map_err(|_| {
                WriteError {
                    unknown: false,
                    message: format!("{:?} is not an HTTP method", self.contract.write_method),
                }
            })?;
        let body = self.contract.write_body.replace("{marker}", marker);
        let r = self
            .client
            .request(method, self.url(&self.contract.write_path))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| WriteError {
                // Refused before connecting: certainly not written.
                unknown: !e.is_connect() || e.is_timeout(),
                message: clean(&e.to_string()),
            })?;
        let status = r.status().as_u16();
        let bytes = capped(r, READ_CAP)
            .await
            .map_err(|e| WriteError {
                unknown: true,
                message: clean(&e.to_string()),
            })?
            // Too long to look for the id in: the write is as it answered.
            .unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(WriteError {
                // A 5xx may come after the record was stored (a proxy's
                // timeout, a crash after the insert): its outcome is unknown.
                unknown: status >= 500,
                message: format!("the write answered {status}"),
            });
        }
        let id = self.contract.id_pointer.as_deref().and_then(|p| {
            let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
            match v.pointer(p)? {
                serde_json::Value::String(s) => Some(clean(s)),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        });
        Ok(id)
    }

    /// Reads, bypassing caches, and says whether the marker is there.
    pub async fn read(&self, marker: &str) -> Result<Read, String> {
        let path = &self.contract.read_path;
        let bust = format!(
            "{path}{}ecsdeck={:x}",
            if path.contains('?') { "&" } else { "?" },
            rand::random::<u64>()
        );
        let r = self
            .client
            .get(self.url(&bust))
            .send()
            .await
            .map_err(|e| clean(&e.to_string()))?;
        let status = r.status().as_u16();
        let served_by = self.served_by.as_deref().and_then(|h| {
            r.headers()
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(|v| clean(&v.chars().take(64).collect::<String>()))
        });
        let body = capped(r, READ_CAP)
            .await
            .map_err(|e| clean(&e.to_string()))?;
        let mut read = match body {
            Some(bytes) => read_result(
                status,
                &bytes,
                marker,
                self.contract.marker_pointer.as_deref(),
                self.contract.count_pointer.as_deref(),
            ),
            // Neither found nor missing: what was not read says nothing.
            None => Read {
                status: Some(status),
                found: false,
                count: None,
                served_by: None,
                unreadable: Some(format!(
                    "the answer is longer than {} MiB, the most the drill reads: neither the marker nor its absence can be told",
                    READ_CAP >> 20
                )),
            },
        };
        read.served_by = served_by;
        Ok(read)
    }

    /// Deletes the marker's record; Err says why it is left.
    /// Deletes the marker, trying again every 2 s for up to `wait` while
    /// the API does not answer or answers 5xx (a drill cancelled during
    /// the outage); a 4xx is final. Deleting twice is harmless.
    pub async fn delete_patiently(
        &self,
        id: &str,
        wait: std::time::Duration,
    ) -> Result<(), String> {
        let until = tokio::time::Instant::now() + wait;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.delete_once(id).await {
                Ok(()) => return Ok(()),
                Err((true, e)) if tokio::time::Instant::now() + RETRY_EVERY < until => {
                    tracing::info!(error = %e, tries, "marker delete: trying again");
                    tokio::time::sleep(RETRY_EVERY).await;
                }
                Err((_, e)) if tries > 1 => return Err(format!("{e} (after {tries} tries)")),
                Err((_, e)) => return Err(e),
            }
        }
    }

    pub async fn delete(&self, id: &str) -> Result<(), String> {
        self.delete_once(id).await.map_err(|(_, e)| e)
    }

    /// One delete; the error says whether trying again may help.
    async fn delete_once(&self, id: &str) -> Result<(), (bool, String)> {
        let Some(path) = &self.contract.delete_path else {
            return Err((
                false,
                "the API has no delete in [drill]: the marker is left".into(),
            ));
        };
        // The id came from the API: it goes in as one path segment,
        // percent-encoded, never cut (`goal:42` is not `goal42`).
        let Some(segment) = path_segment(id) else {
            return Err((
                false,
                format!(
                    "the write's response gave the id {:?}, which names no record: the marker is left",
                    clean(id)
                ),
            ));
        };
        let r = self
            .client
            .delete(self.url(&path.replace("{id}", &segment)))
            .send()
            .await
            .map_err(|e| (true, clean(&e.to_string())))?;
        let status = r.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(match status {
                404 | 410 => (
                    false,
                    format!("already gone (the delete answered {status}): nothing is left behind"),
                ),
                _ => (status >= 500, format!("the delete answered {status}")),
            })
        }
    }
}

#[cfg(test)]
mod tests;
