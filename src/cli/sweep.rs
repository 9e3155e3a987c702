//! `hvsim sweep`: the comparison at each point of a grid of scenario
//! values. The scenario layer edits and loads the document at each point
//! ([`hvsim::scenario::Document`]); this file runs the comparisons and writes the
//! table, JSON, CSV and charts, or with `--shard I/N --out FILE` a shard
//! of every point's comparison, which `hvsim merge` reassembles into the
//! same outputs ([`Swept`], [`deliver`]).

use std::path::PathBuf;

use hvsim::explain::ReasonStudy;
use hvsim::montecarlo::Comparison;
use hvsim::montecarlo::sweep_shard::SweepShardWriter;
use hvsim::sweep::{SetSpec, parse_set, points};
use serde_json::Value;

use super::args::{ChartArgs, MonteCarloArgs, parse_shard, shell_quote};
use super::load::{at_point, document, load, pick_strategies};
use super::output::{emit, emit_json, note, save, write_charts, write_file, write_files};
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
    #[command(flatten)]
    files: SweepFiles,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Also report why the apps were down at each point: per strategy, the
    /// share of the app-hours down of each reason of `hvsim explain` (mean
    /// and 95 % CI, as `compare --reasons`), e.g. queueing vanishing as
    /// `teams.ops.members` grows.
    #[arg(long)]
    reasons: bool,
    /// Run only shard I of N (`I/N`, I from 0): at every point, the
    /// replications `compare --shard I/N` would run there. Needs --out;
    /// `hvsim merge` puts the shards back together (docs/distributed.md).
    #[arg(long, value_parser = parse_shard, requires = "out", conflicts_with_all = ["csv", "svg"])]
    shard: Option<(u64, u64)>,
    /// Write mergeable results (a sweep shard file) here, for `hvsim merge`.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The files a sweep writes beside its table: `sweep`'s and, for a
/// sweep's shards, `merge`'s.
#[derive(clap::Args, Debug)]
pub(super) struct SweepFiles {
    /// Also write every metric at every point as CSV: to this file, or to
    /// `sweep.csv` in it if it is an existing directory.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write a chart of each headline metric against the first swept
    /// parameter into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: ChartArgs,
}

impl SweepFiles {
    /// Whether any file is asked for; an error for a `--preset` alone.
    pub(super) fn wanted(&self) -> Result<bool, Failure> {
        Ok(self.charts.wanted(self.svg.as_ref())? || self.csv.is_some())
    }
}

/// The comparison at one point: its values (one per `--set`), the
/// scenario's name and the result.
type PointResult = hvsim::montecarlo::SweepPoint;

/// A sweep's results, run here or merged from its shards: what it
/// prints, and what its charts name.
pub(super) struct Swept {
    /// The swept parameters, as written.
    names: Vec<String>,
    /// Each point's comparison, without the reasons' metrics.
    results: Vec<PointResult>,
    /// Each point's reasons (`--reasons`), named by its values.
    reasons: Vec<(String, ReasonStudy)>,
    /// The scenario's line at the first point, above each chart.
    context: String,
    /// The command line of the sweep, below each chart.
    command: String,
}

impl Swept {
    fn new(names: Vec<String>, context: String, command: String) -> Self {
        Swept {
            names,
            results: Vec::new(),
            reasons: Vec::new(),
            context,
            command,
        }
    }

    /// Adds a point's comparison, its reasons (if it measured them) set apart.
    fn push(&mut self, point: Vec<Value>, name: String, comparison: Comparison) {
        let (result, study) = ReasonStudy::split(comparison);
        if let Some(study) = study {
            self.reasons.push((point_name(&self.names, &point), study));
        }
        self.results.push((point, name, result));
    }

    /// The sweep of merged shards.
    pub(super) fn merged(m: hvsim::montecarlo::sweep_shard::MergedSweep) -> Self {
        let mut swept = Swept::new(m.parameters, m.context, m.command);
        for (point, name, comparison) in m.points {
            swept.push(point, name, comparison);
        }
        swept
    }
}

pub(super) fn sweep(args: SweepArgs) -> Result<(), Failure> {
    if args.shard.is_some() && args.files.charts.png.is_some() {
        return Err(Failure::Input(
            "--png cannot be combined with --shard: a shard holds a part of the runs; \
             merge the shards with `hvsim merge --png DIR`"
                .into(),
        ));
    }
    // Validate the files as they are first, for located errors.
    load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let doc = document(&args.common)?;
    if let Some(out) = &args.out {
        super::output::check_output(out)?;
    }
    // A table's file (an existing directory takes `sweep.csv`).
    if let Some(csv) = args.files.csv.as_ref().filter(|p| !p.is_dir()) {
        super::output::check_output(csv)?;
    }
    let grid = points(&args.sets).map_err(Failure::Input)?;
    let jobs = args.common.jobs();
    let names: Vec<String> = args.sets.iter().map(SetSpec::name).collect();
    let shard = args.shard.unwrap_or((0, 1));
    let mut swept = Swept::new(names.clone(), String::new(), command(&args));
    let mut file = args
        .out
        .as_ref()
        .map(|_| SweepShardWriter::new(names, command(&args)));
    args.files.wanted()?;
    let stop = super::compare::stop_on_ctrl_c();
    let stopped = || stop.load(std::sync::atomic::Ordering::SeqCst);
    // A table of part of the grid would read as the whole sweep.
    let interrupted = |k: usize| {
        note(&format!(
            "interrupted: {k} of {} points done; nothing was written (run again, or sweep fewer points)",
            grid.len()
        ));
        Failure::Interrupted
    };
    for (k, point) in grid.iter().enumerate() {
        if stopped() {
            return Err(interrupted(k));
        }
        let sc = at_point(&doc, &args.sets, point)?;
        // The charts name the scenario and its dates, as at the first point.
        if swept.context.is_empty() {
            swept.context = hvsim::chart::present::scenario_line(&sc);
        }
        let strategies = pick_strategies(&sc, &args.common.strategies)?;
        // The reasons are metrics of the comparison's own pass.
        let source = hvsim::explain::ReasonMetrics;
        let study = hvsim::montecarlo::Study::new(&sc, &strategies, args.runs, args.common.seed)
            .jobs(jobs)
            .shard(shard);
        let study = if args.reasons {
            study.with_source(&source)
        } else {
            study
        };
        let summary = study.run(&|_| !stopped()).map_err(study_failure)?;
        if stopped() {
            return Err(interrupted(k));
        }
        if let Some(file) = &mut file {
            file.push(point, &sc, &strategies, &summary.comparison)
                .map_err(|e| Failure::Other(e.to_string()))?;
        }
        swept.push(point.clone(), sc.name.clone(), summary.comparison);
    }
    if let (Some(out), Some(file)) = (&args.out, file) {
        let bytes = file
            .encode(&swept.context)
            .map_err(|e| Failure::Other(e.to_string()))?;
        write_file(out, &bytes).map_err(|e| Failure::Other(format!("{}: {e}", out.display())))?;
        note(&format!(
            "wrote sweep shard {}/{} ({} replications at each of {} points) to {}",
            shard.0,
            shard.1,
            swept.results.first().map_or(0, |(_, _, c)| c.done),
            grid.len(),
            out.display()
        ));
        if args.shard.is_some() {
            return Ok(());
        }
    }
    deliver(&swept, &args.files, args.json)
}

/// The command line that reproduces this sweep (for the charts).
fn command(args: &SweepArgs) -> String {
    let mut command = args.common.command("sweep", args.runs);
    for set in &args.sets {
        command.push_str(" --set ");
        command.push_str(&shell_quote(&set.text));
    }
    command
}

/// Writes `--csv` and `--svg`, then prints the table (with the reasons,
/// if measured) or the JSON document.
pub(super) fn deliver(swept: &Swept, files: &SweepFiles, json: bool) -> Result<(), Failure> {
    write_outputs(swept, files)?;
    let Swept {
        names,
        results,
        reasons,
        ..
    } = swept;
    if json {
        let mut doc = sweep_json(names, results);
        if !reasons.is_empty()
            && let Some(points) = doc.get_mut("points").and_then(Value::as_array_mut)
        {
            for (p, (_, study)) in points.iter_mut().zip(reasons) {
                if let Value::Object(map) = p {
                    map.insert(
                        "reasons".into(),
                        serde_json::to_value(hvsim::report::reason_study_json(study))
                            .map_err(|e| Failure::Other(e.to_string()))?,
                    );
                }
            }
        }
        emit_json(&doc)
    } else {
        let mut text = hvsim::report::render_sweep(names, results);
        if !reasons.is_empty() {
            text.push_str(&hvsim::report::render_sweep_reasons(names, reasons));
        }
        emit(&text)
    }
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
fn write_outputs(swept: &Swept, out: &SweepFiles) -> Result<(), Failure> {
    let (names, results) = (&swept.names, &swept.results);
    if let Some(path) = &out.csv {
        let csv = hvsim::report::sweep_csv(names, results);
        // A directory (existing, written with a trailing `/`, or the same
        // as --svg) gets `sweep.csv`; anything else is the file itself.
        let is_dir = path.is_dir()
            || path
                .as_os_str()
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR)
            || out.svg.as_ref() == Some(path);
        if is_dir {
            write_files(path, &[("sweep.csv".to_string(), csv)])?;
        } else {
            save(path, csv.as_bytes(), "")?;
        }
    }
    if out.charts.wanted(out.svg.as_ref())? {
        write_charts(
            out.svg.as_ref(),
            &out.charts,
            &swept.context,
            &hvsim::report::sweep_svgs(
                names,
                results,
                hvsim::chart::Page::new(&swept.command, out.charts.canvas()),
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
