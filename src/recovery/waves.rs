//! Runbook waves: an app's task starts only when every earlier wave has
//! settled and its wave's `go` step, if any, is done. The per-wave counts
//! of settled and queued apps are the world's, kept in step by its one
//! door for changes of an app's phase (`World::change_app`).

use std::cmp::Reverse;

use crate::run::trace;
use crate::run::world::Phase;
use crate::sim::SimTime;

use super::decider::WaveChoice;
use super::{Decider, Entry, Job, Lane, Recovery};

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
    /// Per runbook wave, entries held back until it opens.
    pub(crate) held: Vec<Vec<Entry>>,
}

impl<D: Decider> Recovery<'_, '_, D> {
    /// Per wave, whether its apps may start now: every earlier wave has
    /// settled and its own "go" step, if any, is done. Also queues the "go"
    /// step of the first wave that waits only for it.
    pub(crate) fn open_waves(&mut self, now: SimTime) -> Vec<bool> {
        let n = self.st.waves.len();
        let settled: Vec<bool> = self.world.waves.unsettled.iter().map(|&c| c == 0).collect();
        let waiting: Vec<bool> = self.world.waves.queued.iter().map(|&c| c > 0).collect();
        if cfg!(debug_assertions) {
            let mut all_settled = vec![true; n];
            let mut any_waiting = vec![false; n];
            for (a, &w) in self.st.wave_of.iter().enumerate() {
                let w = w as usize;
                all_settled[w] &= self.world.settled(a);
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
                self.recovery.lanes.push(Lane::Go, Reverse(entry));
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
