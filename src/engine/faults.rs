//! Faults: strikes, crashes, recurrences, per-host triggers, the vendor's
//! diagnosis, fix, patches and workaround, and the compounding outages and
//! chaos failures.

use super::*;

impl<'a> Engine<'a> {
    // ---- faults -------------------------------------------------------

    pub(super) fn strike(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        if self.bugs[b.index()].fixed {
            return Ok(());
        }
        let mut rng = self.rng.stream(Purpose::Faults, b.0 as u64);
        self.open_incident(now, b);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes {} host(s) in its scope", bug.id, bug.hosts.len());
        let mut touched = Vec::new();
        for &h in &bug.hosts {
            // One draw per host in scope whatever happens to it (common
            // random numbers across strategies).
            let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
            if hit {
                self.hit(sched, now, h, b, &mut rng, &mut touched)?;
            }
        }
        self.fault_rng[b.index()] = Some(rng);
        self.struck_effects(sched, now, b)?;
        self.after_crashes(sched, now, touched, false)?;
        self.close_fault(now);
        Ok(())
    }

    /// A per-host trigger fired: the bug strikes this one host.
    pub(super) fn strike_host(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        self.hosts[h.index()].triggers.retain(|(_, x)| *x != b);
        let bug = &self.sc.bugs[b.index()];
        let host = &self.hosts[h.index()];
        if self.bug_dead(b, h) || host.status != HostStatus::Up || !bug.builds.contains(&host.build)
        {
            return Ok(());
        }
        let n = host.trigger_draws;
        self.hosts[h.index()].trigger_draws += 1;
        let index = (1 << 62) | (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Faults, index);
        let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
        if hit {
            self.open_incident(now, b);
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes host {}", bug.id, self.sc.hosts[h.index()].id);
            let mut touched = Vec::new();
            self.hit(sched, now, h, b, &mut rng, &mut touched)?;
            self.struck_effects(sched, now, b)?;
            self.after_crashes(sched, now, touched, false)?;
            self.close_fault(now);
        }
        // A Poisson or uptime trigger fires again while the host stays up.
        if self.hosts[h.index()].status == HostStatus::Up
            && matches!(bug.trigger, Trigger::Uptime(_) | Trigger::Poisson(_))
        {
            self.arm_trigger(sched, now, b, h)?;
        }
        Ok(())
    }

    /// Schedules the next firing of a per-host trigger (uptime threshold or
    /// Poisson) of bug `b` on host `h`, which is up since its last boot.
    pub(super) fn arm_trigger(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        let n = host.trigger_draws;
        host.trigger_draws += 1;
        let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Trigger, index);
        let delay = match &self.sc.bugs[b.index()].trigger {
            Trigger::Uptime(threshold) => {
                let t = threshold.sample(&mut rng);
                // At the start, the host has been up for a while already.
                if now == SimTime::ZERO && host.boots == 0 {
                    t.saturating_sub(self.sc.hosts[h.index()].uptime)
                } else {
                    t
                }
            }
            Trigger::Poisson(mean) => {
                let u: f64 = rng.random();
                SimDuration::from_millis_f64(-(1.0 - u).ln() * mean.as_millis() as f64)
            }
            Trigger::At(_) | Trigger::On(..) => return Ok(()),
        };
        let ev = sched.schedule_in(delay, CLASS_FAULT, Ev::StrikeHost(b, h))?;
        self.hosts[h.index()].triggers.push((ev, b));
        Ok(())
    }

    /// An operation happened on a host: bugs triggered by it may strike.
    pub(super) fn operation(
        &mut self,
        sched: &mut Scheduler<Ev>,
        h: HostId,
        op: Operation,
    ) -> Result<(), SimError> {
        for b in 0..self.sc.bugs.len() {
            let bug = &self.sc.bugs[b];
            let Trigger::On(what, p) = bug.trigger else {
                continue;
            };
            if what != op
                || self.bug_dead(BugId(b as u32), h)
                || bug.hosts.binary_search(&h).is_err()
            {
                continue;
            }
            let host = &mut self.hosts[h.index()];
            let n = host.trigger_draws;
            host.trigger_draws += 1;
            let index = (u64::from(b as u32) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
            let mut rng = self.rng.stream(Purpose::Trigger, index);
            if rng.random::<f64>() < p {
                let ev = sched.schedule_in(
                    SimDuration::ZERO,
                    CLASS_FAULT,
                    Ev::StrikeHost(BugId(b as u32), h),
                )?;
                self.hosts[h.index()].triggers.push((ev, BugId(b as u32)));
            }
        }
        Ok(())
    }

    /// Records a strike: a fault and an incident.
    pub(super) fn open_incident(&mut self, now: SimTime, b: BugId) {
        let fault = self.open_fault(now, Some(b), FaultKind::Strike);
        let incident = self.out.incidents.len();
        self.out.incidents.push(Incident {
            fault,
            bug: b,
            at: now,
            diagnosed_at: None,
            recovery_started: None,
            apps: Vec::new(),
            restored: Vec::new(),
            milestones: Milestones::default(),
        });
        self.bugs[b.index()].incident.get_or_insert(incident);
    }

    /// Applies a bug's per-host effects to a host it hits.
    pub(super) fn hit(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
        b: BugId,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        // A host rebuilt on a build without the defect, or patched, is immune.
        if !bug.builds.contains(&self.hosts[h.index()].build)
            || self.hosts[h.index()].patched.contains(&b)
        {
            return Ok(());
        }
        if bug.crash {
            self.crash(sched, now, h, Some(b), rng, touched)?;
        }
        if bug.datastore_loss {
            for i in 0..self.host_vms[h.index()].len() {
                let v = self.host_vms[h.index()][i];
                self.vm_hit(sched, now, v, b, true, touched)?;
            }
        }
        Ok(())
    }

    /// What a strike does beyond its hosts: the management plane, and on
    /// the bug's first strike its diagnosis and the vendor's clock.
    pub(super) fn struck_effects(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        if let Some(dist) = &bug.management_plane {
            let state = &mut self.bugs[b.index()];
            let index = (u64::from(b.0) << 40) | (0xFFFF << 16) | state.mgmt_losses.min(0xFFFF);
            state.mgmt_losses += 1;
            let mut rng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dist.sample(&mut rng));
            if until > self.management_until {
                self.management_until = until;
                sched.schedule_at(until, CLASS_OTHER, Ev::ManagementBack)?;
            }
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the management plane is lost: no HA restart or failover until it is back");
        }
        if self.bugs[b.index()].struck {
            return Ok(());
        }
        self.bugs[b.index()].struck = true;
        let mut drng = self.rng.stream(Purpose::Diagnosis, b.0 as u64);
        let delay = self
            .st
            .detection
            .sample(&mut drng)
            .saturating_add(self.st.diagnosis.sample(&mut drng));
        sched.schedule_in(delay, CLASS_OTHER, Ev::Diagnosed(b))?;
        let mut frng = self.rng.stream(Purpose::Fix, b.0 as u64);
        if let Some(fix) = &bug.fix {
            sched.schedule_in(fix.sample(&mut frng), CLASS_FIX, Ev::Fixed(b))?;
        }
        if let Some(vendor) = &bug.vendor {
            // Vendor effort counts in its support hours only.
            let when = |work: SimDuration| match &vendor.support {
                None => Some(now.saturating_add(work)),
                Some(roster) => roster.worker(0).finish(now, work),
            };
            if let Some(fix) = &vendor.fix
                && let Some(t) = when(fix.sample(&mut frng))
            {
                sched.schedule_at(t, CLASS_FIX, Ev::Fixed(b))?;
            }
            let mut wrng = self.rng.stream(Purpose::Fix, (1 << 32) | u64::from(b.0));
            if let Some(w) = &vendor.workaround
                && let Some(t) = when(w.sample(&mut wrng))
            {
                sched.schedule_at(t, CLASS_FIX, Ev::Workaround(b))?;
            }
        }
        Ok(())
    }

    pub(super) fn recur(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        self.hosts[h.index()].recurrence = None;
        if self.hosts[h.index()].status != HostStatus::Up || self.bug_dead(b, h) {
            return Ok(());
        }
        self.out.recurrences += 1;
        self.open_fault(now, Some(b), FaultKind::Recurrence);
        let mut rng = match self.fault_rng[b.index()].take() {
            Some(rng) => rng,
            None => self.rng.stream(Purpose::Faults, b.0 as u64),
        };
        tracing::warn!(target: TRACE_TARGET, t = now.as_millis(), "bug {} strikes again on restarted host {}", self.sc.bugs[b.index()].id, self.sc.hosts[h.index()].id);
        let mut touched = Vec::new();
        self.crash(sched, now, h, Some(b), &mut rng, &mut touched)?;
        self.fault_rng[b.index()] = Some(rng);
        self.after_crashes(sched, now, touched, true)?;
        self.close_fault(now);
        Ok(())
    }

    pub(super) fn open_fault(
        &mut self,
        now: SimTime,
        bug: Option<BugId>,
        kind: FaultKind,
    ) -> usize {
        let i = self.out.faults.len();
        self.out.faults.push(FaultRecord {
            at: now,
            bug,
            kind,
            hosts: Vec::new(),
            vms_corrupted: 0,
            apps_down: Vec::new(),
        });
        self.current_fault = Some(i);
        i
    }

    pub(super) fn close_fault(&mut self, now: SimTime) {
        if let Some(i) = self.current_fault.take() {
            let f = &mut self.out.faults[i];
            f.apps_down.sort();
            if f.kind == FaultKind::Strike
                && let Some(inc) = self.out.incidents.iter_mut().rev().find(|x| x.fault == i)
            {
                inc.apps = f.apps_down.clone();
            }
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} host(s) crashed, {} VM(s) corrupted, {} app(s) down", f.hosts.len(), f.vms_corrupted, f.apps_down.len());
        }
    }

    /// Crashes one host (a bug's crash, or a chaos failure when `b` is
    /// `None`): its VMs go down, some corrupted; recovery tasks that needed
    /// it are abandoned.
    pub(super) fn crash(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
        b: Option<BugId>,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
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
        self.set_status(
            h,
            if b.is_some() {
                HostStatus::Crashed
            } else {
                HostStatus::Failed
            },
        );
        let host = &mut self.hosts[h.index()];
        if b.is_some() {
            host.crashed_by = b;
        }
        host.crashes += 1;
        // A pending recurrence or trigger is moot once the host is down; a
        // reboot in progress is lost.
        if let Some((ev, _)) = host.recurrence.take() {
            sched.cancel(ev);
        }
        if let Some(ev) = host.reboot.take() {
            sched.cancel(ev);
        }
        for (ev, _) in host.triggers.drain(..) {
            sched.cancel(ev);
        }
        host.down_since.get_or_insert(now);
        if was_up {
            self.out.hosts[h.index()].failures += 1;
        }
        if let Some(f) = self.current_fault {
            self.out.faults[f].hosts.push(h);
        }
        let Some(b) = b else {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} failed", self.sc.hosts[h.index()].id);
            let mut autostart = Vec::new();
            for i in 0..self.host_vms[h.index()].len() {
                let v = self.host_vms[h.index()][i];
                let app = self.sc.vms[v.index()].app;
                if self.vm_status[v.index()] == VmStatus::Running {
                    self.vm_status[v.index()] = VmStatus::Down;
                    self.vm_broken(sched, now, app)?;
                    autostart.push(v);
                    touched.push(app);
                }
            }
            // A second failure before the repair adds nothing to restart.
            self.autostart[h.index()].extend(autostart);
            return Ok(());
        };
        if let Some(dump) = &self.sc.bugs[b.index()].crash_dump {
            let host = &self.hosts[h.index()];
            let index = (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | host.crashes.min(0xFFFF);
            let mut drng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dump.sample(&mut drng));
            self.hosts[h.index()].dump_until = until;
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} crashed: bug {}", self.sc.hosts[h.index()].id, self.sc.bugs[b.index()].id);
        let p = self.sc.bugs[b.index()].corrupt_vm;
        for i in 0..self.host_vms[h.index()].len() {
            let v = self.host_vms[h.index()][i];
            // One draw per VM whatever its state, so later VMs' fates do
            // not depend on earlier ones' (common random numbers).
            let corrupt = p > 0.0 && rng.random::<f64>() < p;
            self.vm_hit(sched, now, v, b, corrupt, touched)?;
        }
        Ok(())
    }

    /// A bug hits a VM: it stops running, corrupted or not.
    pub(super) fn vm_hit(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        v: VmId,
        b: BugId,
        corrupt: bool,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let app = self.sc.vms[v.index()].app;
        if self.vm_status[v.index()] == VmStatus::Running {
            self.vm_broken(sched, now, app)?;
        }
        let status = &mut self.vm_status[v.index()];
        if corrupt && *status != VmStatus::Corrupted {
            *status = VmStatus::Corrupted;
            if let Some(f) = self.current_fault {
                self.out.faults[f].vms_corrupted += 1;
            }
        } else if *status == VmStatus::Running {
            *status = VmStatus::Down;
        }
        self.apps[app.index()].down_bug = Some(b);
        // Deduplicated once per fault, in `after_crashes`.
        touched.push(app);
        Ok(())
    }

    /// One more of the app's VMs stopped running. The first one starts an
    /// outage of its data: the escalation deadline counts from here.
    #[inline(always)]
    pub(super) fn vm_broken(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        self.change_app(a, |s| s.broken += 1);
        let state = &mut self.apps[a.index()];
        if state.broken == 1 {
            state.broken_at = now;
            state.outage_no += 1;
            if let Some(after) = self.st.escalate_after {
                sched.schedule_in(after, CLASS_OTHER, Ev::Deadline(a, state.outage_no))?;
            }
        }
        Ok(())
    }

    /// After a batch of crashes: abandon restarts that lost their host,
    /// update up/down states, and decide how each touched app comes back.
    pub(super) fn after_crashes(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        mut touched: Vec<AppId>,
        recurrence: bool,
    ) -> Result<(), SimError> {
        touched.sort_unstable();
        touched.dedup();
        for &a in &touched {
            let phase = self.apps[a.index()].phase;
            let mut failed = None;
            match phase {
                Phase::InProgress(m @ (Method::Restart | Method::Rebuild)) => {
                    failed = Some(m);
                    if let Some(w) = self.apps[a.index()].worker.take()
                        && let Some(task) = self.take_task(w)
                    {
                        if let Some(ev) = task.event {
                            sched.cancel(ev);
                        }
                        self.end_task(&task, now, TaskEnd::Abandoned);
                        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} of {} abandoned: its host crashed", m.name(), self.sc.apps[a.index()].id);
                    }
                    self.set_phase(a, Phase::Healthy);
                }
                Phase::Queued(Method::Restart | Method::Rebuild | Method::HaRestart)
                | Phase::Hosts(_)
                | Phase::NoMethod => {
                    self.set_phase(a, Phase::Healthy);
                }
                _ => {}
            }
            if recurrence || failed.is_some() {
                let m = failed.or(self.out.apps[a.index()].method);
                self.escalate_on_failure(a, m);
            }
            self.update_up(now, a);
        }
        for &a in &touched {
            if self.apps[a.index()].phase == Phase::Healthy && self.apps[a.index()].broken > 0 {
                self.decide(sched, now, a)?;
            }
        }
        Ok(())
    }

    pub(super) fn fixed(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        if self.st.patch_when_fixed {
            self.fix_available(now, b);
            return Ok(());
        }
        self.bugs[b.index()].fixed = true;
        self.evacuated_news = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's fix for bug {} is applied", self.sc.bugs[b.index()].id);
        self.cancel_recurrences(sched, b);
        for h in &mut self.hosts {
            h.triggers.retain(|&(ev, bug)| {
                if bug == b {
                    sched.cancel(ev);
                }
                bug != b
            });
        }
        // Restart may have become safe.
        self.services_back(sched, now)
    }

    /// The vendor's fix exists: with `patch_when_fixed`, every host that
    /// carries the bug waits for a `rebuild`-skilled member to patch it.
    pub(super) fn fix_available(&mut self, now: SimTime, b: BugId) {
        self.bugs[b.index()].fix_available = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's fix for bug {} is available: hosts are queued for patching", self.sc.bugs[b.index()].id);
        let bug = &self.sc.bugs[b.index()];
        for &h in &bug.hosts {
            let host = &self.hosts[h.index()];
            if host.patch_pending.is_some()
                || host.patched.contains(&b)
                || !bug.builds.contains(&host.build)
            {
                continue;
            }
            self.ready_seq += 1;
            self.hosts[h.index()].patch_pending = Some(self.ready_seq);
            let entry = ((0, now.as_millis(), h.0), self.ready_seq, Job::Patch(h));
            self.lanes[LANE_HOST].push(Reverse(entry));
        }
    }

    /// A host is patched: every bug whose fix is available and that its
    /// build carries no longer affects it.
    pub(super) fn patched(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let build = self.hosts[h.index()].build;
        let fixed: Vec<BugId> = (0..self.sc.bugs.len())
            .map(|b| BugId(b as u32))
            .filter(|b| {
                self.bugs[b.index()].fix_available
                    && self.sc.bugs[b.index()].builds.contains(&build)
            })
            .collect();
        let host = &mut self.hosts[h.index()];
        host.patch_pending = None;
        for &b in &fixed {
            if !host.patched.contains(&b) {
                host.patched.push(b);
                self.evacuated_news = true;
            }
        }
        host.struck.retain(|b| !fixed.contains(b));
        if let Some((ev, b)) = host.recurrence
            && fixed.contains(&b)
        {
            sched.cancel(ev);
            host.recurrence = None;
        }
        host.triggers.retain(|&(ev, b)| {
            if fixed.contains(&b) {
                sched.cancel(ev);
            }
            !fixed.contains(&b)
        });
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} patched", self.sc.hosts[h.index()].id);
        // Restarting on it may be safe now.
        self.services_back(sched, now)
    }

    pub(super) fn cancel_recurrences(&mut self, sched: &mut Scheduler<Ev>, b: BugId) {
        for h in &mut self.hosts {
            if let Some((ev, bug)) = h.recurrence
                && bug == b
            {
                sched.cancel(ev);
                h.recurrence = None;
            }
        }
    }

    /// The vendor's workaround: restarted hosts no longer crash again.
    pub(super) fn workaround(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        self.bugs[b.index()].workaround = true;
        self.evacuated_news = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "the vendor's workaround for bug {} is applied: no more recurrences", self.sc.bugs[b.index()].id);
        self.cancel_recurrences(sched, b);
        // Restart may be safe now.
        self.services_back(sched, now)
    }

    /// Something that limited methods is back (a fix, the management
    /// plane, a shared service): apps no method could help are decided again.
    pub(super) fn services_back(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        // Apps waiting for a method may now have a better one.
        self.facts_changed = true;
        // Each host patched calls this: without the flag, patching every
        // host of a large estate would scan every app each time.
        if !std::mem::take(&mut self.maybe_stuck) {
            return Ok(());
        }
        for a in 0..self.apps.len() {
            if self.apps[a].phase == Phase::NoMethod {
                self.set_phase(AppId(a as u32), Phase::Healthy);
                self.decide(sched, now, AppId(a as u32))?;
            }
        }
        Ok(())
    }

    // ---- compounding outages and chaos -----------------------------------------

    pub(super) fn management_available(&self, now: SimTime) -> bool {
        now >= self.management_until
            && self.outages_active[outage_slot(OutageKind::Management)] == 0
    }

    pub(super) fn link_up(&self) -> bool {
        self.outages_active[outage_slot(OutageKind::Link)] == 0
    }

    /// Restores can read from the backup system at the DR site.
    pub(super) fn backup_available(&self) -> bool {
        self.outages_active[outage_slot(OutageKind::Backup)] == 0 && self.link_up()
    }

    pub(super) fn outage_start(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        i: u32,
    ) -> Result<(), SimError> {
        let outage = &self.sc.outages[i as usize];
        let mut rng = self.rng.stream(Purpose::Outage, u64::from(i));
        let d = outage.duration.sample(&mut rng);
        self.advance_transfers(now);
        self.outages_active[outage_slot(outage.kind)] += 1;
        sched.schedule_in(d, CLASS_FIX, Ev::OutageEnd(i))?;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "outage: the {} is unavailable for {d}", outage.kind.name());
        self.schedule_transfer(sched)
    }

    pub(super) fn outage_end(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        i: u32,
    ) -> Result<(), SimError> {
        let kind = self.sc.outages[i as usize].kind;
        self.advance_transfers(now);
        let n = &mut self.outages_active[outage_slot(kind)];
        *n = n.saturating_sub(1);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "outage over: the {} is back", kind.name());
        self.schedule_transfer(sched)?;
        self.services_back(sched, now)
    }

    /// Schedules the next failure of chaos process `c` on host `h`.
    pub(super) fn arm_chaos(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        let k = self.chaos_cycles[c as usize][self.chaos_slot(c, h)];
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let d = self.sc.chaos[c as usize].mtbf.sample(&mut rng);
        sched.schedule_at(now.saturating_add(d), CLASS_FAULT, Ev::ChaosFail(c, h))?;
        Ok(())
    }

    /// Position of host `h` in chaos process `c`'s host list.
    pub(super) fn chaos_slot(&self, c: u32, h: HostId) -> usize {
        self.sc.chaos[c as usize]
            .hosts
            .binary_search(&h)
            .unwrap_or(0)
    }

    pub(super) fn chaos_fail(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        let slot = self.chaos_slot(c, h);
        let k = self.chaos_cycles[c as usize][slot];
        self.chaos_cycles[c as usize][slot] += 1;
        let index = (u64::from(c) << 40) | (u64::from(h.0) << 16) | (2 * k + 1).min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Chaos, index);
        let repair = self.sc.chaos[c as usize].mttr.sample(&mut rng);
        self.open_fault(now, None, FaultKind::Chaos(c));
        let mut touched = Vec::new();
        self.crash(sched, now, h, None, &mut rng, &mut touched)?;
        sched.schedule_in(repair, CLASS_OTHER, Ev::ChaosRepair(c, h))?;
        self.after_crashes(sched, now, touched, false)?;
        self.close_fault(now);
        Ok(())
    }

    pub(super) fn chaos_repair(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        c: u32,
        h: HostId,
    ) -> Result<(), SimError> {
        if self.hosts[h.index()].status == HostStatus::Failed {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} repaired", self.sc.hosts[h.index()].id);
            self.host_up(sched, now, h)?;
            for v in std::mem::take(&mut self.autostart[h.index()]) {
                if self.vm_host[v.index()] != h || self.vm_status[v.index()] != VmStatus::Down {
                    continue;
                }
                self.vm_status[v.index()] = VmStatus::Running;
                let a = self.sc.vms[v.index()].app;
                self.change_app(a, |state| {
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
        }
        self.arm_chaos(sched, now, c, h)
    }
}
