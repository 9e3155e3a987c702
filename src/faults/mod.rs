//! What goes wrong in a run: bugs and their triggers, strikes and
//! crashes, recurrences, the vendor's support (diagnosis, workaround, fix,
//! patches), compounding outages of shared services and chaos processes.
//!
//! [`State`] holds the fault side of a run: per bug what happened to it,
//! the outages in progress, the chaos cycles, the operations that may
//! trigger a bug. The handlers are methods of [`Faults`], a view of the
//! run that borrows the world, the outcome and this state separately,
//! split by concern: `strike` (a bug strikes, recurs, and the fault
//! records), `triggers` (per-host triggers), `crash` (what a crash does),
//! `vendor` (first-strike effects, diagnosis, workaround, fix, patches),
//! `outages` and `chaos`.
//!
//! The fault side knows nothing of recovery. A handler that stops apps
//! returns them ([`Broken`]); the engine hands them to recovery, which
//! decides how each comes back, then closes the fault's record. Where a
//! fault's news may help recovery (a diagnosis, a fix, a workaround), the
//! handler returns what recovery needs and the engine passes it on.

use std::ops::{Index, IndexMut};

use crate::metrics::Outcome;
use crate::model::{
    AppId, BugId, HostId, Operation, OutageKind, Scenario, Strategy, Trigger, VmId,
};
use crate::run::buffers::{cleared, empty_lists};
use crate::run::{CLASS_FAULT, Cx, Ev, SimError, World};
use crate::sim::{RngStreams, SimTime, StreamRng};

mod chaos;
mod crash;
mod outages;
mod strike;
mod triggers;
mod vendor;

/// What happened to one bug in a run.
#[derive(Clone, Debug, Default)]
pub(crate) struct BugState {
    pub(crate) struck: bool,
    pub(crate) diagnosed: bool,
    pub(crate) fixed: bool,
    /// The vendor's workaround is in place: it no longer recurs.
    pub(crate) workaround: bool,
    /// The vendor's fix exists and hosts are being patched with it.
    pub(crate) fix_available: bool,
    /// Management-plane losses so far (stream index).
    pub(crate) mgmt_losses: u64,
    pub(crate) incident: Option<usize>,
    /// Apps waiting for its diagnosis.
    pub(crate) waiting: Vec<AppId>,
}

/// Outages in progress, by kind.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outages {
    backup: u32,
    link: u32,
    management: u32,
}

impl Index<OutageKind> for Outages {
    type Output = u32;
    fn index(&self, kind: OutageKind) -> &u32 {
        match kind {
            OutageKind::Backup => &self.backup,
            OutageKind::Link => &self.link,
            OutageKind::Management => &self.management,
        }
    }
}

impl IndexMut<OutageKind> for Outages {
    fn index_mut(&mut self, kind: OutageKind) -> &mut u32 {
        match kind {
            OutageKind::Backup => &mut self.backup,
            OutageKind::Link => &mut self.link,
            OutageKind::Management => &mut self.management,
        }
    }
}

/// The fault side of a run.
#[derive(Debug)]
pub(crate) struct State {
    /// Per bug, what happened to it.
    pub(crate) bugs: Vec<BugState>,
    /// Per bug, its strike stream after its first strike (recurrences
    /// continue it).
    pub(crate) rng: Vec<Option<StreamRng>>,
    /// The fault being recorded (between `open_fault` and `close_fault`).
    pub(crate) current: Option<usize>,
    /// The management plane is lost until then.
    pub(crate) management_until: SimTime,
    /// Outages in progress, by kind (backup, link, management).
    pub(crate) outages: Outages,
    /// Per host, the VMs a chaos failure stopped: they restart by
    /// themselves when the host is repaired.
    pub(crate) autostart: Vec<Vec<VmId>>,
    /// Per chaos process and host of its list, failures so far.
    pub(crate) chaos_cycles: Vec<Vec<u64>>,
    /// Operations that happened since the last dispatch (for triggers).
    pub(crate) operations: Vec<(HostId, Operation)>,
}

/// The fault side's vectors a replication leaves to the next
/// (`engine/reuse.rs`).
#[derive(Debug, Default)]
pub(crate) struct Spare {
    pub(crate) bugs: Vec<BugState>,
    pub(crate) operations: Vec<(HostId, Operation)>,
    pub(crate) autostart: Vec<Vec<VmId>>,
}

/// The apps a fault stopped, for recovery to decide how each comes back.
/// The fault's record stays open until recovery has done so (the apps
/// that go down on the way count as the fault's): recovery then closes it
/// (`Faults::close_fault`).
#[must_use]
#[derive(Debug)]
pub(crate) struct Broken {
    /// Every app one of whose VMs the fault stopped (with repeats).
    pub(crate) apps: Vec<AppId>,
    /// The fault is a recurrence: it counts against each app's method.
    pub(crate) recurrence: bool,
}

/// What a per-host trigger did.
#[must_use]
#[derive(Debug)]
pub(crate) enum HostStrike {
    /// Nothing: the bug cannot strike the host (fixed or patched, the host
    /// down, or its build free of the bug).
    Moot,
    /// The draw spared the host.
    Spared,
    /// The bug struck the host.
    Hit(Broken),
}

/// The fault side's view of a run in progress: the scenario and the
/// strategy (read only), the random streams, and separate borrows of the
/// outcome being recorded, the world and the fault side's state.
pub(crate) struct Faults<'e, 'a> {
    pub(crate) sc: &'a Scenario,
    pub(crate) st: &'a Strategy,
    pub(crate) rng: RngStreams,
    pub(crate) out: &'e mut Outcome,
    pub(crate) world: &'e mut World<'a>,
    pub(crate) faults: &'e mut State,
}

impl State {
    /// Nothing has gone wrong yet, in `reuse`'s buffers.
    pub(crate) fn new(sc: &Scenario, reuse: &mut Spare) -> Self {
        let mut previous = std::mem::take(&mut reuse.bugs).into_iter();
        State {
            bugs: (0..sc.bugs.len())
                .map(|_| BugState {
                    waiting: previous
                        .next()
                        .map(|p| cleared(p.waiting))
                        .unwrap_or_default(),
                    ..BugState::default()
                })
                .collect(),
            rng: (0..sc.bugs.len()).map(|_| None).collect(),
            current: None,
            management_until: SimTime::ZERO,
            outages: Outages::default(),
            autostart: empty_lists(std::mem::take(&mut reuse.autostart), sc.hosts.len()),
            chaos_cycles: sc.chaos.iter().map(|c| vec![0; c.hosts.len()]).collect(),
            operations: cleared(std::mem::take(&mut reuse.operations)),
        }
    }

    /// Its vectors, for the thread's next replication.
    pub(crate) fn into_spare(self) -> Spare {
        Spare {
            bugs: self.bugs,
            operations: self.operations,
            autostart: self.autostart,
        }
    }

    /// Whether bug `b` can no longer strike or recur on host `h`: fixed
    /// everywhere, or patched there.
    pub(crate) fn bug_dead(&self, world: &World<'_>, b: BugId, h: HostId) -> bool {
        self.bugs[b.index()].fixed || world.hosts[h.index()].patched.contains(&b)
    }

    /// Whether bug `b`, which struck host `h`, may crash it again after a
    /// restart: it recurs, and neither a fix, a patch nor the vendor's
    /// workaround stopped it.
    pub(crate) fn can_recur(&self, sc: &Scenario, world: &World<'_>, b: BugId, h: HostId) -> bool {
        sc.bugs[b.index()].recurrence.is_some()
            && !self.bug_dead(world, b, h)
            && !self.bugs[b.index()].workaround
    }
}

impl Faults<'_, '_> {
    /// Schedules the scenario's faults at the start of a run (`cx.now` is
    /// zero): dated strikes, per-host triggers, outages and chaos failures.
    pub(crate) fn arm(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let scenario = self.sc;
        for (b, bug) in scenario.bugs.iter().enumerate() {
            let b = BugId(b as u32);
            match bug.trigger {
                Trigger::At(at) => {
                    cx.sched.schedule_at(at, CLASS_FAULT, Ev::Strike(b))?;
                }
                Trigger::Uptime(_) | Trigger::Poisson(_) => {
                    for &h in &bug.hosts {
                        self.arm_trigger(cx, b, h)?;
                    }
                }
                Trigger::On(..) => {}
            }
        }
        for (i, o) in scenario.outages.iter().enumerate() {
            cx.sched
                .schedule_at(o.at, CLASS_FAULT, Ev::OutageStart(i as u32))?;
        }
        for (c, chaos) in scenario.chaos.iter().enumerate() {
            for &h in &chaos.hosts {
                self.arm_chaos(cx, c as u32, h)?;
            }
        }
        Ok(())
    }

    /// [`State::bug_dead`] in this run.
    pub(crate) fn bug_dead(&self, b: BugId, h: HostId) -> bool {
        self.faults.bug_dead(self.world, b, h)
    }

    /// [`State::can_recur`] in this run.
    pub(crate) fn can_recur(&self, b: BugId, h: HostId) -> bool {
        self.faults.can_recur(self.sc, self.world, b, h)
    }
}
