//! People and lanes: runbook waves, the dispatcher, tasks, workers and
//! their shifts.

use super::*;

impl<'a> Engine<'a> {
    // ---- people and lanes ---------------------------------------------------

    /// The app that keeps `a` from starting under dependency-aware order,
    /// if any. A dependency is fine when it is up or being restored; one
    /// whose own VMs run but which waits for its own dependencies is fine
    /// when they are; otherwise it (or the app deeper down that holds it
    /// back) is the blocker: `a` waits for that app to start or come back.
    pub(super) fn dependency_blocker(&mut self, a: AppId) -> Option<AppId> {
        self.visit_epoch = self.visit_epoch.wrapping_add(1);
        if self.visit_epoch == 0 {
            self.visited.iter_mut().for_each(|v| *v = 0);
            self.visit_epoch = 1;
        }
        let epoch = self.visit_epoch;
        let mut stack = std::mem::take(&mut self.dep_stack);
        stack.clear();
        stack.extend(self.sc.apps[a.index()].depends_on.iter().copied());
        let mut blocker = None;
        while let Some(d) = stack.pop() {
            if self.visited[d.index()] == epoch {
                continue;
            }
            self.visited[d.index()] = epoch;
            let s = &self.apps[d.index()];
            if s.up || matches!(s.phase, Phase::InProgress(_) | Phase::Transfer) {
                continue;
            }
            if s.broken == 0 {
                stack.extend(self.sc.apps[d.index()].depends_on.iter().copied());
                continue;
            }
            blocker = Some(d);
            break;
        }
        self.dep_stack = stack;
        blocker
    }

    /// App `x` started, came back or runs again: apps waiting for it under
    /// dependency-aware order are examined again.
    pub(super) fn release_waiters(&mut self, x: AppId) {
        if self.waiting_on.is_empty() || self.waiting_on[x.index()].is_empty() {
            return;
        }
        for entry in std::mem::take(&mut self.waiting_on[x.index()]) {
            if let Job::App(a, _) = entry.2 {
                self.apps[a.index()].gated = false;
            }
            self.lanes[lane_of(entry.2)].push(Reverse(entry));
        }
    }

    /// The recovery of app `a` starts: the incident that last took it down
    /// (a bug's strike, not chaos) has its restoration started, if it had not.
    pub(super) fn recovery_starts(&mut self, a: AppId, now: SimTime) {
        let Some(b) = self.apps[a.index()].down_bug else {
            return;
        };
        // An incident's apps are listed once its strike is over; an HA
        // restart may start during the strike itself.
        if let Some(inc) = self.out.incidents.iter_mut().rev().find(|inc| {
            inc.at <= now
                && (inc.apps.binary_search(&a).is_ok()
                    || (inc.at == now && inc.apps.is_empty() && inc.bug == b))
        }) {
            inc.recovery_started.get_or_insert(now);
        }
    }

    /// Whether a job is still wanted: the app, host or wave state it was
    /// queued for has not moved on since.
    pub(super) fn job_valid(&self, seq: u64, job: Job) -> bool {
        match job {
            Job::App(a, m) => {
                let s = &self.apps[a.index()];
                s.phase == Phase::Queued(m) && s.queue_seq == seq
            }
            Job::Host(h) => {
                let s = &self.hosts[h.index()];
                s.status == HostStatus::Rebuilding && s.rebuild_seq == seq
            }
            Job::Patch(h) => self.hosts[h.index()].patch_pending == Some(seq),
            Job::Go(w) => {
                let s = &self.waves[w as usize];
                s.go_pending && s.go_seq == seq
            }
        }
    }

    /// Whether bug `b` can no longer strike or recur on host `h`: fixed
    /// everywhere, or patched there.
    pub(super) fn bug_dead(&self, b: BugId, h: HostId) -> bool {
        self.bugs[b.index()].fixed || self.hosts[h.index()].patched.contains(&b)
    }

    /// An app whose VMs are all running or whose method gave up on it: it
    /// no longer holds its runbook wave back.
    pub(super) fn settled(&self, a: usize) -> bool {
        let s = &self.apps[a];
        s.broken == 0 || s.phase == Phase::NoMethod
    }

    /// What a runbook wave counts of app `a`: (settled, queued).
    pub(super) fn wave_state(&self, a: AppId) -> (bool, bool) {
        (
            self.settled(a.index()),
            matches!(self.apps[a.index()].phase, Phase::Queued(_)),
        )
    }

    /// Keeps the per-wave counts in step after app `a` changed from
    /// `before` (its `wave_state`); see `change_app`.
    pub(super) fn wave_update(&mut self, a: AppId, before: (bool, bool)) {
        let Some(&w) = self.st.wave_of.get(a.index()) else {
            return;
        };
        let (settled, queued) = self.wave_state(a);
        let w = w as usize;
        let step = |count: &mut u32, was: bool, is: bool| match (was, is) {
            (false, true) => *count += 1,
            (true, false) => *count -= 1,
            _ => {}
        };
        step(&mut self.wave_unsettled[w], !before.0, !settled);
        step(&mut self.wave_queued[w], before.1, queued);
    }

    /// Changes app `a`'s state with `change`: the one door for changes of
    /// its phase or broken VMs, which keeps the wave counts in step.
    #[inline(always)]
    pub(super) fn change_app(&mut self, a: AppId, change: impl FnOnce(&mut AppState)) {
        if self.st.wave_of.is_empty() {
            change(&mut self.apps[a.index()]);
            return;
        }
        let before = self.wave_state(a);
        change(&mut self.apps[a.index()]);
        self.wave_update(a, before);
    }

    #[inline(always)]
    pub(super) fn set_phase(&mut self, a: AppId, phase: Phase) {
        self.change_app(a, |s| s.phase = phase);
    }

    /// Per wave, whether its apps may start now: every earlier wave has
    /// settled and its own "go" step, if any, is done. Also queues the "go"
    /// step of the first wave that waits only for it.
    pub(super) fn open_waves(&mut self, now: SimTime) -> Vec<bool> {
        let n = self.st.waves.len();
        let settled: Vec<bool> = self.wave_unsettled.iter().map(|&c| c == 0).collect();
        let waiting: Vec<bool> = self.wave_queued.iter().map(|&c| c > 0).collect();
        if cfg!(debug_assertions) {
            let mut all_settled = vec![true; n];
            let mut any_waiting = vec![false; n];
            for (a, &w) in self.st.wave_of.iter().enumerate() {
                let w = w as usize;
                all_settled[w] &= self.settled(a);
                any_waiting[w] |= matches!(self.apps[a].phase, Phase::Queued(_));
            }
            debug_assert_eq!(settled, all_settled, "wave counts out of step");
            debug_assert_eq!(waiting, any_waiting, "wave counts out of step");
        }
        let mut open = vec![false; n];
        let mut prefix_settled = true;
        for w in 0..n {
            if settled[w] && self.waves[w].go_done && !waiting[w] {
                // A settled wave needs a new "go" at the next incident.
                self.waves[w].go_done = false;
            }
            let needs_go = self.st.waves[w].go.is_some() && !self.waves[w].go_done;
            if prefix_settled && needs_go && waiting[w] && !self.waves[w].go_pending {
                self.ready_seq += 1;
                let state = &mut self.waves[w];
                state.go_pending = true;
                state.go_seq = self.ready_seq;
                let entry = (
                    (0, now.as_millis(), w as u32),
                    self.ready_seq,
                    Job::Go(w as u32),
                );
                self.lanes[LANE_GO].push(Reverse(entry));
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "runbook wave {} waits for its go", self.st.waves[w].name);
            }
            open[w] = prefix_settled && !needs_go;
            prefix_settled &= settled[w];
        }
        open
    }

    /// Starts what can start: repeatedly the best head, by the strategy's
    /// order, among the lanes with a free skilled member on shift (or no
    /// need of one) and room under their cap.
    pub(super) fn dispatch(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        let gated = self.st.order == Order::DependencyAware;
        let waves = !self.st.waves.is_empty();
        let operations = std::mem::take(&mut self.operations);
        for &(h, op) in &operations {
            self.operation(sched, h, op)?;
        }
        recycle(&mut self.operations, operations);
        let redecide = std::mem::take(&mut self.redecide);
        for &a in &redecide {
            if self.apps[a.index()].phase == Phase::Healthy && self.apps[a.index()].broken > 0 {
                self.decide(sched, now, a)?;
            }
        }
        recycle(&mut self.redecide, redecide);
        // Room freed in a cluster can make an HA restart possible again.
        let room_matters = self.capacity_freed && self.st.methods.contains(&Method::HaRestart);
        if std::mem::take(&mut self.facts_changed) || room_matters {
            self.revisit(sched, now)?;
        }
        if std::mem::take(&mut self.evacuated_news) && !self.evacuated.is_empty() {
            self.reboot_evacuated(sched, now)?;
        } else if cfg!(debug_assertions) {
            // Without news no evacuated host may have become rebootable:
            // whatever lets one reboot must set `evacuated_news` (tests run
            // with this check).
            for &h in &self.evacuated {
                let empty_and_down = self.hosts[h.index()].status == HostStatus::Crashed
                    && self.host_vms[h.index()].is_empty();
                debug_assert!(
                    !(empty_and_down && self.evacuee_rebootable(h)),
                    "host {h:?} became rebootable without evacuated_news"
                );
            }
        }
        if self.capacity_freed {
            self.capacity_freed = false;
            let parked = std::mem::take(&mut self.parked);
            for &a in &parked {
                if let Phase::DrCapacity(m) = self.apps[a.index()].phase {
                    self.enqueue(now, a, m);
                }
            }
            recycle(&mut self.parked, parked);
        }
        let open = if waves {
            self.open_waves(now)
        } else {
            Vec::new()
        };
        // Apps held by a wave that is open now go back in their lanes; the
        // others stay held, untouched (not pushed back and popped again at
        // every dispatch).
        for (w, &is_open) in open.iter().enumerate() {
            if is_open && !self.held[w].is_empty() {
                let held = std::mem::take(&mut self.held[w]);
                for &entry in &held {
                    self.lanes[lane_of(entry.2)].push(Reverse(entry));
                }
                recycle(&mut self.held[w], held);
            }
        }
        let mut parked = 0usize;
        loop {
            // Skills of the free members on shift now.
            let mut free_skills: u8 = 0;
            let mut anyone = false;
            for w in self.free.iter() {
                if self.duty(w as usize, now).on {
                    free_skills |= self.workers[w as usize].skills;
                    anyone = true;
                }
            }
            let mut best: Option<(usize, Entry)> = None;
            let management = self.management_available(now);
            for lane in 0..LANES {
                if self.lanes[lane].is_empty() {
                    continue;
                }
                // Shared services a lane's work needs.
                let blocked = match Method::ALL.get(lane) {
                    Some(Method::HaRestart) => !management,
                    Some(Method::Failover) => !management || !self.link_up(),
                    Some(Method::Restore) => !self.backup_available(),
                    _ => false,
                };
                if blocked {
                    continue;
                }
                if !lane_automated(lane) {
                    let staffed = match lane_skill(lane) {
                        None => anyone,
                        Some(skill) => free_skills & (1 << skill.ordinal()) != 0,
                    };
                    if !staffed {
                        continue;
                    }
                }
                if let Some(m) = lane_cap_method(lane)
                    && self
                        .st
                        .cap(m)
                        .is_some_and(|cap| self.running[m.ordinal() as usize] >= cap)
                {
                    continue;
                }
                // The lane's first valid head that passes the gates.
                while let Some(Reverse(entry)) = self.lanes[lane].peek().copied() {
                    let (_, seq, job) = entry;
                    if !self.job_valid(seq, job) {
                        self.lanes[lane].pop();
                        continue;
                    }
                    if let Job::App(a, m) = job {
                        let wave_closed = waves
                            && m != Method::HaRestart
                            && !open[self.st.wave_of[a.index()] as usize];
                        if wave_closed {
                            self.lanes[lane].pop();
                            self.held[self.st.wave_of[a.index()] as usize].push(entry);
                            continue;
                        }
                        if gated && let Some(x) = self.dependency_blocker(a) {
                            // Parked until the blocker starts or comes back.
                            self.lanes[lane].pop();
                            self.apps[a.index()].gated = true;
                            self.waiting_on[x.index()].push(entry);
                            continue;
                        }
                    }
                    if best.is_none_or(|(_, b)| entry < b) {
                        best = Some((lane, entry));
                    }
                    break;
                }
            }
            let Some((lane, entry)) = best else {
                break;
            };
            self.lanes[lane].pop();
            let (_, _, job) = entry;
            match job {
                Job::App(a, m) => {
                    if m.at_dr() || m == Method::HaRestart {
                        let mut p = std::mem::take(&mut self.apps[a.index()].placement);
                        if self.find_placement(a, m, &mut p) {
                            self.reserve(a, p);
                        } else {
                            // Nothing reserved: `recovered` moves VMs to
                            // whatever the app's placement holds.
                            p.clear();
                            let state = &mut self.apps[a.index()];
                            state.placement = p;
                            if m == Method::HaRestart {
                                // The cluster has no room after all: the
                                // next method.
                                let pos = self.st.methods.iter().position(|x| *x == m).unwrap_or(0);
                                state.level = state.level.max(pos + 1);
                                self.set_phase(a, Phase::Healthy);
                                self.decide(sched, now, a)?;
                            } else {
                                self.set_phase(a, Phase::DrCapacity(m));
                                self.parked.push(a);
                                parked += 1;
                            }
                            continue;
                        }
                    }
                    if m.automated() {
                        self.start_automated(sched, now, a, m)?;
                    } else {
                        let w = self.free_worker(now, lane);
                        self.assign(sched, now, w, job)?;
                    }
                }
                Job::Host(_) | Job::Patch(_) | Job::Go(_) => {
                    let w = self.free_worker(now, lane);
                    self.assign(sched, now, w, job)?;
                }
            }
        }
        if parked > 0 {
            tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{parked} app(s) wait: no room for their VMs");
        }
        if (0..LANES).any(|l| !lane_automated(l) && !self.lanes[l].is_empty())
            || self.holds_valid_entry()
        {
            self.schedule_wake(sched, now)?;
        }
        Ok(())
    }

    /// Whether a wave holds an entry that is still valid. Entries gone
    /// stale while held (the app came back, or was queued again) are
    /// dropped on the way, so each is looked at once.
    pub(super) fn holds_valid_entry(&mut self) -> bool {
        for w in 0..self.held.len() {
            while let Some(&(_, seq, job)) = self.held[w].last() {
                if self.job_valid(seq, job) {
                    return true;
                }
                self.held[w].pop();
            }
        }
        false
    }

    /// The first free member on shift who can do the lane's work.
    pub(super) fn free_worker(&self, now: SimTime, lane: usize) -> Option<usize> {
        let need = lane_skill(lane).map_or(0, |m| 1u8 << m.ordinal());
        // The free set iterates in worker order: the same member as a scan
        // of every worker would find.
        self.free
            .iter()
            .map(|w| w as usize)
            .find(|&i| self.workers[i].skills & need == need && self.duty(i, now).on)
    }

    /// Worker `w`'s duty span containing `now`, from the cache when it
    /// still covers `now` (same answers as asking the calendar).
    pub(super) fn duty(&self, w: usize, now: SimTime) -> crate::sim::Duty {
        let worker = &self.workers[w];
        let cached = worker.duty.get();
        if cached.covers(now) {
            return cached;
        }
        let duty = self.rosters[worker.team.index()]
            .worker(worker.member)
            .duty_at(now);
        worker.duty.set(duty);
        duty
    }

    /// Takes worker `w`'s task away (done or abandoned): it is free again.
    pub(super) fn take_task(&mut self, w: u32) -> Option<Task> {
        let task = self.workers[w as usize].task.take()?;
        self.free.insert(w);
        if let Job::App(a, _) = task.job {
            self.apps[a.index()].worker = None;
        }
        Some(task)
    }

    pub(super) fn schedule_wake(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
    ) -> Result<(), SimError> {
        let next = self
            .free
            .iter()
            .filter_map(|w| self.duty(w as usize, now).next_on(now))
            .filter(|&t| t > now)
            .min();
        if let Some(t) = next
            && self.wake_at.is_none_or(|w| t < w || w < now)
        {
            sched.schedule_at(t, CLASS_OTHER, Ev::Wake)?;
            self.wake_at = Some(t);
        }
        Ok(())
    }

    /// Gives a job to worker `w` (a free member on shift with the skill).
    pub(super) fn assign(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: Option<usize>,
        job: Job,
    ) -> Result<(), SimError> {
        let Some(w) = w else {
            // Unreachable: the lane was chosen because such a member is free.
            return Ok(());
        };
        if let Job::App(a, _) = job {
            // Being restored: apps parked behind it may start.
            self.release_waiters(a);
        }
        let work = match job {
            Job::App(a, m) => {
                self.set_phase(a, Phase::InProgress(m));
                self.recovery_starts(a, now);
                self.draw_work(a, m)
            }
            Job::Host(h) => {
                let host = &mut self.hosts[h.index()];
                let index = (u64::from(h.0) << 24) | host.rebuilds.min((1 << 24) - 1);
                host.rebuilds += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.st
                    .rebuild_to
                    .and_then(|b| self.sc.builds[b.index()].rebuild.as_ref())
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Patch(h) => {
                let host = &mut self.hosts[h.index()];
                let index = (1 << 40) | (u64::from(h.0) << 16) | host.patches.min(0xFFFF);
                host.patches += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.sc.builds[host.build.index()]
                    .patch
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Go(wave) => {
                let state = &mut self.waves[wave as usize];
                let index = (u64::from(wave) << 24) | state.openings.min((1 << 24) - 1);
                state.openings += 1;
                let mut rng = self.rng.stream(Purpose::Runbook, index);
                self.st.waves[wave as usize]
                    .go
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
        };
        if let Some(m) = lane_cap_method(lane_of(job)) {
            self.running[m.ordinal() as usize] += 1;
        }
        let worker = &self.workers[w];
        let calendar = self.rosters[worker.team.index()].worker(worker.member);
        let event = match calendar.finish(now, work) {
            Some(done) => Some(sched.schedule_at(done, CLASS_OTHER, Ev::TaskDone(w as u32))?),
            None => None,
        };
        let record = self.out.tasks.len();
        self.out.tasks.push(TaskRecord {
            subject: match job {
                Job::App(a, m) => TaskSubject::App(a, m),
                Job::Host(h) => TaskSubject::Host(h),
                Job::Patch(h) => TaskSubject::Patch(h),
                Job::Go(wave) => TaskSubject::Go(wave),
            },
            team: worker.team,
            member: worker.member,
            start: now,
            work,
            end: None,
            outcome: TaskEnd::Unfinished,
        });
        // Arguments are only evaluated when the trace is on.
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} #{} starts to {} ({} of work)", self.sc.teams[worker.team.index()].id, worker.member + 1, self.job_label(job), work);
        self.workers[w].task = Some(Task { record, job, event });
        self.free.remove(w as u32);
        if let Job::App(a, _) = job {
            self.apps[a.index()].worker = Some(w as u32);
        }
        Ok(())
    }

    /// What a job does, for the trace: `reinstall mail`, `rebuild host h-01`.
    pub(super) fn job_label(&self, job: Job) -> String {
        match job {
            Job::App(a, m) => format!("{} {}", m.name(), self.sc.apps[a.index()].id),
            Job::Host(h) => format!("rebuild host {}", self.sc.hosts[h.index()].id),
            Job::Patch(h) => format!("patch host {}", self.sc.hosts[h.index()].id),
            Job::Go(w) => format!("give the go of wave {}", self.st.waves[w as usize].name),
        }
    }

    /// App i's k-th attempt at method m always takes the same time, whatever
    /// the strategy (common random numbers).
    pub(super) fn draw_work(&mut self, a: AppId, m: Method) -> SimDuration {
        let state = &mut self.apps[a.index()];
        let attempt = u64::from(state.attempts[m.ordinal() as usize]);
        state.attempts[m.ordinal() as usize] += 1;
        let index = (u64::from(a.0) << 24) | (m.ordinal() << 20) | attempt.min((1 << 20) - 1);
        let mut rng = self.work_streams.stream(index);
        self.sc.apps[a.index()]
            .work(m)
            .map(|d| d.sample(&mut rng))
            .unwrap_or_default()
    }

    pub(super) fn start_automated(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        let work = self.draw_work(a, m);
        self.running[m.ordinal() as usize] += 1;
        self.release_waiters(a);
        self.set_phase(a, Phase::InProgress(m));
        let state = &mut self.apps[a.index()];
        state.auto_event = Some(sched.schedule_in(work, CLASS_OTHER, Ev::AutoDone(a))?);
        self.recovery_starts(a, now);
        tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "{} of {} starts ({})", m.name(), self.sc.apps[a.index()].id, work);
        Ok(())
    }

    /// Hosts for the app's VMs where `m` puts them: the DR site's healthy
    /// hosts, or for an HA restart the other healthy hosts of each VM's
    /// cluster. First fit by memory and virtual CPUs; nothing is reserved.
    /// The hosts go into `placement` by VM position (cleared first);
    /// `false` if one of the VMs does not fit.
    pub(super) fn find_placement(&self, a: AppId, m: Method, placement: &mut HostList) -> bool {
        let vms = &self.sc.apps[a.index()].vms;
        placement.clear();
        for &v in vms {
            let vm = &self.sc.vms[v.index()];
            let current = self.vm_host[v.index()];
            if m == Method::HaRestart && self.vm_status[v.index()] == VmStatus::Running {
                placement.push(current);
                continue;
            }
            let candidates = if m == Method::HaRestart {
                Candidates::Cluster(self.sc.hosts[current.index()].cluster)
            } else {
                Candidates::Dr
            };
            debug_assert!(
                self.placement
                    .candidates(candidates)
                    .iter()
                    .all(|&h| self.placement.is_up(h)
                        == (self.hosts[h.index()].status == HostStatus::Up)),
                "a host's status changed without set_status"
            );
            let need = vm_need(vm);
            // Room left on `h` once the app's earlier VMs placed there are
            // on it (a VM kept where it runs is not placed: it is already
            // counted in the host's room).
            let placed = &*placement;
            let fits_after_taken = |h: HostId| {
                let taken = placed
                    .iter()
                    .zip(vms)
                    .filter(|&(&x, &w)| x == h && x != self.vm_host[w.index()])
                    .fold(Room2(0, 0), |acc, (_, &w)| {
                        let n = vm_need(&self.sc.vms[w.index()]);
                        Room2(acc.0 + n.0, acc.1 + n.1)
                    });
                self.placement.free(h).minus(taken).covers(&need)
            };
            let Some(h) = self
                .placement
                .first_fit(candidates, need, |h| h != current && fits_after_taken(h))
            else {
                return false;
            };
            placement.push(h);
        }
        true
    }

    pub(super) fn reserve(&mut self, a: AppId, placement: HostList) {
        for (i, &h) in placement.iter().enumerate() {
            let v = self.sc.apps[a.index()].vms[i];
            if h == self.vm_host[v.index()] {
                continue;
            }
            self.placement.take(h, vm_need(&self.sc.vms[v.index()]));
        }
        self.apps[a.index()].placement = placement;
    }

    pub(super) fn end_task(&mut self, task: &Task, now: SimTime, how: TaskEnd) {
        let r = &mut self.out.tasks[task.record];
        r.end = Some(now);
        r.outcome = how;
        // A restore counts against its cap until its transfer is done.
        let transfer_follows =
            how == TaskEnd::Done && matches!(task.job, Job::App(_, Method::Restore));
        if let Some(m) = lane_cap_method(lane_of(task.job)).filter(|_| !transfer_follows) {
            let n = &mut self.running[m.ordinal() as usize];
            *n = n.saturating_sub(1);
        }
    }

    pub(super) fn task_done(
        &mut self,
        sched: &mut Scheduler<Ev>,
        now: SimTime,
        w: u32,
    ) -> Result<(), SimError> {
        let Some(task) = self.take_task(w) else {
            return Ok(());
        };
        self.end_task(&task, now, TaskEnd::Done);
        let team = self.workers[w as usize].team;
        match task.job {
            Job::App(a, Method::Restore) => {
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "restore of {} set up by {}: its data transfer is queued", self.sc.apps[a.index()].id, self.sc.teams[team.index()].id);
                self.out.apps[a.index()].team = Some(team);
                self.request_transfer(sched, now, a)?;
            }
            Job::App(a, m) => {
                self.out.apps[a.index()].team = Some(team);
                self.recovered(now, a, m);
            }
            Job::Host(h) => {
                let Some(build) = self.st.rebuild_to else {
                    return Ok(());
                };
                let host = &mut self.hosts[h.index()];
                host.build = build;
                let bugs = &self.sc.bugs;
                host.struck
                    .retain(|b| bugs[b.index()].builds.contains(&build));
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "host {} rebuilt on {}", self.sc.hosts[h.index()].id, self.sc.builds[build.index()].id);
                self.host_up(sched, now, h)?;
            }
            Job::Patch(h) => self.patched(sched, now, h)?,
            Job::Go(wave) => {
                let state = &mut self.waves[wave as usize];
                state.go_pending = false;
                state.go_done = true;
                tracing::info!(target: TRACE_TARGET, t = now.as_millis(), "runbook wave {} starts", self.st.waves[wave as usize].name);
            }
        }
        Ok(())
    }

    pub(super) fn auto_done(&mut self, now: SimTime, a: AppId) {
        let state = &mut self.apps[a.index()];
        state.auto_event = None;
        let Phase::InProgress(m) = state.phase else {
            return;
        };
        let n = &mut self.running[m.ordinal() as usize];
        *n = n.saturating_sub(1);
        self.recovered(now, a, m);
    }
}
