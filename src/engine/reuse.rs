//! Buffers a replication leaves to the next one on the same thread.
//!
//! A Monte Carlo run simulates thousands of replications of one scenario
//! per thread; building the engine's per-run vectors afresh for each was
//! about a tenth of a small replication (allocation, growth, freeing).
//! `simulate` takes this thread's buffers, `Engine::new` empties and
//! refills every one of them, and `Engine::finish` hands them back. No
//! content carries over from one replication to the next: each buffer is
//! cleared or overwritten element by element before use, so a replication
//! gives the same bits whatever ran before it on its thread.

use std::cell::Cell;

use super::*;

/// The engine's per-run vectors, kept for their capacity.
#[derive(Default)]
pub(super) struct Reuse {
    pub(super) sched: Scheduler<Ev>,
    pub(super) hosts: Vec<HostState>,
    pub(super) host_vms: Vec<Vec<VmId>>,
    pub(super) vm_host: Vec<HostId>,
    pub(super) vm_status: Vec<VmStatus>,
    pub(super) apps: Vec<AppState>,
    pub(super) bugs: Vec<BugState>,
    pub(super) lanes: Vec<BinaryHeap<Reverse<Entry>>>,
    pub(super) held: Vec<Vec<Entry>>,
    pub(super) waiting_on: Vec<Vec<Entry>>,
    pub(super) visited: Vec<u32>,
    pub(super) dep_stack: Vec<AppId>,
    pub(super) up_stack: Vec<AppId>,
    pub(super) parked: Vec<AppId>,
    pub(super) redecide: Vec<AppId>,
    pub(super) operations: Vec<(HostId, Operation)>,
    pub(super) evacuated: Vec<HostId>,
    pub(super) autostart: Vec<Vec<VmId>>,
}

thread_local! {
    static REUSE: Cell<Reuse> = Cell::new(Reuse::default());
}

/// This thread's buffers (empty ones the first time, or after a run that
/// ended in an error).
pub(super) fn take() -> Reuse {
    REUSE.with(Cell::take)
}

/// Keeps `reuse` for this thread's next replication.
pub(super) fn keep(reuse: Reuse) {
    REUSE.with(|cell| cell.set(reuse));
}

/// `v` emptied, its capacity kept.
pub(super) fn cleared<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v
}

/// `lists` as `n` empty lists, keeping the capacity of those it had.
pub(super) fn empty_lists<T>(mut lists: Vec<Vec<T>>, n: usize) -> Vec<Vec<T>> {
    lists.truncate(n);
    for list in &mut lists {
        list.clear();
    }
    lists.resize_with(n, Vec::new);
    lists
}

/// `v` emptied and refilled with `items`.
pub(super) fn refilled<T>(mut v: Vec<T>, items: impl IntoIterator<Item = T>) -> Vec<T> {
    v.clear();
    v.extend(items);
    v
}
