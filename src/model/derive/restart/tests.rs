use super::*;
use crate::model::fixtures::*;

#[test]
fn stop_task_names_the_task_the_drain_the_stop_timeout_and_the_replacement() {
    let svc = service();
    let t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    let td = task_def();
    let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
    let plan = restart_plan(
        &Restart::StopTask {
            task_arn: t.arn.clone(),
        },
        &svc,
        Some(&td),
        &tgs,
        Some(&t),
    );
    let all = plan.join("\n");
    assert!(
        all.contains("ECS stops task aaaa1111 (10.0.1.5) of service goals-service"),
        "{all}"
    );
    assert!(all.contains("deregistration delay (30 s)"), "{all}");
    assert!(all.contains("SIGTERM"), "{all}");
    assert!(
        all.contains("starts a replacement to keep 1 desired"),
        "{all}"
    );
}

#[test]
fn a_forced_deployment_says_which_order_the_configuration_gives() {
    let mut svc = service();
    let td = task_def();
    let tgs = vec![tg(vec![])];
    svc.config.min_percent = 0;
    svc.config.max_percent = 100;
    let all = restart_plan(&Restart::ForceDeployment, &svc, Some(&td), &tgs, None).join("\n");
    assert!(all.contains("the old task is stopped first"), "{all}");
    assert!(all.contains("mongo:7 may now mean a newer image"), "{all}");
    svc.config.min_percent = 100;
    svc.config.max_percent = 200;
    let all = restart_plan(&Restart::ForceDeployment, &svc, Some(&td), &tgs, None).join("\n");
    assert!(all.contains("two tasks run at once"), "{all}");
    svc.config.max_percent = 100;
    let all = restart_plan(&Restart::ForceDeployment, &svc, Some(&td), &tgs, None).join("\n");
    assert!(all.contains("will not progress"), "{all}");
}
