//! The world in a run: the hosts, the VMs and the apps as they are now
//! (the scenario itself never changes), each host's free room, and the
//! per-wave counts of the apps. Faults and recovery both read and change
//! it; a host's status and an app's phase or broken VMs change only
//! through its doors (`set_status`, `change_app`, `set_phase`), which keep
//! the room index and the wave counts in step.

use std::borrow::Cow;

use crate::model::{AppId, BugId, BuildId, HostId, Method, Scenario, Strategy, VmId};
use crate::sim::{EventId, SimTime};

use super::buffers::{cleared, empty_lists, refilled};
use super::room::Placement;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Where a host is in its life.
pub(crate) enum HostStatus {
    Up,
    Crashed,
    Rebooting,
    /// Waiting for, or under, a rebuild on another build.
    Rebuilding,
    /// Failed (chaos) and under repair; its VMs restart by themselves after.
    Failed,
}

#[derive(Clone, Debug)]
/// A host in a run.
pub(crate) struct HostState {
    pub(crate) status: HostStatus,
    pub(crate) build: BuildId,
    pub(crate) crashed_by: Option<BugId>,
    pub(crate) struck: Vec<BugId>,
    pub(crate) recurrence: Option<(EventId, BugId)>,
    pub(crate) reboot: Option<EventId>,
    pub(crate) boots: u64,
    pub(crate) rebuilds: u64,
    /// Sequence of its queued rebuild job, for staleness checks.
    pub(crate) rebuild_seq: u64,
    /// Bugs whose fix is patched on it: they no longer affect it.
    pub(crate) patched: Vec<BugId>,
    /// A patch job is queued or in progress (with its sequence).
    pub(crate) patch_pending: Option<u64>,
    pub(crate) patches: u64,
    /// Pending per-host trigger events, cancelled when it goes down.
    pub(crate) triggers: Vec<(EventId, BugId)>,
    /// Per-host trigger draws so far (stream index).
    pub(crate) trigger_draws: u64,
    /// Crashes so far (stream index of effect draws).
    pub(crate) crashes: u64,
    /// It cannot be rebooted before its crash dump is written.
    pub(crate) dump_until: SimTime,
    /// It cannot boot before its power is back (`effects.power_off`).
    pub(crate) power_until: SimTime,
    /// Since when it is not up.
    pub(crate) down_since: Option<SimTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// A VM in a run.
pub(crate) enum VmStatus {
    Running,
    Down,
    Corrupted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Where an app is in its recovery.
pub(crate) enum Phase {
    /// Nothing to do: its VMs run (it may still be down through a dependency).
    Healthy,
    Diagnosis,
    NoMethod,
    /// Waiting for its hosts to reboot or be rebuilt before `Method` work.
    Hosts(Method),
    Queued(Method),
    /// No room for its VMs where `Method` would put them.
    DrCapacity(Method),
    InProgress(Method),
    /// A restore's data transfer: waiting for a stream or transferring.
    Transfer,
}

/// Hosts by VM position: inline for apps of up to four VMs, so that
/// placing one allocates nothing.
pub(crate) type HostList = smallvec::SmallVec<[HostId; 4]>;

#[derive(Clone, Debug)]
/// An app in a run.
pub(crate) struct AppState {
    pub(crate) broken: u32,
    pub(crate) deps_down: u32,
    pub(crate) up: bool,
    pub(crate) phase: Phase,
    pub(crate) queue_seq: u64,
    pub(crate) down_bug: Option<BugId>,
    pub(crate) attempts: [u32; 6],
    /// When its VMs last went from all running to not (its data's last write).
    pub(crate) broken_at: SimTime,
    /// Counts its outages (broken from all-running), for deadline events.
    pub(crate) outage_no: u32,
    /// Index into the strategy's methods from which methods are considered
    /// (raised by escalation).
    pub(crate) level: usize,
    /// Times a recurrence knocked it down.
    pub(crate) recur_hits: u32,
    /// Hosts reserved for its VMs (by VM position) by the method in progress.
    pub(crate) placement: HostList,
    /// The pending completion of an automated method.
    pub(crate) auto_event: Option<EventId>,
    /// Parked under dependency-aware order, waiting for a dependency.
    pub(crate) gated: bool,
    /// The worker on its task, if a person is working on it.
    pub(crate) worker: Option<u32>,
    /// A strike deleted its replica (`effects.replica_loss`): no failover.
    pub(crate) replica_lost: bool,
}

impl HostState {
    /// A host up on `build` at the start of a run, in the given (empty)
    /// lists of struck bugs, patches and pending triggers.
    fn fresh(build: BuildId, (struck, patched, triggers): HostLists) -> Self {
        HostState {
            status: HostStatus::Up,
            build,
            crashed_by: None,
            struck,
            recurrence: None,
            reboot: None,
            boots: 0,
            rebuilds: 0,
            rebuild_seq: 0,
            patched,
            patch_pending: None,
            patches: 0,
            triggers,
            trigger_draws: 0,
            crashes: 0,
            dump_until: SimTime::ZERO,
            power_until: SimTime::ZERO,
            down_since: None,
        }
    }
}

/// A host's lists: struck bugs, patches, pending triggers.
type HostLists = (Vec<BugId>, Vec<BugId>, Vec<(EventId, BugId)>);

impl AppState {
    /// An app healthy at the start of a run, in the given (empty)
    /// placement buffer.
    fn fresh(placement: HostList) -> Self {
        AppState {
            broken: 0,
            deps_down: 0,
            up: true,
            phase: Phase::Healthy,
            queue_seq: 0,
            down_bug: None,
            attempts: [0; 6],
            broken_at: SimTime::ZERO,
            outage_no: 0,
            level: 0,
            recur_hits: 0,
            placement,
            auto_event: None,
            gated: false,
            worker: None,
            replica_lost: false,
        }
    }
}

/// Per runbook wave, its apps not settled and its apps queued, kept as
/// apps change (`World::change_app`) so that opening the waves does not
/// scan every app at every dispatch.
#[derive(Debug, Default)]
pub(crate) struct WaveCounts {
    pub(crate) unsettled: Vec<u32>,
    pub(crate) queued: Vec<u32>,
}

/// The world's vectors a replication leaves to the next (`engine/reuse.rs`).
#[derive(Debug, Default)]
pub(crate) struct Spare {
    pub(crate) hosts: Vec<HostState>,
    pub(crate) host_vms: Vec<Vec<VmId>>,
    pub(crate) vm_host: Vec<HostId>,
    /// Per VM, its app (when the run derived it rather than borrowing a
    /// prepared start's).
    pub(crate) vm_app: Vec<AppId>,
    pub(crate) vm_status: Vec<VmStatus>,
    pub(crate) apps: Vec<AppState>,
    pub(crate) up_stack: Vec<AppId>,
    pub(crate) placement: Option<Placement>,
}

/// What every run of one strategy on one scenario starts from, derived
/// from the scenario once (`engine::Prepared`) rather than at every
/// replication: at a million VMs, streaming the scenario's VMs to rebuild
/// these cost more than copying them.
#[derive(Debug)]
pub(crate) struct Start {
    /// Per host, the VMs on it.
    host_vms: Vec<Vec<VmId>>,
    /// Per VM, its host.
    vm_host: Vec<HostId>,
    /// Per VM, its app: the scenario's VMs' apps, 4 bytes a VM instead of
    /// the VM's 32, which a big estate's strikes and boots read at random.
    vm_app: Vec<AppId>,
    /// Every host up, with the room its VMs leave.
    placement: Placement,
}

impl Start {
    /// The start of every run of `st` on `sc`, in `reuse`'s buffers.
    pub(crate) fn new(sc: &Scenario, st: &Strategy, reuse: &mut Spare) -> Self {
        let mut host_vms = empty_lists(std::mem::take(&mut reuse.host_vms), sc.hosts.len());
        for (v, vm) in sc.vms.iter().enumerate() {
            host_vms[vm.host.index()].push(VmId(v as u32));
        }
        Start {
            host_vms,
            vm_host: refilled(
                std::mem::take(&mut reuse.vm_host),
                sc.vms.iter().map(|v| v.host),
            ),
            vm_app: refilled(
                std::mem::take(&mut reuse.vm_app),
                sc.vms.iter().map(|v| v.app),
            ),
            placement: Placement::new(sc, st.dr_site),
        }
    }
}

/// The hosts, VMs and apps of a run.
#[derive(Debug)]
pub(crate) struct World<'a> {
    pub(crate) hosts: Vec<HostState>,
    /// Per host, the VMs on it.
    pub(crate) host_vms: Vec<Vec<VmId>>,
    /// Per VM, its host.
    pub(crate) vm_host: Vec<HostId>,
    /// Per VM, its app (`Start::vm_app`).
    vm_app: Cow<'a, [AppId]>,
    pub(crate) vm_status: Vec<VmStatus>,
    pub(crate) apps: Vec<AppState>,
    /// Scratch for `update_up`.
    pub(crate) up_stack: Vec<AppId>,
    /// Hosts' free room and first fit over the DR site and the clusters.
    pub(crate) placement: Placement,
    /// Per app, its runbook wave (the strategy's `wave_of`; empty without
    /// waves).
    wave_of: &'a [u32],
    /// Per wave, its apps not settled and queued.
    pub(crate) waves: WaveCounts,
}

impl<'a> World<'a> {
    /// The scenario's world at the start of a run of `st`, in `reuse`'s
    /// buffers (every one emptied or overwritten: nothing of an earlier
    /// run carries over): copied from `start` (which must be `st`'s on
    /// `sc`: `engine::Prepared` holds the three together), or derived
    /// from the scenario without one.
    pub(crate) fn new(
        sc: &Scenario,
        st: &'a Strategy,
        reuse: &mut Spare,
        start: Option<&'a Start>,
    ) -> Self {
        let (host_vms, vm_host, vm_app, placement) = match start {
            None => {
                let Start {
                    host_vms,
                    vm_host,
                    vm_app,
                    placement,
                } = Start::new(sc, st, reuse);
                (host_vms, vm_host, Cow::Owned(vm_app), placement)
            }
            Some(start) => {
                let mut host_vms = std::mem::take(&mut reuse.host_vms);
                host_vms.clone_from(&start.host_vms);
                let mut vm_host = std::mem::take(&mut reuse.vm_host);
                vm_host.clone_from(&start.vm_host);
                let placement = match reuse.placement.take() {
                    Some(mut kept) => {
                        kept.clone_from(&start.placement);
                        kept
                    }
                    None => start.placement.clone(),
                };
                (
                    host_vms,
                    vm_host,
                    Cow::Borrowed(&start.vm_app[..]),
                    placement,
                )
            }
        };
        // Overwritten in place, each keeping its lists' buffers: a big
        // estate's hosts and apps are megabytes that a new vector would
        // take in fresh pages, zeroed by the kernel, at every replication.
        let mut hosts = std::mem::take(&mut reuse.hosts);
        hosts.truncate(sc.hosts.len());
        for (state, h) in hosts.iter_mut().zip(&sc.hosts) {
            let lists = (
                cleared(std::mem::take(&mut state.struck)),
                cleared(std::mem::take(&mut state.patched)),
                cleared(std::mem::take(&mut state.triggers)),
            );
            *state = HostState::fresh(h.build, lists);
        }
        let kept = hosts.len();
        hosts.extend(
            sc.hosts[kept..]
                .iter()
                .map(|h| HostState::fresh(h.build, Default::default())),
        );
        let mut apps = std::mem::take(&mut reuse.apps);
        apps.truncate(sc.apps.len());
        for state in apps.iter_mut() {
            let mut placement = std::mem::take(&mut state.placement);
            placement.clear();
            *state = AppState::fresh(placement);
        }
        let kept = apps.len();
        apps.extend((kept..sc.apps.len()).map(|_| AppState::fresh(HostList::new())));
        World {
            hosts,
            host_vms,
            vm_host,
            vm_app,
            vm_status: refilled(
                std::mem::take(&mut reuse.vm_status),
                std::iter::repeat_n(VmStatus::Running, sc.vms.len()),
            ),
            apps,
            up_stack: cleared(std::mem::take(&mut reuse.up_stack)),
            placement,
            wave_of: &st.wave_of,
            waves: WaveCounts {
                // Every app starts healthy: settled, not queued.
                unsettled: vec![0; st.waves.len()],
                queued: vec![0; st.waves.len()],
            },
        }
    }

    /// Its vectors, for the thread's next replication.
    pub(crate) fn into_spare(self) -> Spare {
        Spare {
            hosts: self.hosts,
            host_vms: self.host_vms,
            vm_host: self.vm_host,
            vm_app: match self.vm_app {
                Cow::Owned(v) => v,
                Cow::Borrowed(_) => Vec::new(),
            },
            vm_status: self.vm_status,
            apps: self.apps,
            up_stack: self.up_stack,
            placement: Some(self.placement),
        }
    }

    /// VM `v`'s app.
    #[inline]
    pub(crate) fn vm_app(&self, v: VmId) -> AppId {
        self.vm_app[v.index()]
    }

    /// Every change of a host's status goes through here, so that the
    /// placement index, where only an up host takes VMs, stays in step.
    pub(crate) fn set_status(&mut self, h: HostId, status: HostStatus) {
        self.hosts[h.index()].status = status;
        self.placement.set_up(h, status == HostStatus::Up);
    }

    /// An app whose VMs are all running or whose method gave up on it: it
    /// no longer holds its runbook wave back.
    pub(crate) fn settled(&self, a: usize) -> bool {
        let s = &self.apps[a];
        s.broken == 0 || s.phase == Phase::NoMethod
    }

    /// What a runbook wave counts of app `a`: (settled, queued).
    fn wave_state(&self, a: AppId) -> (bool, bool) {
        (
            self.settled(a.index()),
            matches!(self.apps[a.index()].phase, Phase::Queued(_)),
        )
    }

    /// Keeps the per-wave counts in step after app `a` changed from
    /// `before` (its `wave_state`); see `change_app`.
    fn wave_update(&mut self, a: AppId, before: (bool, bool)) {
        let Some(&w) = self.wave_of.get(a.index()) else {
            return;
        };
        let (settled, queued) = self.wave_state(a);
        let w = w as usize;
        let step = |count: &mut u32, was: bool, is: bool| match (was, is) {
            (false, true) => *count += 1,
            (true, false) => *count -= 1,
            _ => {}
        };
        step(&mut self.waves.unsettled[w], !before.0, !settled);
        step(&mut self.waves.queued[w], before.1, queued);
    }

    /// Changes app `a`'s state with `change`: the one door for changes of
    /// its phase or broken VMs, which keeps the wave counts in step.
    #[inline(always)]
    pub(crate) fn change_app(&mut self, a: AppId, change: impl FnOnce(&mut AppState)) {
        if self.wave_of.is_empty() {
            change(&mut self.apps[a.index()]);
            return;
        }
        let before = self.wave_state(a);
        change(&mut self.apps[a.index()]);
        self.wave_update(a, before);
    }

    /// Sets app `a`'s phase (through `change_app`).
    #[inline(always)]
    pub(crate) fn set_phase(&mut self, a: AppId, phase: Phase) {
        self.change_app(a, |s| s.phase = phase);
    }
}
