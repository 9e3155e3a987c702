//! `hvsim chaos`: the search for the fault campaigns that break a recovery
//! plan, and their shrinking to minimal, replayable counterexamples.
//!
//! - [`space`]: the fault space derived from a scenario (its bugs moved,
//!   rescoped and with other effects; a generic crash bug per build;
//!   outages of the backup system, the link and the management plane; DR
//!   hosts failing during recovery), narrowed or widened by a `--space`
//!   file. A campaign is rendered as a `--faults` campaign document.
//! - [`judge`]: what "breaks" means (an objective's probability of being
//!   met, or a metric, against a threshold, judged with a confidence
//!   interval over replications on common random numbers).
//! - [`mod@search`]: a guided, deterministic search within a budget.
//! - [`mod@shrink`]: delta debugging over faults, then over parameters.
//! - [`mod@single`]: the blast radius of every single fault and a resilience
//!   score.
//!
//! Every candidate is evaluated with
//! [`Variants`]: replication *i* of every
//! campaign, and of the scenario without any fault, runs with the same
//! seed.

pub mod file;
pub mod judge;
pub mod search;
pub mod shrink;
pub mod single;
pub mod space;

use serde_json::Value;

use crate::model::Scenario;
use crate::montecarlo::{CompareError, Variant, VariantComparison, Variants};
use crate::scenario::{Document, Format, ScenarioError};

pub use judge::{Criterion, Judge, Measure, Target, Verdict, threshold_text};
pub use search::{Budget, Found, Stop, Tried, search};
pub use shrink::{Shrunk, shrink};
pub use single::{Blast, Single, single};
pub use space::{Campaign, Effect, Fault, Kind, Scope, Service, Space};

/// Why a chaos search could not run.
#[derive(Debug, thiserror::Error)]
pub enum ChaosError {
    /// The `--space` file (or a campaign) is not valid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The space asked for is empty or contradictory.
    #[error("--space: {0}")]
    Space(String),
    /// The objective or metric to judge by is unknown.
    #[error("{0}")]
    Judge(String),
    /// A replication failed.
    #[error("{0}")]
    Run(#[from] CompareError),
}

/// Everything a search needs: the space, the judge, and how to run.
#[derive(Clone, Debug)]
pub struct Chaos {
    /// The fault space.
    pub space: Space,
    /// What breaks.
    pub judge: Judge,
    /// The strategy (by id).
    pub strategy: String,
    /// Replications per candidate.
    pub runs: u64,
    /// Master seed: of the replications and of the search.
    pub seed: u64,
    /// Threads (the results do not depend on it).
    pub jobs: usize,
    /// The scenario as a document, its faults replaced by each campaign.
    doc: Document,
    /// The scenario without any fault: the paired baseline.
    quiet: Scenario,
}

impl Chaos {
    /// A search of `space` on the scenario parsed as `doc`.
    pub fn new(
        space: Space,
        doc: Document,
        judge: Judge,
        strategy: &str,
        (runs, seed, jobs): (u64, u64, usize),
    ) -> Result<Chaos, ChaosError> {
        let quiet = load(&doc, &space.campaign_value(&[], "no fault"), "no fault")?;
        Ok(Chaos {
            space,
            judge,
            strategy: strategy.to_string(),
            runs,
            seed,
            jobs,
            doc,
            quiet,
        })
    }

    /// The campaign document of `campaign`.
    pub fn campaign_value(&self, campaign: &[Fault], name: &str) -> Value {
        self.space.campaign_value(campaign, name)
    }

    /// The scenario with the faults of `campaign`.
    pub fn scenario(&self, campaign: &[Fault]) -> Result<Scenario, ChaosError> {
        load(
            &self.doc,
            &self.campaign_value(campaign, "candidate"),
            "candidate",
        )
    }

    /// Evaluates campaigns against the scenario without faults, on common
    /// random numbers; `go_on` is asked between waves of replications.
    pub fn compare(
        &self,
        campaigns: &[Campaign],
        go_on: &(dyn Fn() -> bool + Sync),
    ) -> Result<VariantComparison, ChaosError> {
        let variants = campaigns
            .iter()
            .enumerate()
            .map(|(k, c)| {
                Ok(Variant {
                    name: format!("campaign {}", k + 1),
                    scenario: self.scenario(c)?,
                })
            })
            .collect::<Result<Vec<_>, ChaosError>>()?;
        Ok(
            Variants::new(&self.quiet, &variants, &self.strategy, self.runs, self.seed)
                .jobs(self.jobs)
                .run(&|_| go_on())?,
        )
    }

    /// The verdict on the scenario without any fault of the space (its
    /// background `chaos` only); `None` when stopped.
    pub fn baseline(
        &self,
        go_on: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<Verdict>, ChaosError> {
        Ok(self
            .evaluate(&[Vec::new()], go_on)?
            .and_then(|mut v| v.pop()))
    }

    /// The verdict on each campaign; `None` when stopped before all
    /// replications were done.
    pub fn evaluate(
        &self,
        campaigns: &[Campaign],
        go_on: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<Vec<Verdict>>, ChaosError> {
        if campaigns.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let c = self.compare(campaigns, go_on)?;
        if c.done < c.runs {
            return Ok(None);
        }
        Ok(Some(
            c.variants
                .iter()
                .map(|v| self.judge.verdict(&c, v))
                .collect(),
        ))
    }
}

/// The scenario `doc` with the faults of the campaign document `campaign`.
fn load(doc: &Document, campaign: &Value, name: &str) -> Result<Scenario, ChaosError> {
    let text = campaign.to_string();
    let campaign = Document::parse(&text, name, Format::Json)?;
    let mut d = doc.clone();
    d.merge_faults(&campaign);
    Ok(d.load(&format!("{} with {name}", doc.file()))?)
}
