use super::*;

#[test]
fn stagger_puts_touching_labels_in_new_rows_and_reuses_a_free_one() {
    // Three labels at one place, then one well clear of them.
    let rows = stagger(
        &[(0.0, 30.0), (0.0, 40.0), (10.0, 10.0), (100.0, 20.0)],
        4.0,
    );
    assert_eq!(rows, [0, 1, 2, 0]);
    // Just touching within the gap: a new row; clear of it: the same.
    assert_eq!(stagger(&[(0.0, 10.0), (12.0, 5.0)], 4.0), [0, 1]);
    assert_eq!(stagger(&[(0.0, 10.0), (14.0, 5.0)], 4.0), [0, 0]);
}

#[test]
fn stretches_follow_the_changes_in_time_order_and_skip_the_unseen() {
    // PENDING polled before PROVISIONING's AWS time: time order wins; a
    // state never seen leaves no stretch.
    let s = spans(
        -1.0,
        10.0,
        &[
            (Some(3.0), State::Provisioning),
            (Some(2.0), State::Pending),
            (None, State::Running),
            (Some(6.0), State::Healthy),
        ],
    );
    let got: Vec<(f64, f64, &str)> = s.iter().map(|s| (s.from, s.to, s.state.word())).collect();
    assert_eq!(
        got,
        [
            (2.0, 3.0, "pending"),
            (3.0, 6.0, "provisioning"),
            (6.0, 10.0, "healthy")
        ]
    );
}
