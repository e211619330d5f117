//! Opens what a command runs against, once: the backend (the AWS SDK, or
//! the embedded demo), its operate half unless the run is read-only, the
//! service to watch, and the probe's settings as that backend needs them.

use std::sync::Arc;

use color_eyre::eyre::{Result, eyre};

use crate::cloud::aws::{AwsCloud, AwsOptions};
use crate::cloud::demo::{self, DemoEnv, DemoOptions};
use crate::cloud::{Cloud, Operate};
use crate::config::Settings;
use crate::model::ServiceRef;
use crate::model::probe::ProbeConfig;

/// Where a command's service lives.
pub enum Source {
    /// The embedded simulation, started with these options.
    Demo(DemoOptions),
    /// AWS, as the settings (profile, region, endpoint) say.
    Aws,
}

/// What a command runs against. Dropping it stops the demo, if any.
pub struct Launched {
    pub cloud: Arc<dyn Cloud>,
    /// The half that changes things; None in a read-only run.
    pub operator: Option<Arc<dyn Operate>>,
    /// The service: the demo's, or the one the settings name (None: the
    /// settings name none; the dashboard lets the operator pick one).
    pub target: Option<ServiceRef>,
    /// The probe's settings for this backend; None when it is off.
    pub probe: Option<ProbeConfig>,
    /// Keeps the simulation running while the command runs.
    _demo: Option<DemoEnv>,
}

/// Opens `source`; the operate half only when `operate` holds.
pub async fn launch(settings: &Settings, source: Source, operate: bool) -> Result<Launched> {
    let mut probe = settings.probe.clone();
    match source {
        Source::Demo(opts) => {
            let env = DemoEnv::start(opts)
                .await
                .map_err(|e| eyre!("cannot start the demo environment: {e}"))?;
            let backend = Arc::new(env.cloud());
            // The demo's API says which task served each answer: the probe
            // shows it unless told to read another header.
            if let Some(p) = probe.as_mut() {
                p.info
                    .served_by_header
                    .get_or_insert_with(|| demo::SERVED_BY.to_string());
            }
            Ok(Launched {
                operator: operate.then(|| backend.clone() as Arc<dyn Operate>),
                cloud: backend,
                target: Some(ServiceRef {
                    cluster: demo::CLUSTER.into(),
                    service: demo::SERVICE.into(),
                }),
                probe,
                _demo: Some(env),
            })
        }
        Source::Aws => {
            let opts = AwsOptions {
                profile: settings.profile.clone(),
                region: settings.region.clone(),
                endpoint_url: settings.endpoint_url.clone(),
                // A profile named (flag or file) is its own identity, as
                // the AWS CLI's --profile is: `e` runs the CLI with it.
                profile_only: settings.profile.is_some(),
            };
            let conf = crate::cloud::aws::load_config(&opts)
                .await
                .map_err(|e| eyre!(e))?;
            let backend = Arc::new(AwsCloud::new(&conf, settings.profile.clone()).reloading(opts));
            let target = match (&settings.cluster, &settings.service) {
                (Some(c), Some(s)) => Some(ServiceRef {
                    cluster: c.clone(),
                    service: s.clone(),
                }),
                _ => None,
            };
            Ok(Launched {
                operator: operate.then(|| backend.clone() as Arc<dyn Operate>),
                cloud: backend,
                target,
                probe,
                _demo: None,
            })
        }
    }
}

/// The flags a `--demo` run does not use, by name: the demo is its own
/// simulated service.
pub fn ignored_by_demo(s: &Settings) -> Vec<&'static str> {
    [
        ("--cluster", s.cluster.is_some()),
        ("--service", s.service.is_some()),
        ("--region", s.region.is_some()),
        ("--profile", s.profile.is_some()),
        ("--endpoint-url", s.endpoint_url.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect()
}

/// What to say when a command needs a service and none is named.
pub fn which_service(command: &str) -> String {
    format!(
        "ecsdeck {command}: which service? Pass --cluster and --service, or set them in the config file"
    )
}
