//! Response semantics: realistic AWS responses (shapes from the APIs'
//! documentation) fed through the real SDK deserializers into the AWS
//! backend, asserting the domain result.

mod common;

use common::aws::assert_inert;
use common::aws::body;

use aws_sdk_ecs::types::DesiredStatus;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use ecsdeck::cloud::aws::AwsCloud;
use ecsdeck::cloud::{Cloud, ErrorKind};
use ecsdeck::model::ServiceRef;
use ecsdeck::model::derive::{self, Health, MountStatus, WarningKind};

fn fixture(name: &str) -> &'static str {
    match name {
        "services" => include_str!("fixtures/describe_services.json"),
        "taskdef" => include_str!("fixtures/describe_task_definition.json"),
        "tasks" => include_str!("fixtures/describe_tasks.json"),
        "tgs" => include_str!("fixtures/describe_target_groups.xml"),
        "attrs" => include_str!("fixtures/describe_target_group_attributes.xml"),
        "health" => include_str!("fixtures/describe_target_health.xml"),
        "lbs" => include_str!("fixtures/describe_load_balancers.xml"),
        "listeners" => include_str!("fixtures/describe_listeners.xml"),
        "rules" => include_str!("fixtures/describe_rules.xml"),
        "fs" => include_str!("fixtures/describe_file_systems.json"),
        "mts" => include_str!("fixtures/describe_mount_targets.json"),
        _ => panic!("no fixture {name}"),
    }
}

fn svc() -> ServiceRef {
    ServiceRef {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
    }
}

fn backend(ecs_denied: bool) -> AwsCloud {
    backend_with(
        ecs_denied,
        fixture("tasks").to_string(),
        fixture("services").to_string(),
    )
}

fn backend_with(ecs_denied: bool, tasks_json: String, services_json: String) -> AwsCloud {
    backend_full(ecs_denied, false, tasks_json, services_json)
}

fn backend_full(
    ecs_denied: bool,
    taskdef_denied: bool,
    tasks_json: String,
    services_json: String,
) -> AwsCloud {
    use aws_sdk_ecs::Client as Ecs;
    use aws_sdk_efs::Client as Efs;
    use aws_sdk_elasticloadbalancingv2::Client as Elb;
    let running = mock!(Ecs::list_tasks)
        .match_requests(|r| r.desired_status() == Some(&DesiredStatus::Running))
        .then_http_response(|| {
            body(
                200,
                r#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/6299e51e9a1b4c5d8e7f001122334455"]}"#,
            )
        });
    let stopped = mock!(Ecs::list_tasks)
        .match_requests(|r| r.desired_status() == Some(&DesiredStatus::Stopped))
        .then_http_response(|| {
            body(
                200,
                r#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/3f2a91bc0d0e0f101112131415161718"]}"#,
            )
        });
    let describe_tasks = mock!(Ecs::describe_tasks).then_http_response(move || {
        if ecs_denied {
            body(
                400,
                r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: ecs:DescribeTasks on resource: *"}"#,
            )
        } else {
            body(200, tasks_json.clone())
        }
    });
    let services =
        mock!(Ecs::describe_services).then_http_response(move || body(200, services_json.clone()));
    let taskdef = mock!(Ecs::describe_task_definition).then_http_response(move || {
        if taskdef_denied {
            body(
                400,
                r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: ecs:DescribeTaskDefinition"}"#,
            )
        } else {
            body(200, fixture("taskdef"))
        }
    });
    // The CPU and memory poller asks once the tasks are in: a snapshot
    // that takes a moment longer sees it ask.
    let clusters = mock!(Ecs::describe_clusters).then_http_response(|| {
        body(
            200,
            r#"{"clusters":[{"clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/goals-cluster","clusterName":"goals-cluster","status":"ACTIVE","settings":[{"name":"containerInsights","value":"disabled"}]}],"failures":[]}"#,
        )
    });
    let ecs = mock_client!(
        aws_sdk_ecs,
        RuleMode::MatchAny,
        [
            &running,
            &stopped,
            &describe_tasks,
            &services,
            &taskdef,
            &clusters
        ]
    );
    let tgs = mock!(Elb::describe_target_groups).then_http_response(|| body(200, fixture("tgs")));
    let attrs = mock!(Elb::describe_target_group_attributes)
        .then_http_response(|| body(200, fixture("attrs")));
    let health =
        mock!(Elb::describe_target_health).then_http_response(|| body(200, fixture("health")));
    let lbs = mock!(Elb::describe_load_balancers).then_http_response(|| body(200, fixture("lbs")));
    let listeners =
        mock!(Elb::describe_listeners).then_http_response(|| body(200, fixture("listeners")));
    let rules = mock!(Elb::describe_rules).then_http_response(|| body(200, fixture("rules")));
    let elb = mock_client!(
        aws_sdk_elasticloadbalancingv2,
        RuleMode::MatchAny,
        [&tgs, &attrs, &health, &lbs, &listeners, &rules]
    );
    let fs = mock!(Efs::describe_file_systems).then_http_response(|| body(200, fixture("fs")));
    let mts = mock!(Efs::describe_mount_targets).then_http_response(|| body(200, fixture("mts")));
    let efs = mock_client!(aws_sdk_efs, RuleMode::MatchAny, [&fs, &mts]);
    let who = mock!(aws_sdk_sts::Client::get_caller_identity).then_http_response(|| {
        body(
            200,
            r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/ops/me</Arn><UserId>AROAEXAMPLE:me</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#,
        )
    });
    let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&who]);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]);
    // No points yet: a service CloudWatch has nothing on.
    let points = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| {
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder().build()
    });
    let cw = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&points]);
    AwsCloud::from_clients(ecs, elb, efs, sts, logs).with_cloudwatch(cw)
}

#[tokio::test]
async fn service_and_task_definition_become_domain_types() {
    let b = backend(false);
    let s = b.service(&svc()).await.expect("service");
    assert_eq!(s.name, "goals-service");
    assert_eq!((s.desired, s.running, s.pending), (1, 1, 0));
    assert_eq!((s.config.min_percent, s.config.max_percent), (100, 200));
    assert!(
        s.config
            .circuit_breaker
            .is_some_and(|b| b.enable && b.rollback)
    );
    assert_eq!(s.deployments[0].rollout_state.as_deref(), Some("COMPLETED"));
    assert_eq!(s.load_balancers[0].container_port, 80);
    assert_eq!(s.events.len(), 2);
    assert!(s.events[0].at.is_some());
    assert!(s.exec_enabled, "enableExecuteCommand");

    let td = b
        .task_definition(&s.task_definition)
        .await
        .expect("taskdef");
    assert_eq!((td.family.as_str(), td.revision), ("goals", 3));
    assert_eq!(
        td.task_role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/goals-task"),
        "the task role, not the execution role"
    );
    assert!(
        td.container("goals-api")
            .is_some_and(|c| c.health_check.is_none())
    );
    let mongo = td.container("mongodb").expect("mongodb");
    assert!(mongo.health_check.is_some());
    assert_eq!(mongo.mount_points[0].path, "/data/db");
    let efs = td.volumes[0].efs.as_ref().expect("efs volume");
    assert_eq!(efs.file_system_id, "fs-a85a7c53");
    assert_eq!(efs.access_point.as_deref(), Some("fsap-0123456789abcdef0"));
    assert!(efs.transit_encryption && efs.iam);
    let log = mongo.log.as_ref().expect("awslogs");
    assert_eq!(
        (log.group.as_str(), log.stream_prefix.as_deref()),
        ("/ecs/goals", Some("ecs"))
    );
}

#[tokio::test]
async fn tasks_targets_and_efs_join_up() {
    let b = backend(false);
    let s = b.service(&svc()).await.expect("service");
    let td = b
        .task_definition(&s.task_definition)
        .await
        .expect("taskdef");
    let tasks = b.tasks(&svc()).await.expect("tasks");
    assert_eq!(tasks.len(), 2, "running and stopped both listed");
    let running = tasks.iter().find(|t| !t.is_stopped()).expect("running");
    assert_eq!(
        running.private_ip.as_deref(),
        Some("10.0.1.205"),
        "ENI attachment IP"
    );
    assert_eq!(running.az.as_deref(), Some("us-east-1a"));
    assert!(running.started_at.is_some());
    // ECS Exec: the task's flag and each container's agent.
    assert!(running.exec_enabled);
    let agents: Vec<_> = running
        .containers
        .iter()
        .map(|c| c.exec_agent.as_deref())
        .collect();
    assert_eq!(agents, [Some("RUNNING"), Some("PENDING")]);
    let stopped = tasks.iter().find(|t| t.is_stopped()).expect("stopped");
    assert!(!stopped.exec_enabled && stopped.containers.iter().all(|c| c.exec_agent.is_none()));
    assert_eq!(stopped.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert!(derive::is_efs_mount_failure(stopped));

    let tgs = b
        .target_groups(&[s.load_balancers[0].target_group_arn.clone()])
        .await
        .expect("target groups");
    let g = &tgs[0];
    assert_eq!(g.deregistration_delay_s, Some(300));
    assert_eq!(g.health_check.path.as_deref(), Some("/goals"));
    assert_eq!(
        g.load_balancers[0].dns_name,
        "goals-alb-424835706.us-east-1.elb.amazonaws.com"
    );
    assert_eq!(g.load_balancers[0].listeners[0].port, 80);
    // The listener's rules are read: /admin/* goes elsewhere, /goals by
    // the default action to the service's group.
    let l = &g.load_balancers[0].listeners[0];
    assert_eq!(l.rules.len(), 1, "{l:?}");
    assert_eq!(l.rules[0].priority, 10);
    assert_eq!(l.rules[0].conditions[0].field, "path-pattern");
    assert_eq!(
        l.rules[0].conditions[0].values,
        vec!["/admin/*".to_string()]
    );
    let bound = s.target_group_arns();
    assert_eq!(
        ecsdeck::model::lb::route(l, &bound, "goals-alb", "GET", "/goals"),
        ecsdeck::model::lb::Route::Ours
    );
    assert!(matches!(
        ecsdeck::model::lb::route(l, &bound, "goals-alb", "GET", "/admin/users"),
        ecsdeck::model::lb::Route::Elsewhere(w) if w.contains("admin-tg") && w.contains("rule 10")
    ));
    let states: Vec<(&str, &str, Option<&str>)> = g
        .targets
        .iter()
        .map(|t| (t.id.as_str(), t.state.as_str(), t.reason.as_deref()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("10.0.1.205", "healthy", None),
            (
                "10.0.2.17",
                "draining",
                Some("Target.DeregistrationInProgress")
            ),
            (
                "10.0.1.77",
                "unhealthy",
                Some("Target.ResponseCodeMismatch")
            ),
            ("10.0.1.78", "initial", Some("Elb.RegistrationInProgress")),
            ("10.0.1.79", "unhealthy", Some("Target.Timeout")),
        ]
    );
    assert_eq!(
        g.targets[2].description.as_deref(),
        Some("Health checks failed with these codes: [502]")
    );
    // The join: the healthy target is the running task; the draining one
    // is the stopped task that had 10.0.2.17; the others belong to nobody.
    let b0 = derive::binding_for(&s, g);
    let owner = |i: usize| derive::task_for_target(g, b0, &g.targets[i], &tasks).map(|t| t.short());
    assert_eq!(owner(0), Some("6299e51e"));
    assert_eq!(owner(1), Some("3f2a91bc"));
    assert_eq!(owner(2), None);

    let fss = b.file_systems(&["fs-a85a7c53".into()]).await.expect("efs");
    let fs = &fss[0];
    assert_eq!(
        (fs.lifecycle.as_str(), fs.size_bytes, fs.mount_target_count),
        ("available", 6291456, 2)
    );
    assert_eq!(fs.mount_targets[1].state, "creating");
    assert_eq!(
        derive::mount_status(running, &td, "data", fs),
        MountStatus::Mounted,
        "mount target available in 1a and mongodb HEALTHY"
    );
    assert!(
        matches!(derive::mount_status(stopped, &td, "data", fs), MountStatus::Failed(r) if r.contains("Failed to resolve"))
    );

    // Healthy enough to serve, but two unhealthy targets degrade it.
    let v = derive::verdict(Some(&s), Some(&tasks), Some(&tgs));
    assert_eq!(v.health, Health::Degraded, "{v:?}");
    let w = derive::preflight(&s, Some(&td), &tgs, &fss, &tasks);
    let kinds: Vec<WarningKind> = w.iter().map(|w| w.kind).collect();
    for k in [
        WarningKind::SingleWriter,
        WarningKind::NoHealthCheck,
        WarningKind::SlowHealthCheck,
        WarningKind::LongDeregistration,
        WarningKind::MountFailed,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {w:?}");
    }
}

#[tokio::test]
async fn access_denied_names_the_action_and_request() {
    let b = backend(true);
    let e = b.tasks(&svc()).await.expect_err("denied");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.action, "ecs:DescribeTasks");
    assert_eq!(
        e.request_id.as_deref(),
        Some("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111")
    );
    assert_eq!(
        e.operator_text(),
        "add ecs:DescribeTasks to the IAM policy (AccessDeniedException)"
    );
}

fn ecs_only(status: u16, body_text: &'static str) -> AwsCloud {
    use aws_sdk_ecs::Client as Ecs;
    let rule = mock!(Ecs::describe_services).then_http_response(move || body(status, body_text));
    let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
    AwsCloud::from_clients(
        ecs,
        mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_efs, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
    )
}

#[tokio::test]
async fn expired_credentials_and_throttling_are_told_apart() {
    let b = ecs_only(
        400,
        r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
    );
    let e = b.service(&svc()).await.expect_err("expired");
    assert_eq!(e.kind, ErrorKind::Credentials);
    assert!(
        e.operator_text().contains("aws sso login"),
        "{}",
        e.operator_text()
    );

    let b = ecs_only(
        400,
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
    );
    let e = b.service(&svc()).await.expect_err("throttled");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.operator_text(), "throttled on ecs:DescribeServices");

    let b = ecs_only(
        400,
        r#"{"__type":"ClusterNotFoundException","message":"Cluster not found."}"#,
    );
    let e = b.service(&svc()).await.expect_err("no cluster");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(
        e.operator_text(),
        "ClusterNotFoundException: Cluster not found."
    );

    // A clock minutes off from AWS's: no login helps, and the SDK signs
    // the next request with the offset; not a credentials refusal (which
    // would pause every poller and tell the operator to log in).
    let b = ecs_only(
        400,
        r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20261203T100000Z is now earlier than 20261203T100500Z (20261203T101000Z - 5 min.)"}"#,
    );
    let e = b.service(&svc()).await.expect_err("skewed");
    assert_eq!(e.kind, ErrorKind::Other);
    assert!(
        e.operator_text().contains("this host's clock is off"),
        "{}",
        e.operator_text()
    );
    // A wrong secret key is still the credentials'.
    let b = ecs_only(
        400,
        r#"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided."}"#,
    );
    let e = b.service(&svc()).await.expect_err("wrong secret");
    assert_eq!(e.kind, ErrorKind::Credentials);
}

/// No character a terminal acts on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_from_aws_are_inert_in_status_on_screen_and_in_files() {
    use ecsdeck::app::logs::Entry;
    use ecsdeck::app::{Context, Msg, State, divider_words, update};
    use ecsdeck::model::observe::{Observation, PollEvent, Resource};
    // A stop reason is free text, set by anyone with ecs:StopTask: here a
    // clipboard write (OSC 52), a screen clear, a title and a bidi override.
    let efs_reason = fixture("tasks")
        .split("\"stoppedReason\": \"")
        .nth(1)
        .and_then(|r| r.split("\",\n").next())
        .expect("stop reason in the fixture");
    let hostile =
        r"\u001b]52;c;cGF3bmVk\u0007\u001b[2J\u001b]0;pwned\u0007restart from \u202eecsdeck";
    let tasks = fixture("tasks").replace(efs_reason, hostile);
    let services = fixture("services").replace(
        "has reached a steady state.",
        r"\u001b[31mhas reached\u001b[0m a steady state.",
    );
    let cloud: std::sync::Arc<dyn Cloud> =
        std::sync::Arc::new(backend_with(false, tasks, services));
    let snap = ecsdeck::cmd::status::snapshot(&cloud, &svc())
        .await
        .expect("snapshot");
    let stopped = snap
        .tasks
        .iter()
        .find(|t| t.is_stopped())
        .expect("stopped task");
    assert_eq!(
        stopped.stopped_reason.as_deref(),
        Some("restart from ecsdeck"),
        "sanitised where it became a domain type"
    );

    let table = ecsdeck::cmd::status::table(&snap);
    assert_inert("status", &table);
    assert!(table.contains("restart from ecsdeck"), "{table}");
    let json = serde_json::to_string(&snap).expect("json");
    assert!(
        !json.contains("\\u001b") && !json.contains('\u{1b}'),
        "{json}"
    );

    let now = ecsdeck::clock::now();
    let mut state = State::new(Context::new(svc(), "us-east-1"), now);
    for (resource, obs) in [
        (
            Resource::Service,
            Observation::Service(Box::new(snap.service.clone())),
        ),
        (
            Resource::TaskDefs,
            Observation::TaskDefs(vec![snap.task_definition.clone()]),
        ),
        (Resource::Tasks, Observation::Tasks(snap.tasks.clone())),
    ] {
        update(
            &mut state,
            Msg::Poll(Box::new(PollEvent {
                resource,
                at: now,
                result: Ok(obs),
            })),
        );
    }
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 50)).expect("tty");
    term.draw(|f| ecsdeck::ui::render(&state, &ecsdeck::ui::Theme { color: false }, f))
        .expect("draw");
    let screen = term.backend().to_string();
    assert_inert("screen", &screen);
    assert!(screen.contains("restart from ecsdeck"), "{screen}");
    assert!(screen.contains("has reached a steady state."), "{screen}");

    // A saved log file's divider names the stop reason.
    let words = divider_words(
        &Entry::Divider {
            at: now,
            old_task: stopped.arn.clone(),
            new_task: None,
        },
        &snap.tasks,
    );
    assert_inert("saved file", &words);
    assert!(words.contains("restart from ecsdeck"), "{words}");
}

#[tokio::test]
async fn the_picker_with_a_cluster_lists_that_cluster_only() {
    use aws_sdk_ecs::Client as Ecs;
    // A cluster-scoped policy: ListClusters is denied, ListServices in the
    // cluster is allowed.
    let clusters = mock!(Ecs::list_clusters).then_http_response(|| {
        body(
            400,
            r#"{"__type":"AccessDeniedException","message":"not authorized to perform: ecs:ListClusters"}"#,
        )
    });
    let services = mock!(Ecs::list_services)
        .match_requests(|r| r.cluster() == Some("goals-cluster"))
        .then_http_response(|| {
            body(
                200,
                r#"{"serviceArns":["arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals-service"]}"#,
            )
        });
    let b = AwsCloud::from_clients(
        mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&clusters, &services]),
        mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_efs, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
    );
    let listed = b
        .list_services(Some("goals-cluster"))
        .await
        .expect("no ListClusters needed");
    assert_eq!(listed, vec![svc()]);
    let e = b.list_services(None).await.expect_err("denied");
    assert_eq!(e.action, "ecs:ListClusters");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_task_definition_costs_only_the_panels_that_need_it() {
    use ecsdeck::app::{Context, Msg, State, update};
    use ecsdeck::model::observe::Resource;
    use ecsdeck::poll::Plan;
    use ecsdeck::session::Session;
    let cloud: std::sync::Arc<dyn Cloud> = std::sync::Arc::new(backend_full(
        false,
        true,
        fixture("tasks").to_string(),
        fixture("services").to_string(),
    ));
    let mut session = Session::start(
        cloud,
        svc(),
        Plan {
            refresh: std::time::Duration::from_secs(5),
            logs: false,
            metrics: false,
            probe: None,
        },
    );
    let mut state = State::new(Context::new(svc(), "us-east-1"), ecsdeck::clock::now());
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 4 {
        let ev = session
            .next_within(std::time::Duration::from_secs(20))
            .await
            .expect("observations");
        seen.insert(ev.resource);
        update(&mut state, Msg::Poll(Box::new(ev)));
        seen.retain(|r| {
            matches!(
                r,
                Resource::Service | Resource::Tasks | Resource::Targets | Resource::TaskDefs
            )
        });
    }
    let e = state
        .world
        .task_defs
        .error
        .as_ref()
        .expect("task definitions denied");
    assert_eq!(e.error.action, "ecs:DescribeTaskDefinition");
    assert!(
        state.world.service.get().is_some(),
        "DescribeServices still shown"
    );
    assert!(
        state.world.targets.get().is_some(),
        "targets come from the service"
    );
    assert_ne!(
        state.verdict().health,
        Health::Unknown,
        "{:?}",
        state.verdict()
    );

    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("tty");
    term.draw(|f| ecsdeck::ui::render(&state, &ecsdeck::ui::Theme { color: false }, f))
        .expect("draw");
    let screen = term.backend().to_string();
    assert!(screen.contains("desired 1"), "Service pane: {screen}");
    assert!(
        screen.contains("has reached a steady state"),
        "Events: {screen}"
    );
    assert!(screen.contains("10.0.1.205:80"), "Load balancer: {screen}");
    // The EFS pane says what it needs and which permission is missing, in
    // full (the action is never cut at 120 columns).
    assert!(screen.contains("needs the task"), "{screen}");
    assert!(screen.contains("ecs:DescribeTaskDefinition"), "{screen}");
}

#[tokio::test]
async fn a_denied_or_failed_stop_task_is_sent_once_and_said_in_words() {
    use aws_sdk_ecs::Client as Ecs;
    use ecsdeck::cloud::Operate;
    for (status, text, words) in [
        (
            400,
            r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: ecs:StopTask"}"#,
            "add ecs:StopTask to the IAM policy (AccessDeniedException)",
        ),
        // A fault the SDK would retry by default: a destructive call is not.
        (
            500,
            r#"{"__type":"ServerException","message":"internal error"}"#,
            "ServerException",
        ),
    ] {
        let rule = mock!(Ecs::stop_task).then_http_response(move || body(status, text));
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
        let b = AwsCloud::from_clients(
            ecs,
            mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &[]),
            mock_client!(aws_sdk_efs, RuleMode::MatchAny, &[]),
            mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[]),
            mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
        );
        let e = b
            .stop_task(
                "goals-cluster",
                "arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/abc",
                "r",
            )
            .await
            .expect_err("refused");
        assert_eq!(rule.num_calls(), 1, "StopTask sent once ({status})");
        assert_eq!(e.action, "ecs:StopTask");
        assert!(e.operator_text().contains(words), "{}", e.operator_text());
    }
}
