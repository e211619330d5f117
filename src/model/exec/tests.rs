use super::*;
use crate::model::fixtures::{service, task, task_def};

fn enabled(id: &str) -> crate::model::Task {
    let mut t = task(id, "10.0.1.5", "RUNNING", "RUNNING");
    t.exec_enabled = true;
    for c in &mut t.containers {
        c.exec_agent = Some("RUNNING".into());
    }
    t
}

fn commands() -> Vec<(String, String)> {
    vec![("mongodb".into(), "mongosh --quiet".into())]
}

#[test]
fn a_ready_task_offers_every_container_with_its_command() {
    let mut svc = service();
    svc.exec_enabled = true;
    let m = menu(
        Some(&svc),
        &enabled("6299e51e"),
        Some(&task_def()),
        &commands(),
        "goals-cluster",
    );
    assert!(m.blockers.is_empty(), "{:?}", m.blockers);
    let names: Vec<_> = m
        .choices
        .iter()
        .map(|c| (c.container.as_str(), c.command.as_str()))
        .collect();
    assert_eq!(
        names,
        [("goals-api", "/bin/sh"), ("mongodb", "mongosh --quiet")]
    );
    assert!(m.choices.iter().all(|c| c.blockers.is_empty()));
    assert!(m.blockers_of(1).is_empty());
    // The role ecsdeck cannot inspect is named, with what it needs.
    assert!(
        m.notes[0].contains("goals-task") && m.notes[0].contains("ssmmessages:OpenDataChannel"),
        "{:?}",
        m.notes
    );
}

#[test]
fn a_service_without_enable_execute_command_says_the_command_that_turns_it_on() {
    let t = task("6299e51e", "10.0.1.5", "RUNNING", "RUNNING");
    let m = menu(
        Some(&service()),
        &t,
        Some(&task_def()),
        &[],
        "goals-cluster",
    );
    let why = m.blockers_of(0).join("\n");
    assert!(
        why.contains("started without enableExecuteCommand"),
        "{why}"
    );
    assert!(
        why.contains("aws ecs update-service --cluster goals-cluster --service goals-service --enable-execute-command --force-new-deployment"),
        "{why}"
    );
}

#[test]
fn a_task_older_than_the_setting_is_told_to_be_replaced() {
    let mut svc = service();
    svc.exec_enabled = true;
    let t = task("6299e51e", "10.0.1.5", "RUNNING", "RUNNING");
    let m = menu(Some(&svc), &t, Some(&task_def()), &[], "goals-cluster");
    assert!(
        m.blockers[0].contains("started before the service had enableExecuteCommand"),
        "{:?}",
        m.blockers
    );
    assert!(m.blockers[0].contains("(D)"));
}

#[test]
fn an_agent_not_running_blocks_its_container_only() {
    let mut t = enabled("6299e51e");
    t.containers[1].exec_agent = Some("PENDING".into());
    let m = menu(None, &t, Some(&task_def()), &[], "c");
    assert!(m.blockers_of(0).is_empty());
    let why = m.blockers_of(1).join(" ");
    assert!(
        why.contains("mongodb's ExecuteCommandAgent is PENDING"),
        "{why}"
    );
    t.containers[1].exec_agent = None;
    let m = menu(None, &t, Some(&task_def()), &[], "c");
    assert!(
        m.blockers_of(1)[0].contains("no ExecuteCommandAgent"),
        "{:?}",
        m.blockers_of(1)
    );
}

#[test]
fn a_stopped_task_or_container_cannot_be_entered() {
    let mut t = enabled("6299e51e");
    t.last_status = "STOPPED".into();
    let m = menu(None, &t, Some(&task_def()), &[], "c");
    assert!(m.blockers[0].contains("is STOPPED: ECS Exec enters running tasks only"));
    let mut t = enabled("6299e51e");
    t.containers[0].last_status = "STOPPED".into();
    let m = menu(None, &t, Some(&task_def()), &[], "c");
    assert_eq!(m.blockers_of(0), ["goals-api is STOPPED"]);
}

#[test]
fn a_task_definition_without_a_task_role_is_a_note_not_a_blocker() {
    // The task may have been started with a role (overrides), or run on
    // EC2 under the instance's: the agent's own status tells.
    let mut td = task_def();
    td.task_role_arn = None;
    let m = menu(None, &enabled("6299e51e"), Some(&td), &[], "c");
    assert!(m.blockers.is_empty(), "{:?}", m.blockers);
    assert!(m.notes[0].contains("names no task role"), "{:?}", m.notes);
}

#[test]
fn a_read_only_root_filesystem_blocks_its_container() {
    let mut td = task_def();
    td.containers[1].readonly_root = true;
    let m = menu(None, &enabled("6299e51e"), Some(&td), &[], "c");
    assert!(m.blockers_of(0).is_empty());
    assert!(
        m.blockers_of(1)[0].contains("mongodb has readonlyRootFilesystem"),
        "{:?}",
        m.blockers_of(1)
    );
}

#[test]
fn the_command_line_carries_the_sessions_profile_region_and_endpoint() {
    let p = Plan {
        cluster: "goals-cluster".into(),
        task_arn: "arn:aws:ecs:us-east-1:1:task/goals-cluster/6299e51e".into(),
        container: "mongodb".into(),
        command: "mongosh --quiet".into(),
        profile: Some("ops".into()),
        region: "us-east-1".into(),
        endpoint_url: Some("http://127.0.0.1:5000".into()),
    };
    assert_eq!(
        p.args(),
        [
            "--profile",
            "ops",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "ecs",
            "execute-command",
            "--cluster",
            "goals-cluster",
            "--task",
            "arn:aws:ecs:us-east-1:1:task/goals-cluster/6299e51e",
            "--container",
            "mongodb",
            "--interactive",
            "--command",
            "mongosh --quiet"
        ]
    );
    assert!(
        p.shown()
            .ends_with("--interactive --command 'mongosh --quiet'"),
        "{}",
        p.shown()
    );
    let bare = Plan {
        profile: None,
        endpoint_url: None,
        ..p
    };
    assert!(
        bare.shown()
            .starts_with("aws --region us-east-1 ecs execute-command")
    );
}

#[test]
fn the_cli_version_is_checked_against_the_first_with_execute_command() {
    assert_eq!(
        cli_version_ok("aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64").as_deref(),
        Ok("2.15.30")
    );
    assert!(cli_version_ok("aws-cli/1.22.3 Python/3.8").is_ok());
    assert!(
        cli_version_ok("aws-cli/1.19.28 Python/3.8")
            .expect_err("too old")
            .contains("1.22.3 or later")
    );
    assert!(
        cli_version_ok("aws-cli/2.1.30 Python/3.7")
            .expect_err("too old")
            .contains("2.3.6 or later")
    );
    assert!(cli_version_ok("command not found").is_err());
}
