//! The event queue and the run loop.
//!
//! Events are ordered by (time, class, sequence): earlier time first; at the
//! same time, lower class first (so faults can be made to win ties on
//! purpose, see [`Scheduler::schedule_at`]); then insertion order, which
//! makes ties deterministic and FIFO. Cancelled events stay in the heap and
//! are skipped when popped: cancellation is O(1) and popping stays O(log n).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use crate::units::time::{SimDuration, SimTime};

/// Identifies a scheduled event, for cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(u64);

/// Why a run stopped without error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// No event was left to process.
    Drained,
    /// The next event lies beyond the horizon; the clock was advanced to the horizon.
    Horizon,
    /// The handler asked to stop.
    Stopped,
}

/// A run loop or scheduling failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// An event was scheduled before the current time.
    #[error(
        "an event was scheduled at {at} but the clock is already at {now}: events cannot be scheduled in the past"
    )]
    InThePast {
        /// The requested instant.
        at: SimTime,
        /// The clock when it was requested.
        now: SimTime,
    },
    /// Time arithmetic overflowed.
    #[error("simulation time overflowed: a duration is too large to represent")]
    Overflow,
    /// The run processed more events than its limit allows.
    #[error(
        "the run processed {limit} events without finishing (at {at}); raise `limits.max_events` if the scenario really needs more, or look for a fault that repeats without end"
    )]
    EventLimit {
        /// The configured limit.
        limit: u64,
        /// The clock when the limit was hit.
        at: SimTime,
    },
}

/// Tie-breaking class of an event scheduled at the same instant as others.
/// Lower classes are processed first.
pub type Class = u8;

/// Bits of a packed key below the class: the sequence number.
const SEQ_BITS: u32 = 56;

#[derive(Debug)]
struct Entry<E> {
    /// (time, class, sequence) packed so that one integer comparison
    /// orders entries: time in the high 64 bits, then the class, then the
    /// sequence in the low 56 bits.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}
impl<E> Entry<E> {
    fn new(at: SimTime, class: Class, seq: u64, event: E) -> Self {
        debug_assert!(seq < 1 << SEQ_BITS);
        let key = (u128::from(at.as_millis()) << 64)
            | (u128::from(class) << SEQ_BITS)
            | u128::from(seq & ((1 << SEQ_BITS) - 1));
        Entry { key, event }
    }

    fn at(&self) -> SimTime {
        SimTime::from_millis((self.key >> 64) as u64)
    }

    fn seq(&self) -> u64 {
        (self.key as u64) & ((1 << SEQ_BITS) - 1)
    }
}

/// A deterministic event scheduler: the simulation clock plus the pending events.
#[derive(Debug)]
pub struct Scheduler<E> {
    now: SimTime,
    seq: u64,
    heap: BinaryHeap<Reverse<Entry<E>>>,
    // Never iterated, so its order cannot reach a result.
    cancelled: HashSet<u64>,
    processed: u64,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    /// An empty scheduler at time zero.
    pub fn new() -> Self {
        Scheduler {
            now: SimTime::ZERO,
            seq: 0,
            heap: BinaryHeap::new(),
            cancelled: HashSet::new(),
            processed: 0,
        }
    }

    /// An empty scheduler with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler {
            heap: BinaryHeap::with_capacity(capacity),
            ..Self::new()
        }
    }

    /// Empties the queue and resets the clock, keeping allocations for reuse.
    pub fn reset(&mut self) {
        self.now = SimTime::ZERO;
        self.seq = 0;
        self.heap.clear();
        self.cancelled.clear();
        self.processed = 0;
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events processed so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events waiting (including cancelled ones not yet skipped).
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// Schedules `event` at `at` in tie-break class `class` (lower first).
    pub fn schedule_at(
        &mut self,
        at: SimTime,
        class: Class,
        event: E,
    ) -> Result<EventId, RunError> {
        if at < self.now {
            return Err(RunError::InThePast { at, now: self.now });
        }
        let seq = self.seq;
        if seq >= 1 << SEQ_BITS {
            return Err(RunError::Overflow);
        }
        self.seq += 1;
        self.heap.push(Reverse(Entry::new(at, class, seq, event)));
        Ok(EventId(seq))
    }

    /// Schedules `event` after `delay` from now.
    pub fn schedule_in(
        &mut self,
        delay: SimDuration,
        class: Class,
        event: E,
    ) -> Result<EventId, RunError> {
        let at = self.now.checked_add(delay).ok_or(RunError::Overflow)?;
        self.schedule_at(at, class, event)
    }

    /// Cancels a pending event; cancelling one already processed or
    /// cancelled does nothing.
    pub fn cancel(&mut self, id: EventId) {
        if id.0 < self.seq {
            self.cancelled.insert(id.0);
        }
    }

    /// Removes and returns the next live event, advancing the clock to it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.pop_live()?;
        let at = entry.at();
        self.now = at;
        self.processed += 1;
        Some((at, entry.event))
    }

    /// Removes and returns the next event that is not cancelled, leaving
    /// the clock alone.
    fn pop_live(&mut self) -> Option<Entry<E>> {
        while let Some(Reverse(entry)) = self.heap.pop() {
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq()) {
                continue;
            }
            return Some(entry);
        }
        None
    }

    /// The time of the next live event. Cancelled events at the top are
    /// discarded first: a cancelled event must not make the run loop
    /// believe the next event lies inside the horizon.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        while !self.cancelled.is_empty() {
            let Some(Reverse(top)) = self.heap.peek() else {
                break;
            };
            let seq = top.seq();
            if !self.cancelled.remove(&seq) {
                break;
            }
            self.heap.pop();
        }
        self.heap.peek().map(|Reverse(e)| e.at())
    }

    /// Runs `handler` on each event in order until the queue drains, the
    /// next event lies beyond `horizon`, the handler returns `Ok(false)`, or
    /// more than `max_events` have been processed (an error: runaway
    /// scenarios must end, not hang).
    pub fn run<F, Err>(
        &mut self,
        horizon: SimTime,
        max_events: u64,
        mut handler: F,
    ) -> Result<StopReason, Err>
    where
        F: FnMut(&mut Self, SimTime, E) -> Result<bool, Err>,
        Err: From<RunError>,
    {
        loop {
            // One pop per event; the rare event that must not run yet (past
            // the horizon or the limit) goes back, so it stays pending.
            let Some(entry) = self.pop_live() else {
                return Ok(StopReason::Drained);
            };
            let at = entry.at();
            if at > horizon {
                self.heap.push(Reverse(entry));
                self.now = horizon;
                return Ok(StopReason::Horizon);
            }
            if self.processed >= max_events {
                self.heap.push(Reverse(entry));
                return Err(RunError::EventLimit {
                    limit: max_events,
                    at: self.now,
                }
                .into());
            }
            self.now = at;
            self.processed += 1;
            if !handler(self, at, entry.event)? {
                return Ok(StopReason::Stopped);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_millis(ms)
    }

    proptest::proptest! {
        /// The packed key orders exactly as the (time, class, insertion)
        /// tuple, over the whole range of times and classes, with
        /// cancellations and a horizon.
        #[test]
        fn pops_as_a_stable_sort_by_time_then_class(
            events in proptest::collection::vec(
                (proptest::prop_oneof![0u64..50, (u64::MAX - 50)..=u64::MAX], proptest::prelude::any::<u8>(), proptest::prelude::any::<bool>()),
                0..200,
            ),
            horizon in proptest::prop_oneof![0u64..60, proptest::prelude::Just(u64::MAX)],
        ) {
            let mut s = Scheduler::new();
            let mut expected = Vec::new();
            for (i, &(at, class, cancel)) in events.iter().enumerate() {
                let id = s.schedule_at(t(at), class, i).unwrap();
                if cancel {
                    s.cancel(id);
                } else if at <= horizon {
                    expected.push((at, class, i));
                }
            }
            expected.sort_by_key(|&(at, class, _)| (at, class));
            let mut seen = Vec::new();
            s.run::<_, RunError>(t(horizon), u64::MAX, |_, now, i| {
                seen.push((now.as_millis(), events[i].1, i));
                Ok(true)
            })
            .unwrap();
            proptest::prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn sequence_numbers_beyond_the_packed_key_are_an_error() {
        let mut s = Scheduler::new();
        s.seq = (1 << SEQ_BITS) - 1;
        assert!(s.schedule_at(t(0), 0, ()).is_ok());
        assert_eq!(s.schedule_at(t(0), 0, ()), Err(RunError::Overflow));
    }

    #[test]
    fn pops_in_time_then_class_then_insertion_order() {
        let mut s = Scheduler::new();
        s.schedule_at(t(5), 1, "c").unwrap();
        s.schedule_at(t(1), 1, "a").unwrap();
        s.schedule_at(t(5), 1, "d").unwrap();
        s.schedule_at(t(5), 0, "fault wins the tie").unwrap();
        s.schedule_at(t(3), 1, "b").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| s.pop()).collect();
        assert_eq!(
            order,
            vec![
                (t(1), "a"),
                (t(3), "b"),
                (t(5), "fault wins the tie"),
                (t(5), "c"),
                (t(5), "d")
            ]
        );
        assert_eq!(s.now(), t(5));
    }

    #[test]
    fn many_ties_are_fifo() {
        let mut s = Scheduler::new();
        for i in 0..1000 {
            s.schedule_at(t(7), 1, i).unwrap();
        }
        let got: Vec<_> = std::iter::from_fn(|| s.pop()).map(|(_, e)| e).collect();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn cancelled_events_are_skipped_and_cancel_is_idempotent() {
        let mut s = Scheduler::new();
        let a = s.schedule_at(t(1), 1, 'a').unwrap();
        let b = s.schedule_at(t(2), 1, 'b').unwrap();
        s.schedule_at(t(3), 1, 'c').unwrap();
        s.cancel(b);
        s.cancel(b);
        assert_eq!(s.pop(), Some((t(1), 'a')));
        s.cancel(a); // already processed: no effect
        assert_eq!(s.pop(), Some((t(3), 'c')));
        assert_eq!(s.pop(), None);
        assert_eq!(s.processed(), 2);
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut s = Scheduler::new();
        s.schedule_at(t(10), 1, ()).unwrap();
        s.pop();
        assert_eq!(
            s.schedule_at(t(9), 1, ()),
            Err(RunError::InThePast {
                at: t(9),
                now: t(10)
            })
        );
        assert!(s.schedule_at(t(10), 1, ()).is_ok());
        assert_eq!(
            s.schedule_in(SimDuration::MAX, 1, ()),
            Err(RunError::Overflow)
        );
    }

    #[test]
    fn run_stops_at_horizon_and_at_event_limit() {
        // A process that reschedules itself forever.
        let mut s: Scheduler<()> = Scheduler::new();
        s.schedule_at(t(0), 1, ()).unwrap();
        let stop = s
            .run::<_, RunError>(t(1_000), u64::MAX, |s, _, ()| {
                s.schedule_in(SimDuration::from_millis(10), 1, ())?;
                Ok(true)
            })
            .unwrap();
        assert_eq!(stop, StopReason::Horizon);
        assert_eq!(s.now(), t(1_000));
        assert_eq!(s.processed(), 101);

        let mut s: Scheduler<()> = Scheduler::new();
        s.schedule_at(t(0), 1, ()).unwrap();
        let err = s
            .run::<_, RunError>(SimTime::MAX, 500, |s, _, ()| {
                s.schedule_in(SimDuration::ZERO, 1, ())?;
                Ok(true)
            })
            .unwrap_err();
        assert!(matches!(err, RunError::EventLimit { limit: 500, .. }));
        assert!(err.to_string().contains("limits.max_events"));
    }

    #[test]
    fn a_cancelled_event_inside_the_horizon_does_not_let_a_later_one_run() {
        // Found by the property tests: the loop peeked at a cancelled event
        // inside the horizon, then popped the live one beyond it.
        let mut s = Scheduler::new();
        let early = s.schedule_at(t(5), 1, "cancelled").unwrap();
        s.schedule_at(t(50), 1, "beyond the horizon").unwrap();
        s.cancel(early);
        let mut seen = vec![];
        let stop = s
            .run::<_, RunError>(t(10), 100, |_, _, e| {
                seen.push(e);
                Ok(true)
            })
            .unwrap();
        assert_eq!(stop, StopReason::Horizon);
        assert!(seen.is_empty(), "{seen:?}");
        assert_eq!(s.now(), t(10));
        assert_eq!(s.peek_time(), Some(t(50)));
    }

    #[test]
    fn run_drains_and_handler_can_stop() {
        let mut s = Scheduler::new();
        for i in 0..5 {
            s.schedule_at(t(i), 1, i).unwrap();
        }
        let mut seen = vec![];
        let stop = s
            .run::<_, RunError>(SimTime::MAX, 100, |_, _, e| {
                seen.push(e);
                Ok(e < 2)
            })
            .unwrap();
        assert_eq!(stop, StopReason::Stopped);
        assert_eq!(seen, vec![0, 1, 2]);
        let stop = s
            .run::<_, RunError>(SimTime::MAX, 100, |_, _, _| Ok(true))
            .unwrap();
        assert_eq!(stop, StopReason::Drained);
    }
}
