//! The probe against local HTTP servers started here: what an operator
//! would see for each way a load balancer can answer or fail.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ecsdeck::model::probe::{ErrorClass, Outcome, ProbeConfig, Sample};
use ecsdeck::probe::Prober;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a test server does with a request.
#[derive(Clone)]
enum Answer {
    /// Write these bytes and close.
    Bytes(String),
    /// Wait, then answer.
    Slow(Duration, String),
    /// Reset the connection once the request arrived.
    Reset,
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s
}

async fn read_request(sock: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A server on `host` answering every request with `answer`; returns its
/// address and the requests it got.
async fn server(host: &str, answer: Answer) -> (SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    let l = TcpListener::bind((host, 0)).await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let answer = answer.clone();
            let s = s.clone();
            tokio::spawn(async move {
                let req = read_request(&mut sock).await;
                s.lock().expect("lock").push(req);
                match answer {
                    Answer::Bytes(b) => {
                        let _ = sock.write_all(b.as_bytes()).await;
                    }
                    Answer::Slow(d, b) => {
                        tokio::time::sleep(d).await;
                        let _ = sock.write_all(b.as_bytes()).await;
                    }
                    Answer::Reset => {
                        // Linger 0 sends RST on close, and never blocks.
                        #[allow(deprecated)]
                        let _ = sock.set_linger(Some(Duration::ZERO));
                        drop(sock);
                        return;
                    }
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    (addr, seen)
}

fn config() -> ProbeConfig {
    let mut c = ProbeConfig::default();
    c.info.timeout = Duration::from_millis(800);
    c.info.served_by_header = Some("X-Served-By".into());
    c
}

async fn sample(cfg: ProbeConfig, url: &str) -> Sample {
    Prober::new(cfg).expect("prober").sample(url).await
}

const GOALS: &str = r#"{"goals":[{"id":"1","text":"a"},{"id":"2","text":"b"},{"id":"3","text":"c"},{"id":"4","text":"d"}]}"#;

#[tokio::test]
async fn up_200_with_its_record_count_and_the_serving_task() {
    let (addr, seen) = server(
        "127.0.0.1",
        Answer::Bytes(http(
            "200 OK",
            &[
                ("content-type", "application/json"),
                ("x-served-by", "6299e51e0c2f4c7e9a1b2c3d4e5f6a7b"),
            ],
            GOALS,
        )),
    )
    .await;
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Http(200));
    assert!(s.up);
    assert_eq!(s.records, Some(4));
    assert_eq!(
        s.served_by.as_deref(),
        Some("6299e51e0c2f4c7e9a1b2c3d4e5f6a7b")
    );
    assert!(s.connect_ms.is_some(), "a fresh connection is timed");
    assert!(s.first_byte_ms.is_some_and(|f| f <= s.total_ms));
    let req = seen.lock().expect("lock").join("");
    let req = req.to_ascii_lowercase();
    assert!(
        req.contains(&format!(
            "user-agent: ecsdeck/{}",
            env!("CARGO_PKG_VERSION")
        )),
        "{req}"
    );
    assert!(req.contains("cache-control: no-cache"), "{req}");
}

#[tokio::test]
async fn a_fresh_connection_per_sample_unless_told_to_keep_one() {
    // A keep-alive server: several answers on one connection.
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let conns = Arc::new(AtomicU32::new(0));
    let c = conns.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                loop {
                    let req = read_request(&mut sock).await;
                    if req.is_empty() {
                        return;
                    }
                    let body = GOALS;
                    let r = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(r.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let url = format!("http://{addr}/goals");
    let p = Prober::new(config()).expect("prober");
    for _ in 0..3 {
        assert!(p.sample(&url).await.up);
    }
    assert_eq!(conns.load(Ordering::SeqCst), 3, "one connection per sample");
    let mut keep = config();
    keep.info.reuse_connections = true;
    let p = Prober::new(keep).expect("prober");
    let first = p.sample(&url).await;
    let second = p.sample(&url).await;
    assert_eq!(conns.load(Ordering::SeqCst), 4, "one more, kept");
    assert!(first.connect_ms.is_some());
    assert_eq!(second.connect_ms, None, "reused: no connect time");
}

#[tokio::test]
async fn a_503_is_down_with_its_code() {
    let (addr, _) = server(
        "127.0.0.1",
        Answer::Bytes(http("503 Service Temporarily Unavailable", &[], "")),
    )
    .await;
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Http(503));
    assert!(!s.up);
    assert_eq!(s.records, None);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_not_a_connect_failure() {
    let (addr, _) = server(
        "127.0.0.1",
        Answer::Slow(Duration::from_secs(5), http("200 OK", &[], GOALS)),
    )
    .await;
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Timeout));
    assert!(!s.up);
    assert!((700..2000).contains(&s.total_ms), "{}", s.total_ms);
    assert!(s.connect_ms.is_some(), "connected fine");
}

#[tokio::test]
async fn a_reset_connection_is_a_reset() {
    let (addr, _) = server("127.0.0.1", Answer::Reset).await;
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Reset), "{s:?}");
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Refused), "{s:?}");
    assert_eq!(s.connect_ms, None);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_one_on_the_same_host_is() {
    let (other, other_seen) = server("127.0.0.1", Answer::Bytes(http("200 OK", &[], GOALS))).await;
    // "localhost" is another host name than 127.0.0.1, as a login page on
    // another domain would be.
    let to = format!("http://localhost:{}/login", other.port());
    let (addr, _) = server(
        "127.0.0.1",
        Answer::Bytes(http("302 Found", &[("location", &to)], "")),
    )
    .await;
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Http(302));
    assert!(!s.up);
    assert_eq!(s.detail.as_deref(), Some(format!("to {to}").as_str()));
    assert!(other_seen.lock().expect("lock").is_empty(), "not followed");

    let same = format!("http://{other}/goals");
    let (addr, _) = server(
        "127.0.0.1",
        Answer::Bytes(http("301 Moved Permanently", &[("location", &same)], "")),
    )
    .await;
    let s = sample(config(), &format!("http://{addr}/old")).await;
    assert_eq!(s.outcome, Outcome::Http(200), "same host: followed");
    assert_eq!(s.records, Some(4));
}

/// A TLS server with the self-signed certificate of tests/fixtures/tls.
async fn tls_server() -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(format!("{dir}/cert.pem"))
        .expect("cert")
        .collect::<Result<_, _>>()
        .expect("certs");
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/key.pem")).expect("key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((sock, _)) = l.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                read_request(&mut tls).await;
                let _ = tls.write_all(http("200 OK", &[], GOALS).as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_unless_insecure_tls_is_set() {
    let addr = tls_server().await;
    let url = format!("https://localhost:{}/goals", addr.port());
    let s = sample(config(), &url).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Tls), "{s:?}");
    assert!(!s.up);
    assert!(s.detail.is_some(), "says what TLS said");
    let mut insecure = config();
    insecure.info.insecure_tls = true;
    let s = sample(insecure, &url).await;
    assert_eq!(s.outcome, Outcome::Http(200), "{s:?}");
    assert_eq!(s.records, Some(4));
}

/// A stand-in proxy: answers every request itself, and counts them.
async fn proxy() -> (SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    server(
        "127.0.0.1",
        Answer::Bytes(http("200 OK", &[], r#"{"goals":[]}"#)),
    )
    .await
}

#[tokio::test]
async fn the_environments_proxy_is_never_used_a_configured_one_is() {
    let (px, px_seen) = proxy().await;
    let (addr, seen) = server("127.0.0.1", Answer::Bytes(http("200 OK", &[], GOALS))).await;
    // SAFETY: this test binary's only reader of these variables is the
    // probe, and every test that builds one wants the proxy ignored.
    unsafe {
        for v in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
        ] {
            std::env::set_var(v, format!("http://{px}"));
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let url = format!("http://{addr}/goals");
    let s = sample(config(), &url).await;
    assert_eq!(s.records, Some(4), "answered by the server itself");
    assert!(px_seen.lock().expect("lock").is_empty(), "proxy not used");
    assert_eq!(seen.lock().expect("lock").len(), 1);

    let mut via = config();
    via.proxy = Some(ecsdeck::model::secret::Secret::new(format!("http://{px}")));
    via.info.via_proxy = true;
    let s = sample(via, &url).await;
    assert_eq!(s.records, Some(0), "answered by the proxy");
    let got = px_seen.lock().expect("lock").join("");
    assert!(got.starts_with(&format!("GET {url} HTTP/1.1")), "{got}");
}

#[tokio::test]
async fn headers_are_sent_and_an_unresolvable_name_is_dns() {
    let (addr, seen) = server("127.0.0.1", Answer::Bytes(http("200 OK", &[], GOALS))).await;
    let mut c = config();
    c.headers = vec![("X-Api-Key".into(), "s3cret".into())];
    let s = sample(c, &format!("http://{addr}/goals")).await;
    assert!(s.up);
    assert!(
        seen.lock()
            .expect("lock")
            .join("")
            .contains("x-api-key: s3cret")
    );
    let s = sample(config(), "http://no-such-host.invalid/goals").await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Dns), "{s:?}");
}

#[tokio::test]
async fn a_body_cut_off_mid_answer_is_a_reset_not_up() {
    // Promises 1000 bytes, sends 10, then resets.
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            read_request(&mut sock).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"goals\":")
                .await;
            let _ = sock.flush().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            #[allow(deprecated)]
            let _ = sock.set_linger(Some(Duration::ZERO));
            drop(sock);
        }
    });
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Reset), "{s:?}");
    assert!(!s.up);
    let _ = TcpStream::connect(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_takes_three_samples_before_calling_it_down_and_no_more() {
    use ecsdeck::cloud::Cloud;
    use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
    use ecsdeck::cmd::status::{Settle, snapshot_with};
    use ecsdeck::model::derive::Health;
    let (addr, seen) = server(
        "127.0.0.1",
        Answer::Bytes(http("503 Service Temporarily Unavailable", &[], "")),
    )
    .await;
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let mut cfg = config();
    cfg.info.url = Some(format!("http://{addr}"));
    cfg.info.interval = Duration::from_millis(200);
    let svc = ecsdeck::model::ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    let snap = snapshot_with(&cloud, &svc, Duration::from_secs(1), Some(cfg), Settle::No)
        .await
        .expect("snapshot");
    assert_eq!(snap.verdict.health, Health::Down, "{:?}", snap.verdict);
    assert!(
        snap.verdict.reason.starts_with("probe 503"),
        "{:?}",
        snap.verdict
    );
    let p = snap.probe.expect("probed");
    assert_eq!(p.samples, 3);
    assert_eq!(seen.lock().expect("lock").len(), 3);

    // Up at the first answer: one sample is enough.
    let (addr, seen) = server("127.0.0.1", Answer::Bytes(http("200 OK", &[], GOALS))).await;
    let mut cfg = config();
    cfg.info.url = Some(format!("http://{addr}"));
    let snap = snapshot_with(&cloud, &svc, Duration::from_secs(1), Some(cfg), Settle::No)
        .await
        .expect("snapshot");
    let p = snap.probe.expect("probed");
    assert_eq!((p.samples, p.records, p.state), (1, Some(4), "up"));
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_tls_failure() {
    // An HTTP server answers the TLS hello with a plain 400.
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let _ = sock
                .write_all(http("400 Bad Request", &[], "").as_bytes())
                .await;
        }
    });
    let s = sample(config(), &format!("https://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Failed(ErrorClass::Tls), "{s:?}");
}

#[tokio::test]
async fn a_long_list_is_read_to_the_limit_and_counted_as_at_least() {
    // 64 MiB of goals: the probe reads its first MiB, says "≥ N records",
    // and closes the connection, so the server cannot send the rest.
    const RECORD: &str = r#"{"_id":"65a1b2c3d4e5f6a7b8c9d0e1","title":"a goal","done":false},"#;
    const TOTAL: usize = 64 << 20;
    let records = TOTAL / RECORD.len();
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let s = sent.clone();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = l.accept().await else {
            return;
        };
        read_request(&mut sock).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{\"goals\":[",
            records * RECORD.len() + 1
        );
        let _ = sock.write_all(head.as_bytes()).await;
        let chunk = RECORD.repeat(1000);
        let mut left = records;
        while left > 0 {
            let n = left.min(1000);
            let part = if n == 1000 {
                &chunk[..]
            } else {
                &chunk[..n * RECORD.len()]
            };
            let part = if left == n {
                // The last record closes the array instead of a comma.
                format!("{}]}}", &part[..part.len() - 1])
            } else {
                part.to_string()
            };
            if sock.write_all(part.as_bytes()).await.is_err() {
                return;
            }
            s.fetch_add(part.len(), Ordering::SeqCst);
            left -= n;
        }
    });
    let s = sample(config(), &format!("http://{addr}/goals")).await;
    assert_eq!(s.outcome, Outcome::Http(200), "{s:?}");
    assert!(s.up);
    assert!(s.records_at_least, "{s:?}");
    let whole_in_a_mib = ((1 << 20) - 10) / RECORD.len();
    assert_eq!(s.records.map(|n| n as usize), Some(whole_in_a_mib));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        sent < TOTAL / 4,
        "the server could send {} MiB of 64 after the probe had what it needed",
        sent >> 20
    );
}
