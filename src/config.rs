//! The config file: TOML, every key optional, unknown keys are errors.
//! Flags override the file, which overrides defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::model::probe;

pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5);

/// What the command line says, over the file: every field optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub refresh: Option<Duration>,
    pub read_only: bool,
    /// `--probe-url`: the base URL the probe requests instead of the one
    /// found from the load balancer.
    pub probe_url: Option<String>,
    pub redact: bool,
    /// `--since`: how far back the logs reach at start.
    pub since: Option<Duration>,
}

/// The longest refresh accepted: beyond it the dashboard is not live.
pub const MAX_REFRESH: Duration = Duration::from_secs(3600);

/// How far back `--since` / `logs_since` may reach: CloudWatch keeps
/// what the group's retention says, and one request loads at most
/// `HISTORY_MAX` lines, so days are the most worth asking for.
pub const MAX_SINCE: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn parse_since(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|_| {
        format!("{s:?} is not a duration: write a number and a unit, such as 30m, 2h or 1day")
    })?;
    if d < Duration::from_secs(60) || d > MAX_SINCE {
        return Err("must be between 1m and 7days".into());
    }
    Ok(d)
}

pub fn parse_refresh(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|_| {
        format!("{s:?} is not a duration: write a number and a unit, such as 5s, 30s or 1m")
    })?;
    if d < Duration::from_secs(1) {
        return Err(
            "must be at least 1s: faster polling only burns the account's API quota".into(),
        );
    }
    if d > MAX_REFRESH {
        return Err(format!(
            "must be at most {}: a dashboard polled less often is not live",
            humantime::format_duration(MAX_REFRESH)
        ));
    }
    Ok(d)
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub refresh: Option<String>,
    pub read_only: Option<bool>,
    pub log_buffer_lines: Option<usize>,
    pub logs_since: Option<String>,
    pub redact: Option<bool>,
    pub probe: Option<ProbeFile>,
    pub drill: Option<DrillFile>,
    /// `[exec]`: container name → the command `e` runs in it.
    pub exec: Option<std::collections::BTreeMap<String, String>>,
}

/// The `[drill]` table: the API contract, the restart and the timeout.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DrillFile {
    pub restart: Option<String>,
    pub timeout: Option<String>,
    pub read_window: Option<String>,
    pub write_method: Option<String>,
    pub write_path: Option<String>,
    pub write_body: Option<String>,
    pub read_path: Option<String>,
    pub marker_pointer: Option<String>,
    pub id_pointer: Option<String>,
    pub delete_path: Option<String>,
    pub count_pointer: Option<String>,
}

const DRILL_TIMEOUT: (Duration, Duration) =
    (Duration::from_secs(30), Duration::from_secs(6 * 3600));
/// The final reads' window: long enough for 3 reads over 20 s.
const READ_WINDOW: (Duration, Duration) = (Duration::from_secs(20), Duration::from_secs(600));

fn pointer_ok(p: &str) -> bool {
    p.is_empty() || p.starts_with('/')
}

impl DrillFile {
    fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(r) = &self.restart
            && !matches!(r.as_str(), "stop-task" | "force-deployment")
        {
            return Err((
                "restart",
                format!("{r:?}: write stop-task or force-deployment"),
            ));
        }
        if let Some(t) = &self.timeout {
            parse_between(t, DRILL_TIMEOUT.0, DRILL_TIMEOUT.1).map_err(|e| ("timeout", e))?;
        }
        if let Some(t) = &self.read_window {
            parse_between(t, READ_WINDOW.0, READ_WINDOW.1).map_err(|e| ("read_window", e))?;
        }
        if let Some(m) = &self.write_method
            && !m.bytes().all(|b| b.is_ascii_uppercase())
        {
            return Err((
                "write_method",
                format!("{m:?} is not an HTTP method such as POST or PUT"),
            ));
        }
        for (key, v) in [
            ("write_path", &self.write_path),
            ("read_path", &self.read_path),
        ] {
            if let Some(p) = v
                && !p.starts_with('/')
            {
                return Err((key, format!("{p:?} must start with /")));
            }
        }
        if let Some(b) = &self.write_body
            && !b.contains("{marker}")
        {
            return Err((
                "write_body",
                "must hold {marker}, where the marker goes".into(),
            ));
        }
        if let Some(d) = &self.delete_path
            && !d.is_empty()
            && !(d.starts_with('/') && d.contains("{id}"))
        {
            return Err((
                "delete_path",
                format!(
                    "{d:?} must start with / and hold {{id}} (or be \"\" for an API without delete)"
                ),
            ));
        }
        for (key, v) in [
            ("marker_pointer", &self.marker_pointer),
            ("id_pointer", &self.id_pointer),
            ("count_pointer", &self.count_pointer),
        ] {
            if let Some(p) = v
                && !pointer_ok(p)
            {
                return Err((
                    key,
                    format!("{p:?} is not a JSON pointer: write it like /goals"),
                ));
            }
        }
        Ok(())
    }
}

/// The drill's settings after merging.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillSettings {
    /// `stop-task` or `force-deployment`.
    pub restart: String,
    /// None: the worst case of the service's own estimate, with a margin.
    pub timeout: Option<Duration>,
    /// How long the final reads are tried once the service is back.
    pub read_window: Duration,
    pub contract: crate::model::drill::Contract,
}

fn drill_settings(d: DrillFile) -> DrillSettings {
    let c = crate::model::drill::Contract::default();
    let opt = |v: Option<String>, default: Option<String>| match v {
        Some(s) if s.is_empty() => None,
        Some(s) => Some(s),
        None => default,
    };
    DrillSettings {
        restart: d.restart.unwrap_or_else(|| "stop-task".into()),
        timeout: d
            .timeout
            .and_then(|t| parse_between(&t, DRILL_TIMEOUT.0, DRILL_TIMEOUT.1).ok()),
        read_window: d
            .read_window
            .and_then(|t| parse_between(&t, READ_WINDOW.0, READ_WINDOW.1).ok())
            .unwrap_or(crate::model::drill::machine::READ_WINDOW),
        contract: crate::model::drill::Contract {
            write_method: d.write_method.unwrap_or(c.write_method),
            write_path: d.write_path.unwrap_or(c.write_path),
            write_body: d.write_body.unwrap_or(c.write_body),
            read_path: d.read_path.unwrap_or(c.read_path),
            marker_pointer: opt(d.marker_pointer, c.marker_pointer),
            id_pointer: opt(d.id_pointer, c.id_pointer),
            delete_path: opt(d.delete_path, c.delete_path),
            count_pointer: opt(d.count_pointer, c.count_pointer),
        },
    }
}

/// The `[probe]` table.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProbeFile {
    pub enabled: Option<bool>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub expect: Option<String>,
    pub headers: Option<std::collections::BTreeMap<String, crate::model::secret::Secret>>,
    pub proxy: Option<crate::model::secret::Secret>,
    pub insecure_tls: Option<bool>,
    pub reuse_connections: Option<bool>,
    pub count_pointer: Option<String>,
    pub read_limit: Option<String>,
    pub served_by_header: Option<String>,
}

/// A duration between `min` and `max`, in the words of the error.
fn parse_between(s: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|_| {
        format!("{s:?} is not a duration: write a number and a unit, such as 500ms, 1s or 2s")
    })?;
    if d < min || d > max {
        return Err(format!(
            "must be between {} and {}",
            humantime::format_duration(min),
            humantime::format_duration(max)
        ));
    }
    Ok(d)
}

const PROBE_INTERVAL: (Duration, Duration) =
    (Duration::from_millis(200), Duration::from_secs(3600));
const PROBE_TIMEOUT: (Duration, Duration) = (Duration::from_millis(100), Duration::from_secs(60));

impl ProbeFile {
    /// Checks every key; Err is (key, message).
    fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(u) = &self.url {
            probe::check_base_url(u).map_err(|e| ("url", e))?;
        }
        if let Some(p) = &self.path
            && !p.starts_with('/')
        {
            return Err(("path", format!("{p:?} must start with /")));
        }
        if let Some(i) = &self.interval {
            parse_between(i, PROBE_INTERVAL.0, PROBE_INTERVAL.1).map_err(|e| ("interval", e))?;
        }
        if let Some(t) = &self.timeout {
            parse_between(t, PROBE_TIMEOUT.0, PROBE_TIMEOUT.1).map_err(|e| ("timeout", e))?;
        }
        if let Some(e) = &self.expect {
            probe::Expect::parse(e).map_err(|e| ("expect", e))?;
        }
        for (k, v) in self.headers.iter().flatten() {
            probe::check_header_name(k).map_err(|e| ("headers", e))?;
            probe::check_header_value(k, v.expose()).map_err(|e| ("headers", e))?;
        }
        if let Some(p) = self.proxy.as_ref().map(|p| p.expose())
            && !(p.starts_with("http://") || p.starts_with("https://"))
        {
            // The address may carry a password: never repeat it.
            return Err((
                "proxy",
                "must be an http:// or https:// proxy URL".to_string(),
            ));
        }
        if let Some(c) = &self.count_pointer
            && !(c.is_empty() || c.starts_with('/'))
        {
            return Err((
                "count_pointer",
                format!(
                    "{c:?} is not a JSON pointer: write it like /goals (or \"\" for the whole answer)"
                ),
            ));
        }
        if let Some(h) = &self.served_by_header {
            probe::check_header_name(h).map_err(|e| ("served_by_header", e))?;
        }
        if let Some(r) = &self.read_limit {
            probe::parse_size(r).map_err(|e| ("read_limit", e))?;
        }
        Ok(())
    }
}

/// The settings in force after merging flags, file and defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub refresh: Duration,
    pub read_only: bool,
    pub log_buffer_lines: usize,
    /// How far back the logs reach at start; None: each stream's last
    /// lines.
    pub logs_since: Option<Duration>,
    /// Mask the account id and the caller on screen and in stop reasons.
    pub redact: bool,
    /// The HTTP probe; None when `[probe] enabled = false`.
    pub probe: Option<probe::ProbeConfig>,
    pub drill: DrillSettings,
    /// What `e` runs in a container (`[exec]`): (container, command).
    pub exec: Vec<(String, String)>,
    pub file: Option<PathBuf>,
}

#[derive(Debug, PartialEq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("ecsdeck").join("config.toml"))
}

/// Line (1-based) of a byte offset, and the key written on that line.
fn locate(text: &str, offset: usize) -> (usize, Option<String>) {
    let line = text[..offset.min(text.len())].matches('\n').count() + 1;
    let key = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty());
    (line, key)
}

pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let cfg: FileConfig = toml::from_str(text).map_err(|e| {
        let (line, key) = e.span().map(|s| locate(text, s.start)).unwrap_or((0, None));
        let key = key.map(|k| format!(", key `{k}`")).unwrap_or_default();
        ConfigError(format!(
            "{}: line {line}{key}: {}",
            path.display(),
            e.message().trim()
        ))
    })?;
    if let Some(n) = cfg.log_buffer_lines
        && !(100..=1_000_000).contains(&n)
    {
        let offset = text.find("log_buffer_lines").unwrap_or(0);
        let (line, _) = locate(text, offset);
        return Err(ConfigError(format!(
            "{}: line {line}, key `log_buffer_lines`: {n} is out of range (100 to 1000000)",
            path.display()
        )));
    }
    if let Some(r) = &cfg.logs_since
        && let Err(e) = parse_since(r)
    {
        let (line, _) = locate(text, key_offset(text, None, "logs_since"));
        return Err(ConfigError(format!(
            "{}: line {line}, key `logs_since`: {e}",
            path.display()
        )));
    }
    if let Some(r) = &cfg.refresh
        && let Err(e) = parse_refresh(r)
    {
        let offset = text.find("refresh").unwrap_or(0);
        let (line, _) = locate(text, offset);
        return Err(ConfigError(format!(
            "{}: line {line}, key `refresh`: {e}",
            path.display()
        )));
    }
    if let Some(p) = &cfg.probe
        && let Err((key, e)) = p.check()
    {
        let (line, _) = locate(text, key_offset(text, Some("probe"), key));
        return Err(ConfigError(format!(
            "{}: line {line}, key `probe.{key}`: {e}",
            path.display()
        )));
    }
    if let Some(d) = &cfg.drill
        && let Err((key, e)) = d.check()
    {
        let (line, _) = locate(text, key_offset(text, Some("drill"), key));
        return Err(ConfigError(format!(
            "{}: line {line}, key `drill.{key}`: {e}",
            path.display()
        )));
    }
    if let Some((key, e)) = cfg.exec.iter().flatten().find_map(|(k, v)| {
        let bad = v.trim().is_empty() || v.chars().any(char::is_control);
        bad.then(|| {
            (
                k.clone(),
                "must be a command on one line, such as \"/bin/sh\"",
            )
        })
    }) {
        let (line, _) = locate(text, key_offset(text, Some("exec"), &key));
        return Err(ConfigError(format!(
            "{}: line {line}, key `exec.{key}`: {e}",
            path.display()
        )));
    }
    Ok(cfg)
}

/// Where `key` is written, inside `[table]` when given.
fn key_offset(text: &str, table: Option<&str>, key: &str) -> usize {
    let start = table
        .and_then(|t| text.find(&format!("[{t}]")))
        .unwrap_or(0);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let k = line.split('=').next().unwrap_or_default().trim();
        if k == key
            || k.starts_with(&format!("{key}."))
            || line.trim() == format!("[{}.{key}]", table.unwrap_or_default())
        {
            return offset;
        }
        offset += line.len();
    }
    start
}

/// Reads the file named by `--config` (which must exist), or the default
/// file when it exists, and merges the flags over it.
pub fn load(flags: &Overrides) -> Result<Settings, ConfigError> {
    let (path, must_exist) = match &flags.config {
        Some(p) => (Some(p.clone()), true),
        None => (default_path(), false),
    };
    let mut file = None;
    let cfg = match &path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => {
                file = Some(p.clone());
                parse(&text, p)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                FileConfig::default()
            }
            Err(e) => {
                return Err(ConfigError(format!(
                    "cannot read config file {}: {e}",
                    p.display()
                )));
            }
        },
        None => FileConfig::default(),
    };
    Ok(merge(flags, cfg, file))
}

pub fn merge(flags: &Overrides, cfg: FileConfig, file: Option<PathBuf>) -> Settings {
    Settings {
        cluster: flags.cluster.clone().or(cfg.cluster),
        service: flags.service.clone().or(cfg.service),
        region: flags.region.clone().or(cfg.region),
        profile: flags.profile.clone().or(cfg.profile),
        endpoint_url: flags.endpoint_url.clone().or(cfg.endpoint_url),
        refresh: flags
            .refresh
            .or_else(|| cfg.refresh.as_deref().and_then(|r| parse_refresh(r).ok()))
            .unwrap_or(DEFAULT_REFRESH),
        read_only: flags.read_only || cfg.read_only.unwrap_or(false),
        log_buffer_lines: cfg
            .log_buffer_lines
            .unwrap_or(crate::model::logs::DEFAULT_BUFFER),
        logs_since: flags
            .since
            .or_else(|| cfg.logs_since.as_deref().and_then(|r| parse_since(r).ok())),
        redact: flags.redact || cfg.redact.unwrap_or(false),
        probe: probe_config(flags, cfg.probe.unwrap_or_default()),
        drill: drill_settings(cfg.drill.unwrap_or_default()),
        exec: cfg.exec.unwrap_or_default().into_iter().collect(),
        file,
    }
}

/// The probe's settings; the file's values were checked by `parse`.
fn probe_config(flags: &Overrides, p: ProbeFile) -> Option<probe::ProbeConfig> {
    if p.enabled == Some(false) && flags.probe_url.is_none() {
        return None;
    }
    let d = probe::ProbeConfig::default();
    let dur = |s: Option<String>, (min, max): (Duration, Duration), default| {
        s.and_then(|s| parse_between(&s, min, max).ok())
            .unwrap_or(default)
    };
    let url = flags
        .probe_url
        .clone()
        .or(p.url)
        .and_then(|u| probe::check_base_url(&u).ok());
    Some(probe::ProbeConfig {
        info: probe::ProbeInfo {
            url,
            path: p.path.unwrap_or(d.info.path),
            interval: dur(p.interval, PROBE_INTERVAL, d.info.interval),
            timeout: dur(p.timeout, PROBE_TIMEOUT, d.info.timeout),
            expect: p
                .expect
                .and_then(|e| probe::Expect::parse(&e).ok())
                .unwrap_or_default(),
            reuse_connections: p.reuse_connections.unwrap_or(false),
            via_proxy: p.proxy.is_some(),
            insecure_tls: p.insecure_tls.unwrap_or(false),
            served_by_header: p.served_by_header,
            secret_headers: p.headers.as_ref().is_some_and(|h| !h.is_empty()),
        },
        headers: p.headers.unwrap_or_default().into_iter().collect(),
        proxy: p.proxy,
        count_pointer: p.count_pointer.unwrap_or(d.count_pointer),
        read_limit: p
            .read_limit
            .and_then(|r| probe::parse_size(&r).ok())
            .unwrap_or(d.read_limit),
    })
}

#[cfg(test)]
mod tests;
