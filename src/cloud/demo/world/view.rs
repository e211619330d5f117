//! What the backend returns: the world seen as ECS, ELB and EFS describe
//! it, in domain types.

use super::*;

impl World {
    pub fn service(&self) -> Service {
        let running = self
            .tasks
            .iter()
            .filter(|t| t.phase == Phase::Running && !t.desired_stopped)
            .count() as i32;
        let pending = self
            .tasks
            .iter()
            .filter(|t| {
                !t.desired_stopped
                    && matches!(
                        t.phase,
                        Phase::Provisioning | Phase::Pending | Phase::Activating
                    )
            })
            .count() as i32;
        let steady = running == self.desired && pending == 0;
        Service {
            name: SERVICE.into(),
            arn: format!("arn:aws:ecs:demo:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"),
            cluster: CLUSTER.into(),
            status: "ACTIVE".into(),
            launch_type: Some("FARGATE".into()),
            desired: self.desired,
            running,
            pending,
            task_definition: TD_ARN.into(),
            exec_enabled: true,
            deployments: self.deployments(steady),
            config: DeploymentConfig {
                min_percent: self.min_percent,
                max_percent: 100,
                circuit_breaker: Some(CircuitBreaker {
                    enable: true,
                    rollback: true,
                }),
            },
            load_balancers: vec![LbBinding {
                target_group_arn: TG_ARN.into(),
                container_name: "goals-api".into(),
                container_port: 80,
            }],
            events: self.events.iter().cloned().collect(),
        }
    }

    /// The PRIMARY deployment, and while its tasks are still up, the one
    /// a forced deployment replaces (ACTIVE).
    fn deployments(&self, steady: bool) -> Vec<Deployment> {
        let count = |id: &str, phases: &[Phase]| {
            self.tasks
                .iter()
                .filter(|t| t.deployment == id && !t.desired_stopped && phases.contains(&t.phase))
                .count() as i32
        };
        let early = [Phase::Provisioning, Phase::Pending, Phase::Activating];
        let updated = self.events.front().and_then(|e| e.at);
        let primary = &self.deployment;
        let done = steady && self.previous.is_none();
        let mut out = vec![Deployment {
            id: primary.clone(),
            status: "PRIMARY".into(),
            rollout_state: Some(if done { "COMPLETED" } else { "IN_PROGRESS" }.into()),
            rollout_reason: Some(if done {
                format!("ECS deployment {primary} completed.")
            } else {
                format!("ECS deployment {primary} in progress.")
            }),
            task_definition: TD_ARN.into(),
            desired: self.desired,
            running: count(primary, &[Phase::Running]),
            pending: count(primary, &early),
            failed: 0,
            updated_at: updated,
        }];
        if let Some(old) = &self.previous {
            let up = self
                .tasks
                .iter()
                .filter(|t| &t.deployment == old && t.phase != Phase::Stopped)
                .count() as i32;
            out.push(Deployment {
                id: old.clone(),
                status: "ACTIVE".into(),
                rollout_state: None,
                rollout_reason: None,
                task_definition: TD_ARN.into(),
                desired: 0,
                running: up,
                pending: 0,
                failed: 0,
                updated_at: updated,
            });
        }
        out
    }

    pub fn tasks(&self) -> Vec<Task> {
        let mut out: Vec<Task> = self
            .tasks
            .iter()
            .rev()
            .map(|t| {
                let stopped = t.phase == Phase::Stopped;
                let early = matches!(
                    t.phase,
                    Phase::Provisioning | Phase::Pending | Phase::Activating
                );
                let container_status = match t.phase {
                    Phase::Running | Phase::Deactivating => "RUNNING",
                    Phase::Stopping | Phase::Deprovisioning | Phase::Stopped => "STOPPED",
                    _ => "PENDING",
                };
                let (api_h, db_h) = if !self.api_health_check {
                    // No health check: AWS reports UNKNOWN for ever, and
                    // the task's health is its checked containers'.
                    let db = if matches!(t.phase, Phase::Running | Phase::Deactivating) {
                        t.mongo_health(self.clock.now())
                    } else {
                        "UNKNOWN"
                    };
                    ("UNKNOWN", db)
                } else if early {
                    ("UNKNOWN", "UNKNOWN")
                } else if matches!(t.phase, Phase::Running | Phase::Deactivating) {
                    (t.api_health, t.mongo_health(self.clock.now()))
                } else {
                    ("UNKNOWN", "UNKNOWN")
                };
                let api_ok = api_h == "HEALTHY" || !self.api_health_check;
                let health = if [api_h, db_h].contains(&"UNHEALTHY") {
                    "UNHEALTHY"
                } else if api_ok && db_h == "HEALTHY" {
                    "HEALTHY"
                } else {
                    "UNKNOWN"
                };
                // ECS starts the agent with the container and reports it
                // stopped once the container is.
                let agent = Some(
                    match container_status {
                        "RUNNING" | "STOPPED" => container_status,
                        _ => "PENDING",
                    }
                    .to_string(),
                );
                let exit = |code: i32| {
                    (t.phase == Phase::Stopped || t.phase == Phase::Deprovisioning).then_some(code)
                };
                Task {
                    arn: t.arn(),
                    task_definition: TD_ARN.into(),
                    last_status: t.phase.status().into(),
                    desired_status: if t.desired_stopped {
                        "STOPPED"
                    } else {
                        "RUNNING"
                    }
                    .into(),
                    health: Some(health.into()),
                    launch_type: Some("FARGATE".into()),
                    az: Some(t.az.into()),
                    private_ip: (!stopped || t.started_at.is_some()).then(|| t.ip.clone()),
                    ec2_instance: None,
                    created_at: Some(t.created_at),
                    started_at: t.started_at,
                    pull_started_at: t.pull_started_at,
                    pull_stopped_at: t.pull_stopped_at,
                    stopping_at: t.stopping_at,
                    stopped_at: t.stopped_at,
                    stop_code: t.stop_code.clone().filter(|_| t.desired_stopped),
                    stopped_reason: t.stopped_reason.clone(),
                    exec_enabled: true,
                    containers: vec![
                        Container {
                            name: "goals-api".into(),
                            image: "academind/goals-api:node18".into(),
                            last_status: container_status.into(),
                            health: Some(api_h.into()),
                            exit_code: exit(t.crash.map_or(0, |c| c.api_exit)),
                            reason: None,
                            bindings: vec![],
                            exec_agent: agent.clone(),
                        },
                        Container {
                            name: "mongodb".into(),
                            image: "mongo:7.0".into(),
                            last_status: container_status.into(),
                            health: Some(db_h.into()),
                            exit_code: exit(t.crash.map_or(0, |c| c.db_exit)),
                            reason: t.crash.map(|c| c.db_reason.to_string()),
                            bindings: vec![],
                            exec_agent: agent.clone(),
                        },
                    ],
                }
            })
            .collect();
        // Newest first among the living, then the stopped ones.
        out.sort_by_key(|t| t.is_stopped());
        out
    }

    pub fn target_group(&self) -> TargetGroup {
        TargetGroup {
            arn: TG_ARN.into(),
            name: "goals-tg".into(),
            protocol: Some("HTTP".into()),
            port: Some(80),
            target_type: "ip".into(),
            health_check: HealthCheck {
                protocol: Some("HTTP".into()),
                path: Some("/goals".into()),
                port: Some("traffic-port".into()),
                interval_s: Some(HC_INTERVAL_S),
                timeout_s: Some(1),
                healthy_threshold: Some(HC_HEALTHY as i32),
                unhealthy_threshold: Some(HC_UNHEALTHY as i32),
                matcher: Some("200".into()),
            },
            deregistration_delay_s: Some(self.deregistration_s),
            load_balancers: vec![LoadBalancer {
                unreadable: None,
                arn: LB_ARN.into(),
                name: "goals-alb".into(),
                dns_name: self.lb_addr.ip().to_string(),
                scheme: Some("internet-facing".into()),
                state: Some("active".into()),
                listeners: vec![Listener {
                    protocol: "HTTP".into(),
                    port: i32::from(self.lb_addr.port()),
                    forwards: vec![TG_ARN.into()],
                    rules: vec![],
                    rules_error: None,
                }],
            }],
            targets: self
                .targets
                .iter()
                .map(|g| {
                    let (state, description) = match g.state {
                        TargetState::Initial => {
                            ("initial", Some("Target registration is in progress"))
                        }
                        TargetState::Healthy => ("healthy", None),
                        TargetState::Unhealthy => (
                            "unhealthy",
                            Some(match g.last_fail {
                                Some("Target.Timeout") => "Request timed out",
                                _ => "Health checks failed",
                            }),
                        ),
                        TargetState::Draining => {
                            ("draining", Some("Target deregistration is in progress"))
                        }
                    };
                    Target {
                        id: g.ip.clone(),
                        port: Some(80),
                        az: self
                            .tasks
                            .iter()
                            .find(|t| t.id == g.task_id)
                            .map(|t| t.az.to_string()),
                        state: state.into(),
                        reason: g.reason.map(Into::into),
                        description: description.map(Into::into),
                    }
                })
                .collect(),
        }
    }

    pub fn file_system(&self) -> FileSystem {
        FileSystem {
            id: FS_ID.into(),
            name: Some("goals-data".into()),
            lifecycle: "available".into(),
            // EFS meters in whole blocks; an empty file system reports 6 KiB.
            size_bytes: 6144 + crate::cloud::demo::api::dir_size(&self.data_root) as i64,
            mount_target_count: AZS.len() as i32,
            mount_targets: AZS
                .iter()
                .enumerate()
                .map(|(i, az)| MountTarget {
                    id: format!("fsmt-0{}a4{}demo", i + 4, i * 2 + 4),
                    az: Some(az.to_string()),
                    state: "available".into(),
                    ip: Some(format!("10.0.{}.8", i + 1)),
                })
                .collect(),
        }
    }
}
