//! `:` then Tab: AWS opened with another profile or region, for the
//! picker to list its services. Nothing is polled there until a service
//! is chosen; the session then moves to it whole.

use std::sync::Arc;
use std::time::Duration;

use crate::cloud::aws::{AwsCloud, AwsOptions, load_config};
use crate::session::Backend;

/// The SDK's configuration for `profile` in `region` (None: the
/// profile's own, else the one in use now), with the session's endpoint.
/// Always a region named, never the SDK's chain: `AWS_REGION` there would
/// win over both.
pub async fn open(
    profile: Option<String>,
    region: Option<String>,
    region_now: &str,
    endpoint_url: Option<String>,
) -> Result<Backend, String> {
    // The profile's own region first: the SDK would put AWS_REGION (set
    // for the profile in use at start) before it.
    let region = region
        .or_else(|| {
            profile
                .as_deref()
                .and_then(crate::cloud::aws::profiles::region_of)
        })
        // A profile without a region of its own: the one in use.
        .unwrap_or_else(|| region_now.to_string());
    let opts = AwsOptions {
        profile: profile.clone(),
        region: Some(region.clone()),
        endpoint_url,
        // A profile named is that profile's identity, as at start.
        profile_only: profile.is_some(),
    };
    // Reading the files takes a moment; an SSO profile's token is only
    // read at the first call. Bounded all the same: the keys wait.
    let conf = tokio::time::timeout(Duration::from_secs(10), load_config(&opts))
        .await
        .map_err(|_| "reading the AWS configuration took over 10 s".to_string())??;
    let aws = Arc::new(AwsCloud::new(&conf, profile.clone()).reloading(opts));
    Ok(Backend {
        cloud: aws.clone(),
        operator: Some(aws),
        profile,
        region,
    })
}
