//! The results of a study, between the runs and the renderers: per
//! strategy, the distribution of every metric and the paired differences
//! against the baseline ([`Comparison`]), and, when the study was asked
//! for them, the restored curves of the same runs ([`Summary`]).

use super::curves::{Curves, IncidentMark};
use super::dr_runs::RunUse;
use super::metric::{MetricDef, MetricKind};
use super::stats::{MetricStat, Moments, PairTable, newcombe_paired95};

/// One strategy's results.
#[derive(Clone, Debug)]
pub struct StrategySummary {
    /// Its id.
    pub id: String,
    /// Per metric, in [`metric_defs`](super::metric_defs) order.
    pub stats: Vec<MetricStat>,
    /// Per metric, the paired difference (this − the first strategy) over
    /// the replications where both reached it.
    pub diffs: Vec<Moments>,
    /// The DR site's use in its first replications (at most
    /// [`DR_USE_RUNS`](super::DR_USE_RUNS)), in replication order, when
    /// the study was run [`with_dr_use`](super::Study::with_dr_use) on a
    /// scenario with a DR site; empty otherwise.
    pub dr_use: Vec<RunUse>,
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

impl Comparison {
    /// Whether no app went down in any run of any strategy (a scenario
    /// without outage: no bug struck and no host failed): there was
    /// nothing to recover. `false` before any run.
    pub fn nothing_down(&self) -> bool {
        let Some(m) = self
            .metrics
            .iter()
            .position(|d| d.name == super::MEAN_DOWNTIME_PER_APP)
        else {
            return false;
        };
        self.done > 0
            && self
                .strategies
                .iter()
                .all(|s| s.stats.get(m).is_none_or(|st| st.moments.n == 0))
    }

    /// The 95 % interval of strategy `s`'s paired difference against the
    /// first on metric `m`, `None` with fewer than 2 paired runs. For a
    /// share (in pp): Newcombe's paired interval on Wilson's
    /// ([`newcombe_paired95`]), from the 2×2 table of the paired runs; the
    /// runs where both held are those the first held less those where only
    /// it did, exactly when neither missed a run (an objective left
    /// undetermined), else the widest interval over every count the
    /// unpaired runs allow. For a quantity: mean ± 1.96 σ/√n.
    pub fn diff_interval(&self, m: usize, s: usize) -> Option<(f64, f64)> {
        let d = &self.strategies.get(s)?.diffs.get(m)?;
        if d.n < 2 {
            return None;
        }
        if self.metrics.get(m)?.kind == MetricKind::Quantity {
            return Some((d.mean() - d.ci95(), d.mean() + d.ci95()));
        }
        // The flips of the table, whatever `both` (read with 0 first).
        let flips = PairTable::from_diff(d, 0)?;
        let (fo, so) = (flips.first_only, flips.second_only);
        let (first, this) = (&self.strategies[0].stats[m], &self.strategies[s].stats[m]);
        let ((y1, n1), (y2, n2)) = (first.share_counts(), this.share_counts());
        // Runs where both held: at most what each held on the paired runs,
        // at least what each held less its unpaired runs.
        let most = y1
            .checked_sub(fo)?
            .min(y2.checked_sub(so)?)
            .min(d.n - fo - so);
        let least = (y1 + d.n)
            .saturating_sub(fo + n1)
            .max((y2 + d.n).saturating_sub(so + n2));
        (least..=most)
            .filter_map(|both| newcombe_paired95(PairTable::from_diff(d, both)?))
            .reduce(|(a, b), (c, e)| (a.min(c), b.max(e)))
    }
}

/// What a study hands the renderers: the comparison and, when it was run
/// [`with_curves`](super::Study::with_curves), the restored curves of the
/// same replications and the incidents of the baseline's median run.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The metrics of every strategy.
    pub comparison: Comparison,
    /// The restored curves; `None` when not asked for.
    pub curves: Option<Curves>,
    /// The incidents of the baseline's median run over the first block of
    /// replications (see [`median_incident_marks`](super::median_incident_marks)),
    /// to mark on the curves, which show medians too; empty when curves
    /// were not asked for.
    pub marks: Vec<IncidentMark>,
}

impl From<Comparison> for Summary {
    /// A summary of a comparison alone (merged shards, a sweep point).
    fn from(comparison: Comparison) -> Self {
        Summary {
            comparison,
            curves: None,
            marks: Vec::new(),
        }
    }
}

/// One point of a sweep: the swept values, the scenario's name, and the
/// comparison at that point.
pub type SweepPoint = (Vec<serde_json::Value>, String, Comparison);

#[cfg(test)]
mod tests {
    use super::{Comparison, StrategySummary};
    use crate::montecarlo::{MetricDef, MetricKind, MetricStat, Moments, wilson95};

    /// A comparison of one share: the baseline's values, the other's, per
    /// run (`None`: undetermined).
    fn comparison(first: &[Option<f64>], other: &[Option<f64>]) -> Comparison {
        let stat = |vs: &[Option<f64>]| {
            let mut st = MetricStat::new();
            vs.iter().for_each(|v| st.record(*v).expect("records"));
            st
        };
        let mut diff = Moments::default();
        for (a, b) in first.iter().zip(other) {
            if let (Some(a), Some(b)) = (a, b) {
                diff.push(b - a);
            }
        }
        let summary = |id: &str, vs: &[Option<f64>], d: Moments| StrategySummary {
            id: id.into(),
            stats: vec![stat(vs)],
            diffs: vec![d],
            dr_use: Vec::new(),
        };
        Comparison {
            seed: 1,
            runs: first.len() as u64,
            done: first.len() as u64,
            shard: (0, 1),
            metrics: vec![MetricDef {
                name: "objective o met".into(),
                unit: "%",
                kind: MetricKind::Share,
            }],
            strategies: vec![
                summary("a", first, Moments::default()),
                summary("b", other, diff),
            ],
        }
    }

    /// Every one of 20 runs flips from missed to met: Newcombe's interval
    /// (100 less the hypotenuse of the two Wilson intervals' inner sides,
    /// to 100), not the point mean ± 1.96 σ gives.
    #[test]
    fn a_share_flipped_in_every_run_gets_newcombes_interval_not_a_point() {
        let c = comparison(&[Some(0.0); 20], &[Some(100.0); 20]);
        let (lo, hi) = c.diff_interval(0, 1).expect("20 pairs");
        let (all_lo, _) = wilson95(20, 20).expect("runs");
        let (_, none_hi) = wilson95(0, 20).expect("runs");
        assert!((lo - (100.0 - (100.0 - all_lo).hypot(none_hi))).abs() < 1e-9);
        assert_eq!(hi, 100.0);
        assert!(lo > 70.0 && lo < 90.0, "{lo}");
        assert_eq!(c.diff_interval(0, 0), None);
    }

    /// Runs undetermined on both sides leave the table's `both` unknown
    /// (here 1 or 2 of the 3 paired runs: each side met it once more on a
    /// run the other left open): the interval is the widest over the
    /// tables they allow.
    #[test]
    fn undetermined_runs_widen_the_interval_to_every_table_they_allow() {
        use crate::montecarlo::{PairTable, newcombe_paired95};
        let first = [Some(100.0), Some(0.0), Some(0.0), Some(100.0), None];
        let other = [Some(100.0), Some(0.0), Some(0.0), None, Some(100.0)];
        let (lo, hi) = comparison(&first, &other)
            .diff_interval(0, 1)
            .expect("pairs");
        let table = |both, neither| PairTable {
            both,
            first_only: 0,
            second_only: 0,
            neither,
        };
        let (a, b) = newcombe_paired95(table(1, 2)).expect("runs");
        let (c, d) = newcombe_paired95(table(2, 1)).expect("runs");
        assert_eq!((lo, hi), (a.min(c), b.max(d)));
        assert!((a, b) != (c, d), "the two tables give one interval");
        // Determined on every run: the one table.
        let (lo, hi) = comparison(&first[..3], &other[..3])
            .diff_interval(0, 1)
            .expect("pairs");
        assert_eq!((lo, hi), (a, b));
    }
}
