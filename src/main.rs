//! The `hvsim` command line: parse arguments, call the library, print.

/// mimalloc instead of glibc's allocator: a replication allocates and frees
/// many small buffers, and glibc's consolidation of freed chunks was a
/// third of a 10,000-app replication (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hvsim::report::{Clock, render_run, run_json};
use hvsim::scenario::{self, ScenarioError};
use hvsim::{Scenario, SimError};

mod trace;

/// The seed of `hvsim run` when none is given.
const DEFAULT_SEED: u64 = 1;

/// Discrete-event simulator for hypervisor outages and disaster-recovery plans.
///
/// Without a command, runs the embedded default scenario: the December 2018
/// outage of the government of New Caledonia.
#[derive(Parser, Debug)]
#[command(name = "hvsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate one replication of a strategy and report the recovery.
    Run(RunArgs),
    /// Run strategies side by side over many replications (common random numbers).
    Compare(CompareArgs),
    /// Run the comparison at each point of a grid of scenario values:
    /// how much does each extra engineer buy?
    Sweep(SweepArgs),
    /// Merge shard files written by `compare --shard i/n --out FILE` into the
    /// report of the unsharded run.
    Merge {
        /// Shard files, every shard of one run exactly once, in any order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON document instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// Write one self-contained HTML report: summary, charts, one run's
    /// Gantt chart and per-app table, assumptions, and how to reproduce it.
    Report(ReportArgs),
    /// Write a synthetic scenario: an estate of any size, for benchmarks
    /// and scale tests (deterministic for a given seed).
    Gen(GenArgs),
    /// Check scenario files and report every problem with file:line:col.
    Validate {
        /// Scenario files (.yaml, .yml, .toml, .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check them with this fault campaign's `bugs`, `outages` and `chaos`.
        #[arg(long, value_name = "FILE")]
        faults: Option<PathBuf>,
    },
    /// Print the JSON Schema (draft 2020-12) of scenario or fault campaign
    /// files, for editors to check and complete them as they are typed
    /// (docs/editors.md).
    Schema {
        /// Which file: a scenario, or a fault campaign (`--faults FILE`).
        #[arg(value_enum, default_value_t = SchemaKind::Scenario)]
        kind: SchemaKind,
    },
}

/// The file kinds `hvsim schema` describes.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    /// A scenario file.
    Scenario,
    /// A fault campaign file.
    Faults,
}

#[derive(clap::Args, Debug, Default)]
struct RunArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategy to simulate (default: the scenario's `default_strategy`, else its first).
    #[arg(long, short)]
    strategy: Option<String>,
    /// Master seed of the replication: same seed, same result [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// A fault campaign file whose `bugs`, `outages` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Print the event-by-event timeline to stderr, stamped with simulated dates.
    #[arg(long)]
    trace: bool,
    /// Print one JSON document (schema in docs/json.md) instead of the text report.
    #[arg(long)]
    json: bool,
    /// Also write the charts (gantt.svg, restored-*.svg) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    /// Also write the data behind them (apps.csv, tasks.csv, curve.csv) into this directory.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
}

/// What every Monte Carlo command shares.
#[derive(clap::Args, Debug)]
struct MonteCarloArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    scenario: Option<PathBuf>,
    /// Strategies to compare, comma-separated; the first is the baseline (default: all).
    #[arg(long, value_delimiter = ',')]
    strategies: Vec<String>,
    /// Master seed: replication i of every strategy (and, in a sweep, of
    /// every point) uses the same derived seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores; at most 4 per core); the result
    /// does not depend on it.
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// A fault campaign file whose `bugs`, `outages` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct CompareArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
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
    /// Also write the charts (restored curves, milestone distributions)
    /// into this directory; runs the replications again for the curves.
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    svg: Option<PathBuf>,
    /// Also write the data behind the charts (curve.csv, milestones.csv)
    /// into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    csv: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    /// Replications per strategy.
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// The HTML file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: PathBuf,
}

#[derive(clap::Args, Debug)]
struct SweepArgs {
    #[command(flatten)]
    common: MonteCarloArgs,
    /// PATH=VALUES to vary, e.g. `teams.dtsi.members=4..12` or
    /// `strategies.0.order=fifo,criticality`; several make a grid.
    #[arg(long = "set", required = true, value_parser = hvsim::sweep::parse_set)]
    sets: Vec<hvsim::sweep::SetSpec>,
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
    /// Print one JSON document instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
struct GenArgs {
    /// Applications.
    #[arg(long, default_value_t = 10_000)]
    apps: u32,
    /// VMs per application.
    #[arg(long, default_value_t = 10)]
    vms_per_app: u32,
    /// Hosts in all, DR hosts included.
    #[arg(long, default_value_t = 2_000)]
    hosts: u32,
    /// How many of the hosts are at a DR site, where apps with corrupted
    /// VMs are reinstalled (0: no DR site, restart only).
    #[arg(long, default_value_t = 0)]
    dr_hosts: u32,
    /// Teams (they cycle through 24/7, office hours and a three-shift rotation).
    #[arg(long, default_value_t = 10)]
    teams: u32,
    /// Engineers per team.
    #[arg(long, default_value_t = 5)]
    members: u32,
    /// Mean number of apps each app depends on (dependency density).
    #[arg(long, default_value_t = 2.0)]
    deps: f64,
    /// Probability that the bug corrupts each VM of a crashed host.
    #[arg(long, default_value_t = 0.02)]
    corrupt_vm: f64,
    /// Seed of the generator: the same seed writes the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the scenario to this file (atomically) instead of stdout.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let err = || format!("expected I/N with 0 <= I < N, like `0/4`, got `{text}`");
    let (i, n) = text.split_once('/').ok_or_else(err)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| err())?,
        n.trim().parse().map_err(|_| err())?,
    );
    if n == 0 || i >= n {
        return Err(err());
    }
    Ok((i, n))
}

/// Exit codes: 2 for bad input (the user can fix it), 3 when a run hits a
/// simulation limit, 1 for anything else.
enum Failure {
    /// Ctrl-C: the partial report was printed; exit like an interrupted command.
    Interrupted,
    /// Standard output was closed by its reader (`hvsim run | head`): stop
    /// quietly, as a filter does.
    ClosedPipe,
    Input(String),
    Limit(String),
    Other(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(args),
        Some(Command::Compare(args)) => compare(args),
        Some(Command::Merge { files, json }) => merge(&files, json),
        Some(Command::Sweep(args)) => sweep(args),
        Some(Command::Report(args)) => report(args),
        Some(Command::Gen(args)) => generate(args),
        Some(Command::Validate { files, faults }) => validate(&files, faults.as_ref()),
        Some(Command::Schema { kind }) => {
            print!(
                "{}",
                scenario::schema::schema_text(match kind {
                    SchemaKind::Scenario => scenario::schema::SchemaKind::Scenario,
                    SchemaKind::Faults => scenario::schema::SchemaKind::Faults,
                })
            );
            Ok(())
        }
    };
    match result {
        Ok(()) | Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Interrupted) => ExitCode::from(130),
        Err(Failure::Input(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(2)
        }
        Err(Failure::Limit(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(3)
        }
        Err(Failure::Other(msg)) => {
            note(&format!("error: {msg}"));
            ExitCode::from(1)
        }
    }
}

/// Prints `text` on standard output. A reader that closed the pipe ends
/// the command quietly; any other failure (a full disk) is an error, never
/// a panic.
fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::ClosedPipe,
            _ => Failure::Other(format!("cannot write to standard output: {e}")),
        })
}

/// Prints one line on standard error; if even that fails there is no one
/// left to tell, and the exit code says it.
fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Writes one output file (`-`: standard output) and says so on stderr.
fn save(path: &std::path::Path, bytes: &[u8], what: &str) -> Result<(), Failure> {
    hvsim::output::write_file(path, bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Failure::ClosedPipe,
        _ => Failure::Other(format!("cannot write {}: {e}", path.display())),
    })?;
    if path.as_os_str() != "-" {
        note(&format!("wrote {}{what}", path.display()));
    }
    Ok(())
}

/// The scenario's text, name and format (the embedded default without a path).
fn scenario_text(path: Option<&PathBuf>) -> Result<(String, String, scenario::Format), Failure> {
    match path {
        Some(p) => scenario::read_file(p).map_err(load_failure),
        None => Ok((
            scenario::DEFAULT_SCENARIO_YAML.to_string(),
            scenario::DEFAULT_SCENARIO_NAME.to_string(),
            scenario::Format::Yaml,
        )),
    }
}

fn load_failure(e: ScenarioError) -> Failure {
    match e {
        ScenarioError::Read { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    }
}

/// Loads the scenario, with the faults of a campaign file if one is given.
fn load(path: Option<&PathBuf>, faults: Option<&PathBuf>) -> Result<Scenario, Failure> {
    let (text, file, format) = scenario_text(path)?;
    let mut s = match faults {
        None => scenario::load_str(&text, &file, format),
        Some(f) => {
            let (ftext, ffile, fformat) = scenario::read_file(f).map_err(load_failure)?;
            scenario::load_with_faults(scenario::WithFaults {
                scenario: (&text, &file, format),
                faults: (&ftext, &ffile, fformat),
            })
            .map(|mut s| {
                s.source = format!("{file} with faults from {ffile}");
                s
            })
        }
    }
    .map_err(load_failure)?;
    if faults.is_none() {
        s.source = file;
    }
    Ok(s)
}

/// `text` as one word for a POSIX shell: as it is when the shell would
/// read it so, else in single quotes (an embedded `'` written `'\''`).
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:=@%+".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The start of the command line that reproduces a result: `hvsim SUB`,
/// the scenario file as given (none for the embedded default) and
/// `--faults FILE`, quoted for a shell. The caller adds the rest.
fn command_line(sub: &str, scenario: Option<&PathBuf>, faults: Option<&PathBuf>) -> String {
    let mut command = format!("hvsim {sub}");
    if let Some(p) = scenario {
        command.push(' ');
        command.push_str(&shell_quote(&p.to_string_lossy()));
    }
    if let Some(f) = faults {
        command.push_str(" --faults ");
        command.push_str(&shell_quote(&f.to_string_lossy()));
    }
    command
}

/// The `hvsim run` command line of one run: the strategy and seed are
/// always named, so that it reproduces the run whatever the defaults.
fn run_command(
    scenario: Option<&PathBuf>,
    faults: Option<&PathBuf>,
    strategy: &str,
    seed: u64,
) -> String {
    format!(
        "{} --strategy {} --seed {seed}",
        command_line("run", scenario, faults),
        shell_quote(strategy)
    )
}

impl MonteCarloArgs {
    /// The worker threads to use, bounded by the machine (see [`bounded_jobs`]).
    fn jobs(&self) -> usize {
        let (jobs, warning) = bounded_jobs(self.jobs, default_jobs());
        if let Some(w) = warning {
            note(&w);
        }
        jobs
    }

    /// The command line `hvsim SUB` with these arguments that shape the
    /// result (not `--jobs`) and `--runs RUNS`; the caller adds its own.
    fn command(&self, sub: &str, runs: u64) -> String {
        let mut command = command_line(sub, self.scenario.as_ref(), self.faults.as_ref());
        if !self.strategies.is_empty() {
            command.push_str(" --strategies ");
            command.push_str(&shell_quote(&self.strategies.join(",")));
        }
        command.push_str(&format!(" --runs {runs} --seed {}", self.seed));
        command
    }
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let scenario = load(args.scenario.as_ref(), args.faults.as_ref())?;
    let strategy = match &args.strategy {
        None => scenario.default_strategy(),
        Some(name) => pick_strategies(&scenario, std::slice::from_ref(name))?[0],
    };
    let tracing = args.trace.then(|| trace::install(Clock::new(&scenario)));
    let seed = args.seed.unwrap_or(DEFAULT_SEED);
    let outcome = hvsim::simulate(&scenario, strategy, seed).map_err(|e| match e {
        SimError::Run(_) => Failure::Limit(format!("{e} (seed {seed})")),
        SimError::UnknownStrategy(_) => Failure::Input(e.to_string()),
    })?;
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
        let doc = run_json(&scenario, &outcome);
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
        emit(&format!("{text}\n"))?;
    } else {
        emit(&render_run(&scenario, &outcome))?;
    }
    if let Some(dir) = &args.svg {
        let command = run_command(
            args.scenario.as_ref(),
            args.faults.as_ref(),
            &strategy.id,
            seed,
        );
        write_files(dir, &hvsim::report::run_svgs(&scenario, &outcome, &command))?;
    }
    if let Some(dir) = &args.csv {
        write_files(dir, &hvsim::report::run_csvs(&scenario, &outcome))?;
    }
    Ok(())
}

/// Writes each file into `dir` (created if needed), each whole or not at all.
fn write_files(dir: &std::path::Path, files: &[hvsim::report::NamedFile]) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Other(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in files {
        let path = dir.join(name);
        save(&path, text.as_bytes(), "")?;
    }
    Ok(())
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let scenario = load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let strategies = pick_strategies(&scenario, &args.common.strategies)?;
    let jobs = args.common.jobs();
    let shard = args.shard.unwrap_or((0, 1));
    let (start, end) = hvsim::montecarlo::shard_range(args.runs, shard);
    // Ctrl-C stops after the blocks in flight and reports what was done.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, std::sync::atomic::Ordering::SeqCst));
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(end - start),
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
    let result = hvsim::montecarlo::compare_shard(
        &scenario,
        &strategies,
        args.runs,
        args.common.seed,
        jobs,
        shard,
        &|done| {
            bar.set_position(done);
            !stop.load(std::sync::atomic::Ordering::SeqCst)
        },
    )
    .map_err(|e| match e {
        hvsim::montecarlo::CompareError::Invalid(m) => Failure::Input(m),
        e @ (hvsim::montecarlo::CompareError::Run { .. }
        | hvsim::montecarlo::CompareError::Record { .. }) => Failure::Limit(e.to_string()),
    })?;
    bar.finish_and_clear();
    let interrupted = result.done < end - start;
    if interrupted {
        note(&format!(
            "interrupted: {} of {} replications done; the report covers those",
            result.done,
            end - start
        ));
    }
    if let Some(out) = &args.out {
        let file = out.display().to_string();
        let bytes = hvsim::shard::encode(&file, &scenario, &strategies, &result)
            .map_err(|e| Failure::Other(e.to_string()))?;
        // The message of `ShardError::Io`.
        hvsim::output::write_file(out, &bytes)
            .map_err(|e| Failure::Other(format!("{file}: {e}")))?;
        note(&format!(
            "wrote shard {}/{} ({} replications) to {}",
            shard.0,
            shard.1,
            result.done,
            out.display()
        ));
        if args.shard.is_some() {
            return if interrupted {
                Err(Failure::Interrupted)
            } else {
                Ok(())
            };
        }
    }
    print_comparison(&scenario.name, &result, args.json)?;
    if interrupted {
        return Err(Failure::Interrupted);
    }
    if args.svg.is_some() || args.csv.is_some() {
        let curves = curves(
            &scenario,
            &strategies,
            args.runs,
            args.common.seed,
            jobs,
            &|_| !stop.load(std::sync::atomic::Ordering::SeqCst),
        )?;
        if let Some(dir) = &args.svg {
            let marks = first_replication_marks(&scenario, strategies[0], args.common.seed)?;
            let files = hvsim::report::compare_svgs(
                &scenario,
                &result,
                &curves,
                &marks,
                &hvsim::chart::curve::objectives_of(&scenario),
                &args.common.command("compare", args.runs),
            );
            write_files(dir, &files)?;
        }
        if let Some(dir) = &args.csv {
            write_files(
                dir,
                &hvsim::report::compare_csvs(&scenario, &result, &curves),
            )?;
        }
    }
    Ok(())
}

/// The restored curves of the same replications as the comparison.
fn curves(
    scenario: &Scenario,
    strategies: &[&hvsim::Strategy],
    runs: u64,
    seed: u64,
    jobs: usize,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<hvsim::curves::Curves, Failure> {
    hvsim::curves::restored_curves(scenario, strategies, runs, seed, jobs, progress).map_err(|e| {
        match e {
            hvsim::montecarlo::CompareError::Invalid(m) => Failure::Input(m),
            e @ (hvsim::montecarlo::CompareError::Run { .. }
            | hvsim::montecarlo::CompareError::Record { .. }) => Failure::Limit(e.to_string()),
        }
    })
}

/// Incident markers for Monte Carlo charts: the incidents of replication
/// 0 (a bug's strike is at a fixed date, the same in every replication).
fn first_replication_marks(
    scenario: &Scenario,
    strategy: &hvsim::Strategy,
    seed: u64,
) -> Result<Vec<hvsim::chart::curve::IncidentMark>, Failure> {
    let seed = hvsim::montecarlo::replication_seed(seed, 0);
    let o = hvsim::simulate(scenario, strategy, seed)
        .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?;
    Ok(hvsim::chart::curve::incident_marks(scenario, &o))
}

fn print_comparison(
    name: &str,
    result: &hvsim::montecarlo::Comparison,
    json: bool,
) -> Result<(), Failure> {
    if json {
        let doc = hvsim::report::compare_json(name, result);
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
        emit(&format!("{text}\n"))?;
    } else {
        emit(&hvsim::report::render_compare(name, result))?;
    }
    Ok(())
}

fn pick_strategies<'a>(
    scenario: &'a Scenario,
    names: &[String],
) -> Result<Vec<&'a hvsim::Strategy>, Failure> {
    if names.is_empty() {
        return Ok(scenario.strategies.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            scenario.strategy(name).ok_or_else(|| {
                let known: Vec<_> = scenario.strategies.iter().map(|s| s.id.as_str()).collect();
                Failure::Input(format!(
                    "scenario {} has no strategy `{name}`: expected one of {}",
                    scenario.source,
                    known.join(", ")
                ))
            })
        })
        .collect()
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    use hvsim::scenario::Document;
    use hvsim::sweep::{points, show};
    // Validate the files as they are first, for located errors.
    load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let mut doc = match &args.common.scenario {
        Some(p) => Document::read(p),
        None => Document::parse(
            scenario::DEFAULT_SCENARIO_YAML,
            scenario::DEFAULT_SCENARIO_NAME,
            scenario::Format::Yaml,
        ),
    }
    .map_err(load_failure)?;
    if let Some(f) = &args.common.faults {
        doc.merge_faults(&Document::read(f).map_err(load_failure)?);
    }
    let grid = points(&args.sets).map_err(Failure::Input)?;
    let jobs = args.common.jobs();
    let names: Vec<String> = args.sets.iter().map(|s| s.name()).collect();
    let mut results = Vec::new();
    for point in &grid {
        let mut d = doc.clone();
        let mut label = Vec::new();
        for (set, v) in args.sets.iter().zip(point) {
            d.set(&set.path, v.clone())
                .map_err(|e| Failure::Input(e.to_string()))?;
            label.push(format!("{}={}", set.name(), show(v)));
        }
        let file = format!("{} with {}", doc.file(), label.join(" "));
        let sc = d.load(&file).map_err(|e| Failure::Input(e.to_string()))?;
        let strategies = pick_strategies(&sc, &args.common.strategies)?;
        let result = hvsim::montecarlo::compare(
            &sc,
            &strategies,
            args.runs,
            args.common.seed,
            jobs,
            &|_| true,
        )
        .map_err(|e| Failure::Input(e.to_string()))?;
        results.push((point.clone(), sc.name.clone(), result));
    }
    if let Some(path) = &args.csv {
        let csv = hvsim::report::sweep_csv(&names, &results);
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
    if let Some(dir) = &args.svg {
        let mut command = args.common.command("sweep", args.runs);
        for set in &args.sets {
            command.push_str(" --set ");
            command.push_str(&shell_quote(&set.text));
        }
        write_files(dir, &hvsim::report::sweep_svgs(&names, &results, &command))?;
    }
    if args.json {
        let docs: Vec<serde_json::Value> = results
            .iter()
            .map(|(point, name, c)| {
                let at: serde_json::Map<String, serde_json::Value> =
                    names.iter().cloned().zip(point.iter().cloned()).collect();
                serde_json::json!({ "point": at, "comparison": hvsim::report::compare_json(name, c) })
            })
            .collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "schema": "hvsim.sweep/1",
            "points": docs,
        }))
        .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
        emit(&format!("{text}\n"))?;
    } else {
        emit(&hvsim::report::render_sweep(&names, &results))?;
    }
    Ok(())
}

fn report(args: ReportArgs) -> Result<(), Failure> {
    let scenario = load(args.common.scenario.as_ref(), args.common.faults.as_ref())?;
    let strategies = pick_strategies(&scenario, &args.common.strategies)?;
    let source_text = match &args.common.scenario {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| Failure::Other(format!("cannot read {}: {e}", p.display())))?,
        None => scenario::DEFAULT_SCENARIO_YAML.to_string(),
    };
    let faults_text = match &args.common.faults {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| Failure::Other(format!("cannot read {}: {e}", p.display())))?,
        ),
        None => None,
    };
    let jobs = args.common.jobs();
    let seed = args.common.seed;
    let comparison =
        hvsim::montecarlo::compare(&scenario, &strategies, args.runs, seed, jobs, &|_| true)
            .map_err(|e| match e {
                hvsim::montecarlo::CompareError::Invalid(m) => Failure::Input(m),
                e @ (hvsim::montecarlo::CompareError::Run { .. }
                | hvsim::montecarlo::CompareError::Record { .. }) => Failure::Limit(e.to_string()),
            })?;
    let curves = curves(&scenario, &strategies, args.runs, seed, jobs, &|_| true)?;
    // The Gantt chart shows the run `hvsim run [SCENARIO] [--faults FILE]
    // --strategy S --seed N` gives (its caption says so): the default
    // strategy if it is compared, else the first one compared.
    let shown = strategies
        .iter()
        .find(|s| s.id == scenario.default_strategy().id)
        .unwrap_or(&strategies[0]);
    let run = hvsim::simulate(&scenario, shown, seed)
        .map_err(|e| Failure::Limit(format!("{e} (seed {seed})")))?;
    let command = format!(
        "{} -o {}",
        args.common.command("report", args.runs),
        shell_quote(&args.output.to_string_lossy())
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
        comparison: &comparison,
        curves: &curves,
        run: &run,
        objectives: &hvsim::chart::curve::objectives_of(&scenario),
    });
    save(&args.output, html.as_bytes(), "")
}

/// All cores: the results do not depend on it.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// More threads than this per core only cost memory and start-up time.
const JOBS_PER_CORE: usize = 4;

/// The worker threads for `asked` (`--jobs`): all cores by default, and at
/// most [`JOBS_PER_CORE`] per core, with a note when a request is lowered.
fn bounded_jobs(asked: Option<u32>, cores: usize) -> (usize, Option<String>) {
    let most = cores.max(1) * JOBS_PER_CORE;
    match asked {
        None => (cores.max(1), None),
        Some(n) if n as usize > most => (
            most,
            Some(format!(
                "note: --jobs {n} is more than {JOBS_PER_CORE} per core on this machine's {cores} core(s); using {most} (the results do not depend on --jobs)"
            )),
        ),
        Some(n) => (n as usize, None),
    }
}

fn merge(files: &[PathBuf], json: bool) -> Result<(), Failure> {
    let (name, merged) = hvsim::shard::merge(files).map_err(|e| match e {
        hvsim::shard::ShardError::Io { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    })?;
    print_comparison(&name, &merged, json)
}

fn generate(args: GenArgs) -> Result<(), Failure> {
    let params = hvsim::r#gen::GenParams {
        apps: args.apps,
        vms_per_app: args.vms_per_app,
        hosts: args.hosts,
        dr_hosts: args.dr_hosts,
        teams: args.teams,
        members: args.members,
        deps: args.deps,
        corrupt_vm: args.corrupt_vm,
        seed: args.seed,
    };
    let text = hvsim::r#gen::generate(&params).map_err(|e| Failure::Input(e.to_string()))?;
    match &args.out {
        Some(path) => {
            let what = format!(
                " ({} apps, {} VMs, {} hosts)",
                params.apps,
                u64::from(params.apps) * u64::from(params.vms_per_app),
                params.hosts
            );
            save(path, text.as_bytes(), &what)?;
        }
        None => emit(&text)?,
    }
    Ok(())
}

fn validate(files: &[PathBuf], faults: Option<&PathBuf>) -> Result<(), Failure> {
    let (mut bad, mut unreadable) = (0, 0);
    for f in files {
        let loaded = match faults {
            None => scenario::load_path(f),
            Some(c) => scenario::read_file(f).and_then(|(text, file, format)| {
                let (ftext, ffile, fformat) = scenario::read_file(c)?;
                scenario::load_with_faults(scenario::WithFaults {
                    scenario: (&text, &file, format),
                    faults: (&ftext, &ffile, fformat),
                })
            }),
        };
        match loaded {
            Ok(s) => {
                for warning in horizon_warnings(&s) {
                    note(&format!("warning: {}: {warning}", f.display()));
                }
                emit(&format!(
                    "ok: {}{} — {} ({} hosts, {} apps, {} VMs, {} bugs, {} teams, {} strategies)\n",
                    f.display(),
                    faults.map_or(String::new(), |c| format!(
                        " with faults from {}",
                        c.display()
                    )),
                    s.name,
                    s.hosts.len(),
                    s.apps.len(),
                    s.vms.len(),
                    s.bugs.len(),
                    s.teams.len(),
                    s.strategies.len()
                ))?
            }
            Err(e) => {
                if matches!(e, ScenarioError::Read { .. }) {
                    unreadable += 1;
                } else {
                    bad += 1;
                }
                note(&e.to_string());
            }
        }
    }
    if unreadable > 0 {
        return Err(Failure::Other(format!(
            "{unreadable} of {} scenario file(s) could not be read",
            files.len()
        )));
    }
    if bad > 0 {
        return Err(Failure::Input(format!(
            "{bad} of {} scenario file(s) are invalid",
            files.len()
        )));
    }
    Ok(())
}

/// Strategies whose run (seed 1) ends at the horizon with work still
/// pending: the horizon cannot hold the recovery, so milestones and
/// objectives would be cut short.
fn horizon_warnings(scenario: &Scenario) -> Vec<String> {
    let clock = Clock::new(scenario);
    let mut warnings = Vec::new();
    for st in &scenario.strategies {
        let Ok(o) = hvsim::simulate(scenario, st, DEFAULT_SEED) else {
            continue;
        };
        let pending = hvsim::report::count_by_reason(o.pending());
        if !pending.is_empty() {
            warnings.push(format!(
                "with strategy `{}` (seed {DEFAULT_SEED}) the horizon of {} ends at {} with work still pending ({pending}); lengthen `horizon` so the recovery fits",
                st.id,
                scenario.horizon,
                clock.date(o.horizon)
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_default_to_the_cores_and_are_bounded_by_them() {
        assert_eq!(bounded_jobs(None, 2), (2, None));
        assert_eq!(bounded_jobs(Some(3), 2), (3, None));
        assert_eq!(bounded_jobs(Some(8), 2), (8, None));
        let (jobs, note) = bounded_jobs(Some(100_000), 2);
        assert_eq!(jobs, 8);
        assert!(note.unwrap().contains("--jobs 100000"));
    }

    #[test]
    fn shell_quote_leaves_plain_words_and_quotes_the_rest() {
        assert_eq!(
            shell_quote("scenarios/faults/2018-bad-week.yaml"),
            "scenarios/faults/2018-bad-week.yaml"
        );
        assert_eq!(shell_quote("my scenarios/a.yaml"), "'my scenarios/a.yaml'");
        assert_eq!(shell_quote("it's.yaml"), "'it'\\''s.yaml'");
        assert_eq!(shell_quote("$HOME/*.yaml"), "'$HOME/*.yaml'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_command_names_the_scenario_and_faults_only_when_given() {
        let (s, f) = (PathBuf::from("a b.yaml"), PathBuf::from("x.yaml"));
        assert_eq!(
            run_command(Some(&s), Some(&f), "fifo", 3),
            "hvsim run 'a b.yaml' --faults x.yaml --strategy fifo --seed 3"
        );
        assert_eq!(
            run_command(None, None, "fifo", 3),
            "hvsim run --strategy fifo --seed 3"
        );
    }
}
