//! The load balancer's URLs: what its users type, from its DNS name and
//! listeners. The probe reaches the API through these.

use super::{Listener, LoadBalancer, TargetGroup};

/// `scheme://dns-name:port` of one listener. ELB's DNS names never carry a
/// port, so the listener's is always written, default or not.
pub fn listener_url(lb: &LoadBalancer, l: &Listener) -> String {
    let scheme = if l.protocol.eq_ignore_ascii_case("HTTPS") {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}:{}", lb.dns_name, l.port)
}

/// The base URL the probe finds by itself: the load balancer in front of
/// the service's target group, through a listener whose default action
/// forwards to that group. Plain HTTP first when both forward (it needs
/// no certificate for the ELB name); HTTPS otherwise. Err says why there
/// is none, for the pane.
pub fn probe_base(bound: &[String], groups: &[TargetGroup]) -> Result<String, String> {
    if bound.is_empty() {
        return Err("the service has no load balancer: pass --probe-url URL".into());
    }
    let mut attached = false;
    for arn in bound {
        let Some(tg) = groups.iter().find(|g| &g.arn == arn) else {
            continue;
        };
        for lb in &tg.load_balancers {
            attached = true;
            let forwarding: Vec<&Listener> = lb
                .listeners
                .iter()
                .filter(|l| l.forwards.contains(arn))
                .collect();
            let pick = forwarding
                .iter()
                .find(|l| l.protocol.eq_ignore_ascii_case("HTTP"))
                .or_else(|| forwarding.first());
            if let Some(l) = pick
                && !lb.dns_name.is_empty()
            {
                return Ok(listener_url(lb, l));
            }
        }
    }
    if attached {
        Err("no listener's default action forwards to the service's target group (listener rules are not read): pass --probe-url URL".into())
    } else if groups.is_empty() {
        Err("waiting for the target group".into())
    } else {
        Err("the target group is not attached to a load balancer: pass --probe-url URL".into())
    }
}

#[cfg(test)]
mod tests {
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
}
