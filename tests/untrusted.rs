//! Untrusted text from AWS is sanitised where it becomes a domain type
//! (issue 19): the strings that skipped the sanitiser — the caller's ARN,
//! the service names the picker shows, DescribeServices' failure reasons,
//! the load balancers' ARNs — each fed an escape sequence or a
//! bidirectional override through the real SDK deserialisers.

mod common;

use common::aws::assert_inert;
use common::aws::body;

use aws_smithy_mocks::{RuleMode, mock, mock_client};
use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::aws::AwsCloud;
use ecsdeck::model::ServiceRef;

#[tokio::test]
async fn the_identity_the_picker_names_failure_reasons_and_load_balancer_arns_are_inert() {
    use aws_sdk_ecs::Client as Ecs;
    use aws_sdk_elasticloadbalancingv2::Client as Elb;
    use aws_sdk_sts::Client as Sts;
    // XML cannot carry ESC: the right-to-left override hides text too.
    let identity = mock!(Sts::get_caller_identity).then_http_response(|| {
        body(
            200,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
             <Arn>arn:aws:sts::123456789012:assumed-role/ops/\u{202E}ecila</Arn><UserId>AROA:x</UserId>\
             <Account>123456789012\u{202E}</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        )
    });
    let services = mock!(Ecs::list_services).then_http_response(|| {
        body(
            200,
            r#"{"serviceArns":["arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals\u001b[2J\u001b]0;owned\u0007"]}"#,
        )
    });
    let describe = mock!(Ecs::describe_services).then_http_response(|| {
        body(
            200,
            r#"{"services":[],"failures":[{"arn":"arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/x","reason":"MISSING\u001b[31m\u001b]8;;http://evil\u0007"}]}"#,
        )
    });
    let groups = mock!(Elb::describe_target_groups).then_http_response(|| {
        body(
            200,
            "<DescribeTargetGroupsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><DescribeTargetGroupsResult><TargetGroups><member>\
             <TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/goals-tg/73e2d6bc24d8a067</TargetGroupArn>\
             <TargetGroupName>goals-tg</TargetGroupName><Protocol>HTTP</Protocol><Port>80</Port><TargetType>ip</TargetType>\
             <LoadBalancerArns><member>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/goals-alb/\u{2066}50dc6c495c0c9188</member></LoadBalancerArns>\
             </member></TargetGroups></DescribeTargetGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>",
        )
    });
    const ELB: &str = "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"";
    let meta = "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>";
    let attrs = mock!(Elb::describe_target_group_attributes).then_http_response(move || {
        body(200, format!("<DescribeTargetGroupAttributesResponse {ELB}><DescribeTargetGroupAttributesResult><Attributes/></DescribeTargetGroupAttributesResult>{meta}</DescribeTargetGroupAttributesResponse>"))
    });
    let health = mock!(Elb::describe_target_health).then_http_response(move || {
        body(200, format!("<DescribeTargetHealthResponse {ELB}><DescribeTargetHealthResult><TargetHealthDescriptions/></DescribeTargetHealthResult>{meta}</DescribeTargetHealthResponse>"))
    });
    let lbs = mock!(Elb::describe_load_balancers).then_http_response(move || {
        body(200, format!("<DescribeLoadBalancersResponse {ELB}><DescribeLoadBalancersResult><LoadBalancers><member>\
            <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/goals-alb/50dc6c495c0c9188</LoadBalancerArn>\
            <DNSName>goals-alb-1.us-east-1.elb.amazonaws.com</DNSName><LoadBalancerName>goals-alb</LoadBalancerName><Scheme>internet-facing</Scheme><Type>application</Type>\
            </member></LoadBalancers></DescribeLoadBalancersResult>{meta}</DescribeLoadBalancersResponse>"))
    });
    let listeners = mock!(Elb::describe_listeners).then_http_response(move || {
        body(200, format!("<DescribeListenersResponse {ELB}><DescribeListenersResult><Listeners/></DescribeListenersResult>{meta}</DescribeListenersResponse>"))
    });
    let b = AwsCloud::from_clients(
        mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&services, &describe]),
        mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            [&groups, &attrs, &health, &lbs, &listeners]
        ),
        mock_client!(aws_sdk_efs, RuleMode::MatchAny, &[]),
        mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
    );
    let id = b.identity().await.expect("identity");
    assert_inert("caller ARN", &id.arn);
    assert_inert("account", &id.account);
    assert!(id.arn.ends_with("ecila"), "the rest is kept: {}", id.arn);

    let listed = b
        .list_services(Some("goals-cluster"))
        .await
        .expect("listed");
    assert_eq!(listed.len(), 1);
    assert_inert("picker's service name", &listed[0].service);
    assert!(
        listed[0].service.starts_with("goals"),
        "{}",
        listed[0].service
    );

    let e = b
        .service(&ServiceRef {
            cluster: "goals-cluster".into(),
            service: "x".into(),
        })
        .await
        .expect_err("a failure, not a service");
    assert_inert("failure reason", &e.message);
    assert!(e.message.contains("MISSING"), "{}", e.message);

    // The target groups' load balancers: what the listeners and the probe
    // URL are found from, and what the pane names.
    let groups = b
        .target_groups(&[
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/goals-tg/73e2d6bc24d8a067".into(),
        ])
        .await
        .expect("described");
    let lb = &groups[0].load_balancers[0];
    assert_inert("load balancer ARN", &lb.arn);
    assert!(lb.arn.ends_with("50dc6c495c0c9188"), "{}", lb.arn);
}
