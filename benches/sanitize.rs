//! The sanitiser every log line and AWS string goes through: a typical
//! access line, and the hostile cases that were once quadratic (tabs).
//!
//!   cargo bench --bench sanitize

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecsdeck::model::sanitize::sanitize;

fn sanitise(c: &mut Criterion) {
    let mut g = c.benchmark_group("sanitize");
    let line = "::ffff:10.0.0.34 - - [27/Nov/2026:19:02:11 +0000] \"GET /goals HTTP/1.1\" 200 52 \"-\" \"ELB-HealthChecker/2.0\" \x1b[32m- 0.4 ms\x1b[0m";
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.bench_function("access line with colours", |b| {
        b.iter(|| sanitize(black_box(line.as_bytes())))
    });
    for (name, n) in [
        ("60 KB of tabs", 60_000usize),
        ("256 KiB of tabs", 256 * 1024),
    ] {
        let tabs = vec![b'\t'; n];
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(name, |b| b.iter(|| sanitize(black_box(&tabs))));
    }
    let mixed = "key\tvalue\t".repeat(6_000);
    g.throughput(Throughput::Bytes(mixed.len() as u64));
    g.bench_function("60 KB of words and tabs", |b| {
        b.iter(|| sanitize(black_box(mixed.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, sanitise);
criterion_main!(benches);
