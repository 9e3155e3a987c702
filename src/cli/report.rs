//! `hvsim report`: one self-contained HTML file of a comparison, its
//! curves and one run, with the files it came from and the command lines
//! that reproduce it.

use std::path::PathBuf;

use hvsim::scenario;

use super::args::{MonteCarloArgs, command_line, run_command, shell_quote};
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
    /// Leave out why the apps of the run shown were down (`hvsim
    /// explain`: the reasons of each incident as a chart and the
    /// longest-down apps), shown by default.
    #[arg(long, conflicts_with = "explain")]
    no_explain: bool,
    /// Show why the apps were down (the default; kept for older command
    /// lines).
    #[arg(long, hide = true)]
    explain: bool,
    /// Leave out the top levers (`hvsim advise` on the run's strategy, over
    /// `--advise-runs` replications of each lever derived from the scenario).
    #[arg(long)]
    no_advise: bool,
    /// Replications of the plan and of each lever for the top levers (at
    /// most `--runs`): the levers cost about this many runs each.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(2..))]
    advise_runs: u64,
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
    super::output::check_output(&args.output)?;
    let jobs = args.common.jobs();
    let seed = args.common.seed;
    // One pass gives the comparison and the curves of the same replications.
    let stop = super::compare::stop_on_ctrl_c();
    let summary = hvsim::montecarlo::Study::new(&scenario, &strategies, args.runs, seed)
        .jobs(jobs)
        .with_curves()
        .with_dr_use()
        .run(&|_| !stop.load(std::sync::atomic::Ordering::SeqCst))
        .map_err(study_failure)?;
    if summary.comparison.done < args.runs {
        // A report of part of the runs would say it is of all of them.
        super::output::note(&format!(
            "interrupted: {} of {} replications done; {} was not written",
            summary.comparison.done,
            args.runs,
            args.output.display()
        ));
        return Err(Failure::Interrupted);
    }
    // The Gantt chart shows the run `hvsim run [SCENARIO] [--faults FILE]
    // --strategy S --seed N` gives (its caption says so): the default
    // strategy if it is compared, else the first one compared.
    let shown = strategies
        .iter()
        .find(|s| s.id == scenario.default_strategy().id)
        .unwrap_or(&strategies[0]);
    let run = hvsim::simulate(&scenario, shown, seed)
        .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?;
    // One run of each strategy compared, on the same seed, for the
    // dependency graph and the best strategy's Gantt chart.
    let mut runs = Vec::with_capacity(strategies.len());
    for s in &strategies {
        if s.id == shown.id {
            runs.push(run.clone());
        } else {
            runs.push(
                hvsim::simulate(&scenario, s, seed)
                    .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?,
            );
        }
    }
    let explanation = if args.no_explain {
        None
    } else {
        Some(
            hvsim::explain::explain(&scenario, shown, seed)
                .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?,
        )
    };
    let advise_runs = args.advise_runs.min(args.runs);
    let advice = if args.no_advise {
        None
    } else {
        advice(&args, &scenario, &shown.id, advise_runs, jobs)?
    };
    let mut command = format!(
        "{} -o {}",
        args.common.command("report", args.runs),
        shell_quote(&args.output.to_string_lossy()),
    );
    if args.no_explain {
        command.push_str(" --no-explain");
    }
    if args.no_advise {
        command.push_str(" --no-advise");
    } else if args.advise_runs != 50 {
        command.push_str(&format!(" --advise-runs {}", args.advise_runs));
    }
    let advise_command = format!(
        "{} --strategy {} --runs {advise_runs} --seed {seed}",
        command_line(
            "advise",
            args.common.scenario.as_ref(),
            args.common.faults.as_ref()
        ),
        shell_quote(&shown.id)
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
        runs: &runs,
        objectives: &hvsim::chart::curve::objectives_of(&scenario),
        explanation: explanation.as_ref(),
        advice: advice.as_ref().map(|a| (a, advise_command.as_str())),
    });
    save(&args.output, html.as_bytes(), "")
}

/// The levers `hvsim advise` derives from the scenario for `strategy`,
/// ranked over `runs` replications; `None` when no lever applies.
fn advice(
    args: &ReportArgs,
    scenario: &hvsim::model::Scenario,
    strategy: &str,
    runs: u64,
    jobs: usize,
) -> Result<Option<hvsim::advise::Advice>, Failure> {
    let doc = super::advise::scenario_document(
        args.common.scenario.as_ref(),
        args.common.faults.as_ref(),
    )?;
    let Some(s) = scenario.strategy(strategy) else {
        return Ok(None);
    };
    let levers = hvsim::advise::levers::derive(&doc, scenario, s);
    if levers.is_empty() {
        return Ok(None);
    }
    let req = hvsim::advise::Request {
        doc: &doc,
        base: scenario,
        strategy,
        objective: None,
        levers,
        runs,
        seed: args.common.seed,
        jobs,
        combine: 1,
    };
    hvsim::advise::advise(&req, &|_| true)
        .map(Some)
        .map_err(|e| match e {
            hvsim::advise::AdviseError::Invalid(m) => Failure::Input(m),
            hvsim::advise::AdviseError::Study(e) => study_failure(e),
        })
}

/// A file the report quotes, as text.
fn read_text(path: &std::path::Path) -> Result<String, Failure> {
    super::output::reads(path);
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))
}
