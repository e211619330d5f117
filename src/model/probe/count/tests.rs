use super::*;

fn whole(body: &str, p: &str) -> Option<u32> {
    count_whole(body.as_bytes(), p).map(|c| c.n)
}

const TRICKY: &str = r#"{"n": 1, "x": {"goals": [9, 9, 9, 9]}, "name": "]goals[", "goals": [{"a": "]\"}"}, {"b": [1, 2, {"goals": []}]}, 3, -4.5e1, true, null, "x\"]", []], "after": [1]}"#;

#[test]
fn a_whole_answer_is_counted_exactly_by_both() {
    for (body, p, n) in [
        (TRICKY, "/goals", 8),
        (TRICKY, "/x/goals", 4),
        (TRICKY, "/after", 1),
        ("[1,2,3]", "", 3),
        ("[]", "", 0),
        ("[[1,2],[3]]", "/1", 1),
        ("[[1,2],[3]]", "/0", 2),
        (r#"{"a/b": {"c~d": [1, 2]}}"#, "/a~1b/c~0d", 2),
        (
            r#"{"data": {"items": [{"id": 1}, {"id": 2}]}}"#,
            "/data/items",
            2,
        ),
    ] {
        assert_eq!(whole(body, p), Some(n), "{body} {p}");
        assert_eq!(
            count_start(body.as_bytes(), p),
            Some(Count { n, at_least: false }),
            "{body} {p}"
        );
    }
}

#[test]
fn no_array_at_the_pointer_is_no_count() {
    for (body, p) in [
        (r#"{"goals": 3}"#, "/goals"),
        (r#"{"goal": [1]}"#, "/goals"),
        (r#"{"x": {"goals": [1]}}"#, "/goals"),
        ("<html>", "/goals"),
        ("[1,2]", "/goals"),
        ("[1,2]", "goals"),
    ] {
        assert_eq!(whole(body, p), None, "{body} {p}");
        assert_eq!(count_start(body.as_bytes(), p), None, "{body} {p}");
    }
}

#[test]
fn the_start_of_an_answer_counts_only_the_records_it_holds_whole() {
    // Cut after every byte: the count never exceeds the true one, never
    // goes down as more is read, and is exact only once the array closed.
    let body = TRICKY.as_bytes();
    let close = TRICKY.find(r#"[]], "after""#).expect("fixture") + 3;
    let mut last = 0;
    for cut in 0..=body.len() {
        let Some(c) = count_start(&body[..cut], "/goals") else {
            assert!(cut < TRICKY.find(r#""goals": [{"#).expect("fixture") + 10);
            continue;
        };
        assert!(c.n <= 8 && c.n >= last, "cut {cut}: {c:?}");
        assert_eq!(c.at_least, cut < close, "cut {cut}: {c:?}");
        last = c.n;
    }
    assert_eq!(last, 8);
    // A number cut short may have more digits: it is not counted.
    assert_eq!(
        count_start(b"[1, 22", ""),
        Some(Count {
            n: 1,
            at_least: true
        })
    );
    assert_eq!(
        count_start(br#"[{"a": "b"}, {"a": "#, ""),
        Some(Count {
            n: 1,
            at_least: true
        })
    );
}

#[test]
fn a_long_list_cut_at_the_read_limit_says_at_least_how_many() {
    let records: Vec<String> = (0..50_000)
        .map(|i| format!(r#"{{"_id": "{i:024x}", "title": "goal {i}", "done": false}}"#))
        .collect();
    let body = format!(r#"{{"goals": [{}]}}"#, records.join(","));
    assert!(body.len() > 3 << 20);
    let cut = &body.as_bytes()[..1 << 20];
    let c = count_start(cut, "/goals").expect("the array starts in the first MiB");
    // The records whose closing brace lies within the first MiB.
    let head = r#"{"goals": ["#.len();
    let mut end = head;
    let whole = records
        .iter()
        .take_while(|r| {
            end += r.len() + 1;
            end - 1 <= 1 << 20
        })
        .count();
    assert!(c.at_least);
    assert_eq!(c.n as usize, whole);
    assert!(whole > 14_000);
}
