//! `simulate`: one replication of one strategy on one scenario.
//!
//! The engine owns a run's state and wires it onto the kernel's run loop:
//! the world as it is now ([`World`]: hosts, VMs, apps), the fault side
//! ([`crate::faults`]) and the recovery side ([`crate::recovery`]). It is
//! a pure function of (scenario, strategy, seed): no I/O, no clock, no
//! global state. Trace lines go through `tracing` with the simulated
//! instant in the field `t` (milliseconds since the start), which the CLI
//! renders as a date in the scenario's time zone.
//!
//! This file holds `simulate`, the event switch and the end of a run (the
//! events themselves, the world and the handlers' context are the run's
//! vocabulary, [`crate::run`]). Each event goes to the side that handles
//! it, through a view of the state that side may touch: faults never see
//! recovery, recovery reads the fault side and calls it where its work
//! may trigger a bug, and the engine hands recovery what a fault broke.

use crate::faults::Faults;
use crate::faults::HostStrike;
use crate::metrics::{Milestones, Outcome, Recovery, Waiting, milestone};
use crate::model::{AppId, Scenario, Strategy};
use crate::recovery::Job;
use crate::run::world::{Phase, Start};
use crate::run::{Cx, Ev, World, trace};
use crate::sim::{RngStreams, SimTime, StopReason};

mod prepared;
pub(crate) mod reuse;
#[cfg(test)]
pub(crate) mod testing;

use crate::recovery::Decider;
use crate::recovery::decider::StrategyDecider;

pub use crate::run::{SimError, TRACE_TARGET};
pub(crate) use prepared::{Prepared, simulate_prepared};
pub(crate) use reuse::recycle;

/// A run in progress: the scenario and strategy (read only), the random
/// streams, the outcome being recorded, and the world, fault and recovery
/// state, kept apart so that each side borrows only what it may touch.
pub(crate) struct Engine<'a, D> {
    pub(crate) sc: &'a Scenario,
    pub(crate) st: &'a Strategy,
    pub(crate) rng: RngStreams,
    pub(crate) out: Outcome,
    pub(crate) world: World<'a>,
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
    let strategy_id = strategy_index(scenario, strategy)?;
    run(scenario, strategy, strategy_id, None, seed, decider)
}

/// The strategy's position among the scenario's strategies.
fn strategy_index(scenario: &Scenario, strategy: &Strategy) -> Result<u32, SimError> {
    scenario
        .strategies
        .iter()
        .position(|s| s.id == strategy.id)
        .map(|i| i as u32)
        .ok_or_else(|| SimError::UnknownStrategy(strategy.id.clone()))
}

/// One replication, its world copied from `start` when given (which must
/// be `strategy`'s on `scenario`), else derived from the scenario.
fn run<D: Decider>(
    scenario: &Scenario,
    strategy: &Strategy,
    strategy_id: u32,
    start: Option<&Start>,
    seed: u64,
    decider: &mut D,
) -> Result<Outcome, SimError> {
    let mut reuse = reuse::take();
    let mut sched = std::mem::take(&mut reuse.sched);
    sched.reset();
    let mut engine = Engine::new(scenario, strategy, seed, strategy_id, start, reuse, decider)?;
    engine.faults().arm(&mut Cx {
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
    /// emptied or overwritten: nothing of an earlier run carries over);
    /// fails when a team's roster with this run's absences cannot be built.
    fn new(
        sc: &'a Scenario,
        st: &'a Strategy,
        seed: u64,
        strategy_id: u32,
        start: Option<&'a Start>,
        mut reuse: reuse::Reuse,
        decider: &'a mut D,
    ) -> Result<Self, SimError> {
        let recovery = crate::recovery::State::new(sc, st, seed, &mut reuse.recovery)?;
        Ok(Engine {
            decider,
            sc,
            st,
            rng: RngStreams::new(seed),
            world: World::new(sc, st, &mut reuse.world, start),
            faults: crate::faults::State::new(sc, &mut reuse.faults),
            recovery,
            out: reuse::fresh_outcome(sc, seed, crate::model::StrategyId(strategy_id)),
        })
    }

    /// The fault side's view of the run.
    #[inline(always)]
    fn faults(&mut self) -> Faults<'_, 'a> {
        Faults {
            sc: self.sc,
            st: self.st,
            rng: self.rng,
            out: &mut self.out,
            world: &mut self.world,
            faults: &mut self.faults,
        }
    }

    /// The recovery side's view of the run.
    #[inline(always)]
    fn recovery(&mut self) -> crate::recovery::Recovery<'_, 'a, D> {
        crate::recovery::Recovery {
            sc: self.sc,
            st: self.st,
            rng: self.rng,
            out: &mut self.out,
            world: &mut self.world,
            faults: &mut self.faults,
            recovery: &mut self.recovery,
            decider: &mut *self.decider,
        }
    }

    /// Handles one event: the fault side first where a fault is involved,
    /// then recovery with what it left (the apps it broke, the news), then
    /// the dispatcher starts whatever can start.
    fn handle(&mut self, cx: &mut Cx<'_>, ev: Ev) -> Result<(), SimError> {
        let now = cx.now;
        match ev {
            Ev::Strike(b) => {
                if let Some(broken) = self.faults().strike(cx, b)? {
                    self.recovery().after_fault(cx, broken)?;
                }
            }
            Ev::Recur(b, h) => {
                if let Some(broken) = self.faults().recur(cx, b, h)? {
                    self.recovery().after_fault(cx, broken)?;
                }
            }
            Ev::StrikeHost(b, h) => match self.faults().strike_host(cx, b, h)? {
                HostStrike::Moot => {}
                HostStrike::Spared => self.faults().rearm_trigger(cx, b, h)?,
                HostStrike::Hit(broken) => {
                    self.recovery().after_fault(cx, broken)?;
                    self.faults().rearm_trigger(cx, b, h)?;
                }
            },
            Ev::Diagnosed(b) => {
                let waiting = self.faults().diagnosed(now, b);
                self.recovery().diagnosed(cx, waiting)?;
            }
            Ev::Fixed(b) => {
                if self.faults().fixed(cx, b) {
                    self.recovery().facts_improved(cx)?;
                } else {
                    self.recovery().queue_patches(now, b);
                }
            }
            Ev::Workaround(b) => {
                self.faults().workaround(cx, b);
                self.recovery().facts_improved(cx)?;
            }
            Ev::ManagementBack => {
                if now >= self.faults.management_until {
                    trace!(now, "the management plane is back");
                    self.recovery().services_back(cx)?;
                }
            }
            Ev::OutageStart(i) => {
                // Transfers progress up to now, then pause or go on.
                self.recovery().advance_transfers(now);
                self.faults().outage_start(cx, i)?;
                self.recovery().schedule_transfer(cx)?;
            }
            Ev::OutageEnd(i) => {
                self.recovery().advance_transfers(now);
                self.faults().outage_end(now, i);
                let mut recovery = self.recovery();
                recovery.schedule_transfer(cx)?;
                recovery.services_back(cx)?;
            }
            Ev::ChaosFail(c, h) => {
                let broken = self.faults().chaos_fail(cx, c, h)?;
                self.recovery().after_fault(cx, broken)?;
            }
            Ev::ChaosRepair(c, h) => {
                if self.faults().repaired(now, h) {
                    self.recovery().host_repaired(cx, h)?;
                }
                self.faults().arm_chaos(cx, c, h)?;
            }
            Ev::Rebooted(h) => self.recovery().rebooted(cx, h)?,
            Ev::TaskDone(w) => self.recovery().task_done(cx, w)?,
            Ev::AutoDone(a) => self.recovery().auto_done(now, a),
            Ev::TransferDone => self.recovery().transfer_done(cx)?,
            Ev::Deadline(a, n) => self.recovery().deadline(cx, a, n)?,
            Ev::Wake => {
                if self.recovery.staff.wake_at == Some(now) {
                    self.recovery.staff.wake_at = None;
                }
            }
        }
        self.recovery().dispatch(cx)
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
            sched: Default::default(),
            world: self.world.into_spare(),
            faults: self.faults.into_spare(),
            recovery: self.recovery.into_spare(),
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
        settle_gates(self.sc, &mut self.out);
    }
}

/// Marks the apps queued behind their dependencies whose turn would never
/// have come ([`Waiting::DependencyStuck`]): the dependency-aware gate
/// opens only when no dependency is broken and waiting (`dependency_blocker`
/// looks through the dependencies down only through their own), so one
/// such dependency that nothing would bring back (no applicable method, no
/// room at the DR site, or itself gated behind one) holds it for good.
/// Without this, a run whose queue drained with such apps was reported
/// cut short by the horizon, and `validate` advised a longer horizon that
/// would change nothing.
fn settle_gates(sc: &Scenario, out: &mut Outcome) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unknown,
        Visiting,
        Stuck,
        Free,
    }
    fn stuck(a: usize, sc: &Scenario, out: &Outcome, marks: &mut [Mark]) -> bool {
        match marks[a] {
            Mark::Stuck => return true,
            // A cycle, or known to come back: not proven stuck.
            Mark::Visiting | Mark::Free => return false,
            Mark::Unknown => {}
        }
        marks[a] = Mark::Visiting;
        let verdict = match out.apps[a].waiting {
            Some(Waiting::NoMethod | Waiting::DrCapacity | Waiting::DependencyStuck) => true,
            // Down through its dependencies or gated by them: stuck when
            // one of them is.
            Some(Waiting::Dependencies | Waiting::DependencyGate) => sc.apps[a]
                .depends_on
                .iter()
                .any(|d| stuck(d.index(), sc, out, marks)),
            _ => false,
        };
        marks[a] = if verdict { Mark::Stuck } else { Mark::Free };
        verdict
    }
    if !out
        .apps
        .iter()
        .any(|a| a.waiting == Some(Waiting::DependencyGate))
    {
        return;
    }
    let mut marks = vec![Mark::Unknown; out.apps.len()];
    for a in 0..out.apps.len() {
        if out.apps[a].waiting == Some(Waiting::DependencyGate) && stuck(a, sc, out, &mut marks) {
            out.apps[a].waiting = Some(Waiting::DependencyStuck);
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
        // Equal times are indistinguishable: the unstable sort gives the
        // same list, without the stable sort's buffer.
        sorted.sort_unstable();
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

impl<D: Decider> Engine<'_, D> {
    /// Shows the decider the run as it is at `now` (after an event, and
    /// once at the end at the horizon).
    #[inline(always)]
    pub(crate) fn observe(&mut self, now: SimTime) {
        let view = crate::recovery::decider::RunView {
            sc: self.sc,
            st: self.st,
            world: &self.world,
            faults: &self.faults,
            recovery: &self.recovery,
            out: &self.out,
        };
        self.decider.observe(now, &view);
    }
}
