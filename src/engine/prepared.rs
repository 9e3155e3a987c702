//! A strategy set up once for many replications: what every run of it
//! starts from, derived from the scenario once (issue 19's big estates).

use super::{run, strategy_index};
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};
use crate::recovery::decider::StrategyDecider;
use crate::run::SimError;
use crate::run::world::Start;

/// One strategy on one scenario, set up once for many replications (the
/// Monte Carlo loops build one per strategy and share it between their
/// threads): what every run starts from, derived from the scenario once
/// instead of at every replication ([`simulate_prepared`]).
///
/// It borrows the scenario and the strategy for as long as it lives, so
/// neither can change under it: the set-up always belongs to the scenario
/// a run reads.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    sc: &'a Scenario,
    st: &'a Strategy,
    strategy_id: u32,
    start: Start,
}

impl<'a> Prepared<'a> {
    /// `strategy` on `scenario`, set up; fails when the strategy is not
    /// one of the scenario's.
    pub(crate) fn new(scenario: &'a Scenario, strategy: &'a Strategy) -> Result<Self, SimError> {
        let strategy_id = strategy_index(scenario, strategy)?;
        Ok(Prepared {
            sc: scenario,
            st: strategy,
            strategy_id,
            start: Start::new(scenario, strategy, &mut Default::default()),
        })
    }

    /// The strategy it runs.
    pub(crate) fn strategy(&self) -> &'a Strategy {
        self.st
    }
}

/// Runs one replication of a prepared strategy: [`simulate`]'s outcome,
/// bit for bit, without deriving the start of the run from the scenario.
pub(crate) fn simulate_prepared(prepared: &Prepared<'_>, seed: u64) -> Result<Outcome, SimError> {
    let Prepared {
        sc,
        st,
        strategy_id,
        ref start,
    } = *prepared;
    run(sc, st, strategy_id, Some(start), seed, &mut StrategyDecider)
}
