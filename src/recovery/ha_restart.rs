//! `ha-restart`: the cluster restarts the app's VMs on other up hosts of
//! each VM's cluster by itself, before anyone understands the bug
//! (automated, elapsed time). Applies when no VM is corrupted, the
//! management plane is available and there is room; an HA restart that
//! finds no room when it starts falls through to the next method. Loses
//! no data.

use super::{Decider, Recovery};
use crate::model::{AppId, Method};
use crate::run::world::HostList;
use crate::sim::SimTime;

/// Whether an HA restart can start now.
pub(super) fn applicable<D: Decider>(
    e: &Recovery<'_, '_, D>,
    now: SimTime,
    a: AppId,
    corrupted: bool,
) -> bool {
    !corrupted
        && e.faults.management_available(now)
        && e.find_placement(a, Method::HaRestart, &mut HostList::new())
}
