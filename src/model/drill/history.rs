//! The drills of the past, one summary a drill: what `ecsdeck drill
//! --history` lists and what a new drill's downtime is held against. A
//! regression — this downtime well above the service's usual — is said
//! in the report's notes.

use serde::{Deserialize, Serialize};

use super::report::Report;

/// One drill, as the history keeps it. Field names are an API: add,
/// never rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Past {
    /// When it ended (RFC 3339).
    pub at: String,
    pub cluster: String,
    pub service: String,
    /// `PASS`, `FAIL` or `ABORTED`.
    pub verdict: String,
    /// `stop-task` or `force-deployment`.
    pub restart: String,
    pub downtime_s: Option<f64>,
    pub stop_to_first_2xx_s: Option<f64>,
    /// The record count before the restart (the marker written) and
    /// after it, when the contract counts.
    #[serde(default)]
    pub records_before: Option<u32>,
    #[serde(default)]
    pub records_after: Option<u32>,
    /// Its report files, when it wrote some.
    #[serde(default)]
    pub reports: Vec<String>,
}

impl Past {
    pub fn of(r: &Report, reports: Vec<String>) -> Past {
        Past {
            at: r.ended_at.clone(),
            cluster: r.cluster.clone(),
            service: r.service.clone(),
            verdict: r.verdict.word().to_string(),
            restart: serde_json::to_value(r.restart)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            downtime_s: r.downtime_s,
            stop_to_first_2xx_s: r.stop_to_first_2xx_s,
            records_before: r.records_before,
            records_after: r.records_after,
            reports,
        }
    }

    fn same_service(&self, cluster: &str, service: &str) -> bool {
        crate::model::arn_tail(&self.cluster) == crate::model::arn_tail(cluster)
            && self.service == service
    }
}

/// The drills of one service, oldest first.
pub fn of_service<'a>(past: &'a [Past], cluster: &str, service: &str) -> Vec<&'a Past> {
    past.iter()
        .filter(|p| p.same_service(cluster, service))
        .collect()
}

/// How many earlier passing drills make a "usual" downtime.
const AT_LEAST: usize = 3;
/// The last this many passing drills make it.
const RECENT: usize = 10;

/// Whether this drill's downtime is well above the service's usual: over
/// one and a half times the median of its last passing drills, and at
/// least 10 s more. None when there are too few to say.
pub fn regression(r: &Report, past: &[Past]) -> Option<String> {
    let now = r.downtime_s?;
    let mut usual: Vec<f64> = of_service(past, &r.cluster, &r.service)
        .into_iter()
        .filter(|p| p.verdict == "PASS")
        .filter_map(|p| p.downtime_s)
        .rev()
        .take(RECENT)
        .collect();
    if usual.len() < AT_LEAST {
        return None;
    }
    usual.sort_by(f64::total_cmp);
    let median = usual[usual.len() / 2];
    (now > median * 1.5 && now - median >= 10.0).then(|| {
        format!(
            "downtime {now:.1} s is well above this service's usual: median {median:.1} s over its last {} passing drills (ecsdeck drill --history)",
            usual.len()
        )
    })
}

/// How many earlier drills a report shows.
const SHOWN: usize = 20;

/// The service's last drills before `r`, oldest first, for its report.
pub fn recent(r: &Report, past: &[Past]) -> Vec<Past> {
    let mine = of_service(past, &r.cluster, &r.service);
    let from = mine.len().saturating_sub(SHOWN);
    mine[from..].iter().map(|p| (*p).clone()).collect()
}

/// `ecsdeck drill --history`: one line a drill, oldest first.
pub fn table(past: &[&Past]) -> String {
    let secs = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |s| format!("{s:.1} s"));
    let records = |p: &Past| match (p.records_before, p.records_after) {
        (None, None) => "—".to_string(),
        (b, a) => super::report::records_words(b, a),
    };
    let mut out = format!(
        "{:<20}  {:<7}  {:<16}  {:>9}  {:>12}  {:>11}  {}\n",
        "ended", "verdict", "restart", "downtime", "stop → 2xx", "records", "service"
    );
    for p in past {
        let when = p.at.get(..19).unwrap_or(&p.at).replace('T', " ");
        out.push_str(&format!(
            "{when:<20}  {:<7}  {:<16}  {:>9}  {:>12}  {:>11}  {}/{}\n",
            p.verdict,
            p.restart,
            secs(p.downtime_s),
            secs(p.stop_to_first_2xx_s),
            records(p),
            crate::model::arn_tail(&p.cluster),
            p.service
        ));
    }
    out
}

#[cfg(test)]
mod tests;
