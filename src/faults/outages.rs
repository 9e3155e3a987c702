//! Compounding outages: the backup system, the inter-site link or the
//! management plane unavailable for a drawn while. (Restores' transfers
//! pause meanwhile: recovery brings them up to the instant before an
//! outage starts or ends, and reschedules them after.)

use crate::model::OutageKind;
use crate::run::{CLASS_FIX, Cx, Ev, SimError, trace};
use crate::sim::{Purpose, SimTime};

use super::{Faults, State};

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

impl Faults<'_, '_> {
    /// Outage `i` begins: its service is unavailable for a drawn while.
    pub(crate) fn outage_start(&mut self, cx: &mut Cx<'_>, i: u32) -> Result<(), SimError> {
        let now = cx.now;
        let outage = &self.sc.outages[i as usize];
        let mut rng = self.rng.stream(Purpose::Outage, u64::from(i));
        let d = outage.duration.sample(&mut rng);
        self.faults.outages[outage.kind] += 1;
        cx.sched.schedule_in(d, CLASS_FIX, Ev::OutageEnd(i))?;
        trace!(
            now,
            "outage: the {} is unavailable for {d}",
            outage.kind.name()
        );
        Ok(())
    }

    /// Outage `i` ends: its service is back (unless another outage of the
    /// same kind goes on).
    pub(crate) fn outage_end(&mut self, now: SimTime, i: u32) {
        let kind = self.sc.outages[i as usize].kind;
        let n = &mut self.faults.outages[kind];
        *n = n.saturating_sub(1);
        trace!(now, "outage over: the {} is back", kind.name());
    }
}
