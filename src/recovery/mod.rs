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
//!   hosts back up; `complete`: a recovery completes, up/down propagates.
//!
//! [`State`] holds the recovery side of a run; the handlers are methods of
//! the engine.

use crate::model::{AppId, HostId, Order, Scenario, Strategy};
use crate::sim::{Purpose, PurposeStreams, RngStreams};

use crate::engine::reuse::{Reuse, cleared, empty_lists, refilled};

mod complete;
mod decide;
pub mod decider;
mod dispatch;
mod failover;
mod ha_restart;
mod hosts;
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
pub(crate) use people::{Entry, Job, Lane, Lanes, Running, Staff};
pub(crate) use placement::Placement;
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
    /// Hosts' free room and first fit over the DR site and the clusters.
    pub(crate) placement: Placement,
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
}

impl<'a> State<'a> {
    /// Nothing to recover yet, in `reuse`'s buffers.
    pub(crate) fn new(sc: &'a Scenario, st: &Strategy, seed: u64, reuse: &mut Reuse) -> Self {
        let gated_apps = if st.order == Order::DependencyAware {
            sc.apps.len()
        } else {
            0
        };
        State {
            lanes: Lanes::new(std::mem::take(&mut reuse.lanes)),
            running: Running::default(),
            staff: Staff::new(sc, &st.teams, seed),
            waves: Waves {
                states: vec![WaveState::default(); st.waves.len()],
                // Every app starts healthy: settled, not queued.
                unsettled: vec![0; st.waves.len()],
                queued: vec![0; st.waves.len()],
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
            },
            work_streams: RngStreams::new(seed).purpose(Purpose::Work),
            parked: cleared(std::mem::take(&mut reuse.parked)),
            capacity_freed: false,
            redecide: cleared(std::mem::take(&mut reuse.redecide)),
            ready_seq: 0,
            placement: Placement::new(sc, st.dr_site),
            transfers: Transfers::default(),
            evacuated: cleared(std::mem::take(&mut reuse.evacuated)),
            evacuated_news: false,
            maybe_stuck: false,
            revisable: false,
            facts_changed: false,
        }
    }
}
