//! Where VMs can go: every host's free memory and virtual CPUs, and
//! first fit over the candidate lists (the DR site's hosts, each cluster's
//! hosts) in host order. Part of the world ([`World`](super::World)'s
//! `placement`): a crash takes a host's room away, a recovery moves VMs.
//! Choosing where an app's VMs go is recovery's (`recovery/placement.rs`).
//!
//! Scanning a list from its first host for every VM made placement
//! O(VMs × hosts): nearly quadratic for an estate whose DR site grows with
//! it. A long list keeps a two-key max tree ([`FirstFit`] over [`Room2`])
//! with one slot per host in exactly the list's order, so the tree finds
//! the very host the scan would. The free room lives only here, and every
//! change of it or of whether a host is up goes through this type, so the
//! trees cannot fall out of step with the hosts.

use crate::model::{ClusterId, HostId, Scenario, SiteId, Vm};
use crate::sim::{Capacity, FirstFit, Room2};

/// Up to this many hosts a list is scanned: on a short list the tree's
/// upkeep (an update per change of room) costs more than the scan it
/// saves, as measured when the one-key tree served the DR site (the 2018
/// scenario's 8 DR hosts: +2 % instructions).
const SCAN_UP_TO: usize = 64;

/// The room a VM takes on a host: its memory and its virtual CPUs.
pub(crate) fn vm_need(vm: &Vm) -> Room2 {
    Room2(vm.memory_bytes, u64::from(vm.cores))
}

/// A list of candidate hosts for a VM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Candidates {
    /// The strategy's DR site (reinstall, restore, failover).
    Dr,
    /// A cluster's hosts (HA restart).
    Cluster(ClusterId),
}

/// Hosts in host order, with their first-fit tree when the list is long.
#[derive(Debug)]
struct List {
    hosts: Vec<HostId>,
    /// Slot `i` holds the room of `hosts[i]`, or nothing while it is not
    /// up; `None` for a list short enough to scan.
    tree: Option<FirstFit<Room2>>,
}

impl Clone for List {
    fn clone(&self) -> Self {
        List {
            hosts: self.hosts.clone(),
            tree: self.tree.clone(),
        }
    }

    /// Into this list's own vectors (see [`Placement`]'s `clone_from`).
    fn clone_from(&mut self, source: &Self) {
        self.hosts.clone_from(&source.hosts);
        self.tree.clone_from(&source.tree);
    }
}

impl List {
    fn new(hosts: Vec<HostId>, free: &[Room2]) -> Self {
        let tree = (hosts.len() > SCAN_UP_TO).then(|| {
            let room: Vec<Room2> = hosts.iter().map(|h| free[h.index()]).collect();
            FirstFit::new(&room)
        });
        List { hosts, tree }
    }

    fn set(&mut self, slot: usize, room: Room2) {
        if let Some(tree) = &mut self.tree {
            tree.set(slot, room);
        }
    }
}

/// Free room per host and the candidate lists' first-fit indexes.
///
/// Cloned from the prepared start of a run (`run/world.rs`'s [`Start`]):
/// `clone_from` copies into the kept vectors, allocating nothing once
/// they are large enough.
///
/// [`Start`]: super::world::Start
#[derive(Debug)]
pub(crate) struct Placement {
    /// Per host, free memory (bytes) and virtual CPUs.
    free: Vec<Room2>,
    /// Per host, whether it is up: only an up host takes VMs.
    up: Vec<bool>,
    /// Per host, its cluster.
    cluster_of: Vec<ClusterId>,
    /// Per host, its slot in its cluster's list and in the DR list.
    cluster_slot: Vec<u32>,
    dr_slot: Vec<Option<u32>>,
    dr: List,
    clusters: Vec<List>,
    /// Some list has a tree: otherwise there is nothing to keep in step
    /// (the small scenarios, which place VMs often on few hosts).
    indexed: bool,
}

impl Clone for Placement {
    fn clone(&self) -> Self {
        let mut copy = Placement {
            free: Vec::new(),
            up: Vec::new(),
            cluster_of: Vec::new(),
            cluster_slot: Vec::new(),
            dr_slot: Vec::new(),
            dr: List {
                hosts: Vec::new(),
                tree: None,
            },
            clusters: Vec::new(),
            indexed: false,
        };
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &Self) {
        self.free.clone_from(&source.free);
        self.up.clone_from(&source.up);
        self.cluster_of.clone_from(&source.cluster_of);
        self.cluster_slot.clone_from(&source.cluster_slot);
        self.dr_slot.clone_from(&source.dr_slot);
        self.dr.clone_from(&source.dr);
        self.clusters.clone_from(&source.clusters);
        self.indexed = source.indexed;
    }
}

impl Placement {
    /// Every host up, with the room its initial VMs leave (none rather
    /// than less than none, where the scenario overcommits a host).
    pub(crate) fn new(sc: &Scenario, dr_site: Option<SiteId>) -> Self {
        let mut free: Vec<Room2> = sc
            .hosts
            .iter()
            .map(|h| Room2(h.memory_bytes, h.vcpus))
            .collect();
        for vm in &sc.vms {
            let room = &mut free[vm.host.index()];
            *room = room.minus(vm_need(vm));
        }
        let cluster_of: Vec<ClusterId> = sc.hosts.iter().map(|h| h.cluster).collect();
        let mut cluster_hosts = vec![Vec::new(); sc.clusters.len()];
        let mut cluster_slot = Vec::with_capacity(sc.hosts.len());
        for (h, c) in cluster_of.iter().enumerate() {
            let list = &mut cluster_hosts[c.index()];
            cluster_slot.push(list.len() as u32);
            list.push(HostId(h as u32));
        }
        let mut dr_hosts = Vec::new();
        let mut dr_slot = vec![None; sc.hosts.len()];
        for (h, host) in sc.hosts.iter().enumerate() {
            if Some(host.site) == dr_site {
                dr_slot[h] = Some(dr_hosts.len() as u32);
                dr_hosts.push(HostId(h as u32));
            }
        }
        let dr = List::new(dr_hosts, &free);
        let clusters: Vec<List> = cluster_hosts
            .into_iter()
            .map(|hosts| List::new(hosts, &free))
            .collect();
        let indexed = dr.tree.is_some() || clusters.iter().any(|l| l.tree.is_some());
        Placement {
            up: vec![true; sc.hosts.len()],
            cluster_of,
            cluster_slot,
            dr_slot,
            dr,
            clusters,
            indexed,
            free,
        }
    }

    /// The host's free memory and virtual CPUs.
    pub(crate) fn free(&self, h: HostId) -> Room2 {
        self.free[h.index()]
    }

    /// Whether the host takes VMs (it is up).
    pub(crate) fn is_up(&self, h: HostId) -> bool {
        self.up[h.index()]
    }

    /// The hosts of a candidate list, in host order.
    pub(crate) fn candidates(&self, c: Candidates) -> &[HostId] {
        &self.list(c).hosts
    }

    /// A VM of `need` moves onto the host.
    pub(crate) fn take(&mut self, h: HostId, need: Room2) {
        self.free[h.index()] = self.free[h.index()].minus(need);
        self.sync(h);
    }

    /// A VM of `need` leaves the host.
    pub(crate) fn give(&mut self, h: HostId, need: Room2) {
        self.free[h.index()] = self.free[h.index()].plus(need);
        self.sync(h);
    }

    /// The host goes up (it takes VMs again) or down.
    pub(crate) fn set_up(&mut self, h: HostId, up: bool) {
        if self.up[h.index()] != up {
            self.up[h.index()] = up;
            self.sync(h);
        }
    }

    /// The first host of the list, in host order, that is up, has `need`
    /// free and that `accept` admits (the caller's own refinements: not
    /// the VM's current host, room left after the app's other VMs).
    #[inline]
    pub(crate) fn first_fit(
        &self,
        c: Candidates,
        need: Room2,
        mut accept: impl FnMut(HostId) -> bool,
    ) -> Option<HostId> {
        let list = self.list(c);
        let Some(tree) = &list.tree else {
            // A short list: scanned in a plain loop (compiled in one
            // piece with the caller's test).
            for &h in &list.hosts {
                if self.up[h.index()] && self.free[h.index()].covers(&need) && accept(h) {
                    return Some(h);
                }
            }
            return None;
        };
        let slot = tree.first_fit(0, need, |slot| {
            list.hosts.get(slot).is_some_and(|&h| {
                self.up[h.index()] && self.free[h.index()].covers(&need) && accept(h)
            })
        })?;
        list.hosts.get(slot).copied()
    }

    fn list(&self, c: Candidates) -> &List {
        match c {
            Candidates::Dr => &self.dr,
            Candidates::Cluster(k) => &self.clusters[k.index()],
        }
    }

    /// Puts the host's room, or nothing while it is down, into the trees
    /// of the lists it belongs to (if any list has one).
    #[inline]
    fn sync(&mut self, h: HostId) {
        if self.indexed {
            self.sync_trees(h);
        }
    }

    fn sync_trees(&mut self, h: HostId) {
        let room = if self.up[h.index()] {
            self.free[h.index()]
        } else {
            Room2::EMPTY
        };
        let cluster = self.cluster_of[h.index()];
        self.clusters[cluster.index()].set(self.cluster_slot[h.index()] as usize, room);
        if let Some(slot) = self.dr_slot[h.index()] {
            self.dr.set(slot as usize, room);
        }
    }
}
