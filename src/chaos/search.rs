//! The search: generations of [`BATCH`] candidate campaigns, the first
//! drawn at random from the space, the next bred from the worst found so
//! far (a fault's parameter moved to a neighbouring value, a fault added,
//! removed or replaced, two campaigns recombined) with a quarter still
//! drawn at random, so that the search climbs the objective's shortfall
//! (ties broken by the weighted impact) without settling on one hill.
//!
//! The candidate sequence depends only on the seed: the generation size
//! is fixed and the evaluations do not depend on the threads. A time
//! budget only decides how far along that sequence the search gets.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::space::{Campaign, canonical};
use super::{Chaos, ChaosError, Verdict};

/// Candidates per generation.
pub const BATCH: usize = 16;
/// Campaigns kept as parents.
const ELITE: usize = 8;

/// How long to search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Most candidates to evaluate.
    pub candidates: usize,
    /// Wall-clock limit, checked between generations.
    pub time: Option<Duration>,
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The candidate budget was spent.
    Done,
    /// The time budget ran out.
    Time,
    /// The caller asked to stop (Ctrl-C).
    Interrupted,
    /// The space has no more distinct campaigns to try.
    Exhausted,
}

/// One candidate tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Tried {
    /// The campaign.
    pub campaign: Campaign,
    /// Its verdict.
    pub verdict: Verdict,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Every candidate evaluated, in the order tried.
    pub tried: Vec<Tried>,
    /// Why it stopped.
    pub stop: Stop,
}

impl Found {
    /// The candidates that break the plan, worst first (ties: tried first).
    pub fn broken(&self) -> Vec<&Tried> {
        let mut out: Vec<&Tried> = self.tried.iter().filter(|t| t.verdict.broken()).collect();
        out.sort_by(|a, b| b.verdict.harm_cmp(&a.verdict));
        out
    }
}

/// Searches the space for campaigns that break the plan. `go_on` is asked
/// between waves of replications (`false`: stop, keeping what was fully
/// evaluated); `progress` is told after each generation the candidates
/// tried, the budget and the worst verdict so far.
pub fn search(
    chaos: &Chaos,
    budget: Budget,
    go_on: &(dyn Fn() -> bool + Sync),
    progress: &dyn Fn(usize, usize, Option<&Verdict>),
) -> Result<Found, ChaosError> {
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(chaos.seed ^ 0xC4A0_5EED);
    let mut seen: BTreeSet<Campaign> = BTreeSet::new();
    let mut tried: Vec<Tried> = Vec::new();
    let mut stop = Stop::Done;
    while tried.len() < budget.candidates {
        let n = BATCH.min(budget.candidates - tried.len());
        let batch = next_generation(chaos, &tried, &mut seen, &mut rng, n);
        if batch.is_empty() {
            stop = Stop::Exhausted;
            break;
        }
        let verdicts = chaos.evaluate(&batch, go_on)?;
        let Some(verdicts) = verdicts else {
            stop = Stop::Interrupted;
            break;
        };
        tried.extend(
            batch
                .into_iter()
                .zip(verdicts)
                .map(|(campaign, verdict)| Tried { campaign, verdict }),
        );
        let worst = tried
            .iter()
            .max_by(|a, b| a.verdict.harm_cmp(&b.verdict))
            .map(|t| &t.verdict);
        progress(tried.len(), budget.candidates, worst);
        if !go_on() {
            stop = Stop::Interrupted;
            break;
        }
        if budget.time.is_some_and(|t| started.elapsed() >= t) && tried.len() < budget.candidates {
            stop = Stop::Time;
            break;
        }
    }
    Ok(Found { tried, stop })
}

/// The next `n` distinct campaigns never tried: random at first, then bred
/// from the worst so far.
fn next_generation(
    chaos: &Chaos,
    tried: &[Tried],
    seen: &mut BTreeSet<Campaign>,
    rng: &mut ChaCha8Rng,
    n: usize,
) -> Vec<Campaign> {
    let space = &chaos.space;
    let mut order: Vec<&Tried> = tried.iter().collect();
    order.sort_by(|a, b| b.verdict.harm_cmp(&a.verdict));
    let elite: Vec<&Campaign> = order.iter().take(ELITE).map(|t| &t.campaign).collect();
    let mut out = Vec::with_capacity(n);
    let mut attempts = 0;
    while out.len() < n && attempts < n * 50 {
        attempts += 1;
        let mut c = if elite.is_empty() || rng.random_bool(0.25) {
            space.random_campaign(rng)
        } else {
            let parent = elite[rng.random_range(0..elite.len())].clone();
            match rng.random_range(0..5) {
                0 | 1 => mutate(chaos, parent, rng),
                2 => {
                    let mut c = parent;
                    c.push(space.random_fault(rng));
                    c
                }
                3 => {
                    let other = elite[rng.random_range(0..elite.len())];
                    let mut c = parent;
                    c.extend(other.iter().copied());
                    c
                }
                _ => {
                    let mut c = parent;
                    if c.len() > 1 {
                        c.remove(rng.random_range(0..c.len()));
                    }
                    c
                }
            }
        };
        canonical(&mut c);
        while c.len() > space.max_faults {
            c.remove(rng.random_range(0..c.len()));
        }
        if !c.is_empty() && seen.insert(c.clone()) {
            out.push(c);
        }
    }
    out
}

/// One fault of `c` with a parameter moved.
fn mutate(chaos: &Chaos, mut c: Campaign, rng: &mut ChaCha8Rng) -> Campaign {
    if c.is_empty() {
        return c;
    }
    let i = rng.random_range(0..c.len());
    c[i] = chaos.space.mutate_fault(c[i], rng);
    c
}
