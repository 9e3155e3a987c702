//! `hvsim fit`: calibrate a scenario to an observed recovery curve. The
//! library fits ([`hvsim::fit`]); this file reads the files, shows
//! progress, stops on Ctrl-C and writes the report, the chart and the
//! fitted scenario.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hvsim::fit::{Fit, FitError, FitOptions, Param, parse_param};

use super::Failure;
use super::args::{MonteCarloArgs, shell_quote};
use super::load::{document, load};
use super::output::{emit, emit_json, note, save, write_charts};

#[derive(clap::Args, Debug)]
pub(super) struct FitArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    /// The observed curve: a CSV file of `date,restored` rows (a local
    /// date-time or a duration since the strike; a count of apps, `55 %`
    /// or `0.55`). See docs/fit.md.
    #[arg(long, value_name = "CSV")]
    curve: PathBuf,
    /// PATH=A..B to fit, e.g. `teams.ops.members=4..40` or
    /// `apps.*.work.reinstall.scale=0.5..3`; may be repeated. Default: the
    /// first team's members, from 1 to twice the scenario's number.
    #[arg(long = "param", value_name = "PATH=A..B", value_parser = parse_param)]
    params: Vec<Param>,
    /// The strategy whose recovery is fitted (default: the scenario's default).
    #[arg(long)]
    strategy: Option<String>,
    /// The incident the curve follows, from 1 (default: the last to strike
    /// by the first observed date; the first with durations).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    incident: Option<u32>,
    /// Replications per candidate.
    #[arg(long, default_value_t = 100)]
    runs: u64,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Also write the chart of the fitted median and band against the
    /// observed points (fit.svg) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
    /// Also write the scenario with the fitted values here (YAML).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(super) fn fit(args: FitArgs) -> Result<(), Failure> {
    // Validate the files as they are first, for located errors.
    let scenario = load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let doc = document(&args.common)?;
    super::output::reads(&args.curve);
    let curve = hvsim::fit::read_curve(&args.curve).map_err(|e| match e {
        hvsim::fit::CurveError::Read { .. } => Failure::Other(e.to_string()),
        other => Failure::Input(other.to_string()),
    })?;
    if let Some(out) = &args.out {
        super::output::check_output(out)?;
    }
    let strategy = match (&args.strategy, args.common.strategies.as_slice()) {
        (Some(s), []) => s.clone(),
        (None, [s]) => s.clone(),
        (None, []) => scenario.default_strategy().id.clone(),
        _ => {
            return Err(Failure::Input(
                "fit follows one strategy: give --strategy S once".into(),
            ));
        }
    };
    let params = if args.params.is_empty() {
        vec![default_param(&doc)?]
    } else {
        args.params.clone()
    };
    let options = FitOptions {
        strategy,
        runs: args.runs,
        seed: args.common.seed,
        jobs: args.common.jobs(),
        incident: args.incident.map(|k| k as usize - 1),
    };
    let stop = stop_on_ctrl_c();
    let bar = spinner();
    let result = hvsim::fit::fit(&doc, &curve, &params, &options, &|done| {
        bar.set_position(done as u64);
        !stop.load(Ordering::SeqCst)
    })
    .map_err(fit_failure)?;
    bar.finish_and_clear();
    if result.stopped {
        note("interrupted: the fit covers the candidates evaluated so far");
    }
    if args.json {
        emit_json(&result.to_json())?;
    } else {
        emit(&result.render())?;
    }
    if result.stopped {
        return Err(Failure::Interrupted);
    }
    let command = command(&args, &params, &result);
    if args.charts.wanted(args.svg.as_ref())? {
        let band = hvsim::fit::band(&result, &doc, 160).map_err(fit_failure)?;
        let svg = result.svg(
            &band,
            hvsim::chart::Page::new(&command, args.charts.canvas()),
        );
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            &hvsim::chart::present::scenario_line(&scenario),
            &[("fit.svg".to_string(), svg)],
        )?;
    }
    if let Some(out) = &args.out {
        let text = fitted_file(&result, &command)?;
        save(out, text.as_bytes(), " (the fitted scenario)")?;
    }
    Ok(())
}

/// The fitted scenario as YAML, under a header that says what was fitted.
fn fitted_file(result: &Fit, command: &str) -> Result<String, Failure> {
    let body = serde_saphyr::to_string(result.document.value())
        .map_err(|e| Failure::Other(format!("cannot write the fitted scenario: {e}")))?;
    let mut text = String::new();
    text.push_str(&format!(
        "# {} fitted to {} by hvsim fit: {}.\n",
        result.document.file(),
        result.observed.file,
        result.show_best()
    ));
    text.push_str(&format!(
        "# Distance: {} (root mean square gap of the median restored curve of {} to the points).\n",
        result.show_distance(result.evaluations[result.best_index].distance),
        result.options.strategy
    ));
    text.push_str(&format!("# Command: {command}\n"));
    text.push_str(
        "# The original file's comments and layout are not kept: compare with it for its notes.\n\n",
    );
    text.push_str(&body);
    Ok(text)
}

/// The command line that reproduces this fit.
fn command(args: &FitArgs, params: &[Param], result: &Fit) -> String {
    let mut command = args.common.command("fit", args.runs);
    command.push_str(" --curve ");
    command.push_str(&shell_quote(&args.curve.to_string_lossy()));
    for p in params {
        command.push_str(" --param ");
        command.push_str(&shell_quote(&p.text));
    }
    if args.common.strategies.is_empty() {
        command.push_str(" --strategy ");
        command.push_str(&shell_quote(&result.options.strategy));
    }
    if let Some(k) = args.incident {
        command.push_str(&format!(" --incident {k}"));
    }
    command
}

/// Without `--param`: the first team's members, from half to twice the
/// scenario's number (and no fewer than any holiday keeps on duty).
fn default_param(doc: &hvsim::scenario::Document) -> Result<Param, Failure> {
    let team = doc.value().get("teams").and_then(|t| t.get(0));
    let id = team.and_then(|t| t.get("id")).and_then(|v| v.as_str());
    let members = team
        .and_then(|t| t.get("members"))
        .and_then(|v| v.as_u64())
        .unwrap_or(1)
        .max(1);
    let on_holidays = team
        .and_then(|t| t.get("holidays"))
        .and_then(|h| h.as_array())
        .into_iter()
        .flatten()
        .filter_map(|h| h.get("members").and_then(|m| m.as_u64()))
        .max()
        .unwrap_or(1);
    let id = id.ok_or_else(|| {
        Failure::Input(format!(
            "{} has no team to fit: give --param PATH=A..B",
            doc.file()
        ))
    })?;
    let low = members.div_ceil(2).max(on_holidays).min(members);
    parse_param(&format!("teams.{id}.members={low}..{}", 2 * members)).map_err(Failure::Input)
}

/// A failed fit: bad input, or a run that hit a limit.
fn fit_failure(e: FitError) -> Failure {
    match e {
        FitError::Invalid(m) => Failure::Input(m),
        e @ FitError::Run { .. } => Failure::Limit(e.to_string()),
    }
}

/// Ctrl-C stops after the candidate in flight and reports the best so far.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    stop
}

/// Candidates evaluated so far, on standard error when it is a terminal.
fn spinner() -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} {pos} candidates evaluated")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
