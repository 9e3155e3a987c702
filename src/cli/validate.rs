//! `hvsim validate`: check scenario files (with a fault campaign's faults,
//! if given), report every problem with file:line:col, and warn of a
//! horizon too short for the recovery.
//!
//! The horizon check simulates one run per strategy, which costs far more
//! than the parsing on a big estate; so it runs by itself only on an
//! estate small enough ([`HORIZON_CHECK_VM_RUNS`]), and a bigger one says
//! it was skipped and how to ask for it (`--check-horizon`).

use std::path::PathBuf;

use hvsim::Scenario;
use hvsim::report::Clock;
use hvsim::scenario::{self, ScenarioError};

use super::Failure;
use super::output::{emit, note};
use super::run::DEFAULT_SEED;

#[derive(clap::Args, Debug)]
pub(super) struct ValidateArgs {
    /// Scenario files (.yaml, .yml, .toml, .json).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Check them with this fault campaign's `bugs`, `outages`, `absences` and `chaos`.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Check that the horizon holds the recovery (one run per strategy)
    /// whatever the estate's size; without it, only estates of at most
    /// 5,000 VMs × strategies are checked.
    #[arg(long)]
    check_horizon: bool,
}

/// The most VMs × strategies whose horizon is checked without
/// `--check-horizon`: every bundled scenario is far below (the 2018 one
/// is 262 VMs × 7 strategies), while a generated or imported estate of
/// thousands of VMs spends seconds per run.
const HORIZON_CHECK_VM_RUNS: usize = 5_000;

pub(super) fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let (files, faults) = (&args.files, args.faults.as_ref());
    let (mut bad, mut unreadable) = (0, 0);
    for f in files {
        let loaded = match faults {
            None => scenario::load_path(f),
            Some(c) => scenario::read_file(f).and_then(|(text, file, format)| {
                let (ftext, ffile, fformat) = scenario::read_file(c)?;
                scenario::load_with_faults(scenario::WithFaults {
                    scenario: (&text, &file, format),
                    faults: (&ftext, &ffile, fformat),
                })
            }),
        };
        match loaded {
            Ok(s) => {
                let vm_runs = s.vms.len().saturating_mul(s.strategies.len());
                if args.check_horizon || vm_runs <= HORIZON_CHECK_VM_RUNS {
                    for warning in horizon_warnings(&s) {
                        note(&format!("warning: {}: {warning}", f.display()));
                    }
                } else {
                    note(&format!(
                        "note: {}: the horizon was not checked ({} VMs × {} strategies, above \
                         {HORIZON_CHECK_VM_RUNS}; it costs a run per strategy): add \
                         --check-horizon to check it",
                        f.display(),
                        s.vms.len(),
                        s.strategies.len()
                    ));
                }
                emit(&format!(
                    "ok: {}{} — {} ({} hosts, {} apps, {} VMs, {} bugs, {} teams, {} strategies)\n",
                    f.display(),
                    faults.map_or(String::new(), |c| format!(
                        " with faults from {}",
                        c.display()
                    )),
                    s.name,
                    s.hosts.len(),
                    s.apps.len(),
                    s.vms.len(),
                    s.bugs.len(),
                    s.teams.len(),
                    s.strategies.len()
                ))?
            }
            Err(e) => {
                if matches!(e, ScenarioError::Read { .. }) {
                    unreadable += 1;
                } else {
                    bad += 1;
                }
                note(&e.to_string());
            }
        }
    }
    if unreadable > 0 {
        let also = if bad > 0 {
            format!(
                ", and {bad} {} invalid",
                if bad == 1 { "is" } else { "are" }
            )
        } else {
            String::new()
        };
        return Err(Failure::Other(format!(
            "{unreadable} of {} scenario file(s) could not be read{also}",
            files.len()
        )));
    }
    if bad > 0 {
        return Err(Failure::Input(format!(
            "{bad} of {} scenario file(s) are invalid",
            files.len()
        )));
    }
    Ok(())
}

/// Strategies whose run (seed 1) ends at the horizon with work still
/// pending: the horizon cannot hold the recovery, so milestones and
/// objectives would be cut short.
fn horizon_warnings(scenario: &Scenario) -> Vec<String> {
    let clock = Clock::new(scenario);
    let mut warnings = Vec::new();
    for st in &scenario.strategies {
        let o = match hvsim::simulate(scenario, st, DEFAULT_SEED) {
            Ok(o) => o,
            Err(e) => {
                // A run that stops is not a horizon question, but it must
                // not pass in silence: say which strategy and why.
                warnings.push(format!(
                    "with strategy `{}` (seed {DEFAULT_SEED}) the run stops before the horizon could be checked: {e}",
                    st.id
                ));
                continue;
            }
        };
        let pending = hvsim::report::count_by_reason(o.pending());
        if !pending.is_empty() {
            warnings.push(format!(
                "with strategy `{}` (seed {DEFAULT_SEED}) the horizon of {} ends at {} with work still pending ({pending}); lengthen `horizon` so the recovery fits",
                st.id,
                scenario.horizon,
                clock.date(o.horizon)
            ));
        }
    }
    warnings
}
