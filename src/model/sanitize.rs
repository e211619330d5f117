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
mod tests;
