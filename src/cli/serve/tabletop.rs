//! The tabletop exercise: one run of one strategy that stops at each
//! decision a human would make, for the room to choose, and at the end
//! the room's run beside each of the scenario's strategies on the same
//! random numbers.
//!
//! The run goes through the engine's decision seam (`simulate_with`, by
//! way of `explain_with` so that what waits says why in `hvsim explain`'s
//! words): the [`Room`] decider answers from the session's decisions and
//! the strategy's choices after them, and notes every stop. A session is
//! its settings and its list of decisions; running it from the start
//! gives the same run bit for bit (the engine is deterministic), so a
//! saved session replays exactly. The last run of a few sessions is kept
//! (see [`Store::run`]): since the strategy already answered the stops
//! after the room's, a room that takes the strategy's choice moves on in
//! that run; anything else runs the session again.
//!
//! Stops: after a diagnosis (or whenever an app is decided) the method,
//! when more than one applies; restarting in place despite a bug that can
//! strike again (refusing with no other method waits for the vendor); and
//! which task starts next when a member or the platform frees up and
//! several lanes have work ready. Every method question at one instant is
//! one stop, and every restart question too: the engine still asks them
//! one at a time, and the stop's decision answers each, with the room's
//! choice for all or the app's own (`one_by_one` makes each question a
//! stop of its own). Each task question is a stop of its own, since each
//! answer changes what the next one offers. Waves and escalations follow
//! the strategy.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::extract::{Path as AxumPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hvsim::Scenario;
use hvsim::decider::{Decider, MethodChoice, RestartChoice, TaskChoice};
use hvsim::explain::{Detail, Explanation};
use hvsim::metrics::TaskSubject;
use hvsim::model::Method;
use hvsim::report::Clock;
use hvsim::sim::SimTime;
use hvsim::sweep::SetSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::sources::{Request, failure_response};
use super::state::{AppState, Query, Reject, bad_request};
use crate::cli::Failure;
use crate::cli::args::run_command;
use crate::cli::load::pick_strategies;

/// The version of the session file. Version 1 made one stop of the apps
/// decided at one instant only when they had the same methods to choose
/// from; version 2 makes one stop of every question of one kind at one
/// instant, each app with its own choices. Both are read: a session
/// replays with the grouping it was played with.
const VERSION: u32 = 2;
/// The versions of the session file this hvsim reads.
const VERSIONS: [u32; 2] = [1, 2];
/// Most sessions kept at once (the oldest is forgotten first).
const MAX_SESSIONS: usize = 200;
/// Most decisions in one session.
const MAX_DECISIONS: usize = 10_000;

/// A tabletop session: what is run, and the room's decisions so far. It
/// is the file the page saves and replays.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Session {
    /// The version of this format (2; 1 is read too).
    #[serde(default = "version")]
    hvsim_tabletop: u32,
    /// The scenario's key on the page (`default`, `given`, or a bundled
    /// file's stem).
    #[serde(default)]
    scenario: String,
    /// The scenario's file, for a reader.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    file: String,
    /// Changes to the scenario, as `--set PATH=VALUE`.
    #[serde(default)]
    sets: Vec<String>,
    /// The strategy the run starts from (the scenario's first by default):
    /// it answers what the room is not asked, and pre-selects its choice.
    #[serde(default)]
    strategy: String,
    /// The seed of the run (1 by default).
    #[serde(default = "one")]
    seed: u64,
    /// The room's answers, stop by stop.
    #[serde(default)]
    decisions: Vec<Decision>,
    /// The strategy answers every stop after the decisions.
    #[serde(default)]
    rest_by_strategy: bool,
    /// From this many decisions on, the strategy picks which task starts
    /// next: those questions are no longer stops (the room handed them
    /// over; the other questions are still asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    which_next_from: Option<usize>,
    /// Every question is a stop of its own, app by app, instead of one
    /// stop for the questions of one kind at one instant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    one_by_one: bool,
}

fn version() -> u32 {
    VERSION
}

/// The versions read, as words: `1 or 2`.
fn versions() -> String {
    let shown: Vec<String> = VERSIONS.iter().map(u32::to_string).collect();
    shown.join(" or ")
}

fn one() -> u64 {
    1
}

/// The room's answer to one stop.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    /// The kind of stop it answers.
    stop: Kind,
    /// A method's name (`method`), `true` or `false` (`restart`), or the
    /// task (`task`, as the page lists it): for every app of the stop but
    /// those of `apps`.
    choice: Value,
    /// The apps of the stop that get another choice than `choice`, by
    /// name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    apps: BTreeMap<String, Value>,
    /// When it was asked (the scenario's local time), for a reader and as
    /// a check on replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<String>,
}

/// The kinds of stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Method,
    Restart,
    Task,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Method => "method",
            Kind::Restart => "restart",
            Kind::Task => "task",
        }
    }
}

/// One stop the run made: its question and who it concerns.
#[derive(Debug)]
struct Stop {
    kind: Kind,
    now: SimTime,
    /// What groups the questions of one instant into this stop.
    key: String,
    /// The apps it concerns, one row each, in the order they were asked
    /// (none for a `task` stop).
    rows: Vec<Row>,
    /// The choices, as (value, label): every row's, in the order first
    /// offered.
    options: Vec<(Value, String)>,
    /// For a `task` stop, the strategy's choice (a value of `options`).
    task_strategy: Value,
    /// For a `task` stop, what each option works on.
    tasks: Vec<TaskSubject>,
    /// When, as a decision records it.
    at: String,
    /// An app was asked again with another choice of the strategy than
    /// its row's: answering its row's choice may not be the strategy's.
    mixed: bool,
}

/// An app a stop asks about: its choices and the strategy's.
#[derive(Debug)]
struct Row {
    app: hvsim::model::AppId,
    name: String,
    /// For a restart, the hosts of its down VMs that the bug struck.
    hosts: Vec<String>,
    /// The values it may get (values of the stop's `options`).
    options: Vec<Value>,
    /// The strategy's choice for it.
    strategy: Value,
}

impl Stop {
    fn new(kind: Kind, now: SimTime, at: String) -> Stop {
        Stop {
            kind,
            now,
            key: String::new(),
            rows: Vec::new(),
            options: Vec::new(),
            task_strategy: Value::Null,
            tasks: Vec::new(),
            at,
            mixed: false,
        }
    }

    /// Whether decision `d` answers this stop with the strategy's choice
    /// for every question of it.
    fn follows(&self, d: &Decision) -> bool {
        let strategys = |app: &str| {
            self.rows
                .iter()
                .find(|r| r.name == app)
                .map(|r| &r.strategy)
        };
        d.stop == self.kind
            && !self.mixed
            && d.at.as_ref().is_none_or(|at| *at == self.at)
            && if self.kind == Kind::Task {
                d.apps.is_empty() && d.choice == self.task_strategy
            } else {
                d.apps.iter().all(|(a, v)| strategys(a) == Some(v))
                    && self
                        .rows
                        .iter()
                        .all(|r| d.apps.contains_key(&r.name) || d.choice == r.strategy)
            }
    }

    /// The strategy's choice for the stop as a whole: a task stop's, or
    /// the choice the most rows get from the strategy (the first such on
    /// a tie), which the page pre-selects as "the same for all".
    fn strategy(&self) -> Value {
        if self.kind == Kind::Task {
            return self.task_strategy.clone();
        }
        let mut best: Option<(&Value, usize)> = None;
        for row in &self.rows {
            let n = self
                .rows
                .iter()
                .filter(|r| r.strategy == row.strategy)
                .count();
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((&row.strategy, n));
            }
        }
        best.map_or(Value::Null, |(v, _)| v.clone())
    }

    /// The row of app `app` (added with `make` when it has none yet).
    fn row(&mut self, app: hvsim::model::AppId, make: impl FnOnce() -> Row) -> &mut Row {
        let k = match self.rows.iter().position(|r| r.app == app) {
            Some(k) => k,
            None => {
                let row = make();
                for (v, label) in row.options.iter().zip(row_labels(self.kind, &row.options)) {
                    if !self.options.iter().any(|(w, _)| w == v) {
                        self.options.push((v.clone(), label));
                    }
                }
                self.rows.push(row);
                self.rows.len() - 1
            }
        };
        &mut self.rows[k]
    }

    /// The app names the stop concerns, as the page lists them (with the
    /// hosts, for a restart).
    fn apps(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| {
                if r.hosts.is_empty() {
                    r.name.clone()
                } else {
                    format!("{} (on {})", r.name, r.hosts.join(", "))
                }
            })
            .collect()
    }
}

/// The labels of a row's options.
fn row_labels(kind: Kind, options: &[Value]) -> Vec<String> {
    options
        .iter()
        .map(|v| match (kind, v) {
            (Kind::Restart, Value::Bool(true)) => {
                "restart in place: the bug may strike the host again".to_string()
            }
            (Kind::Restart, _) => {
                "do not: another method, or wait for the vendor's workaround or fix".to_string()
            }
            _ => v
                .as_str()
                .and_then(Method::parse)
                .map_or_else(|| v.to_string(), |m| method_label(m).to_string()),
        })
        .collect()
}

/// The decider of a tabletop run: the session's decisions, stop by stop;
/// the strategy's choices elsewhere.
struct Room<'a> {
    sc: &'a Scenario,
    clock: &'a Clock,
    decisions: &'a [Decision],
    which_next_from: Option<usize>,
    /// Every question is a stop of its own.
    one_by_one: bool,
    /// Version 1's grouping: the apps decided at one instant are one stop
    /// only when they have the same methods to choose from.
    by_candidates: bool,
    stops: Vec<Stop>,
    /// The stops of the current instant, by key.
    open: Vec<(String, usize)>,
    now: SimTime,
    /// The first decision that does not fit its stop.
    error: Option<String>,
}

impl Room<'_> {
    /// The stop a question of `kind` and `key` at `now` belongs to (a new
    /// one if none of this instant has that key). One by one, each
    /// question is a stop of its own.
    fn stop(&mut self, now: SimTime, kind: Kind, key: &str) -> usize {
        if now != self.now {
            self.now = now;
            self.open.clear();
        }
        let key = if self.one_by_one || kind == Kind::Task {
            format!("{} #{}", kind.name(), self.stops.len())
        } else {
            format!("{} {key}", kind.name())
        };
        if let Some((_, i)) = self.open.iter().find(|(k, _)| *k == key) {
            return *i;
        }
        let i = self.stops.len();
        let mut stop = Stop::new(kind, now, self.clock.date(now));
        stop.key.clone_from(&key);
        self.stops.push(stop);
        self.open.push((key, i));
        i
    }

    /// The room's answer to the question of stop `i` about `app` (none
    /// for a task), which may get one of `options`; `None` when the
    /// strategy answers (no decision yet, or one that does not fit, which
    /// is noted).
    fn answer(&mut self, i: usize, app: Option<&str>, options: &[Value]) -> Option<Value> {
        let d = self.decisions.get(i)?;
        let stop = &self.stops[i];
        let when = self.clock.date(stop.now);
        let given = app.and_then(|a| d.apps.get(a));
        let choice = given.unwrap_or(&d.choice);
        let problem = if d.stop != stop.kind {
            Some(format!(
                "decision {}: it answers a `{}` stop, but the run stops at {when} for a `{}` decision ({}); the session belongs to another scenario, seed or version of hvsim",
                i + 1,
                d.stop.name(),
                stop.kind.name(),
                question(stop),
            ))
        } else if d.at.as_deref().is_some_and(|at| at != when) {
            Some(format!(
                "decision {}: it was made at {}, but this run asks it at {when}; the session belongs to another scenario, seed or version of hvsim",
                i + 1,
                d.at.as_deref().unwrap_or_default()
            ))
        } else if !options.contains(choice) {
            let whose = match (app, given) {
                (Some(a), Some(_)) => format!(" for {a} (in `apps`)"),
                (Some(a), None) => {
                    format!(" for {a}; give {a} its own choice in `apps`, or choose for all one of")
                }
                (None, _) => String::new(),
            };
            Some(format!(
                "decision {}: `{choice}` is not a choice{whose} at {when}; expected one of {}",
                i + 1,
                options
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            None
        };
        match problem {
            Some(p) => {
                self.error.get_or_insert(p);
                None
            }
            None => Some(choice.clone()),
        }
    }

    /// The apps a decision names in `apps` that its stop does not ask
    /// about: the first, as an error.
    fn unasked(&self) -> Option<String> {
        self.decisions
            .iter()
            .zip(&self.stops)
            .enumerate()
            .find_map(|(i, (d, stop))| {
                let app = d
                    .apps
                    .keys()
                    .find(|a| !stop.rows.iter().any(|r| r.name == **a))?;
                Some(format!(
                    "decision {}: apps: `{app}` is not asked at {} (the stop asks about {})",
                    i + 1,
                    self.clock.date(stop.now),
                    if stop.rows.is_empty() {
                        "no app: it is a `task` stop".to_string()
                    } else {
                        stop.apps().join(", ")
                    }
                ))
            })
    }
}

impl Decider for Room<'_> {
    const OFFERS_EVERY_TASK: bool = true;

    fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
        if choice.candidates.len() < 2 {
            return 0;
        }
        let names: Vec<Value> = choice
            .candidates
            .iter()
            .map(|m| Value::from(m.name()))
            .collect();
        let key = if self.by_candidates {
            choice
                .candidates
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            String::new()
        };
        let i = self.stop(choice.now, Kind::Method, &key);
        let stop = &mut self.stops[i];
        let row = stop.row(choice.app, || Row {
            app: choice.app,
            name: choice.app_name.to_string(),
            hosts: Vec::new(),
            options: names.clone(),
            strategy: names[0].clone(),
        });
        if row.strategy != names[0] {
            stop.mixed = true;
        }
        // Asked again at the same instant, the app gets its row's answer,
        // which must be one of the methods it has now.
        self.answer(i, Some(choice.app_name), &names)
            .and_then(|v| names.iter().position(|n| *n == v))
            .unwrap_or(0)
    }

    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        let handed_over = self.which_next_from.is_some_and(|n| self.stops.len() >= n);
        if choice.candidates.len() < 2 || handed_over {
            return choice.strategy;
        }
        let labels: Vec<Value> = choice
            .candidates
            .iter()
            .map(|t| Value::from(task_label(self.sc, *t)))
            .collect();
        let i = self.stop(choice.now, Kind::Task, "");
        let stop = &mut self.stops[i];
        stop.options = labels
            .iter()
            .map(|l| (l.clone(), l.as_str().unwrap_or_default().to_string()))
            .collect();
        stop.task_strategy = labels[choice.strategy].clone();
        stop.tasks = choice.candidates.to_vec();
        match self.answer(i, None, &labels) {
            // Two tasks may read the same: the strategy's, when it is one.
            Some(v) if v == labels[choice.strategy] => choice.strategy,
            Some(v) => labels
                .iter()
                .position(|l| *l == v)
                .unwrap_or(choice.strategy),
            None => choice.strategy,
        }
    }

    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        let i = self.stop(choice.now, Kind::Restart, "");
        let row = self.stops[i].row(choice.app, || Row {
            app: choice.app,
            name: choice.app_name.to_string(),
            hosts: Vec::new(),
            options: vec![Value::Bool(true), Value::Bool(false)],
            strategy: Value::Bool(choice.strategy),
        });
        if !row.hosts.iter().any(|h| h == choice.host_name) {
            row.hosts.push(choice.host_name.to_string());
        }
        let options = row.options.clone();
        self.answer(i, Some(choice.app_name), &options)
            .and_then(|v| v.as_bool())
            .unwrap_or(choice.strategy)
    }
}

/// A method as the room reads it.
fn method_label(m: Method) -> &'static str {
    match m {
        Method::Restart => "restart in place",
        Method::HaRestart => "HA restart on another host of the cluster",
        Method::Restore => "restore from backup at the DR site",
        Method::Failover => "fail over to the replica at the DR site",
        Method::Reinstall => "reinstall by hand at the DR site",
        Method::Rebuild => "rebuild the hosts on another build, then restart",
    }
}

/// A ready task as the room reads it (and as a decision names it).
fn task_label(sc: &Scenario, t: TaskSubject) -> String {
    let host = |h: hvsim::model::HostId| sc.hosts.get(h.index()).map_or("?", |h| h.id.as_str());
    match t {
        TaskSubject::App(a, m) => format!(
            "{} by {}",
            sc.apps.get(a.index()).map_or("?", |a| a.id.as_str()),
            m.name()
        ),
        TaskSubject::Host(h) => format!("rebuild host {}", host(h)),
        TaskSubject::Patch(h) => format!("patch host {}", host(h)),
        TaskSubject::Go(w) => format!("the go step of wave {}", w + 1),
    }
}

/// A task the room may start: its lane, its method (for an app's task),
/// and why it waited until now in `hvsim explain`'s words.
fn task_facts(
    sc: &Scenario,
    ex: &Explanation,
    now: SimTime,
    t: TaskSubject,
) -> (String, Option<&'static str>, String) {
    match t {
        TaskSubject::App(a, m) => (m.name().to_string(), Some(m.name()), waited(sc, ex, now, a)),
        TaskSubject::Host(_) | TaskSubject::Patch(_) => (
            "host work".to_string(),
            None,
            "queued for a team member".to_string(),
        ),
        TaskSubject::Go(_) => (
            "runbook go steps".to_string(),
            None,
            "queued for a team member".to_string(),
        ),
    }
}

/// Why app `a` waited until `now`, in `hvsim explain`'s words: the
/// interval that ends at `now`, else the one running through it.
fn waited(sc: &Scenario, ex: &Explanation, now: SimTime, a: hvsim::model::AppId) -> String {
    let intervals = ex
        .apps
        .iter()
        .filter(|x| x.app == a)
        .flat_map(|x| x.outages.iter().flat_map(|o| &o.intervals));
    let before = intervals
        .clone()
        .find(|iv| iv.from < now && now <= iv.to)
        .or_else(|| intervals.clone().find(|iv| iv.from <= now && now < iv.to));
    before.map_or_else(
        || "ready".to_string(),
        |iv| match detail(sc, iv.detail) {
            d if d.is_empty() => iv.reason.label().to_string(),
            d => format!("{} ({d})", iv.reason.label()),
        },
    )
}

/// A stop's question.
fn question(stop: &Stop) -> String {
    let n = stop.rows.len();
    match stop.kind {
        Kind::Method if n <= 1 => "how does the app decided now come back?".into(),
        Kind::Method => format!("how do the {n} apps decided now come back?"),
        Kind::Restart => format!(
            "restart {} in place, although the bug that crashed {} can strike again?",
            if n == 1 { "this app" } else { "these apps" },
            if n == 1 { "its host" } else { "their hosts" }
        ),
        Kind::Task => "a member (or the platform) is free: which of the tasks that could start now starts next?".into(),
    }
}

/// A session run: the explanation of the run and where it stopped.
struct Ran {
    explanation: Explanation,
    stops: Vec<Stop>,
    /// Where the room handed which task next over, in the session run.
    which_next_from: Option<usize>,
    /// The scenario it ran (with the session's changes) and its file.
    request: Request,
    /// Each host's down intervals (seconds since the epoch), for the
    /// hosts down at a stop.
    hosts: Vec<(String, Vec<super::replay::Down>)>,
}

impl Ran {
    /// The stop waiting for the room in `session`, if any.
    fn pending(&self, session: &Session) -> Option<usize> {
        let n = session.decisions.len();
        (!session.rest_by_strategy && n < self.stops.len()).then_some(n)
    }
}

/// Runs `session` from the start on the scenario of `request`, for the
/// page.
fn run_request(request: Request, session: &Session) -> Result<Ran, Failure> {
    let sc = &request.scenario;
    let (explanation, stops) = run_session(sc, &Clock::new(sc), session)?;
    let run = hvsim::report::run_json(sc, &explanation.outcome);
    let hosts = super::replay::host_intervals(sc, &run);
    Ok(Ran {
        explanation,
        stops,
        which_next_from: session.which_next_from,
        request,
        hosts,
    })
}

/// Runs `session` from the start: its explanation and its stops; a
/// decision that does not fit is an input error naming it.
fn run_session(
    sc: &Scenario,
    clock: &Clock,
    session: &Session,
) -> Result<(Explanation, Vec<Stop>), Failure> {
    let strategy = sc
        .strategy(&session.strategy)
        .ok_or_else(|| Failure::Input(format!("no strategy `{}`", session.strategy)))?;
    let mut room = Room {
        sc,
        clock,
        decisions: &session.decisions,
        which_next_from: session.which_next_from,
        one_by_one: session.one_by_one,
        by_candidates: session.hvsim_tabletop == 1,
        stops: Vec::new(),
        open: Vec::new(),
        now: SimTime::MAX,
        error: None,
    };
    let explanation = hvsim::explain::explain_with(sc, strategy, session.seed, &mut room)
        .map_err(|e| Failure::Limit(format!("{e} (seed {})", session.seed)))?;
    if let Some(e) = room.error.take().or_else(|| room.unasked()) {
        return Err(Failure::Input(e));
    }
    if session.decisions.len() > room.stops.len() {
        return Err(Failure::Input(format!(
            "the session has {} decisions, but the run stops only {} times: the session belongs to another scenario, seed or version of hvsim",
            session.decisions.len(),
            room.stops.len()
        )));
    }
    Ok((explanation, room.stops))
}

/// A reason's detail as words.
pub(super) fn detail(sc: &Scenario, d: Detail) -> String {
    match d {
        Detail::None => String::new(),
        Detail::App(a) => sc
            .apps
            .get(a.index())
            .map_or_else(String::new, |a| a.id.clone()),
        Detail::Bug(b) => sc
            .bugs
            .get(b.index())
            .map_or_else(String::new, |b| b.id.clone()),
        Detail::Method(m) => m.name().to_string(),
        Detail::Hosts(h) => format!("{h:?}").to_lowercase(),
        Detail::Wave(w) => format!("wave {}", w + 1),
    }
}

/// The apps down at `now` and why, in `hvsim explain`'s words (the apps
/// of the stop wait for the room).
fn waiting(sc: &Scenario, ex: &Explanation, now: SimTime, stop: &Stop) -> Vec<Value> {
    let mut out = Vec::new();
    for app in &ex.apps {
        let Some(outage) = app
            .outages
            .iter()
            .find(|o| o.down_at <= now && o.up_at.is_none_or(|u| now < u))
        else {
            continue;
        };
        let id = &sc.apps[app.app.index()].id;
        let ours = stop.rows.iter().any(|r| r.name == *id);
        let (reason, about) = if ours {
            ("waits for the room's decision".to_string(), String::new())
        } else {
            outage
                .intervals
                .iter()
                .find(|iv| iv.from <= now && now < iv.to)
                .map_or(("down".to_string(), String::new()), |iv| {
                    (iv.reason.label().to_string(), detail(sc, iv.detail))
                })
        };
        out.push(json!({
            "app": id,
            "since": human(now.saturating_since(outage.down_at)),
            "reason": reason,
            "detail": about,
        }));
    }
    out
}

/// Per run: each incident's apps back at 50, 90 and 100 %, the objectives
/// met, and the data lost.
fn scorecard(sc: &Scenario, who: &str, outcome: &hvsim::Outcome) -> Value {
    let since = |at: SimTime, t: Option<SimTime>| {
        t.map_or_else(
            || "not by the end".to_string(),
            |t| human(t.saturating_since(at)),
        )
    };
    let incidents: Vec<Value> = outcome
        .incidents
        .iter()
        .map(|i| {
            json!({
                "bug": sc.bugs.get(i.bug.index()).map_or("", |b| b.id.as_str()),
                "apps": i.apps.len(),
                "half": since(i.at, i.milestones.half),
                "ninety": since(i.at, i.milestones.ninety),
                "all": since(i.at, i.milestones.all),
            })
        })
        .collect();
    let run = hvsim::report::run_json(sc, outcome);
    let objectives: Vec<Value> = run
        .objectives
        .iter()
        .map(|o| json!({ "name": o.name, "met": o.met, "verdict": o.verdict }))
        .collect();
    let lost: Vec<_> = run
        .apps
        .iter()
        .filter(|a| a.data_lost_all || a.data_loss_s.is_some_and(|s| s > 0))
        .collect();
    let worst = lost.iter().filter_map(|a| a.data_loss_s).max();
    json!({
        "who": who,
        "incidents": incidents,
        "objectives": objectives,
        "objectives_met": run.objectives.iter().filter(|o| o.met).count(),
        "apps_losing_data": lost.len(),
        "apps_losing_everything": lost.iter().filter(|a| a.data_lost_all).count(),
        "worst_data_loss": worst.map(|s| human(hvsim::sim::SimDuration::from_millis(s.saturating_mul(1000)))),
    })
}

/// What the page shows of a session: the stop waiting for the room (the
/// clock, the question and its choices, the hosts down, the apps waiting
/// and why), or the end with the comparison.
fn describe(id: u64, session: &Session, ran: &Ran) -> Result<Value, Failure> {
    let sc = &ran.request.scenario;
    let clock = Clock::new(sc);
    let mut command = run_command(
        ran.request.path.as_ref(),
        None,
        &session.strategy,
        session.seed,
    );
    if !session.sets.is_empty() {
        // `hvsim run` takes no `--set`: the same run is that command on
        // the changed scenario saved as a file.
        command = format!(
            "{} on the scenario with {} saved as a file",
            command.replacen("hvsim run", "hvsim run FILE", 1),
            session.sets.join(", ")
        );
    }
    let mut doc = json!({
        "id": id,
        "session": session,
        "scenario": sc.name,
        "time_zone": sc.tz.iana_name().unwrap_or("UTC"),
        "strategy": session.strategy,
        "seed": session.seed,
        "decisions": session.decisions.len(),
        "stops_so_far": ran.stops.len().min(session.decisions.len() + 1),
        "command": command,
    });
    let Some(i) = ran.pending(session) else {
        let outcome = &ran.explanation.outcome;
        let mut rows = vec![scorecard(sc, "the room", outcome)];
        for st in &sc.strategies {
            let o = hvsim::simulate(sc, st, session.seed)
                .map_err(|e| Failure::Limit(format!("{e} (seed {})", session.seed)))?;
            rows.push(scorecard(sc, &st.id, &o));
        }
        doc["done"] = Value::Bool(true);
        doc["compare"] = Value::Array(rows);
        doc["room"] = serde_json::to_value(hvsim::report::run_json(sc, outcome))
            .map_err(|e| Failure::Other(format!("cannot lay out the run: {e}")))?;
        return Ok(doc);
    };
    let stop = &ran.stops[i];
    let now = stop.now;
    let at_s = clock_secs(&clock, now);
    let hosts: Vec<&str> = ran
        .hosts
        .iter()
        .filter(|(_, down)| {
            down.iter()
                .any(|&(from, to)| from <= at_s && to.is_none_or(|t| at_s < t))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    let waiting = waiting(sc, &ran.explanation, now, stop);
    let options: Vec<Value> = stop
        .options
        .iter()
        .enumerate()
        .map(|(k, (v, l))| {
            let mut option = json!({ "value": v, "label": l });
            if let Some(&task) = stop.tasks.get(k) {
                let (lane, method, why) = task_facts(sc, &ran.explanation, now, task);
                option["lane"] = Value::from(lane);
                option["method"] = method.map_or(Value::Null, Value::from);
                option["waits"] = Value::from(why);
            }
            option
        })
        .collect();
    let rows: Vec<Value> = stop
        .rows
        .iter()
        .map(|r| {
            json!({
                "app": r.name,
                "hosts": r.hosts,
                "options": r.options,
                "strategy": r.strategy,
                "waits": waited(sc, &ran.explanation, now, r.app),
            })
        })
        .collect();
    doc["done"] = Value::Bool(false);
    doc["clock"] = Value::String(clock.date(now));
    doc["apps_total"] = Value::from(sc.apps.len());
    doc["apps_up"] = Value::from(sc.apps.len() - waiting.len());
    doc["hosts_down"] = json!(hosts);
    doc["waiting"] = Value::Array(waiting);
    doc["stop"] = json!({
        "n": i + 1,
        "kind": stop.kind.name(),
        "at": clock.date(now),
        "question": question(stop),
        "apps": stop.apps(),
        "rows": rows,
        "options": options,
        "strategy": stop.strategy(),
    });
    Ok(doc)
}

/// A duration as a room reads it, to the minute: `2d 4h`, `5h 30m`, `45m`.
fn human(d: hvsim::sim::SimDuration) -> String {
    let m = (d.as_millis() + 30_000) / 60_000;
    let (days, h, min) = (m / 1440, m % 1440 / 60, m % 60);
    match (days, h, min) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Seconds since the epoch of a simulated instant.
fn clock_secs(clock: &Clock, t: SimTime) -> i64 {
    clock.zoned(t).map_or(0, |z| z.timestamp().as_second())
}

/// The sessions of every client, by id, each with the stop it waits at
/// (null at its end), so that an answer is checked without running the
/// session again; with a directory, each session is a file in it too, so
/// that it outlives the server (the memory is then a cache).
#[derive(Default)]
pub(super) struct Store {
    sessions: Mutex<(u64, BTreeMap<u64, Kept>)>,
    /// `hvsim serve --sessions DIR`.
    dir: Option<std::path::PathBuf>,
    /// The last run of the sessions used most recently (the latest last):
    /// a room that takes the strategy's choice moves on to the next stop
    /// of the same run without running it again.
    runs: Mutex<std::collections::VecDeque<KeptRun>>,
}

/// A session's id, how many decisions it had, and its run.
type KeptRun = (u64, usize, Arc<Ran>);

/// Most runs kept at once (each holds a whole run's explanation).
const MAX_RUNS_KEPT: usize = 16;

/// A session kept, and the stop it waits at (null at its end).
type Kept = (Session, Value);

/// The file of session `id` in a sessions directory.
fn session_file(dir: &std::path::Path, id: u64) -> std::path::PathBuf {
    dir.join(format!("tabletop-{id}.json"))
}

/// The id of a session file's name, if it is one.
fn session_id(name: &str) -> Option<u64> {
    name.strip_prefix("tabletop-")?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

impl Store {
    /// A store in memory, or kept in `dir` (created if needed): the ids
    /// go on after the highest of the files there.
    pub(super) fn open(dir: Option<&std::path::Path>) -> Result<Store, Failure> {
        let Some(dir) = dir else {
            return Ok(Store::default());
        };
        let shown = dir.display();
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::Input(format!(
                "--sessions {shown}: cannot create the directory: {e}"
            ))
        })?;
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Failure::Input(format!(
                "--sessions {shown}: cannot read the directory: {e}"
            ))
        })?;
        let mut last = 0;
        for entry in entries {
            let entry = entry.map_err(|e| {
                Failure::Input(format!(
                    "--sessions {shown}: cannot read the directory: {e}"
                ))
            })?;
            if let Some(id) = entry.file_name().to_str().and_then(session_id) {
                last = last.max(id);
            }
        }
        Ok(Store {
            sessions: Mutex::new((last, BTreeMap::new())),
            dir: Some(dir.to_path_buf()),
            runs: Mutex::default(),
        })
    }

    fn insert(&self, session: Session, stop: Value) -> Result<u64, Reject> {
        let mut g = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let id = g.0 + 1;
        self.write(id, &session)?;
        g.0 = id;
        g.1.insert(id, (session, stop));
        while g.1.len() > MAX_SESSIONS {
            g.1.pop_first();
        }
        Ok(id)
    }

    /// Writes session `id`'s file, whole or not at all (none without a
    /// directory).
    fn write(&self, id: u64, session: &Session) -> Result<(), Reject> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let path = session_file(dir, id);
        crate::cli::output::write_file(&path, session_text(session).as_bytes()).map_err(|e| {
            Reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "cannot keep tabletop session {id} in {}: {e}",
                    path.display()
                ),
            )
        })
    }

    fn get(&self, id: u64) -> Result<Session, Reject> {
        self.get_with_stop(id).map(|(session, _)| session)
    }

    /// The session and the stop it waits at (null when read from its
    /// file: it is found again by running the session).
    fn get_with_stop(&self, id: u64) -> Result<(Session, Value), Reject> {
        let mut g = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = g.1.get(&id) {
            return Ok(kept.clone());
        }
        let Some(dir) = &self.dir else {
            return Err(Reject(
                StatusCode::NOT_FOUND,
                format!(
                    "no tabletop session {id}: it ended with the server, or was forgotten (at most {MAX_SESSIONS} are kept; `hvsim serve --sessions DIR` keeps them all); load its saved file to replay it"
                ),
            ));
        };
        let path = session_file(dir, id);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Reject(
                StatusCode::NOT_FOUND,
                format!("no tabletop session {id} in {}: {e}", dir.display()),
            )
        })?;
        let session: Session = body(&text, &path.display().to_string())?;
        g.1.insert(id, (session.clone(), Value::Null));
        while g.1.len() > MAX_SESSIONS {
            g.1.pop_first();
        }
        Ok((session, Value::Null))
    }

    /// Replaces a session kept (one forgotten meanwhile stays forgotten,
    /// unless it has a file).
    fn put(&self, id: u64, session: Session, stop: Value) -> Result<(), Reject> {
        let mut g = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if self.dir.is_some() {
            self.write(id, &session)?;
            g.1.insert(id, (session, stop));
            while g.1.len() > MAX_SESSIONS {
                g.1.pop_first();
            }
        } else if let Some(kept) = g.1.get_mut(&id) {
            *kept = (session, stop);
        }
        Ok(())
    }

    /// Keeps `ran` as the run of session `id` with `decisions`.
    fn keep_run(&self, id: u64, decisions: usize, ran: Arc<Ran>) {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.retain(|(k, _, _)| *k != id);
        runs.push_back((id, decisions, ran));
        while runs.len() > MAX_RUNS_KEPT {
            runs.pop_front();
        }
    }

    /// Session `id`'s last run, when it is `session`'s run too: the same
    /// decisions, or one more that gives every question of its stop the
    /// strategy's choice (which the run made already, deciding the stops
    /// after the room's by the strategy), with the same handing over.
    /// The engine is deterministic, so running it again would give the
    /// same run bit for bit.
    fn run(&self, id: u64, session: &Session) -> Option<Arc<Ran>> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, decisions, ran) = runs.iter().find(|(k, _, _)| *k == id)?;
        let n = session.decisions.len();
        let same = ran.which_next_from == session.which_next_from
            && (*decisions == n
                || (decisions + 1 == n
                    && ran
                        .stops
                        .get(n - 1)
                        .is_some_and(|stop| stop.follows(&session.decisions[n - 1]))));
        same.then(|| Arc::clone(ran))
    }
}

/// Loads a session's scenario (with its changes) and checks its strategy.
fn prepare(state: &AppState, session: &mut Session) -> Result<Request, Reject> {
    if !VERSIONS.contains(&session.hvsim_tabletop) {
        return Err(bad_request(format!(
            "hvsim_tabletop: {}: this hvsim reads tabletop sessions of version {}",
            session.hvsim_tabletop,
            versions()
        )));
    }
    if session.decisions.len() > MAX_DECISIONS {
        return Err(bad_request(format!(
            "decisions: {} of them; at most {MAX_DECISIONS}",
            session.decisions.len()
        )));
    }
    let mut pairs = vec![("scenario".to_string(), session.scenario.clone())];
    pairs.extend(session.sets.iter().map(|s| ("set".to_string(), s.clone())));
    let request = Request::read(state, &Query(pairs))?;
    session.strategy = if session.strategy.is_empty() {
        request.scenario.default_strategy().id.clone()
    } else {
        pick_strategies(&request.scenario, std::slice::from_ref(&session.strategy))
            .map_err(failure_response)?[0]
            .id
            .clone()
    };
    if session.scenario.is_empty() {
        session.scenario = state
            .sources
            .list
            .first()
            .map(|s| s.key.clone())
            .unwrap_or_default();
    }
    if let Some(src) = state
        .sources
        .list
        .iter()
        .find(|s| s.key == session.scenario)
    {
        session.file.clone_from(&src.file);
    }
    Ok(request)
}

/// What a request about a session does: take the run kept for it, or
/// run it on its scenario.
enum Work {
    Kept(Arc<Ran>),
    Run(Box<Request>),
}

/// Runs `session` on a blocking thread, holding a permit, or takes the
/// run kept for it when that is the same run (see [`Store::run`]), with
/// its scenario (a session's scenario never changes).
async fn compute(
    state: Arc<AppState>,
    id: u64,
    mut session: Session,
) -> Result<(Session, Value, Arc<Ran>), Reject> {
    let work = match state.tabletops.run(id, &session) {
        Some(ran) => Work::Kept(ran),
        None => Work::Run(Box::new(prepare(&state, &mut session)?)),
    };
    let (tx, _rx) = tokio::sync::mpsc::channel(1);
    let Some(permit) = super::state::permit(&state, &tx, &AtomicBool::new(false)).await else {
        return Err(failure_response(Failure::Other(
            "the server is stopping".into(),
        )));
    };
    let result = tokio::task::spawn_blocking(move || {
        let ran = match work {
            Work::Kept(ran) => ran,
            Work::Run(request) => Arc::new(run_request(*request, &session)?),
        };
        let doc = describe(id, &session, &ran)?;
        Ok::<_, Failure>((session, doc, ran))
    })
    .await;
    drop(permit);
    result
        .map_err(|e| failure_response(Failure::Other(format!("the run failed: {e}"))))?
        .map_err(failure_response)
}

/// A JSON body, or the reason it is not one.
fn body<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, Reject> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        bad_request(format!(
            "{what}: line {}, column {}{}: {inner}",
            inner.line(),
            inner.column(),
            if path == "." {
                String::new()
            } else {
                format!(", at `{path}`")
            }
        ))
    })
}

/// `POST /api/tabletop`: starts a session (`{"scenario", "sets",
/// "strategy", "seed"}`), or replays a saved one (with its decisions);
/// answers its first stop, or its end.
pub(super) async fn start(State(state): State<Arc<AppState>>, text: String) -> Response {
    let answer = async {
        let session: Session = body(&text, "the tabletop session")?;
        let (session, mut doc, ran) = compute(state.clone(), 0, session).await?;
        let stop = doc.get("stop").cloned().unwrap_or(Value::Null);
        let n = session.decisions.len();
        let id = state.tabletops.insert(session, stop)?;
        state.tabletops.keep_run(id, n, ran);
        doc["id"] = Value::from(id);
        Ok::<_, Reject>(doc)
    };
    respond(answer.await)
}

/// `GET /api/tabletop/{id}`: the session's stop, or its end.
pub(super) async fn show(
    State(state): State<Arc<AppState>>,
    AxumPath(id): AxumPath<u64>,
) -> Response {
    let answer = async {
        let session = state.tabletops.get(id)?;
        let (session, doc, ran) = compute(state.clone(), id, session).await?;
        state.tabletops.keep_run(id, session.decisions.len(), ran);
        Ok::<_, Reject>(doc)
    };
    respond(answer.await)
}

/// What the room answers: `{"choice": VALUE}` (with `"apps": {APP:
/// VALUE}` for the apps of the stop that get another), `{"rest":
/// "strategy"}` (the strategy decides every stop left), `{"rest":
/// "which-next"}` (the strategy picks which task starts next from now
/// on), or `{"undo": true}` (the last stop's decision is undone, for all
/// its apps).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    #[serde(default)]
    choice: Option<Value>,
    #[serde(default)]
    apps: BTreeMap<String, Value>,
    #[serde(default)]
    rest: Option<String>,
    #[serde(default)]
    undo: bool,
}

/// `POST /api/tabletop/{id}/decide`: the room's answer to the stop; the
/// session moves on to the next stop (or the end). A choice that is not
/// one of the stop's is refused with the choices, and the session stays.
pub(super) async fn decide(
    State(state): State<Arc<AppState>>,
    AxumPath(id): AxumPath<u64>,
    text: String,
) -> Response {
    let answer = async {
        let answer: Answer = body(&text, "the decision")?;
        let (mut session, waits_at) = state.tabletops.get_with_stop(id)?;
        if answer.undo {
            // The last thing the room did is undone: its handing over, or
            // its last decision.
            if session.rest_by_strategy {
                session.rest_by_strategy = false;
            } else if session.which_next_from == Some(session.decisions.len()) {
                session.which_next_from = None;
            } else {
                session.decisions.pop();
            }
        } else if let Some(rest) = answer.rest {
            match rest.as_str() {
                "strategy" => session.rest_by_strategy = true,
                "which-next" => {
                    // Handed over once: a second time changes nothing.
                    session
                        .which_next_from
                        .get_or_insert(session.decisions.len());
                }
                _ => {
                    return Err(bad_request(format!(
                        "rest: `{rest}`: expected `strategy` (the strategy decides every stop left) or `which-next` (the strategy picks which app starts next from now on)"
                    )));
                }
            }
        } else {
            let Some(choice) = answer.choice else {
                return Err(bad_request(
                    "expected {\"choice\": ...} (one of the stop's options), {\"rest\": \"strategy\"} or {\"undo\": true}",
                ));
            };
            let now = if waits_at.is_object() {
                json!({ "stop": waits_at })
            } else {
                compute(state.clone(), id, session.clone()).await?.1
            };
            let Some(stop) = now.get("stop") else {
                return Err(bad_request(
                    "the session is over: every stop is decided (undo to change the last decision)",
                ));
            };
            let options = stop["options"].as_array().cloned().unwrap_or_default();
            if !options.iter().any(|o| o["value"] == choice) {
                let values: Vec<String> = options.iter().map(|o| o["value"].to_string()).collect();
                return Err(bad_request(format!(
                    "choice {choice} is not an option of stop {} ({}); expected one of {}",
                    stop["n"],
                    stop["question"].as_str().unwrap_or_default(),
                    values.join(", ")
                )));
            }
            check_apps(stop, &choice, &answer.apps)?;
            let kind = match stop["kind"].as_str() {
                Some("method") => Kind::Method,
                Some("restart") => Kind::Restart,
                _ => Kind::Task,
            };
            session.decisions.push(Decision {
                stop: kind,
                choice,
                apps: answer.apps,
                at: stop["at"].as_str().map(str::to_string),
            });
        }
        let (session, doc, ran) = compute(state.clone(), id, session).await?;
        let stop = doc.get("stop").cloned().unwrap_or(Value::Null);
        state.tabletops.keep_run(id, session.decisions.len(), ran);
        state.tabletops.put(id, session, stop)?;
        Ok::<_, Reject>(doc)
    };
    respond(answer.await)
}

/// Checks the room's answer to a stop app by app: every app of `apps` is
/// one the stop asks about and gets one of its own choices, and every
/// other app can take `choice`.
fn check_apps(stop: &Value, choice: &Value, apps: &BTreeMap<String, Value>) -> Result<(), Reject> {
    let rows = stop["rows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let listed = |r: &Value| {
        r["options"]
            .as_array()
            .map(|o| {
                o.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    if let Some(app) = apps
        .keys()
        .find(|a| !rows.iter().any(|r| r["app"] == a.as_str()))
    {
        let asked: Vec<&str> = rows.iter().filter_map(|r| r["app"].as_str()).collect();
        return Err(bad_request(format!(
            "apps: `{app}` is not asked about at stop {}; it asks about {}",
            stop["n"],
            if asked.is_empty() {
                "no app (a task stop takes only a choice)".to_string()
            } else {
                asked.join(", ")
            }
        )));
    }
    for row in rows {
        let app = row["app"].as_str().unwrap_or_default();
        let given = apps.get(app);
        let value = given.unwrap_or(choice);
        let fits = row["options"].as_array().is_some_and(|o| o.contains(value));
        if !fits {
            return Err(bad_request(match given {
                Some(v) => format!(
                    "apps: {app}: {v} is not one of its choices; expected one of {}",
                    listed(row)
                ),
                None => format!(
                    "choice {choice} is not one of {app}'s choices ({}): give it its own in `apps`",
                    listed(row)
                ),
            }));
        }
    }
    Ok(())
}

/// `GET /api/tabletop/{id}/session`: the session as a file to download
/// (and to load again on the page, or to post to `/api/tabletop`).
pub(super) async fn save(
    State(state): State<Arc<AppState>>,
    AxumPath(id): AxumPath<u64>,
) -> Response {
    match state.tabletops.get(id) {
        Ok(session) => {
            let name = format!(
                "tabletop-{}-seed-{}.json",
                session
                    .strategy
                    .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"),
                session.seed
            );
            let text = session_text(&session);
            (
                [
                    (header::CONTENT_TYPE, "application/json".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                text,
            )
                .into_response()
        }
        Err(r) => r.into_response(),
    }
}

/// A session as a file.
fn session_text(session: &Session) -> String {
    serde_json::to_string_pretty(session).unwrap_or_default() + "\n"
}

/// A session's document, or why not.
fn respond(answer: Result<Value, Reject>) -> Response {
    match answer {
        Ok(doc) => Json(doc).into_response(),
        Err(r) => r.into_response(),
    }
}

/// Largest decisions file `hvsim run --decisions` reads.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// A saved tabletop session read for `hvsim run --decisions FILE`: the
/// room's decisions replayed on the command line's scenario, each
/// mismatch an error at its place in the file.
pub(crate) struct DecisionsFile {
    path: String,
    text: String,
    session: Session,
}

impl DecisionsFile {
    /// Reads and checks the file's form (its fit to the scenario is
    /// checked by [`run`](Self::run)).
    pub(crate) fn read(path: &std::path::Path) -> Result<Self, Failure> {
        let shown = path.display().to_string();
        let len = std::fs::metadata(path)
            .map_err(|e| Failure::Input(format!("{shown}: cannot read the decisions file: {e}")))?
            .len();
        if len > MAX_FILE_BYTES {
            return Err(Failure::Input(format!(
                "{shown}: {len} bytes; a decisions file (a tabletop session the page saved) is at most {MAX_FILE_BYTES}"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Input(format!("{shown}: cannot read the decisions file: {e}")))?;
        let de = &mut serde_json::Deserializer::from_str(&text);
        let session: Session = serde_path_to_error::deserialize(de).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.into_inner();
            Failure::Input(format!(
                "{shown}:{}:{}: {}{inner}; expected a tabletop session as `hvsim serve` saves it (docs/serve.md)",
                inner.line(),
                inner.column(),
                if at == "." { String::new() } else { format!("{at}: ") }
            ))
        })?;
        let file = DecisionsFile {
            path: shown,
            text,
            session,
        };
        if !VERSIONS.contains(&file.session.hvsim_tabletop) {
            return Err(file.error(
                locate(&file.text, "hvsim_tabletop", None),
                "hvsim_tabletop",
                format!(
                    "{}: this hvsim reads tabletop sessions of version {}",
                    file.session.hvsim_tabletop,
                    versions()
                ),
            ));
        }
        if file.session.decisions.len() > MAX_DECISIONS {
            return Err(file.error(
                locate(&file.text, "decisions", None),
                "decisions",
                format!(
                    "{} of them; at most {MAX_DECISIONS}",
                    file.session.decisions.len()
                ),
            ));
        }
        Ok(file)
    }

    /// An error at `at` (line, column) of the file, about `field`.
    fn error(&self, at: Option<(usize, usize)>, field: &str, what: String) -> Failure {
        let (line, column) = at.unwrap_or((1, 1));
        Failure::Input(format!("{}:{line}:{column}: {field}: {what}", self.path))
    }

    /// The session's changes to the scenario: `--set` on the command line
    /// must be the same when given.
    pub(crate) fn sets(&self, given: &[SetSpec]) -> Result<Vec<SetSpec>, Failure> {
        let texts: Vec<&str> = given.iter().map(|s| s.text.as_str()).collect();
        if !given.is_empty() && texts != self.session.sets {
            return Err(self.error(
                locate(&self.text, "sets", None),
                "sets",
                format!(
                    "the session changed the scenario with [{}], the command line with [{}]; drop `--set` to use the session's",
                    self.session.sets.join(", "),
                    texts.join(", ")
                ),
            ));
        }
        self.session
            .sets
            .iter()
            .map(|text| {
                hvsim::sweep::parse_set_value(text)
                    .map_err(|e| self.error(locate(&self.text, "sets", None), "sets", e))
            })
            .collect()
    }

    /// The session's strategy (the scenario's default when it names
    /// none); `--strategy` must be the same when given.
    pub(crate) fn strategy<'s>(
        &self,
        sc: &'s Scenario,
        given: Option<&str>,
    ) -> Result<&'s hvsim::model::Strategy, Failure> {
        let named = self.session.strategy.as_str();
        let at = || locate(&self.text, "strategy", None);
        if let Some(g) = given
            && !named.is_empty()
            && g != named
        {
            return Err(self.error(
                at(),
                "strategy",
                format!("the session was played from `{named}`, the command line asks for `{g}`; drop `--strategy` or give `--strategy {named}`"),
            ));
        }
        match given.or((!named.is_empty()).then_some(named)) {
            None => Ok(sc.default_strategy()),
            Some(name) => sc.strategy(name).ok_or_else(|| {
                let known: Vec<&str> = sc.strategies.iter().map(|s| s.id.as_str()).collect();
                self.error(
                    at(),
                    "strategy",
                    format!(
                        "`{name}` is not a strategy of {}; expected one of {}",
                        sc.name,
                        known.join(", ")
                    ),
                )
            }),
        }
    }

    /// The session's seed; `--seed` must be the same when given.
    pub(crate) fn seed(&self, given: Option<u64>) -> Result<u64, Failure> {
        match given {
            Some(g) if g != self.session.seed => Err(self.error(
                locate(&self.text, "seed", None),
                "seed",
                format!(
                    "the session was played with seed {}, the command line asks for {g}; drop `--seed` or give `--seed {}`",
                    self.session.seed, self.session.seed
                ),
            )),
            _ => Ok(self.session.seed),
        }
    }

    /// The room's run: its decisions stop by stop, the strategy's choices
    /// after them (as the page's end does).
    pub(crate) fn run(
        &self,
        sc: &Scenario,
        strategy: &hvsim::model::Strategy,
        seed: u64,
    ) -> Result<hvsim::Outcome, Failure> {
        let session = Session {
            strategy: strategy.id.clone(),
            seed,
            rest_by_strategy: true,
            ..self.session.clone()
        };
        let clock = Clock::new(sc);
        match run_session(sc, &clock, &session) {
            Ok((explanation, _)) => Ok(explanation.outcome),
            Err(Failure::Input(msg)) => {
                // "decision N: ..." is located at the N-th decision.
                let n = msg
                    .strip_prefix("decision ")
                    .and_then(|rest| rest.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok());
                let at = match n {
                    Some(n) => locate(&self.text, "decisions", Some(n - 1)),
                    None => locate(&self.text, "decisions", None),
                };
                let field = n.map_or_else(
                    || "decisions".to_string(),
                    |n| format!("decisions[{}]", n - 1),
                );
                let what = n.map_or(msg.as_str(), |_| {
                    msg.split_once(": ").map_or(msg.as_str(), |(_, rest)| rest)
                });
                Err(self.error(at, &field, what.to_string()))
            }
            Err(e) => Err(e),
        }
    }
}

/// Where, in a JSON object's text, its top-level `key` is, or the
/// `element`-th item (from 0) of the array it holds: 1-based line and
/// column. `None` when it is not there.
fn locate(text: &str, key: &str, element: Option<usize>) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    // The key's value, once found: its depth, and the items seen.
    let mut inside: Option<usize> = None;
    let mut items = 0usize;
    let mut expect_item = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if expect_item {
                if items == element? {
                    return Some(line_column(text, start));
                }
                items += 1;
                expect_item = false;
            } else if inside.is_none() && depth == 1 && text.get(start + 1..i) == Some(key) {
                let rest = text.get(i + 1..)?.trim_start();
                if rest.starts_with(':') {
                    if element.is_none() {
                        return Some(line_column(text, start));
                    }
                    inside = Some(depth);
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'{' | b'[' => {
                if expect_item {
                    if items == element? {
                        return Some(line_column(text, i));
                    }
                    items += 1;
                    expect_item = false;
                }
                depth += 1;
                if c == b'[' && inside == Some(depth - 1) {
                    expect_item = true;
                }
            }
            b'}' | b']' => {
                if inside == Some(depth.saturating_sub(1)) && c == b']' {
                    return None;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if inside.is_some_and(|d| depth == d + 1) => expect_item = true,
            c if expect_item && !c.is_ascii_whitespace() => {
                if items == element? {
                    return Some(line_column(text, i));
                }
                items += 1;
                expect_item = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The 1-based line and column of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::{MAX_SESSIONS, Session, Store, Value, human, locate};
    use hvsim::sim::SimDuration;

    #[test]
    fn the_oldest_session_is_forgotten_first() {
        let store = Store::default();
        let session: Session = serde_json::from_str("{}").expect("a session");
        let insert = |session: &Session| ok(store.insert(session.clone(), Value::Null));
        let ids: Vec<u64> = (0..=MAX_SESSIONS).map(|_| insert(&session)).collect();
        let status = |id: u64| store.get(id).err().map(|r| r.0.as_u16());
        assert_eq!(status(ids[0]), Some(404), "the oldest is forgotten");
        assert_eq!(status(ids[1]), None);
        assert_eq!(status(ids[MAX_SESSIONS]), None);
        // Deciding in a session does not make it younger: the order is
        // the order of starts.
        ok(store.put(ids[1], session.clone(), Value::Null));
        insert(&session);
        assert_eq!(status(ids[1]), Some(404));
        assert_eq!(status(ids[2]), None);
        // A session forgotten while it was being decided stays forgotten.
        ok(store.put(ids[1], session, Value::Null));
        assert_eq!(status(ids[1]), Some(404));
    }

    /// The value of a store's answer, which must be one.
    fn ok<T>(r: Result<T, super::Reject>) -> T {
        r.unwrap_or_else(|r| panic!("{}", r.1))
    }

    #[test]
    fn sessions_kept_in_a_directory_outlive_the_store_and_its_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ok_open(dir.path());
        let mut session: Session = serde_json::from_str(r#"{"seed": 7}"#).expect("a session");
        let ids: Vec<u64> = (0..=MAX_SESSIONS)
            .map(|_| ok(store.insert(session.clone(), Value::Null)))
            .collect();
        session.rest_by_strategy = true;
        ok(store.put(ids[0], session.clone(), Value::Null));
        // The oldest is out of memory, not lost; a store opened on the
        // same directory finds every one and numbers on.
        assert!(ok(store.get(ids[0])).rest_by_strategy);
        let again = ok_open(dir.path());
        assert!(ok(again.get(ids[0])).rest_by_strategy);
        assert_eq!(ok(again.get(ids[MAX_SESSIONS])).seed, 7);
        let next = ok(again.insert(session, Value::Null));
        assert_eq!(next, ids[MAX_SESSIONS] + 1);
        assert_eq!(again.get(next + 1).err().map(|r| r.0.as_u16()), Some(404));
        // A file that is not a session is a bad request naming it.
        std::fs::write(dir.path().join("tabletop-999.json"), "{\"seed\": \"x\"}").expect("writes");
        let bad = again.get(999).expect_err("refused");
        assert_eq!(bad.0.as_u16(), 400);
        assert!(
            bad.1.contains("tabletop-999.json") && bad.1.contains("seed"),
            "{}",
            bad.1
        );
    }

    fn ok_open(dir: &std::path::Path) -> Store {
        match Store::open(Some(dir)) {
            Ok(store) => store,
            Err(_) => panic!("cannot open {}", dir.display()),
        }
    }

    #[test]
    fn a_key_and_an_item_of_its_array_are_located() {
        let text = "{\n  \"seed\": 3,\n  \"decisions\": [\n    {\"stop\": \"method\"},\n    { \"stop\": \"task\", \"choice\": [1, {\"x\": 2}] },\n    {}\n  ],\n  \"sets\": [\"a=1\"]\n}\n";
        assert_eq!(locate(text, "seed", None), Some((2, 3)));
        assert_eq!(locate(text, "decisions", None), Some((3, 3)));
        assert_eq!(locate(text, "decisions", Some(0)), Some((4, 5)));
        assert_eq!(locate(text, "decisions", Some(1)), Some((5, 5)));
        assert_eq!(locate(text, "decisions", Some(2)), Some((6, 5)));
        assert_eq!(locate(text, "decisions", Some(3)), None);
        assert_eq!(locate(text, "sets", Some(0)), Some((8, 12)));
        assert_eq!(locate(text, "stop", None), None, "not a top-level key");
    }

    #[test]
    fn durations_read_to_the_minute() {
        let m = |x: u64| human(SimDuration::from_millis(x * 60_000));
        assert_eq!(m(0), "0m");
        assert_eq!(m(45), "45m");
        assert_eq!(m(120), "2h");
        assert_eq!(m(330), "5h 30m");
        assert_eq!(m(1440), "1d");
        assert_eq!(m(1440 * 2 + 4 * 60 + 59), "2d 4h");
        assert_eq!(human(SimDuration::from_millis(89_999)), "1m");
    }
}
