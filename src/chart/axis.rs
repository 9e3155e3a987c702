//! Axis ticks people can read: round numbers (1, 2, 5 × 10ⁿ), and dates on
//! the hour or at midnight *in the scenario's time zone*, thinned so that
//! no two labels overlap.

use jiff::civil::DateTime;

use super::Canvas;
use super::clock::Clock;
use super::svg::text_width;
use crate::model::Scenario;
use crate::sim::{MS_PER_DAY, MS_PER_HOUR, SimTime};

/// Round tick values covering `[lo, hi]`, at most `max_ticks` of them
/// (at least two unless the range is empty), on a 1-2-5 step.
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![if lo.is_finite() { lo } else { 0.0 }];
    }
    let max_ticks = max_ticks.max(2);
    let raw = (hi - lo) / (max_ticks - 1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| (((hi - lo) / s).floor() as usize) < max_ticks)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil();
    let mut ticks = Vec::new();
    let mut k = first;
    while k * step <= hi + step * 1e-9 && ticks.len() <= max_ticks {
        let v = round_to_step(k * step, step);
        ticks.push(if v == 0.0 { 0.0 } else { v });
        k += 1.0;
    }
    ticks
}

/// Ticks from 0 to `hi` on a round step (1, 2, 2.5, 4 or 5 × 10ⁿ; a whole
/// number when `integral`) that divides `hi` exactly, at most `max_ticks`
/// of them, the finest such step: `0, 40, 80, 120, 160` for 160. `None`
/// when no round step divides `hi` (157): the caller then extends the
/// scale with [`nice_range`] rather than label uneven ticks.
pub fn ticks_dividing(hi: f64, max_ticks: usize, integral: bool) -> Option<Vec<f64>> {
    if !(hi.is_finite() && hi > 0.0) {
        return None;
    }
    let max_ticks = max_ticks.max(2);
    let mag = (hi / (max_ticks - 1) as f64).log10().floor() as i32;
    (mag - 1..=mag + 1)
        .flat_map(|e| [1.0, 2.0, 2.5, 4.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|step| !integral || step.fract() == 0.0)
        .find_map(|step| {
            let n = (hi / step).round();
            let exact = ((hi / step) - n).abs() < 1e-9 && n >= 1.0;
            (exact && n + 1.0 <= max_ticks as f64).then(|| {
                (0..=n as usize)
                    .map(|k| round_to_step(k as f64 * step, step))
                    .collect()
            })
        })
}

/// `v` rounded to the decimals that `step` has (one more for 2.5 × 10ⁿ),
/// so that labels read `0.6`, not `0.6000000000000001`.
fn round_to_step(v: f64, step: f64) -> f64 {
    let decimals = (1.0 - step.log10().floor()).clamp(0.0, 15.0) as i32;
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

/// Like [`nice_ticks`], but the range grows to whole steps so that the
/// first and last ticks enclose `[lo, hi]`: `(lo', hi', ticks)`.
pub fn nice_range(lo: f64, hi: f64, max_ticks: usize) -> (f64, f64, Vec<f64>) {
    let mut ticks = nice_ticks(lo, hi, max_ticks.saturating_sub(1).max(2));
    if ticks.len() < 2 {
        return (lo, hi.max(lo + 1.0), ticks);
    }
    let step = ticks[1] - ticks[0];
    if ticks[0] > lo + step * 1e-9 {
        ticks.insert(0, ticks[0] - step);
    }
    let last = ticks[ticks.len() - 1];
    if last < hi - step * 1e-9 {
        ticks.push(last + step);
    }
    let ticks: Vec<f64> = ticks.into_iter().map(|v| round_to_step(v, step)).collect();
    (ticks[0], ticks[ticks.len() - 1], ticks)
}

/// A number as a tick label: no trailing zeros.
pub fn number_label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// How many labels of about `chars` characters fit side by side in
/// `width_px`, with a gap of two characters between them.
#[cfg(test)]
pub fn labels_that_fit(width_px: f64, chars: usize) -> usize {
    labels_that_fit_on(&Canvas::standard(), width_px, chars)
}

/// `labels_that_fit` in the type of `canvas`, and no more than its
/// ticks.
pub fn labels_that_fit_on(canvas: &Canvas, width_px: f64, chars: usize) -> usize {
    let one = text_width(&"0".repeat(chars + 2), canvas.font_px);
    canvas
        .ticks(((width_px / one).floor() as usize).max(2))
        .max(2)
}

/// One tick on a date axis: where, the time label, and the date label when
/// it starts a new day (shown on a second line).
#[derive(Clone, Debug, PartialEq)]
pub struct DateTick {
    /// The instant.
    pub at: SimTime,
    /// `06:00`, or the date itself for ticks a day or more apart.
    pub label: String,
    /// `Wed 26 Dec` under the first tick of each day, for hourly ticks.
    pub day: Option<String>,
}

/// Turns simulated instants into local dates of the scenario's zone.
#[derive(Clone, Debug)]
pub struct DateAxis {
    clock: Clock,
}

/// Steps between date ticks, in hours, smallest first.
const STEPS_H: [u64; 11] = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 672];

impl DateAxis {
    /// The date axis of a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        DateAxis {
            clock: Clock::new(scenario),
        }
    }

    /// The date axis of a clock.
    #[cfg(test)]
    pub fn from_clock(clock: Clock) -> Self {
        DateAxis { clock }
    }

    fn local(&self, t: SimTime) -> Option<DateTime> {
        self.clock.zoned(t).map(|z| z.datetime())
    }

    fn sim(&self, local: DateTime) -> Option<SimTime> {
        self.clock.at_local(local)
    }

    /// `Pacific/Noumea, UTC+11:00` (the offset at `t`), for axis titles.
    pub fn zone_label(&self, t: SimTime) -> String {
        match self.clock.zoned(t) {
            Some(z) => format!(
                "{}, UTC{}",
                z.time_zone().iana_name().unwrap_or("UTC"),
                z.strftime("%:z")
            ),
            None => "UTC".to_string(),
        }
    }

    /// The zone label of an axis from `t0` to `t1`: one offset when it does
    /// not change over the span, else each offset in turn with the local
    /// time it starts at (`Europe/Paris, UTC+01:00, UTC+02:00 from 31 Mar
    /// 03:00`), so a span across a daylight-saving change is not labelled
    /// with one offset.
    pub fn zone_label_span(&self, t0: SimTime, t1: SimTime) -> String {
        let Some(first) = self.clock.zoned(t0) else {
            return "UTC".to_string();
        };
        let mut label = self.zone_label(t0);
        let mut offset = first.offset();
        // Offsets change at most a few times a year and never within an
        // hour of each other: an hourly walk finds every change (to the hour).
        let step = crate::sim::SimDuration::from_millis(crate::sim::MS_PER_HOUR);
        let mut t = t0;
        let mut changes = 0;
        while t < t1 && changes < 8 {
            let next = t.saturating_add(step).min(t1);
            if let Some(z) = self.clock.zoned(next)
                && z.offset() != offset
            {
                offset = z.offset();
                changes += 1;
                // The first instant at the new offset, to the minute.
                let mut lo = t;
                let mut hi = next;
                while hi.saturating_since(lo).as_millis() > 60_000 {
                    let mid = SimTime::from_millis(
                        lo.as_millis() + hi.saturating_since(lo).as_millis() / 2,
                    );
                    match self.clock.zoned(mid) {
                        Some(m) if m.offset() == offset => hi = mid,
                        _ => lo = mid,
                    }
                }
                let at = self
                    .clock
                    .zoned(hi)
                    .map_or_else(String::new, |z| z.strftime("%d %b %H:%M").to_string());
                label.push_str(&format!(", UTC{} from {at}", z.strftime("%:z")));
            }
            t = next;
        }
        label
    }

    /// The months (and year) an axis from `t0` to `t1` spans, so that a
    /// chart whose ticks say `Wed 26 Dec` still says which year:
    /// `December 2018`, `March – May 2024`, `December 2018 – January 2019`.
    pub fn period(&self, t0: SimTime, t1: SimTime) -> String {
        let (Some(a), Some(b)) = (self.local(t0), self.local(t1.max(t0))) else {
            return String::new();
        };
        let month = |d: &DateTime| d.strftime("%B").to_string();
        if (a.year(), a.month()) == (b.year(), b.month()) {
            format!("{} {}", month(&a), a.year())
        } else if a.year() == b.year() {
            format!("{} – {} {}", month(&a), month(&b), a.year())
        } else {
            format!("{} {} – {} {}", month(&a), a.year(), month(&b), b.year())
        }
    }

    /// The title of a date axis from `t0` to `t1`: `date and time,
    /// December 2018 (Pacific/Noumea, UTC+11:00)`.
    pub fn title(&self, t0: SimTime, t1: SimTime) -> String {
        let period = self.period(t0, t1);
        let zone = self.zone_label_span(t0, t1);
        if period.is_empty() {
            format!("date and time ({zone})")
        } else {
            format!("date and time, {period} ({zone})")
        }
    }

    /// `Wed 26 Dec 07:00`: a full local date for tooltips and tables.
    pub fn format(&self, t: SimTime) -> String {
        self.local(t).map_or_else(
            || t.to_string(),
            |l| l.strftime("%a %d %b %Y %H:%M").to_string(),
        )
    }

    /// Ticks between `t0` and `t1` for an axis `width_px` wide: the
    /// smallest step (1 h … 4 weeks) whose labels fit, on local hours that
    /// are multiples of the step (or at local midnight).
    #[cfg(test)]
    pub fn ticks(&self, t0: SimTime, t1: SimTime, width_px: f64) -> Vec<DateTick> {
        self.ticks_on(&Canvas::standard(), t0, t1, width_px)
    }

    /// `DateAxis::ticks` in the type of `canvas`, no more than its ticks.
    pub fn ticks_on(
        &self,
        canvas: &Canvas,
        t0: SimTime,
        t1: SimTime,
        width_px: f64,
    ) -> Vec<DateTick> {
        if t1 <= t0 {
            return Vec::new();
        }
        let span_h = (t1.as_millis() - t0.as_millis()) as f64 / MS_PER_HOUR as f64;
        // Hourly labels are `06:00` over a `Wed 26 Dec` line; daily ones
        // are `Wed 26 Dec`: both fit in ten characters.
        let fit = labels_that_fit_on(canvas, width_px, 10) as f64;
        let step_h = STEPS_H
            .iter()
            .copied()
            .find(|s| span_h / *s as f64 + 1.0 <= fit)
            .unwrap_or_else(|| {
                // Beyond four weeks: whole multiples of four weeks.
                let weeks4 = (span_h / fit / 672.0).ceil().max(1.0) as u64;
                672 * weeks4
            });
        let Some(first_local) = self.local(t0) else {
            return Vec::new();
        };
        // Start at local midnight of t0's day (of the Monday before, for
        // weekly steps), walk in local steps.
        let mut first_day = first_local.date();
        if step_h >= 168 {
            let back = i64::from(first_day.weekday().to_monday_zero_offset());
            first_day = first_day
                .checked_sub(jiff::Span::new().days(back))
                .unwrap_or(first_day);
        }
        let midnight = first_day.to_datetime(jiff::civil::Time::midnight());
        let mut ticks = Vec::new();
        let mut prev_day = None;
        let mut cursor = midnight;
        for _ in 0..10_000 {
            let Some(at) = self.sim(cursor) else {
                // Before the simulated start: step forward.
                cursor = advance(cursor, step_h);
                continue;
            };
            if at > t1 {
                break;
            }
            if at >= t0 {
                let day = cursor.date();
                let (label, day_label) = if step_h < 24 {
                    let new_day = prev_day != Some(day);
                    (
                        cursor.strftime("%H:%M").to_string(),
                        new_day.then(|| cursor.strftime("%a %d %b").to_string()),
                    )
                } else {
                    (cursor.strftime("%a %d %b").to_string(), None)
                };
                prev_day = Some(day);
                ticks.push(DateTick {
                    at,
                    label,
                    day: day_label,
                });
            }
            cursor = advance(cursor, step_h);
        }
        ticks
    }
}

/// The next local tick: `step_h` local hours later for sub-day steps
/// (civil time, so ticks stay on the same wall-clock hours across DST:
/// every sub-day step divides 24), else whole local days.
fn advance(cursor: DateTime, step_h: u64) -> DateTime {
    if step_h < 24 {
        cursor
            .checked_add(jiff::Span::new().hours(step_h as i64))
            .unwrap_or(DateTime::MAX)
    } else {
        cursor
            .date()
            .checked_add(jiff::Span::new().days((step_h / 24) as i64))
            .map_or(DateTime::MAX, |d| {
                d.to_datetime(jiff::civil::Time::midnight())
            })
    }
}

/// A duration axis: hours, or days when the span is longer than three days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationUnit {
    /// Milliseconds per unit.
    pub ms: f64,
    /// `hours` or `days`.
    pub name: &'static str,
}

/// The unit for an axis whose values reach `max_ms`.
pub fn duration_unit(max_ms: f64) -> DurationUnit {
    if max_ms > 3.0 * MS_PER_DAY as f64 {
        DurationUnit {
            ms: MS_PER_DAY as f64,
            name: "days",
        }
    } else {
        DurationUnit {
            ms: MS_PER_HOUR as f64,
            name: "hours",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_inside_the_range() {
        assert_eq!(
            nice_ticks(0.0, 120.0, 7),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 6), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(3.0, 97.0, 5);
        assert!(t.len() <= 5 && t.len() >= 2, "{t:?}");
        assert!(t.iter().all(|v| (3.0..=97.0).contains(v)), "{t:?}");
        assert_eq!(nice_ticks(5.0, 5.0, 5), vec![5.0]);
        assert_eq!(number_label(0.30000000000000004), "0.3");
        assert_eq!(number_label(40.0), "40");
    }

    #[test]
    fn dividing_ticks_are_even_up_to_the_top_or_none() {
        assert_eq!(
            ticks_dividing(160.0, 6, true),
            Some(vec![0.0, 40.0, 80.0, 120.0, 160.0])
        );
        assert_eq!(
            ticks_dividing(100.0, 6, true),
            Some(vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
        );
        assert_eq!(ticks_dividing(3.0, 6, true), Some(vec![0.0, 1.0, 2.0, 3.0]));
        assert_eq!(ticks_dividing(1.0, 6, true), Some(vec![0.0, 1.0]));
        assert_eq!(ticks_dividing(157.0, 6, true), None);
        assert_eq!(ticks_dividing(7.0, 6, true), None);
        assert_eq!(ticks_dividing(0.0, 6, true), None);
        for hi in 1..400 {
            if let Some(t) = ticks_dividing(f64::from(hi), 6, true) {
                assert!(t.len() <= 6 && t.len() >= 2, "{hi}: {t:?}");
                assert_eq!(t.last(), Some(&f64::from(hi)));
                let step = t[1] - t[0];
                assert!(t.windows(2).all(|w| w[1] - w[0] == step), "{hi}: {t:?}");
            }
        }
    }

    #[test]
    fn nice_ranges_enclose_the_data_in_whole_steps() {
        let (lo, hi, t) = nice_range(2.8, 5.4, 8);
        assert!(lo <= 2.8 && hi >= 5.4, "{lo} {hi}");
        assert_eq!(t.first(), Some(&lo));
        assert_eq!(t.last(), Some(&hi));
        assert!(t.len() <= 8, "{t:?}");
        let (lo, hi, _) = nice_range(0.0, 19.0, 7);
        assert_eq!((lo, hi), (0.0, 20.0));
    }

    #[test]
    fn fewer_labels_fit_in_less_room() {
        assert!(labels_that_fit(900.0, 10) > labels_that_fit(300.0, 10));
        assert!(labels_that_fit(10.0, 10) >= 2);
    }

    fn paris(start: &str) -> DateAxis {
        let tz = jiff::tz::TimeZone::get("Europe/Paris").expect("bundled zone");
        let local: DateTime = start.parse().expect("date-time");
        let ts = tz.to_timestamp(local).expect("exists");
        DateAxis::from_clock(Clock::from_parts(tz, ts))
    }

    #[test]
    fn date_ticks_stay_on_local_hours_across_daylight_saving() {
        // Summer time starts in Paris on Sunday 31 March 2024 at 02:00.
        let axis = paris("2024-03-30T00:00");
        let t = |h: u64| SimTime::from_millis(h * MS_PER_HOUR);
        let ticks = axis.ticks(t(0), t(72), 900.0);
        assert!(ticks.len() >= 4, "{ticks:?}");
        for tick in &ticks {
            let local = axis.local(tick.at).expect("in range");
            assert_eq!(local.minute(), 0, "{tick:?}");
            assert_eq!(local.hour() % 6, 0, "{tick:?} on a multiple of the step");
            assert_eq!(tick.label, local.strftime("%H:%M").to_string());
        }
        // Each day is named once, under its first tick.
        let days: Vec<_> = ticks.iter().filter_map(|t| t.day.clone()).collect();
        assert_eq!(
            days,
            vec!["Sat 30 Mar", "Sun 31 Mar", "Mon 01 Apr", "Tue 02 Apr"]
        );
        // The offset in the axis title follows the date.
        assert_eq!(axis.zone_label(t(0)), "Europe/Paris, UTC+01:00");
        assert_eq!(axis.zone_label(t(48)), "Europe/Paris, UTC+02:00");
        assert_eq!(
            axis.zone_label_span(t(0), t(48)),
            "Europe/Paris, UTC+01:00, UTC+02:00 from 31 Mar 03:00"
        );
        assert_eq!(
            axis.zone_label_span(t(30), t(48)),
            "Europe/Paris, UTC+02:00"
        );
    }

    #[test]
    fn date_axis_titles_say_the_months_and_year() {
        let axis = paris("2018-12-20T00:00");
        let t = |h: u64| SimTime::from_millis(h * MS_PER_HOUR);
        assert_eq!(
            axis.title(t(0), t(48)),
            "date and time, December 2018 (Europe/Paris, UTC+01:00)"
        );
        assert_eq!(
            axis.period(t(0), t(24 * 20)),
            "December 2018 – January 2019"
        );
        let spring = paris("2024-03-30T00:00");
        assert_eq!(spring.period(t(0), t(24 * 40)), "March – May 2024");
    }

    #[test]
    fn date_ticks_thin_out_to_fit() {
        let axis = paris("2024-01-01T00:00");
        let t = |h: u64| SimTime::from_millis(h * MS_PER_HOUR);
        let wide = axis.ticks(t(0), t(24 * 10), 2400.0);
        let narrow = axis.ticks(t(0), t(24 * 10), 400.0);
        assert!(narrow.len() < wide.len());
        assert!(narrow.len() <= labels_that_fit(400.0, 10), "{narrow:?}");
        // Daily or coarser ticks are dates at local midnight.
        assert!(
            narrow
                .iter()
                .all(|t| t.day.is_none() && t.label.len() == 10),
            "{narrow:?}"
        );
        // Months: weekly or four-weekly steps, still at midnight.
        let long = axis.ticks(t(0), t(24 * 200), 900.0);
        assert!(long.len() >= 2 && long.len() <= labels_that_fit(900.0, 10));
        for tick in &long {
            let local = axis.local(tick.at).expect("in range");
            assert_eq!(local.hour(), 0);
            assert_eq!(local.weekday(), jiff::civil::Weekday::Monday, "{tick:?}");
        }
    }

    #[test]
    fn duration_axes_switch_to_days_after_three_days() {
        assert_eq!(duration_unit(50.0 * MS_PER_HOUR as f64).name, "hours");
        assert_eq!(duration_unit(100.0 * MS_PER_HOUR as f64).name, "days");
    }
}
