//! The choice among every task that could start, for a decider that
//! [offers every task](crate::recovery::decider::Decider::OFFERS_EVERY_TASK)
//! (a room choosing which app comes next), not only the first of each
//! lane.
//!
//! Looking does not change the run: each lane's head is found as the
//! strategy's path finds it, and the entries behind it are read by
//! emptying the lane's queue and filling it again with the same entries
//! (their order is total: no two share a sequence), those that fail a gate
//! left where they are for the head search to move aside when their turn
//! comes. So a decider that answers the strategy's choice gets the run of
//! the strategy, bit for bit. Choosing an entry behind its lane's head puts
//! the entries ahead of it aside, so that it is the head the dispatcher
//! takes; they go back in their lane at the next choice, which the
//! dispatcher always makes (it asks until nothing can start).

use std::cmp::Reverse;

use super::{Free, Subjects};
use crate::model::{Method, Order};
use crate::recovery::decider::TaskChoice;
use crate::recovery::{Decider, Entry, Job, Lane, Recovery};
use crate::sim::SimTime;

impl<D: Decider> Recovery<'_, '_, D> {
    /// Every task that can start now, in the strategy's order (so its
    /// choice is the first), and the decider's choice among them.
    pub(super) fn chosen_among_all(
        &mut self,
        now: SimTime,
        open: &[bool],
        staff: Free,
    ) -> Option<(Lane, Entry)> {
        let mut passed_over = std::mem::take(&mut self.recovery.gate.passed_over);
        for (lane, entry) in passed_over.drain(..) {
            self.recovery.lanes.push(lane, Reverse(entry));
        }
        self.recovery.gate.passed_over = passed_over;
        let mut all: Vec<(Lane, Entry)> = Vec::new();
        let mut behind: Vec<Entry> = Vec::new();
        let mut with_work = self.recovery.lanes.with_work();
        while with_work != 0 {
            let lane = Lane::ALL[with_work.trailing_zeros() as usize];
            with_work &= with_work - 1;
            let Some(head) = self.lane_head(now, lane, open, staff) else {
                continue;
            };
            all.push((lane, head));
            behind.clear();
            while let Some(Reverse(entry)) = self.recovery.lanes.pop(lane) {
                behind.push(entry);
            }
            // `behind` is in order, the head first.
            for &entry in &behind {
                self.recovery.lanes.push(lane, Reverse(entry));
            }
            for &entry in behind.iter().skip(1) {
                if self.could_start(entry, open) {
                    all.push((lane, entry));
                }
            }
        }
        all.sort_by_key(|a| a.1);
        let first = *all.first()?;
        let subjects: Subjects = all.iter().map(|(_, entry)| entry.2.subject()).collect();
        let k = self.decider.next_task(&TaskChoice {
            now,
            candidates: &subjects,
            strategy: 0,
        });
        let (lane, chosen) = all.get(k).copied().unwrap_or(first);
        while let Some(&Reverse(entry)) = self.recovery.lanes.peek(lane) {
            if entry == chosen {
                break;
            }
            self.recovery.lanes.pop(lane);
            self.recovery.gate.passed_over.push((lane, entry));
        }
        Some((lane, chosen))
    }

    /// Whether an entry behind its lane's head passes the gates the head
    /// passed: still wanted, its wave open, nothing it depends on holding
    /// it back.
    fn could_start(&mut self, entry: Entry, open: &[bool]) -> bool {
        let (_, seq, job) = entry;
        if !self.job_valid(seq, job) {
            return false;
        }
        let Job::App(a, m) = job else {
            return true;
        };
        let wave_closed = !self.st.waves.is_empty()
            && m != Method::HaRestart
            && !open[self.st.wave_of[a.index()] as usize];
        let gated = self.st.order == Order::DependencyAware && self.dependency_blocker(a).is_some();
        !wave_closed && !gated
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::{Tiny, up_at};
    use crate::metrics::{Outcome, TaskSubject};
    use crate::recovery::decider::{Decider, MethodChoice, TaskChoice};
    use crate::scenario::{DEFAULT_SCENARIO_YAML, Format, load_str};

    /// Offers every task; takes the strategy's choice, or the last one
    /// offered; notes the sizes of the lists.
    struct Room {
        last: bool,
        offered: Vec<usize>,
        first_offer: Vec<TaskSubject>,
    }

    impl Decider for Room {
        const OFFERS_EVERY_TASK: bool = true;
        fn method(&mut self, _: &MethodChoice<'_>) -> usize {
            0
        }
        fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
            assert_eq!(choice.strategy, 0, "the strategy's choice comes first");
            if self.first_offer.is_empty() {
                self.first_offer = choice.candidates.to_vec();
            }
            self.offered.push(choice.candidates.len());
            if self.last {
                choice.candidates.len() - 1
            } else {
                choice.strategy
            }
        }
    }

    fn room(last: bool) -> Room {
        Room {
            last,
            offered: Vec::new(),
            first_offer: Vec::new(),
        }
    }

    fn tiny_run(room: &mut Room) -> Outcome {
        let scenario = Tiny {
            apps: 3,
            ..Tiny::default()
        }
        .scenario();
        crate::simulate_with(&scenario, scenario.default_strategy(), 1, room).expect("runs")
    }

    #[test]
    fn every_waiting_app_of_a_lane_is_offered_and_any_may_start() {
        let mut strategy = room(false);
        let by_strategy = tiny_run(&mut strategy);
        // One member, three apps queued in the restart lane: all three are
        // offered, then two, then one.
        assert_eq!(strategy.offered, [3, 2, 1]);
        let mut last = room(true);
        let by_last = tiny_run(&mut last);
        assert_eq!(last.first_offer, strategy.first_offer);
        let TaskSubject::App(chosen, _) = strategy.first_offer[2] else {
            panic!("an app's task: {:?}", strategy.first_offer);
        };
        let first_up = |o: &Outcome| {
            (0..3)
                .filter_map(|a| up_at(o, a).map(|t| (t, a)))
                .min()
                .map(|(_, a)| a)
        };
        assert_eq!(first_up(&by_last), Some(chosen.index()));
        assert_ne!(first_up(&by_strategy), Some(chosen.index()));
        assert_eq!(
            by_last
                .apps
                .iter()
                .filter(|a| a.outages[0].up_at.is_some())
                .count(),
            3,
            "the apps passed over still come back"
        );
    }

    #[test]
    fn offering_every_task_and_taking_the_strategys_is_the_strategys_run() {
        let scenario =
            load_str(DEFAULT_SCENARIO_YAML, "2018.yaml", Format::Yaml).expect("the 2018 scenario");
        for st in &scenario.strategies {
            for seed in [1, 7] {
                let plain = crate::simulate(&scenario, st, seed).expect("runs");
                let mut r = room(false);
                let offered = crate::simulate_with(&scenario, st, seed, &mut r).expect("runs");
                assert!(
                    plain == offered,
                    "strategy {} seed {seed}: the room's run differs",
                    st.id
                );
                assert!(r.offered.iter().any(|&n| n > 1), "{}: a real choice", st.id);
            }
        }
    }
}
