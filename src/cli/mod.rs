//! The `hvsim` command line: the subcommands, one file each, and how their
//! failures become exit codes.
//!
//! Each subcommand's file holds its clap arguments and the function that
//! runs it: parse the files it names, call the library, print. What several
//! commands share is beside them: [`args`] (the Monte Carlo arguments,
//! `--shard`, `--jobs`, the command line that reproduces a result),
//! [`load`] (the scenario the command line names), [`output`] (everything
//! that writes to standard output, standard error or a file) and [`trace`]
//! (`run --trace`). Nothing here is simulation: the library does that.

mod advise;
mod args;
mod chaos;
mod compare;
mod examples;
mod explain;
mod fit;
mod r#gen;
mod import;
mod load;
mod merge;
mod output;
mod report;
mod run;
mod schema;
mod serve;
mod sweep;
mod trace;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hvsim::montecarlo::CompareError;

use output::note;

/// Discrete-event simulator for hypervisor outages and disaster-recovery plans.
///
/// Without a command, runs the embedded default scenario: the December 2018
/// outage of the government of New Caledonia.
#[derive(Parser, Debug)]
#[command(name = "hvsim", version, about, long_about = None, after_help = examples::HVSIM)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate one replication of a strategy and report the recovery.
    #[command(after_help = examples::RUN)]
    Run(run::RunArgs),
    /// Run strategies side by side over many replications (common random numbers).
    #[command(after_help = examples::COMPARE)]
    Compare(compare::CompareArgs),
    /// Run the comparison at each point of a grid of scenario values:
    /// how much does each extra engineer buy?
    #[command(after_help = examples::SWEEP)]
    Sweep(sweep::SweepArgs),
    /// Fit scenario values to an observed recovery curve: which values make
    /// the median restored curve closest to the points (docs/fit.md).
    #[command(after_help = examples::FIT)]
    Fit(fit::FitArgs),
    /// Explain one run: why each app was down (reasons that add up to its
    /// downtime), the method chosen and why, and what set its finish.
    #[command(after_help = examples::EXPLAIN)]
    Explain(explain::ExplainArgs),
    /// Merge shard files written by `compare --shard i/n --out FILE` (or
    /// `sweep --shard`) into the report of the unsharded run.
    #[command(after_help = examples::MERGE)]
    Merge(merge::MergeArgs),
    /// Write one self-contained HTML report: summary, charts, one run's
    /// Gantt chart and per-app table, assumptions, and how to reproduce it.
    #[command(after_help = examples::REPORT)]
    Report(report::ReportArgs),
    /// Write a synthetic scenario: an estate of any size, for benchmarks
    /// and scale tests (deterministic for a given seed).
    #[command(after_help = examples::GEN)]
    Gen(r#gen::GenArgs),
    /// Which single change to the plan would help most: levers derived from
    /// the scenario (or your own, with costs) ranked on common random numbers.
    #[command(after_help = examples::ADVISE)]
    Advise(advise::AdviseArgs),
    /// Search the faults nobody wrote down: the campaigns that break the
    /// plan, shrunk to minimal, replayable `--faults` files (docs/chaos.md).
    #[command(after_help = examples::CHAOS)]
    Chaos(chaos::ChaosArgs),
    /// Check scenario files and report every problem with file:line:col.
    #[command(after_help = examples::VALIDATE)]
    Validate(validate::ValidateArgs),
    /// Print the JSON Schema (draft 2020-12) of scenario or fault campaign
    /// files, for editors to check and complete them as they are typed
    /// (docs/editors.md).
    #[command(after_help = examples::SCHEMA)]
    Schema(schema::SchemaArgs),
    /// Turn an inventory export into a scenario that runs: `hvsim import
    /// rvtools EXPORT.xlsx --out scenario.yaml` (docs/import.md).
    #[command(after_help = examples::IMPORT)]
    Import(import::ImportArgs),
    /// Serve a local page for classes and tabletop exercises: what-if
    /// sliders re-run on common random numbers as they move, and the
    /// replay of one run hour by hour (docs/serve.md).
    #[command(after_help = examples::SERVE)]
    Serve(serve::ServeArgs),
}

impl Cli {
    /// Runs the command (the default `run` without one).
    pub(crate) fn dispatch(self) -> Result<(), Failure> {
        match self.command {
            None => run::run(run::RunArgs::default()),
            Some(Command::Run(args)) => run::run(args),
            Some(Command::Compare(args)) => compare::compare(args),
            Some(Command::Merge(args)) => merge::merge(args),
            Some(Command::Fit(args)) => fit::fit(args),
            Some(Command::Explain(args)) => explain::explain(args),
            Some(Command::Sweep(args)) => sweep::sweep(args),
            Some(Command::Report(args)) => report::report(args),
            Some(Command::Gen(args)) => r#gen::generate(args),
            Some(Command::Chaos(args)) => chaos::chaos(args),
            Some(Command::Validate(args)) => validate::validate(args),
            Some(Command::Advise(args)) => advise::advise(args),
            Some(Command::Schema(args)) => schema::schema(args),
            Some(Command::Import(args)) => import::import(args),
            Some(Command::Serve(args)) => serve::serve(args),
        }
    }
}

/// Exit codes: 2 for bad input (the user can fix it), 3 when a run hits a
/// simulation limit, 1 for anything else.
pub(crate) enum Failure {
    /// Ctrl-C: the partial report was printed; exit like an interrupted command.
    Interrupted,
    /// Standard output was closed by its reader (`hvsim run | head`): stop
    /// quietly, as a filter does.
    ClosedPipe,
    /// Bad input, with what to fix: exit 2.
    Input(String),
    /// A run hit a simulation limit: exit 3.
    Limit(String),
    /// Anything else (a file that cannot be read or written): exit 1.
    Other(String),
}

/// The exit code of a command's result, its error message printed on
/// standard error.
pub(crate) fn exit_code(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) | Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Interrupted) => ExitCode::from(130),
        Err(Failure::Input(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(2)
        }
        Err(Failure::Limit(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(3)
        }
        Err(Failure::Other(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(1)
        }
    }
}

/// A Monte Carlo study that failed: a bad request is input, a run that hit
/// a limit is a limit.
fn study_failure(e: CompareError) -> Failure {
    match e {
        CompareError::Invalid(m) => Failure::Input(m),
        e @ (CompareError::Run { .. } | CompareError::Record { .. }) => {
            Failure::Limit(e.to_string())
        }
    }
}
