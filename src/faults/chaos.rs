//! Chaos processes: per host in scope, failures (`mtbf`) and repairs
//! (`mttr`); after its repair a host's stopped VMs restart by themselves.

use crate::engine::{CLASS_FAULT, CLASS_OTHER, Engine, Ev, SimError, trace};
use crate::metrics::FaultKind;
use crate::model::HostId;
use crate::sim::Purpose;

use crate::engine::Cx;
use crate::engine::world::{HostStatus, Phase, VmStatus};
use crate::recovery::Decider;

impl<D: Decider> Engine<'_, D> {
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

    pub(crate) fn chaos_fail(
        &mut self,
        cx: &mut Cx<'_>,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
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
        cx.sched
            .schedule_in(repair, CLASS_OTHER, Ev::ChaosRepair(c, h))?;
        self.after_crashes(cx, touched, false)?;
        self.close_fault(now);
        Ok(())
    }

    pub(crate) fn chaos_repair(
        &mut self,
        cx: &mut Cx<'_>,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        let now = cx.now;
        if self.world.hosts[h.index()].status == HostStatus::Failed {
            trace!(now, "host {} repaired", self.sc.hosts[h.index()].id);
            self.host_up(cx, h)?;
            for v in std::mem::take(&mut self.faults.autostart[h.index()]) {
                if self.world.vm_host[v.index()] != h
                    || self.world.vm_status[v.index()] != VmStatus::Down
                {
                    continue;
                }
                self.world.vm_status[v.index()] = VmStatus::Running;
                let a = self.sc.vms[v.index()].app;
                self.change_app(a, |state| {
                    state.broken = state.broken.saturating_sub(1);
                    // Back by itself: whatever was planned for it is moot.
                    if state.broken == 0
                        && matches!(
                            state.phase,
                            Phase::Queued(_)
                                | Phase::Hosts(_)
                                | Phase::DrCapacity(_)
                                | Phase::NoMethod
                                | Phase::Diagnosis
                        )
                    {
                        state.phase = Phase::Healthy;
                    }
                });
                self.update_up(now, a);
            }
        }
        self.arm_chaos(cx, c, h)
    }
}
