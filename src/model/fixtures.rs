//! Test fixtures shared across the crate: a realistic service, task
//! definition, tasks, targets and file systems, the shapes AWS returns.

use chrono::TimeZone;

use super::*;

pub fn ts(secs: i64) -> Option<Time> {
    Utc.timestamp_opt(1_790_000_000 + secs, 0).single()
}

pub fn service() -> Service {
    Service {
        name: "goals-service".into(),
        arn: "arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals-service".into(),
        cluster: "goals-cluster".into(),
        status: "ACTIVE".into(),
        launch_type: Some("FARGATE".into()),
        desired: 1,
        running: 1,
        pending: 0,
        task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
        deployments: vec![Deployment {
            id: "ecs-svc/1".into(),
            status: "PRIMARY".into(),
            rollout_state: Some("COMPLETED".into()),
            rollout_reason: None,
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
            desired: 1,
            running: 1,
            pending: 0,
            failed: 0,
            updated_at: ts(0),
        }],
        config: DeploymentConfig {
            min_percent: 0,
            max_percent: 100,
            circuit_breaker: Some(CircuitBreaker {
                enable: true,
                rollback: true,
            }),
        },
        load_balancers: vec![LbBinding {
            target_group_arn: "arn:tg/goals-tg".into(),
            container_name: "goals-api".into(),
            container_port: 80,
        }],
        events: vec![],
        exec_enabled: false,
    }
}

pub fn task_def() -> TaskDef {
    TaskDef {
        arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
        family: "goals".into(),
        revision: 3,
        network_mode: "awsvpc".into(),
        task_role_arn: Some("arn:aws:iam::123456789012:role/goals-task".into()),
        containers: vec![
            ContainerDef {
                readonly_root: false,
                name: "goals-api".into(),
                image: "node:18".into(),
                essential: true,
                health_check: Some(vec![
                    "CMD-SHELL".into(),
                    "wget -q -O- localhost/goals".into(),
                ]),
                mount_points: vec![],
                log: None,
                stop_timeout_s: None,
                limits: crate::model::ContainerLimits {
                    memory_reservation_mib: Some(256),
                    ..Default::default()
                },
            },
            ContainerDef {
                readonly_root: false,
                name: "mongodb".into(),
                image: "mongo:7".into(),
                essential: true,
                health_check: Some(vec!["CMD".into(), "mongosh".into()]),
                mount_points: vec![MountPoint {
                    volume: "data".into(),
                    path: "/data/db".into(),
                    read_only: false,
                }],
                log: None,
                stop_timeout_s: None,
                limits: crate::model::ContainerLimits {
                    memory_mib: Some(1024),
                    ..Default::default()
                },
            },
        ],
        volumes: vec![Volume {
            name: "data".into(),
            efs: Some(EfsVolume {
                file_system_id: "fs-a85a7c53".into(),
                root_directory: Some("/".into()),
                access_point: None,
                transit_encryption: true,
                iam: false,
            }),
        }],
        cpu: Some(1024),
        memory_mib: Some(2048),
    }
}

pub fn task(id: &str, ip: &str, last: &str, desired: &str) -> Task {
    Task {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{id}"),
        task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
        last_status: last.into(),
        desired_status: desired.into(),
        health: Some("HEALTHY".into()),
        launch_type: Some("FARGATE".into()),
        az: Some("us-east-1a".into()),
        private_ip: Some(ip.into()),
        ec2_instance: None,
        created_at: ts(0),
        started_at: ts(30),
        pull_started_at: None,
        pull_stopped_at: None,
        stopping_at: None,
        stopped_at: None,
        stop_code: None,
        stopped_reason: None,
        exec_enabled: false,
        containers: vec![
            Container {
                name: "goals-api".into(),
                image: "node:18".into(),
                last_status: last.into(),
                health: Some("HEALTHY".into()),
                exit_code: None,
                reason: None,
                bindings: vec![],
                exec_agent: None,
            },
            Container {
                name: "mongodb".into(),
                image: "mongo:7".into(),
                last_status: last.into(),
                health: Some("HEALTHY".into()),
                exit_code: None,
                reason: None,
                bindings: vec![],
                exec_agent: None,
            },
        ],
    }
}

pub fn target(ip: &str, state: &str, reason: Option<&str>) -> Target {
    Target {
        id: ip.into(),
        port: Some(80),
        az: Some("us-east-1a".into()),
        state: state.into(),
        reason: reason.map(Into::into),
        description: None,
    }
}

pub fn tg(targets: Vec<Target>) -> TargetGroup {
    TargetGroup {
        arn: "arn:tg/goals-tg".into(),
        name: "goals-tg".into(),
        protocol: Some("HTTP".into()),
        port: Some(80),
        target_type: "ip".into(),
        health_check: HealthCheck {
            protocol: Some("HTTP".into()),
            path: Some("/goals".into()),
            port: Some("traffic-port".into()),
            interval_s: Some(10),
            timeout_s: Some(5),
            healthy_threshold: Some(2),
            unhealthy_threshold: Some(2),
            matcher: Some("200".into()),
        },
        deregistration_delay_s: Some(30),
        load_balancers: vec![],
        targets,
    }
}

pub fn fs(azs: &[&str]) -> FileSystem {
    FileSystem {
        id: "fs-a85a7c53".into(),
        name: Some("goals-data".into()),
        lifecycle: "available".into(),
        size_bytes: 6 << 20,
        mount_target_count: azs.len() as i32,
        mount_targets: azs
            .iter()
            .enumerate()
            .map(|(i, az)| MountTarget {
                id: format!("fsmt-{i}"),
                az: Some(az.to_string()),
                state: "available".into(),
                ip: Some(format!("10.0.{i}.9")),
            })
            .collect(),
    }
}

/// An hour of CloudWatch as a one-task service has it: the service's CPU
/// and memory, and for each of `tasks` (ids as in `task`) its own series
/// and its containers' in the minutes-before-`end` it reported, mongod's
/// memory near the given MiB. `gap`: minutes the service reported none.
pub fn metrics_reading(
    tasks: &[(&str, f64, std::ops::Range<i64>)],
    end: Time,
    gap: std::ops::Range<i64>,
) -> super::metrics::MetricsReading {
    use super::metrics::{
        ContainerSeries, Insights, MetricsPage, MetricsReading, Series, TaskSeries,
    };
    let within = |range: std::ops::Range<i64>, f: &dyn Fn(i64) -> f64| {
        Series::from_points(
            range
                .map(|m| (end - chrono::Duration::minutes(m), f(m)))
                .collect(),
        )
    };
    let series = |f: &dyn Fn(i64) -> f64| {
        Series::from_points(
            (1..=60)
                .filter(|m| !gap.contains(m))
                .map(|m| (end - chrono::Duration::minutes(m), f(m)))
                .collect(),
        )
    };
    MetricsReading {
        insights: Ok(Insights::Enhanced),
        end,
        page: MetricsPage {
            service_cpu: series(&|m| 10.0 + ((m * 7) % 13) as f64),
            service_mem: series(&|m| 30.0 + (60 - m) as f64 * 0.4),
            tasks: tasks
                .iter()
                .map(|(id, mongo, live)| {
                    let s = |f: &dyn Fn(i64) -> f64| within(live.clone(), f);
                    TaskSeries {
                        id: id.to_string(),
                        cpu_used: s(&|m| 100.0 + ((m * 5) % 11) as f64 * 10.0),
                        cpu_reserved: s(&|_| 1024.0),
                        mem_used: s(&|m| mongo + 90.0 - m as f64),
                        mem_reserved: s(&|_| 2048.0),
                        containers: vec![
                            ContainerSeries {
                                name: "goals-api".into(),
                                cpu_used: s(&|_| 20.0),
                                mem_used: s(&|_| 90.0),
                            },
                            ContainerSeries {
                                name: "mongodb".into(),
                                cpu_used: s(&|m| 80.0 + (m % 4) as f64 * 5.0),
                                mem_used: s(&|m| mongo - m as f64),
                            },
                        ],
                    }
                })
                .collect(),
            messages: Vec::new(),
            left_out: Vec::new(),
        },
    }
}
