//! `hvsim sweep`: the comparison at each point of a grid of scenario
//! values. The scenario layer edits and loads the document at each point
//! ([`hvsim::scenario::Document`]); this file runs the comparisons and writes the
//! table, JSON, CSV and charts.

use std::path::PathBuf;

use hvsim::sweep::{SetSpec, parse_set, points};
use serde_json::Value;

use super::args::{MonteCarloArgs, shell_quote};
use super::load::{at_point, document, load, pick_strategies};
use super::output::{emit, emit_json, save, write_charts, write_files};
use super::{Failure, study_failure};

#[derive(clap::Args, Debug)]
pub(super) struct SweepArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    /// PATH=VALUES to vary, e.g. `teams.dtsi.members=4..12` or
    /// `strategies.0.order=fifo,criticality`; several make a grid. A path
    /// part with a dot is in double quotes (`bugs."hv-9.1-defect".fix`):
    /// see docs/set.md.
    #[arg(long = "set", required = true, value_parser = parse_set)]
    sets: Vec<SetSpec>,
    /// Replications per strategy and point.
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// Also write every metric at every point as CSV: to this file, or to
    /// `sweep.csv` in it if it is an existing directory.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write a chart of each headline metric against the first swept
    /// parameter into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Also report why the apps were down at each point: per strategy, the
    /// share of the app-hours down of each reason of `hvsim explain` (mean
    /// and 95 % CI, as `compare --reasons`), e.g. queueing vanishing as
    /// `teams.ops.members` grows.
    #[arg(long)]
    reasons: bool,
}

/// The comparison at one point: its values (one per `--set`), the
/// scenario's name and the result.
type PointResult = hvsim::montecarlo::SweepPoint;

pub(super) fn sweep(args: SweepArgs) -> Result<(), Failure> {
    // Validate the files as they are first, for located errors.
    load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let doc = document(&args.common)?;
    let grid = points(&args.sets).map_err(Failure::Input)?;
    let jobs = args.common.jobs();
    let names: Vec<String> = args.sets.iter().map(SetSpec::name).collect();
    let mut results = Vec::new();
    let mut reasons = Vec::new();
    // The charts name the scenario and its dates, as at the first point.
    let mut context = String::new();
    args.charts.wanted(args.svg.as_ref())?;
    for point in &grid {
        let sc = at_point(&doc, &args.sets, point)?;
        if context.is_empty() {
            context = hvsim::chart::present::scenario_line(&sc);
        }
        let strategies = pick_strategies(&sc, &args.common.strategies)?;
        // The reasons are metrics of the comparison's own pass.
        let source = hvsim::explain::ReasonMetrics;
        let study =
            hvsim::montecarlo::Study::new(&sc, &strategies, args.runs, args.common.seed).jobs(jobs);
        let study = if args.reasons {
            study.with_source(&source)
        } else {
            study
        };
        let summary = study.run(&|_| true).map_err(study_failure)?;
        let (result, study) = hvsim::explain::ReasonStudy::split(summary.comparison);
        if let Some(study) = study {
            reasons.push((point_name(&names, point), study));
        }
        results.push((point.clone(), sc.name.clone(), result));
    }
    write_outputs(&args, &names, &results, &context)?;
    if args.json {
        let mut doc = sweep_json(&names, &results);
        if args.reasons
            && let Some(points) = doc.get_mut("points").and_then(Value::as_array_mut)
        {
            for (p, (_, study)) in points.iter_mut().zip(&reasons) {
                if let Value::Object(map) = p {
                    map.insert(
                        "reasons".into(),
                        serde_json::to_value(hvsim::report::reason_study_json(study))
                            .map_err(|e| Failure::Other(e.to_string()))?,
                    );
                }
            }
        }
        emit_json(&doc)?;
    } else {
        let mut text = hvsim::report::render_sweep(&names, &results);
        if args.reasons {
            text.push_str(&hvsim::report::render_sweep_reasons(&names, &reasons));
        }
        emit(&text)?;
    }
    Ok(())
}

/// A point as its values, `8` or `8, criticality`, for column titles.
fn point_name(names: &[String], point: &[Value]) -> String {
    let values: Vec<String> = point.iter().map(hvsim::sweep::show).collect();
    if names.len() == 1 {
        values.join("")
    } else {
        values.join(", ")
    }
}

/// `--csv` and `--svg`.
fn write_outputs(
    args: &SweepArgs,
    names: &[String],
    results: &[PointResult],
    context: &str,
) -> Result<(), Failure> {
    if let Some(path) = &args.csv {
        let csv = hvsim::report::sweep_csv(names, results);
        // A directory (existing, written with a trailing `/`, or the same
        // as --svg) gets `sweep.csv`; anything else is the file itself.
        let is_dir = path.is_dir()
            || path
                .as_os_str()
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR)
            || args.svg.as_ref() == Some(path);
        if is_dir {
            write_files(path, &[("sweep.csv".to_string(), csv)])?;
        } else {
            save(path, csv.as_bytes(), "")?;
        }
    }
    if args.charts.wanted(args.svg.as_ref())? {
        let mut command = args.common.command("sweep", args.runs);
        for set in &args.sets {
            command.push_str(" --set ");
            command.push_str(&shell_quote(&set.text));
        }
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            context,
            &hvsim::report::sweep_svgs(
                names,
                results,
                hvsim::chart::Page::new(&command, args.charts.canvas()),
            ),
        )?;
    }
    Ok(())
}

/// The `--json` document: each point's values and its comparison.
fn sweep_json(names: &[String], results: &[PointResult]) -> Value {
    let docs: Vec<Value> = results
        .iter()
        .map(|(point, name, c)| {
            let at: serde_json::Map<String, Value> =
                names.iter().cloned().zip(point.iter().cloned()).collect();
            serde_json::json!({ "point": at, "comparison": hvsim::report::compare_json(name, c) })
        })
        .collect();
    serde_json::json!({
        "schema": "hvsim.sweep/1",
        "points": docs,
    })
}
