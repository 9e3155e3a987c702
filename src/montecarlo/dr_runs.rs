//! The DR site's use in the first runs of a study, kept for the chart of
//! DR capacity over the runs (`chart::capacity::runs`): the study records
//! it in its own pass ([`Study::with_dr_use`](super::Study::with_dr_use)),
//! so that the chart reads the [`Summary`](super::Summary) and never
//! simulates a run again.
//!
//! Bounded: only replications `0..`[`DR_USE_RUNS`] of each strategy are
//! kept, whatever `--runs`. A shard keeps those of its own range (none
//! when it starts at or after [`DR_USE_RUNS`]); merging shards puts them
//! back in replication order, so a merge holds what the unsharded run
//! holds.

use crate::metrics::Outcome;
use crate::metrics::dr_use::{dr_use, share_pct};
use crate::model::Scenario;
use crate::sim::SimTime;

/// Most replications of each strategy whose DR use a study keeps: the
/// first ones.
pub const DR_USE_RUNS: u64 = 100;

/// The DR site's memory in use from one instant until the next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UseStep {
    /// From when.
    pub at: SimTime,
    /// Memory in use on the DR hosts up, bytes.
    pub memory_used_bytes: u64,
    /// Memory of the DR hosts up, bytes.
    pub memory_capacity_bytes: u64,
    /// Whether no VM of the apps that went down would fit any more.
    pub full: bool,
}

impl UseStep {
    /// Memory in use, % of the DR hosts up (100 % when none is up), as
    /// [`dr_use`] computes it, to the bit.
    pub fn memory_pct(&self) -> f64 {
        share_pct(self.memory_used_bytes, self.memory_capacity_bytes)
    }
}

/// One replication's use of the DR site, as the chart over the runs
/// reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunUse {
    /// The replication (`replication_seed(seed, replication)` ran it).
    pub replication: u64,
    /// The memory in use and whether the site was full, a step where
    /// either changes (the first at the start of the run).
    pub steps: Vec<UseStep>,
    /// Where anything starts to move: the run's first incident or first
    /// change of the site's use, whichever is first; `None` when neither.
    pub start: Option<SimTime>,
    /// The last change of the site's use (its virtual CPUs included).
    pub end: SimTime,
}

impl RunUse {
    /// The DR use of run `o`, replication `replication`; `None` when the
    /// scenario has no DR site.
    pub fn of(scenario: &Scenario, o: &Outcome, replication: u64) -> Option<RunUse> {
        let all = dr_use(scenario, o)?;
        let start = o
            .incidents
            .iter()
            .map(|i| i.at)
            .chain(all.get(1).map(|s| s.at))
            .min();
        let end = all.last().map_or(SimTime::ZERO, |s| s.at);
        let mut steps: Vec<UseStep> = Vec::with_capacity(all.len());
        for s in &all {
            let step = UseStep {
                at: s.at,
                memory_used_bytes: s.memory_used_bytes,
                memory_capacity_bytes: s.memory_capacity_bytes,
                full: s.full,
            };
            // A step where only the virtual CPUs change leaves the chart
            // as it was: the step before holds on.
            let same = steps.last().is_some_and(|l| {
                (l.memory_used_bytes, l.memory_capacity_bytes, l.full)
                    == (
                        step.memory_used_bytes,
                        step.memory_capacity_bytes,
                        step.full,
                    )
            });
            if !same {
                steps.push(step);
            }
        }
        Some(RunUse {
            replication,
            steps,
            start,
            end,
        })
    }

    /// The step in force at `t`.
    pub fn at(&self, t: SimTime) -> Option<&UseStep> {
        let i = self.steps.partition_point(|s| s.at <= t);
        self.steps.get(i.checked_sub(1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::RunUse;
    use crate::metrics::dr_use::dr_use;
    use crate::montecarlo::seeds::replicate;

    /// The kept steps give the memory share and fullness of every step of
    /// the whole use, to the bit.
    #[test]
    fn the_kept_steps_say_what_the_whole_use_says() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        for s in &scenario.strategies {
            let o = replicate(&scenario, s, 1, 0).expect("runs");
            let all = dr_use(&scenario, &o).expect("a DR site");
            let kept = RunUse::of(&scenario, &o, 0).expect("a DR site");
            assert!(kept.steps.len() <= all.len());
            for step in &all {
                let k = kept.at(step.at).expect("a step in force");
                assert_eq!(k.memory_pct().to_bits(), step.memory_pct.to_bits());
                assert_eq!(k.full, step.full);
            }
            assert_eq!(kept.end, all.last().expect("steps").at);
        }
    }
}
