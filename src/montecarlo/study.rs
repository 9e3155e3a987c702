//! The study: runs the replications of each strategy once, in parallel
//! blocks, and feeds every run's metrics into the running totals in block
//! order, so that the result does not depend on the number of threads.
//! When asked ([`Study::with_curves`]), the same pass samples every run
//! for the restored curves and keeps the incidents of the first
//! replication; [`Study::with_dr_use`] keeps the DR site's use in the
//! first runs: nothing is simulated twice.

use rayon::prelude::*;

use super::curves::{
    Curves, GRID_POINTS, Grid, IncidentMark, Sample, StrategyCurves, median_incident_marks,
    phase_values, sample,
};
use super::dr_runs::{DR_USE_RUNS, RunUse};
use super::metric::{MetricDef, metric_defs, run_metrics};
use super::seeds::{BLOCK, check_runs, prepare, replicate_either, replication_seed, shard_range};
use super::source::{MetricSource, replicate_with};
use super::stats::{MetricStat, Moments, RecordError, to_quanta};
use super::summary::{Comparison, StrategySummary, Summary};
use crate::engine::{Prepared, SimError};
use crate::metrics::Outcome;
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

/// The first block's runs kept whole, their values when a source
/// measured them, and the grid that spans them.
type Pilot = (Vec<Vec<Outcome>>, Option<BlockValues>, Grid);

/// What one block of replications hands back.
struct BlockResult {
    /// Its metric values.
    values: BlockValues,
    /// With curves, each run sampled on the grid: per replication, per
    /// strategy (a few hundred kB a block, less than histograms would
    /// take); empty without.
    samples: Vec<Vec<Sampled>>,
    /// With the DR use, per strategy, that of its runs among the first
    /// [`DR_USE_RUNS`], in replication order; empty lists without.
    uses: Vec<Vec<RunUse>>,
}

/// One run on the grid: its curves' sample and its incidents' phases.
type Sampled = (Sample, Vec<Option<crate::sim::SimDuration>>);

/// `o` sampled on `grid`, with its phases.
fn sampled(scenario: &Scenario, o: &Outcome, grid: &Grid) -> Sampled {
    (sample(scenario, o, grid), phase_values(scenario, o))
}

impl BlockResult {
    /// The values (and, on a grid, the samples; with the DR use, that of
    /// the first runs) of the runs of replications `0..`: per replication,
    /// per strategy.
    fn of(
        study: &Study<'_>,
        runs: &[Vec<Outcome>],
        values: Option<BlockValues>,
        grid: Option<&Grid>,
    ) -> Self {
        let scenario = study.scenario;
        let mut uses = vec![Vec::new(); study.strategies.len()];
        for (i, per) in (0..).zip(runs) {
            for (k, o) in per.iter().enumerate() {
                study.keep_use(o, i, &mut uses[k]);
            }
        }
        let values = values.unwrap_or_else(|| {
            runs.iter()
                .map(|per| per.iter().map(|o| run_metrics(scenario, o)).collect())
                .collect()
        });
        let samples = match grid {
            Some(g) => runs
                .iter()
                .map(|per| per.iter().map(|o| sampled(scenario, o, g)).collect())
                .collect(),
            None => Vec::new(),
        };
        BlockResult {
            values,
            samples,
            uses,
        }
    }
}

/// Replications `start..end` of every strategy of `study`: their values,
/// their samples on `grid` if one is given, and the DR use of the first
/// runs if the study keeps it.
fn block(
    study: &Study<'_>,
    prepared: &[Option<Prepared<'_>>],
    (start, end): (u64, u64),
    grid: Option<&Grid>,
) -> Result<BlockResult, CompareError> {
    let Study {
        scenario,
        strategies,
        seed: master,
        source,
        ..
    } = *study;
    let n = end.saturating_sub(start) as usize;
    let mut values = Vec::with_capacity(n);
    let mut samples = Vec::with_capacity(if grid.is_some() { n } else { 0 });
    let mut uses = vec![Vec::new(); strategies.len()];
    for i in start..end {
        let mut per_strategy = Vec::with_capacity(strategies.len());
        let mut on_grid = Vec::new();
        for (k, strategy) in strategies.iter().enumerate() {
            let o = match source {
                Some(src) => {
                    let (o, values) = replicate_with(src, scenario, strategy, master, i)?;
                    per_strategy.push(values);
                    o
                }
                None => {
                    let p = prepared.get(k).and_then(Option::as_ref);
                    let o = replicate_either(scenario, strategy, p, master, i)?;
                    per_strategy.push(run_metrics(scenario, &o));
                    o
                }
            };
            if let Some(g) = grid {
                on_grid.push(sampled(scenario, &o, g));
            }
            study.keep_use(&o, i, &mut uses[k]);
            // Its vectors serve this thread's next replication.
            crate::engine::recycle(o);
        }
        values.push(per_strategy);
        if grid.is_some() {
            samples.push(on_grid);
        }
    }
    Ok(BlockResult {
        values,
        samples,
        uses,
    })
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

/// The running totals of a study, fed block by block in block order.
struct Totals {
    /// Per strategy, the metrics' distributions and paired differences.
    strategies: Vec<StrategySummary>,
    /// With curves: the grid and, per strategy, its histograms.
    curves: Option<(Grid, Vec<StrategyCurves>)>,
}

impl Totals {
    /// Adds block `k`'s results.
    fn record(
        &mut self,
        r: &BlockResult,
        defs: &[MetricDef],
        master: u64,
        k: u64,
    ) -> Result<(), CompareError> {
        record_block(&mut self.strategies, &r.values, defs, master, k * BLOCK)?;
        for (acc, uses) in self.strategies.iter_mut().zip(&r.uses) {
            acc.dr_use.extend(uses.iter().cloned());
        }
        if let Some((_, curves)) = &mut self.curves {
            for per_strategy in &r.samples {
                for (acc, ((counts, shares), phases)) in curves.iter_mut().zip(per_strategy) {
                    acc.record(counts, shares);
                    acc.record_phases(phases);
                }
            }
        }
        Ok(())
    }
}

/// A Monte Carlo study: `runs` replications of each strategy on common
/// random numbers (replication `i` of every strategy with
/// [`replication_seed`]`(seed, i)`), each simulated once.
///
/// ```
/// let scenario = hvsim::scenario::load_default()?;
/// let strategies: Vec<_> = scenario.strategies.iter().take(2).collect();
/// let summary = hvsim::montecarlo::Study::new(&scenario, &strategies, 64, 1)
///     .with_curves()
///     .run(&|_| true)?;
/// assert_eq!(summary.comparison.done, 64);
/// assert_eq!(summary.curves.map(|c| c.strategies[0].runs), Some(64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Study<'a> {
    scenario: &'a Scenario,
    strategies: &'a [&'a Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    shard: (u64, u64),
    curves: bool,
    dr_use: bool,
    source: Option<&'a dyn MetricSource>,
}

impl<'a> Study<'a> {
    /// `runs` replications of each of `strategies` (the first is the
    /// baseline) on `scenario` under master seed `seed`: on one thread,
    /// the whole run, without curves.
    pub fn new(
        scenario: &'a Scenario,
        strategies: &'a [&'a Strategy],
        runs: u64,
        seed: u64,
    ) -> Self {
        Study {
            scenario,
            strategies,
            runs,
            seed,
            jobs: 1,
            shard: (0, 1),
            curves: false,
            dr_use: false,
            source: None,
        }
    }

    /// Runs on `jobs` threads (the result does not depend on it).
    pub fn jobs(self, jobs: usize) -> Self {
        Study { jobs, ..self }
    }

    /// Runs only shard `i` of `n` (see [`shard_range`]). Merging the
    /// shards' results with [`merge`](super::merge) gives exactly the
    /// unsharded result.
    pub fn shard(self, shard: (u64, u64)) -> Self {
        Study { shard, ..self }
    }

    /// Also gathers, in the same pass, the restored curves of every
    /// strategy and the incidents of the baseline's first replication.
    /// Their grid spans the first block of replications, so a study with
    /// curves is a whole run, not a shard.
    pub fn with_curves(self) -> Self {
        Study {
            curves: true,
            ..self
        }
    }

    /// Also keeps, in the same pass, the DR site's use in the first
    /// [`DR_USE_RUNS`] replications of each strategy (those of its range
    /// for a shard), for the chart of DR capacity over the runs
    /// ([`StrategySummary::dr_use`]); nothing without a DR site.
    pub fn with_dr_use(self) -> Self {
        Study {
            dr_use: true,
            ..self
        }
    }

    /// Keeps the DR use of run `o`, replication `i`, in `uses` when this
    /// study keeps it.
    fn keep_use(&self, o: &Outcome, i: u64, uses: &mut Vec<RunUse>) {
        if self.dr_use
            && i < DR_USE_RUNS
            && let Some(u) = RunUse::of(self.scenario, o, i)
        {
            uses.push(u);
        }
    }

    /// Also measures every run with `source` (its metrics after the
    /// study's own), in the same pass: each replication is run by the
    /// source instead of [`simulate`](crate::simulate), to the same
    /// outcome.
    pub fn with_source(self, source: &'a dyn MetricSource) -> Self {
        Study {
            source: Some(source),
            ..self
        }
    }

    /// Runs the study, `jobs` threads at a time. `progress` is called with
    /// the number of replications done so far and returns `false` to stop
    /// early (the result then covers what was done).
    pub fn run(&self, progress: &(dyn Fn(u64) -> bool + Sync)) -> Result<Summary, CompareError> {
        let Study {
            scenario,
            strategies,
            runs,
            seed,
            jobs,
            shard,
            ..
        } = *self;
        self.check()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build()
            .map_err(|e| CompareError::Invalid(format!("cannot start {jobs} threads: {e}")))?;
        let (start, end) = shard_range(runs, shard);
        let (first_block, blocks) = (start / BLOCK, end.div_ceil(BLOCK));
        let mut defs = metric_defs(scenario);
        if let Some(src) = self.source {
            defs.extend(src.defs(scenario));
        }
        let mut total = Totals {
            strategies: empty(defs.len(), strategies),
            curves: None,
        };
        // Set up once, shared by the threads (a source runs its own).
        let prepared = match self.source {
            None => prepare(scenario, strategies),
            Some(_) => Vec::new(),
        };
        let mut marks = Vec::new();
        let mut from = first_block;
        let mut go_on = true;
        if self.curves && first_block < blocks {
            marks = self.first_block(&pool, &prepared, &mut total, &defs)?;
            from = 1;
            go_on = progress(BLOCK.min(end) - start);
        }
        let done = if go_on {
            self.blocks(
                &pool,
                &prepared,
                &mut total,
                &defs,
                (from, blocks),
                progress,
            )?
        } else {
            BLOCK.min(end)
        };
        Ok(Summary {
            comparison: Comparison {
                seed,
                runs,
                done: done - start,
                shard,
                metrics: defs,
                strategies: total.strategies,
            },
            curves: total.curves.map(|(grid, strategies)| Curves {
                grid,
                apps: scenario.apps.len(),
                strategies,
            }),
            marks,
        })
    }

    /// Refuses a bad shard, an empty strategy list, a run count out of
    /// range, and curves of a shard.
    fn check(&self) -> Result<(), CompareError> {
        let shard = self.shard;
        if shard.1 == 0 || shard.0 >= shard.1 {
            return Err(CompareError::Invalid(format!(
                "--shard {}/{}: expected i/n with 0 <= i < n",
                shard.0, shard.1
            )));
        }
        check_runs(self.strategies, self.runs, "compare")?;
        if self.curves && shard != (0, 1) {
            return Err(CompareError::Invalid(
                "restored curves need the whole run, not a shard".into(),
            ));
        }
        Ok(())
    }

    /// Simulates the first block (a whole run's, with curves) and records
    /// it: the grid must be fixed before any run is sampled, and the first
    /// block of every strategy tells where the action is (the same block
    /// whatever --jobs). Its runs are kept whole until the grid is known.
    /// Returns the incidents of the baseline's median run of the block, to
    /// mark on curves that show medians.
    fn first_block(
        &self,
        pool: &rayon::ThreadPool,
        prepared: &[Option<Prepared<'_>>],
        total: &mut Totals,
        defs: &[MetricDef],
    ) -> Result<Vec<IncidentMark>, CompareError> {
        let (scenario, strategies) = (self.scenario, self.strategies);
        let (pilot, values, grid) = self.pilot(pool, prepared)?;
        let baseline: Vec<&Outcome> = pilot.iter().filter_map(|per| per.first()).collect();
        let marks = median_incident_marks(scenario, &baseline);
        let curves = strategies
            .iter()
            .map(|s| StrategyCurves::new(&s.id, scenario.apps.len(), grid.times.len()))
            .collect();
        let r = BlockResult::of(self, &pilot, values, Some(&grid));
        drop(pilot);
        total.curves = Some((grid, curves));
        total.record(&r, defs, self.seed, 0)?;
        Ok(marks)
    }

    /// The first block's runs, per replication and strategy, simulated in
    /// parallel and kept whole, their values when a source measured them,
    /// and the grid that spans them.
    fn pilot(
        &self,
        pool: &rayon::ThreadPool,
        prepared: &[Option<Prepared<'_>>],
    ) -> Result<Pilot, CompareError> {
        let Study {
            scenario,
            strategies,
            seed,
            source,
            ..
        } = *self;
        type Measured = (Outcome, Option<Vec<Option<f64>>>);
        let runs: Vec<Result<Vec<Measured>, CompareError>> = pool.install(|| {
            (0..self.runs.min(BLOCK))
                .into_par_iter()
                .map(|i| {
                    strategies
                        .iter()
                        .enumerate()
                        .map(|(k, s)| match source {
                            Some(src) => {
                                replicate_with(src, scenario, s, seed, i).map(|(o, v)| (o, Some(v)))
                            }
                            None => {
                                let p = prepared.get(k).and_then(Option::as_ref);
                                replicate_either(scenario, s, p, seed, i).map(|o| (o, None))
                            }
                        })
                        .collect()
                })
                .collect()
        });
        // The first failure in replication order, whatever the threads.
        let runs = runs.into_iter().collect::<Result<Vec<_>, _>>()?;
        let values = source.map(|_| {
            runs.iter()
                .map(|per| {
                    per.iter()
                        .map(|(_, v)| v.clone().unwrap_or_default())
                        .collect()
                })
                .collect()
        });
        let runs: Vec<Vec<Outcome>> = runs
            .into_iter()
            .map(|per| per.into_iter().map(|(o, _)| o).collect())
            .collect();
        let grid = Grid::spanning(runs.iter().flatten(), scenario.horizon_end(), GRID_POINTS);
        Ok((runs, values, grid))
    }

    /// Runs blocks `b..blocks` in waves of parallel blocks, recording each
    /// wave in block order, until done or `progress` says stop; returns the
    /// replication reached.
    fn blocks(
        &self,
        pool: &rayon::ThreadPool,
        prepared: &[Option<Prepared<'_>>],
        total: &mut Totals,
        defs: &[MetricDef],
        (mut b, blocks): (u64, u64),
        progress: &(dyn Fn(u64) -> bool + Sync),
    ) -> Result<u64, CompareError> {
        let Study {
            runs,
            seed,
            jobs,
            shard,
            ..
        } = *self;
        let (start, end) = shard_range(runs, shard);
        let grid = total.curves.as_ref().map(|(g, _)| g.clone());
        // Waves bound the memory held by unmerged blocks.
        let wave = (jobs.max(1) as u64) * 4;
        let mut done = start.max(b * BLOCK).min(end);
        while b < blocks {
            let last = (b + wave).min(blocks);
            let results: Vec<Result<BlockResult, CompareError>> = pool.install(|| {
                (b..last)
                    .into_par_iter()
                    .map(|k| {
                        let range = (k * BLOCK, ((k + 1) * BLOCK).min(runs));
                        block(self, prepared, range, grid.as_ref())
                    })
                    .collect()
            });
            for (k, r) in (b..).zip(results) {
                total.record(&r?, defs, seed, k)?;
            }
            done = (last * BLOCK).min(end);
            b = last;
            if !progress(done - start) {
                break;
            }
        }
        Ok(done)
    }
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
/// Merging the shards' results with [`merge`](super::merge) gives exactly
/// the unsharded result.
pub fn compare_shard(
    scenario: &Scenario,
    strategies: &[&Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    shard: (u64, u64),
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Comparison, CompareError> {
    let study = Study::new(scenario, strategies, runs, seed)
        .jobs(jobs)
        .shard(shard);
    Ok(study.run(progress)?.comparison)
}

fn empty(n_metrics: usize, strategies: &[&Strategy]) -> Vec<StrategySummary> {
    strategies
        .iter()
        .map(|s| StrategySummary {
            id: s.id.clone(),
            stats: (0..n_metrics).map(|_| MetricStat::new()).collect(),
            diffs: vec![Moments::default(); n_metrics],
            dr_use: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Study;
    use crate::model::Strategy;
    use crate::montecarlo::curves::{
        GRID_POINTS, Grid, StrategyCurves, incident_marks, median_incident_marks, phase_values,
        sample,
    };
    use crate::montecarlo::seeds::replicate;

    /// The one pass gives the comparison of a study without curves, and
    /// the curves and marks that a second pass over the same replications
    /// (as `compare --svg` used to run) gives.
    #[test]
    fn curves_come_from_the_same_pass_and_change_nothing_else() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(2).collect();
        let runs = 150;
        let plain = Study::new(&scenario, &strategies, runs, 3)
            .jobs(2)
            .run(&|_| true)
            .expect("runs");
        let with = Study::new(&scenario, &strategies, runs, 3)
            .jobs(3)
            .with_curves()
            .run(&|_| true)
            .expect("runs");
        assert!(plain.curves.is_none() && plain.marks.is_empty());
        assert_eq!(
            format!("{:?}", plain.comparison),
            format!("{:?}", with.comparison)
        );
        // The second pass, as `restored_curves` ran it before the study.
        let run = |s: &Strategy, i: u64| replicate(&scenario, s, 3, i).expect("runs");
        let pilot: Vec<_> = strategies
            .iter()
            .flat_map(|s| (0..64).map(move |i| (s, i)))
            .map(|(s, i)| run(s, i))
            .collect();
        let grid = Grid::spanning(&pilot, scenario.horizon_end(), GRID_POINTS);
        let mut want: Vec<StrategyCurves> = strategies
            .iter()
            .map(|s| StrategyCurves::new(&s.id, scenario.apps.len(), grid.times.len()))
            .collect();
        for i in 0..runs {
            for (acc, s) in want.iter_mut().zip(&strategies) {
                let o = run(s, i);
                let (counts, shares) = sample(&scenario, &o, &grid);
                acc.record(&counts, &shares);
                acc.record_phases(&phase_values(&scenario, &o));
            }
        }
        let curves = with.curves.expect("curves");
        assert_eq!(curves.grid, grid);
        assert_eq!(curves.strategies, want);
        assert_eq!(with.marks, incident_marks(&scenario, &pilot[0]));
        assert!(!with.marks.is_empty());
    }

    /// With a random trigger the runs strike at different instants: the
    /// curves' marks are those of the median run, not of replication 0.
    #[test]
    fn incident_marks_are_the_median_runs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/ha-single-host-crash.yaml");
        let text = std::fs::read_to_string(path).expect("bundled scenario");
        let random = text.replacen("at: 2024-10-08 10:15", "uptime: \"uniform(2h, 40h)\"", 1);
        assert_ne!(random, text);
        let scenario =
            crate::scenario::load_str(&random, "random.yaml", crate::scenario::Format::Yaml)
                .expect("loads");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(1).collect();
        let with = Study::new(&scenario, &strategies, 64, 1)
            .jobs(2)
            .with_curves()
            .run(&|_| true)
            .expect("runs");
        let pilot: Vec<_> = (0..64)
            .map(|i| replicate(&scenario, strategies[0], 1, i).expect("runs"))
            .collect();
        let runs: Vec<_> = pilot.iter().collect();
        assert_eq!(with.marks, median_incident_marks(&scenario, &runs));
        assert_ne!(with.marks, incident_marks(&scenario, &pilot[0]));
        let mut firsts: Vec<_> = pilot
            .iter()
            .filter_map(|o| o.incidents.first().map(|i| i.at))
            .collect();
        firsts.sort_unstable();
        assert_eq!(with.marks[0].at, firsts[(firsts.len() - 1) / 2]);
        assert!(firsts[0] < firsts[firsts.len() - 1], "the strikes vary");
    }

    /// The DR use of the first 100 runs, past the first block, is kept in
    /// the one pass, in replication order, each that of the run
    /// `replicate` gives; no more than 100, and none unless asked.
    #[test]
    fn the_dr_use_of_the_first_runs_is_kept_in_the_same_pass() {
        use crate::montecarlo::{DR_USE_RUNS, RunUse};
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(2).collect();
        let with = Study::new(&scenario, &strategies, 130, 4)
            .jobs(2)
            .with_curves()
            .with_dr_use()
            .run(&|_| true)
            .expect("runs");
        for (summary, s) in with.comparison.strategies.iter().zip(&strategies) {
            assert_eq!(summary.dr_use.len() as u64, DR_USE_RUNS);
            for (i, kept) in (0..).zip(&summary.dr_use) {
                let o = replicate(&scenario, s, 4, i).expect("runs");
                assert_eq!(Some(kept), RunUse::of(&scenario, &o, i).as_ref());
            }
        }
        let without = Study::new(&scenario, &strategies, 10, 4)
            .with_curves()
            .run(&|_| true)
            .expect("runs");
        assert!(
            without
                .comparison
                .strategies
                .iter()
                .all(|s| s.dr_use.is_empty())
        );
    }

    #[test]
    fn curves_of_a_shard_are_refused() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(1).collect();
        let study = Study::new(&scenario, &strategies, 10, 1)
            .shard((0, 2))
            .with_curves();
        assert!(study.run(&|_| true).is_err());
    }
}
