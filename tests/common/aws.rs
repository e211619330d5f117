//! What the tests of AWS's answers share: a response as the SDK's
//! deserialisers receive it, and the check that text is inert.

use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;

/// An HTTP answer with `status` and `text`, as AWS sends it.
pub fn body(status: u16, text: impl Into<String>) -> Response {
    let mut r = Response::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(text.into()),
    );
    r.headers_mut()
        .insert("x-amzn-RequestId", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
    r
}

/// No control character and no bidirectional override survived in `s`
/// (a newline is a line break, not a control).
pub fn assert_inert(what: &str, s: &str) {
    for c in s.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || ('\u{202A}'..='\u{202E}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{what}: {c:?} survived in {s:?}"
        );
    }
}
