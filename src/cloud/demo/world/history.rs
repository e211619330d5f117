//! What happened before the dashboard opened, as an operator usually
//! finds it: the running task replaced one that stopped two minutes
//! earlier, when mongod was killed for its memory (exit 137), after three
//! hours of serving. Its lines are in the logs from the start, its divider
//! says why it stopped, and `[` has an hour before them to load.

use super::logs::mongo;
use super::*;

/// How long the replaced task had served.
const SERVED_S: i64 = 3 * 3600;
/// When it stopped, before the dashboard opened (the running task was
/// created 95 s ago).
const STOPPED_AGO_S: i64 = 100;
/// One request logged every this often.
const REQUEST_EVERY_S: i64 = 30;

impl World {
    /// Adds the replaced task and its three hours of lines; returns its id.
    pub fn seed_history(&mut self) -> String {
        let utc = self.clock.utc();
        let ago = |s: i64| utc - chrono::Duration::seconds(s);
        let id = uuid_hex();
        let started = SERVED_S + STOPPED_AGO_S;
        self.tasks.insert(
            0,
            SimTask {
                deployment: self.deployment.clone(),
                id: id.clone(),
                az: AZS[1],
                ip: "10.0.2.40".into(),
                phase: Phase::Stopped,
                since: self.clock.now(),
                desired_stopped: true,
                created_at: ago(started + 40),
                started_at: Some(ago(started)),
                pull_started_at: Some(ago(started + 30)),
                pull_stopped_at: Some(ago(started + 12)),
                stopping_at: Some(ago(STOPPED_AGO_S + 25)),
                stopped_at: Some(ago(STOPPED_AGO_S)),
                stop_code: Some("EssentialContainerExited".into()),
                stopped_reason: Some("Essential container in task exited".into()),
                server: None,
                starting_server: false,
                api_health: "UNKNOWN",
                api_fails: 0,
                running_since: None,
                data_dir: self.data_root.join("efs"),
                crash: Some(Crash {
                    api_exit: 0,
                    db_exit: 137,
                    db_reason: "OutOfMemoryError: Container killed due to memory usage",
                }),
            },
        );
        let db = |w: &mut World, s: i64, c: &str, n: u32, ctx: &str, msg: &str, attr: &str| {
            w.log_at("mongodb", &id, ago(s), mongo(ago(s), c, n, ctx, msg, attr));
        };
        db(
            self,
            started,
            "CONTROL",
            4615611,
            "initandlisten",
            "MongoDB starting",
            "{\"pid\":1,\"port\":27017,\"dbPath\":\"/data/db\"}",
        );
        db(
            self,
            started - 1,
            "NETWORK",
            23016,
            "listener",
            "Waiting for connections",
            "{\"port\":27017,\"ssl\":\"off\"}",
        );
        db(
            self,
            started - 4,
            "NETWORK",
            22943,
            "listener",
            "Connection accepted",
            "{\"remote\":\"127.0.0.1:40001\",\"connectionCount\":1}",
        );
        for (s, line) in [
            (started - 3, "> goals-api@1.0.0 start"),
            (started - 3, "> node app.js"),
            (started - 4, "CONNECTED TO MONGODB!!"),
            (started - 4, "Goals API listening on port 80"),
        ] {
            self.log_at("goals-api", &id, ago(s), line.into());
        }
        let mut s = started - 30;
        let mut n = 0u32;
        while s > STOPPED_AGO_S + 40 {
            n += 1;
            let line = if n.is_multiple_of(20) {
                "POST /goals 201 - 38 ms".to_string()
            } else {
                format!("GET /goals 200 - {} ms", 3 + n % 7)
            };
            self.log_at("goals-api", &id, ago(s), line);
            if n.is_multiple_of(40) {
                db(
                    self,
                    s,
                    "WTCHKPT",
                    22430,
                    "Checkpointer",
                    "WiredTiger message",
                    "{\"message\":\"saving checkpoint snapshot min\"}",
                );
            }
            s -= REQUEST_EVERY_S;
        }
        db(
            self,
            STOPPED_AGO_S + 31,
            "COMMAND",
            51803,
            "conn1",
            "Slow query",
            "{\"durationMillis\":2710,\"planSummary\":\"COLLSCAN\"}",
        );
        for (s, line) in [
            (
                STOPPED_AGO_S + 28,
                "MongoNetworkError: connection 1 to 127.0.0.1:27017 closed",
            ),
            (STOPPED_AGO_S + 27, "GET /goals 500 - FAILED TO LOAD GOALS."),
            (STOPPED_AGO_S + 24, "SIGTERM received: closing HTTP server"),
            (STOPPED_AGO_S + 24, "HTTP server closed"),
        ] {
            self.log_at("goals-api", &id, ago(s), line.into());
        }
        id
    }
}
