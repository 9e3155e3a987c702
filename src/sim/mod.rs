//! The discrete-event kernel: time, the event queue and run loop, seeded
//! random streams, duration distributions and work calendars.
//!
//! This layer knows nothing about hosts, apps or bugs (docs/design.md,
//! "Architecture"): it is reusable by anything that needs a deterministic
//! simulation clock.

pub mod bitset;
pub mod calendar;
pub mod dist;
pub mod firstfit;
pub mod queue;
pub mod rng;
pub mod time;

pub use bitset::BitSet;
pub use calendar::{CalendarError, Duty, HolidaySpec, Roster, ShiftSpec, Weekdays, WorkerCalendar};
pub use dist::Dist;
pub use firstfit::{Capacity, FirstFit, Room2};
pub use queue::{EventId, RunError, Scheduler, StopReason};
pub use rng::{Purpose, PurposeStreams, RngStreams, STREAM_VERSION, StreamRng};
pub use time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration, SimTime};
