//! `simulate`: one replication of one strategy on one scenario.
//!
//! The engine wires the world state (hosts, VMs, apps, workers) onto the
//! kernel's run loop. It is a pure function of (scenario, strategy, seed):
//! no I/O, no clock, no global state. Trace lines go through `tracing` with
//! the simulated instant in the field `t` (milliseconds since the start),
//! which the CLI renders as a date in the scenario's time zone.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::ops::Bound;

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::metrics::{
    AppOutcome, FaultKind, FaultRecord, Incident, Milestones, Outage, Outcome, TaskEnd, TaskRecord,
    Waiting, milestone,
};
use crate::model::{AppId, BugId, HostId, Method, Scenario, Strategy, TeamId, Trigger, VmId};
use crate::recovery::{OrderKey, order_key};
use crate::sim::{
    EventId, FirstFit, Purpose, PurposeStreams, RngStreams, RunError, Scheduler, SimTime,
    StopReason,
};

/// The `tracing` target of the event-by-event timeline.
pub const TRACE_TARGET: &str = "hvsim::trace";

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The kernel refused to go on (event limit, time overflow).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The strategy does not belong to the scenario.
    #[error("strategy `{0}` is not one of the scenario's strategies")]
    UnknownStrategy(String),
}

/// Tie-break classes: at the same instant, faults strike before fixes,
/// fixes land before anything else completes. A crash at the instant a
/// restart finishes therefore wins, which is the pessimistic reading.
const CLASS_FAULT: u8 = 0;
const CLASS_FIX: u8 = 1;
const CLASS_OTHER: u8 = 2;

#[derive(Clone, Copy, Debug)]
enum Ev {
    Strike(BugId),
    Recur(BugId, HostId),
    Diagnosed(BugId),
    Fixed(BugId),
    Rebooted(HostId),
    TaskDone(u32),
    Wake,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostStatus {
    Up,
    Crashed,
    Rebooting,
}

#[derive(Clone, Debug)]
struct HostState {
    status: HostStatus,
    crashed_by: Option<BugId>,
    struck: Vec<BugId>,
    recurrence: Option<(EventId, BugId)>,
    reboot: Option<EventId>,
    boots: u64,
    mem_free: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VmStatus {
    Running,
    Down,
    Corrupted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Nothing to do: its VMs run (it may still be down through a dependency).
    Healthy,
    Diagnosis,
    NoMethod,
    Hosts,
    Queued(Method),
    DrCapacity,
    InProgress(Method),
}

#[derive(Clone, Debug)]
struct AppState {
    broken: u32,
    deps_down: u32,
    up: bool,
    phase: Phase,
    queue_seq: u64,
    down_bug: Option<BugId>,
    attempts: [u32; 2],
}

#[derive(Clone, Debug, Default)]
struct BugState {
    struck: bool,
    diagnosed: bool,
    fixed: bool,
    incident: Option<usize>,
    waiting: Vec<AppId>,
}

#[derive(Clone, Debug)]
struct Task {
    /// Index into `Outcome::tasks`.
    record: usize,
    app: AppId,
    method: Method,
    event: Option<EventId>,
    placement: Vec<HostId>,
}

#[derive(Clone, Debug)]
struct Worker {
    team: TeamId,
    member: u32,
    task: Option<Task>,
}

/// The memo of `dependencies_ready` within a dispatch pass, kept across
/// passes and reset in O(entries written): allocating and clearing one
/// entry per app on every pass and every start made dependency-aware
/// dispatch O(apps²) (0.8 s of a 10,000-app replication).
#[derive(Debug, Default)]
struct DepMemo {
    ready: Vec<Option<bool>>,
    written: Vec<AppId>,
    /// The traversal stack, kept for its allocation.
    stack: Vec<(AppId, bool)>,
}

impl DepMemo {
    fn get(&self, a: AppId) -> Option<bool> {
        self.ready[a.index()]
    }

    fn set(&mut self, a: AppId, ready: bool) {
        self.ready[a.index()] = Some(ready);
        self.written.push(a);
    }

    /// An empty memo for `apps` apps.
    fn sized(mut self, apps: usize) -> Self {
        self.reset(apps);
        self
    }

    /// Forgets every entry, for `apps` apps.
    fn reset(&mut self, apps: usize) {
        for a in self.written.drain(..) {
            self.ready[a.index()] = None;
        }
        self.ready.resize(apps, None);
    }
}

/// A task in the order: (order key, enqueue sequence, method).
type Entry = (OrderKey, u64, Method);

/// Dependency-aware order: queued apps held back by a dependency that is
/// down, broken and not being restored (their "blocker"). Such an app
/// cannot become ready before its blocker starts, is repaired or comes up,
/// so dispatch passes skip it instead of examining it again on every
/// event, which made that order O(apps²) (4.5 G instructions for one
/// 10,000-app replication). `assign` and `update_up` release the entries
/// parked under an app they touch; a pass accounts for the entries it
/// skips exactly as if it had examined them (see `dispatch_pass`).
#[derive(Debug, Default)]
struct Parking {
    /// Parked entries, in order.
    entries: BTreeSet<Entry>,
    /// Per blocker, the entries parked under it (some may have left).
    watchers: Vec<Vec<Entry>>,
    /// While a task starts in a pass: its entry. A released entry before
    /// it was passed over by the pass (not ready then).
    cursor: Option<Entry>,
    /// Released entries that the current pass had passed over.
    deferred: Vec<Entry>,
}

/// Up to this many DR hosts, first-fit scans them: the tree's upkeep
/// cost more than it saved (2018: 8 DR hosts, +2 % instructions).
const FIRST_FIT_SCAN_HOSTS: usize = 64;

struct Engine<'a> {
    sc: &'a Scenario,
    st: &'a Strategy,
    rng: RngStreams,
    work_streams: PurposeStreams,
    hosts: Vec<HostState>,
    host_vms: Vec<Vec<VmId>>,
    vm_host: Vec<HostId>,
    vm_status: Vec<VmStatus>,
    apps: Vec<AppState>,
    bugs: Vec<BugState>,
    workers: Vec<Worker>,
    ready: BinaryHeap<Reverse<(OrderKey, u64, Method)>>,
    /// Apps held back by dependency-aware order, in their own heap.
    held: BinaryHeap<Reverse<(OrderKey, u64, Method)>>,
    dep_memo: DepMemo,
    parking: Parking,
    parking_chain: Vec<AppId>,
    up_stack: Vec<AppId>,
    /// Per worker, `Some(next on-duty start)` once found off duty; see
    /// `next_on_duty`.
    off_duty: Vec<Option<Option<SimTime>>>,
    /// Placements of finished reinstalls, kept for their allocations: one
    /// per reinstall was a tenth of the mallocs of a replication.
    spare_placements: Vec<Vec<HostId>>,
    ready_seq: u64,
    /// The DR site's hosts, in host order.
    dr_hosts: Vec<HostId>,
    /// Their free memory, for first-fit in O(log n) rather than a scan of
    /// every DR host per VM (O(n²) for estates whose DR site grows with
    /// them). Only for large DR sites: a scan of a few hosts is cheaper.
    dr_free: Option<FirstFit>,
    wake_at: Option<SimTime>,
    fault_rng: Vec<Option<ChaCha8Rng>>,
    out: Outcome,
    current_fault: Option<usize>,
}

/// Runs one replication: the strategy's response to the scenario's faults,
/// with every random draw derived from `seed`.
///
/// Deterministic: the same arguments give the same [`Outcome`], bit for bit.
pub fn simulate(scenario: &Scenario, strategy: &Strategy, seed: u64) -> Result<Outcome, SimError> {
    let strategy_id = scenario
        .strategies
        .iter()
        .position(|s| s.id == strategy.id)
        .ok_or_else(|| SimError::UnknownStrategy(strategy.id.clone()))?;
    let mut engine = Engine::new(scenario, strategy, seed, strategy_id as u32);
    let mut sched: Scheduler<Ev> = Scheduler::with_capacity(scenario.hosts.len() + 64);
    for (b, bug) in scenario.bugs.iter().enumerate() {
        let Trigger::At(at) = bug.trigger;
        sched.schedule_at(at, CLASS_FAULT, Ev::Strike(BugId(b as u32)))?;
    }
    let horizon = scenario.horizon_end();
    let stop = sched.run(horizon, scenario.max_events, |sched, now, ev| {
        engine.handle(sched, now, ev)?;
        Ok::<bool, SimError>(true)
    })?;
    Ok(engine.finish(stop, sched.now(), sched.processed()))
}

impl<'a> Engine<'a> {
    fn new(sc: &'a Scenario, st: &'a Strategy, seed: u64, strategy_id: u32) -> Self {
        let mut host_vms = vec![Vec::new(); sc.hosts.len()];
        let mut hosts: Vec<HostState> = sc
            .hosts
            .iter()
            .map(|h| HostState {
                status: HostStatus::Up,
                crashed_by: None,
                struck: Vec::new(),
                recurrence: None,
                reboot: None,
                boots: 0,
                mem_free: h.memory_bytes,
            })
            .collect();
        for (v, vm) in sc.vms.iter().enumerate() {
            host_vms[vm.host.index()].push(VmId(v as u32));
            let h = &mut hosts[vm.host.index()];
            h.mem_free = h.mem_free.saturating_sub(vm.memory_bytes);
        }
        let workers = st
            .teams
            .iter()
            .flat_map(|&team| {
                (0..sc.teams[team.index()].roster.size()).map(move |member| Worker {
                    team,
                    member,
                    task: None,
                })
            })
            .collect();
        let dr_hosts = match st.dr_site {
            Some(site) => (0..sc.hosts.len())
                .filter(|&h| sc.hosts[h].site == site)
                .map(|h| HostId(h as u32))
                .collect(),
            None => Vec::new(),
        };
        let dr_free = (dr_hosts.len() > FIRST_FIT_SCAN_HOSTS).then(|| {
            FirstFit::new(
                &dr_hosts
                    .iter()
                    .map(|h| hosts[h.index()].mem_free)
                    .collect::<Vec<_>>(),
            )
        });
        Engine {
            sc,
            st,
            rng: RngStreams::new(seed),
            work_streams: RngStreams::new(seed).purpose(Purpose::Work),
            hosts,
            host_vms,
            vm_host: sc.vms.iter().map(|v| v.host).collect(),
            vm_status: vec![VmStatus::Running; sc.vms.len()],
            apps: vec![
                AppState {
                    broken: 0,
                    deps_down: 0,
                    up: true,
                    phase: Phase::Healthy,
                    queue_seq: 0,
                    down_bug: None,
                    attempts: [0; 2],
                };
                sc.apps.len()
            ],
            bugs: vec![BugState::default(); sc.bugs.len()],
            workers,
            ready: BinaryHeap::new(),
            held: BinaryHeap::new(),
            dep_memo: DepMemo::default(),
            parking: Parking::default(),
            parking_chain: Vec::new(),
            up_stack: Vec::new(),
            off_duty: Vec::new(),
            spare_placements: Vec::new(),
            ready_seq: 0,
            dr_hosts,
            dr_free,
            wake_at: None,
            fault_rng: (0..sc.bugs.len()).map(|_| None).collect(),
            out: Outcome {
                seed,
                strategy: crate::model::StrategyId(strategy_id),
                stop: StopReason::Drained,
                end: SimTime::ZERO,
                horizon: sc.horizon_end(),
                events: 0,
                faults: Vec::new(),
                incidents: Vec::new(),
                apps: vec![AppOutcome::default(); sc.apps.len()],
                recurrences: 0,
                host_reboots: 0,
                tasks: Vec::new(),
            },
            current_fault: None,
        }
    }

    fn handle(&mut self, sched: &mut Scheduler<Ev>, now: SimTime, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Strike(b) => self.strike(sched, now, b)?,
            Ev::Recur(b, h) => self.recur(sched, now, b, h)?,
            Ev::Diagnosed(b) => self.diagnosed(sched, now, b)?,
            Ev::Fixed(b) => self.fixed(sched, now, b)?,
            Ev::Rebooted(h) => self.rebooted(sched, now, h)?,
            Ev::TaskDone(w) => self.task_done(sched, now, w)?,
            Ev::Wake => {
                if self.wake_at == Some(now) {
                    self.wake_at = None;
                }
            }
        }
        self.dispatch(sched, now)
    }

    // ---- faults -------------------------------------------------------

    fn strike(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        let mut rng = self.rng.stream(Purpose::Faults, b.0 as u64);
        let fault = self.open_fault(now, b, FaultKind::Strike);
        let first = !self.bugs[b.index()].struck;
        self.bugs[b.index()].struck = true;
        let incident = self.out.incidents.len();
        self.out.incidents.push(Incident {
            fault,
            bug: b,
            at: now,
            diagnosed_at: None,
            recovery_started: None,
            apps: Vec::new(),
            restored: Vec::new(),
            milestones: Milestones::default(),
        });
        self.bugs[b.index()].incident.get_or_insert(incident);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes {} host(s) in its scope", bug.id, bug.hosts.len());
        let mut touched = Vec::new();
        for &h in &bug.hosts {
            let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
            if hit && bug.crash {
                self.crash(sched, now, h, b, &mut rng, &mut touched);
            }
        }
        self.fault_rng[b.index()] = Some(rng);
        if first {
            let mut drng = self.rng.stream(Purpose::Diagnosis, b.0 as u64);
            let delay = self
                .st
                .detection
                .sample(&mut drng)
                .saturating_add(self.st.diagnosis.sample(&mut drng));
            sched.schedule_in(delay, CLASS_OTHER, Ev::Diagnosed(b))?;
            if let Some(fix) = &bug.fix {
                let mut frng = self.rng.stream(Purpose::Fix, b.0 as u64);
                sched.schedule_in(fix.sample(&mut frng), CLASS_FIX, Ev::Fixed(b))?;
            }
        }
        self.after_crashes(sched, now, touched)?;
        self.close_fault(now);
        Ok(())
    }

    fn recur(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        self.hosts[h.index()].recurrence = None;
        if self.hosts[h.index()].status != HostStatus::Up || self.bugs[b.index()].fixed {
            return Ok(());
        }
        self.out.recurrences += 1;
        self.open_fault(now, b, FaultKind::Recurrence);
        let mut rng = self
            .fault_rng
            .get_mut(b.index())
            .and_then(Option::take)
            .unwrap_or_else(|| self.rng.stream(Purpose::Faults, b.0 as u64));
        tracing::warn!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes again on restarted host {}", self.sc.bugs[b.index()].id, self.sc.hosts[h.index()].id);
        let mut touched = Vec::new();
        self.crash(sched, now, h, b, &mut rng, &mut touched);
        self.fault_rng[b.index()] = Some(rng);
        self.after_crashes(sched, now, touched)?;
        self.close_fault(now);
        Ok(())
    }

    fn open_fault(&mut self, now: SimTime, bug: BugId, kind: FaultKind) -> usize {
        let i = self.out.faults.len();
        self.out.faults.push(FaultRecord {
            at: now,
            bug,
            kind,
            hosts: Vec::new(),
            vms_corrupted: 0,
            apps_down: Vec::new(),
        });
        self.current_fault = Some(i);
        i
    }

    fn close_fault(&mut self, now: SimTime) {
        if let Some(i) = self.current_fault.take() {
            let f = &mut self.out.faults[i];
            f.apps_down.sort();
            if f.kind == FaultKind::Strike
                && let Some(inc) = self.out.incidents.iter_mut().rev().find(|x| x.fault == i)
            {
                inc.apps = f.apps_down.clone();
            }
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} host(s) crashed, {} VM(s) corrupted, {} app(s) down", f.hosts.len(), f.vms_corrupted, f.apps_down.len());
        }
    }

    /// Crashes one host: its VMs go down, some corrupted; recovery tasks
    /// that needed it are abandoned.
    fn crash(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
        b: BugId,
        rng: &mut ChaCha8Rng,
        touched: &mut Vec<AppId>,
    ) {
        let host = &mut self.hosts[h.index()];
        if !host.struck.contains(&b) {
            host.struck.push(b);
        }
        if host.status == HostStatus::Crashed {
            return;
        }
        host.status = HostStatus::Crashed;
        host.crashed_by = Some(b);
        // A pending recurrence is moot once the host is down; a reboot in
        // progress is lost.
        if let Some((ev, _)) = host.recurrence.take() {
            sched.cancel(ev);
        }
        if let Some(ev) = host.reboot.take() {
            sched.cancel(ev);
        }
        if let Some(f) = self.current_fault {
            self.out.faults[f].hosts.push(h);
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} crashed: bug {}", self.sc.hosts[h.index()].id, self.sc.bugs[b.index()].id);
        let p = self.sc.bugs[b.index()].corrupt_vm;
        for i in 0..self.host_vms[h.index()].len() {
            let v = self.host_vms[h.index()][i];
            // One draw per VM whatever its state, so later VMs' fates do
            // not depend on earlier ones' (common random numbers).
            let corrupt = p > 0.0 && rng.random::<f64>() < p;
            let status = &mut self.vm_status[v.index()];
            let app = self.sc.vms[v.index()].app;
            if *status == VmStatus::Running {
                self.apps[app.index()].broken += 1;
            }
            if corrupt && *status != VmStatus::Corrupted {
                *status = VmStatus::Corrupted;
                if let Some(f) = self.current_fault {
                    self.out.faults[f].vms_corrupted += 1;
                }
            } else if *status == VmStatus::Running {
                *status = VmStatus::Down;
            }
            self.apps[app.index()].down_bug = Some(b);
            // `after_crashes` sorts and deduplicates: a `contains` check
            // here made a strike cost O(VMs × apps touched), 85 % of a
            // 10,000-app replication.
            if touched.last() != Some(&app) {
                touched.push(app);
            }
        }
    }

    /// After a batch of crashes: abandon restarts that lost their host,
    /// update up/down states, and decide how each touched app comes back.
    fn after_crashes(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        mut touched: Vec<AppId>,
    ) -> Result<(), SimError> {
        touched.sort_unstable();
        touched.dedup();
        for &a in &touched {
            let phase = self.apps[a.index()].phase;
            match phase {
                Phase::InProgress(Method::Restart) => {
                    if let Some(w) = self
                        .workers
                        .iter()
                        .position(|w| w.task.as_ref().is_some_and(|t| t.app == a))
                        && let Some(task) = self.workers[w].task.take()
                    {
                        if let Some(ev) = task.event {
                            sched.cancel(ev);
                        }
                        let r = &mut self.out.tasks[task.record];
                        r.end = Some(now);
                        r.outcome = TaskEnd::Abandoned;
                        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "restart of {} abandoned: its host crashed", self.sc.apps[a.index()].id);
                    }
                    self.apps[a.index()].phase = Phase::Healthy;
                }
                Phase::Queued(Method::Restart) | Phase::Hosts | Phase::NoMethod => {
                    self.apps[a.index()].phase = Phase::Healthy;
                }
                _ => {}
            }
            self.update_up(now, a);
        }
        for &a in &touched {
            if self.apps[a.index()].phase == Phase::Healthy && self.apps[a.index()].broken > 0 {
                self.decide(sched, now, a)?;
            }
        }
        Ok(())
    }

    fn fixed(&mut self, sched: &mut Scheduler<Ev>, now: SimTime, b: BugId) -> Result<(), SimError> {
        self.bugs[b.index()].fixed = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's fix for bug {} is applied", self.sc.bugs[b.index()].id);
        for h in &mut self.hosts {
            if let Some((ev, bug)) = h.recurrence
                && bug == b
            {
                sched.cancel(ev);
                h.recurrence = None;
            }
        }
        // Restart may have become safe.
        for a in 0..self.apps.len() {
            if self.apps[a].phase == Phase::NoMethod {
                self.apps[a].phase = Phase::Healthy;
                self.decide(sched, now, AppId(a as u32))?;
            }
        }
        Ok(())
    }

    // ---- recovery decisions --------------------------------------------

    fn diagnosed(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        let state = &mut self.bugs[b.index()];
        state.diagnosed = true;
        if let Some(i) = state.incident {
            self.out.incidents[i].diagnosed_at = Some(now);
        }
        let waiting = std::mem::take(&mut state.waiting);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} diagnosed: strategy {} decides how {} app(s) come back", self.sc.bugs[b.index()].id, self.st.id, waiting.len());
        for a in waiting {
            if self.apps[a.index()].phase == Phase::Diagnosis {
                self.apps[a.index()].phase = Phase::Healthy;
                if self.apps[a.index()].broken > 0 {
                    self.decide(sched, now, a)?;
                }
            }
        }
        Ok(())
    }

    /// Chooses the first applicable method of the strategy for a broken app.
    fn decide(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        // Nothing is decided before the bugs that broke it are understood.
        for &v in &self.sc.apps[a.index()].vms {
            let h = self.vm_host[v.index()];
            if self.vm_status[v.index()] != VmStatus::Running
                && self.hosts[h.index()].status != HostStatus::Up
                && let Some(b) = self.hosts[h.index()].crashed_by
                && !self.bugs[b.index()].diagnosed
            {
                self.apps[a.index()].phase = Phase::Diagnosis;
                self.bugs[b.index()].waiting.push(a);
                return Ok(());
            }
        }
        for &m in &self.st.methods {
            if self.applicable(a, m) {
                return self.start(sched, now, a, m);
            }
        }
        self.apps[a.index()].phase = Phase::NoMethod;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "no method of strategy {} can bring {} back", self.st.id, self.sc.apps[a.index()].id);
        Ok(())
    }

    fn applicable(&self, a: AppId, m: Method) -> bool {
        let app = &self.sc.apps[a.index()];
        if app.work(m).is_none() {
            return false;
        }
        match m {
            Method::Reinstall => self.st.dr_site.is_some(),
            Method::Restart => app.vms.iter().all(|&v| {
                let status = self.vm_status[v.index()];
                if status == VmStatus::Corrupted {
                    return false;
                }
                let host = &self.hosts[self.vm_host[v.index()].index()];
                status == VmStatus::Running
                    || host.status == HostStatus::Up
                    || self.st.restart_despite_recurrence
                    || host.struck.iter().all(|b| {
                        self.bugs[b.index()].fixed || self.sc.bugs[b.index()].recurrence.is_none()
                    })
            }),
        }
    }

    fn start(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        if m == Method::Restart {
            let mut waiting = false;
            for &v in &self.sc.apps[a.index()].vms {
                if self.vm_status[v.index()] == VmStatus::Running {
                    continue;
                }
                let h = self.vm_host[v.index()];
                match self.hosts[h.index()].status {
                    HostStatus::Up => {}
                    HostStatus::Rebooting => waiting = true,
                    HostStatus::Crashed => {
                        waiting = true;
                        self.reboot(sched, now, h)?;
                    }
                }
            }
            if waiting {
                self.apps[a.index()].phase = Phase::Hosts;
                return Ok(());
            }
        }
        self.enqueue(now, a, m);
        Ok(())
    }

    fn reboot(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Reboot, index);
        let build = &self.sc.builds[self.sc.hosts[h.index()].build.index()];
        let delay = build.reboot.sample(&mut rng);
        host.status = HostStatus::Rebooting;
        host.reboot = Some(sched.schedule_in(delay, CLASS_OTHER, Ev::Rebooted(h))?);
        self.out.host_reboots += 1;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} rebooting (restart in place)", self.sc.hosts[h.index()].id);
        Ok(())
    }

    fn rebooted(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        if host.status != HostStatus::Rebooting {
            return Ok(());
        }
        host.status = HostStatus::Up;
        host.reboot = None;
        host.boots += 1;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} is back up", self.sc.hosts[h.index()].id);
        // An unfixed bug may strike again (DESIGN.md §3, recurrence).
        let mut next: Option<(crate::sim::SimDuration, BugId)> = None;
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Recurrence, index);
        for &b in &host.struck {
            if self.bugs[b.index()].fixed {
                continue;
            }
            if let Some(dist) = &self.sc.bugs[b.index()].recurrence {
                let d = dist.sample(&mut rng);
                if next.is_none_or(|(best, _)| d < best) {
                    next = Some((d, b));
                }
            }
        }
        if let Some((delay, b)) = next {
            let ev = sched.schedule_in(delay, CLASS_FAULT, Ev::Recur(b, h))?;
            self.hosts[h.index()].recurrence = Some((ev, b));
        }
        // Apps waiting for this host may now be restarted.
        let mut apps: Vec<AppId> = self.host_vms[h.index()]
            .iter()
            .map(|v| self.sc.vms[v.index()].app)
            .collect();
        apps.sort();
        apps.dedup();
        for a in apps {
            if self.apps[a.index()].phase == Phase::Hosts && self.hosts_ready(a) {
                self.enqueue(now, a, Method::Restart);
            }
        }
        Ok(())
    }

    fn hosts_ready(&self, a: AppId) -> bool {
        self.sc.apps[a.index()].vms.iter().all(|&v| {
            self.vm_status[v.index()] == VmStatus::Running
                || self.hosts[self.vm_host[v.index()].index()].status == HostStatus::Up
        })
    }

    fn enqueue(&mut self, now: SimTime, a: AppId, m: Method) {
        let key = order_key(self.st.order, &self.sc.apps[a.index()], a.0, m, now);
        self.ready_seq += 1;
        let state = &mut self.apps[a.index()];
        state.phase = Phase::Queued(m);
        state.queue_seq = self.ready_seq;
        self.ready.push(Reverse((key, self.ready_seq, m)));
    }

    // ---- people ----------------------------------------------------------

    /// Whether an app's dependencies "can come up": each is up, being
    /// restored, or needs no work of its own and is itself ready.
    fn dependencies_ready(&self, a: AppId, memo: &mut DepMemo) -> bool {
        // Iterative post-order over the (acyclic) dependency graph.
        let mut stack = std::mem::take(&mut memo.stack);
        stack.push((a, false));
        while let Some((x, expanded)) = stack.pop() {
            if memo.get(x).is_some() {
                continue;
            }
            let deps = &self.sc.apps[x.index()].depends_on;
            if !expanded {
                stack.push((x, true));
                stack.extend(deps.iter().map(|&d| (d, false)));
                continue;
            }
            let ok = deps.iter().all(|&d| {
                let s = &self.apps[d.index()];
                s.up || matches!(s.phase, Phase::InProgress(_))
                    || (s.broken == 0 && memo.get(d) == Some(true))
            });
            memo.set(x, ok);
        }
        memo.stack = stack;
        memo.get(a).unwrap_or(false)
    }

    /// Whether a queue entry is still current (not superseded).
    fn entry_valid(&self, entry: Entry) -> bool {
        let ((_, _, app), seq, m) = entry;
        let s = &self.apps[app as usize];
        s.phase == Phase::Queued(m) && s.queue_seq == seq
    }

    /// Why `a` is not ready (`memo` holds this pass's answers for it and
    /// its dependencies): a chain of dependencies, each down and not being
    /// restored, each one but the last needing no work of its own (so not
    /// ready because of the next), the last one broken. While none of them
    /// starts, is repaired or comes up, `a` stays not ready. Empty if the
    /// memo cannot tell.
    fn blocking_chain(&self, a: AppId, memo: &DepMemo, chain: &mut Vec<AppId>) {
        chain.clear();
        let mut x = a;
        loop {
            let failing = self.sc.apps[x.index()]
                .depends_on
                .iter()
                .copied()
                .find(|&d| {
                    let s = &self.apps[d.index()];
                    !s.up
                        && !matches!(s.phase, Phase::InProgress(_))
                        && (s.broken > 0 || memo.get(d) == Some(false))
                });
            let Some(d) = failing else {
                chain.clear();
                return;
            };
            chain.push(d);
            if self.apps[d.index()].broken > 0 {
                return;
            }
            x = d;
        }
    }

    fn park(&mut self, entry: Entry, chain: &[AppId]) {
        let parking = &mut self.parking;
        if parking.watchers.len() != self.apps.len() {
            parking.watchers.resize(self.apps.len(), Vec::new());
        }
        parking.entries.insert(entry);
        for c in chain {
            parking.watchers[c.index()].push(entry);
        }
    }

    /// `x` may have started, been repaired or come up: the entries parked
    /// under it are examined again.
    fn release(&mut self, x: AppId) {
        let Some(list) = self.parking.watchers.get_mut(x.index()) else {
            return;
        };
        if list.is_empty() {
            return;
        }
        for entry in std::mem::take(list) {
            if !self.parking.entries.remove(&entry) {
                continue;
            }
            if self.parking.cursor.is_some_and(|c| entry < c) {
                if self.entry_valid(entry) {
                    self.parking.deferred.push(entry);
                }
            } else {
                self.held.push(Reverse(entry));
            }
        }
    }

    /// The first current parked entry after `after` (from the start if
    /// `None`); superseded ones met on the way are dropped.
    fn first_parked(&mut self, after: Option<Entry>) -> Option<Entry> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut stale = Vec::new();
        let mut found = None;
        for &entry in self.parking.entries.range((lower, Bound::Unbounded)) {
            if self.entry_valid(entry) {
                found = Some(entry);
                break;
            }
            stale.push(entry);
        }
        for entry in stale {
            self.parking.entries.remove(&entry);
        }
        found
    }

    /// Gives ready tasks to free team members who are on shift.
    fn dispatch(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        let gated = self.st.order == crate::model::Order::DependencyAware;
        loop {
            let again = self.dispatch_pass(sched, now, gated)?;
            // Under dependency-aware order, a task started in this pass may
            // have released an app held earlier in the same pass.
            if !(gated && again) {
                return Ok(());
            }
        }
    }

    /// The next task in the order: the first of the ready and the held
    /// heaps (keys are unique: they end with the enqueue sequence), and
    /// whether it is a held one.
    fn next_ready(&self) -> Option<((OrderKey, u64, Method), bool)> {
        match (self.ready.peek(), self.held.peek()) {
            (Some(Reverse(r)), Some(Reverse(h))) => {
                Some(if h < r { (*h, true) } else { (*r, false) })
            }
            (Some(Reverse(r)), None) => Some((*r, false)),
            (None, Some(Reverse(h))) => Some((*h, true)),
            (None, None) => None,
        }
    }

    fn pop_ready(&mut self, from_held: bool) {
        if from_held {
            self.held.pop();
        } else {
            self.ready.pop();
        }
    }

    /// The first free team member on shift, if any.
    fn free_worker(&mut self, now: SimTime) -> Option<usize> {
        (0..self.workers.len())
            .find(|&i| self.workers[i].task.is_none() && self.next_on_duty(i, now) == Some(now))
    }

    /// Worker `i`'s calendar's `next_on(now)`: `now` itself when on duty.
    /// A worker found off duty stays off until that instant, which is
    /// kept: calendars are fixed and time only moves forward, so the
    /// answer is exact, and idle off-duty workers (most of a large
    /// estate's staff at night) cost no calendar search on every dispatch.
    /// That search was 13 % of a 100,000-app replication (500 workers).
    fn next_on_duty(&mut self, i: usize, now: SimTime) -> Option<SimTime> {
        if self.off_duty.len() != self.workers.len() {
            self.off_duty = vec![None; self.workers.len()];
        }
        if let Some(next) = self.off_duty[i]
            && next.is_none_or(|t| now < t)
        {
            return next;
        }
        let w = &self.workers[i];
        let next = self.sc.teams[w.team.index()]
            .roster
            .worker(w.member)
            .next_on(now);
        self.off_duty[i] = (next != Some(now)).then_some(next);
        next
    }

    /// One pass over the ready tasks, in order; returns whether another
    /// pass may start more (a task started and an app was held back).
    ///
    /// Apps held back by dependency-aware order stay in their own heap,
    /// merged in key order with the ready heap: the pass sees them in the
    /// same order as if they were pushed back into it, without the
    /// O(held log n) re-push on every event (with 10,000 apps, most of a
    /// dependency-aware replication). The free worker found is kept until
    /// a task is assigned, since nothing else changes who is free. Parked
    /// apps (see `Parking`) are skipped: the pass still does what examining
    /// them would have done (a worker check at the first one after the
    /// last start, and counting them as held for another pass).
    fn dispatch_pass(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        gated: bool,
    ) -> Result<bool, SimError> {
        let mut parked = Vec::new();
        let mut held_now = Vec::new();
        let mut started = false;
        let mut memo = std::mem::take(&mut self.dep_memo);
        if gated {
            memo.reset(self.apps.len());
        }
        debug_assert!(
            self.parking.entries.iter().all(|&entry| {
                let mut fresh = DepMemo::default().sized(self.apps.len());
                !self.entry_valid(entry) || !self.dependencies_ready(AppId(entry.0.2), &mut fresh)
            }),
            "a parked app became ready without a release"
        );
        let mut free = None;
        let mut parked_now = false;
        let mut last_start: Option<Entry> = None;
        let mut broke = false;
        while let Some((entry, from_held)) = self.next_ready() {
            let ((_, _, app_index), seq, m) = entry;
            let a = AppId(app_index);
            if self.apps[a.index()].phase != Phase::Queued(m)
                || self.apps[a.index()].queue_seq != seq
            {
                self.pop_ready(from_held);
                continue;
            }
            let Some(w) = free.or_else(|| self.free_worker(now)) else {
                self.schedule_wake(sched, now)?;
                broke = true;
                break;
            };
            free = Some(w);
            self.pop_ready(from_held);
            if gated && !self.dependencies_ready(a, &mut memo) {
                let mut chain = std::mem::take(&mut self.parking_chain);
                self.blocking_chain(a, &memo, &mut chain);
                if chain.is_empty() {
                    held_now.push(Reverse(entry));
                } else {
                    self.park(entry, &chain);
                    parked_now = true;
                }
                self.parking_chain = chain;
                continue;
            }
            let placement = if m == Method::Reinstall {
                match self.place_at_dr(a) {
                    Some(p) => p,
                    None => {
                        self.apps[a.index()].phase = Phase::DrCapacity;
                        parked.push(a);
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            self.parking.cursor = Some(entry);
            let assigned = self.assign(sched, now, w, a, m, placement);
            self.parking.cursor = None;
            assigned?;
            last_start = Some(entry);
            free = None;
            started = true;
            if gated {
                // The started app changes its dependents' readiness.
                memo.reset(self.apps.len());
            }
        }
        self.dep_memo = memo;
        if !parked.is_empty() {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} app(s) wait: no room at the DR site", parked.len());
        }
        // Parked entries are not examined, but a pass that examined them
        // would have needed a free worker at the first one after the last
        // start, and found each one held: account for both.
        let mut skipped = false;
        if gated && !broke {
            let first = if free.is_none() {
                self.first_parked(last_start)
            } else {
                None
            };
            if first.is_some() && self.free_worker(now).is_none() {
                self.schedule_wake(sched, now)?;
            } else {
                skipped = self.first_parked(None).is_some();
            }
        }
        let deferred = std::mem::take(&mut self.parking.deferred);
        let again =
            started && (!held_now.is_empty() || !deferred.is_empty() || parked_now || skipped);
        self.held.extend(held_now);
        self.held.extend(deferred.into_iter().map(Reverse));
        Ok(again)
    }

    fn schedule_wake(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        let mut next: Option<SimTime> = None;
        for i in 0..self.workers.len() {
            if self.workers[i].task.is_none()
                && let Some(t) = self.next_on_duty(i, now)
                && t > now
            {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        }
        if let Some(t) = next
            && self.wake_at.is_none_or(|w| t < w || w < now)
        {
            sched.schedule_at(t, CLASS_OTHER, Ev::Wake)?;
            self.wake_at = Some(t);
        }
        Ok(())
    }

    fn assign(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: usize,
        a: AppId,
        m: Method,
        placement: Vec<HostId>,
    ) -> Result<(), SimError> {
        if !self.parking.entries.is_empty() {
            self.release(a);
        }
        let app = &self.sc.apps[a.index()];
        let state = &mut self.apps[a.index()];
        let attempt = u64::from(state.attempts[m.ordinal() as usize]);
        state.attempts[m.ordinal() as usize] += 1;
        // App i's k-th attempt at method m always takes the same time,
        // whatever the strategy (common random numbers).
        let index = (u64::from(a.0) << 24) | (m.ordinal() << 20) | attempt.min((1 << 20) - 1);
        let mut rng = self.work_streams.stream(index);
        let work = app.work(m).map(|d| d.sample(&mut rng)).unwrap_or_default();
        let worker = &self.workers[w];
        let calendar = self.sc.teams[worker.team.index()]
            .roster
            .worker(worker.member);
        let event = match calendar.finish(now, work) {
            Some(done) => Some(sched.schedule_at(done, CLASS_OTHER, Ev::TaskDone(w as u32))?),
            None => None,
        };
        state.phase = Phase::InProgress(m);
        let record = self.out.tasks.len();
        self.out.tasks.push(TaskRecord {
            app: a,
            method: m,
            team: worker.team,
            member: worker.member,
            start: now,
            work,
            end: None,
            outcome: TaskEnd::Unfinished,
        });
        if let Some(b) = state.down_bug
            && let Some(i) = self.bugs[b.index()].incident
        {
            self.out.incidents[i].recovery_started.get_or_insert(now);
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} #{} starts to {} {} ({} of work)", self.sc.teams[worker.team.index()].id, worker.member + 1, m.name(), app.id, work);
        self.workers[w].task = Some(Task {
            record,
            app: a,
            method: m,
            event,
            placement,
        });
        Ok(())
    }

    /// The first healthy DR host (in host order) with `need` bytes free.
    fn dr_first_fit(&self, need: u64) -> Option<HostId> {
        let fits = |h: HostId| {
            let s = &self.hosts[h.index()];
            s.status == HostStatus::Up && s.mem_free >= need
        };
        let Some(tree) = &self.dr_free else {
            return self.dr_hosts.iter().copied().find(|&h| fits(h));
        };
        debug_assert!(
            self.dr_hosts
                .iter()
                .enumerate()
                .all(|(p, h)| tree.get(p) == self.hosts[h.index()].mem_free),
            "a DR host's mem_free changed without set_mem_free"
        );
        let mut from = 0;
        while let Some(p) = tree.first_at_least(from, need) {
            let h = *self.dr_hosts.get(p)?;
            if fits(h) {
                return Some(h);
            }
            from = p + 1;
        }
        None
    }

    /// Sets a host's free memory. Every change after `Engine::new` goes
    /// through here, so that the DR first-fit index stays in step.
    fn set_mem_free(&mut self, h: HostId, bytes: u64) {
        self.hosts[h.index()].mem_free = bytes;
        if let Some(tree) = &mut self.dr_free
            && let Ok(p) = self.dr_hosts.binary_search(&h)
        {
            tree.set(p, bytes);
        }
    }

    /// First-fit placement of an app's VMs on the DR site's healthy hosts,
    /// by memory (CPU may be overcommitted). Reserves the memory.
    fn place_at_dr(&mut self, a: AppId) -> Option<Vec<HostId>> {
        let mut placement = self.spare_placements.pop().unwrap_or_default();
        placement.clear();
        for &v in &self.sc.apps[a.index()].vms {
            let need = self.sc.vms[v.index()].memory_bytes;
            match self.dr_first_fit(need) {
                Some(h) => {
                    self.set_mem_free(h, self.hosts[h.index()].mem_free - need);
                    placement.push(h);
                }
                None => {
                    // Undo the partial reservation.
                    for (i, &h) in placement.iter().enumerate() {
                        let vm = self.sc.apps[a.index()].vms[i];
                        let bytes =
                            self.hosts[h.index()].mem_free + self.sc.vms[vm.index()].memory_bytes;
                        self.set_mem_free(h, bytes);
                    }
                    self.spare_placements.push(placement);
                    return None;
                }
            }
        }
        Some(placement)
    }

    fn task_done(
        &mut self,
        _sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: u32,
    ) -> Result<(), SimError> {
        let Some(task) = self.workers[w as usize].task.take() else {
            return Ok(());
        };
        let r = &mut self.out.tasks[task.record];
        r.end = Some(now);
        r.outcome = TaskEnd::Done;
        let a = task.app;
        let team = self.workers[w as usize].team;
        let vms = &self.sc.apps[a.index()].vms;
        for (i, &v) in vms.iter().enumerate() {
            if task.method == Method::Reinstall {
                let old = self.vm_host[v.index()];
                let new = task.placement[i];
                if old != new {
                    self.host_vms[old.index()].retain(|x| *x != v);
                    let bytes =
                        self.hosts[old.index()].mem_free + self.sc.vms[v.index()].memory_bytes;
                    self.set_mem_free(old, bytes);
                    self.host_vms[new.index()].push(v);
                    self.vm_host[v.index()] = new;
                }
            }
            if self.vm_status[v.index()] != VmStatus::Running {
                self.vm_status[v.index()] = VmStatus::Running;
            }
        }
        if task.placement.capacity() > 0 {
            self.spare_placements.push(task.placement);
        }
        let state = &mut self.apps[a.index()];
        state.broken = 0;
        state.phase = Phase::Healthy;
        let record = &mut self.out.apps[a.index()];
        record.method = Some(task.method);
        record.team = Some(team);
        record.recoveries += 1;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} done by {} ({})", self.sc.apps[a.index()].id, self.sc.teams[team.index()].id, task.method.name());
        self.update_up(now, a);
        Ok(())
    }

    // ---- up/down bookkeeping ----------------------------------------------

    /// Recomputes whether `a` is up and propagates changes to its dependents.
    fn update_up(&mut self, now: SimTime, a: AppId) {
        // The stack is kept for its allocation: this runs twice per app and
        // replication.
        let mut stack = std::mem::take(&mut self.up_stack);
        stack.push(a);
        while let Some(x) = stack.pop() {
            if !self.parking.entries.is_empty() {
                self.release(x);
            }
            let s = &self.apps[x.index()];
            let up = s.broken == 0 && s.deps_down == 0;
            if up == s.up {
                continue;
            }
            self.apps[x.index()].up = up;
            let record = &mut self.out.apps[x.index()];
            if up {
                if let Some(o) = record.outages.last_mut() {
                    o.up_at = Some(now);
                }
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "app {} is up", self.sc.apps[x.index()].id);
            } else {
                record.outages.push(Outage {
                    down_at: now,
                    up_at: None,
                });
                if let Some(f) = self.current_fault {
                    self.out.faults[f].apps_down.push(x);
                }
                tracing::debug!(target: TRACE_TARGET, t = now.as_millis(), "app {} is down", self.sc.apps[x.index()].id);
            }
            for &d in &self.sc.apps[x.index()].dependents {
                let ds = &mut self.apps[d.index()];
                if up {
                    ds.deps_down -= 1;
                } else {
                    ds.deps_down += 1;
                }
                stack.push(d);
            }
        }
        self.up_stack = stack;
    }

    // ---- the end -----------------------------------------------------------

    fn finish(mut self, stop: StopReason, end: SimTime, events: u64) -> Outcome {
        self.out.stop = stop;
        self.out.end = end;
        self.out.events = events;
        for (a, state) in self.apps.iter().enumerate() {
            if state.up {
                continue;
            }
            self.out.apps[a].waiting = Some(match state.phase {
                Phase::Healthy => Waiting::Dependencies,
                Phase::Diagnosis => Waiting::Diagnosis,
                Phase::NoMethod => Waiting::NoMethod,
                Phase::Hosts => Waiting::Hosts,
                Phase::Queued(_) => Waiting::Queue,
                Phase::DrCapacity => Waiting::DrCapacity,
                Phase::InProgress(_) => Waiting::InProgress,
            });
        }
        // Milestones: an app is back for good from the end of its last
        // outage that began before the next incident that hits it.
        let strikes: Vec<(SimTime, &[AppId])> = self
            .out
            .incidents
            .iter()
            .map(|i| (i.at, i.apps.as_slice()))
            .collect();
        let mut all_restored = Vec::with_capacity(strikes.len());
        for (k, (at, apps)) in strikes.iter().enumerate() {
            let restored: Vec<Option<SimTime>> = apps
                .iter()
                .map(|&a| {
                    let next = strikes[k + 1..]
                        .iter()
                        .find(|(_, later)| later.binary_search(&a).is_ok())
                        .map_or(SimTime::MAX, |(t, _)| *t);
                    self.out.apps[a.index()]
                        .outages
                        .iter()
                        .rev()
                        .find(|o| o.down_at >= *at && o.down_at < next)
                        .and_then(|o| o.up_at)
                })
                .collect();
            all_restored.push(restored);
        }
        for (inc, restored) in self.out.incidents.iter_mut().zip(all_restored) {
            let mut sorted: Vec<SimTime> = restored.iter().flatten().copied().collect();
            sorted.sort();
            let n = restored.len();
            inc.milestones = Milestones {
                first: sorted.first().copied(),
                half: milestone(&sorted, n, 50),
                ninety: milestone(&sorted, n, 90),
                all: milestone(&sorted, n, 100),
            };
            inc.restored = restored;
        }
        self.out
    }
}
