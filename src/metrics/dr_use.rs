//! The DR site's use over one run, derived from the run's `Outcome`:
//! the share of the DR site's memory and virtual CPUs taken by the VMs
//! placed there, step by step, and whether the site was full (an app down
//! that needs it has a VM no DR host has room for). Computed from the
//! run's record of VM moves (`Outcome::moves`), its tasks and its faults,
//! from the initial placement, as the engine accounts for room
//! (`src/recovery/placement.rs`):
//! - a VM's room at the DR site is taken when its app's restore or
//!   reinstall task *starts* (the engine reserves the first-fit hosts as
//!   it hands the job to a team member), not when the VM starts running
//!   there; its old host gives the room back when it moves. A failover
//!   is automated and leaves no task in the outcome: its room counts
//!   from the move (a failover lasts minutes).
//! - the capacity is that of the DR hosts *up*: a DR host crashed by a
//!   fault counts neither in the capacity nor in the use while it is
//!   down. The outcome gives each host's crash instants and its total
//!   downtime; each outage is taken to last until the host's next crash
//!   or until the downtime is used up, which is exact for a host that
//!   crashed once, or stayed down between its crashes.
//!
//! It lives here, below the Monte Carlo layer, so that a study records it
//! for the first runs in its own pass and the charts (`chart::capacity`)
//! read it without simulating anything again.

use super::{Outcome, TaskSubject};
use crate::model::{HostId, Method, Scenario, SiteRole};
use crate::sim::{SimDuration, SimTime};

/// The DR site's use at one instant, from then until the next step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// From when.
    pub at: SimTime,
    /// Memory in use, in % of the memory of the DR hosts up (100 % when
    /// none is up).
    pub memory_pct: f64,
    /// Virtual CPUs in use, in % of those of the DR hosts up.
    pub vcpu_pct: f64,
    /// Whether no VM of the apps that went down would fit any more.
    pub full: bool,
    /// Memory in use on the DR hosts up, bytes (`memory_pct`'s numerator).
    pub memory_used_bytes: u64,
    /// Memory of the DR hosts up, bytes (`memory_pct`'s denominator).
    pub memory_capacity_bytes: u64,
}

/// What changes the DR site's use at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    /// A host goes down (crashed).
    HostDown(HostId),
    /// A host is back up.
    HostUp(HostId),
    /// A VM's room is reserved on a host (its recovery task starts).
    Reserve(crate::model::VmId, HostId),
    /// A VM moves to a host (its recovery is done).
    Move(crate::model::VmId, HostId),
    /// Nothing moves, but an app went down or came back: is the site full?
    Look,
}

/// Whether host `h` is at the DR site.
pub fn at_dr(scenario: &Scenario, h: HostId) -> bool {
    scenario.sites[scenario.hosts[h.index()].site.index()].role == SiteRole::Dr
}

/// Each DR host's outages, from the faults that crashed it and its total
/// downtime: an outage lasts until the next crash or until the downtime
/// is used up, the last one for the rest (see the module doc).
fn dr_host_outages(scenario: &Scenario, o: &Outcome) -> Vec<(SimTime, HostId, bool)> {
    let mut changes = Vec::new();
    for (h, out) in o.hosts.iter().enumerate() {
        let host = HostId(h as u32);
        if !at_dr(scenario, host) || out.downtime == SimDuration::ZERO {
            continue;
        }
        let mut crashes: Vec<SimTime> = o
            .faults
            .iter()
            .filter(|f| f.hosts.contains(&host))
            .map(|f| f.at)
            .collect();
        crashes.sort_unstable();
        crashes.dedup();
        let mut left = out.downtime;
        for (k, &at) in crashes.iter().enumerate() {
            if left == SimDuration::ZERO {
                break;
            }
            let until_next = crashes
                .get(k + 1)
                .map_or(left, |next| next.saturating_since(at).min(left));
            let last = k + 1 == crashes.len();
            let length = if last { left } else { until_next };
            left = left.saturating_sub(length);
            changes.push((at, host, false));
            let up = at.saturating_add(length);
            if up < o.horizon {
                changes.push((up, host, true));
            }
        }
    }
    changes
}

/// When each move's room was taken at its new host: the start of the
/// latest restore or reinstall task of the VM's app that started after
/// the VM's previous move and not after this one; else the start of the
/// app's last automated recovery (a failover, which reserves its room when
/// it starts) when that falls in the same window; else the move itself.
fn reservations(scenario: &Scenario, o: &Outcome) -> Vec<SimTime> {
    let mut previous: Vec<SimTime> = vec![SimTime::ZERO; scenario.vms.len()];
    let mut moved = vec![false; scenario.vms.len()];
    o.moves
        .iter()
        .map(|m| {
            let app = scenario.vms[m.vm.index()].app;
            let after = previous[m.vm.index()];
            let first = !moved[m.vm.index()];
            let start = o
                .tasks
                .iter()
                .filter(|t| {
                    matches!(t.subject, TaskSubject::App(a, Method::Restore | Method::Reinstall) if a == app)
                        && t.start <= m.at
                        && (first || t.start > after)
                })
                .map(|t| t.start)
                .max()
                .or_else(|| {
                    o.apps[app.index()]
                        .automated_start
                        .filter(|&s| s <= m.at && (first || s > after))
                })
                .unwrap_or(m.at);
            previous[m.vm.index()] = m.at;
            moved[m.vm.index()] = true;
            start
        })
        .collect()
}

/// `used` in % of `capacity`; 100 % of nothing (no DR host up).
pub fn share_pct(used: u64, capacity: u64) -> f64 {
    if capacity == 0 {
        100.0
    } else {
        100.0 * used as f64 / capacity as f64
    }
}

/// The DR site's use over the run, a step per change; `None` when the
/// scenario has no DR host.
pub fn dr_use(scenario: &Scenario, o: &Outcome) -> Option<Vec<Step>> {
    if !(0..scenario.hosts.len()).any(|h| at_dr(scenario, HostId(h as u32))) {
        return None;
    }
    // The apps that may need the DR site: those that went down and were
    // last recovered there, or wait for its room at the end.
    let needs_dr: Vec<usize> = (0..scenario.apps.len())
        .filter(|&a| {
            let h = &o.apps[a];
            !h.outages.is_empty()
                && (h.waiting == Some(super::Waiting::DrCapacity)
                    || h.method.is_some_and(Method::at_dr))
        })
        .collect();
    let mut changes: Vec<(SimTime, Change)> = Vec::new();
    for (m, start) in o.moves.iter().zip(reservations(scenario, o)) {
        if at_dr(scenario, m.to) {
            changes.push((start, Change::Reserve(m.vm, m.to)));
        }
        changes.push((m.at, Change::Move(m.vm, m.to)));
    }
    for (at, h, up) in dr_host_outages(scenario, o) {
        changes.push((
            at,
            if up {
                Change::HostUp(h)
            } else {
                Change::HostDown(h)
            },
        ));
    }
    for &a in &needs_dr {
        for out in &o.apps[a].outages {
            changes.push((out.down_at, Change::Look));
            if let Some(up) = out.up_at {
                changes.push((up, Change::Look));
            }
        }
    }
    // Stable: at one instant, reservations before moves, as recorded.
    changes.sort_by_key(|(at, c)| (*at, matches!(c, Change::Move(..))));
    let mut host: Vec<HostId> = scenario.vms.iter().map(|v| v.host).collect();
    // Where a VM's room is reserved before it moves there.
    let mut reserved: Vec<Option<HostId>> = vec![None; scenario.vms.len()];
    let mut up = vec![true; scenario.hosts.len()];
    let use_now = |host: &[HostId], reserved: &[Option<HostId>], up: &[bool], at: SimTime| {
        // Room taken per host: by the VMs on it and those reserved there.
        let mut taken = vec![(0u64, 0u64); scenario.hosts.len()];
        for (v, vm) in scenario.vms.iter().enumerate() {
            let need = (vm.memory_bytes, u64::from(vm.cores));
            let t = &mut taken[host[v].index()];
            *t = (t.0 + need.0, t.1 + need.1);
            if let Some(r) = reserved[v] {
                let t = &mut taken[r.index()];
                *t = (t.0 + need.0, t.1 + need.1);
            }
        }
        let (mut mem, mut cpu, mut mem_cap, mut cpu_cap) = (0u64, 0u64, 0u64, 0u64);
        for (h, spec) in scenario.hosts.iter().enumerate() {
            if at_dr(scenario, HostId(h as u32)) && up[h] {
                mem += taken[h].0;
                cpu += taken[h].1;
                mem_cap += spec.memory_bytes;
                cpu_cap += spec.vcpus;
            }
        }
        // Full: an app down now that needs the DR site has a VM, neither
        // there nor reserved there, that no DR host up has room for.
        let full = needs_dr.iter().any(|&a| {
            !o.apps[a].is_up_at(at)
                && scenario.apps[a].vms.iter().any(|&v| {
                    let vm = &scenario.vms[v.index()];
                    !at_dr(scenario, host[v.index()])
                        && reserved[v.index()].is_none()
                        && !scenario.hosts.iter().enumerate().any(|(h, spec)| {
                            at_dr(scenario, HostId(h as u32))
                                && up[h]
                                && spec.memory_bytes.saturating_sub(taken[h].0) >= vm.memory_bytes
                                && spec.vcpus.saturating_sub(taken[h].1) >= u64::from(vm.cores)
                        })
                })
        });
        Step {
            at,
            memory_pct: share_pct(mem, mem_cap),
            vcpu_pct: share_pct(cpu, cpu_cap),
            full,
            memory_used_bytes: mem,
            memory_capacity_bytes: mem_cap,
        }
    };
    let mut steps = vec![use_now(&host, &reserved, &up, SimTime::ZERO)];
    let mut i = 0;
    while i < changes.len() {
        let at = changes[i].0;
        // Every change of the same instant at once: one step, not several.
        while i < changes.len() && changes[i].0 == at {
            match changes[i].1 {
                Change::HostDown(h) => up[h.index()] = false,
                Change::HostUp(h) => up[h.index()] = true,
                Change::Reserve(v, h) => reserved[v.index()] = Some(h),
                Change::Move(v, h) => {
                    host[v.index()] = h;
                    reserved[v.index()] = None;
                }
                Change::Look => {}
            }
            i += 1;
        }
        let step = use_now(&host, &reserved, &up, at);
        if let Some(last) = steps.last_mut().filter(|l| l.at == at) {
            *last = step;
        } else if steps.last().is_none_or(|l| {
            (l.memory_pct, l.vcpu_pct, l.full) != (step.memory_pct, step.vcpu_pct, step.full)
        }) {
            steps.push(step);
        }
    }
    Some(steps)
}
