//! `hvsim report`: one self-contained HTML file of a comparison, its
//! curves and one run, with the files it came from and the command lines
//! that reproduce it.

use std::path::PathBuf;

use hvsim::scenario;

use super::args::{MonteCarloArgs, run_command, shell_quote};
use super::load::{load, pick_strategies};
use super::output::save;
use super::{Failure, study_failure};

#[derive(clap::Args, Debug)]
pub(super) struct ReportArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    /// Replications per strategy.
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// The HTML file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: PathBuf,
    /// Add why the apps of the run shown were down (`hvsim explain`): the
    /// reasons of each incident as a chart and the longest-down apps.
    #[arg(long)]
    explain: bool,
}

pub(super) fn report(args: ReportArgs) -> Result<(), Failure> {
    let scenario = load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let strategies = pick_strategies(&scenario, &args.common.strategies)?;
    let source_text = match &args.common.scenario {
        Some(p) => read_text(p)?,
        None => scenario::DEFAULT_SCENARIO_YAML.to_string(),
    };
    let faults_text = match &args.common.faults {
        Some(p) => Some(read_text(p)?),
        None => None,
    };
    let jobs = args.common.jobs();
    let seed = args.common.seed;
    // One pass gives the comparison and the curves of the same replications.
    let summary = hvsim::montecarlo::Study::new(&scenario, &strategies, args.runs, seed)
        .jobs(jobs)
        .with_curves()
        .run(&|_| true)
        .map_err(study_failure)?;
    // The Gantt chart shows the run `hvsim run [SCENARIO] [--faults FILE]
    // --strategy S --seed N` gives (its caption says so): the default
    // strategy if it is compared, else the first one compared.
    let shown = strategies
        .iter()
        .find(|s| s.id == scenario.default_strategy().id)
        .unwrap_or(&strategies[0]);
    let run = hvsim::simulate(&scenario, shown, seed)
        .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?;
    let explanation = if args.explain {
        Some(
            hvsim::explain::explain(&scenario, shown, seed)
                .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?,
        )
    } else {
        None
    };
    let command = format!(
        "{} -o {}{}",
        args.common.command("report", args.runs),
        shell_quote(&args.output.to_string_lossy()),
        if args.explain { " --explain" } else { "" }
    );
    let run_command = run_command(
        args.common.scenario.as_ref(),
        args.common.faults.as_ref(),
        &shown.id,
        seed,
    );
    let html = hvsim::report::render_html(&hvsim::report::HtmlReport {
        scenario: &scenario,
        source_text: Some(&source_text),
        faults_text: faults_text.as_deref(),
        command: &command,
        run_command: &run_command,
        summary: &summary,
        run: &run,
        objectives: &hvsim::chart::curve::objectives_of(&scenario),
        explanation: explanation.as_ref(),
    });
    save(&args.output, html.as_bytes(), "")
}

/// A file the report quotes, as text.
fn read_text(path: &std::path::Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))
}
