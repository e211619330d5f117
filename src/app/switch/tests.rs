use super::*;
use crate::app::picker::Listing;
use crate::app::testing::loaded_with;
use crate::app::{Msg, update};
use crate::model::ServiceRef;
use crate::model::fixtures::*;

fn svc(c: &str, s: &str) -> ServiceRef {
    ServiceRef {
        cluster: c.into(),
        service: s.into(),
    }
}

fn act(s: &mut State, a: Action) -> Vec<Effect> {
    update(s, Msg::Action(a))
}

fn picker(s: &State) -> &Picker {
    match &s.modal {
        Some(Modal::Switch(p)) => p,
        other => panic!("no picker: {other:?}"),
    }
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        act(s, Action::PromptChar(c));
    }
}

#[test]
fn colon_lists_the_services_as_pages_arrive_and_enter_switches_to_the_one_chosen() {
    let mut s = loaded_with(
        true,
        vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    let fx = act(&mut s, Action::Switch);
    assert_eq!(
        fx,
        [Effect::ListServices(1, "goals-cluster".into())],
        "read-only too"
    );
    assert!(picker(&s).loading);
    update(
        &mut s,
        Msg::Listed(1, Listed::Page(vec![svc("goals-cluster", "goals-service")])),
    );
    update(
        &mut s,
        Msg::Listed(
            1,
            Listed::Page(vec![svc("jobs", "mailer"), svc("jobs", "goals-worker")]),
        ),
    );
    assert_eq!(picker(&s).items.len(), 3);
    assert_eq!(
        picker(&s).current,
        Some(svc("goals-cluster", "goals-service"))
    );
    update(&mut s, Msg::Listed(1, Listed::Done(None)));
    assert!(!picker(&s).loading);
    // Letters are the filter's, q and j included: not quit, not move.
    typed(&mut s, "jobs/goals");
    assert_eq!(picker(&s).shown().len(), 1);
    assert!(!s.quit);
    let fx = act(&mut s, Action::PromptSubmit);
    assert_eq!(fx, [Effect::SwitchTo(svc("jobs", "goals-worker"))]);
    assert_eq!(s.modal, None);
}

#[test]
fn a_late_page_of_an_earlier_listing_is_not_the_open_pickers() {
    let mut s = loaded_with(false, vec![]);
    act(&mut s, Action::Switch);
    act(&mut s, Action::PromptCancel);
    act(&mut s, Action::Switch);
    update(
        &mut s,
        Msg::Listed(1, Listed::Page(vec![svc("old", "late")])),
    );
    assert!(picker(&s).items.is_empty(), "listing 1's page is ignored");
    update(&mut s, Msg::Listed(2, Listed::Page(vec![svc("a", "b")])));
    assert_eq!(picker(&s).items.len(), 1);
    update(
        &mut s,
        Msg::Listed(2, Listed::Done(Some("ecs:ListClusters is not allowed: cluster goals-cluster only (AccessDeniedException)".into()))),
    );
    assert!(
        picker(&s)
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("ListClusters")
    );
}

#[test]
fn esc_keeps_the_service_and_enter_on_it_switches_nothing() {
    let mut s = loaded_with(false, vec![]);
    act(&mut s, Action::Switch);
    update(
        &mut s,
        Msg::Listed(1, Listed::Page(vec![svc("goals-cluster", "goals-service")])),
    );
    assert!(act(&mut s, Action::PromptSubmit).is_empty());
    assert!(
        s.notice
            .clone()
            .unwrap_or_default()
            .contains("already watching goals-cluster/goals-service")
    );
    act(&mut s, Action::Switch);
    typed(&mut s, "x");
    act(&mut s, Action::PromptCancel);
    assert!(s.modal.is_some(), "the first Esc clears the filter");
    assert!(act(&mut s, Action::PromptCancel).is_empty());
    assert_eq!(s.modal, None);
    assert!(
        s.notice
            .clone()
            .unwrap_or_default()
            .contains("still watching")
    );
}

#[test]
fn colon_waits_for_a_restart_awaiting_its_answer() {
    let mut s = loaded_with(
        false,
        vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    s.restart = Some(crate::app::restart::Requested {
        restart: crate::model::derive::Restart::ForceDeployment,
        at: s.now,
        answer: crate::app::restart::Answer::Waiting,
    });
    assert!(act(&mut s, Action::Switch).is_empty());
    assert_eq!(s.modal, None);
    assert!(
        s.notice
            .clone()
            .unwrap_or_default()
            .contains(": wait for it")
    );
}

#[test]
fn tab_lists_the_profiles_then_the_regions_and_a_choice_lists_that_accounts_services() {
    let mut s = loaded_with(false, vec![]);
    s.ctx.exec.profile = Some("ops".into());
    act(&mut s, Action::Switch);
    let fx = act(&mut s, Action::NextPane);
    assert_eq!(
        fx,
        [Effect::ListProfiles(1)],
        "the services' listing goes on"
    );
    assert_eq!(picker(&s).kind, Listing::Profiles);
    update(
        &mut s,
        Msg::Listed(2, Listed::Names(vec!["eu".into(), "ops".into()])),
    );
    update(&mut s, Msg::Listed(2, Listed::Done(None)));
    typed(&mut s, "eu");
    let fx = act(&mut s, Action::PromptSubmit);
    assert_eq!(
        fx,
        [Effect::Connect(2, Some("eu".into()), None)],
        "the profile's own region"
    );
    let p = picker(&s);
    assert_eq!(
        (p.kind, p.loading, p.items.len()),
        (Listing::Services, true, 0)
    );
    update(
        &mut s,
        Msg::Listed(2, Listed::Account(Some("eu".into()), "eu-west-1".into())),
    );
    update(
        &mut s,
        Msg::Listed(3, Listed::Page(vec![svc("eu-cluster", "eu-service")])),
    );
    assert_eq!(picker(&s).region, "eu-west-1");
    // Tab twice: the regions, from the model, no call.
    act(&mut s, Action::NextPane);
    let fx = act(&mut s, Action::NextPane);
    assert!(fx.is_empty());
    assert_eq!(picker(&s).kind, Listing::Regions);
    assert!(picker(&s).names.iter().any(|r| r == "ap-southeast-2"));
    typed(&mut s, "ap-southeast-2");
    let fx = act(&mut s, Action::PromptSubmit);
    assert_eq!(
        fx,
        [Effect::Connect(
            3,
            Some("eu".into()),
            Some("ap-southeast-2".into())
        )]
    );
    // A service picked there: the runtime moves the session with it.
    update(
        &mut s,
        Msg::Listed(3, Listed::Page(vec![svc("goals-cluster", "goals-service")])),
    );
    assert_eq!(
        act(&mut s, Action::PromptSubmit),
        [Effect::SwitchTo(svc("goals-cluster", "goals-service"))],
        "the same name in another region is another service: switched to"
    );
}

#[test]
fn the_demo_has_no_profiles_or_regions_to_tab_to() {
    let mut s = loaded_with(false, vec![]);
    s.ctx.demo = true;
    act(&mut s, Action::Switch);
    assert!(act(&mut s, Action::NextPane).is_empty());
    assert_eq!(picker(&s).kind, Listing::Services);
}
