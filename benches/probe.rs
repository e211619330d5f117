//! The probe's own cost, printed as figures:
//!
//! - CPU per sample (the prober's thread only, not the server's), with a
//!   fresh connection per sample (the default) and with a kept one, and
//!   what that makes at the default 1 s interval;
//! - CPU of taking a sample into the history and working out what the
//!   pane shows (availability, outages, the glance);
//! - memory of an hour of samples at 1 s (the full ring), measured by a
//!   counting allocator.
//!
//!   cargo bench --bench probe

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use ecsdeck::model::probe::{History, Outcome, ProbeConfig, RING, Sample, glance};
use ecsdeck::probe::Prober;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout, passed through.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        // SAFETY: `p` came from `alloc` with this layout.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec, a valid clock id.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A small JSON API on its own thread and runtime, so its CPU is not
/// counted as the probe's: four records, the served-by header, keep-alive.
fn api_server() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/goals",
                axum::routing::get(|| async {
                    (
                        [("x-served-by", "6299e51e0c2f4c7e9a1b2c3d4e5f6a7b")],
                        axum::Json(serde_json::json!({"goals": [
                            {"id": "1", "text": "Learn Docker"},
                            {"id": "2", "text": "Run it on ECS"},
                            {"id": "3", "text": "Keep the data on EFS"},
                            {"id": "4", "text": "Survive a restart"},
                        ]})),
                    )
                }),
            );
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(l.local_addr().expect("addr")).expect("send");
            axum::serve(l, app).await.expect("serve");
        });
    });
    rx.recv().expect("address")
}

fn cpu_per_sample(addr: std::net::SocketAddr, reuse: bool, n: u32) -> Duration {
    let mut cfg = ProbeConfig::default();
    cfg.info.reuse_connections = reuse;
    cfg.info.served_by_header = Some("X-Served-By".into());
    let url = format!("http://{addr}/goals");
    // The probe's runtime, as in the dashboard: its work on this thread
    // (a current-thread runtime keeps it here).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let p = Prober::new(cfg).expect("prober");
        for _ in 0..20 {
            assert!(p.sample(&url).await.up, "warm-up");
        }
        let start = thread_cpu();
        for _ in 0..n {
            let s = p.sample(&url).await;
            assert_eq!(s.records, Some(4));
        }
        (thread_cpu() - start) / n
    })
}

fn sample(i: usize) -> Sample {
    let up = i % 97 > 5;
    Sample {
        at: ecsdeck::clock::now() - chrono::Duration::seconds((RING - i) as i64),
        outcome: if up {
            Outcome::Http(200)
        } else {
            Outcome::Http(503)
        },
        up,
        total_ms: 12,
        connect_ms: Some(3),
        first_byte_ms: Some(10),
        records: up.then_some(4),
        records_at_least: false,
        served_by: up.then(|| "6299e51e0c2f4c7e9a1b2c3d4e5f6a7b".to_string()),
        detail: None,
    }
}

fn main() {
    let addr = api_server();
    let n = 2000;
    let fresh = cpu_per_sample(addr, false, n);
    let kept = cpu_per_sample(addr, true, n);
    let pct = |d: Duration| d.as_secs_f64() * 100.0;
    println!("probe CPU per sample (prober thread, {n} samples, loopback HTTP, 4 records):");
    println!(
        "  new connection each sample: {:>7.1} µs  -> at 1 s interval {:.3} % of one core",
        fresh.as_secs_f64() * 1e6,
        pct(fresh)
    );
    println!(
        "  kept connection:            {:>7.1} µs  -> at 1 s interval {:.3} % of one core",
        kept.as_secs_f64() * 1e6,
        pct(kept)
    );

    // Taking samples into a full ring, and what the pane works out.
    let mut h = History::default();
    for i in 0..RING {
        h.push(sample(i));
    }
    let rounds: u32 = 2000;
    let now = ecsdeck::clock::now();
    let start = Instant::now();
    for i in 0..rounds {
        h.push(sample(i as usize % RING));
        std::hint::black_box(h.availability(now, Duration::from_secs(60)));
        std::hint::black_box(h.availability(now, Duration::from_secs(300)));
        std::hint::black_box(glance(&h, Duration::from_secs(2)));
        std::hint::black_box(h.longest_outage(now));
    }
    println!(
        "history: push + availability (1m, 5m) + glance + longest outage on a full ring: {:.1} µs per sample",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    );

    // Memory of an hour of samples at 1 s.
    let before = LIVE.load(Ordering::Relaxed);
    let mut h = History::default();
    for i in 0..RING {
        h.push(sample(i));
    }
    let after = LIVE.load(Ordering::Relaxed);
    println!(
        "memory of an hour of samples ({RING} at 1 s, served-by on each): {:.0} KiB measured, {:.0} KiB by the ring's own count",
        (after - before) as f64 / 1024.0,
        h.approx_bytes() as f64 / 1024.0
    );
    std::hint::black_box(&h);
}
