//! `hvsim merge`: shard files of one run back into the report of the
//! unsharded run.

use std::path::PathBuf;

use super::Failure;
use super::compare::print_comparison;

#[derive(clap::Args, Debug)]
pub(super) struct MergeArgs {
    /// Shard files, every shard of one run exactly once, in any order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
}

pub(super) fn merge(args: MergeArgs) -> Result<(), Failure> {
    let (name, merged) = hvsim::shard::merge(&args.files).map_err(|e| match e {
        hvsim::shard::ShardError::Io { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    })?;
    print_comparison(&name, merged, args.json)
}
