//! Expired credentials on screen: one banner under the header, each pane
//! only how old its data is.

use std::time::Duration;

use super::tests::{at, replacing, screen};
use crate::app::{Msg, update};
use crate::model::error::{CloudError, ErrorKind};
use crate::model::observe::{Failure, Paused, PollEvent, Resource};

fn expired() -> CloudError {
    let mut e = CloudError::new(
        ErrorKind::Credentials,
        "ecs:DescribeTasks",
        "The security token included in the request is expired",
    );
    e.code = Some("ExpiredTokenException".into());
    e.hint = Some("run aws sso login --profile ops, or refresh the profile's keys".into());
    e
}

#[test]
fn expired_credentials_are_said_once_at_the_top_and_each_pane_says_paused() {
    let mut s = replacing();
    for r in [Resource::Tasks, Resource::Service, Resource::Logs] {
        update(
            &mut s,
            Msg::Poll(Box::new(PollEvent {
                resource: r,
                at: at(130),
                result: Err(Failure {
                    error: expired(),
                    retry_in: Duration::from_secs(30),
                }),
            })),
        );
    }
    update(
        &mut s,
        Msg::Paused(Some(Paused {
            since: at(130),
            error: expired(),
            tries: 2,
            next_try_in: Some(Duration::from_secs(12)),
        })),
    );
    update(&mut s, Msg::Tick(at(190)));
    let big = screen(&s, 120, 40);
    let banner: String = big.lines().skip(1).take(2).collect::<Vec<_>>().join("\n");
    assert!(
        banner.contains("credentials expired: run aws sso login --profile ops"),
        "{big}"
    );
    assert!(banner.contains("paused 1m (2 tries refused)"), "{banner}");
    assert!(big.contains("⏸ paused · data 1m old"), "{big}");
    assert_eq!(
        big.matches("security token").count() + big.matches("aws sso login").count(),
        1,
        "said once: {big}"
    );
    insta::assert_snapshot!("paused_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(
        small
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("credentials expired: run aws sso login --profile ops")),
        "{small}"
    );
    insta::assert_snapshot!("paused_80x24", small);

    // Accepted again: the banner goes, the panes say how fresh they are.
    update(&mut s, Msg::Paused(None));
    let back = screen(&s, 120, 40);
    assert!(
        !back.contains("credentials expired") && !back.contains("⏸"),
        "{back}"
    );
}
