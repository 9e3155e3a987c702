//! `hvsim advise`: which single change to the plan (a *lever*) would have
//! helped most, and at what cost.
//!
//! The plan (one strategy of the scenario) and each lever (the scenario
//! changed by a few `--set` edits, [`Lever`]) are simulated on **common
//! random numbers** ([`Variants`]): replication *i* of the plan and of
//! every lever share the seed, so the faults and the work draws are the
//! same and the differences are paired. The levers are ranked by their
//! paired gain on one headline metric (an objective's "met" share, or the
//! mean downtime per app down without objectives), with a 95 % confidence
//! interval; a lever whose interval spans 0 makes "no significant
//! difference".
//!
//! The levers are derived from the scenario ([`levers::derive`]) or read
//! from a file with their costs ([`parse_levers`]); with costs, the
//! cost-effectiveness ranking and the Pareto frontier of cost against the
//! headline over combinations of up to `combine` levers
//! ([`combos`](Request::combine)).

mod combos;
mod file;
mod lever;
pub mod levers;

use crate::model::Scenario;
use crate::montecarlo::{
    CompareError, MetricDef, MetricKind, Variant, VariantComparison, VariantMetric, Variants,
};
use crate::scenario::Document;

pub use combos::{BEAM, Combo, MAX_COMBO_VARIANTS, cost_axis, frontier};
pub use file::{MAX_LEVERS, check_levers, parse_levers, parse_levers_section};
pub use lever::{Cost, Edit, Lever, LeverError, apply_all};

/// The metric ranked on without objectives.
pub const MEAN_DOWNTIME: &str = "mean downtime per app down";
/// The criticality-weighted impact metric.
pub const WEIGHTED_IMPACT: &str = "weighted impact (Σ criticality × downtime)";

/// What to advise on.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The scenario as a document, to apply the levers to.
    pub doc: &'a Document,
    /// The same scenario, loaded: the plan as it is.
    pub base: &'a Scenario,
    /// The strategy's id.
    pub strategy: &'a str,
    /// The objective to rank on, by name or number; `None`: chosen by
    /// [`choose_headline`] (the objective the levers improve most, ...).
    pub objective: Option<&'a str>,
    /// The levers to weigh.
    pub levers: Vec<Lever>,
    /// Replications of the plan and of each lever.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// Worker threads (the result does not depend on it).
    pub jobs: usize,
    /// Most levers in one combination (1: single levers only).
    pub combine: usize,
}

/// Why advice could not be given.
#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    /// A bad request (an unknown objective, no lever).
    #[error("{0}")]
    Invalid(String),
    /// The simulations failed.
    #[error(transparent)]
    Study(#[from] CompareError),
}

/// A lever's effect on one metric, paired against the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    /// The plan's mean.
    pub base: f64,
    /// The lever's mean.
    pub value: f64,
    /// The mean paired difference (lever − plan), in the metric's unit.
    pub diff: f64,
    /// Its 95 % confidence interval `(low, high)`: for a share (an
    /// objective met), Newcombe's paired interval in pp built on Wilson's
    /// ([`newcombe_paired95`](crate::montecarlo::newcombe_paired95)); for
    /// a quantity, mean ± 1.96 σ/√n of the paired differences. `None` with
    /// fewer than 2 paired runs.
    pub ci: Option<(f64, f64)>,
    /// Whether the lever and the plan gave the same value in every paired run.
    pub same: bool,
    /// Paired runs.
    pub n: u64,
}

impl Effect {
    pub(crate) fn of(def: &MetricDef, base: &VariantMetric, v: &VariantMetric) -> Effect {
        Effect {
            base: base.mean(),
            value: v.mean(),
            diff: v.diff.mean(),
            ci: v.diff_interval(def.kind),
            same: v.diff.mean() == 0.0 && v.diff.variance() == 0.0,
            n: v.diff.n,
        }
    }

    /// No difference, over `n` runs: the plan against itself.
    pub(crate) fn none(value: f64, n: u64) -> Effect {
        Effect {
            base: value,
            value,
            diff: 0.0,
            ci: Some((0.0, 0.0)),
            same: true,
            n,
        }
    }

    /// Whether the 95 % interval of the difference leaves out 0.
    pub fn significant(&self) -> bool {
        self.ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
    }

    /// The 95 % interval of the difference, `(low, high)`; unbounded with
    /// fewer than 2 paired runs.
    pub fn interval(&self) -> (f64, f64) {
        self.ci.unwrap_or((f64::NEG_INFINITY, f64::INFINITY))
    }
}

/// Whether more of a metric is better: shares and percentages (objectives
/// met, availability); less is better for durations and impacts.
pub fn higher_is_better(def: &MetricDef) -> bool {
    def.kind == MetricKind::Share || def.unit == "%"
}

/// One lever's results.
#[derive(Clone, Debug)]
pub struct LeverResult {
    /// The lever.
    pub lever: Lever,
    /// Per metric of [`Advice::metrics`], its effect.
    pub effects: Vec<Effect>,
}

impl LeverResult {
    /// The gain on metric `m`: the difference signed so that more is better.
    pub fn gain(&self, metrics: &[MetricDef], m: usize) -> f64 {
        let e = &self.effects[m];
        if higher_is_better(&metrics[m]) {
            e.diff
        } else {
            -e.diff
        }
    }
}

/// The advice: the plan's metrics and the levers, best first.
#[derive(Clone, Debug)]
pub struct Advice {
    /// The scenario's name.
    pub scenario: String,
    /// The strategy.
    pub strategy: String,
    /// The master seed.
    pub seed: u64,
    /// Replications asked for.
    pub runs: u64,
    /// Replications done (fewer when stopped early).
    pub done: u64,
    /// The metrics compared, common to the plan and every lever.
    pub metrics: Vec<MetricDef>,
    /// The metric the levers are ranked on, the verdict speaks of and the
    /// tornado chart shows (an index into `metrics`), chosen by
    /// [`choose_headline`].
    pub headline: usize,
    /// Why that metric: named by `--objective`, or by which default rule.
    pub choice: Choice,
    /// The time to 90 % back of the last incident, when it is compared.
    pub ninety: Option<usize>,
    /// The plan's mean of each metric.
    pub base: Vec<f64>,
    /// The plan's runs that reached each metric (a milestone, a verdict).
    pub base_n: Vec<u64>,
    /// The levers, best first.
    pub levers: Vec<LeverResult>,
    /// Levers that could not be evaluated, and why.
    pub failed: Vec<(Lever, String)>,
    /// With costs and `combine` ≥ 2: the combinations tried, each with its
    /// effect on the headline.
    pub combos: Vec<Combo>,
}

impl Advice {
    /// The metric named `name`, if compared.
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.name == name)
    }

    /// Why the levers are ranked on the headline, as a short phrase for
    /// the report: `the objective the levers improve most; --objective to
    /// choose`.
    pub fn headline_reason(&self) -> &'static str {
        self.choice.reason()
    }

    /// Whether any lever has a cost.
    pub fn has_costs(&self) -> bool {
        self.levers.iter().any(|l| l.lever.cost.is_some())
    }

    /// Everything with a cost, for the frontier: the plan (no lever, cost
    /// 0), each costed lever alone, and the combinations tried.
    pub fn costed(&self) -> Vec<Combo> {
        let plan = Combo {
            levers: Vec::new(),
            cost: Cost::default(),
            effects: self
                .base
                .iter()
                .map(|&b| Effect::none(b, self.done))
                .collect(),
        };
        let singles = self.levers.iter().filter_map(|l| {
            l.lever.cost.map(|cost| Combo {
                levers: vec![l.lever.id.clone()],
                cost,
                effects: l.effects.clone(),
            })
        });
        std::iter::once(plan)
            .chain(singles)
            .chain(self.combos.iter().cloned())
            .collect()
    }
}

/// How the headline was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// `--objective` named it.
    Named,
    /// The objective whose P(met) the levers improve most.
    MovedMost,
    /// No lever moves an objective significantly: the objective at risk
    /// whose levers' changes spread the most.
    AtRisk,
    /// No lever changes any objective at risk: the scenario's first.
    First,
    /// The scenario has no objectives: the mean downtime per app down.
    Downtime,
}

impl Choice {
    /// A short phrase for the report, after the headline's name.
    pub fn reason(self) -> &'static str {
        match self {
            Choice::Named => "as --objective asks",
            Choice::MovedMost => "the objective the levers improve most; --objective to choose",
            Choice::AtRisk => {
                "no lever moves an objective significantly: the objective at risk whose levers' changes spread most; --objective to choose"
            }
            Choice::First => {
                "the scenario's first objective, no lever changing any at risk; --objective to choose"
            }
            Choice::Downtime => "the scenario has no objectives",
        }
    }
}

/// The metric the levers are ranked on, the verdict speaks of and the
/// tornado chart shows; the one rule for all three:
///
/// 1. the objective `--objective` names (`objective`), whatever the levers
///    do to it;
/// 2. otherwise the objective whose P(met) the levers improve most (the
///    largest significant paired gain of any lever; a lever that only
///    lowers it does not count);
/// 3. else the objective at risk (P(met) below 100 % under the plan)
///    whose levers' changes spread the most (the largest minus the
///    smallest mean paired change);
/// 4. else the scenario's first objective; without objectives, the mean
///    downtime per app down.
///
/// Ties go to the objective first in the file. `plan` is the plan's mean
/// of each metric, `levers` each lever's effects (in any order).
pub fn choose_headline(
    metrics: &[MetricDef],
    plan: &[f64],
    levers: &[LeverResult],
    base: &Scenario,
    objective: Option<&str>,
) -> Result<(usize, Choice), AdviseError> {
    let find = |name: &str| metrics.iter().position(|m| m.name == name);
    if let Some(o) = objective {
        // An objective by name, or by its position in the file (from 1).
        let by_number = |o: &str| {
            let k: usize = o.parse().ok()?;
            let name = &base.objectives.get(k.checked_sub(1)?)?.name;
            find(&format!("objective {name} met"))
        };
        return find(&format!("objective {o} met"))
            .or_else(|| by_number(o))
            .map(|m| (m, Choice::Named))
            .ok_or_else(|| {
                let known: Vec<String> = base
                    .objectives
                    .iter()
                    .map(|o| format!("`{}`", o.name))
                    .collect();
                AdviseError::Invalid(if known.is_empty() {
                    format!("--objective `{o}`: the scenario has no objectives")
                } else {
                    format!(
                        "--objective `{o}`: no such objective; expected one of {}",
                        known.join(", ")
                    )
                })
            });
    }
    // The objectives in the file's order.
    let objectives: Vec<usize> = base
        .objectives
        .iter()
        .filter_map(|o| find(&format!("objective {} met", o.name)))
        .collect();
    // A gain only: an objective some lever can only lower (one the plan
    // already meets) is no answer to "what would help".
    let improved = |m: usize| {
        levers
            .iter()
            .map(|l| &l.effects[m])
            .filter(|e| e.significant())
            .map(|e| e.diff)
            .fold(0.0f64, f64::max)
    };
    let spread = |m: usize| {
        let diffs = levers.iter().map(|l| l.effects[m].diff);
        diffs.clone().fold(f64::NEG_INFINITY, f64::max) - diffs.fold(f64::INFINITY, f64::min)
    };
    // The first of the largest: a strict comparison keeps the earlier.
    let best = |score: &dyn Fn(usize) -> f64, among: &[usize]| {
        let mut pick: Option<(usize, f64)> = None;
        for &m in among {
            let v = score(m);
            if v > 0.0 && pick.is_none_or(|(_, best)| v > best) {
                pick = Some((m, v));
            }
        }
        pick.map(|(m, _)| m)
    };
    let at_risk: Vec<usize> = objectives
        .iter()
        .copied()
        .filter(|&m| plan[m] < 100.0)
        .collect();
    best(&improved, &objectives)
        .map(|m| (m, Choice::MovedMost))
        .or_else(|| best(&spread, &at_risk).map(|m| (m, Choice::AtRisk)))
        .or_else(|| objectives.first().map(|&m| (m, Choice::First)))
        .or_else(|| find(MEAN_DOWNTIME).map(|m| (m, Choice::Downtime)))
        .ok_or_else(|| AdviseError::Invalid("no metric to rank the levers on".into()))
}

/// Levers applied (each with its scenario), and levers that failed (with why).
type Applied = (Vec<(Lever, Variant)>, Vec<(Lever, String)>);

/// Applies each lever: the variants to simulate, and the levers that fail.
fn variants(doc: &Document, levers: Vec<Lever>) -> Applied {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for l in levers {
        match l.apply(doc) {
            Ok(scenario) => {
                let v = Variant {
                    name: l.id.clone(),
                    scenario,
                };
                ok.push((l, v));
            }
            Err(e) => {
                let msg = e.to_string();
                failed.push((l, msg));
            }
        }
    }
    (ok, failed)
}

/// Runs the plan and the variants on common random numbers.
pub(crate) fn evaluate(
    req: &Request,
    variants: &[Variant],
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<VariantComparison, AdviseError> {
    Ok(
        Variants::new(req.base, variants, req.strategy, req.runs, req.seed)
            .jobs(req.jobs)
            .with_incidents()
            .run(progress)?,
    )
}

/// Weighs every lever of `req` against the plan and ranks them.
/// `progress` is called with the replications done so far (of the
/// current pass) and returns `false` to stop early.
pub fn advise(
    req: &Request,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Advice, AdviseError> {
    if req.base.strategy(req.strategy).is_none() {
        return Err(AdviseError::Invalid(format!(
            "the scenario has no strategy `{}`",
            req.strategy
        )));
    }
    let (applied, failed) = variants(req.doc, req.levers.clone());
    let vs: Vec<Variant> = applied.iter().map(|(_, v)| v.clone()).collect();
    let result = evaluate(req, &vs, progress)?;
    let mut levers: Vec<LeverResult> = applied
        .into_iter()
        .zip(&result.variants)
        .map(|((lever, _), v)| LeverResult {
            lever,
            effects: result
                .base
                .metrics
                .iter()
                .zip(&v.metrics)
                .zip(&result.metrics)
                .map(|((b, m), def)| Effect::of(def, b, m))
                .collect(),
        })
        .collect();
    let ninety = result
        .metrics
        .iter()
        .rposition(|m| m.name.starts_with("incident ") && m.name.ends_with(": 90 % back"));
    let plan: Vec<f64> = result
        .base
        .metrics
        .iter()
        .map(VariantMetric::mean)
        .collect();
    let (headline, choice) =
        choose_headline(&result.metrics, &plan, &levers, req.base, req.objective)?;
    rank(&mut levers, &result.metrics, headline);
    let mut advice = Advice {
        scenario: req.base.name.clone(),
        strategy: req.strategy.to_string(),
        seed: req.seed,
        runs: req.runs,
        done: result.done,
        base: plan,
        base_n: result.base.metrics.iter().map(|m| m.moments.n).collect(),
        metrics: result.metrics,
        headline,
        choice,
        ninety,
        levers,
        failed,
        combos: Vec::new(),
    };
    if req.combine >= 2 && result.done == req.runs {
        advice.combos = combos::search(req, &advice, progress)?;
    }
    Ok(advice)
}

/// Best first: the gain on the headline, then on the mean downtime, then
/// the levers' order.
fn rank(levers: &mut [LeverResult], metrics: &[MetricDef], headline: usize) {
    let second = metrics.iter().position(|m| m.name == MEAN_DOWNTIME);
    let key = |l: &LeverResult| {
        let h = if l.effects[headline].significant() {
            l.gain(metrics, headline)
        } else {
            0.0
        };
        let s = second.map_or(0.0, |m| {
            if l.effects[m].significant() {
                l.gain(metrics, m)
            } else {
                0.0
            }
        });
        (h, s)
    };
    // A stable sort keeps the derivation order among equals.
    levers.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
}
