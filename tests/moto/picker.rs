//! The service picker, end to end against moto: the real binary in a
//! pseudo-terminal, two services to choose from, and a signal while the
//! operator chooses.

use std::process::Command;
use std::time::Duration;

use super::common::Session;
use super::ecs::seed;
use super::{MOTO, endpoint, sdk_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_in_the_service_picker_restores_the_terminal_and_exits_128_plus_n() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let seeded = seed(&endpoint, &conf).await;
    // A second service: the picker asks which.
    aws_sdk_ecs::Client::new(&conf)
        .create_service()
        .cluster(&seeded.cluster)
        .service_name("other-service")
        .task_definition("goals")
        .desired_count(0)
        .send()
        .await
        .expect("a second service");
    let run = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(
            &["--region", super::REGION, "--endpoint-url", &endpoint],
            &[
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
            ],
        );
        s.wait_for(&["goals-service", "other-service"], Duration::from_secs(40));
        let pid = s.child.process_id().expect("pid");
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        let st = s.wait_exit(Duration::from_secs(10));
        s.assert_restored();
        st.exit_code()
    });
    assert_eq!(run.await.expect("the pty session"), 143);
}

/// `:` then Tab: another profile (another region here), its services
/// listed with it, and the dashboard moved there once one is chosen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colon_then_tab_switches_the_profile_and_the_dashboard_follows_into_its_region() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let seeded = seed(&endpoint, &conf).await;
    // The other profile's region holds a service of its own.
    let eu = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await;
    let ecs = aws_sdk_ecs::Client::new(&eu);
    ecs.create_cluster()
        .cluster_name("eu-cluster")
        .send()
        .await
        .expect("cluster");
    ecs.register_task_definition()
        .family("eu-app")
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
    ecs.create_service()
        .cluster("eu-cluster")
        .service_name("eu-service")
        .task_definition("eu-app")
        .desired_count(0)
        .send()
        .await
        .expect("service");
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config");
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &config,
        "[profile ops]\nregion = us-east-1\n[profile eu]\nregion = eu-west-1\n",
    )
    .expect("config");
    std::fs::write(
        &credentials,
        "[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n[eu]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("credentials");
    let cluster = seeded.cluster.clone();
    let run = tokio::task::spawn_blocking(move || {
        let (config, credentials) = (
            config.display().to_string(),
            credentials.display().to_string(),
        );
        let mut s = Session::start(
            &[
                "--profile",
                "ops",
                "--endpoint-url",
                &endpoint,
                "--cluster",
                &cluster,
                "--service",
                "goals-service",
                "--read-only",
            ],
            &[
                ("AWS_CONFIG_FILE", &config),
                ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
            ],
        );
        s.wait_for(&["goals-service", "us-east-1"], Duration::from_secs(40));
        s.send(":");
        s.wait_for(
            &["pick a service", "profile ops · us-east-1"],
            Duration::from_secs(10),
        );
        s.send("\t");
        s.wait_for(
            &["pick a profile", "ops  (in use)", "eu"],
            Duration::from_secs(10),
        );
        s.send("eu\r");
        s.wait_for(
            &["profile eu · eu-west-1", "eu-cluster", "eu-service"],
            Duration::from_secs(20),
        );
        s.send("\r");
        let screen = s.wait_for(
            &["eu-cluster / eu-service", "eu-west-1"],
            Duration::from_secs(20),
        );
        assert!(
            screen.contains("now watching eu-cluster/eu-service"),
            "{screen}"
        );
        s.send("q");
        let st = s.wait_exit(Duration::from_secs(10));
        s.assert_restored();
        st.exit_code()
    });
    assert_eq!(run.await.expect("the pty session"), 0);
}
