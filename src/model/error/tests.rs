use super::*;

fn with_code(kind: ErrorKind, code: Option<&str>, message: &str) -> CloudError {
    let mut e = CloudError::new(kind, "ecs:StopTask", message);
    e.code = code.map(String::from);
    e
}

#[test]
fn a_server_fault_or_an_unreadable_answer_is_an_unknown_outcome_never_a_refusal() {
    // AWS's own 5xx: the stop may have been carried out.
    assert!(
        with_code(ErrorKind::Other, Some("ServerException"), "internal error").outcome_unknown()
    );
    // An answer with no error code at all could not be understood.
    assert!(with_code(ErrorKind::Other, None, "unhandled response").outcome_unknown());
    assert!(with_code(ErrorKind::Network, None, "connection reset").outcome_unknown());
    assert!(with_code(ErrorKind::Other, Some("X"), "request timed out").outcome_unknown());
    // Refusals are refusals.
    assert!(
        !with_code(ErrorKind::AccessDenied, Some("AccessDeniedException"), "no").outcome_unknown()
    );
    assert!(
        !with_code(ErrorKind::Other, Some("InvalidParameterException"), "bad").outcome_unknown()
    );
    assert!(!with_code(ErrorKind::Other, Some("ReadOnly"), "read-only").outcome_unknown());
}
