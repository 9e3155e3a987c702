//! What recovery does with the fault side's news, which the engine hands
//! it: the apps a fault stopped (work that needed their hosts is
//! abandoned, each is decided again, and the fault's record is closed), a
//! diagnosis (the apps that waited for it are decided), a fix that makes a
//! patch available (hosts are queued for it), and facts that improved (a
//! fix, a workaround: the waiting apps are decided again).

use std::cmp::Reverse;

use crate::faults::Broken;
use crate::metrics::TaskEnd;
use crate::model::{AppId, BugId, Method};
use crate::run::world::Phase;
use crate::run::{Cx, SimError, trace};
use crate::sim::SimTime;

use super::{Decider, Job, Lane, Recovery};

impl<D: Decider> Recovery<'_, '_, D> {
    /// A fault stopped the apps of `broken`: recovery decides how each
    /// comes back, then the fault's record is closed.
    pub(crate) fn after_fault(&mut self, cx: &mut Cx<'_>, broken: Broken) -> Result<(), SimError> {
        self.after_crashes(cx, broken.apps, broken.recurrence)?;
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
        touched.sort_unstable();
        touched.dedup();
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
            self.recovery.lanes[Lane::Hosts].push(Reverse(entry));
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
