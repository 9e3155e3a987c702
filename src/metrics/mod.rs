//! What one run produced: the [`Outcome`] of `simulate`.
//!
//! An outcome is plain data indexed like the scenario (`apps[i]` is
//! `scenario.apps[i]`), so reports and later aggregation read it without
//! re-running anything.

pub mod dr_use;

use crate::model::{AppId, BugId, HostId, Method, Scenario, StrategyId, TeamId};
use crate::sim::{SimDuration, SimTime, StopReason};

/// One run's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The replication's master seed.
    pub seed: u64,
    /// The strategy simulated.
    pub strategy: StrategyId,
    /// Why the run ended.
    pub stop: StopReason,
    /// The clock when the run ended.
    pub end: SimTime,
    /// The end of the horizon: open outages are counted up to here.
    pub horizon: SimTime,
    /// Events processed.
    pub events: u64,
    /// Every fault, in order: bug strikes and recurrences.
    pub faults: Vec<FaultRecord>,
    /// The incidents (first strikes of a bug and later independent strikes),
    /// with their recovery milestones.
    pub incidents: Vec<Incident>,
    /// Per app, indexed by [`AppId`].
    pub apps: Vec<AppOutcome>,
    /// Crashes of restarted hosts by a bug that was not yet fixed.
    pub recurrences: u32,
    /// Host reboots performed by the strategy.
    pub host_reboots: u32,
    /// Every recovery task, in the order it started: who did what, when.
    pub tasks: Vec<TaskRecord>,
    /// Every restore's data transfer from the backup system, in the order
    /// the transfers were requested.
    pub transfers: Vec<TransferRecord>,
    /// Every VM moved to another host by a recovery (DR site, HA), in order.
    pub moves: Vec<VmMove>,
    /// Per host, indexed by [`HostId`].
    pub hosts: Vec<HostOutcome>,
    /// Per team, its roster in this run when random absences changed it
    /// (`None`: the scenario's roster). Use [`Outcome::roster`].
    pub rosters: Vec<Option<crate::sim::Roster>>,
}

/// One host's history in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostOutcome {
    /// Time it was not up (crashed, rebooting, rebuilding, under repair),
    /// up to the end of the horizon.
    pub downtime: SimDuration,
    /// Times it went down.
    pub failures: u32,
}

impl Outcome {
    /// Who of `team` was on duty when in this run.
    pub fn roster<'a>(&'a self, scenario: &'a Scenario, team: TeamId) -> &'a crate::sim::Roster {
        match self.rosters.get(team.index()) {
            Some(Some(r)) => r,
            _ => &scenario.teams[team.index()].roster,
        }
    }

    /// Share of the horizon an app was up, from 0 to 1.
    pub fn app_availability(&self, app: AppId) -> f64 {
        let span = self.horizon.as_millis().max(1) as f64;
        1.0 - self.apps[app.index()].downtime(self.horizon).as_millis() as f64 / span
    }

    /// Share of the horizon a host was up, from 0 to 1.
    pub fn host_availability(&self, host: HostId) -> f64 {
        let span = self.horizon.as_millis().max(1) as f64;
        1.0 - self.hosts[host.index()].downtime.as_millis() as f64 / span
    }
}

/// A VM moved to another host by a recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmMove {
    /// When it started running there (or would have: the host may be down).
    pub at: SimTime,
    /// The VM.
    pub vm: crate::model::VmId,
    /// Where it went.
    pub to: HostId,
}

/// What a task worked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskSubject {
    /// Recovering an app by a method (for [`Method::Rebuild`], the restart
    /// once its hosts are rebuilt; for [`Method::Restore`], the setup before
    /// the transfer).
    App(AppId, Method),
    /// Rebuilding a host on another build.
    Host(HostId),
    /// Patching a host with a vendor's fix.
    Patch(HostId),
    /// A runbook wave's manual "go" step (wave index).
    Go(u32),
}

/// One restore's transfer of an app's data from the backup system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferRecord {
    /// The app.
    pub app: AppId,
    /// Bytes transferred.
    pub bytes: u64,
    /// When the setup finished and the transfer was requested.
    pub queued: SimTime,
    /// When it got a stream, if it did.
    pub start: Option<SimTime>,
    /// When it finished, if it did.
    pub end: Option<SimTime>,
}

/// How a recovery task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskEnd {
    /// The work was completed.
    Done,
    /// Abandoned: the host it needed crashed again.
    Abandoned,
    /// Still in progress when the run ended.
    Unfinished,
}

/// One recovery task: one team member's work on one app, host or step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// What it worked on.
    pub subject: TaskSubject,
    /// The team.
    pub team: TeamId,
    /// Which member of the team (from 0).
    pub member: u32,
    /// When it started.
    pub start: SimTime,
    /// The work it needed (on-shift time).
    pub work: SimDuration,
    /// When it ended (done or abandoned); `None` if unfinished.
    pub end: Option<SimTime>,
    /// How it ended.
    pub outcome: TaskEnd,
}

impl TaskRecord {
    /// What it worked on, for people: the app, `host ID` or `go: WAVE`.
    pub fn subject_name(&self, scenario: &Scenario, strategy: StrategyId) -> String {
        match self.subject {
            TaskSubject::App(a, _) => scenario.apps[a.index()].id.clone(),
            TaskSubject::Host(h) => format!("host {}", scenario.hosts[h.index()].id),
            TaskSubject::Patch(h) => format!("patch host {}", scenario.hosts[h.index()].id),
            TaskSubject::Go(w) => format!(
                "go: {}",
                scenario.strategies[strategy.index()]
                    .waves
                    .get(w as usize)
                    .map_or("?", |w| w.name.as_str())
            ),
        }
    }

    /// What it did, for people: the method's name, or `go` for a runbook step.
    pub fn action_name(&self) -> &'static str {
        match self.subject {
            TaskSubject::Patch(_) => "patch",
            _ => self.method().map_or("go", |m| m.name()),
        }
    }

    /// The app it recovered, if it was an app task.
    pub fn app(&self) -> Option<AppId> {
        match self.subject {
            TaskSubject::App(a, _) => Some(a),
            _ => None,
        }
    }

    /// The method it carried out (host rebuilds are [`Method::Rebuild`];
    /// runbook steps have none).
    pub fn method(&self) -> Option<Method> {
        match self.subject {
            TaskSubject::App(_, m) => Some(m),
            // Patching is infrastructure work, like a rebuild.
            TaskSubject::Host(_) | TaskSubject::Patch(_) => Some(Method::Rebuild),
            TaskSubject::Go(_) => None,
        }
    }
}

/// Run-level totals, computed once for every report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Totals {
    /// Apps that went down at least once.
    pub apps_down: usize,
    /// Of those, apps up at the end.
    pub apps_restored: usize,
    /// Downtime summed over apps, open outages counted to the horizon.
    pub downtime: SimDuration,
    /// Σ criticality × downtime, in criticality-milliseconds.
    pub weighted_impact_ms: u128,
}

impl Totals {
    /// Mean downtime of the apps that went down, `None` if none did.
    pub fn mean_downtime(&self) -> Option<SimDuration> {
        (self.apps_down > 0)
            .then(|| SimDuration::from_millis(self.downtime.as_millis() / self.apps_down as u64))
    }

    /// Apps still down at the end.
    pub fn apps_still_down(&self) -> usize {
        self.apps_down - self.apps_restored
    }
}

impl Outcome {
    /// The run's totals; `scenario` supplies the criticality weights.
    pub fn totals(&self, scenario: &Scenario) -> Totals {
        let mut t = Totals {
            apps_down: 0,
            apps_restored: 0,
            downtime: SimDuration::ZERO,
            weighted_impact_ms: 0,
        };
        for (app, a) in scenario.apps.iter().zip(&self.apps) {
            if a.outages.is_empty() {
                continue;
            }
            let d = a.downtime(self.horizon);
            t.apps_down += 1;
            t.apps_restored += usize::from(a.final_up().is_some());
            t.downtime = t.downtime.saturating_add(d);
            t.weighted_impact_ms += u128::from(app.criticality) * u128::from(d.as_millis());
        }
        t
    }
}

/// What a fault was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The bug's trigger fired.
    Strike,
    /// A restarted host crashed again because the bug was not fixed.
    Recurrence,
    /// A random host failure of a chaos process (index into `Scenario::chaos`).
    Chaos(u32),
}

/// One fault.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRecord {
    /// When.
    pub at: SimTime,
    /// Which bug (`None` for a chaos failure).
    pub bug: Option<BugId>,
    /// Strike, recurrence or chaos.
    pub kind: FaultKind,
    /// Hosts it crashed.
    pub hosts: Vec<HostId>,
    /// VMs it corrupted.
    pub vms_corrupted: u32,
    /// Apps that went down because of it (directly or through a dependency).
    pub apps_down: Vec<AppId>,
}

/// Recovery milestones: when a share of an incident's apps was back for good.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Milestones {
    /// The first app back.
    pub first: Option<SimTime>,
    /// Half of the apps back.
    pub half: Option<SimTime>,
    /// 90 % of the apps back.
    pub ninety: Option<SimTime>,
    /// Every app back.
    pub all: Option<SimTime>,
}

/// A strike and its recovery.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// Index into [`Outcome::faults`].
    pub fault: usize,
    /// The bug.
    pub bug: BugId,
    /// When it struck.
    pub at: SimTime,
    /// When the bug was detected (the strike plus the strategy's
    /// `detection` delay), on its first incident only: a later strike of
    /// a known bug needs no detection.
    pub detected_at: Option<SimTime>,
    /// When diagnosis ended and recovery could be decided.
    pub diagnosed_at: Option<SimTime>,
    /// When the first recovery task of its apps started.
    pub recovery_started: Option<SimTime>,
    /// The apps it took down, by id.
    pub apps: Vec<AppId>,
    /// For each of `apps`, when it was back for good (up, and staying up
    /// until the next incident that hits it or the end of the run).
    pub restored: Vec<Option<SimTime>>,
    /// Milestones over `restored`.
    pub milestones: Milestones,
}

impl Incident {
    /// How many of its apps were back for good at `t`.
    pub fn restored_at(&self, t: SimTime) -> usize {
        self.restored
            .iter()
            .filter(|r| r.is_some_and(|r| r <= t))
            .count()
    }
}

/// One period during which an app was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// When it went down.
    pub down_at: SimTime,
    /// When it came back; `None` if still down at the end.
    pub up_at: Option<SimTime>,
}

/// Why an app was still down at the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Its bug was still being diagnosed.
    Diagnosis,
    /// No method of the strategy applies (e.g. restart is unsafe or its VMs are corrupted).
    NoMethod,
    /// Its hosts were rebooting.
    Hosts,
    /// Waiting in the queue for a free team member.
    Queue,
    /// The DR site (or, for an HA restart, its cluster) has no room for its VMs.
    DrCapacity,
    /// Its runbook wave has not started: an earlier wave is not finished,
    /// or the wave's "go" step is not done.
    Runbook,
    /// Queued behind its dependencies (dependency-aware order).
    DependencyGate,
    /// Queued behind a dependency that nothing would have brought back (it
    /// has no applicable method or no room at the DR site, or waits
    /// itself behind such a one): its turn would never have come.
    DependencyStuck,
    /// Its restore is transferring data, or waiting for a backup stream.
    Transfer,
    /// Its recovery was in progress (or could not finish inside the horizon).
    InProgress,
    /// Its own VMs run, but an app it depends on is down.
    Dependencies,
}

impl Waiting {
    /// A short phrase for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Waiting::Diagnosis => "still in diagnosis",
            Waiting::NoMethod => "no applicable recovery method",
            Waiting::Hosts => "waiting for its hosts to reboot",
            Waiting::Queue => "queued for a team member",
            Waiting::DrCapacity => "no room at the DR site",
            Waiting::Runbook => "its runbook wave has not started",
            Waiting::DependencyGate => "queued behind its dependencies",
            Waiting::DependencyStuck => "queued behind a dependency that cannot come back",
            Waiting::Transfer => "restoring data from backup",
            Waiting::InProgress => "recovery still in progress",
            Waiting::Dependencies => "waiting for a dependency",
        }
    }
}

/// One app's history in a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppOutcome {
    /// Its outages, in order. Inline up to two: most apps go down once or
    /// twice a run, and a heap allocation per app and replication was a
    /// measurable share of a plain run (BENCHMARKS.md).
    pub outages: smallvec::SmallVec<[Outage; 2]>,
    /// The method of its last recovery.
    pub method: Option<Method>,
    /// The team of its last recovery.
    pub team: Option<TeamId>,
    /// Completed recovery tasks.
    pub recoveries: u32,
    /// Times its VMs came back by themselves, when the host a chaos
    /// failure had stopped was repaired (no recovery task).
    pub self_restarts: u32,
    /// Why it was still down at the end, if it was.
    pub waiting: Option<Waiting>,
    /// The worst data loss of its recoveries.
    pub data_loss: DataLoss,
    /// Its worst recovery over the incidents that took it down.
    pub recovery: Option<Recovery>,
    /// When its last automated recovery (HA restart, failover) started:
    /// what the Gantt draws it from (people's work is in the tasks).
    pub automated_start: Option<SimTime>,
}

/// How much data an app lost when it was recovered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataLoss {
    /// Nothing: restarted on its own disks, or never down.
    #[default]
    None,
    /// The writes of this long before the failure (time since the last
    /// backup, or the replica's lag).
    Since(SimDuration),
    /// Everything: reinstalled with no backup to reload its data from.
    All,
}

impl DataLoss {
    /// Whether it is within a recovery-point objective.
    pub fn within(self, rpo: SimDuration) -> bool {
        match self {
            DataLoss::None => true,
            DataLoss::Since(d) => d <= rpo,
            DataLoss::All => false,
        }
    }

    /// The lost span, `None` for [`DataLoss::All`].
    pub fn duration(self) -> Option<SimDuration> {
        match self {
            DataLoss::None => Some(SimDuration::ZERO),
            DataLoss::Since(d) => Some(d),
            DataLoss::All => None,
        }
    }
}

/// How long an app took to come back for good after an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// From the incident's strike to back for good (to the end of the run
    /// if it never came back).
    pub time: SimDuration,
    /// Whether it came back.
    pub complete: bool,
}

impl Recovery {
    /// Whether it meets a recovery-time objective.
    pub fn within(self, rto: SimDuration) -> bool {
        self.complete && self.time <= rto
    }

    /// `rto` minus the recovery time, in ms: negative when missed.
    pub fn margin_ms(self, rto: SimDuration) -> i64 {
        rto.as_millis() as i64 - self.time.as_millis() as i64
    }
}

/// How one objective fared in a run.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectiveResult {
    /// Apps covered that went down (the others trivially meet it).
    pub apps_down: usize,
    /// Of those, apps that missed the RTO.
    pub rto_missed: Vec<AppId>,
    /// Of those, apps still down at the end of the horizon whose RTO ends
    /// after it: the run cannot tell whether they would have met it.
    pub rto_undetermined: Vec<AppId>,
    /// Of those, apps that missed the RPO.
    pub rpo_missed: Vec<AppId>,
    /// The smallest RTO margin over the apps down whose result is known,
    /// in ms (negative: missed).
    pub worst_rto_margin_ms: Option<i64>,
}

/// An objective's verdict in one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every covered app met it.
    Met,
    /// Some app missed it.
    Missed,
    /// None missed it yet, but some app was still down when the horizon
    /// ended, before its RTO did.
    Undetermined,
}

impl ObjectiveResult {
    /// Whether every covered app met both objectives.
    pub fn met(&self) -> bool {
        self.verdict() == Verdict::Met
    }

    /// Met, missed, or not known within the horizon.
    pub fn verdict(&self) -> Verdict {
        if !self.rto_missed.is_empty() || !self.rpo_missed.is_empty() {
            Verdict::Missed
        } else if !self.rto_undetermined.is_empty() {
            Verdict::Undetermined
        } else {
            Verdict::Met
        }
    }
}

impl Outcome {
    /// How each of the scenario's objectives fared.
    pub fn objectives(&self, scenario: &Scenario) -> Vec<ObjectiveResult> {
        scenario
            .objectives
            .iter()
            .map(|o| {
                let mut r = ObjectiveResult {
                    apps_down: 0,
                    rto_missed: Vec::new(),
                    rto_undetermined: Vec::new(),
                    rpo_missed: Vec::new(),
                    worst_rto_margin_ms: None,
                };
                for &a in &o.apps {
                    let app = &self.apps[a.index()];
                    let Some(rec) = app.recovery else { continue };
                    r.apps_down += 1;
                    if let Some(rto) = o.rto {
                        // Still down at the end, with the RTO ending after
                        // the horizon: neither met nor missed.
                        if !rec.complete && rec.time < rto {
                            r.rto_undetermined.push(a);
                            continue;
                        }
                        if !rec.within(rto) {
                            r.rto_missed.push(a);
                        }
                        let m = rec.margin_ms(rto);
                        r.worst_rto_margin_ms =
                            Some(r.worst_rto_margin_ms.map_or(m, |w: i64| w.min(m)));
                    }
                    if let Some(rpo) = o.rpo
                        && !app.data_loss.within(rpo)
                    {
                        r.rpo_missed.push(a);
                    }
                }
                r
            })
            .collect()
    }
}

impl Outcome {
    /// The apps still down at the end that were waiting for something
    /// time alone would have brought (a team member's next shift, the
    /// diagnosis, a transfer, their own recovery under way), with why. Not
    /// those that nothing would have brought back (no applicable method,
    /// no room at the DR site with nothing left to free it, or queued
    /// behind a dependency in that state) nor those down only through a
    /// dependency: see [`Outcome::stuck`].
    pub fn pending(&self) -> impl Iterator<Item = (AppId, Waiting)> + '_ {
        self.apps
            .iter()
            .enumerate()
            .filter_map(|(a, app)| match app.waiting {
                None
                | Some(
                    Waiting::NoMethod
                    | Waiting::DrCapacity
                    | Waiting::DependencyStuck
                    | Waiting::Dependencies,
                ) => None,
                Some(w) => Some((AppId(a as u32), w)),
            })
    }

    /// The apps still down at the end with no applicable method or no
    /// room at the DR site, or queued behind a dependency in that state,
    /// with why.
    pub fn stuck(&self) -> impl Iterator<Item = (AppId, Waiting)> + '_ {
        self.apps
            .iter()
            .enumerate()
            .filter_map(|(a, app)| match app.waiting {
                Some(w @ (Waiting::NoMethod | Waiting::DrCapacity | Waiting::DependencyStuck)) => {
                    Some((AppId(a as u32), w))
                }
                _ => None,
            })
    }
}

impl AppOutcome {
    /// Total time down, open outages counted up to `horizon`.
    pub fn downtime(&self, horizon: SimTime) -> SimDuration {
        self.outages.iter().fold(SimDuration::ZERO, |acc, o| {
            acc.saturating_add(o.up_at.unwrap_or(horizon).saturating_since(o.down_at))
        })
    }

    /// When it first went down.
    pub fn first_down(&self) -> Option<SimTime> {
        self.outages.first().map(|o| o.down_at)
    }

    /// When it last came back up, if it is up at the end.
    pub fn final_up(&self) -> Option<SimTime> {
        self.outages.last().and_then(|o| o.up_at)
    }

    /// Whether it was up at instant `t`.
    pub fn is_up_at(&self, t: SimTime) -> bool {
        !self
            .outages
            .iter()
            .any(|o| o.down_at <= t && o.up_at.is_none_or(|u| t < u))
    }
}

/// The time at which `share` (a fraction) of `n` apps were restored, given
/// their restoration times sorted ascending.
pub(crate) fn milestone(sorted: &[SimTime], n: usize, share_percent: usize) -> Option<SimTime> {
    if n == 0 {
        return None;
    }
    let need = (n * share_percent).div_ceil(100).max(1);
    sorted.get(need - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u64) -> SimTime {
        SimTime::ZERO.saturating_add(SimDuration::from_hours(h))
    }

    #[test]
    fn downtime_sums_outages_and_counts_open_ones_to_the_horizon() {
        let a = AppOutcome {
            outages: smallvec::smallvec![
                Outage {
                    down_at: t(1),
                    up_at: Some(t(3)),
                },
                Outage {
                    down_at: t(5),
                    up_at: None,
                },
            ],
            ..Default::default()
        };
        assert_eq!(a.downtime(t(10)), SimDuration::from_hours(7));
        assert!(a.is_up_at(t(0)));
        assert!(!a.is_up_at(t(1)));
        assert!(a.is_up_at(t(3)));
        assert!(!a.is_up_at(t(9)));
        assert_eq!(a.final_up(), None);
    }

    #[test]
    fn milestones_use_the_ceiling_share() {
        let times: Vec<_> = (1..=10).map(t).collect();
        assert_eq!(milestone(&times, 10, 50), Some(t(5)));
        assert_eq!(milestone(&times, 10, 90), Some(t(9)));
        assert_eq!(milestone(&times, 10, 100), Some(t(10)));
        assert_eq!(milestone(&times, 11, 100), None);
        assert_eq!(milestone(&times[..3], 3, 50), Some(t(2)));
        assert_eq!(milestone(&[], 0, 50), None);
    }
}
