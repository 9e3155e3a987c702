//! The dispatcher: after every event, starts what can start, taking
//! repeatedly the best head among the lanes whose work can start now; and
//! the dependency gate of the `dependency-aware` order.

use std::cmp::Reverse;

use crate::model::{AppId, Method, Order};
use crate::run::{Cx, SimError, trace};
use crate::sim::SimTime;

use super::{Decider, Recovery};
use super::{Entry, Job, Lane};
use crate::metrics::TaskSubject;
use crate::recovery::decider::TaskChoice;
use crate::run::buffers::recycle;
use crate::run::world::{HostStatus, Phase};

mod choose;

/// Who is free and on shift at a dispatch: the skills among them, and
/// whether anyone is.
#[derive(Clone, Copy)]
struct Free {
    skills: u8,
    anyone: bool,
}

/// The lanes' heads a dispatch chooses among (inline: no allocation).
type Heads = smallvec::SmallVec<[(Lane, Entry); 8]>;
/// What the heads' jobs work on, for the decider.
type Subjects = smallvec::SmallVec<[TaskSubject; 8]>;

/// Parked entries and the scratch of the dependency gate (the
/// `dependency-aware` order).
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Per app, entries parked under dependency-aware order until it
    /// starts or comes back (empty unless the order is dependency-aware).
    pub(crate) waiting_on: Vec<Vec<Entry>>,
    /// Scratch for `dependency_blocker`: visit marks by epoch, and a stack.
    pub(crate) visited: Vec<u32>,
    pub(crate) epoch: u32,
    pub(crate) stack: Vec<AppId>,
    /// Entries a decider passed over for one behind them in their lane,
    /// back in their lanes at the next choice (see `choose`).
    pub(crate) passed_over: Vec<(Lane, Entry)>,
}

impl<D: Decider> Recovery<'_, '_, D> {
    /// The app that keeps `a` from starting under dependency-aware order,
    /// if any. A dependency is fine when it is up or being restored; one
    /// whose own VMs run but which waits for its own dependencies is fine
    /// when they are; otherwise it (or the app deeper down that holds it
    /// back) is the blocker: `a` waits for that app to start or come back.
    pub(crate) fn dependency_blocker(&mut self, a: AppId) -> Option<AppId> {
        self.recovery.gate.epoch = self.recovery.gate.epoch.wrapping_add(1);
        if self.recovery.gate.epoch == 0 {
            self.recovery.gate.visited.iter_mut().for_each(|v| *v = 0);
            self.recovery.gate.epoch = 1;
        }
        let epoch = self.recovery.gate.epoch;
        let mut stack = std::mem::take(&mut self.recovery.gate.stack);
        stack.clear();
        stack.extend(self.sc.apps[a.index()].depends_on.iter().copied());
        let mut blocker = None;
        while let Some(d) = stack.pop() {
            if self.recovery.gate.visited[d.index()] == epoch {
                continue;
            }
            self.recovery.gate.visited[d.index()] = epoch;
            let s = &self.world.apps[d.index()];
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
        self.recovery.gate.stack = stack;
        blocker
    }

    /// App `x` started, came back or runs again: apps waiting for it under
    /// dependency-aware order are examined again. (Inline: most calls find
    /// nobody waiting, and every app that changes makes one.)
    #[inline(always)]
    pub(crate) fn release_waiters(&mut self, x: AppId) {
        if self.recovery.gate.waiting_on.is_empty()
            || self.recovery.gate.waiting_on[x.index()].is_empty()
        {
            return;
        }
        self.release_waiting_on(x);
    }

    /// The apps parked behind `x` go back in their lanes.
    fn release_waiting_on(&mut self, x: AppId) {
        for entry in std::mem::take(&mut self.recovery.gate.waiting_on[x.index()]) {
            if let Job::App(a, _) = entry.2 {
                self.world.apps[a.index()].gated = false;
            }
            self.recovery.lanes.push(entry.2.lane(), Reverse(entry));
        }
    }

    /// The recovery of app `a` starts: the incident that last took it down
    /// (a bug's strike, not chaos) has its restoration started, if it had not.
    pub(crate) fn recovery_starts(&mut self, a: AppId, now: SimTime) {
        let Some(b) = self.world.apps[a.index()].down_bug else {
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
    pub(crate) fn job_valid(&self, seq: u64, job: Job) -> bool {
        match job {
            Job::App(a, m) => {
                let s = &self.world.apps[a.index()];
                s.phase == Phase::Queued(m) && s.queue_seq == seq
            }
            Job::Host(h) => {
                let s = &self.world.hosts[h.index()];
                s.status == HostStatus::Rebuilding && s.rebuild_seq == seq
            }
            Job::Patch(h) => self.world.hosts[h.index()].patch_pending == Some(seq),
            Job::Go(w) => {
                let s = &self.recovery.waves.states[w as usize];
                s.go_pending && s.go_seq == seq
            }
        }
    }

    /// Starts what can start: repeatedly the best head, by the strategy's
    /// order, among the lanes with a free skilled member on shift (or no
    /// need of one) and room under their cap.
    pub(crate) fn dispatch(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        self.take_news(cx)?;
        let open = if self.st.waves.is_empty() {
            Vec::new()
        } else {
            self.open_waves(now)
        };
        self.release_held(&open);
        let mut parked = 0usize;
        while let Some((lane, entry)) = self.best_head(now, &open) {
            self.recovery.lanes.pop(lane);
            if !self.start_head(cx, lane, entry.2)? {
                parked += 1;
            }
        }
        if parked > 0 {
            trace!(now, "{parked} app(s) wait: no room for their VMs");
        }
        if Lane::ALL
            .iter()
            .any(|&l| !l.automated() && !self.recovery.lanes.is_empty(l))
            || self.holds_valid_entry()
        {
            self.schedule_wake(cx)?;
        }
        Ok(())
    }

    /// What the events since the last dispatch may have changed: their
    /// operations may trigger bugs, apps left with VMs down are decided
    /// again, better facts or freed room revisit the waiting apps,
    /// evacuated hosts may reboot, parked apps may fit.
    fn take_news(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        let operations = std::mem::take(&mut self.faults.operations);
        for &(h, op) in &operations {
            self.fault_side().operation(cx, h, op)?;
        }
        recycle(&mut self.faults.operations, operations);
        let redecide = std::mem::take(&mut self.recovery.redecide);
        for &a in &redecide {
            if self.world.apps[a.index()].phase == Phase::Healthy
                && self.world.apps[a.index()].broken > 0
            {
                self.decide(cx, a)?;
            }
        }
        recycle(&mut self.recovery.redecide, redecide);
        // Room freed in a cluster can make an HA restart possible again.
        let room_matters =
            self.recovery.capacity_freed && self.st.methods.contains(&Method::HaRestart);
        if std::mem::take(&mut self.recovery.facts_changed) || room_matters {
            self.revisit(cx)?;
        }
        if std::mem::take(&mut self.recovery.evacuated_news) && !self.recovery.evacuated.is_empty()
        {
            self.reboot_evacuated(cx)?;
        } else if cfg!(debug_assertions) {
            // Without news no evacuated host may have become rebootable:
            // whatever lets one reboot must set `evacuated_news` (tests run
            // with this check).
            for &h in &self.recovery.evacuated {
                let empty_and_down = self.world.hosts[h.index()].status == HostStatus::Crashed
                    && self.world.host_vms[h.index()].is_empty();
                debug_assert!(
                    !(empty_and_down && self.evacuee_rebootable(h)),
                    "host {h:?} became rebootable without evacuated_news"
                );
            }
        }
        if self.recovery.capacity_freed {
            self.recovery.capacity_freed = false;
            let parked = std::mem::take(&mut self.recovery.parked);
            for &a in &parked {
                if let Phase::DrCapacity(m) = self.world.apps[a.index()].phase {
                    self.enqueue(now, a, m);
                }
            }
            recycle(&mut self.recovery.parked, parked);
        }
        Ok(())
    }

    /// Apps held by a wave that is open now go back in their lanes; the
    /// others stay held, untouched (not pushed back and popped again at
    /// every dispatch).
    fn release_held(&mut self, open: &[bool]) {
        for (w, &is_open) in open.iter().enumerate() {
            if is_open && !self.recovery.waves.held[w].is_empty() {
                let held = std::mem::take(&mut self.recovery.waves.held[w]);
                for &entry in &held {
                    self.recovery.lanes.push(entry.2.lane(), Reverse(entry));
                }
                recycle(&mut self.recovery.waves.held[w], held);
            }
        }
    }

    /// The head that comes first in the strategy's order among the lanes
    /// whose work can start now; stale heads are dropped on the way, and
    /// heads a closed wave or the dependency gate holds back are moved
    /// aside. A decider that does not follow the strategy chooses among
    /// the lanes' heads.
    fn best_head(&mut self, now: SimTime, open: &[bool]) -> Option<(Lane, Entry)> {
        // Skills of the free members on shift now.
        let mut free_skills: u8 = 0;
        let mut anyone = false;
        for w in self.recovery.staff.free.iter() {
            if self.duty(w as usize, now).on {
                free_skills |= self.recovery.staff.workers[w as usize].skills;
                anyone = true;
            }
        }
        let staff = Free {
            skills: free_skills,
            anyone,
        };
        // The lanes with work, as bits by position in `Lane::ALL` (looking
        // at a lane's head never fills another lane).
        let mut with_work = self.recovery.lanes.with_work();
        if D::FOLLOWS_STRATEGY {
            // The strategy's pick is the answer: no list of heads to build
            // (this loop is the hottest of a run).
            let mut pick: Option<(Lane, Entry)> = None;
            while with_work != 0 {
                let lane = Lane::ALL[with_work.trailing_zeros() as usize];
                with_work &= with_work - 1;
                if let Some(entry) = self.lane_head(now, lane, open, staff)
                    && pick.is_none_or(|(_, b)| entry < b)
                {
                    pick = Some((lane, entry));
                }
            }
            return pick;
        }
        if D::OFFERS_EVERY_TASK {
            return self.chosen_among_all(now, open, staff);
        }
        // Every lane's head, and the strategy's pick among them.
        let mut heads: Heads = Heads::new();
        let mut best: Option<usize> = None;
        while with_work != 0 {
            let lane = Lane::ALL[with_work.trailing_zeros() as usize];
            with_work &= with_work - 1;
            if let Some(entry) = self.lane_head(now, lane, open, staff) {
                if best.is_none_or(|b| entry < heads[b].1) {
                    best = Some(heads.len());
                }
                heads.push((lane, entry));
            }
        }
        let strategy = best?;
        let subjects: Subjects = heads.iter().map(|(_, entry)| entry.2.subject()).collect();
        let k = self.decider.next_task(&TaskChoice {
            now,
            candidates: &subjects,
            strategy,
        });
        heads.get(k).or(heads.get(strategy)).copied()
    }

    /// The first head of a lane with work that can start now: `None` when
    /// a service it needs is down, nobody free can do it, its cap is
    /// reached, or no valid head passes the gates (stale heads are dropped,
    /// heads a closed wave or the dependency gate holds back moved aside).
    #[inline(always)]
    fn lane_head(&mut self, now: SimTime, lane: Lane, open: &[bool], staff: Free) -> Option<Entry> {
        // Shared services a lane's work needs (asked only of a lane with
        // work: most dispatches find the automated lanes empty).
        let blocked = match lane {
            Lane::HaRestart => !self.faults.management_available(now),
            Lane::Failover => !self.faults.management_available(now) || !self.faults.link_up(),
            Lane::Restore => !self.faults.backup_available(),
            _ => false,
        };
        if blocked {
            return None;
        }
        if !lane.automated() {
            let staffed = match lane.skill() {
                None => staff.anyone,
                Some(skill) => staff.skills & (1 << skill.ordinal()) != 0,
            };
            if !staffed {
                return None;
            }
        }
        if let Some(m) = lane.cap_method()
            && self
                .st
                .cap(m)
                .is_some_and(|cap| self.recovery.running[m] >= cap)
        {
            return None;
        }
        let gated = self.st.order == Order::DependencyAware;
        let waves = !self.st.waves.is_empty();
        // The lane's first valid head that passes the gates.
        while let Some(Reverse(entry)) = self.recovery.lanes.peek(lane).copied() {
            let (_, seq, job) = entry;
            if !self.job_valid(seq, job) {
                self.recovery.lanes.pop(lane);
                continue;
            }
            if let Job::App(a, m) = job {
                let wave_closed =
                    waves && m != Method::HaRestart && !open[self.st.wave_of[a.index()] as usize];
                if wave_closed {
                    self.recovery.lanes.pop(lane);
                    self.recovery.waves.held[self.st.wave_of[a.index()] as usize].push(entry);
                    continue;
                }
                if gated && let Some(x) = self.dependency_blocker(a) {
                    // Parked until the blocker starts or comes back.
                    self.recovery.lanes.pop(lane);
                    self.world.apps[a.index()].gated = true;
                    self.recovery.gate.waiting_on[x.index()].push(entry);
                    continue;
                }
            }
            return Some(entry);
        }
        None
    }

    /// Starts a lane's head: reserves room for a method that moves VMs,
    /// then gives the job to the platform or to a free member. `false` when
    /// an app found no room and was parked.
    fn start_head(&mut self, cx: &mut Cx<'_>, lane: Lane, job: Job) -> Result<bool, SimError> {
        let now = cx.now;
        match job {
            Job::App(a, m) => {
                if m.at_dr() || m == Method::HaRestart {
                    let mut p = std::mem::take(&mut self.world.apps[a.index()].placement);
                    if self.find_placement(a, m, &mut p) {
                        self.reserve(a, p);
                    } else {
                        // Nothing reserved: `recovered` moves VMs to
                        // whatever the app's placement holds.
                        p.clear();
                        let state = &mut self.world.apps[a.index()];
                        state.placement = p;
                        if m == Method::HaRestart {
                            // The cluster has no room after all: the
                            // next method.
                            let pos = self.st.methods.iter().position(|x| *x == m).unwrap_or(0);
                            state.level = state.level.max(pos + 1);
                            self.world.set_phase(a, Phase::Healthy);
                            self.decide(cx, a)?;
                        } else {
                            self.world.set_phase(a, Phase::DrCapacity(m));
                            self.recovery.parked.push(a);
                            return Ok(false);
                        }
                        return Ok(true);
                    }
                }
                if m.automated() {
                    self.start_automated(cx, a, m)?;
                } else {
                    let w = self.free_worker(now, lane);
                    self.assign(cx, w, job)?;
                }
            }
            Job::Host(_) | Job::Patch(_) | Job::Go(_) => {
                let w = self.free_worker(now, lane);
                self.assign(cx, w, job)?;
            }
        }
        Ok(true)
    }

    /// Whether a wave holds an entry that is still valid. Entries gone
    /// stale while held (the app came back, or was queued again) are
    /// dropped on the way, so each is looked at once.
    pub(crate) fn holds_valid_entry(&mut self) -> bool {
        for w in 0..self.recovery.waves.held.len() {
            while let Some(&(_, seq, job)) = self.recovery.waves.held[w].last() {
                if self.job_valid(seq, job) {
                    return true;
                }
                self.recovery.waves.held[w].pop();
            }
        }
        false
    }
}
