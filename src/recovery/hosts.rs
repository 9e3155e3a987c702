//! Hosts coming back: reboots (for a restart in place, or of a host left
//! with no VM once that is safe), a host up again (its recurrences and
//! triggers re-armed, the apps waiting for it queued), and a host a chaos
//! failure stopped, repaired with its VMs.

use crate::model::{AppId, HostId, Operation};
use crate::run::{CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::Purpose;

use crate::run::world::{HostStatus, Phase, VmStatus};

use super::{Decider, Recovery};

impl<D: Decider> Recovery<'_, '_, D> {
    /// Reboots the crashed hosts that no VM needs any more, once the bug
    /// that crashed each is diagnosed and can no longer strike it again
    /// (fixed, patched, worked around, or not recurring). Unlike a restart
    /// in place, nothing is gained by taking the risk earlier, so not even
    /// a strategy that restarts despite recurrences does. The others wait
    /// for the next dispatch after a diagnosis, fix or workaround.
    /// Whether evacuated host `h` may be rebooted now: the bug that
    /// crashed it is diagnosed, and none that struck it can recur.
    pub(crate) fn evacuee_rebootable(&self, h: HostId) -> bool {
        let host = &self.world.hosts[h.index()];
        let known = host
            .crashed_by
            .is_none_or(|b| self.faults.bugs[b.index()].diagnosed);
        known
            && host
                .struck
                .iter()
                .all(|&b| !self.faults.can_recur(self.sc, self.world, b, h))
    }

    pub(crate) fn reboot_evacuated(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        let mut hosts = std::mem::take(&mut self.recovery.evacuated);
        // In host order, so that the order of reboots never depends on the
        // list's history.
        hosts.sort_unstable();
        hosts.dedup();
        let mut waiting = Vec::new();
        for h in hosts {
            let host = &self.world.hosts[h.index()];
            if host.status != HostStatus::Crashed || !self.world.host_vms[h.index()].is_empty() {
                // Rebooted for an app meanwhile, or given VMs again.
                continue;
            }
            if self.evacuee_rebootable(h) {
                trace!(
                    now,
                    "host {} has no VM left: rebooted to give its room back",
                    self.sc.hosts[h.index()].id
                );
                self.reboot(cx, h)?;
            } else {
                waiting.push(h);
            }
        }
        waiting.append(&mut self.recovery.evacuated);
        self.recovery.evacuated = waiting;
        Ok(())
    }

    pub(crate) fn reboot(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        let host = &mut self.world.hosts[h.index()];
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Reboot, index);
        let build = &self.sc.builds[host.build.index()];
        // The crash dump must be written, and the power be back, first.
        let delay = build
            .reboot
            .sample(&mut rng)
            .saturating_add(host.dump_until.max(host.power_until).saturating_since(now));
        self.world.set_status(h, HostStatus::Rebooting);
        self.world.hosts[h.index()].reboot =
            Some(cx.sched.schedule_in(delay, CLASS_OTHER, Ev::Rebooted(h))?);
        self.out.host_reboots += 1;
        let dark = self.world.hosts[h.index()]
            .power_until
            .saturating_since(now);
        if dark > crate::sim::SimDuration::ZERO {
            trace!(
                now,
                "host {} reboots once its power is back, in {} (restart in place)",
                self.sc.hosts[h.index()].id,
                dark
            );
        } else {
            trace!(
                now,
                "host {} rebooting (restart in place)",
                self.sc.hosts[h.index()].id
            );
        }
        Ok(())
    }

    pub(crate) fn rebooted(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        let host = &mut self.world.hosts[h.index()];
        if host.status != HostStatus::Rebooting {
            return Ok(());
        }
        host.reboot = None;
        trace!(now, "host {} is back up", self.sc.hosts[h.index()].id);
        self.host_up(cx, h)?;
        self.fault_side().operation(cx, h, Operation::Restart)
    }

    /// A host is up again (rebooted or rebuilt): an unfixed bug may strike
    /// it again, and apps waiting for it may be restarted.
    pub(crate) fn host_up(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        self.world.set_status(h, HostStatus::Up);
        let host = &mut self.world.hosts[h.index()];
        host.boots += 1;
        if let Some(since) = host.down_since.take() {
            let d = &mut self.out.hosts[h.index()].downtime;
            *d = d.saturating_add(now.saturating_since(since));
        }
        self.recovery.capacity_freed = true;
        // The bugs that struck it may strike again.
        if self.fault_side().arm_after_boot(cx, h)? {
            self.recovery.facts_changed = true;
        }
        // Apps waiting for this host may now be restarted.
        let mut apps: Vec<AppId> = self.world.host_vms[h.index()]
            .iter()
            .map(|&v| self.world.vm_app(v))
            .collect();
        apps.sort();
        apps.dedup();
        for a in apps {
            if let Phase::Hosts(m) = self.world.apps[a.index()].phase
                && self.hosts_ready(a)
            {
                self.enqueue(now, a, m);
            }
        }
        Ok(())
    }

    /// A chaos failure of host `h` is repaired: the host is up, and the VMs
    /// the failure stopped restart by themselves (unless a strategy
    /// brought their app back sooner).
    pub(crate) fn host_repaired(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        self.host_up(cx, h)?;
        for v in std::mem::take(&mut self.faults.autostart[h.index()]) {
            if self.world.vm_host[v.index()] != h
                || self.world.vm_status[v.index()] != VmStatus::Down
            {
                continue;
            }
            self.world.vm_status[v.index()] = VmStatus::Running;
            let a = self.world.vm_app(v);
            if self.world.apps[a.index()].broken == 1 {
                // Its last stopped VM: its own VMs all run again.
                self.out.apps[a.index()].self_restarts += 1;
            }
            self.world.change_app(a, |state| {
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
        Ok(())
    }

    pub(crate) fn hosts_ready(&self, a: AppId) -> bool {
        self.sc.apps[a.index()].vms.iter().all(|&v| {
            self.world.vm_status[v.index()] == VmStatus::Running
                || self.world.hosts[self.world.vm_host[v.index()].index()].status == HostStatus::Up
        })
    }
}
