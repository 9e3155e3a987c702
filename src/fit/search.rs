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
    Ok(Searched {
        evaluations: s.evaluations,
        method: "coordinate search",
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

    #[test]
    fn zooming_grids_round_whole_numbers_without_repeats() {
        assert_eq!(
            zoom(0.0, 8.0, false),
            (0..9).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(zoom(4.0, 6.0, true), vec![4.0, 5.0, 6.0]);
    }
}
