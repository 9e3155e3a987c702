//! Metrics measured by an observer of the run, above this layer: a
//! [`MetricSource`] runs each replication itself (with its observer, the
//! outcome `simulate`'s bit for bit) and hands back the outcome with its
//! own values, which the [`Study`](super::Study) records after its own
//! metrics in the same single pass, so they are sharded, merged and
//! independent of `--jobs` like every other metric.

use super::metric::{MetricDef, run_metrics};
use super::seeds::replication_seed;
use super::study::CompareError;
use crate::engine::SimError;
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};

/// What an observer measures on every run (`hvsim compare --reasons`:
/// the share of the app-hours down of each reason of `hvsim explain`).
pub trait MetricSource: Sync + std::fmt::Debug {
    /// The metrics it adds after the study's own, for `scenario`.
    fn defs(&self, scenario: &Scenario) -> Vec<MetricDef>;

    /// Runs `strategy` on `scenario` with `seed`, as
    /// [`simulate`](crate::simulate) does (the same outcome, bit for bit),
    /// and measures it: the outcome and one value per [`defs`](Self::defs)
    /// (`None`: not measured in this run).
    fn run(
        &self,
        scenario: &Scenario,
        strategy: &Strategy,
        seed: u64,
    ) -> Result<(Outcome, Vec<Option<f64>>), SimError>;
}

/// Replication `i` of `strategy` under master seed `master`, run by
/// `source`: its outcome and the values of every metric, the study's
/// then the source's.
pub(super) fn replicate_with(
    source: &dyn MetricSource,
    scenario: &Scenario,
    strategy: &Strategy,
    master: u64,
    i: u64,
) -> Result<(Outcome, Vec<Option<f64>>), CompareError> {
    let seed = replication_seed(master, i);
    let (o, extra) = source
        .run(scenario, strategy, seed)
        .map_err(|source| CompareError::Run {
            strategy: strategy.id.clone(),
            seed,
            source,
        })?;
    let mut values = run_metrics(scenario, &o);
    values.extend(extra);
    Ok((o, values))
}
