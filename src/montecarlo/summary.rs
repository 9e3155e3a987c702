//! The results of a study, between the runs and the renderers: per
//! strategy, the distribution of every metric and the paired differences
//! against the baseline ([`Comparison`]), and, when the study was asked
//! for them, the restored curves of the same runs ([`Summary`]).

use super::curves::{Curves, IncidentMark};
use super::metric::MetricDef;
use super::stats::{MetricStat, Moments};

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
