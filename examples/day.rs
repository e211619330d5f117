//! A day of the dashboard in a minute or two: the demo's service as
//! the pollers observe it, replayed on a virtual clock through the same
//! reducer and log follower the dashboard runs — a probe sample and a log
//! line every second, the service, tasks and targets every 5 s, EFS every
//! 30 s, a replacement (a new task, the old one draining and stopped, an
//! event, new log streams) every hour, the call counters every second and
//! a frame drawn every minute. It prints the process's resident memory and
//! the size of every structure kept across polls, every few hours.
//!
//!   cargo run --release --example day [HOURS]      # default 24

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use ecsdeck::app::{Context, Msg, State, update};
use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
use ecsdeck::cloud::{Cloud, CloudError, CloudResult, ErrorKind};
use ecsdeck::logfollow::LogFollower;
use ecsdeck::model::logs::{
    FilterPage, FilteredEvent, LogCursor, LogPage, LogQuery, LogSource, RawLogEvent,
    log_sources_by_task,
};
use ecsdeck::model::observe::{Observation, PollEvent, ProbeResult, Resource};
use ecsdeck::model::probe::{Outcome, Sample};
use ecsdeck::model::{
    FileSystem, Identity, Service, ServiceEvent, ServiceRef, TargetGroup, Task, TaskDef, Time,
};
use ecsdeck::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Seconds since the start of the day, per task id: when it ran.
#[derive(Default)]
struct Lives(BTreeMap<String, (i64, Option<i64>)>);

/// CloudWatch Logs as the follower sees it: the API container writes a
/// line a second, mongod one a minute, while their task runs.
struct Logs {
    t0: Time,
    now_s: Mutex<i64>,
    lives: Mutex<Lives>,
}

impl Logs {
    fn lines(&self, stream: &str, from_s: i64, to_s: i64) -> Vec<(i64, String)> {
        let id = stream.rsplit('/').next().unwrap_or_default();
        let lives = self.lives.lock().expect("lock");
        let Some((start, stop)) = lives.0.get(id).copied() else {
            return Vec::new();
        };
        let every = if stream.contains("mongodb") { 60 } else { 1 };
        let (a, b) = (from_s.max(start), to_s.min(stop.unwrap_or(i64::MAX)));
        (a..=b)
            .filter(|t| t % every == 0)
            .map(|t| {
                (
                    t,
                    format!(
                        "::ffff:10.0.0.34 - - \"GET /goals HTTP/1.1\" 200 61 \"-\" \"ELB-HealthChecker/2.0\" {t}"
                    ),
                )
            })
            .collect()
    }

    fn ms(&self, s: i64) -> i64 {
        self.t0.timestamp_millis() + s * 1000
    }

    fn s(&self, ms: i64) -> i64 {
        (ms - self.t0.timestamp_millis()).div_euclid(1000)
    }
}

fn absent(action: &str) -> CloudError {
    CloudError::new(ErrorKind::Other, action, "not part of this replay")
}

#[async_trait]
impl Cloud for Logs {
    fn region(&self) -> String {
        "us-east-1".into()
    }
    async fn identity(&self) -> CloudResult<Identity> {
        Err(absent("sts:GetCallerIdentity"))
    }
    async fn list_services(&self, _: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
        Err(absent("ecs:ListServices"))
    }
    async fn service(&self, _: &ServiceRef) -> CloudResult<Service> {
        Err(absent("ecs:DescribeServices"))
    }
    async fn task_definition(&self, _: &str) -> CloudResult<TaskDef> {
        Err(absent("ecs:DescribeTaskDefinition"))
    }
    async fn tasks(&self, _: &ServiceRef) -> CloudResult<Vec<Task>> {
        Err(absent("ecs:ListTasks"))
    }
    async fn target_groups(&self, _: &[String]) -> CloudResult<Vec<TargetGroup>> {
        Err(absent("elasticloadbalancing:DescribeTargetHealth"))
    }
    async fn file_systems(&self, _: &[String]) -> CloudResult<Vec<FileSystem>> {
        Err(absent("elasticfilesystem:DescribeFileSystems"))
    }
    async fn insights(&self, _: &str) -> CloudResult<ecsdeck::model::metrics::Insights> {
        Err(absent("ecs:DescribeClusters"))
    }
    async fn metrics(
        &self,
        _: &ecsdeck::model::metrics::MetricsAsk,
    ) -> CloudResult<ecsdeck::model::metrics::MetricsPage> {
        Err(absent("cloudwatch:GetMetricData"))
    }
    async fn log_page(&self, src: &LogSource, c: &LogCursor, limit: i32) -> CloudResult<LogPage> {
        let now = *self.now_s.lock().expect("lock");
        let from = match c {
            LogCursor::Tail(_) => now - 3600,
            LogCursor::After(t) => t.parse::<i64>().unwrap_or(now),
        };
        let mut lines = self.lines(&src.stream, from, now);
        let keep = lines.len().saturating_sub(limit.max(0) as usize);
        lines.drain(..keep);
        Ok(LogPage {
            events: lines
                .into_iter()
                .map(|(t, message)| RawLogEvent {
                    timestamp_ms: self.ms(t),
                    message,
                })
                .collect(),
            next: (now + 1).to_string(),
        })
    }
    async fn filter_logs(&self, q: &LogQuery, _: Option<&str>) -> CloudResult<FilterPage> {
        let now = *self.now_s.lock().expect("lock");
        let from = self.s(q.start_ms);
        let mut events = Vec::new();
        for stream in &q.streams {
            for (t, message) in self.lines(stream, from, now) {
                events.push(FilteredEvent {
                    id: format!("{stream}#{t}"),
                    stream: stream.clone(),
                    timestamp_ms: self.ms(t),
                    message,
                });
            }
        }
        events.sort_by_key(|e| e.timestamp_ms);
        Ok(FilterPage { events, next: None })
    }
    fn api_calls(&self) -> u64 {
        0
    }
}

/// The process's resident memory, in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The demo's service, observed once for real: the shapes the replay
/// moves through a day.
struct Seed {
    service: Service,
    task: Task,
    task_defs: Vec<TaskDef>,
    targets: Vec<TargetGroup>,
    efs: Vec<FileSystem>,
}

async fn seed() -> Seed {
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let cloud = env.cloud();
    let svc = ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    let service = cloud.service(&svc).await.expect("service");
    let task = cloud.tasks(&svc).await.expect("tasks")[0].clone();
    let td = cloud
        .task_definition(&task.task_definition)
        .await
        .expect("task definition");
    let targets = cloud
        .target_groups(&service.target_group_arns())
        .await
        .expect("targets");
    let fs_ids: Vec<String> = td
        .volumes
        .iter()
        .filter_map(|v| v.efs.as_ref().map(|e| e.file_system_id.clone()))
        .collect();
    let efs = cloud.file_systems(&fs_ids).await.expect("efs");
    Seed {
        service,
        task,
        task_defs: vec![td],
        targets,
        efs,
    }
}

/// The task of the `n`th hour: a new id and address, started at `start`.
fn task_of(seed: &Task, n: u32, at: Time) -> Task {
    let mut t = seed.clone();
    let id = format!("{n:08x}0c2f4c7e9a1b2c3d4e5f6a7b");
    let arn = seed
        .arn
        .rsplit_once('/')
        .map_or(id.clone(), |(p, _)| format!("{p}/{id}"));
    t.arn = arn;
    t.private_ip = Some(format!("10.0.{}.{}", 1 + n % 2, 10 + n % 200));
    t.created_at = Some(at);
    t.started_at = Some(at);
    t
}

fn stopping(t: &mut Task, at: Time) {
    t.desired_status = "STOPPED".into();
    t.last_status = "DEACTIVATING".into();
    t.stopping_at.get_or_insert(at);
}

fn stopped(t: &mut Task, at: Time) {
    t.last_status = "STOPPED".into();
    t.stopped_at.get_or_insert(at);
    t.stop_code = Some("ServiceSchedulerInitiated".into());
    t.stopped_reason =
        Some("ECS is performing maintenance on the underlying infrastructure".into());
    for c in &mut t.containers {
        c.last_status = "STOPPED".into();
        c.exit_code = Some(0);
    }
}

fn poll(resource: Resource, at: Time, obs: Observation) -> Msg {
    Msg::Poll(Box::new(PollEvent {
        resource,
        at,
        result: Ok(obs),
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let hours: i64 = std::env::args()
        .nth(1)
        .and_then(|h| h.parse().ok())
        .unwrap_or(24);
    let seed = seed().await;
    let t0 = seed.task.started_at.unwrap_or_else(ecsdeck::clock::now);
    let at = |s: i64| t0 + chrono::Duration::seconds(s);
    let target = ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    let mut state = State::new(Context::new(target, "us-east-1"), at(0));
    let logs = Logs {
        t0,
        now_s: Mutex::new(0),
        lives: Mutex::new(Lives::default()),
    };
    let mut follower = LogFollower::default();
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let theme = Theme::from_env();
    let mut service = seed.service.clone();
    let mut tasks = vec![task_of(&seed.task, 0, at(0))];
    logs.lives.lock().expect("lock").0.insert(
        tasks[0].arn.rsplit('/').next().unwrap_or_default().into(),
        (0, None),
    );
    let mut calls: u64 = 0;
    let apis = [
        "ecs:DescribeServices",
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeMountTargets",
        "logs:FilterLogEvents",
        "logs:GetLogEvents",
        "sts:GetCallerIdentity",
    ];
    let rss0 = rss_mib();
    println!("a simulated day: {hours} h on a virtual clock, demo service, 120x40 screen");
    println!("RSS at the start: {rss0:.1} MiB\n");
    let started = std::time::Instant::now();
    for s in 0..hours * 3600 {
        let now = at(s);
        *logs.now_s.lock().expect("lock") = s;
        // A replacement every hour: the new task starts, the old one
        // drains for 30 s, then stops; stopped tasks are listed an hour.
        let hour = s / 3600;
        if s % 3600 == 0 && hour > 0 {
            let n = u32::try_from(hour).unwrap_or(u32::MAX);
            let new = task_of(&seed.task, n, now);
            logs.lives.lock().expect("lock").0.insert(
                new.arn.rsplit('/').next().unwrap_or_default().into(),
                (s, None),
            );
            for t in tasks.iter_mut().filter(|t| t.last_status == "RUNNING") {
                stopping(t, now);
            }
            service.events.insert(
                0,
                ServiceEvent {
                    id: format!("ev{hour}"),
                    at: Some(now),
                    message: format!(
                        "(service {SERVICE}) has started 1 tasks: (task {}).",
                        new.arn
                    ),
                },
            );
            // DescribeServices returns the newest 100 events.
            service.events.truncate(100);
            tasks.push(new);
        }
        if s % 3600 == 30 && hour > 0 {
            for t in tasks.iter_mut().filter(|t| t.last_status == "DEACTIVATING") {
                stopped(t, now);
                let id = t.arn.rsplit('/').next().unwrap_or_default().to_string();
                if let Some(life) = logs.lock_lives().0.get_mut(&id) {
                    life.1 = Some(s);
                }
            }
        }
        tasks.retain(|t| {
            t.stopped_at
                .is_none_or(|at| (now - at).num_seconds() < 3600)
        });
        let current = tasks
            .iter()
            .find(|t| t.last_status == "RUNNING")
            .map(|t| t.arn.rsplit('/').next().unwrap_or_default().to_string());

        if s % 5 == 0 {
            update(
                &mut state,
                poll(
                    Resource::Service,
                    now,
                    Observation::Service(Box::new(service.clone())),
                ),
            );
            update(
                &mut state,
                poll(Resource::Tasks, now, Observation::Tasks(tasks.clone())),
            );
            let mut tgs = seed.targets.clone();
            for tg in &mut tgs {
                let proto = tg.targets.first().cloned();
                tg.targets = tasks
                    .iter()
                    .filter(|t| !t.is_stopped())
                    .filter_map(|t| {
                        let mut x = proto.clone()?;
                        x.id = t.private_ip.clone()?;
                        x.state = if t.last_status == "RUNNING" {
                            "healthy"
                        } else {
                            "draining"
                        }
                        .into();
                        Some(x)
                    })
                    .collect();
            }
            update(
                &mut state,
                poll(Resource::Targets, now, Observation::Targets(tgs)),
            );
        }
        if s % 30 == 0 {
            update(
                &mut state,
                poll(
                    Resource::TaskDefs,
                    now,
                    Observation::TaskDefs(seed.task_defs.clone()),
                ),
            );
            update(
                &mut state,
                poll(Resource::Efs, now, Observation::Efs(seed.efs.clone())),
            );
        }
        // The probe, once a second.
        let sample = Sample {
            at: now,
            outcome: Outcome::Http(200),
            up: true,
            total_ms: 3,
            connect_ms: Some(1),
            first_byte_ms: Some(2),
            records: Some(3),
            records_at_least: false,
            served_by: current.clone(),
            detail: None,
        };
        update(
            &mut state,
            poll(
                Resource::Probe,
                now,
                Observation::Probe(Box::new(ProbeResult {
                    url: "http://goals-alb-1.us-east-1.elb.amazonaws.com/goals".into(),
                    sample,
                })),
            ),
        );
        // The logs, once a second, through the real follower.
        let sources = log_sources_by_task(&seed.task_defs, &tasks);
        let got = follower.poll(&logs, &sources, now).await;
        update(
            &mut state,
            poll(Resource::Logs, now, Observation::Logs(Box::new(got))),
        );
        // The session's counters and the clock.
        calls += 2;
        update(&mut state, Msg::ApiCalls(now, calls));
        update(
            &mut state,
            Msg::ApiCallsBy(
                now,
                apis.iter().map(|a| (a.to_string(), calls / 9)).collect(),
            ),
        );
        update(&mut state, Msg::Slowed(Vec::new()));
        update(&mut state, Msg::Paused(None));
        update(&mut state, Msg::Tick(now));
        if s % 60 == 0 {
            term.draw(|f| render(&state, &theme, f)).expect("draw");
        }
        if (s + 1) % (3 * 3600) == 0 || s + 1 == hours * 3600 {
            report(s + 1, &state, &follower, started.elapsed());
        }
    }
    println!(
        "\nRSS at the end: {:.1} MiB (start {rss0:.1} MiB)",
        rss_mib()
    );
}

impl Logs {
    fn lock_lives(&self) -> std::sync::MutexGuard<'_, Lives> {
        self.lives.lock().expect("lock")
    }
}

fn report(s: i64, state: &State, follower: &LogFollower, took: Duration) {
    let sizes: Vec<String> = state
        .footprint()
        .into_iter()
        .chain(follower.footprint())
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "{:>2} h  RSS {:>6.1} MiB  ({:.0} s to here)  {}",
        s / 3600,
        rss_mib(),
        took.as_secs_f64(),
        sizes.join(" · ")
    );
}
