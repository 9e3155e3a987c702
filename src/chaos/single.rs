//! `--single`: the blast radius of every single fault of the space alone
//! (a representative of each kind, scope and worst moment), sorted by
//! harm, and the resilience score: the share of random campaigns of the
//! space that the plan survives, with its 95 % Wilson interval.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::space::{Campaign, Effect, Fault, Scope};
use super::{Chaos, ChaosError, Verdict};
use crate::montecarlo::wilson95;

/// One single fault and its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Blast {
    /// The fault.
    pub fault: Fault,
    /// Its verdict alone (differences against no fault at all).
    pub verdict: Verdict,
}

/// The blast-radius table and the resilience score.
#[derive(Clone, Debug, PartialEq)]
pub struct Single {
    /// Every single fault, the most harmful first.
    pub table: Vec<Blast>,
    /// Random campaigns drawn, and those the plan survived.
    pub drawn: usize,
    /// Campaigns survived.
    pub survived: usize,
    /// The share survived, in %, and its 95 % Wilson interval; `None`
    /// when none was drawn.
    pub score: Option<(f64, (f64, f64))>,
    /// Whether it was stopped before the end.
    pub interrupted: bool,
}

/// The representative single faults of the space: each bug on every host
/// of its builds (and as written) at each kind of worst moment, each
/// outage for a few durations from the first Friday evening (or the
/// window's start), DR hosts failing at two probabilities, each team
/// missing one member and the most the space allows, for a day and for the
/// longest outage from that Friday evening.
pub fn singles(chaos: &Chaos) -> Vec<Fault> {
    let space = &chaos.space;
    let mut labels: Vec<&'static str> = Vec::new();
    let mut instants: Vec<u32> = Vec::new();
    for m in &space.moments {
        if !m.label.is_empty() && !labels.contains(&m.label) {
            labels.push(m.label);
            instants.push(m.minute);
        }
    }
    if instants.is_empty() {
        instants.push(space.window.0);
    }
    let friday = space
        .moments
        .iter()
        .find(|m| m.label == "a Friday evening")
        .map_or(space.window.0, |m| m.minute);
    let mut out = Vec::new();
    let kinds = &space.kinds;
    use super::space::Kind;
    for (k, src) in space.sources.iter().enumerate() {
        let wanted = if src.raw.is_some() {
            Kind::Bug
        } else {
            Kind::Crash
        };
        if !kinds.contains(&wanted) {
            continue;
        }
        let (effect, scopes) = if src.raw.is_some() {
            (Effect::AsWritten, vec![Scope::AsWritten, Scope::Build])
        } else {
            (Effect::Corrupt(30), vec![Scope::Build])
        };
        let mut ats: Vec<Option<u32>> = instants.iter().map(|m| Some(*m)).collect();
        if src.raw.is_some() {
            ats.insert(0, None);
        }
        for scope in scopes {
            for at in &ats {
                out.push(Fault::Bug {
                    source: k as u32,
                    at: *at,
                    scope,
                    effect,
                });
            }
        }
    }
    for what in &space.services {
        let kind = match what {
            super::Service::Backup => Kind::Backup,
            super::Service::Link => Kind::Link,
            super::Service::Management => Kind::Management,
        };
        if !kinds.contains(&kind) {
            continue;
        }
        let mut ds: Vec<u32> = [240, 1440, space.longest]
            .into_iter()
            .filter(|d| *d <= space.longest)
            .collect();
        ds.dedup();
        for minutes in ds {
            out.push(Fault::Outage {
                what: *what,
                at: friday,
                minutes,
            });
        }
    }
    if kinds.contains(&Kind::DrHost) {
        out.push(Fault::DrHost { percent: 10 });
        out.push(Fault::DrHost { percent: 50 });
    }
    if kinds.contains(&Kind::Absence) {
        // One member, and the most the space takes away, for a day and
        // for the longest outage, from the first Friday evening.
        for &(team, most) in &space.teams {
            for members in [1, most] {
                for minutes in [1440.min(space.longest), space.longest] {
                    out.push(Fault::Absence {
                        team,
                        members,
                        at: friday,
                        minutes,
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The blast-radius table of every single fault and the resilience score
/// over `draws` random campaigns. `go_on` is asked between waves of
/// replications; `progress` is told the candidates evaluated and their
/// total.
pub fn single(
    chaos: &Chaos,
    draws: usize,
    go_on: &(dyn Fn() -> bool + Sync),
    progress: &dyn Fn(usize, usize),
) -> Result<Single, ChaosError> {
    let faults = singles(chaos);
    let total = faults.len() + draws;
    let mut table = Vec::new();
    let mut interrupted = false;
    for chunk in faults.chunks(super::search::BATCH) {
        let cs: Vec<Campaign> = chunk.iter().map(|f| vec![*f]).collect();
        let Some(vs) = chaos.evaluate(&cs, go_on)? else {
            interrupted = true;
            break;
        };
        table.extend(
            chunk
                .iter()
                .zip(vs)
                .map(|(f, verdict)| Blast { fault: *f, verdict }),
        );
        progress(table.len(), total);
    }
    table.sort_by(|a, b| b.verdict.harm_cmp(&a.verdict));
    let mut rng = ChaCha8Rng::seed_from_u64(chaos.seed ^ 0x5C0E);
    let campaigns: Vec<Campaign> = (0..draws)
        .map(|_| chaos.space.random_campaign(&mut rng))
        .collect();
    let (mut drawn, mut survived) = (0, 0);
    if !interrupted {
        for chunk in campaigns.chunks(super::search::BATCH) {
            let Some(vs) = chaos.evaluate(chunk, go_on)? else {
                interrupted = true;
                break;
            };
            drawn += vs.len();
            survived += vs.iter().filter(|v| !v.broken()).count();
            progress(table.len() + drawn, total);
        }
    }
    let score = wilson95(survived as u64, drawn as u64)
        .map(|ci| (100.0 * survived as f64 / drawn.max(1) as f64, ci));
    Ok(Single {
        table,
        drawn,
        survived,
        score,
        interrupted,
    })
}
