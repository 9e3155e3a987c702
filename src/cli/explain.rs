//! `hvsim explain`: one run, each app's downtime split into the reasons it
//! was down, the method chosen and why, and what set its finish.

use std::path::PathBuf;

use hvsim::SimError;
use hvsim::model::{AppId, Scenario};
use hvsim::report::{chart_groups, explain_json, render_explain};

use super::Failure;
use super::args::run_command;
use super::load::{SetArgs, pick_strategies};
use super::output::{emit, emit_json, write_charts};
use super::run::DEFAULT_SEED;

#[derive(clap::Args, Debug, Default)]
pub(super) struct ExplainArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategy to explain (default: the scenario's `default_strategy`, else its first).
    #[arg(long, short)]
    strategy: Option<String>,
    /// Master seed of the replication: the run `hvsim run --seed N` shows [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// List only these apps (by id; repeat or separate with commas). The
    /// incident tables still count every app.
    #[arg(long = "app", value_name = "ID", value_delimiter = ',')]
    apps: Vec<String>,
    /// Print one JSON document (schema in docs/explain.md) instead of the text.
    #[arg(long)]
    json: bool,
    /// Also write the chart of the incidents' reasons (reasons.svg) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
    /// A fault campaign file whose `bugs`, `outages`, `absences` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    #[command(flatten)]
    sets: SetArgs,
}

/// The apps named, by index; an unknown id is bad input that says which
/// ids exist.
fn pick_apps(scenario: &Scenario, names: &[String]) -> Result<Option<Vec<AppId>>, Failure> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|name| {
            scenario
                .apps
                .iter()
                .position(|a| a.id == *name)
                .map(|i| AppId(i as u32))
                .ok_or_else(|| {
                    let known: Vec<&str> = scenario
                        .apps
                        .iter()
                        .take(8)
                        .map(|a| a.id.as_str())
                        .collect();
                    let more = scenario.apps.len().saturating_sub(known.len());
                    let more = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    Failure::Input(format!(
                        "--app {name}: scenario {} has no app `{name}`: expected one of {}{more}",
                        scenario.source,
                        known.join(", ")
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

pub(super) fn explain(args: ExplainArgs) -> Result<(), Failure> {
    let scenario = args
        .sets
        .load(args.scenario.as_ref(), args.faults.as_ref())?;
    let strategy = match &args.strategy {
        None => scenario.default_strategy(),
        Some(name) => pick_strategies(&scenario, std::slice::from_ref(name))?[0],
    };
    let apps = pick_apps(&scenario, &args.apps)?;
    let seed = args.seed.unwrap_or(DEFAULT_SEED);
    let explanation = hvsim::explain::explain(&scenario, strategy, seed).map_err(|e| match e {
        SimError::Run(_) | SimError::Roster { .. } => Failure::Limit(format!("{e} (seed {seed})")),
        SimError::UnknownStrategy(_) => Failure::Input(e.to_string()),
    })?;
    if args.json {
        emit_json(&explain_json(&scenario, &explanation, apps.as_deref()))?;
    } else {
        emit(&render_explain(&scenario, &explanation, apps.as_deref()))?;
    }
    if args.charts.wanted(args.svg.as_ref())? {
        let command = run_command(
            args.scenario.as_ref(),
            args.faults.as_ref(),
            &strategy.id,
            seed,
        )
        .replacen("hvsim run", "hvsim explain", 1)
            + &args.sets.command();
        let subtitle = format!("strategy {}, seed {seed}", strategy.id);
        let chart = hvsim::chart::explain::reason_bars(
            &chart_groups(&scenario, &explanation),
            &subtitle,
            hvsim::chart::Page::new(&command, args.charts.canvas()),
        );
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            &hvsim::chart::present::scenario_line(&scenario),
            &[("reasons.svg".to_string(), chart)],
        )?;
    }
    Ok(())
}
