//! What follows a bug's first strike: the management plane it takes
//! down, its detection and diagnosis, and the vendor's support (the
//! workaround that ends recurrences, the fix that ends strikes, or with
//! `patch_when_fixed` a patch that a member applies host by host).

use crate::model::{AppId, BugId, HostId};
use crate::run::{CLASS_FIX, CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::{Purpose, SimDuration, SimTime};

use super::Faults;

impl Faults<'_, '_> {
    /// What a strike does beyond its hosts: the management plane, and on
    /// the bug's first strike its diagnosis and the vendor's clock.
    pub(crate) fn struck_effects(&mut self, cx: &mut Cx<'_>, b: BugId) -> Result<(), SimError> {
        let now = cx.now;
        let bug = &self.sc.bugs[b.index()];
        if let Some(dist) = &bug.management_plane {
            let state = &mut self.faults.bugs[b.index()];
            let index = (u64::from(b.0) << 40) | (0xFFFF << 16) | state.mgmt_losses.min(0xFFFF);
            state.mgmt_losses += 1;
            let mut rng = self.rng.stream(Purpose::Effects, index);
            let until = now.saturating_add(dist.sample(&mut rng));
            if until > self.faults.management_until {
                self.faults.management_until = until;
                cx.sched
                    .schedule_at(until, CLASS_OTHER, Ev::ManagementBack)?;
            }
            trace!(
                now,
                "the management plane is lost: no HA restart or failover until it is back"
            );
        }
        if self.faults.bugs[b.index()].struck {
            return Ok(());
        }
        self.faults.bugs[b.index()].struck = true;
        let mut drng = self.rng.stream(Purpose::Diagnosis, b.0 as u64);
        let detection = self.st.detection.sample(&mut drng);
        let delay = detection.saturating_add(self.st.diagnosis.sample(&mut drng));
        if let Some(i) = self.faults.bugs[b.index()].incident
            && let Some(inc) = self.out.incidents.get_mut(i)
        {
            inc.detected_at = Some(now.saturating_add(detection));
        }
        cx.sched.schedule_in(delay, CLASS_OTHER, Ev::Diagnosed(b))?;
        let mut frng = self.rng.stream(Purpose::Fix, b.0 as u64);
        if let Some(fix) = &bug.fix {
            cx.sched
                .schedule_in(fix.sample(&mut frng), CLASS_FIX, Ev::Fixed(b))?;
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
                cx.sched.schedule_at(t, CLASS_FIX, Ev::Fixed(b))?;
            }
            let mut wrng = self.rng.stream(Purpose::Fix, (1 << 32) | u64::from(b.0));
            if let Some(w) = &vendor.workaround
                && let Some(t) = when(w.sample(&mut wrng))
            {
                cx.sched.schedule_at(t, CLASS_FIX, Ev::Workaround(b))?;
            }
        }
        Ok(())
    }

    /// Bug `b` is diagnosed: its incidents so far are explained. The apps
    /// that waited for the diagnosis, for recovery to decide about.
    pub(crate) fn diagnosed(&mut self, now: SimTime, b: BugId) -> Vec<AppId> {
        let state = &mut self.faults.bugs[b.index()];
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
        trace!(
            now,
            "bug {} diagnosed: strategy {} decides how {} app(s) come back",
            self.sc.bugs[b.index()].id,
            self.st.id,
            waiting.len()
        );
        waiting
    }

    /// The vendor's fix for bug `b` lands: `true` when it is applied
    /// everywhere (no more strikes or recurrences: facts recovery rests
    /// on improved); `false` with `patch_when_fixed`, where it is only
    /// available and hosts wait for a patch (which recovery queues).
    pub(crate) fn fixed(&mut self, cx: &mut Cx<'_>, b: BugId) -> bool {
        let now = cx.now;
        if self.st.patch_when_fixed {
            self.faults.bugs[b.index()].fix_available = true;
            trace!(
                now,
                "the vendor's fix for bug {} is available: hosts are queued for patching",
                self.sc.bugs[b.index()].id
            );
            return false;
        }
        self.faults.bugs[b.index()].fixed = true;
        trace!(
            now,
            "the vendor's fix for bug {} is applied",
            self.sc.bugs[b.index()].id
        );
        self.cancel_recurrences(cx, b);
        for h in &mut self.world.hosts {
            h.triggers.retain(|&(ev, bug)| {
                if bug == b {
                    cx.sched.cancel(ev);
                }
                bug != b
            });
        }
        true
    }

    /// A host is patched: every bug whose fix is available and that its
    /// build carries no longer affects it. `true` when that is news for a
    /// bug (restarting on the host may be safe now).
    pub(crate) fn patched(&mut self, cx: &mut Cx<'_>, h: HostId) -> bool {
        let now = cx.now;
        let build = self.world.hosts[h.index()].build;
        let fixed: Vec<BugId> = (0..self.sc.bugs.len())
            .map(|b| BugId(b as u32))
            .filter(|b| {
                self.faults.bugs[b.index()].fix_available
                    && self.sc.bugs[b.index()].builds.contains(&build)
            })
            .collect();
        let host = &mut self.world.hosts[h.index()];
        host.patch_pending = None;
        let mut news = false;
        for &b in &fixed {
            if !host.patched.contains(&b) {
                host.patched.push(b);
                news = true;
            }
        }
        host.struck.retain(|b| !fixed.contains(b));
        if let Some((ev, b)) = host.recurrence
            && fixed.contains(&b)
        {
            cx.sched.cancel(ev);
            host.recurrence = None;
        }
        host.triggers.retain(|&(ev, b)| {
            if fixed.contains(&b) {
                cx.sched.cancel(ev);
            }
            !fixed.contains(&b)
        });
        trace!(now, "host {} patched", self.sc.hosts[h.index()].id);
        news
    }

    pub(crate) fn cancel_recurrences(&mut self, cx: &mut Cx<'_>, b: BugId) {
        for h in &mut self.world.hosts {
            if let Some((ev, bug)) = h.recurrence
                && bug == b
            {
                cx.sched.cancel(ev);
                h.recurrence = None;
            }
        }
    }

    /// The vendor's workaround: restarted hosts no longer crash again
    /// (restart may be safe now: facts recovery rests on improved).
    pub(crate) fn workaround(&mut self, cx: &mut Cx<'_>, b: BugId) {
        let now = cx.now;
        self.faults.bugs[b.index()].workaround = true;
        trace!(
            now,
            "the vendor's workaround for bug {} is applied: no more recurrences",
            self.sc.bugs[b.index()].id
        );
        self.cancel_recurrences(cx, b);
    }
}
