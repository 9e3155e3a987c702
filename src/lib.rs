//! # hvsim
//!
//! A discrete-event simulator for chaos-testing hypervisor outages and
//! disaster-recovery plans. It models hosts, the hypervisor builds they run
//! (with latent, common-mode bugs), VMs and applications with dependencies,
//! a DR site and the people who restore things; it injects faults and
//! measures recovery.
//!
//! The core is one pure function, [`simulate`]: the same scenario, strategy
//! and seed always give the same [`Outcome`].
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
//! Compare strategies over many replications on common random numbers: a
//! [`Study`](montecarlo::Study) simulates each replication once and hands
//! the renderers a [`Summary`](montecarlo::Summary). Here, reinstalling
//! by hand as in 2018 against restoring from backup:
//!
//! ```
//! use hvsim::Scenario;
//! use hvsim::montecarlo::Study;
//!
//! let scenario = Scenario::default_incident()?;
//! let as_in_2018 = scenario.strategy("as-in-2018").ok_or("no such strategy")?;
//! let restore = scenario.strategy("restore-from-backup").ok_or("no such strategy")?;
//! let strategies = [as_in_2018, restore];
//! let summary = Study::new(&scenario, &strategies, 20, 1).run(&|_| true)?;
//!
//! // Metrics are named like the rows of `hvsim compare`.
//! let c = &summary.comparison;
//! let m = c
//!     .metrics
//!     .iter()
//!     .position(|m| m.name.starts_with("incident 2") && m.name.ends_with(": 90 % back"))
//!     .ok_or("no such metric")?;
//! let mean = |s: usize| c.strategies[s].stats[m].moments.mean();
//! assert!(mean(1) < mean(0), "restoring from backup brings 90 % back sooner");
//!
//! // The report `hvsim compare` prints.
//! let text = hvsim::report::render_compare(&scenario.name, c);
//! assert!(text.contains("restore-from-backup"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A scenario also comes from a file ([`Scenario::from_path`]: YAML, TOML
//! or JSON) or from YAML text (`text.parse::<Scenario>()`); every problem
//! in it is reported with its `file:line:col`. Every choice a strategy
//! makes during a run goes through a [`Decider`]; [`simulate_with`] runs
//! with another one (a script, a person at a tabletop exercise).
//!
//! ## The map
//!
//! Layers, bottom up, each importing only those below it: [`units`]
//! (time, quantities, civil time) → `sim` (the kernel, which knows no
//! domain) → [`model`] → [`metrics`] (the [`Outcome`] of a run) → the run
//! (`run`, `faults`, `recovery`, `engine`: [`simulate`]) → [`scenario`] (files
//! into a [`Scenario`]) → [`montecarlo`] (the study and its [`Summary`](montecarlo::Summary))
//! → the renderers [`chart`] and [`report`]. The command line (`src/cli/`)
//! sits on top. The model's semantics and the map with what each folder
//! owns are in `docs/design.md`; `tests/it/layers.rs` checks the layering.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The curated surface: loading scenarios, the model, one run and its
// outcome, the study of many, the renderers, synthetic estates, units.
pub mod advise;
pub mod chaos;
pub mod chart;
pub mod explain;
pub mod fit;
pub mod r#gen;
pub mod import;
pub mod metrics;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod scenario;
pub mod units;

// The run's inside: reached through `simulate`, `simulate_with` and the
// `Decider`.
mod engine;
mod faults;
mod recovery;
mod run;

// Public for the command line, the benches, the fuzz targets and the
// integration tests, not part of the documented surface.
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod sim;
#[doc(hidden)]
pub mod sweep;

#[doc(hidden)]
pub use montecarlo::shard;

pub use engine::{SimError, TRACE_TARGET, simulate, simulate_with};
pub use metrics::Outcome;
pub use model::{Scenario, Strategy};
pub use recovery::decider;
pub use recovery::decider::{Decider, StrategyDecider};
