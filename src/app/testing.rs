//! What the reducer's tests share: a loaded state, and observations.

use super::{Context, Msg, State, update};
use crate::model::fixtures::*;
use crate::model::observe::{Observation, PollEvent, Resource};
use crate::model::{Identity, ServiceRef, Task};

/// An observation at the fixtures' clock (100 s).
pub fn ok(resource: Resource, obs: Observation) -> Msg {
    Msg::Poll(Box::new(PollEvent {
        resource,
        at: ts(100).expect("time"),
        result: Ok(obs),
    }))
}

/// The probe's answer at `t` seconds: 200, up, 3 records.
pub fn probe_up(t: i64) -> Observation {
    use crate::model::observe::ProbeResult;
    use crate::model::probe::{Outcome, Sample};
    Observation::Probe(Box::new(ProbeResult {
        url: "http://alb/goals".into(),
        sample: Sample {
            at: ts(t).expect("time"),
            outcome: Outcome::Http(200),
            up: true,
            total_ms: 9,
            connect_ms: Some(1),
            first_byte_ms: Some(8),
            records: Some(3),
            records_at_least: false,
            served_by: None,
            detail: None,
        },
    }))
}

/// The service, its task definition, `tasks` and the caller known.
pub fn loaded_with(read_only: bool, tasks: Vec<Task>) -> State {
    let mut ctx = Context::new(
        ServiceRef {
            cluster: "goals-cluster".into(),
            service: "goals-service".into(),
        },
        "us-east-1",
    );
    ctx.read_only = read_only;
    let mut s = State::new(ctx, ts(100).expect("time"));
    update(
        &mut s,
        ok(Resource::Service, Observation::Service(Box::new(service()))),
    );
    update(
        &mut s,
        ok(Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
    );
    update(&mut s, ok(Resource::Tasks, Observation::Tasks(tasks)));
    update(
        &mut s,
        ok(
            Resource::Identity,
            Observation::Identity(Identity {
                account: "123456789012".into(),
                arn: "arn:aws:sts::123456789012:assumed-role/ops/alice".into(),
            }),
        ),
    );
    s
}
