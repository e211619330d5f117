use super::ClockOffset;

#[test]
fn the_clock_offset_is_the_smallest_gap_between_date_and_arrival() {
    let c = ClockOffset::default();
    assert_eq!(c.seconds(), None);
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&chrono::Utc))
            .expect("a time")
    };
    c.seen(
        "Wed, 02 Dec 2026 03:19:41 GMT",
        at("2026-12-02T03:19:43.300Z"),
    );
    assert_eq!(c.seconds(), Some(2.3));
    c.seen(
        "Wed, 02 Dec 2026 03:19:50 GMT",
        at("2026-12-02T03:19:52.100Z"),
    );
    assert_eq!(c.seconds(), Some(2.1));
    c.seen("not a date", at("2026-12-02T03:19:52.100Z"));
    assert_eq!(c.seconds(), Some(2.1));
    // A host behind AWS.
    let c = ClockOffset::default();
    c.seen(
        "Wed, 02 Dec 2026 03:19:41 GMT",
        at("2026-12-02T03:19:36.000Z"),
    );
    assert_eq!(c.seconds(), Some(-5.0));
}
