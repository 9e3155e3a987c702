//! The discrete-event kernel: time, the event queue and run loop, seeded
//! random streams, duration distributions and work calendars.
//!
//! This layer knows nothing about hosts, apps or bugs (docs/design.md,
//! "Architecture"): it is reusable by anything that needs a deterministic
//! simulation clock.
//!
//! Simulated time itself ([`SimTime`], [`SimDuration`]) and the text forms
//! of durations live one layer lower, in [`crate::units`], which every layer
//! may use; [`time`] re-exports it so the kernel's clock keeps its path.

pub mod bitset;
pub mod calendar;
pub mod dist;
pub mod firstfit;
pub mod queue;
pub mod rng;
pub use crate::units::time;

pub use crate::units::time::{
    MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration, SimTime,
};
pub use bitset::BitSet;
pub use calendar::{CalendarError, Duty, HolidaySpec, Roster, ShiftSpec, Weekdays, WorkerCalendar};
pub use dist::Dist;
pub use firstfit::{Capacity, FirstFit, Room2};
pub use queue::{EventId, RunError, Scheduler, StopReason};
pub use rng::{Purpose, PurposeStreams, RngStreams, STREAM_VERSION, StreamRng};
