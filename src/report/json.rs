//! The `--json` document of `hvsim run`. Its schema is documented in
//! `docs/json.md`; fields are only ever added, never renamed, under the
//! same `schema` tag.

use serde::Serialize;

use super::Clock;
use crate::metrics::{DataLoss, FaultKind, Outcome, TaskEnd, TaskSubject, Verdict};
use crate::model::Scenario;
use crate::sim::{SimTime, StopReason};

/// The schema tag of [`RunJson`].
pub const RUN_SCHEMA: &str = "hvsim.run/2";

/// One run, as JSON.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct RunJson {
    pub schema: &'static str,
    pub scenario: String,
    pub source: String,
    pub strategy: String,
    pub seed: u64,
    /// [`crate::sim::STREAM_VERSION`]: the same seed gives the same
    /// document only with the same streams.
    pub streams: u32,
    pub time_zone: String,
    pub start: String,
    pub horizon_end: String,
    pub stop: &'static str,
    pub events: u64,
    pub faults: Vec<FaultJson>,
    pub incidents: Vec<IncidentJson>,
    pub apps: Vec<AppJson>,
    pub tasks: Vec<TaskJson>,
    pub transfers: Vec<TransferJson>,
    pub objectives: Vec<ObjectiveJson>,
    pub hosts: Vec<HostJson>,
    pub totals: TotalsJson,
}

/// One restore's data transfer from the backup system.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct TransferJson {
    pub app: String,
    pub bytes: u64,
    pub queued: String,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// One host's downtime and availability over the horizon.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct HostJson {
    pub id: String,
    pub failures: u32,
    pub downtime_s: u64,
    pub availability: f64,
}

/// How one recovery objective fared.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ObjectiveJson {
    pub name: String,
    pub rto_s: Option<u64>,
    pub rpo_s: Option<u64>,
    pub apps: usize,
    pub apps_down: usize,
    pub rto_missed: Vec<String>,
    pub rpo_missed: Vec<String>,
    pub worst_rto_margin_s: Option<i64>,
    pub met: bool,
    /// `met`, `missed` or `undetermined` (still down when the horizon
    /// ended, before the RTO did).
    pub verdict: &'static str,
    pub rto_undetermined: Vec<String>,
}

/// One recovery task: who did what, when.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct TaskJson {
    pub kind: &'static str,
    pub app: Option<String>,
    pub host: Option<String>,
    pub wave: Option<String>,
    pub method: Option<&'static str>,
    pub team: String,
    pub member: u32,
    pub start: String,
    pub end: Option<String>,
    pub work_s: u64,
    pub outcome: &'static str,
}

/// A fault.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct FaultJson {
    pub at: String,
    pub bug: Option<String>,
    pub kind: &'static str,
    pub hosts: Vec<String>,
    pub vms_corrupted: u32,
    pub apps_down: Vec<String>,
}

/// An incident and its recovery milestones.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct IncidentJson {
    pub bug: String,
    pub at: String,
    pub diagnosed_at: Option<String>,
    pub recovery_started: Option<String>,
    pub apps_down: usize,
    pub apps_restored: usize,
    pub milestones: MilestonesJson,
}

/// When the first app, 50 %, 90 % and 100 % of an incident's apps were back for good.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct MilestonesJson {
    pub first: Option<String>,
    pub half: Option<String>,
    pub ninety: Option<String>,
    pub all: Option<String>,
}

/// One app.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct AppJson {
    pub id: String,
    pub tags: Vec<String>,
    pub criticality: u32,
    pub down_at: Option<String>,
    pub up_at: Option<String>,
    pub downtime_s: u64,
    pub method: Option<&'static str>,
    pub team: Option<String>,
    pub recoveries: u32,
    pub self_restarts: u32,
    pub waiting: Option<&'static str>,
    pub outages: Vec<OutageJson>,
    pub data_loss_s: Option<u64>,
    pub data_lost_all: bool,
    pub recovery_s: Option<u64>,
    pub recovered: Option<bool>,
    pub rto_s: Option<u64>,
    pub rto_met: Option<bool>,
    pub rpo_s: Option<u64>,
    pub rpo_met: Option<bool>,
    pub availability: f64,
}

/// One outage.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct OutageJson {
    pub down_at: String,
    pub up_at: Option<String>,
}

/// Totals over the run.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct TotalsJson {
    pub apps: usize,
    pub apps_down: usize,
    pub apps_restored: usize,
    pub apps_still_down: usize,
    pub downtime_s: u64,
    pub mean_downtime_s: f64,
    pub weighted_impact_h: f64,
    pub recurrences: u32,
    pub host_reboots: u32,
}

/// Builds the JSON document of a run.
pub fn run_json(scenario: &Scenario, outcome: &Outcome) -> RunJson {
    let clock = Clock::new(scenario);
    let date = |t: SimTime| clock.rfc3339(t);
    let opt = |t: Option<SimTime>| t.map(date);
    let horizon = outcome.horizon;
    let faults = outcome
        .faults
        .iter()
        .map(|f| FaultJson {
            at: date(f.at),
            bug: f.bug.map(|b| scenario.bugs[b.index()].id.clone()),
            kind: match f.kind {
                FaultKind::Strike => "strike",
                FaultKind::Recurrence => "recurrence",
                FaultKind::Chaos(_) => "chaos",
            },
            hosts: f
                .hosts
                .iter()
                .map(|h| scenario.hosts[h.index()].id.clone())
                .collect(),
            vms_corrupted: f.vms_corrupted,
            apps_down: f
                .apps_down
                .iter()
                .map(|a| scenario.apps[a.index()].id.clone())
                .collect(),
        })
        .collect();
    let incidents = outcome
        .incidents
        .iter()
        .map(|i| IncidentJson {
            bug: scenario.bugs[i.bug.index()].id.clone(),
            at: date(i.at),
            diagnosed_at: opt(i.diagnosed_at),
            recovery_started: opt(i.recovery_started),
            apps_down: i.apps.len(),
            apps_restored: i.restored.iter().flatten().count(),
            milestones: MilestonesJson {
                first: opt(i.milestones.first),
                half: opt(i.milestones.half),
                ninety: opt(i.milestones.ninety),
                all: opt(i.milestones.all),
            },
        })
        .collect();
    let apps = apps_json(scenario, outcome, &clock);
    let transfers = outcome
        .transfers
        .iter()
        .map(|t| TransferJson {
            app: scenario.apps[t.app.index()].id.clone(),
            bytes: t.bytes,
            queued: date(t.queued),
            start: opt(t.start),
            end: opt(t.end),
        })
        .collect();
    let names = |list: &[crate::model::AppId]| -> Vec<String> {
        list.iter()
            .map(|a| scenario.apps[a.index()].id.clone())
            .collect()
    };
    let objectives = scenario
        .objectives
        .iter()
        .zip(outcome.objectives(scenario))
        .map(|(o, r)| ObjectiveJson {
            name: o.name.clone(),
            rto_s: o.rto.map(|d| d.as_millis() / 1000),
            rpo_s: o.rpo.map(|d| d.as_millis() / 1000),
            apps: o.apps.len(),
            apps_down: r.apps_down,
            rto_missed: names(&r.rto_missed),
            rpo_missed: names(&r.rpo_missed),
            worst_rto_margin_s: r.worst_rto_margin_ms.map(|m| m / 1000),
            met: r.met(),
            verdict: match r.verdict() {
                Verdict::Met => "met",
                Verdict::Missed => "missed",
                Verdict::Undetermined => "undetermined",
            },
            rto_undetermined: names(&r.rto_undetermined),
        })
        .collect();
    let tasks = tasks_json(scenario, outcome, &clock);
    let totals = outcome.totals(scenario);
    let downtime_ms = totals.downtime.as_millis();
    RunJson {
        schema: RUN_SCHEMA,
        scenario: scenario.name.clone(),
        source: scenario.source.clone(),
        strategy: scenario.strategies[outcome.strategy.index()].id.clone(),
        seed: outcome.seed,
        streams: crate::sim::STREAM_VERSION,
        time_zone: scenario.tz.iana_name().unwrap_or("UTC").to_string(),
        start: date(SimTime::ZERO),
        horizon_end: date(horizon),
        stop: match outcome.stop {
            StopReason::Drained => "drained",
            StopReason::Horizon => "horizon",
            StopReason::Stopped => "stopped",
        },
        events: outcome.events,
        faults,
        incidents,
        apps,
        tasks,
        transfers,
        objectives,
        hosts: scenario
            .hosts
            .iter()
            .zip(&outcome.hosts)
            .enumerate()
            .map(|(h, (host, o))| HostJson {
                id: host.id.clone(),
                failures: o.failures,
                downtime_s: o.downtime.as_millis() / 1000,
                availability: outcome.host_availability(crate::model::HostId(h as u32)),
            })
            .collect(),
        totals: TotalsJson {
            apps: scenario.apps.len(),
            apps_down: totals.apps_down,
            apps_restored: totals.apps_restored,
            apps_still_down: totals.apps_still_down(),
            downtime_s: downtime_ms / 1000,
            mean_downtime_s: if totals.apps_down == 0 {
                0.0
            } else {
                downtime_ms as f64 / 1000.0 / totals.apps_down as f64
            },
            weighted_impact_h: totals.weighted_impact_ms as f64 / 3_600_000.0,
            recurrences: outcome.recurrences,
            host_reboots: outcome.host_reboots,
        },
    }
}

/// Every app: its outages, recovery, data loss and objectives.
fn apps_json(scenario: &Scenario, outcome: &Outcome, clock: &Clock) -> Vec<AppJson> {
    let date = |t: SimTime| clock.rfc3339(t);
    let opt = |t: Option<SimTime>| t.map(date);
    let horizon = outcome.horizon;
    scenario
        .apps
        .iter()
        .zip(&outcome.apps)
        .map(|(app, o)| AppJson {
            id: app.id.clone(),
            tags: app.tags.clone(),
            criticality: app.criticality,
            down_at: opt(o.first_down()),
            up_at: if o.outages.is_empty() {
                None
            } else {
                opt(o.final_up())
            },
            downtime_s: o.downtime(horizon).as_millis() / 1000,
            method: o.method.map(|m| m.name()),
            team: o.team.map(|t| scenario.teams[t.index()].id.clone()),
            recoveries: o.recoveries,
            self_restarts: o.self_restarts,
            waiting: o.waiting.map(|w| w.describe()),
            outages: o
                .outages
                .iter()
                .map(|x| OutageJson {
                    down_at: date(x.down_at),
                    up_at: opt(x.up_at),
                })
                .collect(),
            data_loss_s: o.data_loss.duration().map(|d| d.as_millis() / 1000),
            data_lost_all: o.data_loss == DataLoss::All,
            recovery_s: o.recovery.map(|r| r.time.as_millis() / 1000),
            recovered: o.recovery.map(|r| r.complete),
            rto_s: app.rto.map(|d| d.as_millis() / 1000),
            rto_met: app.rto.zip(o.recovery).map(|(rto, r)| r.within(rto)),
            rpo_s: app.rpo.map(|d| d.as_millis() / 1000),
            rpo_met: app.rpo.map(|rpo| o.data_loss.within(rpo)),
            availability: 1.0
                - o.downtime(horizon).as_millis() as f64 / horizon.as_millis().max(1) as f64,
        })
        .collect()
}

/// Every task: what it worked on, who did it, when, and how it ended.
fn tasks_json(scenario: &Scenario, outcome: &Outcome, clock: &Clock) -> Vec<TaskJson> {
    let date = |t: SimTime| clock.rfc3339(t);
    let opt = |t: Option<SimTime>| t.map(date);
    outcome
        .tasks
        .iter()
        .map(|t| TaskJson {
            kind: match t.subject {
                TaskSubject::App(..) => "app",
                TaskSubject::Host(_) => "host",
                TaskSubject::Patch(_) => "patch",
                TaskSubject::Go(_) => "go",
            },
            app: t.app().map(|a| scenario.apps[a.index()].id.clone()),
            host: match t.subject {
                TaskSubject::Host(h) | TaskSubject::Patch(h) => {
                    Some(scenario.hosts[h.index()].id.clone())
                }
                _ => None,
            },
            wave: match t.subject {
                TaskSubject::Go(w) => scenario.strategies[outcome.strategy.index()]
                    .waves
                    .get(w as usize)
                    .map(|w| w.name.clone()),
                _ => None,
            },
            method: t.method().map(|m| m.name()),
            team: scenario.teams[t.team.index()].id.clone(),
            member: t.member + 1,
            start: date(t.start),
            end: opt(t.end),
            work_s: t.work.as_millis() / 1000,
            outcome: match t.outcome {
                TaskEnd::Done => "done",
                TaskEnd::Abandoned => "abandoned",
                TaskEnd::Unfinished => "unfinished",
            },
        })
        .collect()
}
