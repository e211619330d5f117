use crate::model::derive::*;
use crate::model::fixtures::*;

#[test]
fn efs_mount_failure_is_detected_from_stop_reason() {
    let td = task_def();
    let mut t = task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED");
    t.stop_code = Some("TaskFailedToStart".into());
    t.stopped_reason = Some("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out".into());
    match mount_status(&t, &td, "data", &fs(&["us-east-1a"])) {
        MountStatus::Failed(r) => assert!(r.contains("mount.nfs4")),
        other => panic!("expected failure, got {other:?}"),
    }
    let w = preflight(&service(), Some(&td), &[], &[], &[t]);
    assert!(w.iter().any(|w| w.kind == WarningKind::MountFailed));
}

#[test]
fn efs_mount_inferred_from_az_and_health() {
    let td = task_def();
    let t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    assert_eq!(
        mount_status(&t, &td, "data", &fs(&["us-east-1a"])),
        MountStatus::Mounted
    );
    assert_eq!(
        mount_status(&t, &td, "data", &fs(&["us-east-1b"])),
        MountStatus::NoMountTarget("us-east-1a".into())
    );
    let mut pending = t.clone();
    pending.last_status = "PENDING".into();
    assert_eq!(
        mount_status(&pending, &td, "data", &fs(&["us-east-1a"])),
        MountStatus::Pending
    );
    let mut creating = fs(&["us-east-1a"]);
    creating.mount_targets[0].state = "creating".into();
    assert_eq!(
        mount_status(&t, &td, "data", &creating),
        MountStatus::MountTargetNotAvailable("creating".into())
    );
    let mut no_hc = td.clone();
    no_hc.containers[1].health_check = None;
    let mut t2 = t.clone();
    t2.containers[1].health = Some("UNKNOWN".into());
    assert_eq!(
        mount_status(&t2, &no_hc, "data", &fs(&["us-east-1a"])),
        MountStatus::Likely("no health check to confirm".into())
    );
}

#[test]
fn a_stopping_task_still_holds_its_volume() {
    let td = task_def();
    let f = fs(&["us-east-1a"]);
    for phase in ["DEACTIVATING", "STOPPING", "DEPROVISIONING"] {
        let t = task("aaaa1111", "10.0.1.5", phase, "STOPPED");
        let m = mount_status(&t, &td, "data", &f);
        assert_eq!(m, MountStatus::Stopping, "{phase}");
        assert_eq!(m.label(), "mounted, stopping");
    }
    let asked = task("aaaa1111", "10.0.1.5", "RUNNING", "STOPPED");
    assert_eq!(mount_status(&asked, &td, "data", &f), MountStatus::Stopping);
    // Starting up is still "mounting".
    let new = task("bbbb2222", "10.0.1.6", "PENDING", "RUNNING");
    assert_eq!(mount_status(&new, &td, "data", &f), MountStatus::Pending);
    assert_eq!(
        serde_json::to_value(MountStatus::Stopping).expect("json")["state"],
        "stopping"
    );
}
