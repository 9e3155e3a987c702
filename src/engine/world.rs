//! The world in a run: the hosts, the VMs and the apps as they are now
//! (the scenario itself never changes). Faults and recovery both read and
//! change it, through the engine.

use crate::model::{AppId, BugId, BuildId, HostId, Method, Scenario, VmId};
use crate::sim::{EventId, SimTime};

use super::reuse::{Reuse, cleared, empty_lists, refilled};

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
}

/// The hosts, VMs and apps of a run.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) hosts: Vec<HostState>,
    /// Per host, the VMs on it.
    pub(crate) host_vms: Vec<Vec<VmId>>,
    /// Per VM, its host.
    pub(crate) vm_host: Vec<HostId>,
    pub(crate) vm_status: Vec<VmStatus>,
    pub(crate) apps: Vec<AppState>,
    /// Scratch for `update_up`.
    pub(crate) up_stack: Vec<AppId>,
}

impl World {
    /// The scenario's world at the start of a run, in `reuse`'s buffers
    /// (every one emptied or overwritten: nothing of an earlier run
    /// carries over).
    pub(crate) fn new(sc: &Scenario, reuse: &mut Reuse) -> Self {
        let mut host_vms = empty_lists(std::mem::take(&mut reuse.host_vms), sc.hosts.len());
        let mut previous = std::mem::take(&mut reuse.hosts).into_iter();
        let hosts: Vec<HostState> = sc
            .hosts
            .iter()
            .map(|h| {
                let (struck, patched, triggers) = match previous.next() {
                    Some(p) => (cleared(p.struck), cleared(p.patched), cleared(p.triggers)),
                    None => (Vec::new(), Vec::new(), Vec::new()),
                };
                HostState {
                    status: HostStatus::Up,
                    build: h.build,
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
                    down_since: None,
                }
            })
            .collect();
        for (v, vm) in sc.vms.iter().enumerate() {
            host_vms[vm.host.index()].push(VmId(v as u32));
        }
        let mut previous = std::mem::take(&mut reuse.apps).into_iter();
        let apps = (0..sc.apps.len())
            .map(|_| AppState {
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
                placement: match previous.next() {
                    Some(p) => {
                        let mut placement = p.placement;
                        placement.clear();
                        placement
                    }
                    None => HostList::new(),
                },
                auto_event: None,
                gated: false,
                worker: None,
            })
            .collect();
        World {
            hosts,
            host_vms,
            vm_host: refilled(
                std::mem::take(&mut reuse.vm_host),
                sc.vms.iter().map(|v| v.host),
            ),
            vm_status: refilled(
                std::mem::take(&mut reuse.vm_status),
                std::iter::repeat_n(VmStatus::Running, sc.vms.len()),
            ),
            apps,
            up_stack: cleared(std::mem::take(&mut reuse.up_stack)),
        }
    }
}
