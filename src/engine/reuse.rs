//! Buffers a replication leaves to the next one on the same thread.
//!
//! A Monte Carlo run simulates thousands of replications of one scenario
//! per thread; building the engine's per-run vectors afresh for each was
//! about a tenth of a small replication (allocation, growth, freeing).
//! `simulate` takes this thread's buffers, `Engine::new` has each side
//! empty and refill its own (`run/buffers.rs` has the helpers), and
//! `Engine::finish` hands them back. No
//! content carries over from one replication to the next: each buffer is
//! cleared or overwritten element by element before use, so a replication
//! gives the same bits whatever ran before it on its thread.

use std::cell::Cell;

use crate::run::Sched;

/// The run's per-run vectors, kept for their capacity: the scheduler's,
/// and each side's (every one emptied or overwritten by its owner before
/// use: `World::new`, `faults::State::new`, `recovery::State::new`).
#[derive(Default)]
pub(crate) struct Reuse {
    pub(crate) sched: Sched,
    pub(crate) world: crate::run::world::Spare,
    pub(crate) faults: crate::faults::Spare,
    pub(crate) recovery: crate::recovery::Spare,
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
