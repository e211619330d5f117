//! The logs filter: case-insensitive text, or a regex (size-limited, so a
//! pattern cannot eat the machine).

use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone)]
pub struct Filter {
    pub text: String,
    matcher: Matcher,
    /// Show only matching lines (true), or every line with the matches
    /// highlighted, for stepping through them with n/N (false).
    pub only_matches: bool,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// Case-insensitive plain text.
    Plain(String),
    Regex(Regex),
}

impl PartialEq for Filter {
    fn eq(&self, o: &Self) -> bool {
        self.text == o.text
            && self.is_regex() == o.is_regex()
            && self.only_matches == o.only_matches
    }
}

impl Filter {
    pub fn new(text: &str, regex: bool) -> Result<Filter, String> {
        let matcher = if regex {
            Matcher::Regex(
                // Case-insensitive like the text mode; (?-i) turns it off.
                RegexBuilder::new(text)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        } else {
            Matcher::Plain(text.to_lowercase())
        };
        Ok(Filter {
            text: text.to_string(),
            matcher,
            only_matches: true,
        })
    }

    pub fn is_regex(&self) -> bool {
        matches!(self.matcher, Matcher::Regex(_))
    }

    /// Byte ranges of the matches in `s`.
    pub fn find(&self, s: &str) -> Vec<(usize, usize)> {
        match &self.matcher {
            Matcher::Regex(r) => r
                .find_iter(s)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Plain(p) if p.is_empty() => Vec::new(),
            Matcher::Plain(p) => {
                // Lowercasing can change byte lengths (rare outside ASCII):
                // fall back to a plain "matches" without ranges then.
                let lower = s.to_lowercase();
                if lower.len() != s.len() {
                    return if lower.contains(p.as_str()) {
                        vec![(0, 0)]
                    } else {
                        Vec::new()
                    };
                }
                lower
                    .match_indices(p.as_str())
                    .map(|(i, m)| (i, i + m.len()))
                    .collect()
            }
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(r) => r.is_match(s),
            Matcher::Plain(p) => s.to_lowercase().contains(p.as_str()),
        }
    }
}
