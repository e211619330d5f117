//! The config file: TOML, every key optional, unknown keys are errors.
//! Flags override the file, which overrides defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

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
}

/// The longest refresh accepted: beyond it the dashboard is not live.
pub const MAX_REFRESH: Duration = Duration::from_secs(3600);

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
    Ok(cfg)
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
        file,
    }
}

#[cfg(test)]
mod tests {
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
        let text = include_str!("../config.example.toml");
        let cfg = parse(text, Path::new("config.example.toml")).expect("example parses");
        // Every key of the file format is documented in the example.
        assert!(cfg.cluster.is_some() && cfg.service.is_some() && cfg.region.is_some());
        assert!(cfg.profile.is_some() && cfg.endpoint_url.is_none() && cfg.refresh.is_some());
        assert!(cfg.read_only.is_some() && cfg.log_buffer_lines.is_some());
        assert!(text.contains("# endpoint_url ="));
    }
}
