//! The `hvsim` command line: parse the arguments, run the command
//! ([`cli`]), exit with its code.

/// mimalloc instead of glibc's allocator: a replication allocates and frees
/// many small buffers, and glibc's consolidation of freed chunks was a
/// third of a 10,000-app replication (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::exit_code(args.dispatch())
}
