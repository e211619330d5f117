use super::*;

#[test]
fn a_throttle_halves_the_pace_and_successes_bring_it_back() {
    let g = Governor::default();
    assert_eq!(g.pace("ecs"), 1.0);
    g.throttled("ecs");
    assert_eq!(g.pace("ecs"), 0.5);
    assert_eq!(
        g.stretch("ecs", Duration::from_secs(5)),
        Duration::from_secs(10)
    );
    for _ in 0..20 {
        g.throttled("ecs");
    }
    assert_eq!(g.pace("ecs"), MIN_PACE, "never slower than a sixteenth");
    for _ in 0..10 {
        g.succeeded("ecs");
    }
    assert_eq!(g.pace("ecs"), 1.0, "ten successes give full speed back");
    assert!(g.slowed().is_empty());
}

#[test]
fn every_poller_of_an_api_slows_down_together_and_others_do_not() {
    let g = Governor::default();
    // The tasks poller is throttled...
    g.throttled(api_of("ecs:DescribeTasks"));
    // ...and the service poller, which shares the ECS quota, slows too.
    assert_eq!(g.pace(api_of("ecs:DescribeServices")), 0.5);
    assert_eq!(g.pace("elasticloadbalancing"), 1.0, "ELB has its own quota");
    let s = g.slowed();
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].api.as_str(), s[0].throttles), ("ecs", 1));
}
