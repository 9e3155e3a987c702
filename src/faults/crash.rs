//! What a crash does: a host goes down (a bug's crash or a chaos
//! failure), its VMs stop, some corrupted. The apps touched go back to the
//! engine, which hands them to recovery (work that needed the host is
//! abandoned there, and every app touched is decided again).

use rand::RngExt;

use crate::model::{AppId, BugId, HostId, VmId};
use crate::run::{CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::{Purpose, SimTime, StreamRng};

use crate::run::world::{HostStatus, VmStatus};

use super::Faults;

impl Faults<'_, '_> {
    /// Crashes one host (a bug's crash, or a chaos failure when `b` is
    /// `None`): its VMs go down, some corrupted; recovery tasks that needed
    /// it are abandoned.
    pub(crate) fn crash(
        &mut self,
        cx: &mut Cx<'_>,
        h: HostId,
        b: Option<BugId>,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let now = cx.now;
        if let Some(b) = b {
            self.power_off(now, h, b);
        }
        let host = &mut self.world.hosts[h.index()];
        if let Some(b) = b
            && !host.struck.contains(&b)
        {
            host.struck.push(b);
        }
        if matches!(
            host.status,
            HostStatus::Crashed | HostStatus::Rebuilding | HostStatus::Failed
        ) && b.is_some()
        {
            return Ok(());
        }
        let was_up = host.status == HostStatus::Up;
        self.world.set_status(
            h,
            if b.is_some() {
                HostStatus::Crashed
            } else {
                HostStatus::Failed
            },
        );
        let host = &mut self.world.hosts[h.index()];
        if b.is_some() {
            host.crashed_by = b;
        }
        host.crashes += 1;
        // A pending recurrence or trigger is moot once the host is down; a
        // reboot in progress is lost.
        if let Some((ev, _)) = host.recurrence.take() {
            cx.sched.cancel(ev);
        }
        if let Some(ev) = host.reboot.take() {
            cx.sched.cancel(ev);
        }
        for (ev, _) in host.triggers.drain(..) {
            cx.sched.cancel(ev);
        }
        host.down_since.get_or_insert(now);
        if was_up {
            self.out.hosts[h.index()].failures += 1;
        }
        if let Some(f) = self.faults.current {
            self.out.faults[f].hosts.push(h);
        }
        let Some(b) = b else {
            trace!(now, "host {} failed", self.sc.hosts[h.index()].id);
            let mut autostart = Vec::new();
            for i in 0..self.world.host_vms[h.index()].len() {
                let v = self.world.host_vms[h.index()][i];
                let app = self.world.vm_app(v);
                if self.world.vm_status[v.index()] == VmStatus::Running {
                    self.world.vm_status[v.index()] = VmStatus::Down;
                    self.vm_broken(cx, app)?;
                    autostart.push(v);
                    touched.push(app);
                }
            }
            // A second failure before the repair adds nothing to restart.
            self.faults.autostart[h.index()].extend(autostart);
            return Ok(());
        };
        if let Some(dump) = &self.sc.bugs[b.index()].crash_dump {
            let host = &self.world.hosts[h.index()];
            let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | host.crashes.min(0xFFFF);
            let mut drng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dump.sample(&mut drng));
            self.world.hosts[h.index()].dump_until = until;
        }
        trace!(
            now,
            "host {} crashed: bug {}",
            self.sc.hosts[h.index()].id,
            self.sc.bugs[b.index()].id
        );
        let p = self.sc.bugs[b.index()].corrupt_vm;
        for i in 0..self.world.host_vms[h.index()].len() {
            let v = self.world.host_vms[h.index()][i];
            // One draw per VM whatever its state, so later VMs' fates do
            // not depend on earlier ones' (common random numbers).
            let corrupt = p > 0.0 && rng.random::<f64>() < p;
            self.vm_hit(cx, v, b, corrupt, touched)?;
        }
        Ok(())
    }

    /// Bug `b`'s strike cuts host `h`'s power (`effects.power_off`): it
    /// cannot boot before the drawn delay has passed, even if it was
    /// already down (a second cut only ever extends the first).
    fn power_off(&mut self, now: SimTime, h: HostId, b: BugId) {
        let Some(off) = &self.sc.bugs[b.index()].power_off else {
            return;
        };
        let host = &mut self.world.hosts[h.index()];
        let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | host.crashes.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Power, index);
        let off = off.sample(&mut rng);
        host.power_until = host.power_until.max(now.saturating_add(off));
        trace!(
            now,
            "host {} powered off for {}",
            self.sc.hosts[h.index()].id,
            off
        );
    }

    /// A bug hits a VM: it stops running, corrupted or not.
    pub(crate) fn vm_hit(
        &mut self,
        cx: &mut Cx<'_>,
        v: VmId,
        b: BugId,
        corrupt: bool,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let app = self.world.vm_app(v);
        if self.world.vm_status[v.index()] == VmStatus::Running {
            self.vm_broken(cx, app)?;
        }
        let status = &mut self.world.vm_status[v.index()];
        if corrupt && *status != VmStatus::Corrupted {
            *status = VmStatus::Corrupted;
            if let Some(f) = self.faults.current {
                self.out.faults[f].vms_corrupted += 1;
            }
        } else if *status == VmStatus::Running {
            *status = VmStatus::Down;
        }
        self.world.apps[app.index()].down_bug = Some(b);
        // Deduplicated once per fault, in `after_crashes`.
        touched.push(app);
        Ok(())
    }

    /// One more of the app's VMs stopped running. The first one starts an
    /// outage of its data: the escalation deadline counts from here.
    #[inline(always)]
    pub(crate) fn vm_broken(&mut self, cx: &mut Cx<'_>, a: AppId) -> Result<(), SimError> {
        let now = cx.now;
        self.world.change_app(a, |s| s.broken += 1);
        let state = &mut self.world.apps[a.index()];
        if state.broken == 1 {
            state.broken_at = now;
            state.outage_no += 1;
            if let Some(after) = self.st.escalate_after {
                cx.sched
                    .schedule_in(after, CLASS_OTHER, Ev::Deadline(a, state.outage_no))?;
            }
        }
        Ok(())
    }
}
