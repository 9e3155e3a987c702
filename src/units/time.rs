//! Integer simulation time.
//!
//! Time is counted in whole milliseconds from the scenario's start instant.
//! Integers keep event ordering exact: no epsilons, no drift between
//! machines. A `u64` of milliseconds covers 584 million years, so overflow
//! can only come from nonsense input, and every operation that could
//! overflow is checked or saturating.

use std::fmt;

/// Milliseconds in one second.
pub const MS_PER_SECOND: u64 = 1_000;
/// Milliseconds in one minute.
pub const MS_PER_MINUTE: u64 = 60 * MS_PER_SECOND;
/// Milliseconds in one hour.
pub const MS_PER_HOUR: u64 = 60 * MS_PER_MINUTE;
/// Milliseconds in one day.
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// An instant of simulated time: milliseconds since the scenario's start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimTime {
    /// The scenario's start.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// An instant `ms` milliseconds after the start.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms)
    }

    /// Milliseconds since the start.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, or `None` on overflow.
    pub fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        self.0.checked_add(d.0).map(SimTime)
    }

    /// `self + d`, clamped to [`SimTime::MAX`].
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// The time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The largest representable duration.
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }
    /// A duration of `s` seconds (saturating).
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(MS_PER_SECOND))
    }
    /// A duration of `m` minutes (saturating).
    pub const fn from_minutes(m: u64) -> Self {
        SimDuration(m.saturating_mul(MS_PER_MINUTE))
    }
    /// A duration of `h` hours (saturating).
    pub const fn from_hours(h: u64) -> Self {
        SimDuration(h.saturating_mul(MS_PER_HOUR))
    }
    /// A duration of `d` days (saturating).
    pub const fn from_days(d: u64) -> Self {
        SimDuration(d.saturating_mul(MS_PER_DAY))
    }

    /// Milliseconds in this duration.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This duration in (fractional) hours, for statistics and display only.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }

    /// This duration in (fractional) seconds, for statistics and display only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SECOND as f64
    }

    /// A duration from fractional milliseconds, rounded to the nearest
    /// millisecond; negative or NaN values become zero, huge ones saturate.
    pub fn from_millis_f64(ms: f64) -> Self {
        if ms.is_nan() || ms <= 0.0 {
            SimDuration(0)
        } else if ms >= u64::MAX as f64 {
            SimDuration(u64::MAX)
        } else {
            SimDuration(ms.round() as u64)
        }
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: SimDuration) -> Option<SimDuration> {
        self.0.checked_add(other.0).map(SimDuration)
    }

    /// `self + other`, clamped.
    pub fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }

    /// `self - other`, zero if `other` is larger.
    pub fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for SimDuration {
    /// Human units, largest first, at most two of them: `2d 4h`, `3h 20m`,
    /// `45m`, `12s`, `0s`. Sub-second parts show only for spans under a
    /// second (`250ms`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms < MS_PER_SECOND {
            return if ms == 0 {
                f.write_str("0s")
            } else {
                write!(f, "{ms}ms")
            };
        }
        let units = [
            (MS_PER_DAY, "d"),
            (MS_PER_HOUR, "h"),
            (MS_PER_MINUTE, "m"),
            (MS_PER_SECOND, "s"),
        ];
        let mut rest = ms;
        let mut written = 0;
        for (size, suffix) in units {
            let n = rest / size;
            if n > 0 || (written > 0 && written < 2) {
                if written == 2 {
                    break;
                }
                if n > 0 {
                    if written > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{n}{suffix}")?;
                }
                written += 1;
                rest -= n * size;
            }
            if written == 2 {
                break;
            }
        }
        Ok(())
    }
}

impl fmt::Display for SimTime {
    /// Without a calendar an instant can only be shown relative to the start.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T+{}", SimDuration(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_display_two_largest_units() {
        let cases = [
            (0, "0s"),
            (250, "250ms"),
            (12 * MS_PER_SECOND, "12s"),
            (45 * MS_PER_MINUTE, "45m"),
            (3 * MS_PER_HOUR + 20 * MS_PER_MINUTE, "3h 20m"),
            (
                2 * MS_PER_DAY + 4 * MS_PER_HOUR + 59 * MS_PER_MINUTE,
                "2d 4h",
            ),
            (2 * MS_PER_DAY + 30 * MS_PER_MINUTE, "2d"),
            (MS_PER_HOUR + 5 * MS_PER_SECOND, "1h"),
        ];
        for (ms, want) in cases {
            assert_eq!(SimDuration::from_millis(ms).to_string(), want, "{ms} ms");
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(SimTime::MAX.checked_add(SimDuration::from_millis(1)), None);
        assert_eq!(SimTime::MAX.saturating_add(SimDuration::MAX), SimTime::MAX);
        assert_eq!(
            SimTime::from_millis(5).saturating_since(SimTime::from_millis(9)),
            SimDuration::ZERO
        );
        assert_eq!(SimDuration::from_millis_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_millis_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(
            SimDuration::from_millis_f64(1.6),
            SimDuration::from_millis(2)
        );
    }
}
