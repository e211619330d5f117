//! The SDK clients of the AWS backend, built from one configuration; built
//! again when the credentials are reloaded.

use aws_config::SdkConfig;

use super::setup::CallCounter;

/// One client per service; cheap to clone (each is a handle).
#[derive(Clone)]
pub(super) struct Clients {
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(super) efs: aws_sdk_efs::Client,
    pub(super) sts: aws_sdk_sts::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
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
        }
    }
}
