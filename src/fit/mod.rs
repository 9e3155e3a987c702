//! `hvsim fit`: calibrate a scenario to an observed recovery curve.
//!
//! Given observed points (a date or a time since the strike, and the apps
//! or the share restored, [`parse_curve`]) and parameters to vary
//! ([`parse_param`]: `teams.ops.members=4..40`,
//! `apps.*.work.reinstall.scale=0.5..3`), [`fit`] finds the values whose
//! median restored curve is closest to the points:
//!
//! - **What is compared.** At each observed instant, each replication's
//!   count (or share) of the incident's apps back for good
//!   ([`Incident::restored_at`](crate::metrics::Incident::restored_at));
//!   the candidate's curve is the median over the replications.
//! - **The distance** is the root mean square, over the observed points,
//!   of the gap between the candidate's median and the observation, in
//!   the observation's unit (apps or share): every point counts alike,
//!   and a distance reads as a typical gap ("3 apps").
//! - **The search** is a grid or a coordinate search (see `search.rs`),
//!   every candidate on the same replication seeds (common random
//!   numbers): deterministic whatever the number of threads.
//! - **The uncertainty** is the set of candidates not significantly worse
//!   than the best by a paired bootstrap over the replications; each
//!   parameter's range is the span of its values over that set. When
//!   two parameters trade off along that set (a ridge: more engineers
//!   fit as well as shorter work), the verdict says so.
//!
//! ```
//! use hvsim::fit::{FitOptions, fit, parse_curve, parse_param};
//! let doc = hvsim::scenario::Document::parse(
//!     hvsim::scenario::DEFAULT_SCENARIO_YAML,
//!     "2018.yaml",
//!     hvsim::scenario::Format::Yaml,
//! )?;
//! // The press release: 50 of the 120 apps still down on 28 Dec at midday.
//! let curve = parse_curve("date,restored\n2018-12-28 12:00,70\n", "release.csv")?;
//! let params = [parse_param("teams.dtsi.members=7..9")?];
//! let options = FitOptions { runs: 8, ..FitOptions::new("as-in-2018") };
//! let result = fit(&doc, &curve, &params, &options, &|_| true)?;
//! assert_eq!(result.best.len(), 1);
//! assert!(result.verdict().starts_with("The points of release.csv are best matched with"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod eval;
mod observed;
mod param;
mod render;
mod search;

use crate::chart::clock::Clock;
use crate::engine::SimError;
use crate::model::Scenario;
use crate::montecarlo::replication_seed;
use crate::scenario::Document;
use crate::sim::SimTime;

pub use eval::Evaluation;
pub use observed::{CurveError, Kind, MAX_POINTS, Observed, Point, When, parse_curve, read_curve};
pub use param::{
    ApplyError, GRID_MAX, Param, Values, parse_param, scale_dist, show_number, show_number_to,
};
pub use search::{
    BOOTSTRAP, FULL_GRID_MAX, REFINE_MAX, ROUNDS, TradeOff, WORSE, ZOOM_LEVELS, ZOOM_POINTS,
};

/// Why a fit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// Bad input: a parameter, a point, an option.
    #[error("{0}")]
    Invalid(String),
    /// A replication of a candidate failed.
    #[error("{candidate}, replication seed {seed}: {source}")]
    Run {
        /// The candidate's values.
        candidate: String,
        /// The replication's seed.
        seed: u64,
        /// What went wrong.
        #[source]
        source: SimError,
    },
}

/// How to fit.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    /// The strategy whose recovery is fitted, by id.
    pub strategy: String,
    /// Replications per candidate.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (the result does not depend on it).
    pub jobs: usize,
    /// The incident the curve follows (from 0); by default the last one to
    /// strike by the first observed date, or the first with durations.
    pub incident: Option<usize>,
}

impl FitOptions {
    /// 100 replications, seed 1, one thread, the default incident.
    pub fn new(strategy: &str) -> Self {
        FitOptions {
            strategy: strategy.to_string(),
            runs: 100,
            seed: 1,
            jobs: 1,
            incident: None,
        }
    }
}

/// What every candidate shares.
pub(crate) struct Setup {
    doc: Document,
    params: Vec<Param>,
    pub(crate) strategy: String,
    pub(crate) runs: u64,
    pub(crate) seed: u64,
    pub(crate) incident: Option<usize>,
    pub(crate) kind: Kind,
    pub(crate) whens: Vec<When>,
    /// The observed dates as instants (`None` for durations).
    pub(crate) locals: Vec<Option<SimTime>>,
    pub(crate) first_local: Option<SimTime>,
    pub(crate) observed: Vec<f64>,
    pub(crate) pool: rayon::ThreadPool,
}

impl Setup {
    /// The scenario with `values` set.
    pub(crate) fn scenario_at(&self, values: &[f64]) -> Result<Scenario, FitError> {
        let doc = self.document_at(values)?;
        let label = format!("{} with {}", self.doc.file(), self.describe(values));
        doc.load(&label)
            .map_err(|e| FitError::Invalid(format!("{}: {e}", self.describe(values))))
    }

    /// The document with `values` set.
    pub(crate) fn document_at(&self, values: &[f64]) -> Result<Document, FitError> {
        let mut doc = self.doc.clone();
        for (p, v) in self.params.iter().zip(values) {
            param::apply(doc.value_mut(), p, *v).map_err(|e| FitError::Invalid(e.to_string()))?;
        }
        Ok(doc)
    }

    /// `teams.ops.members=6 apps.*.work.reinstall.scale=1.4`.
    pub(crate) fn describe(&self, values: &[f64]) -> String {
        self.params
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{}={}", p.name(), show_number(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One parameter's fitted value.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    /// The parameter.
    pub param: Param,
    /// The best value.
    pub value: f64,
    /// The smallest and largest values among the candidates not
    /// significantly worse than the best.
    pub range: (f64, f64),
    /// The smallest and largest values among the candidates whose p10–p90
    /// band holds every observed point (`None` if none does): the values
    /// a single observed incident cannot tell apart.
    pub in_band: Option<(f64, f64)>,
}

/// The fitted curve on a fine grid of instants, for the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The instants: simulated times for dates, else times since the strike
    /// (as milliseconds in a `SimTime`).
    pub times: Vec<SimTime>,
    /// p10, median and p90 at each instant.
    pub p10: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// p90.
    pub p90: Vec<f64>,
}

/// The result of a fit.
#[derive(Debug)]
pub struct Fit {
    /// The observed curve.
    pub observed: Observed,
    /// The scenario at the best values.
    pub scenario: Scenario,
    /// The document at the best values (for `--out`).
    pub document: Document,
    /// Per parameter, the best value and its range.
    pub best: Vec<Fitted>,
    /// Every candidate evaluated, in order.
    pub evaluations: Vec<Evaluation>,
    /// Which of them are not significantly worse than the best.
    pub kept: Vec<bool>,
    /// The best's index in `evaluations`.
    pub best_index: usize,
    /// Per observed point, the best candidate's p10, median and p90.
    pub at_points: Vec<(f64, f64, f64)>,
    /// The observed instants (`None` for durations).
    pub locals: Vec<Option<SimTime>>,
    /// `grid` or `coordinate search`.
    pub method: &'static str,
    /// Candidates added by the trade-off profiles (two or more parameters
    /// searched).
    pub profiled: usize,
    /// Candidates added by the joint refinement around the best.
    pub refined: usize,
    /// The pairs of parameters that trade off among the candidates not
    /// significantly worse than the best.
    pub trade_offs: Vec<TradeOff>,
    /// The options it ran with.
    pub options: FitOptions,
    /// Whether it was stopped early (the result covers what was done).
    pub stopped: bool,
}

/// Fits `params` of the scenario document `doc` to `observed`.
/// `progress` gets the number of candidates evaluated and returns `false`
/// to stop early (the result then covers the candidates done).
pub fn fit(
    doc: &Document,
    observed: &Observed,
    params: &[Param],
    options: &FitOptions,
    progress: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Fit, FitError> {
    let setup = prepare(doc, observed, params, options)?;
    let searched = search::search(&setup, params, progress)?;
    if searched.evaluations.is_empty() {
        return Err(FitError::Invalid(
            "stopped before any candidate was evaluated".into(),
        ));
    }
    let best_index = search::best(&searched.evaluations);
    let kept = search::not_worse(
        &searched.evaluations,
        best_index,
        &setup.observed,
        replication_seed(options.seed, u64::MAX),
    );
    let trade_offs = search::trade_offs(&searched.evaluations, &kept);
    let best_values = searched.evaluations[best_index].values.clone();
    let best = params
        .iter()
        .enumerate()
        .map(|(p, param)| {
            let values = searched
                .evaluations
                .iter()
                .zip(&kept)
                .filter(|(_, k)| **k)
                .map(|(e, _)| e.values[p]);
            let lo = values.clone().fold(f64::INFINITY, f64::min);
            let hi = values.fold(f64::NEG_INFINITY, f64::max);
            let banded = searched
                .evaluations
                .iter()
                .filter(|e| holds(e, &setup.observed))
                .map(|e| e.values[p]);
            let in_band = banded
                .clone()
                .next()
                .map(|first| banded.fold((first, first), |(a, b), v| (a.min(v), b.max(v))));
            Fitted {
                param: param.clone(),
                value: best_values[p],
                range: (lo, hi),
                in_band,
            }
        })
        .collect();
    let e = &searched.evaluations[best_index];
    let n = setup.whens.len();
    let p10 = eval::per_instant(&e.samples, n, 0.1);
    let p90 = eval::per_instant(&e.samples, n, 0.9);
    let at_points = (0..n).map(|p| (p10[p], e.median[p], p90[p])).collect();
    let document = setup.document_at(&best_values)?;
    let scenario = setup.scenario_at(&best_values)?;
    Ok(Fit {
        observed: observed.clone(),
        scenario,
        document,
        best,
        kept,
        best_index,
        at_points,
        locals: setup.locals.clone(),
        method: searched.method,
        profiled: searched.profiled,
        refined: searched.refined,
        trade_offs,
        options: options.clone(),
        stopped: searched.stopped,
        evaluations: searched.evaluations,
    })
}

/// Whether every observed point lies within the candidate's p10–p90 band.
fn holds(e: &Evaluation, observed: &[f64]) -> bool {
    let n = observed.len();
    let p10 = eval::per_instant(&e.samples, n, 0.1);
    let p90 = eval::per_instant(&e.samples, n, 0.9);
    observed
        .iter()
        .enumerate()
        .all(|(k, o)| p10[k] <= *o && *o <= p90[k])
}

/// Checks the inputs against the scenario as it is and sets up the pool.
fn prepare(
    doc: &Document,
    observed: &Observed,
    params: &[Param],
    options: &FitOptions,
) -> Result<Setup, FitError> {
    if params.is_empty() {
        return Err(FitError::Invalid(
            "nothing to fit: give at least one --param PATH=A..B, like `teams.ops.members=4..40`"
                .into(),
        ));
    }
    if options.runs == 0 || options.runs > crate::montecarlo::MAX_RUNS {
        return Err(FitError::Invalid(format!(
            "--runs must be between 1 and {}, got {}",
            crate::montecarlo::MAX_RUNS,
            options.runs
        )));
    }
    let base = doc
        .load(doc.file())
        .map_err(|e| FitError::Invalid(e.to_string()))?;
    if base.strategy(&options.strategy).is_none() {
        let known: Vec<_> = base.strategies.iter().map(|s| s.id.as_str()).collect();
        return Err(FitError::Invalid(format!(
            "scenario {} has no strategy `{}`: expected one of {}",
            doc.file(),
            options.strategy,
            known.join(", ")
        )));
    }
    let clock = Clock::new(&base);
    let zone = base.tz.iana_name().unwrap_or("UTC");
    let mut locals = Vec::new();
    for pt in &observed.points {
        let at =
            |what: String| FitError::Invalid(format!("{}:{}:1: {what}", observed.file, pt.line));
        if observed.kind == Kind::Count && pt.value > base.apps.len() as f64 {
            return Err(at(format!(
                "{} apps restored, but scenario {} has {} app{}: give a count up to {}, or a share (`55 %`)",
                show_number(pt.value),
                doc.file(),
                base.apps.len(),
                if base.apps.len() == 1 { "" } else { "s" },
                base.apps.len()
            )));
        }
        locals.push(match pt.when {
            When::Local(dt) => {
                let text = dt.strftime("%Y-%m-%d %H:%M").to_string();
                let ts = crate::units::to_instant(&base.tz, dt, &text).map_err(&at)?;
                let ms = ts.as_millisecond() - base.start.as_millisecond();
                let t = u64::try_from(ms).map(SimTime::from_millis).map_err(|_| {
                    at(format!(
                        "`{text}` is before the scenario starts ({}): give a date in the scenario's time zone, {zone}",
                        clock.date(SimTime::ZERO),
                    ))
                })?;
                if t > base.horizon_end() {
                    return Err(at(format!(
                        "`{text}` is after the scenario's horizon (it ends {}): no run can be sampled then; lengthen the scenario's `horizon` or drop the point",
                        clock.date(base.horizon_end()),
                    )));
                }
                Some(t)
            }
            When::After(d) => {
                if SimTime::ZERO.saturating_add(d) > base.horizon_end() {
                    return Err(at(format!(
                        "{} after the strike is beyond the scenario's whole horizon ({}): lengthen the scenario's `horizon` or drop the point",
                        d,
                        base.horizon_end().saturating_since(SimTime::ZERO)
                    )));
                }
                None
            }
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| FitError::Invalid(format!("cannot start {} threads: {e}", options.jobs)))?;
    let setup = Setup {
        doc: doc.clone(),
        params: params.to_vec(),
        strategy: options.strategy.clone(),
        runs: options.runs,
        seed: options.seed,
        incident: options.incident,
        kind: observed.kind,
        whens: observed.points.iter().map(|p| p.when).collect(),
        first_local: locals.iter().flatten().min().copied(),
        locals,
        observed: observed.points.iter().map(|p| p.value).collect(),
        pool,
    };
    // Every parameter must reach the scenario: try its bounds now, for a
    // message before any simulation.
    for p in params {
        let (lo, hi) = p.bounds();
        for v in [lo, hi] {
            let mut doc = doc.clone();
            param::apply(doc.value_mut(), p, v).map_err(|e| FitError::Invalid(e.to_string()))?;
        }
    }
    Ok(setup)
}

/// The fitted curve on `points` instants spanning the observations (and
/// the strike), from the best candidate's runs (simulated again).
pub fn band(fit: &Fit, doc: &Document, points: usize) -> Result<Band, FitError> {
    let params: Vec<Param> = fit.best.iter().map(|f| f.param.clone()).collect();
    let setup = prepare(doc, &fit.observed, &params, &fit.options)?;
    let values: Vec<f64> = fit.best.iter().map(|f| f.value).collect();
    let dates = fit.locals.iter().all(Option::is_some);
    let (whens, locals, times): (Vec<When>, Vec<Option<SimTime>>, Vec<SimTime>) = if dates {
        // From the strike of replication 0 (or the first point) to a fifth
        // past the last point.
        let first = fit
            .locals
            .iter()
            .flatten()
            .min()
            .copied()
            .unwrap_or(SimTime::ZERO);
        let last = fit.locals.iter().flatten().max().copied().unwrap_or(first);
        let o = crate::simulate(
            &fit.scenario,
            fit.scenario
                .strategy(&fit.options.strategy)
                .ok_or_else(|| FitError::Invalid("no strategy".into()))?,
            replication_seed(fit.options.seed, 0),
        )
        .map_err(|source| FitError::Run {
            candidate: setup.describe(&values),
            seed: replication_seed(fit.options.seed, 0),
            source,
        })?;
        let strike = o
            .incidents
            .iter()
            .rev()
            .find(|i| i.at <= first)
            .map_or(first, |i| i.at)
            .min(first);
        let span = last
            .as_millis()
            .saturating_sub(strike.as_millis())
            .max(3_600_000);
        let (t0, t1) = (
            strike.as_millis().saturating_sub(span / 20),
            last.as_millis() + span / 5,
        );
        let times: Vec<SimTime> = (0..points)
            .map(|i| SimTime::from_millis(t0 + (t1 - t0) * i as u64 / (points as u64 - 1).max(1)))
            .collect();
        let whens = times
            .iter()
            .map(|_| When::Local(jiff::civil::DateTime::default()))
            .collect();
        (whens, times.iter().map(|t| Some(*t)).collect(), times)
    } else {
        let last = fit
            .observed
            .points
            .iter()
            .filter_map(|p| match p.when {
                When::After(d) => Some(d.as_millis()),
                When::Local(_) => None,
            })
            .max()
            .unwrap_or(0)
            .max(3_600_000);
        let t1 = last + last / 5;
        let times: Vec<SimTime> = (0..points)
            .map(|i| SimTime::from_millis(t1 * i as u64 / (points as u64 - 1).max(1)))
            .collect();
        let whens = times
            .iter()
            .map(|t| When::After(crate::sim::SimDuration::from_millis(t.as_millis())))
            .collect();
        (whens, vec![None; points], times)
    };
    let samples = eval::simulate_at(&setup, &values, &whens, &locals)?;
    Ok(Band {
        p10: eval::per_instant(&samples, times.len(), 0.1),
        p50: eval::per_instant(&samples, times.len(), 0.5),
        p90: eval::per_instant(&samples, times.len(), 0.9),
        times,
    })
}
