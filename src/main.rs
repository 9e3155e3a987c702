//! The `hvsim` command line: parse arguments, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hvsim::report::{Clock, render_run, run_json};
use hvsim::scenario::{self, ScenarioError};
use hvsim::{Scenario, SimError};

mod trace;

/// The seed of `hvsim run` when none is given.
const DEFAULT_SEED: u64 = 1;

/// Discrete-event simulator for hypervisor outages and disaster-recovery plans.
///
/// Without a command, runs the embedded default scenario: the December 2018
/// outage of the government of New Caledonia.
#[derive(Parser, Debug)]
#[command(name = "hvsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate one replication of a strategy and report the recovery.
    Run(RunArgs),
    /// Run strategies side by side over many replications (common random numbers).
    Compare(CompareArgs),
    /// Check scenario files and report every problem with file:line:col.
    Validate {
        /// Scenario files (.yaml, .yml, .toml, .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args, Debug, Default)]
struct RunArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategy to simulate (default: the scenario's `default_strategy`, else its first).
    #[arg(long, short)]
    strategy: Option<String>,
    /// Master seed of the replication: same seed, same result [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Print the event-by-event timeline to stderr, stamped with simulated dates.
    #[arg(long)]
    trace: bool,
    /// Print one JSON document (schema in docs/json.md) instead of the text report.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
struct CompareArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategies to compare, comma-separated; the first is the baseline (default: all).
    #[arg(long, value_delimiter = ',')]
    strategies: Vec<String>,
    /// Replications per strategy.
    #[arg(long, default_value_t = 1000)]
    runs: u64,
    /// Master seed: replication i of every strategy uses the same derived seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores); the result does not depend on it.
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
}

/// Exit codes: 2 for bad input (the user can fix it), 3 when a run hits a
/// simulation limit, 1 for anything else.
enum Failure {
    Input(String),
    Limit(String),
    Other(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(args),
        Some(Command::Compare(args)) => compare(args),
        Some(Command::Validate { files }) => validate(&files),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Limit(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(3)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn load(path: Option<&PathBuf>) -> Result<Scenario, Failure> {
    let loaded = match path {
        Some(p) => scenario::load_path(p).map(|mut s| {
            s.source = p.display().to_string();
            s
        }),
        None => scenario::load_default().map(|mut s| {
            s.source = scenario::DEFAULT_SCENARIO_NAME.to_string();
            s
        }),
    };
    loaded.map_err(|e| match e {
        ScenarioError::Read { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    })
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let scenario = load(args.scenario.as_ref())?;
    let strategy = match &args.strategy {
        None => scenario.default_strategy(),
        Some(name) => scenario.strategy(name).ok_or_else(|| {
            let known: Vec<_> = scenario.strategies.iter().map(|s| s.id.as_str()).collect();
            Failure::Input(format!(
                "scenario {} has no strategy `{name}`: expected one of {}",
                scenario.source,
                known.join(", ")
            ))
        })?,
    };
    let _guard = args.trace.then(|| trace::install(Clock::new(&scenario)));
    let seed = args.seed.unwrap_or(DEFAULT_SEED);
    let outcome = hvsim::simulate(&scenario, strategy, seed).map_err(|e| match e {
        SimError::Run(_) => Failure::Limit(format!("{e} (seed {seed})")),
        SimError::UnknownStrategy(_) => Failure::Input(e.to_string()),
    })?;
    if args.json {
        let doc = run_json(&scenario, &outcome);
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", render_run(&scenario, &outcome));
    }
    Ok(())
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let scenario = load(args.scenario.as_ref())?;
    let strategies: Vec<&hvsim::Strategy> = if args.strategies.is_empty() {
        scenario.strategies.iter().collect()
    } else {
        args.strategies
            .iter()
            .map(|name| {
                scenario.strategy(name).ok_or_else(|| {
                    let known: Vec<_> = scenario.strategies.iter().map(|s| s.id.as_str()).collect();
                    Failure::Input(format!(
                        "scenario {} has no strategy `{name}`: expected one of {}",
                        scenario.source,
                        known.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let result =
        hvsim::montecarlo::compare(&scenario, &strategies, args.runs, args.seed, jobs, &|_| {})
            .map_err(|e| match e {
                hvsim::montecarlo::CompareError::Invalid(m) => Failure::Input(m),
                e @ hvsim::montecarlo::CompareError::Run { .. } => Failure::Limit(e.to_string()),
            })?;
    if args.json {
        let doc = hvsim::report::compare_json(&scenario.name, &result);
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", hvsim::report::render_compare(&scenario.name, &result));
    }
    Ok(())
}

fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let (mut bad, mut unreadable) = (0, 0);
    for f in files {
        match scenario::load_path(f) {
            Ok(s) => println!(
                "ok: {} — {} ({} hosts, {} apps, {} VMs, {} bugs, {} teams, {} strategies)",
                f.display(),
                s.name,
                s.hosts.len(),
                s.apps.len(),
                s.vms.len(),
                s.bugs.len(),
                s.teams.len(),
                s.strategies.len()
            ),
            Err(e) => {
                if matches!(e, ScenarioError::Read { .. }) {
                    unreadable += 1;
                } else {
                    bad += 1;
                }
                eprintln!("{e}");
            }
        }
    }
    if unreadable > 0 {
        return Err(Failure::Other(format!(
            "{unreadable} of {} scenario file(s) could not be read",
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
