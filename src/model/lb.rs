//! The load balancer's URLs: what its users type, from its DNS name and
//! listeners. The probe reaches the API through these.

use super::{Listener, ListenerRule, LoadBalancer, RuleCondition, TargetGroup};

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
    probe_base_at(bound, groups, "/", false)
}

/// `probe_base` for a request of `path`: a listener counts only when its
/// rules, in priority order, send `GET path` to the service's own groups.
pub fn probe_base_at(
    bound: &[String],
    groups: &[TargetGroup],
    path: &str,
    https_first: bool,
) -> Result<String, String> {
    if bound.is_empty() {
        return Err("the service has no load balancer: pass --probe-url URL".into());
    }
    let mut attached = false;
    let mut why_not: Option<String> = None;
    for arn in bound {
        let Some(tg) = groups.iter().find(|g| &g.arn == arn) else {
            continue;
        };
        for lb in &tg.load_balancers {
            attached = true;
            if let Some(why) = &lb.unreadable {
                why_not.get_or_insert(format!(
                    "URL unknown: the load balancer {} cannot be read ({why})",
                    lb.name
                ));
                continue;
            }
            let forwarding: Vec<&Listener> = lb
                .listeners
                .iter()
                .filter(|l| route(l, bound, &lb.dns_name, "GET", path) == Route::Ours)
                .collect();
            if forwarding.is_empty()
                && let Some(why) = lb.listeners.iter().find_map(|l| {
                    match route(l, bound, &lb.dns_name, "GET", path) {
                        Route::Ours => None,
                        Route::Elsewhere(w) | Route::Unsure(w) => {
                            (l.forwards.contains(arn) || !l.rules.is_empty()).then_some(w)
                        }
                    }
                })
            {
                why_not.get_or_insert(why);
            }
            // Secret headers go over HTTPS where the load balancer has it.
            let first = if https_first { "HTTPS" } else { "HTTP" };
            let pick = forwarding
                .iter()
                .find(|l| l.protocol.eq_ignore_ascii_case(first))
                .or_else(|| forwarding.first());
            if let Some(l) = pick
                && !lb.dns_name.is_empty()
            {
                return Ok(listener_url(lb, l));
            }
        }
    }
    if let Some(why) = why_not {
        Err(format!("{why}: pass --probe-url URL"))
    } else if attached {
        Err("no listener forwards to the service's target group: pass --probe-url URL".into())
    } else if groups.is_empty() {
        Err("waiting for the target group".into())
    } else {
        Err("the target group is not attached to a load balancer: pass --probe-url URL".into())
    }
}

/// Where a request goes through one listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// To the service's own target groups only.
    Ours,
    /// Somewhere else, as this rule (or the default action) says.
    Elsewhere(String),
    /// A rule that may match cannot be decided from here (a source IP, a
    /// header, a query; or the rules could not be read).
    Unsure(String),
}

/// Whether one condition matches `host`, `method` and `path`: Some(true
/// or false), or None when it cannot be decided from here.
fn condition_matches(c: &RuleCondition, host: &str, method: &str, path: &str) -> Option<bool> {
    match c.field.as_str() {
        "path-pattern" => Some(c.values.iter().any(|v| glob(v, path, false))),
        "host-header" => Some(c.values.iter().any(|v| glob(v, host, true))),
        "http-request-method" => Some(c.values.iter().any(|v| v.eq_ignore_ascii_case(method))),
        _ => None,
    }
}

/// ALB's wildcards: `*` any characters, `?` one.
fn glob(pattern: &str, text: &str, fold_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if fold_case {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn rule_words(r: &ListenerRule) -> String {
    let conds: Vec<String> = r
        .conditions
        .iter()
        .map(|c| format!("{} {}", c.field, c.values.join(" | ")))
        .collect();
    format!("rule {} ({})", r.priority, conds.join(", "))
}

fn goes_to(forwards: &[String]) -> String {
    if forwards.is_empty() {
        "a fixed response or a redirect".to_string()
    } else {
        forwards
            .iter()
            // targetgroup/<name>/<id>: the name says it.
            .map(|a| match a.split_once("targetgroup/") {
                Some((_, rest)) => rest.split('/').next().unwrap_or(rest).to_string(),
                None => super::arn_tail(a).to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where `method path` for `host` goes through listener `l`: its rules in
/// priority order, then its default action.
pub fn route(l: &Listener, bound: &[String], host: &str, method: &str, path: &str) -> Route {
    let ours = |f: &[String]| !f.is_empty() && f.iter().all(|a| bound.contains(a));
    // Path patterns see the path only, never the query string.
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if let Some(e) = &l.rules_error {
        return Route::Unsure(format!("the listener's rules could not be read ({e})"));
    }
    let mut rules: Vec<&ListenerRule> = l.rules.iter().collect();
    rules.sort_by_key(|r| r.priority);
    let mut unsure: Option<String> = None;
    for r in rules {
        let results: Vec<Option<bool>> = r
            .conditions
            .iter()
            .map(|c| condition_matches(c, host, method, path))
            .collect();
        if results.contains(&Some(false)) {
            continue;
        }
        let certain = results.iter().all(Option::is_some);
        if ours(&r.forwards) {
            if certain {
                return match unsure {
                    Some(u) => Route::Unsure(u),
                    None => Route::Ours,
                };
            }
            continue;
        }
        let what = format!(
            "{method} {path} goes to {} by {}",
            goes_to(&r.forwards),
            rule_words(r)
        );
        if certain {
            return Route::Elsewhere(what);
        }
        unsure.get_or_insert(format!("{what}, which may match"));
    }
    match (ours(&l.forwards), unsure) {
        (true, None) => Route::Ours,
        (true, Some(u)) => Route::Unsure(u),
        (false, _) => Route::Elsewhere(format!(
            "{method} {path} goes to {} by the listener's default action",
            goes_to(&l.forwards)
        )),
    }
}

#[cfg(test)]
mod tests;
