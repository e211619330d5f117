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
