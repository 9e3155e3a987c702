//! What recovery does with the fault side's news, which the engine hands
//! it: the apps a fault stopped (work that needed their hosts is
//! abandoned, each is decided again, and the fault's record is closed), a
//! diagnosis (the apps that waited for it are decided), a fix that makes a
//! patch available (hosts are queued for it), and facts that improved (a
//! fix, a workaround: the waiting apps are decided again).

use std::cmp::Reverse;

use crate::faults::Broken;
use crate::metrics::TaskEnd;
use crate::model::{AppId, BugId, HostId, Method};
use crate::run::world::{HostStatus, Phase};
use crate::run::{Cx, SimError, trace};
use crate::sim::SimTime;

use super::{Decider, Job, Lane, Recovery};

impl<D: Decider> Recovery<'_, '_, D> {
    /// A fault stopped the apps of `broken`: recovery decides how each
    /// comes back, then the fault's record is closed.
    pub(crate) fn after_fault(&mut self, cx: &mut Cx<'_>, broken: Broken) -> Result<(), SimError> {
        self.after_crashes(cx, broken.apps, broken.recurrence)?;
        // The fault's apps down in order (`close_fault` sorts them too, in
        // linear time once they are), through the kept marks.
        if let Some(f) = self.faults.current {
            crate::sim::bitset::sort_by_index(
                &mut self.out.faults[f].apps_down,
                &mut self.recovery.seen,
                |a| a.0,
                AppId,
            );
        }
        self.fault_side().close_fault(cx.now);
        Ok(())
    }

    /// After a batch of crashes: abandon restarts that lost their host,
    /// update up/down states, and decide how each touched app comes back.
    fn after_crashes(
        &mut self,
        cx: &mut Cx<'_>,
        mut touched: Vec<AppId>,
        recurrence: bool,
    ) -> Result<(), SimError> {
        let now = cx.now;
        crate::sim::bitset::sort_dedup_by_index(
            &mut touched,
            &mut self.recovery.seen,
            |a| a.0,
            AppId,
        );
        for &a in &touched {
            let phase = self.world.apps[a.index()].phase;
            let mut failed = None;
            match phase {
                Phase::InProgress(m @ (Method::Restart | Method::Rebuild)) => {
                    failed = Some(m);
                    if let Some(w) = self.world.apps[a.index()].worker.take()
                        && let Some(task) = self.take_task(w)
                    {
                        if let Some(ev) = task.event {
                            cx.sched.cancel(ev);
                        }
                        self.end_task(&task, now, TaskEnd::Abandoned);
                        trace!(
                            now,
                            "{} of {} abandoned: its host crashed",
                            m.name(),
                            self.sc.apps[a.index()].id
                        );
                    }
                    self.world.set_phase(a, Phase::Healthy);
                }
                Phase::Queued(Method::Restart | Method::Rebuild | Method::HaRestart)
                | Phase::Hosts(_)
                | Phase::NoMethod => {
                    self.world.set_phase(a, Phase::Healthy);
                }
                _ => {}
            }
            if recurrence || failed.is_some() {
                let m = failed.or(self.out.apps[a.index()].method);
                self.escalate_on_failure(now, a, m);
            }
            self.update_up(now, a);
        }
        for &a in &touched {
            if self.world.apps[a.index()].phase == Phase::Healthy
                && self.world.apps[a.index()].broken > 0
            {
                self.decide(cx, a)?;
            }
        }
        Ok(())
    }

    /// A bug is diagnosed: the apps that waited for its diagnosis are
    /// decided.
    pub(crate) fn diagnosed(
        &mut self,
        cx: &mut Cx<'_>,
        waiting: Vec<AppId>,
    ) -> Result<(), SimError> {
        self.recovery.evacuated_news = true;
        // A crashed host that held no VM (a DR host struck with the
        // primary) is evacuated from the start: like an evacuated one, it
        // reboots once its bug is known and cannot strike again. Without
        // this nothing ever rebooted it and apps waited for its room.
        for h in 0..self.world.hosts.len() {
            if self.world.hosts[h].status == HostStatus::Crashed
                && self.world.host_vms[h].is_empty()
            {
                self.recovery.evacuated.push(HostId(h as u32));
            }
        }
        for a in waiting {
            if self.world.apps[a.index()].phase == Phase::Diagnosis {
                self.world.set_phase(a, Phase::Healthy);
                if self.world.apps[a.index()].broken > 0 {
                    self.decide(cx, a)?;
                }
            }
        }
        Ok(())
    }

    /// The vendor's fix for bug `b` is available (`patch_when_fixed`):
    /// every host that carries the bug waits for a `rebuild`-skilled
    /// member to patch it.
    pub(crate) fn queue_patches(&mut self, now: SimTime, b: BugId) {
        let bug = &self.sc.bugs[b.index()];
        for &h in &bug.hosts {
            let host = &self.world.hosts[h.index()];
            if host.patch_pending.is_some()
                || host.patched.contains(&b)
                || !bug.builds.contains(&host.build)
            {
                continue;
            }
            self.recovery.ready_seq += 1;
            self.world.hosts[h.index()].patch_pending = Some(self.recovery.ready_seq);
            let entry = (
                (0, now.as_millis(), h.0),
                self.recovery.ready_seq,
                Job::Patch(h),
            );
            self.recovery.lanes.push(Lane::Hosts, Reverse(entry));
        }
    }

    /// A fix or a workaround ended a bug's strikes or recurrences: an
    /// evacuated host may reboot, restarting may be safe, and the apps no
    /// method could help are decided again.
    pub(crate) fn facts_improved(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        self.recovery.evacuated_news = true;
        self.services_back(cx)
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::{Tiny, up_at};

    /// A second bug crashes the empty DR host at 00:30, before the
    /// production strike at 01:00 corrupts the one app, which must be
    /// reinstalled there. The DR host held no VM, so nothing evacuated
    /// it; it must still reboot once its bug is diagnosed, or the app
    /// waits for its room for ever.
    #[test]
    fn a_crashed_empty_host_reboots_once_its_bug_is_known() {
        let (_, out) = Tiny {
            corrupt: 1.0,
            methods: "[reinstall]",
            bug: "  - id: dr-bug
    builds: [b]
    trigger: { at: 2024-01-01 00:30 }
    scope: { clusters: [drc] }
    effects: { corrupt_vm: 0 }",
            ..Tiny::default()
        }
        .run();
        assert!(up_at(&out, 0).is_some(), "the app never came back");
    }
}
