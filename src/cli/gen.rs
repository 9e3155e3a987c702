//! `hvsim gen`: a synthetic scenario of any size, on standard output or
//! into a file.

use std::path::PathBuf;

use super::Failure;
use super::output::{emit, save};

#[derive(clap::Args, Debug)]
pub(super) struct GenArgs {
    /// Applications.
    #[arg(long, default_value_t = 10_000)]
    apps: u32,
    /// VMs per application.
    #[arg(long, default_value_t = 10)]
    vms_per_app: u32,
    /// Hosts in all, DR hosts included.
    #[arg(long, default_value_t = 2_000)]
    hosts: u32,
    /// How many of the hosts are at a DR site, where apps with corrupted
    /// VMs are reinstalled (0: no DR site, restart only).
    #[arg(long, default_value_t = 0)]
    dr_hosts: u32,
    /// Teams (they cycle through 24/7, office hours and a three-shift rotation).
    #[arg(long, default_value_t = 10)]
    teams: u32,
    /// Engineers per team.
    #[arg(long, default_value_t = 5)]
    members: u32,
    /// Mean number of apps each app depends on (dependency density).
    #[arg(long, default_value_t = 2.0)]
    deps: f64,
    /// Probability that the bug corrupts each VM of a crashed host.
    #[arg(long, default_value_t = 0.02)]
    corrupt_vm: f64,
    /// Seed of the generator: the same seed writes the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the scenario to this file (atomically) instead of stdout.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

pub(super) fn generate(args: GenArgs) -> Result<(), Failure> {
    let params = hvsim::r#gen::GenParams {
        apps: args.apps,
        vms_per_app: args.vms_per_app,
        hosts: args.hosts,
        dr_hosts: args.dr_hosts,
        teams: args.teams,
        members: args.members,
        deps: args.deps,
        corrupt_vm: args.corrupt_vm,
        seed: args.seed,
    };
    let text = hvsim::r#gen::generate(&params).map_err(|e| Failure::Input(e.to_string()))?;
    match &args.out {
        Some(path) => {
            let what = format!(
                " ({} apps, {} VMs, {} hosts)",
                params.apps,
                u64::from(params.apps) * u64::from(params.vms_per_app),
                params.hosts
            );
            save(path, text.as_bytes(), &what)?;
        }
        None => emit(&text)?,
    }
    Ok(())
}
