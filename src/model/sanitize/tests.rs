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
