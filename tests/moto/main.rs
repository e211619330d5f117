//! The AWS backend on the wire, against a local moto server (started by
//! scripts/test.sh, which sets ECSDECK_MOTO_ENDPOINT). The world is seeded
//! through the Rust SDK itself; only the VPC lookup, which would need the
//! very large EC2 client, is a raw query request.
//!
//! moto fakes some ECS semantics (tasks never start by themselves, target
//! health is always healthy, ...): those are covered by aws_fixtures.rs,
//! not asserted here.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ecs::config::Credentials;

pub const REGION: &str = "us-east-1";

/// One moto server for the whole binary, and one test seeds it with a
/// reset: the tests take turns.
pub static MOTO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn endpoint() -> Option<String> {
    match std::env::var("ECSDECK_MOTO_ENDPOINT") {
        Ok(e) => Some(e),
        Err(_) if std::env::var_os("ECSDECK_SKIP_MOTO").is_some() => None,
        Err(_) => panic!(
            "ECSDECK_MOTO_ENDPOINT is not set: run the tests with scripts/test.sh, which starts moto (or set ECSDECK_SKIP_MOTO=1 to skip the wire tests knowingly)"
        ),
    }
}

pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

#[path = "../common/mod.rs"]
mod common;
mod drill;
mod ecs;
mod logs;
mod metrics;
mod picker;
