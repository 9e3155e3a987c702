//! Runbook waves: an app's task starts only when every earlier wave has
//! settled and its wave's `go` step, if any, is done; and the one door for
//! changes of an app's phase, which keeps the waves' counts in step.

use std::cmp::Reverse;

use crate::engine::world::{AppState, Phase};
use crate::engine::{Engine, trace};
use crate::model::AppId;
use crate::sim::SimTime;

use super::{Entry, Job, Lane};
use crate::recovery::Decider;
use crate::recovery::decider::WaveChoice;

/// The state of one runbook wave.
#[derive(Clone, Debug, Default)]
pub(crate) struct WaveState {
    /// Its "go" step is done (reset once the wave has settled).
    pub(crate) go_done: bool,
    /// Its "go" step is queued or in progress.
    pub(crate) go_pending: bool,
    pub(crate) go_seq: u64,
    pub(crate) openings: u64,
}

/// The strategy's runbook waves in a run.
#[derive(Debug, Default)]
pub(crate) struct Waves {
    pub(crate) states: Vec<WaveState>,
    /// Per wave, its apps not settled and its apps queued, kept as apps
    /// change (`wave_update`) so that opening the waves does not scan
    /// every app at every dispatch.
    pub(crate) unsettled: Vec<u32>,
    pub(crate) queued: Vec<u32>,
    /// Per runbook wave, entries held back until it opens.
    pub(crate) held: Vec<Vec<Entry>>,
}

impl<D: Decider> Engine<'_, D> {
    /// An app whose VMs are all running or whose method gave up on it: it
    /// no longer holds its runbook wave back.
    pub(crate) fn settled(&self, a: usize) -> bool {
        let s = &self.world.apps[a];
        s.broken == 0 || s.phase == Phase::NoMethod
    }

    /// What a runbook wave counts of app `a`: (settled, queued).
    pub(crate) fn wave_state(&self, a: AppId) -> (bool, bool) {
        (
            self.settled(a.index()),
            matches!(self.world.apps[a.index()].phase, Phase::Queued(_)),
        )
    }

    /// Keeps the per-wave counts in step after app `a` changed from
    /// `before` (its `wave_state`); see `change_app`.
    pub(crate) fn wave_update(&mut self, a: AppId, before: (bool, bool)) {
        let Some(&w) = self.st.wave_of.get(a.index()) else {
            return;
        };
        let (settled, queued) = self.wave_state(a);
        let w = w as usize;
        let step = |count: &mut u32, was: bool, is: bool| match (was, is) {
            (false, true) => *count += 1,
            (true, false) => *count -= 1,
            _ => {}
        };
        step(&mut self.recovery.waves.unsettled[w], !before.0, !settled);
        step(&mut self.recovery.waves.queued[w], before.1, queued);
    }

    /// Changes app `a`'s state with `change`: the one door for changes of
    /// its phase or broken VMs, which keeps the wave counts in step.
    #[inline(always)]
    pub(crate) fn change_app(&mut self, a: AppId, change: impl FnOnce(&mut AppState)) {
        if self.st.wave_of.is_empty() {
            change(&mut self.world.apps[a.index()]);
            return;
        }
        let before = self.wave_state(a);
        change(&mut self.world.apps[a.index()]);
        self.wave_update(a, before);
    }

    #[inline(always)]
    pub(crate) fn set_phase(&mut self, a: AppId, phase: Phase) {
        self.change_app(a, |s| s.phase = phase);
    }

    /// Per wave, whether its apps may start now: every earlier wave has
    /// settled and its own "go" step, if any, is done. Also queues the "go"
    /// step of the first wave that waits only for it.
    pub(crate) fn open_waves(&mut self, now: SimTime) -> Vec<bool> {
        let n = self.st.waves.len();
        let settled: Vec<bool> = self
            .recovery
            .waves
            .unsettled
            .iter()
            .map(|&c| c == 0)
            .collect();
        let waiting: Vec<bool> = self.recovery.waves.queued.iter().map(|&c| c > 0).collect();
        if cfg!(debug_assertions) {
            let mut all_settled = vec![true; n];
            let mut any_waiting = vec![false; n];
            for (a, &w) in self.st.wave_of.iter().enumerate() {
                let w = w as usize;
                all_settled[w] &= self.settled(a);
                any_waiting[w] |= matches!(self.world.apps[a].phase, Phase::Queued(_));
            }
            debug_assert_eq!(settled, all_settled, "wave counts out of step");
            debug_assert_eq!(waiting, any_waiting, "wave counts out of step");
        }
        let mut open = vec![false; n];
        let mut prefix_settled = true;
        for w in 0..n {
            if settled[w] && self.recovery.waves.states[w].go_done && !waiting[w] {
                // A settled wave needs a new "go" at the next incident.
                self.recovery.waves.states[w].go_done = false;
            }
            let needs_go = self.st.waves[w].go.is_some() && !self.recovery.waves.states[w].go_done;
            if prefix_settled && needs_go && waiting[w] && !self.recovery.waves.states[w].go_pending
            {
                self.recovery.ready_seq += 1;
                let state = &mut self.recovery.waves.states[w];
                state.go_pending = true;
                state.go_seq = self.recovery.ready_seq;
                let entry = (
                    (0, now.as_millis(), w as u32),
                    self.recovery.ready_seq,
                    Job::Go(w as u32),
                );
                self.recovery.lanes[Lane::Go].push(Reverse(entry));
                trace!(
                    now,
                    "runbook wave {} waits for its go", self.st.waves[w].name
                );
            }
            // A wave the rule opens, with apps queued: the decider may
            // keep it closed for now.
            open[w] = prefix_settled
                && !needs_go
                && (!waiting[w]
                    || self.decider.open_wave(&WaveChoice {
                        now,
                        wave: w,
                        name: &self.st.waves[w].name,
                    }));
            prefix_settled &= settled[w];
        }
        open
    }
}
