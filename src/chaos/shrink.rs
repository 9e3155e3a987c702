//! Shrinking a breaking campaign to a minimal one, on the same random
//! numbers (the same seed, so every evaluation sees the same draws):
//!
//! 1. fewer faults: delta debugging by single removals, until removing
//!    any one fault makes the campaign stop breaking (1-minimal);
//! 2. milder parameters, fault by fault, keeping the mildest that still
//!    breaks: a narrower scope, a milder effect, a later trigger (the
//!    latest candidate instant of the space at which the bug still
//!    breaks the plan: the least warning the plan needs), a lower
//!    DR-host failure probability, and the shortest outage (searched
//!    down to [`GRANULE`] minutes, on the assumption that a longer
//!    outage harms no less);
//! 3. fewer faults again, since milder parameters may make one needless.

use super::space::{Campaign, Effect, Fault, Scope};
use super::{Chaos, ChaosError, Verdict};

/// The finest step of a shrunk outage, in minutes.
pub const GRANULE: u32 = 15;
/// Points tried at once when shortening an outage.
const POINTS: u32 = 7;
/// Most later instants tried for a bug's trigger (the latest first).
const LATER: usize = 16;

/// A shrunk campaign.
#[derive(Clone, Debug, PartialEq)]
pub struct Shrunk {
    /// The campaign found by the search.
    pub original: Campaign,
    /// The minimal campaign.
    pub campaign: Campaign,
    /// Its verdict.
    pub verdict: Verdict,
    /// The criterion it breaks (index into the judge's).
    pub criterion: usize,
    /// The verdict without each of its faults (the 1-minimality proof).
    pub without: Vec<Verdict>,
    /// Evaluations spent.
    pub evaluations: usize,
    /// Whether shrinking ran to the end (not stopped by Ctrl-C): only
    /// then is the campaign known to be 1-minimal.
    pub complete: bool,
}

struct Shrinker<'a> {
    chaos: &'a Chaos,
    criterion: usize,
    go_on: &'a (dyn Fn() -> bool + Sync),
    evaluations: usize,
    interrupted: bool,
}

impl Shrinker<'_> {
    /// The verdicts of campaigns; an interruption is an error-free `None`.
    fn eval(&mut self, cs: &[Campaign]) -> Result<Option<Vec<Verdict>>, ChaosError> {
        if self.interrupted {
            return Ok(None);
        }
        self.evaluations += cs.len();
        let r = self.chaos.evaluate(cs, self.go_on)?;
        self.interrupted = r.is_none();
        Ok(r)
    }

    fn breaks(&self, v: &Verdict) -> bool {
        v.measures.get(self.criterion).is_some_and(|m| m.breaks)
    }

    /// The first of `cs` that breaks, with its verdict.
    fn first_breaking(
        &mut self,
        cs: Vec<Campaign>,
    ) -> Result<Option<Option<(Campaign, Verdict)>>, ChaosError> {
        let Some(vs) = self.eval(&cs)? else {
            return Ok(None);
        };
        Ok(Some(cs.into_iter().zip(vs).find(|(_, v)| self.breaks(v))))
    }

    /// Removes faults one at a time while it still breaks.
    fn fewer(
        &mut self,
        mut c: Campaign,
        mut v: Verdict,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        while c.len() > 1 {
            let removals: Vec<Campaign> = (0..c.len()).map(|i| without(&c, i)).collect();
            match self.first_breaking(removals)? {
                Some(Some((smaller, sv))) => (c, v) = (smaller, sv),
                _ => break,
            }
        }
        Ok((c, v))
    }

    /// Makes each fault's parameters milder while it still breaks.
    fn milder(
        &mut self,
        mut c: Campaign,
        mut v: Verdict,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        for i in 0..c.len() {
            for group in 0..3 {
                // Rebuilt from the fault as it is now (its scope may
                // have narrowed); the campaign keeps its order until
                // the end, so the fault stays at `i`.
                let Some(alternatives) = self.alternatives(c[i]).into_iter().nth(group) else {
                    break;
                };
                let cs: Vec<Campaign> = alternatives.iter().map(|f| with(&c, i, *f)).collect();
                if let Some(Some((smaller, sv))) = self.first_breaking(cs)? {
                    (c, v) = (smaller, sv);
                }
            }
            if let Fault::Outage { .. } = c[i] {
                (c, v) = self.shorter(c, i, v)?;
            }
        }
        c.sort();
        Ok((c, v))
    }

    /// Milder variants of a fault, in groups tried in turn (scope, then
    /// effect, then a later trigger), each group mildest first.
    fn alternatives(&self, f: Fault) -> Vec<Vec<Fault>> {
        let space = &self.chaos.space;
        match f {
            Fault::Bug {
                source,
                at,
                scope,
                effect,
            } => {
                let src = &space.sources[source as usize];
                let scopes: Vec<Fault> = space
                    .scopes(src)
                    .into_iter()
                    .take_while(|s| *s != scope)
                    .filter(|s| narrower(*s, scope))
                    .map(|scope| Fault::Bug {
                        source,
                        at,
                        scope,
                        effect,
                    })
                    .collect();
                let effects: Vec<Effect> = match effect {
                    Effect::Crash => Vec::new(),
                    Effect::Corrupt(p) => std::iter::once(Effect::Crash)
                        .chain(
                            space
                                .effects(src)
                                .into_iter()
                                .filter(|e| matches!(e, Effect::Corrupt(q) if *q < p)),
                        )
                        .collect(),
                    // A never-fixed recurrence may soften into a slow
                    // vendor's workaround.
                    Effect::Recurrence => space
                        .effects(src)
                        .into_iter()
                        .filter(|e| {
                            matches!(e, Effect::Crash | Effect::Corrupt(_) | Effect::SlowVendor)
                        })
                        .collect(),
                    _ => space
                        .effects(src)
                        .into_iter()
                        .filter(|e| matches!(e, Effect::Crash | Effect::Corrupt(_)))
                        .collect(),
                };
                // The candidate instants after the trigger, the latest
                // first: the first that still breaks is kept.
                let later: Vec<Fault> = match at {
                    Some(m) => space
                        .moments
                        .iter()
                        .rev()
                        .map(|x| x.minute)
                        .filter(|&x| x > m)
                        .take(LATER)
                        .map(|x| Fault::Bug {
                            source,
                            at: Some(x),
                            scope,
                            effect,
                        })
                        .collect(),
                    None => Vec::new(),
                };
                vec![
                    scopes,
                    effects
                        .into_iter()
                        .map(|effect| Fault::Bug {
                            source,
                            at,
                            scope,
                            effect,
                        })
                        .collect(),
                    later,
                ]
            }
            Fault::DrHost { percent } => vec![
                [5u8, 10, 20, 50]
                    .into_iter()
                    .filter(|p| *p < percent)
                    .map(|percent| Fault::DrHost { percent })
                    .collect(),
            ],
            Fault::Outage { .. } => Vec::new(),
        }
    }

    /// The shortest outage `i` that still breaks, to [`GRANULE`] minutes.
    fn shorter(
        &mut self,
        c: Campaign,
        i: usize,
        v: Verdict,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        let Fault::Outage { what, at, minutes } = c[i] else {
            return Ok((c, v));
        };
        // Breaks at `hi`; assumed not to at `lo`.
        let (mut lo, mut hi) = (0u32, minutes);
        let mut best = (c.clone(), v);
        while hi - lo > GRANULE {
            let step = ((hi - lo) / (POINTS + 1)).max(GRANULE);
            let points: Vec<u32> = (1..=POINTS)
                .map(|k| lo + k * step)
                .map(|m| (m / GRANULE * GRANULE).max(GRANULE))
                .filter(|m| *m > lo && *m < hi)
                .collect::<std::collections::BTreeSet<u32>>()
                .into_iter()
                .collect();
            if points.is_empty() {
                break;
            }
            let cs: Vec<Campaign> = points
                .iter()
                .map(|&m| {
                    with(
                        &c,
                        i,
                        Fault::Outage {
                            what,
                            at,
                            minutes: m,
                        },
                    )
                })
                .collect();
            let Some(vs) = self.eval(&cs)? else {
                break;
            };
            let first = points.iter().zip(cs).zip(vs).find(|(_, v)| self.breaks(v));
            match first {
                Some(((&m, smaller), sv)) => {
                    let k = points.iter().position(|p| *p == m).unwrap_or(0);
                    lo = if k == 0 { lo } else { points[k - 1] };
                    hi = m;
                    best = (smaller, sv);
                }
                None => lo = points[points.len() - 1],
            }
        }
        Ok(best)
    }
}

/// Whether scope `a` is strictly narrower than `b` (a host than its
/// cluster, anything than every host on the build).
fn narrower(a: Scope, b: Scope) -> bool {
    let rank = |s: Scope| match s {
        Scope::Host(_) => 0,
        Scope::Cluster(_) => 1,
        Scope::Site(_) => 2,
        Scope::AsWritten => 3,
        Scope::Build => 4,
    };
    rank(a) < rank(b) && !(b == Scope::AsWritten && rank(a) > 0)
}

fn without(c: &Campaign, i: usize) -> Campaign {
    let mut out = c.clone();
    out.remove(i);
    out
}

fn with(c: &Campaign, i: usize, f: Fault) -> Campaign {
    let mut out = c.clone();
    out[i] = f;
    out
}

/// Shrinks `campaign` (which breaks with `verdict`) to a minimal campaign
/// breaking the same criterion. `go_on` is asked between waves of
/// replications; stopped, it returns the smallest found so far.
pub fn shrink(
    chaos: &Chaos,
    campaign: &Campaign,
    verdict: &Verdict,
    go_on: &(dyn Fn() -> bool + Sync),
) -> Result<Shrunk, ChaosError> {
    let criterion = verdict.worst();
    let mut s = Shrinker {
        chaos,
        criterion,
        go_on,
        evaluations: 0,
        interrupted: false,
    };
    let (c, v) = s.fewer(campaign.clone(), verdict.clone())?;
    let (c, v) = s.milder(c, v)?;
    let (c, v) = s.fewer(c, v)?;
    let removals: Vec<Campaign> = if c.len() > 1 {
        (0..c.len()).map(|i| without(&c, i)).collect()
    } else {
        Vec::new()
    };
    let without = s.eval(&removals)?.unwrap_or_default();
    Ok(Shrunk {
        original: campaign.clone(),
        campaign: c,
        verdict: v,
        criterion,
        without,
        evaluations: s.evaluations,
        complete: !s.interrupted,
    })
}
