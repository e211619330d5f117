//! ECS, ELB and EFS over the wire: seeding, the join, call counts, the
//! snapshot, and errors classified.

use aws_config::SdkConfig;
use aws_sdk_ecs::types as ecs;
use aws_sdk_elasticloadbalancingv2::types as elb;
use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::aws::AwsCloud;
use ecsdeck::model::ServiceRef;
use ecsdeck::model::derive;

use super::{MOTO, REGION, endpoint, sdk_config};

/// A raw EC2 query call. moto routes by the credential scope and does not
/// check the signature.
async fn ec2(endpoint: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::from("Version=2016-11-15");
    for (k, v) in params {
        body.push_str(&format!("&{k}={v}"));
    }
    reqwest::Client::new()
        .post(endpoint)
        .header(
            "Authorization",
            format!("AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"),
        )
        .header("X-Amz-Date", "20260101T000000Z")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("ec2 call")
        .text()
        .await
        .expect("ec2 body")
}

fn xml_values<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next())
        .collect()
}

pub struct Seeded {
    pub cluster: String,
    pub service: String,
    pub task_ip: String,
    pub task_arn: String,
    pub fs_id: String,
}

pub async fn seed(endpoint: &str, conf: &SdkConfig) -> Seeded {
    let http = reqwest::Client::new();
    http.post(format!("{endpoint}/moto-api/reset"))
        .send()
        .await
        .expect("reset moto");
    // Keep tasks where run_task put them: by default moto moves a task one
    // step towards STOPPED on every describe.
    http.post(format!("{endpoint}/moto-api/state-manager/set-transition"))
        .body(r#"{"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}"#)
        .send()
        .await
        .expect("set transition");

    let subnets_xml = ec2(endpoint, &[("Action", "DescribeSubnets")]).await;
    let subnets = xml_values(&subnets_xml, "subnetId");
    let vpc = xml_values(&subnets_xml, "vpcId")[0].to_string();
    let (s1, s2) = (subnets[0].to_string(), subnets[1].to_string());
    let sgs_xml = ec2(endpoint, &[("Action", "DescribeSecurityGroups")]).await;
    let sg = xml_values(&sgs_xml, "groupId")[0].to_string();
    // Fargate run_task needs DNS hostnames on the VPC (a moto requirement).
    ec2(
        endpoint,
        &[
            ("Action", "ModifyVpcAttribute"),
            ("VpcId", &vpc),
            ("EnableDnsHostnames.Value", "true"),
        ],
    )
    .await;

    let efs = aws_sdk_efs::Client::new(conf);
    let fs_id = efs
        .create_file_system()
        .creation_token("goals-data")
        .send()
        .await
        .expect("create fs")
        .file_system_id()
        .to_string();
    for s in [&s1, &s2] {
        efs.create_mount_target()
            .file_system_id(&fs_id)
            .subnet_id(s)
            .send()
            .await
            .expect("mount target");
    }

    let lbc = aws_sdk_elasticloadbalancingv2::Client::new(conf);
    let lb = lbc
        .create_load_balancer()
        .name("goals-alb")
        .subnets(&s1)
        .subnets(&s2)
        .send()
        .await
        .expect("create lb");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .expect("lb arn")
        .to_string();
    let tg = lbc
        .create_target_group()
        .name("goals-tg")
        .protocol(elb::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .target_type(elb::TargetTypeEnum::Ip)
        .health_check_path("/goals")
        .health_check_interval_seconds(30)
        .healthy_threshold_count(5)
        .send()
        .await
        .expect("create tg");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .expect("tg arn")
        .to_string();
    lbc.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(elb::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            elb::Action::builder()
                .r#type(elb::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .expect("listener");

    let ecsc = aws_sdk_ecs::Client::new(conf);
    ecsc.create_cluster()
        .cluster_name("goals-cluster")
        .send()
        .await
        .expect("cluster");
    let awslogs = |_: &str| {
        ecs::LogConfiguration::builder()
            .log_driver(ecs::LogDriver::Awslogs)
            .options("awslogs-group", "/ecs/goals")
            .options("awslogs-region", REGION)
            .options("awslogs-stream-prefix", "ecs")
            .build()
            .expect("log config")
    };
    ecsc.register_task_definition()
        .family("goals")
        .network_mode(ecs::NetworkMode::Awsvpc)
        .requires_compatibilities(ecs::Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .container_definitions(
            ecs::ContainerDefinition::builder()
                .name("goals-api")
                .image("goals-api:latest")
                .memory(512)
                .essential(true)
                .port_mappings(ecs::PortMapping::builder().container_port(80).build())
                .log_configuration(awslogs("goals-api"))
                .build(),
        )
        .container_definitions(
            ecs::ContainerDefinition::builder()
                .name("mongodb")
                .image("mongo:7.0")
                .memory(512)
                .essential(true)
                .mount_points(
                    ecs::MountPoint::builder()
                        .source_volume("data")
                        .container_path("/data/db")
                        .read_only(false)
                        .build(),
                )
                .health_check(
                    ecs::HealthCheck::builder()
                        .command("CMD")
                        .command("mongosh")
                        .command("--eval")
                        .command("db.adminCommand('ping')")
                        .build()
                        .expect("health check"),
                )
                .log_configuration(awslogs("mongodb"))
                .build(),
        )
        .volumes(
            ecs::Volume::builder()
                .name("data")
                .efs_volume_configuration(
                    ecs::EfsVolumeConfiguration::builder()
                        .file_system_id(&fs_id)
                        .root_directory("/")
                        .transit_encryption(ecs::EfsTransitEncryption::Enabled)
                        .build()
                        .expect("efs config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("task definition");
    let network = ecs::NetworkConfiguration::builder()
        .awsvpc_configuration(
            ecs::AwsVpcConfiguration::builder()
                .subnets(&s1)
                .security_groups(&sg)
                .build()
                .expect("awsvpc"),
        )
        .build();
    ecsc.create_service()
        .cluster("goals-cluster")
        .service_name("goals-service")
        .task_definition("goals")
        .desired_count(1)
        .launch_type(ecs::LaunchType::Fargate)
        .network_configuration(network.clone())
        .deployment_configuration(
            ecs::DeploymentConfiguration::builder()
                .minimum_healthy_percent(0)
                .maximum_percent(100)
                .build(),
        )
        .load_balancers(
            ecs::LoadBalancer::builder()
                .target_group_arn(&tg_arn)
                .container_name("goals-api")
                .container_port(80)
                .build(),
        )
        .send()
        .await
        .expect("service");
    let run = ecsc
        .run_task()
        .cluster("goals-cluster")
        .task_definition("goals")
        .launch_type(ecs::LaunchType::Fargate)
        .network_configuration(network)
        .started_by("ecs-svc/goals-service")
        .send()
        .await
        .expect("run task");
    let task = &run.tasks()[0];
    let task_arn = task.task_arn().expect("task arn").to_string();
    let task_ip = task
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .expect("task has an ENI address")
        .to_string();
    lbc.register_targets()
        .target_group_arn(&tg_arn)
        .targets(
            elb::TargetDescription::builder()
                .id(&task_ip)
                .port(80)
                .build(),
        )
        .send()
        .await
        .expect("register target");
    Seeded {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
        task_ip,
        task_arn,
        fs_id,
    }
}

#[tokio::test]
async fn aws_backend_against_moto() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let seeded = seed(&endpoint, &conf).await;
    let cloud = AwsCloud::new(&conf, None);
    let svc_ref = ServiceRef {
        cluster: seeded.cluster.clone(),
        service: seeded.service.clone(),
    };

    let id = cloud.identity().await.expect("identity");
    assert_eq!(id.account, "123456789012");

    let listed = cloud.list_services(None).await.expect("list services");
    assert!(listed.contains(&svc_ref), "{listed:?}");

    let svc = cloud.service(&svc_ref).await.expect("service");
    assert_eq!(svc.name, "goals-service");
    assert_eq!(svc.desired, 1);
    assert_eq!(svc.load_balancers.len(), 1);
    assert_eq!(svc.load_balancers[0].container_port, 80);

    let td = cloud
        .task_definition(&svc.task_definition)
        .await
        .expect("task definition");
    assert_eq!(td.family, "goals");
    assert_eq!(td.network_mode, "awsvpc");
    assert_eq!(td.containers.len(), 2);
    let efs_vol = td.volumes[0].efs.as_ref().expect("efs volume");
    assert_eq!(efs_vol.file_system_id, seeded.fs_id);
    assert!(
        td.container("mongodb")
            .is_some_and(|c| c.health_check.is_some())
    );

    let tasks = cloud.tasks(&svc_ref).await.expect("tasks");
    let task = tasks
        .iter()
        .find(|t| t.arn == seeded.task_arn)
        .expect("the task we ran");
    assert_eq!(task.private_ip.as_deref(), Some(seeded.task_ip.as_str()));

    let tgs = cloud
        .target_groups(&[svc.load_balancers[0].target_group_arn.clone()])
        .await
        .expect("target groups");
    let g = &tgs[0];
    assert_eq!(g.name, "goals-tg");
    assert_eq!(g.target_type, "ip");
    assert_eq!(g.health_check.path.as_deref(), Some("/goals"));
    assert_eq!(derive::time_to_healthy_s(g), Some(150));
    assert_eq!(g.deregistration_delay_s, Some(300), "the ALB default");
    assert_eq!(g.load_balancers.len(), 1);
    assert!(g.load_balancers[0].dns_name.contains("goals-alb"));
    assert_eq!(g.load_balancers[0].listeners[0].port, 80);
    assert_eq!(g.targets.len(), 1);
    // The join, over the wire: target IP:port → the task's ENI address.
    let owner = derive::task_for_target(g, derive::binding_for(&svc, g), &g.targets[0], &tasks);
    assert_eq!(
        owner.map(|t| t.arn.as_str()),
        Some(seeded.task_arn.as_str())
    );

    let fss = cloud
        .file_systems(std::slice::from_ref(&seeded.fs_id))
        .await
        .expect("efs");
    assert_eq!(fss[0].id, seeded.fs_id);
    assert_eq!(fss[0].lifecycle, "available");
    assert_eq!(fss[0].mount_targets.len(), 2);
    assert!(fss[0].mount_targets.iter().all(|m| m.az.is_some()));

    // Every request is counted for the call-rate figure; once the slow
    // facts are cached (target groups, their attributes, load balancers,
    // and the stopped tasks while nothing is stopping), one refresh of
    // service, tasks and targets costs DescribeServices + ListTasks
    // (RUNNING) + DescribeTasks + DescribeTargetHealth = 4 calls.
    let refresh = || async {
        let before = cloud.api_calls();
        cloud.service(&svc_ref).await.expect("service");
        cloud.tasks(&svc_ref).await.expect("tasks");
        cloud
            .target_groups(&[svc.load_balancers[0].target_group_arn.clone()])
            .await
            .expect("targets");
        cloud.api_calls() - before
    };
    assert_eq!(refresh().await, 4, "calls per refresh");
    assert_eq!(refresh().await, 4, "and the next one");

    // And the headless snapshot works end to end on the same backend.
    let cloud: std::sync::Arc<dyn Cloud> = std::sync::Arc::new(cloud);
    let snap = ecsdeck::cmd::status::snapshot(&cloud, &svc_ref)
        .await
        .expect("snapshot");
    assert_eq!(snap.targets[0].task.as_deref(), Some(task.id()));
}

#[tokio::test]
async fn missing_service_and_bad_endpoint_are_classified() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let cloud = AwsCloud::new(&conf, None);
    let e = cloud
        .service(&ServiceRef {
            cluster: "no-such-cluster".into(),
            service: "nope".into(),
        })
        .await
        .expect_err("missing");
    assert_eq!(e.kind, ecsdeck::cloud::ErrorKind::NotFound, "{e:?}");

    // Nothing listens on port 9 of loopback: a network error, said so.
    let conf = sdk_config("http://127.0.0.1:9").await;
    let cloud = AwsCloud::new(&conf, None);
    let e = cloud.identity().await.expect_err("unreachable");
    assert_eq!(e.kind, ecsdeck::cloud::ErrorKind::Network, "{e:?}");
    assert!(
        e.operator_text().starts_with("cannot reach endpoint"),
        "{}",
        e.operator_text()
    );
}

#[tokio::test]
async fn the_restart_actions_on_the_wire() {
    use ecsdeck::cloud::Operate;
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let seeded = seed(&endpoint, &conf).await;
    let cloud = AwsCloud::new(&conf, None);
    let ecs = aws_sdk_ecs::Client::new(&conf);

    // StopTask: the reason is recorded on the task, as an operator would
    // read it later.
    let reason = "ecsdeck: stopped by arn:aws:iam::123456789012:user/ops";
    let before = cloud.api_calls();
    cloud
        .stop_task(&seeded.cluster, &seeded.task_arn, reason)
        .await
        .expect("stop task");
    assert_eq!(cloud.api_calls() - before, 1, "sent once");
    let t = ecs
        .describe_tasks()
        .cluster(&seeded.cluster)
        .tasks(&seeded.task_arn)
        .send()
        .await
        .expect("describe");
    let t = &t.tasks()[0];
    assert_eq!(t.stopped_reason(), Some(reason));
    assert_eq!(t.desired_status(), Some("STOPPED"));

    // UpdateService forceNewDeployment: a new deployment.
    let svc_ref = ServiceRef {
        cluster: seeded.cluster.clone(),
        service: seeded.service.clone(),
    };
    let old = cloud.service(&svc_ref).await.expect("service");
    cloud
        .force_deployment(&seeded.cluster, &seeded.service)
        .await
        .expect("force deployment");
    let new = cloud.service(&svc_ref).await.expect("service");
    let primary = |s: &ecsdeck::model::Service| {
        s.deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .map(|d| d.id.clone())
    };
    assert_ne!(primary(&new), primary(&old), "a new PRIMARY deployment");
    assert!(primary(&new).is_some());

    // A missing service is refused, in words, and not retried.
    let before = cloud.api_calls();
    let e = cloud
        .force_deployment(&seeded.cluster, "no-such-service")
        .await
        .expect_err("missing");
    assert_eq!(cloud.api_calls() - before, 1, "sent once, never retried");
    assert!(e.action == "ecs:UpdateService", "{e:?}");
}
