//! `GET /api/compare`: the what-if. The comparison `hvsim compare` would
//! make with the same scenario, `--set` changes, strategies, replications
//! and seed, run in the background in shards of whole blocks; after each
//! shard the comparison of the replications done so far is streamed as a
//! server-sent event, and the last one is exactly the CLI's.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Query as AxumQuery, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hvsim::Scenario;
use hvsim::montecarlo::{BLOCK, Comparison, Study, shard_range};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::sources::{Request, failure_response};
use super::state::{AppState, Query, Reject, bad_request};
use crate::cli::args::{command_line, shell_quote};
use crate::cli::load::pick_strategies;

/// Most shards a what-if is cut into: the updates the page sees.
const MAX_UPDATES: u64 = 10;

/// One event for the page: its name and data.
pub(super) type Message = (&'static str, Value);

/// What one what-if runs.
struct Job {
    scenario: Scenario,
    strategies: Vec<String>,
    runs: u64,
    seed: u64,
    flag: Arc<AtomicBool>,
    max: Duration,
}

pub(super) async fn compare(
    State(state): State<Arc<AppState>>,
    AxumQuery(pairs): AxumQuery<Vec<(String, String)>>,
) -> Response {
    start(state, &Query(pairs)).unwrap_or_else(IntoResponse::into_response)
}

/// Reads the request, starts the run in the background and answers its
/// event stream.
fn start(state: Arc<AppState>, q: &Query) -> Result<Response, Reject> {
    let request = Request::read(&state, q)?;
    let names: Vec<String> = q
        .get("strategies")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let names: Vec<String> = pick_strategies(&request.scenario, &names)
        .map_err(failure_response)?
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let (runs, seed) = (q.number("runs", 200)?, q.number("seed", 1)?);
    let max_runs = state.limits.max_runs;
    if runs == 0 || runs > max_runs {
        return Err(bad_request(format!(
            "runs={runs}: expected 1 to {max_runs} replications per strategy (this server's --max-runs)"
        )));
    }
    let command = format!(
        "{} --strategies {} --runs {runs} --seed {seed}{}",
        command_line("compare", request.path.as_ref(), None),
        shell_quote(&names.join(",")),
        request.set_args()
    );
    let flag = state.start(q.get("client"));
    let (tx, rx) = mpsc::channel::<Message>(16);
    let _ = tx.try_send((
        "start",
        json!({ "command": command, "runs": runs, "seed": seed, "strategies": names }),
    ));
    let job = Job {
        scenario: request.scenario,
        strategies: names,
        runs,
        seed,
        flag,
        max: Duration::from_secs(state.limits.max_seconds),
    };
    tokio::spawn(run_when_allowed(state, tx, job));
    Ok(stream(rx).into_response())
}

/// The events of `rx` as a server-sent event stream; when the client goes
/// away the stream, and with it `rx`, is dropped, which stops the run.
pub(super) fn stream(
    rx: mpsc::Receiver<Message>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        let (name, data) = rx.recv().await?;
        Some((Ok(Event::default().event(name).data(data.to_string())), rx))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// Waits for a permit (saying so), then runs the job on a blocking thread.
/// A job cancelled or abandoned while it waits never starts.
async fn run_when_allowed(state: Arc<AppState>, tx: mpsc::Sender<Message>, job: Job) {
    let Some(permit) = super::state::permit(&state, &tx, &job.flag).await else {
        return;
    };
    let _ = tokio::task::spawn_blocking(move || run(job, &tx)).await;
    drop(permit);
}

/// Runs the study shard by shard, sending the comparison so far after each.
fn run(job: Job, tx: &mpsc::Sender<Message>) {
    let Job {
        scenario,
        strategies,
        runs,
        seed,
        flag,
        max,
    } = job;
    let picked: Vec<&hvsim::Strategy> = strategies
        .iter()
        .filter_map(|n| scenario.strategy(n))
        .collect();
    let started = Instant::now();
    let stop = || flag.load(Ordering::SeqCst) || tx.is_closed() || started.elapsed() > max;
    let n = runs.div_ceil(BLOCK).clamp(1, MAX_UPDATES);
    let mut total: Option<Comparison> = None;
    for i in 0..n {
        let study = Study::new(&scenario, &picked, runs, seed).shard((i, n));
        let part = match study.run(&|_| !stop()) {
            Ok(summary) => summary.comparison,
            Err(e) => {
                let _ = tx.blocking_send(("failed", json!({ "error": e.to_string() })));
                return;
            }
        };
        let (lo, hi) = shard_range(runs, (i, n));
        let whole = part.done == hi - lo;
        if let Err(e) = accumulate(&mut total, part) {
            let _ = tx.blocking_send(("failed", json!({ "error": e })));
            return;
        }
        if let Some(t) = &total {
            let doc = json!({
                "done": t.done,
                "runs": runs,
                "compare": hvsim::report::compare_json(&scenario.name, t),
            });
            let name = if whole && i + 1 == n {
                "done"
            } else {
                "progress"
            };
            if tx.blocking_send((name, doc)).is_err() {
                return;
            }
        }
        if !whole || stop() {
            let why = if flag.load(Ordering::SeqCst) {
                "replaced by a newer change"
            } else if started.elapsed() > max {
                "stopped at this server's time limit (--max-seconds); the numbers cover the replications done"
            } else {
                "abandoned"
            };
            let _ = tx.blocking_send(("cancelled", json!({ "reason": why })));
            return;
        }
    }
}

/// Adds a shard's comparison to the total so far (as `hvsim merge` does:
/// exact integer counts, so the whole is the unsharded result).
fn accumulate(total: &mut Option<Comparison>, part: Comparison) -> Result<(), String> {
    let Some(t) = total else {
        *total = Some(Comparison {
            shard: (0, 1),
            ..part
        });
        return Ok(());
    };
    for (acc, p) in t.strategies.iter_mut().zip(&part.strategies) {
        for (a, x) in acc.stats.iter_mut().zip(&p.stats) {
            a.merge(x)
                .map_err(|e| format!("strategy `{}`: cannot merge a histogram: {e:?}", acc.id))?;
        }
        for (a, x) in acc.diffs.iter_mut().zip(&p.diffs) {
            a.merge(x);
        }
    }
    t.done += part.done;
    Ok(())
}
