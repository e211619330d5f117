//! The simulated CloudWatch log streams and the lines the containers
//! write: mongod 7's structured start-up and shutdown, the API's banner.

use std::collections::VecDeque;

use super::{LOG_GROUP, LOG_KEPT, LOG_PREFIX, World, uuid_hex};
use crate::model::Time;
use crate::model::logs::{LogCursor, LogPage, RawLogEvent};

/// One simulated CloudWatch log stream. `base` is the index of the first
/// event kept, so forward tokens stay valid when old events are dropped.
#[derive(Default)]
pub(super) struct Stream {
    base: usize,
    events: VecDeque<RawLogEvent>,
}

impl Stream {
    /// Of the events kept with `from_ms <= timestamp < to_ms`: those that
    /// tell of a write (the API logs "TRYING TO STORE/DELETE GOAL"), and
    /// the rest.
    pub(super) fn count_between(&self, from_ms: i64, to_ms: i64) -> (usize, usize) {
        let (mut writes, mut others) = (0, 0);
        for e in self
            .events
            .iter()
            .filter(|e| e.timestamp_ms >= from_ms && e.timestamp_ms < to_ms)
        {
            if e.message.starts_with("TRYING TO") {
                writes += 1;
            } else {
                others += 1;
            }
        }
        (writes, others)
    }
}

pub(super) fn mongo(at: Time, c: &str, id: u32, ctx: &str, msg: &str, attr: &str) -> String {
    let t = at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00");
    let attr = if attr.is_empty() {
        String::new()
    } else {
        format!(",\"attr\":{attr}")
    };
    format!(
        "{{\"t\":{{\"$date\":\"{t}\"}},\"s\":\"I\",  \"c\":\"{c}\", \"id\":{id}, \"ctx\":\"{ctx}\",\"msg\":\"{msg}\"{attr}}}"
    )
}

impl World {
    /// Appends a line to a container's stream, `ecs/<container>/<task>`.
    pub fn log(&mut self, container: &str, task_id: &str, message: String) {
        let at = self.clock.utc();
        self.log_at(container, task_id, at, message);
    }

    /// The same, written at `at` (the history before the demo opened).
    pub(super) fn log_at(&mut self, container: &str, task_id: &str, at: Time, message: String) {
        let stream = self
            .logs
            .entry(format!("{LOG_PREFIX}/{container}/{task_id}"))
            .or_default();
        stream.events.push_back(RawLogEvent {
            timestamp_ms: at.timestamp_millis(),
            message,
        });
        if stream.events.len() > LOG_KEPT {
            stream.events.pop_front();
            stream.base += 1;
        }
    }

    /// `FilterLogEvents` over the simulated streams: every event of the
    /// named streams (or of those whose name starts with the prefix) from
    /// `start_ms` to `end_ms`, oldest first, one page. Event ids are the
    /// stream and the event's position; names of streams that do not
    /// exist yet are ignored, as CloudWatch does.
    pub fn filter_logs(
        &self,
        q: &crate::model::logs::LogQuery,
    ) -> Result<crate::model::logs::FilterPage, &'static str> {
        if q.group != LOG_GROUP {
            return Err("The specified log group does not exist.");
        }
        let mut events = Vec::new();
        let wanted = |name: &str| match &q.prefix {
            Some(p) => name.starts_with(p.as_str()),
            None => q.streams.iter().any(|s| s == name),
        };
        for (name, s) in self.logs.iter().filter(|(n, _)| wanted(n)) {
            for (i, e) in s.events.iter().enumerate() {
                if e.timestamp_ms >= q.start_ms && q.end_ms.is_none_or(|end| e.timestamp_ms <= end)
                {
                    events.push(crate::model::logs::FilteredEvent {
                        id: format!("{name}:{}", s.base + i),
                        stream: name.clone(),
                        timestamp_ms: e.timestamp_ms,
                        message: e.message.clone(),
                    });
                }
            }
        }
        events.sort_by_key(|e| e.timestamp_ms);
        Ok(crate::model::logs::FilterPage { events, next: None })
    }

    /// `GetLogEvents` over the simulated streams; tokens are positions.
    pub fn log_page(
        &self,
        group: &str,
        stream: &str,
        cursor: &LogCursor,
        limit: i32,
    ) -> Result<LogPage, &'static str> {
        if group != LOG_GROUP {
            return Err("The specified log group does not exist.");
        }
        let Some(s) = self.logs.get(stream) else {
            return Err("The specified log stream does not exist.");
        };
        let end = s.base + s.events.len();
        let (from, to) = match cursor {
            LogCursor::Tail(n) => (end.saturating_sub((*n).max(0) as usize).max(s.base), end),
            LogCursor::After(t) => {
                let from = t
                    .strip_prefix("f/")
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or("The specified nextToken is invalid.")?
                    .max(s.base);
                (from, (from + limit.max(1) as usize).min(end))
            }
        };
        Ok(LogPage {
            events: s
                .events
                .range(from.min(end) - s.base..to - s.base)
                .cloned()
                .collect(),
            next: format!("f/{to}"),
        })
    }

    pub(super) fn mongo_starts(&mut self, id: &str, fresh: bool) {
        let now = self.clock.utc();
        let host = format!("ip-10-0-{}", &id[..4]);
        let lines = [
            mongo(
                now,
                "CONTROL",
                23285,
                "main",
                "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'",
                "",
            ),
            mongo(
                now,
                "CONTROL",
                4615611,
                "initandlisten",
                "MongoDB starting",
                &format!(
                    "{{\"pid\":1,\"port\":27017,\"dbPath\":\"/data/db\",\"architecture\":\"64-bit\",\"host\":\"{host}\"}}"
                ),
            ),
            mongo(
                now,
                "CONTROL",
                23403,
                "initandlisten",
                "Build Info",
                "{\"buildInfo\":{\"version\":\"7.0.14\"}}",
            ),
            mongo(
                now,
                "STORAGE",
                22315,
                "initandlisten",
                "Opening WiredTiger",
                "{\"config\":\"create,cache_size=3414M,session_max=33000\"}",
            ),
        ];
        for l in lines {
            self.log("mongodb", id, l);
        }
        if fresh {
            self.log(
                "mongodb",
                id,
                mongo(
                    now,
                    "STORAGE",
                    20320,
                    "initandlisten",
                    "createCollection",
                    "{\"namespace\":\"admin.system.version\",\"uuidDisposition\":\"provided\"}",
                ),
            );
        } else {
            self.log(
                "mongodb",
                id,
                mongo(
                    now,
                    "RECOVERY",
                    23987,
                    "initandlisten",
                    "WiredTiger recoveryTimestamp",
                    "{\"recoveryTimestamp\":{\"$timestamp\":{\"t\":0,\"i\":0}}}",
                ),
            );
        }
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "NETWORK",
                23015,
                "listener",
                "Listening on",
                "{\"address\":\"0.0.0.0\"}",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "NETWORK",
                23016,
                "listener",
                "Waiting for connections",
                "{\"port\":27017,\"ssl\":\"off\"}",
            ),
        );
    }

    pub(super) fn api_starts(&mut self, id: &str) {
        let now = self.clock.utc();
        self.connections += 1;
        let n = self.connections;
        self.log("mongodb", id, mongo(now, "NETWORK", 22943, "listener", "Connection accepted", &format!("{{\"remote\":\"127.0.0.1:{}\",\"uuid\":{{\"uuid\":{{\"$uuid\":\"{}\"}}}},\"connectionId\":{n},\"connectionCount\":1}}", 40000 + n, uuid_hex())));
        self.log("goals-api", id, "> goals-api@1.0.0 start".into());
        self.log("goals-api", id, "> node app.js".into());
        self.log("goals-api", id, "CONNECTED TO MONGODB!!".into());
        self.log("goals-api", id, "Goals API listening on port 80".into());
    }

    pub(super) fn task_stops(&mut self, id: &str) {
        let now = self.clock.utc();
        self.log(
            "goals-api",
            id,
            "SIGTERM received: closing HTTP server".into(),
        );
        self.log("goals-api", id, "HTTP server closed".into());
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "CONTROL",
                23377,
                "SignalHandler",
                "Received signal",
                "{\"signal\":15,\"error\":\"Terminated\"}",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "CONTROL",
                4784900,
                "SignalHandler",
                "Shutting down",
                "",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "STORAGE",
                4784915,
                "SignalHandler",
                "Shutting down the storage engine",
                "",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo(now, "CONTROL", 20565, "SignalHandler", "Now exiting", ""),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                now,
                "CONTROL",
                23138,
                "SignalHandler",
                "Shutting down",
                "{\"exitCode\":0}",
            ),
        );
    }
}
