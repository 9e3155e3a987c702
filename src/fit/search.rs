//! The search over candidates and the uncertainty of the best.
//!
//! - A grid when every parameter is a list or a small whole-number range
//!   and the grid has at most [`FULL_GRID_MAX`] points: every candidate.
//! - Otherwise a coordinate search: from the middle of every range, each
//!   parameter in turn is searched with the others held (its whole list,
//!   or a zooming grid: [`ZOOM_POINTS`] evenly spaced values, then the
//!   same number between the best one's neighbours, [`ZOOM_LEVELS`]
//!   times; whole numbers rounded), until a round changes nothing (at
//!   most [`ROUNDS`] rounds).
//! - With two or more parameters, the coordinate search is followed by
//!   **trade-off profiles** (for each pair, the first parameter at
//!   [`ZOOM_POINTS`] values across its range, the second searched along
//!   its line at each: the valley where they trade off) and a **joint
//!   refinement** around the best point (every point of the local grid of
//!   each parameter's neighbouring values, moving to a better one, halving
//!   the steps when none is; at most [`REFINE_MAX`] new candidates), so
//!   the search does not stop where a joint move improves.
//!
//! Every candidate runs the same replication seeds (common random
//! numbers), so the distance is a deterministic function of the values
//! and candidates differ by their values, not by their luck.

use std::collections::BTreeMap;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::eval::{Evaluation, evaluate, quantile, rms};
use super::param::{Param, Values};
use super::{FitError, Setup};

/// Largest full grid.
pub const FULL_GRID_MAX: usize = 400;
/// Values per level of a zooming grid.
pub const ZOOM_POINTS: usize = 9;
/// Levels of a zooming grid.
pub const ZOOM_LEVELS: usize = 4;
/// Most rounds of the coordinate search.
pub const ROUNDS: usize = 4;
/// Most new candidates the joint refinement evaluates.
pub const REFINE_MAX: usize = 200;
/// Bootstrap resamples of the replications.
pub const BOOTSTRAP: usize = 200;
/// A candidate is significantly worse than the best when it is worse in
/// more than this share of the resamples.
pub const WORSE: f64 = 0.975;

/// The candidates evaluated, in order, and the search's name.
pub struct Searched {
    /// Every candidate evaluated, in the order evaluated.
    pub evaluations: Vec<Evaluation>,
    /// `grid` or `coordinate search`.
    pub method: &'static str,
    /// Candidates added by the trade-off profiles and by the joint
    /// refinement (zero for a grid or a single parameter).
    pub profiled: usize,
    /// Candidates added by the joint refinement.
    pub refined: usize,
    /// Whether the progress callback stopped it.
    pub stopped: bool,
}

struct Searcher<'a> {
    setup: &'a Setup,
    params: &'a [Param],
    cache: BTreeMap<Vec<u64>, usize>,
    evaluations: Vec<Evaluation>,
    progress: &'a (dyn Fn(usize) -> bool + Sync),
    stopped: bool,
}

impl Searcher<'_> {
    /// The distance of `values`, evaluating them once.
    fn distance(&mut self, values: &[f64]) -> Result<f64, FitError> {
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        if let Some(&k) = self.cache.get(&key) {
            return Ok(self.evaluations[k].distance);
        }
        if self.stopped {
            return Ok(f64::INFINITY);
        }
        let e = evaluate(self.setup, values)?;
        let d = e.distance;
        self.cache.insert(key, self.evaluations.len());
        self.evaluations.push(e);
        if !(self.progress)(self.evaluations.len()) {
            self.stopped = true;
        }
        Ok(d)
    }

    /// The best value of parameter `p` with the others as in `at`.
    fn line(&mut self, p: usize, at: &[f64]) -> Result<f64, FitError> {
        let params = self.params;
        let param = &params[p];
        let integer = param.integer();
        let mut best = (f64::INFINITY, at[p]);
        let try_all = |s: &mut Self, values: &[f64], best: &mut (f64, f64)| {
            for &v in values {
                let mut x = at.to_vec();
                x[p] = v;
                let d = s.distance(&x)?;
                if d < best.0 || (d == best.0 && v < best.1 && best.0.is_finite()) {
                    *best = (d, v);
                }
            }
            Ok::<(), FitError>(())
        };
        match &param.values {
            Values::List(values) => try_all(self, values, &mut best)?,
            Values::Int(..) | Values::Real(..) => {
                let (lo0, hi0) = param.bounds();
                let (mut lo, mut hi) = (lo0, hi0);
                for _ in 0..ZOOM_LEVELS {
                    let values = zoom(lo, hi, integer);
                    try_all(self, &values, &mut best)?;
                    let step = (hi - lo) / (ZOOM_POINTS - 1) as f64;
                    if integer && step <= 1.0 {
                        break;
                    }
                    lo = (best.1 - step).max(lo0);
                    hi = (best.1 + step).min(hi0);
                }
            }
        }
        Ok(best.1)
    }
}

impl Searcher<'_> {
    /// The trade-off profiles: for each pair of parameters `p < q`, `p`
    /// at [`profile_values`] with the others as in `at`, and `q` searched
    /// along its line at each.
    fn profiles(&mut self, at: &[f64]) -> Result<(), FitError> {
        let n = self.params.len();
        for p in 0..n {
            for q in p + 1..n {
                for v in profile_values(&self.params[p]) {
                    if self.stopped {
                        return Ok(());
                    }
                    let mut x = at.to_vec();
                    x[p] = v;
                    self.line(q, &x)?;
                }
            }
        }
        Ok(())
    }

    /// The joint refinement from `at`: every point of the local grid
    /// (each parameter at its value, one step below or one above: 3ⁿ − 1
    /// neighbours), moving to the best when it beats `at`, halving the
    /// steps of ranges when none does, until the steps are the zooming
    /// grid's finest (one for whole numbers, the next item for lists) and
    /// nothing improves, or [`REFINE_MAX`] new candidates were evaluated.
    fn refine(&mut self, mut at: Vec<f64>) -> Result<(), FitError> {
        let params = self.params;
        let n = params.len();
        let start = self.evaluations.len();
        let mut step: Vec<f64> = params.iter().map(first_step).collect();
        let finest: Vec<f64> = params.iter().map(finest_step).collect();
        let mut d_at = self.distance(&at)?;
        let total = 3usize.saturating_pow(n as u32);
        loop {
            let mut better: Option<(f64, Vec<f64>)> = None;
            for k in 1..total {
                if self.stopped || self.evaluations.len() - start >= REFINE_MAX {
                    return Ok(());
                }
                let mut digits = k;
                let x: Vec<f64> = (0..n)
                    .map(|p| {
                        let d = digits % 3;
                        digits /= 3;
                        let dir = [0.0, -1.0, 1.0][d];
                        neighbour(&params[p], at[p], dir, step[p])
                    })
                    .collect();
                if x == at {
                    continue;
                }
                let d = self.distance(&x)?;
                if d < better.as_ref().map_or(d_at, |b| b.0) {
                    better = Some((d, x));
                }
            }
            if let Some((d, x)) = better {
                at = x;
                d_at = d;
                continue;
            }
            let mut shrunk = false;
            for p in 0..n {
                if step[p] > finest[p] {
                    let half = step[p] / 2.0;
                    step[p] = if params[p].integer() {
                        half.round().max(finest[p])
                    } else {
                        half.max(finest[p])
                    };
                    shrunk = true;
                }
            }
            if !shrunk {
                return Ok(());
            }
        }
    }
}

/// The values a trade-off profile holds a parameter at: a list's items
/// (at most [`ZOOM_POINTS`], evenly spread), or the first zooming grid.
fn profile_values(param: &Param) -> Vec<f64> {
    match &param.values {
        Values::List(v) if v.len() <= ZOOM_POINTS => v.clone(),
        Values::List(v) => {
            let mut out: Vec<f64> = (0..ZOOM_POINTS)
                .map(|i| v[i * (v.len() - 1) / (ZOOM_POINTS - 1)])
                .collect();
            out.dedup();
            out
        }
        Values::Int(..) | Values::Real(..) => {
            let (lo, hi) = param.bounds();
            zoom(lo, hi, param.integer())
        }
    }
}

/// The first step of the joint refinement: the first zooming grid's
/// spacing (at least one for whole numbers; one item for lists).
fn first_step(param: &Param) -> f64 {
    match &param.values {
        Values::List(_) => 1.0,
        Values::Int(..) | Values::Real(..) => {
            let (lo, hi) = param.bounds();
            let step = (hi - lo) / (ZOOM_POINTS - 1) as f64;
            if param.integer() {
                step.round().max(1.0)
            } else {
                step
            }
        }
    }
}

/// The last step of the joint refinement: the zooming grid's finest.
fn finest_step(param: &Param) -> f64 {
    match &param.values {
        Values::List(_) => 1.0,
        Values::Int(..) => 1.0,
        Values::Real(..) => {
            let mut step = first_step(param);
            for _ in 1..ZOOM_LEVELS {
                step /= 4.0;
            }
            step
        }
    }
}

/// `v` moved by `dir` steps of `step` within the parameter's values: the
/// next or previous item of a list (the same at its ends), else clamped
/// to the range and rounded for whole numbers.
fn neighbour(param: &Param, v: f64, dir: f64, step: f64) -> f64 {
    match &param.values {
        Values::List(items) => {
            let i = items.iter().position(|x| *x == v).unwrap_or(0);
            let j = if dir < 0.0 {
                i.saturating_sub(1)
            } else if dir > 0.0 {
                (i + 1).min(items.len().saturating_sub(1))
            } else {
                i
            };
            items.get(j).copied().unwrap_or(v)
        }
        Values::Int(..) | Values::Real(..) => {
            let (lo, hi) = param.bounds();
            let x = (v + dir * step).clamp(lo, hi);
            if param.integer() { x.round() } else { x }
        }
    }
}

/// [`ZOOM_POINTS`] values evenly spaced from `lo` to `hi` (rounded and
/// without repeats for whole numbers).
fn zoom(lo: f64, hi: f64, integer: bool) -> Vec<f64> {
    let mut out: Vec<f64> = (0..ZOOM_POINTS)
        .map(|i| lo + (hi - lo) * i as f64 / (ZOOM_POINTS - 1) as f64)
        .map(|v| if integer { v.round() } else { v })
        .collect();
    out.dedup();
    out
}

/// The middle of a parameter's values.
fn middle(param: &Param) -> f64 {
    match &param.values {
        Values::List(v) => v[v.len() / 2],
        Values::Int(a, b) => ((a + b) / 2) as f64,
        Values::Real(a, b) => (a + b) / 2.0,
    }
}

/// Searches the candidates.
pub fn search(
    setup: &Setup,
    params: &[Param],
    progress: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Searched, FitError> {
    let mut s = Searcher {
        setup,
        params,
        cache: BTreeMap::new(),
        evaluations: Vec::new(),
        progress,
        stopped: false,
    };
    let lists: Option<Vec<&Vec<f64>>> = params
        .iter()
        .map(|p| match &p.values {
            Values::List(v) => Some(v),
            _ => None,
        })
        .collect();
    let size = lists
        .as_ref()
        .map(|l| l.iter().map(|v| v.len()).product::<usize>());
    if let (Some(lists), Some(size)) = (lists, size)
        && size <= FULL_GRID_MAX
    {
        let mut grid: Vec<Vec<f64>> = vec![Vec::new()];
        for values in lists {
            grid = grid
                .into_iter()
                .flat_map(|p| {
                    values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push(*v);
                        q
                    })
                })
                .collect();
        }
        for point in &grid {
            s.distance(point)?;
        }
        return Ok(Searched {
            evaluations: s.evaluations,
            method: "grid",
            profiled: 0,
            refined: 0,
            stopped: s.stopped,
        });
    }
    let mut at: Vec<f64> = params.iter().map(middle).collect();
    for _ in 0..ROUNDS {
        let mut changed = false;
        for p in 0..params.len() {
            let v = s.line(p, &at)?;
            if v != at[p] {
                at[p] = v;
                changed = true;
            }
        }
        if !changed || s.stopped {
            break;
        }
    }
    let (mut profiled, mut refined) = (0, 0);
    if params.len() >= 2 && !s.stopped {
        let before = s.evaluations.len();
        s.profiles(&at)?;
        profiled = s.evaluations.len() - before;
        let from = s.evaluations[best(&s.evaluations)].values.clone();
        let before = s.evaluations.len();
        s.refine(from)?;
        refined = s.evaluations.len() - before;
    }
    Ok(Searched {
        evaluations: s.evaluations,
        method: "coordinate search",
        profiled,
        refined,
        stopped: s.stopped,
    })
}

/// The index of the best evaluation: the smallest distance, the first
/// evaluated among equals.
pub fn best(evaluations: &[Evaluation]) -> usize {
    let mut b = 0;
    for (k, e) in evaluations.iter().enumerate() {
        if e.distance < evaluations[b].distance {
            b = k;
        }
    }
    b
}

/// Two parameters that trade off: among the candidates not
/// significantly worse than the best, those at the smallest value of the
/// first and those at its largest hold the second at values that do not
/// overlap (the second that fits moves with the first: a ridge).
#[derive(Clone, Debug, PartialEq)]
pub struct TradeOff {
    /// The two parameters, by index.
    pub params: (usize, usize),
    /// The not-worse candidates at the first parameter's smallest and
    /// largest value (the closest of each), by index in the evaluations.
    pub ends: (usize, usize),
}

/// The pairs of parameters that trade off (see [`TradeOff`]) among the
/// candidates `kept` (not significantly worse than the best).
pub fn trade_offs(evaluations: &[Evaluation], kept: &[bool]) -> Vec<TradeOff> {
    let n = evaluations.first().map_or(0, |e| e.values.len());
    let kept: Vec<usize> = (0..evaluations.len())
        .filter(|&k| kept.get(k).copied().unwrap_or(false))
        .collect();
    let mut out = Vec::new();
    for p in 0..n {
        for q in 0..n {
            if p == q {
                continue;
            }
            let values = kept.iter().map(|&k| evaluations[k].values[p]);
            let lo = values.clone().fold(f64::INFINITY, f64::min);
            let hi = values.fold(f64::NEG_INFINITY, f64::max);
            if lo >= hi {
                continue;
            }
            // The second's span at each end, and the closest candidate there.
            let end = |x: f64| {
                let at: Vec<usize> = kept
                    .iter()
                    .copied()
                    .filter(|&k| evaluations[k].values[p] == x)
                    .collect();
                let q_lo = at.iter().map(|&k| evaluations[k].values[q]);
                let span = (
                    q_lo.clone().fold(f64::INFINITY, f64::min),
                    q_lo.fold(f64::NEG_INFINITY, f64::max),
                );
                let closest = best_of(evaluations, &at);
                (span, closest)
            };
            let ((a_lo, a_hi), a) = end(lo);
            let ((b_lo, b_hi), b) = end(hi);
            let apart = a_hi < b_lo || b_hi < a_lo;
            // Each pair once: the first in the order given that trades.
            if apart && !out.iter().any(|t: &TradeOff| t.params == (q, p)) {
                out.push(TradeOff {
                    params: (p, q),
                    ends: (a, b),
                });
            }
        }
    }
    out
}

/// The closest of the candidates `among` (the first among equals).
fn best_of(evaluations: &[Evaluation], among: &[usize]) -> usize {
    let mut b = among.first().copied().unwrap_or(0);
    for &k in among {
        if evaluations[k].distance < evaluations[b].distance {
            b = k;
        }
    }
    b
}

/// Which candidates are not significantly worse than the best: a paired
/// bootstrap over the replications. Each of [`BOOTSTRAP`] resamples draws
/// the replications with replacement (the same draw for every candidate:
/// they share their seeds) and recomputes every candidate's distance; a
/// candidate is significantly worse when its distance exceeds the best's
/// in more than [`WORSE`] of the resamples. The draws come from `seed`.
pub fn not_worse(
    evaluations: &[Evaluation],
    best: usize,
    observed: &[f64],
    seed: u64,
) -> Vec<bool> {
    let runs = evaluations.first().map_or(0, |e| e.samples.len());
    let points = observed.len();
    if runs == 0 {
        return vec![true; evaluations.len()];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut worse = vec![0usize; evaluations.len()];
    let mut pick = vec![0usize; runs];
    let mut col = vec![0.0; runs];
    let mut distances = vec![0.0; evaluations.len()];
    for _ in 0..BOOTSTRAP {
        for p in pick.iter_mut() {
            *p = rng.random_range(0..runs);
        }
        for (k, e) in evaluations.iter().enumerate() {
            let median: Vec<f64> = (0..points)
                .map(|p| {
                    for (c, &i) in col.iter_mut().zip(&pick) {
                        *c = e.samples[i][p];
                    }
                    quantile(&mut col, 0.5)
                })
                .collect();
            distances[k] = rms(&median, observed);
        }
        for (k, d) in distances.iter().enumerate() {
            if *d > distances[best] {
                worse[k] += 1;
            }
        }
    }
    worse
        .iter()
        .map(|&w| (w as f64) <= WORSE * BOOTSTRAP as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(values: f64, samples: Vec<Vec<f64>>, observed: &[f64]) -> Evaluation {
        let n = observed.len();
        let median = super::super::eval::per_instant(&samples, n, 0.5);
        Evaluation {
            values: vec![values],
            distance: rms(&median, observed),
            median,
            samples,
        }
    }

    #[test]
    fn the_bootstrap_keeps_close_candidates_and_drops_far_ones() {
        let observed = [10.0];
        // Runs spread around 10, 10.5 and 20.
        let runs = |centre: f64| -> Vec<Vec<f64>> {
            (0..40)
                .map(|i| vec![centre + (i % 7) as f64 - 3.0])
                .collect()
        };
        let evals = vec![
            candidate(1.0, runs(10.0), &observed),
            candidate(2.0, runs(10.5), &observed),
            candidate(3.0, runs(20.0), &observed),
        ];
        assert_eq!(best(&evals), 0);
        let kept = not_worse(&evals, 0, &observed, 7);
        assert_eq!(kept, vec![true, true, false]);
        // The same draws for the same seed.
        assert_eq!(kept, not_worse(&evals, 0, &observed, 7));
    }

    fn at(values: Vec<f64>, distance: f64) -> Evaluation {
        Evaluation {
            values,
            distance,
            median: vec![],
            samples: vec![],
        }
    }

    #[test]
    fn a_ridge_of_kept_pairs_is_a_trade_off_and_a_box_is_not() {
        // Kept along a diagonal: 4 engineers fit at scale 0.5, 8 at 1.
        let ridge = vec![
            at(vec![4.0, 0.5], 1.0),
            at(vec![6.0, 0.75], 0.0),
            at(vec![8.0, 1.0], 0.5),
            at(vec![8.0, 0.5], 9.0),
        ];
        let t = trade_offs(&ridge, &[true, true, true, false]);
        assert_eq!(
            t,
            vec![TradeOff {
                params: (0, 1),
                ends: (0, 2)
            }]
        );
        // Kept on a box: each value of one fits with every value of the other.
        let square = vec![
            at(vec![4.0, 0.5], 1.0),
            at(vec![4.0, 1.0], 1.0),
            at(vec![8.0, 0.5], 1.0),
            at(vec![8.0, 1.0], 1.0),
        ];
        assert_eq!(trade_offs(&square, &[true; 4]), vec![]);
    }

    #[test]
    fn zooming_grids_round_whole_numbers_without_repeats() {
        assert_eq!(
            zoom(0.0, 8.0, false),
            (0..9).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(zoom(4.0, 6.0, true), vec![4.0, 5.0, 6.0]);
    }
}
