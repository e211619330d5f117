//! The demo's task definition: the goals API and MongoDB, the data on EFS.

use super::{FS_ID, TD_ARN};
use crate::model::*;

/// The task definition, with or without the API container's health check.
pub fn task_def_with(api_health_check: bool) -> TaskDef {
    let mut td = task_def();
    if !api_health_check {
        td.containers[0].health_check = None;
    }
    td
}

pub fn task_def() -> TaskDef {
    let log = || LogConfig {
        group: "/ecs/goals".into(),
        region: Some("demo".into()),
        stream_prefix: Some("ecs".into()),
    };
    TaskDef {
        arn: TD_ARN.into(),
        family: "goals".into(),
        revision: 3,
        network_mode: "awsvpc".into(),
        task_role_arn: Some(format!("arn:aws:iam::{}:role/goals-task", super::ACCOUNT)),
        containers: vec![
            ContainerDef {
                readonly_root: false,
                name: "goals-api".into(),
                image: "academind/goals-api:node18".into(),
                essential: true,
                health_check: Some(vec![
                    "CMD-SHELL".into(),
                    "wget -qO- http://localhost/goals || exit 1".into(),
                ]),
                mount_points: vec![],
                log: Some(log()),
                // The demo stops in compressed time.
                stop_timeout_s: Some(2),
                limits: crate::model::ContainerLimits {
                    memory_reservation_mib: Some(256),
                    ..Default::default()
                },
            },
            ContainerDef {
                readonly_root: false,
                name: "mongodb".into(),
                image: "mongo:7.0".into(),
                essential: true,
                health_check: Some(vec![
                    "CMD".into(),
                    "mongosh".into(),
                    "--eval".into(),
                    "db.adminCommand('ping')".into(),
                ]),
                mount_points: vec![MountPoint {
                    volume: "data".into(),
                    path: "/data/db".into(),
                    read_only: false,
                }],
                log: Some(log()),
                // The demo stops in compressed time.
                stop_timeout_s: Some(2),
                limits: crate::model::ContainerLimits {
                    memory_mib: Some(1024),
                    ..Default::default()
                },
            },
        ],
        volumes: vec![Volume {
            name: "data".into(),
            efs: Some(EfsVolume {
                file_system_id: FS_ID.into(),
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
