//! Paired evaluation of scenario *variants* against a base scenario on
//! common random numbers: what `hvsim chaos` (fault campaigns merged into
//! a scenario) and `hvsim advise` (changes to a plan) measure.
//!
//! Replication *i* of the base and of every variant runs under one
//! strategy (by id, looked up in each scenario) with the same seed,
//! [`replication_seed`]`(seed, i)`, as [`Study`](super::Study) does across
//! strategies: the differences between a variant and the base are paired,
//! and a variant identical to the base differs from it by exactly zero in
//! every replication.
//!
//! Variants may differ in their bugs and faults, so per-incident metrics
//! mean nothing across them: the metrics compared are those of
//! [`metric_defs`] that every scenario has, keyed by name, incident
//! metrics left out (every objective's "met" share, the mean downtime per
//! app down, the weighted impact, and the worst data loss or the
//! availabilities when all scenarios have them).
//!
//! Work is cut into (block of [`BLOCK`] replications, scenario) units
//! computed in parallel waves and recorded in block order into exact
//! integer [`Moments`], so the result does not depend on the number of
//! threads.

use rayon::prelude::*;

use super::metric::{MetricDef, MetricKind, metric_defs, run_metrics};
use super::seeds::{BLOCK, check_runs, replicate_either, replication_seed};
use super::stats::{
    Moments, PairTable, RecordError, checked_quanta, newcombe_paired95, to_quanta, wilson95,
};
use super::study::CompareError;
use crate::model::{Scenario, Strategy};

/// A scenario variant to evaluate against the base, and its name in
/// results and messages.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Its name (e.g. a campaign's label).
    pub name: String,
    /// The scenario, resolved.
    pub scenario: Scenario,
}

/// One metric of one scenario over the replications done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VariantMetric {
    /// The values reached, in the metric's unit.
    pub moments: Moments,
    /// Replications where it was not reached (a milestone not within the
    /// horizon, an objective undetermined).
    pub missing: u64,
    /// The paired difference (this − the base) over the replications where
    /// both reached it; empty for the base itself.
    pub diff: Moments,
    /// For a share: the paired replications where both held (with `diff`,
    /// the 2×2 table of [`VariantMetric::pairs`]); 0 for the base.
    pub both: u64,
}

impl VariantMetric {
    /// The mean of the values reached, in the metric's unit (a share in %).
    pub fn mean(&self) -> f64 {
        self.moments.mean()
    }

    /// The 95 % confidence interval of the mean: Wilson's for a share (in
    /// %), mean ± 1.96 σ/√n for a quantity; `None` before any value.
    pub fn ci(&self, kind: MetricKind) -> Option<(f64, f64)> {
        if self.moments.n == 0 {
            return None;
        }
        match kind {
            MetricKind::Share => {
                let (yes, n) = self.share_counts();
                wilson95(yes, n)
            }
            MetricKind::Quantity => {
                let (m, h) = (self.moments.mean(), self.moments.ci95());
                Some((m - h, m + h))
            }
        }
    }

    /// For a share (values 100 or 0): the replications where it held and
    /// those recorded.
    pub fn share_counts(&self) -> (u64, u64) {
        let (n, sum, _) = self.moments.parts();
        let per_yes = i128::from(to_quanta(100.0));
        let yes = u64::try_from(sum / per_yes).unwrap_or(0).min(n);
        (yes, n)
    }

    /// The mean paired difference against the base and the half-width of
    /// its 95 % confidence interval (0 when the two never differ).
    pub fn diff_ci(&self) -> (f64, f64) {
        (self.diff.mean(), self.diff.ci95())
    }

    /// For a share: the 2×2 table of the paired replications (the base
    /// first, this second).
    pub fn pairs(&self) -> Option<PairTable> {
        PairTable::from_diff(&self.diff, self.both)
    }

    /// The 95 % interval of the paired difference (this − the base):
    /// Newcombe's paired interval for a share (in pp, [`newcombe_paired95`]),
    /// mean ± 1.96 σ/√n for a quantity; `None` with fewer than 2 pairs.
    pub fn diff_interval(&self, kind: MetricKind) -> Option<(f64, f64)> {
        if self.diff.n < 2 {
            return None;
        }
        match kind {
            MetricKind::Share => newcombe_paired95(self.pairs()?),
            MetricKind::Quantity => {
                let (m, h) = self.diff_ci();
                Some((m - h, m + h))
            }
        }
    }
}

/// The results of one scenario (the base or a variant).
#[derive(Clone, Debug, PartialEq)]
pub struct VariantSummary {
    /// Its name (`base` for the base).
    pub name: String,
    /// Per metric, in [`VariantComparison::metrics`] order.
    pub metrics: Vec<VariantMetric>,
}

/// The paired comparison of variants against a base.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantComparison {
    /// The strategy every scenario ran.
    pub strategy: String,
    /// The master seed.
    pub seed: u64,
    /// Replications asked for.
    pub runs: u64,
    /// Replications done (fewer when stopped early).
    pub done: u64,
    /// The metrics common to every scenario, in the base's order.
    pub metrics: Vec<MetricDef>,
    /// The base's results (its `diff`s are empty).
    pub base: VariantSummary,
    /// Each variant's results, in the order given.
    pub variants: Vec<VariantSummary>,
}

impl VariantComparison {
    /// The position of the metric named `name`, if it is common.
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.name == name)
    }
}

/// The metrics common to every scenario, by name, in the base's order,
/// incident metrics left out; with, per scenario, where each sits in that
/// scenario's [`run_metrics`].
fn common_metrics(scenarios: &[&Scenario], incidents: bool) -> (Vec<MetricDef>, Vec<Vec<usize>>) {
    let defs: Vec<Vec<MetricDef>> = scenarios.iter().map(|s| metric_defs(s)).collect();
    let Some(base) = defs.first() else {
        return (Vec::new(), Vec::new());
    };
    let common: Vec<MetricDef> = base
        .iter()
        .filter(|d| incidents || !d.name.starts_with("incident "))
        .filter(|d| defs.iter().all(|ds| ds.iter().any(|x| x.name == d.name)))
        .cloned()
        .collect();
    let index = defs
        .iter()
        .map(|ds| {
            common
                .iter()
                .filter_map(|c| ds.iter().position(|x| x.name == c.name))
                .collect()
        })
        .collect();
    (common, index)
}

/// A paired Monte Carlo evaluation of scenario variants against a base.
///
/// ```
/// use hvsim::montecarlo::{Variant, Variants};
/// let base = hvsim::scenario::load_default()?;
/// let strategy = base.strategies[0].id.clone();
/// let variants = vec![Variant { name: "same".into(), scenario: base.clone() }];
/// let result = Variants::new(&base, &variants, &strategy, 64, 1)
///     .jobs(2)
///     .run(&|_| true)?;
/// assert_eq!(result.done, 64);
/// let m = result.metric("weighted impact (Σ criticality × downtime)").expect("common");
/// // The same scenario on the same random numbers: no difference at all.
/// assert_eq!(result.variants[0].metrics[m].diff_ci(), (0.0, 0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Variants<'a> {
    base: &'a Scenario,
    variants: &'a [Variant],
    strategy: &'a str,
    runs: u64,
    seed: u64,
    jobs: usize,
    incidents: bool,
}

/// One unit of work's values: per replication of the block, per common
/// metric.
type UnitValues = Vec<Vec<Option<f64>>>;

impl<'a> Variants<'a> {
    /// `runs` replications of `base` and of each of `variants` under the
    /// strategy with id `strategy`, master seed `seed`, on one thread.
    pub fn new(
        base: &'a Scenario,
        variants: &'a [Variant],
        strategy: &'a str,
        runs: u64,
        seed: u64,
    ) -> Self {
        Variants {
            base,
            variants,
            strategy,
            runs,
            seed,
            jobs: 1,
            incidents: false,
        }
    }

    /// Runs on `jobs` threads (the result does not depend on it).
    pub fn jobs(self, jobs: usize) -> Self {
        Variants { jobs, ..self }
    }

    /// Also compares the per-incident milestones common to every scenario
    /// by name (`incident 2 (bug): 90 % back`): for variants that change
    /// the plan or the estate but not the faults, as `hvsim advise`'s
    /// levers do, where incident *k* is the same fault in every scenario.
    pub fn with_incidents(self) -> Self {
        Variants {
            incidents: true,
            ..self
        }
    }

    /// The base then every variant.
    fn scenarios(&self) -> Vec<&'a Scenario> {
        std::iter::once(self.base)
            .chain(self.variants.iter().map(|v| &v.scenario))
            .collect()
    }

    /// The strategy in each scenario, or which scenario lacks it.
    fn strategies(&self, scenarios: &[&'a Scenario]) -> Result<Vec<&'a Strategy>, CompareError> {
        scenarios
            .iter()
            .enumerate()
            .map(|(k, s)| {
                s.strategies
                    .iter()
                    .find(|st| st.id == self.strategy)
                    .ok_or_else(|| {
                        let which = match k {
                            0 => "the base scenario".to_string(),
                            _ => format!("variant `{}`", self.variants[k - 1].name),
                        };
                        CompareError::Invalid(format!(
                            "{which} has no strategy `{}`",
                            self.strategy
                        ))
                    })
            })
            .collect()
    }

    /// Runs the evaluation, `jobs` threads at a time. `progress` is called
    /// with the number of replications done so far and returns `false` to
    /// stop early (the result then covers what was done, whole blocks).
    pub fn run(
        &self,
        progress: &(dyn Fn(u64) -> bool + Sync),
    ) -> Result<VariantComparison, CompareError> {
        let scenarios = self.scenarios();
        let strategies = self.strategies(&scenarios)?;
        check_runs(&strategies, self.runs, "evaluate")?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.max(1))
            .build()
            .map_err(|e| {
                CompareError::Invalid(format!("cannot start {} threads: {e}", self.jobs))
            })?;
        // Each variant's strategy set up once, shared by the threads.
        let prepared: Vec<Option<crate::engine::Prepared<'_>>> = scenarios
            .iter()
            .zip(&strategies)
            .map(|(sc, st)| crate::engine::Prepared::new(sc, st).ok())
            .collect();
        let (metrics, index) = common_metrics(&scenarios, self.incidents);
        let mut totals: Vec<Vec<VariantMetric>> =
            vec![vec![VariantMetric::default(); metrics.len()]; scenarios.len()];
        let blocks = self.runs.div_ceil(BLOCK);
        let n = scenarios.len() as u64;
        // Units of (block, scenario); a wave holds a few per thread.
        let wave = ((self.jobs.max(1) as u64) * 4).max(n);
        let mut done = 0;
        let mut unit = 0;
        while unit < blocks * n {
            let last = (unit + wave).div_ceil(n).saturating_mul(n).min(blocks * n);
            let results: Vec<Result<UnitValues, CompareError>> = pool.install(|| {
                (unit..last)
                    .into_par_iter()
                    .map(|u| {
                        let (b, k) = (u / n, (u % n) as usize);
                        let range = (b * BLOCK)..((b + 1) * BLOCK).min(self.runs);
                        range
                            .map(|i| {
                                let o = replicate_either(
                                    scenarios[k],
                                    strategies[k],
                                    prepared[k].as_ref(),
                                    self.seed,
                                    i,
                                )?;
                                let all = run_metrics(scenarios[k], &o);
                                crate::engine::recycle(o);
                                Ok(index[k].iter().map(|&m| all[m]).collect())
                            })
                            .collect()
                    })
                    .collect()
            });
            let results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
            for (b, per_scenario) in (unit / n..).zip(results.chunks(n as usize)) {
                self.record(&mut totals, &metrics, per_scenario, b * BLOCK)?;
            }
            unit = last;
            done = (unit / n * BLOCK).min(self.runs);
            if !progress(done) {
                break;
            }
        }
        let mut summaries = totals.into_iter().zip(
            std::iter::once("base".to_string()).chain(self.variants.iter().map(|v| v.name.clone())),
        );
        let base = summaries
            .next()
            .map(|(metrics, name)| VariantSummary { name, metrics })
            .ok_or_else(|| CompareError::Invalid("no base scenario".into()))?;
        Ok(VariantComparison {
            strategy: self.strategy.to_string(),
            seed: self.seed,
            runs: self.runs,
            done,
            metrics,
            base,
            variants: summaries
                .map(|(metrics, name)| VariantSummary { name, metrics })
                .collect(),
        })
    }

    /// Records one block's values (per scenario, per replication from
    /// `start`, per metric) into the totals, the base first.
    fn record(
        &self,
        totals: &mut [Vec<VariantMetric>],
        metrics: &[MetricDef],
        per_scenario: &[UnitValues],
        start: u64,
    ) -> Result<(), CompareError> {
        let Some(base) = per_scenario.first() else {
            return Ok(());
        };
        for (k, values) in per_scenario.iter().enumerate() {
            for (r, (row, base_row)) in values.iter().zip(base).enumerate() {
                for (m, (v, b)) in row.iter().zip(base_row).enumerate() {
                    let at = &mut totals[k][m];
                    let Some(x) = v else {
                        at.missing += 1;
                        continue;
                    };
                    let q = checked_quanta(*x)
                        .map_err(|source| self.error(k, m, metrics, start + r as u64, source))?;
                    at.moments.push_quanta(q);
                    if let (true, Some(b)) = (k > 0, b) {
                        at.diff.push_quanta(q - to_quanta(*b));
                        if metrics[m].kind == MetricKind::Share && *x > 0.0 && *b > 0.0 {
                            at.both += 1;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A value of scenario `k`, metric `m`, replication `i` that cannot be
    /// recorded.
    fn error(
        &self,
        k: usize,
        m: usize,
        metrics: &[MetricDef],
        i: u64,
        source: RecordError,
    ) -> CompareError {
        let name = match k {
            0 => "base".to_string(),
            _ => self
                .variants
                .get(k - 1)
                .map_or_else(String::new, |v| v.name.clone()),
        };
        CompareError::Record {
            strategy: format!("{} on {name}", self.strategy),
            seed: replication_seed(self.seed, i),
            metric: metrics.get(m).map_or_else(String::new, |d| d.name.clone()),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Variant, Variants};

    /// A variant identical to the base differs from it by exactly zero in
    /// every replication, and the result is the same bits whatever `jobs`.
    #[test]
    fn an_identical_variant_has_a_zero_width_paired_ci_and_jobs_change_nothing() {
        let base = crate::scenario::load_default().expect("embedded scenario");
        let strategy = base.strategies[0].id.clone();
        let mut other = base.clone();
        other.bugs.truncate(1);
        let variants = vec![
            Variant {
                name: "same".into(),
                scenario: base.clone(),
            },
            Variant {
                name: "one bug".into(),
                scenario: other,
            },
        ];
        let run = |jobs| {
            Variants::new(&base, &variants, &strategy, 70, 5)
                .jobs(jobs)
                .run(&|_| true)
                .expect("runs")
        };
        let one = run(1);
        assert_eq!(one.done, 70);
        assert!(!one.metrics.is_empty());
        assert!(one.metrics.iter().all(|m| !m.name.starts_with("incident ")));
        for m in &one.variants[0].metrics {
            assert!(m.diff.n >= 2);
            assert_eq!(m.diff_ci(), (0.0, 0.0));
        }
        assert_eq!(one.variants[0].metrics, {
            let mut b = one.base.metrics.clone();
            b.iter_mut()
                .zip(&one.variants[0].metrics)
                .for_each(|(x, v)| {
                    x.diff = v.diff;
                    x.both = v.both;
                });
            b
        });
        assert_eq!(one, run(3));
        assert_eq!(one, run(2));
    }

    #[test]
    fn stopping_early_keeps_whole_blocks_and_a_missing_strategy_is_refused() {
        let base = crate::scenario::load_default().expect("embedded scenario");
        let strategy = base.strategies[0].id.clone();
        let variants = vec![Variant {
            name: "same".into(),
            scenario: base.clone(),
        }];
        let r = Variants::new(&base, &variants, &strategy, 200, 5)
            .run(&|_| false)
            .expect("runs");
        assert!(r.done < 200 && r.done.is_multiple_of(64), "{}", r.done);
        assert_eq!(
            r.base.metrics[0].moments.n + r.base.metrics[0].missing,
            r.done
        );
        let err = Variants::new(&base, &variants, "no-such", 10, 5).run(&|_| true);
        assert!(err.is_err());
    }
}
