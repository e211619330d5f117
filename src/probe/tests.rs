use super::*;

fn class_of(what: Signs, err: &(dyn std::error::Error + 'static)) -> ErrorClass {
    classify_chain(what, Some(err), "").0
}

#[test]
fn failures_are_told_apart() {
    use std::io::{Error, ErrorKind};
    let none = Signs::default();
    let connecting = Signs {
        connecting: true,
        ..Signs::default()
    };
    assert_eq!(
        class_of(connecting, &Error::from(ErrorKind::ConnectionRefused)),
        ErrorClass::Refused
    );
    assert_eq!(
        class_of(none, &Error::from(ErrorKind::ConnectionReset)),
        ErrorClass::Reset
    );
    assert_eq!(
        class_of(none, &Error::from(ErrorKind::UnexpectedEof)),
        ErrorClass::Reset
    );
    let tls = Error::new(
        ErrorKind::InvalidData,
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
    );
    let (class, detail) = classify_chain(connecting, Some(&tls), "");
    assert_eq!(class, ErrorClass::Tls);
    assert!(detail.is_some_and(|d| d.contains("UnknownIssuer")));
    // As reqwest's connector hands it over: an io error in an io error.
    let nested = Error::other(Error::new(
        ErrorKind::InvalidData,
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
    ));
    assert_eq!(class_of(connecting, &nested), ErrorClass::Tls);
    let refused = Error::other(Error::from(ErrorKind::ConnectionRefused));
    assert_eq!(class_of(connecting, &refused), ErrorClass::Refused);
    // A timeout while the connector works is a connect timeout; after
    // it, the answer is what was late.
    let late = Error::from(ErrorKind::TimedOut);
    let timeout = Signs {
        timeout: true,
        ..Signs::default()
    };
    assert_eq!(class_of(timeout, &late), ErrorClass::Timeout);
    assert_eq!(
        class_of(
            Signs {
                connecting: true,
                ..timeout
            },
            &late
        ),
        ErrorClass::ConnectTimeout
    );
    assert_eq!(
        class_of(
            Signs {
                dns: true,
                connecting: true,
                ..Signs::default()
            },
            &Error::other("failed to lookup address")
        ),
        ErrorClass::Dns
    );
    let (class, detail) = classify_chain(none, Some(&Error::other("weird")), "x");
    assert_eq!(class, ErrorClass::Other);
    assert_eq!(detail.as_deref(), Some("weird"));
}

#[test]
fn bad_headers_are_named() {
    let e = header_map(&[("bad header".into(), "v".into())]).expect_err("invalid");
    assert!(e.contains("\"bad header\""), "{e}");
    let e = header_map(&[("X-Key".into(), "a\nb".into())]).expect_err("invalid");
    assert!(e.contains("\"X-Key\"") && !e.contains("a\nb"), "{e}");
}

#[test]
fn a_redirects_query_is_never_shown() {
    // A presigned URL: its signature is a credential.
    let shown = redirect_target(
        "https://bucket.s3.amazonaws.com/maint.html?X-Amz-Signature=abc123&X-Amz-Credential=AKIA",
    );
    assert_eq!(shown, "https://bucket.s3.amazonaws.com/maint.html?…");
    assert!(!shown.contains("abc123"));
    assert_eq!(redirect_target("/login"), "/login");
    assert!(!redirect_target("/a\u{1b}[2Jb").contains('\u{1b}'));
}
