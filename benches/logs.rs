//! Logs: ingest throughput (with the sanitising the backend does, so the
//! figure is the work per poll wherever it runs) and the cost of drawing
//! the logs pane with an almost empty and with a full buffer (they should
//! cost the same).
//!
//!   cargo bench --bench logs

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ecsdeck::app::{Action, Context, Msg, State, update};
use ecsdeck::logfollow::{FollowResult, LogBatch};
use ecsdeck::model::ServiceRef;
use ecsdeck::model::logs::{LogSource, RawLogEvent};
use ecsdeck::model::observe::{Observation, PollEvent, Resource};
use ecsdeck::model::sanitize::sanitize;
use ecsdeck::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn state(cap: usize) -> State {
    State::new(
        Context {
            log_buffer: cap,
            ..Context::new(
                ServiceRef {
                    cluster: "goals-cluster".into(),
                    service: "goals-service".into(),
                },
                "us-east-1",
            )
        },
        Utc.timestamp_opt(1_790_000_000, 0).single().expect("time"),
    )
}

fn batch(container: &str, from: i64, n: usize) -> LogBatch {
    LogBatch {
        source: LogSource {
            group: "/ecs/goals".into(),
            region: None,
            stream: format!("ecs/{container}/6299e51e9a1b4c5d"),
            container: container.into(),
            task_arn: "arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/6299e51e9a1b4c5d".into(),
            stopped_at: None,
            started: true,
            stop_reason: None,
        },
        events: (0..n)
            .map(|i| RawLogEvent {
                timestamp_ms: (1_790_000_000 + from + i as i64) * 1000,
                message: sanitize(format!(
                    "::ffff:10.0.0.34 - - [27/Nov/2026:19:02:11 +0000] \"GET /goals?page={i} HTTP/1.1\" 200 52 \"-\" \"ELB-HealthChecker/2.0\" \x1b[32m- 0.4 ms\x1b[0m"
                ).as_bytes()),
            })
            .collect(),
    }
}

fn logs_msg(batches: Vec<LogBatch>) -> Msg {
    Msg::Poll(Box::new(PollEvent {
        resource: Resource::Logs,
        at: Utc.timestamp_opt(1_790_000_000, 0).single().expect("time"),
        result: Ok(Observation::Logs(Box::new(FollowResult {
            batches,
            problems: vec![],
            calls: 2,
            following: 2,
            ..Default::default()
        }))),
    }))
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    let n = 1000;
    g.throughput(Throughput::Elements(2 * n as u64));
    g.bench_function("2x1000 lines into a full 10k buffer", |b| {
        let mut s = state(10_000);
        update(&mut s, logs_msg(vec![batch("goals-api", 0, 10_000)]));
        let mut t = 10_000;
        b.iter(|| {
            // Two streams whose lines interleave in time.
            let msg = logs_msg(vec![batch("goals-api", t, n), batch("mongodb", t, n)]);
            t += n as i64;
            update(&mut s, black_box(msg));
        });
    });
    g.finish();
}

fn draw(c: &mut Criterion) {
    let mut g = c.benchmark_group("draw logs pane 120x40");
    for lines in [10usize, 100, 10_000] {
        let mut s = state(10_000);
        update(&mut s, logs_msg(vec![batch("goals-api", 0, lines)]));
        update(&mut s, Msg::Action(Action::LogsFull));
        let theme = Theme { color: true };
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        g.bench_with_input(BenchmarkId::from_parameter(lines), &s, |b, s| {
            b.iter(|| {
                term.draw(|f| render(black_box(s), &theme, f))
                    .expect("draw");
            });
        });
    }
    g.finish();
}

criterion_group!(benches, ingest, draw);
criterion_main!(benches);
