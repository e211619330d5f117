//! Configuration and command-line errors: the binary on bad input gives
//! the promised message and exit code. Nothing here reaches AWS: every run
//! that could is pointed at a closed loopback port.

use std::process::{Command, Output};

/// The binary in a clean home with a hermetic AWS environment: dummy keys,
/// no profile, no region unless a flag gives one, no instance metadata.
fn ecsdeck(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run ecsdeck")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn unknown_config_key_names_file_line_and_key() {
    let home = tempfile::tempdir().expect("tmp");
    let cfg = home.path().join("bad.toml");
    std::fs::write(&cfg, "cluster = \"c\"\nservice = \"s\"\nrefesh = \"5s\"\n").expect("write");
    let o = ecsdeck(
        &["status", "--config", cfg.to_str().expect("utf8")],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.toml: line 3, key `refesh`"), "{e}");
    assert!(e.contains("unknown field"), "{e}");
}

#[test]
fn wrong_type_in_default_config_file_is_reported() {
    let home = tempfile::tempdir().expect("tmp");
    let dir = home.path().join("config").join("ecsdeck");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "read_only = 1\n").expect("write");
    let o = ecsdeck(&["status"], home.path());
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("config.toml: line 1, key `read_only`"), "{e}");
}

#[test]
fn missing_config_file_is_an_error() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &["--config", "/nonexistent/ecsdeck.toml", "status"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read config file /nonexistent/ecsdeck.toml"));
}

#[test]
fn bad_refresh_flag_is_rejected_before_or_after_the_subcommand() {
    let home = tempfile::tempdir().expect("tmp");
    for args in [
        &["--refresh", "soon", "status"][..],
        &["status", "--refresh", "10ms"],
        &["--refresh", "banana"],
        &["--refresh", "99999999999999h"],
    ] {
        let o = ecsdeck(args, home.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("--refresh"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("expected number"), "{}", stderr(&o));
    }
}

#[test]
fn status_without_a_service_says_how_to_name_one() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &[
            "status",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Pass --cluster and --service"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreachable_endpoint_is_exit_2_with_a_reason() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &[
            "status",
            "--cluster",
            "c",
            "--service",
            "s",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot reach endpoint: Connection refused"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn status_of_the_demo_as_json_and_table() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(&["status", "--demo", "--json"], home.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["verdict"]["health"], "healthy");
    assert_eq!(v["service"]["name"], "goals-service");
    let task_id = v["tasks"][0]["arn"]
        .as_str()
        .and_then(|a| a.rsplit('/').next())
        .expect("task");
    assert_eq!(
        v["targets"][0]["task"], task_id,
        "target joined to its task"
    );
    assert_eq!(v["targets"][0]["state"], "healthy");
    assert_eq!(v["mounts"][0]["status"]["state"], "mounted");
    assert_eq!(
        v["task_definition"]["containers"].as_array().map(Vec::len),
        Some(2)
    );
    // The probe went through the demo's load balancer to the task.
    let p = &v["probe"];
    assert_eq!(p["outcome"], 200, "{p}");
    assert_eq!(p["state"], "up");
    assert_eq!(p["records"], 3, "the demo's seeded records: {p}");
    assert!(
        p["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:") && u.ends_with("/goals")),
        "{p}"
    );
    assert!(p["latency_ms"].as_u64().is_some(), "{p}");
    assert_eq!(p["served_by"], task_id, "{p}");

    let o = ecsdeck(&["status", "--demo"], home.path());
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("verdict: HEALTHY"), "{out}");
    assert!(out.contains("goals-tg"), "{out}");
    assert!(out.contains("probe:   GET http://127.0.0.1:"), "{out}");
    assert!(out.contains("UP 200 in "), "{out}");
}

#[test]
fn status_calls_the_service_down_when_the_probe_fails() {
    // A "load balancer" that answers 503 to everything.
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut sock in l.incoming().flatten() {
            h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 2048];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(
                b"HTTP/1.1 503 Service Temporarily Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let home = tempfile::tempdir().expect("tmp");
    let url = format!("http://{addr}");
    let o = ecsdeck(
        &["status", "--demo", "--json", "--probe-url", &url],
        home.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["verdict"]["health"], "down", "{v}");
    let reason = v["verdict"]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("probe 503 for "), "{reason}");
    assert_eq!(v["probe"]["state"], "down");
    assert_eq!(v["probe"]["outcome"], 503);
    // The demo waits (up to 20 s) for its service to come up, probing all
    // along; `status` against AWS stops after three (tests/probe.rs).
    assert!(hits.load(std::sync::atomic::Ordering::SeqCst) >= 3);

    let o = ecsdeck(
        &["status", "--demo", "--probe-url", "goals.example.com"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("--probe-url") && e.contains("scheme"), "{e}");
}

#[test]
fn no_region_is_a_clear_error() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(&["--cluster", "c", "--service", "s"], home.path());
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no AWS region configured: pass --region"), "{e}");
    assert!(!e.contains("Location:"), "no stack-trace noise: {e}");
}

#[test]
fn no_service_and_no_reachable_aws_points_to_the_demo() {
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &[
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("cannot list ECS services"), "{e}");
    assert!(e.contains("ecsdeck demo"), "{e}");
}

#[test]
fn both_iam_policies_are_valid_and_the_operator_one_is_narrowed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");
    let read: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/iam-policy.json")).expect("read"),
    )
    .expect("json");
    let op: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/iam-policy-operator.json")).expect("read"),
    )
    .expect("json");
    let actions = |p: &serde_json::Value| -> Vec<String> {
        p["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect()
    };
    let (r, o) = (actions(&read), actions(&op));
    assert!(
        !r.iter()
            .any(|a| a == "ecs:StopTask" || a == "ecs:UpdateService" || a == "ecs:ExecuteCommand"),
        "the read policy changes nothing"
    );
    // `e`: a shell in the cluster's tasks only; the task role's own
    // policy has the agent's four channels.
    let exec = op["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["Action"][0] == "ecs:ExecuteCommand")
        .expect("ecs:ExecuteCommand");
    assert_eq!(
        exec["Resource"],
        serde_json::json!([
            "arn:aws:ecs:REGION:ACCOUNT:cluster/CLUSTER",
            "arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/*"
        ])
    );
    let role: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/iam-task-role-exec.json")).expect("read"),
    )
    .expect("json");
    let mut channels = actions(&role);
    channels.sort();
    assert_eq!(
        channels,
        [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel"
        ]
    );
    assert!(
        r.iter().all(|a| o.contains(a)),
        "the operator policy includes the read one"
    );
    for (action, resource) in [
        ("ecs:StopTask", "arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/*"),
        (
            "ecs:UpdateService",
            "arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE",
        ),
    ] {
        let st = op["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["Action"][0] == action)
            .unwrap_or_else(|| panic!("{action}"));
        assert_eq!(st["Resource"], resource);
        assert_eq!(
            st["Condition"]["ArnEquals"]["ecs:cluster"],
            "arn:aws:ecs:REGION:ACCOUNT:cluster/CLUSTER"
        );
    }
}

#[test]
fn drill_on_the_demo_exits_by_verdict_and_never_runs_unconfirmed() {
    let home = tempfile::tempdir().expect("tmp");
    // No terminal to confirm on and no --yes: refused, nothing sent.
    let o = ecsdeck(&["drill", "--demo"], home.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --yes"), "{}", stderr(&o));
    let o = ecsdeck(&["drill", "--demo", "--yes", "--json"], home.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["verdict"], "PASS");
    assert_eq!(v["cleanup"], "deleted");
    assert!(
        v["marker"]
            .as_str()
            .is_some_and(|m| m.starts_with("ecsdeck-drill-"))
    );
    assert!(v["phases"].as_array().is_some_and(|p| {
        p.iter()
            .any(|x| x["name"] == "first_2xx" && x["source"] == "probe")
    }));
    // The marker's path, in order, each step done; the count kept.
    let data: Vec<(String, bool)> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or("").to_string(),
                e["ok"] == true,
            )
        })
        .collect();
    let names: Vec<&str> = data.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "checked_absent",
            "written",
            "read_back",
            "read_after",
            "deleted"
        ],
        "{v}"
    );
    assert!(data.iter().all(|(_, ok)| *ok), "{data:?}");
    let ats: Vec<&str> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|e| e["at"].as_str())
        .collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "in order: {ats:?}");
    assert!(v["records_before"].as_u64().is_some(), "{v}");
    assert_eq!(v["records_before"], v["records_after"]);
    // The report files: HTML by default, JSON by name; never overwritten.
    let html = home.path().join("drill.html");
    let o = ecsdeck(
        &[
            "drill",
            "--demo",
            "--yes",
            "--report",
            html.to_str().expect("path"),
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).expect("the page");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains(">PASS<"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&html).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let o = ecsdeck(
        &[
            "drill",
            "--demo",
            "--yes",
            "--report",
            html.to_str().expect("path"),
        ],
        home.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "an existing report file is refused"
    );
    assert!(stderr(&o).contains("never overwrites"), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("restart sent"));
    assert_eq!(std::fs::read_to_string(&html).expect("page"), page);
    let json = home.path().join("fail.json");
    let o = ecsdeck(
        &[
            "drill",
            "--demo",
            "--yes",
            "--fresh-volume",
            "--report",
            json.to_str().expect("path"),
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("JSON");
    assert_eq!(v["verdict"], "FAIL");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.contains("is missing")),
        "{v}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("FAIL: the restart happened and the marker"),
        "{out}"
    );
    let o = ecsdeck(
        &["drill", "--demo", "--yes", "--deny-stop-task"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(3));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("ABORTED: the restart was refused"), "{out}");
    assert!(out.contains("ecs:StopTask"), "{out}");
    assert!(
        out.contains("cleanup: deleted"),
        "the marker is removed: {out}"
    );
    let o = ecsdeck(&["drill", "--demo", "--yes", "--read-only"], home.path());
    assert_eq!(o.status.code(), Some(2), "read-only never restarts");
}

#[test]
fn the_drill_passes_on_a_demo_whose_api_container_has_no_health_check() {
    // AWS reports such a container UNKNOWN for ever: it counts as ready
    // when RUNNING, so the drill is not a false FAIL at its timeout.
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &[
            "drill",
            "--demo",
            "--yes",
            "--json",
            "--no-api-health-check",
        ],
        home.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(o.status.code(), Some(0), "{v}\n{}", stderr(&o));
    assert_eq!(v["verdict"], "PASS");
    assert!(
        v["warnings"].as_array().is_some_and(|w| w.iter().any(|x| x
            .as_str()
            .is_some_and(|x| x.contains("goals-api has no container health check")))),
        "{v}"
    );
}

#[test]
fn a_forced_deployment_ecs_cannot_carry_out_is_aborted_not_failed() {
    // min 100 % / max 100 %: the deployment hangs and the old task runs
    // on; nothing was restarted, so nothing about the data is claimed.
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &[
            "drill",
            "--demo",
            "--yes",
            "--restart",
            "force-deployment",
            "--min-healthy-100",
            "--timeout",
            "30s",
        ],
        home.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("ABORTED: nothing was restarted") && out.contains("min 100% max 100%"),
        "{out}"
    );
    assert!(out.contains("cleanup: deleted"), "{out}");
}

#[test]
fn sigterm_mid_drill_cleans_up_reports_and_exits_3() {
    // A CI runner cancelling the job sends SIGTERM: the marker must not
    // stay in the API, and the report must still say what happened.
    signal_mid_drill(libc::SIGTERM);
}

#[test]
fn sighup_mid_drill_cleans_up_reports_and_exits_3() {
    // A dropped SSH session sends SIGHUP to a drill run from a shell.
    signal_mid_drill(libc::SIGHUP);
}

fn signal_mid_drill(signal: i32) {
    use std::io::BufRead;
    let home = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .args([
            "drill",
            "--demo",
            "--yes",
            "--json",
            "--data-dir",
            &home.path().join("data").display().to_string(),
        ])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // Wait until the restart has been sent: mid-drill.
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !seen.iter().any(|l: &String| l.contains("restart sent")) {
        assert!(std::time::Instant::now() < deadline, "{seen:?}");
        if let Ok(l) = rx.recv_timeout(std::time::Duration::from_secs(1)) {
            seen.push(l);
        }
    }
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child's pid, with a valid signal.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(3), "ABORTED: {seen:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report");
    assert_eq!(v["verdict"], "ABORTED");
    let name = match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "SIGINT",
    };
    assert!(
        v["reason"].as_str().is_some_and(|r| r.contains(&format!(
            "cancelled by {name}; the restart had already been requested"
        ))),
        "{v}"
    );
    assert_eq!(v["cancelled_by"], name, "{v}");
    assert_eq!(v["cleanup"], "deleted", "the marker is removed: {v}");
    // From the API's own data, not only by its answer.
    let marker = v["marker"].as_str().expect("marker");
    let data = std::fs::read_to_string(home.path().join("data/efs/goals.json")).expect("data");
    assert!(!data.contains(marker), "the marker is gone from the data");
}

#[test]
fn a_5xx_answer_to_the_drills_stop_task_keeps_it_watching_and_it_passes() {
    // ECS stopped the task and then answered 500: the restart happened.
    // The drill must not call it refused (ABORTED), and must not retry.
    let home = tempfile::tempdir().expect("tmp");
    let o = ecsdeck(
        &["drill", "--demo", "--yes", "--json", "--stop-task-fault"],
        home.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["verdict"], "PASS", "{v}");
    let steps = v["steps"].to_string();
    assert!(!steps.contains("refused"), "{steps}");
    let told = stderr(&o);
    assert!(
        told.contains(
            "restart sent (StopTask): outcome unknown (ecs:StopTask failed: ServerException"
        ),
        "{told}"
    );
    assert!(told.contains("not retried"), "{told}");
}

#[test]
fn completions_parse_in_bash_and_complete_the_subcommands() {
    let home = tempfile::tempdir().expect("home");
    let out = ecsdeck(&["completions", "bash"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let script = home.path().join("ecsdeck.bash");
    std::fs::write(&script, &out.stdout).expect("write");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash");
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    // What `ecsdeck <Tab>` offers, as bash's completion calls it.
    let offered = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}'; COMP_WORDS=(ecsdeck ''); COMP_CWORD=1; COMP_LINE='ecsdeck '; COMP_POINT=8; _ecsdeck ecsdeck '' ecsdeck; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .expect("bash");
    let offered = String::from_utf8_lossy(&offered.stdout);
    for sub in [
        "demo",
        "status",
        "drill",
        "completions",
        "--cluster",
        "--read-only",
    ] {
        assert!(
            offered.lines().any(|l| l == sub),
            "{sub} not offered:\n{offered}"
        );
    }
    for shell in ["zsh", "fish", "powershell"] {
        let out = ecsdeck(&["completions", shell], home.path());
        assert!(out.status.success() && out.stdout.len() > 1000, "{shell}");
    }
    let bad = ecsdeck(&["completions", "tcsh"], home.path());
    assert_eq!(bad.status.code(), Some(2));
}

/// Every drill is kept on this host: three demo drills are three lines
/// of `ecsdeck drill --history`, the report file named with each, kept
/// private as the journal is.
#[test]
fn three_demo_drills_make_a_history_of_three_and_a_kept_json_turns_into_the_page() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().expect("home");
    let o = ecsdeck(&["drill", "--history"], home.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("no drill kept yet"), "{}", stderr(&o));
    for n in 1..=3 {
        let report = home.path().join(format!("drill-{n}.json"));
        let o = ecsdeck(
            &[
                "drill",
                "--demo",
                "--yes",
                "--report",
                &report.display().to_string(),
            ],
            home.path(),
        );
        assert_eq!(o.status.code(), Some(0), "drill {n}: {}", stderr(&o));
    }
    let o = ecsdeck(&["drill", "--history"], home.path());
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(
        rows.iter()
            .all(|r| r.contains("PASS") && r.contains("demo/goals-service")),
        "{out}"
    );
    let o = ecsdeck(&["drill", "--history", "--json"], home.path());
    let kept: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(kept.len(), 3);
    assert!(
        kept[2]["reports"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with("drill-3.json")
    );
    assert!(kept.iter().all(|k| k["downtime_s"].is_number()), "{kept:?}");
    let path = home.path().join("state/ecsdeck/drills.jsonl");
    let mode = std::fs::metadata(&path)
        .expect("history")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The records survive in the history too.
    assert!(rows.iter().all(|r| r.contains("4 → 4")), "{out}");
    // The third drill's kept JSON as its page: a trend of three points,
    // the two before it and itself, outlined.
    let page = home.path().join("drill-3.html");
    let json = home.path().join("drill-3.json");
    let o = ecsdeck(
        &[
            "report",
            json.to_str().expect("path"),
            "-o",
            page.to_str().expect("path"),
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&page).expect("page");
    let trend = page
        .split("aria-label=\"downtime of this service's drills, oldest first\">")
        .nth(1)
        .and_then(|t| t.split("</svg>").next())
        .expect("the trend");
    assert_eq!(trend.matches("<rect").count(), 3, "{trend}");
    assert_eq!(trend.matches(r##"stroke="#000""##).count(), 1, "{trend}");
}

/// A CI job keeps only the JSON: `ecsdeck report` turns each kind of
/// drill (a pass, a fail, an abort, two tasks) into its summary with the
/// story in characters, and into its page with the picture.
#[test]
fn ecsdeck_report_turns_each_kind_of_drill_into_its_summary_and_its_page() {
    let home = tempfile::tempdir().expect("tmp");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
    for (name, verdict, shows) in [
        ("pass", "PASS", "outage 6.0 s"),
        ("fail", "FAIL", "MISSING (0) ×11"),
        ("aborted", "ABORTED", "s from start"),
        ("two-task", "PASS", "2 new target"),
    ] {
        let json = dir.join(format!("{name}.json"));
        let o = ecsdeck(&["report", json.to_str().expect("path")], home.path());
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.starts_with(&format!("{verdict}: ")), "{name}: {text}");
        assert!(text.contains("│"), "{name}: the lanes: {text}");
        assert!(text.contains(shows), "{name}: {text}");
        let html = home.path().join(format!("{name}.html"));
        let o = ecsdeck(
            &[
                "report",
                json.to_str().expect("path"),
                "-o",
                html.to_str().expect("path"),
            ],
            home.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let page = std::fs::read_to_string(&html).expect("page");
        assert!(
            page.contains(&format!(r#"<div class="v">{verdict}</div>"#)),
            "{name}"
        );
        assert!(page.contains(r#"class="story""#), "{name}: the swimlane");
    }
}
