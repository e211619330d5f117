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
