//! `hvsim compare`: strategies side by side over many replications, with a
//! progress bar, Ctrl-C for a partial report, shards (`--shard I/N --out
//! FILE`) and the charts and data of the comparison.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hvsim::explain::ReasonStudy;
use hvsim::montecarlo::Comparison;
use hvsim::units::grouped as group;
use hvsim::{Scenario, Strategy};

use super::args::{MonteCarloArgs, parse_shard};
use super::load::{SetArgs, pick_strategies};
use super::output::{emit, emit_json, note, write_charts, write_file, write_files};
use super::{Failure, study_failure};

#[derive(clap::Args, Debug)]
pub(super) struct CompareArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    #[command(flatten)]
    sets: SetArgs,
    /// Replications per strategy.
    #[arg(long, default_value_t = 1000)]
    runs: u64,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Run only shard I of N (`I/N`, I from 0): the replications an
    /// unsharded run would do for it. Needs --out.
    #[arg(long, value_parser = parse_shard, requires = "out")]
    shard: Option<(u64, u64)>,
    /// Write mergeable results (a shard file) here, for `hvsim merge`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the charts (restored curves, milestone distributions,
    /// phases, forest plot, objectives, availability with random failures,
    /// and from one run of each strategy on the seed the dependency graph
    /// and DR capacity) into this directory; the curves come from the same
    /// replications.
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
    /// Also write the data behind the charts (curve.csv, milestones.csv)
    /// into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    csv: Option<PathBuf>,
    /// Also report why the apps were down: per strategy, the share of the
    /// app-hours down of each reason of `hvsim explain` (mean and 95 % CI)
    /// and its paired difference against the first strategy, measured in
    /// the same pass (so it shards and merges like the other metrics).
    #[arg(long)]
    reasons: bool,
    /// Also print, on stderr, how fast the replications ran: replications
    /// per second, in all and per worker thread. The result files and the
    /// report do not change.
    #[arg(long)]
    timing: bool,
}

pub(super) fn compare(args: CompareArgs) -> Result<(), Failure> {
    if args.shard.is_some() && args.charts.png.is_some() {
        return Err(Failure::Input(
            "--png cannot be combined with --shard: a shard holds a part of the runs; \
             draw the charts from the whole comparison (without --shard)"
                .into(),
        ));
    }
    let scenario = args
        .sets
        .load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let strategies = pick_strategies(&scenario, &args.common.strategies)?;
    if let Some(out) = &args.out {
        super::output::check_output(out)?;
    }
    let jobs = args.common.jobs();
    let shard = args.shard.unwrap_or((0, 1));
    let (start, end) = hvsim::montecarlo::shard_range(args.runs, shard);
    let stop = stop_on_ctrl_c();
    let bar = progress_bar(end - start);
    let study = hvsim::montecarlo::Study::new(&scenario, &strategies, args.runs, args.common.seed)
        .jobs(jobs)
        .shard(shard);
    // The charts' curves, incident marks and DR use come from the same
    // pass as the comparison: nothing is simulated twice. A shard file
    // keeps the DR use too, for the merge.
    let charts = args.charts.wanted(args.svg.as_ref())?;
    let study = if charts || args.csv.is_some() {
        study.with_curves()
    } else {
        study
    };
    let study = if charts || args.out.is_some() {
        study.with_dr_use()
    } else {
        study
    };
    // The reasons are metrics of the same pass too.
    let reasons = hvsim::explain::ReasonMetrics;
    let study = if args.reasons {
        study.with_source(&reasons)
    } else {
        study
    };
    let started = std::time::Instant::now();
    let summary = study
        .run(&|done| {
            bar.set_position(done);
            !stop.load(Ordering::SeqCst)
        })
        .map_err(study_failure)?;
    let elapsed = started.elapsed();
    let result = &summary.comparison;
    bar.finish_and_clear();
    if args.timing {
        note(&timing_line(
            result.done,
            strategies.len(),
            elapsed.as_secs_f64(),
            jobs,
        ));
    }
    let interrupted = result.done < end - start;
    if interrupted {
        note(&format!(
            "interrupted: {} of {} replications done; the report covers those",
            result.done,
            end - start
        ));
    }
    if let Some(out) = &args.out {
        save_shard(out, &scenario, &strategies, result, shard)?;
        if args.shard.is_some() {
            return if interrupted {
                Err(Failure::Interrupted)
            } else {
                Ok(())
            };
        }
    }
    let hvsim::montecarlo::Summary {
        comparison,
        curves,
        marks,
    } = summary;
    let (comparison, reasons) = hvsim::explain::ReasonStudy::split(comparison);
    print_report(&scenario.name, &comparison, reasons.as_ref(), args.json)?;
    let summary = hvsim::montecarlo::Summary {
        comparison,
        curves,
        marks,
    };
    if interrupted {
        return Err(Failure::Interrupted);
    }
    if args.charts.wanted(args.svg.as_ref())? {
        let mut files = hvsim::report::compare_svgs(
            &scenario,
            &summary,
            &hvsim::chart::curve::objectives_of(&scenario),
            hvsim::chart::Page::new(&command(&args), args.charts.canvas()),
        );
        // One run of each strategy on the seed, as `hvsim report` shows them.
        let seed = args.common.seed;
        let runs = strategies
            .iter()
            .map(|s| {
                hvsim::simulate(&scenario, s, seed)
                    .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        files.extend(hvsim::report::compare_run_svgs(
            &scenario,
            &runs,
            hvsim::chart::Page::new(&command(&args), args.charts.canvas()),
        ));
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            &hvsim::chart::present::scenario_line(&scenario),
            &files,
        )?;
    }
    if let Some(dir) = &args.csv {
        write_files(dir, &hvsim::report::compare_csvs(&scenario, &summary))?;
    }
    Ok(())
}

/// `--timing`'s line: the speed first, then what it was measured on. The
/// wall clock reaches only this line, never a result.
fn timing_line(runs: u64, strategies: usize, seconds: f64, jobs: usize) -> String {
    let replications = runs * strategies as u64;
    let rate = replications as f64 / seconds.max(f64::MIN_POSITIVE);
    let threads = if jobs == 1 { "thread" } else { "threads" };
    let strategies = match strategies {
        1 => "1 strategy".to_string(),
        n => format!("{n} strategies"),
    };
    format!(
        "timing: {} replications/s ({} per thread): {} replications \
         ({strategies} × {}) in {seconds:.3} s on {jobs} {threads}",
        group(rate.round() as u64),
        group((rate / jobs as f64).round() as u64),
        group(replications),
        group(runs),
    )
}

/// The command line that reproduces this comparison (for the charts).
fn command(args: &CompareArgs) -> String {
    args.common.command("compare", args.runs) + &args.sets.command()
}

/// Ctrl-C stops after the blocks in flight and reports what was done: the
/// flag it sets.
pub(super) fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    stop
}

/// The progress bar of `len` replications, on standard error when it is a
/// terminal (hidden otherwise).
pub(super) fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} replications ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Writes the shard file of `result` to `out` (atomically) and says so.
fn save_shard(
    out: &Path,
    scenario: &Scenario,
    strategies: &[&Strategy],
    result: &Comparison,
    shard: (u64, u64),
) -> Result<(), Failure> {
    let bytes = hvsim::shard::encode(scenario, strategies, result)
        .map_err(|e| Failure::Other(e.to_string()))?;
    write_file(out, &bytes).map_err(|e| Failure::Other(format!("{}: {e}", out.display())))?;
    note(&format!(
        "wrote shard {}/{} ({} replications) to {}",
        shard.0,
        shard.1,
        result.done,
        out.display()
    ));
    Ok(())
}

/// Prints a comparison (or a merge of shards) as the report or as JSON,
/// with the reasons' shares when it measured them (`--reasons`).
pub(super) fn print_comparison(name: &str, result: Comparison, json: bool) -> Result<(), Failure> {
    let (result, reasons) = hvsim::explain::ReasonStudy::split(result);
    print_report(name, &result, reasons.as_ref(), json)
}

/// Prints a comparison and, with `--reasons`, the reasons' shares after
/// it; with `--json`, one document whose `reasons` field holds them.
fn print_report(
    name: &str,
    result: &Comparison,
    reasons: Option<&ReasonStudy>,
    json: bool,
) -> Result<(), Failure> {
    match (json, reasons) {
        (true, None) => emit_json(&hvsim::report::compare_json(name, result)),
        (true, Some(study)) => {
            let mut doc = serde_json::to_value(hvsim::report::compare_json(name, result))
                .map_err(|e| Failure::Other(e.to_string()))?;
            if let serde_json::Value::Object(map) = &mut doc {
                map.insert(
                    "reasons".to_string(),
                    serde_json::to_value(hvsim::report::reason_study_json(study))
                        .map_err(|e| Failure::Other(e.to_string()))?,
                );
            }
            emit_json(&doc)
        }
        (false, None) => emit(&hvsim::report::render_compare(name, result)),
        (false, Some(study)) => {
            let mut text = hvsim::report::render_compare(name, result);
            text.push_str(&hvsim::report::render_reason_study(study));
            emit(&text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::timing_line;

    #[test]
    fn the_timing_line_gives_the_rate_first_then_what_it_measured() {
        assert_eq!(
            timing_line(2_000, 2, 0.5, 2),
            "timing: 8,000 replications/s (4,000 per thread): 4,000 replications \
             (2 strategies × 2,000) in 0.500 s on 2 threads"
        );
        assert!(timing_line(10, 1, 0.0, 1).contains("(1 strategy × 10)"));
    }
}
