//! The reasons over many replications (`hvsim compare --reasons`,
//! `sweep --reasons`): per strategy, the share of the app-hours down that
//! each reason took, as a mean with its 95 % confidence interval, and the
//! paired difference against the first strategy on common random numbers.
//!
//! The shares are metrics of the study's single pass: [`ReasonMetrics`]
//! is a [`MetricSource`] that runs each replication with the explanation
//! observer (the outcome is `simulate`'s, bit for bit) and measures its
//! reasons, so they are recorded, sharded and merged like every other
//! metric; [`ReasonStudy::split`] takes them back out of a comparison
//! (a whole run's or merged shards') for the renderers.

use crate::SimError;
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};
use crate::montecarlo::{Comparison, MetricDef, MetricKind, MetricSource, Moments};

use super::{Reason, explain};

/// Per reason, the moments of its share of the app-hours down (or of a
/// difference of shares), in percent (0 to 100; -100 to 100 for a
/// difference).
pub type Shares = [Moments; Reason::ALL.len()];

/// The name of a reason's metric starts with this, then its id
/// (`reason: queue`).
pub const REASON_METRIC: &str = "reason: ";

/// The reasons' shares of one run, as metrics of a study: per reason of
/// [`Reason::ALL`], its share of the app-hours down of every app, in
/// percent (`None` in a run where no app was down).
#[derive(Clone, Copy, Debug, Default)]
pub struct ReasonMetrics;

impl MetricSource for ReasonMetrics {
    fn defs(&self, _scenario: &Scenario) -> Vec<MetricDef> {
        Reason::ALL
            .iter()
            .map(|r| MetricDef {
                name: format!("{REASON_METRIC}{}", r.id()),
                unit: "%",
                kind: MetricKind::Quantity,
            })
            .collect()
    }

    fn run(
        &self,
        scenario: &Scenario,
        strategy: &Strategy,
        seed: u64,
    ) -> Result<(Outcome, Vec<Option<f64>>), SimError> {
        let e = explain(scenario, strategy, seed)?;
        let b = e.total_breakdown();
        let down = b.total().as_millis() > 0;
        let values = Reason::ALL
            .iter()
            .map(|&r| down.then(|| 100.0 * b.share(r)))
            .collect();
        Ok((e.outcome, values))
    }
}

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
    /// in percent (runs with no downtime are left out).
    pub shares: Vec<Shares>,
    /// Per strategy, per reason, the paired difference of its share
    /// against the baseline's, in percentage points (runs where both had
    /// downtime; the baseline's own are zeros).
    pub diffs: Vec<Shares>,
}

impl ReasonStudy {
    /// Takes the reasons' metrics ([`ReasonMetrics`], the last of the
    /// comparison's) out of `c`: the comparison without them, as `compare`
    /// reports it without `--reasons`, and the reasons, if `c` has them.
    pub fn split(mut c: Comparison) -> (Comparison, Option<ReasonStudy>) {
        let Some(first) = c
            .metrics
            .iter()
            .position(|m| m.name.starts_with(REASON_METRIC))
        else {
            return (c, None);
        };
        let reasons: Option<Vec<Reason>> = c.metrics[first..]
            .iter()
            .map(|m| m.name.strip_prefix(REASON_METRIC).and_then(Reason::from_id))
            .collect();
        let Some(reasons) = reasons else {
            return (c, None);
        };
        c.metrics.truncate(first);
        let mut shares = Vec::with_capacity(c.strategies.len());
        let mut diffs = Vec::with_capacity(c.strategies.len());
        for (s, summary) in c.strategies.iter_mut().enumerate() {
            let stats = summary.stats.split_off(first);
            let paired = summary.diffs.split_off(first);
            let (mut share, mut diff) = (Shares::default(), Shares::default());
            for ((r, st), d) in reasons.iter().zip(&stats).zip(&paired) {
                share[r.index()] = st.moments;
                // The baseline against itself: a zero in each of its runs.
                diff[r.index()] = if s == 0 {
                    Moments::from_parts(st.moments.n, 0, 0)
                } else {
                    *d
                };
            }
            shares.push(share);
            diffs.push(diff);
        }
        let study = ReasonStudy {
            strategies: c.strategies.iter().map(|s| s.id.clone()).collect(),
            runs: c.done,
            seed: c.seed,
            shares,
            diffs,
        };
        (c, Some(study))
    }
}
