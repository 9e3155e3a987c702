//! # hvsim
//!
//! A discrete-event simulator for chaos-testing hypervisor outages and
//! disaster-recovery plans. It models hosts, the hypervisor builds they run
//! (with latent, common-mode bugs), VMs and applications with dependencies,
//! a DR site and the people who restore things; it injects faults and
//! measures recovery.
//!
//! The core is one pure function, [`simulate`]: the same scenario, strategy
//! and seed always give the same [`Outcome`](metrics::Outcome).
//!
//! ```
//! let scenario = hvsim::scenario::load_default()?;
//! let strategy = scenario.default_strategy();
//! let outcome = hvsim::simulate(&scenario, strategy, 1)?;
//! // Incident 2 (Christmas night) takes down all 120 internet-facing apps.
//! assert_eq!(outcome.incidents[1].apps.len(), 120);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers, bottom up: [`units`] (time, units and civil time) → [`sim`]
//! (the kernel, which knows no domain) →
//! [`model`] → recovery and [`metrics`] → the engine ([`simulate`]) →
//! [`report`]. [`scenario`] turns files into [`model`] values. The model's
//! semantics and the module map are in `docs/design.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod chart;
mod engine;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
pub mod r#gen;
pub mod metrics;
pub mod model;
pub mod montecarlo;
mod recovery;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod units;

/// Shard files, at their historical path (they live in [`montecarlo`]).
pub use montecarlo::shard;

pub use engine::{SimError, TRACE_TARGET, simulate, simulate_with};
pub use metrics::Outcome;
pub use model::{Scenario, Strategy};
pub use recovery::decider;
pub use recovery::decider::{Decider, StrategyDecider};
