//! The run's shared vocabulary: what the fault side, the recovery side and
//! the engine that drives them all speak.
//!
//! - the events of a run ([`Ev`]), their tie-break classes and the
//!   scheduler ([`Sched`]);
//! - [`Cx`], the instant of the event being handled and the scheduler,
//!   which every handler gets;
//! - the world as it is now ([`World`]: hosts, VMs, apps, each host's free
//!   room), with the doors that keep its indexes in step;
//! - the `trace!` macro of the timeline, and the run's error.
//!
//! Layering: `run` knows no handler. `faults` builds on it, `recovery` on
//! both, and `engine` owns the run's state, dispatches each event to the
//! side that handles it and calls recovery after a fault
//! (`docs/design.md`, "Architecture").

use crate::model::{AppId, BugId, HostId};
use crate::sim::{RunError, Scheduler, SimTime};

pub(crate) mod buffers;
pub(crate) mod room;
pub(crate) mod world;

pub(crate) use world::World;

/// The `tracing` target of the event-by-event timeline.
pub const TRACE_TARGET: &str = "hvsim::trace";

/// A line of the timeline at instant `now` (an `info` event of
/// [`TRACE_TARGET`] with the field `t`); its arguments are only evaluated
/// when the trace is on.
macro_rules! trace {
    ($now:expr, $($arg:tt)+) => {
        tracing::info!(target: $crate::run::TRACE_TARGET, t = $now.as_millis(), $($arg)+)
    };
}
pub(crate) use trace;

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The kernel refused to go on (event limit, time overflow).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The strategy does not belong to the scenario.
    #[error("strategy `{0}` is not one of the scenario's strategies")]
    UnknownStrategy(String),
    /// A team's roster for the run, once its absences (the team's random
    /// `absence` and the scenario's `absences`) are applied, is too large
    /// to build: each absence splits on-duty periods in two.
    #[error(
        "team `{team}`'s roster with this run's absences cannot be built: {source} \
         (each absence may split the team's on-duty periods: fewer or shorter absences help too)"
    )]
    Roster {
        /// The team's id.
        team: String,
        /// Why the roster could not be built.
        source: crate::sim::CalendarError,
    },
}

/// Tie-break classes: at the same instant, faults strike before fixes,
/// fixes land before anything else completes. A crash at the instant a
/// restart finishes therefore wins, which is the pessimistic reading.
pub(crate) const CLASS_FAULT: u8 = 0;
pub(crate) const CLASS_FIX: u8 = 1;
pub(crate) const CLASS_OTHER: u8 = 2;

/// The events of a run.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    Strike(BugId),
    Recur(BugId, HostId),
    Diagnosed(BugId),
    Fixed(BugId),
    Rebooted(HostId),
    TaskDone(u32),
    /// An automated method (HA restart, failover) finished for this app.
    AutoDone(AppId),
    /// The earliest backup transfer finishes (processor sharing).
    TransferDone,
    /// The escalation deadline of an app's outage (by outage number).
    Deadline(AppId, u32),
    /// A per-host trigger (uptime, Poisson) fires on this host.
    StrikeHost(BugId, HostId),
    /// The vendor's workaround for a bug is available: no more recurrences.
    Workaround(BugId),
    /// The management plane lost to a fault is back.
    ManagementBack,
    /// An outage of a shared service begins / ends.
    OutageStart(u32),
    OutageEnd(u32),
    /// A chaos process fails / repairs a host.
    ChaosFail(u32, HostId),
    ChaosRepair(u32, HostId),
    Wake,
}

/// The run's scheduler.
pub(crate) type Sched = Scheduler<Ev>;

/// What every handler gets besides the state it works on: the instant of
/// the event being handled and the scheduler, to schedule what follows.
pub(crate) struct Cx<'s> {
    /// The current instant.
    pub(crate) now: SimTime,
    /// The run's event queue.
    pub(crate) sched: &'s mut Sched,
}
