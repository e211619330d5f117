//! The drill's AWS calls through the real SDK, against moto: the polls
//! and StopTask with the drill's reason, sent once. moto never starts a
//! replacement, so the drill must not pass: it ends FAIL at its timeout,
//! naming the last step, and still removes its marker.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::ecs::seed;
use super::{MOTO, endpoint, sdk_config};
use ecsdeck::cloud::aws::AwsCloud;
use ecsdeck::cloud::{Cloud, Operate};
use ecsdeck::cmd::drill::{Options, run};
use ecsdeck::drill::machine::{RestartKind, Verdict};
use ecsdeck::effects::Links;
use ecsdeck::model::ServiceRef;
use ecsdeck::model::drill::Contract;
use ecsdeck::model::probe::{ProbeConfig, ProbeInfo};
use ecsdeck::poll::Plan;
use ecsdeck::session::Session;

/// A goals API that keeps its records, on loopback.
async fn goals_api() -> (String, Arc<Mutex<Vec<String>>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    let store: Arc<Mutex<Vec<String>>> = Arc::default();
    let s = store.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let mut n = 0;
                // One small request: headers and body arrive together.
                while n == 0 || !String::from_utf8_lossy(&buf[..n]).contains("\r\n\r\n") {
                    match sock.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                }
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let body = req.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
                let (status, out) = {
                    let mut st = s.lock().unwrap_or_else(|p| p.into_inner());
                    if req.starts_with("POST") {
                        let text = serde_json::from_str::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v["text"].as_str().map(String::from))
                            .unwrap_or_default();
                        st.push(text.clone());
                        (
                            "201 Created",
                            serde_json::json!({"goal": {"id": st.len().to_string(), "text": text}}),
                        )
                    } else if req.starts_with("DELETE") {
                        st.pop();
                        ("200 OK", serde_json::json!({}))
                    } else {
                        (
                            "200 OK",
                            serde_json::json!({"goals": st.iter().enumerate().map(|(i, t)| serde_json::json!({"id": (i + 1).to_string(), "text": t})).collect::<Vec<_>>()}),
                        )
                    }
                };
                let out = out.to_string();
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{out}",
                            out.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (format!("http://{addr}"), store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_on_the_wire_stops_the_task_once_and_never_passes_without_a_replacement() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let seeded = seed(&endpoint, &conf).await;
    let cloud = Arc::new(AwsCloud::new(&conf, None));
    let (url, store) = goals_api().await;
    let probe = ProbeConfig {
        info: ProbeInfo {
            url: Some(url),
            ..ProbeInfo::default()
        },
        ..ProbeConfig::default()
    };
    let target = ServiceRef {
        cluster: seeded.cluster.clone(),
        service: seeded.service.clone(),
    };
    let observe: Arc<dyn Cloud> = cloud.clone();
    let operate: Arc<dyn Operate> = cloud.clone();
    let mut session = Session::start(
        observe,
        target,
        Plan {
            refresh: Duration::from_secs(1),
            logs: false,
            metrics: false,
            probe: Some(probe.clone()),
        },
    )
    .with_operator(operate);
    let links = Links::of(&session);
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        run(
            &mut session,
            links,
            Options {
                restart: RestartKind::StopTask,
                timeout: Some(Duration::from_secs(6)),
                read_window: ecsdeck::model::drill::machine::READ_WINDOW,
                contract: Contract::default(),
                probe,
                redact: false,
                ask: None,
                history: None,
                report_file: None,
            },
            |_| {},
            futures_util::stream::pending(),
        ),
    )
    .await
    .expect("the drill ends")
    .expect("the drill runs");
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.reason);
    assert!(
        report.reason.contains("did not come back within 6s"),
        "{}",
        report.reason
    );
    assert_eq!(report.old_task.as_deref(), Some(seeded.task_arn.as_str()));
    assert_eq!(report.cleanup, "deleted");
    assert!(
        store.lock().unwrap_or_else(|p| p.into_inner()).is_empty(),
        "the marker is removed"
    );
    let calls: std::collections::BTreeMap<String, u64> = cloud.api_calls_by().into_iter().collect();
    assert_eq!(calls.get("ecs:StopTask"), Some(&1), "sent once: {calls:?}");
    assert!(
        calls.get("ecs:DescribeTasks").is_some_and(|n| *n >= 3),
        "polled through the drill: {calls:?}"
    );
    // What moto recorded: the drill's reason, with the caller moto says.
    let ecs = aws_sdk_ecs::Client::new(&conf);
    let t = ecs
        .describe_tasks()
        .cluster(&seeded.cluster)
        .tasks(&seeded.task_arn)
        .send()
        .await
        .expect("describe");
    let reason = t.tasks()[0]
        .stopped_reason()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.starts_with("ecsdeck drill: stopped by arn:aws:"),
        "{reason}"
    );
    // moto sends a Date header: the offset is known, and small here.
    assert!(
        report.clock_offset_s.is_some_and(|o| o.abs() < 2.0),
        "{:?}",
        report.clock_offset_s
    );
}
