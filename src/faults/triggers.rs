//! Per-host triggers: a bug that strikes a host at an uptime threshold,
//! at Poisson times (re-armed after every boot), or on an operation (a
//! reboot, a VM moved onto it, a restore onto it) with a probability.

use rand::RngExt;

use crate::model::{BugId, HostId, Operation, Trigger};
use crate::run::{CLASS_FAULT, Cx, Ev, SimError, trace};
use crate::sim::{Purpose, SimDuration, SimTime};

use crate::run::world::HostStatus;

use super::{Broken, Faults, HostStrike};

impl Faults<'_, '_> {
    /// A per-host trigger fired: the bug strikes this one host. Once
    /// recovery has seen the apps it broke, [`Faults::rearm_trigger`].
    pub(crate) fn strike_host(
        &mut self,
        cx: &mut Cx<'_>,
        b: BugId,
        h: HostId,
    ) -> Result<HostStrike, SimError> {
        let now = cx.now;
        self.world.hosts[h.index()]
            .triggers
            .retain(|(_, x)| *x != b);
        let bug = &self.sc.bugs[b.index()];
        let host = &self.world.hosts[h.index()];
        if self.bug_dead(b, h) || host.status != HostStatus::Up || !bug.builds.contains(&host.build)
        {
            return Ok(HostStrike::Moot);
        }
        let n = host.trigger_draws;
        self.world.hosts[h.index()].trigger_draws += 1;
        let index = (1 << 62) | (u64::from(b.0) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
        let mut rng = self.rng.stream(Purpose::Faults, index);
        let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
        if !hit {
            return Ok(HostStrike::Spared);
        }
        self.open_incident(now, b);
        trace!(
            now,
            "bug {} strikes host {}",
            bug.id,
            self.sc.hosts[h.index()].id
        );
        let mut touched = Vec::new();
        self.hit(cx, h, b, &mut rng, &mut touched)?;
        self.struck_effects(cx, b)?;
        Ok(HostStrike::Hit(Broken {
            apps: touched,
            recurrence: false,
        }))
    }

    /// After a per-host trigger fired and struck or spared its host: a
    /// Poisson or uptime trigger fires again while the host stays up.
    pub(crate) fn rearm_trigger(
        &mut self,
        cx: &mut Cx<'_>,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        if self.world.hosts[h.index()].status == HostStatus::Up
            && matches!(
                self.sc.bugs[b.index()].trigger,
                Trigger::Uptime(_) | Trigger::Poisson(_)
            )
        {
            self.arm_trigger(cx, b, h)?;
        }
        Ok(())
    }

    /// Schedules the next firing of a per-host trigger (uptime threshold or
    /// Poisson) of bug `b` on host `h`, which is up since its last boot.
    pub(crate) fn arm_trigger(
        &mut self,
        cx: &mut Cx<'_>,
        b: BugId,
        h: HostId,
    ) -> Result<(), SimError> {
        let now = cx.now;
        let host = &mut self.world.hosts[h.index()];
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
        let ev = cx
            .sched
            .schedule_in(delay, CLASS_FAULT, Ev::StrikeHost(b, h))?;
        self.world.hosts[h.index()].triggers.push((ev, b));
        Ok(())
    }

    /// An operation happened on a host: bugs triggered by it may strike.
    pub(crate) fn operation(
        &mut self,
        cx: &mut Cx<'_>,
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
            let host = &mut self.world.hosts[h.index()];
            let n = host.trigger_draws;
            host.trigger_draws += 1;
            let index = (u64::from(b as u32) << 40) | (u64::from(h.0) << 16) | n.min(0xFFFF);
            let mut rng = self.rng.stream(Purpose::Trigger, index);
            if rng.random::<f64>() < p {
                let ev = cx.sched.schedule_in(
                    SimDuration::ZERO,
                    CLASS_FAULT,
                    Ev::StrikeHost(BugId(b as u32), h),
                )?;
                self.world.hosts[h.index()]
                    .triggers
                    .push((ev, BugId(b as u32)));
            }
        }
        Ok(())
    }

    /// Host `h` just booted (rebooted, rebuilt or repaired): each bug that
    /// struck it and can still recur draws a delay from its `recurrence`,
    /// the earliest crashes it again, and its uptime and Poisson triggers
    /// start again from this boot. `true` when a bug that may recur struck
    /// it: restarting on it is now possible where it was unsafe (a fact
    /// recovery's decisions rest on).
    pub(crate) fn arm_after_boot(&mut self, cx: &mut Cx<'_>, h: HostId) -> Result<bool, SimError> {
        // An unfixed bug may strike again (docs/design.md: "Recurrence,
        // workaround, fix").
        let mut next: Option<(SimDuration, BugId)> = None;
        let boots = self.world.hosts[h.index()].boots;
        let index = (u64::from(h.0) << 24) | boots.min((1 << 24) - 1);
        let mut rng = self.rng.stream(Purpose::Recurrence, index);
        let mut may_recur = false;
        for k in 0..self.world.hosts[h.index()].struck.len() {
            let b = self.world.hosts[h.index()].struck[k];
            if !self.can_recur(b, h) {
                continue;
            }
            // A host that a recurring bug struck is up: restarting on it
            // is now possible where it was unsafe.
            may_recur = true;
            if let Some(dist) = &self.sc.bugs[b.index()].recurrence {
                let d = dist.sample(&mut rng);
                if next.is_none_or(|(best, _)| d < best) {
                    next = Some((d, b));
                }
            }
        }
        if let Some((delay, b)) = next {
            let ev = cx.sched.schedule_in(delay, CLASS_FAULT, Ev::Recur(b, h))?;
            self.world.hosts[h.index()].recurrence = Some((ev, b));
        }
        // Uptime and Poisson triggers start again from this boot.
        for b in 0..self.sc.bugs.len() {
            let bug = &self.sc.bugs[b];
            if matches!(bug.trigger, Trigger::Uptime(_) | Trigger::Poisson(_))
                && !self.bug_dead(BugId(b as u32), h)
                && bug.hosts.binary_search(&h).is_ok()
            {
                self.arm_trigger(cx, BugId(b as u32), h)?;
            }
        }
        Ok(may_recur)
    }
}
