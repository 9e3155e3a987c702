//! Combinations of levers with costs, and the Pareto frontier of cost
//! against the headline metric.
//!
//! Only levers with a cost are combined. Every combination of 2 to
//! `combine` of them is tried when there are at most
//! [`MAX_COMBO_VARIANTS`] for each size; beyond that the search is a beam,
//! deterministic: the combinations of size *k* are the [`BEAM`] best of
//! size *k − 1* (by gain on the headline, then lower cost, then the
//! levers' order) each extended by every other lever, at most
//! [`MAX_COMBO_VARIANTS`] of them in that order.

use super::{Advice, AdviseError, Cost, Effect, Lever, Request, apply_all, evaluate};
use crate::montecarlo::{MetricDef, Variant, VariantMetric};

/// Most combinations simulated for one size.
pub const MAX_COMBO_VARIANTS: usize = 64;
/// How many of the best combinations of one size are extended to the next
/// when there are too many to try them all.
pub const BEAM: usize = 8;

/// A set of levers taken together (one lever alone, or none: the plan).
#[derive(Clone, Debug, PartialEq)]
pub struct Combo {
    /// The levers' ids, in the order given.
    pub levers: Vec<String>,
    /// Their summed cost.
    pub cost: Cost,
    /// Per metric of [`Advice::metrics`], the effect against the plan.
    pub effects: Vec<Effect>,
}

fn n_choose(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Every `k`-subset of `0..n`, in lexicographic order.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur: Vec<usize> = (0..k).collect();
    if k == 0 || k > n {
        return out;
    }
    loop {
        out.push(cur.clone());
        let Some(i) = (0..k).rev().find(|&i| cur[i] < n - k + i) else {
            return out;
        };
        cur[i] += 1;
        for j in i + 1..k {
            cur[j] = cur[j - 1] + 1;
        }
    }
}

fn sum_cost(levers: &[&Lever]) -> Cost {
    levers.iter().fold(Cost::default(), |c, l| {
        let x = l.cost.unwrap_or_default();
        Cost {
            money_per_year: c.money_per_year + x.money_per_year,
            people: c.people + x.people,
        }
    })
}

/// The combinations of 2 to `req.combine` costed levers, simulated.
pub(super) fn search(
    req: &Request,
    advice: &Advice,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Vec<Combo>, AdviseError> {
    // The costed levers, in the order given.
    let pool: Vec<&Lever> = req.levers.iter().filter(|l| l.cost.is_some()).collect();
    let h = advice.headline;
    let mut out: Vec<Combo> = Vec::new();
    let mut prev: Vec<Vec<usize>> = (0..pool.len()).map(|i| vec![i]).collect();
    let mut prev_gain: Vec<(f64, f64)> = prev
        .iter()
        .map(|s| {
            let r = advice.levers.iter().find(|r| r.lever.id == pool[s[0]].id);
            let g = r.map_or(f64::NEG_INFINITY, |r| r.gain(&advice.metrics, h));
            (g, pool[s[0]].cost.unwrap_or_default().money_per_year)
        })
        .collect();
    for k in 2..=req.combine.min(pool.len()) {
        let sets = if n_choose(pool.len(), k) <= MAX_COMBO_VARIANTS {
            subsets(pool.len(), k)
        } else {
            beam(&prev, &prev_gain, pool.len())
        };
        let mut tried = Vec::new();
        let mut variants = Vec::new();
        for s in &sets {
            let ls: Vec<Lever> = s.iter().map(|&i| pool[i].clone()).collect();
            // A combination that fails to apply is left out (its levers are
            // reported one by one when they fail alone).
            if let Ok(scenario) = apply_all(&ls, req.doc) {
                let name = ls
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ");
                variants.push(Variant { name, scenario });
                tried.push(s.clone());
            }
        }
        if variants.is_empty() {
            break;
        }
        let result = evaluate(req, &variants, progress)?;
        let mut gains = Vec::new();
        for (s, v) in tried.iter().zip(&result.variants) {
            let ls: Vec<&Lever> = s.iter().map(|&i| pool[i]).collect();
            let effects: Vec<Effect> = result
                .base
                .metrics
                .iter()
                .zip(&v.metrics)
                .zip(&result.metrics)
                .map(|((b, m), def): ((&VariantMetric, &VariantMetric), _)| Effect::of(def, b, m))
                .collect();
            let gain = gain_of(&advice.metrics, h, &effects);
            let cost = sum_cost(&ls);
            gains.push((gain, cost.money_per_year));
            out.push(Combo {
                levers: ls.iter().map(|l| l.id.clone()).collect(),
                cost,
                effects,
            });
        }
        prev = tried;
        prev_gain = gains;
    }
    Ok(out)
}

fn gain_of(metrics: &[MetricDef], m: usize, effects: &[Effect]) -> f64 {
    let e = &effects[m];
    if super::higher_is_better(&metrics[m]) {
        e.diff
    } else {
        -e.diff
    }
}

/// The next size's sets: the [`BEAM`] best of `prev` each extended by
/// every lever not in it, without duplicates, at most
/// [`MAX_COMBO_VARIANTS`].
fn beam(prev: &[Vec<usize>], gains: &[(f64, f64)], n: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..prev.len()).collect();
    order.sort_by(|&a, &b| {
        gains[b]
            .0
            .total_cmp(&gains[a].0)
            .then(gains[a].1.total_cmp(&gains[b].1))
            .then(prev[a].cmp(&prev[b]))
    });
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &p in order.iter().take(BEAM) {
        for i in 0..n {
            if prev[p].contains(&i) {
                continue;
            }
            let mut s = prev[p].clone();
            s.push(i);
            s.sort_unstable();
            if !out.contains(&s) {
                out.push(s);
            }
            if out.len() == MAX_COMBO_VARIANTS {
                return out;
            }
        }
    }
    out
}

/// The cost a frontier is drawn against: money per year when any lever
/// has one, else people.
pub fn cost_axis(combos: &[Combo]) -> fn(&Cost) -> f64 {
    if combos.iter().any(|c| c.cost.money_per_year > 0.0) {
        |c| c.money_per_year
    } else {
        |c| c.people
    }
}

/// The Pareto frontier of `combos` (which should hold the plan, cost 0):
/// those no other beats on both cost and the headline's value, by
/// increasing cost.
pub fn frontier(combos: &[Combo], metrics: &[MetricDef], headline: usize) -> Vec<usize> {
    let cost = cost_axis(combos);
    let up = super::higher_is_better(&metrics[headline]);
    let value = |c: &Combo| {
        let v = c.effects[headline].value;
        if up { v } else { -v }
    };
    let mut idx: Vec<usize> = (0..combos.len()).collect();
    idx.sort_by(|&a, &b| {
        cost(&combos[a].cost)
            .total_cmp(&cost(&combos[b].cost))
            .then(value(&combos[b]).total_cmp(&value(&combos[a])))
            .then(a.cmp(&b))
    });
    let mut out = Vec::new();
    let mut best = f64::NEG_INFINITY;
    for i in idx {
        if value(&combos[i]) > best {
            best = value(&combos[i]);
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{beam, n_choose, subsets};

    #[test]
    fn subsets_are_every_k_subset_in_order() {
        assert_eq!(subsets(4, 2).len(), n_choose(4, 2));
        assert_eq!(subsets(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(n_choose(20, 3), 1140);
    }

    #[test]
    fn the_beam_extends_the_best_sets_first() {
        let prev = vec![vec![0], vec![1], vec![2]];
        let gains = [(1.0, 0.0), (5.0, 0.0), (3.0, 0.0)];
        let next = beam(&prev, &gains, 3);
        assert_eq!(next, vec![vec![0, 1], vec![1, 2], vec![0, 2]]);
    }
}
