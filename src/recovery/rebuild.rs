//! `rebuild`: each crashed host of the app whose build is not the
//! strategy's `rebuild_to` is queued for a rebuild by a `rebuild`-skilled
//! member; then the app is restarted in place. Applies when no VM is
//! corrupted and the strategy has a `rebuild_to`; loses no data.

use std::cmp::Reverse;

use crate::model::HostId;
use crate::run::world::HostStatus;
use crate::run::{CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::SimTime;

use super::{Decider, Recovery};
use super::{Job, Lane};

/// Whether a rebuild can start now.
pub(super) fn applicable<D: Decider>(e: &Recovery<'_, '_, D>, corrupted: bool) -> bool {
    !corrupted && e.st.rebuild_to.is_some()
}

impl<D: Decider> Recovery<'_, '_, D> {
    pub(crate) fn request_rebuild(&mut self, now: SimTime, h: HostId) {
        self.recovery.ready_seq += 1;
        self.world.set_status(h, HostStatus::Rebuilding);
        self.world.hosts[h.index()].rebuild_seq = self.recovery.ready_seq;
        let entry = (
            (0, now.as_millis(), h.0),
            self.recovery.ready_seq,
            Job::Host(h),
        );
        self.recovery.lanes.push(Lane::Hosts, Reverse(entry));
        trace!(
            now,
            "host {} queued for a rebuild",
            self.sc.hosts[h.index()].id
        );
    }

    /// A member finished rebuilding host `h` on the strategy's
    /// `rebuild_to`: bugs the new build does not carry no longer concern
    /// it, and it boots.
    pub(crate) fn host_rebuilt(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<(), SimError> {
        let now = cx.now;
        let Some(build) = self.st.rebuild_to else {
            return Ok(());
        };
        let host = &mut self.world.hosts[h.index()];
        host.build = build;
        let bugs = &self.sc.bugs;
        host.struck
            .retain(|b| bugs[b.index()].builds.contains(&build));
        trace!(
            now,
            "host {} rebuilt on {}",
            self.sc.hosts[h.index()].id,
            self.sc.builds[build.index()].id
        );
        let power = self.world.hosts[h.index()].power_until;
        if power > now {
            // Installed, but it boots only once its power is back.
            self.world.set_status(h, HostStatus::Rebooting);
            self.world.hosts[h.index()].reboot =
                Some(cx.sched.schedule_at(power, CLASS_OTHER, Ev::Rebooted(h))?);
            return Ok(());
        }
        self.host_up(cx, h)
    }
}
