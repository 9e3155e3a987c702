//! `simulate`: one replication of one strategy on one scenario.
//!
//! The engine wires the run's state onto the kernel's run loop: the world
//! as it is now (`world`: hosts, VMs, apps), the fault side
//! ([`crate::faults`]) and the recovery side ([`crate::recovery`]). It is a
//! pure function of (scenario, strategy, seed): no I/O, no clock, no
//! global state. Trace lines go through `tracing` with the simulated
//! instant in the field `t` (milliseconds since the start), which the CLI
//! renders as a date in the scenario's time zone.
//!
//! This file holds the event type, `simulate`, the event switch and the
//! end of a run; what each event does is a method of [`Engine`] in
//! `faults/` or `recovery/`.

use crate::metrics::{AppOutcome, HostOutcome, Milestones, Outcome, Recovery, Waiting, milestone};
use crate::model::{AppId, BugId, HostId, Scenario, Strategy};
use crate::recovery::Job;
use crate::sim::{RngStreams, RunError, Scheduler, SimTime, StopReason};

pub(crate) mod reuse;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod view;
pub(crate) mod world;

use crate::recovery::Decider;
use crate::recovery::decider::StrategyDecider;
use world::{Phase, World};

/// The `tracing` target of the event-by-event timeline.
pub const TRACE_TARGET: &str = "hvsim::trace";

/// A line of the timeline at instant `now` (an `info` event of
/// [`TRACE_TARGET`] with the field `t`); its arguments are only evaluated
/// when the trace is on.
macro_rules! trace {
    ($now:expr, $($arg:tt)+) => {
        tracing::info!(target: $crate::engine::TRACE_TARGET, t = $now.as_millis(), $($arg)+)
    };
}
pub(crate) use trace;

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
pub(crate) const CLASS_FAULT: u8 = 0;
pub(crate) const CLASS_FIX: u8 = 1;
pub(crate) const CLASS_OTHER: u8 = 2;

/// The events of a run.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
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

/// The run's scheduler.
pub(crate) type Sched = Scheduler<Ev>;

/// What every handler gets besides the engine: the instant of the event
/// being handled and the scheduler, to schedule what follows.
pub(crate) struct Cx<'s> {
    /// The current instant.
    pub(crate) now: SimTime,
    /// The run's event queue.
    pub(crate) sched: &'s mut Sched,
}

/// A run in progress: the scenario and strategy (read only), the random
/// streams, the outcome being recorded, and the world, fault and recovery
/// state, kept apart so that each can be borrowed on its own.
pub(crate) struct Engine<'a, D> {
    pub(crate) sc: &'a Scenario,
    pub(crate) st: &'a Strategy,
    pub(crate) rng: RngStreams,
    pub(crate) out: Outcome,
    pub(crate) world: World,
    pub(crate) faults: crate::faults::State,
    pub(crate) recovery: crate::recovery::State<'a>,
    /// Makes the strategy's choices (the decision seam).
    pub(crate) decider: &'a mut D,
}

/// Runs one replication: the strategy's response to the scenario's faults,
/// with every random draw derived from `seed`.
///
/// Deterministic: the same arguments give the same [`Outcome`], bit for bit.
pub fn simulate(scenario: &Scenario, strategy: &Strategy, seed: u64) -> Result<Outcome, SimError> {
    simulate_with(scenario, strategy, seed, &mut StrategyDecider)
}

/// Runs one replication like [`simulate`], with `decider` making the
/// choices the strategy would make during the run (the strategy still
/// gives the rules: its methods, order, teams, caps, waves, escalation
/// thresholds). With [`StrategyDecider`] this is [`simulate`].
///
/// Deterministic when the decider is: the same arguments and the same
/// answers give the same [`Outcome`], bit for bit.
pub fn simulate_with<D: Decider>(
    scenario: &Scenario,
    strategy: &Strategy,
    seed: u64,
    decider: &mut D,
) -> Result<Outcome, SimError> {
    let strategy_id = scenario
        .strategies
        .iter()
        .position(|s| s.id == strategy.id)
        .ok_or_else(|| SimError::UnknownStrategy(strategy.id.clone()))?;
    let mut reuse = reuse::take();
    let mut sched = std::mem::take(&mut reuse.sched);
    sched.reset();
    let mut engine = Engine::new(scenario, strategy, seed, strategy_id as u32, reuse, decider);
    engine.arm_faults(&mut Cx {
        now: SimTime::ZERO,
        sched: &mut sched,
    })?;
    let horizon = scenario.horizon_end();
    let stop = sched.run(horizon, scenario.max_events, |sched, now, ev| {
        engine.handle(&mut Cx { now, sched }, ev)?;
        engine.observe(now);
        Ok::<bool, SimError>(true)
    })?;
    engine.observe(horizon);
    let (outcome, mut reuse) = engine.finish(stop, sched.now(), sched.processed());
    reuse.sched = sched;
    reuse::keep(reuse);
    Ok(outcome)
}

impl<'a, D: Decider> Engine<'a, D> {
    /// The state at the start of a run, in `reuse`'s buffers (every one
    /// emptied or overwritten: nothing of an earlier run carries over).
    fn new(
        sc: &'a Scenario,
        st: &'a Strategy,
        seed: u64,
        strategy_id: u32,
        mut reuse: reuse::Reuse,
        decider: &'a mut D,
    ) -> Self {
        Engine {
            decider,
            sc,
            st,
            rng: RngStreams::new(seed),
            world: World::new(sc, &mut reuse),
            faults: crate::faults::State::new(sc, &mut reuse),
            recovery: crate::recovery::State::new(sc, st, seed, &mut reuse),
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
        }
    }

    fn handle(&mut self, cx: &mut Cx<'_>, ev: Ev) -> Result<(), SimError> {
        let now = cx.now;
        match ev {
            Ev::Strike(b) => self.strike(cx, b)?,
            Ev::Recur(b, h) => self.recur(cx, b, h)?,
            Ev::Diagnosed(b) => self.diagnosed(cx, b)?,
            Ev::Fixed(b) => self.fixed(cx, b)?,
            Ev::Rebooted(h) => self.rebooted(cx, h)?,
            Ev::TaskDone(w) => self.task_done(cx, w)?,
            Ev::AutoDone(a) => self.auto_done(now, a),
            Ev::TransferDone => self.transfer_done(cx)?,
            Ev::Deadline(a, n) => self.deadline(cx, a, n)?,
            Ev::StrikeHost(b, h) => self.strike_host(cx, b, h)?,
            Ev::Workaround(b) => self.workaround(cx, b)?,
            Ev::ManagementBack => {
                if now >= self.faults.management_until {
                    trace!(now, "the management plane is back");
                    self.services_back(cx)?;
                }
            }
            Ev::OutageStart(i) => self.outage_start(cx, i)?,
            Ev::OutageEnd(i) => self.outage_end(cx, i)?,
            Ev::ChaosFail(c, h) => self.chaos_fail(cx, c, h)?,
            Ev::ChaosRepair(c, h) => self.chaos_repair(cx, c, h)?,
            Ev::Wake => {
                if self.recovery.staff.wake_at == Some(now) {
                    self.recovery.staff.wake_at = None;
                }
            }
        }
        self.dispatch(cx)
    }

    // ---- the end -----------------------------------------------------------

    /// The run's outcome, and its buffers for the thread's next run.
    fn finish(mut self, stop: StopReason, end: SimTime, events: u64) -> (Outcome, reuse::Reuse) {
        if self
            .recovery
            .staff
            .rosters
            .iter()
            .any(|r| matches!(r, std::borrow::Cow::Owned(_)))
        {
            self.out.rosters = std::mem::take(&mut self.recovery.staff.rosters)
                .into_iter()
                .map(|r| match r {
                    std::borrow::Cow::Owned(r) => Some(r),
                    std::borrow::Cow::Borrowed(_) => None,
                })
                .collect();
        }
        let horizon = self.out.horizon;
        for (h, host) in self.world.hosts.iter().enumerate() {
            if let Some(since) = host.down_since {
                let d = &mut self.out.hosts[h].downtime;
                *d = d.saturating_add(horizon.saturating_since(since));
            }
        }
        self.out.stop = stop;
        self.out.end = end;
        self.out.events = events;
        self.record_waiting();
        // The queue can drain with work left: what remains waits for
        // something beyond the horizon (the next shift, a vendor's fix), so
        // nothing was scheduled for it. That run was cut short by the
        // horizon, not finished.
        if self.out.stop == StopReason::Drained && self.out.pending().next().is_some() {
            self.out.stop = StopReason::Horizon;
            self.out.end = self.out.horizon;
        }
        back_for_good(&mut self.out);
        let reuse = reuse::Reuse {
            sched: Scheduler::default(),
            hosts: self.world.hosts,
            host_vms: self.world.host_vms,
            vm_host: self.world.vm_host,
            vm_status: self.world.vm_status,
            apps: self.world.apps,
            up_stack: self.world.up_stack,
            bugs: self.faults.bugs,
            operations: self.faults.operations,
            autostart: self.faults.autostart,
            lanes: self.recovery.lanes.into_inner(),
            held: self.recovery.waves.held,
            waiting_on: self.recovery.gate.waiting_on,
            visited: self.recovery.gate.visited,
            dep_stack: self.recovery.gate.stack,
            parked: self.recovery.parked,
            redecide: self.recovery.redecide,
            evacuated: self.recovery.evacuated,
        };
        (self.out, reuse)
    }

    /// Why each app still down at the end waits.
    fn record_waiting(&mut self) {
        let mut held_apps = vec![
            false;
            if self.st.waves.is_empty() {
                0
            } else {
                self.world.apps.len()
            }
        ];
        for &(_, _, job) in self.recovery.waves.held.iter().flatten() {
            if let Job::App(a, _) = job {
                held_apps[a.index()] = true;
            }
        }
        for (a, state) in self.world.apps.iter().enumerate() {
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
    }
}

/// The apps' recovery times and the incidents' milestones, from the
/// outages recorded: an app is back for good from the end of its last
/// outage that began before the next incident that hits it.
fn back_for_good(out: &mut Outcome) {
    let strikes: Vec<(SimTime, &[AppId])> = out
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
                out.apps[a.index()]
                    .outages
                    .iter()
                    .rev()
                    .find(|o| o.down_at >= *at && o.down_at < next)
                    .and_then(|o| o.up_at)
            })
            .collect();
        all_restored.push(restored);
    }
    let end = out.horizon;
    for (inc, restored) in out.incidents.iter().zip(&all_restored) {
        for (&a, r) in inc.apps.iter().zip(restored) {
            let rec = Recovery {
                time: r.unwrap_or(end).saturating_since(inc.at),
                complete: r.is_some(),
            };
            let slot = &mut out.apps[a.index()].recovery;
            let worse = slot.is_none_or(|s| (!rec.complete, rec.time) > (!s.complete, s.time));
            if worse {
                *slot = Some(rec);
            }
        }
    }
    for (inc, restored) in out.incidents.iter_mut().zip(all_restored) {
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
}
