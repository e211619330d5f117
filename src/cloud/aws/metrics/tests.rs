use super::*;
use crate::model::metrics::TaskAsk;

fn ask(tasks: usize, containers: usize) -> MetricsAsk {
    let now = crate::clock::now();
    MetricsAsk {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
        tasks: (0..tasks)
            .map(|i| TaskAsk {
                id: format!("task{i}"),
                containers: (0..containers).map(|j| format!("c{j}")).collect(),
            })
            .collect(),
        start: now - chrono::Duration::hours(1),
        end: now,
    }
}

fn dims(q: &MetricDataQuery) -> Vec<(String, String)> {
    q.metric_stat()
        .and_then(|s| s.metric())
        .map(|m| {
            m.dimensions()
                .iter()
                .map(|d| {
                    (
                        d.name().unwrap_or_default().to_string(),
                        d.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_task_and_container_queries_use_the_documented_dimension_sets() {
    let qs = queries(&ask(1, 2));
    assert_eq!(qs.len(), 2 + 4 + 4);
    let by_id = |id: &str| {
        qs.iter()
            .find(|(_, q)| q.id() == Some(id))
            .map(|(_, q)| q.clone())
            .expect("query")
    };
    let names = |q: &MetricDataQuery| -> Vec<String> { dims(q).into_iter().map(|d| d.0).collect() };
    assert_eq!(names(&by_id("s_cpu")), ["ClusterName", "ServiceName"]);
    assert_eq!(
        names(&by_id("t0_mu")),
        ["ClusterName", "ServiceName", "TaskId"]
    );
    assert_eq!(
        names(&by_id("t0_c1_mu")),
        ["ClusterName", "ServiceName", "TaskId", "ContainerName"]
    );
    let m = by_id("t0_c1_mu");
    let stat = m.metric_stat().expect("stat");
    assert_eq!(stat.period(), Some(60));
    assert_eq!(stat.stat(), Some("Average"));
    let metric = stat.metric().expect("metric");
    assert_eq!(metric.namespace(), Some("ECS/ContainerInsights"));
    assert_eq!(metric.metric_name(), Some("ContainerMemoryUtilized"));
    assert!(dims(&m).contains(&("ContainerName".into(), "c1".into())));
    // Ids are unique: GetMetricData refuses a call with two alike.
    let mut ids: Vec<_> = qs.iter().filter_map(|(_, q)| q.id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), qs.len());
}

#[test]
fn one_call_never_holds_more_than_five_hundred_queries() {
    // 60 tasks of 8 containers would need 2 + 60 * 20 queries.
    let qs = queries(&ask(60, 8));
    assert!(qs.len() <= MAX_QUERIES, "{}", qs.len());
    // Whole tasks only: a task's series are asked together or not at all.
    assert_eq!((qs.len() - 2) % 20, 0);
}
