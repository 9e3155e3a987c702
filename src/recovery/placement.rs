//! Where an app's VMs go when its method moves them: first fit over the
//! DR site's up hosts, or for an HA restart over the other up hosts of
//! each VM's cluster, by memory and virtual CPUs (the free room and its
//! index are the world's: `run/room.rs`).

use crate::model::{AppId, HostId, Method};
use crate::run::room::{Candidates, vm_need};
use crate::run::world::{HostList, HostStatus, VmStatus};
use crate::sim::{Capacity, Room2};

use super::{Decider, Recovery};

impl<D: Decider> Recovery<'_, '_, D> {
    /// Hosts for the app's VMs where `m` puts them: the DR site's healthy
    /// hosts, or for an HA restart the other healthy hosts of each VM's
    /// cluster. First fit by memory and virtual CPUs; nothing is reserved.
    /// The hosts go into `placement` by VM position (cleared first);
    /// `false` if one of the VMs does not fit.
    pub(crate) fn find_placement(&self, a: AppId, m: Method, placement: &mut HostList) -> bool {
        let vms = &self.sc.apps[a.index()].vms;
        placement.clear();
        for &v in vms {
            let vm = &self.sc.vms[v.index()];
            let current = self.world.vm_host[v.index()];
            if m == Method::HaRestart && self.world.vm_status[v.index()] == VmStatus::Running {
                placement.push(current);
                continue;
            }
            let candidates = if m == Method::HaRestart {
                Candidates::Cluster(self.sc.hosts[current.index()].cluster)
            } else {
                Candidates::Dr
            };
            debug_assert!(
                self.world
                    .placement
                    .candidates(candidates)
                    .iter()
                    .all(|&h| self.world.placement.is_up(h)
                        == (self.world.hosts[h.index()].status == HostStatus::Up)),
                "a host's status changed without set_status"
            );
            let need = vm_need(vm);
            // Room left on `h` once the app's earlier VMs placed there are
            // on it (a VM kept where it runs is not placed: it is already
            // counted in the host's room).
            let placed = &*placement;
            let fits_after_taken = |h: HostId| {
                let taken = placed
                    .iter()
                    .zip(vms)
                    .filter(|&(&x, &w)| x == h && x != self.world.vm_host[w.index()])
                    .fold(Room2(0, 0), |acc, (_, &w)| {
                        let n = vm_need(&self.sc.vms[w.index()]);
                        Room2(acc.0 + n.0, acc.1 + n.1)
                    });
                self.world.placement.free(h).minus(taken).covers(&need)
            };
            let Some(h) = self
                .world
                .placement
                .first_fit(candidates, need, |h| h != current && fits_after_taken(h))
            else {
                return false;
            };
            placement.push(h);
        }
        true
    }

    pub(crate) fn reserve(&mut self, a: AppId, placement: HostList) {
        for (i, &h) in placement.iter().enumerate() {
            let v = self.sc.apps[a.index()].vms[i];
            if h == self.world.vm_host[v.index()] {
                continue;
            }
            self.world
                .placement
                .take(h, vm_need(&self.sc.vms[v.index()]));
        }
        self.world.apps[a.index()].placement = placement;
    }
}
