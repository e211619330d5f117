//! The embedded demo: a simulated ECS service with real HTTP on loopback.
//!
//! A scheduler replaces stopped tasks through ECS's phases (compressed to
//! seconds); each running task serves the goals API from its own loopback
//! port, keeping records in a directory that plays the EFS volume; an ALB
//! health checker sends real HTTP health checks; and a stable "load
//! balancer" address forwards to a healthy task, or answers 503.

pub mod api;
mod backend;
mod worker;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

use super::{CloudError, CloudResult, ErrorKind, Operate};
pub use api::SERVED_BY;
/// The demo's second service, to switch to with `:`.
pub use worker::SERVICE as WORKER;
use world::World;
pub use world::{CLUSTER, SERVICE};

#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Port of the stable load balancer address (0 picks a free one).
    pub lb_port: u16,
    /// Give every task a fresh, empty volume: the data-loss scenario.
    pub fresh_volume: bool,
    /// Keep the volume here, between runs (default: a temporary directory,
    /// removed on exit).
    pub data_dir: Option<PathBuf>,
    /// The service's desired count (0 means 1). More than one task puts
    /// two writers on one volume: for measuring, not for drills.
    pub tasks: u32,
    /// Put a few records on a new volume, so the probe's record count
    /// has something to keep across a restart.
    pub seed_records: bool,
    /// Answer StopTask with AccessDenied, as a policy without
    /// `ecs:StopTask` does: the drill must end ABORTED.
    pub deny_stop_task: bool,
    /// StopTask stops the task, then answers 500 ServerException, as an
    /// ECS fault after the fact: the outcome is unknown, never refused.
    pub stop_task_fault: bool,
    /// Give the API container no health check, as most real task
    /// definitions do: AWS reports its health UNKNOWN for ever.
    pub no_api_health_check: bool,
    /// The cluster's Container Insights is `enabled`, not `enhanced`:
    /// CloudWatch has the service's CPU and memory, no task's.
    pub no_container_insights: bool,
    /// minimumHealthyPercent 100 (maximumPercent 100): a forced
    /// deployment cannot replace the task and hangs, as on AWS.
    pub min_healthy_100: bool,
    /// The target group's deregistration delay (None: the demo's 4 s).
    pub deregistration_s: Option<u32>,
    /// From the first time to the second after the start, every AWS call
    /// is refused with ExpiredTokenException, as when an SSO session runs
    /// out and the operator logs in again a minute later.
    pub expired_credentials: Option<(Duration, Duration)>,
}

/// Where the demo keeps its volume.
enum DataDir {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl DataDir {
    fn path(&self) -> &std::path::Path {
        match self {
            DataDir::Temp(t) => t.path(),
            DataDir::Kept(p) => p,
        }
    }
}

/// The running simulation. Dropping it stops every server it started and
/// removes its volume directory.
pub struct DemoEnv {
    world: Arc<Mutex<World>>,
    cancel: CancellationToken,
    lb_addr: SocketAddr,
    calls: Arc<AtomicU64>,
    by_api: Arc<Mutex<std::collections::BTreeMap<String, u64>>>,
    data: DataDir,
    deny_stop_task: bool,
    stop_task_fault: bool,
    expired: Expired,
    /// Since when the worker's task runs.
    worker_since: crate::model::Time,
    by_service: PerService,
}

/// DescribeServices, ListTasks and DescribeTasks calls per service named.
type PerService = Arc<Mutex<std::collections::BTreeMap<String, u64>>>;

/// When the demo's credentials are refused (monotonic: a clock step does
/// not move it).
type Expired = Option<(tokio::time::Instant, tokio::time::Instant)>;

fn lock(world: &Mutex<World>) -> MutexGuard<'_, World> {
    // A panic while holding the lock leaves a consistent enough world for a
    // simulation; keep serving rather than cascading the panic.
    world.lock().unwrap_or_else(|p| p.into_inner())
}

impl DemoEnv {
    pub async fn start(opts: DemoOptions) -> std::io::Result<DemoEnv> {
        let data = match &opts.data_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                DataDir::Kept(d.clone())
            }
            None => DataDir::Temp(tempfile::Builder::new().prefix("ecsdeck-demo-").tempdir()?),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.lb_port)).await?;
        let lb_addr = listener.local_addr()?;
        let world = Arc::new(Mutex::new(World::new(
            data.path().to_path_buf(),
            opts.fresh_volume,
            lb_addr,
            world::Clock::system(),
        )));
        // Opened on a service that is already up, as a real one is; a
        // restart then shows the cold path.
        let (id, dir) = {
            let mut w = lock(&world);
            w.api_health_check = !opts.no_api_health_check;
            w.container_insights = !opts.no_container_insights;
            w.min_percent = if opts.min_healthy_100 { 100 } else { 0 };
            if let Some(d) = opts.deregistration_s {
                w.deregistration_s = d;
            }
            w.set_desired(opts.tasks.max(1));
            let seeded = w.seed();
            w.seed_history();
            seeded
        };
        if opts.seed_records {
            api::seed(&dir)?;
        }
        let server = world::start_server(world.clone(), id.clone(), dir).await;
        lock(&world).seeded(&id, server);
        let cancel = CancellationToken::new();
        tokio::spawn(world::run_scheduler(world.clone(), cancel.clone()));
        tokio::spawn(world::run_health_checker(world.clone(), cancel.clone()));
        let proxy = Proxy {
            world: world.clone(),
            // Loopback only: a bastion's HTTP_PROXY must not carry it.
            client: reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(std::io::Error::other)?,
        };
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let c = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { c.cancelled().await })
                .await;
        });
        Ok(DemoEnv {
            world,
            cancel,
            lb_addr,
            calls: Arc::new(AtomicU64::new(0)),
            by_api: Arc::default(),
            data,
            deny_stop_task: opts.deny_stop_task,
            stop_task_fault: opts.stop_task_fault,
            expired: opts.expired_credentials.map(|(from, until)| {
                let t0 = tokio::time::Instant::now();
                (t0 + from, t0 + until)
            }),
            worker_since: crate::clock::now() - chrono::Duration::minutes(47),
            by_service: Arc::default(),
        })
    }

    /// The calls made so far that name `service` (DescribeServices,
    /// ListTasks, DescribeTasks): whether a session still polls it.
    pub fn calls_naming(&self, service: &str) -> u64 {
        let m = self.by_service.lock().unwrap_or_else(|p| p.into_inner());
        m.get(service).copied().unwrap_or(0)
    }

    pub fn cloud(&self) -> DemoCloud {
        DemoCloud {
            world: self.world.clone(),
            calls: self.calls.clone(),
            by_api: self.by_api.clone(),
            task_polls: Arc::default(),
            deny_stop_task: self.deny_stop_task,
            stop_task_fault: self.stop_task_fault,
            expired: self.expired,
            worker_since: self.worker_since,
            by_service: self.by_service.clone(),
        }
    }

    /// The stable address that plays the load balancer's DNS name.
    pub fn lb_url(&self) -> String {
        format!("http://{}", self.lb_addr)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_path_buf()
    }
}

impl Drop for DemoEnv {
    fn drop(&mut self) {
        self.cancel.cancel();
        lock(&self.world).shutdown_all();
    }
}

#[derive(Clone)]
struct Proxy {
    world: Arc<Mutex<World>>,
    client: reqwest::Client,
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The load balancer: forwards to a healthy target, 503 when there is none,
/// 502 when the target does not answer, as an ALB does.
async fn forward(State(p): State<Proxy>, req: Request) -> Response {
    let Some(addr) = lock(&p.world).pick_target() else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "{\"message\":\"503 Service Temporarily Unavailable\"}",
        );
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "{\"message\":\"body too large\"}",
        );
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut out = p
        .client
        .request(parts.method.clone(), format!("http://{addr}{path}"))
        .body(body);
    // As an ALB does: every header but the hop-by-hop ones.
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host"
                | "connection"
                | "content-length"
                | "transfer-encoding"
                | "keep-alive"
                | "upgrade"
        ) {
            out = out.header(name.clone(), value.clone());
        }
    }
    match out.send().await {
        Ok(resp) => {
            let status = resp.status();
            let kept: Vec<_> = [header::CONTENT_TYPE, header::LOCATION]
                .into_iter()
                .map(|h| (h.clone(), resp.headers().get(&h).cloned()))
                .chain(std::iter::once((
                    header::HeaderName::from_static("x-served-by"),
                    resp.headers().get(SERVED_BY).cloned(),
                )))
                .collect();
            // A target that dies after its headers leaves the answer
            // unfinished: the ALB says 502.
            let Ok(bytes) = resp.bytes().await else {
                return plain(StatusCode::BAD_GATEWAY, "{\"message\":\"502 Bad Gateway\"}");
            };
            let mut r = Response::new(Body::from(bytes));
            *r.status_mut() = status;
            for (h, v) in kept {
                if let Some(v) = v {
                    r.headers_mut().insert(h, v);
                }
            }
            r
        }
        Err(_) => plain(StatusCode::BAD_GATEWAY, "{\"message\":\"502 Bad Gateway\"}"),
    }
}

#[async_trait]
impl Operate for DemoCloud {
    async fn stop_task_receipt(
        &self,
        _cluster: &str,
        task_arn: &str,
        reason: &str,
    ) -> CloudResult<super::Receipt> {
        self.count(&[("ecs:StopTask", 1)]);
        self.signed("ecs:StopTask")?;
        if self.deny_stop_task {
            let mut e = CloudError::new(
                ErrorKind::AccessDenied,
                "ecs:StopTask",
                "User: arn:aws:iam::000000000000:user/demo-operator is not authorized to perform: ecs:StopTask (the demo was started with --deny-stop-task)",
            );
            e.code = Some("AccessDeniedException".into());
            return Err(e);
        }
        if lock(&self.world).stop_task(task_arn, reason) {
            if self.stop_task_fault {
                let mut e = CloudError::new(
                    ErrorKind::Other,
                    "ecs:StopTask",
                    "Service Unavailable (the demo was started with --stop-task-fault)",
                );
                e.code = Some("ServerException".into());
                return Err(e);
            }
            Ok(demo_receipt())
        } else {
            Err(not_found(
                "ecs:StopTask",
                format!("task {task_arn} is not running"),
            ))
        }
    }

    async fn force_deployment_receipt(
        &self,
        _cluster: &str,
        service: &str,
    ) -> CloudResult<super::Receipt> {
        self.count(&[("ecs:UpdateService", 1)]);
        self.signed("ecs:UpdateService")?;
        if service != SERVICE {
            return Err(not_found(
                "ecs:UpdateService",
                format!("service {service} not found"),
            ));
        }
        lock(&self.world).force_deployment();
        Ok(demo_receipt())
    }
}

fn demo_receipt() -> super::Receipt {
    let h = format!("{:032x}", rand::random::<u128>());
    super::Receipt {
        request_id: Some(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )),
    }
}

/// The `Cloud` view of the simulation. Counts calls as the AWS backend
/// would make them, so the call-rate figure means the same in both.
#[derive(Clone)]
pub struct DemoCloud {
    world: Arc<Mutex<World>>,
    calls: Arc<AtomicU64>,
    by_api: Arc<Mutex<std::collections::BTreeMap<String, u64>>>,
    task_polls: Arc<AtomicU64>,
    deny_stop_task: bool,
    stop_task_fault: bool,
    expired: Expired,
    worker_since: crate::model::Time,
    by_service: PerService,
}

impl DemoCloud {
    fn named(&self, service: &str, n: u64) {
        let mut m = self.by_service.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry(service.to_string()).or_default() += n;
    }

    /// Counts calls as the AWS backend would send them, per API.
    fn count(&self, calls: &[(&str, u64)]) {
        let mut by = self.by_api.lock().unwrap_or_else(|p| p.into_inner());
        for (api, n) in calls {
            self.calls.fetch_add(*n, Ordering::Relaxed);
            *by.entry((*api).to_string()).or_default() += n;
        }
    }

    /// `--expired-credentials`: the call is refused as AWS refuses an
    /// expired session's.
    #[allow(clippy::result_large_err)] // the Cloud trait's own result, for `?`
    fn signed(&self, action: &str) -> CloudResult<()> {
        let now = tokio::time::Instant::now();
        match self.expired {
            Some((from, until)) if (from..until).contains(&now) => {
                let mut e = CloudError::new(
                    ErrorKind::Credentials,
                    action,
                    "The security token included in the request is expired",
                );
                e.code = Some("ExpiredTokenException".into());
                e.hint = Some("run aws sso login --profile demo".into());
                Err(e)
            }
            _ => Ok(()),
        }
    }
}

fn not_found(action: &str, what: String) -> CloudError {
    let mut e = CloudError::new(ErrorKind::NotFound, action, what);
    e.code = Some("NotFound".into());
    e
}
