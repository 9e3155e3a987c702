//! Shrinking a breaking campaign to a minimal one, on the same random
//! numbers (the same seed, so every evaluation sees the same draws):
//!
//! 1. fewer faults: delta debugging by single removals, until removing
//!    any one fault makes the campaign stop breaking (1-minimal);
//! 2. milder parameters, fault by fault, keeping the mildest that still
//!    breaks: a narrower scope, a milder effect, a later trigger (the
//!    latest candidate instant of the space at which the bug still
//!    breaks the plan: the least warning the plan needs), a lower
//!    DR-host failure probability, fewer members absent; then, for an
//!    outage or an absence, the latest start (searched up to the end of
//!    the window) and the shortest duration (searched down), both to
//!    [`GRANULE`] minutes, on the assumption that breaking is monotone
//!    in each (an earlier start, a longer outage harm no less). The start
//!    moves first, so that the two boundaries found together are tight:
//!    the outage starts as late and ends as early as still breaks;
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
            if matches!(c[i], Fault::Outage { .. } | Fault::Absence { .. }) {
                (c, v) = self.later(c, i, v)?;
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
            // Fewer members away, the fewest first.
            Fault::Absence {
                team,
                members,
                at,
                minutes,
            } => vec![
                (1..members)
                    .map(|members| Fault::Absence {
                        team,
                        members,
                        at,
                        minutes,
                    })
                    .collect(),
            ],
            Fault::Outage { .. } => Vec::new(),
        }
    }

    /// Outage or absence `i` as short as still breaks, to [`GRANULE`]
    /// minutes (assumed not to break at zero).
    fn shorter(
        &mut self,
        c: Campaign,
        i: usize,
        v: Verdict,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        let Some((_, minutes)) = timing(c[i]) else {
            return Ok((c, v));
        };
        let f = c[i];
        self.boundary(c, i, v, (0, minutes), false, &|m| retimed(f, None, Some(m)))
    }

    /// Outage or absence `i` starting as late as still breaks, to
    /// [`GRANULE`] minutes, up to the end of the window (assumed not to
    /// break there): like a trigger moved later, the least warning.
    fn later(
        &mut self,
        c: Campaign,
        i: usize,
        v: Verdict,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        let Some((at, _)) = timing(c[i]) else {
            return Ok((c, v));
        };
        let end = self.chaos.space.window.1;
        if end <= at {
            return Ok((c, v));
        }
        let f = c[i];
        self.boundary(c, i, v, (at, end), true, &|m| retimed(f, Some(m), None))
    }

    /// The boundary, to [`GRANULE`] minutes, of a parameter of fault `i`
    /// within `(lo, hi)`: the campaign breaks at one end (`lo` when
    /// `breaks_low`, else `hi`) and is assumed not to at the other. Each
    /// round evaluates up to [`POINTS`] values between them at once, keeps
    /// the one nearest the other end that still breaks, and narrows the
    /// interval around the boundary.
    fn boundary(
        &mut self,
        c: Campaign,
        i: usize,
        v: Verdict,
        (mut lo, mut hi): (u32, u32),
        breaks_low: bool,
        make: &dyn Fn(u32) -> Fault,
    ) -> Result<(Campaign, Verdict), ChaosError> {
        let mut best = (c.clone(), v);
        while hi - lo > GRANULE {
            let step = ((hi - lo) / (POINTS + 1)).max(GRANULE);
            // From the end assumed not to break towards the one that does.
            let mut points: Vec<u32> = (1..=POINTS)
                .map(|k| lo + k * step)
                .map(|m| (m / GRANULE * GRANULE).max(GRANULE))
                .filter(|m| *m > lo && *m < hi)
                .collect::<std::collections::BTreeSet<u32>>()
                .into_iter()
                .collect();
            if breaks_low {
                points.reverse();
            }
            if points.is_empty() {
                break;
            }
            let cs: Vec<Campaign> = points.iter().map(|&m| with(&c, i, make(m))).collect();
            let Some(vs) = self.eval(&cs)? else {
                break;
            };
            let first = cs
                .into_iter()
                .zip(vs)
                .enumerate()
                .find(|(_, (_, v))| self.breaks(v));
            match first {
                Some((k, found)) => {
                    let m = points[k];
                    // The point before it did not break.
                    let failing = k.checked_sub(1).map(|j| points[j]);
                    if breaks_low {
                        (lo, hi) = (m, failing.unwrap_or(hi));
                    } else {
                        (lo, hi) = (failing.unwrap_or(lo), m);
                    }
                    best = found;
                }
                None => {
                    let last = points[points.len() - 1];
                    if breaks_low {
                        hi = last;
                    } else {
                        lo = last;
                    }
                }
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

/// The start and the duration of an outage or an absence, in minutes.
fn timing(f: Fault) -> Option<(u32, u32)> {
    match f {
        Fault::Outage { at, minutes, .. } | Fault::Absence { at, minutes, .. } => {
            Some((at, minutes))
        }
        Fault::Bug { .. } | Fault::DrHost { .. } => None,
    }
}

/// An outage or an absence with another start or duration.
fn retimed(f: Fault, start: Option<u32>, length: Option<u32>) -> Fault {
    match f {
        Fault::Outage { what, at, minutes } => Fault::Outage {
            what,
            at: start.unwrap_or(at),
            minutes: length.unwrap_or(minutes),
        },
        Fault::Absence {
            team,
            members,
            at,
            minutes,
        } => Fault::Absence {
            team,
            members,
            at: start.unwrap_or(at),
            minutes: length.unwrap_or(minutes),
        },
        other => other,
    }
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
