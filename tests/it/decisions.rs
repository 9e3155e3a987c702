//! The decision seam (`hvsim::simulate_with`): a run driven through the
//! `Decider` interface by a script gives the same outcome as the built-in
//! strategy, and a script that answers otherwise gives another run.

use hvsim::decider::{
    Decider, EscalationChoice, MethodChoice, RestartChoice, StrategyDecider, TaskChoice, WaveChoice,
};
use hvsim::{Scenario, simulate, simulate_with};
use std::path::Path;

/// One answer to one of the decider's questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Method(usize),
    Task(usize),
    Restart(bool),
    Wave(bool),
    Escalate(bool),
}

/// Answers as the strategy does, and writes every answer down. It does
/// not follow the strategy by declaration (`FOLLOWS_STRATEGY` is false),
/// so the engine offers it every candidate, not only the strategy's.
#[derive(Default)]
struct Recorder {
    script: Vec<Answer>,
}

impl Decider for Recorder {
    fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
        let k = StrategyDecider.method(choice);
        self.script.push(Answer::Method(k));
        k
    }
    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        let k = StrategyDecider.next_task(choice);
        self.script.push(Answer::Task(k));
        k
    }
    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        let yes = StrategyDecider.restart_despite_recurrence(choice);
        self.script.push(Answer::Restart(yes));
        yes
    }
    fn open_wave(&mut self, choice: &WaveChoice<'_>) -> bool {
        let yes = StrategyDecider.open_wave(choice);
        self.script.push(Answer::Wave(yes));
        yes
    }
    fn escalate(&mut self, choice: &EscalationChoice<'_>) -> bool {
        let yes = StrategyDecider.escalate(choice);
        self.script.push(Answer::Escalate(yes));
        yes
    }
}

/// Answers from a script, in order; a question the script does not
/// expect at that point is written down as a mismatch.
struct Script {
    answers: std::vec::IntoIter<Answer>,
    mismatches: Vec<String>,
}

impl Script {
    fn new(answers: Vec<Answer>) -> Self {
        Script {
            answers: answers.into_iter(),
            mismatches: Vec::new(),
        }
    }
    fn next(&mut self, asked: &str) -> Option<Answer> {
        let answer = self.answers.next();
        if answer.is_none() {
            self.mismatches.push(format!("{asked}: the script is over"));
        }
        answer
    }
    fn wrong(&mut self, asked: &str, answer: Option<Answer>) {
        if let Some(answer) = answer {
            self.mismatches
                .push(format!("{asked}: the script says {answer:?}"));
        }
    }
}

impl Decider for Script {
    fn method(&mut self, _: &MethodChoice<'_>) -> usize {
        match self.next("method") {
            Some(Answer::Method(k)) => k,
            other => {
                self.wrong("method", other);
                0
            }
        }
    }
    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        match self.next("task") {
            Some(Answer::Task(k)) => k,
            other => {
                self.wrong("task", other);
                choice.strategy
            }
        }
    }
    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        match self.next("restart") {
            Some(Answer::Restart(yes)) => yes,
            other => {
                self.wrong("restart", other);
                choice.strategy
            }
        }
    }
    fn open_wave(&mut self, _: &WaveChoice<'_>) -> bool {
        match self.next("wave") {
            Some(Answer::Wave(yes)) => yes,
            other => {
                self.wrong("wave", other);
                true
            }
        }
    }
    fn escalate(&mut self, _: &EscalationChoice<'_>) -> bool {
        match self.next("escalate") {
            Some(Answer::Escalate(yes)) => yes,
            other => {
                self.wrong("escalate", other);
                true
            }
        }
    }
}

/// Always takes the last candidate (method and task); otherwise as the
/// strategy (the trait's defaults).
struct Contrarian {
    asked: usize,
}

impl Decider for Contrarian {
    fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
        self.asked += 1;
        assert!(
            !choice.candidates.is_empty(),
            "a method choice has candidates"
        );
        choice.candidates.len() - 1
    }
    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        self.asked += 1;
        assert!(choice.strategy < choice.candidates.len());
        choice.candidates.len() - 1
    }
}

/// Every bundled scenario, loaded.
fn bundled() -> Vec<(String, Scenario)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    super::bundled_scenario_files()
        .into_iter()
        .map(|file| {
            let scenario =
                hvsim::scenario::load_path(&root.join(&file)).expect("bundled scenario loads");
            (file, scenario)
        })
        .collect()
}

const SEED: u64 = 7;

#[test]
fn a_recorded_script_replays_every_bundled_run_exactly() {
    let mut questions = 0;
    let mut kinds = std::collections::HashSet::new();
    for (file, scenario) in bundled() {
        for strategy in &scenario.strategies {
            let built_in = simulate(&scenario, strategy, SEED).expect("runs");
            let mut recorder = Recorder::default();
            let recorded = simulate_with(&scenario, strategy, SEED, &mut recorder).expect("runs");
            // Offered every candidate, the strategy's choices give the
            // built-in run.
            assert_eq!(
                format!("{recorded:?}"),
                format!("{built_in:?}"),
                "{file} {}: recording changed the run",
                strategy.id
            );
            questions += recorder.script.len();
            kinds.extend(recorder.script.iter().map(std::mem::discriminant));
            let mut script = Script::new(recorder.script);
            let replayed = simulate_with(&scenario, strategy, SEED, &mut script).expect("runs");
            assert!(
                script.mismatches.is_empty(),
                "{file} {}: {:?}",
                strategy.id,
                &script.mismatches[..script.mismatches.len().min(5)]
            );
            assert_eq!(
                script.answers.len(),
                0,
                "{file} {}: answers left",
                strategy.id
            );
            assert_eq!(
                format!("{replayed:?}"),
                format!("{built_in:?}"),
                "{file} {}: the replay differs",
                strategy.id
            );
        }
    }
    assert!(
        questions > 1000,
        "the runs ask the decider ({questions} questions)"
    );
}

#[test]
fn a_script_that_answers_otherwise_gives_another_valid_run() {
    let mut differ = 0;
    let mut runs = 0;
    for (file, scenario) in bundled() {
        for strategy in &scenario.strategies {
            let built_in = simulate(&scenario, strategy, SEED).expect("runs");
            let mut contrarian = Contrarian { asked: 0 };
            let other = simulate_with(&scenario, strategy, SEED, &mut contrarian)
                .unwrap_or_else(|e| panic!("{file} {}: {e}", strategy.id));
            runs += 1;
            if other != built_in {
                differ += 1;
            }
            // Still a valid run: every app accounted for, tasks end after
            // they start, the same faults strike first.
            assert_eq!(other.apps.len(), scenario.apps.len());
            assert!(contrarian.asked > 0 || scenario.bugs.is_empty());
            for task in &other.tasks {
                assert!(
                    task.end.is_none_or(|end| end >= task.start),
                    "{file}: {task:?}"
                );
            }
            assert_eq!(
                other.incidents.first().map(|i| i.at),
                built_in.incidents.first().map(|i| i.at),
                "{file} {}: the first strike does not depend on decisions",
                strategy.id
            );
        }
    }
    // Half the bundled runs have a choice to make that matters (11 of 22
    // when this was written); the others have one candidate each time.
    assert!(
        differ * 3 > runs,
        "other answers change many runs ({differ} of {runs})"
    );
}
