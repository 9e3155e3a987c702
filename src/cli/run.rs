//! `hvsim run` (and `hvsim` alone): one replication of one strategy, as a
//! text report or JSON, optionally with its trace, charts and data.

use std::path::PathBuf;

use hvsim::SimError;
use hvsim::report::{AppRows, Clock, render_run_rows, run_json};

use super::Failure;
use super::args::{command_line, run_command, shell_quote};
use super::load::{SetArgs, pick_strategies};
use super::output::{emit, emit_json, write_charts, write_files};
use super::trace;

/// The seed of `hvsim run` when none is given.
pub(super) const DEFAULT_SEED: u64 = 1;

#[derive(clap::Args, Debug, Default)]
pub(super) struct RunArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategy to simulate (default: the scenario's `default_strategy`, else its first).
    #[arg(long, short)]
    strategy: Option<String>,
    /// Master seed of the replication: same seed, same result [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// A fault campaign file whose `bugs`, `outages`, `absences` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    #[command(flatten)]
    sets: SetArgs,
    /// Print the event-by-event timeline to stderr, stamped with simulated dates.
    #[arg(long)]
    trace: bool,
    /// Print one JSON document (schema in docs/json.md) instead of the text report.
    #[arg(long)]
    json: bool,
    /// Also write the charts (gantt.svg, restored-*.svg, dependencies.svg, dr-capacity.svg with a DR site) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
    /// Also write the data behind them (apps.csv, tasks.csv, curve.csv) into this directory.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Replay a tabletop session the page of `hvsim serve` saved: the
    /// room's decisions, then the strategy's choices (its strategy, seed
    /// and changes unless given, which must then be the same).
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// The apps the text report's table lists: `notable` (those that missed
    /// an objective, were still down at the end or were down longest; all
    /// of them when few went down) or `all`.
    #[arg(long, value_enum, default_value_t = AppsArg::Notable)]
    apps: AppsArg,
}

/// `--apps`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum AppsArg {
    /// Those that missed an objective, were still down or were down longest.
    #[default]
    Notable,
    /// Every app that went down.
    All,
}

pub(super) fn run(args: RunArgs) -> Result<(), Failure> {
    let charts = args.charts.wanted(args.svg.as_ref())?;
    if let Some(d) = &args.decisions {
        super::output::reads(d);
    }
    let decisions = args
        .decisions
        .as_deref()
        .map(super::serve::DecisionsFile::read)
        .transpose()?;
    let mut args = args;
    if let Some(d) = &decisions {
        args.sets.sets = d.sets(&args.sets.sets)?;
    }
    let scenario = args
        .sets
        .load(args.scenario.as_ref(), args.faults.as_ref())?;
    let strategy = match (&decisions, &args.strategy) {
        (Some(d), given) => d.strategy(&scenario, given.as_deref())?,
        (None, None) => scenario.default_strategy(),
        (None, Some(name)) => pick_strategies(&scenario, std::slice::from_ref(name))?[0],
    };
    let seed = match &decisions {
        Some(d) => d.seed(args.seed)?,
        None => args.seed.unwrap_or(DEFAULT_SEED),
    };
    let tracing = args.trace.then(|| trace::install(Clock::new(&scenario)));
    let outcome = match &decisions {
        Some(d) => d.run(&scenario, strategy, seed)?,
        None => hvsim::simulate(&scenario, strategy, seed).map_err(|e| match e {
            SimError::Run(_) | SimError::Roster { .. } => {
                Failure::Limit(format!("{e} (seed {seed})"))
            }
            SimError::UnknownStrategy(_) => Failure::Input(e.to_string()),
        })?,
    };
    if let Some((guard, sink)) = tracing {
        drop(guard);
        match sink.failure() {
            // A reader of the trace that went away (`2>&1 | head`) is not an
            // error; the report still goes to stdout.
            Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Some(e) => {
                return Err(Failure::Other(format!(
                    "cannot write the trace to standard error: {e}"
                )));
            }
            None => {}
        }
    }
    if args.json {
        emit_json(&run_json(&scenario, &outcome))?;
    } else {
        let rows = match args.apps {
            AppsArg::Notable => AppRows::Notable,
            AppsArg::All => AppRows::All,
        };
        let mut text = render_run_rows(&scenario, &outcome, rows);
        text.push_str(&next_steps(&args, &scenario, &strategy.id));
        emit(&text)?;
    }
    if charts {
        let command = run_command(
            args.scenario.as_ref(),
            args.faults.as_ref(),
            &strategy.id,
            seed,
        ) + &args.sets.command();
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            &hvsim::chart::present::scenario_line(&scenario),
            &hvsim::report::run_svgs(
                &scenario,
                &outcome,
                hvsim::chart::Page::new(&command, args.charts.canvas()),
            ),
        )?;
    }
    if let Some(dir) = &args.csv {
        write_files(dir, &hvsim::report::run_csvs(&scenario, &outcome))?;
    }
    Ok(())
}

/// What to run next, with this run's scenario, faults and changes: the
/// comparison over many runs, the report (which takes no `--set`, so only
/// without changes), and another strategy.
fn next_steps(args: &RunArgs, scenario: &hvsim::Scenario, strategy: &str) -> String {
    let (file, faults) = (args.scenario.as_ref(), args.faults.as_ref());
    let sets = args.sets.command();
    let mut lines = vec![(
        command_line("compare", file, faults) + &sets,
        "every strategy over 1,000 runs, with confidence intervals".to_string(),
    )];
    if sets.is_empty() {
        lines.push((
            format!("{} -o report.html", command_line("report", file, faults)),
            "the charts, this comparison and a run's Gantt chart in one page".to_string(),
        ));
    }
    if let Some(other) = scenario.strategies.iter().find(|s| s.id != strategy) {
        lines.push((
            format!(
                "{}{sets} --strategy {}",
                command_line("run", file, faults),
                shell_quote(&other.id)
            ),
            format!(
                "this run with another strategy (of {})",
                scenario.strategies.len()
            ),
        ));
    }
    let width = lines
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("\nNext\n");
    for (command, what) in lines {
        out.push_str(&format!("  {command:<width$}   {what}\n"));
    }
    out
}
