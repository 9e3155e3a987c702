//! Replication seeds and the replication itself: replication *i* of every
//! strategy runs with the same seed (common random numbers), and the
//! replications are cut into blocks of [`BLOCK`], the unit of parallel work,
//! of merging and of shards.

use super::study::CompareError;
use crate::engine::{Prepared, simulate, simulate_prepared};
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};

/// Replications per block: the unit of parallel work and of merging.
pub const BLOCK: u64 = 64;
/// Most replications one comparison may run.
pub const MAX_RUNS: u64 = 100_000_000;

/// The seed of replication `i` under master seed `master`.
pub fn replication_seed(master: u64, i: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(master ^ mix(i.wrapping_add(1)))
}

/// Replication `i` of `strategy` under master seed `master`, as every
/// Monte Carlo command runs it (common random numbers).
pub(crate) fn replicate(
    scenario: &Scenario,
    strategy: &Strategy,
    master: u64,
    i: u64,
) -> Result<Outcome, CompareError> {
    let seed = replication_seed(master, i);
    simulate(scenario, strategy, seed).map_err(|source| CompareError::Run {
        strategy: strategy.id.clone(),
        seed,
        source,
    })
}

/// Replication `i` of a prepared strategy under master seed `master`:
/// [`replicate`]'s outcome, bit for bit.
pub(crate) fn replicate_prepared(
    prepared: &Prepared<'_>,
    master: u64,
    i: u64,
) -> Result<Outcome, CompareError> {
    let seed = replication_seed(master, i);
    simulate_prepared(prepared, seed).map_err(|source| CompareError::Run {
        strategy: prepared.strategy().id.clone(),
        seed,
        source,
    })
}

/// Replication `i` of `strategy` (prepared as `prepared` when given).
pub(crate) fn replicate_either(
    scenario: &Scenario,
    strategy: &Strategy,
    prepared: Option<&Prepared<'_>>,
    master: u64,
    i: u64,
) -> Result<Outcome, CompareError> {
    match prepared {
        Some(p) => replicate_prepared(p, master, i),
        None => replicate(scenario, strategy, master, i),
    }
}

/// Each of `strategies` on `scenario`, prepared for many replications
/// (`None` for one that cannot be: its replications then report why).
pub(crate) fn prepare<'a>(
    scenario: &'a Scenario,
    strategies: &[&'a Strategy],
) -> Vec<Option<Prepared<'a>>> {
    strategies
        .iter()
        .map(|s| Prepared::new(scenario, s).ok())
        .collect()
}

/// Refuses an empty strategy list (nothing to `what`) or a run count
/// outside 1..=[`MAX_RUNS`].
pub(crate) fn check_runs(
    strategies: &[&Strategy],
    runs: u64,
    what: &str,
) -> Result<(), CompareError> {
    if strategies.is_empty() {
        return Err(CompareError::Invalid(format!("no strategy to {what}")));
    }
    if runs == 0 || runs > MAX_RUNS {
        return Err(CompareError::Invalid(format!(
            "--runs must be between 1 and {MAX_RUNS}, got {runs}"
        )));
    }
    Ok(())
}

/// The replications `[start, end)` that shard `i` of `n` runs: contiguous
/// whole blocks, so that the shards of a run partition its replications.
pub fn shard_range(runs: u64, shard: (u64, u64)) -> (u64, u64) {
    let (i, n) = shard;
    let blocks = runs.div_ceil(BLOCK);
    // In u128: `blocks * i` overflows u64 for a huge `n` (a shard file is
    // input too). The quotient is at most `blocks` when `i < n`.
    let at = |k: u64| {
        let b = u128::from(blocks) * u128::from(k) / u128::from(n.max(1));
        u64::try_from(b).unwrap_or(u64::MAX).min(blocks)
    };
    let (first, last) = (at(i), at(i.saturating_add(1)));
    (
        first.saturating_mul(BLOCK).min(runs),
        last.saturating_mul(BLOCK).min(runs),
    )
}

#[cfg(test)]
mod tests {
    use super::replication_seed;

    #[test]
    fn replication_seeds_are_distinct() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..10_000).map(|i| replication_seed(1, i)).collect();
        assert_eq!(seeds.len(), 10_000);
    }
}
