//! A read-only view of a run in progress, for [`Decider::observe`](super::Decider::observe): the
//! facts an observer (`hvsim explain`) needs to say why each app is down,
//! in the model's public vocabulary, without reaching into the run's
//! state. The engine builds one after each event; with a decider that
//! does not observe (the default, [`StrategyDecider`](crate::StrategyDecider)),
//! the call is empty and compiles to nothing.

use super::Lane;
use crate::metrics::Outcome;
use crate::model::{AppId, BugId, Method, Scenario, Strategy, TeamId};
use crate::run::world::{HostStatus, Phase, VmStatus, World};
use crate::sim::{Roster, SimTime};

/// The run as it is after an event: what an observer may read.
pub struct RunView<'v> {
    pub(crate) sc: &'v Scenario,
    pub(crate) st: &'v Strategy,
    pub(crate) world: &'v World<'v>,
    pub(crate) faults: &'v crate::faults::State,
    pub(crate) recovery: &'v crate::recovery::State<'v>,
    pub(crate) out: &'v Outcome,
}

/// The undiagnosed bug that crashed a host of one of app `a`'s down VMs,
/// or that stopped one of its VMs on a host that stayed up (a corruption
/// without a crash, `crash: false`): what broke it must be understood
/// before anything but an HA restart, crash or not.
pub(crate) fn undiagnosed_bug(
    sc: &Scenario,
    world: &World<'_>,
    faults: &crate::faults::State,
    a: AppId,
) -> Option<BugId> {
    let undiagnosed = |b: &BugId| !faults.bugs[b.index()].diagnosed;
    let mut stopped_on_an_up_host = false;
    let crashed = sc.apps[a.index()].vms.iter().find_map(|&v| {
        let h = world.vm_host[v.index()];
        if world.vm_status[v.index()] == VmStatus::Running {
            return None;
        }
        if world.hosts[h.index()].status == HostStatus::Up {
            stopped_on_an_up_host = true;
            return None;
        }
        world.hosts[h.index()].crashed_by.filter(undiagnosed)
    });
    crashed.or_else(|| {
        stopped_on_an_up_host
            .then_some(world.apps[a.index()].down_bug)
            .flatten()
            .filter(undiagnosed)
    })
}

/// Where an app is in its recovery (its own VMs; an app whose VMs run may
/// still be down through a dependency).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStage {
    /// Its VMs run: nothing of its own to recover.
    Running,
    /// Waiting for the diagnosis of the bug that crashed its hosts.
    Diagnosis,
    /// No method of the strategy applies now.
    NoMethod,
    /// Waiting for its hosts to reboot or be rebuilt before this method.
    Hosts(Method),
    /// Its task of this method waits in its lane.
    Queued(Method),
    /// No room for its VMs where this method would put them.
    DrCapacity(Method),
    /// Its task of this method is in progress.
    InProgress(Method),
    /// Its restore's data transfer: waiting for a stream, or transferring.
    Transfer,
}

/// What the hosts of an app waiting for them are doing (the slowest kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostWait {
    /// Crashed or rebooting (the build's reboot, after any crash dump).
    Reboot,
    /// Waiting for, or under, a rebuild on another build.
    Rebuild,
    /// Failed (chaos) and under repair.
    Repair,
}

/// Why a queued app's runbook wave holds it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaveHold {
    /// An earlier wave (by index) has not settled.
    Earlier(usize),
    /// Its own wave (by index) waits for its go step.
    Go(usize),
}

/// Where a restore's data transfer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferStage {
    /// Waiting for a free stream of the backup system.
    Waiting,
    /// Transferring, sharing the throughput with the other restores.
    Active,
    /// Paused: the backup system or the link is down.
    Paused,
}

impl<'v> RunView<'v> {
    /// The scenario being run.
    pub fn scenario(&self) -> &'v Scenario {
        self.sc
    }

    /// The strategy being run.
    pub fn strategy(&self) -> &'v Strategy {
        self.st
    }

    /// The outcome recorded so far (outages, tasks, transfers, faults,
    /// incidents; the end-of-run fields are not final).
    pub fn outcome(&self) -> &'v Outcome {
        self.out
    }

    /// Whether app `a` is up (its VMs run and every app it depends on is up).
    pub fn app_up(&self, a: AppId) -> bool {
        self.world.apps[a.index()].up
    }

    /// Where app `a` is in its recovery.
    pub fn app_stage(&self, a: AppId) -> AppStage {
        match self.world.apps[a.index()].phase {
            Phase::Healthy => AppStage::Running,
            Phase::Diagnosis => AppStage::Diagnosis,
            Phase::NoMethod => AppStage::NoMethod,
            Phase::Hosts(m) => AppStage::Hosts(m),
            Phase::Queued(m) => AppStage::Queued(m),
            Phase::DrCapacity(m) => AppStage::DrCapacity(m),
            Phase::InProgress(m) => AppStage::InProgress(m),
            Phase::Transfer => AppStage::Transfer,
        }
    }

    /// Whether some VM of app `a` is down (not running).
    pub fn app_broken(&self, a: AppId) -> bool {
        self.world.apps[a.index()].broken > 0
    }

    /// The index into the strategy's methods from which app `a`'s methods
    /// are considered (raised by escalation).
    pub fn app_level(&self, a: AppId) -> usize {
        self.world.apps[a.index()].level
    }

    /// How many times a recurrence knocked app `a` down, or a crash cut
    /// its restart or rebuild short.
    pub fn app_recurrence_hits(&self, a: AppId) -> u32 {
        self.world.apps[a.index()].recur_hits
    }

    /// Whether app `a` is parked behind a dependency (dependency-aware order).
    pub fn app_gated(&self, a: AppId) -> bool {
        self.world.apps[a.index()].gated
    }

    /// The member (team, number from 0) working on app `a`'s task.
    pub fn app_worker(&self, a: AppId) -> Option<(TeamId, u32)> {
        let w = self.world.apps[a.index()].worker?;
        let worker = self.recovery.staff.workers.get(w as usize)?;
        Some((worker.team, worker.member))
    }

    /// Whether a VM of app `a` is corrupted.
    pub fn app_corrupted(&self, a: AppId) -> bool {
        self.sc.apps[a.index()]
            .vms
            .iter()
            .any(|v| self.world.vm_status[v.index()] == VmStatus::Corrupted)
    }

    /// Whether a strike deleted app `a`'s replica (`effects.replica_loss`).
    pub fn replica_lost(&self, a: AppId) -> bool {
        self.world.apps[a.index()].replica_lost
    }

    /// The undiagnosed bug app `a` waits for: the one that crashed a host
    /// of its down VMs, or that stopped one on a host that stayed up.
    pub fn undiagnosed_bug(&self, a: AppId) -> Option<BugId> {
        undiagnosed_bug(self.sc, self.world, self.faults, a)
    }

    /// Whether a host of app `a`'s down VMs is not up and was struck by a
    /// bug that can still recur there (restarting in place is unsafe).
    pub fn restart_unsafe(&self, a: AppId) -> bool {
        self.sc.apps[a.index()].vms.iter().any(|&v| {
            let h = self.world.vm_host[v.index()];
            let host = &self.world.hosts[h.index()];
            self.world.vm_status[v.index()] != VmStatus::Running
                && host.status != HostStatus::Up
                && host.struck.iter().any(|&b| {
                    self.sc.bugs[b.index()].recurrence.is_some()
                        && !self.faults.bugs[b.index()].fixed
                        && !host.patched.contains(&b)
                        && !self.faults.bugs[b.index()].workaround
                })
        })
    }

    /// When the power is back on every host of app `a`'s down VMs that is
    /// not up (`effects.power_off`), if one of them is still without power
    /// at `now`.
    pub fn power_back(&self, a: AppId, now: SimTime) -> Option<SimTime> {
        self.sc.apps[a.index()]
            .vms
            .iter()
            .filter(|v| self.world.vm_status[v.index()] != VmStatus::Running)
            .map(|v| &self.world.hosts[self.world.vm_host[v.index()].index()])
            .filter(|host| host.status != HostStatus::Up)
            .map(|host| host.power_until)
            .max()
            .filter(|&t| t > now)
    }

    /// What the hosts of app `a`'s down VMs are doing (the slowest kind),
    /// if any is not up.
    pub fn hosts_wait(&self, a: AppId) -> Option<HostWait> {
        self.sc.apps[a.index()]
            .vms
            .iter()
            .filter(|v| self.world.vm_status[v.index()] != VmStatus::Running)
            .filter_map(
                |v| match self.world.hosts[self.world.vm_host[v.index()].index()].status {
                    HostStatus::Up => None,
                    HostStatus::Crashed | HostStatus::Rebooting => Some(HostWait::Reboot),
                    HostStatus::Rebuilding => Some(HostWait::Rebuild),
                    HostStatus::Failed => Some(HostWait::Repair),
                },
            )
            .max_by_key(|w| match w {
                HostWait::Reboot => 0,
                HostWait::Rebuild => 1,
                HostWait::Repair => 2,
            })
    }

    /// Whether the management plane is available at `now` (HA restart,
    /// failover).
    pub fn management_available(&self, now: SimTime) -> bool {
        self.faults.management_available(now)
    }

    /// Whether the link between the sites is up.
    pub fn link_up(&self) -> bool {
        self.faults.link_up()
    }

    /// Whether restores can read from the backup system (it and the link up).
    pub fn backup_available(&self) -> bool {
        self.faults.backup_available()
    }

    /// Whether bug `b` has been diagnosed.
    pub fn bug_diagnosed(&self, b: BugId) -> bool {
        self.faults.bugs[b.index()].diagnosed
    }

    /// Whether the strategy's cap that tasks of method `m` count against
    /// is reached.
    pub fn cap_reached(&self, m: Method) -> bool {
        Lane::app(m).cap_method().is_some_and(|c| {
            self.st
                .cap(c)
                .is_some_and(|cap| self.recovery.running[c] >= cap)
        })
    }

    /// The skill a member needs for an app's task of method `m` (`None`:
    /// automated).
    pub fn skill_for(&self, m: Method) -> Option<Method> {
        if m.automated() {
            None
        } else {
            Lane::app(m).skill()
        }
    }

    /// Why app `a`, queued, is held back by its runbook wave, if it is.
    pub fn wave_hold(&self, a: AppId) -> Option<WaveHold> {
        let Phase::Queued(m) = self.world.apps[a.index()].phase else {
            return None;
        };
        if self.st.waves.is_empty() || m == Method::HaRestart {
            return None;
        }
        let w = *self.st.wave_of.get(a.index())? as usize;
        if let Some(earlier) = (0..w).find(|&e| self.world.waves.unsettled[e] > 0) {
            return Some(WaveHold::Earlier(earlier));
        }
        let state = self.recovery.waves.states.get(w)?;
        (self.st.waves[w].go.is_some() && !state.go_done).then_some(WaveHold::Go(w))
    }

    /// Where app `a`'s restore transfer is, if it has one in progress.
    pub fn transfer(&self, a: AppId) -> Option<TransferStage> {
        let record = self
            .out
            .transfers
            .iter()
            .rev()
            .find(|t| t.app == a && t.end.is_none())?;
        Some(if record.start.is_none() {
            TransferStage::Waiting
        } else if !self.faults.backup_available() {
            TransferStage::Paused
        } else {
            TransferStage::Active
        })
    }

    /// Team `team`'s roster in this run (with its random absences).
    pub fn roster(&self, team: TeamId) -> &Roster {
        &self.recovery.staff.rosters[team.index()]
    }
}
