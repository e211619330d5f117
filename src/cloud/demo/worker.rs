//! The demo's second service, `goals-worker`: a background worker with no
//! load balancer and no volume, steady, one task that has been running
//! since before the demo started. It is there to switch to (`:`): a
//! service of another shape, whose pollers must replace the first's.

use crate::model::logs::{LogCursor, LogPage, RawLogEvent};
use crate::model::*;

use super::world::{ACCOUNT, CLUSTER};

pub const SERVICE: &str = "goals-worker";
pub const TD_ARN: &str = "arn:aws:ecs:demo:000000000000:task-definition/goals-worker:7";
pub const LOG_GROUP: &str = "/ecs/goals-worker";
const TASK_ID: &str = "7e4b0c2a91d3f5e6a8b9c0d1e2f3a4b5";
/// A line every so often: the worker's reminders.
const EVERY_S: i64 = 15;

fn task_arn() -> String {
    format!("arn:aws:ecs:demo:{ACCOUNT}:task/{CLUSTER}/{TASK_ID}")
}

pub fn service(since: Time) -> Service {
    Service {
        name: SERVICE.into(),
        arn: format!("arn:aws:ecs:demo:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"),
        cluster: CLUSTER.into(),
        status: "ACTIVE".into(),
        launch_type: Some("FARGATE".into()),
        desired: 1,
        running: 1,
        pending: 0,
        task_definition: TD_ARN.into(),
        deployments: vec![Deployment {
            id: "ecs-svc/7730021498810364482".into(),
            status: "PRIMARY".into(),
            rollout_state: Some("COMPLETED".into()),
            rollout_reason: None,
            task_definition: TD_ARN.into(),
            desired: 1,
            running: 1,
            pending: 0,
            failed: 0,
            updated_at: Some(since),
        }],
        config: DeploymentConfig {
            min_percent: 100,
            max_percent: 200,
            circuit_breaker: None,
        },
        load_balancers: vec![],
        events: vec![ServiceEvent {
            id: "worker-steady".into(),
            at: Some(since),
            message: format!("(service {SERVICE}) has reached a steady state."),
        }],
        exec_enabled: true,
    }
}

pub fn task_def() -> TaskDef {
    TaskDef {
        arn: TD_ARN.into(),
        family: SERVICE.into(),
        revision: 7,
        network_mode: "awsvpc".into(),
        task_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/goals-worker-task")),
        containers: vec![ContainerDef {
            readonly_root: false,
            name: "worker".into(),
            image: "academind/goals-worker:1".into(),
            essential: true,
            health_check: None,
            mount_points: vec![],
            log: Some(LogConfig {
                group: LOG_GROUP.into(),
                region: Some("demo".into()),
                stream_prefix: Some("ecs".into()),
            }),
            stop_timeout_s: None,
            limits: ContainerLimits::default(),
        }],
        volumes: vec![],
        cpu: Some(256),
        memory_mib: Some(512),
    }
}

pub fn tasks(since: Time) -> Vec<Task> {
    vec![Task {
        arn: task_arn(),
        task_definition: TD_ARN.into(),
        last_status: "RUNNING".into(),
        desired_status: "RUNNING".into(),
        health: Some("UNKNOWN".into()),
        launch_type: Some("FARGATE".into()),
        az: Some("us-east-1b".into()),
        private_ip: Some("10.0.2.41".into()),
        ec2_instance: None,
        created_at: Some(since),
        started_at: Some(since + chrono::Duration::seconds(40)),
        pull_started_at: Some(since + chrono::Duration::seconds(5)),
        pull_stopped_at: Some(since + chrono::Duration::seconds(30)),
        stopping_at: None,
        stopped_at: None,
        stop_code: None,
        stopped_reason: None,
        exec_enabled: true,
        containers: vec![Container {
            name: "worker".into(),
            image: "academind/goals-worker:1".into(),
            last_status: "RUNNING".into(),
            health: None,
            exit_code: None,
            reason: None,
            bindings: vec![],
            exec_agent: Some("RUNNING".into()),
        }],
    }]
}

/// The worker's log line `k`, written `EVERY_S` seconds apart from
/// `since`.
fn line(since: Time, k: i64) -> RawLogEvent {
    RawLogEvent {
        timestamp_ms: (since + chrono::Duration::seconds(40 + k * EVERY_S)).timestamp_millis(),
        message: {
            let due = (k * 7) % 5;
            format!("reminders: {due} due, {due} sent, queue empty")
        },
    }
}

/// GetLogEvents on the worker's one stream: its lines up to `now`.
pub fn log_page(
    since: Time,
    now: Time,
    stream: &str,
    cursor: &LogCursor,
    limit: i32,
) -> Result<LogPage, &'static str> {
    if stream != format!("ecs/worker/{TASK_ID}") {
        return Err("The specified log stream does not exist.");
    }
    let end = ((now - since).num_seconds() - 40).max(0) / EVERY_S + 1;
    let (from, to) = match cursor {
        LogCursor::Tail(n) => ((end - i64::from((*n).max(0))).max(0), end),
        LogCursor::After(t) => {
            let from = t
                .strip_prefix("w/")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or("The specified nextToken is invalid.")?;
            (from, (from + i64::from(limit.max(1))).min(end))
        }
    };
    Ok(LogPage {
        events: (from..to).map(|k| line(since, k)).collect(),
        next: format!("w/{}", to.max(from)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workers_log_grows_with_time_and_reads_on_from_its_token() {
        let since = crate::model::fixtures::ts(0).expect("t");
        let stream = format!("ecs/worker/{TASK_ID}");
        let now = since + chrono::Duration::seconds(40 + 15 * 9);
        let tail = log_page(since, now, &stream, &LogCursor::Tail(3), 100).expect("page");
        assert_eq!(tail.events.len(), 3);
        assert_eq!(tail.next, "w/10");
        let later = now + chrono::Duration::seconds(30);
        let on = log_page(since, later, &stream, &LogCursor::After(tail.next), 100).expect("on");
        assert_eq!(on.events.len(), 2, "two lines in 30 s");
        let same = log_page(
            since,
            later,
            &stream,
            &LogCursor::After(on.next.clone()),
            100,
        )
        .expect("nothing new");
        assert!(same.events.is_empty() && same.next == on.next);
        assert!(log_page(since, now, "ecs/worker/other", &LogCursor::Tail(1), 1).is_err());
    }
}
