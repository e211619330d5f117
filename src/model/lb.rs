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
mod tests;
