//! The reasons over many replications (`hvsim compare --reasons`): per
//! strategy, the share of the app-hours down that each reason took, as a
//! mean with its 95 % confidence interval, and the paired difference
//! against the first strategy on common random numbers (replication *i*
//! of every strategy has the seed `replication_seed(seed, i)`, as
//! `compare` does).

use crate::SimError;
use crate::model::{Scenario, Strategy};
use crate::montecarlo::{BLOCK, Moments, replication_seed};

use super::{Reason, explain};

/// Per reason, the moments of its share of the app-hours down (or of a
/// difference of shares), from 0 to 1.
pub type Shares = [Moments; Reason::ALL.len()];

/// The reasons of each strategy over many replications.
#[derive(Clone, Debug, PartialEq)]
pub struct ReasonStudy {
    /// The strategies, the first the baseline.
    pub strategies: Vec<String>,
    /// Replications per strategy.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// Per strategy, per reason, its share of the run's app-hours down,
    /// from 0 to 1 (runs with no downtime are left out).
    pub shares: Vec<Shares>,
    /// Per strategy, per reason, the paired difference of its share
    /// against the baseline's, from -1 to 1 (runs where both had
    /// downtime).
    pub diffs: Vec<Shares>,
}

/// One block's sums: per strategy, the shares and the paired differences.
type BlockSums = (Vec<Shares>, Vec<Shares>);

/// One replication's shares per strategy (`None`: no downtime).
type Replication = Vec<Option<[f64; Reason::ALL.len()]>>;

fn replication(
    scenario: &Scenario,
    strategies: &[&Strategy],
    seed: u64,
) -> Result<Replication, SimError> {
    strategies
        .iter()
        .map(|st| {
            let b = explain(scenario, st, seed)?.total_breakdown();
            Ok((b.total().as_millis() > 0).then(|| Reason::ALL.map(|r| b.share(r))))
        })
        .collect()
}

/// Runs `runs` replications of every strategy on `jobs` threads and
/// gathers the reasons' shares; the result does not depend on `jobs`
/// (replications are grouped in blocks, folded in block order, into
/// exact integer sums).
pub fn reason_study(
    scenario: &Scenario,
    strategies: &[&Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
) -> Result<ReasonStudy, SimError> {
    let n = strategies.len();
    let blocks = runs.div_ceil(BLOCK);
    let jobs = jobs.clamp(1, usize::try_from(blocks.max(1)).unwrap_or(1));
    let per_block = |b: u64| -> Result<BlockSums, SimError> {
        let mut shares = vec![Shares::default(); n];
        let mut diffs = vec![Shares::default(); n];
        for i in b * BLOCK..((b + 1) * BLOCK).min(runs) {
            let rep = replication(scenario, strategies, replication_seed(seed, i))?;
            for (s, r) in rep.iter().enumerate() {
                let Some(r) = r else { continue };
                for k in 0..Reason::ALL.len() {
                    shares[s][k].push(r[k]);
                    if let Some(base) = &rep[0] {
                        diffs[s][k].push(r[k] - base[k]);
                    }
                }
            }
        }
        Ok((shares, diffs))
    };
    let results: Vec<Result<BlockSums, SimError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                scope.spawn(move || {
                    (0..blocks)
                        .filter(|b| (*b as usize) % jobs == j)
                        .map(|b| (b, per_block(b)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(u64, Result<_, SimError>)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        all.sort_by_key(|(b, _)| *b);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut shares = vec![Shares::default(); n];
    let mut diffs = vec![Shares::default(); n];
    for r in results {
        let (s, d) = r?;
        for i in 0..n {
            for k in 0..Reason::ALL.len() {
                shares[i][k].merge(&s[i][k]);
                diffs[i][k].merge(&d[i][k]);
            }
        }
    }
    Ok(ReasonStudy {
        strategies: strategies.iter().map(|s| s.id.clone()).collect(),
        runs,
        seed,
        shares,
        diffs,
    })
}
