//! CloudWatch Logs: a stream's tail (`GetLogEvents`) and the events of
//! many streams at once (`FilterLogEvents`), read in the region the task
//! definition sends them to.

use aws_config::Region;

use super::AwsCloud;
use crate::cloud::CloudResult;
use crate::model::logs::{
    FilterPage, FilteredEvent, LogCursor, LogPage, LogQuery, LogSource, RawLogEvent,
};
use crate::model::sanitize::sanitize;

impl AwsCloud {
    /// A task definition may send its logs to another region
    /// (`awslogs-region`): they are read there. Nothing is overridden for
    /// the client's own region.
    fn logs_region(&self, region: Option<&str>) -> aws_sdk_cloudwatchlogs::config::Builder {
        let b = aws_sdk_cloudwatchlogs::config::Builder::default();
        match region.filter(|r| *r != self.region) {
            Some(r) => b.region(Region::new(r.to_string())),
            None => b,
        }
    }

    pub(super) async fn filter_log_events(
        &self,
        q: &LogQuery,
        token: Option<&str>,
    ) -> CloudResult<FilterPage> {
        let req = self
            .c()
            .logs
            .filter_log_events()
            .log_group_name(&q.group)
            .set_log_stream_names((q.prefix.is_none()).then(|| q.streams.clone()))
            .set_log_stream_name_prefix(q.prefix.clone())
            .start_time(q.start_ms)
            .set_end_time(q.end_ms)
            .limit(q.limit)
            .set_next_token(token.map(str::to_string));
        let out = req
            .customize()
            .config_override(self.logs_region(q.region.as_deref()))
            .send()
            .await
            .map_err(|e| self.err(e, "logs:FilterLogEvents"))?;
        Ok(FilterPage {
            events: out
                .events()
                .iter()
                .map(|e| FilteredEvent {
                    id: e.event_id().unwrap_or_default().to_string(),
                    stream: crate::model::sanitize::clean(e.log_stream_name().unwrap_or_default()),
                    timestamp_ms: e.timestamp().unwrap_or(0),
                    message: sanitize(e.message().unwrap_or_default().as_bytes()),
                })
                .collect(),
            next: out.next_token().map(str::to_string),
        })
    }

    pub(super) async fn get_log_events(
        &self,
        src: &LogSource,
        cursor: &LogCursor,
        limit: i32,
    ) -> CloudResult<LogPage> {
        let mut req = self
            .c()
            .logs
            .get_log_events()
            .log_group_name(&src.group)
            .log_stream_name(&src.stream);
        req = match cursor {
            LogCursor::Tail(n) => req.start_from_head(false).limit(*n),
            LogCursor::After(token) => req.start_from_head(true).next_token(token).limit(limit),
        };
        let out = req
            .customize()
            .config_override(self.logs_region(src.region.as_deref()))
            .send()
            .await
            .map_err(|e| self.err(e, "logs:GetLogEvents"))?;
        let next = match (out.next_forward_token(), cursor) {
            (Some(t), _) => t.to_string(),
            (None, LogCursor::After(t)) => t.clone(),
            (None, LogCursor::Tail(_)) => String::new(),
        };
        Ok(LogPage {
            events: out
                .events()
                .iter()
                .map(|e| RawLogEvent {
                    timestamp_ms: e.timestamp().unwrap_or(0),
                    message: sanitize(e.message().unwrap_or_default().as_bytes()),
                })
                .collect(),
            next,
        })
    }
}
