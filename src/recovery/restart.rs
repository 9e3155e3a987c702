//! `restart`: reboot the app's crashed hosts (the build's `reboot` time,
//! after any crash dump; nobody's work), then a member restarts it in
//! place. Applies when no VM is corrupted and every host of its down VMs
//! is up or safe to restart; loses no data.

use super::{Decider, Recovery};
use crate::model::{AppId, HostId};
use crate::recovery::decider::RestartChoice;
use crate::run::world::{HostStatus, VmStatus};
use crate::sim::SimTime;

/// Whether a restart in place can start now.
pub(super) fn applicable<D: Decider>(
    e: &mut Recovery<'_, '_, D>,
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

impl<D: Decider> Recovery<'_, '_, D> {
    /// Whether restarting app `a` on host `h` is safe: no bug that struck
    /// it can strike again (fixed, or not recurring), unless the decider
    /// (the strategy's `restart_despite_recurrence`) takes the risk.
    fn restart_safe(&mut self, now: SimTime, a: AppId, h: HostId) -> bool {
        let host = &self.world.hosts[h.index()];
        host.status == HostStatus::Up
            || host
                .struck
                .iter()
                .all(|&b| !self.faults.can_recur(self.sc, self.world, b, h))
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

#[cfg(test)]
mod tests {
    use crate::engine::testing::{Tiny, at, up_at};
    use crate::metrics::{TaskSubject, Waiting};
    use crate::model::{AppId, Method};

    #[test]
    fn a_restart_waits_for_the_reboot_then_takes_its_work() {
        let (_, out) = Tiny::default().run();
        // Struck at 01:00, the host reboots for 10 min, a member restarts
        // the app for 30 min.
        assert_eq!(out.apps[0].outages[0].down_at, at(1, 0));
        assert_eq!(up_at(&out, 0), Some(at(1, 40)));
        assert_eq!(out.host_reboots, 1);
        assert_eq!(out.tasks.len(), 1);
        assert_eq!(
            out.tasks[0].subject,
            TaskSubject::App(AppId(0), Method::Restart)
        );
        assert_eq!(out.tasks[0].start, at(1, 10));
        assert_eq!(out.apps[0].method, Some(Method::Restart));
        assert_eq!(out.apps[0].waiting, None);
    }

    #[test]
    fn a_bug_that_can_recur_makes_restart_unsafe_unless_the_strategy_dares() {
        let bug = "    recurrence: 1h\n    fix: never";
        let (_, out) = Tiny {
            bug,
            ..Tiny::default()
        }
        .run();
        assert_eq!(up_at(&out, 0), None);
        assert_eq!(out.apps[0].waiting, Some(Waiting::NoMethod));
        let dare = ", restart_despite_recurrence: true";
        let (_, out) = Tiny {
            bug,
            strategy: dare,
            ..Tiny::default()
        }
        .run();
        assert_eq!(out.apps[0].outages[0].up_at, Some(at(1, 40)));
    }
}
