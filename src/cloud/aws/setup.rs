//! Building the SDK clients: the shared configuration (bounded timeouts,
//! no SDK retries), the call counter every client carries, and the caches
//! of facts that hardly change.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Target group attributes, load balancers and listeners hardly ever
/// change; describing them on every refresh would spend a third of the
/// calls on nothing.
const SLOW_CACHE: Duration = Duration::from_secs(300);

pub(super) type Cache<T> = Mutex<HashMap<String, (Instant, T)>>;

pub(super) fn cached<T: Clone>(cache: &Cache<T>, key: &str) -> Option<T> {
    let map = cache.lock().unwrap_or_else(|p| p.into_inner());
    map.get(key)
        .filter(|(at, _)| at.elapsed() < SLOW_CACHE)
        .map(|(_, v)| v.clone())
}

/// A failure is asked again sooner than an answer: a permission added to
/// the policy shows within a minute, and a denied call is not sent on
/// every poll (each one a line in CloudTrail).
pub(super) const FAILED_CACHE: Duration = Duration::from_secs(60);

/// `cached`, for a value no older than `max_age`.
pub(super) fn cached_within<T: Clone>(cache: &Cache<T>, key: &str, max_age: Duration) -> Option<T> {
    let map = cache.lock().unwrap_or_else(|p| p.into_inner());
    map.get(key)
        .filter(|(at, _)| at.elapsed() < max_age.min(SLOW_CACHE))
        .map(|(_, v)| v.clone())
}

pub(super) fn remember<T>(cache: &Cache<T>, key: &str, value: T) {
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_string(), (Instant::now(), value));
}

/// Counts every request attempt the SDK sends, in total and per API
/// (`ecs:DescribeTasks`), so the screen can show ecsdeck's own share of
/// the account's API quotas.
#[derive(Debug, Clone)]
pub(super) struct CallCounter {
    pub(super) total: Arc<AtomicU64>,
    pub(super) by_api: Arc<Mutex<BTreeMap<String, u64>>>,
    /// The IAM prefix of the client's service.
    pub(super) service: &'static str,
    /// This host's clock minus AWS's, from the `Date` of AWS's answers.
    pub(super) clock: Arc<ClockOffset>,
}

/// This host's clock minus AWS's. `Date` has whole seconds and is stamped
/// before the answer travels, so each answer gives the offset plus up to a
/// second and the latency: the smallest value seen is the best estimate.
#[derive(Debug, Default)]
pub struct ClockOffset {
    best_ms: Mutex<Option<i64>>,
}

impl ClockOffset {
    pub fn seen(&self, date: &str, received: chrono::DateTime<chrono::Utc>) {
        let Ok(aws) = chrono::DateTime::parse_from_rfc2822(date) else {
            return;
        };
        let d = (received - aws.with_timezone(&chrono::Utc)).num_milliseconds();
        let mut best = self.best_ms.lock().unwrap_or_else(|p| p.into_inner());
        *best = Some(best.map_or(d, |b| b.min(d)));
    }

    /// Seconds, once an answer with a `Date` came.
    pub fn seconds(&self) -> Option<f64> {
        let best = self.best_ms.lock().unwrap_or_else(|p| p.into_inner());
        best.map(|ms| ms as f64 / 1000.0)
    }
}

impl CallCounter {
    pub(super) fn for_service(&self, service: &'static str) -> CallCounter {
        CallCounter {
            service,
            ..self.clone()
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "ecsdeck-call-counter"
    }
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.total.fetch_add(1, Ordering::Relaxed);
        let op = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "?".into());
        *self
            .by_api
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(format!("{}:{op}", self.service))
            .or_default() += 1;
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(date) = context.response().headers().get("date") {
            self.clock.seen(date, crate::clock::now());
        }
        Ok(())
    }
}

/// Where to point the SDK. Everything unset falls through to the SDK's own
/// chain (environment, profiles, SSO, instance metadata).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// The profile's own credentials, whatever the environment holds. The
    /// SDK's default chain puts `AWS_ACCESS_KEY_ID` before any profile, so
    /// a profile chosen in `:` would otherwise be the same identity again.
    pub profile_only: bool,
}

/// Loads the shared SDK configuration, and fails early and clearly when no
/// region can be found (the SDK itself would only fail at the first call).
pub async fn load_config(opts: &AwsOptions) -> Result<SdkConfig, String> {
    // The SDK waits forever for an answer by default: a panel would say
    // "loading" forever behind a black-holed endpoint. Bound each attempt.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build();
    // Each call is sent once. The pollers call again on their cadence, and
    // a throttle slows every poller of that API through one governor; SDK
    // retries would answer a throttle with more calls, unseen.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts.clone());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
        if opts.profile_only {
            // Configured as the loader would: a `role_arn` profile's STS
            // call needs the region, and the same time limits.
            let region = match &opts.region {
                Some(r) => Some(Region::new(r.clone())),
                None => {
                    aws_config::default_provider::region::DefaultRegionChain::builder()
                        .profile_name(p)
                        .build()
                        .region()
                        .await
                }
            };
            let conf = aws_config::provider_config::ProviderConfig::without_region()
                .with_region(region)
                .with_behavior_version(Some(BehaviorVersion::latest()))
                .with_timeout_config(timeouts.clone());
            loader = loader.credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .profile_name(p)
                    .configure(&conf)
                    .build(),
            );
        }
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        return Err("no AWS region configured: pass --region, set `region` in the config file, or set AWS_REGION".into());
    }
    Ok(conf)
}

#[cfg(test)]
mod tests;
