//! The changes ecsdeck makes: StopTask and UpdateService, each sent once
//! (never retried), with AWS's request id for the journal.

use async_trait::async_trait;
use aws_config::retry::RetryConfig;

use super::AwsCloud;
use crate::cloud::{CloudResult, Operate};
use crate::model::sanitize::clean;

#[async_trait]
impl Operate for AwsCloud {
    async fn stop_task_receipt(
        &self,
        cluster: &str,
        task_arn: &str,
        reason: &str,
    ) -> CloudResult<crate::cloud::Receipt> {
        use aws_sdk_ecs::operation::RequestId;
        // Destructive calls are sent once: after a timeout the stop may
        // have happened, and the task list, not a retry, tells.
        let out = self
            .c()
            .ecs
            .stop_task()
            .cluster(cluster)
            .task(task_arn)
            .reason(reason)
            .customize()
            .config_override(
                aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:StopTask"))?;
        Ok(crate::cloud::Receipt {
            request_id: out.request_id().map(clean),
        })
    }

    async fn force_deployment_receipt(
        &self,
        cluster: &str,
        service: &str,
    ) -> CloudResult<crate::cloud::Receipt> {
        use aws_sdk_ecs::operation::RequestId;
        let out = self
            .c()
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .force_new_deployment(true)
            .customize()
            .config_override(
                aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:UpdateService"))?;
        Ok(crate::cloud::Receipt {
            request_id: out.request_id().map(clean),
        })
    }
}
