//! The backup system (processor sharing), recovery completion, and the
//! up/down bookkeeping of apps and their dependents.

use super::*;

impl<'a> Engine<'a> {
    // ---- the backup system (processor sharing) -------------------------------

    /// Brings the pool's virtual clock up to `now`.
    pub(super) fn advance_transfers(&mut self, now: SimTime) {
        if !self.backup_available() {
            // Paused: no progress while the backup system or the link is down.
            self.transfers.last = now;
            return;
        }
        let pool = &mut self.transfers;
        let k = pool.active.len();
        if k > 0 {
            pool.virt += now.saturating_since(pool.last).as_millis() as f64 / k as f64;
        }
        pool.last = now;
    }

    /// (Re)schedules the completion of the transfer that finishes first.
    pub(super) fn schedule_transfer(&mut self, sched: &mut Scheduler<Ev>) -> Result<(), SimError> {
        let paused = !self.backup_available();
        let pool = &mut self.transfers;
        if let Some(ev) = pool.event.take() {
            sched.cancel(ev);
        }
        if paused {
            return Ok(());
        }
        let k = pool.active.len() as f64;
        if let Some(first) = pool.active.iter().map(|x| x.1).min_by(f64::total_cmp) {
            let ms = ((first - pool.virt) * k).max(0.0).round() as u64;
            pool.event = Some(sched.schedule_in(
                SimDuration::from_millis(ms),
                CLASS_OTHER,
                Ev::TransferDone,
            )?);
        }
        Ok(())
    }

    pub(super) fn start_transfer(&mut self, now: SimTime, a: AppId, record: usize) {
        let bytes = self.sc.apps[a.index()].data_bytes;
        let per_ms = self.sc.backup.as_ref().map_or(1.0, |b| b.bytes_per_ms);
        let service = bytes as f64 / per_ms;
        let finish = self.transfers.virt + service;
        self.transfers.active.push((a, finish, record));
        self.out.transfers[record].start = Some(now);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "transfer of {} from backup starts ({} in progress)", self.sc.apps[a.index()].id, self.transfers.active.len());
    }

    pub(super) fn request_transfer(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        self.set_phase(a, Phase::Transfer);
        let record = self.out.transfers.len();
        self.out.transfers.push(TransferRecord {
            app: a,
            bytes: self.sc.apps[a.index()].data_bytes,
            queued: now,
            start: None,
            end: None,
        });
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        self.advance_transfers(now);
        if self.transfers.active.len() < streams {
            self.start_transfer(now, a, record);
            self.schedule_transfer(sched)?;
        } else {
            self.transfers.waiting.push_back((a, record));
        }
        Ok(())
    }

    pub(super) fn transfer_done(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        self.transfers.event = None;
        self.advance_transfers(now);
        let Some(i) = self
            .transfers
            .active
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.1.total_cmp(&y.1.1))
            .map(|(i, _)| i)
        else {
            return Ok(());
        };
        let (a, finish, record) = self.transfers.active.remove(i);
        // Exactly the fluid model's instant, up to rounding to the ms.
        self.transfers.virt = self.transfers.virt.max(finish);
        self.out.transfers[record].end = Some(now);
        let n = &mut self.running[Method::Restore.ordinal() as usize];
        *n = n.saturating_sub(1);
        self.recovered(now, a, Method::Restore);
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        while self.transfers.active.len() < streams
            && let Some((next, rec)) = self.transfers.waiting.pop_front()
        {
            self.start_transfer(now, next, rec);
        }
        self.schedule_transfer(sched)
    }

    // ---- recovery completes ---------------------------------------------------

    /// The app's method is done: its VMs run (where the method put them)
    /// and its data is back, up to the method's data loss.
    pub(super) fn recovered(&mut self, now: SimTime, a: AppId, m: Method) {
        let placement = std::mem::take(&mut self.apps[a.index()].placement);
        let mut still_down = 0;
        for i in 0..self.sc.apps[a.index()].vms.len() {
            let v = self.sc.apps[a.index()].vms[i];
            if let Some(&new) = placement.get(i) {
                let old = self.vm_host[v.index()];
                if old != new {
                    // A VM is on one host's list once: remove it there,
                    // keeping the order of the others.
                    let list = &mut self.host_vms[old.index()];
                    if let Some(i) = list.iter().position(|x| *x == v) {
                        list.remove(i);
                    }
                    if self.host_vms[old.index()].is_empty()
                        && self.hosts[old.index()].status == HostStatus::Crashed
                    {
                        self.evacuated.push(old);
                        self.evacuated_news = true;
                    }
                    self.placement.give(old, vm_need(&self.sc.vms[v.index()]));
                    self.host_vms[new.index()].push(v);
                    self.vm_host[v.index()] = new;
                    self.capacity_freed = true;
                    self.out.moves.push(crate::metrics::VmMove {
                        at: now,
                        vm: v,
                        to: new,
                    });
                    if !self.operations.contains(&(new, Operation::Migration)) {
                        self.operations.push((new, Operation::Migration));
                    }
                }
            }
            // A VM placed on a host that crashed meanwhile stays down.
            if self.hosts[self.vm_host[v.index()].index()].status == HostStatus::Up {
                self.vm_status[v.index()] = VmStatus::Running;
            } else if self.vm_status[v.index()] != VmStatus::Running {
                self.vm_status[v.index()] = VmStatus::Down;
                still_down += 1;
            }
        }
        if m == Method::Restore {
            for &h in &placement {
                if !self.operations.contains(&(h, Operation::Restore)) {
                    self.operations.push((h, Operation::Restore));
                }
            }
        }
        let loss = self.data_loss(a, m);
        self.change_app(a, |state| {
            state.broken = still_down;
            state.phase = Phase::Healthy;
        });
        let state = &mut self.apps[a.index()];
        // Keep the buffer for the app's next placement.
        state.placement = placement;
        state.placement.clear();
        if still_down > 0 {
            self.redecide.push(a);
        }
        let record = &mut self.out.apps[a.index()];
        record.method = Some(m);
        record.recoveries += 1;
        record.data_loss = record.data_loss.max(loss);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} recovered by {}", self.sc.apps[a.index()].id, m.name());
        self.update_up(now, a);
    }

    /// What a recovery by `m` loses of the app's data.
    pub(super) fn data_loss(&mut self, a: AppId, m: Method) -> DataLoss {
        let broken_at = self.apps[a.index()].broken_at;
        match m {
            Method::Restart | Method::HaRestart | Method::Rebuild => DataLoss::None,
            Method::Restore | Method::Reinstall => match &self.sc.backup {
                Some(b) => DataLoss::Since(b.data_loss(broken_at)),
                None => DataLoss::All,
            },
            Method::Failover => {
                let attempt = u64::from(self.apps[a.index()].attempts[m.ordinal() as usize]);
                let index = (u64::from(a.0) << 24) | attempt.min((1 << 24) - 1);
                let mut rng = self.rng.stream(Purpose::Replication, index);
                match &self.sc.replication {
                    Some(r) => DataLoss::Since(r.lag.sample(&mut rng)),
                    None => DataLoss::All,
                }
            }
        }
    }

    // ---- up/down bookkeeping ----------------------------------------------

    /// Recomputes whether `a` is up and propagates changes to its dependents.
    pub(super) fn update_up(&mut self, now: SimTime, a: AppId) {
        let mut stack = std::mem::take(&mut self.up_stack);
        stack.clear();
        stack.push(a);
        while let Some(x) = stack.pop() {
            if self.apps[x.index()].broken == 0 {
                // Its own VMs run: apps parked behind it look again.
                self.release_waiters(x);
            }
            let s = &self.apps[x.index()];
            let up = s.broken == 0 && s.deps_down == 0;
            if up == s.up {
                continue;
            }
            self.apps[x.index()].up = up;
            let record = &mut self.out.apps[x.index()];
            if up {
                if let Some(o) = record.outages.last_mut() {
                    o.up_at = Some(now);
                }
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "app {} is up", self.sc.apps[x.index()].id);
            } else {
                record.outages.push(Outage {
                    down_at: now,
                    up_at: None,
                });
                if let Some(f) = self.current_fault {
                    self.out.faults[f].apps_down.push(x);
                }
                tracing::debug!(target: TRACE_TARGET, t = now.as_millis(), "app {} is down", self.sc.apps[x.index()].id);
            }
            for &d in &self.sc.apps[x.index()].dependents {
                let ds = &mut self.apps[d.index()];
                if up {
                    ds.deps_down -= 1;
                } else {
                    ds.deps_down += 1;
                }
                stack.push(d);
            }
        }
        self.up_stack = stack;
    }
}
