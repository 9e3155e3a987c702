//! A bug strikes: the strike itself (every host in scope at once), its
//! recurrence on a restarted host, and the fault and incident records they
//! open and close.

use rand::RngExt;

use crate::metrics::{FaultKind, FaultRecord, Incident, Milestones};
use crate::model::{AppId, BugId, HostId};
use crate::run::{Cx, SimError, trace};
use crate::sim::{Purpose, SimTime, StreamRng};

use crate::run::world::HostStatus;

use super::{Broken, Faults};

impl Faults<'_, '_> {
    /// Bug `b` strikes every host in its scope (a dated trigger): the
    /// apps it stopped, `None` if it is fixed already.
    pub(crate) fn strike(&mut self, cx: &mut Cx<'_>, b: BugId) -> Result<Option<Broken>, SimError> {
        let now = cx.now;
        let bug = &self.sc.bugs[b.index()];
        if self.faults.bugs[b.index()].fixed {
            return Ok(None);
        }
        let mut rng = self.rng.stream(Purpose::Faults, b.0 as u64);
        self.open_incident(now, b);
        trace!(
            now,
            "bug {} strikes {} host(s) in its scope",
            bug.id,
            bug.hosts.len()
        );
        let mut touched = Vec::new();
        for &h in &bug.hosts {
            // One draw per host in scope whatever happens to it (common
            // random numbers across strategies).
            let hit = bug.host_probability >= 1.0 || rng.random::<f64>() < bug.host_probability;
            if hit {
                self.hit(cx, h, b, &mut rng, &mut touched)?;
            }
        }
        self.faults.rng[b.index()] = Some(rng);
        self.struck_effects(cx, b)?;
        Ok(Some(Broken {
            apps: touched,
            recurrence: false,
        }))
    }

    /// Records a strike: a fault and an incident.
    pub(crate) fn open_incident(&mut self, now: SimTime, b: BugId) {
        let fault = self.open_fault(now, Some(b), FaultKind::Strike);
        let incident = self.out.incidents.len();
        self.out.incidents.push(Incident {
            fault,
            bug: b,
            at: now,
            detected_at: None,
            diagnosed_at: None,
            recovery_started: None,
            apps: Vec::new(),
            restored: Vec::new(),
            milestones: Milestones::default(),
        });
        self.faults.bugs[b.index()].incident.get_or_insert(incident);
    }

    /// Applies a bug's per-host effects to a host it hits.
    pub(crate) fn hit(
        &mut self,
        cx: &mut Cx<'_>,
        h: HostId,
        b: BugId,
        rng: &mut StreamRng,
        touched: &mut Vec<AppId>,
    ) -> Result<(), SimError> {
        let bug = &self.sc.bugs[b.index()];
        // A host rebuilt on a build without the defect, or patched, is immune.
        if !bug.builds.contains(&self.world.hosts[h.index()].build)
            || self.world.hosts[h.index()].patched.contains(&b)
        {
            return Ok(());
        }
        if bug.crash {
            self.crash(cx, h, Some(b), rng, touched)?;
        }
        if bug.datastore_loss {
            for i in 0..self.world.host_vms[h.index()].len() {
                let v = self.world.host_vms[h.index()][i];
                self.vm_hit(cx, v, b, true, touched)?;
            }
        }
        if bug.replica_loss {
            // The delete reaches the DR copy of every app with a VM here.
            for &v in &self.world.host_vms[h.index()] {
                let a = self.world.vm_app(v);
                self.world.apps[a.index()].replica_lost = true;
            }
        }
        Ok(())
    }

    /// Bug `b` strikes restarted host `h` again: the apps it stopped,
    /// `None` if the host is down or the bug dead there.
    pub(crate) fn recur(
        &mut self,
        cx: &mut Cx<'_>,
        b: BugId,
        h: HostId,
    ) -> Result<Option<Broken>, SimError> {
        let now = cx.now;
        self.world.hosts[h.index()].recurrence = None;
        if self.world.hosts[h.index()].status != HostStatus::Up || self.bug_dead(b, h) {
            return Ok(None);
        }
        self.out.recurrences += 1;
        self.open_fault(now, Some(b), FaultKind::Recurrence);
        let mut rng = match self.faults.rng[b.index()].take() {
            Some(rng) => rng,
            None => self.rng.stream(Purpose::Faults, b.0 as u64),
        };
        tracing::warn!(target: crate::run::TRACE_TARGET, t = now.as_millis(), "bug {} strikes again on restarted host {}", self.sc.bugs[b.index()].id, self.sc.hosts[h.index()].id);
        let mut touched = Vec::new();
        self.crash(cx, h, Some(b), &mut rng, &mut touched)?;
        self.faults.rng[b.index()] = Some(rng);
        Ok(Some(Broken {
            apps: touched,
            recurrence: true,
        }))
    }

    pub(crate) fn open_fault(
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
        self.faults.current = Some(i);
        i
    }

    /// Closes the fault being recorded, once recovery has seen the apps it
    /// broke: its apps down are final, and so are its incident's.
    pub(crate) fn close_fault(&mut self, now: SimTime) {
        if let Some(i) = self.faults.current.take() {
            let f = &mut self.out.faults[i];
            f.apps_down.sort();
            if f.kind == FaultKind::Strike
                && let Some(inc) = self.out.incidents.iter_mut().rev().find(|x| x.fault == i)
            {
                inc.apps = f.apps_down.clone();
            }
            trace!(
                now,
                "{} host(s) crashed, {} VM(s) corrupted, {} app(s) down",
                f.hosts.len(),
                f.vms_corrupted,
                f.apps_down.len()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::{Tiny, at};
    use crate::metrics::FaultKind;

    const DARE: &str = ", restart_despite_recurrence: true";

    #[test]
    fn a_recurring_bug_crashes_the_restarted_host_again() {
        let bug = "    recurrence: 1h\n    fix: never";
        let (_, out) = Tiny {
            bug,
            strategy: DARE,
            ..Tiny::default()
        }
        .run();
        // Rebooted at 01:10, the bug strikes again an hour later, and
        // again an hour after each reboot.
        assert!(out.recurrences >= 2, "{} recurrences", out.recurrences);
        assert_eq!(out.faults[0].kind, FaultKind::Strike);
        assert_eq!(out.faults[1].kind, FaultKind::Recurrence);
        assert_eq!(out.faults[1].at, at(2, 10));
        assert_eq!(out.incidents.len(), 1, "a recurrence is not a new incident");
        assert!(out.apps[0].outages.len() >= 2);
    }

    #[test]
    fn the_vendors_workaround_ends_recurrences() {
        let bug = "    recurrence: 1h\n    vendor: { workaround: 3h }";
        let (_, out) = Tiny {
            bug,
            strategy: DARE,
            ..Tiny::default()
        }
        .run();
        // Recurrences at 02:10 and 03:20; the workaround lands at 04:00.
        assert_eq!(out.recurrences, 2);
        assert!(out.faults.iter().all(|f| f.at < at(4, 0)));
        assert_eq!(out.apps[0].waiting, None);
    }
}
