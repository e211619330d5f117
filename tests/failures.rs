//! Failures stay in their panel (issue 19): one denied call costs only
//! what needs it.

mod common;

use common::aws::body;

use aws_smithy_mocks::{RuleMode, mock, mock_client};
use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::aws::AwsCloud;

const TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/goals-tg/6d0ecf831eec9f09";

#[tokio::test]
async fn a_denied_describe_listeners_keeps_target_health_and_says_why_the_url_is_unknown() {
    use aws_sdk_elasticloadbalancingv2::Client as Elb;
    let tgs = mock!(Elb::describe_target_groups)
        .then_http_response(|| body(200, include_str!("fixtures/describe_target_groups.xml")));
    let attrs = mock!(Elb::describe_target_group_attributes).then_http_response(|| {
        body(
            200,
            include_str!("fixtures/describe_target_group_attributes.xml"),
        )
    });
    let health = mock!(Elb::describe_target_health)
        .then_http_response(|| body(200, include_str!("fixtures/describe_target_health.xml")));
    let lbs = mock!(Elb::describe_load_balancers)
        .then_http_response(|| body(200, include_str!("fixtures/describe_load_balancers.xml")));
    // A policy without elasticloadbalancing:DescribeListeners.
    let listeners = mock!(Elb::describe_listeners).then_http_response(|| {
        body(
            400,
            "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: elasticloadbalancing:DescribeListeners</Message></Error>\
             <RequestId>r</RequestId></ErrorResponse>",
        )
    });
    let b = AwsCloud::from_clients(
        mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &[]),
        mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            [&tgs, &attrs, &health, &lbs, &listeners]
        ),
        mock_client!(aws_sdk_efs, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
    );
    let groups = b
        .target_groups(&[TG.into()])
        .await
        .expect("target health does not need the listeners");
    // The refusal is remembered for a minute: not asked on every poll.
    for _ in 0..3 {
        b.target_groups(&[TG.into()]).await.expect("again");
    }
    assert_eq!(listeners.num_calls(), 1, "DescribeListeners asked once");
    assert_eq!(health.num_calls(), 4, "target health every poll");
    assert!(!groups[0].targets.is_empty(), "the targets are shown");
    let lb = &groups[0].load_balancers[0];
    let why = lb.unreadable.as_deref().expect("said why");
    assert!(
        why.contains("elasticloadbalancing:DescribeListeners"),
        "{why}"
    );
    let url = ecsdeck::model::lb::probe_base_at(&[TG.into()], &groups, "/goals", false)
        .expect_err("no URL without the listeners");
    assert!(
        url.contains("URL unknown")
            && url.contains("elasticloadbalancing:DescribeListeners")
            && url.contains("--probe-url"),
        "{url}"
    );
}

/// `ecsdeck status` with an SSO profile whose cached token expires at
/// `expires`, every endpoint (the SSO portal's too) on a closed loopback
/// port: (exit code, stderr).
fn status_with_sso_token(expires: &str) -> (Option<i32>, String) {
    let home = tempfile::tempdir().expect("tmp");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).expect("dirs");
    std::fs::write(
        aws.join("config"),
        "[profile ops]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ops\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    // The token cache is named by the SHA-1 of the session's name.
    std::fs::write(
        aws.join("sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        format!(
            r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "t", "expiresAt": "{expires}"}}"#
        ),
    )
    .expect("token");
    // Loopback only: nothing may reach AWS, even if the token were used.
    let nowhere = "http://127.0.0.1:9";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .args(["--profile", "ops", "--endpoint-url", nowhere])
        .args(["--cluster", "goals-cluster", "--service", "goals-service"])
        .arg("status")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_ENDPOINT_URL_SSO", nowhere)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", nowhere)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A bastion's SSO session that ran out: the cached token expired and
/// cannot be refreshed. The SDK's own credential chain fails before any
/// request; ecsdeck must call it a credentials problem and name the
/// command that fixes it.
#[test]
fn an_expired_sso_session_is_called_expired_credentials_with_the_login_to_run() {
    let (code, err) = status_with_sso_token("2025-01-01T00:00:00Z");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("credentials: ") && err.contains("run aws sso login --profile ops"),
        "{err}"
    );
}

/// A valid SSO token, but the SSO portal cannot be reached (no route from
/// a private subnet): logging in again would not help, so it is not
/// called a credentials problem (that would pause polling for nothing).
#[test]
fn an_sso_portal_out_of_reach_is_a_network_failure_not_expired_credentials() {
    let (code, err) = status_with_sso_token("2099-01-01T00:00:00Z");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot reach endpoint: the credentials could not be loaded"),
        "{err}"
    );
    assert!(!err.contains("aws sso login"), "{err}");
}

/// The dashboard while AWS refuses the credentials for a while (the demo
/// plays an SSO session running out and renewed): one banner, keys still
/// answered, `r` tries at once, and everything resumes by itself.
#[test]
fn expired_credentials_pause_the_dashboard_under_one_banner_and_it_resumes() {
    use std::time::{Duration, Instant};
    let started = Instant::now();
    let mut s = common::Session::start(&["demo", "--expired-credentials", "12s..30s"], &[]);
    s.wait_for(&["● HEALTHY", "mounted ✓"], Duration::from_secs(40));
    let screen = s.wait_for(
        &[
            "credentials expired: run aws sso login --profile demo",
            "AWS polling paused",
            "⏸ paused",
        ],
        Duration::from_secs(40),
    );
    assert!(
        !screen.contains("security token"),
        "said once, in the banner, not in every pane: {screen}"
    );
    // The probe does not need AWS credentials: it goes on.
    assert!(screen.contains("UP 200"), "{screen}");
    // Keys answer while paused.
    s.send("?");
    s.wait_for(&["Help: keys"], Duration::from_secs(3));
    s.send("\x1b");
    // The operator has logged in again (the demo's window is over) and
    // presses r: one try, accepted, every poller back at once.
    let over = Duration::from_secs(33);
    if let Some(left) = over.checked_sub(started.elapsed()) {
        std::thread::sleep(left);
    }
    s.send("r");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = s.screen();
        if !now.contains("credentials expired") && !now.contains("⏸") {
            assert!(now.contains("updated"), "{now}");
            break;
        }
        assert!(Instant::now() < deadline, "still paused after r: {now}");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}
