//! The scenario's clock: simulated instants as dates in its time zone, for
//! every renderer (charts, reports) and the CLI's trace. It sits at the
//! bottom of the renderers, so that `report` uses it through `chart`
//! without `chart` ever importing `report`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::Scenario;
use crate::sim::SimTime;

/// Turns simulated instants into dates in the scenario's time zone.
#[derive(Clone, Debug)]
pub struct Clock {
    tz: TimeZone,
    start: Timestamp,
}

impl Clock {
    /// The clock of a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        Clock {
            tz: scenario.tz.clone(),
            start: scenario.start,
        }
    }

    /// From a time zone and the instant of simulated time zero.
    pub fn from_parts(tz: TimeZone, start: Timestamp) -> Self {
        Clock { tz, start }
    }

    /// The local date-time of `t`, `None` beyond what dates can hold.
    pub fn zoned(&self, t: SimTime) -> Option<jiff::ZonedDateTime> {
        let ms = i64::try_from(t.as_millis()).ok()?;
        let ts = self
            .start
            .checked_add(jiff::SignedDuration::from_millis(ms))
            .ok()?;
        Some(ts.to_zoned_datetime(self.tz.clone()))
    }

    /// `2018-12-26 01:40 +11:00`.
    pub fn date(&self, t: SimTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%Y-%m-%d %H:%M %:z").to_string(),
            None => format!("{t}"),
        }
    }

    /// `Wed 26 Dec 01:40`, compact for tables.
    pub fn short(&self, t: SimTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%a %d %b %H:%M").to_string(),
            None => format!("{t}"),
        }
    }

    /// RFC 3339 with the zone's offset: `2018-12-26T01:40:00+11:00`.
    pub fn rfc3339(&self, t: SimTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => format!("{t}"),
        }
    }

    /// The simulated instant of a local date-time, if it is not before the start.
    pub fn at_local(&self, local: jiff::civil::DateTime) -> Option<SimTime> {
        let ts = self.tz.to_timestamp(local).ok()?;
        let ms = ts.as_millisecond() - self.start.as_millisecond();
        u64::try_from(ms).ok().map(SimTime::from_millis)
    }
}
