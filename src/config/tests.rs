use super::*;

fn p() -> PathBuf {
    PathBuf::from("/etc/ecsdeck.toml")
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let e = parse("cluster = \"a\"\nrefersh = \"5s\"\n", &p()).expect_err("invalid");
    assert!(
        e.0.starts_with("/etc/ecsdeck.toml: line 2, key `refersh`:"),
        "{}",
        e.0
    );
    assert!(e.0.contains("unknown field"), "{}", e.0);
}

#[test]
fn wrong_type_and_bad_duration() {
    let e = parse("\n\nread_only = \"yes\"\n", &p()).expect_err("invalid");
    assert!(e.0.contains("line 3, key `read_only`"), "{}", e.0);
    let e = parse("refresh = \"fast\"\n", &p()).expect_err("invalid");
    assert!(e.0.contains("line 1, key `refresh`"), "{}", e.0);
    let e = parse("refresh = \"100ms\"\n", &p()).expect_err("invalid");
    assert!(e.0.contains("at least 1s"), "{}", e.0);
    let e = parse("refresh = \"banana\"\n", &p()).expect_err("invalid");
    assert!(e.0.contains("\"banana\" is not a duration"), "{}", e.0);
    assert!(!e.0.contains("expected number"), "{}", e.0);
    // An absurd value is refused, not a Duration overflow later.
    let e = parse("refresh = \"99999999999999h\"\n", &p()).expect_err("invalid");
    assert!(e.0.contains("at most 1h"), "{}", e.0);
    let e = parse("cluster = \"c\"\nlog_buffer_lines = 5\n", &p()).expect_err("invalid");
    assert!(
        e.0.contains("line 2, key `log_buffer_lines`: 5 is out of range"),
        "{}",
        e.0
    );
}

#[test]
fn flags_override_file_override_defaults() {
    let cfg = parse(
        "cluster = \"file-c\"\nservice = \"file-s\"\nrefresh = \"10s\"\n",
        &p(),
    )
    .expect("valid");
    let flags = Overrides {
        cluster: Some("flag-c".into()),
        ..Overrides::default()
    };
    let s = merge(&flags, cfg, None);
    assert_eq!(s.cluster.as_deref(), Some("flag-c"));
    assert_eq!(s.service.as_deref(), Some("file-s"));
    assert_eq!(s.refresh, Duration::from_secs(10));
    let s = merge(&Overrides::default(), FileConfig::default(), None);
    assert_eq!(s.refresh, DEFAULT_REFRESH);
    assert!(!s.read_only);
}

#[test]
fn example_config_is_valid_and_complete() {
    let text = include_str!("../../config.example.toml");
    let cfg = parse(text, Path::new("config.example.toml")).expect("example parses");
    // Every key of the file format is documented in the example.
    assert!(cfg.cluster.is_some() && cfg.service.is_some() && cfg.region.is_some());
    assert!(cfg.profile.is_some() && cfg.endpoint_url.is_none() && cfg.refresh.is_some());
    assert!(cfg.read_only.is_some() && cfg.log_buffer_lines.is_some());
    assert!(cfg.redact.is_some());
    assert!(text.contains("# endpoint_url =") && text.contains("# logs_since = \"2h\""));
    let p = cfg.probe.expect("[probe] documented");
    assert!(p.enabled.is_some() && p.path.is_some() && p.interval.is_some());
    assert!(p.timeout.is_some() && p.expect.is_some() && p.count_pointer.is_some());
    assert!(p.reuse_connections.is_some() && p.insecure_tls.is_some());
    assert!(p.read_limit.is_some());
    assert!(
        cfg.exec.is_some_and(|e| e.contains_key("mongodb")),
        "[exec] documented"
    );
    for key in [
        "# url =",
        "# [probe.headers]",
        "# proxy =",
        "# served_by_header =",
    ] {
        assert!(text.contains(key), "{key} is documented");
    }
    // The example's values are the defaults.
    let s = merge(
        &Overrides::default(),
        parse(text, Path::new("x")).expect("ok"),
        None,
    );
    assert_eq!(s.probe, Some(probe::ProbeConfig::default()));
}

#[test]
fn probe_keys_are_checked_and_named_with_their_line() {
    let e = parse(
        "cluster = \"c\"\n\n[probe]\npath = \"/goals\"\ninterval = \"10ms\"\n",
        &p(),
    )
    .expect_err("too fast");
    assert!(
        e.0.contains("line 5, key `probe.interval`: must be between 200ms and 1h"),
        "{}",
        e.0
    );
    let e = parse("[probe]\nexpect = \"ok\"\n", &p()).expect_err("bad expect");
    assert!(e.0.contains("line 2, key `probe.expect`"), "{}", e.0);
    let e = parse(
        "endpoint_url = \"http://x\"\n[probe]\nurl = \"goals.example.com\"\n",
        &p(),
    )
    .expect_err("no scheme");
    assert!(e.0.contains("line 3, key `probe.url`"), "{}", e.0);
    let e = parse("[probe]\nproxy = \"socks5://u:hunter2@p\"\n", &p()).expect_err("scheme");
    assert!(
        e.0.contains("key `probe.proxy`") && !e.0.contains("hunter2"),
        "{}",
        e.0
    );
    let e = parse(
        "[probe]\n[probe.headers]\n\"X-Key\" = \"a\\u0007b\"\n",
        &p(),
    )
    .expect_err("ctl");
    assert!(
        e.0.contains("key `probe.headers`") && e.0.contains("X-Key"),
        "{}",
        e.0
    );
    let e = parse("[probe]\nread_limit = \"1GB\"\n", &p()).expect_err("unit");
    assert!(
        e.0.contains("line 2, key `probe.read_limit`") && e.0.contains("KiB or MiB"),
        "{}",
        e.0
    );
    let e = parse("[probe]\nread_limit = \"1KiB\"\n", &p()).expect_err("small");
    assert!(e.0.contains("between 4KiB and 64MiB"), "{}", e.0);
    let s = merge(
        &Overrides::default(),
        parse("[probe]\nread_limit = \"256KiB\"\n", &p()).expect("ok"),
        None,
    );
    assert_eq!(s.probe.map(|p| p.read_limit), Some(256 << 10));
    let e = parse("[probe]\nurls = \"x\"\n", &p()).expect_err("typo");
    assert!(
        e.0.contains("line 2, key `urls`") && e.0.contains("unknown field"),
        "{}",
        e.0
    );
}

#[test]
fn drill_keys_are_checked_and_default_to_the_goals_api() {
    let e = parse("[drill]\nwrite_body = \"{}\"\n", &p()).expect_err("no marker");
    assert!(e.0.contains("line 2, key `drill.write_body`"), "{}", e.0);
    let e = parse("[drill]\nrestart = \"reboot\"\n", &p()).expect_err("bad");
    assert!(e.0.contains("key `drill.restart`"), "{}", e.0);
    let e = parse("[drill]\ndelete_path = \"/goals\"\n", &p()).expect_err("no id");
    assert!(e.0.contains("{id}"), "{}", e.0);
    let s = merge(&Overrides::default(), FileConfig::default(), None);
    assert_eq!(s.drill.contract, crate::model::drill::Contract::default());
    assert_eq!(s.drill.timeout, None, "derived from the worst case");
    let cfg = parse("[drill]\ndelete_path = \"\"\nmarker_pointer = \"\"\n", &p()).expect("ok");
    let s = merge(&Overrides::default(), cfg, None);
    assert_eq!(s.drill.contract.delete_path, None, "no delete");
    assert_eq!(
        s.drill.contract.marker_pointer, None,
        "anywhere in the text"
    );
}

#[test]
fn the_probe_url_flag_wins_and_enabled_false_turns_the_probe_off() {
    let cfg = parse(
        "[probe]\nurl = \"https://a.example.com\"\nenabled = false\n",
        &p(),
    )
    .expect("ok");
    assert_eq!(merge(&Overrides::default(), cfg, None).probe, None);
    let cfg = parse("[probe]\nurl = \"https://a.example.com\"\n", &p()).expect("ok");
    let flags = Overrides {
        probe_url: Some("https://b.example.com/".into()),
        ..Overrides::default()
    };
    let s = merge(&flags, cfg, None);
    assert_eq!(
        s.probe.and_then(|p| p.info.url).as_deref(),
        Some("https://b.example.com")
    );
}

#[test]
fn probe_headers_make_the_probe_prefer_https_and_never_show_their_values() {
    let cfg = parse("[probe.headers]\nX-Api-Key = \"s3cr3t\"\n", &p()).expect("valid");
    let s = merge(&Overrides::default(), cfg, None);
    let probe = s.probe.expect("the probe");
    assert!(probe.info.secret_headers, "the HTTPS listener first");
    assert!(!format!("{probe:?}").contains("s3cr3t"));
    let plain = merge(&Overrides::default(), FileConfig::default(), None);
    assert!(!plain.probe.expect("the probe").info.secret_headers);
}

#[test]
fn logs_since_is_checked_and_the_flag_wins() {
    let e = parse("cluster = \"c\"\nlogs_since = \"2 fortnights\"\n", &p()).expect_err("invalid");
    assert!(
        e.0.contains("line 2, key `logs_since`") && e.0.contains("is not a duration"),
        "{}",
        e.0
    );
    let e = parse("logs_since = \"30s\"\n", &p()).expect_err("too short");
    assert!(e.0.contains("must be between 1m and 7days"), "{}", e.0);
    let cfg = parse("logs_since = \"2h\"\n", &p()).expect("valid");
    assert_eq!(
        merge(&Overrides::default(), cfg, None).logs_since,
        Some(Duration::from_secs(7200))
    );
    let cfg = parse("logs_since = \"2h\"\n", &p()).expect("valid");
    let flags = Overrides {
        since: Some(Duration::from_secs(600)),
        ..Overrides::default()
    };
    assert_eq!(
        merge(&flags, cfg, None).logs_since,
        Some(Duration::from_secs(600))
    );
    // The default: no look-back beyond each stream's last lines.
    assert_eq!(
        merge(&Overrides::default(), FileConfig::default(), None).logs_since,
        None
    );
}

#[test]
fn exec_commands_are_per_container_and_checked() {
    let cfg = parse(
        "[exec]\nmongodb = \"mongosh --quiet\"\n\"goals-api\" = \"/bin/bash\"\n",
        &p(),
    )
    .expect("ok");
    let s = merge(&Overrides::default(), cfg, None);
    assert_eq!(
        s.exec,
        [
            ("goals-api".to_string(), "/bin/bash".to_string()),
            ("mongodb".to_string(), "mongosh --quiet".to_string())
        ]
    );
    let e = parse("region = \"us-east-1\"\n[exec]\nmongodb = \"  \"\n", &p()).expect_err("empty");
    assert!(e.0.contains("line 3, key `exec.mongodb`"), "{}", e.0);
    let e = parse("[exec]\nmongodb = 3\n", &p()).expect_err("not text");
    assert!(e.0.contains("line 2"), "{}", e.0);
}
