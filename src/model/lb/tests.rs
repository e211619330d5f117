use super::*;
use crate::model::fixtures::{service, tg};

#[test]
fn urls_from_dns_name_and_listener() {
    let lb = LoadBalancer {
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
    };
    let lb = |listeners| LoadBalancer {
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
