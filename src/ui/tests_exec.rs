//! The shell menu (`e`) on screen, at 120×40 and 80×24.

use super::tests::{replacing, screen};
use crate::app::{Action, Msg, update};

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

#[test]
fn the_shell_menu_names_each_container_its_command_and_what_blocks_it() {
    let mut s = replacing();
    s.ctx.exec.commands = vec![("mongodb".into(), "mongosh --quiet".into())];
    update(&mut s, Msg::Action(Action::Exec));
    let big = screen(&s, 120, 40);
    assert!(big.contains("A shell in task"), "{big}");
    assert!(big.contains("mongosh --quiet"), "{big}");
    assert!(
        big.contains("enable-execute-command"),
        "the fix is on screen: {big}"
    );
    assert!(
        big.contains("aws --region us-east-1 ecs execute-command"),
        "{big}"
    );
    snap!("exec_menu_120x40", big);
    update(&mut s, Msg::Action(Action::Select));
    let small = screen(&s, 80, 24);
    assert!(small.contains("Not opened; nothing was run"), "{small}");
    assert!(small.contains("Esc"), "the keys stay visible: {small}");
    snap!("exec_refused_80x24", small);
}
