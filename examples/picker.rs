//! How long the service picker takes to list a large account: 20
//! clusters of 100 services each, created in a moto server, listed the way
//! the picker lists them (ListClusters, then ListServices per cluster, 100
//! a page), and how long a filter over them takes.
//!
//!   scripts/bench-picker.sh        # starts moto, creates, times

use std::time::Instant;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ecs::config::Credentials;
use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::aws::AwsCloud;

const CLUSTERS: usize = 20;
const SERVICES: usize = 100;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let endpoint = std::env::var("ECSDECK_MOTO_ENDPOINT").expect("ECSDECK_MOTO_ENDPOINT");
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    let ecs = aws_sdk_ecs::Client::new(&conf);
    ecs.register_task_definition()
        .family("bench")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .memory(128)
                .build(),
        )
        .send()
        .await
        .expect("task definition");
    let made = Instant::now();
    for c in 0..CLUSTERS {
        let cluster = format!("bench-cluster-{c:02}");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .expect("cluster");
        for s in 0..SERVICES {
            ecs.create_service()
                .cluster(&cluster)
                .service_name(format!("service-{s:03}"))
                .task_definition("bench")
                .desired_count(0)
                .send()
                .await
                .expect("service");
        }
    }
    println!(
        "created {CLUSTERS} clusters x {SERVICES} services in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    let cloud = std::sync::Arc::new(AwsCloud::new(&conf, None));
    for run in 1..=3 {
        let before = cloud.api_calls();
        let t = Instant::now();
        // As the picker reads them: a page at a time; its first screen
        // shows with the first page.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let c = cloud.clone();
        let listing = tokio::spawn(async move { c.list_services_each(None, &tx).await });
        let mut all = Vec::new();
        let mut first = None;
        while let Some(page) = rx.recv().await {
            if first.is_none() && !page.is_empty() {
                first = Some((t.elapsed().as_secs_f64(), page.len()));
            }
            all.extend(page);
        }
        listing.await.expect("joined").expect("listed");
        let secs = t.elapsed().as_secs_f64();
        let calls = cloud.api_calls() - before;
        let (first_s, first_n) = first.unwrap_or_default();
        println!(
            "run {run}: first {first_n} services in {first_s:.3} s (the picker's first screen); all {} in {secs:.2} s, {calls} calls",
            all.len()
        );
        let mut p = ecsdeck::ui::picker::Picker::new(all, "us-east-1".into());
        let t = Instant::now();
        p.filter = "cluster-19/service-099".into();
        let n = p.shown().len();
        println!(
            "         a filter over them: {n} match in {:.2} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}
