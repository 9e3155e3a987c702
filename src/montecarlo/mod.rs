//! Monte Carlo replications and strategy comparison: the layer between
//! the runs ([`Outcome`](crate::Outcome)) and the renderers, which read
//! only what it hands them, a [`Summary`].
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
//!
//! Inside, one file per concern, behind this curated face: `seeds`
//! (replication seeds, blocks, shard ranges), `metric` (what is measured
//! and one run's values), `stats` (moments, distributions, Wilson
//! intervals), `study` (the [`Study`]: each replication simulated once,
//! feeding the metrics and, when asked, the restored curves), `curves`
//! (the curves' grid and histograms, incident marks), `dr_runs` (the DR
//! site's use in the first runs, for the chart over the runs), `summary`
//! ([`Comparison`], [`Summary`], sweep points), `merge` (shards into the
//! whole) [`shard`] (shard files as bytes: encode, read, check, merge) and
//! [`sweep_shard`] (a sweep's shard files: each point's part a shard).

mod curves;
mod dr_runs;
mod merge;
mod metric;
mod seeds;
pub mod shard;
mod source;
mod stats;
mod study;
mod summary;
pub mod sweep_shard;
mod variants;

pub use curves::{
    Curves, GRID_POINTS, Grid, IncidentMark, PHASES, PhaseDist, SINGLE_RUN_GRID_POINTS, Sample,
    StrategyCurves, incident_marks, median_incident_marks, phase_values, restored_curves, sample,
    single_run_curves,
};
pub use dr_runs::{DR_USE_RUNS, RunUse, UseStep};
pub use merge::merge;
pub use metric::{MEAN_DOWNTIME_PER_APP, MetricDef, MetricKind, metric_defs, run_metrics};
pub use seeds::{BLOCK, MAX_RUNS, replication_seed, shard_range};
pub use source::MetricSource;
pub use stats::{
    MAX_VALUE, MetricStat, Moments, PairTable, RecordError, newcombe_paired95, wilson95,
};
pub use study::{CompareError, Study, compare, compare_shard};
pub use summary::{Comparison, StrategySummary, Summary, SweepPoint};
pub use variants::{Variant, VariantComparison, VariantMetric, VariantSummary, Variants};
