//! What the server keeps between requests: the scenarios it offers, its
//! limits, the running what-ifs by client (so that a newer change cancels
//! the older one) and the permits that bound how many run at once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::Semaphore;

use super::sources::Sources;

/// The bounds on what one client may ask.
pub(super) struct Limits {
    /// Most replications per strategy in one what-if.
    pub(super) max_runs: u64,
    /// Most wall-clock seconds of one what-if.
    pub(super) max_seconds: u64,
    /// Most runs at once.
    pub(super) running: usize,
}

/// The server's state, shared by every request.
pub(super) struct AppState {
    pub(super) sources: Sources,
    pub(super) limits: Limits,
    /// Runs at once: a what-if or a replay holds one permit while it runs.
    pub(super) permits: Semaphore,
    /// The cancel flag of each client's running what-if.
    clients: Mutex<BTreeMap<String, Arc<AtomicBool>>>,
    /// Every run's flag, for Ctrl-C.
    all: Mutex<Vec<std::sync::Weak<AtomicBool>>>,
    /// Runs holding a permit now.
    pub(super) active: AtomicUsize,
    /// Runs waiting for one.
    pub(super) waiting: AtomicUsize,
    /// The tabletop sessions.
    pub(super) tabletops: super::tabletop::Store,
}

impl AppState {
    pub(super) fn new(
        sources: Sources,
        limits: Limits,
        tabletops: super::tabletop::Store,
    ) -> Arc<AppState> {
        Arc::new(AppState {
            sources,
            permits: Semaphore::new(limits.running.max(1)),
            limits,
            clients: Mutex::new(BTreeMap::new()),
            all: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            tabletops,
        })
    }

    /// A new run's cancel flag; a run of the same `client` still going is
    /// cancelled (the newer change replaces it).
    pub(super) fn start(&self, client: Option<&str>) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(client) = client {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(old) = clients.insert(client.to_string(), flag.clone()) {
                old.store(true, Ordering::SeqCst);
            }
            // Forget the clients whose runs ended.
            clients.retain(|_, f| Arc::strong_count(f) > 1);
        }
        let mut all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&flag));
        flag
    }

    /// Ctrl-C: every run stops after the block in flight.
    pub(super) fn cancel_all(&self) {
        let all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
        for flag in all.iter().filter_map(std::sync::Weak::upgrade) {
            flag.store(true, Ordering::SeqCst);
        }
        self.permits.close();
    }
}

/// `GET /api/status`: runs going and waiting, and the limits.
pub(super) async fn status(State(state): State<Arc<AppState>>) -> Response {
    Json(json!({
        "running": state.active.load(Ordering::SeqCst),
        "waiting": state.waiting.load(Ordering::SeqCst),
        "max_running": state.limits.running,
        "max_runs": state.limits.max_runs,
        "max_seconds": state.limits.max_seconds,
    }))
    .into_response()
}

/// A request refused: its status and the message, answered as
/// `{"error": MESSAGE}`.
pub(super) struct Reject(pub(super) StatusCode, pub(super) String);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Bad input: 400 with the message the CLI would print.
pub(super) fn bad_request(message: impl Into<String>) -> Reject {
    Reject(StatusCode::BAD_REQUEST, message.into())
}

/// A request's query, `key=value` pairs in order (a key may repeat, as
/// `set` does).
pub(super) struct Query(pub(super) Vec<(String, String)>);

impl Query {
    /// The last value of `key`.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub(super) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `key` as a number, `default` when absent; bad input names the key.
    pub(super) fn number(&self, key: &str, default: u64) -> Result<u64, Reject> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| {
                bad_request(format!(
                    "`{key}={v}`: expected a whole number, like `{key}={default}`"
                ))
            }),
        }
    }
}

/// A run's place among the runs at once; counted while held.
pub(super) struct Permit<'a> {
    _permit: tokio::sync::SemaphorePermit<'a>,
    active: &'a AtomicUsize,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a waiting run while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits for a permit to run, telling the client it waits; `None` when
/// the run was cancelled, its client went away, or the server stops.
pub(super) async fn permit<'a>(
    state: &'a AppState,
    tx: &tokio::sync::mpsc::Sender<super::whatif::Message>,
    flag: &AtomicBool,
) -> Option<Permit<'a>> {
    state.waiting.fetch_add(1, Ordering::SeqCst);
    let _waiting = Waiting(&state.waiting);
    let mut told = false;
    loop {
        tokio::select! {
            p = state.permits.acquire() => {
                let p = p.ok()?;
                state.active.fetch_add(1, Ordering::SeqCst);
                return Some(Permit { _permit: p, active: &state.active });
            }
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                if flag.load(Ordering::SeqCst) || tx.is_closed() {
                    let _ = tx.try_send(("cancelled", json!({ "reason": "replaced by a newer change before it started" })));
                    return None;
                }
                if !told {
                    told = true;
                    let _ = tx.try_send(("queued", json!({
                        "running": state.active.load(Ordering::SeqCst),
                        "waiting": state.waiting.load(Ordering::SeqCst),
                    })));
                }
            }
        }
    }
}
