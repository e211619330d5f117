use super::*;

fn chart(slots: Vec<Option<f64>>, marks: Vec<usize>) -> Chart {
    Chart { slots, marks }
}

fn text(cols: &[Column]) -> String {
    cols.iter()
        .map(|c| match c {
            Column::Gap => ' ',
            Column::Mark => '│',
            Column::Bar(l) => BARS[*l],
        })
        .collect()
}

#[test]
fn a_missing_minute_is_blank_and_a_zero_is_the_lowest_bar() {
    let c = chart(
        vec![Some(0.0), None, Some(50.0), Some(100.0), Some(130.0)],
        vec![],
    );
    assert_eq!(text(&columns(&c, 10, 100.0)), "▁ ▄██");
}

#[test]
fn a_restart_is_a_mark_between_two_series_never_a_bar_across() {
    let mut slots = vec![Some(90.0); 30];
    slots.extend(vec![None; 2]);
    slots.extend(vec![Some(20.0); 28]);
    let c = chart(slots, vec![30, 32]);
    let full = text(&columns(&c, 62, 100.0));
    assert_eq!(full.chars().count(), 62, "sixty minutes and two marks");
    // The marks stand before the minutes they happened in, hiding none.
    assert_eq!(
        &full.chars().skip(28).take(7).collect::<String>(),
        "██│  │▂"
    );
    // Narrower: the peak of each column's minutes, the marks kept.
    let narrow = text(&columns(&c, 20, 100.0));
    assert_eq!(narrow.chars().count(), 20);
    assert_eq!(narrow.matches('│').count(), 2, "{narrow}");
    assert!(narrow.starts_with("███"), "{narrow}");
    assert!(narrow.ends_with("▂▂▂"), "{narrow}");
}

#[test]
fn an_empty_hour_draws_nothing_but_blanks() {
    let c = chart(vec![None; 60], vec![]);
    assert_eq!(text(&columns(&c, 12, 100.0)), " ".repeat(12));
    assert!(columns(&Chart::default(), 12, 100.0).is_empty());
}

#[test]
fn a_mark_in_the_newest_minute_leaves_its_point_drawn() {
    let mut slots = vec![None; 58];
    slots.extend([Some(10.0), Some(60.0)]);
    let c = chart(slots, vec![59]);
    assert!(text(&columns(&c, 61, 100.0)).ends_with("▁│▅"));
}

#[test]
fn no_column_mixes_a_task_with_its_replacement() {
    // The old task at 99 % until minute 57, the new at 20 % after.
    let mut slots = vec![Some(99.0); 57];
    slots.extend([Some(20.0); 3]);
    let c = chart(slots, vec![57]);
    let narrow = text(&columns(&c, 12, 100.0));
    assert!(narrow.ends_with("│▂"), "{narrow}");
    assert_eq!(narrow.chars().count(), 12);
}

#[test]
fn many_restarts_in_a_narrow_chart_never_overflow_it() {
    let c = chart(vec![Some(50.0); 60], (0..60).step_by(4).collect());
    for w in 1..70 {
        assert!(columns(&c, w, 100.0).len() <= w, "width {w}");
    }
}

#[test]
fn too_narrow_for_marks_the_old_and_new_tasks_still_stay_apart() {
    let mut slots = vec![Some(99.0); 57];
    slots.extend([Some(20.0); 3]);
    let c = chart(slots, vec![10, 30, 57]);
    let cols = columns(&c, 7, 100.0);
    assert_eq!(cols.len(), 7);
    assert!(!cols.contains(&Column::Mark));
    assert_eq!(cols.last(), Some(&Column::Bar(1)), "the new task alone");
}
