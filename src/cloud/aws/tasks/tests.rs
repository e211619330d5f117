use super::*;

#[test]
fn stopped_tasks_are_listed_only_when_something_may_have_stopped() {
    let run = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(StoppedList::default().due(&run(&["t1"])), "never asked");
    let l = StoppedList::asked(&["t1"], false);
    assert!(!l.due(&run(&["t1"])), "nothing changed: not again for 30 s");
    assert!(l.due(&run(&["t2"])), "the running set changed");
    assert!(l.due(&run(&[])), "a task is gone from RUNNING");
    assert!(
        StoppedList::asked(&["t1"], true).due(&run(&["t1"])),
        "one is leaving"
    );
}
