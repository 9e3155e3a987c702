//! Compounding outages: the backup system, the inter-site link or the
//! management plane unavailable for a drawn while.

use crate::engine::{CLASS_FIX, Engine, Ev, SimError, trace};
use crate::model::OutageKind;
use crate::sim::{Purpose, SimTime};

use super::State;
use crate::engine::Cx;
use crate::recovery::Decider;

impl State {
    /// Whether the management plane works (HA restart and failover need
    /// it): neither a bug's effect nor an outage has it down.
    pub(crate) fn management_available(&self, now: SimTime) -> bool {
        now >= self.management_until && self.outages[OutageKind::Management] == 0
    }

    /// Whether the link between the sites is up.
    pub(crate) fn link_up(&self) -> bool {
        self.outages[OutageKind::Link] == 0
    }

    /// Restores can read from the backup system at the DR site.
    pub(crate) fn backup_available(&self) -> bool {
        self.outages[OutageKind::Backup] == 0 && self.link_up()
    }
}

impl<D: Decider> Engine<'_, D> {
    pub(crate) fn outage_start(&mut self, cx: &mut Cx<'_>, i: u32) -> Result<(), SimError> {
        let now = cx.now;
        let outage = &self.sc.outages[i as usize];
        let mut rng = self.rng.stream(Purpose::Outage, u64::from(i));
        let d = outage.duration.sample(&mut rng);
        self.advance_transfers(now);
        self.faults.outages[outage.kind] += 1;
        cx.sched.schedule_in(d, CLASS_FIX, Ev::OutageEnd(i))?;
        trace!(
            now,
            "outage: the {} is unavailable for {d}",
            outage.kind.name()
        );
        self.schedule_transfer(cx)
    }

    pub(crate) fn outage_end(&mut self, cx: &mut Cx<'_>, i: u32) -> Result<(), SimError> {
        let now = cx.now;
        let kind = self.sc.outages[i as usize].kind;
        self.advance_transfers(now);
        let n = &mut self.faults.outages[kind];
        *n = n.saturating_sub(1);
        trace!(now, "outage over: the {} is back", kind.name());
        self.schedule_transfer(cx)?;
        self.services_back(cx)
    }
}
