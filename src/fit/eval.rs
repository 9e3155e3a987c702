//! One candidate: the scenario with its values set, simulated over the
//! replications (replication `i` with `replication_seed(seed, i)`, as in
//! every Monte Carlo command), and what each run had restored at each
//! observed instant.

use rayon::prelude::*;

use super::observed::{Kind, When};
use super::{FitError, Setup};
use crate::engine::{Prepared, simulate_prepared};
use crate::metrics::Outcome;
use crate::montecarlo::replication_seed;
use crate::sim::SimTime;

/// A candidate's runs at the observed instants.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// One value per parameter.
    pub values: Vec<f64>,
    /// Per replication, per instant: apps restored (or the share).
    pub samples: Vec<Vec<f64>>,
    /// Per instant, the median over the replications.
    pub median: Vec<f64>,
    /// The root mean square of `median - observed` over the instants.
    pub distance: f64,
}

/// The `q` quantile (nearest rank) of `xs`, which it sorts.
pub fn quantile(xs: &mut [f64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_unstable_by(f64::total_cmp);
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[rank - 1]
}

/// Per instant, the quantile `q` over the runs.
pub fn per_instant(samples: &[Vec<f64>], points: usize, q: f64) -> Vec<f64> {
    (0..points)
        .map(|p| {
            let mut col: Vec<f64> = samples.iter().map(|s| s[p]).collect();
            quantile(&mut col, q)
        })
        .collect()
}

/// The root mean square of the gaps.
pub fn rms(median: &[f64], observed: &[f64]) -> f64 {
    if observed.is_empty() {
        return 0.0;
    }
    let sum: f64 = median
        .iter()
        .zip(observed)
        .map(|(m, o)| (m - o) * (m - o))
        .sum();
    (sum / observed.len() as f64).sqrt()
}

/// The reference instant of a run (the strike of the incident the curve
/// follows), and the apps it follows: `None` for the whole estate.
fn reference(setup: &Setup, o: &Outcome) -> Result<(SimTime, Option<usize>), FitError> {
    if let Some(k) = setup.incident {
        return match o.incidents.get(k) {
            Some(inc) => Ok((inc.at, Some(k))),
            None => Err(FitError::Invalid(format!(
                "--incident {}: replication seed {} has {} incident(s)",
                k + 1,
                o.seed,
                o.incidents.len()
            ))),
        };
    }
    if o.incidents.is_empty() {
        let first = o.faults.iter().map(|f| f.at).min().unwrap_or(SimTime::ZERO);
        return Ok((first, None));
    }
    // By date: the last incident to strike by the first observation; by
    // duration: the first incident.
    let k = match setup.first_local {
        Some(t) => o.incidents.iter().rposition(|i| i.at <= t).unwrap_or(0),
        None => 0,
    };
    Ok((o.incidents[k].at, Some(k)))
}

/// What a run had restored at each of `whens`.
pub fn run_values(
    setup: &Setup,
    o: &Outcome,
    whens: &[When],
    locals: &[Option<SimTime>],
) -> Result<Vec<f64>, FitError> {
    let (at, incident) = reference(setup, o)?;
    let mut out = Vec::with_capacity(whens.len());
    for (w, local) in whens.iter().zip(locals) {
        let t = match (w, local) {
            (When::After(d), _) => at.saturating_add(*d),
            (When::Local(_), Some(t)) => *t,
            (When::Local(_), None) => SimTime::ZERO,
        };
        let (restored, total) = match incident.and_then(|k| o.incidents.get(k)) {
            Some(inc) => (inc.restored_at(t), inc.apps.len()),
            None => (
                o.apps.iter().filter(|a| a.is_up_at(t)).count(),
                o.apps.len(),
            ),
        };
        out.push(match setup.kind {
            Kind::Count => restored as f64,
            Kind::Share if total == 0 => 1.0,
            Kind::Share => restored as f64 / total as f64,
        });
    }
    Ok(out)
}

/// Simulates the candidate `values` and samples its runs at `whens`.
pub fn simulate_at(
    setup: &Setup,
    values: &[f64],
    whens: &[When],
    locals: &[Option<SimTime>],
) -> Result<Vec<Vec<f64>>, FitError> {
    let scenario = setup.scenario_at(values)?;
    let strategy = scenario
        .strategy(&setup.strategy)
        .ok_or_else(|| FitError::Invalid(format!("no strategy `{}`", setup.strategy)))?;
    // Set up once for the candidate's runs, as `compare` does.
    let prepared = Prepared::new(&scenario, strategy).map_err(|source| FitError::Run {
        candidate: setup.describe(values),
        seed: setup.seed,
        source,
    })?;
    let runs: Vec<Result<Vec<f64>, FitError>> = setup.pool.install(|| {
        (0..setup.runs)
            .into_par_iter()
            .map(|i| {
                let seed = replication_seed(setup.seed, i);
                let o = simulate_prepared(&prepared, seed).map_err(|source| FitError::Run {
                    candidate: setup.describe(values),
                    seed,
                    source,
                })?;
                run_values(setup, &o, whens, locals)
            })
            .collect()
    });
    runs.into_iter().collect()
}

/// Evaluates a candidate against the observed points.
pub fn evaluate(setup: &Setup, values: &[f64]) -> Result<Evaluation, FitError> {
    let samples = simulate_at(setup, values, &setup.whens, &setup.locals)?;
    let median = per_instant(&samples, setup.whens.len(), 0.5);
    let distance = rms(&median, &setup.observed);
    Ok(Evaluation {
        values: values.to_vec(),
        samples,
        median,
        distance,
    })
}
