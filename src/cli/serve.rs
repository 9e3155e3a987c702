//! `hvsim serve`: a local page for workshops and classes. The what-if
//! comparison (levers as sliders and switches, re-run on common random
//! numbers as they move, partial results streamed), the replay of one run
//! hour by hour, and saving the changes as a new scenario file.
//!
//! The page, its script and its styles are in the binary. The server is
//! bound to loopback unless `--bind` says otherwise (with a warning: the
//! page has no authentication). Every run is bounded (replications, wall
//! time, runs at once), a client's newer change cancels its running one,
//! and a client that goes away cancels its run. Nothing a client sends can
//! stop the server: bad input is answered with the CLI's message.

mod replay;
mod sources;
mod state;
mod tabletop;
mod whatif;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::Failure;
use super::output::note;
use state::AppState;

pub(super) use tabletop::DecisionsFile;

/// The page, served at `/`.
const PAGE: &str = include_str!("serve/page.html");
/// Its script, served at `/app.js`.
const SCRIPT: &str = include_str!("serve/app.js");
/// Its styles, served at `/app.css`.
const STYLES: &str = include_str!("serve/app.css");

#[derive(clap::Args, Debug)]
pub(super) struct ServeArgs {
    /// A scenario file to offer first (changes made on the page can be
    /// saved beside it as a new file); the bundled scenarios are always
    /// offered.
    scenario: Option<PathBuf>,
    /// The port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on. Anything but loopback exposes the page,
    /// which has no authentication, to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Open the page in the default browser once listening.
    #[arg(long)]
    open: bool,
    /// Most replications per strategy one what-if may ask for.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_runs: u64,
    /// Most what-ifs and replays running at once (the others wait); by
    /// default, the cores.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    max_running: Option<u32>,
    /// Most wall-clock seconds one what-if may run before it is stopped
    /// (its partial result is kept, and says so).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    max_seconds: u64,
    /// Keep each tabletop session as a file in this directory (created if
    /// needed; each file is the session as the page saves it), so that
    /// sessions survive a restart of the server. Without it, sessions
    /// live in memory (the 200 most recently started).
    #[arg(long, value_name = "DIR")]
    sessions: Option<PathBuf>,
}

pub(super) fn serve(args: ServeArgs) -> Result<(), Failure> {
    let sources = sources::Sources::new(args.scenario.as_deref())?;
    let running = args.max_running.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let limits = state::Limits {
        max_runs: args.max_runs,
        max_seconds: args.max_seconds,
        running,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the server's runtime: {e}")))?;
    let tabletops = tabletop::Store::open(args.sessions.as_deref())?;
    let result = runtime.block_on(listen(args, AppState::new(sources, limits, tabletops)));
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

/// How long Ctrl-C waits for the runs going on to stop.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Binds, says where, and serves until Ctrl-C.
async fn listen(args: ServeArgs, state: Arc<AppState>) -> Result<(), Failure> {
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Failure::Other(format!("cannot listen on {addr}: {e} (try another --port)"))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::Other(format!("cannot read the bound address: {e}")))?;
    if !args.bind.is_loopback() {
        note(&format!(
            "warning: listening on {bound}, not loopback: anyone who can reach this address can use the page, which has no authentication"
        ));
    }
    let url = format!("http://{bound}/");
    super::output::emit(&format!(
        "hvsim serve: listening on {url} (Ctrl-C to stop)\n"
    ))?;
    if args.open {
        open_browser(&url);
    }
    let shutdown_state = state.clone();
    let stopping = Arc::new(tokio::sync::Notify::new());
    let stopped = stopping.clone();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        let _ = tokio::signal::ctrl_c().await;
        note("hvsim serve: stopping (runs cancelled)");
        shutdown_state.cancel_all();
        stopping.notify_one();
    });
    // A run stops at the end of its block of replications; the server does
    // not wait more than this for them.
    let grace = async move {
        stopped.notified().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served.map_err(|e| Failure::Other(format!("the server failed: {e}"))),
        () = grace => Ok(()),
    }
}

/// Every route of the page and its API.
fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", STYLES) }),
        )
        .route("/api/scenarios", get(sources::list))
        .route("/api/compare", get(whatif::compare))
        .route("/api/replay", get(replay::replay))
        .route("/api/save", post(sources::save))
        .route("/api/status", get(state::status))
        .route("/api/tabletop", post(tabletop::start))
        .route("/api/tabletop/{id}", get(tabletop::show))
        .route("/api/tabletop/{id}/decide", post(tabletop::decide))
        .route("/api/tabletop/{id}/session", get(tabletop::save))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "no such page: the page is at /, its API under /api/",
            )
        })
        .with_state(state)
}

/// An embedded file with its type.
fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Asks the desktop to open `url`; a machine without one gets a note.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        note(&format!(
            "cannot open a browser ({opener}: {e}); open {url} yourself"
        ));
    }
}
