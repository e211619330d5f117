use super::*;

#[test]
fn every_action_reachable_and_keys_unique() {
    for (mode, section) in [
        (Mode::Dashboard, None),
        (Mode::Confirm, Some(Section::Dialog)),
        (Mode::Drill, Some(Section::Drill)),
        (Mode::Exec, Some(Section::Exec)),
    ] {
        let mut seen = Vec::new();
        for b in BINDINGS.iter().filter(|b| match section {
            Some(s) => b.section == s,
            None => !matches!(b.section, Section::Dialog | Section::Drill | Section::Exec),
        }) {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
                let ev = KeyEvent::new(*k, KeyModifiers::NONE);
                match (b.action, k) {
                    (Action::ToggleContainer(_), KeyCode::Char(c)) => assert_eq!(
                        action_for(&ev, mode, false),
                        Some(Action::ToggleContainer(c.to_digit(10).unwrap_or(0) as u8))
                    ),
                    _ => assert_eq!(action_for(&ev, mode, false), Some(b.action)),
                }
            }
        }
    }
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        action_for(&ctrl_c, Mode::Dashboard, false),
        Some(Action::Quit)
    );
    assert_eq!(action_for(&ctrl_c, Mode::Prompt, false), Some(Action::Quit));
}

#[test]
fn prompt_takes_text_not_commands() {
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(
        action_for(&key('q'), Mode::Prompt, false),
        Some(Action::PromptChar('q'))
    );
    assert_eq!(
        action_for(&key('/'), Mode::Prompt, false),
        Some(Action::PromptChar('/'))
    );
    let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(
        action_for(&ctrl_r, Mode::Prompt, false),
        Some(Action::PromptRegex)
    );
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        action_for(&esc, Mode::Prompt, false),
        Some(Action::PromptCancel)
    );
    assert_eq!(
        action_for(&esc, Mode::Dashboard, false),
        Some(Action::Close)
    );
}

#[test]
fn read_only_binds_no_key_that_changes_aws() {
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(
        action_for(&key('S'), Mode::Dashboard, false),
        Some(Action::StopTask)
    );
    assert_eq!(
        action_for(&key('D'), Mode::Logs, false),
        Some(Action::ForceDeploy)
    );
    for mode in [Mode::Dashboard, Mode::Logs, Mode::Confirm] {
        for c in ['S', 'D', 'y'] {
            assert_eq!(action_for(&key(c), mode, true), None, "{c} in {mode:?}");
        }
    }
    assert!(bindings(Mode::Dashboard, true).all(|b| !b.action.changes_aws()));
    // A dialog takes only its own keys: q does not quit behind it, j
    // does not move the selection it froze.
    assert_eq!(
        action_for(&key('y'), Mode::Confirm, false),
        Some(Action::Confirm)
    );
    assert_eq!(
        action_for(&key('n'), Mode::Confirm, false),
        Some(Action::Cancel)
    );
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(action_for(&esc, Mode::Confirm, false), Some(Action::Cancel));
    assert_eq!(action_for(&key('j'), Mode::Confirm, false), None);
    assert_eq!(action_for(&key('S'), Mode::Confirm, false), None);
    assert_eq!(action_for(&key('y'), Mode::Dashboard, false), None);
}

#[test]
fn behind_the_help_only_closing_and_quitting_are_bound() {
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(
        action_for(&key(KeyCode::Char('j')), Mode::Help, false),
        None,
        "movement does not reach the panes behind the help"
    );
    assert_eq!(
        action_for(&key(KeyCode::Esc), Mode::Help, false),
        Some(Action::Close)
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('?')), Mode::Help, false),
        Some(Action::Help)
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('q')), Mode::Help, false),
        Some(Action::Quit)
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('j')), Mode::Logs, false),
        Some(Action::Down)
    );
}

#[test]
fn the_shell_menu_moves_opens_and_closes_and_e_is_not_bound_read_only() {
    let key = |k| KeyEvent::new(k, KeyModifiers::NONE);
    assert_eq!(
        action_for(&key(KeyCode::Char('e')), Mode::Dashboard, false),
        Some(Action::Exec)
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('e')), Mode::Dashboard, true),
        None
    );
    assert_eq!(
        action_for(&key(KeyCode::Down), Mode::Exec, false),
        Some(Action::Down)
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('k')), Mode::Exec, false),
        Some(Action::Up)
    );
    assert_eq!(
        action_for(&key(KeyCode::Enter), Mode::Exec, false),
        Some(Action::Select)
    );
    assert_eq!(
        action_for(&key(KeyCode::Esc), Mode::Exec, false),
        Some(Action::Cancel)
    );
    // Nothing else behind the menu: no S, no q.
    assert_eq!(
        action_for(&key(KeyCode::Char('S')), Mode::Exec, false),
        None
    );
    assert_eq!(
        action_for(&key(KeyCode::Char('q')), Mode::Exec, false),
        None
    );
}
