//! `hvsim explain`: why each app was down, instant by instant.
//!
//! One run is simulated with an observing [`Decider`](crate::Decider)
//! that makes the strategy's choices (the run is the one `hvsim run`
//! shows, bit for bit) and, after every event, reads the run's state
//! through the read-only [`RunView`](crate::decider::RunView): each app
//! that is down gets the [`Reason`] its state gives. Between two events
//! nothing changes but the clock, so the account is exact; what the clock
//! alone changes (a shift ending while an app is queued or worked on, the
//! end of the detection delay) is split by the team's calendar or the
//! drawn delay, to the millisecond. The reasons of an app add up to its
//! downtime in the run's [`Outcome`].
//!
//! ```
//! let scenario = hvsim::scenario::load_default().unwrap();
//! let strategy = scenario.default_strategy();
//! let explanation = hvsim::explain::explain(&scenario, strategy, 1).unwrap();
//! for app in &explanation.apps {
//!     let downtime = explanation.outcome.apps[app.app.index()].downtime(explanation.outcome.horizon);
//!     assert_eq!(app.breakdown().total(), downtime);
//! }
//! ```

mod chain;
mod observer;
mod reason;
mod study;

pub use reason::{NotApplicable, Reason};
pub use study::{REASON_METRIC, ReasonMetrics, ReasonStudy, Shares};

use crate::SimError;
use crate::metrics::Outcome;
use crate::model::{AppId, BugId, Method, Scenario, Strategy};
use crate::recovery::decider::HostWait;
use crate::sim::{SimDuration, SimTime};

/// What an interval's reason is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Nothing more to say.
    None,
    /// The app it waited for (a dependency).
    App(AppId),
    /// The bug (detection, diagnosis, a fix).
    Bug(BugId),
    /// The method whose task, room or service it waited for.
    Method(Method),
    /// What its hosts were doing.
    Hosts(HostWait),
    /// The runbook wave (by index) it waited for.
    Wave(usize),
}

/// A span of an app's downtime with one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    /// Its start.
    pub from: SimTime,
    /// Its end (exclusive).
    pub to: SimTime,
    /// Why the app was down.
    pub reason: Reason,
    /// What the reason is about.
    pub detail: Detail,
    /// The app's task was waiting in its lane (for the queue position).
    pub queued: bool,
    /// For [`Reason::Recurrence`], the reason the time had before a crash
    /// undid it.
    pub underlying: Option<Reason>,
}

impl Interval {
    /// Its length.
    pub fn len(&self) -> SimDuration {
        self.to.saturating_since(self.from)
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.to <= self.from
    }
}

/// Time per reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Breakdown(pub [SimDuration; Reason::ALL.len()]);

impl Breakdown {
    /// Adds `d` to `reason`.
    pub fn add(&mut self, reason: Reason, d: SimDuration) {
        let slot = &mut self.0[reason.index()];
        *slot = slot.saturating_add(d);
    }

    /// Adds every reason of `other`.
    pub fn merge(&mut self, other: &Breakdown) {
        for r in Reason::ALL {
            self.add(r, other.get(r));
        }
    }

    /// The time of `reason`.
    pub fn get(&self, reason: Reason) -> SimDuration {
        self.0[reason.index()]
    }

    /// The time of every reason together.
    pub fn total(&self) -> SimDuration {
        self.0
            .iter()
            .fold(SimDuration::ZERO, |acc, &d| acc.saturating_add(d))
    }

    /// The reasons with time, largest first (ties in [`Reason::ALL`]'s
    /// order).
    pub fn ranked(&self) -> Vec<(Reason, SimDuration)> {
        let mut v: Vec<(Reason, SimDuration)> = Reason::ALL
            .into_iter()
            .map(|r| (r, self.get(r)))
            .filter(|(_, d)| *d > SimDuration::ZERO)
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The shares of the reasons (in [`Reason::ALL`]'s order) in whole
    /// units of `scale` (100 for percent), rounded so that they add up to
    /// exactly `scale` ([`crate::units::shares_of`]); all 0 when empty.
    pub fn rounded_shares(&self, scale: u64) -> [u64; Reason::ALL.len()] {
        let ms = self.0.map(|d| d.as_millis());
        let mut out = [0; Reason::ALL.len()];
        for (o, s) in out.iter_mut().zip(crate::units::shares_of(&ms, scale)) {
            *o = s;
        }
        out
    }

    /// The share of `reason` in the total, from 0 to 1 (0 when empty).
    pub fn share(&self, reason: Reason) -> f64 {
        let total = self.total().as_millis();
        if total == 0 {
            0.0
        } else {
            self.get(reason).as_millis() as f64 / total as f64
        }
    }
}

/// One outage of an app, split into its reasons.
#[derive(Clone, Debug, PartialEq)]
pub struct OutageExplained {
    /// When it went down.
    pub down_at: SimTime,
    /// When it came back (`None`: still down at the horizon).
    pub up_at: Option<SimTime>,
    /// The incident (index into the outcome's incidents) it belongs to:
    /// the last that took the app down before it went down; `None` for an
    /// outage no incident explains (a chaos failure).
    pub incident: Option<usize>,
    /// Its reasons, in time order, covering it exactly.
    pub intervals: Vec<Interval>,
}

impl OutageExplained {
    /// Time per reason.
    pub fn breakdown(&self) -> Breakdown {
        let mut b = Breakdown::default();
        for i in &self.intervals {
            b.add(i.reason, i.len());
        }
        b
    }
}

/// The method an app got, and why the strategy's earlier methods did not
/// apply.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodWhy {
    /// When it was chosen.
    pub at: SimTime,
    /// The method.
    pub method: Method,
    /// The strategy's methods before it, each with why it did not apply.
    pub skipped: Vec<(Method, NotApplicable)>,
}

/// A link of the critical chain: what set the end of an app's last outage.
#[derive(Clone, Debug, PartialEq)]
pub enum ChainStep {
    /// It waited last for this dependency, back at that instant.
    Dependency {
        /// The dependency.
        app: AppId,
        /// When it (and so the app) came back; `None` if it did not.
        back: Option<SimTime>,
    },
    /// Its task started after others queued for the same kind of work.
    Queue {
        /// The method of its task.
        method: Method,
        /// Its position: 1 + the tasks that started while it waited.
        position: usize,
        /// The apps whose tasks started first, in order.
        ahead: Vec<AppId>,
        /// How long it waited in the queue.
        waited: SimDuration,
    },
    /// Its largest reason in its last outage.
    Own {
        /// The reason.
        reason: Reason,
        /// Its time in the outage.
        time: SimDuration,
    },
}

/// One app's explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct AppExplanation {
    /// The app.
    pub app: AppId,
    /// Its outages, each split into reasons.
    pub outages: Vec<OutageExplained>,
    /// The method of its last recovery and why, if a method was chosen.
    pub method: Option<MethodWhy>,
    /// What set the end of its last outage, from the app down.
    pub chain: Vec<ChainStep>,
}

impl AppExplanation {
    /// Time per reason over all its outages: adds up to its downtime.
    pub fn breakdown(&self) -> Breakdown {
        let mut b = Breakdown::default();
        for o in &self.outages {
            b.merge(&o.breakdown());
        }
        b
    }

    /// Its downtime (the sum of its reasons).
    pub fn downtime(&self) -> SimDuration {
        self.breakdown().total()
    }
}

/// The explanation of one run.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The run, identical to [`simulate`](crate::simulate)'s.
    pub outcome: Outcome,
    /// Per app, in the scenario's order.
    pub apps: Vec<AppExplanation>,
}

impl Explanation {
    /// The reasons summed over every app's outages that belong to
    /// `incident` (`None`: those of no incident).
    pub fn incident_breakdown(&self, incident: Option<usize>) -> Breakdown {
        let mut b = Breakdown::default();
        for o in self.apps.iter().flat_map(|a| &a.outages) {
            if o.incident == incident {
                b.merge(&o.breakdown());
            }
        }
        b
    }

    /// The reasons summed over every app and outage.
    pub fn total_breakdown(&self) -> Breakdown {
        let mut b = Breakdown::default();
        for a in &self.apps {
            b.merge(&a.breakdown());
        }
        b
    }

    /// The groups of outages by incident, in the outcome's order, then
    /// those of no incident, leaving out groups with no downtime.
    pub fn groups(&self) -> Vec<(Option<usize>, Breakdown)> {
        (0..self.outcome.incidents.len())
            .map(Some)
            .chain(std::iter::once(None))
            .map(|k| (k, self.incident_breakdown(k)))
            .filter(|(_, b)| b.total() > SimDuration::ZERO)
            .collect()
    }
}

/// Runs `strategy` on `scenario` with `seed`, as [`simulate`](crate::simulate)
/// does, and explains why each app was down.
pub fn explain(
    scenario: &Scenario,
    strategy: &Strategy,
    seed: u64,
) -> Result<Explanation, SimError> {
    let mut observer = observer::Explainer::new(scenario, strategy, seed);
    let outcome = crate::simulate_with(scenario, strategy, seed, &mut observer)?;
    let mut apps = observer.finish(&outcome);
    chain::fill(&mut apps, &outcome);
    Ok(Explanation { outcome, apps })
}

/// Runs `strategy` on `scenario` with `seed`, with `decider` making the
/// choices (as [`simulate_with`](crate::simulate_with) does), and explains
/// why each app was down: the reasons `hvsim explain` gives, for a run
/// someone else decided (a tabletop exercise's room). The decider sees the
/// run after every event too.
pub fn explain_with<D: crate::Decider>(
    scenario: &Scenario,
    strategy: &Strategy,
    seed: u64,
    decider: &mut D,
) -> Result<Explanation, SimError> {
    let mut both = observer::Beside {
        explainer: observer::Explainer::new(scenario, strategy, seed),
        decider,
    };
    let outcome = crate::simulate_with(scenario, strategy, seed, &mut both)?;
    let mut apps = both.explainer.finish(&outcome);
    chain::fill(&mut apps, &outcome);
    Ok(Explanation { outcome, apps })
}

#[cfg(test)]
mod tests {
    use super::{Breakdown, Reason};
    use crate::sim::SimDuration;

    /// Beside the strategy's own decider, `explain_with` is `explain`: the
    /// same run, the same reasons.
    #[test]
    fn explaining_beside_the_strategy_is_explaining_the_strategy() {
        let sc = crate::scenario::load_default().expect("the 2018 scenario loads");
        for st in &sc.strategies {
            let alone = super::explain(&sc, st, 2).expect("runs");
            let beside =
                super::explain_with(&sc, st, 2, &mut crate::StrategyDecider).expect("runs");
            assert_eq!(alone.outcome, beside.outcome, "{}", st.id);
            for (a, b) in alone.apps.iter().zip(&beside.apps) {
                assert_eq!(a.outages.len(), b.outages.len());
                for (x, y) in a.outages.iter().zip(&b.outages) {
                    assert_eq!(x.intervals, y.intervals, "{} app {}", st.id, a.app.index());
                }
            }
        }
    }

    #[test]
    fn a_breakdown_ranks_its_reasons_and_gives_their_shares() {
        let mut b = Breakdown::default();
        assert_eq!(
            b.share(Reason::Queue),
            0.0,
            "an empty breakdown has no share"
        );
        assert!(b.ranked().is_empty());
        b.add(Reason::Queue, SimDuration::from_millis(300));
        b.add(Reason::Diagnosis, SimDuration::from_millis(600));
        b.add(Reason::Shift, SimDuration::from_millis(300));
        assert_eq!(b.total(), SimDuration::from_millis(1_200));
        assert_eq!(
            b.ranked(),
            vec![
                (Reason::Diagnosis, SimDuration::from_millis(600)),
                (Reason::Queue, SimDuration::from_millis(300)),
                (Reason::Shift, SimDuration::from_millis(300)),
            ],
            "largest first, ties in the reasons' order"
        );
        assert_eq!(b.share(Reason::Diagnosis), 0.5);
        let mut c = Breakdown::default();
        c.merge(&b);
        c.merge(&b);
        assert_eq!(c.get(Reason::Queue), SimDuration::from_millis(600));
    }
}
