use crate::model::derive::*;
use crate::model::fixtures::*;
use crate::model::*;

#[test]
fn awsvpc_join_by_ip_and_container_port() {
    let svc = service();
    let tasks = vec![
        task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
        task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING"),
    ];
    let group = tg(vec![target("10.0.1.6", "healthy", None)]);
    let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
    assert_eq!(t.map(|t| t.short()), Some("bbbb2222"));
    // A different port is another container, not this binding.
    let mut other = target("10.0.1.6", "healthy", None);
    other.port = Some(8080);
    assert!(task_for_target(&group, binding_for(&svc, &group), &other, &tasks).is_none());
}

#[test]
fn reused_ip_prefers_the_task_still_running() {
    let svc = service();
    let mut old = task("old00000", "10.0.1.5", "STOPPED", "STOPPED");
    old.created_at = ts(-600);
    let new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
    let tasks = vec![old, new];
    let group = tg(vec![target("10.0.1.5", "healthy", None)]);
    let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
    assert_eq!(t.map(|t| t.short()), Some("new00000"));
}

#[test]
fn bridge_join_by_instance_and_host_port() {
    let mut svc = service();
    svc.load_balancers[0].container_port = 3000;
    let mut a = task("aaaa1111", "", "RUNNING", "RUNNING");
    a.private_ip = None;
    a.ec2_instance = Some("i-0abc".into());
    a.containers[0].bindings = vec![(3000, 32768)];
    let mut b = a.clone();
    b.arn = b.arn.replace("aaaa1111", "bbbb2222");
    b.containers[0].bindings = vec![(3000, 32769)];
    let tasks = vec![a, b];
    let mut group = tg(vec![Target {
        id: "i-0abc".into(),
        port: Some(32769),
        az: None,
        state: "healthy".into(),
        reason: None,
        description: None,
    }]);
    group.target_type = "instance".into();
    let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
    assert_eq!(t.map(|t| t.short()), Some("bbbb2222"));
    let found = targets_for_task(&svc, std::slice::from_ref(&group), &tasks[1], &tasks);
    assert_eq!(found.len(), 1);
    assert!(targets_for_task(&svc, &[group], &tasks[0], &tasks).is_empty());
}

#[test]
fn short_ids() {
    assert_eq!(
        short_id("arn:aws:ecs:r:1:task/c/6299e51e9a1b4c"),
        "6299e51e"
    );
    assert_eq!(short_id("abc"), "abc");
}
