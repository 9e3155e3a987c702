//! `hvsim chaos`: searches the scenario's fault space for the campaigns
//! that break the plan, shrinks them to minimal ones and writes them as
//! replayable `--faults` files; `--single` prints the blast radius of
//! every single fault and a resilience score.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hvsim::chaos::{Budget, Chaos, Found, Judge, Space, Target};
use hvsim::report::Written;
use hvsim::scenario::Document;

use super::args::shell_quote;
use super::load::{load, load_failure, read_file, scenario_text};
use super::output::{emit, emit_json, save};
use super::{Failure, study_failure};

#[derive(clap::Args, Debug)]
pub(super) struct ChaosArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// The strategy to break (default: the scenario's default strategy).
    #[arg(long)]
    strategy: Option<String>,
    /// Judge this objective only (default: every objective of the scenario).
    #[arg(long, conflicts_with = "metric")]
    objective: Option<String>,
    /// An objective breaks when the upper bound of the 95 % CI of its
    /// probability of being met is below this percentage.
    #[arg(long, default_value_t = 90.0)]
    threshold: f64,
    /// Judge a metric instead (its name, or a unique part of it, e.g.
    /// `downtime`), with --above or --below.
    #[arg(long)]
    metric: Option<String>,
    /// The metric breaks when the lower bound of the 95 % CI of its mean
    /// is above this value (hours as `1d 6h` or a number in its unit).
    #[arg(long, requires = "metric", conflicts_with = "below")]
    above: Option<String>,
    /// The metric breaks when the upper bound of the 95 % CI of its mean
    /// is below this value.
    #[arg(long, requires = "metric")]
    below: Option<String>,
    /// A space file narrowing or widening the fault space (docs/chaos.md).
    #[arg(long, value_name = "FILE")]
    space: Option<PathBuf>,
    /// Replications per candidate campaign (common random numbers).
    #[arg(long, default_value_t = 100)]
    runs: u64,
    /// Candidate campaigns to evaluate (the search's budget).
    #[arg(long, default_value_t = 200)]
    candidates: usize,
    /// Also stop after this long (e.g. `2m`); the candidates tried in that
    /// time are those a larger --candidates would try first.
    #[arg(long)]
    budget: Option<String>,
    /// Master seed: of the replications and of the search.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores); the results do not depend on it.
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Write the minimal campaign here as a `--faults` file (the next ones
    /// as FILE-2, FILE-3 with the same extension). A search's: --single
    /// shrinks no campaign.
    #[arg(long, value_name = "FILE", conflicts_with = "single")]
    out: Option<PathBuf>,
    /// Most minimal campaigns to shrink and show.
    #[arg(long, default_value_t = 3)]
    keep: usize,
    /// Print the blast radius of every single fault (each source × scope
    /// tier × worst moment, each outage and absence × worst moment ×
    /// duration; of a tier the harshest and the mildest instance) and the
    /// resilience score (over --candidates random campaigns) instead of
    /// searching.
    #[arg(long)]
    single: bool,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML page: the minimal campaigns, the
    /// blast-radius table and its chart (computed for it after a search).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// The command line that reproduces this run's results, with a
/// `--candidates` budget of `candidates`.
fn command(args: &ChaosArgs, chaos: &Chaos, candidates: usize) -> String {
    let mut c = "hvsim chaos".to_string();
    let q = |p: &PathBuf| shell_quote(&p.to_string_lossy());
    if let Some(p) = &args.scenario {
        c.push_str(&format!(" {}", q(p)));
    }
    c.push_str(&format!(" --strategy {}", shell_quote(&chaos.strategy)));
    if let Some(o) = &args.objective {
        c.push_str(&format!(" --objective {}", shell_quote(o)));
    }
    if let Some(m) = &args.metric {
        c.push_str(&format!(" --metric {}", shell_quote(m)));
    }
    if let Some(a) = &args.above {
        c.push_str(&format!(" --above {}", shell_quote(a)));
    }
    if let Some(b) = &args.below {
        c.push_str(&format!(" --below {}", shell_quote(b)));
    }
    if let Some(p) = &args.space {
        c.push_str(&format!(" --space {}", q(p)));
    }
    c.push_str(&format!(
        " --threshold {} --runs {} --candidates {} --seed {}",
        args.threshold, args.runs, candidates, args.seed
    ));
    if args.single {
        c.push_str(" --single");
    } else {
        c.push_str(&format!(" --keep {}", args.keep));
    }
    c
}

fn value(text: &str, unit: &str) -> Result<f64, Failure> {
    if let Ok(x) = text.trim().parse::<f64>() {
        return Ok(x);
    }
    if unit == "h"
        && let Ok(d) = hvsim::units::parse_duration(text)
    {
        return Ok(d.as_hours_f64());
    }
    Err(Failure::Input(format!(
        "--above/--below `{text}`: expected a number in the metric's unit ({unit}){}",
        if unit == "h" {
            " or a duration like `1d 6h`"
        } else {
            ""
        }
    )))
}

/// The chaos search set up from the command line.
fn setup(args: &ChaosArgs) -> Result<Chaos, Failure> {
    let scenario = load(args.scenario.as_ref(), None)?;
    let (text, file, format) = scenario_text(args.scenario.as_ref())?;
    let doc = Document::parse(&text, &file, format).map_err(load_failure)?;
    let space_text = match &args.space {
        Some(p) => Some(read_file(p).map_err(load_failure)?),
        None => None,
    };
    let space = Space::derive(
        &scenario,
        &doc,
        space_text
            .as_ref()
            .map(|(t, n, f)| (t.as_str(), n.as_str(), *f)),
    )
    .map_err(chaos_failure)?;
    let metric = match (&args.metric, &args.above, &args.below) {
        (Some(m), Some(a), _) => {
            Some((m.as_str(), Target::Above(value(a, unit_of(&scenario, m))?)))
        }
        (Some(m), None, Some(b)) => {
            Some((m.as_str(), Target::Below(value(b, unit_of(&scenario, m))?)))
        }
        (Some(_), None, None) => {
            return Err(Failure::Input(
                "--metric needs --above VALUE or --below VALUE".into(),
            ));
        }
        _ => None,
    };
    let judge = Judge::new(&scenario, args.objective.as_deref(), metric, args.threshold)
        .map_err(chaos_failure)?;
    let strategy = match &args.strategy {
        Some(s) => super::load::pick_strategies(&scenario, std::slice::from_ref(s))?[0]
            .id
            .clone(),
        None => scenario.default_strategy().id.clone(),
    };
    if args.runs == 0 || args.runs > 1_000_000 {
        return Err(Failure::Input(format!(
            "--runs must be between 1 and 1000000, got {}",
            args.runs
        )));
    }
    let jobs = super::args::jobs_for(args.jobs);
    Chaos::new(space, doc, judge, &strategy, (args.runs, args.seed, jobs)).map_err(chaos_failure)
}

/// The unit of the metric named (loosely) `name`, for parsing its value.
fn unit_of(scenario: &hvsim::Scenario, name: &str) -> &'static str {
    let lower = name.to_lowercase();
    hvsim::montecarlo::metric_defs(scenario)
        .into_iter()
        .find(|d| d.name == name || d.name.to_lowercase().contains(&lower))
        .map_or("h", |d| d.unit)
}

fn chaos_failure(e: hvsim::chaos::ChaosError) -> Failure {
    use hvsim::chaos::ChaosError;
    match e {
        ChaosError::Run(e) => study_failure(e),
        ChaosError::Scenario(e) => load_failure(e),
        e => Failure::Input(e.to_string()),
    }
}

pub(super) fn chaos(args: ChaosArgs) -> Result<(), Failure> {
    if args.candidates == 0 {
        return Err(Failure::Input("--candidates must be at least 1".into()));
    }
    let time = match &args.budget {
        Some(b) => Some(
            hvsim::units::parse_duration(b)
                .map(|d| std::time::Duration::from_millis(d.as_millis()))
                .map_err(|e| Failure::Input(format!("--budget `{b}`: {e}; e.g. `2m`")))?,
        ),
        None => None,
    };
    let chaos = setup(&args)?;
    for out in [&args.out, &args.report].into_iter().flatten() {
        super::output::check_output(out)?;
    }
    let stop = stop_on_ctrl_c();
    let go_on = || !stop.load(Ordering::SeqCst);
    let bar = progress_bar(
        args.candidates as u64,
        if args.single {
            "faults and campaigns"
        } else {
            "candidates"
        },
    );
    if args.single {
        let single = hvsim::chaos::single(&chaos, args.candidates, &go_on, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .map_err(chaos_failure)?;
        bar.finish_and_clear();
        if args.json {
            emit_json(&hvsim::report::single_json(&chaos, &single))?;
        } else {
            emit(&hvsim::report::render_single(&chaos, &single))?;
        }
        // The page of a blast radius alone: no minimal campaign.
        if let Some(p) = &args.report
            && !single.interrupted
        {
            let cmd = command(&args, &chaos, args.candidates);
            let html = hvsim::report::chaos_html(&chaos, &[], Some(&single), &cmd);
            save(p, html.as_bytes(), "")?;
        }
        return if single.interrupted {
            Err(Failure::Interrupted)
        } else {
            Ok(())
        };
    }
    let budget = Budget {
        candidates: args.candidates,
        time,
    };
    let baseline = chaos.baseline(&go_on).map_err(chaos_failure)?;
    // Without a terminal (a log, a CI job), progress is one plain line per
    // generation of candidates, so a long search shows it is alive.
    let plain = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (found, written) = if baseline.as_ref().is_some_and(|b| b.broken()) {
        // The plan breaks with no fault at all: any campaign would "break"
        // it and shrink to a fault that is not the cause. Nothing to search.
        let found = hvsim::chaos::Found {
            tried: Vec::new(),
            stop: hvsim::chaos::Stop::Done,
        };
        (found, Vec::new())
    } else {
        let found = hvsim::chaos::search(&chaos, budget, &go_on, &|done, total, _| {
            bar.set_position(done as u64);
            if plain {
                eprintln!("chaos: {done} of {total} candidates tried");
            }
        })
        .map_err(chaos_failure)?;
        let written = shrink_and_write(&args, &chaos, &found, &go_on)?;
        (found, written)
    };
    bar.finish_and_clear();
    let reproduce = reproduce(&args, &chaos, &found);
    if args.json {
        let mut doc = hvsim::report::chaos_json(&chaos, baseline.as_ref(), &found, &written);
        if let (Some((n, line)), Some(obj)) = (&reproduce, doc.as_object_mut()) {
            obj.insert(
                "reproduce".into(),
                serde_json::json!({ "candidates": n, "command": line }),
            );
        }
        emit_json(&doc)?;
    } else {
        let mut text = hvsim::report::render_chaos(&chaos, baseline.as_ref(), &found, &written);
        if let Some((n, line)) = &reproduce {
            text.push_str(&format!(
                "The --budget {} let {n} candidates be tried (the wall clock decides how far the search gets); this reproduces the result bit for bit:\n  {line}\n",
                args.budget.as_deref().unwrap_or_default()
            ));
        }
        emit(&text)?;
    }
    if let Some(p) = &args.report
        && go_on()
    {
        let single = hvsim::chaos::single(&chaos, 0, &go_on, &|_, _| {}).map_err(chaos_failure)?;
        let html = hvsim::report::chaos_html(
            &chaos,
            &written,
            Some(&single),
            &reproduce.map_or_else(|| command(&args, &chaos, args.candidates), |(_, line)| line),
        );
        save(p, html.as_bytes(), "")?;
    }
    if stop.load(Ordering::SeqCst) {
        return Err(Failure::Interrupted);
    }
    Ok(())
}

/// Under a wall-clock `--budget`, the candidates tried and the command
/// that tries exactly those (`--candidates N`): the sequence of
/// candidates depends only on the seed, and shrinking is not timed, so it
/// gives the same campaigns. `None` without `--budget`, or interrupted.
fn reproduce(args: &ChaosArgs, chaos: &Chaos, found: &Found) -> Option<(usize, String)> {
    if args.budget.is_none() || found.stop == hvsim::chaos::Stop::Interrupted {
        return None;
    }
    let n = found.tried.len().max(1);
    Some((n, command(args, chaos, n)))
}

/// Shrinks the breaking campaigns, the worst first, until `--keep`
/// distinct minimal ones, and writes each to its file.
fn shrink_and_write(
    args: &ChaosArgs,
    chaos: &Chaos,
    found: &Found,
    go_on: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<Written>, Failure> {
    let mut written: Vec<Written> = Vec::new();
    let mut attempts = 0;
    for t in found.broken() {
        // Interrupted: the worst found so far, as far as it was shrunk.
        let stopped = !go_on() && !written.is_empty();
        if written.len() >= args.keep || attempts >= 2 * args.keep || stopped {
            break;
        }
        // A superset of a minimal campaign found shrinks to it again.
        if written
            .iter()
            .any(|w| w.shrunk.campaign.iter().all(|f| t.campaign.contains(f)))
        {
            continue;
        }
        attempts += 1;
        let shrunk =
            hvsim::chaos::shrink(chaos, &t.campaign, &t.verdict, go_on).map_err(chaos_failure)?;
        if written.iter().any(|w| w.shrunk.campaign == shrunk.campaign) {
            continue;
        }
        let n = written.len() + 1;
        let path = args.out.as_ref().map(|p| numbered(p, n));
        let replay = path
            .as_ref()
            .map_or_else(Vec::new, |p| replay(args, chaos, p));
        if let Some(p) = &path {
            let name = format!(
                "minimal campaign {n} found by hvsim chaos (seed {})",
                chaos.seed
            );
            let text = hvsim::chaos::file::campaign_file(chaos, &shrunk, &name, &replay);
            save(p, text.as_bytes(), "")?;
        }
        written.push(Written {
            shrunk,
            file: path.map(|p| p.display().to_string()),
            replay,
        });
    }
    Ok(written)
}

/// `minimal.yaml`, `minimal-2.yaml`, ...
fn numbered(path: &Path, n: usize) -> PathBuf {
    if n == 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// The commands that replay a campaign file.
fn replay(args: &ChaosArgs, chaos: &Chaos, file: &Path) -> Vec<String> {
    let scenario = args.scenario.as_ref().map_or_else(String::new, |p| {
        format!(" {}", shell_quote(&p.to_string_lossy()))
    });
    let faults = shell_quote(&file.to_string_lossy());
    let strategy = shell_quote(&chaos.strategy);
    vec![
        format!(
            "hvsim compare{scenario} --faults {faults} --strategies {strategy} --runs {} --seed {}",
            chaos.runs, chaos.seed
        ),
        format!("hvsim run{scenario} --faults {faults} --strategy {strategy}"),
    ]
}

/// Ctrl-C stops after the replications in flight: the flag it sets.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    stop
}

/// The progress bar, on standard error when it is a terminal.
fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} ({{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
