//! Log lines from containers, and every string from AWS (stop reasons are
//! free text anyone with `ecs:StopTask` sets), are untrusted: none may
//! reach the operator's terminal as control sequences. Escape sequences are
//! parsed (not pattern-matched) with `vte`, the parser of the Alacritty
//! terminal, so nothing a real terminal would act on survives. The work is
//! linear in the input and stops at the length cap.

use unicode_width::UnicodeWidthChar;
use vte::{Params, Parser, Perform};

/// Longest message kept, in characters; the rest is summarised.
pub const MAX_CHARS: usize = 4096;
const TAB: usize = 4;
/// Bytes parsed between checks of the cap.
const CHUNK: usize = 1024;

/// An untrusted string from AWS, made inert for the screen and any file.
pub fn clean(s: &str) -> String {
    sanitize(s.as_bytes())
}

struct Plain {
    out: String,
    chars: usize,
    /// Display column of the end of `out`, for tab stops.
    col: usize,
    dropped: usize,
}

/// Characters that reorder or hide text without being control characters:
/// bidirectional overrides and isolates (the "Trojan Source" characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl Plain {
    fn push(&mut self, c: char) {
        if self.chars >= MAX_CHARS {
            self.dropped += 1;
            return;
        }
        self.out.push(c);
        self.chars += 1;
        self.col += c.width().unwrap_or(0);
    }
}

impl Perform for Plain {
    fn print(&mut self, c: char) {
        // C1 controls can arrive as UTF-8 (U+0080..U+009F); DEL too.
        if c.is_control() || is_bidi_control(c) {
            return;
        }
        self.push(c);
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\t' => {
                for _ in 0..(TAB - self.col % TAB) {
                    self.push(' ');
                }
            }
            // A multi-line event stays one screen line, with a visible mark
            // where its lines joined.
            b'\n' if !self.out.is_empty() => {
                self.push(' ');
                self.push('⏎');
                self.push(' ');
            }
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, _: &Params, _: &[u8], _: bool, _: char) {}
    fn osc_dispatch(&mut self, _: &[&[u8]], _: bool) {}
    fn esc_dispatch(&mut self, _: &[u8], _: bool, _: u8) {}
    fn hook(&mut self, _: &Params, _: &[u8], _: bool, _: char) {}
    fn put(&mut self, _: u8) {}
    fn unhook(&mut self) {}
}

/// Printable text only: escape sequences (CSI, OSC — clipboard writes and
/// title sets included —, DCS, bare ESC), C0 and C1 controls other than
/// tab, and bidi overrides are removed; invalid UTF-8 becomes U+FFFD; tabs
/// become spaces; newlines become " ⏎ ".
pub fn sanitize(raw: &[u8]) -> String {
    let mut p = Plain {
        out: String::with_capacity(raw.len().min(MAX_CHARS)),
        chars: 0,
        col: 0,
        dropped: 0,
    };
    let mut parser = Parser::new();
    // In chunks, so a huge event stops being parsed once the cap is
    // reached; the rest is only counted.
    let mut rest = raw;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rest.len().min(CHUNK));
        parser.advance(&mut p, chunk);
        rest = tail;
        if p.chars >= MAX_CHARS {
            p.dropped += String::from_utf8_lossy(rest).chars().count();
            break;
        }
    }
    let trimmed = p.out.trim_end_matches([' ', '⏎']).len();
    p.out.truncate(trimmed);
    if p.dropped > 0 {
        p.out
            .push_str(&format!(" … ({} more characters)", p.dropped));
    }
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    /// No byte that a terminal acts on may survive.
    fn assert_inert(s: &str) {
        for c in s.chars() {
            assert!(
                !c.is_control() && !is_bidi_control(c),
                "control character {c:?} survived in {s:?}"
            );
        }
    }

    #[test]
    fn hostile_corpus_is_neutralised() {
        let corpus: &[(&[u8], &str)] = &[
            (b"\x1b[2J\x1b[Hcleared", "cleared"),
            (b"\x1b[31mred\x1b[0m text", "red text"),
            (b"up\x1b[5Aand\x1b[10;20Hmoved", "upandmoved"),
            (b"\x1b]0;evil title\x07after", "after"),
            (b"\x1b]52;c;ZWNobyBwd25lZA==\x07clip", "clip"),
            (b"\x1b]52;c;ZWNobyBwd25lZA==\x1b\\st", "st"),
            (b"\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", "link"),
            (b"\x1bPq#0;2;0;0;0#1\x1b\\dcs", "dcs"),
            (b"bare\x1besc", "baresc"),
            // A raw 8-bit C1 byte is not UTF-8; terminals in UTF-8 mode do
            // not act on it, and it is dropped: what follows is inert text.
            (b"\x9b31mc1csi", "31mc1csi"),
            // The same as a UTF-8 character (U+009B) is a control: dropped.
            (b"\xc2\x9b31mutf8c1", "31mutf8c1"),
            (b"bell\x07back\x08space\rcr", "bellbackspacecr"),
            (b"nul\x00del\x7f", "nuldel"),
            (b"\xff\xfeinvalid", "\u{FFFD}\u{FFFD}invalid"),
            (b"safe \xe2\x80\xaeevil\xe2\x80\xac", "safe evil"),
            (b"a\tb", "a   b"),
            (b"line one\nline two\n", "line one ⏎ line two"),
        ];
        for (raw, want) in corpus {
            let got = sanitize(raw);
            assert_inert(&got);
            assert_eq!(&got, want, "from {raw:?}");
        }
    }

    #[test]
    fn wide_and_combining_characters_are_kept() {
        let s = sanitize("日本語 e\u{301} 🚀".as_bytes());
        assert_eq!(s, "日本語 e\u{301} 🚀");
        assert_eq!(s.width(), 6 + 1 + 1 + 1 + 2);
    }

    #[test]
    fn huge_lines_are_cut_and_say_so() {
        let raw = "x".repeat(MAX_CHARS + 10);
        let s = sanitize(raw.as_bytes());
        assert!(
            s.ends_with("… (10 more characters)"),
            "{}",
            &s[s.len() - 40..]
        );
    }

    #[test]
    fn tabs_cost_linear_time_and_huge_events_stop_at_the_cap() {
        // 256 KiB of tabs was 1.28 s when every tab measured the line so
        // far; now it stops at the cap. Counted in work, not time: the
        // output is capped and the rest summarised.
        let raw = vec![b'\t'; 256 * 1024];
        let s = sanitize(&raw);
        assert!(s.ends_with("(261120 more characters)"), "{s:?}");
        let mixed = "a\tbc\td\t".repeat(3);
        assert_eq!(
            sanitize(mixed.as_bytes()),
            "a   bc  d   a   bc  d   a   bc  d"
        );
        // Wide characters move the tab stop by their width.
        assert_eq!(sanitize("日\tx".as_bytes()), "日  x");
    }
}
