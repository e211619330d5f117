//! CloudWatch metrics over the wire: seeded with PutMetricData through
//! ecsdeck's own CloudWatch client (JSON 1.0), read back with one
//! GetMetricData, both namespaces; a missing minute stays missing.

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use ecsdeck::cloud::Cloud as _;
use ecsdeck::cloud::aws::{AwsCloud, cloudwatch_client};
use ecsdeck::model::metrics::{MetricsAsk, TaskAsk};

use super::{MOTO, endpoint, sdk_config};

fn dims(pairs: &[(&str, &str)]) -> Vec<Dimension> {
    pairs
        .iter()
        .map(|(n, v)| Dimension::builder().name(*n).value(*v).build())
        .collect()
}

/// One point a minute for each of `minutes_ago`. moto matches dimensions
/// in the order given (AWS does not care), so they are put in the order
/// ecsdeck asks: cluster, service, task, container.
async fn put(
    cw: &aws_sdk_cloudwatch::Client,
    namespace: &str,
    name: &str,
    d: &[(&str, &str)],
    points: &[(i64, f64)],
) {
    let now = ecsdeck::clock::now().timestamp() / 60 * 60;
    let mut req = cw.put_metric_data().namespace(namespace);
    for (ago, v) in points {
        req = req.metric_data(
            MetricDatum::builder()
                .metric_name(name)
                .set_dimensions(Some(dims(d)))
                .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
                    now - ago * 60,
                ))
                .value(*v)
                .unit(StandardUnit::None)
                .build(),
        );
    }
    req.send().await.expect("put metric data");
}

#[tokio::test]
async fn one_get_metric_data_reads_the_service_tasks_and_containers() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let cw = cloudwatch_client(&conf);
    let (cl, sv) = ("metrics-cluster", "metrics-service");
    let task = "5f1c0de0aa11bb22cc33dd44ee55ff66";
    let svc = [("ClusterName", cl), ("ServiceName", sv)];
    // Minute 2 ago is missing: ECS reports nothing while no task runs.
    put(
        &cw,
        "AWS/ECS",
        "CPUUtilization",
        &svc,
        &[(4, 12.5), (3, 14.0), (1, 55.0)],
    )
    .await;
    put(
        &cw,
        "AWS/ECS",
        "MemoryUtilization",
        &svc,
        &[(3, 40.0), (1, 41.0)],
    )
    .await;
    let tdims = [("ClusterName", cl), ("ServiceName", sv), ("TaskId", task)];
    let ns = "ECS/ContainerInsights";
    put(&cw, ns, "MemoryUtilized", &tdims, &[(1, 700.0)]).await;
    put(&cw, ns, "MemoryReserved", &tdims, &[(1, 2048.0)]).await;
    put(&cw, ns, "CpuUtilized", &tdims, &[(1, 256.0)]).await;
    put(&cw, ns, "CpuReserved", &tdims, &[(1, 1024.0)]).await;
    let cdims = [
        ("ClusterName", cl),
        ("ServiceName", sv),
        ("TaskId", task),
        ("ContainerName", "mongodb"),
    ];
    put(
        &cw,
        ns,
        "ContainerMemoryUtilized",
        &cdims,
        &[(2, 600.0), (1, 612.0)],
    )
    .await;

    let cloud = AwsCloud::new(&conf, None);
    let now = ecsdeck::clock::now();
    let page = cloud
        .metrics(&MetricsAsk {
            cluster: cl.into(),
            service: sv.into(),
            tasks: vec![TaskAsk {
                id: task.into(),
                containers: vec!["goals-api".into(), "mongodb".into()],
            }],
            start: now - chrono::Duration::hours(1),
            end: now,
        })
        .await
        .expect("GetMetricData through the JSON wire");
    let values = |s: &ecsdeck::model::metrics::Series| -> Vec<f64> {
        s.points.iter().map(|(_, v)| *v).collect()
    };
    assert_eq!(
        values(&page.service_cpu),
        [12.5, 14.0, 55.0],
        "oldest first"
    );
    let gap = page.service_cpu.points[2].0 - page.service_cpu.points[1].0;
    assert_eq!(
        gap.num_minutes(),
        2,
        "the missing minute is a gap, not a zero"
    );
    assert_eq!(values(&page.service_mem), [40.0, 41.0]);
    let t = &page.tasks[0];
    assert_eq!(t.id, task);
    assert_eq!(values(&t.mem_used), [700.0]);
    assert_eq!(values(&t.mem_reserved), [2048.0]);
    assert_eq!(values(&t.cpu_used), [256.0]);
    assert_eq!(values(&t.cpu_reserved), [1024.0]);
    assert_eq!(t.containers[1].name, "mongodb");
    assert_eq!(values(&t.containers[1].mem_used), [600.0, 612.0]);
    assert!(t.containers[0].mem_used.is_empty(), "goals-api had none");
    let by_api = cloud.api_calls_by();
    assert_eq!(
        by_api
            .iter()
            .find(|(a, _)| a == "cloudwatch:GetMetricData")
            .map(|x| x.1),
        Some(1),
        "one call for all of it: {by_api:?}"
    );
}

#[tokio::test]
async fn a_cluster_reports_its_container_insights_setting() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let ecs = aws_sdk_ecs::Client::new(&conf);
    use aws_sdk_ecs::types::{ClusterSetting, ClusterSettingName};
    for (name, value) in [("ci-enhanced", Some("enhanced")), ("ci-plain", None)] {
        let mut req = ecs.create_cluster().cluster_name(name);
        if let Some(v) = value {
            req = req.settings(
                ClusterSetting::builder()
                    .name(ClusterSettingName::ContainerInsights)
                    .value(v)
                    .build(),
            );
        }
        req.send().await.expect("cluster");
    }
    let cloud = AwsCloud::new(&conf, None);
    use ecsdeck::model::metrics::Insights;
    assert_eq!(
        cloud.insights("ci-enhanced").await.expect("described"),
        Insights::Enhanced
    );
    let plain = cloud.insights("ci-plain").await.expect("described");
    assert!(
        matches!(plain, Insights::NotSaid | Insights::Off),
        "a cluster created without the setting: {plain:?}"
    );
}
