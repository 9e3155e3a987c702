//! Restored curves across replications: at each instant of a time grid,
//! how many apps are up, and what criticality-weighted share of the
//! estate, as p10 / p50 / p90 over the replications of each strategy.
//!
//! Memory is bounded whatever the number of replications: per grid point
//! an exact histogram of counts (`apps + 1` bins) and of weighted shares
//! in per-mille (1,001 bins). Histograms of integers add exactly, and
//! blocks of replications are merged in block order as the metrics are
//! (see [`super::study`]), so the result does not depend on `--jobs`.
//! Replication `i` of every strategy runs with
//! [`replication_seed`](super::replication_seed), like `hvsim compare`: the
//! curves are of the very runs the comparison measures.

use super::study::{CompareError, Study};
use crate::metrics::Outcome;
use crate::model::{Scenario, Strategy};
use crate::sim::{SimDuration, SimTime};

/// Points of the time grid across replications: enough for a smooth
/// curve, few enough for the histograms (about 1 MB per strategy).
pub const GRID_POINTS: usize = 240;
/// Points of the time grid of a single run: a finer grid, so that short
/// outages still show (one run needs no histograms).
pub const SINGLE_RUN_GRID_POINTS: usize = 1200;
/// Bins of the weighted share: per mille.
const SHARE_BINS: usize = 1001;

/// The instants at which curves are sampled: evenly spaced, from just
/// before the first fault to just after the last restoration (or the end
/// of the horizon if something was never restored).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The instants, ascending.
    pub times: Vec<SimTime>,
}

impl Grid {
    /// Evenly spaced points from `t0` to `t1` inclusive.
    pub fn between(t0: SimTime, t1: SimTime, points: usize) -> Self {
        let points = points.max(2);
        let (a, b) = (t0.as_millis(), t1.as_millis().max(t0.as_millis() + 1));
        let times = (0..points)
            .map(|i| {
                let frac = i as u128 * u128::from(b - a) / (points - 1) as u128;
                SimTime::from_millis(a + frac as u64)
            })
            .collect();
        Grid { times }
    }

    /// A grid that spans these runs: from a twentieth of the span before
    /// the first fault to a twentieth after the last instant an app came
    /// back up or a task ended, clamped to `[0, horizon]`. With no fault,
    /// the whole horizon.
    pub fn spanning<'a>(
        outcomes: impl IntoIterator<Item = &'a Outcome>,
        horizon: SimTime,
        points: usize,
    ) -> Self {
        let mut first: Option<SimTime> = None;
        let mut last = SimTime::ZERO;
        for o in outcomes {
            for f in &o.faults {
                first = Some(first.map_or(f.at, |t| t.min(f.at)));
            }
            for a in &o.apps {
                for out in &a.outages {
                    last = last.max(out.up_at.unwrap_or(horizon)).max(out.down_at);
                }
            }
            for t in &o.tasks {
                last = last.max(t.end.unwrap_or(horizon));
            }
        }
        let Some(first) = first else {
            return Grid::between(SimTime::ZERO, horizon, points);
        };
        let last = last.max(first).min(horizon);
        let margin = (last.as_millis() - first.as_millis()) / 20;
        let margin = SimDuration::from_millis(margin.max(SimDuration::from_hours(1).as_millis()));
        let t0 = SimTime::from_millis(first.as_millis().saturating_sub(margin.as_millis()));
        let t1 = last.saturating_add(margin).min(horizon);
        Grid::between(t0, t1, points)
    }
}

/// One run sampled on a grid: at each point, the apps up and the
/// criticality-weighted share up in per mille.
pub type Sample = (Vec<u32>, Vec<u32>);

/// One replication sampled on the grid: apps up, and the weighted share
/// up in per mille.
pub fn sample(scenario: &Scenario, o: &Outcome, grid: &Grid) -> Sample {
    let total_weight: u64 = scenario.apps.iter().map(|a| u64::from(a.criticality)).sum();
    // Sweep over the outages' edges instead of testing every app at every
    // point: an app is down from `down_at` (inclusive) to `up_at`
    // (exclusive), as in `AppOutcome::is_up_at`.
    let mut edges: Vec<(SimTime, i64, i64)> = Vec::new();
    for (app, a) in scenario.apps.iter().zip(&o.apps) {
        let w = i64::from(app.criticality);
        for out in &a.outages {
            edges.push((out.down_at, -1, -w));
            if let Some(up) = out.up_at {
                edges.push((up, 1, w));
            }
        }
    }
    edges.sort_unstable();
    let (mut up, mut weight) = (scenario.apps.len() as i64, total_weight as i64);
    let mut next = 0;
    let mut counts = Vec::with_capacity(grid.times.len());
    let mut shares = Vec::with_capacity(grid.times.len());
    for &t in &grid.times {
        while next < edges.len() && edges[next].0 <= t {
            up += edges[next].1;
            weight += edges[next].2;
            next += 1;
        }
        counts.push(up.clamp(0, scenario.apps.len() as i64) as u32);
        // An estate of no weight is all up, whatever happens.
        let permille = (weight.max(0) as u64 * 1000 + total_weight / 2)
            .checked_div(total_weight)
            .unwrap_or(1000);
        shares.push(permille.min(1000) as u32);
    }
    (counts, shares)
}

/// One strategy's curves: exact histograms per grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyCurves {
    /// The strategy's id.
    pub id: String,
    apps: usize,
    points: usize,
    /// `counts[p * (apps + 1) + k]`: replications with `k` apps up at point `p`.
    counts: Vec<u32>,
    /// `shares[p * 1001 + s]`: replications with `s` ‰ of the weight up at `p`.
    shares: Vec<u32>,
    /// Replications recorded.
    pub runs: u64,
    /// Per bug, in [`PHASES`] order, the phases of its first incident
    /// that the comparison's milestones do not hold.
    pub phases: Vec<PhaseDist>,
}

/// Nearest-rank quantile of a histogram with `n` observations: the
/// smallest bin whose cumulative count reaches `ceil(q·n)`.
fn quantile(bins: &[u32], n: u64, q: f64) -> usize {
    let need = ((q * n as f64).ceil() as u64).clamp(1, n.max(1));
    let mut acc = 0u64;
    for (k, c) in bins.iter().enumerate() {
        acc += u64::from(*c);
        if acc >= need {
            return k;
        }
    }
    bins.len().saturating_sub(1)
}

impl StrategyCurves {
    pub(super) fn new(id: &str, apps: usize, points: usize) -> Self {
        StrategyCurves {
            id: id.to_string(),
            apps,
            points,
            counts: vec![0; points * (apps + 1)],
            shares: vec![0; points * SHARE_BINS],
            runs: 0,
            phases: Vec::new(),
        }
    }

    pub(super) fn record(&mut self, counts: &[u32], shares: &[u32]) {
        let w = self.apps + 1;
        for (p, (&c, &s)) in counts.iter().zip(shares).enumerate() {
            self.counts[p * w + c as usize] += 1;
            self.shares[p * SHARE_BINS + s as usize] += 1;
        }
        self.runs += 1;
    }

    /// Records one run's [`phase_values`].
    pub(super) fn record_phases(&mut self, values: &[Option<SimDuration>]) {
        if self.phases.len() < values.len() {
            self.phases.resize(values.len(), PhaseDist::default());
        }
        for (d, v) in self.phases.iter_mut().zip(values) {
            d.record(*v);
        }
    }

    /// Bug `k`'s (from 0) phase `phase` (an index into [`PHASES`]), if
    /// recorded.
    pub fn phase(&self, k: usize, phase: usize) -> Option<&PhaseDist> {
        self.phases.get(k * PHASES.len() + phase)
    }

    /// Apps up at grid point `p`, at quantile `q` (e.g. 0.1, 0.5, 0.9).
    pub fn apps_up(&self, p: usize, q: f64) -> u32 {
        let w = self.apps + 1;
        quantile(&self.counts[p * w..(p + 1) * w], self.runs, q) as u32
    }

    /// Criticality-weighted share up at point `p`, from 0 to 1, at quantile `q`.
    pub fn share_up(&self, p: usize, q: f64) -> f64 {
        let bins = &self.shares[p * SHARE_BINS..(p + 1) * SHARE_BINS];
        quantile(bins, self.runs, q) as f64 / 1000.0
    }

    /// Grid points.
    pub fn points(&self) -> usize {
        self.points
    }
}

/// The phases of an incident before its first app is back, recorded per
/// bug beside the curves: when it was detected, when its diagnosis ended,
/// and when its first recovery task started.
pub const PHASES: [&str; 3] = ["detected", "diagnosed", "restoration started"];

/// The distribution of one phase over the replications: hours from the
/// strike, exact to the second (a sorted count per value, so it adds up
/// the same in any order and holds at most one entry per run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseDist {
    seconds: std::collections::BTreeMap<u64, u64>,
    /// Runs that reached the phase.
    pub reached: u64,
    /// Runs where the bug did not strike or the phase was not reached.
    pub missing: u64,
}

impl PhaseDist {
    fn record(&mut self, v: Option<SimDuration>) {
        match v {
            Some(d) => {
                *self.seconds.entry(d.as_millis() / 1_000).or_insert(0) += 1;
                self.reached += 1;
            }
            None => self.missing += 1,
        }
    }

    /// The nearest-rank quantile `q` of the runs that reached it, in
    /// hours; `None` if none did.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let need = ((q * self.reached as f64).ceil() as u64).clamp(1, self.reached.max(1));
        let mut acc = 0;
        for (&s, &n) in &self.seconds {
            acc += n;
            if acc >= need {
                return Some(s as f64 / 3_600.0);
            }
        }
        None
    }
}

/// One run's [`PHASES`] for each bug's first incident (bugs in file
/// order), as durations since its strike; `None` when it did not strike
/// or did not get there.
pub fn phase_values(scenario: &Scenario, o: &Outcome) -> Vec<Option<SimDuration>> {
    let mut values = Vec::with_capacity(scenario.bugs.len() * PHASES.len());
    for k in 0..scenario.bugs.len() {
        let inc = o.incidents.iter().find(|inc| inc.bug.index() == k);
        for phase in [
            inc.and_then(|i| i.detected_at),
            inc.and_then(|i| i.diagnosed_at),
            inc.and_then(|i| i.recovery_started),
        ] {
            values.push(inc.zip(phase).map(|(i, t)| t.saturating_since(i.at)));
        }
    }
    values
}

/// The curves of every strategy on one grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// The grid.
    pub grid: Grid,
    /// Apps in the scenario (the count axis' maximum).
    pub apps: usize,
    /// Per strategy, in the order given.
    pub strategies: Vec<StrategyCurves>,
}

/// Runs `runs` replications of each strategy (replication `i` with
/// `replication_seed(seed, i)`) and aggregates their restored curves on a
/// grid spanning the first block of replications: a [`Study`] with curves,
/// of which only the curves are kept. `progress` gets the replications
/// done and returns `false` to stop early.
pub fn restored_curves(
    scenario: &Scenario,
    strategies: &[&Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Curves, CompareError> {
    let summary = Study::new(scenario, strategies, runs, seed)
        .jobs(jobs)
        .with_curves()
        .run(progress)?;
    summary
        .curves
        .ok_or_else(|| CompareError::Invalid("no curves: the study was stopped".into()))
}

/// An incident to mark on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentMark {
    /// When it struck.
    pub at: SimTime,
    /// `incident 2: socle-2018-b`.
    pub label: String,
    /// The apps it took down: an objective's line is drawn after it only
    /// if it covers one of them.
    pub apps: Vec<crate::model::AppId>,
}

/// The incidents of a run, as markers.
pub fn incident_marks(scenario: &Scenario, o: &Outcome) -> Vec<IncidentMark> {
    o.incidents
        .iter()
        .enumerate()
        .map(|(k, inc)| IncidentMark {
            at: inc.at,
            label: format!("incident {}: {}", k + 1, scenario.bugs[inc.bug.index()].id),
            apps: inc.apps.clone(),
        })
        .collect()
}

/// The incidents of the median run of `runs`, as markers for curves that
/// show the median: as many incidents as the runs' median count, the
/// `k`-th at the median instant of the runs' `k`-th incidents (with that
/// run's bug and apps). When every run strikes alike (a bug at a fixed
/// date), these are any run's marks; with random triggers, one unlucky
/// first replication no longer decides them.
pub fn median_incident_marks(scenario: &Scenario, runs: &[&Outcome]) -> Vec<IncidentMark> {
    let mut counts: Vec<usize> = runs.iter().map(|o| o.incidents.len()).collect();
    counts.sort_unstable();
    let Some(&median_count) = counts.get(counts.len().saturating_sub(1) / 2) else {
        return Vec::new();
    };
    (0..median_count)
        .filter_map(|k| {
            let mut kth: Vec<(&crate::metrics::Incident, &Outcome)> = runs
                .iter()
                .filter_map(|o| o.incidents.get(k).map(|inc| (inc, *o)))
                .collect();
            // By instant, then bug, so that ties pick the same whatever
            // the order of the runs.
            kth.sort_by_key(|(inc, _)| (inc.at, inc.bug.index()));
            let (inc, _) = kth.get(kth.len().saturating_sub(1) / 2)?;
            Some(IncidentMark {
                at: inc.at,
                label: format!("incident {}: {}", k + 1, scenario.bugs[inc.bug.index()].id),
                apps: inc.apps.clone(),
            })
        })
        .collect()
}

/// The curve of a single run (no band): the run's own samples.
pub fn single_run_curves(scenario: &Scenario, strategy: &Strategy, o: &Outcome) -> Curves {
    let grid = Grid::spanning([o], o.horizon, SINGLE_RUN_GRID_POINTS);
    let mut c = StrategyCurves::new(&strategy.id, scenario.apps.len(), grid.times.len());
    let (counts, shares) = sample(scenario, o, &grid);
    c.record(&counts, &shares);
    c.record_phases(&phase_values(scenario, o));
    Curves {
        grid,
        apps: scenario.apps.len(),
        strategies: vec![c],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        // Values 0,1,1,2,9 (bins of 10).
        let mut bins = [0u32; 10];
        for v in [0, 1, 1, 2, 9] {
            bins[v] += 1;
        }
        assert_eq!(quantile(&bins, 5, 0.1), 0);
        assert_eq!(quantile(&bins, 5, 0.5), 1);
        assert_eq!(quantile(&bins, 5, 0.9), 9);
        assert_eq!(quantile(&bins, 5, 1.0), 9);
    }

    #[test]
    fn grids_are_even_and_inclusive() {
        let g = Grid::between(SimTime::from_millis(100), SimTime::from_millis(1100), 11);
        assert_eq!(g.times.len(), 11);
        assert_eq!(g.times[0], SimTime::from_millis(100));
        assert_eq!(g.times[10], SimTime::from_millis(1100));
        assert_eq!(g.times[1], SimTime::from_millis(200));
    }

    #[test]
    fn samples_match_is_up_at_on_the_default_scenario() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let o = crate::engine::simulate(&scenario, scenario.default_strategy(), 5).expect("runs");
        let grid = Grid::spanning([&o], o.horizon, GRID_POINTS);
        let (counts, shares) = sample(&scenario, &o, &grid);
        let total: u64 = scenario.apps.iter().map(|a| u64::from(a.criticality)).sum();
        for (p, &t) in grid.times.iter().enumerate() {
            let up: Vec<bool> = o.apps.iter().map(|a| a.is_up_at(t)).collect();
            let n = up.iter().filter(|u| **u).count() as u32;
            assert_eq!(counts[p], n, "point {p}");
            let w: u64 = scenario
                .apps
                .iter()
                .zip(&up)
                .filter(|(_, u)| **u)
                .map(|(a, _)| u64::from(a.criticality))
                .sum();
            assert_eq!(
                shares[p] as u64,
                (w * 1000 + total / 2) / total,
                "point {p}"
            );
        }
        // The curve goes down and comes back: the grid spans the incident.
        assert_eq!(counts[0] as usize, scenario.apps.len());
        assert!(counts.iter().min() < counts.last());
    }

    #[test]
    fn curves_do_not_depend_on_jobs() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(2).collect();
        let a = restored_curves(&scenario, &strategies, 150, 3, 1, &|_| true).expect("runs");
        let b = restored_curves(&scenario, &strategies, 150, 3, 3, &|_| true).expect("runs");
        assert_eq!(a, b);
        assert_eq!(a.strategies[0].runs, 150);
        for p in 0..a.grid.times.len() {
            let s = &a.strategies[0];
            assert!(s.apps_up(p, 0.1) <= s.apps_up(p, 0.5));
            assert!(s.apps_up(p, 0.5) <= s.apps_up(p, 0.9));
        }
    }
}
