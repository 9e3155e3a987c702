//! `hvsim merge`: shard files of one run back into the report of the
//! unsharded run: a comparison's (`compare --shard`) or a sweep's
//! (`sweep --shard`), told apart by the first file's schema.

use std::path::PathBuf;

use hvsim::montecarlo::sweep_shard;
use hvsim::shard::ShardError;

use super::Failure;
use super::compare::print_comparison;
use super::sweep::{SweepFiles, Swept, deliver};

#[derive(clap::Args, Debug)]
pub(super) struct MergeArgs {
    /// Shard files, every shard of one run exactly once, in any order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Shards of a sweep: the files `hvsim sweep` writes beside its table.
    #[command(flatten)]
    outputs: SweepFiles,
}

/// A shard error as a failure: reading is the system's, the rest the input's.
fn failure(e: ShardError) -> Failure {
    match e {
        ShardError::Io { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    }
}

pub(super) fn merge(args: MergeArgs) -> Result<(), Failure> {
    let files = args.outputs.wanted()?;
    for f in &args.files {
        super::output::reads(f);
    }
    let sweep = match args.files.first() {
        Some(first) => sweep_shard::is_sweep_shard(first).map_err(failure)?,
        None => false,
    };
    if sweep {
        let merged = sweep_shard::merge(&args.files).map_err(failure)?;
        return deliver(&Swept::merged(merged), &args.outputs, args.json);
    }
    if files {
        return Err(Failure::Input(
            "--csv, --svg and --png draw a sweep's outputs; a comparison's shards hold \
             no curves: write its charts with `hvsim compare` without --shard"
                .into(),
        ));
    }
    let (name, merged) = hvsim::shard::merge(&args.files).map_err(failure)?;
    print_comparison(&name, merged, args.json)
}
