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
