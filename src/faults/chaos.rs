//! Chaos processes: per host in scope, failures (`mtbf`) and repairs
//! (`mttr`); after its repair a host's stopped VMs restart by themselves
//! (recovery brings the host and them back: `recovery/hosts.rs`).

use crate::metrics::FaultKind;
use crate::model::HostId;
use crate::run::{CLASS_FAULT, CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::{Purpose, SimTime};

use crate::run::world::HostStatus;

use super::{Broken, Faults};

impl Faults<'_, '_> {
    /// Schedules the next failure of chaos process `c` on host `h`.
    pub(crate) fn arm_chaos(&mut self, cx: &mut Cx<'_>, c: u32, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        let k = self.faults.chaos_cycles[c as usize][self.chaos_slot(c, h)];
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let d = self.sc.chaos[c as usize].mtbf.sample(&mut rng);
        cx.sched
            .schedule_at(now.saturating_add(d), CLASS_FAULT, Ev::ChaosFail(c, h))?;
        Ok(())
    }

    /// Position of host `h` in chaos process `c`'s host list.
    pub(crate) fn chaos_slot(&self, c: u32, h: HostId) -> usize {
        self.sc.chaos[c as usize]
            .hosts
            .binary_search(&h)
            .unwrap_or(0)
    }

    /// Chaos process `c` fails host `h`: the apps it stopped; its repair
    /// is scheduled.
    pub(crate) fn chaos_fail(
        &mut self,
        cx: &mut Cx<'_>,
        c: u32,
        h: HostId,
    ) -> Result<Broken, SimError> {
        let now = cx.now;
        let slot = self.chaos_slot(c, h);
        let k = self.faults.chaos_cycles[c as usize][slot];
        self.faults.chaos_cycles[c as usize][slot] += 1;
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k + 1).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let repair = self.sc.chaos[c as usize].mttr.sample(&mut rng);
        self.open_fault(now, None, FaultKind::Chaos(c));
        let mut touched = Vec::new();
        self.crash(cx, h, None, &mut rng, &mut touched)?;
        // A host without power is repaired once the power is back.
        let wait = self.world.hosts[h.index()]
            .power_until
            .saturating_since(now)
            .max(repair);
        cx.sched
            .schedule_in(wait, CLASS_OTHER, Ev::ChaosRepair(c, h))?;
        Ok(Broken {
            apps: touched,
            recurrence: false,
        })
    }

    /// A chaos process's repair of host `h` is due: `true` if the host is
    /// still failed, for recovery to bring it and its stopped VMs back.
    pub(crate) fn repaired(&self, now: SimTime, h: HostId) -> bool {
        let failed = self.world.hosts[h.index()].status == HostStatus::Failed;
        if failed {
            trace!(now, "host {} repaired", self.sc.hosts[h.index()].id);
        }
        failed
    }
}
