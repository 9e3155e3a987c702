//! The arguments several commands share: what every Monte Carlo command
//! takes ([`MonteCarloArgs`]), `--shard I/N`, the bounded `--jobs`, and the
//! command line that reproduces a result, quoted for a shell.

use std::path::PathBuf;

use super::output::note;

/// What every Monte Carlo command shares.
#[derive(clap::Args, Debug)]
pub(super) struct MonteCarloArgs {
    /// Scenario file; the embedded 2018 incident when omitted.
    pub(super) scenario: Option<PathBuf>,
    /// Strategies to compare, comma-separated; the first is the baseline (default: all).
    #[arg(long, value_delimiter = ',')]
    pub(super) strategies: Vec<String>,
    /// Master seed: replication i of every strategy (and, in a sweep, of
    /// every point) uses the same derived seed.
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
    /// Worker threads (default: all cores; at most 4 per core); the result
    /// does not depend on it.
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// A fault campaign file whose `bugs`, `outages`, `absences` and `chaos` replace the scenario's.
    #[arg(long, value_name = "FILE")]
    pub(super) faults: Option<PathBuf>,
}

/// How the charts are written, beside each command's `--svg DIR`.
#[derive(clap::Args, Debug, Default)]
pub(super) struct ChartArgs {
    /// Also write each chart as a PNG image into this directory (drawn in
    /// the system's sans-serif font; the same charts as --svg).
    #[arg(long, value_name = "DIR")]
    pub(super) png: Option<PathBuf>,
    /// The charts' page: `standard` (960 px wide, as in the HTML report) or
    /// `slide` (1920 × 1080, 16:9, laid out for a slide). Needs --svg or --png.
    #[arg(long, value_enum, default_value_t = PresetArg::Standard)]
    pub(super) preset: PresetArg,
}

/// `--preset`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum PresetArg {
    /// The chart at its own size, as in the HTML report.
    #[default]
    Standard,
    /// A 1920 × 1080 (16:9) page for a presentation.
    Slide,
}

impl ChartArgs {
    /// Whether charts are wanted (`svg` is the command's `--svg DIR`); an
    /// error for a `--preset` that nothing would show.
    pub(super) fn wanted(&self, svg: Option<&PathBuf>) -> Result<bool, super::Failure> {
        let wanted = svg.is_some() || self.png.is_some();
        if !wanted && self.preset != PresetArg::Standard {
            return Err(super::Failure::Input(
                "--preset shapes the charts written by --svg DIR or --png DIR: add one of them"
                    .into(),
            ));
        }
        Ok(wanted)
    }

    /// The canvas the charts are laid out on for the preset.
    pub(super) fn canvas(&self) -> hvsim::chart::Canvas {
        hvsim::chart::Canvas::of(self.preset())
    }

    /// The chart module's preset.
    pub(super) fn preset(&self) -> hvsim::chart::present::Preset {
        match self.preset {
            PresetArg::Standard => hvsim::chart::present::Preset::Standard,
            PresetArg::Slide => hvsim::chart::present::Preset::Slide,
        }
    }
}

impl MonteCarloArgs {
    /// The worker threads to use, bounded by the machine (see [`bounded_jobs`]).
    pub(super) fn jobs(&self) -> usize {
        let (jobs, warning) = bounded_jobs(self.jobs, default_jobs());
        if let Some(w) = warning {
            note(&w);
        }
        jobs
    }

    /// The command line `hvsim SUB` with these arguments that shape the
    /// result (not `--jobs`) and `--runs RUNS`; the caller adds its own.
    pub(super) fn command(&self, sub: &str, runs: u64) -> String {
        let mut command = command_line(sub, self.scenario.as_ref(), self.faults.as_ref());
        if !self.strategies.is_empty() {
            command.push_str(" --strategies ");
            command.push_str(&shell_quote(&self.strategies.join(",")));
        }
        command.push_str(&format!(" --runs {runs} --seed {}", self.seed));
        command
    }
}

/// The worker threads for a `--jobs` outside [`MonteCarloArgs`] (`asked`),
/// bounded by the machine as [`MonteCarloArgs::jobs`] does.
pub(super) fn jobs_for(asked: Option<u32>) -> usize {
    let (jobs, warning) = bounded_jobs(asked, default_jobs());
    if let Some(w) = warning {
        note(&w);
    }
    jobs
}

/// Parses `--shard I/N`.
pub(super) fn parse_shard(text: &str) -> Result<(u64, u64), String> {
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

pub(super) use hvsim::units::shell_quote;

/// The start of the command line that reproduces a result: `hvsim SUB`,
/// the scenario file as given (none for the embedded default) and
/// `--faults FILE`, quoted for a shell. The caller adds the rest.
pub(super) fn command_line(
    sub: &str,
    scenario: Option<&PathBuf>,
    faults: Option<&PathBuf>,
) -> String {
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
pub(super) fn run_command(
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

#[cfg(test)]
mod tests {
    use super::{bounded_jobs, run_command, shell_quote};
    use std::path::PathBuf;

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
