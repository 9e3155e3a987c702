//! A recovery completes: the app's VMs run where its method put them, its
//! data loss is recorded, and up/down propagates to its dependents.

use crate::metrics::{DataLoss, Outage};
use crate::model::{AppId, Method, Operation};
use crate::run::trace;
use crate::sim::SimTime;

use super::{Decider, Recovery};
use super::{failover, reinstall, restore};
use crate::run::room::vm_need;
use crate::run::world::{HostStatus, Phase, VmStatus};

impl<D: Decider> Recovery<'_, '_, D> {
    /// The app's method is done: its VMs run (where the method put them)
    /// and its data is back, up to the method's data loss.
    pub(crate) fn recovered(&mut self, now: SimTime, a: AppId, m: Method) {
        let placement = std::mem::take(&mut self.world.apps[a.index()].placement);
        let mut still_down = 0;
        for i in 0..self.sc.apps[a.index()].vms.len() {
            let v = self.sc.apps[a.index()].vms[i];
            if let Some(&new) = placement.get(i) {
                let old = self.world.vm_host[v.index()];
                if old != new {
                    // A VM is on one host's list once: remove it there,
                    // keeping the order of the others.
                    let list = &mut self.world.host_vms[old.index()];
                    if let Some(i) = list.iter().position(|x| *x == v) {
                        list.remove(i);
                    }
                    if self.world.host_vms[old.index()].is_empty()
                        && self.world.hosts[old.index()].status == HostStatus::Crashed
                    {
                        self.recovery.evacuated.push(old);
                        self.recovery.evacuated_news = true;
                    }
                    self.world
                        .placement
                        .give(old, vm_need(&self.sc.vms[v.index()]));
                    self.world.host_vms[new.index()].push(v);
                    self.world.vm_host[v.index()] = new;
                    self.recovery.capacity_freed = true;
                    self.out.moves.push(crate::metrics::VmMove {
                        at: now,
                        vm: v,
                        to: new,
                    });
                    if self.recovery.triggers_on.migration
                        && !self
                            .faults
                            .operations
                            .contains(&(new, Operation::Migration))
                    {
                        self.faults.operations.push((new, Operation::Migration));
                    }
                }
            }
            // A VM placed on a host that crashed meanwhile stays down.
            if self.world.hosts[self.world.vm_host[v.index()].index()].status == HostStatus::Up {
                self.world.vm_status[v.index()] = VmStatus::Running;
            } else if self.world.vm_status[v.index()] != VmStatus::Running {
                self.world.vm_status[v.index()] = VmStatus::Down;
                still_down += 1;
            }
        }
        if m == Method::Restore && self.recovery.triggers_on.restore {
            for &h in &placement {
                if !self.faults.operations.contains(&(h, Operation::Restore)) {
                    self.faults.operations.push((h, Operation::Restore));
                }
            }
        }
        let loss = self.data_loss(a, m);
        self.world.change_app(a, |state| {
            state.broken = still_down;
            state.phase = Phase::Healthy;
        });
        let state = &mut self.world.apps[a.index()];
        // Keep the buffer for the app's next placement.
        state.placement = placement;
        state.placement.clear();
        if still_down > 0 {
            self.recovery.redecide.push(a);
        }
        let record = &mut self.out.apps[a.index()];
        record.method = Some(m);
        record.recoveries += 1;
        record.data_loss = record.data_loss.max(loss);
        trace!(
            now,
            "{} recovered by {}",
            self.sc.apps[a.index()].id,
            m.name()
        );
        self.update_up(now, a);
    }

    /// What a recovery by `m` loses of the app's data.
    pub(crate) fn data_loss(&self, a: AppId, m: Method) -> DataLoss {
        match m {
            Method::Restart | Method::HaRestart | Method::Rebuild => DataLoss::None,
            Method::Restore => restore::data_loss(self, a),
            Method::Reinstall => reinstall::data_loss(self, a),
            Method::Failover => failover::data_loss(self, a),
        }
    }

    /// Recomputes whether `a` is up and propagates changes to its dependents.
    pub(crate) fn update_up(&mut self, now: SimTime, a: AppId) {
        let mut stack = std::mem::take(&mut self.world.up_stack);
        stack.clear();
        stack.push(a);
        while let Some(x) = stack.pop() {
            if self.world.apps[x.index()].broken == 0 {
                // Its own VMs run: apps parked behind it look again.
                self.release_waiters(x);
            }
            let s = &self.world.apps[x.index()];
            let up = s.broken == 0 && s.deps_down == 0;
            if up == s.up {
                continue;
            }
            self.world.apps[x.index()].up = up;
            let record = &mut self.out.apps[x.index()];
            if up {
                if let Some(o) = record.outages.last_mut() {
                    o.up_at = Some(now);
                }
                trace!(now, "app {} is up", self.sc.apps[x.index()].id);
            } else {
                record.outages.push(Outage {
                    down_at: now,
                    up_at: None,
                });
                if let Some(f) = self.faults.current {
                    self.out.faults[f].apps_down.push(x);
                }
                tracing::debug!(target: crate::run::TRACE_TARGET, t = now.as_millis(), "app {} is down", self.sc.apps[x.index()].id);
            }
            for &d in &self.sc.apps[x.index()].dependents {
                let ds = &mut self.world.apps[d.index()];
                if up {
                    ds.deps_down -= 1;
                } else {
                    ds.deps_down += 1;
                }
                stack.push(d);
            }
        }
        self.world.up_stack = stack;
    }
}
