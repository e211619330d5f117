use super::*;

#[test]
fn a_url_loses_its_user_name_and_password_and_keeps_the_rest() {
    assert_eq!(
        without_userinfo("https://bob:secret@api.example.com:8443/goals?a=b@c"),
        "https://api.example.com:8443/goals?a=b@c"
    );
    assert_eq!(
        without_userinfo("http://127.0.0.1:80/goals"),
        "http://127.0.0.1:80/goals"
    );
}

#[test]
fn every_outage_after_the_stop_is_added_up_with_the_longest_beside() {
    use crate::model::fixtures::ts;
    use crate::model::observe::{Observation, PollEvent, ProbeResult, Resource};
    use crate::model::probe::{Outcome, Sample};
    let mut w = World::new(None);
    // Up, a failure before the stop (not counted), the stop at 10 s, down
    // 12–15 s, up, down 20–28 s, up.
    let ups = [
        (5, true),
        (8, false),
        (9, true),
        (12, false),
        (13, false),
        (15, true),
        (20, false),
        (28, true),
    ];
    for (t, up) in ups {
        let at = ts(t).expect("t");
        w.apply(PollEvent {
            resource: Resource::Probe,
            at,
            result: Ok(Observation::Probe(Box::new(ProbeResult {
                url: "http://alb/goals".into(),
                sample: Sample {
                    at,
                    outcome: Outcome::Http(if up { 200 } else { 503 }),
                    up,
                    total_ms: 3,
                    connect_ms: None,
                    first_byte_ms: None,
                    records: None,
                    served_by: None,
                    detail: None,
                },
            }))),
        });
    }
    let (total, longest) = outages(&w, ts(10).expect("t"));
    assert_eq!((total, longest), (3.0 + 8.0, 8.0));
    // No failure after the stop: 0, not unknown.
    assert_eq!(outages(&w, ts(29).expect("t")), (0.0, 0.0));
}
