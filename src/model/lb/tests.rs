use super::*;
use crate::model::fixtures::{service, tg};

#[test]
fn urls_from_dns_name_and_listener() {
    let lb = LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.us-east-1.elb.amazonaws.com".into(),
        scheme: Some("internet-facing".into()),
        state: Some("active".into()),
        listeners: vec![],
    };
    let l = |protocol: &str, port| Listener {
        protocol: protocol.into(),
        port,
        forwards: vec![],
        rules: vec![],
        rules_error: None,
    };
    assert_eq!(
        listener_url(&lb, &l("HTTP", 80)),
        "http://goals-alb-1.us-east-1.elb.amazonaws.com:80"
    );
    assert_eq!(
        listener_url(&lb, &l("HTTPS", 443)),
        "https://goals-alb-1.us-east-1.elb.amazonaws.com:443"
    );
}

#[test]
fn the_probe_finds_the_listener_that_forwards_to_the_service() {
    let svc = service();
    let mut group = tg(vec![]);
    assert!(
        probe_base(&svc.target_group_arns(), std::slice::from_ref(&group))
            .expect_err("no lb")
            .contains("not attached")
    );
    let listener = |protocol: &str, port, fwd: bool| Listener {
        protocol: protocol.into(),
        port,
        forwards: if fwd {
            vec![group.arn.clone()]
        } else {
            vec!["arn:tg/other".into()]
        },
        rules: vec![],
        rules_error: None,
    };
    let lb = |listeners| LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.elb.amazonaws.com".into(),
        scheme: Some("internet-facing".into()),
        state: Some("active".into()),
        listeners,
    };
    // HTTP:80 redirects (forwards nowhere), HTTPS:443 forwards.
    let https_only = lb(vec![
        Listener {
            forwards: vec![],
            ..listener("HTTP", 80, false)
        },
        listener("HTTPS", 443, true),
    ]);
    // An HTTP listener on another port forwarding elsewhere is skipped.
    let both = lb(vec![
        listener("HTTP", 8080, false),
        listener("HTTPS", 443, true),
        listener("HTTP", 80, true),
    ]);
    group.load_balancers = vec![https_only];
    assert_eq!(
        probe_base(&svc.target_group_arns(), std::slice::from_ref(&group)).as_deref(),
        Ok("https://goals-alb-1.elb.amazonaws.com:443")
    );
    group.load_balancers = vec![both];
    assert_eq!(
        probe_base(&svc.target_group_arns(), std::slice::from_ref(&group)).as_deref(),
        Ok("http://goals-alb-1.elb.amazonaws.com:80")
    );
    group.load_balancers = vec![lb(vec![listener("HTTP", 80, false)])];
    assert!(
        probe_base(&svc.target_group_arns(), std::slice::from_ref(&group))
            .expect_err("rules only")
            .contains("forwards")
    );
    let mut alone = svc.clone();
    alone.load_balancers.clear();
    assert!(
        probe_base(&alone.target_group_arns(), &[])
            .expect_err("none")
            .contains("--probe-url")
    );
}

#[test]
fn listener_rules_in_priority_order_decide_where_a_path_goes() {
    let ours = "arn:tg/goals".to_string();
    let bound = vec![ours.clone()];
    let rule = |priority, field: &str, values: &[&str], to: &str| crate::model::ListenerRule {
        priority,
        conditions: vec![crate::model::RuleCondition {
            field: field.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
        forwards: if to.is_empty() {
            vec![]
        } else {
            vec![to.to_string()]
        },
    };
    let mut l = Listener {
        protocol: "HTTP".into(),
        port: 80,
        forwards: vec![ours.clone()],
        rules: vec![
            rule(20, "path-pattern", &["/goals*"], "arn:tg/v2"),
            rule(5, "host-header", &["admin.example.com"], "arn:tg/admin"),
        ],
        rules_error: None,
    };
    // /goals matches rule 20 (rule 5's host does not match): elsewhere.
    let r = route(&l, &bound, "goals-alb-1.elb.amazonaws.com", "GET", "/goals");
    assert!(
        matches!(&r, Route::Elsewhere(w) if w.contains("GET /goals goes to v2 by rule 20 (path-pattern /goals*)")),
        "{r:?}"
    );
    // A path no rule matches takes the default action: ours.
    assert_eq!(
        route(
            &l,
            &bound,
            "goals-alb-1.elb.amazonaws.com",
            "GET",
            "/health"
        ),
        Route::Ours
    );
    // A condition that cannot be decided from here makes it unsure.
    l.rules = vec![rule(1, "source-ip", &["10.0.0.0/8"], "arn:tg/internal")];
    assert!(matches!(
        route(&l, &bound, "x", "GET", "/goals"),
        Route::Unsure(_)
    ));
    // Rules that could not be read: unsure, said why.
    l.rules = vec![];
    l.rules_error = Some("add elasticloadbalancing:DescribeRules".into());
    assert!(
        matches!(route(&l, &bound, "x", "GET", "/goals"), Route::Unsure(w) if w.contains("DescribeRules"))
    );
    // The probe finds no URL when its path goes elsewhere, and says where.
    l.rules_error = None;
    l.rules = vec![rule(20, "path-pattern", &["/goals*"], "arn:tg/v2")];
    let mut group = crate::model::fixtures::tg(vec![]);
    group.arn = ours.clone();
    group.load_balancers = vec![LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.elb.amazonaws.com".into(),
        scheme: None,
        state: None,
        listeners: vec![l],
    }];
    let e = probe_base_at(&bound, std::slice::from_ref(&group), "/goals", false)
        .expect_err("elsewhere");
    assert!(e.contains("by rule 20"), "{e}");
    assert!(probe_base_at(&bound, &[group], "/health", false).is_ok());
}

#[test]
fn with_secret_headers_the_probe_takes_the_https_listener_when_there_is_one() {
    let svc = service();
    let mut group = tg(vec![]);
    let listener = |protocol: &str, port| Listener {
        protocol: protocol.into(),
        port,
        forwards: vec![group.arn.clone()],
        rules: vec![],
        rules_error: None,
    };
    let both = vec![listener("HTTP", 80), listener("HTTPS", 443)];
    group.load_balancers = vec![LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.us-east-1.elb.amazonaws.com".into(),
        scheme: None,
        state: None,
        listeners: both,
    }];
    let bound = svc.target_group_arns();
    let groups = std::slice::from_ref(&group);
    assert_eq!(
        probe_base_at(&bound, groups, "/goals", false).as_deref(),
        Ok("http://goals-alb-1.us-east-1.elb.amazonaws.com:80"),
        "no secret: plain HTTP needs no certificate for the ELB name"
    );
    assert_eq!(
        probe_base_at(&bound, groups, "/goals", true).as_deref(),
        Ok("https://goals-alb-1.us-east-1.elb.amazonaws.com:443"),
        "an API key never crosses the network in clear"
    );
}
