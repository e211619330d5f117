//! The AWS profiles this machine has: `[default]` and `[profile NAME]` in
//! the config file, `[NAME]` in the credentials file (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`). Only the names are
//! read; a key never leaves the files.

use std::path::PathBuf;

/// A section header's name (`[profile ops] # prod` → `profile ops`),
/// its inner whitespace as one space.
fn header(line: &str) -> Option<String> {
    let inner = line.trim_start().strip_prefix('[')?;
    let (name, _) = inner.split_once(']')?;
    let words: Vec<&str> = name.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The profile a config-file section is (`default`, `profile NAME`);
/// other sections (`sso-session`, `services`) are none.
fn config_profile(section: &str) -> Option<&str> {
    if section == "default" {
        Some(section)
    } else {
        section.strip_prefix("profile ")
    }
}

/// A profile name the SDK takes: letters, digits and `-_./%@:+`.
fn valid(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./%@:+".contains(c))
}

/// The profile names of both files, sorted, each once.
pub fn parse(config: &str, credentials: &str) -> Vec<String> {
    let from_config = config
        .lines()
        .filter_map(header)
        .filter_map(|h| config_profile(&h).map(str::to_string));
    // In the credentials file a section is a profile by its bare name.
    let from_credentials = credentials
        .lines()
        .filter_map(header)
        .filter(|h| !h.starts_with("profile "));
    let mut out: Vec<String> = from_config
        .chain(from_credentials)
        .filter(|n| valid(n))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The `region` the config file gives `profile` (`[default]` or
/// `[profile NAME]`).
pub fn region_in(config: &str, profile: &str) -> Option<String> {
    let mut inside = false;
    for line in config.lines() {
        if let Some(h) = header(line) {
            inside = config_profile(&h) == Some(profile);
        } else if inside
            && let Some((k, v)) = line.split_once('=')
            && k.trim().eq_ignore_ascii_case("region")
        {
            // A comment may follow the value after a space.
            let v = v.split([' ', '\t']).find(|w| !w.is_empty()).unwrap_or("");
            return Some(v.to_string()).filter(|v| !v.is_empty() && !v.starts_with(['#', ';']));
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
        let config = "[default]\nregion = us-east-1\n[profile ops]\noutput = json\n[profile eu] # EU\nRegion = eu-west-1 # prod\n";
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
