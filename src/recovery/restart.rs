//! `restart`: reboot the app's crashed hosts (the build's `reboot` time,
//! after any crash dump; nobody's work), then a member restarts it in
//! place. Applies when no VM is corrupted and every host of its down VMs
//! is up or safe to restart; loses no data.

use crate::engine::Engine;
use crate::engine::world::{HostStatus, VmStatus};
use crate::model::{AppId, HostId};

/// Whether a restart in place can start now.
pub(crate) fn applicable(e: &Engine<'_>, a: AppId, corrupted: bool) -> bool {
    let app = &e.sc.apps[a.index()];
    !corrupted
        && app.vms.iter().all(|&v| {
            e.world.vm_status[v.index()] == VmStatus::Running
                || e.restart_safe(e.world.vm_host[v.index()])
        })
}

impl Engine<'_> {
    /// Whether restarting on this host is safe: no bug that struck it can
    /// strike again (fixed, or not recurring), unless the strategy takes
    /// the risk.
    pub(crate) fn restart_safe(&self, h: HostId) -> bool {
        let host = &self.world.hosts[h.index()];
        host.status == HostStatus::Up
            || self.st.restart_despite_recurrence
            || host.struck.iter().all(|&b| !self.can_recur(b, h))
    }
}
