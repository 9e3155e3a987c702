//! `restart`: reboot the app's crashed hosts (the build's `reboot` time,
//! after any crash dump; nobody's work), then a member restarts it in
//! place. Applies when no VM is corrupted and every host of its down VMs
//! is up or safe to restart; loses no data.

use crate::engine::Engine;
use crate::engine::world::{HostStatus, VmStatus};
use crate::model::{AppId, HostId};
use crate::recovery::Decider;
use crate::recovery::decider::RestartChoice;
use crate::sim::SimTime;

/// Whether a restart in place can start now.
pub(super) fn applicable<D: Decider>(
    e: &mut Engine<'_, D>,
    now: SimTime,
    a: AppId,
    corrupted: bool,
) -> bool {
    let app = &e.sc.apps[a.index()];
    !corrupted
        && app.vms.iter().all(|&v| {
            e.world.vm_status[v.index()] == VmStatus::Running
                || e.restart_safe(now, a, e.world.vm_host[v.index()])
        })
}

impl<D: Decider> Engine<'_, D> {
    /// Whether restarting app `a` on host `h` is safe: no bug that struck
    /// it can strike again (fixed, or not recurring), unless the decider
    /// (the strategy's `restart_despite_recurrence`) takes the risk.
    fn restart_safe(&mut self, now: SimTime, a: AppId, h: HostId) -> bool {
        let host = &self.world.hosts[h.index()];
        host.status == HostStatus::Up
            || host.struck.iter().all(|&b| !self.can_recur(b, h))
            || self.decider.restart_despite_recurrence(&RestartChoice {
                now,
                app: a,
                app_name: &self.sc.apps[a.index()].id,
                host: h,
                host_name: &self.sc.hosts[h.index()].id,
                strategy: self.st.restart_despite_recurrence,
            })
    }
}
