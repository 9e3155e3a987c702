//! Monte Carlo replications and strategy comparison.
//!
//! Replication *i* of every strategy runs with the same seed, so it sees
//! the same faults and the same per-app work draws (common random numbers,
//! docs/design.md): differences between strategies are paired, and their
//! confidence intervals are much tighter than those of independent runs.
//!
//! Aggregation streams: each metric goes into an HDR histogram and a
//! running mean/variance, so memory does not grow with the number of
//! replications. Replications are processed in fixed blocks of
//! [`BLOCK`] seeds whose aggregates are merged in block order, so the
//! result is identical whatever the number of threads.

use hdrhistogram::Histogram;
use rayon::prelude::*;

use crate::engine::{SimError, simulate};
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};
use crate::sim::{MS_PER_HOUR, SimDuration, SimTime};

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

/// What a metric measures.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// A short name for tables and JSON, e.g. `incident 2: 90 % back`.
    pub name: String,
    /// Its unit: `h` (hours) or `crit·h` (criticality-weighted hours).
    pub unit: &'static str,
}

/// The metrics every comparison reports, in order: for each incident, the
/// hours from its strike to the first app, 50 %, 90 % and 100 % back; then
/// the mean downtime of the apps that went down, and the criticality-weighted
/// impact.
pub fn metric_defs(scenario: &Scenario) -> Vec<MetricDef> {
    let mut defs = Vec::new();
    for (k, bug) in scenario.bugs.iter().enumerate() {
        for label in ["first app back", "50 % back", "90 % back", "100 % back"] {
            defs.push(MetricDef {
                name: format!("incident {} ({}): {label}", k + 1, bug.id),
                unit: "h",
            });
        }
    }
    defs.push(MetricDef {
        name: "mean downtime per app down".into(),
        unit: "h",
    });
    defs.push(MetricDef {
        name: "weighted impact (Σ criticality × downtime)".into(),
        unit: "crit·h",
    });
    if scenario.backup.is_some() || scenario.replication.is_some() {
        defs.push(MetricDef {
            name: "worst data loss of an app recovered".into(),
            unit: "h",
        });
    }
    for o in &scenario.objectives {
        defs.push(MetricDef {
            name: format!("objective {} met", o.name),
            unit: "%",
        });
    }
    if !scenario.chaos.is_empty() {
        defs.push(MetricDef {
            name: "mean app availability".into(),
            unit: "%",
        });
        defs.push(MetricDef {
            name: "least available app's availability".into(),
            unit: "%",
        });
    }
    defs
}

/// One run's metric values, `None` where a milestone was not reached.
pub fn run_metrics(scenario: &Scenario, o: &Outcome) -> Vec<Option<f64>> {
    let hours = |from: SimTime, t: Option<SimTime>| {
        t.map(|t| t.saturating_since(from).as_millis() as f64 / MS_PER_HOUR as f64)
    };
    let mut values = Vec::new();
    for k in 0..scenario.bugs.len() {
        match o.incidents.get(k) {
            Some(inc) => {
                let m = inc.milestones;
                for t in [m.first, m.half, m.ninety, m.all] {
                    values.push(hours(inc.at, t));
                }
            }
            None => values.extend([None; 4]),
        }
    }
    let totals = o.totals(scenario);
    // Unrounded mean, in hours (quantised to whole ms when recorded).
    values.push((totals.apps_down > 0).then(|| {
        totals.downtime.as_millis() as f64 / totals.apps_down as f64 / MS_PER_HOUR as f64
    }));
    let weighted = totals.weighted_impact_ms as f64 / MS_PER_HOUR as f64;
    values.push(Some(weighted));
    if scenario.backup.is_some() || scenario.replication.is_some() {
        // `None` ("not reached") when an app lost everything or none was
        // recovered.
        let mut worst = Some(SimDuration::ZERO);
        let mut any = false;
        for a in o.apps.iter().filter(|a| a.recoveries > 0) {
            any = true;
            worst = match (worst, a.data_loss.duration()) {
                (Some(w), Some(d)) => Some(w.max(d)),
                _ => None,
            };
        }
        values.push(
            worst
                .filter(|_| any)
                .map(|d| d.as_millis() as f64 / MS_PER_HOUR as f64),
        );
    }
    for r in o.objectives(scenario) {
        values.push(Some(if r.met() { 100.0 } else { 0.0 }));
    }
    if !scenario.chaos.is_empty() {
        let n = scenario.apps.len().max(1);
        let availability = (0..scenario.apps.len())
            .map(|a| 100.0 * o.app_availability(crate::model::AppId(a as u32)));
        values.push(Some(availability.clone().sum::<f64>() / n as f64));
        values.push(availability.reduce(f64::min));
    }
    values
}

/// Values are accumulated as whole milliseconds (or criticality-milliseconds).
const QUANTUM_PER_UNIT: f64 = 3_600_000.0;

/// Streaming mean and variance over integer quanta (milliseconds). Sums are
/// exact integers, so merging is associative and commutative: any split of
/// the replications (threads, blocks, shards) gives the same bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moments {
    /// Observations.
    pub n: u64,
    sum: i128,
    sum_sq: u128,
}

impl Moments {
    /// Adds one observation, in quanta.
    pub fn push_quanta(&mut self, q: i64) {
        self.n += 1;
        self.sum += i128::from(q);
        self.sum_sq = self
            .sum_sq
            .saturating_add((i128::from(q) * i128::from(q)).unsigned_abs());
    }

    /// Adds one observation in the metric's unit (hours).
    pub fn push(&mut self, x: f64) {
        self.push_quanta(to_quanta(x));
    }

    /// Merges another set of observations into this one.
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
    }

    /// The raw integer sums (n, Σq, Σq²), for shard files.
    pub fn parts(&self) -> (u64, i128, u128) {
        (self.n, self.sum, self.sum_sq)
    }

    /// Rebuilds moments from [`Moments::parts`].
    pub fn from_parts(n: u64, sum: i128, sum_sq: u128) -> Self {
        Moments { n, sum, sum_sq }
    }

    /// The mean, in the metric's unit.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64 / QUANTUM_PER_UNIT
        }
    }

    /// Sample variance, in the metric's unit squared.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        // n·Σx² − (Σx)² exactly in integers where it fits (it always does
        // for realistic runs), so no cancellation error.
        let exact = u128::from(self.n).checked_mul(self.sum_sq).and_then(|a| {
            a.checked_sub(
                self.sum
                    .unsigned_abs()
                    .checked_mul(self.sum.unsigned_abs())?,
            )
        });
        let numerator = match exact {
            Some(x) => x as f64,
            None => (n * self.sum_sq as f64 - (self.sum as f64).powi(2)).max(0.0),
        };
        numerator / (n * (n - 1.0)) / (QUANTUM_PER_UNIT * QUANTUM_PER_UNIT)
    }

    /// Half-width of the 95 % confidence interval of the mean (normal approximation).
    pub fn ci95(&self) -> f64 {
        if self.n < 2 {
            f64::INFINITY
        } else {
            1.96 * (self.variance() / self.n as f64).sqrt()
        }
    }
}

fn to_quanta(x: f64) -> i64 {
    let q = (x * QUANTUM_PER_UNIT).round();
    if q.is_nan() {
        0
    } else {
        q.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }
}

/// The distribution of one metric for one strategy.
#[derive(Clone, Debug)]
pub struct MetricStat {
    /// Values, in seconds (or criticality-seconds), 3 significant digits.
    pub hist: Histogram<u64>,
    /// Mean and variance, in the metric's unit.
    pub moments: Moments,
    /// Replications where the milestone was not reached within the horizon.
    pub missing: u64,
}

impl Default for MetricStat {
    fn default() -> Self {
        Self::new()
    }
}

impl MetricStat {
    /// An empty distribution.
    pub fn new() -> Self {
        MetricStat {
            // One second to ~100 years in seconds: every milestone fits.
            hist: Histogram::new_with_bounds(1, 3_600 * 24 * 365 * 100, 3)
                .expect("static bounds are valid"),
            moments: Moments::default(),
            missing: 0,
        }
    }

    fn record(&mut self, value: Option<f64>) {
        match value {
            Some(v) => {
                self.moments.push(v);
                // Whole seconds (or second-quanta of other units); 0 is a
                // value too (no data lost, an objective missed).
                let secs = (v * 3_600.0).round().max(0.0) as u64;
                self.hist.saturating_record(secs);
            }
            None => self.missing += 1,
        }
    }

    fn merge(&mut self, other: &MetricStat) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.hist.add(&other.hist);
        self.moments.merge(&other.moments);
        self.missing += other.missing;
    }

    /// The value (in the metric's unit) at quantile `q` of the reached runs.
    ///
    /// Values are kept to 3 significant digits and reported at the low end
    /// of their bucket, so a quantile never exceeds the largest value
    /// recorded (a 100 % objective reads 100 %, not 100.1 %).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        (!self.hist.is_empty()).then(|| {
            let v = self.hist.value_at_quantile(q);
            self.hist.lowest_equivalent(v) as f64 / 3_600.0
        })
    }

    /// The largest value recorded (to 3 significant digits, rounded down).
    pub fn max(&self) -> Option<f64> {
        (!self.hist.is_empty())
            .then(|| self.hist.lowest_equivalent(self.hist.max()) as f64 / 3_600.0)
    }
}

/// One strategy's results.
#[derive(Clone, Debug)]
pub struct StrategySummary {
    /// Its id.
    pub id: String,
    /// Per metric, in [`metric_defs`] order.
    pub stats: Vec<MetricStat>,
    /// Per metric, the paired difference (this − the first strategy) over
    /// the replications where both reached it.
    pub diffs: Vec<Moments>,
}

/// A comparison of strategies over common random numbers.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The master seed.
    pub seed: u64,
    /// Replications per strategy in the whole run.
    pub runs: u64,
    /// Replications actually done (less than `runs` when interrupted or sharded).
    pub done: u64,
    /// Which shard `(i, n)` this is; `(0, 1)` for a whole run.
    pub shard: (u64, u64),
    /// What is measured.
    pub metrics: Vec<MetricDef>,
    /// Per strategy, the first one being the baseline.
    pub strategies: Vec<StrategySummary>,
}

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

/// Records a block's values; the first strategy is the baseline of the
/// paired differences.
fn record_block(total: &mut [StrategySummary], values: &BlockValues) {
    for per_strategy in values {
        let Some(base) = per_strategy.first() else {
            continue;
        };
        for (k, metrics) in per_strategy.iter().enumerate() {
            for (m, v) in metrics.iter().enumerate() {
                total[k].stats[m].record(*v);
                if k > 0
                    && let (Some(x), Some(Some(b))) = (v, base.get(m))
                {
                    total[k].diffs[m].push_quanta(to_quanta(*x) - to_quanta(*b));
                }
            }
        }
    }
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

/// The replications `[start, end)` that shard `i` of `n` runs: contiguous
/// whole blocks, so that the shards of a run partition its replications.
pub fn shard_range(runs: u64, shard: (u64, u64)) -> (u64, u64) {
    let (i, n) = shard;
    let blocks = runs.div_ceil(BLOCK);
    let first = blocks * i / n.max(1);
    let last = blocks * (i + 1) / n.max(1);
    ((first * BLOCK).min(runs), (last * BLOCK).min(runs))
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
        for r in results {
            if let Some(t) = &mut total {
                record_block(t, &r?);
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
        metrics: metric_defs(scenario),
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

fn merge_into(total: &mut [StrategySummary], part: &[StrategySummary]) {
    for (acc, p) in total.iter_mut().zip(part) {
        for (a, x) in acc.stats.iter_mut().zip(&p.stats) {
            a.merge(x);
        }
        for (a, x) in acc.diffs.iter_mut().zip(&p.diffs) {
            a.merge(x);
        }
    }
}

/// Merges the shards of one comparison into the unsharded result. Every
/// shard of the same run (seed, replications, strategies, metrics) must be
/// given exactly once.
pub fn merge(mut parts: Vec<Comparison>) -> Result<Comparison, CompareError> {
    let Some(first) = parts.first() else {
        return Err(CompareError::Invalid("no shard to merge".into()));
    };
    let n = first.shard.1;
    let ids = |c: &Comparison| {
        c.strategies
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    for p in &parts {
        if p.seed != first.seed
            || p.runs != first.runs
            || p.shard.1 != n
            || p.metrics != first.metrics
            || ids(p) != ids(first)
        {
            return Err(CompareError::Invalid(format!(
                "shard {}/{} is from a different comparison (seed, --runs, strategies or scenario differ)",
                p.shard.0, p.shard.1
            )));
        }
    }
    parts.sort_by_key(|p| p.shard.0);
    let present: Vec<u64> = parts.iter().map(|p| p.shard.0).collect();
    if present != (0..n).collect::<Vec<_>>() {
        let missing: Vec<String> = (0..n)
            .filter(|i| !present.contains(i))
            .map(|i| format!("{i}/{n}"))
            .collect();
        return Err(CompareError::Invalid(if missing.is_empty() {
            "a shard is given twice".to_string()
        } else {
            format!("missing shard(s): {}", missing.join(", "))
        }));
    }
    for p in &parts {
        let (start, end) = shard_range(p.runs, p.shard);
        if p.done != end - start {
            return Err(CompareError::Invalid(format!(
                "shard {}/{} is incomplete: {} of {} replications (it was interrupted)",
                p.shard.0,
                n,
                p.done,
                end - start
            )));
        }
    }
    let mut iter = parts.into_iter();
    let mut total = iter
        .next()
        .ok_or_else(|| CompareError::Invalid("no shard".into()))?;
    for p in iter {
        merge_into(&mut total.strategies, &p.strategies);
        total.done += p.done;
    }
    total.shard = (0, 1);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_moments_equal_sequential_ones_exactly() {
        let xs: Vec<f64> = (0..100).map(|i| ((i * 37) % 17) as f64 * 0.5).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.push(*x));
        for split in [0, 1, 30, 99, 100] {
            let (mut a, mut b) = (Moments::default(), Moments::default());
            xs[..split].iter().for_each(|x| a.push(*x));
            xs[split..].iter().for_each(|x| b.push(*x));
            b.merge(&a);
            assert_eq!(b, all, "split at {split}");
        }
        // Against the textbook formulas.
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((all.mean() - mean).abs() < 1e-9);
        assert!((all.variance() - var).abs() < 1e-6);
    }

    #[test]
    fn replication_seeds_are_distinct() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..10_000).map(|i| replication_seed(1, i)).collect();
        assert_eq!(seeds.len(), 10_000);
    }
}
