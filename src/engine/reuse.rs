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

use crate::metrics::{AppOutcome, HostOutcome, Outcome};
use crate::model::{Scenario, StrategyId};
use crate::run::Sched;
use crate::sim::{SimTime, StopReason};

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
    /// An outcome a Monte Carlo loop is done with ([`recycle`]), kept for
    /// its vectors.
    static SPARE_OUTCOME: Cell<Option<Outcome>> = const { Cell::new(None) };
}

/// Keeps an outcome its caller is done with, so that this thread's next
/// replication records into its vectors instead of allocating and growing
/// new ones (the per-app records, the tasks, the moves). Only its
/// capacity is kept: [`fresh_outcome`] empties or overwrites every field.
pub(crate) fn recycle(outcome: Outcome) {
    SPARE_OUTCOME.with(|cell| cell.set(Some(outcome)));
}

/// The empty outcome of a run of strategy `strategy` with `seed`, in the
/// vectors of the last recycled outcome if there is one: nothing of it
/// carries over (a property test compares runs after others on one thread
/// with fresh ones).
pub(crate) fn fresh_outcome(sc: &Scenario, seed: u64, strategy: StrategyId) -> Outcome {
    let spare = SPARE_OUTCOME.with(Cell::take);
    let (
        mut faults,
        mut incidents,
        mut apps,
        mut tasks,
        mut transfers,
        mut moves,
        mut hosts,
        mut rosters,
    ) = match spare {
        Some(o) => (
            o.faults,
            o.incidents,
            o.apps,
            o.tasks,
            o.transfers,
            o.moves,
            o.hosts,
            o.rosters,
        ),
        None => Default::default(),
    };
    faults.clear();
    incidents.clear();
    apps.clear();
    apps.resize_with(sc.apps.len(), AppOutcome::default);
    tasks.clear();
    tasks.reserve(sc.apps.len());
    transfers.clear();
    moves.clear();
    hosts.clear();
    hosts.resize(sc.hosts.len(), HostOutcome::default());
    rosters.clear();
    Outcome {
        seed,
        strategy,
        stop: StopReason::Drained,
        end: SimTime::ZERO,
        horizon: sc.horizon_end(),
        events: 0,
        faults,
        incidents,
        apps,
        recurrences: 0,
        host_reboots: 0,
        tasks,
        transfers,
        moves,
        hosts,
        rosters,
    }
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

#[cfg(test)]
mod tests {
    use super::recycle;
    use crate::engine::{Prepared, simulate, simulate_prepared};
    use crate::model::Scenario;
    use crate::scenario::{Format, load_default, load_str};

    /// The 2018 scenario and the plain-restore bench's fixture.
    fn big_and_small() -> (Scenario, Scenario) {
        let big = load_default().expect("the 2018 scenario loads");
        let small = load_str(
            include_str!("../../benches/fixtures/plain-restore.yaml"),
            "plain-restore.yaml",
            Format::Yaml,
        )
        .expect("the fixture loads");
        (big, small)
    }

    /// A run recorded into a recycled outcome (of another scenario, with
    /// more apps, faults, tasks and moves) is the run recorded afresh.
    #[test]
    fn a_recycled_outcome_carries_nothing_over() {
        let (big, small) = big_and_small();
        for seed in 0..4 {
            for (first, then) in [(&big, &small), (&small, &big)] {
                let fresh = std::thread::scope(|scope| {
                    scope
                        .spawn(|| simulate(then, then.default_strategy(), seed))
                        .join()
                        .expect("the fresh thread ran")
                })
                .expect("runs");
                for st in &first.strategies {
                    recycle(simulate(first, st, seed ^ 1).expect("runs"));
                }
                let after = simulate(then, then.default_strategy(), seed).expect("runs");
                assert_eq!(fresh, after, "seed {seed}");
            }
        }
    }

    /// A run of a prepared strategy, after runs of every strategy of
    /// another scenario and of its own (prepared or not) on this thread,
    /// is the run simulated afresh on a fresh thread: the prepared start
    /// and the kept buffers carry nothing over.
    #[test]
    fn a_prepared_run_after_others_is_a_fresh_run() {
        let (big, small) = big_and_small();
        // Enough DR hosts for the placement's first-fit trees.
        let estate = load_str(
            &crate::r#gen::generate(&crate::r#gen::GenParams {
                apps: 400,
                hosts: 80,
                dr_hosts: 70,
                ..Default::default()
            })
            .expect("generates"),
            "estate.yaml",
            Format::Yaml,
        )
        .expect("the generated estate loads");
        for (sc, other) in [(&big, &small), (&small, &estate), (&estate, &big)] {
            let prepared: Vec<Prepared<'_>> = sc
                .strategies
                .iter()
                .map(|st| Prepared::new(sc, st).expect("its own strategy"))
                .collect();
            for seed in 0..3 {
                for (p, st) in prepared.iter().zip(&sc.strategies) {
                    let fresh = std::thread::scope(|scope| {
                        scope
                            .spawn(|| simulate(sc, st, seed))
                            .join()
                            .expect("the fresh thread ran")
                    })
                    .expect("runs");
                    for o in &other.strategies {
                        recycle(simulate(other, o, seed ^ 1).expect("runs"));
                    }
                    for q in &prepared {
                        recycle(simulate_prepared(q, seed ^ 2).expect("runs"));
                    }
                    assert_eq!(
                        fresh,
                        simulate_prepared(p, seed).expect("runs"),
                        "{}",
                        st.id
                    );
                    // And the other way round: a plain run after prepared ones.
                    assert_eq!(fresh, simulate(sc, st, seed).expect("runs"), "{}", st.id);
                }
            }
        }
    }

    /// A strategy of another scenario cannot be prepared on this one.
    #[test]
    fn a_foreign_strategy_is_refused() {
        let big = load_default().expect("the 2018 scenario loads");
        let mut other = big.clone();
        other.strategies[0].id = "not-in-2018".into();
        assert!(Prepared::new(&big, &other.strategies[0]).is_err());
    }
}
