//! Secrets stay secret (issue 19): what `[probe.headers]` and the proxy's
//! password hold never reaches the log, even at `RUST_LOG=debug`, and the
//! log itself is the operator's alone.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

const KEY: &str = "s3cr3t-key-7f2a";
const PASSWORD: &str = "hunter2-9c1e";

fn run(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("RUST_LOG", "debug")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run ecsdeck")
}

/// A config whose probe sends an API key through a proxy with a password.
fn config(home: &std::path::Path) -> String {
    let path = home.join("ecsdeck.toml");
    std::fs::write(
        &path,
        format!(
            "[probe]\nproxy = \"http://ops:{PASSWORD}@127.0.0.1:9\"\n\n[probe.headers]\nX-Api-Key = \"{KEY}\"\n"
        ),
    )
    .expect("config");
    path.display().to_string()
}

#[test]
fn probe_headers_and_the_proxy_password_never_reach_the_log_which_is_owner_only() {
    let home = tempfile::tempdir().expect("home");
    let cfg = config(home.path());
    let o = run(&["--config", &cfg, "status", "--demo"], home.path());
    let dir = home.path().join("state/ecsdeck");
    let log = std::fs::read_to_string(dir.join("ecsdeck.log")).expect("the log");
    assert!(log.contains("starting"), "the settings were logged:\n{log}");
    assert!(log.contains("***"), "masked, not left out:\n{log}");
    for secret in [KEY, PASSWORD] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
        assert!(!String::from_utf8_lossy(&o.stdout).contains(secret));
        assert!(!String::from_utf8_lossy(&o.stderr).contains(secret));
    }
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join("ecsdeck.log")), 0o600);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn a_symbolic_link_at_the_logs_path_is_refused_not_followed() {
    let home = tempfile::tempdir().expect("home");
    let dir = home.path().join("state/ecsdeck");
    std::fs::create_dir_all(&dir).expect("dir");
    // Another user on a shared bastion plants a link to a file of theirs.
    let theirs = home.path().join("theirs.txt");
    std::fs::write(&theirs, "").expect("theirs");
    std::os::unix::fs::symlink(&theirs, dir.join("ecsdeck.log")).expect("link");
    let cfg = config(home.path());
    let o = run(&["--config", &cfg, "status", "--demo"], home.path());
    assert_eq!(
        std::fs::read_to_string(&theirs).expect("theirs"),
        "",
        "nothing written through the link"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not logging to") && err.contains("symbolic link"),
        "{err}"
    );
}

#[test]
fn the_demo_works_on_a_bastion_whose_environment_names_a_proxy() {
    // HTTP_PROXY and HTTPS_PROXY are often set on a bastion; the demo's
    // load balancer and health checks are loopback and must not use them.
    let home = tempfile::tempdir().expect("home");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsdeck"))
        .args(["status", "--demo", "--json"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("http_proxy", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["verdict"]["health"], "healthy", "{v}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn status_with_redact_masks_the_account_in_text_and_json() {
    let home = tempfile::tempdir().expect("home");
    // The demo's account is 000000000000.
    let plain = run(&["status", "--demo", "--json"], home.path());
    assert!(String::from_utf8_lossy(&plain.stdout).contains("000000000000"));
    for args in [
        &["--redact", "status", "--demo", "--json"][..],
        &["--redact", "status", "--demo"][..],
    ] {
        let o = run(args, home.path());
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            !out.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!out.contains("000000000000"), "{args:?}:\n{out}");
        assert!(
            out.contains("************"),
            "{args:?}: masked, not dropped"
        );
    }
}

/// A server that answers every request with `answer` and keeps what it
/// was sent.
async fn server(answer: String) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = c.read(&mut buf).await.unwrap_or(0);
            keep.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = c.write_all(answer.as_bytes()).await;
        }
    });
    (port, seen)
}

#[tokio::test]
async fn a_redirect_to_another_port_or_scheme_never_carries_the_secret_headers() {
    use ecsdeck::model::probe::ProbeConfig;
    use ecsdeck::model::secret::Secret;
    let (other, reached) = server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 12\r\nconnection: close\r\n\r\n{\"goals\":[]}".into(),
    )
    .await;
    // Same host, another port: another origin.
    let (first, _) = server(format!(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{other}/goals\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    ))
    .await;
    let cfg = ProbeConfig {
        headers: vec![("X-Api-Key".into(), Secret::new(KEY))],
        ..ProbeConfig::default()
    };
    let prober = ecsdeck::probe::Prober::new(cfg).expect("prober");
    let s = prober
        .sample(&format!("http://127.0.0.1:{first}/goals"))
        .await;
    assert_eq!(
        s.outcome,
        ecsdeck::model::probe::Outcome::Http(302),
        "not followed: {s:?}"
    );
    let got = reached.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(
        got.iter().all(|r| !r.contains(KEY)),
        "the key went to another origin: {got:?}"
    );
}
