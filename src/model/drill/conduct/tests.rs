use super::*;

#[test]
fn a_url_loses_its_user_name_and_password_and_keeps_the_rest() {
    assert_eq!(
        without_userinfo("https://bob:secret@api.example.com:8443/goals?a=b@c"),
        "https://api.example.com:8443/goals?a=b@c"
    );
    assert_eq!(
        without_userinfo("http://127.0.0.1:80/goals"),
        "http://127.0.0.1:80/goals"
    );
}
