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
//!
//! This file holds the state, `simulate`, the event switch and the end of
//! a run; the engine's methods are split by concern into `faults` (what
//! goes wrong), `decide` (which method an app gets), `people` (waves,
//! dispatch, tasks and shifts), `recovered` (the backup system, recovery
//! completion, up/down propagation) and `placement` (first fit).

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

mod decide;
mod faults;
mod people;
mod placement;
mod recovered;
mod reuse;
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
    /// Set by hand where those happen; in debug builds every dispatch
    /// without news checks that no evacuated host became rebootable.
    evacuated_news: bool,
    /// Outages in progress, by kind (backup, link, management).
    outages_active: [u32; 3],
    /// Some app may be waiting with no method (`Phase::NoMethod`): set
    /// where that phase is set, cleared when `services_back` looked.
    maybe_stuck: bool,
    /// Some app waits for a method that another of the strategy's methods
    /// might replace (queued or parked with two or more methods listed):
    /// set in `enqueue`, cleared when `revisit` finds none.
    revisable: bool,
    /// A fact that decisions rest on improved since the last dispatch (a
    /// fix, workaround or patch, an outage over, the management plane or a
    /// host back): the next dispatch decides the waiting apps again.
    facts_changed: bool,
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
    let mut reuse = reuse::take();
    let mut sched = std::mem::take(&mut reuse.sched);
    sched.reset();
    let mut engine = Engine::new(scenario, strategy, seed, strategy_id as u32, reuse);
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
    let (outcome, mut reuse) = engine.finish(stop, sched.now(), sched.processed());
    reuse.sched = sched;
    reuse::keep(reuse);
    Ok(outcome)
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
    /// The state at the start of a run, in `reuse`'s buffers (every one
    /// emptied or overwritten: nothing of an earlier run carries over).
    fn new(
        sc: &'a Scenario,
        st: &'a Strategy,
        seed: u64,
        strategy_id: u32,
        reuse: reuse::Reuse,
    ) -> Self {
        use reuse::{cleared, empty_lists, refilled};
        let mut host_vms = empty_lists(reuse.host_vms, sc.hosts.len());
        let mut previous = reuse.hosts.into_iter();
        let hosts: Vec<HostState> = sc
            .hosts
            .iter()
            .map(|h| {
                let (struck, patched, triggers) = match previous.next() {
                    Some(p) => (cleared(p.struck), cleared(p.patched), cleared(p.triggers)),
                    None => (Vec::new(), Vec::new(), Vec::new()),
                };
                HostState {
                    status: HostStatus::Up,
                    build: h.build,
                    crashed_by: None,
                    struck,
                    recurrence: None,
                    reboot: None,
                    boots: 0,
                    rebuilds: 0,
                    rebuild_seq: 0,
                    patched,
                    patch_pending: None,
                    patches: 0,
                    triggers,
                    trigger_draws: 0,
                    crashes: 0,
                    dump_until: SimTime::ZERO,
                    down_since: None,
                }
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
            vm_host: refilled(reuse.vm_host, sc.vms.iter().map(|v| v.host)),
            vm_status: refilled(
                reuse.vm_status,
                std::iter::repeat_n(VmStatus::Running, sc.vms.len()),
            ),
            apps: {
                let mut previous = reuse.apps.into_iter();
                (0..sc.apps.len())
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
                        placement: match previous.next() {
                            Some(p) => {
                                let mut placement = p.placement;
                                placement.clear();
                                placement
                            }
                            None => HostList::new(),
                        },
                        auto_event: None,
                        gated: false,
                        worker: None,
                    })
                    .collect()
            },
            bugs: {
                let mut previous = reuse.bugs.into_iter();
                (0..sc.bugs.len())
                    .map(|_| BugState {
                        waiting: previous
                            .next()
                            .map(|p| cleared(p.waiting))
                            .unwrap_or_default(),
                        ..BugState::default()
                    })
                    .collect()
            },
            workers,
            lanes: {
                let mut lanes = reuse.lanes;
                lanes.truncate(LANES);
                for lane in &mut lanes {
                    lane.clear();
                }
                lanes.resize_with(LANES, BinaryHeap::new);
                lanes
            },
            running: [0; 6],
            held: empty_lists(reuse.held, st.waves.len()),
            free: crate::sim::BitSet::full(n_workers),
            waiting_on: empty_lists(
                reuse.waiting_on,
                if st.order == Order::DependencyAware {
                    sc.apps.len()
                } else {
                    0
                },
            ),
            visited: refilled(
                reuse.visited,
                std::iter::repeat_n(
                    0,
                    if st.order == Order::DependencyAware {
                        sc.apps.len()
                    } else {
                        0
                    },
                ),
            ),
            visit_epoch: 0,
            dep_stack: cleared(reuse.dep_stack),
            work_streams: RngStreams::new(seed).purpose(Purpose::Work),
            up_stack: cleared(reuse.up_stack),
            parked: cleared(reuse.parked),
            capacity_freed: false,
            redecide: cleared(reuse.redecide),
            ready_seq: 0,
            placement: Placement::new(sc, st.dr_site),
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
            autostart: empty_lists(reuse.autostart, sc.hosts.len()),
            chaos_cycles: sc.chaos.iter().map(|c| vec![0; c.hosts.len()]).collect(),
            operations: cleared(reuse.operations),
            evacuated: cleared(reuse.evacuated),
            evacuated_news: false,
            maybe_stuck: false,
            revisable: false,
            facts_changed: false,
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

    // ---- the end -----------------------------------------------------------

    /// The run's outcome, and its buffers for the thread's next run.
    fn finish(mut self, stop: StopReason, end: SimTime, events: u64) -> (Outcome, reuse::Reuse) {
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
        // The queue can drain with work left: what remains waits for
        // something beyond the horizon (the next shift, a vendor's fix), so
        // nothing was scheduled for it. That run was cut short by the
        // horizon, not finished.
        if self.out.stop == StopReason::Drained && self.out.pending().next().is_some() {
            self.out.stop = StopReason::Horizon;
            self.out.end = self.out.horizon;
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
        let reuse = reuse::Reuse {
            sched: Scheduler::default(),
            hosts: self.hosts,
            host_vms: self.host_vms,
            vm_host: self.vm_host,
            vm_status: self.vm_status,
            apps: self.apps,
            bugs: self.bugs,
            lanes: self.lanes,
            held: self.held,
            waiting_on: self.waiting_on,
            visited: self.visited,
            dep_stack: self.dep_stack,
            up_stack: self.up_stack,
            parked: self.parked,
            redecide: self.redecide,
            operations: self.operations,
            evacuated: self.evacuated,
            autostart: self.autostart,
        };
        (self.out, reuse)
    }
}
