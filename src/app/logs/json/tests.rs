use super::readable_json;

#[test]
fn mongod_lines_become_one_readable_line() {
    let raw = r#"{"t":{"$date":"2026-11-27T19:01:38.123+00:00"},"s":"I",  "c":"NETWORK", "id":23016, "ctx":"listener","msg":"Waiting for connections","attr":{"port":27017,"ssl":"off"}}"#;
    assert_eq!(
        readable_json(raw),
        Some(vec![
            r#"I NETWORK  [listener] Waiting for connections {"port":27017,"ssl":"off"}"#
                .to_string()
        ])
    );
}

#[test]
fn other_json_is_indented_and_plain_text_left_alone() {
    assert_eq!(
        readable_json(r#"{"level":"info","n":1}"#),
        Some(vec![
            "{".into(),
            r#"  "level": "info","#.into(),
            r#"  "n": 1"#.into(),
            "}".into()
        ])
    );
    assert_eq!(readable_json("GET /goals 200"), None);
    assert_eq!(readable_json("{not json"), None);
}

#[test]
fn json_escapes_cannot_smuggle_control_characters() {
    let raw = r#"{"s":"I","c":"X","ctx":"y","msg":"\u001b]52;c;cHduZWQ=\u0007\u001b[2Jhi"}"#;
    let out = readable_json(raw).expect("json");
    assert!(out[0].chars().all(|c| !c.is_control()), "{out:?}");
    assert!(out[0].ends_with("hi"), "{out:?}");
}
