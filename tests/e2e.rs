//! End to end: the real binary in a pseudo-terminal against the embedded
//! demo, read back as screen text through a terminal emulator.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Session, journal, reports};

const BOOT: Duration = Duration::from_secs(40);

#[test]
fn demo_shows_the_service_help_and_quits_cleanly() {
    let mut s = Session::start(&["demo"], &[]);
    let screen = s.wait_for(
        &[
            "DEMO (simulated)",
            "goals-api",
            "mongodb",
            "healthy",
            "fs-0de3a85a7c53demo",
            "● HEALTHY",
            "mounted ✓",
        ],
        BOOT,
    );
    assert!(screen.contains("demo / goals-service"), "{screen}");
    assert!(screen.contains("RUNNING"), "{screen}");
    // The API's own lines and the ALB's health checks reach the logs pane.
    s.wait_for(
        &["\"GET /goals HTTP/1.1\" 200", "following 2 streams"],
        BOOT,
    );
    // Full-screen logs, a filter, and back.
    s.send("l");
    s.send("/");
    s.send("listening\r");
    let screen = s.wait_for(
        &["/listening/", "Goals API listening on port 80"],
        Duration::from_secs(3),
    );
    assert!(
        !screen.contains("Load balancer"),
        "full-screen logs: {screen}"
    );
    s.send("\x1b");
    s.wait_for(&["1:goals-api"], Duration::from_secs(2));
    s.send("l");
    s.wait_for(&["Load balancer"], Duration::from_secs(2));

    // Keys answer at once, whatever the pollers are doing.
    s.send("?");
    s.wait_for(
        &["Help: keys", "refresh everything now"],
        Duration::from_secs(2),
    );
    s.send("\x1b");
    let start = Instant::now();
    while s.screen().contains("Help: keys") {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "Esc did not close help"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send("q");
    let st = s.wait_exit(Duration::from_secs(10));
    assert!(st.success(), "exit status {st:?}");
    s.assert_restored();
}

#[test]
fn demo_shows_the_probe_up_from_the_first_screen() {
    let mut s = Session::start(&["demo"], &[]);
    let screen = s.wait_for(
        &[
            "Probe GET http://127.0.0.1:",
            "every 1s · new connection",
            "UP 200 in ",
            "3 records",
            "served by ",
        ],
        BOOT,
    );
    // Side by side with the target health, never instead of it.
    assert!(screen.contains("Load balancer goals-tg"), "{screen}");
    // The probe's requests reach the API as ecsdeck's own.
    s.send("l");
    s.send("/");
    s.send("ecsdeck/\r");
    s.send("w");
    // Wrapped at the pane's edge: the version ends a line's next row.
    s.wait_for(
        &["\"ecsdeck", concat!("/", env!("CARGO_PKG_VERSION"), "\"")],
        Duration::from_secs(5),
    );
    s.send("\x1b");
    s.send("l");
    s.wait_for(&["Load balancer"], Duration::from_secs(2));
    // Tab to the probe (its border turns thick) and zoom: the recent
    // samples, one per row.
    let mut tabs = 0;
    while !s.screen().contains("┏ Probe") {
        assert!(tabs < 8, "Tab never reached the probe");
        s.send("\t");
        tabs += 1;
        std::thread::sleep(Duration::from_millis(150));
    }
    s.send("z");
    let screen = s.wait_for(
        &["first byte", "served by", "200 up"],
        Duration::from_secs(3),
    );
    assert!(!screen.contains("Containers"), "zoomed: {screen}");
    s.send("z");
    s.wait_for(&["Containers"], Duration::from_secs(2));
    s.send("q");
    let st = s.wait_exit(Duration::from_secs(10));
    assert!(st.success(), "exit status {st:?}");
    s.assert_restored();
}

#[test]
fn sighup_restores_the_terminal() {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["goals-api"], BOOT);
    let pid = s.child.process_id().expect("pid");
    let ok = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
    s.wait_exit(Duration::from_secs(10));
    s.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["goals-api"], BOOT);
    let pid = s.child.process_id().expect("pid");
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    s.wait_exit(Duration::from_secs(10));
    s.assert_restored();
}

/// Signals sent from another shell end the program like `q`: the terminal
/// is restored, and the exit status says which signal (128 + its number).
fn signal_restores_the_terminal(name: &str, number: u32) {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["goals-api"], BOOT);
    let pid = s.child.process_id().expect("pid");
    Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    let st = s.wait_exit(Duration::from_secs(10));
    s.assert_restored();
    assert_eq!(st.exit_code(), 128 + number, "{name}: {st:?}");
}

#[test]
fn sigint_restores_the_terminal() {
    signal_restores_the_terminal("INT", 2);
}

#[test]
fn sigquit_restores_the_terminal() {
    signal_restores_the_terminal("QUIT", 3);
}

#[test]
fn panic_restores_the_terminal_and_reports() {
    let mut s = Session::start(&["demo"], &[("ECSDECK_TEST_PANIC", "1")]);
    let st = s.wait_exit(BOOT);
    assert!(!st.success());
    s.assert_restored();
    let raw = s.raw.lock().expect("raw");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("ECSDECK_TEST_PANIC"), "panic report printed");
}

/// AWS that never answers: every connection is accepted and left hanging.
fn black_hole() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    port
}

#[test]
fn keys_answer_at_once_while_aws_hangs() {
    let port = black_hole().to_string();
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut s = Session::start(
        &[
            "--cluster",
            "goals-cluster",
            "--service",
            "goals-service",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &endpoint,
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    s.wait_for(&["goals-cluster / goals-service", "loading"], BOOT);
    // Every AWS request hangs forever; the keys must still answer (the
    // bound is generous: this checks behaviour, not speed).
    s.send("?");
    s.wait_for(&["Help: keys"], Duration::from_secs(2));
    s.send("q");
    let st = s.wait_exit(Duration::from_secs(3));
    assert!(st.success(), "{st:?}");
    s.assert_restored();
}

#[test]
fn g_in_full_screen_logs_shows_the_oldest_screenful() {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["Goals API listening on port 80"], BOOT);
    s.send("l");
    s.wait_for(&["following 2 streams"], Duration::from_secs(5));
    s.send("g");
    let screen = s.wait_for(&["PAUSED"], Duration::from_secs(3));
    let rows: Vec<&str> = screen.lines().collect();
    let filled = rows
        .iter()
        .filter(|r| r.contains("goals-api") || r.contains("mongodb "))
        .count();
    assert!(filled >= 10, "a screenful, not one line:\n{screen}");
    // The oldest line heads the pane.
    assert!(
        rows.get(2)
            .is_some_and(|r| r.contains("mongodb") || r.contains("goals-api")),
        "{screen}"
    );
    s.send("q");
    s.wait_exit(Duration::from_secs(10));
    s.assert_restored();
}

#[test]
fn the_demo_opens_after_a_crash_explained_in_the_logs_and_the_bracket_loads_the_hour_before() {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["Goals API listening on port 80", "1 stopped"], BOOT);
    // CPU and memory: the service's hour, and mongod's chart reaching
    // back over the task it replaced, at its limit (█) before the mark.
    let screen = s.wait_for(&["last hour", "mem of l"], Duration::from_secs(10));
    let mongo = screen
        .lines()
        .find(|l| l.contains("mongodb   RUNNING"))
        .unwrap_or_default();
    assert!(mongo.contains("cpu ") && mongo.contains('█'), "{screen}");
    // No key yet: the replaced task is listed with why it stopped.
    s.send("l");
    s.wait_for(&["following 2 streams"], Duration::from_secs(5));
    // Its divider, above the running task's first lines, says which
    // container failed, how, and ECS's reason.
    s.send("\x1b[5~");
    let screen = s.wait_for(
        &[
            "mongodb exit 137 — killed (SIGKILL: out of memory",
            "OutOfMemoryError: Container killed due to memory usage",
            "EssentialContainerExited: Essential container in task exited",
            "SIGTERM received: closing HTTP server",
        ],
        Duration::from_secs(5),
    );
    assert!(screen.contains("started"), "{screen}");
    // The busy API stream was read from its last 200 lines; `[` loads the
    // hour before, says how many lines and calls, and they are on screen.
    s.send("g");
    s.wait_for(
        &["older lines of busier streams are not loaded"],
        Duration::from_secs(3),
    );
    s.send("[");
    let screen = s.wait_for(
        &["loaded 120 lines from ", "(1 call)"],
        Duration::from_secs(5),
    );
    let requests = screen
        .lines()
        .filter(|l| l.contains("GET /goals 200 - "))
        .count();
    assert!(requests >= 10, "the loaded lines are shown:\n{screen}");
    s.send("q");
    s.wait_exit(Duration::from_secs(10));
    s.assert_restored();
}

/// The first task id on the Tasks pane (`▶ 6299e51e RUNNING`).
fn running_task(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| {
            let i = l.find("▶ ")?;
            let id: String = l[i + "▶ ".len()..].chars().take(8).collect();
            l.contains("RUNNING").then_some(id)
        })
        .unwrap_or_else(|| panic!("no running task on screen:\n{screen}"))
}

#[test]
fn s_then_y_restarts_the_task_and_the_probe_sees_the_new_one_take_over() {
    let mut s = Session::start(&["demo"], &[]);
    let screen = s.wait_for(&["UP 200 in ", "served by ", "● HEALTHY"], BOOT);
    let old = running_task(&screen);
    s.send("S");
    let dialog = s.wait_for(
        &[
            &format!("Stop task {old}?"),
            "What happens next",
            "nothing is sent before y",
        ],
        Duration::from_secs(3),
    );
    assert!(dialog.contains("SIGTERM"), "{dialog}");
    s.confirm();
    // Down while no target is healthy, then back on a new task.
    s.wait_for(
        &[
            &format!("Restart task {old} → "),
            "stop requested by ecsdeck",
        ],
        Duration::from_secs(10),
    );
    let screen = s.wait_for(
        &[
            &format!("(was {old})"),
            "back after",
            "first 2xx through the load balancer",
        ],
        Duration::from_secs(60),
    );
    let at = |n: &str| {
        screen
            .find(n)
            .unwrap_or_else(|| panic!("{n} missing:\n{screen}"))
    };
    // The steps, in the order they happened (the first may have scrolled
    // off the pane, which shares the screen with the logs: the newest stay
    // in view).
    let steps = [
        "new task RUNNING",
        "containers HEALTHY",
        "first 2xx through the load balancer",
    ];
    for w in steps.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} before {}:\n{screen}", w[0], w[1]);
    }
    if let Some(p) = screen.find("new task PROVISIONING") {
        assert!(p < at("new task RUNNING"), "{screen}");
    }
    assert!(screen.contains("records 3 → 3"), "{screen}");
    assert!(screen.contains("probe down "), "{screen}");
    let new = running_task(&screen);
    assert_ne!(new, old, "a new task serves");
    // The replacement's first lines are on screen without a key: the
    // logs keep their room beside the timeline.
    s.wait_for(&[&format!(" goals-api {new} ")], Duration::from_secs(10));
    s.send("x");
    s.wait_for(&["Events"], Duration::from_secs(3));
    // One line in the journal: what, on what, by whom, AWS's answer.
    let lines = journal(s.home());
    assert_eq!(lines.len(), 1, "{lines:?}");
    let e = &lines[0];
    assert_eq!(e["action"], "stop_task");
    assert_eq!(e["outcome"], "ok");
    assert!(
        e["target"]
            .as_str()
            .is_some_and(|t| t.ends_with(&old) || t.contains(&old)),
        "{e}"
    );
    assert!(
        e["request_id"].as_str().is_some_and(|r| r.len() == 36),
        "{e}"
    );
    assert_eq!(e["caller"], "arn:aws:iam::000000000000:user/demo-operator");
    assert!(
        e["reason"].as_str().is_some_and(|r| r.contains("ecsdeck")),
        "{e}"
    );
    // `ecsdeck journal` reads it back.
    let out = Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .arg("journal")
        .env("HOME", s.home())
        .env("XDG_STATE_HOME", s.home().join("state"))
        .output()
        .expect("journal");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && table.contains("stop_task") && table.contains(" ok"),
        "{table}"
    );
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn s_then_n_a_pasted_sy_and_s_y_1_ms_apart_send_nothing() {
    let mut s = Session::start(&["demo"], &[]);
    let screen = s.wait_for(&["UP 200 in ", "● HEALTHY"], BOOT);
    let old = running_task(&screen);
    s.send("S");
    s.wait_for(&[&format!("Stop task {old}?")], Duration::from_secs(3));
    s.send("n");
    s.wait_for(&["cancelled: nothing was sent"], Duration::from_secs(3));
    // The keys arrive as a bracketed paste: never as keys.
    s.send("\x1b[200~Sy\x1b[201~");
    std::thread::sleep(Duration::from_secs(2));
    let screen = s.screen();
    assert!(
        !screen.contains("Stop task"),
        "a paste opened the dialog:\n{screen}"
    );
    // A terminal that does not bracket pastes (an older screen, some web
    // consoles): S and y arrive as keys, 1 ms apart. The y is not taken.
    s.send("S");
    std::thread::sleep(Duration::from_millis(1));
    s.send("y");
    let screen = s.wait_for(
        &["y came too soon after the dialog opened"],
        Duration::from_secs(3),
    );
    assert!(screen.contains(&format!("Stop task {old}?")), "{screen}");
    s.send("n");
    std::thread::sleep(Duration::from_secs(3));
    let screen = s.screen();
    assert!(!screen.contains("Restart task"), "{screen}");
    assert_eq!(running_task(&screen), old, "still the same task");
    // Only the task replaced before the dashboard opened is stopped.
    assert!(screen.contains("1 running · 1 stopped"), "{screen}");
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn read_only_binds_no_action_and_says_so_in_the_help() {
    let mut s = Session::start(&["demo", "--read-only"], &[]);
    let screen = s.wait_for(&["UP 200 in ", "● HEALTHY", "read-only"], BOOT);
    assert!(
        !screen.contains("S stop task"),
        "not in the hint bar:\n{screen}"
    );
    s.send("S");
    s.send("D");
    std::thread::sleep(Duration::from_secs(1));
    let screen = s.screen();
    assert!(
        !screen.contains("Stop task") && !screen.contains("Force a new"),
        "{screen}"
    );
    s.send("?");
    let help = s.wait_for(
        &["Read-only: no key changes anything"],
        Duration::from_secs(3),
    );
    assert!(!help.contains("stop the selected task"), "{help}");
    assert!(
        !s.home()
            .join("state")
            .join("ecsdeck")
            .join("journal.jsonl")
            .exists(),
        "nothing changed, nothing journaled"
    );
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn d_then_y_forces_a_deployment_and_the_new_task_takes_over() {
    let mut s = Session::start(&["demo"], &[]);
    let screen = s.wait_for(&["UP 200 in ", "served by ", "● HEALTHY"], BOOT);
    let old = running_task(&screen);
    s.send("D");
    let dialog = s.wait_for(
        &[
            "Force a new deployment of goals-service?",
            "the old task is stopped first",
        ],
        Duration::from_secs(3),
    );
    assert!(
        dialog.contains("resolves image tags to digests again"),
        "{dialog}"
    );
    s.confirm();
    s.wait_for(
        &["force a new deployment: accepted by AWS"],
        Duration::from_secs(5),
    );
    let screen = s.wait_for(
        &[
            &format!("(was {old})"),
            "back after",
            "first 2xx through the load balancer",
        ],
        Duration::from_secs(60),
    );
    assert!(
        screen.contains("ServiceSchedulerInitiated") || screen.contains("Scaling activity"),
        "{screen}"
    );
    assert_ne!(running_task(&screen), old);
    let lines = journal(s.home());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"], "force_deployment");
    assert_eq!(lines[0]["target"], "goals-service");
    assert_eq!(lines[0]["outcome"], "ok");
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

/// The drill's report files in `dir`.
#[test]
fn r_then_y_runs_the_drill_to_pass_and_writes_both_reports() {
    let mut s = Session::start(&["demo"], &[]);
    s.wait_for(&["UP 200 in ", "● HEALTHY"], BOOT);
    s.send("R");
    s.wait_for(
        &[
            "Restart drill of goals-service?",
            "nothing is sent before y",
        ],
        Duration::from_secs(5),
    );
    assert!(reports(s.home()).is_empty(), "nothing before y");
    s.confirm();
    let running = s.wait_for(&["waiting for:"], Duration::from_secs(10));
    assert!(running.contains("Esc cancel"), "{running}");
    // S, D and R do nothing while it runs.
    s.send("S");
    s.send("D");
    let screen = s.wait_for(&["PASS — ", "report: "], Duration::from_secs(90));
    assert!(!screen.contains("Stop task"), "{screen}");
    assert!(screen.contains("cleanup: deleted"), "{screen}");
    let files = reports(s.home());
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
    }
    let json = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "json"))
        .expect("the JSON report");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("valid JSON");
    assert_eq!(v["verdict"], "PASS");
    assert!(v["old_task"].as_str().is_some_and(|a| a.contains(":task/")));
    assert!(v["new_task"].as_str().is_some_and(|a| a.contains(":task/")));
    assert_ne!(v["old_task"], v["new_task"]);
    let html = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "html"))
        .expect("the HTML report");
    assert!(
        std::fs::read_to_string(html)
            .expect("read")
            .contains(">PASS<")
    );
    // The journal: the drill's start, its StopTask, its end with the verdict.
    let lines = journal(s.home());
    let actions: Vec<&str> = lines.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["drill_start", "stop_task", "drill_end"],
        "{lines:?}"
    );
    assert_eq!(lines[2]["outcome"], "PASS");
    assert_eq!(lines[0]["target"], v["marker"]);
    assert!(
        lines[2]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("cleanup: deleted")),
        "{lines:?}"
    );
    // Esc closes the verdict; the dashboard goes on, and S works again.
    s.send("\x1b");
    s.wait_for(&["drill PASS: report"], Duration::from_secs(5));
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn the_drill_fails_on_a_fresh_volume_naming_the_missing_marker() {
    let mut s = Session::start(&["demo", "--fresh-volume"], &[]);
    s.wait_for(&["UP 200 in ", "● HEALTHY"], BOOT);
    s.send("R");
    s.wait_for(&["nothing is sent before y"], Duration::from_secs(5));
    s.confirm();
    let screen = s.wait_for(
        &["FAIL — the restart happened and the marker"],
        Duration::from_secs(90),
    );
    assert!(screen.contains("is missing"), "{screen}");
    assert!(
        reports(s.home())
            .iter()
            .any(|f| f.to_string_lossy().ends_with("-fail.json"))
    );
    // Esc and q apart: together they read as Alt-q.
    s.send("\x1b");
    s.wait_for(&["drill FAIL: report"], Duration::from_secs(5));
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn the_headless_drill_asks_after_its_preflight_and_n_sends_nothing() {
    let mut s = Session::start(&["drill", "--demo"], &[]);
    let screen = s.wait_for(&["[y/N]"], BOOT);
    assert!(
        screen.contains("expect about"),
        "the estimate first: {screen}"
    );
    assert!(
        screen.contains("ECS: ECS stops task"),
        "the plan first: {screen}"
    );
    assert!(
        screen.contains("probe now: 200"),
        "the baseline first: {screen}"
    );
    s.send("n\r");
    let st = s.wait_exit(Duration::from_secs(20));
    assert_eq!(st.exit_code(), 3, "ABORTED");
    let screen = s.screen();
    assert!(screen.contains("no restart was requested"), "{screen}");
    assert!(!screen.contains("restart sent"), "{screen}");
    assert!(!screen.contains("writing the marker"), "{screen}");
}

#[test]
fn c_puts_the_selected_tasks_id_on_the_terminals_clipboard() {
    let mut s = Session::start(&["demo", "--read-only"], &[]);
    let screen = s.wait_for(&["● HEALTHY", "RUNNING"], BOOT);
    let short = running_task(&screen);
    s.send("c");
    let screen = s.wait_for(&["copied task id "], Duration::from_secs(3));
    let id = screen
        .split("copied task id ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the id")
        .to_string();
    assert!(id.starts_with(&short) && id.len() == 32, "{id}\n{screen}");
    // The sequence went to the terminal: ESC ] 52 ; c ; base64 BEL.
    let raw = String::from_utf8_lossy(&s.raw.lock().expect("raw")).into_owned();
    use base64::Engine as _;
    let want = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(&id)
    );
    assert!(raw.contains(&want), "no OSC 52 for {id}");
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}
