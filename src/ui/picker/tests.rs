use super::*;
use crate::model::ServiceRef;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn typed(p: &mut Picker, s: &str) {
    for c in s.chars() {
        p.key(&key(KeyCode::Char(c)));
    }
}

fn many() -> Vec<ServiceRef> {
    (0..20)
        .flat_map(|c| {
            (0..100).map(move |s| ServiceRef {
                cluster: format!("cluster-{c:02}"),
                service: format!("svc-{s:03}"),
            })
        })
        .collect()
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
    let mut p = Picker::new(items.clone(), "us-east-1".into());
    for _ in 0..5 {
        p.key(&key(KeyCode::Down));
    }
    assert_eq!(p.cursor, 1, "stays on the last row");
    match p.key(&key(KeyCode::Enter)) {
        PickerOutcome::Chosen(s) => assert_eq!(s, items[1]),
        _ => panic!("Enter picks"),
    }
    p.key(&key(KeyCode::Up));
    assert_eq!(p.cursor, 0);
    assert!(matches!(p.key(&key(KeyCode::Esc)), PickerOutcome::Quit));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(matches!(p.key(&ctrl_c), PickerOutcome::Quit));
}

#[test]
fn the_two_thousandth_service_is_a_few_letters_away() {
    let mut p = Picker::new(many(), "us-east-1".into());
    assert_eq!(p.shown().len(), 2000);
    // Case-insensitive, on the cluster, the service, or both.
    typed(&mut p, "CLUSTER-19/SVC-099");
    assert_eq!(p.shown().len(), 1);
    match p.key(&key(KeyCode::Enter)) {
        PickerOutcome::Chosen(s) => assert_eq!(
            (s.cluster.as_str(), s.service.as_str()),
            ("cluster-19", "svc-099")
        ),
        _ => panic!("Enter opens the one match"),
    }
    // Letters are the filter's, `q` and `j` too; Backspace takes one
    // back, Esc clears, and only then quits.
    for _ in 0.."CLUSTER-19/SVC-099".len() {
        p.key(&key(KeyCode::Backspace));
    }
    typed(&mut p, "svc-09q");
    assert!(p.shown().is_empty());
    assert!(matches!(p.key(&key(KeyCode::Esc)), PickerOutcome::Continue));
    assert_eq!(p.shown().len(), 2000, "cleared");
    assert!(matches!(p.key(&key(KeyCode::Esc)), PickerOutcome::Quit));
}

#[test]
fn pages_and_ends_move_through_a_long_list_and_the_header_counts() {
    let mut p = Picker::new(many(), "us-east-1".into());
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut term = ratatui::Terminal::new(backend).expect("terminal");
    let theme = Theme { color: false };
    term.draw(|f| p.render(&theme, f)).expect("draw");
    // 24 rows: a header, a footer and a box leave 20 in view.
    p.key(&key(KeyCode::PageDown));
    assert_eq!(p.cursor, 20);
    p.key(&key(KeyCode::End));
    assert_eq!(p.cursor, 1999);
    p.key(&key(KeyCode::PageUp));
    assert_eq!(p.cursor, 1979);
    p.key(&key(KeyCode::Home));
    assert_eq!(p.cursor, 0);
    typed(&mut p, "svc-00");
    term.draw(|f| p.render(&theme, f)).expect("draw");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("200 of 2000 services"), "{screen}");
    assert!(screen.contains("1–20 of 200"), "{screen}");
    assert!(screen.contains("filter: svc-00"), "{screen}");
    // The match is emphasised in each name.
    let cell = term
        .backend()
        .buffer()
        .content()
        .iter()
        .find(|c| c.symbol() == "v" && c.modifier.contains(Modifier::UNDERLINED));
    assert!(cell.is_some(), "the matched letters are underlined");
}

#[test]
fn pages_arriving_fill_the_list_without_moving_the_cursor_and_the_header_says_so() {
    let all = many();
    let mut p = Picker::new(all[..100].to_vec(), "us-east-1".into());
    p.loading = true;
    p.current = Some(all[1].clone());
    p.key(&key(KeyCode::Down));
    p.key(&key(KeyCode::Down));
    p.append(all[100..200].to_vec());
    assert_eq!(
        p.shown()[p.cursor],
        &all[2],
        "the same service under the cursor"
    );
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut term = ratatui::Terminal::new(backend).expect("terminal");
    let theme = Theme { color: false };
    term.draw(|f| p.render(&theme, f)).expect("draw");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("200 services so far, listing…"), "{screen}");
    assert!(screen.contains("svc-001  (watching)"), "{screen}");
    p.append(all[200..].to_vec());
    p.loading = false;
    term.draw(|f| p.render(&theme, f)).expect("draw");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("2000 services  "), "{screen}");
    assert!(!screen.contains("listing"), "{screen}");
    // A filter typed while pages arrive applies to them too.
    typed(&mut p, "cluster-19/svc-099");
    assert_eq!(p.shown().len(), 1);
}
