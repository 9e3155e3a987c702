//! `GET /api/replay`: one run (`hvsim run` with the same scenario,
//! changes, strategy and seed) as a timeline for the page's cursor: hours
//! from the hour of the first fault, the apps up at each, and the
//! intervals the page needs to show any hour (outages, hosts down, the
//! teams' tasks, each incident's diagnosis and start of restoration), and
//! the dependency graph as `hvsim run --svg`'s chart lays it out.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::Json;
use axum::extract::{Query as AxumQuery, State};
use axum::response::{IntoResponse, Response};
use hvsim::Scenario;
use hvsim::report::RunJson;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::sources::{Request, failure_response};
use super::state::{AppState, Query, Reject};
use crate::cli::Failure;
use crate::cli::args::run_command;
use crate::cli::load::pick_strategies;

/// Most points on the cursor's track: a longer run is shown in steps of
/// several hours.
const MAX_POINTS: i64 = 24 * 90;

pub(super) async fn replay(
    State(state): State<Arc<AppState>>,
    AxumQuery(pairs): AxumQuery<Vec<(String, String)>>,
) -> Response {
    match answer(state, &Query(pairs)).await {
        Ok(doc) => Json(doc).into_response(),
        Err(r) => r.into_response(),
    }
}

/// Reads the request, runs it (holding a permit) and lays it out.
async fn answer(state: Arc<AppState>, q: &Query) -> Result<Value, Reject> {
    let request = Request::read(&state, q)?;
    let strategy = match q.get("strategy").filter(|s| !s.is_empty()) {
        None => request.scenario.default_strategy().id.clone(),
        Some(name) => pick_strategies(&request.scenario, &[name.to_string()])
            .map_err(failure_response)?[0]
            .id
            .clone(),
    };
    let seed = q.number("seed", 1)?;
    // `hvsim run` takes no `--set`: with changes, the same run is that
    // command on the changed scenario saved as a file.
    let command = if request.sets.is_empty() {
        run_command(request.path.as_ref(), None, &strategy, seed)
    } else {
        format!(
            "{} on the scenario{} saved as a file",
            run_command(None, None, &strategy, seed).replacen("hvsim run", "hvsim run FILE", 1),
            request.set_args().replace(" --set ", " with ")
        )
    };
    // A replay is one run: bounded by the same permits as a what-if.
    let (tx, _rx) = mpsc::channel(1);
    let Some(permit) = super::state::permit(&state, &tx, &AtomicBool::new(false)).await else {
        return Err(failure_response(Failure::Other(
            "the server is stopping".into(),
        )));
    };
    let scenario = request.scenario;
    let result = tokio::task::spawn_blocking(move || timeline(&scenario, &strategy, seed)).await;
    drop(permit);
    let mut doc = result
        .map_err(|e| failure_response(Failure::Other(format!("the run failed: {e}"))))?
        .map_err(failure_response)?;
    doc["command"] = Value::String(command);
    Ok(doc)
}

/// Seconds since the epoch of a timestamp of the run's JSON.
fn secs(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// Runs `strategy` once and lays its outcome on an hour grid.
fn timeline(scenario: &Scenario, strategy: &str, seed: u64) -> Result<Value, Failure> {
    let Some(s) = scenario.strategy(strategy) else {
        return Err(Failure::Input(format!("no strategy `{strategy}`")));
    };
    // `hvsim explain`'s run: the run `hvsim run` shows, with why each app
    // waits.
    let explained = hvsim::explain::explain(scenario, s, seed)
        .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?;
    let run = hvsim::report::run_json(scenario, &explained.outcome);
    let start = secs(&run.start).unwrap_or(0);
    let first = run
        .faults
        .iter()
        .filter_map(|f| secs(&f.at))
        .min()
        .unwrap_or(start);
    // The hour of the first fault, on the grid of the scenario's start.
    let origin = first - (first - start).rem_euclid(3600);
    let end = last_moment(&run).unwrap_or(first).max(first);
    let span_h = (end - origin).div_euclid(3600) + 2;
    let step = (span_h + MAX_POINTS - 1) / MAX_POINTS;
    let points = span_h.div_euclid(step) + 1;
    let hour = |t: i64| (t - origin) as f64 / 3600.0;
    let opt_hour = |t: &Option<String>| t.as_deref().and_then(secs).map(hour);
    let tz = jiff::tz::TimeZone::get(&run.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut labels = Vec::new();
    let mut apps_up = Vec::new();
    for i in 0..points {
        let t = origin + i * step * 3600;
        labels.push(
            jiff::Timestamp::from_second(t)
                .map(|ts| {
                    ts.to_zoned_datetime(tz.clone())
                        .strftime("%a %-d %b %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
        );
        apps_up.push(up_at(&run, t));
    }
    let apps: Vec<Value> = run
        .apps
        .iter()
        .zip(&scenario.apps)
        .map(|(a, model)| {
            let outages: Vec<Value> = a
                .outages
                .iter()
                .map(|o| json!([secs(&o.down_at).map(hour), opt_hour(&o.up_at)]))
                .collect();
            let deps: Vec<&str> = model
                .depends_on
                .iter()
                .filter_map(|d| scenario.apps.get(d.0 as usize).map(|x| x.id.as_str()))
                .collect();
            json!({
                "id": a.id, "criticality": a.criticality, "tags": a.tags,
                "method": a.method, "team": a.team, "outages": outages, "depends_on": deps,
                "reasons": reasons(scenario, &explained, model_index(scenario, &a.id), &|t| hour(start + t.as_millis().div_euclid(1000) as i64)),
            })
        })
        .collect();
    let tasks: Vec<Value> = run
        .tasks
        .iter()
        .map(|t| {
            json!({
                "kind": t.kind, "app": t.app, "host": t.host, "method": t.method,
                "team": t.team, "member": t.member, "outcome": t.outcome,
                "start": secs(&t.start).map(hour), "end": opt_hour(&t.end),
            })
        })
        .collect();
    let incidents: Vec<Value> = run
        .incidents
        .iter()
        .map(|i| {
            let apps: Vec<&str> = run
                .faults
                .iter()
                .filter(|f| f.at == i.at)
                .flat_map(|f| f.apps_down.iter().map(String::as_str))
                .collect();
            json!({
                "bug": i.bug, "at": secs(&i.at).map(hour),
                "diagnosed": opt_hour(&i.diagnosed_at), "started": opt_hour(&i.recovery_started),
                "apps": apps,
            })
        })
        .collect();
    let graph = hvsim::chart::depgraph::graph(scenario);
    let app_id = |a: &usize| scenario.apps.get(*a).map_or("", |x| x.id.as_str());
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .map(|n| json!({ "label": n.label, "apps": n.apps.iter().map(app_id).collect::<Vec<_>>() }))
        .collect();
    Ok(json!({
        "scenario": run.scenario,
        "graph": { "nodes": nodes, "edges": graph.edges, "layers": graph.layers },
        "strategy": run.strategy,
        "seed": run.seed,
        "time_zone": run.time_zone,
        "origin": jiff::Timestamp::from_second(origin).map(|t| t.to_string()).unwrap_or_default(),
        "step_h": step,
        "labels": labels,
        "apps_up": apps_up,
        "apps": apps,
        "hosts": hosts_down(scenario, &run, &hour),
        "tasks": tasks,
        "incidents": incidents,
    }))
}

/// The last time anything happens: an app back, a task ended, a fault;
/// an app never back makes it the end of the horizon.
fn last_moment(run: &RunJson) -> Option<i64> {
    let never_back = run
        .apps
        .iter()
        .any(|a| a.outages.iter().any(|o| o.up_at.is_none()));
    if never_back {
        return secs(&run.horizon_end);
    }
    let ups = run
        .apps
        .iter()
        .flat_map(|a| a.outages.iter().filter_map(|o| o.up_at.as_deref()));
    let ends = run.tasks.iter().filter_map(|t| t.end.as_deref());
    let faults = run.faults.iter().map(|f| f.at.as_str());
    ups.chain(ends).chain(faults).filter_map(secs).max()
}

/// The apps up at `t` (seconds): those with no outage covering it.
fn up_at(run: &RunJson, t: i64) -> usize {
    run.apps
        .iter()
        .filter(|a| {
            !a.outages.iter().any(|o| {
                secs(&o.down_at).is_some_and(|d| d <= t)
                    && o.up_at.as_deref().and_then(secs).is_none_or(|u| t < u)
            })
        })
        .count()
}

/// A host's time down, in seconds since the epoch: from, and until (none:
/// to the end).
pub(super) type Down = (i64, Option<i64>);

/// Each host a fault brought down, with when (seconds since the epoch):
/// from the fault until it is up again: the end of the next host task
/// done on it (a rebuild), or the start of the next restart in place of an
/// app on it (the host rebooted before that task could start); still down
/// at the end without either. A later fault on it opens a new interval.
pub(super) fn host_intervals(sc: &Scenario, run: &RunJson) -> Vec<(String, Vec<Down>)> {
    let mut out: Vec<(String, Vec<Down>)> = Vec::new();
    for f in &run.faults {
        let Some(at) = secs(&f.at) else { continue };
        for h in &f.hosts {
            let rebuilt = run
                .tasks
                .iter()
                .filter(|t| t.host.as_deref() == Some(h.as_str()) && t.outcome == "done")
                .filter_map(|t| t.end.as_deref().and_then(secs));
            let restarted = run
                .tasks
                .iter()
                .filter(|t| t.method == Some("restart"))
                .filter(|t| t.app.as_deref().is_some_and(|a| ran_on(sc, a, h)))
                .filter_map(|t| secs(&t.start));
            let back = rebuilt.chain(restarted).filter(|&e| e >= at).min();
            match out.iter_mut().find(|(id, _)| id == h) {
                Some((_, list)) => list.push((at, back)),
                None => out.push((h.clone(), vec![(at, back)])),
            }
        }
    }
    out
}

/// Whether app `app` has a VM placed on host `host` (a restart in place
/// brings its VMs back there).
fn ran_on(sc: &Scenario, app: &str, host: &str) -> bool {
    sc.vms.iter().any(|vm| {
        sc.apps.get(vm.app.index()).is_some_and(|a| a.id == app)
            && sc.hosts.get(vm.host.index()).is_some_and(|h| h.id == host)
    })
}

/// [`host_intervals`] on the page's hour grid.
fn hosts_down(sc: &Scenario, run: &RunJson, hour: &dyn Fn(i64) -> f64) -> Vec<Value> {
    host_intervals(sc, run)
        .into_iter()
        .map(|(id, down)| {
            let down: Vec<Value> = down
                .into_iter()
                .map(|(from, to)| json!([hour(from), to.map(hour)]))
                .collect();
            json!({ "id": id, "down": down })
        })
        .collect()
}

/// An app's index by id.
fn model_index(scenario: &Scenario, id: &str) -> usize {
    scenario
        .apps
        .iter()
        .position(|a| a.id == id)
        .unwrap_or(usize::MAX)
}

/// App `i`'s downtime as `hvsim explain` accounts for it: `[from, to,
/// reason, detail]` on the page's hour grid.
fn reasons(
    scenario: &Scenario,
    explained: &hvsim::explain::Explanation,
    i: usize,
    hour: &dyn Fn(hvsim::sim::SimTime) -> f64,
) -> Vec<Value> {
    let Some(app) = explained.apps.iter().find(|a| a.app.index() == i) else {
        return Vec::new();
    };
    app.outages
        .iter()
        .flat_map(|o| &o.intervals)
        .filter(|iv| !iv.is_empty())
        .map(|iv| {
            json!([
                hour(iv.from),
                hour(iv.to),
                iv.reason.label(),
                super::tabletop::detail(scenario, iv.detail)
            ])
        })
        .collect()
}
