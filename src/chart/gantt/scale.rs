//! The Gantt chart's time axis, with its long idle stretches cut out.
//!
//! An idle stretch is a time when nothing happens on any row: no one works
//! on shift, no transfer runs, no automated recovery is under way, and no
//! mark (incident, milestone, RTO deadline) falls. One longer than
//! [`IDLE_SHARE`] of the span of the work (and than [`IDLE_FLOOR`]) is cut out
//! but for a margin each side, and drawn [`GAP_PX`] wide with a break
//! mark; the rest of the time shares the width in proportion to its
//! length, so that ticks stay true dates either side of a break.

use crate::sim::{SimDuration, SimTime};

/// Width of a cut-out stretch, in pixels.
pub const GAP_PX: f64 = 28.0;
/// An idle stretch is cut only if longer than this share of the span...
pub const IDLE_SHARE: f64 = 1.0 / 30.0;
/// ...and than this.
pub const IDLE_FLOOR: SimDuration = SimDuration::from_hours(2);
/// Cuts start and end on multiples of this (from the scenario's start).
const ROUND: u64 = 15 * 60 * 1000;

/// The instants shown across the plot: pieces `(from, to, cut)` side by
/// side from `t0` to `t1`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeScale {
    pieces: Vec<(SimTime, SimTime, bool)>,
    /// Where each piece starts, in pixels, and where the last ends.
    at: Vec<f64>,
    left: f64,
    width: f64,
}

impl TimeScale {
    /// The scale from `t0` to `t1` over `width` pixels from `left`,
    /// cutting the long stretches of `[t0, t1]` that no interval of
    /// `busy` overlaps and no instant of `points` falls in.
    pub fn new(
        (t0, t1): (SimTime, SimTime),
        busy: &[(SimTime, SimTime)],
        points: &[SimTime],
        (left, width): (f64, f64),
    ) -> Self {
        // The span of the work, not of the range: a far RTO deadline
        // does not make the nights too short to cut.
        let work = (
            busy.iter().map(|s| s.0).min().unwrap_or(t0),
            busy.iter().map(|s| s.1).max().unwrap_or(t1),
        );
        let span = work.1.saturating_since(work.0).as_millis();
        let min_idle = ((span as f64 * IDLE_SHARE) as u64).max(IDLE_FLOOR.as_millis());
        let mut edges: Vec<(SimTime, SimTime)> = busy
            .iter()
            .copied()
            .filter(|(a, b)| a <= b)
            .chain(points.iter().map(|&p| (p, p)))
            .collect();
        edges.sort();
        let mut pieces = Vec::new();
        let mut from = t0;
        // The end of the activity so far: idle stretches start after it,
        // and the first is not cut (nothing happened yet: the range starts
        // at the first event).
        let mut covered: Option<SimTime> = None;
        for &(a, b) in &edges {
            if let Some(c) = covered
                && a > c
                && a.as_millis() - c.as_millis() > min_idle
                && c >= t0
                && a <= t1
            {
                let idle = a.as_millis() - c.as_millis();
                let margin = (span / 100).min(idle / 5);
                let ga = (c.as_millis() + margin).div_ceil(ROUND) * ROUND;
                let gb = (a.as_millis() - margin) / ROUND * ROUND;
                if gb > ga {
                    pieces.push((from, SimTime::from_millis(ga), false));
                    pieces.push((SimTime::from_millis(ga), SimTime::from_millis(gb), true));
                    from = SimTime::from_millis(gb);
                }
            }
            covered = Some(covered.map_or(b, |c| c.max(b)));
        }
        pieces.push((from, t1, false));
        // The cuts get GAP_PX each (less when there are many), the time
        // shown the rest in proportion to its length.
        let cuts = pieces.iter().filter(|p| p.2).count() as f64;
        let shown_ms: u64 = pieces
            .iter()
            .filter(|p| !p.2)
            .map(|p| p.1.saturating_since(p.0).as_millis())
            .sum();
        let gap_px = GAP_PX.min(width * 0.5 / cuts.max(1.0));
        let per_ms = (width - cuts * gap_px).max(0.0) / shown_ms.max(1) as f64;
        let mut at = vec![left];
        for &(a, b, cut) in &pieces {
            let w = if cut {
                gap_px
            } else {
                b.saturating_since(a).as_millis() as f64 * per_ms
            };
            at.push(at[at.len() - 1] + w);
        }
        TimeScale {
            pieces,
            at,
            left,
            width,
        }
    }

    /// The x pixel of `t`, clamped to the range shown.
    pub fn x(&self, t: SimTime) -> f64 {
        let k = self.pieces.partition_point(|p| p.1 < t);
        let Some(&(a, b, _)) = self.pieces.get(k) else {
            return self.left + self.width;
        };
        let (xa, xb) = (self.at[k], self.at[k + 1]);
        let len = b.saturating_since(a).as_millis();
        if len == 0 || t <= a {
            return xa;
        }
        xa + t.saturating_since(a).as_millis() as f64 / len as f64 * (xb - xa)
    }

    /// The stretches shown, in order.
    pub fn shown(&self) -> Vec<(SimTime, SimTime)> {
        self.pieces
            .iter()
            .filter(|p| !p.2)
            .map(|p| (p.0, p.1))
            .collect()
    }

    /// The stretches cut out, in order.
    pub fn cuts(&self) -> Vec<(SimTime, SimTime)> {
        self.pieces
            .iter()
            .filter(|p| p.2)
            .map(|p| (p.0, p.1))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(hours: u64) -> SimTime {
        SimTime::from_millis(hours * 3_600_000)
    }

    #[test]
    fn a_long_idle_night_is_cut_and_time_stays_in_order() {
        // Work 0–10 h and 24–34 h: the 14 h between is cut.
        let s = TimeScale::new(
            (h(0), h(34)),
            &[(h(0), h(10)), (h(24), h(34))],
            &[],
            (100.0, 800.0),
        );
        assert_eq!(s.cuts().len(), 1);
        let (a, b) = s.cuts()[0];
        assert!(h(10) < a && a < b && b < h(24), "{a:?} {b:?}");
        assert!((s.x(b) - s.x(a) - GAP_PX).abs() < 1e-9);
        let xs: Vec<f64> = (0..=34).map(|k| s.x(h(k))).collect();
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
        assert!((s.x(h(0)) - 100.0).abs() < 1e-9 && (s.x(h(34)) - 900.0).abs() < 1e-9);
        // Both working days get the same width.
        let day = |a, b| s.x(h(b)) - s.x(h(a));
        assert!((day(0, 10) - day(24, 34)).abs() < 1e-6);
    }

    #[test]
    fn short_stretches_marks_and_the_lead_in_are_not_cut_out() {
        // A mark in the middle of the night splits it in two: no cut hides it.
        let busy = [(h(0), h(10)), (h(24), h(34))];
        let s = TimeScale::new((h(0), h(34)), &busy, &[h(17)], (0.0, 500.0));
        assert_eq!(s.cuts().len(), 2);
        assert!(s.cuts().iter().all(|&(a, b)| !(a <= h(17) && h(17) <= b)));
        // Nor does a night in three hours' work.
        let busy = [(h(0), h(1)), (h(2), h(3))];
        assert!(
            TimeScale::new((h(0), h(3)), &busy, &[], (0.0, 500.0))
                .cuts()
                .is_empty()
        );
        // An hour's pause is never cut; nor the time before the first event.
        let s = TimeScale::new(
            (h(0), h(12)),
            &[(h(6), h(8)), (h(9), h(12))],
            &[],
            (0.0, 500.0),
        );
        assert!(s.cuts().is_empty());
        assert_eq!(s.shown(), vec![(h(0), h(12))]);
    }
}
