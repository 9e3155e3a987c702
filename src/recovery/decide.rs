//! Recovery decisions: which method each app that went down gets, when it
//! is queued, when it is decided again (a diagnosis, better facts, a
//! deadline) and when it escalates to the next method.

use std::cmp::Reverse;

use crate::model::{AppId, BugId, Method};
use crate::run::{Cx, SimError, trace};
use crate::sim::SimTime;

use super::{Decider, Recovery};
use super::{Job, Lane, failover, ha_restart, order_key, rebuild, reinstall, restart, restore};
use crate::recovery::decider::{Escalation, EscalationChoice, MethodChoice};
use crate::run::world::{HostStatus, Phase, VmStatus};

/// The methods a decision chooses among (inline: no allocation).
type Candidates = smallvec::SmallVec<[Method; 6]>;

impl<D: Decider> Recovery<'_, '_, D> {
    /// The undiagnosed bug app `a` waits for (see
    /// [`undiagnosed_bug`](super::observe::undiagnosed_bug)).
    pub(crate) fn undiagnosed_bug(&self, a: AppId) -> Option<BugId> {
        super::observe::undiagnosed_bug(self.sc, &*self.world, &*self.faults, a)
    }

    /// The decider's choice among `candidates` (`None` if there is none).
    fn choose_method(
        &mut self,
        now: SimTime,
        a: AppId,
        candidates: &[Method],
        waiting_for: Option<Method>,
    ) -> Option<Method> {
        let first = *candidates.first()?;
        let k = self.decider.method(&MethodChoice {
            now,
            app: a,
            app_name: &self.sc.apps[a.index()].id,
            candidates,
            waiting_for,
        });
        Some(candidates.get(k).copied().unwrap_or(first))
    }

    /// Chooses a method for a broken app among the strategy's applicable
    /// ones, from its escalation level on (the strategy: the first).
    ///
    /// The cluster's HA restart acts by itself, before anyone understands
    /// the bug; every other method waits for the diagnosis.
    pub(crate) fn decide(&mut self, cx: &mut Cx<'_>, a: AppId) -> Result<(), SimError> {
        let now = cx.now;
        let st = self.st;
        let level = self.world.apps[a.index()].level;
        let chosen = if D::FOLLOWS_STRATEGY {
            // The strategy's choice is the first applicable method: no
            // list of candidates to build (this runs for every app that
            // breaks).
            let mut first = None;
            // Asked at most once: nothing in the loop changes the answer.
            let mut bug = None;
            for &m in st.methods.iter().skip(level) {
                if m != Method::HaRestart
                    && let Some(b) = *bug.get_or_insert_with(|| self.undiagnosed_bug(a))
                {
                    self.wait_for_diagnosis(a, b);
                    return Ok(());
                }
                if self.applicable(now, a, m) {
                    first = Some(m);
                    break;
                }
            }
            first
        } else {
            let mut candidates = Candidates::new();
            let mut bug = None;
            for &m in st.methods.iter().skip(level) {
                if m != Method::HaRestart
                    && let Some(b) = *bug.get_or_insert_with(|| self.undiagnosed_bug(a))
                {
                    if !candidates.is_empty() {
                        break;
                    }
                    self.wait_for_diagnosis(a, b);
                    return Ok(());
                }
                if self.applicable(now, a, m) {
                    candidates.push(m);
                }
            }
            self.choose_method(now, a, &candidates, None)
        };
        if let Some(m) = chosen {
            return self.start(cx, a, m);
        }
        self.world.set_phase(a, Phase::NoMethod);
        self.recovery.maybe_stuck = true;
        trace!(
            now,
            "no method of strategy {} can bring {} back",
            self.st.id,
            self.sc.apps[a.index()].id
        );
        Ok(())
    }

    /// App `a` waits for the diagnosis of bug `b` before any method but an
    /// HA restart.
    fn wait_for_diagnosis(&mut self, a: AppId, b: BugId) {
        self.world.set_phase(a, Phase::Diagnosis);
        self.faults.bugs[b.index()].waiting.push(a);
    }

    /// Whether method `m` can bring app `a` back now: the app's `work`
    /// names it, and the method's own conditions hold.
    pub(crate) fn applicable(&mut self, now: SimTime, a: AppId, m: Method) -> bool {
        let app = &self.sc.apps[a.index()];
        if app.work(m).is_none() {
            return false;
        }
        let corrupted = app
            .vms
            .iter()
            .any(|v| self.world.vm_status[v.index()] == VmStatus::Corrupted);
        // Each method's own conditions live in its file.
        match m {
            Method::Restart => restart::applicable(self, now, a, corrupted),
            Method::HaRestart => ha_restart::applicable(self, now, a, corrupted),
            Method::Restore => restore::applicable(self),
            Method::Failover => failover::applicable(self, now, a),
            Method::Reinstall => reinstall::applicable(self),
            Method::Rebuild => rebuild::applicable(self, corrupted),
        }
    }

    pub(crate) fn start(&mut self, cx: &mut Cx<'_>, a: AppId, m: Method) -> Result<(), SimError> {
        let now = cx.now;
        if matches!(m, Method::Restart | Method::Rebuild) {
            let mut waiting = false;
            for i in 0..self.sc.apps[a.index()].vms.len() {
                let v = self.sc.apps[a.index()].vms[i];
                if self.world.vm_status[v.index()] == VmStatus::Running {
                    continue;
                }
                let h = self.world.vm_host[v.index()];
                let stale_build = self
                    .st
                    .rebuild_to
                    .is_some_and(|b| self.world.hosts[h.index()].build != b);
                match self.world.hosts[h.index()].status {
                    HostStatus::Up => {}
                    HostStatus::Rebooting | HostStatus::Rebuilding | HostStatus::Failed => {
                        waiting = true
                    }
                    HostStatus::Crashed => {
                        waiting = true;
                        if m == Method::Rebuild && stale_build {
                            self.request_rebuild(now, h);
                        } else {
                            self.reboot(cx, h)?;
                        }
                    }
                }
            }
            if waiting {
                self.world.set_phase(a, Phase::Hosts(m));
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
    pub(crate) fn escalate_on_failure(&mut self, now: SimTime, a: AppId, m: Option<Method>) {
        let state = &mut self.world.apps[a.index()];
        state.recur_hits += 1;
        let Some(n) = self.st.escalate_after_recurrences else {
            return;
        };
        if state.recur_hits < n {
            return;
        }
        let hits = state.recur_hits;
        if let Some(pos) = m.and_then(|m| self.st.methods.iter().position(|x| *x == m))
            && pos + 1 > state.level
            && pos + 1 < self.st.methods.len()
            && self.may_escalate(now, a, pos, Escalation::Recurrences(hits))
        {
            self.world.apps[a.index()].level = pos + 1;
            tracing::info!(target: crate::run::TRACE_TARGET, "{} escalates past {} after {} recurrence(s)", self.sc.apps[a.index()].id, self.st.methods[pos].name(), hits);
        }
    }

    /// Whether the decider lets app `a` escalate past the strategy's method
    /// at `pos` (the strategy's rule says it does).
    fn may_escalate(&mut self, now: SimTime, a: AppId, pos: usize, reason: Escalation) -> bool {
        self.decider.escalate(&EscalationChoice {
            now,
            app: a,
            app_name: &self.sc.apps[a.index()].id,
            from: self.st.methods[pos],
            to: self.st.methods[pos + 1],
            reason,
        })
    }

    /// The escalation deadline of an outage: an app still waiting for its
    /// method (not yet being worked on) moves on to the next method.
    pub(crate) fn deadline(
        &mut self,
        cx: &mut Cx<'_>,
        a: AppId,
        outage: u32,
    ) -> Result<(), SimError> {
        let now = cx.now;
        let state = &self.world.apps[a.index()];
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
        if pos + 1 >= self.st.methods.len() || !self.may_escalate(now, a, pos, Escalation::Deadline)
        {
            return Ok(());
        }
        trace!(
            now,
            "{} still down after {}: escalates from {}",
            self.sc.apps[a.index()].id,
            self.st.escalate_after.unwrap_or_default(),
            m.name()
        );
        let state = &mut self.world.apps[a.index()];
        state.level = state.level.max(pos + 1);
        self.world.set_phase(a, Phase::Healthy);
        self.decide(cx, a)
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
    pub(crate) fn revisit(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        if !std::mem::take(&mut self.recovery.revisable) {
            return Ok(());
        }
        let mut waiting = false;
        for i in 0..self.world.apps.len() {
            let a = AppId(i as u32);
            let state = &self.world.apps[i];
            let m = match state.phase {
                Phase::Queued(m) | Phase::DrCapacity(m) if state.broken > 0 => m,
                _ => continue,
            };
            let level = state.level;
            let st = self.st;
            let first = if D::FOLLOWS_STRATEGY {
                // The strategy's choice: the first applicable method.
                let mut first = None;
                for &x in st.methods.iter().skip(level) {
                    if self.applicable(now, a, x) {
                        first = Some(x);
                        break;
                    }
                }
                first
            } else {
                let mut candidates = Candidates::new();
                for &x in st.methods.iter().skip(level) {
                    if self.applicable(now, a, x) {
                        candidates.push(x);
                    }
                }
                self.choose_method(now, a, &candidates, Some(m))
            };
            match first {
                Some(x) if x != m => {
                    trace!(
                        now,
                        "{} was waiting to {} but can now {}: decided again",
                        self.sc.apps[i].id,
                        m.name(),
                        x.name()
                    );
                    self.world.set_phase(a, Phase::Healthy);
                    self.decide(cx, a)?;
                }
                _ => waiting = true,
            }
        }
        self.recovery.revisable |= waiting;
        Ok(())
    }

    pub(crate) fn enqueue(&mut self, now: SimTime, a: AppId, m: Method) {
        if self.st.methods.len() > 1 {
            self.recovery.revisable = true;
        }
        let key = order_key(self.st.order, &self.sc.apps[a.index()], a.0, m, now);
        self.recovery.ready_seq += 1;
        self.world.set_phase(a, Phase::Queued(m));
        let state = &mut self.world.apps[a.index()];
        state.queue_seq = self.recovery.ready_seq;
        state.gated = false;
        self.recovery.lanes.push(
            Lane::app(m),
            Reverse((key, self.recovery.ready_seq, Job::App(a, m))),
        );
    }

    /// Something that limited methods is back (a fix, the management
    /// plane, a shared service): apps no method could help are decided again.
    pub(crate) fn services_back(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        // Apps waiting for a method may now have a better one.
        self.recovery.facts_changed = true;
        // Each host patched calls this: without the flag, patching every
        // host of a large estate would scan every app each time.
        if !std::mem::take(&mut self.recovery.maybe_stuck) {
            return Ok(());
        }
        for a in 0..self.world.apps.len() {
            if self.world.apps[a].phase == Phase::NoMethod {
                self.world.set_phase(AppId(a as u32), Phase::Healthy);
                self.decide(cx, AppId(a as u32))?;
            }
        }
        Ok(())
    }
}
