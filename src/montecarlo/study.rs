//! The study: runs the replications of each strategy in parallel blocks
//! and records every run's metrics into the running totals in block order,
//! so that the result does not depend on the number of threads.

use rayon::prelude::*;

use super::metric::{MetricDef, metric_defs, run_metrics};
use super::seeds::{BLOCK, check_runs, replicate, replication_seed, shard_range};
use super::stats::{MetricStat, Moments, RecordError, to_quanta};
use super::summary::{Comparison, StrategySummary};
use crate::engine::SimError;
use crate::model::{Scenario, Strategy};

/// Why a comparison could not run.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A replication failed; the seed reproduces it with `hvsim run --seed`.
    #[error("strategy `{strategy}`, replication seed {seed}: {source}")]
    Run {
        /// The strategy.
        strategy: String,
        /// The replication's seed.
        seed: u64,
        /// What went wrong.
        #[source]
        source: SimError,
    },
    /// A replication's metric value cannot be recorded exactly.
    #[error("strategy `{strategy}`, replication seed {seed}: metric `{metric}`: {source}")]
    Record {
        /// The strategy.
        strategy: String,
        /// The replication's seed.
        seed: u64,
        /// The metric.
        metric: String,
        /// Why.
        #[source]
        source: RecordError,
    },
    /// Bad arguments.
    #[error("{0}")]
    Invalid(String),
}

/// One block's metric values: per replication, per strategy, per metric.
///
/// Blocks hand back raw values, recorded into the running totals in block
/// order, rather than histograms of their own: creating and adding up six
/// HDR histograms (~370 KiB each) per block of 64 replications cost more
/// than simulating them for small scenarios. Recording is order-free
/// (counts and exact integer sums), so the result is the same bits.
type BlockValues = Vec<Vec<Vec<Option<f64>>>>;

fn block(
    scenario: &Scenario,
    strategies: &[&Strategy],
    master: u64,
    start: u64,
    end: u64,
) -> Result<BlockValues, CompareError> {
    let mut out = Vec::with_capacity(end.saturating_sub(start) as usize);
    for i in start..end {
        let mut per_strategy = Vec::with_capacity(strategies.len());
        for strategy in strategies {
            let o = replicate(scenario, strategy, master, i)?;
            per_strategy.push(run_metrics(scenario, &o));
        }
        out.push(per_strategy);
    }
    Ok(out)
}

/// Records a block's values, those of replications `start..`; the first
/// strategy is the baseline of the paired differences.
fn record_block(
    total: &mut [StrategySummary],
    values: &BlockValues,
    defs: &[MetricDef],
    master: u64,
    start: u64,
) -> Result<(), CompareError> {
    for (i, per_strategy) in (start..).zip(values) {
        let Some(base) = per_strategy.first() else {
            continue;
        };
        for (k, metrics) in per_strategy.iter().enumerate() {
            for (m, v) in metrics.iter().enumerate() {
                total[k].stats[m]
                    .record(*v)
                    .map_err(|source| CompareError::Record {
                        strategy: total[k].id.clone(),
                        seed: replication_seed(master, i),
                        metric: defs.get(m).map_or_else(String::new, |d| d.name.clone()),
                        source,
                    })?;
                if k > 0
                    && let (Some(x), Some(Some(b))) = (v, base.get(m))
                {
                    total[k].diffs[m].push_quanta(to_quanta(*x) - to_quanta(*b));
                }
            }
        }
    }
    Ok(())
}

/// Runs `runs` replications of each strategy on common random numbers,
/// `jobs` threads at a time (the result does not depend on `jobs`).
/// `progress` is called with the number of replications done so far and
/// returns `false` to stop early (the result then covers what was done).
pub fn compare(
    scenario: &Scenario,
    strategies: &[&Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Comparison, CompareError> {
    compare_shard(scenario, strategies, runs, seed, jobs, (0, 1), progress)
}

/// Like [`compare`], but runs only shard `i` of `n` (see [`shard_range`]).
/// Merging the shards' results with [`merge`] gives exactly the unsharded
/// result.
pub fn compare_shard(
    scenario: &Scenario,
    strategies: &[&Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    shard: (u64, u64),
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Comparison, CompareError> {
    if shard.1 == 0 || shard.0 >= shard.1 {
        return Err(CompareError::Invalid(format!(
            "--shard {}/{}: expected i/n with 0 <= i < n",
            shard.0, shard.1
        )));
    }
    check_runs(strategies, runs, "compare")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| CompareError::Invalid(format!("cannot start {jobs} threads: {e}")))?;
    let (start, end) = shard_range(runs, shard);
    let (first_block, blocks) = (start / BLOCK, end.div_ceil(BLOCK));
    // Waves bound the memory held by unmerged blocks.
    let wave = (jobs.max(1) as u64) * 4;
    let defs = metric_defs(scenario);
    let mut total: Option<Vec<StrategySummary>> = Some(empty(scenario, strategies));
    let mut b = first_block;
    let mut done = start;
    while b < blocks {
        let last = (b + wave).min(blocks);
        let results: Vec<Result<BlockValues, CompareError>> = pool.install(|| {
            (b..last)
                .into_par_iter()
                .map(|k| {
                    block(
                        scenario,
                        strategies,
                        seed,
                        k * BLOCK,
                        ((k + 1) * BLOCK).min(runs),
                    )
                })
                .collect()
        });
        for (k, r) in (b..).zip(results) {
            if let Some(t) = &mut total {
                record_block(t, &r?, &defs, seed, k * BLOCK)?;
            }
        }
        done = (last * BLOCK).min(end);
        b = last;
        if !progress(done - start) {
            break;
        }
    }
    Ok(Comparison {
        seed,
        runs,
        done: done - start,
        shard,
        metrics: defs,
        strategies: total.unwrap_or_default(),
    })
}

fn empty(scenario: &Scenario, strategies: &[&Strategy]) -> Vec<StrategySummary> {
    let n_metrics = metric_defs(scenario).len();
    strategies
        .iter()
        .map(|s| StrategySummary {
            id: s.id.clone(),
            stats: (0..n_metrics).map(|_| MetricStat::new()).collect(),
            diffs: vec![Moments::default(); n_metrics],
        })
        .collect()
}
