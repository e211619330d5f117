//! The AWS profiles this machine has: `[default]` and `[profile NAME]` in
//! the config file, `[NAME]` in the credentials file (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`). Only the names are
//! read; a key never leaves the files.

use std::path::PathBuf;

/// The profile names of both files, sorted, each once.
pub fn parse(config: &str, credentials: &str) -> Vec<String> {
    let header = |line: &str| -> Option<String> {
        let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
        Some(inner.to_string())
    };
    let mut out: Vec<String> = config
        .lines()
        .filter_map(header)
        .filter_map(|h| {
            if h == "default" {
                Some(h)
            } else {
                // `[sso-session x]` and `[services x]` are not profiles.
                h.strip_prefix("profile ").map(|n| n.trim().to_string())
            }
        })
        .chain(credentials.lines().filter_map(header))
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The `region` the config file gives `profile` (`[default]` or
/// `[profile NAME]`).
pub fn region_in(config: &str, profile: &str) -> Option<String> {
    let wanted = |h: &str| {
        let h = h.trim();
        (profile == "default" && h == "default")
            || h.strip_prefix("profile ")
                .is_some_and(|n| n.trim() == profile)
    };
    let mut inside = false;
    for line in config.lines() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            inside = wanted(h);
        } else if inside
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "region"
        {
            return Some(v.trim().to_string()).filter(|v| !v.is_empty());
        }
    }
    None
}

/// This machine's region for `profile`, when its config gives one: a
/// profile switched to keeps to its own region, whatever `AWS_REGION`
/// says for the profile in use at start.
pub fn region_of(profile: &str) -> Option<String> {
    let config = std::fs::read_to_string(file("AWS_CONFIG_FILE", "config")?).ok()?;
    region_in(&config, profile)
}

fn file(var: &str, name: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws").join(name)))
}

/// This machine's profiles; a file that cannot be read has none.
pub fn list() -> Vec<String> {
    let read = |p: Option<PathBuf>| {
        p.and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    };
    parse(
        &read(file("AWS_CONFIG_FILE", "config")),
        &read(file("AWS_SHARED_CREDENTIALS_FILE", "credentials")),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn profiles_come_from_both_files_and_nothing_else_is_taken_for_one() {
        let config = "[default]\nregion = us-east-1\n\n[profile ops]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x\n[services local]\necs =\n  endpoint_url = http://localhost\n[ profile  staging ]\n";
        let credentials = "[ci]\naws_access_key_id = AKIA...\n[ops]\n";
        assert_eq!(
            super::parse(config, credentials),
            ["ci", "default", "ops", "staging"]
        );
        assert!(super::parse("", "").is_empty());
    }

    #[test]
    fn a_profiles_region_is_read_from_its_own_section_only() {
        let config = "[default]\nregion = us-east-1\n[profile ops]\noutput = json\n[profile eu]\nregion = eu-west-1\n";
        assert_eq!(super::region_in(config, "eu").as_deref(), Some("eu-west-1"));
        assert_eq!(
            super::region_in(config, "default").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            super::region_in(config, "ops"),
            None,
            "not the next section's"
        );
        assert_eq!(super::region_in(config, "missing"), None);
    }
}
