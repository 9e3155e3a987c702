//! Monte Carlo replications and strategy comparison.
//!
//! Replication *i* of every strategy runs with the same seed, so it sees
//! the same faults and the same per-app work draws (common random numbers,
//! docs/design.md): differences between strategies are paired, and their
//! confidence intervals are much tighter than those of independent runs.
//!
//! Aggregation streams: each metric goes into an HDR histogram (3
//! significant digits, growing to hold any value: nothing is clamped), its
//! exact min and max and a running mean/variance, so memory does not grow
//! with the number of replications. Replications are processed in fixed blocks of
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

/// How a metric is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A quantity that varies from run to run (hours, crit·h, an
    /// availability in %): mean ± CI, quantiles, exact min and max.
    Quantity,
    /// A yes/no indicator, recorded as 100 (yes) or 0 (no) per run: its
    /// mean is the share of runs where it holds. Reported as that share
    /// with its confidence interval, without quantiles; differences
    /// between strategies are in percentage points (`pp`).
    Share,
}

impl MetricKind {
    /// Its name in JSON and shard files: `quantity` or `share`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Quantity => "quantity",
            MetricKind::Share => "share",
        }
    }
}

/// What a metric measures.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// A short name for tables and JSON, e.g. `incident 2: 90 % back`.
    pub name: String,
    /// Its unit: `h` (hours), `crit·h` (criticality-weighted hours) or `%`.
    pub unit: &'static str,
    /// How it is summarised.
    pub kind: MetricKind,
}

impl MetricDef {
    fn quantity(name: impl Into<String>, unit: &'static str) -> Self {
        MetricDef {
            name: name.into(),
            unit,
            kind: MetricKind::Quantity,
        }
    }

    /// The unit of its paired differences: `pp` (percentage points) for
    /// a share or a percentage, else its own unit.
    pub fn diff_unit(&self) -> &'static str {
        match (self.kind, self.unit) {
            (MetricKind::Share, _) | (_, "%") => "pp",
            (_, unit) => unit,
        }
    }
}

/// The metrics every comparison reports, in order: for each incident, the
/// hours from its strike to the first app, 50 %, 90 % and 100 % back; then
/// the mean downtime of the apps that went down, and the criticality-weighted
/// impact.
pub fn metric_defs(scenario: &Scenario) -> Vec<MetricDef> {
    let mut defs = Vec::new();
    for (k, bug) in scenario.bugs.iter().enumerate() {
        for label in ["first app back", "50 % back", "90 % back", "100 % back"] {
            defs.push(MetricDef::quantity(
                format!("incident {} ({}): {label}", k + 1, bug.id),
                "h",
            ));
        }
    }
    defs.push(MetricDef::quantity("mean downtime per app down", "h"));
    defs.push(MetricDef::quantity(
        "weighted impact (Σ criticality × downtime)",
        "crit·h",
    ));
    if scenario.backup.is_some() || scenario.replication.is_some() {
        defs.push(MetricDef::quantity(
            "worst data loss of an app recovered",
            "h",
        ));
    }
    for o in &scenario.objectives {
        defs.push(MetricDef {
            name: format!("objective {} met", o.name),
            unit: "%",
            kind: MetricKind::Share,
        });
    }
    if !scenario.chaos.is_empty() {
        defs.push(MetricDef::quantity("mean app availability", "%"));
        defs.push(MetricDef::quantity(
            "least available app's availability",
            "%",
        ));
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
        // Undetermined within the horizon: not counted as met or missed.
        values.push(match r.verdict() {
            crate::metrics::Verdict::Met => Some(100.0),
            crate::metrics::Verdict::Missed => Some(0.0),
            crate::metrics::Verdict::Undetermined => None,
        });
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

/// The largest value a metric may take, in its unit: whole quanta
/// (milliseconds) of it fit in an `i64` with room to spare, and so do
/// whole seconds of it in an HDR histogram (at most `i64::MAX / 2`).
pub const MAX_VALUE: f64 = 1e12;

/// Why a metric value could not be recorded. Metrics are finite and never
/// negative by construction (durations, criticality × duration, shares and
/// availabilities), so the first two are bugs; the last needs a scenario
/// far beyond any real one (10¹² crit·h).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// NaN or infinite.
    #[error("{0} is not a finite number (a bug in hvsim: please report it)")]
    NotFinite(f64),
    /// Below zero.
    #[error("{0} is negative, and metrics never are (a bug in hvsim: please report it)")]
    Negative(f64),
    /// Above [`MAX_VALUE`].
    #[error("{0:e} is above the largest value hvsim can record exactly ({MAX_VALUE:e})")]
    TooLarge(f64),
}

/// A value's whole quanta (milliseconds, or criticality-milliseconds),
/// refusing what cannot be recorded exactly rather than clamping it.
fn checked_quanta(v: f64) -> Result<i64, RecordError> {
    if !v.is_finite() {
        Err(RecordError::NotFinite(v))
    } else if v < 0.0 {
        Err(RecordError::Negative(v))
    } else if v > MAX_VALUE {
        Err(RecordError::TooLarge(v))
    } else {
        Ok(to_quanta(v))
    }
}

/// The distribution of one metric for one strategy.
///
/// Quantiles come from an HDR histogram with 3 significant digits that
/// grows to hold whatever is recorded (nothing is ever clamped); the exact
/// least and greatest values are kept beside it, so `min` and `max` are
/// exact and every quantile lies between them.
#[derive(Clone, Debug)]
pub struct MetricStat {
    /// Values, in whole seconds (or criticality-seconds), 3 significant
    /// digits; auto-resizing.
    pub hist: Histogram<u64>,
    /// Mean and variance, in the metric's unit.
    pub moments: Moments,
    /// Replications where the milestone was not reached within the horizon.
    pub missing: u64,
    /// The exact least and greatest values recorded, in whole quanta
    /// (milliseconds, as [`Moments`]); `None` before the first value.
    pub range: Option<(i64, i64)>,
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
            // Auto-resizing: grows to hold any value up to i64::MAX / 2.
            hist: Histogram::new(3).expect("3 significant digits are valid"),
            moments: Moments::default(),
            missing: 0,
            range: None,
        }
    }

    /// Records one run's value, `None` where the milestone was not reached.
    /// A value that cannot be recorded exactly is refused, never clamped.
    pub fn record(&mut self, value: Option<f64>) -> Result<(), RecordError> {
        let Some(v) = value else {
            self.missing += 1;
            return Ok(());
        };
        let q = checked_quanta(v)?;
        // Whole seconds (or second-quanta of other units); 0 is a value
        // too (no data lost, an objective missed). At most 3.6e15, well
        // inside what the histogram can grow to.
        let secs = (v * 3_600.0).round() as u64;
        self.hist
            .record(secs)
            .map_err(|_| RecordError::TooLarge(v))?;
        self.moments.push_quanta(q);
        self.range = Some(match self.range {
            None => (q, q),
            Some((lo, hi)) => (lo.min(q), hi.max(q)),
        });
        Ok(())
    }

    /// Merges another distribution of the same metric into this one.
    /// Counts, sums, minimum and maximum are all exact, so any split of
    /// the runs merges to the same result.
    pub fn merge(&mut self, other: &MetricStat) -> Result<(), hdrhistogram::AdditionError> {
        self.hist.add(&other.hist)?;
        self.moments.merge(&other.moments);
        self.missing += other.missing;
        self.range = match (self.range, other.range) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    /// The value (in the metric's unit) at quantile `q` of the reached runs.
    ///
    /// Values are kept to 3 significant digits and reported at the low end
    /// of their bucket, then brought into the exact `[min, max]`: a
    /// quantile is never below the least value nor above the greatest (a
    /// constant metric reads the same at every quantile as its mean and
    /// its max; an availability never exceeds 100 %).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let (lo, hi) = (self.min()?, self.max()?);
        if self.hist.is_empty() {
            return None;
        }
        let v = self.hist.value_at_quantile(q);
        let x = self.hist.lowest_equivalent(v) as f64 / 3_600.0;
        // Not `clamp`: it panics if lo > hi, which a hostile shard could claim.
        Some(x.max(lo).min(hi))
    }

    /// The least value recorded, exactly.
    pub fn min(&self) -> Option<f64> {
        self.range.map(|(lo, _)| lo as f64 / QUANTUM_PER_UNIT)
    }

    /// The greatest value recorded, exactly.
    pub fn max(&self) -> Option<f64> {
        self.range.map(|(_, hi)| hi as f64 / QUANTUM_PER_UNIT)
    }

    /// For a [`MetricKind::Share`] (values 100 or 0): the runs where it
    /// held and the runs recorded.
    pub fn share_counts(&self) -> (u64, u64) {
        let (n, sum, _) = self.moments.parts();
        let per_yes = 100 * QUANTUM_PER_UNIT as i128;
        let yes = u64::try_from(sum / per_yes).unwrap_or(0).min(n);
        (yes, n)
    }

    /// For a [`MetricKind::Share`]: the share of runs where it held, in %,
    /// and its 95 % Wilson score interval; `None` before the first run.
    pub fn share(&self) -> Option<(f64, (f64, f64))> {
        let (k, n) = self.share_counts();
        Some((100.0 * k as f64 / n as f64, wilson95(k, n)?))
    }
}

/// The 95 % Wilson score interval of a proportion of `k` in `n`, in %:
/// unlike mean ± 1.96 σ it stays within [0, 100] and is not empty when
/// every run (or none) succeeded. `None` when `n` is 0.
pub fn wilson95(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (z, nf) = (1.96f64, n as f64);
    let p = k.min(n) as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((100.0 * lo, 100.0 * hi))
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

/// Adds the results of `part` (of the same strategies and metrics) to `total`.
pub(crate) fn merge_into(
    total: &mut [StrategySummary],
    part: &[StrategySummary],
) -> Result<(), CompareError> {
    for (acc, p) in total.iter_mut().zip(part) {
        for (a, x) in acc.stats.iter_mut().zip(&p.stats) {
            a.merge(x).map_err(|e| {
                CompareError::Invalid(format!(
                    "strategy `{}`: cannot merge a histogram: {e:?}",
                    acc.id
                ))
            })?;
        }
        for (a, x) in acc.diffs.iter_mut().zip(&p.diffs) {
            a.merge(x);
        }
    }
    Ok(())
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
        merge_into(&mut total.strategies, &p.strategies)?;
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

    /// Nearest-rank quantile of sorted values.
    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    /// Issue 13: weighted impacts above ~1.2 M crit·h used to be clamped
    /// to 875,560.96 by a fixed-range histogram, so the max read below
    /// the mean.
    #[test]
    fn values_above_a_million_crit_hours_are_recorded_not_clamped() {
        let values: Vec<f64> = (0..1000)
            .map(|i| 1_200_000.0 + f64::from((i * 7919) % 1000) * 5_300.5)
            .collect();
        let mut st = MetricStat::new();
        for v in &values {
            // `let _`: the test must compile (and fail) where `record`
            // returned nothing.
            let _ = st.record(Some(*v));
        }
        assert_eq!(st.moments.n, 1000);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let exact_max = sorted[999];
        let mean = st.moments.mean();
        assert_eq!(st.max(), Some(exact_max));
        assert!(exact_max >= mean, "max {exact_max} < mean {mean}");
        for q in [0.5, 0.9, 0.99] {
            let got = st.quantile(q).expect("values");
            let want = exact_quantile(&sorted, q);
            // 3 significant digits: within 0.1 %, and never above the max.
            assert!(
                (got - want).abs() <= want * 1e-3,
                "p{}: {got} against {want}",
                q * 100.0
            );
            assert!(got <= exact_max);
        }
        assert!(st.quantile(0.5).expect("values") > 3_500_000.0);
    }

    /// A metric with the same value in every run reads that value at every
    /// quantile, as its mean and as its max: `18h 30m ± 0s`, p50 `18h 30m`.
    #[test]
    fn a_constant_metric_has_p50_equal_to_its_mean_and_max_exactly() {
        for v in [18.5, 100.0, 1e-3, 0.0, 2_000_000.0 / 3.0] {
            let mut st = MetricStat::new();
            for _ in 0..500 {
                let _ = st.record(Some(v));
            }
            let mean = st.moments.mean();
            assert_eq!(st.moments.variance(), 0.0);
            for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
                assert_eq!(st.quantile(q), Some(mean), "{v}: quantile {q}");
            }
            assert_eq!(st.max(), Some(mean), "{v}");
        }
    }

    #[test]
    fn quantiles_stay_within_the_exact_min_and_max() {
        // Availabilities just under 100 %: a bucket of 3 significant
        // digits straddles 100, the quantiles must not.
        let mut st = MetricStat::new();
        for i in 0..100 {
            st.record(Some(99.9 + f64::from(i) * 0.000_9))
                .expect("records");
        }
        let (lo, hi) = (st.min().expect("min"), st.max().expect("max"));
        assert_eq!(lo, 99.9);
        assert!(hi < 100.0);
        for q in [0.0, 0.01, 0.5, 0.9, 0.99, 1.0] {
            let x = st.quantile(q).expect("values");
            assert!(
                (lo..=hi).contains(&x),
                "quantile {q}: {x} outside [{lo}, {hi}]"
            );
        }
    }

    #[test]
    fn merging_keeps_min_and_max_exact_whatever_the_split() {
        let xs: Vec<f64> = (0..300)
            .map(|i| f64::from((i * 37) % 101) * 12_345.678 + 0.001)
            .collect();
        let mut all = MetricStat::new();
        xs.iter()
            .for_each(|x| all.record(Some(*x)).expect("records"));
        for split in [0, 1, 150, 299, 300] {
            let (mut a, mut b) = (MetricStat::new(), MetricStat::new());
            xs[..split]
                .iter()
                .for_each(|x| a.record(Some(*x)).expect("records"));
            xs[split..]
                .iter()
                .for_each(|x| b.record(Some(*x)).expect("records"));
            b.merge(&a).expect("merges");
            assert_eq!(b.range, all.range, "split at {split}");
            assert_eq!(b.moments, all.moments);
            for q in [0.5, 0.9, 0.99] {
                assert_eq!(b.quantile(q), all.quantile(q), "split at {split}");
            }
        }
    }

    #[test]
    fn values_that_cannot_be_recorded_exactly_are_refused_not_clamped() {
        let mut st = MetricStat::new();
        assert_eq!(st.record(Some(-1.0)), Err(RecordError::Negative(-1.0)));
        assert!(matches!(
            st.record(Some(f64::NAN)),
            Err(RecordError::NotFinite(_))
        ));
        assert_eq!(st.record(Some(2e12)), Err(RecordError::TooLarge(2e12)));
        assert_eq!(st.moments.n, 0);
        assert_eq!(st.range, None);
        // The largest allowed value is recorded exactly.
        st.record(Some(MAX_VALUE)).expect("records");
        assert_eq!(st.max(), Some(MAX_VALUE));
        assert_eq!(st.quantile(0.5), Some(MAX_VALUE));
    }

    #[test]
    fn a_share_met_in_every_run_is_100_percent_with_a_wilson_interval() {
        let mut st = MetricStat::new();
        for _ in 0..1000 {
            st.record(Some(100.0)).expect("records");
        }
        let (p, (lo, hi)) = st.share().expect("runs");
        assert_eq!(p, 100.0);
        assert_eq!(hi, 100.0);
        assert!((99.5..100.0).contains(&lo), "{lo}");
        let mut st = MetricStat::new();
        for i in 0..1000 {
            st.record(Some(if i < 970 { 100.0 } else { 0.0 }))
                .expect("records");
        }
        assert_eq!(st.share_counts(), (970, 1000));
        let (p, (lo, hi)) = st.share().expect("runs");
        assert_eq!(p, 97.0);
        // Wilson: 95.750–97.891 % for 970 of 1000.
        assert!(
            (lo - 95.750).abs() < 1e-3 && (hi - 97.891).abs() < 1e-3,
            "{lo}–{hi}"
        );
        assert_eq!(wilson95(0, 10).map(|(lo, _)| lo), Some(0.0));
        assert_eq!(wilson95(3, 0), None);
    }

    #[test]
    fn replication_seeds_are_distinct() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..10_000).map(|i| replication_seed(1, i)).collect();
        assert_eq!(seeds.len(), 10_000);
    }
}
