//! A goals API on loopback for the drill's tests: it keeps its records,
//! loses them on restart, echoes, or is another copy of the service.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use chrono::Utc;

use super::{NEW, OLD};

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Api {
    /// Records survive the restart.
    Keeps,
    /// The restart empties the store (per-task storage).
    Loses,
    /// Answers every request with the request itself.
    Echoes,
    /// Keeps its records, but is not this service: the hand-set URL
    /// reaches another copy of the API, which never goes down.
    Decoy,
    /// Keeps its records, and takes a second to answer a write.
    SlowWrite,
    /// Keeps its records; the API container has no health check, so AWS
    /// reports its health UNKNOWN for ever.
    NoApiCheck,
    /// After the restart, every read answers 200 with an HTML page (a
    /// maintenance page in front of the API).
    HtmlAfter,
}

#[derive(Default)]
pub(super) struct World {
    pub(super) records: Vec<(u32, String)>,
    pub(super) next_id: u32,
    /// When StopTask was accepted.
    pub(super) stopped_at: Option<chrono::DateTime<Utc>>,
    /// Requests seen, first line only.
    pub(super) seen: Vec<String>,
}

pub(super) type Shared = Arc<Mutex<World>>;

pub(super) fn lock(w: &Shared) -> std::sync::MutexGuard<'_, World> {
    w.lock().unwrap_or_else(|p| p.into_inner())
}

async fn request(sock: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).to_string()
}

pub(super) async fn api(kind: Api, world: Shared) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = l.accept().await else {
                return;
            };
            let world = world.clone();
            tokio::spawn(async move {
                let req = request(&mut sock).await;
                let first = req.lines().next().unwrap_or("").to_string();
                if kind == Api::SlowWrite && first.starts_with("POST") {
                    lock(&world).seen.push("POST held".into());
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                let body = req.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
                let (status, json) = {
                    let mut w = lock(&world);
                    w.seen.push(first.clone());
                    let goals = |w: &World| serde_json::json!({"goals": w.records.iter().map(|(id, t)| serde_json::json!({"id": id.to_string(), "text": t})).collect::<Vec<_>>()});
                    match kind {
                        Api::Echoes => (
                            "200 OK",
                            serde_json::json!({"goals": [{"id": "1", "text": req}]}),
                        ),
                        _ if first.starts_with("GET /goals") => ("200 OK", goals(&w)),
                        _ if first.starts_with("POST /goals") => {
                            let text = serde_json::from_str::<serde_json::Value>(&body)
                                .ok()
                                .and_then(|v| v["text"].as_str().map(String::from))
                                .unwrap_or_default();
                            w.next_id += 1;
                            let id = w.next_id;
                            w.records.push((id, text.clone()));
                            (
                                "201 Created",
                                serde_json::json!({"goal": {"id": id.to_string(), "text": text}}),
                            )
                        }
                        _ if first.starts_with("DELETE /goals/") => {
                            let id: u32 = first
                                .split_whitespace()
                                .nth(1)
                                .and_then(|p| p.rsplit('/').next())
                                .and_then(|i| i.parse().ok())
                                .unwrap_or(0);
                            let before = w.records.len();
                            w.records.retain(|(i, _)| *i != id);
                            if w.records.len() < before {
                                ("200 OK", serde_json::json!({"message": "deleted"}))
                            } else {
                                (
                                    "404 Not Found",
                                    serde_json::json!({"message": "no such goal"}),
                                )
                            }
                        }
                        _ => ("404 Not Found", serde_json::json!({})),
                    }
                };
                if kind == Api::HtmlAfter
                    && first.starts_with("GET")
                    && lock(&world).stopped_at.is_some()
                {
                    let page = "<!DOCTYPE html><html><body>Down for maintenance</body></html>";
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nx-served-by: {NEW}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                        page.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    return;
                }
                let served = match (kind, lock(&world).stopped_at.is_some()) {
                    (Api::Decoy, _) => "elsewhere",
                    (_, true) => NEW,
                    (_, false) => OLD,
                };
                let body = json.to_string();
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nx-served-by: {served}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}
