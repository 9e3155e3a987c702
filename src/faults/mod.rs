//! What goes wrong in a run: bugs and their triggers, strikes and
//! crashes, recurrences, the vendor's support (diagnosis, workaround, fix,
//! patches), compounding outages of shared services and chaos processes.
//!
//! [`State`] holds the fault side of a run: per bug what happened to it,
//! the outages in progress, the chaos cycles, the operations that may
//! trigger a bug. The handlers are methods of the engine (a strike crashes
//! hosts, which takes apps down and asks recovery to decide), split by
//! concern: `strike` (a bug strikes, recurs, and the fault records),
//! `triggers` (per-host triggers), `crash` (what a crash does), `vendor`
//! (first-strike effects, diagnosis, workaround, fix, patches), `outages`
//! and `chaos`.

use std::ops::{Index, IndexMut};

use crate::engine::{CLASS_FAULT, Engine, Ev, SimError};
use crate::model::{AppId, BugId, HostId, Operation, OutageKind, Scenario, Trigger, VmId};
use crate::sim::{SimTime, StreamRng};

use crate::engine::Cx;
use crate::engine::reuse::{Reuse, cleared, empty_lists};
use crate::recovery::Decider;

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

impl State {
    /// Nothing has gone wrong yet, in `reuse`'s buffers.
    pub(crate) fn new(sc: &Scenario, reuse: &mut Reuse) -> Self {
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
}

impl<D: Decider> Engine<'_, D> {
    /// Schedules the scenario's faults at the start of a run (`cx.now` is
    /// zero): dated strikes, per-host triggers, outages and chaos failures.
    pub(crate) fn arm_faults(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
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

    /// Whether bug `b` can no longer strike or recur on host `h`: fixed
    /// everywhere, or patched there.
    pub(crate) fn bug_dead(&self, b: BugId, h: HostId) -> bool {
        self.faults.bugs[b.index()].fixed || self.world.hosts[h.index()].patched.contains(&b)
    }

    /// Whether bug `b`, which struck host `h`, may crash it again after a
    /// restart: it recurs, and neither a fix, a patch nor the vendor's
    /// workaround stopped it.
    pub(crate) fn can_recur(&self, b: BugId, h: HostId) -> bool {
        self.sc.bugs[b.index()].recurrence.is_some()
            && !self.bug_dead(b, h)
            && !self.faults.bugs[b.index()].workaround
    }
}
