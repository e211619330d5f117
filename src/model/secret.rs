//! A value that must never be shown, logged or reported: an API key in
//! `[probe.headers]`, the proxy's address with its password. Its `Debug`
//! and `Display` print `***`, so no derived `Debug` of a settings struct,
//! no `tracing` field and no error message can carry it; the one way to
//! the value is `expose`, at the place it is sent.

use serde::Deserialize;

#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The value, for the request that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_string())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_prints_as_stars_everywhere_but_where_it_is_sent() {
        let s = Secret::new("s3cr3t-key");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(
            format!("{:?}", vec![("X-Api-Key", s.clone())]),
            "[(\"X-Api-Key\", ***)]"
        );
        assert_eq!(s.expose(), "s3cr3t-key");
    }
}
