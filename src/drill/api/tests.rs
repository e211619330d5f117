use super::*;
use crate::cloud::demo::{DemoEnv, DemoOptions};

#[tokio::test]
async fn the_reference_contract_against_the_demo_api() {
    let env = DemoEnv::start(DemoOptions {
        seed_records: true,
        ..DemoOptions::default()
    })
    .await
    .expect("demo");
    let mut probe = ProbeConfig::default();
    probe.info.served_by_header = Some(crate::cloud::demo::SERVED_BY.into());
    let api = Api::new(&env.lb_url(), &probe, Contract::default()).expect("api");
    let marker = new_marker();
    assert!(
        marker.starts_with("ecsdeck-drill-") && marker.len() == 26,
        "{marker}"
    );
    let before = api.read(&marker).await.expect("read");
    assert_eq!(
        (before.status, before.found, before.count),
        (Some(200), false, Some(3))
    );
    assert!(before.served_by.is_some(), "the demo names its task");
    let id = api.write(&marker).await.expect("write").expect("an id");
    let after = api.read(&marker).await.expect("read");
    assert!(after.found);
    assert_eq!(after.count, Some(4));
    api.delete(&id).await.expect("delete");
    let gone = api.read(&marker).await.expect("read");
    assert!(!gone.found);
    assert_eq!(gone.count, Some(3));
    assert!(api.delete(&id).await.is_err(), "a second delete: 404, said");
}

#[tokio::test]
async fn a_write_to_a_closed_port_is_known_not_written() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    let api = Api::new(
        &format!("http://{addr}"),
        &ProbeConfig::default(),
        Contract::default(),
    )
    .expect("api");
    let e = api.write("m").await.expect_err("refused");
    assert!(!e.unknown, "{e:?}");
}

/// An API that answers 204 to everything and keeps each request line.
async fn recorder() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = c.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let line = head.lines().next().unwrap_or_default().to_string();
            keep.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            let _ = c
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn the_marker_id_is_percent_encoded_as_one_path_segment_and_no_id_sends_no_delete() {
    let (base, seen) = recorder().await;
    let api = Api::new(&base, &ProbeConfig::default(), Contract::default()).expect("api");
    api.delete("goal:42").await.expect("deleted");
    api.delete("a/b c").await.expect("deleted");
    for id in ["", ".", ".."] {
        let e = api.delete(id).await.expect_err("no record named");
        assert!(
            e.contains("names no record") && e.contains("the marker is left"),
            "{e}"
        );
    }
    let lines = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(
        lines,
        vec![
            "DELETE /goals/goal%3A42 HTTP/1.1".to_string(),
            "DELETE /goals/a%2Fb%20c HTTP/1.1".to_string(),
        ],
        "one segment each, nothing cut; no DELETE without an id"
    );
}

#[tokio::test]
async fn an_answer_longer_than_the_cap_is_unreadable_and_never_read_whole() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = c.read(&mut buf).await;
            // A list endpoint that never ends: 1 GiB announced.
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n{\"goals\":[";
            if c.write_all(head.as_bytes()).await.is_err() {
                continue;
            }
            let chunk = vec![b' '; 64 << 10];
            while c.write_all(&chunk).await.is_ok() {
                count.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let api = Api::new(
        &format!("http://{addr}"),
        &ProbeConfig::default(),
        Contract::default(),
    )
    .expect("api");
    let r = api.read("ecsdeck-drill-x").await.expect("an answer");
    assert!(!r.found);
    assert!(
        r.unreadable
            .as_deref()
            .is_some_and(|u| u.contains("longer than 16 MiB")),
        "{r:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let n = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(n < 64 << 20, "stopped reading near the cap: {n} bytes sent");
}
