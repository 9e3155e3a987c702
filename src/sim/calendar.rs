//! Work calendars: when the people who restore things are on duty.
//!
//! A team works in recurring [shifts](ShiftSpec) given in the scenario's
//! local time zone; [holidays](HolidaySpec) cap how many of its members work
//! on a local date. [`Roster::build`] turns these into, for every worker, the
//! sorted list of instants during which that worker is on duty
//! ([`WorkerCalendar`]), once per scenario, over `[0, horizon)`.
//!
//! Work is preemptive-resume: a task needing `w` of work that starts at `t`
//! progresses only while its worker is on shift and is done once `w` of
//! on-shift time has passed ([`WorkerCalendar::finish`]). Every query is a
//! binary search over precomputed intervals and never allocates.
//!
//! Local times are converted with the time zone's rules, including daylight
//! saving transitions: a wall-clock time that occurs twice (a fold) means
//! its first occurrence; one that does not occur (a gap) means the instant
//! of the transition, so a shift "starting" in a skipped hour begins when
//! the clocks jump. A shift from 08:00 to 18:00 therefore lasts 10 hours
//! every day, while a 00:00–24:00 day lasts 23 or 25 hours on transition
//! days.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::units::time::{MS_PER_DAY, SimDuration, SimTime};

/// The most shift occurrences a roster may expand to, and separately the
/// most on-duty intervals all its workers may hold together. Building a
/// larger roster fails with an error rather than using unbounded time and
/// memory.
pub const MAX_INTERVALS: u64 = 1_000_000;

/// The longest horizon, in days, that [`Roster::build`] accepts.
pub const MAX_HORIZON_DAYS: u64 = 1_000_000;

/// Why a shift could not be parsed or a roster could not be built. Every
/// message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not shaped like a shift.
    #[error("expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got `{text}`")]
    Syntax {
        /// The text as given.
        text: String,
    },
    /// A day name was not recognised.
    #[error(
        "unknown day `{day}` in shift `{text}`: expected Mon, Tue, Wed, Thu, Fri, Sat or Sun \
         (or a range like `Fri-Mon`, a list like `Sat,Sun`, or `daily`)"
    )]
    UnknownDay {
        /// The unrecognised day.
        day: String,
        /// The whole shift text.
        text: String,
    },
    /// A time of day is out of range.
    #[error(
        "invalid time `{time}` in shift `{text}`: expected a time of day from 00:00 to 23:59 \
         (24:00 is allowed only as the end of a shift)"
    )]
    InvalidTime {
        /// The offending time.
        time: String,
        /// The whole shift text.
        text: String,
    },
    /// A shift that starts when it ends (`08:00-08:00`).
    #[error(
        "shift `{text}` starts when it ends, so it would last no time: write `24/7` (or \
         `Mon-Fri 00:00-24:00`) for all day, or give a later end"
    )]
    ZeroLength {
        /// The whole shift text.
        text: String,
    },
    /// The horizon is longer than [`MAX_HORIZON_DAYS`] or ends after the
    /// last supported date.
    #[error(
        "the horizon of {horizon} is too long for a work calendar: at most {max_days} days \
         ending before the year 9999 are supported; shorten the horizon"
    )]
    HorizonTooLong {
        /// The horizon asked for.
        horizon: SimDuration,
        /// [`MAX_HORIZON_DAYS`].
        max_days: u64,
    },
    /// A local date or time could not be converted with the time zone.
    #[error(
        "the work calendar reaches a date outside the supported range (years -9999 to 9999): \
         {detail}; move the scenario's start or shorten the horizon"
    )]
    OutOfRange {
        /// What the time zone library reported.
        detail: String,
    },
    /// The shifts recur too often over the horizon.
    #[error(
        "the shifts recur up to {count} times over the horizon, more than the limit of {limit}; \
         shorten the horizon or use fewer shifts"
    )]
    TooManyShifts {
        /// An upper bound on the number of shift occurrences.
        count: u64,
        /// [`MAX_INTERVALS`].
        limit: u64,
    },
    /// The workers' calendars would hold too many intervals in total.
    #[error(
        "the team's calendars would hold {count} on-duty periods in total, more than the limit \
         of {limit}; shorten the horizon, use a smaller team or fewer shifts"
    )]
    TooManyIntervals {
        /// The number of intervals needed.
        count: u64,
        /// [`MAX_INTERVALS`].
        limit: u64,
    },
}

// ---------------------------------------------------------------------------
// Weekdays
// ---------------------------------------------------------------------------

/// Days of the week as a bitmask (Mon = bit 0 … Sun = bit 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weekdays(u8);

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAY_FULL_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day_index(day: Weekday) -> u8 {
    // `to_monday_zero_offset` is in 0..=6 by construction.
    day.to_monday_zero_offset().unsigned_abs()
}

fn weekday_from_index(i: u8) -> Weekday {
    match i % 7 {
        0 => Weekday::Monday,
        1 => Weekday::Tuesday,
        2 => Weekday::Wednesday,
        3 => Weekday::Thursday,
        4 => Weekday::Friday,
        5 => Weekday::Saturday,
        _ => Weekday::Sunday,
    }
}

impl Weekdays {
    /// No day at all.
    pub const NONE: Weekdays = Weekdays(0);
    /// Every day of the week.
    pub const ALL: Weekdays = Weekdays(0x7f);
    /// Monday to Friday.
    pub const MON_FRI: Weekdays = Weekdays(0x1f);

    /// Just `day`.
    pub fn single(day: Weekday) -> Self {
        Weekdays(1 << day_index(day))
    }

    /// The days from `first` to `last` inclusive, wrapping past Sunday when
    /// `last` comes before `first` (`Fri`–`Mon` is Fri, Sat, Sun, Mon).
    pub fn range(first: Weekday, last: Weekday) -> Self {
        let mut bits = 0u8;
        let mut i = day_index(first);
        let end = day_index(last);
        loop {
            bits |= 1 << i;
            if i == end {
                break;
            }
            i = (i + 1) % 7;
        }
        Weekdays(bits)
    }

    /// The days whose bits are set in `bits` (Mon = bit 0 … Sun = bit 6);
    /// bit 7 is ignored.
    pub const fn from_bits(bits: u8) -> Self {
        Weekdays(bits & 0x7f)
    }

    /// The bitmask (Mon = bit 0 … Sun = bit 6).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether `day` is one of these days.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day_index(day)) != 0
    }

    /// These days and `other`'s.
    pub const fn union(self, other: Weekdays) -> Self {
        Weekdays(self.0 | other.0)
    }

    /// How many days of the week these are.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether there is no day at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Weekdays {
    /// `daily`, `none`, or runs of consecutive days such as `Mon-Fri`,
    /// `Fri-Mon` or `Mon,Wed,Sat-Sun` — a form [`ShiftSpec::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Weekdays::ALL {
            return f.write_str("daily");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        let on = |i: u8| self.0 & (1 << (i % 7)) != 0;
        // Start at a day that is on and whose previous day is off, so that
        // runs wrapping past Sunday come out whole.
        let first = (0..7u8)
            .find(|&i| on(i) && !on(i + 6))
            .expect("a non-empty set of fewer than 7 days has a first day after a gap");
        let mut written = false;
        let mut i = 0u8;
        while i < 7 {
            let d = first + i;
            if !on(d) {
                i += 1;
                continue;
            }
            let mut run = 1u8;
            while i + run < 7 && on(d + run) {
                run += 1;
            }
            if written {
                f.write_str(",")?;
            }
            f.write_str(DAY_NAMES[usize::from(d % 7)])?;
            if run > 1 {
                write!(f, "-{}", DAY_NAMES[usize::from((d + run - 1) % 7)])?;
            }
            written = true;
            i += run;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Shifts and holidays
// ---------------------------------------------------------------------------

/// One recurring shift in local time: on `days`, from `start` to `end`
/// (`end <= start` means it runs past midnight into the next day; `start ==
/// end` means 24 h), with `members` of the team on duty.
///
/// A shift belongs to the day it starts on: `Fri 22:00-06:00` runs from
/// Friday 22:00 to Saturday 06:00. Shifts that overlap add up their members.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftSpec {
    /// The days on which the shift starts.
    pub days: Weekdays,
    /// Local start time.
    pub start: Time,
    /// Local end time (midnight for `24:00`).
    pub end: Time,
    /// How many of the team are on duty; `None` is the whole team.
    pub members: Option<u32>,
}

impl ShiftSpec {
    /// Every day, all day, the whole team: `24/7`.
    pub fn always() -> Self {
        ShiftSpec {
            days: Weekdays::ALL,
            start: Time::midnight(),
            end: Time::midnight(),
            members: None,
        }
    }

    /// Parses a shift, with the whole team on duty (`members` is `None`).
    ///
    /// Forms: `24/7` (every day, all day); `Mon-Fri 08:00-18:00`;
    /// `Sat,Sun 09:00-13:00`; `daily 07:00-22:00`; `Mon-Sun 22:00-06:00`
    /// (overnight). Day names are `Mon` … `Sun` (full names also work),
    /// case-insensitive; ranges may wrap (`Fri-Mon`); lists mix names and
    /// ranges (`Mon,Wed-Thu`). Times are `HH:MM` (a one-digit hour is
    /// accepted); `24:00` is allowed as an end. Spaces around `-` and `,`
    /// are ignored.
    pub fn parse(text: &str) -> Result<ShiftSpec, CalendarError> {
        let text = text.trim();
        let syntax = || CalendarError::Syntax {
            text: text.to_string(),
        };
        if text.eq_ignore_ascii_case("24/7") {
            return Ok(ShiftSpec::always());
        }
        let split = text.find(|c: char| c.is_ascii_digit()).ok_or_else(syntax)?;
        let (days_part, times_part) = text.split_at(split);
        let days_part: String = days_part.split_whitespace().collect();
        let times_part: String = times_part.split_whitespace().collect();
        if days_part.is_empty() {
            return Err(syntax());
        }
        let days = parse_days(&days_part, text)?;
        let (start, end_text) = times_part.split_once('-').ok_or_else(syntax)?;
        let start = parse_time(start, false, text)?;
        let end = parse_time(end_text, true, text)?;
        // `00:00-24:00` is all day; any other start equal to its end is
        // a mistake, not a 24-hour shift.
        if start == end && !end_text.starts_with("24") {
            return Err(CalendarError::ZeroLength {
                text: text.to_string(),
            });
        }
        Ok(ShiftSpec {
            days,
            start,
            end,
            members: None,
        })
    }

    /// How long one occurrence lasts on a day without a clock change.
    pub fn nominal_length(&self) -> SimDuration {
        let ms = |t: Time| {
            let d = t.duration_since(Time::midnight()).as_millis();
            u64::try_from(d).unwrap_or(0)
        };
        let (s, e) = (ms(self.start), ms(self.end));
        SimDuration::from_millis(if e > s { e - s } else { MS_PER_DAY - s + e })
    }
}

impl FromStr for ShiftSpec {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ShiftSpec::parse(s)
    }
}

impl fmt::Display for ShiftSpec {
    /// The text form [`ShiftSpec::parse`] reads (`24/7`, `Mon-Fri
    /// 08:00-18:00`, `daily 22:00-06:00`); seconds are shown only when set.
    /// `members` is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.days == Weekdays::ALL
            && self.start == Time::midnight()
            && self.end == Time::midnight()
        {
            return f.write_str("24/7");
        }
        let hm = |t: Time, end: bool| {
            let hour = if end && t == Time::midnight() {
                24
            } else {
                t.hour()
            };
            if t.second() == 0 && t.subsec_nanosecond() == 0 {
                format!("{hour:02}:{:02}", t.minute())
            } else {
                format!("{hour:02}:{:02}:{:02}", t.minute(), t.second())
            }
        };
        write!(
            f,
            "{} {}-{}",
            self.days,
            hm(self.start, false),
            hm(self.end, true)
        )
    }
}

fn parse_day(name: &str, text: &str) -> Result<Weekday, CalendarError> {
    let lower = name.to_ascii_lowercase();
    let found = (0..7u8).find(|&i| {
        DAY_NAMES[usize::from(i)].eq_ignore_ascii_case(&lower)
            || DAY_FULL_NAMES[usize::from(i)] == lower
    });
    match found {
        Some(i) => Ok(weekday_from_index(i)),
        None if name.is_empty() => Err(CalendarError::Syntax {
            text: text.to_string(),
        }),
        None => Err(CalendarError::UnknownDay {
            day: name.to_string(),
            text: text.to_string(),
        }),
    }
}

fn parse_days(part: &str, text: &str) -> Result<Weekdays, CalendarError> {
    if part.eq_ignore_ascii_case("daily") {
        return Ok(Weekdays::ALL);
    }
    let mut days = Weekdays::NONE;
    for item in part.split(',') {
        let set = match item.split_once('-') {
            Some((a, b)) => Weekdays::range(parse_day(a, text)?, parse_day(b, text)?),
            None => Weekdays::single(parse_day(item, text)?),
        };
        days = days.union(set);
    }
    Ok(days)
}

/// `H:MM` or `HH:MM`; `24:00` only when `is_end` (it becomes midnight).
fn parse_time(s: &str, is_end: bool, text: &str) -> Result<Time, CalendarError> {
    let syntax = || CalendarError::Syntax {
        text: text.to_string(),
    };
    let invalid = || CalendarError::InvalidTime {
        time: s.to_string(),
        text: text.to_string(),
    };
    let (h, m) = s.split_once(':').ok_or_else(syntax)?;
    let digits = |x: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 1, 2) || !digits(m, 2, 2) {
        return Err(syntax());
    }
    let hour: i8 = h.parse().map_err(|_| syntax())?;
    let minute: i8 = m.parse().map_err(|_| syntax())?;
    if hour == 24 && minute == 0 && is_end {
        return Ok(Time::midnight());
    }
    Time::new(hour, minute, 0, 0).map_err(|_| invalid())
}

/// A local date on which at most `members` of the team work (0 = nobody),
/// overriding shifts for that whole local day.
///
/// The cap holds from the date's local midnight to the next one, including
/// for the part of an overnight shift that started the evening before. It
/// never adds people: a holiday on a day without shifts changes nothing.
/// When a date is listed twice the smaller cap wins.
#[derive(Clone, Debug, PartialEq)]
pub struct HolidaySpec {
    /// The local date.
    pub date: Date,
    /// The most members on duty that day.
    pub members: u32,
}

// ---------------------------------------------------------------------------
// WorkerCalendar
// ---------------------------------------------------------------------------

/// A span of a worker's calendar in which their duty does not change: on
/// duty throughout `[from, until)`, or off duty throughout it (then
/// `until` is the next on-duty start, [`SimTime::MAX`] if none). An
/// instant `t` of the span gives `is_on(t) == on` and `next_on(t)` = `t`
/// when on, else `until` (none if `until` is `MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duty {
    /// On duty throughout.
    pub on: bool,
    /// Start of the span.
    pub from: SimTime,
    /// End of the span (exclusive).
    pub until: SimTime,
}

impl Duty {
    /// A span containing no instant: any question asks the calendar.
    pub const UNKNOWN: Duty = Duty {
        on: false,
        from: SimTime::MAX,
        until: SimTime::ZERO,
    };

    /// Whether `t` is in the span.
    pub fn covers(&self, t: SimTime) -> bool {
        self.from <= t && t < self.until
    }

    /// [`WorkerCalendar::next_on`] at an instant `t` of the span.
    pub fn next_on(&self, t: SimTime) -> Option<SimTime> {
        if self.on {
            Some(t)
        } else {
            (self.until != SimTime::MAX).then_some(self.until)
        }
    }
}

/// The on-shift periods of one worker: sorted, disjoint, non-adjacent
/// half-open intervals `[start, end)`.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerCalendar {
    intervals: Vec<(SimTime, SimTime)>,
    /// `work_through[i]`: total on-shift time of intervals `0..=i`, in ms.
    work_through: Vec<u64>,
}

static EMPTY_CALENDAR: WorkerCalendar = WorkerCalendar {
    intervals: Vec::new(),
    work_through: Vec::new(),
};

fn len_ms((s, e): (SimTime, SimTime)) -> u64 {
    e.as_millis() - s.as_millis()
}

impl WorkerCalendar {
    /// On duty for all time (no horizon limit): the single interval
    /// `[0, SimTime::MAX)`.
    pub fn always() -> Self {
        Self::from_intervals([(SimTime::ZERO, SimTime::MAX)])
    }

    /// Never on duty.
    pub fn empty() -> Self {
        EMPTY_CALENDAR.clone()
    }

    /// A calendar from any intervals `[start, end)`: they are sorted,
    /// overlapping or touching ones are merged and empty ones dropped.
    pub fn from_intervals(intervals: impl IntoIterator<Item = (SimTime, SimTime)>) -> Self {
        let mut raw: Vec<(SimTime, SimTime)> =
            intervals.into_iter().filter(|&(s, e)| s < e).collect();
        raw.sort_unstable();
        let mut merged: Vec<(SimTime, SimTime)> = Vec::with_capacity(raw.len());
        for (s, e) in raw {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Self::from_sorted(merged)
    }

    /// From intervals already sorted, disjoint, non-adjacent and non-empty.
    fn from_sorted(intervals: Vec<(SimTime, SimTime)>) -> Self {
        let mut total = 0u64;
        let work_through = intervals
            .iter()
            .map(|&iv| {
                // Disjoint intervals inside [0, u64::MAX] add up to at most
                // u64::MAX.
                total = total.saturating_add(len_ms(iv));
                total
            })
            .collect();
        WorkerCalendar {
            intervals,
            work_through,
        }
    }

    /// The number of intervals starting at or before `t`.
    fn count_started(&self, t: SimTime) -> usize {
        self.intervals.partition_point(|&(s, _)| s <= t)
    }

    /// The interval containing `t`, if any.
    fn containing(&self, t: SimTime) -> Option<usize> {
        let i = self.count_started(t).checked_sub(1)?;
        (t < self.intervals[i].1).then_some(i)
    }

    /// On-shift time in `[0, t)`, in ms.
    fn worked_before(&self, t: SimTime) -> u64 {
        match self.count_started(t).checked_sub(1) {
            None => 0,
            Some(i) => {
                let (_, e) = self.intervals[i];
                self.work_through[i] - e.as_millis().saturating_sub(t.as_millis())
            }
        }
    }

    /// The longest span around `t` in which the worker is on duty
    /// throughout, or off duty throughout: what [`Self::is_on`] and
    /// [`Self::next_on`] answer for every instant of it, from one search.
    pub fn duty_at(&self, t: SimTime) -> Duty {
        let started = self.count_started(t);
        if let Some(i) = started.checked_sub(1)
            && t < self.intervals[i].1
        {
            let (from, until) = self.intervals[i];
            return Duty {
                on: true,
                from,
                until,
            };
        }
        Duty {
            on: false,
            from: started
                .checked_sub(1)
                .map_or(SimTime::ZERO, |i| self.intervals[i].1),
            until: self
                .intervals
                .get(started)
                .map_or(SimTime::MAX, |&(s, _)| s),
        }
    }

    /// Whether the worker is on duty at `t`.
    pub fn is_on(&self, t: SimTime) -> bool {
        self.containing(t).is_some()
    }

    /// `t` itself if on duty at `t`; otherwise the start of the next
    /// on-duty period; `None` if there is none.
    pub fn next_on(&self, t: SimTime) -> Option<SimTime> {
        if self.is_on(t) {
            return Some(t);
        }
        self.intervals.get(self.count_started(t)).map(|&(s, _)| s)
    }

    /// When the on-duty period containing `t` ends; `None` if off duty at
    /// `t` or if the period never ends (it reaches [`SimTime::MAX`]).
    pub fn next_off(&self, t: SimTime) -> Option<SimTime> {
        let i = self.containing(t)?;
        let end = self.intervals[i].1;
        (end != SimTime::MAX).then_some(end)
    }

    /// When `work` of on-shift time, counted from `start`, is complete
    /// (preemptive-resume: work pauses while off duty). The result may be
    /// the very end of an on-duty period. Zero work completes at `start`,
    /// on duty or not. `None` if the calendar ends first.
    pub fn finish(&self, start: SimTime, work: SimDuration) -> Option<SimTime> {
        if work == SimDuration::ZERO {
            return Some(start);
        }
        let target = self.worked_before(start).checked_add(work.as_millis())?;
        let j = self.work_through.partition_point(|&w| w < target);
        let &through = self.work_through.get(j)?;
        let (_, end) = self.intervals[j];
        Some(SimTime::from_millis(end.as_millis() - (through - target)))
    }

    /// On-shift time in `[a, b)` (zero if `b <= a`).
    pub fn worked_between(&self, a: SimTime, b: SimTime) -> SimDuration {
        if b <= a {
            return SimDuration::ZERO;
        }
        SimDuration::from_millis(self.worked_before(b) - self.worked_before(a))
    }

    /// Total on-shift time.
    pub fn total(&self) -> SimDuration {
        SimDuration::from_millis(self.work_through.last().copied().unwrap_or(0))
    }

    /// The on-duty periods, sorted, disjoint and non-adjacent.
    pub fn intervals(&self) -> &[(SimTime, SimTime)] {
        &self.intervals
    }
}

// ---------------------------------------------------------------------------
// Roster
// ---------------------------------------------------------------------------

/// A team's roster: for each worker `k` in `0..size`, worker `k` is on duty
/// at `t` iff `k < available(t)`, where `available(t) = min(size, sum of
/// members of the shifts covering t)`, further capped by a holiday's
/// `members` during that holiday's local day, and zero outside
/// `[0, horizon)`.
///
/// Lower-numbered workers are thus on duty whenever anybody with a higher
/// number is, and worker `k`'s intervals are the maximal periods where
/// `available(t) > k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Roster {
    size: u32,
    horizon: SimTime,
    /// `(from, n)`: `available` is `n` from `from` until the next entry's
    /// `from`. Starts at 0; consecutive `n` differ; the last `n` is 0.
    changes: Vec<(SimTime, u32)>,
    /// Workers `0..workers.len()`; the others are never on duty.
    workers: Vec<WorkerCalendar>,
}

/// A shift occurrence or holiday window, in ms since the start, clipped.
#[derive(Clone, Copy)]
struct Window {
    start: i64,
    end: i64,
    members: u32,
}

/// The earliest instant whose local time is `dt`: a fold's first
/// occurrence, or the transition instant for a time inside a gap.
fn local_instant(tz: &TimeZone, dt: DateTime) -> Result<Timestamp, CalendarError> {
    let out_of_range = |e: jiff::Error| CalendarError::OutOfRange {
        detail: e.to_string(),
    };
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    if let AmbiguousOffset::Gap { after, .. } = ambiguous.offset() {
        // Read with the later offset, `dt` is an instant shortly before the
        // clocks jump; the next transition is the jump.
        let probe = after.to_timestamp(dt).map_err(out_of_range)?;
        if let Some(transition) = tz.following(probe).next() {
            return Ok(transition.timestamp());
        }
    }
    ambiguous.compatible().map_err(out_of_range)
}

impl Roster {
    /// Builds the roster of a team of `size` people working `shifts` in
    /// time zone `tz`, with `holidays`, for the scenario starting at
    /// `start` and lasting `horizon`. Instants are rounded down to whole
    /// milliseconds after `start`.
    ///
    /// Shifts are expanded day by day from the local date before `start`'s
    /// (so an overnight shift that began the evening before is covered)
    /// through the local date of `start + horizon`, and clipped to
    /// `[0, horizon)`. Empty `shifts` is valid and means that nobody ever
    /// works; so does `size == 0`.
    ///
    /// Fails if the horizon exceeds [`MAX_HORIZON_DAYS`] or the supported
    /// dates, or if the shifts would recur, or the workers' calendars hold,
    /// more than [`MAX_INTERVALS`] times in total.
    pub fn build(
        tz: &TimeZone,
        start: Timestamp,
        horizon: SimDuration,
        size: u32,
        shifts: &[ShiftSpec],
        holidays: &[HolidaySpec],
    ) -> Result<Roster, CalendarError> {
        let too_long = || CalendarError::HorizonTooLong {
            horizon,
            max_days: MAX_HORIZON_DAYS,
        };
        if horizon.as_millis() / MS_PER_DAY > MAX_HORIZON_DAYS {
            return Err(too_long());
        }
        let horizon_ms = i64::try_from(horizon.as_millis()).map_err(|_| too_long())?;
        let end = start
            .checked_add(SignedDuration::from_millis(horizon_ms))
            .map_err(|_| too_long())?;
        let first_day = tz
            .to_datetime(start)
            .date()
            .yesterday()
            .map_err(|_| too_long())?;
        let last_day = tz.to_datetime(end).date();
        let days =
            u64::try_from(first_day.duration_until(last_day).as_hours() / 24).unwrap_or(0) + 1;

        // Bound the work before doing it.
        let weeks = days.div_ceil(7);
        let occurrences = shifts.iter().fold(0u64, |n, s| {
            n.saturating_add(weeks.saturating_mul(u64::from(s.days.len())))
        });
        if occurrences > MAX_INTERVALS {
            return Err(CalendarError::TooManyShifts {
                count: occurrences,
                limit: MAX_INTERVALS,
            });
        }

        let rel = |ts: Timestamp| -> i64 {
            let ms = ts.duration_since(start).as_millis();
            // Clamped into [0, horizon_ms], so it fits an i64.
            i64::try_from(ms.clamp(0, i128::from(horizon_ms))).unwrap_or(0)
        };
        let window = |from: DateTime, to: DateTime, members: u32| {
            Ok::<_, CalendarError>(Window {
                start: rel(local_instant(tz, from)?),
                end: rel(local_instant(tz, to)?),
                members,
            })
        };

        // Shift occurrences.
        let mut occ: Vec<Window> = Vec::new();
        if shifts.iter().any(|s| !s.days.is_empty()) {
            let mut day = first_day;
            loop {
                for s in shifts.iter().filter(|s| s.days.contains(day.weekday())) {
                    let end_day = if s.end <= s.start {
                        day.tomorrow().map_err(|_| too_long())?
                    } else {
                        day
                    };
                    let members = s.members.unwrap_or(size);
                    let w = window(
                        day.to_datetime(s.start),
                        end_day.to_datetime(s.end),
                        members,
                    )?;
                    if w.start < w.end && members > 0 {
                        occ.push(w);
                    }
                }
                if day >= last_day {
                    break;
                }
                day = day.tomorrow().map_err(|_| too_long())?;
            }
        }

        // Holiday windows: one per date, the smallest cap, in date order
        // (so the windows are sorted and disjoint).
        let mut dated: Vec<(Date, u32)> = holidays
            .iter()
            .filter(|h| first_day <= h.date && h.date <= last_day)
            .map(|h| (h.date, h.members))
            .collect();
        dated.sort_unstable();
        dated.dedup_by_key(|&mut (d, _)| d);
        let mut caps: Vec<Window> = Vec::with_capacity(dated.len());
        for (date, members) in dated {
            let next = date.tomorrow().map_err(|_| too_long())?;
            let w = window(
                date.to_datetime(Time::midnight()),
                next.to_datetime(Time::midnight()),
                members,
            )?;
            if w.start < w.end {
                caps.push(w);
            }
        }

        let changes = sweep(size, horizon_ms, &occ, &caps);
        let workers = expand_workers(&changes)?;
        Ok(Roster {
            size,
            horizon: SimTime::from_millis(horizon.as_millis()),
            changes,
            workers,
        })
    }

    /// The team's size.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The end of the calendar: nobody is on duty from here on.
    pub fn horizon(&self) -> SimTime {
        self.horizon
    }

    /// Worker `k`'s calendar (`k` in `0..size`). Never panics: any `k` that
    /// is never on duty, including `k >= size`, gets an empty calendar.
    pub fn worker(&self, k: u32) -> &WorkerCalendar {
        usize::try_from(k)
            .ok()
            .and_then(|k| self.workers.get(k))
            .unwrap_or(&EMPTY_CALENDAR)
    }

    /// How many of the team are on duty at `t`.
    pub fn available(&self, t: SimTime) -> u32 {
        let i = self.changes.partition_point(|&(from, _)| from <= t);
        i.checked_sub(1).map_or(0, |i| self.changes[i].1)
    }

    /// The next instant after `t` at which [`available`](Self::available)
    /// changes; `None` if it never changes again.
    pub fn next_change(&self, t: SimTime) -> Option<SimTime> {
        let i = self.changes.partition_point(|&(from, _)| from <= t);
        self.changes.get(i).map(|&(from, _)| from)
    }

    /// This roster with at most `members` on duty during `[from, until)`
    /// (some of the team away for a while: a staff absence). Fails only
    /// as [`build`](Self::build) does, on too many intervals.
    pub fn capped(
        &self,
        from: SimTime,
        until: SimTime,
        members: u32,
    ) -> Result<Roster, CalendarError> {
        let until = until.min(self.horizon);
        if from >= until {
            return Ok(self.clone());
        }
        let mut changes: Vec<(SimTime, u32)> = Vec::with_capacity(self.changes.len() + 2);
        let mut push = |t: SimTime, n: u32| {
            if changes.last().is_none_or(|&(_, last)| last != n) {
                changes.push((t, n));
            }
        };
        let mut bounds: Vec<SimTime> = self.changes.iter().map(|&(t, _)| t).collect();
        bounds.extend([from, until]);
        bounds.sort_unstable();
        bounds.dedup();
        for t in bounds {
            let n = self.available(t);
            push(
                t,
                if (from..until).contains(&t) {
                    n.min(members)
                } else {
                    n
                },
            );
        }
        let workers = expand_workers(&changes)?;
        Ok(Roster {
            size: self.size,
            horizon: self.horizon,
            changes,
            workers,
        })
    }

    /// The steps of [`available`](Self::available): `(from, n)` means `n`
    /// people are on duty from `from` until the next step. The first step
    /// is at 0 and the last one sets 0 (at the horizon, or earlier).
    pub fn changes(&self) -> &[(SimTime, u32)] {
        &self.changes
    }
}

/// The piecewise-constant head count, as merged steps starting at 0.
fn sweep(size: u32, horizon_ms: i64, occ: &[Window], caps: &[Window]) -> Vec<(SimTime, u32)> {
    let mut deltas: Vec<(i64, i64)> = Vec::with_capacity(occ.len() * 2);
    for w in occ {
        deltas.push((w.start, i64::from(w.members)));
        deltas.push((w.end, -i64::from(w.members)));
    }
    deltas.sort_unstable();
    let mut times: Vec<i64> = Vec::with_capacity(deltas.len() + caps.len() * 2 + 2);
    times.push(0);
    times.push(horizon_ms);
    times.extend(deltas.iter().map(|&(t, _)| t));
    times.extend(caps.iter().flat_map(|w| [w.start, w.end]));
    times.sort_unstable();
    times.dedup();

    let mut changes: Vec<(SimTime, u32)> = Vec::new();
    let mut sum = 0i64;
    let (mut d, mut c) = (0usize, 0usize);
    for t in times {
        while let Some(&(at, delta)) = deltas.get(d)
            && at <= t
        {
            sum += delta;
            d += 1;
        }
        while caps.get(c).is_some_and(|w| w.end <= t) {
            c += 1;
        }
        let cap = caps
            .get(c)
            .filter(|w| w.start <= t)
            .map_or(u32::MAX, |w| w.members);
        let n = if t >= horizon_ms {
            0
        } else {
            u32::try_from(sum.max(0))
                .unwrap_or(u32::MAX)
                .min(size)
                .min(cap)
        };
        if changes.last().is_none_or(|&(_, last)| last != n) {
            // t is in [0, horizon_ms], so non-negative.
            changes.push((SimTime::from_millis(t.unsigned_abs()), n));
        }
    }
    changes
}

/// Worker `k`'s intervals are the maximal runs of steps with more than `k`
/// people on duty.
fn expand_workers(changes: &[(SimTime, u32)]) -> Result<Vec<WorkerCalendar>, CalendarError> {
    let mut count = 0u64;
    let mut prev = 0u32;
    for &(_, n) in changes {
        count += u64::from(n.saturating_sub(prev));
        prev = n;
    }
    if count > MAX_INTERVALS {
        return Err(CalendarError::TooManyIntervals {
            count,
            limit: MAX_INTERVALS,
        });
    }
    let max = changes.iter().map(|&(_, n)| n).max().unwrap_or(0);
    // max <= count <= MAX_INTERVALS, so these fit in memory and in usize.
    let max = usize::try_from(max).unwrap_or(0);
    let mut intervals: Vec<Vec<(SimTime, SimTime)>> = vec![Vec::new(); max];
    let mut opened: Vec<SimTime> = vec![SimTime::ZERO; max];
    let mut prev = 0usize;
    for &(t, n) in changes {
        let n = usize::try_from(n).unwrap_or(0);
        if n > prev {
            opened[prev..n].fill(t);
        }
        for k in n..prev {
            intervals[k].push((opened[k], t));
        }
        prev = n;
    }
    // The last step sets 0 people (see `sweep`), so every interval closed.
    Ok(intervals
        .into_iter()
        .map(WorkerCalendar::from_sorted)
        .collect())
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::time::MS_PER_HOUR;
    use jiff::civil::{date, time};

    fn h(hours: u64) -> SimTime {
        SimTime::from_millis(hours * MS_PER_HOUR)
    }

    fn hours(n: u64) -> SimDuration {
        SimDuration::from_hours(n)
    }

    fn shift(text: &str) -> ShiftSpec {
        ShiftSpec::parse(text).expect("test shifts parse")
    }

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("bundled tzdb has the zone")
    }

    fn local_start(tz: &TimeZone, d: Date) -> Timestamp {
        tz.to_timestamp(d.to_datetime(Time::midnight()))
            .expect("in range")
    }

    /// Mon-Fri 08:00-18:00 in Noumea from Fri 2018-12-21 00:00 local.
    fn noumea(size: u32, days: u64, holidays: &[HolidaySpec]) -> Roster {
        let tz = tz("Pacific/Noumea");
        let start = local_start(&tz, date(2018, 12, 21));
        Roster::build(
            &tz,
            start,
            SimDuration::from_days(days),
            size,
            &[shift("Mon-Fri 08:00-18:00")],
            holidays,
        )
        .expect("roster builds")
    }

    /// An absence caps the head count only while it lasts: three of a
    /// team of four away from Friday 10:00 to Monday 12:00 leave one on
    /// duty on Friday afternoon and Monday morning, all four before and
    /// after, and the last worker's calendar loses exactly those hours.
    #[test]
    fn a_capped_roster_takes_members_away_only_while_they_are_away() {
        let r = noumea(4, 7, &[]);
        let capped = r.capped(h(10), h(3 * 24 + 12), 1).expect("capped");
        assert_eq!(capped.available(h(9)), 4);
        assert_eq!(capped.available(h(11)), 1);
        assert_eq!(capped.available(h(3 * 24 + 11)), 1);
        assert_eq!(capped.available(h(3 * 24 + 12)), 4);
        assert_eq!(capped.available(h(4 * 24 + 9)), 4);
        let lost = r.worker(3).total().as_millis() - capped.worker(3).total().as_millis();
        assert_eq!(lost, hours(8 + 4).as_millis());
        assert_eq!(capped.worker(0), r.worker(0));
        // An empty or past-the-horizon window changes nothing.
        assert_eq!(r.capped(h(5), h(5), 0).expect("same"), r);
        assert_eq!(r.capped(h(8 * 24), h(9 * 24), 0).expect("same"), r);
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(shift("24/7"), ShiftSpec::always());
        assert_eq!(
            shift("Mon-Fri 08:00-18:00"),
            ShiftSpec {
                days: Weekdays::MON_FRI,
                start: time(8, 0, 0, 0),
                end: time(18, 0, 0, 0),
                members: None,
            }
        );
        let weekend = shift("Sat,Sun 09:00-13:00");
        assert_eq!(weekend.days, Weekdays::from_bits(0b110_0000));
        assert_eq!(weekend.start, time(9, 0, 0, 0));
        assert_eq!(weekend.end, time(13, 0, 0, 0));
        assert_eq!(shift("daily 07:00-22:00").days, Weekdays::ALL);
        let night = shift("Mon-Sun 22:00-06:00");
        assert_eq!(night.days, Weekdays::ALL);
        assert_eq!(night.nominal_length(), hours(8));
        assert_eq!(
            shift("fri-MON 10:00-12:00").days,
            Weekdays::from_bits(0b111_0001)
        );
        assert_eq!(
            shift("Wed-Wed 10:00-12:00").days,
            Weekdays::single(Weekday::Wednesday)
        );
        assert_eq!(
            shift("Mon,Wed-Thu 10:00-12:00").days,
            Weekdays::from_bits(0b1101)
        );
        let evening = shift("daily 18:00-24:00");
        assert_eq!(evening.end, Time::midnight());
        assert_eq!(evening.nominal_length(), hours(6));
        assert_eq!(shift("daily 00:00-24:00").nominal_length(), hours(24));
        assert_eq!(shift("  Mon - Fri  8:30 - 17:15 ").start, time(8, 30, 0, 0));
        assert_eq!(shift("Monday-Friday 08:00-18:00").days, Weekdays::MON_FRI);
        assert_eq!("24/7".parse::<ShiftSpec>(), Ok(ShiftSpec::always()));

        for text in [
            "24/7",
            "Mon-Fri 08:00-18:00",
            "Sat-Sun 09:00-13:00",
            "daily 22:00-06:00",
            "Fri-Mon 10:00-24:00",
            "Mon,Wed,Fri 00:00-24:00",
        ] {
            assert_eq!(shift(text).to_string(), text);
            assert_eq!(shift(&shift(text).to_string()), shift(text));
        }
    }

    #[test]
    fn parse_errors_say_what_was_expected() {
        let cases = [
            (
                "Mon-Fri 8h-18h",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got `Mon-Fri 8h-18h`",
            ),
            (
                "",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got ``",
            ),
            (
                "08:00-18:00",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got `08:00-18:00`",
            ),
            (
                "Mon-Fri 08:00",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got `Mon-Fri 08:00`",
            ),
            (
                "Mon-Fri 08:00-08:00",
                "shift `Mon-Fri 08:00-08:00` starts when it ends, so it would last no time: \
                 write `24/7` (or `Mon-Fri 00:00-24:00`) for all day, or give a later end",
            ),
            (
                "Mon, 08:00-18:00",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got `Mon, 08:00-18:00`",
            ),
            (
                "Mon-Fri 08:00-18:00-19:00",
                "expected a shift like `Mon-Fri 08:00-18:00` or `24/7`, got \
                 `Mon-Fri 08:00-18:00-19:00`",
            ),
            (
                "Mun-Fri 08:00-18:00",
                "unknown day `Mun` in shift `Mun-Fri 08:00-18:00`: expected Mon, Tue, Wed, Thu, \
                 Fri, Sat or Sun (or a range like `Fri-Mon`, a list like `Sat,Sun`, or `daily`)",
            ),
            (
                "Mon-Fri 25:00-18:00",
                "invalid time `25:00` in shift `Mon-Fri 25:00-18:00`: expected a time of day \
                 from 00:00 to 23:59 (24:00 is allowed only as the end of a shift)",
            ),
            (
                "Mon-Fri 08:60-18:00",
                "invalid time `08:60` in shift `Mon-Fri 08:60-18:00`: expected a time of day \
                 from 00:00 to 23:59 (24:00 is allowed only as the end of a shift)",
            ),
            (
                "daily 24:00-06:00",
                "invalid time `24:00` in shift `daily 24:00-06:00`: expected a time of day \
                 from 00:00 to 23:59 (24:00 is allowed only as the end of a shift)",
            ),
            (
                "daily 20:00-24:30",
                "invalid time `24:30` in shift `daily 20:00-24:30`: expected a time of day \
                 from 00:00 to 23:59 (24:00 is allowed only as the end of a shift)",
            ),
        ];
        for (text, want) in cases {
            let got = ShiftSpec::parse(text).expect_err(text).to_string();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn weekday_shift_in_noumea_and_resume_across_the_weekend() {
        let roster = noumea(1, 7, &[]);
        let w = roster.worker(0);
        // Fri 21, Mon 24 … Thu 27; day d starts at 24·d hours.
        let want: Vec<_> = [0, 3, 4, 5, 6]
            .iter()
            .map(|d| (h(24 * d + 8), h(24 * d + 18)))
            .collect();
        assert_eq!(w.intervals(), want.as_slice());
        // The instants are local: Fri 08:00 +11:00 is Thu 21:00 UTC.
        let tz = tz("Pacific/Noumea");
        let start = local_start(&tz, date(2018, 12, 21));
        assert_eq!(start.to_string(), "2018-12-20T13:00:00Z");

        // 12 h of work from Fri 17:00: 1 h on Friday, 10 h on Monday, the
        // last hour on Tuesday 08:00-09:00.
        assert_eq!(w.finish(h(17), hours(12)), Some(h(4 * 24 + 9)));
        // Started off shift (Saturday), it waits for Monday.
        assert_eq!(w.finish(h(24 + 10), hours(2)), Some(h(3 * 24 + 10)));
        // Finishing exactly at the end of a shift.
        assert_eq!(w.finish(h(8), hours(10)), Some(h(18)));
        assert_eq!(w.finish(h(17), SimDuration::ZERO), Some(h(17)));
        assert_eq!(w.finish(h(20), SimDuration::ZERO), Some(h(20)));

        assert!(w.is_on(h(8)));
        assert!(!w.is_on(h(18)));
        assert!(!w.is_on(h(7)));
        assert_eq!(w.next_on(h(9)), Some(h(9)));
        assert_eq!(w.next_on(h(18)), Some(h(3 * 24 + 8)));
        assert_eq!(w.next_on(h(6 * 24 + 18)), None);
        assert_eq!(w.next_off(h(9)), Some(h(18)));
        assert_eq!(w.next_off(h(19)), None);
        assert_eq!(w.worked_between(h(0), h(7 * 24)), hours(50));
        assert_eq!(w.worked_between(h(17), h(3 * 24 + 9)), hours(2));
        assert_eq!(w.worked_between(h(9), h(9)), SimDuration::ZERO);
        assert_eq!(w.worked_between(h(10), h(9)), SimDuration::ZERO);
        assert_eq!(w.total(), hours(50));

        assert_eq!(roster.size(), 1);
        assert_eq!(roster.horizon(), h(7 * 24));
        assert_eq!(roster.available(h(9)), 1);
        assert_eq!(roster.available(h(20)), 0);
        assert_eq!(roster.next_change(h(0)), Some(h(8)));
        assert_eq!(roster.next_change(h(8)), Some(h(18)));
        assert_eq!(roster.next_change(h(18)), Some(h(3 * 24 + 8)));
        assert_eq!(roster.next_change(h(6 * 24 + 18)), None);
        assert_eq!(roster.worker(1), &WorkerCalendar::empty());
        assert_eq!(roster.worker(u32::MAX).intervals(), &[]);
    }

    #[test]
    fn work_beyond_the_calendar_never_finishes() {
        let w = noumea(1, 7, &[]).worker(0).clone();
        assert_eq!(w.finish(h(0), hours(50)), Some(h(6 * 24 + 18)));
        assert_eq!(w.finish(h(0), hours(51)), None);
        assert_eq!(w.finish(h(17), hours(50)), None);
        assert_eq!(w.finish(h(0), SimDuration::MAX), None);
        assert_eq!(w.finish(h(1000), hours(1)), None);
        assert_eq!(WorkerCalendar::empty().finish(h(0), hours(1)), None);
    }

    #[test]
    fn finish_agrees_with_worked_between() {
        let roster = Roster::build(
            &tz("Europe/Paris"),
            local_start(&tz("Europe/Paris"), date(2018, 10, 20)),
            SimDuration::from_days(30),
            3,
            &[shift("Mon-Fri 08:00-18:00"), shift("Sat 22:00-02:30")],
            &[HolidaySpec {
                date: date(2018, 11, 1),
                members: 0,
            }],
        )
        .expect("roster builds");
        let w = roster.worker(0);
        let total = w.total().as_millis();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        let end = roster.horizon().as_millis();
        for _ in 0..300 {
            let start = SimTime::from_millis(next(end + MS_PER_HOUR));
            let mut last = start;
            for _ in 0..10 {
                let work = SimDuration::from_millis(next(total / 3 + 1));
                match w.finish(start, work) {
                    Some(done) => {
                        assert!(done >= start);
                        assert_eq!(w.worked_between(start, done), work, "{start:?} {work:?}");
                        // Done at the earliest moment: the last millisecond
                        // was worked.
                        if work > SimDuration::ZERO {
                            let before = SimTime::from_millis(done.as_millis() - 1);
                            assert!(w.is_on(before));
                        }
                    }
                    None => assert!(w.worked_between(start, SimTime::MAX) < work),
                }
            }
            // Monotone in the work.
            for step in 0..50 {
                let work = SimDuration::from_millis(step * 37 * MS_PER_HOUR / 10);
                if let Some(done) = w.finish(start, work) {
                    assert!(done >= last);
                    last = done;
                } else {
                    last = SimTime::MAX;
                }
            }
        }
    }

    #[test]
    fn overnight_shift_covers_the_evening_before_the_start() {
        let tz = tz("Pacific/Noumea");
        let start = local_start(&tz, date(2018, 12, 21));
        let roster = Roster::build(
            &tz,
            start,
            SimDuration::from_days(3),
            1,
            &[shift("Mon-Sun 22:00-06:00")],
            &[],
        )
        .expect("roster builds");
        assert_eq!(
            roster.worker(0).intervals(),
            &[(h(0), h(6)), (h(22), h(30)), (h(46), h(54)), (h(70), h(72))]
        );
        // Two overlapping shifts add up; capped at the team's size.
        let roster = Roster::build(
            &tz,
            start,
            SimDuration::from_days(1),
            3,
            &[shift("daily 08:00-18:00"), shift("daily 12:00-20:00")],
            &[],
        )
        .expect("roster builds");
        assert_eq!(roster.available(h(9)), 3);
        assert_eq!(roster.available(h(19)), 3);
        let mut two = shift("daily 12:00-20:00");
        two.members = Some(2);
        let mut one = shift("daily 08:00-18:00");
        one.members = Some(1);
        let roster = Roster::build(&tz, start, SimDuration::from_days(1), 5, &[one, two], &[])
            .expect("roster builds");
        assert_eq!(
            roster.changes(),
            &[(h(0), 0), (h(8), 1), (h(12), 3), (h(18), 2), (h(20), 0)]
        );
        assert_eq!(roster.worker(0).intervals(), &[(h(8), h(20))]);
        assert_eq!(roster.worker(1).intervals(), &[(h(12), h(20))]);
        assert_eq!(roster.worker(2).intervals(), &[(h(12), h(18))]);
        assert_eq!(roster.worker(3).intervals(), &[]);
    }

    #[test]
    fn around_the_clock_and_nobody() {
        let tz = tz("Pacific/Noumea");
        let start = local_start(&tz, date(2018, 12, 21));
        let roster = Roster::build(
            &tz,
            start,
            SimDuration::from_days(10),
            2,
            &[ShiftSpec::always()],
            &[],
        )
        .expect("roster builds");
        for k in 0..2 {
            assert_eq!(roster.worker(k).intervals(), &[(h(0), h(240))]);
        }
        assert_eq!(roster.worker(0).finish(h(5), hours(30)), Some(h(35)));
        assert_eq!(roster.worker(0).next_off(h(5)), Some(h(240)));
        assert_eq!(roster.changes(), &[(h(0), 2), (h(240), 0)]);

        let nobody = Roster::build(&tz, start, SimDuration::from_days(10), 2, &[], &[])
            .expect("roster builds");
        assert_eq!(nobody.worker(0).intervals(), &[]);
        assert_eq!(nobody.available(h(3)), 0);
        assert_eq!(nobody.next_change(h(0)), None);

        let empty = Roster::build(
            &tz,
            start,
            SimDuration::ZERO,
            2,
            &[ShiftSpec::always()],
            &[],
        )
        .expect("roster builds");
        assert_eq!(empty.worker(0).intervals(), &[]);

        let always = WorkerCalendar::always();
        assert!(always.is_on(SimTime::ZERO));
        assert_eq!(always.next_off(h(3)), None);
        assert_eq!(always.finish(h(3), hours(4)), Some(h(7)));
        assert_eq!(always.worked_between(h(3), h(7)), hours(4));
        assert_eq!(always.finish(SimTime::MAX, hours(1)), None);

        let merged = WorkerCalendar::from_intervals([
            (h(5), h(7)),
            (h(1), h(2)),
            (h(2), h(3)),
            (h(6), h(9)),
            (h(4), h(4)),
        ]);
        assert_eq!(merged.intervals(), &[(h(1), h(3)), (h(5), h(9))]);
    }

    #[test]
    fn holidays_cap_the_head_count() {
        let holidays = [
            HolidaySpec {
                date: date(2018, 12, 24),
                members: 0,
            },
            HolidaySpec {
                date: date(2018, 12, 25),
                members: 1,
            },
            // The same date twice: the smaller cap wins.
            HolidaySpec {
                date: date(2018, 12, 26),
                members: 2,
            },
            HolidaySpec {
                date: date(2018, 12, 26),
                members: 1,
            },
            // A Saturday: nothing to cap.
            HolidaySpec {
                date: date(2018, 12, 22),
                members: 1,
            },
            // Outside the horizon.
            HolidaySpec {
                date: date(2019, 6, 1),
                members: 0,
            },
        ];
        let roster = noumea(2, 7, &holidays);
        assert_eq!(
            roster.worker(0).intervals(),
            &[
                (h(8), h(18)),
                (h(4 * 24 + 8), h(4 * 24 + 18)),
                (h(5 * 24 + 8), h(5 * 24 + 18)),
                (h(6 * 24 + 8), h(6 * 24 + 18))
            ]
        );
        assert_eq!(
            roster.worker(1).intervals(),
            &[(h(8), h(18)), (h(6 * 24 + 8), h(6 * 24 + 18))]
        );
        assert_eq!(roster.available(h(3 * 24 + 9)), 0);
        assert_eq!(roster.available(h(4 * 24 + 9)), 1);
        assert_eq!(roster.available(h(6 * 24 + 9)), 2);

        // An overnight shift is capped only for the holiday's part.
        let tz = tz("Pacific/Noumea");
        let start = local_start(&tz, date(2018, 12, 21));
        let roster = Roster::build(
            &tz,
            start,
            SimDuration::from_days(3),
            1,
            &[shift("Sun 20:00-04:00")],
            &[HolidaySpec {
                date: date(2018, 12, 24),
                members: 0,
            }],
        )
        .expect("roster builds");
        assert_eq!(roster.worker(0).intervals(), &[(h(2 * 24 + 20), h(3 * 24))]);
    }

    #[test]
    fn daylight_saving_days_in_paris() {
        let paris = tz("Europe/Paris");
        let len = |iv: (SimTime, SimTime)| iv.1.saturating_since(iv.0);
        for (day, whole_day) in [(date(2018, 10, 28), 25), (date(2019, 3, 31), 23)] {
            // Both are Sundays.
            assert_eq!(day.weekday(), Weekday::Sunday);
            let start = local_start(&paris, day.yesterday().expect("in range"));
            let build = |s: &str| {
                Roster::build(
                    &paris,
                    start,
                    SimDuration::from_days(3),
                    1,
                    &[shift(s)],
                    &[],
                )
                .expect("roster builds")
            };
            let office = build("Sun 08:00-18:00");
            let [iv] = office.worker(0).intervals() else {
                panic!("one interval expected")
            };
            assert_eq!(len(*iv), hours(10), "{day}");
            let at = start
                .checked_add(SignedDuration::from_millis(
                    i64::try_from(iv.0.as_millis()).expect("small"),
                ))
                .expect("in range");
            assert_eq!(paris.to_datetime(at), day.to_datetime(time(8, 0, 0, 0)));

            let whole = build("Sun 00:00-24:00");
            let [iv] = whole.worker(0).intervals() else {
                panic!("one interval expected")
            };
            assert_eq!(iv.0, h(24));
            assert_eq!(len(*iv), hours(whole_day), "{day}");
        }

        // A shift starting in the skipped hour (02:00-03:00 on 2019-03-31)
        // begins when the clocks jump, 01:00 UTC.
        let start = local_start(&paris, date(2019, 3, 31)); // 2019-03-30T23:00Z
        let roster = Roster::build(
            &paris,
            start,
            SimDuration::from_days(1),
            1,
            &[shift("Sun 02:30-04:00")],
            &[],
        )
        .expect("roster builds");
        assert_eq!(roster.worker(0).intervals(), &[(h(2), h(3))]);
        // Folded hour on 2018-10-28: 02:30 means the first one (00:30 UTC);
        // 04:00 CET is 03:00 UTC, so the shift lasts 2.5 h.
        let start = local_start(&paris, date(2018, 10, 28)); // 2018-10-27T22:00Z
        let roster = Roster::build(
            &paris,
            start,
            SimDuration::from_days(1),
            1,
            &[shift("Sun 02:30-04:00")],
            &[],
        )
        .expect("roster builds");
        let ms = |m: u64| SimTime::from_millis(m * 60_000);
        assert_eq!(roster.worker(0).intervals(), &[(ms(150), ms(300))]);
    }

    #[test]
    fn limits_give_errors_not_hangs() {
        let paris = tz("Europe/Paris");
        let start = local_start(&paris, date(2018, 10, 20));
        let daily = [shift("daily 08:00-18:00")];
        let err = Roster::build(
            &paris,
            start,
            SimDuration::from_days(1000),
            2000,
            &daily,
            &[],
        )
        .expect_err("too many intervals");
        assert_eq!(
            err.to_string(),
            "the team's calendars would hold 2000000 on-duty periods in total, more than the \
             limit of 1000000; shorten the horizon, use a smaller team or fewer shifts"
        );
        let err = Roster::build(
            &paris,
            start,
            SimDuration::from_days(3_000_000),
            1,
            &daily,
            &[],
        )
        .expect_err("too long");
        assert_eq!(
            err.to_string(),
            "the horizon of 3000000d is too long for a work calendar: at most 1000000 days \
             ending before the year 9999 are supported; shorten the horizon"
        );
        let err =
            Roster::build(&paris, start, SimDuration::MAX, 1, &daily, &[]).expect_err("too long");
        assert!(matches!(err, CalendarError::HorizonTooLong { .. }));
        let many: Vec<ShiftSpec> = (0..10).map(|_| shift("daily 08:00-18:00")).collect();
        let err = Roster::build(
            &paris,
            start,
            SimDuration::from_days(200_000),
            1,
            &many,
            &[],
        )
        .expect_err("too many shifts");
        assert_eq!(
            err.to_string(),
            "the shifts recur up to 2000040 times over the horizon, more than the limit of \
             1000000; shorten the horizon or use fewer shifts"
        );
    }

    proptest::proptest! {
        /// `duty_at(t)` agrees with `is_on` and `next_on` at every instant
        /// of the span it returns, and the span is maximal: the duty
        /// changes right outside it.
        #[test]
        fn duty_spans_answer_like_the_calendar(
            cuts in proptest::collection::btree_set(0u64..500, 0..12),
            probes in proptest::collection::vec(0u64..520, 1..20),
        ) {
            let cuts: Vec<u64> = cuts.into_iter().collect();
            let intervals: Vec<(SimTime, SimTime)> = cuts
                .chunks_exact(2)
                .map(|p| (SimTime::from_millis(p[0]), SimTime::from_millis(p[1])))
                .collect();
            let cal = WorkerCalendar::from_sorted(intervals);
            for t in probes {
                let t = SimTime::from_millis(t);
                let d = cal.duty_at(t);
                proptest::prop_assert!(d.covers(t));
                for probe in [d.from.as_millis(), t.as_millis(), d.until.as_millis().saturating_sub(1)] {
                    let p = SimTime::from_millis(probe);
                    proptest::prop_assert_eq!(cal.is_on(p), d.on);
                    proptest::prop_assert_eq!(cal.next_on(p), d.next_on(p));
                }
                if d.from > SimTime::ZERO {
                    proptest::prop_assert_ne!(cal.is_on(SimTime::from_millis(d.from.as_millis() - 1)), d.on);
                }
                if d.until < SimTime::MAX {
                    proptest::prop_assert_ne!(cal.is_on(d.until), d.on);
                }
            }
        }
    }
}
