//! `simulate`: one replication of one strategy on one scenario.
//!
//! The engine wires the world state (hosts, VMs, apps, workers, the backup
//! system) onto the kernel's run loop. It is a pure function of (scenario,
//! strategy, seed): no I/O, no clock, no global state. Trace lines go
//! through `tracing` with the simulated instant in the field `t`
//! (milliseconds since the start), which the CLI renders as a date in the
//! scenario's time zone.
//!
//! Recovery work waits in one ready heap per *lane*: one per method for
//! app tasks, one for host rebuilds and one for runbook "go" steps. Each
//! lane has its skill and its concurrency cap; a dispatch repeatedly takes
//! the best head (by the strategy's order) among the lanes that can start
//! something now, so caps and skills never block work of another lane.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::RngExt;

use crate::metrics::HostOutcome;
use crate::metrics::{
    AppOutcome, DataLoss, FaultKind, FaultRecord, Incident, Milestones, Outage, Outcome, Recovery,
    TaskEnd, TaskRecord, TaskSubject, TransferRecord, Waiting, milestone,
};
use crate::model::{
    AppId, BugId, BuildId, HostId, Method, Operation, Order, OutageKind, Scenario, Strategy,
    TeamId, Trigger, VmId,
};
use crate::recovery::{OrderKey, order_key};
use crate::sim::{
    EventId, Purpose, RngStreams, RunError, Scheduler, SimDuration, SimTime, StopReason, StreamRng,
};

mod placement;
use crate::sim::{Capacity, Room2};
use placement::{Candidates, Placement, vm_need};

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
    /// An automated method (HA restart, failover) finished for this app.
    AutoDone(AppId),
    /// The earliest backup transfer finishes (processor sharing).
    TransferDone,
    /// The escalation deadline of an app's outage (by outage number).
    Deadline(AppId, u32),
    /// A per-host trigger (uptime, Poisson) fires on this host.
    StrikeHost(BugId, HostId),
    /// The vendor's workaround for a bug is available: no more recurrences.
    Workaround(BugId),
    /// The management plane lost to a fault is back.
    ManagementBack,
    /// An outage of a shared service begins / ends.
    OutageStart(u32),
    OutageEnd(u32),
    /// A chaos process fails / repairs a host.
    ChaosFail(u32, HostId),
    ChaosRepair(u32, HostId),
    Wake,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostStatus {
    Up,
    Crashed,
    Rebooting,
    /// Waiting for, or under, a rebuild on another build.
    Rebuilding,
    /// Failed (chaos) and under repair; its VMs restart by themselves after.
    Failed,
}

#[derive(Clone, Debug)]
struct HostState {
    status: HostStatus,
    build: BuildId,
    crashed_by: Option<BugId>,
    struck: Vec<BugId>,
    recurrence: Option<(EventId, BugId)>,
    reboot: Option<EventId>,
    boots: u64,
    rebuilds: u64,
    /// Sequence of its queued rebuild job, for staleness checks.
    rebuild_seq: u64,
    /// Bugs whose fix is patched on it: they no longer affect it.
    patched: Vec<BugId>,
    /// A patch job is queued or in progress (with its sequence).
    patch_pending: Option<u64>,
    patches: u64,
    /// Pending per-host trigger events, cancelled when it goes down.
    triggers: Vec<(EventId, BugId)>,
    /// Per-host trigger draws so far (stream index).
    trigger_draws: u64,
    /// Crashes so far (stream index of effect draws).
    crashes: u64,
    /// It cannot be rebooted before its crash dump is written.
    dump_until: SimTime,
    /// Since when it is not up.
    down_since: Option<SimTime>,
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
    /// Waiting for its hosts to reboot or be rebuilt before `Method` work.
    Hosts(Method),
    Queued(Method),
    /// No room for its VMs where `Method` would put them.
    DrCapacity(Method),
    InProgress(Method),
    /// A restore's data transfer: waiting for a stream or transferring.
    Transfer,
}

/// Hosts by VM position: inline for apps of up to four VMs, so that
/// placing one allocates nothing.
type HostList = smallvec::SmallVec<[HostId; 4]>;

#[derive(Clone, Debug)]
struct AppState {
    broken: u32,
    deps_down: u32,
    up: bool,
    phase: Phase,
    queue_seq: u64,
    down_bug: Option<BugId>,
    attempts: [u32; 6],
    /// When its VMs last went from all running to not (its data's last write).
    broken_at: SimTime,
    /// Counts its outages (broken from all-running), for deadline events.
    outage_no: u32,
    /// Index into the strategy's methods from which methods are considered
    /// (raised by escalation).
    level: usize,
    /// Times a recurrence knocked it down.
    recur_hits: u32,
    /// Hosts reserved for its VMs (by VM position) by the method in progress.
    placement: HostList,
    /// The pending completion of an automated method.
    auto_event: Option<EventId>,
    /// Parked under dependency-aware order, waiting for a dependency.
    gated: bool,
    /// The worker on its task, if a person is working on it.
    worker: Option<u32>,
}

#[derive(Clone, Debug, Default)]
struct BugState {
    struck: bool,
    diagnosed: bool,
    fixed: bool,
    /// The vendor's workaround is in place: it no longer recurs.
    workaround: bool,
    /// The vendor's fix exists and hosts are being patched with it.
    fix_available: bool,
    /// Management-plane losses so far (stream index).
    mgmt_losses: u64,
    incident: Option<usize>,
    waiting: Vec<AppId>,
}

/// Work waiting in a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Job {
    App(AppId, Method),
    Host(HostId),
    Patch(HostId),
    Go(u32),
}

type Entry = (OrderKey, u64, Job);

/// Lanes: one per method (by ordinal) for app jobs, then host rebuilds,
/// then runbook steps.
const LANES: usize = 8;
const LANE_HOST: usize = 6;
const LANE_GO: usize = 7;

fn lane_of(job: Job) -> usize {
    match job {
        Job::App(_, m) => m.ordinal() as usize,
        // Patches share the infrastructure lane with rebuilds.
        Job::Host(_) | Job::Patch(_) => LANE_HOST,
        Job::Go(_) => LANE_GO,
    }
}

/// Whether a lane's work runs without a person (HA restart, failover).
fn lane_automated(lane: usize) -> bool {
    Method::ALL.get(lane).is_some_and(|m| m.automated())
}

/// The skill a lane's work needs (`None`: anyone; runbook steps).
fn lane_skill(lane: usize) -> Option<Method> {
    match lane {
        LANE_HOST => Some(Method::Rebuild),
        LANE_GO => None,
        // Restarting an app after its hosts were rebuilt is a restart.
        l if l == Method::Rebuild.ordinal() as usize => Some(Method::Restart),
        l => Method::ALL.get(l).copied(),
    }
}

/// The method whose concurrency cap a lane counts against.
fn lane_cap_method(lane: usize) -> Option<Method> {
    match lane {
        LANE_HOST => Some(Method::Rebuild),
        LANE_GO => None,
        l if l == Method::Rebuild.ordinal() as usize => Some(Method::Restart),
        l => Method::ALL.get(l).copied(),
    }
}

#[derive(Clone, Debug)]
struct Task {
    /// Index into `Outcome::tasks`.
    record: usize,
    job: Job,
    event: Option<EventId>,
}

#[derive(Clone, Debug)]
struct Worker {
    team: TeamId,
    member: u32,
    /// Bit `ordinal` set for each method the team may carry out.
    skills: u8,
    task: Option<Task>,
    /// The span of the member's calendar last asked about: the dispatcher
    /// asks every free member whether they are on duty at every event, and
    /// the answer only changes at a shift boundary.
    duty: std::cell::Cell<crate::sim::Duty>,
}

/// Restores sharing the backup system's throughput (processor sharing).
///
/// With `k` transfers active each progresses at `1/k` of the full rate.
/// Instead of updating every remaining size when `k` changes, the pool
/// keeps a virtual clock `virt` (ms of full-rate service each active
/// transfer has received) advancing at `1/k` per ms; a transfer that joins
/// at virtual time `v` with `s` ms of full-rate work finishes when the
/// virtual clock reaches `v + s`.
#[derive(Clone, Debug, Default)]
struct Transfers {
    /// (app, virtual finish, record index).
    active: Vec<(AppId, f64, usize)>,
    waiting: VecDeque<(AppId, usize)>,
    virt: f64,
    last: SimTime,
    event: Option<EventId>,
}

/// The state of one runbook wave.
#[derive(Clone, Debug, Default)]
struct WaveState {
    /// Its "go" step is done (reset once the wave has settled).
    go_done: bool,
    /// Its "go" step is queued or in progress.
    go_pending: bool,
    go_seq: u64,
    openings: u64,
}

struct Engine<'a> {
    sc: &'a Scenario,
    st: &'a Strategy,
    rng: RngStreams,
    hosts: Vec<HostState>,
    host_vms: Vec<Vec<VmId>>,
    vm_host: Vec<HostId>,
    vm_status: Vec<VmStatus>,
    apps: Vec<AppState>,
    bugs: Vec<BugState>,
    workers: Vec<Worker>,
    lanes: Vec<BinaryHeap<Reverse<Entry>>>,
    /// Tasks in progress per method (by ordinal), for caps.
    running: [u32; 6],
    /// Per runbook wave, entries held back until it opens.
    held: Vec<Vec<Entry>>,
    /// Workers without a task, in worker order.
    free: crate::sim::BitSet,
    /// Per app, entries parked under dependency-aware order until it
    /// starts or comes back (empty unless the order is dependency-aware).
    waiting_on: Vec<Vec<Entry>>,
    /// Scratch for `dependency_blocker`: visit marks by epoch, and a stack.
    visited: Vec<u32>,
    visit_epoch: u32,
    dep_stack: Vec<AppId>,
    /// The work draws' streams, keyed once per replication.
    work_streams: crate::sim::PurposeStreams,
    /// Scratch for `update_up`.
    up_stack: Vec<AppId>,
    parked: Vec<AppId>,
    capacity_freed: bool,
    /// Apps a recovery left with VMs down (placed on a host that crashed).
    redecide: Vec<AppId>,
    ready_seq: u64,
    /// Hosts' free room and first fit over the DR site and the clusters.
    placement: Placement,
    /// Scratch for `find_placement` when only feasibility is asked.
    scratch_placement: std::cell::RefCell<HostList>,
    waves: Vec<WaveState>,
    /// Per wave, its apps not settled and its apps queued, kept as apps
    /// change (`wave_update`) so that opening the waves does not scan
    /// every app at every dispatch.
    wave_unsettled: Vec<u32>,
    wave_queued: Vec<u32>,
    transfers: Transfers,
    wake_at: Option<SimTime>,
    fault_rng: Vec<Option<StreamRng>>,
    /// Per team, who is on duty when in this run (with random absences).
    rosters: Vec<std::borrow::Cow<'a, crate::sim::Roster>>,
    out: Outcome,
    current_fault: Option<usize>,
    /// The management plane is lost until then.
    management_until: SimTime,
    /// Per host, the VMs a chaos failure stopped: they restart by
    /// themselves when the host is repaired.
    autostart: Vec<Vec<VmId>>,
    /// Per chaos process and host of its list, failures so far.
    chaos_cycles: Vec<Vec<u64>>,
    /// Operations that happened since the last dispatch (for triggers).
    operations: Vec<(HostId, Operation)>,
    /// Crashed hosts left without VMs (HA restarted them elsewhere, or
    /// they were recovered at the DR site): rebooted by the operators once
    /// that is safe, to give the cluster its capacity back.
    evacuated: Vec<HostId>,
    /// Something that may let an evacuated host reboot happened since the
    /// last look (a host joined the list, a diagnosis, fix, patch or
    /// workaround): the list is looked at only then, not at every event.
    evacuated_news: bool,
    /// Outages in progress, by kind (backup, link, management).
    outages_active: [u32; 3],
    /// Some app may be waiting with no method (`Phase::NoMethod`): set
    /// where that phase is set, cleared when `services_back` looked.
    maybe_stuck: bool,
}

fn outage_slot(kind: OutageKind) -> usize {
    match kind {
        OutageKind::Backup => 0,
        OutageKind::Link => 1,
        OutageKind::Management => 2,
    }
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
        let b = BugId(b as u32);
        match bug.trigger {
            Trigger::At(at) => {
                sched.schedule_at(at, CLASS_FAULT, Ev::Strike(b))?;
            }
            Trigger::Uptime(_) | Trigger::Poisson(_) => {
                for &h in &bug.hosts {
                    engine.arm_trigger(&mut sched, SimTime::ZERO, b, h)?;
                }
            }
            Trigger::On(..) => {}
        }
    }
    for (i, o) in scenario.outages.iter().enumerate() {
        sched.schedule_at(o.at, CLASS_FAULT, Ev::OutageStart(i as u32))?;
    }
    for (c, chaos) in scenario.chaos.iter().enumerate() {
        for &h in &chaos.hosts {
            engine.arm_chaos(&mut sched, SimTime::ZERO, c as u32, h)?;
        }
    }
    let horizon = scenario.horizon_end();
    let stop = sched.run(horizon, scenario.max_events, |sched, now, ev| {
        engine.handle(sched, now, ev)?;
        Ok::<bool, SimError>(true)
    })?;
    Ok(engine.finish(stop, sched.now(), sched.processed()))
}

/// Team `t`'s roster for this run when its members may be absent (ill):
/// each member is away on each local day with the team's probability, and
/// the day's head count is capped accordingly (like a holiday). `None`
/// when the team has no absences.
fn absent_roster(sc: &Scenario, t: usize, seed: u64) -> Option<crate::sim::Roster> {
    let team = &sc.teams[t];
    if team.absence <= 0.0 {
        return None;
    }
    let rng_streams = RngStreams::new(seed);
    let size = team.roster.size();
    let first = sc.start.to_zoned_datetime(sc.tz.clone()).date();
    let end = sc
        .start
        .checked_add(jiff::SignedDuration::from_millis(
            i64::try_from(sc.horizon.as_millis()).unwrap_or(i64::MAX),
        ))
        .ok()?
        .to_zoned_datetime(sc.tz.clone())
        .date();
    let mut holidays = team.holidays.clone();
    let mut day = first;
    let mut n: u64 = 0;
    while day <= end {
        let index = ((t as u64) << 32) | n;
        let mut rng = rng_streams.stream(Purpose::Absence, index);
        let absent = (0..size)
            .filter(|_| rng.random::<f64>() < team.absence)
            .count() as u32;
        if absent > 0 {
            let cap = size - absent;
            match holidays.iter_mut().find(|h| h.date == day) {
                Some(h) => h.members = h.members.min(cap),
                None => holidays.push(crate::sim::HolidaySpec {
                    date: day,
                    members: cap,
                }),
            }
        }
        n += 1;
        day = day.tomorrow().ok()?;
    }
    crate::sim::Roster::build(&sc.tz, sc.start, sc.horizon, size, &team.shifts, &holidays).ok()
}

/// Gives a work list taken out of the engine (`std::mem::take`) back to it
/// once processed, emptied, so that the next event reuses its buffer
/// instead of allocating one: unless the processing queued new items,
/// which stay.
fn recycle<T>(slot: &mut Vec<T>, mut buffer: Vec<T>) {
    if slot.is_empty() {
        buffer.clear();
        *slot = buffer;
    }
}

fn skill_bits(skills: &[Method]) -> u8 {
    skills.iter().fold(0, |acc, m| acc | (1 << m.ordinal()))
}

impl<'a> Engine<'a> {
    fn new(sc: &'a Scenario, st: &'a Strategy, seed: u64, strategy_id: u32) -> Self {
        // Sized first: growing each host's list VM by VM was a tenth of
        // a small replication's allocations.
        let mut counts = vec![0usize; sc.hosts.len()];
        for vm in &sc.vms {
            counts[vm.host.index()] += 1;
        }
        let mut host_vms: Vec<Vec<VmId>> = counts.into_iter().map(Vec::with_capacity).collect();
        let hosts: Vec<HostState> = sc
            .hosts
            .iter()
            .map(|h| HostState {
                status: HostStatus::Up,
                build: h.build,
                crashed_by: None,
                struck: Vec::new(),
                recurrence: None,
                reboot: None,
                boots: 0,
                rebuilds: 0,
                rebuild_seq: 0,
                patched: Vec::new(),
                patch_pending: None,
                patches: 0,
                triggers: Vec::new(),
                trigger_draws: 0,
                crashes: 0,
                dump_until: SimTime::ZERO,
                down_since: None,
            })
            .collect();
        for (v, vm) in sc.vms.iter().enumerate() {
            host_vms[vm.host.index()].push(VmId(v as u32));
        }
        let workers: Vec<Worker> = st
            .teams
            .iter()
            .flat_map(|&team| {
                let t = &sc.teams[team.index()];
                let skills = skill_bits(&t.skills);
                (0..t.roster.size()).map(move |member| Worker {
                    team,
                    member,
                    skills,
                    task: None,
                    duty: std::cell::Cell::new(crate::sim::Duty::UNKNOWN),
                })
            })
            .collect();
        let n_workers = workers.len() as u32;
        Engine {
            sc,
            st,
            rng: RngStreams::new(seed),
            hosts,
            host_vms,
            vm_host: sc.vms.iter().map(|v| v.host).collect(),
            vm_status: vec![VmStatus::Running; sc.vms.len()],
            apps: (0..sc.apps.len())
                .map(|_| AppState {
                    broken: 0,
                    deps_down: 0,
                    up: true,
                    phase: Phase::Healthy,
                    queue_seq: 0,
                    down_bug: None,
                    attempts: [0; 6],
                    broken_at: SimTime::ZERO,
                    outage_no: 0,
                    level: 0,
                    recur_hits: 0,
                    placement: HostList::new(),
                    auto_event: None,
                    gated: false,
                    worker: None,
                })
                .collect(),
            bugs: vec![BugState::default(); sc.bugs.len()],
            workers,
            lanes: (0..LANES).map(|_| BinaryHeap::new()).collect(),
            running: [0; 6],
            held: vec![Vec::new(); st.waves.len()],
            free: crate::sim::BitSet::full(n_workers),
            waiting_on: if st.order == Order::DependencyAware {
                vec![Vec::new(); sc.apps.len()]
            } else {
                Vec::new()
            },
            visited: if st.order == Order::DependencyAware {
                vec![0; sc.apps.len()]
            } else {
                Vec::new()
            },
            visit_epoch: 0,
            dep_stack: Vec::new(),
            work_streams: RngStreams::new(seed).purpose(Purpose::Work),
            up_stack: Vec::new(),
            parked: Vec::new(),
            capacity_freed: false,
            redecide: Vec::new(),
            ready_seq: 0,
            placement: Placement::new(sc, st.dr_site),
            scratch_placement: std::cell::RefCell::new(HostList::new()),
            waves: vec![WaveState::default(); st.waves.len()],
            // Every app starts healthy: settled, not queued.
            wave_unsettled: vec![0; st.waves.len()],
            wave_queued: vec![0; st.waves.len()],
            transfers: Transfers::default(),
            wake_at: None,
            fault_rng: (0..sc.bugs.len()).map(|_| None).collect(),
            rosters: sc
                .teams
                .iter()
                .enumerate()
                .map(|(t, team)| match absent_roster(sc, t, seed) {
                    Some(r) => std::borrow::Cow::Owned(r),
                    None => std::borrow::Cow::Borrowed(&team.roster),
                })
                .collect(),
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
                tasks: Vec::with_capacity(sc.apps.len()),
                transfers: Vec::new(),
                moves: Vec::new(),
                hosts: vec![HostOutcome::default(); sc.hosts.len()],
                rosters: Vec::new(),
            },
            current_fault: None,
            management_until: SimTime::ZERO,
            outages_active: [0; 3],
            autostart: vec![Vec::new(); sc.hosts.len()],
            chaos_cycles: sc.chaos.iter().map(|c| vec![0; c.hosts.len()]).collect(),
            operations: Vec::new(),
            evacuated: Vec::new(),
            evacuated_news: false,
            maybe_stuck: false,
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
            Ev::AutoDone(a) => self.auto_done(now, a),
            Ev::TransferDone => self.transfer_done(sched, now)?,
            Ev::Deadline(a, n) => self.deadline(sched, now, a, n)?,
            Ev::StrikeHost(b, h) => self.strike_host(sched, now, b, h)?,
            Ev::Workaround(b) => self.workaround(sched, now, b)?,
            Ev::ManagementBack => {
                if now >= self.management_until {
                    tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the management plane is back");
                    self.services_back(sched, now)?;
                }
            }
            Ev::OutageStart(i) => self.outage_start(sched, now, i)?,
            Ev::OutageEnd(i) => self.outage_end(sched, now, i)?,
            Ev::ChaosFail(c, h) => self.chaos_fail(sched, now, c, h)?,
            Ev::ChaosRepair(c, h) => self.chaos_repair(sched, now, c, h)?,
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
        if self.bugs[b.index()].fixed {
            return Ok(());
        }
        let mut rng = self.rng.stream(Purpose::Faults, b.0 as u64);
        self.open_incident(now, b);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes {} host(s) in its scope", bug.id, bug.hosts.len());
        let mut touched = Vec::new();
        for &h in &bug.hosts {
            // One draw per host in scope whatever happens to it (common
            // random numbers across strategies).
            let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
            if hit {
                self.hit(sched, now, h, b, &mut rng, &mut touched)?;
            }
        }
        self.fault_rng[b.index()] = Some(rng);
        self.struck_effects(sched, now, b)?;
        self.after_crashes(sched, now, touched, false)?;
        self.close_fault(now);
        Ok(())
    }

    /// A per-host trigger fired: the bug strikes this one host.
    fn strike_host(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        self.hosts[h.index()].triggers.retain(|(_, x)| *x != b);
        let bug = &self.sc.bugs[b.index()];
        let host = &self.hosts[h.index()];
        if self.bug_dead(b, h) || host.status != HostStatus::Up || !bug.builds.contains(&host.build)
        {
            return Ok(());
        }
        let n = host.trigger_draws;
        self.hosts[h.index()].trigger_draws += 1;
        let index = (1 << 62) | (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Faults, index);
        let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
        if hit {
            self.open_incident(now, b);
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes host {}", bug.id, self.sc.hosts[h.index()].id);
            let mut touched = Vec::new();
            self.hit(sched, now, h, b, &mut rng, &mut touched)?;
            self.struck_effects(sched, now, b)?;
            self.after_crashes(sched, now, touched, false)?;
            self.close_fault(now);
        }
        // A Poisson or uptime trigger fires again while the host stays up.
        if self.hosts[h.index()].status == HostStatus::Up
            && matches!(bug.trigger, Trigger::Uptime(_) | Trigger::Poisson(_))
        {
            self.arm_trigger(sched, now, b, h)?;
        }
        Ok(())
    }

    /// Schedules the next firing of a per-host trigger (uptime threshold or
    /// Poisson) of bug `b` on host `h`, which is up since its last boot.
    fn arm_trigger(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        let n = host.trigger_draws;
        host.trigger_draws += 1;
        let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Trigger, index);
        let delay = match &self.sc.bugs[b.index()].trigger {
            Trigger::Uptime(threshold) => {
                let t = threshold.sample(&mut rng);
                // At the start, the host has been up for a while already.
                if now == SimTime::ZERO && host.boots == 0 {
                    t.saturating_sub(self.sc.hosts[h.index()].uptime)
                } else {
                    t
                }
            }
            Trigger::Poisson(mean) => {
                let u: f64 = rng.random();
                SimDuration::from_millis_f64(-(1.0 - u).ln() * mean.as_millis() as f64)
            }
            Trigger::At(_) | Trigger::On(..) => return Ok(()),
        };
        let ev = sched.schedule_in(delay, CLASS_FAULT, Ev::StrikeHost(b, h))?;
        self.hosts[h.index()].triggers.push((ev, b));
        Ok(())
    }

    /// An operation happened on a host: bugs triggered by it may strike.
    fn operation(
        &mut self,
        sched: &mut Scheduler<Ev>,
        h: HostId,
        op: Operation,
    ) -> Result<(), SimError> {
        for b in 0..self.sc.bugs.len() {
            let bug = &self.sc.bugs[b];
            let Trigger::On(what, p) = bug.trigger else {
                continue;
            };
            if what != op
                || self.bug_dead(BugId(b as u32), h)
                || bug.hosts.binary_search(&h).is_err()
            {
                continue;
            }
            let host = &mut self.hosts[h.index()];
            let n = host.trigger_draws;
            host.trigger_draws += 1;
            let index = (u64::from(b as u32) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
            let mut rng = self.rng.stream(Purpose::Trigger, index);
            if rng.random::<f64>() < p {
                let ev = sched.schedule_in(
                    SimDuration::ZERO,
                    CLASS_FAULT,
                    Ev::StrikeHost(BugId(b as u32), h),
                )?;
                self.hosts[h.index()].triggers.push((ev, BugId(b as u32)));
            }
        }
        Ok(())
    }

    /// Records a strike: a fault and an incident.
    fn open_incident(&mut self, now: SimTime, b: BugId) {
        let fault = self.open_fault(now, Some(b), FaultKind::Strike);
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
    }

    /// Applies a bug's per-host effects to a host it hits.
    fn hit(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
        b: BugId,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        // A host rebuilt on a build without the defect, or patched, is immune.
        if !bug.builds.contains(&self.hosts[h.index()].build)
            || self.hosts[h.index()].patched.contains(&b)
        {
            return Ok(());
        }
        if bug.crash {
            self.crash(sched, now, h, Some(b), rng, touched)?;
        }
        if bug.datastore_loss {
            for i in 0..self.host_vms[h.index()].len() {
                let v = self.host_vms[h.index()][i];
                self.vm_hit(sched, now, v, b, true, touched)?;
            }
        }
        Ok(())
    }

    /// What a strike does beyond its hosts: the management plane, and on
    /// the bug's first strike its diagnosis and the vendor's clock.
    fn struck_effects(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        if let Some(dist) = &bug.management_plane {
            let state = &mut self.bugs[b.index()];
            let index = (u64::from(b.0) << 40) | (0xFFFF << 16) | state.mgmt_losses.min(0xFFFF);
            state.mgmt_losses += 1;
            let mut rng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dist.sample(&mut rng));
            if until > self.management_until {
                self.management_until = until;
                sched.schedule_at(until, CLASS_OTHER, Ev::ManagementBack)?;
            }
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the management plane is lost: no HA restart or failover until it is back");
        }
        if self.bugs[b.index()].struck {
            return Ok(());
        }
        self.bugs[b.index()].struck = true;
        let mut drng = self.rng.stream(Purpose::Diagnosis, b.0 as u64);
        let delay = self
            .st
            .detection
            .sample(&mut drng)
            .saturating_add(self.st.diagnosis.sample(&mut drng));
        sched.schedule_in(delay, CLASS_OTHER, Ev::Diagnosed(b))?;
        let mut frng = self.rng.stream(Purpose::Fix, b.0 as u64);
        if let Some(fix) = &bug.fix {
            sched.schedule_in(fix.sample(&mut frng), CLASS_FIX, Ev::Fixed(b))?;
        }
        if let Some(vendor) = &bug.vendor {
            // Vendor effort counts in its support hours only.
            let when = |work: SimDuration| match &vendor.support {
                None => Some(now.saturating_add(work)),
                Some(roster) => roster.worker(0).finish(now, work),
            };
            if let Some(fix) = &vendor.fix
                && let Some(t) = when(fix.sample(&mut frng))
            {
                sched.schedule_at(t, CLASS_FIX, Ev::Fixed(b))?;
            }
            let mut wrng = self.rng.stream(Purpose::Fix, (1 << 32) | u64::from(b.0));
            if let Some(w) = &vendor.workaround
                && let Some(t) = when(w.sample(&mut wrng))
            {
                sched.schedule_at(t, CLASS_FIX, Ev::Workaround(b))?;
            }
        }
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
        if self.hosts[h.index()].status != HostStatus::Up || self.bug_dead(b, h) {
            return Ok(());
        }
        self.out.recurrences += 1;
        self.open_fault(now, Some(b), FaultKind::Recurrence);
        let mut rng = match self.fault_rng[b.index()].take() {
            Some(rng) => rng,
            None => self.rng.stream(Purpose::Faults, b.0 as u64),
        };
        tracing::warn!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes again on restarted host {}", self.sc.bugs[b.index()].id, self.sc.hosts[h.index()].id);
        let mut touched = Vec::new();
        self.crash(sched, now, h, Some(b), &mut rng, &mut touched)?;
        self.fault_rng[b.index()] = Some(rng);
        self.after_crashes(sched, now, touched, true)?;
        self.close_fault(now);
        Ok(())
    }

    fn open_fault(&mut self, now: SimTime, bug: Option<BugId>, kind: FaultKind) -> usize {
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

    /// Crashes one host (a bug's crash, or a chaos failure when `b` is
    /// `None`): its VMs go down, some corrupted; recovery tasks that needed
    /// it are abandoned.
    fn crash(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
        b: Option<BugId>,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        if let Some(b) = b
            && !host.struck.contains(&b)
        {
            host.struck.push(b);
        }
        if matches!(
            host.status,
            HostStatus::Crashed | HostStatus::Rebuilding | HostStatus::Failed
        ) && b.is_some()
        {
            return Ok(());
        }
        let was_up = host.status == HostStatus::Up;
        self.set_status(
            h,
            if b.is_some() {
                HostStatus::Crashed
            } else {
                HostStatus::Failed
            },
        );
        let host = &mut self.hosts[h.index()];
        if b.is_some() {
            host.crashed_by = b;
        }
        host.crashes += 1;
        // A pending recurrence or trigger is moot once the host is down; a
        // reboot in progress is lost.
        if let Some((ev, _)) = host.recurrence.take() {
            sched.cancel(ev);
        }
        if let Some(ev) = host.reboot.take() {
            sched.cancel(ev);
        }
        for (ev, _) in host.triggers.drain(..) {
            sched.cancel(ev);
        }
        host.down_since.get_or_insert(now);
        if was_up {
            self.out.hosts[h.index()].failures += 1;
        }
        if let Some(f) = self.current_fault {
            self.out.faults[f].hosts.push(h);
        }
        let Some(b) = b else {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} failed", self.sc.hosts[h.index()].id);
            let mut autostart = Vec::new();
            for i in 0..self.host_vms[h.index()].len() {
                let v = self.host_vms[h.index()][i];
                let app = self.sc.vms[v.index()].app;
                if self.vm_status[v.index()] == VmStatus::Running {
                    self.vm_status[v.index()] = VmStatus::Down;
                    self.vm_broken(sched, now, app)?;
                    autostart.push(v);
                    touched.push(app);
                }
            }
            // A second failure before the repair adds nothing to restart.
            self.autostart[h.index()].extend(autostart);
            return Ok(());
        };
        if let Some(dump) = &self.sc.bugs[b.index()].crash_dump {
            let host = &self.hosts[h.index()];
            let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | host.crashes.min(0xFFFF);
            let mut drng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dump.sample(&mut drng));
            self.hosts[h.index()].dump_until = until;
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} crashed: bug {}", self.sc.hosts[h.index()].id, self.sc.bugs[b.index()].id);
        let p = self.sc.bugs[b.index()].corrupt_vm;
        for i in 0..self.host_vms[h.index()].len() {
            let v = self.host_vms[h.index()][i];
            // One draw per VM whatever its state, so later VMs' fates do
            // not depend on earlier ones' (common random numbers).
            let corrupt = p > 0.0 && rng.random::<f64>() < p;
            self.vm_hit(sched, now, v, b, corrupt, touched)?;
        }
        Ok(())
    }

    /// A bug hits a VM: it stops running, corrupted or not.
    fn vm_hit(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        v: VmId,
        b: BugId,
        corrupt: bool,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let app = self.sc.vms[v.index()].app;
        if self.vm_status[v.index()] == VmStatus::Running {
            self.vm_broken(sched, now, app)?;
        }
        let status = &mut self.vm_status[v.index()];
        if corrupt && *status != VmStatus::Corrupted {
            *status = VmStatus::Corrupted;
            if let Some(f) = self.current_fault {
                self.out.faults[f].vms_corrupted += 1;
            }
        } else if *status == VmStatus::Running {
            *status = VmStatus::Down;
        }
        self.apps[app.index()].down_bug = Some(b);
        // Deduplicated once per fault, in `after_crashes`.
        touched.push(app);
        Ok(())
    }

    /// One more of the app's VMs stopped running. The first one starts an
    /// outage of its data: the escalation deadline counts from here.
    #[inline(always)]
    fn vm_broken(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        self.change_app(a, |s| s.broken += 1);
        let state = &mut self.apps[a.index()];
        if state.broken == 1 {
            state.broken_at = now;
            state.outage_no += 1;
            if let Some(after) = self.st.escalate_after {
                sched.schedule_in(after, CLASS_OTHER, Ev::Deadline(a, state.outage_no))?;
            }
        }
        Ok(())
    }

    /// After a batch of crashes: abandon restarts that lost their host,
    /// update up/down states, and decide how each touched app comes back.
    fn after_crashes(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        mut touched: Vec<AppId>,
        recurrence: bool,
    ) -> Result<(), SimError> {
        touched.sort_unstable();
        touched.dedup();
        for &a in &touched {
            let phase = self.apps[a.index()].phase;
            let mut failed = None;
            match phase {
                Phase::InProgress(m @ (Method::Restart | Method::Rebuild)) => {
                    failed = Some(m);
                    if let Some(w) = self.apps[a.index()].worker.take()
                        && let Some(task) = self.take_task(w)
                    {
                        if let Some(ev) = task.event {
                            sched.cancel(ev);
                        }
                        self.end_task(&task, now, TaskEnd::Abandoned);
                        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} of {} abandoned: its host crashed", m.name(), self.sc.apps[a.index()].id);
                    }
                    self.set_phase(a, Phase::Healthy);
                }
                Phase::Queued(Method::Restart | Method::Rebuild | Method::HaRestart)
                | Phase::Hosts(_)
                | Phase::NoMethod => {
                    self.set_phase(a, Phase::Healthy);
                }
                _ => {}
            }
            if recurrence || failed.is_some() {
                let m = failed.or(self.out.apps[a.index()].method);
                self.escalate_on_failure(a, m);
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
        if self.st.patch_when_fixed {
            self.fix_available(now, b);
            return Ok(());
        }
        self.bugs[b.index()].fixed = true;
        self.evacuated_news = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's fix for bug {} is applied", self.sc.bugs[b.index()].id);
        self.cancel_recurrences(sched, b);
        for h in &mut self.hosts {
            h.triggers.retain(|&(ev, bug)| {
                if bug == b {
                    sched.cancel(ev);
                }
                bug != b
            });
        }
        // Restart may have become safe.
        self.services_back(sched, now)
    }

    /// The vendor's fix exists: with `patch_when_fixed`, every host that
    /// carries the bug waits for a `rebuild`-skilled member to patch it.
    fn fix_available(&mut self, now: SimTime, b: BugId) {
        self.bugs[b.index()].fix_available = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's fix for bug {} is available: hosts are queued for patching", self.sc.bugs[b.index()].id);
        let bug = &self.sc.bugs[b.index()];
        for &h in &bug.hosts {
            let host = &self.hosts[h.index()];
            if host.patch_pending.is_some()
                || host.patched.contains(&b)
                || !bug.builds.contains(&host.build)
            {
                continue;
            }
            self.ready_seq += 1;
            self.hosts[h.index()].patch_pending = Some(self.ready_seq);
            let entry = ((0, now.as_millis(), h.0), self.ready_seq, Job::Patch(h));
            self.lanes[LANE_HOST].push(Reverse(entry));
        }
    }

    /// A host is patched: every bug whose fix is available and that its
    /// build carries no longer affects it.
    fn patched(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let build = self.hosts[h.index()].build;
        let fixed: Vec<BugId> = (0..self.sc.bugs.len())
            .map(|b| BugId(b as u32))
            .filter(|b| {
                self.bugs[b.index()].fix_available
                    && self.sc.bugs[b.index()].builds.contains(&build)
            })
            .collect();
        let host = &mut self.hosts[h.index()];
        host.patch_pending = None;
        for &b in &fixed {
            if !host.patched.contains(&b) {
                host.patched.push(b);
                self.evacuated_news = true;
            }
        }
        host.struck.retain(|b| !fixed.contains(b));
        if let Some((ev, b)) = host.recurrence
            && fixed.contains(&b)
        {
            sched.cancel(ev);
            host.recurrence = None;
        }
        host.triggers.retain(|&(ev, b)| {
            if fixed.contains(&b) {
                sched.cancel(ev);
            }
            !fixed.contains(&b)
        });
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} patched", self.sc.hosts[h.index()].id);
        // Restarting on it may be safe now.
        self.services_back(sched, now)
    }

    fn cancel_recurrences(&mut self, sched: &mut Scheduler<Ev>, b: BugId) {
        for h in &mut self.hosts {
            if let Some((ev, bug)) = h.recurrence
                && bug == b
            {
                sched.cancel(ev);
                h.recurrence = None;
            }
        }
    }

    /// The vendor's workaround: restarted hosts no longer crash again.
    fn workaround(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        self.bugs[b.index()].workaround = true;
        self.evacuated_news = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's workaround for bug {} is applied: no more recurrences", self.sc.bugs[b.index()].id);
        self.cancel_recurrences(sched, b);
        // Restart may be safe now.
        self.services_back(sched, now)
    }

    /// Something that limited methods is back (a fix, the management
    /// plane, a shared service): apps no method could help are decided again.
    fn services_back(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        // Each host patched calls this: without the flag, patching every
        // host of a large estate would scan every app each time.
        if !std::mem::take(&mut self.maybe_stuck) {
            return Ok(());
        }
        for a in 0..self.apps.len() {
            if self.apps[a].phase == Phase::NoMethod {
                self.set_phase(AppId(a as u32), Phase::Healthy);
                self.decide(sched, now, AppId(a as u32))?;
            }
        }
        Ok(())
    }

    // ---- compounding outages and chaos -----------------------------------------

    fn management_available(&self, now: SimTime) -> bool {
        now >= self.management_until
            && self.outages_active[outage_slot(OutageKind::Management)] == 0
    }

    fn link_up(&self) -> bool {
        self.outages_active[outage_slot(OutageKind::Link)] == 0
    }

    /// Restores can read from the backup system at the DR site.
    fn backup_available(&self) -> bool {
        self.outages_active[outage_slot(OutageKind::Backup)] == 0 && self.link_up()
    }

    fn outage_start(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        i: u32,
    ) -> Result<(), SimError> {
        let outage = &self.sc.outages[i as usize];
        let mut rng = self.rng.stream(Purpose::Outage, u64::from(i));
        let d = outage.duration.sample(&mut rng);
        self.advance_transfers(now);
        self.outages_active[outage_slot(outage.kind)] += 1;
        sched.schedule_in(d, CLASS_FIX, Ev::OutageEnd(i))?;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "outage: the {} is unavailable for {d}", outage.kind.name());
        self.schedule_transfer(sched)
    }

    fn outage_end(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        i: u32,
    ) -> Result<(), SimError> {
        let kind = self.sc.outages[i as usize].kind;
        self.advance_transfers(now);
        let n = &mut self.outages_active[outage_slot(kind)];
        *n = n.saturating_sub(1);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "outage over: the {} is back", kind.name());
        self.schedule_transfer(sched)?;
        self.services_back(sched, now)
    }

    /// Schedules the next failure of chaos process `c` on host `h`.
    fn arm_chaos(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        let k = self.chaos_cycles[c as usize][self.chaos_slot(c, h)];
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let d = self.sc.chaos[c as usize].mtbf.sample(&mut rng);
        sched.schedule_at(now.saturating_add(d), CLASS_FAULT, Ev::ChaosFail(c, h))?;
        Ok(())
    }

    /// Position of host `h` in chaos process `c`'s host list.
    fn chaos_slot(&self, c: u32, h: HostId) -> usize {
        self.sc.chaos[c as usize]
            .hosts
            .binary_search(&h)
            .unwrap_or(0)
    }

    fn chaos_fail(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        let slot = self.chaos_slot(c, h);
        let k = self.chaos_cycles[c as usize][slot];
        self.chaos_cycles[c as usize][slot] += 1;
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k + 1).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let repair = self.sc.chaos[c as usize].mttr.sample(&mut rng);
        self.open_fault(now, None, FaultKind::Chaos(c));
        let mut touched = Vec::new();
        self.crash(sched, now, h, None, &mut rng, &mut touched)?;
        sched.schedule_in(repair, CLASS_OTHER, Ev::ChaosRepair(c, h))?;
        self.after_crashes(sched, now, touched, false)?;
        self.close_fault(now);
        Ok(())
    }

    fn chaos_repair(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        if self.hosts[h.index()].status == HostStatus::Failed {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} repaired", self.sc.hosts[h.index()].id);
            self.host_up(sched, now, h)?;
            for v in std::mem::take(&mut self.autostart[h.index()]) {
                if self.vm_host[v.index()] != h || self.vm_status[v.index()] != VmStatus::Down {
                    continue;
                }
                self.vm_status[v.index()] = VmStatus::Running;
                let a = self.sc.vms[v.index()].app;
                self.change_app(a, |state| {
                    state.broken = state.broken.saturating_sub(1);
                    // Back by itself: whatever was planned for it is moot.
                    if state.broken == 0
                        && matches!(
                            state.phase,
                            Phase::Queued(_)
                                | Phase::Hosts(_)
                                | Phase::DrCapacity(_)
                                | Phase::NoMethod
                                | Phase::Diagnosis
                        )
                    {
                        state.phase = Phase::Healthy;
                    }
                });
                self.update_up(now, a);
            }
        }
        self.arm_chaos(sched, now, c, h)
    }

    // ---- recovery decisions --------------------------------------------

    fn diagnosed(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        self.evacuated_news = true;
        let state = &mut self.bugs[b.index()];
        state.diagnosed = true;
        if let Some(i) = state.incident {
            self.out.incidents[i].diagnosed_at = Some(now);
        }
        let waiting = std::mem::take(&mut state.waiting);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} diagnosed: strategy {} decides how {} app(s) come back", self.sc.bugs[b.index()].id, self.st.id, waiting.len());
        for a in waiting {
            if self.apps[a.index()].phase == Phase::Diagnosis {
                self.set_phase(a, Phase::Healthy);
                if self.apps[a.index()].broken > 0 {
                    self.decide(sched, now, a)?;
                }
            }
        }
        Ok(())
    }

    /// The undiagnosed bug that crashed one of the app's down VMs' hosts.
    fn undiagnosed_bug(&self, a: AppId) -> Option<BugId> {
        self.sc.apps[a.index()].vms.iter().find_map(|&v| {
            let h = self.vm_host[v.index()];
            if self.vm_status[v.index()] == VmStatus::Running
                || self.hosts[h.index()].status == HostStatus::Up
            {
                return None;
            }
            self.hosts[h.index()]
                .crashed_by
                .filter(|b| !self.bugs[b.index()].diagnosed)
        })
    }

    /// Chooses the first applicable method of the strategy for a broken app,
    /// from its escalation level on.
    ///
    /// The cluster's HA restart acts by itself, before anyone understands
    /// the bug; every other method waits for the diagnosis.
    fn decide(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        let level = self.apps[a.index()].level;
        for &m in self.st.methods.iter().skip(level) {
            if m != Method::HaRestart
                && let Some(b) = self.undiagnosed_bug(a)
            {
                self.set_phase(a, Phase::Diagnosis);
                self.bugs[b.index()].waiting.push(a);
                return Ok(());
            }
            if self.applicable(now, a, m) {
                return self.start(sched, now, a, m);
            }
        }
        self.set_phase(a, Phase::NoMethod);
        self.maybe_stuck = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "no method of strategy {} can bring {} back", self.st.id, self.sc.apps[a.index()].id);
        Ok(())
    }

    /// Whether restarting on this host is safe: no bug that struck it can
    /// strike again (fixed, or not recurring), unless the strategy takes
    /// the risk.
    fn restart_safe(&self, h: HostId) -> bool {
        let host = &self.hosts[h.index()];
        host.status == HostStatus::Up
            || self.st.restart_despite_recurrence
            || host.struck.iter().all(|&b| !self.can_recur(b, h))
    }

    /// Whether bug `b`, which struck host `h`, may crash it again after a
    /// restart: it recurs, and neither a fix, a patch nor the vendor's
    /// workaround stopped it.
    fn can_recur(&self, b: BugId, h: HostId) -> bool {
        self.sc.bugs[b.index()].recurrence.is_some()
            && !self.bug_dead(b, h)
            && !self.bugs[b.index()].workaround
    }

    fn applicable(&self, now: SimTime, a: AppId, m: Method) -> bool {
        let app = &self.sc.apps[a.index()];
        if app.work(m).is_none() {
            return false;
        }
        let corrupted = app
            .vms
            .iter()
            .any(|v| self.vm_status[v.index()] == VmStatus::Corrupted);
        match m {
            Method::Reinstall => self.st.dr_site.is_some(),
            Method::Restore => {
                self.st.dr_site.is_some() && self.sc.backup.is_some() && self.backup_available()
            }
            Method::Failover => {
                self.st.dr_site.is_some()
                    && self.sc.replication.is_some()
                    && self.link_up()
                    && self.management_available(now)
            }
            Method::Restart => {
                !corrupted
                    && app.vms.iter().all(|&v| {
                        self.vm_status[v.index()] == VmStatus::Running
                            || self.restart_safe(self.vm_host[v.index()])
                    })
            }
            Method::Rebuild => !corrupted && self.st.rebuild_to.is_some(),
            Method::HaRestart => {
                !corrupted
                    && self.management_available(now)
                    && self.find_placement(a, m, &mut self.scratch_placement.borrow_mut())
            }
        }
    }

    fn start(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        if matches!(m, Method::Restart | Method::Rebuild) {
            let mut waiting = false;
            for i in 0..self.sc.apps[a.index()].vms.len() {
                let v = self.sc.apps[a.index()].vms[i];
                if self.vm_status[v.index()] == VmStatus::Running {
                    continue;
                }
                let h = self.vm_host[v.index()];
                let stale_build = self
                    .st
                    .rebuild_to
                    .is_some_and(|b| self.hosts[h.index()].build != b);
                match self.hosts[h.index()].status {
                    HostStatus::Up => {}
                    HostStatus::Rebooting | HostStatus::Rebuilding | HostStatus::Failed => {
                        waiting = true
                    }
                    HostStatus::Crashed => {
                        waiting = true;
                        if m == Method::Rebuild && stale_build {
                            self.request_rebuild(now, h);
                        } else {
                            self.reboot(sched, now, h)?;
                        }
                    }
                }
            }
            if waiting {
                self.set_phase(a, Phase::Hosts(m));
                return Ok(());
            }
        }
        self.enqueue(now, a, m);
        Ok(())
    }

    /// Raises the app's escalation level past the method that just failed
    /// it, if the strategy escalates after this many recurrences.
    /// A recurrence knocked the app down again, or a crash cut short its
    /// restart (`m` is the method that failed it).
    fn escalate_on_failure(&mut self, a: AppId, m: Option<Method>) {
        let state = &mut self.apps[a.index()];
        state.recur_hits += 1;
        let Some(n) = self.st.escalate_after_recurrences else {
            return;
        };
        if state.recur_hits < n {
            return;
        }
        if let Some(pos) = m.and_then(|m| self.st.methods.iter().position(|x| *x == m))
            && pos + 1 > state.level
            && pos + 1 < self.st.methods.len()
        {
            state.level = pos + 1;
            tracing::info!(target: TRACE_TARGET, "{} escalates past {} after {} recurrence(s)", self.sc.apps[a.index()].id, self.st.methods[pos].name(), state.recur_hits);
        }
    }

    /// The escalation deadline of an outage: an app still waiting for its
    /// method (not yet being worked on) moves on to the next method.
    fn deadline(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        outage: u32,
    ) -> Result<(), SimError> {
        let state = &self.apps[a.index()];
        if state.outage_no != outage || state.broken == 0 {
            return Ok(());
        }
        let m = match state.phase {
            Phase::Queued(m) | Phase::Hosts(m) | Phase::DrCapacity(m) => m,
            _ => return Ok(()),
        };
        let Some(pos) = self.st.methods.iter().position(|x| *x == m) else {
            return Ok(());
        };
        if pos + 1 >= self.st.methods.len() {
            return Ok(());
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} still down after {}: escalates from {}", self.sc.apps[a.index()].id, self.st.escalate_after.unwrap_or_default(), m.name());
        let state = &mut self.apps[a.index()];
        state.level = state.level.max(pos + 1);
        self.set_phase(a, Phase::Healthy);
        self.decide(sched, now, a)
    }

    /// Every change of a host's status goes through here, so that the
    /// placement index, where only an up host takes VMs, stays in step.
    fn set_status(&mut self, h: HostId, status: HostStatus) {
        self.hosts[h.index()].status = status;
        self.placement.set_up(h, status == HostStatus::Up);
    }

    /// Reboots the crashed hosts that no VM needs any more, once the bug
    /// that crashed each is diagnosed and can no longer strike it again
    /// (fixed, patched, worked around, or not recurring). Unlike a restart
    /// in place, nothing is gained by taking the risk earlier, so not even
    /// a strategy that restarts despite recurrences does. The others wait
    /// for the next dispatch after a diagnosis, fix or workaround.
    fn reboot_evacuated(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        let mut hosts = std::mem::take(&mut self.evacuated);
        // In host order, so that the order of reboots never depends on the
        // list's history.
        hosts.sort_unstable();
        hosts.dedup();
        let mut waiting = Vec::new();
        for h in hosts {
            let host = &self.hosts[h.index()];
            if host.status != HostStatus::Crashed || !self.host_vms[h.index()].is_empty() {
                // Rebooted for an app meanwhile, or given VMs again.
                continue;
            }
            let known = host
                .crashed_by
                .is_none_or(|b| self.bugs[b.index()].diagnosed);
            if known && host.struck.iter().all(|&b| !self.can_recur(b, h)) {
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} has no VM left: rebooted to give its room back", self.sc.hosts[h.index()].id);
                self.reboot(sched, now, h)?;
            } else {
                waiting.push(h);
            }
        }
        waiting.append(&mut self.evacuated);
        self.evacuated = waiting;
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
        let build = &self.sc.builds[host.build.index()];
        // The crash dump must be written first.
        let delay = build
            .reboot
            .sample(&mut rng)
            .saturating_add(host.dump_until.saturating_since(now));
        self.set_status(h, HostStatus::Rebooting);
        self.hosts[h.index()].reboot =
            Some(sched.schedule_in(delay, CLASS_OTHER, Ev::Rebooted(h))?);
        self.out.host_reboots += 1;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} rebooting (restart in place)", self.sc.hosts[h.index()].id);
        Ok(())
    }

    fn request_rebuild(&mut self, now: SimTime, h: HostId) {
        self.ready_seq += 1;
        self.set_status(h, HostStatus::Rebuilding);
        self.hosts[h.index()].rebuild_seq = self.ready_seq;
        let entry = ((0, now.as_millis(), h.0), self.ready_seq, Job::Host(h));
        self.lanes[LANE_HOST].push(Reverse(entry));
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} queued for a rebuild", self.sc.hosts[h.index()].id);
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
        host.reboot = None;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} is back up", self.sc.hosts[h.index()].id);
        self.host_up(sched, now, h)?;
        self.operation(sched, h, Operation::Restart)
    }

    /// A host is up again (rebooted or rebuilt): an unfixed bug may strike
    /// it again, and apps waiting for it may be restarted.
    fn host_up(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        self.set_status(h, HostStatus::Up);
        let host = &mut self.hosts[h.index()];
        host.boots += 1;
        if let Some(since) = host.down_since.take() {
            let d = &mut self.out.hosts[h.index()].downtime;
            *d = d.saturating_add(now.saturating_since(since));
        }
        self.capacity_freed = true;
        // An unfixed bug may strike again (DESIGN.md §3, recurrence).
        let mut next: Option<(SimDuration, BugId)> = None;
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Recurrence, index);
        for k in 0..self.hosts[h.index()].struck.len() {
            let b = self.hosts[h.index()].struck[k];
            if !self.can_recur(b, h) {
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
        // Uptime and Poisson triggers start again from this boot.
        for b in 0..self.sc.bugs.len() {
            let bug = &self.sc.bugs[b];
            if matches!(bug.trigger, Trigger::Uptime(_) | Trigger::Poisson(_))
                && !self.bug_dead(BugId(b as u32), h)
                && bug.hosts.binary_search(&h).is_ok()
            {
                self.arm_trigger(sched, now, BugId(b as u32), h)?;
            }
        }
        // Apps waiting for this host may now be restarted.
        let mut apps: Vec<AppId> = self.host_vms[h.index()]
            .iter()
            .map(|v| self.sc.vms[v.index()].app)
            .collect();
        apps.sort();
        apps.dedup();
        for a in apps {
            if let Phase::Hosts(m) = self.apps[a.index()].phase
                && self.hosts_ready(a)
            {
                self.enqueue(now, a, m);
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
        self.set_phase(a, Phase::Queued(m));
        let state = &mut self.apps[a.index()];
        state.queue_seq = self.ready_seq;
        state.gated = false;
        self.lanes[m.ordinal() as usize].push(Reverse((key, self.ready_seq, Job::App(a, m))));
    }

    // ---- people and lanes ---------------------------------------------------

    /// The app that keeps `a` from starting under dependency-aware order,
    /// if any. A dependency is fine when it is up or being restored; one
    /// whose own VMs run but which waits for its own dependencies is fine
    /// when they are; otherwise it (or the app deeper down that holds it
    /// back) is the blocker: `a` waits for that app to start or come back.
    fn dependency_blocker(&mut self, a: AppId) -> Option<AppId> {
        self.visit_epoch = self.visit_epoch.wrapping_add(1);
        if self.visit_epoch == 0 {
            self.visited.iter_mut().for_each(|v| *v = 0);
            self.visit_epoch = 1;
        }
        let epoch = self.visit_epoch;
        let mut stack = std::mem::take(&mut self.dep_stack);
        stack.clear();
        stack.extend(self.sc.apps[a.index()].depends_on.iter().copied());
        let mut blocker = None;
        while let Some(d) = stack.pop() {
            if self.visited[d.index()] == epoch {
                continue;
            }
            self.visited[d.index()] = epoch;
            let s = &self.apps[d.index()];
            if s.up || matches!(s.phase, Phase::InProgress(_) | Phase::Transfer) {
                continue;
            }
            if s.broken == 0 {
                stack.extend(self.sc.apps[d.index()].depends_on.iter().copied());
                continue;
            }
            blocker = Some(d);
            break;
        }
        self.dep_stack = stack;
        blocker
    }

    /// App `x` started, came back or runs again: apps waiting for it under
    /// dependency-aware order are examined again.
    fn release_waiters(&mut self, x: AppId) {
        if self.waiting_on.is_empty() || self.waiting_on[x.index()].is_empty() {
            return;
        }
        for entry in std::mem::take(&mut self.waiting_on[x.index()]) {
            if let Job::App(a, _) = entry.2 {
                self.apps[a.index()].gated = false;
            }
            self.lanes[lane_of(entry.2)].push(Reverse(entry));
        }
    }

    /// Whether a job is still wanted: the app, host or wave state it was
    /// queued for has not moved on since.
    fn job_valid(&self, seq: u64, job: Job) -> bool {
        match job {
            Job::App(a, m) => {
                let s = &self.apps[a.index()];
                s.phase == Phase::Queued(m) && s.queue_seq == seq
            }
            Job::Host(h) => {
                let s = &self.hosts[h.index()];
                s.status == HostStatus::Rebuilding && s.rebuild_seq == seq
            }
            Job::Patch(h) => self.hosts[h.index()].patch_pending == Some(seq),
            Job::Go(w) => {
                let s = &self.waves[w as usize];
                s.go_pending && s.go_seq == seq
            }
        }
    }

    /// Whether bug `b` can no longer strike or recur on host `h`: fixed
    /// everywhere, or patched there.
    fn bug_dead(&self, b: BugId, h: HostId) -> bool {
        self.bugs[b.index()].fixed || self.hosts[h.index()].patched.contains(&b)
    }

    /// An app whose VMs are all running or whose method gave up on it: it
    /// no longer holds its runbook wave back.
    fn settled(&self, a: usize) -> bool {
        let s = &self.apps[a];
        s.broken == 0 || s.phase == Phase::NoMethod
    }

    /// What a runbook wave counts of app `a`: (settled, queued).
    fn wave_state(&self, a: AppId) -> (bool, bool) {
        (
            self.settled(a.index()),
            matches!(self.apps[a.index()].phase, Phase::Queued(_)),
        )
    }

    /// Keeps the per-wave counts in step after app `a` changed from
    /// `before` (its `wave_state`); see `change_app`.
    fn wave_update(&mut self, a: AppId, before: (bool, bool)) {
        let Some(&w) = self.st.wave_of.get(a.index()) else {
            return;
        };
        let (settled, queued) = self.wave_state(a);
        let w = w as usize;
        let step = |count: &mut u32, was: bool, is: bool| match (was, is) {
            (false, true) => *count += 1,
            (true, false) => *count -= 1,
            _ => {}
        };
        step(&mut self.wave_unsettled[w], !before.0, !settled);
        step(&mut self.wave_queued[w], before.1, queued);
    }

    /// Changes app `a`'s state with `change`: the one door for changes of
    /// its phase or broken VMs, which keeps the wave counts in step.
    #[inline(always)]
    fn change_app(&mut self, a: AppId, change: impl FnOnce(&mut AppState)) {
        if self.st.wave_of.is_empty() {
            change(&mut self.apps[a.index()]);
            return;
        }
        let before = self.wave_state(a);
        change(&mut self.apps[a.index()]);
        self.wave_update(a, before);
    }

    #[inline(always)]
    fn set_phase(&mut self, a: AppId, phase: Phase) {
        self.change_app(a, |s| s.phase = phase);
    }

    /// Per wave, whether its apps may start now: every earlier wave has
    /// settled and its own "go" step, if any, is done. Also queues the "go"
    /// step of the first wave that waits only for it.
    fn open_waves(&mut self, now: SimTime) -> Vec<bool> {
        let n = self.st.waves.len();
        let settled: Vec<bool> = self.wave_unsettled.iter().map(|&c| c == 0).collect();
        let waiting: Vec<bool> = self.wave_queued.iter().map(|&c| c > 0).collect();
        if cfg!(debug_assertions) {
            let mut all_settled = vec![true; n];
            let mut any_waiting = vec![false; n];
            for (a, &w) in self.st.wave_of.iter().enumerate() {
                let w = w as usize;
                all_settled[w] &= self.settled(a);
                any_waiting[w] |= matches!(self.apps[a].phase, Phase::Queued(_));
            }
            debug_assert_eq!(settled, all_settled, "wave counts out of step");
            debug_assert_eq!(waiting, any_waiting, "wave counts out of step");
        }
        let mut open = vec![false; n];
        let mut prefix_settled = true;
        for w in 0..n {
            if settled[w] && self.waves[w].go_done && !waiting[w] {
                // A settled wave needs a new "go" at the next incident.
                self.waves[w].go_done = false;
            }
            let needs_go = self.st.waves[w].go.is_some() && !self.waves[w].go_done;
            if prefix_settled && needs_go && waiting[w] && !self.waves[w].go_pending {
                self.ready_seq += 1;
                let state = &mut self.waves[w];
                state.go_pending = true;
                state.go_seq = self.ready_seq;
                let entry = (
                    (0, now.as_millis(), w as u32),
                    self.ready_seq,
                    Job::Go(w as u32),
                );
                self.lanes[LANE_GO].push(Reverse(entry));
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "runbook wave {} waits for its go", self.st.waves[w].name);
            }
            open[w] = prefix_settled && !needs_go;
            prefix_settled &= settled[w];
        }
        open
    }

    /// Starts what can start: repeatedly the best head, by the strategy's
    /// order, among the lanes with a free skilled member on shift (or no
    /// need of one) and room under their cap.
    fn dispatch(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        let gated = self.st.order == Order::DependencyAware;
        let waves = !self.st.waves.is_empty();
        let operations = std::mem::take(&mut self.operations);
        for &(h, op) in &operations {
            self.operation(sched, h, op)?;
        }
        recycle(&mut self.operations, operations);
        let redecide = std::mem::take(&mut self.redecide);
        for &a in &redecide {
            if self.apps[a.index()].phase == Phase::Healthy && self.apps[a.index()].broken > 0 {
                self.decide(sched, now, a)?;
            }
        }
        recycle(&mut self.redecide, redecide);
        if std::mem::take(&mut self.evacuated_news) && !self.evacuated.is_empty() {
            self.reboot_evacuated(sched, now)?;
        }
        if self.capacity_freed {
            self.capacity_freed = false;
            let parked = std::mem::take(&mut self.parked);
            for &a in &parked {
                if let Phase::DrCapacity(m) = self.apps[a.index()].phase {
                    self.enqueue(now, a, m);
                }
            }
            recycle(&mut self.parked, parked);
        }
        let open = if waves {
            self.open_waves(now)
        } else {
            Vec::new()
        };
        // Apps held by a wave that is open now go back in their lanes; the
        // others stay held, untouched (not pushed back and popped again at
        // every dispatch).
        for (w, &is_open) in open.iter().enumerate() {
            if is_open && !self.held[w].is_empty() {
                let held = std::mem::take(&mut self.held[w]);
                for &entry in &held {
                    self.lanes[lane_of(entry.2)].push(Reverse(entry));
                }
                recycle(&mut self.held[w], held);
            }
        }
        let mut parked = 0usize;
        loop {
            // Skills of the free members on shift now.
            let mut free_skills: u8 = 0;
            let mut anyone = false;
            for w in self.free.iter() {
                if self.duty(w as usize, now).on {
                    free_skills |= self.workers[w as usize].skills;
                    anyone = true;
                }
            }
            let mut best: Option<(usize, Entry)> = None;
            let management = self.management_available(now);
            for lane in 0..LANES {
                if self.lanes[lane].is_empty() {
                    continue;
                }
                // Shared services a lane's work needs.
                let blocked = match Method::ALL.get(lane) {
                    Some(Method::HaRestart) => !management,
                    Some(Method::Failover) => !management || !self.link_up(),
                    Some(Method::Restore) => !self.backup_available(),
                    _ => false,
                };
                if blocked {
                    continue;
                }
                if !lane_automated(lane) {
                    let staffed = match lane_skill(lane) {
                        None => anyone,
                        Some(skill) => free_skills & (1 << skill.ordinal()) != 0,
                    };
                    if !staffed {
                        continue;
                    }
                }
                if let Some(m) = lane_cap_method(lane)
                    && self
                        .st
                        .cap(m)
                        .is_some_and(|cap| self.running[m.ordinal() as usize] >= cap)
                {
                    continue;
                }
                // The lane's first valid head that passes the gates.
                while let Some(Reverse(entry)) = self.lanes[lane].peek().copied() {
                    let (_, seq, job) = entry;
                    if !self.job_valid(seq, job) {
                        self.lanes[lane].pop();
                        continue;
                    }
                    if let Job::App(a, m) = job {
                        let wave_closed = waves
                            && m != Method::HaRestart
                            && !open[self.st.wave_of[a.index()] as usize];
                        if wave_closed {
                            self.lanes[lane].pop();
                            self.held[self.st.wave_of[a.index()] as usize].push(entry);
                            continue;
                        }
                        if gated && let Some(x) = self.dependency_blocker(a) {
                            // Parked until the blocker starts or comes back.
                            self.lanes[lane].pop();
                            self.apps[a.index()].gated = true;
                            self.waiting_on[x.index()].push(entry);
                            continue;
                        }
                    }
                    if best.is_none_or(|(_, b)| entry < b) {
                        best = Some((lane, entry));
                    }
                    break;
                }
            }
            let Some((lane, entry)) = best else {
                break;
            };
            self.lanes[lane].pop();
            let (_, _, job) = entry;
            match job {
                Job::App(a, m) => {
                    if m.at_dr() || m == Method::HaRestart {
                        let mut p = std::mem::take(&mut self.apps[a.index()].placement);
                        if self.find_placement(a, m, &mut p) {
                            self.reserve(a, p);
                        } else {
                            // Nothing reserved: `recovered` moves VMs to
                            // whatever the app's placement holds.
                            p.clear();
                            let state = &mut self.apps[a.index()];
                            state.placement = p;
                            if m == Method::HaRestart {
                                // The cluster has no room after all: the
                                // next method.
                                let pos = self.st.methods.iter().position(|x| *x == m).unwrap_or(0);
                                state.level = state.level.max(pos + 1);
                                self.set_phase(a, Phase::Healthy);
                                self.decide(sched, now, a)?;
                            } else {
                                self.set_phase(a, Phase::DrCapacity(m));
                                self.parked.push(a);
                                parked += 1;
                            }
                            continue;
                        }
                    }
                    if m.automated() {
                        self.start_automated(sched, now, a, m)?;
                    } else {
                        let w = self.free_worker(now, lane);
                        self.assign(sched, now, w, job)?;
                    }
                }
                Job::Host(_) | Job::Patch(_) | Job::Go(_) => {
                    let w = self.free_worker(now, lane);
                    self.assign(sched, now, w, job)?;
                }
            }
        }
        if parked > 0 {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{parked} app(s) wait: no room for their VMs");
        }
        if (0..LANES).any(|l| !lane_automated(l) && !self.lanes[l].is_empty())
            || self.holds_valid_entry()
        {
            self.schedule_wake(sched, now)?;
        }
        Ok(())
    }

    /// Whether a wave holds an entry that is still valid. Entries gone
    /// stale while held (the app came back, or was queued again) are
    /// dropped on the way, so each is looked at once.
    fn holds_valid_entry(&mut self) -> bool {
        for w in 0..self.held.len() {
            while let Some(&(_, seq, job)) = self.held[w].last() {
                if self.job_valid(seq, job) {
                    return true;
                }
                self.held[w].pop();
            }
        }
        false
    }

    /// The first free member on shift who can do the lane's work.
    fn free_worker(&self, now: SimTime, lane: usize) -> Option<usize> {
        let need = lane_skill(lane).map_or(0, |m| 1u8 << m.ordinal());
        // The free set iterates in worker order: the same member as a scan
        // of every worker would find.
        self.free
            .iter()
            .map(|w| w as usize)
            .find(|&i| self.workers[i].skills & need == need && self.duty(i, now).on)
    }

    /// Worker `w`'s duty span containing `now`, from the cache when it
    /// still covers `now` (same answers as asking the calendar).
    fn duty(&self, w: usize, now: SimTime) -> crate::sim::Duty {
        let worker = &self.workers[w];
        let cached = worker.duty.get();
        if cached.covers(now) {
            return cached;
        }
        let duty = self.rosters[worker.team.index()]
            .worker(worker.member)
            .duty_at(now);
        worker.duty.set(duty);
        duty
    }

    /// Takes worker `w`'s task away (done or abandoned): it is free again.
    fn take_task(&mut self, w: u32) -> Option<Task> {
        let task = self.workers[w as usize].task.take()?;
        self.free.insert(w);
        if let Job::App(a, _) = task.job {
            self.apps[a.index()].worker = None;
        }
        Some(task)
    }

    fn schedule_wake(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        let next = self
            .free
            .iter()
            .filter_map(|w| self.duty(w as usize, now).next_on(now))
            .filter(|&t| t > now)
            .min();
        if let Some(t) = next
            && self.wake_at.is_none_or(|w| t < w || w < now)
        {
            sched.schedule_at(t, CLASS_OTHER, Ev::Wake)?;
            self.wake_at = Some(t);
        }
        Ok(())
    }

    /// Gives a job to worker `w` (a free member on shift with the skill).
    fn assign(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: Option<usize>,
        job: Job,
    ) -> Result<(), SimError> {
        let Some(w) = w else {
            // Unreachable: the lane was chosen because such a member is free.
            return Ok(());
        };
        if let Job::App(a, _) = job {
            // Being restored: apps parked behind it may start.
            self.release_waiters(a);
        }
        let work = match job {
            Job::App(a, m) => {
                self.set_phase(a, Phase::InProgress(m));
                let state = &mut self.apps[a.index()];
                if let Some(b) = state.down_bug
                    && let Some(i) = self.bugs[b.index()].incident
                {
                    self.out.incidents[i].recovery_started.get_or_insert(now);
                }
                self.draw_work(a, m)
            }
            Job::Host(h) => {
                let host = &mut self.hosts[h.index()];
                let index = (u64::from(h.0) << 24) | host.rebuilds.min((1 << 24) - 1);
                host.rebuilds += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.st
                    .rebuild_to
                    .and_then(|b| self.sc.builds[b.index()].rebuild.as_ref())
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Patch(h) => {
                let host = &mut self.hosts[h.index()];
                let index = (1 << 40) | (u64::from(h.0) << 16) | host.patches.min(0xFFFF);
                host.patches += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.sc.builds[host.build.index()]
                    .patch
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Go(wave) => {
                let state = &mut self.waves[wave as usize];
                let index = (u64::from(wave) << 24) | state.openings.min((1 << 24) - 1);
                state.openings += 1;
                let mut rng = self.rng.stream(Purpose::Runbook, index);
                self.st.waves[wave as usize]
                    .go
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
        };
        if let Some(m) = lane_cap_method(lane_of(job)) {
            self.running[m.ordinal() as usize] += 1;
        }
        let worker = &self.workers[w];
        let calendar = self.rosters[worker.team.index()].worker(worker.member);
        let event = match calendar.finish(now, work) {
            Some(done) => Some(sched.schedule_at(done, CLASS_OTHER, Ev::TaskDone(w as u32))?),
            None => None,
        };
        let record = self.out.tasks.len();
        self.out.tasks.push(TaskRecord {
            subject: match job {
                Job::App(a, m) => TaskSubject::App(a, m),
                Job::Host(h) => TaskSubject::Host(h),
                Job::Patch(h) => TaskSubject::Patch(h),
                Job::Go(wave) => TaskSubject::Go(wave),
            },
            team: worker.team,
            member: worker.member,
            start: now,
            work,
            end: None,
            outcome: TaskEnd::Unfinished,
        });
        // Arguments are only evaluated when the trace is on.
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} #{} starts to {} ({} of work)", self.sc.teams[worker.team.index()].id, worker.member + 1, self.job_label(job), work);
        self.workers[w].task = Some(Task { record, job, event });
        self.free.remove(w as u32);
        if let Job::App(a, _) = job {
            self.apps[a.index()].worker = Some(w as u32);
        }
        Ok(())
    }

    /// What a job does, for the trace: `reinstall mail`, `rebuild host h-01`.
    fn job_label(&self, job: Job) -> String {
        match job {
            Job::App(a, m) => format!("{} {}", m.name(), self.sc.apps[a.index()].id),
            Job::Host(h) => format!("rebuild host {}", self.sc.hosts[h.index()].id),
            Job::Patch(h) => format!("patch host {}", self.sc.hosts[h.index()].id),
            Job::Go(w) => format!("give the go of wave {}", self.st.waves[w as usize].name),
        }
    }

    /// App i's k-th attempt at method m always takes the same time, whatever
    /// the strategy (common random numbers).
    fn draw_work(&mut self, a: AppId, m: Method) -> SimDuration {
        let state = &mut self.apps[a.index()];
        let attempt = u64::from(state.attempts[m.ordinal() as usize]);
        state.attempts[m.ordinal() as usize] += 1;
        let index = (u64::from(a.0) << 24) | (m.ordinal() << 20) | attempt.min((1 << 20) - 1);
        let mut rng = self.work_streams.stream(index);
        self.sc.apps[a.index()]
            .work(m)
            .map(|d| d.sample(&mut rng))
            .unwrap_or_default()
    }

    fn start_automated(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        let work = self.draw_work(a, m);
        self.running[m.ordinal() as usize] += 1;
        self.release_waiters(a);
        self.set_phase(a, Phase::InProgress(m));
        let state = &mut self.apps[a.index()];
        state.auto_event = Some(sched.schedule_in(work, CLASS_OTHER, Ev::AutoDone(a))?);
        if let Some(b) = state.down_bug
            && let Some(i) = self.bugs[b.index()].incident
        {
            self.out.incidents[i].recovery_started.get_or_insert(now);
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} of {} starts ({})", m.name(), self.sc.apps[a.index()].id, work);
        Ok(())
    }

    /// Hosts for the app's VMs where `m` puts them: the DR site's healthy
    /// hosts, or for an HA restart the other healthy hosts of each VM's
    /// cluster. First fit by memory and virtual CPUs; nothing is reserved.
    /// The hosts go into `placement` by VM position (cleared first);
    /// `false` if one of the VMs does not fit.
    fn find_placement(&self, a: AppId, m: Method, placement: &mut HostList) -> bool {
        let vms = &self.sc.apps[a.index()].vms;
        placement.clear();
        for &v in vms {
            let vm = &self.sc.vms[v.index()];
            let current = self.vm_host[v.index()];
            if m == Method::HaRestart && self.vm_status[v.index()] == VmStatus::Running {
                placement.push(current);
                continue;
            }
            let candidates = if m == Method::HaRestart {
                Candidates::Cluster(self.sc.hosts[current.index()].cluster)
            } else {
                Candidates::Dr
            };
            debug_assert!(
                self.placement
                    .candidates(candidates)
                    .iter()
                    .all(|&h| self.placement.is_up(h)
                        == (self.hosts[h.index()].status == HostStatus::Up)),
                "a host's status changed without set_status"
            );
            let need = vm_need(vm);
            // Room left on `h` once the app's earlier VMs placed there are
            // on it (a VM kept where it runs is not placed: it is already
            // counted in the host's room).
            let placed = &*placement;
            let fits_after_taken = |h: HostId| {
                let taken = placed
                    .iter()
                    .zip(vms)
                    .filter(|&(&x, &w)| x == h && x != self.vm_host[w.index()])
                    .fold(Room2(0, 0), |acc, (_, &w)| {
                        let n = vm_need(&self.sc.vms[w.index()]);
                        Room2(acc.0 + n.0, acc.1 + n.1)
                    });
                self.placement.free(h).minus(taken).covers(&need)
            };
            let Some(h) = self
                .placement
                .first_fit(candidates, need, |h| h != current && fits_after_taken(h))
            else {
                return false;
            };
            placement.push(h);
        }
        true
    }

    fn reserve(&mut self, a: AppId, placement: HostList) {
        for (i, &h) in placement.iter().enumerate() {
            let v = self.sc.apps[a.index()].vms[i];
            if h == self.vm_host[v.index()] {
                continue;
            }
            self.placement.take(h, vm_need(&self.sc.vms[v.index()]));
        }
        self.apps[a.index()].placement = placement;
    }

    fn end_task(&mut self, task: &Task, now: SimTime, how: TaskEnd) {
        let r = &mut self.out.tasks[task.record];
        r.end = Some(now);
        r.outcome = how;
        // A restore counts against its cap until its transfer is done.
        let transfer_follows =
            how == TaskEnd::Done && matches!(task.job, Job::App(_, Method::Restore));
        if let Some(m) = lane_cap_method(lane_of(task.job)).filter(|_| !transfer_follows) {
            let n = &mut self.running[m.ordinal() as usize];
            *n = n.saturating_sub(1);
        }
    }

    fn task_done(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: u32,
    ) -> Result<(), SimError> {
        let Some(task) = self.take_task(w) else {
            return Ok(());
        };
        self.end_task(&task, now, TaskEnd::Done);
        let team = self.workers[w as usize].team;
        match task.job {
            Job::App(a, Method::Restore) => {
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "restore of {} set up by {}: its data transfer is queued", self.sc.apps[a.index()].id, self.sc.teams[team.index()].id);
                self.out.apps[a.index()].team = Some(team);
                self.request_transfer(sched, now, a)?;
            }
            Job::App(a, m) => {
                self.out.apps[a.index()].team = Some(team);
                self.recovered(now, a, m);
            }
            Job::Host(h) => {
                let Some(build) = self.st.rebuild_to else {
                    return Ok(());
                };
                let host = &mut self.hosts[h.index()];
                host.build = build;
                let bugs = &self.sc.bugs;
                host.struck
                    .retain(|b| bugs[b.index()].builds.contains(&build));
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} rebuilt on {}", self.sc.hosts[h.index()].id, self.sc.builds[build.index()].id);
                self.host_up(sched, now, h)?;
            }
            Job::Patch(h) => self.patched(sched, now, h)?,
            Job::Go(wave) => {
                let state = &mut self.waves[wave as usize];
                state.go_pending = false;
                state.go_done = true;
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "runbook wave {} starts", self.st.waves[wave as usize].name);
            }
        }
        Ok(())
    }

    fn auto_done(&mut self, now: SimTime, a: AppId) {
        let state = &mut self.apps[a.index()];
        state.auto_event = None;
        let Phase::InProgress(m) = state.phase else {
            return;
        };
        let n = &mut self.running[m.ordinal() as usize];
        *n = n.saturating_sub(1);
        self.recovered(now, a, m);
    }

    // ---- the backup system (processor sharing) -------------------------------

    /// Brings the pool's virtual clock up to `now`.
    fn advance_transfers(&mut self, now: SimTime) {
        if !self.backup_available() {
            // Paused: no progress while the backup system or the link is down.
            self.transfers.last = now;
            return;
        }
        let pool = &mut self.transfers;
        let k = pool.active.len();
        if k > 0 {
            pool.virt += now.saturating_since(pool.last).as_millis() as f64 / k as f64;
        }
        pool.last = now;
    }

    /// (Re)schedules the completion of the transfer that finishes first.
    fn schedule_transfer(&mut self, sched: &mut Scheduler<Ev>) -> Result<(), SimError> {
        let paused = !self.backup_available();
        let pool = &mut self.transfers;
        if let Some(ev) = pool.event.take() {
            sched.cancel(ev);
        }
        if paused {
            return Ok(());
        }
        let k = pool.active.len() as f64;
        if let Some(first) = pool.active.iter().map(|x| x.1).min_by(f64::total_cmp) {
            let ms = ((first - pool.virt) * k).max(0.0).round() as u64;
            pool.event = Some(sched.schedule_in(
                SimDuration::from_millis(ms),
                CLASS_OTHER,
                Ev::TransferDone,
            )?);
        }
        Ok(())
    }

    fn start_transfer(&mut self, now: SimTime, a: AppId, record: usize) {
        let bytes = self.sc.apps[a.index()].data_bytes;
        let per_ms = self.sc.backup.as_ref().map_or(1.0, |b| b.bytes_per_ms);
        let service = bytes as f64 / per_ms;
        let finish = self.transfers.virt + service;
        self.transfers.active.push((a, finish, record));
        self.out.transfers[record].start = Some(now);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "transfer of {} from backup starts ({} in progress)", self.sc.apps[a.index()].id, self.transfers.active.len());
    }

    fn request_transfer(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        self.set_phase(a, Phase::Transfer);
        let record = self.out.transfers.len();
        self.out.transfers.push(TransferRecord {
            app: a,
            bytes: self.sc.apps[a.index()].data_bytes,
            queued: now,
            start: None,
            end: None,
        });
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        self.advance_transfers(now);
        if self.transfers.active.len() < streams {
            self.start_transfer(now, a, record);
            self.schedule_transfer(sched)?;
        } else {
            self.transfers.waiting.push_back((a, record));
        }
        Ok(())
    }

    fn transfer_done(&mut self, sched: &mut Scheduler<Ev>, now: SimTime) -> Result<(), SimError> {
        self.transfers.event = None;
        self.advance_transfers(now);
        let Some(i) = self
            .transfers
            .active
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.1.total_cmp(&y.1.1))
            .map(|(i, _)| i)
        else {
            return Ok(());
        };
        let (a, finish, record) = self.transfers.active.remove(i);
        // Exactly the fluid model's instant, up to rounding to the ms.
        self.transfers.virt = self.transfers.virt.max(finish);
        self.out.transfers[record].end = Some(now);
        let n = &mut self.running[Method::Restore.ordinal() as usize];
        *n = n.saturating_sub(1);
        self.recovered(now, a, Method::Restore);
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        while self.transfers.active.len() < streams
            && let Some((next, rec)) = self.transfers.waiting.pop_front()
        {
            self.start_transfer(now, next, rec);
        }
        self.schedule_transfer(sched)
    }

    // ---- recovery completes ---------------------------------------------------

    /// The app's method is done: its VMs run (where the method put them)
    /// and its data is back, up to the method's data loss.
    fn recovered(&mut self, now: SimTime, a: AppId, m: Method) {
        let placement = std::mem::take(&mut self.apps[a.index()].placement);
        let mut still_down = 0;
        for i in 0..self.sc.apps[a.index()].vms.len() {
            let v = self.sc.apps[a.index()].vms[i];
            if let Some(&new) = placement.get(i) {
                let old = self.vm_host[v.index()];
                if old != new {
                    self.host_vms[old.index()].retain(|x| *x != v);
                    if self.host_vms[old.index()].is_empty()
                        && self.hosts[old.index()].status == HostStatus::Crashed
                    {
                        self.evacuated.push(old);
                        self.evacuated_news = true;
                    }
                    self.placement.give(old, vm_need(&self.sc.vms[v.index()]));
                    self.host_vms[new.index()].push(v);
                    self.vm_host[v.index()] = new;
                    self.capacity_freed = true;
                    self.out.moves.push(crate::metrics::VmMove {
                        at: now,
                        vm: v,
                        to: new,
                    });
                    if !self.operations.contains(&(new, Operation::Migration)) {
                        self.operations.push((new, Operation::Migration));
                    }
                }
            }
            // A VM placed on a host that crashed meanwhile stays down.
            if self.hosts[self.vm_host[v.index()].index()].status == HostStatus::Up {
                self.vm_status[v.index()] = VmStatus::Running;
            } else if self.vm_status[v.index()] != VmStatus::Running {
                self.vm_status[v.index()] = VmStatus::Down;
                still_down += 1;
            }
        }
        if m == Method::Restore {
            for &h in &placement {
                if !self.operations.contains(&(h, Operation::Restore)) {
                    self.operations.push((h, Operation::Restore));
                }
            }
        }
        let loss = self.data_loss(a, m);
        self.change_app(a, |state| {
            state.broken = still_down;
            state.phase = Phase::Healthy;
        });
        let state = &mut self.apps[a.index()];
        // Keep the buffer for the app's next placement.
        state.placement = placement;
        state.placement.clear();
        if still_down > 0 {
            self.redecide.push(a);
        }
        let record = &mut self.out.apps[a.index()];
        record.method = Some(m);
        record.recoveries += 1;
        record.data_loss = record.data_loss.max(loss);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} recovered by {}", self.sc.apps[a.index()].id, m.name());
        self.update_up(now, a);
    }

    /// What a recovery by `m` loses of the app's data.
    fn data_loss(&mut self, a: AppId, m: Method) -> DataLoss {
        let broken_at = self.apps[a.index()].broken_at;
        match m {
            Method::Restart | Method::HaRestart | Method::Rebuild => DataLoss::None,
            Method::Restore | Method::Reinstall => match &self.sc.backup {
                Some(b) => DataLoss::Since(b.data_loss(broken_at)),
                None => DataLoss::All,
            },
            Method::Failover => {
                let attempt = u64::from(self.apps[a.index()].attempts[m.ordinal() as usize]);
                let index = (u64::from(a.0) << 24) | attempt.min((1 << 24) - 1);
                let mut rng = self.rng.stream(Purpose::Replication, index);
                match &self.sc.replication {
                    Some(r) => DataLoss::Since(r.lag.sample(&mut rng)),
                    None => DataLoss::All,
                }
            }
        }
    }

    // ---- up/down bookkeeping ----------------------------------------------

    /// Recomputes whether `a` is up and propagates changes to its dependents.
    fn update_up(&mut self, now: SimTime, a: AppId) {
        let mut stack = std::mem::take(&mut self.up_stack);
        stack.clear();
        stack.push(a);
        while let Some(x) = stack.pop() {
            if self.apps[x.index()].broken == 0 {
                // Its own VMs run: apps parked behind it look again.
                self.release_waiters(x);
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
        if self
            .rosters
            .iter()
            .any(|r| matches!(r, std::borrow::Cow::Owned(_)))
        {
            self.out.rosters = std::mem::take(&mut self.rosters)
                .into_iter()
                .map(|r| match r {
                    std::borrow::Cow::Owned(r) => Some(r),
                    std::borrow::Cow::Borrowed(_) => None,
                })
                .collect();
        }
        let horizon = self.out.horizon;
        for (h, host) in self.hosts.iter().enumerate() {
            if let Some(since) = host.down_since {
                let d = &mut self.out.hosts[h].downtime;
                *d = d.saturating_add(horizon.saturating_since(since));
            }
        }
        self.out.stop = stop;
        self.out.end = end;
        self.out.events = events;
        let mut held_apps = vec![
            false;
            if self.st.waves.is_empty() {
                0
            } else {
                self.apps.len()
            }
        ];
        for &(_, _, job) in self.held.iter().flatten() {
            if let Job::App(a, _) = job {
                held_apps[a.index()] = true;
            }
        }
        for (a, state) in self.apps.iter().enumerate() {
            if state.up {
                continue;
            }
            let in_wave = |a: usize| held_apps[a];
            self.out.apps[a].waiting = Some(match state.phase {
                Phase::Healthy => Waiting::Dependencies,
                Phase::Diagnosis => Waiting::Diagnosis,
                Phase::NoMethod => Waiting::NoMethod,
                Phase::Hosts(_) => Waiting::Hosts,
                Phase::Queued(_) if state.gated => Waiting::DependencyGate,
                Phase::Queued(_) if !self.st.waves.is_empty() && in_wave(a) => Waiting::Runbook,
                Phase::Queued(_) => Waiting::Queue,
                Phase::DrCapacity(_) => Waiting::DrCapacity,
                Phase::InProgress(_) => Waiting::InProgress,
                Phase::Transfer => Waiting::Transfer,
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
        let end = self.out.horizon;
        for (inc, restored) in self.out.incidents.iter().zip(&all_restored) {
            for (&a, r) in inc.apps.iter().zip(restored) {
                let rec = Recovery {
                    time: r.unwrap_or(end).saturating_since(inc.at),
                    complete: r.is_some(),
                };
                let slot = &mut self.out.apps[a.index()].recovery;
                let worse = slot.is_none_or(|s| (!rec.complete, rec.time) > (!s.complete, s.time));
                if worse {
                    *slot = Some(rec);
                }
            }
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
