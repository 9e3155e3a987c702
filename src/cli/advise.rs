//! `hvsim advise`: the plan and a set of levers (changes to the scenario)
//! on common random numbers, ranked by their paired gain; with a levers
//! file, their costs, the cost-effectiveness ranking and the Pareto
//! frontier over combinations.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use hvsim::advise::{Lever, Request};
use hvsim::scenario::{self, Document};

use super::args::{jobs_for, shell_quote};
use super::compare::{progress_bar, stop_on_ctrl_c};
use super::load::{load, load_failure};
use super::output::{emit, emit_json, note, write_charts};
use super::{Failure, study_failure};

#[derive(clap::Args, Debug)]
pub(super) struct AdviseArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// The plan: a strategy of the scenario (default: its `default_strategy`).
    #[arg(long)]
    strategy: Option<String>,
    /// The objective to rank the levers on, by name or by its number in
    /// the file from 1 (default: the objective the levers improve most, else
    /// the one at risk they spread most, else the first; without
    /// objectives, the mean downtime per app down).
    #[arg(long)]
    objective: Option<String>,
    /// A levers file: your own levers, with their costs, instead of the
    /// levers derived from the scenario or of its `levers:` section
    /// (docs/advise.md).
    #[arg(long, value_name = "FILE")]
    levers: Option<PathBuf>,
    /// Most levers in one combination for the Pareto frontier (levers with
    /// a cost only).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=8))]
    combine: u32,
    /// Replications of the plan and of each lever.
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// Master seed: replication i of the plan and of every lever uses the
    /// same derived seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores; at most 4 per core); the result
    /// does not depend on it.
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// A fault campaign file whose `bugs`, `outages`, `absences` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Also write the tornado chart of the levers' effects (and, with
    /// costs, the frontier chart) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    charts: super::args::ChartArgs,
}

pub(super) fn advise(args: AdviseArgs) -> Result<(), Failure> {
    // Validate the files as they are first, for located errors.
    let base = load(args.scenario.as_ref(), args.faults.as_ref())?;
    let doc = document(&args)?;
    let strategy = match &args.strategy {
        Some(s) => base
            .strategy(s)
            .ok_or_else(|| {
                let known: Vec<_> = base.strategies.iter().map(|s| s.id.as_str()).collect();
                Failure::Input(format!(
                    "scenario {} has no strategy `{s}`: expected one of {}",
                    base.source,
                    known.join(", ")
                ))
            })?
            .id
            .clone(),
        None => base.default_strategy().id.clone(),
    };
    let levers = match (&args.levers, section_levers(&args, &doc)?) {
        (Some(path), _) => user_levers(path, &doc)?,
        (None, Some(levers)) => levers,
        (None, None) => {
            let s = base
                .strategy(&strategy)
                .ok_or_else(|| Failure::Other(format!("no strategy `{strategy}`")))?;
            hvsim::advise::levers::derive(&doc, &base, s)
        }
    };
    if levers.is_empty() {
        return Err(Failure::Input(
            "no lever applies to this scenario: give your own with --levers FILE".into(),
        ));
    }
    let req = Request {
        doc: &doc,
        base: &base,
        strategy: &strategy,
        objective: args.objective.as_deref(),
        levers,
        runs: args.runs,
        seed: args.seed,
        jobs: jobs_for(args.jobs),
        combine: args.combine as usize,
    };
    let stop = stop_on_ctrl_c();
    let bar = progress_bar(args.runs);
    let advice = hvsim::advise::advise(&req, &|done| {
        bar.set_position(done);
        !stop.load(Ordering::SeqCst)
    })
    .map_err(|e| match e {
        hvsim::advise::AdviseError::Invalid(m) => Failure::Input(m),
        hvsim::advise::AdviseError::Study(e) => study_failure(e),
    })?;
    bar.finish_and_clear();
    let interrupted = advice.done < args.runs;
    if interrupted {
        note(&format!(
            "interrupted: {} of {} replications done; the advice covers those",
            advice.done, args.runs
        ));
    }
    if args.json {
        emit_json(&hvsim::report::advise_json(&advice))?;
    } else {
        emit(&hvsim::report::render_advise(
            &advice,
            &apply_command(&args, &strategy),
        ))?;
    }
    if interrupted {
        return Err(Failure::Interrupted);
    }
    if args.charts.wanted(args.svg.as_ref())? {
        write_charts(
            args.svg.as_ref(),
            &args.charts,
            &hvsim::chart::present::scenario_line(&base),
            &hvsim::report::advise_svgs(
                &advice,
                hvsim::chart::Page::new(&command(&args, &strategy), args.charts.canvas()),
            ),
        )?;
    }
    Ok(())
}

/// The levers of a levers file; each must apply to the scenario and load.
fn user_levers(path: &Path, doc: &Document) -> Result<Vec<Lever>, Failure> {
    let (text, file, format) = super::load::read_file(path).map_err(load_failure)?;
    let levers = hvsim::advise::parse_levers(&text, &file, format).map_err(load_failure)?;
    hvsim::advise::check_levers(&levers, doc, &text, &file, format).map_err(load_failure)?;
    Ok(levers)
}

/// The levers of the scenario file's `levers:` section, if it has one;
/// each must apply to the scenario and load.
fn section_levers(args: &AdviseArgs, doc: &Document) -> Result<Option<Vec<Lever>>, Failure> {
    let Some(path) = &args.scenario else {
        return Ok(None);
    };
    if doc.value().get("levers").is_none() {
        return Ok(None);
    }
    let (text, file, format) = super::load::read_file(path).map_err(load_failure)?;
    let Some(levers) =
        hvsim::advise::parse_levers_section(&text, &file, format).map_err(load_failure)?
    else {
        return Ok(None);
    };
    hvsim::advise::check_levers(&levers, doc, &text, &file, format).map_err(load_failure)?;
    Ok(Some(levers))
}

/// The scenario file (or the embedded default) as a document, with the
/// faults of the campaign file if one is given.
fn document(args: &AdviseArgs) -> Result<Document, Failure> {
    scenario_document(args.scenario.as_ref(), args.faults.as_ref())
}

/// The scenario file `scenario` (or the embedded default) as a document,
/// with the faults of the campaign file `faults` if one is given.
pub(super) fn scenario_document(
    scenario: Option<&PathBuf>,
    faults: Option<&PathBuf>,
) -> Result<Document, Failure> {
    let mut doc = match scenario {
        Some(p) => Document::read(p),
        None => Document::parse(
            scenario::DEFAULT_SCENARIO_YAML,
            scenario::DEFAULT_SCENARIO_NAME,
            scenario::Format::Yaml,
        ),
    }
    .map_err(load_failure)?;
    if let Some(f) = faults {
        doc.merge_faults(&Document::read(f).map_err(load_failure)?);
    }
    Ok(doc)
}

/// `hvsim SUB [SCENARIO] [--faults FILE]`.
fn start(sub: &str, args: &AdviseArgs) -> String {
    let mut c = format!("hvsim {sub}");
    if let Some(p) = &args.scenario {
        c.push(' ');
        c.push_str(&shell_quote(&p.to_string_lossy()));
    }
    if let Some(f) = &args.faults {
        c.push_str(" --faults ");
        c.push_str(&shell_quote(&f.to_string_lossy()));
    }
    c
}

/// The `hvsim compare` command that weighs one lever (its `--set`s
/// follow): the same replications, so its means are the lever's.
fn apply_command(args: &AdviseArgs, strategy: &str) -> String {
    format!(
        "{} --strategies {} --runs {} --seed {}",
        start("compare", args),
        shell_quote(strategy),
        args.runs,
        args.seed
    )
}

/// The `hvsim advise` command that reproduces this advice.
fn command(args: &AdviseArgs, strategy: &str) -> String {
    let mut c = format!(
        "{} --strategy {}",
        start("advise", args),
        shell_quote(strategy)
    );
    if let Some(o) = &args.objective {
        c.push_str(" --objective ");
        c.push_str(&shell_quote(o));
    }
    if let Some(l) = &args.levers {
        c.push_str(" --levers ");
        c.push_str(&shell_quote(&l.to_string_lossy()));
    }
    if args.combine > 1 {
        c.push_str(&format!(" --combine {}", args.combine));
    }
    c.push_str(&format!(" --runs {} --seed {}", args.runs, args.seed));
    c
}
