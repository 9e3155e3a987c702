//! Recovery: deciding, dispatching and completing the recoveries of the
//! apps a fault took down.
//!
//! - `decide`: which method an app gets (the first applicable of the
//!   strategy's, from its escalation level on), when it is decided again,
//!   escalation;
//! - one file per method ([`Method`](crate::model::Method)): `restart`, `ha_restart`, `restore`
//!   (with the backup system's transfers), `failover`, `reinstall`,
//!   `rebuild`, each with its applicability and what completing it loses;
//! - `order`: the strategy's order as a sort key; `waves`: runbook waves;
//! - `people`: lanes, members, tasks, shifts; `dispatch`: what starts
//!   after each event; `placement`: where VMs go; `hosts`: reboots and
//!   hosts back up; `complete`: a recovery completes, up/down propagates;
//! - `news`: what the fault side's news means for recovery (the apps a
//!   fault broke, a diagnosis, a fix, a workaround).
//!
//! [`State`] holds the recovery side of a run. The handlers are methods
//! of [`Recovery`], a view of the run that borrows the world, the outcome,
//! the fault side's state (recovery reads what faults know: a diagnosis, a
//! workaround, the services that are down; and calls the fault side where
//! its work may trigger a bug) and its own state, separately. Recovery
//! never names the engine, and the fault side never names recovery: the
//! engine hands recovery what a fault broke ([`faults::Broken`]).

use crate::faults::{self, Faults};
use crate::metrics::Outcome;
use crate::model::{AppId, HostId, Operation, Order, Scenario, Strategy, Trigger};
use crate::run::buffers::{cleared, empty_lists, refilled};
use crate::run::{SimError, World};
use crate::sim::bitset::BitSet;
use crate::sim::{Purpose, PurposeStreams, RngStreams};

mod complete;
mod decide;
pub mod decider;
mod dispatch;
mod failover;
mod ha_restart;
mod hosts;
mod news;
mod observe;
mod order;
mod people;
mod placement;
mod rebuild;
mod reinstall;
mod restart;
mod restore;
mod waves;

pub(crate) use decider::Decider;
pub(crate) use dispatch::Gate;
pub(crate) use order::order_key;
pub(crate) use people::{Entry, Job, Lane, Lanes, ReadyQueue, Running, Staff};
pub(crate) use restore::Transfers;
pub(crate) use waves::{WaveState, Waves};

/// The recovery side of a run.
#[derive(Debug)]
pub(crate) struct State<'a> {
    /// Ready work, one heap per lane.
    pub(crate) lanes: Lanes,
    /// Tasks in progress per method, for caps.
    pub(crate) running: Running,
    /// The members, who is free and on duty.
    pub(crate) staff: Staff<'a>,
    /// Runbook waves and the entries they hold back.
    pub(crate) waves: Waves,
    /// The dependency gate (dependency-aware order).
    pub(crate) gate: Gate,
    /// The work draws' streams, keyed once per replication.
    pub(crate) work_streams: PurposeStreams,
    /// Apps waiting for room at the DR site (or in their cluster).
    pub(crate) parked: Vec<AppId>,
    /// Room was freed since the last dispatch.
    pub(crate) capacity_freed: bool,
    /// Apps a recovery left with VMs down (placed on a host that crashed).
    pub(crate) redecide: Vec<AppId>,
    /// The sequence of the last entry queued (staleness checks, ties).
    pub(crate) ready_seq: u64,
    /// Restores' data transfers from the backup system.
    pub(crate) transfers: Transfers,
    /// Crashed hosts left without VMs (HA restarted them elsewhere, or
    /// they were recovered at the DR site): rebooted by the operators once
    /// that is safe, to give the cluster its capacity back.
    pub(crate) evacuated: Vec<HostId>,
    /// Something that may let an evacuated host reboot happened since the
    /// last look (a host joined the list, a diagnosis, fix, patch or
    /// workaround): the list is looked at only then, not at every event.
    /// Set by hand where those happen; in debug builds every dispatch
    /// without news checks that no evacuated host became rebootable.
    pub(crate) evacuated_news: bool,
    /// Some app may be waiting with no method (`Phase::NoMethod`): set
    /// where that phase is set, cleared when `services_back` looked.
    pub(crate) maybe_stuck: bool,
    /// Some app waits for a method that another of the strategy's methods
    /// might replace (queued or parked with two or more methods listed):
    /// set in `enqueue`, cleared when `revisit` finds none.
    pub(crate) revisable: bool,
    /// A fact that decisions rest on improved since the last dispatch (a
    /// fix, workaround or patch, an outage over, the management plane or a
    /// host back): the next dispatch decides the waiting apps again.
    pub(crate) facts_changed: bool,
    /// Whether some bug of the scenario triggers on a VM moved onto a host
    /// and on a restore onto a host: without such a bug, recovery does not
    /// record those operations for the fault side (which would find no bug
    /// to draw for).
    pub(crate) triggers_on: OperationTriggers,
    /// Scratch marks, empty between uses: a strike's apps sorted and
    /// without repeats (`after_crashes`).
    pub(crate) seen: BitSet,
}

/// Whether some bug triggers `on` an operation that recovery performs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OperationTriggers {
    pub(crate) migration: bool,
    pub(crate) restore: bool,
}

impl OperationTriggers {
    fn of(sc: &Scenario) -> Self {
        let on = |op: Operation| {
            sc.bugs
                .iter()
                .any(|b| matches!(b.trigger, Trigger::On(what, _) if what == op))
        };
        OperationTriggers {
            migration: on(Operation::Migration),
            restore: on(Operation::Restore),
        }
    }
}

/// The recovery side's vectors a replication leaves to the next
/// (`engine/reuse.rs`).
#[derive(Debug, Default)]
pub(crate) struct Spare {
    pub(crate) lanes: Vec<ReadyQueue>,
    pub(crate) held: Vec<Vec<Entry>>,
    pub(crate) waiting_on: Vec<Vec<Entry>>,
    pub(crate) visited: Vec<u32>,
    pub(crate) dep_stack: Vec<AppId>,
    pub(crate) parked: Vec<AppId>,
    pub(crate) redecide: Vec<AppId>,
    pub(crate) evacuated: Vec<HostId>,
    pub(crate) seen: BitSet,
}

impl<'a> State<'a> {
    /// Nothing to recover yet, in `reuse`'s buffers; fails when a team's
    /// roster with this run's absences cannot be built.
    pub(crate) fn new(
        sc: &'a Scenario,
        st: &Strategy,
        seed: u64,
        reuse: &mut Spare,
    ) -> Result<Self, SimError> {
        let gated_apps = if st.order == Order::DependencyAware {
            sc.apps.len()
        } else {
            0
        };
        // First, so that a failure leaves `reuse`'s buffers where they are.
        let staff = Staff::new(sc, &st.teams, seed)?;
        Ok(State {
            lanes: Lanes::new(std::mem::take(&mut reuse.lanes)),
            running: Running::default(),
            staff,
            waves: Waves {
                states: vec![WaveState::default(); st.waves.len()],
                held: empty_lists(std::mem::take(&mut reuse.held), st.waves.len()),
            },
            gate: Gate {
                waiting_on: empty_lists(std::mem::take(&mut reuse.waiting_on), gated_apps),
                visited: refilled(
                    std::mem::take(&mut reuse.visited),
                    std::iter::repeat_n(0, gated_apps),
                ),
                epoch: 0,
                stack: cleared(std::mem::take(&mut reuse.dep_stack)),
                passed_over: Vec::new(),
            },
            work_streams: RngStreams::new(seed).purpose(Purpose::Work),
            parked: cleared(std::mem::take(&mut reuse.parked)),
            capacity_freed: false,
            redecide: cleared(std::mem::take(&mut reuse.redecide)),
            ready_seq: 0,
            transfers: Transfers::default(),
            evacuated: cleared(std::mem::take(&mut reuse.evacuated)),
            evacuated_news: false,
            maybe_stuck: false,
            revisable: false,
            facts_changed: false,
            triggers_on: OperationTriggers::of(sc),
            seen: {
                let mut seen = std::mem::take(&mut reuse.seen);
                seen.clear();
                seen
            },
        })
    }

    /// Its vectors, for the thread's next replication.
    pub(crate) fn into_spare(self) -> Spare {
        Spare {
            lanes: self.lanes.into_inner(),
            held: self.waves.held,
            waiting_on: self.gate.waiting_on,
            visited: self.gate.visited,
            dep_stack: self.gate.stack,
            parked: self.parked,
            redecide: self.redecide,
            evacuated: self.evacuated,
            seen: self.seen,
        }
    }
}

/// The recovery side's view of a run in progress: the scenario and the
/// strategy (read only), the random streams, and separate borrows of the
/// outcome being recorded, the world, the fault side's state, its own
/// state and the decider (the decision seam). The engine builds one for
/// each event it hands to recovery.
pub(crate) struct Recovery<'e, 'a, D> {
    pub(crate) sc: &'a Scenario,
    pub(crate) st: &'a Strategy,
    pub(crate) rng: RngStreams,
    pub(crate) out: &'e mut Outcome,
    pub(crate) world: &'e mut World<'a>,
    pub(crate) faults: &'e mut faults::State,
    pub(crate) recovery: &'e mut State<'a>,
    /// Makes the strategy's choices.
    pub(crate) decider: &'e mut D,
}

impl<'a, D: Decider> Recovery<'_, 'a, D> {
    /// The fault side's view of the same run, for what recovery does that
    /// concerns faults (an operation that may trigger a bug, a host that
    /// boots, a patch).
    #[inline(always)]
    pub(crate) fn fault_side(&mut self) -> Faults<'_, 'a> {
        Faults {
            sc: self.sc,
            st: self.st,
            rng: self.rng,
            out: &mut *self.out,
            world: &mut *self.world,
            faults: &mut *self.faults,
        }
    }
}
