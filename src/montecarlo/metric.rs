//! What a comparison measures: the metric definitions of a scenario
//! ([`metric_defs`]) and one run's values of them ([`run_metrics`]).

use crate::metrics::Outcome;
use crate::model::Scenario;
use crate::sim::{MS_PER_HOUR, SimDuration, SimTime};

/// How a metric is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A quantity that varies from run to run (hours, crit·h, an
    /// availability in %): mean ± CI, quantiles, exact min and max.
    Quantity,
    /// A yes/no indicator, recorded as 100 (yes) or 0 (no) per run: its
    /// mean is the share of runs where it holds. Reported as that share
    /// with its confidence interval, without quantiles; differences
    /// between strategies are in percentage points (`pp`).
    Share,
}

impl MetricKind {
    /// Its name in JSON and shard files: `quantity` or `share`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Quantity => "quantity",
            MetricKind::Share => "share",
        }
    }
}

/// What a metric measures.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// A short name for tables and JSON, e.g. `incident 2: 90 % back`.
    pub name: String,
    /// Its unit: `h` (hours), `crit·h` (criticality-weighted hours) or `%`.
    pub unit: &'static str,
    /// How it is summarised.
    pub kind: MetricKind,
}

impl MetricDef {
    fn quantity(name: impl Into<String>, unit: &'static str) -> Self {
        MetricDef {
            name: name.into(),
            unit,
            kind: MetricKind::Quantity,
        }
    }

    /// The unit of its paired differences: `pp` (percentage points) for
    /// a share or a percentage, else its own unit.
    pub fn diff_unit(&self) -> &'static str {
        match (self.kind, self.unit) {
            (MetricKind::Share, _) | (_, "%") => "pp",
            (_, unit) => unit,
        }
    }
}

/// The name of the metric of the mean downtime of the apps that went
/// down in a run (a run where no app went down has none).
pub const MEAN_DOWNTIME_PER_APP: &str = "mean downtime per app down";

/// The metrics every comparison reports, in order: for each bug, the hours
/// from its first strike (its first incident) to the first app, 50 %, 90 %
/// and 100 % of that incident's apps back (none when it did not strike); then
/// the mean downtime of the apps that went down, and the criticality-weighted
/// impact.
pub fn metric_defs(scenario: &Scenario) -> Vec<MetricDef> {
    let mut defs = Vec::new();
    for (k, bug) in scenario.bugs.iter().enumerate() {
        for label in ["first app back", "50 % back", "90 % back", "100 % back"] {
            defs.push(MetricDef::quantity(
                format!("incident {} ({}): {label}", k + 1, bug.id),
                "h",
            ));
        }
    }
    defs.push(MetricDef::quantity(MEAN_DOWNTIME_PER_APP, "h"));
    defs.push(MetricDef::quantity(
        "weighted impact (Σ criticality × downtime)",
        "crit·h",
    ));
    if scenario.backup.is_some() || scenario.replication.is_some() {
        defs.push(MetricDef::quantity(
            "worst data loss of an app recovered",
            "h",
        ));
    }
    for o in &scenario.objectives {
        defs.push(MetricDef {
            name: format!("objective {} met", o.name),
            unit: "%",
            kind: MetricKind::Share,
        });
    }
    if !scenario.chaos.is_empty() {
        defs.push(MetricDef::quantity("mean app availability", "%"));
        defs.push(MetricDef::quantity(
            "least available app's availability",
            "%",
        ));
    }
    defs
}

/// One run's metric values, `None` where a milestone was not reached.
pub fn run_metrics(scenario: &Scenario, o: &Outcome) -> Vec<Option<f64>> {
    let hours = |from: SimTime, t: Option<SimTime>| {
        t.map(|t| t.saturating_since(from).as_millis() as f64 / MS_PER_HOUR as f64)
    };
    let mut values = Vec::new();
    for k in 0..scenario.bugs.len() {
        // Bug k's first incident (a bug may strike several times, and bugs
        // need not strike in the order they are declared).
        match o.incidents.iter().find(|inc| inc.bug.index() == k) {
            Some(inc) => {
                let m = inc.milestones;
                for t in [m.first, m.half, m.ninety, m.all] {
                    values.push(hours(inc.at, t));
                }
            }
            None => values.extend([None; 4]),
        }
    }
    let totals = o.totals(scenario);
    // Unrounded mean, in hours (quantised to whole ms when recorded).
    values.push((totals.apps_down > 0).then(|| {
        totals.downtime.as_millis() as f64 / totals.apps_down as f64 / MS_PER_HOUR as f64
    }));
    let weighted = totals.weighted_impact_ms as f64 / MS_PER_HOUR as f64;
    values.push(Some(weighted));
    if scenario.backup.is_some() || scenario.replication.is_some() {
        // `None` ("not reached") when an app lost everything or none was
        // recovered.
        let mut worst = Some(SimDuration::ZERO);
        let mut any = false;
        for a in o.apps.iter().filter(|a| a.recoveries > 0) {
            any = true;
            worst = match (worst, a.data_loss.duration()) {
                (Some(w), Some(d)) => Some(w.max(d)),
                _ => None,
            };
        }
        values.push(
            worst
                .filter(|_| any)
                .map(|d| d.as_millis() as f64 / MS_PER_HOUR as f64),
        );
    }
    for r in o.objectives(scenario) {
        // Undetermined within the horizon: not counted as met or missed.
        values.push(match r.verdict() {
            crate::metrics::Verdict::Met => Some(100.0),
            crate::metrics::Verdict::Missed => Some(0.0),
            crate::metrics::Verdict::Undetermined => None,
        });
    }
    if !scenario.chaos.is_empty() {
        let n = scenario.apps.len().max(1);
        let availability = (0..scenario.apps.len())
            .map(|a| 100.0 * o.app_availability(crate::model::AppId(a as u32)));
        values.push(Some(availability.clone().sum::<f64>() / n as f64));
        values.push(availability.reduce(f64::min));
    }
    values
}
