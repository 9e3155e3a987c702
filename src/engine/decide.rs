//! Recovery decisions: which method each app that went down gets, and
//! when it is queued.

use super::*;

impl<'a> Engine<'a> {
    // ---- recovery decisions --------------------------------------------

    pub(super) fn diagnosed(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        b: BugId,
    ) -> Result<(), SimError> {
        self.evacuated_news = true;
        let state = &mut self.bugs[b.index()];
        state.diagnosed = true;
        // Every strike of the bug so far is explained by this diagnosis;
        // a later strike needs none (the report says it was diagnosed
        // already).
        if state.incident.is_some() {
            for inc in &mut self.out.incidents {
                if inc.bug == b && inc.diagnosed_at.is_none() && inc.at <= now {
                    inc.diagnosed_at = Some(now);
                }
            }
        }
        let waiting = std::mem::take(&mut state.waiting);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "bug {} diagnosed: strategy {} decides how {} app(s) come back", self.sc.bugs[b.index()].id, self.st.id, waiting.len());
        for a in waiting {
            if self.apps[a.index()].phase == Phase::Diagnosis {
                self.set_phase(a, Phase::Healthy);
                if self.apps[a.index()].broken > 0 {
                    self.decide(sched, now, a)?;
                }
            }
        }
        Ok(())
    }

    /// The undiagnosed bug that crashed one of the app's down VMs' hosts.
    pub(super) fn undiagnosed_bug(&self, a: AppId) -> Option<BugId> {
        self.sc.apps[a.index()].vms.iter().find_map(|&v| {
            let h = self.vm_host[v.index()];
            if self.vm_status[v.index()] == VmStatus::Running
                || self.hosts[h.index()].status == HostStatus::Up
            {
                return None;
            }
            self.hosts[h.index()]
                .crashed_by
                .filter(|b| !self.bugs[b.index()].diagnosed)
        })
    }

    /// Chooses the first applicable method of the strategy for a broken app,
    /// from its escalation level on.
    ///
    /// The cluster's HA restart acts by itself, before anyone understands
    /// the bug; every other method waits for the diagnosis.
    pub(super) fn decide(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
    ) -> Result<(), SimError> {
        let level = self.apps[a.index()].level;
        for &m in self.st.methods.iter().skip(level) {
            if m != Method::HaRestart
                && let Some(b) = self.undiagnosed_bug(a)
            {
                self.set_phase(a, Phase::Diagnosis);
                self.bugs[b.index()].waiting.push(a);
                return Ok(());
            }
            if self.applicable(now, a, m) {
                return self.start(sched, now, a, m);
            }
        }
        self.set_phase(a, Phase::NoMethod);
        self.maybe_stuck = true;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "no method of strategy {} can bring {} back", self.st.id, self.sc.apps[a.index()].id);
        Ok(())
    }

    /// Whether restarting on this host is safe: no bug that struck it can
    /// strike again (fixed, or not recurring), unless the strategy takes
    /// the risk.
    pub(super) fn restart_safe(&self, h: HostId) -> bool {
        let host = &self.hosts[h.index()];
        host.status == HostStatus::Up
            || self.st.restart_despite_recurrence
            || host.struck.iter().all(|&b| !self.can_recur(b, h))
    }

    /// Whether bug `b`, which struck host `h`, may crash it again after a
    /// restart: it recurs, and neither a fix, a patch nor the vendor's
    /// workaround stopped it.
    pub(super) fn can_recur(&self, b: BugId, h: HostId) -> bool {
        self.sc.bugs[b.index()].recurrence.is_some()
            && !self.bug_dead(b, h)
            && !self.bugs[b.index()].workaround
    }

    pub(super) fn applicable(&self, now: SimTime, a: AppId, m: Method) -> bool {
        let app = &self.sc.apps[a.index()];
        if app.work(m).is_none() {
            return false;
        }
        let corrupted = app
            .vms
            .iter()
            .any(|v| self.vm_status[v.index()] == VmStatus::Corrupted);
        match m {
            Method::Reinstall => self.st.dr_site.is_some(),
            Method::Restore => {
                self.st.dr_site.is_some() && self.sc.backup.is_some() && self.backup_available()
            }
            Method::Failover => {
                self.st.dr_site.is_some()
                    && self.sc.replication.is_some()
                    && self.link_up()
                    && self.management_available(now)
            }
            Method::Restart => {
                !corrupted
                    && app.vms.iter().all(|&v| {
                        self.vm_status[v.index()] == VmStatus::Running
                            || self.restart_safe(self.vm_host[v.index()])
                    })
            }
            Method::Rebuild => !corrupted && self.st.rebuild_to.is_some(),
            Method::HaRestart => {
                !corrupted
                    && self.management_available(now)
                    && self.find_placement(a, m, &mut HostList::new())
            }
        }
    }

    pub(super) fn start(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        if matches!(m, Method::Restart | Method::Rebuild) {
            let mut waiting = false;
            for i in 0..self.sc.apps[a.index()].vms.len() {
                let v = self.sc.apps[a.index()].vms[i];
                if self.vm_status[v.index()] == VmStatus::Running {
                    continue;
                }
                let h = self.vm_host[v.index()];
                let stale_build = self
                    .st
                    .rebuild_to
                    .is_some_and(|b| self.hosts[h.index()].build != b);
                match self.hosts[h.index()].status {
                    HostStatus::Up => {}
                    HostStatus::Rebooting | HostStatus::Rebuilding | HostStatus::Failed => {
                        waiting = true
                    }
                    HostStatus::Crashed => {
                        waiting = true;
                        if m == Method::Rebuild && stale_build {
                            self.request_rebuild(now, h);
                        } else {
                            self.reboot(sched, now, h)?;
                        }
                    }
                }
            }
            if waiting {
                self.set_phase(a, Phase::Hosts(m));
                return Ok(());
            }
        }
        self.enqueue(now, a, m);
        Ok(())
    }

    /// Raises the app's escalation level past the method that just failed
    /// it, if the strategy escalates after this many recurrences.
    /// A recurrence knocked the app down again, or a crash cut short its
    /// restart (`m` is the method that failed it).
    pub(super) fn escalate_on_failure(&mut self, a: AppId, m: Option<Method>) {
        let state = &mut self.apps[a.index()];
        state.recur_hits += 1;
        let Some(n) = self.st.escalate_after_recurrences else {
            return;
        };
        if state.recur_hits < n {
            return;
        }
        if let Some(pos) = m.and_then(|m| self.st.methods.iter().position(|x| *x == m))
            && pos + 1 > state.level
            && pos + 1 < self.st.methods.len()
        {
            state.level = pos + 1;
            tracing::info!(target: TRACE_TARGET, "{} escalates past {} after {} recurrence(s)", self.sc.apps[a.index()].id, self.st.methods[pos].name(), state.recur_hits);
        }
    }

    /// The escalation deadline of an outage: an app still waiting for its
    /// method (not yet being worked on) moves on to the next method.
    pub(super) fn deadline(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        outage: u32,
    ) -> Result<(), SimError> {
        let state = &self.apps[a.index()];
        if state.outage_no != outage || state.broken == 0 {
            return Ok(());
        }
        let m = match state.phase {
            Phase::Queued(m) | Phase::Hosts(m) | Phase::DrCapacity(m) => m,
            _ => return Ok(()),
        };
        let Some(pos) = self.st.methods.iter().position(|x| *x == m) else {
            return Ok(());
        };
        if pos + 1 >= self.st.methods.len() {
            return Ok(());
        }
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} still down after {}: escalates from {}", self.sc.apps[a.index()].id, self.st.escalate_after.unwrap_or_default(), m.name());
        let state = &mut self.apps[a.index()];
        state.level = state.level.max(pos + 1);
        self.set_phase(a, Phase::Healthy);
        self.decide(sched, now, a)
    }

    /// Every change of a host's status goes through here, so that the
    /// placement index, where only an up host takes VMs, stays in step.
    pub(super) fn set_status(&mut self, h: HostId, status: HostStatus) {
        self.hosts[h.index()].status = status;
        self.placement.set_up(h, status == HostStatus::Up);
    }

    /// Reboots the crashed hosts that no VM needs any more, once the bug
    /// that crashed each is diagnosed and can no longer strike it again
    /// (fixed, patched, worked around, or not recurring). Unlike a restart
    /// in place, nothing is gained by taking the risk earlier, so not even
    /// a strategy that restarts despite recurrences does. The others wait
    /// for the next dispatch after a diagnosis, fix or workaround.
    /// Whether evacuated host `h` may be rebooted now: the bug that
    /// crashed it is diagnosed, and none that struck it can recur.
    pub(super) fn evacuee_rebootable(&self, h: HostId) -> bool {
        let host = &self.hosts[h.index()];
        let known = host
            .crashed_by
            .is_none_or(|b| self.bugs[b.index()].diagnosed);
        known && host.struck.iter().all(|&b| !self.can_recur(b, h))
    }

    pub(super) fn reboot_evacuated(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        let mut hosts = std::mem::take(&mut self.evacuated);
        // In host order, so that the order of reboots never depends on the
        // list's history.
        hosts.sort_unstable();
        hosts.dedup();
        let mut waiting = Vec::new();
        for h in hosts {
            let host = &self.hosts[h.index()];
            if host.status != HostStatus::Crashed || !self.host_vms[h.index()].is_empty() {
                // Rebooted for an app meanwhile, or given VMs again.
                continue;
            }
            if self.evacuee_rebootable(h) {
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} has no VM left: rebooted to give its room back", self.sc.hosts[h.index()].id);
                self.reboot(sched, now, h)?;
            } else {
                waiting.push(h);
            }
        }
        waiting.append(&mut self.evacuated);
        self.evacuated = waiting;
        Ok(())
    }

    pub(super) fn reboot(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Reboot, index);
        let build = &self.sc.builds[host.build.index()];
        // The crash dump must be written first.
        let delay = build
            .reboot
            .sample(&mut rng)
            .saturating_add(host.dump_until.saturating_since(now));
        self.set_status(h, HostStatus::Rebooting);
        self.hosts[h.index()].reboot =
            Some(sched.schedule_in(delay, CLASS_OTHER, Ev::Rebooted(h))?);
        self.out.host_reboots += 1;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} rebooting (restart in place)", self.sc.hosts[h.index()].id);
        Ok(())
    }

    pub(super) fn request_rebuild(&mut self, now: SimTime, h: HostId) {
        self.ready_seq += 1;
        self.set_status(h, HostStatus::Rebuilding);
        self.hosts[h.index()].rebuild_seq = self.ready_seq;
        let entry = ((0, now.as_millis(), h.0), self.ready_seq, Job::Host(h));
        self.lanes[LANE_HOST].push(Reverse(entry));
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} queued for a rebuild", self.sc.hosts[h.index()].id);
    }

    pub(super) fn rebooted(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        let host = &mut self.hosts[h.index()];
        if host.status != HostStatus::Rebooting {
            return Ok(());
        }
        host.reboot = None;
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} is back up", self.sc.hosts[h.index()].id);
        self.host_up(sched, now, h)?;
        self.operation(sched, h, Operation::Restart)
    }

    /// A host is up again (rebooted or rebuilt): an unfixed bug may strike
    /// it again, and apps waiting for it may be restarted.
    pub(super) fn host_up(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        h: HostId,
    ) -> Result<(), SimError> {
        self.set_status(h, HostStatus::Up);
        let host = &mut self.hosts[h.index()];
        host.boots += 1;
        if let Some(since) = host.down_since.take() {
            let d = &mut self.out.hosts[h.index()].downtime;
            *d = d.saturating_add(now.saturating_since(since));
        }
        self.capacity_freed = true;
        // An unfixed bug may strike again (docs/design.md: "Recurrence,
        // workaround, fix").
        let mut next: Option<(SimDuration, BugId)> = None;
        let index = (u64::from(h.0) << 24) | host.boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Recurrence, index);
        for k in 0..self.hosts[h.index()].struck.len() {
            let b = self.hosts[h.index()].struck[k];
            if !self.can_recur(b, h) {
                continue;
            }
            // A host that a recurring bug struck is up: restarting on it
            // is now possible where it was unsafe.
            self.facts_changed = true;
            if let Some(dist) = &self.sc.bugs[b.index()].recurrence {
                let d = dist.sample(&mut rng);
                if next.is_none_or(|(best, _)| d < best) {
                    next = Some((d, b));
                }
            }
        }
        if let Some((delay, b)) = next {
            let ev = sched.schedule_in(delay, CLASS_FAULT, Ev::Recur(b, h))?;
            self.hosts[h.index()].recurrence = Some((ev, b));
        }
        // Uptime and Poisson triggers start again from this boot.
        for b in 0..self.sc.bugs.len() {
            let bug = &self.sc.bugs[b];
            if matches!(bug.trigger, Trigger::Uptime(_) | Trigger::Poisson(_))
                && !self.bug_dead(BugId(b as u32), h)
                && bug.hosts.binary_search(&h).is_ok()
            {
                self.arm_trigger(sched, now, BugId(b as u32), h)?;
            }
        }
        // Apps waiting for this host may now be restarted.
        let mut apps: Vec<AppId> = self.host_vms[h.index()]
            .iter()
            .map(|v| self.sc.vms[v.index()].app)
            .collect();
        apps.sort();
        apps.dedup();
        for a in apps {
            if let Phase::Hosts(m) = self.apps[a.index()].phase
                && self.hosts_ready(a)
            {
                self.enqueue(now, a, m);
            }
        }
        Ok(())
    }

    pub(super) fn hosts_ready(&self, a: AppId) -> bool {
        self.sc.apps[a.index()].vms.iter().all(|&v| {
            self.vm_status[v.index()] == VmStatus::Running
                || self.hosts[self.vm_host[v.index()].index()].status == HostStatus::Up
        })
    }

    /// The facts changed for the better: every app still waiting for its
    /// method to start (queued for a team member, or parked for room at
    /// the DR site) is decided again with the strategy's rules, from its
    /// escalation level on. One whose first applicable method is now
    /// another switches to it (`[restart, reinstall]` restarts in place
    /// once the vendor's workaround makes that safe, instead of
    /// reinstalling for hours); its place in the old queue is dropped.
    /// Work already started (hosts rebooting for a restart, a task in
    /// hand, a transfer) continues: no strategy abandons started work.
    pub(super) fn revisit(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        if !std::mem::take(&mut self.revisable) {
            return Ok(());
        }
        let mut waiting = false;
        for i in 0..self.apps.len() {
            let a = AppId(i as u32);
            let state = &self.apps[i];
            let m = match state.phase {
                Phase::Queued(m) | Phase::DrCapacity(m) if state.broken > 0 => m,
                _ => continue,
            };
            let level = state.level;
            let first = self
                .st
                .methods
                .iter()
                .skip(level)
                .copied()
                .find(|&x| self.applicable(now, a, x));
            match first {
                Some(x) if x != m => {
                    tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} was waiting to {} but can now {}: decided again", self.sc.apps[i].id, m.name(), x.name());
                    self.set_phase(a, Phase::Healthy);
                    self.decide(sched, now, a)?;
                }
                _ => waiting = true,
            }
        }
        self.revisable |= waiting;
        Ok(())
    }

    pub(super) fn enqueue(&mut self, now: SimTime, a: AppId, m: Method) {
        if self.st.methods.len() > 1 {
            self.revisable = true;
        }
        let key = order_key(self.st.order, &self.sc.apps[a.index()], a.0, m, now);
        self.ready_seq += 1;
        self.set_phase(a, Phase::Queued(m));
        let state = &mut self.apps[a.index()];
        state.queue_seq = self.ready_seq;
        state.gated = false;
        self.lanes[m.ordinal() as usize].push(Reverse((key, self.ready_seq, Job::App(a, m))));
    }
}
