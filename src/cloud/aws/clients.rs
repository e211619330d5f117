//! The SDK clients of the AWS backend, built from one configuration; built
//! again when the credentials are reloaded.

use aws_config::SdkConfig;

use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::json_wire::{JsonAnswers, JsonRequests};
use super::setup::CallCounter;

/// One client per service; cheap to clone (each is a handle).
#[derive(Clone)]
pub(super) struct Clients {
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(super) efs: aws_sdk_efs::Client,
    pub(super) sts: aws_sdk_sts::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
    pub(super) cw: aws_sdk_cloudwatch::Client,
}

impl Clients {
    pub(super) fn build(conf: &SdkConfig, counter: &CallCounter) -> Clients {
        Clients {
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(conf)
                    .interceptor(counter.for_service("ecs"))
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(conf)
                    .interceptor(counter.for_service("elasticloadbalancing"))
                    .build(),
            ),
            efs: aws_sdk_efs::Client::from_conf(
                aws_sdk_efs::config::Builder::from(conf)
                    .interceptor(counter.for_service("elasticfilesystem"))
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(conf)
                    .interceptor(counter.for_service("sts"))
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(conf)
                    .interceptor(counter.for_service("logs"))
                    .build(),
            ),
            cw: cloudwatch(conf, counter),
        }
    }
}

/// The CloudWatch client speaks JSON 1.0 on the wire (`json_wire`): its
/// requests are rewritten before signing, its answers before reading.
pub(super) fn cloudwatch(conf: &SdkConfig, counter: &CallCounter) -> aws_sdk_cloudwatch::Client {
    let inner = conf.http_client().unwrap_or_else(default_https_client);
    aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(conf)
            .interceptor(counter.for_service("cloudwatch"))
            .interceptor(JsonRequests)
            .http_client(JsonAnswers { inner })
            // A compressed body could not be rewritten; ecsdeck's requests
            // are a few kilobytes.
            .disable_request_compression(true)
            .build(),
    )
}

/// The client the SDK would build itself: rustls with aws-lc, and the
/// proxy the environment names (HTTPS_PROXY, NO_PROXY).
fn default_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::{Builder, ConnectorBuilder, tls};
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        conn.set_connector_settings(settings.cloned());
        if let Some(c) = components {
            conn.set_sleep_impl(c.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    })
}
