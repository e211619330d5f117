#[test]
fn the_longest_verdict_fits_an_80_column_window() {
    let rows = super::big("ABORTED");
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.chars().count() == 41));
    assert_eq!(super::big("PASS")[0], "████   ███   ████  ████");
}
