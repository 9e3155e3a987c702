//! The scenario's frame: its name, the time zone, start and horizon every
//! date is read against, and the limits of a run.
//!
//! [`Frame::to_sim`] is the one way a dated field (a trigger's `at`, an
//! outage) becomes simulated time: a local date-time in the scenario's
//! time zone, not before the start and not after the horizon.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::ctx::Ctx;
use crate::scenario::FieldPath;
use crate::scenario::raw::ScenarioFile;
use crate::sim::{SimDuration, SimTime};
use crate::units::{parse_local, to_instant};

/// Longest horizon: ten years.
const MAX_HORIZON: SimDuration = SimDuration::from_days(3653);
/// Default bound on events per run.
const DEFAULT_MAX_EVENTS: u64 = 10_000_000;

/// Where and when the scenario happens. A part the file got wrong is
/// `None` (and already reported); what depends on it is then not checked.
pub(super) struct Frame {
    /// The scenario's time zone.
    pub(super) tz: Option<TimeZone>,
    /// The instant of simulated time zero.
    pub(super) start: Option<Timestamp>,
    /// How long a run lasts.
    pub(super) horizon: Option<SimDuration>,
    /// The bound on events per run.
    pub(super) max_events: u64,
    /// `start` as written, quoted by errors about earlier dates.
    start_text: String,
}

impl Frame {
    /// Reads the scenario's name, time zone, start, horizon and limits.
    pub(super) fn resolve(ctx: &mut Ctx, root: &FieldPath, raw: &ScenarioFile) -> Frame {
        if raw.name.trim().is_empty() {
            ctx.err(&root.key("name"), "the scenario needs a name");
        }
        let tz = match TimeZone::get(raw.time_zone.trim()) {
            Ok(tz) => Some(tz),
            Err(_) => {
                ctx.err(
                    &root.key("time_zone"),
                    format!(
                        "unknown time zone `{}`: expected an IANA name like `Pacific/Noumea`, `Europe/Paris` or `UTC`",
                        raw.time_zone
                    ),
                );
                None
            }
        };
        let start_path = root.key("start");
        let start_local = match parse_local(&raw.start) {
            Ok(dt) => Some(dt),
            Err(e) => {
                ctx.err(&start_path, e);
                None
            }
        };
        let start = match (&tz, start_local) {
            (Some(tz), Some(dt)) => match to_instant(tz, dt, &raw.start) {
                Ok(ts) => Some(ts),
                Err(e) => {
                    ctx.err(&start_path, e);
                    None
                }
            },
            _ => None,
        };
        let horizon_path = root.key("horizon");
        let horizon = ctx.duration(&horizon_path, &raw.horizon).and_then(|h| {
            if h == SimDuration::ZERO {
                ctx.err(&horizon_path, "the horizon must be longer than zero");
                None
            } else if h > MAX_HORIZON {
                ctx.err(
                    &horizon_path,
                    format!("the horizon {h} is over the limit of 10 years"),
                );
                None
            } else {
                Some(h)
            }
        });
        let max_events = match raw.limits.as_ref().and_then(|l| l.max_events) {
            Some(0) => {
                ctx.err(&root.key("limits").key("max_events"), "must be at least 1");
                DEFAULT_MAX_EVENTS
            }
            Some(n) => n,
            None => DEFAULT_MAX_EVENTS,
        };
        Frame {
            tz,
            start,
            horizon,
            max_events,
            start_text: raw.start.clone(),
        }
    }

    /// Converts a local date-time field into simulated time.
    pub(super) fn to_sim(&self, ctx: &mut Ctx, path: &FieldPath, text: &str) -> Option<SimTime> {
        let dt = match parse_local(text) {
            Ok(dt) => dt,
            Err(e) => {
                ctx.err(path, e);
                return None;
            }
        };
        let (tz, start, horizon) = (self.tz.as_ref()?, self.start?, self.horizon?);
        let ts = match to_instant(tz, dt, text) {
            Ok(ts) => ts,
            Err(e) => {
                ctx.err(path, e);
                return None;
            }
        };
        let ms = ts.as_millisecond() - start.as_millisecond();
        if ms < 0 {
            ctx.err(
                path,
                format!(
                    "`{text}` is before the scenario's start ({})",
                    self.start_text
                ),
            );
            return None;
        }
        let t = SimTime::from_millis(ms as u64);
        if t > SimTime::ZERO.saturating_add(horizon) {
            ctx.err(
                path,
                format!("`{text}` is after the horizon ({} from the start)", horizon),
            );
            return None;
        }
        Some(t)
    }
}
