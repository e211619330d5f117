//! The load balancer's URLs: what its users type, from its DNS name and
//! listeners. The probe reaches the API through these.

use super::{Listener, LoadBalancer};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
