//! The decision seam: every choice a strategy makes during a run goes
//! through one [`Decider`].
//!
//! The engine applies the rules (what is applicable, what is ready, who is
//! free); a decider makes the choices those rules leave open: which method
//! an app gets, which ready task starts next, whether to restart on a host
//! a recurring bug struck, when a runbook wave that may open opens, and
//! whether to escalate to the next method. [`StrategyDecider`] makes the
//! scenario's strategy's choices, and is what [`simulate`](crate::simulate)
//! uses. Another decider (a room of people at a tabletop exercise, a
//! search over alternatives, a script) runs through
//! [`simulate_with`](crate::simulate_with).
//!
//! Each question comes with a small context value: the instant, the app by
//! index and name, the candidates, and what the strategy would choose.
//! Questions are asked in a deterministic order, so a decider that answers
//! the same way gets the same run: a script of answers recorded from one
//! run replays it exactly.

use crate::metrics::TaskSubject;
use crate::model::{AppId, HostId, Method};
use crate::sim::SimTime;

pub use super::observe::{AppStage, HostWait, RunView, TransferStage, WaveHold};

/// Which method an app that is down gets.
#[derive(Clone, Copy, Debug)]
pub struct MethodChoice<'a> {
    /// The instant of the decision.
    pub now: SimTime,
    /// The app, by index in the scenario.
    pub app: AppId,
    /// The app's id.
    pub app_name: &'a str,
    /// The methods that can bring it back now, in the strategy's order
    /// from the app's escalation level on: never empty. The strategy
    /// takes the first. (With a decider that follows the strategy, only
    /// that one is looked for.)
    pub candidates: &'a [Method],
    /// The method the app waits for, when it is decided again because the
    /// facts changed (choosing another makes it be decided afresh).
    pub waiting_for: Option<Method>,
}

/// Which ready task starts next, when a member or the platform can take
/// one.
#[derive(Clone, Copy, Debug)]
pub struct TaskChoice<'a> {
    /// The instant of the decision.
    pub now: SimTime,
    /// The tasks that can start now: never empty. Each is the first of
    /// its lane (one lane per method, one for host rebuilds and patches,
    /// one for runbook go steps); a decider that
    /// [offers every task](Decider::OFFERS_EVERY_TASK) gets every task of
    /// those lanes that could start now instead, in the strategy's order.
    pub candidates: &'a [TaskSubject],
    /// The index, into `candidates`, of the task the strategy's order
    /// takes.
    pub strategy: usize,
}

/// Whether to restart an app in place on a host that a bug which can
/// still recur struck (asked only then: a host that is up, or that no
/// recurring bug struck, is safe).
#[derive(Clone, Copy, Debug)]
pub struct RestartChoice<'a> {
    /// The instant of the decision.
    pub now: SimTime,
    /// The app, by index in the scenario.
    pub app: AppId,
    /// The app's id.
    pub app_name: &'a str,
    /// The host of one of its down VMs.
    pub host: HostId,
    /// The host's id.
    pub host_name: &'a str,
    /// The strategy's `restart_despite_recurrence`.
    pub strategy: bool,
}

/// Whether a runbook wave opens now: asked when the strategy's rule lets
/// it (every earlier wave settled, its go step done) and apps of it are
/// queued. Keeping it closed holds them back until the next dispatch.
#[derive(Clone, Copy, Debug)]
pub struct WaveChoice<'a> {
    /// The instant of the decision.
    pub now: SimTime,
    /// The wave, by index in the strategy's waves.
    pub wave: usize,
    /// The wave's name.
    pub name: &'a str,
}

/// Why escalation is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escalation {
    /// Recurrences (or crashes cutting its method short) hit the app this
    /// many times: `escalate.after_recurrences` is reached.
    Recurrences(u32),
    /// The app is still waiting for its method `escalate.after` after it
    /// broke.
    Deadline,
}

/// Whether an app moves on from a method to the next of the strategy's:
/// asked where the strategy's `escalate` rules would escalate.
#[derive(Clone, Copy, Debug)]
pub struct EscalationChoice<'a> {
    /// The instant of the decision.
    pub now: SimTime,
    /// The app, by index in the scenario.
    pub app: AppId,
    /// The app's id.
    pub app_name: &'a str,
    /// The method it would skip from now on.
    pub from: Method,
    /// The next method of the strategy.
    pub to: Method,
    /// Which rule offers it.
    pub reason: Escalation,
}

/// Makes the choices of a recovery strategy during a run.
///
/// Every method gets a context and returns the choice; an index out of
/// range of the candidates counts as the strategy's choice. The methods
/// and the next task are the decider's to choose; the other questions
/// (a restart despite the risk, a wave, an escalation) follow the
/// strategy unless the decider overrides them.
pub trait Decider {
    /// Set by a decider that always makes the strategy's choice: the
    /// engine then offers only the strategy's candidate instead of
    /// looking for all of them, and does not ask which task starts next
    /// (the strategy's order answers), so the built-in path costs nothing.
    const FOLLOWS_STRATEGY: bool = false;

    /// Set by a decider that chooses among every task that could start
    /// (a room choosing which app comes next), not only among the first
    /// of each lane: the engine then builds that list at each choice,
    /// which costs a pass over the lanes' queues. Unset, nothing is
    /// built.
    const OFFERS_EVERY_TASK: bool = false;

    /// Which method the app gets: an index into `choice.candidates`.
    fn method(&mut self, choice: &MethodChoice<'_>) -> usize;

    /// Which task starts next: an index into `choice.candidates`.
    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize;

    /// Whether to restart in place despite a bug that can recur. The
    /// default follows the strategy (`choice.strategy`).
    #[inline(always)]
    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        choice.strategy
    }

    /// Whether the wave opens now. The default follows the strategy: a
    /// wave opens as soon as its rule lets it.
    #[inline(always)]
    fn open_wave(&mut self, choice: &WaveChoice<'_>) -> bool {
        let _ = choice;
        true
    }

    /// Whether the app escalates to the next method. The default follows
    /// the strategy: the engine asks only where its `escalate` rules
    /// would escalate, so the answer is yes.
    #[inline(always)]
    fn escalate(&mut self, choice: &EscalationChoice<'_>) -> bool {
        let _ = choice;
        true
    }

    /// Sees the run after each event, at the event's instant, and once at
    /// the end at the horizon (`hvsim explain` accounts for each app's
    /// downtime this way). Between two calls nothing changes but the
    /// clock. The default does nothing.
    #[inline(always)]
    fn observe(&mut self, now: SimTime, run: &RunView<'_>) {
        let _ = (now, run);
    }
}

/// The scenario's strategy: the first applicable method, the task first
/// in the strategy's order, `restart_despite_recurrence` as configured,
/// every wave as soon as the rule lets it open, and escalation whenever
/// the strategy's `escalate` rules say so.
#[derive(Clone, Copy, Debug, Default)]
pub struct StrategyDecider;

impl Decider for StrategyDecider {
    const FOLLOWS_STRATEGY: bool = true;

    #[inline(always)]
    fn method(&mut self, _: &MethodChoice<'_>) -> usize {
        0
    }

    #[inline(always)]
    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        choice.strategy
    }
}

#[cfg(test)]
mod tests {
    use super::{Decider, MethodChoice, RestartChoice, TaskChoice};
    use crate::engine::testing::{Tiny, at, up_at};
    use crate::metrics::Waiting;

    /// Takes the last method offered and never takes a risk; otherwise as
    /// the strategy.
    struct LastAndCautious;

    impl Decider for LastAndCautious {
        fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
            choice.candidates.len() - 1
        }
        fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
            choice.strategy
        }
        fn restart_despite_recurrence(&mut self, _: &RestartChoice<'_>) -> bool {
            false
        }
    }

    fn run(tiny: Tiny) -> crate::metrics::Outcome {
        let scenario = tiny.scenario();
        let strategy = scenario.default_strategy();
        crate::simulate_with(&scenario, strategy, 1, &mut LastAndCautious).expect("runs")
    }

    #[test]
    fn the_decider_chooses_among_the_applicable_methods() {
        let tiny = || Tiny {
            methods: "[restart, reinstall]",
            ..Tiny::default()
        };
        let (_, strategy) = tiny().run();
        assert_eq!(
            up_at(&strategy, 0),
            Some(at(1, 40)),
            "the strategy restarts"
        );
        let last = run(tiny());
        assert_eq!(last.apps[0].method, Some(crate::model::Method::Reinstall));
        assert_eq!(up_at(&last, 0), Some(at(3, 0)));
    }

    #[test]
    fn the_decider_may_refuse_the_risk_the_strategy_takes() {
        let tiny = || Tiny {
            bug: "    recurrence: 1h\n    fix: never",
            strategy: ", restart_despite_recurrence: true",
            ..Tiny::default()
        };
        let (_, strategy) = tiny().run();
        assert_eq!(strategy.apps[0].outages[0].up_at, Some(at(1, 40)));
        let cautious = run(tiny());
        assert_eq!(cautious.apps[0].waiting, Some(Waiting::NoMethod));
    }
}
