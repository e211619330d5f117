use super::*;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

#[test]
fn move_pick_and_quit() {
    let items = vec![
        ServiceRef {
            cluster: "a".into(),
            service: "one".into(),
        },
        ServiceRef {
            cluster: "b".into(),
            service: "two".into(),
        },
    ];
    let mut p = Picker {
        items: items.clone(),
        cursor: 0,
        region: "us-east-1".into(),
    };
    for _ in 0..5 {
        p.key(&key(KeyCode::Down));
    }
    assert_eq!(p.cursor, 1, "stays on the last row");
    match p.key(&key(KeyCode::Enter)) {
        PickerOutcome::Chosen(s) => assert_eq!(s, items[1]),
        _ => panic!("Enter picks"),
    }
    p.key(&key(KeyCode::Char('k')));
    assert_eq!(p.cursor, 0);
    assert!(matches!(
        p.key(&key(KeyCode::Char('q'))),
        PickerOutcome::Quit
    ));
    assert!(matches!(p.key(&key(KeyCode::Esc)), PickerOutcome::Quit));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(matches!(p.key(&ctrl_c), PickerOutcome::Quit));
}
