use super::*;

#[test]
fn fit_cuts_with_ellipsis_and_respects_wide_chars() {
    assert_eq!(fit("goals-service", 20), "goals-service");
    assert_eq!(fit("goals-service", 6), "goals…");
    assert_eq!(fit("日本語テキスト", 5), "日本…");
    assert_eq!(pad("ab", 4), "ab  ");
    assert_eq!(pad("日本語", 5), "日本…");
    assert_eq!(fit("x", 0), "");
}

#[test]
fn wrap_splits_on_words() {
    assert_eq!(
        wrap("a restart can start a second mongod", 16),
        vec!["a restart can", "start a second", "mongod"]
    );
    assert_eq!(wrap("", 10), Vec::<String>::new());
}

#[test]
fn short_durations() {
    assert_eq!(short_duration(Duration::from_secs(4)), "4s");
    assert_eq!(short_duration(Duration::from_secs(720)), "12m");
    assert_eq!(short_duration(Duration::from_secs(3 * 3600 + 5)), "3h");
    assert_eq!(bytes(6 << 20), "6 MB");
    assert_eq!(bytes(6144), "6 kB");
}
