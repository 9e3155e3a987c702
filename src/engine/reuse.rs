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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::faults::BugState;
use crate::model::{AppId, HostId, Operation, VmId};
use crate::recovery::Entry;

use super::Sched;
use super::world::{AppState, HostState, VmStatus};

/// The engine's per-run vectors, kept for their capacity.
#[derive(Default)]
pub(crate) struct Reuse {
    pub(crate) sched: Sched,
    pub(crate) hosts: Vec<HostState>,
    pub(crate) host_vms: Vec<Vec<VmId>>,
    pub(crate) vm_host: Vec<HostId>,
    pub(crate) vm_status: Vec<VmStatus>,
    pub(crate) apps: Vec<AppState>,
    pub(crate) bugs: Vec<BugState>,
    pub(crate) lanes: Vec<BinaryHeap<Reverse<Entry>>>,
    pub(crate) held: Vec<Vec<Entry>>,
    pub(crate) waiting_on: Vec<Vec<Entry>>,
    pub(crate) visited: Vec<u32>,
    pub(crate) dep_stack: Vec<AppId>,
    pub(crate) up_stack: Vec<AppId>,
    pub(crate) parked: Vec<AppId>,
    pub(crate) redecide: Vec<AppId>,
    pub(crate) operations: Vec<(HostId, Operation)>,
    pub(crate) evacuated: Vec<HostId>,
    pub(crate) autostart: Vec<Vec<VmId>>,
}

thread_local! {
    static REUSE: Cell<Reuse> = Cell::new(Reuse::default());
}

/// This thread's buffers (empty ones the first time, or after a run that
/// ended in an error).
pub(crate) fn take() -> Reuse {
    REUSE.with(Cell::take)
}

/// Keeps `reuse` for this thread's next replication.
pub(crate) fn keep(reuse: Reuse) {
    REUSE.with(|cell| cell.set(reuse));
}

/// `v` emptied, its capacity kept.
pub(crate) fn cleared<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v
}

/// `lists` as `n` empty lists, keeping the capacity of those it had.
pub(crate) fn empty_lists<T>(mut lists: Vec<Vec<T>>, n: usize) -> Vec<Vec<T>> {
    lists.truncate(n);
    for list in &mut lists {
        list.clear();
    }
    lists.resize_with(n, Vec::new);
    lists
}

/// `v` emptied and refilled with `items`.
pub(crate) fn refilled<T>(mut v: Vec<T>, items: impl IntoIterator<Item = T>) -> Vec<T> {
    v.clear();
    v.extend(items);
    v
}

/// Gives a work list taken out of the engine (`std::mem::take`) back to it
/// once processed, emptied, so that the next event reuses its buffer
/// instead of allocating one: unless the processing queued new items,
/// which stay.
pub(crate) fn recycle<T>(slot: &mut Vec<T>, mut buffer: Vec<T>) {
    if slot.is_empty() {
        buffer.clear();
        *slot = buffer;
    }
}
