//! The demo task's API server: the goals REST API of the reference
//! deployment, keeping its records in a directory that plays the EFS volume.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Goal {
    pub id: String,
    pub text: String,
}

/// Where the API's console output goes: the task's log stream.
pub type Sink = Arc<dyn Fn(String) + Send + Sync>;

#[derive(Clone)]
struct Store {
    log: Sink,
    file: Arc<PathBuf>,
    // One writer at a time, like mongod on its own files.
    lock: Arc<Mutex<()>>,
}

impl Store {
    async fn load(&self) -> Result<Vec<Goal>, String> {
        match tokio::fs::read(&*self.file).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }
    async fn save(&self, goals: &[Goal]) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(goals).map_err(|e| e.to_string())?;
        let tmp = self.file.with_extension("json.tmp");
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| e.to_string())?;
        tokio::fs::rename(&tmp, &*self.file)
            .await
            .map_err(|e| e.to_string())
    }
}

type ApiResult = (StatusCode, Json<serde_json::Value>);

fn failed(e: String) -> ApiResult {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "message": format!("Failed to access the database: {e}") })),
    )
}

async fn list(State(store): State<Store>) -> ApiResult {
    let _g = store.lock.lock().await;
    match store.load().await {
        Ok(goals) => (StatusCode::OK, Json(json!({ "goals": goals }))),
        Err(e) => {
            (store.log)(format!("ERROR FETCHING GOALS: {e}"));
            failed(e)
        }
    }
}

#[derive(Deserialize)]
struct NewGoal {
    text: Option<String>,
}

async fn create(State(store): State<Store>, body: Option<Json<NewGoal>>) -> ApiResult {
    let text = body
        .and_then(|Json(b)| b.text)
        .filter(|t| !t.trim().is_empty());
    let Some(text) = text else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "message": "Invalid goal text." })),
        );
    };
    let _g = store.lock.lock().await;
    let mut goals = match store.load().await {
        Ok(g) => g,
        Err(e) => return failed(e),
    };
    let goal = Goal {
        id: format!("{:024x}", rand::random::<u128>() >> 32),
        text,
    };
    goals.push(goal.clone());
    (store.log)("TRYING TO STORE GOAL".into());
    match store.save(&goals).await {
        Ok(()) => {
            (store.log)("STORED NEW GOAL".into());
            (
                StatusCode::CREATED,
                Json(json!({ "message": "Goal saved", "goal": goal })),
            )
        }
        Err(e) => failed(e),
    }
}

async fn remove(State(store): State<Store>, UrlPath(id): UrlPath<String>) -> ApiResult {
    let _g = store.lock.lock().await;
    let mut goals = match store.load().await {
        Ok(g) => g,
        Err(e) => return failed(e),
    };
    let before = goals.len();
    goals.retain(|g| g.id != id);
    if goals.len() == before {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "message": "Goal not found." })),
        );
    }
    (store.log)("TRYING TO DELETE GOAL".into());
    match store.save(&goals).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "message": "Goal deleted!" }))),
        Err(e) => failed(e),
    }
}

/// An access log line per request, as the course's API writes with morgan
/// ("combined" format).
async fn access_log(State(log): State<Sink>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let line = format!("\"{} {} HTTP/1.1\"", req.method(), req.uri());
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let resp = next.run(req).await;
    let size = resp
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    log(format!(
        "::ffff:10.0.0.34 - - [{}] {line} {} {size} \"-\" \"{agent}\" - {:.3} ms",
        crate::clock::now().format("%d/%b/%Y:%H:%M:%S +0000"),
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    resp
}

/// The header the demo's API names the serving task in, so the probe can
/// show the new task take over.
pub const SERVED_BY: &str = "X-Served-By";

async fn served_by(State(task): State<Arc<str>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&task) {
        resp.headers_mut().insert(SERVED_BY, v);
    }
    resp
}

/// The router of task `task_id`'s API, storing into `data_dir/goals.json`
/// and writing its console output to `log`.
pub fn router(task_id: &str, data_dir: &Path, log: Sink) -> Router {
    let store = Store {
        log: log.clone(),
        file: Arc::new(data_dir.join("goals.json")),
        lock: Arc::new(Mutex::new(())),
    };
    Router::new()
        .route("/goals", get(list).post(create))
        .route("/goals/{id}", delete(remove))
        .with_state(store)
        .layer(middleware::from_fn_with_state(log, access_log))
        .layer(middleware::from_fn_with_state(
            Arc::from(task_id),
            served_by,
        ))
}

/// A few records on a volume that has none yet (a kept volume is left
/// as it is).
pub fn seed(data_dir: &Path) -> std::io::Result<()> {
    let file = data_dir.join("goals.json");
    if file.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(data_dir)?;
    let goals: Vec<Goal> = ["Learn Docker", "Run it on ECS", "Keep the data on EFS"]
        .iter()
        .enumerate()
        .map(|(i, t)| Goal {
            id: format!("{:024x}", 0x5eed_0000 + i),
            text: (*t).to_string(),
        })
        .collect();
    let bytes = serde_json::to_vec_pretty(&goals).map_err(std::io::Error::other)?;
    std::fs::write(file, bytes)
}

/// Total size of the files under a directory, for the EFS "size" figure.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
