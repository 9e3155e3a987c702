//! `--single`: the blast radius of every single fault of the space alone
//! (each source × scope tier × worst moment, each outage × worst moment ×
//! duration, bounded as [`enumerate`] says), sorted by harm, and the resilience score: the share of random campaigns of the
//! space that the plan survives, with its 95 % Wilson interval.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::space::{Campaign, Effect, Fault, Scope, Source};
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
    /// What the table covers ([`Singles::covers`]).
    pub covers: String,
    /// Instances of a scope tier left out of the table.
    pub unlisted: usize,
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

/// How many instances of a scope tier the table lists per source: the
/// harshest and the mildest (`instances`); the others are counted.
pub const PER_TIER: usize = 2;

/// The kinds of worst moment, each at its first instant in the window
/// (`a Friday evening`, `a holiday`, `just before the nightly backup`,
/// `the bug's own date`), in time order; the window's start when the space
/// has none.
pub fn worst_moments(chaos: &Chaos) -> Vec<(u32, &'static str)> {
    let mut out: Vec<(u32, &'static str)> = Vec::new();
    for m in &chaos.space.moments {
        if !m.label.is_empty() && !out.iter().any(|(_, l)| *l == m.label) {
            out.push((m.minute, m.label));
        }
    }
    if out.is_empty() {
        out.push((chaos.space.window.0, ""));
    }
    out
}

/// The tier of a scope: `one host`, `a cluster`, `a site`, `as written`,
/// `every host on the build`.
pub fn tier(scope: Scope) -> &'static str {
    match scope {
        Scope::Host(_) => "one host",
        Scope::Cluster(_) => "a cluster",
        Scope::Site(_) => "a site",
        Scope::AsWritten => "as written",
        Scope::Build => "every host on the build",
    }
}

/// Every instance of each scope tier a source can strike, narrowest tier
/// first: each host on its builds, each cluster and site with such hosts,
/// as written (a scenario's bug) and the whole build.
fn tiers(chaos: &Chaos, source: &Source) -> Vec<Vec<Scope>> {
    let s = chaos.space.scenario();
    let on: Vec<usize> = (0..s.hosts.len())
        .filter(|&h| source.builds.contains(&(s.hosts[h].build.index() as u32)))
        .collect();
    let mut clusters: Vec<u32> = on
        .iter()
        .map(|&h| s.hosts[h].cluster.index() as u32)
        .collect();
    let mut sites: Vec<u32> = on.iter().map(|&h| s.hosts[h].site.index() as u32).collect();
    clusters.sort();
    clusters.dedup();
    sites.sort();
    sites.dedup();
    let mut out = vec![
        on.iter().map(|&h| Scope::Host(h as u32)).collect(),
        clusters.into_iter().map(Scope::Cluster).collect(),
        sites.into_iter().map(Scope::Site).collect(),
    ];
    if source.raw.is_some() {
        out.push(vec![Scope::AsWritten]);
    }
    out.push(vec![Scope::Build]);
    out.retain(|t: &Vec<Scope>| !t.is_empty());
    out
}

/// What an instance of a tier carries: the summed criticality of the VMs
/// on its hosts of the source's builds, then their number.
fn load(chaos: &Chaos, source: &Source, scope: Scope) -> (u64, usize) {
    let s = chaos.space.scenario();
    let hit = |h: usize| {
        let host = &s.hosts[h];
        source.builds.contains(&(host.build.index() as u32))
            && match scope {
                Scope::Host(x) => h == x as usize,
                Scope::Cluster(c) => host.cluster.index() == c as usize,
                Scope::Site(k) => host.site.index() == k as usize,
                Scope::AsWritten | Scope::Build => true,
            }
    };
    let vms: Vec<&crate::model::Vm> = s.vms.iter().filter(|v| hit(v.host.index())).collect();
    let weight = vms
        .iter()
        .map(|v| u64::from(s.apps[v.app.index()].criticality))
        .sum();
    (weight, vms.len())
}

/// The instances of a tier the table lists: all of them up to
/// [`PER_TIER`], else the harshest (carrying the most, [`load`]) and the
/// mildest (the least), the first in scenario order on a tie.
fn instances(chaos: &Chaos, source: &Source, tier: &[Scope]) -> Vec<Scope> {
    if tier.len() <= PER_TIER {
        return tier.to_vec();
    }
    let loads: Vec<(u64, usize)> = tier.iter().map(|&sc| load(chaos, source, sc)).collect();
    let mut harsh = 0;
    let mut mild = 0;
    for (k, l) in loads.iter().enumerate() {
        if *l > loads[harsh] {
            harsh = k;
        }
        if *l < loads[mild] {
            mild = k;
        }
    }
    if mild == harsh {
        mild = usize::from(harsh == 0);
    }
    vec![tier[harsh], tier[mild]]
}

/// The single faults of the space and what they cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Singles {
    /// The faults, sorted.
    pub faults: Vec<Fault>,
    /// Instances of a scope tier left out of the table (alike to one
    /// listed), summed over the sources.
    pub unlisted: usize,
    /// What the table covers, for people.
    pub covers: String,
}

/// The single faults of the space: each bug or crash source × each scope
/// tier it has (one host, a cluster, a site, as written, every host on
/// its build; of a tier with more than [`PER_TIER`] instances the
/// harshest and the mildest) × each kind of worst moment (and a bug's
/// trigger as written), with its effects as written (a generic crash
/// corrupting 30 % of the VMs); each outage from each kind of worst moment
/// for 4 hours, a day and the longest outage; DR hosts failing at 10 and
/// 50 %; each team missing one member and the most the space allows, from
/// each kind of worst moment, for a day and for the longest outage.
pub fn singles(chaos: &Chaos) -> Vec<Fault> {
    enumerate(chaos).faults
}

/// [`singles`], with what the table covers and the instances it leaves out.
pub fn enumerate(chaos: &Chaos) -> Singles {
    use super::space::Kind;
    let space = &chaos.space;
    let worst = worst_moments(chaos);
    let kinds = &space.kinds;
    let mut out = Vec::new();
    let mut unlisted = 0;
    let mut scoped = 0;
    for (k, src) in space.sources.iter().enumerate() {
        let wanted = if src.raw.is_some() {
            Kind::Bug
        } else {
            Kind::Crash
        };
        if !kinds.contains(&wanted) {
            continue;
        }
        scoped += 1;
        let effect = if src.raw.is_some() {
            Effect::AsWritten
        } else {
            Effect::Corrupt(30)
        };
        let mut ats: Vec<Option<u32>> = worst.iter().map(|(m, _)| Some(*m)).collect();
        if src.raw.is_some() {
            ats.insert(0, None);
        }
        for tier in tiers(chaos, src) {
            let listed = instances(chaos, src, &tier);
            unlisted += tier.len() - listed.len();
            for scope in listed {
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
    }
    let mut ds: Vec<u32> = [240, 1440, space.longest]
        .into_iter()
        .filter(|d| *d <= space.longest)
        .collect();
    ds.dedup();
    let mut services = 0;
    for what in &space.services {
        let kind = match what {
            super::Service::Backup => Kind::Backup,
            super::Service::Link => Kind::Link,
            super::Service::Management => Kind::Management,
        };
        if !kinds.contains(&kind) {
            continue;
        }
        services += 1;
        for &(at, _) in &worst {
            for &minutes in &ds {
                out.push(Fault::Outage {
                    what: *what,
                    at,
                    minutes,
                });
            }
        }
    }
    let dr = kinds.contains(&Kind::DrHost);
    if dr {
        out.push(Fault::DrHost { percent: 10 });
        out.push(Fault::DrHost { percent: 50 });
    }
    let absence = kinds.contains(&Kind::Absence);
    if absence {
        for &(team, most) in &space.teams {
            for members in [1, most] {
                for &(at, _) in &worst {
                    for minutes in [1440.min(space.longest), space.longest] {
                        out.push(Fault::Absence {
                            team,
                            members,
                            at,
                            minutes,
                        });
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    let labels: Vec<&str> = worst
        .iter()
        .map(|(_, l)| *l)
        .filter(|l| !l.is_empty())
        .collect();
    let moments = if labels.is_empty() {
        "the window's start".to_string()
    } else {
        format!("the first of each: {}", labels.join(", "))
    };
    let longest =
        crate::sim::SimDuration::from_millis(u64::from(space.longest) * crate::sim::MS_PER_MINUTE);
    let mut parts = Vec::new();
    if scoped > 0 {
        parts.push(format!(
            "each of {scoped} bug and crash sources × scope tier (one host, a cluster, a site, as written, every host on the build; of a tier's instances the harshest and the mildest by the criticality of the VMs they carry{}) × worst moment ({moments}; a bug's trigger as written too)",
            if unlisted > 0 {
                format!(", {unlisted} others not listed")
            } else {
                String::new()
            }
        ));
    }
    if services > 0 {
        parts.push(format!(
            "each of {services} services down × worst moment × 4h, 1d and {longest}"
        ));
    }
    if dr {
        parts.push("DR hosts failing at 10 and 50 %".to_string());
    }
    if absence {
        parts.push(format!(
            "each team missing one member and the most the space allows × worst moment × 1d and {longest}"
        ));
    }
    let covers = format!("{} single faults: {}.", out.len(), parts.join("; "));
    Singles {
        faults: out,
        unlisted,
        covers,
    }
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
    let Singles {
        faults,
        unlisted,
        covers,
    } = enumerate(chaos);
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
        covers,
        unlisted,
        table,
        drawn,
        survived,
        score,
        interrupted,
    })
}

#[cfg(test)]
mod tests {
    use super::{PER_TIER, enumerate, instances, load, tiers};
    use crate::chaos::{Chaos, Judge, Scope, Space};
    use crate::scenario::Document;

    fn chaos(path: &str) -> Chaos {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let doc = Document::read(&path).expect("parses");
        let scenario = crate::scenario::load_path(&path).expect("loads");
        let space = Space::derive(&scenario, &doc, None).expect("a space");
        let judge = Judge::new(&scenario, None, None, 90.0).expect("a judge");
        let strategy = scenario.default_strategy().id.clone();
        Chaos::new(space, doc, judge, &strategy, (1, 1, 1)).expect("set up")
    }

    /// Of each tier the table lists at most two instances, the harshest
    /// carrying at least what any other carries and the mildest at most;
    /// the others are counted. On the 2018 scenario the harshest host is
    /// the first internet host (it holds the infrastructure and e-mail
    /// VMs), the mildest an empty DR host.
    #[test]
    fn each_tier_lists_its_harshest_and_mildest_and_counts_the_rest() {
        let c = chaos("scenarios/nouvelle-caledonie-2018.yaml");
        let mut unlisted = 0;
        for src in &c.space.sources {
            for tier in tiers(&c, src) {
                let listed = instances(&c, src, &tier);
                assert!(listed.len() <= PER_TIER && !listed.is_empty());
                unlisted += tier.len() - listed.len();
                if tier.len() > PER_TIER {
                    let all: Vec<_> = tier.iter().map(|&s| load(&c, src, s)).collect();
                    let (harsh, mild) = (load(&c, src, listed[0]), load(&c, src, listed[1]));
                    assert!(all.iter().all(|l| *l <= harsh && *l >= mild), "{all:?}");
                }
            }
        }
        let s = enumerate(&c);
        assert_eq!(s.unlisted, unlisted);
        assert_eq!(unlisted, 3 * 25);
        let hosts = c.space.scenario().hosts.clone();
        let crash = c
            .space
            .sources
            .iter()
            .find(|s| s.raw.is_none())
            .expect("a crash source");
        let picked: Vec<String> = instances(&c, crash, &tiers(&c, crash)[0])
            .into_iter()
            .filter_map(|s| match s {
                Scope::Host(h) => Some(hosts[h as usize].id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(picked, ["esx-www-01", "esx-bkp-01"]);
    }
}
