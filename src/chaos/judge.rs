//! What "breaks": an objective's probability of being met below a
//! threshold, or a metric above (or below) a value, judged over the
//! replications of a candidate with a 95 % confidence interval.
//!
//! Decision rule: a campaign breaks an objective when the *upper* bound of
//! the 95 % Wilson interval of its probability of being met is below the
//! threshold, and breaks a metric when the *lower* bound of the 95 %
//! interval of its mean is above the value (the upper bound below it, for
//! `--below`): the miss is established at 95 % confidence (one-sided
//! 97.5 %), not just observed.

use super::ChaosError;
use crate::model::Scenario;
use crate::montecarlo::{MetricKind, VariantComparison, VariantSummary, metric_defs};

/// The weighted-impact metric, the tie-breaker of the search.
pub const IMPACT: &str = "weighted impact (Σ criticality × downtime)";
/// The metric judged when a scenario has no objective.
pub const DEFAULT_METRIC: &str = "mean downtime per app down";

/// How a criterion's value is judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// An objective's probability of being met (in %) must stay at or
    /// above this many percent.
    Met(f64),
    /// A metric's mean must stay at or below this value.
    Above(f64),
    /// A metric's mean must stay at or above this value.
    Below(f64),
}

/// One thing judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// For people: the objective's name, or the metric's.
    pub label: String,
    /// The metric's name in [`metric_defs`].
    pub metric: String,
    /// Its unit.
    pub unit: &'static str,
    /// How it is judged.
    pub target: Target,
}

/// The criteria, and a note when they were chosen for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Judge {
    /// What is judged; a campaign breaks the plan when it breaks any.
    pub criteria: Vec<Criterion>,
    /// Why these criteria, when the user named none and the scenario has
    /// no objective.
    pub note: Option<String>,
}

/// One criterion's value for one campaign.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    /// The probability met (in %) or the metric's mean.
    pub value: f64,
    /// Its 95 % confidence interval.
    pub ci: (f64, f64),
    /// The paired difference against the scenario without faults, and the
    /// half-width of its normal 95 % confidence interval.
    pub diff: (f64, f64),
    /// The 95 % interval of that difference: Newcombe's paired interval
    /// (in pp) for a probability met, mean ± the half-width for a metric;
    /// the mean alone with fewer than 2 runs.
    pub diff_interval: (f64, f64),
    /// Replications where it was determined.
    pub n: u64,
    /// Whether it breaks the criterion (by the decision rule).
    pub breaks: bool,
    /// How far it is past the threshold, relative to the threshold
    /// (positive: worse than allowed); what the search climbs.
    pub shortfall: f64,
}

/// The verdict on one campaign.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Per criterion.
    pub measures: Vec<Measure>,
    /// The mean weighted impact (crit·h), the search's tie-breaker.
    pub impact: f64,
}

impl Verdict {
    /// Whether it breaks any criterion.
    pub fn broken(&self) -> bool {
        self.measures.iter().any(|m| m.breaks)
    }

    /// The criterion it is worst on: a broken one first, then the largest
    /// shortfall, then the first.
    pub fn worst(&self) -> usize {
        let mut best = 0;
        for (k, m) in self.measures.iter().enumerate() {
            let b = &self.measures[best];
            if (m.breaks, m.shortfall) > (b.breaks, b.shortfall) {
                best = k;
            }
        }
        best
    }

    /// Compares how bad two verdicts are: broken first, then the larger
    /// shortfall, then the larger impact.
    pub fn harm_cmp(&self, other: &Verdict) -> std::cmp::Ordering {
        let (a, b) = (self.fitness(), other.fitness());
        let finite = |x: f64| if x.is_finite() { x } else { -1e300 };
        a.0.cmp(&b.0)
            .then_with(|| finite(a.1).total_cmp(&finite(b.1)))
            .then_with(|| a.2.total_cmp(&b.2))
    }

    /// How bad it is, for the search: (broken, shortfall, impact).
    pub fn fitness(&self) -> (bool, f64, f64) {
        let m = self.measures.get(self.worst());
        (self.broken(), m.map_or(0.0, |m| m.shortfall), self.impact)
    }
}

impl Judge {
    /// The criteria asked for: `--objective NAME` (or every objective of
    /// the scenario) against `threshold` %, or `--metric NAME` with
    /// `--above`/`--below VALUE`.
    pub fn new(
        scenario: &Scenario,
        objective: Option<&str>,
        metric: Option<(&str, Target)>,
        threshold: f64,
    ) -> Result<Judge, ChaosError> {
        if !(0.0..=100.0).contains(&threshold) {
            return Err(ChaosError::Judge(format!(
                "--threshold must be a percentage between 0 and 100, got {threshold}"
            )));
        }
        if threshold > 0.0 && threshold < 1.0 {
            // A share written for a percentage: 0.9 would ask for 0.9 %.
            return Err(ChaosError::Judge(format!(
                "--threshold is a percentage of runs: {threshold} would mean {threshold} %; write {} for {} %",
                threshold_text(threshold * 100.0),
                threshold_text(threshold * 100.0)
            )));
        }
        let objective_criterion = |name: &str| Criterion {
            label: name.to_string(),
            metric: format!("objective {name} met"),
            unit: "%",
            target: Target::Met(threshold),
        };
        if let Some((name, target)) = metric {
            return Ok(Judge {
                criteria: vec![metric_criterion(scenario, name, target)?],
                note: None,
            });
        }
        if let Some(name) = objective {
            let o = scenario
                .objectives
                .iter()
                .find(|o| o.name == name)
                .ok_or_else(|| {
                    let known: Vec<String> = scenario
                        .objectives
                        .iter()
                        .map(|o| format!("`{}`", o.name))
                        .collect();
                    ChaosError::Judge(format!(
                        "the scenario has no objective `{name}`: expected one of {}",
                        if known.is_empty() {
                            "none (it has no objective; use --metric NAME --above VALUE)".into()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?;
            return Ok(Judge {
                criteria: vec![objective_criterion(&o.name)],
                note: None,
            });
        }
        if scenario.objectives.is_empty() {
            // A day of downtime per app down, or a quarter of the horizon
            // when that is shorter.
            let hours = (scenario.horizon.as_hours_f64() / 4.0).min(24.0);
            let c = metric_criterion(scenario, DEFAULT_METRIC, Target::Above(hours))?;
            return Ok(Judge {
                criteria: vec![c],
                note: Some(format!(
                    "the scenario has no objective: judging `{DEFAULT_METRIC}` above {} (a day, or a quarter of the horizon if shorter; choose with --metric NAME --above VALUE)",
                    crate::sim::SimDuration::from_millis((hours * 3_600_000.0) as u64)
                )),
            });
        }
        Ok(Judge {
            criteria: scenario
                .objectives
                .iter()
                .map(|o| objective_criterion(&o.name))
                .collect(),
            note: None,
        })
    }

    /// The verdict on variant `v` of comparison `c`.
    pub fn verdict(&self, c: &VariantComparison, v: &VariantSummary) -> Verdict {
        let measures = self
            .criteria
            .iter()
            .map(|cr| {
                let Some(k) = c.metric(&cr.metric) else {
                    return Measure {
                        value: 0.0,
                        ci: (0.0, 0.0),
                        diff: (0.0, 0.0),
                        diff_interval: (0.0, 0.0),
                        n: 0,
                        breaks: false,
                        shortfall: f64::NEG_INFINITY,
                    };
                };
                let m = v.metrics[k];
                let kind = c.metrics[k].kind;
                let value = match kind {
                    MetricKind::Share => {
                        let (yes, n) = m.share_counts();
                        if n == 0 {
                            0.0
                        } else {
                            100.0 * yes as f64 / n as f64
                        }
                    }
                    MetricKind::Quantity => m.mean(),
                };
                let ci = m.ci(kind);
                let (breaks, shortfall) = match (cr.target, ci) {
                    (_, None) => (false, f64::NEG_INFINITY),
                    (Target::Met(t), Some((_, hi))) => (hi < t, (t - value) / t.max(1.0)),
                    (Target::Above(a), Some((lo, _))) => (lo > a, (value - a) / a.abs().max(1e-9)),
                    (Target::Below(b), Some((_, hi))) => (hi < b, (b - value) / b.abs().max(1e-9)),
                };
                Measure {
                    value,
                    ci: ci.unwrap_or((0.0, 0.0)),
                    diff: m.diff_ci(),
                    diff_interval: m
                        .diff_interval(kind)
                        .unwrap_or((m.diff_ci().0, m.diff_ci().0)),
                    n: m.moments.n,
                    breaks,
                    shortfall,
                }
            })
            .collect();
        let impact = c.metric(IMPACT).map_or(0.0, |k| v.metrics[k].mean());
        Verdict { measures, impact }
    }
}

/// The criterion on the metric named `name`, case-insensitive: exactly,
/// else a unique part of a name before its parenthesis (`downtime` is
/// `mean downtime per app down`, not also `weighted impact (Σ criticality
/// × downtime)`), else a unique part of a whole name.
fn metric_criterion(
    scenario: &Scenario,
    name: &str,
    target: Target,
) -> Result<Criterion, ChaosError> {
    let defs: Vec<_> = metric_defs(scenario)
        .into_iter()
        .filter(|d| !d.name.starts_with("incident "))
        .collect();
    let lower = name.to_lowercase();
    let head = |n: &str| n.split(" (").next().unwrap_or(n).to_lowercase();
    let exact = defs.iter().find(|d| d.name.to_lowercase() == lower);
    let in_head: Vec<_> = defs
        .iter()
        .filter(|d| head(&d.name).contains(&lower))
        .collect();
    let anywhere: Vec<_> = defs
        .iter()
        .filter(|d| d.name.to_lowercase().contains(&lower))
        .collect();
    let def: &crate::montecarlo::MetricDef = match (exact, in_head.as_slice(), anywhere.as_slice())
    {
        (Some(d), _, _) => d,
        (None, [d], _) | (None, [], [d]) => d,
        _ => {
            let known: Vec<String> = defs.iter().map(|d| format!("`{}`", d.name)).collect();
            return Err(ChaosError::Judge(format!(
                "--metric `{name}` names {} metric: expected one of {} (or a unique part of one)",
                if anywhere.is_empty() {
                    "no"
                } else {
                    "more than one"
                },
                known.join(", ")
            )));
        }
    };
    Ok(Criterion {
        label: def.name.clone(),
        metric: def.name.clone(),
        unit: def.unit,
        target,
    })
}

/// A value of a metric in `unit` for people: hours as a duration
/// (`1d 6h`), a percentage with its sign, anything else with its unit.
pub fn show(value: f64, unit: &str) -> String {
    match unit {
        "h" => crate::sim::SimDuration::from_millis((value.max(0.0) * 3_600_000.0).round() as u64)
            .to_string(),
        "%" => format!("{value:.1} %"),
        u => format!("{value:.1} {u}"),
    }
}

/// A threshold as given, without rounding: `90`, `95.5`. (Not `fit`'s
/// `show_number_to`: `chaos` sits below `fit` in the layers.)
pub fn threshold_text(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        let s = format!("{t:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
