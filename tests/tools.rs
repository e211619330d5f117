//! The operator's other tools, end to end: the real binary in a
//! pseudo-terminal on the demo. `e` with a fake `aws` (and
//! `session-manager-plugin`) on `PATH` that records its arguments (the
//! demo runs the AWS CLI instead of its local stand-in under
//! `ECSDECK_TEST_DEMO_EXEC=aws`, debug builds only); `:` switching the
//! demo between its two services.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Session, journal};

const BOOT: Duration = Duration::from_secs(40);

/// A directory holding a fake `aws` (unless `with_aws` is false) and a
/// fake plugin. The fake `aws` answers `--version` like the CLI v2, and
/// otherwise writes its arguments one a line to `args`, says it is
/// ready, reads a line and exits with `$FAKE_AWS_EXIT`.
fn fake_tools(dir: &Path, with_aws: bool) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let write = |name: &str, body: &str| {
        let p = bin.join(name);
        std::fs::write(&p, body).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };
    write("session-manager-plugin", "#!/bin/sh\nexit 0\n");
    if with_aws {
        write(
            "aws",
            &format!(
                r#"#!/bin/sh
if [ "$1" = "--version" ]; then echo "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64"; exit 0; fi
for a in "$@"; do printf '%s\n' "$a"; done > {args}
if [ -n "$FAKE_AWS_EXIT" ]; then
  echo "An error occurred (AccessDeniedException) when calling the ExecuteCommand operation: User: arn:aws:iam::000000000000:user/demo-operator is not authorized to perform: ecs:ExecuteCommand" >&2
  exit "$FAKE_AWS_EXIT"
fi
echo "fake shell ready"
read line
echo "got $line"
"#,
                args = dir.join("args").display()
            ),
        );
    }
    bin
}

fn start(dir: &Path, bin: &Path, extra: &[(&str, &str)]) -> Session {
    let path = bin.display().to_string();
    let mut env = vec![("PATH", path.as_str()), ("ECSDECK_TEST_DEMO_EXEC", "aws")];
    env.extend_from_slice(extra);
    let _ = dir;
    Session::start(&["demo"], &env)
}

/// The running task's full id, from the menu's title.
fn menu_task(screen: &str) -> String {
    screen
        .split("A shell in task ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the task in the title")
        .to_string()
}

#[test]
fn e_runs_the_aws_cli_with_the_sessions_settings_and_the_dashboard_returns() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = fake_tools(dir.path(), true);
    let mut s = start(dir.path(), &bin, &[]);
    s.wait_for(&["● HEALTHY", "RUNNING"], BOOT);
    s.send("e");
    let screen = s.wait_for(&["A shell in task", "mongodb"], Duration::from_secs(3));
    let task = menu_task(&screen);
    s.send("\x1b[B"); // ↓: mongodb
    s.send("\r");
    s.wait_for(&["fake shell ready"], Duration::from_secs(10));
    s.send("hello\r");
    let screen = s.wait_for(&["the shell in mongodb"], Duration::from_secs(10));
    assert!(
        screen.contains("● HEALTHY"),
        "the dashboard is back whole:\n{screen}"
    );
    let args = std::fs::read_to_string(dir.path().join("args")).expect("aws ran");
    let args: Vec<&str> = args.lines().collect();
    let arn = format!("arn:aws:ecs:demo:000000000000:task/demo/{task}");
    assert_eq!(
        args,
        [
            "--region",
            "us-east-1",
            "ecs",
            "execute-command",
            "--cluster",
            "demo",
            "--task",
            &arn,
            "--container",
            "mongodb",
            "--interactive",
            "--command",
            "/bin/sh"
        ]
    );
    // Both ends journaled, 0600, with the outcome.
    let lines = journal(s.home());
    let actions: Vec<&str> = lines.iter().filter_map(|l| l["action"].as_str()).collect();
    assert_eq!(actions, ["exec_start", "exec_end"], "{lines:?}");
    assert_eq!(lines[1]["outcome"], "exit 0");
    assert_eq!(lines[1]["target"], arn.as_str());
    assert!(
        lines[1]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("container mongodb: /bin/sh")
    );
    // The keys are the dashboard's again.
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn without_the_aws_cli_the_menu_says_what_to_install_and_nothing_runs() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = fake_tools(dir.path(), false);
    let mut s = start(dir.path(), &bin, &[]);
    s.wait_for(&["● HEALTHY", "RUNNING"], BOOT);
    s.send("e");
    s.wait_for(&["A shell in task"], Duration::from_secs(3));
    s.send("\r");
    let screen = s.wait_for(
        &["Not opened; nothing was run", "is not on PATH"],
        Duration::from_secs(10),
    );
    assert!(screen.contains("install v2"), "{screen}");
    assert!(!dir.path().join("args").exists());
    assert!(
        !s.home().join("state/ecsdeck/journal.jsonl").exists(),
        "nothing run, nothing journaled"
    );
    s.send("\x1b");
    s.wait_for(&["no shell opened"], Duration::from_secs(3));
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn a_denied_execute_command_is_left_on_screen_to_read_then_named_in_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = fake_tools(dir.path(), true);
    let mut s = start(dir.path(), &bin, &[("FAKE_AWS_EXIT", "254")]);
    s.wait_for(&["● HEALTHY", "RUNNING"], BOOT);
    s.send("e");
    s.wait_for(&["A shell in task"], Duration::from_secs(3));
    s.send("\r");
    let screen = s.wait_for(
        &[
            "not authorized to perform: ecs:ExecuteCommand",
            "Press Enter to return",
        ],
        Duration::from_secs(10),
    );
    assert!(
        screen.contains("your IAM policy needs ecs:ExecuteCommand"),
        "{screen}"
    );
    s.send("\r");
    s.wait_for(
        &["ended with exit status 254", "● HEALTHY"],
        Duration::from_secs(10),
    );
    let lines = journal(s.home());
    assert_eq!(
        lines.last().map(|l| l["outcome"].clone()),
        Some("exit 254".into())
    );
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn colon_switches_the_demo_to_its_worker_and_back() {
    let mut s = Session::start(&["demo", "--read-only"], &[]);
    s.wait_for(&["● HEALTHY", "demo / goals-service"], BOOT);
    s.send(":");
    s.wait_for(
        &["2 services", "goals-worker", "(watching)"],
        Duration::from_secs(5),
    );
    // Letters are the filter's: `q` would otherwise quit.
    s.send("qwork");
    s.wait_for(&["nothing matches"], Duration::from_secs(3));
    s.send("\x7f\x7f\x7f\x7f\x7f");
    s.send("work\r");
    let screen = s.wait_for(
        &[
            "demo / goals-worker",
            "now watching demo/goals-worker",
            "reminders: ",
        ],
        Duration::from_secs(10),
    );
    assert!(
        screen.contains("the service has no load balancer"),
        "{screen}"
    );
    assert!(
        !screen.contains("goals-api"),
        "nothing of the first service is left:\n{screen}"
    );
    s.send(":");
    s.wait_for(&["goals-worker  (watching)"], Duration::from_secs(5));
    s.send("\r");
    s.wait_for(
        &["demo / goals-service", "● HEALTHY", "goals-api"],
        Duration::from_secs(10),
    );
    s.send(":");
    s.wait_for(&["Switch to another service"], Duration::from_secs(5));
    s.send("\x1b");
    s.wait_for(
        &["still watching demo/goals-service"],
        Duration::from_secs(3),
    );
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}
