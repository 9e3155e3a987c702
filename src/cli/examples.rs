//! The examples that end each command's `--help`: two or three real
//! command lines and the page to read. The test below parses every one of
//! them with the real argument parser and checks that the files they name
//! exist, so an example cannot drift from the command.

/// `hvsim --help`.
pub(super) const HVSIM: &str = "\
`hvsim run` with no file, like `hvsim` with no command, replays the
December 2018 incident: the embedded default scenario,
scenarios/nouvelle-caledonie-2018.yaml (as do the other commands whose
scenario file is optional, when none is named).

Examples:
  hvsim run
  hvsim compare --runs 1000
  hvsim report -o report.html

Read: README.md, then docs/design.md (what the model does).";

/// `hvsim run --help`.
pub(super) const RUN: &str = "\
Examples:
  hvsim run
  hvsim run scenarios/backup-restore.yaml --strategy restore-fifo
  hvsim run --strategy restore-from-backup --trace --svg charts

Read: docs/recovery.md (what each method and order does).";

/// `hvsim compare --help`.
pub(super) const COMPARE: &str = "\
Examples:
  hvsim compare --strategies as-in-2018,restore-from-backup --set teams.dtsi.members=8
  hvsim compare --runs 1000000 --shard 0/16 --out shard-0.json
  hvsim compare --runs 1000 --svg slides --png slides --preset slide

Read: docs/design.md#monte-carlo-comparison-and-sharding; docs/distributed.md (shards);
docs/charts.md (the charts, --png and --preset slide).";

/// `hvsim sweep --help`.
pub(super) const SWEEP: &str = "\
Examples:
  hvsim sweep --set teams.dtsi.members=4..12 --strategies as-in-2018,restore-from-backup
  hvsim sweep --set teams.dtsi.members=6..10 --runs 50 --reasons --csv sweep.csv
  hvsim sweep scenarios/backup-restore.yaml --set backup.streams=1..8 --runs 100000 --shard 0/16 --out shard-0.json

Read: README.md (sweep) for the path syntax; docs/explain.md for --reasons;
docs/distributed.md for --shard.";

/// `hvsim merge --help`.
pub(super) const MERGE: &str = "\
Examples:
  hvsim merge shard-0.json shard-1.json shard-2.json shard-3.json
  hvsim merge --json results/shard-*.json
  hvsim merge sweep-shard-0.json sweep-shard-1.json --svg charts --csv charts

Read: docs/distributed.md (what merge checks, and running shards on Slurm or Kubernetes).";

/// `hvsim report --help`.
pub(super) const REPORT: &str = "\
Examples:
  hvsim report -o report.html
  hvsim report scenarios/backup-restore.yaml -o backup.html --runs 500
  hvsim report scenarios/availability-year.yaml -o year.html --runs 50 --no-advise

Read: docs/charts.md (the HTML report: its sections, and printing it).";

/// `hvsim gen --help`.
pub(super) const GEN: &str = "\
Examples:
  hvsim gen --apps 1000 --out estate.yaml
  hvsim gen --apps 100000 --hosts 2000 --dr-hosts 500 --seed 3 --out big.yaml

Read: BENCHMARKS.md (the estates the benchmarks generate).";

/// `hvsim validate --help`.
pub(super) const VALIDATE: &str = "\
Examples:
  hvsim validate scenarios/*.yaml
  hvsim validate --faults scenarios/faults/2018-bad-week.yaml scenarios/nouvelle-caledonie-2018.yaml

Read: docs/design.md (the scenario file), docs/faults.md (fault campaigns).";

/// `hvsim schema --help`.
pub(super) const SCHEMA: &str = "\
Examples:
  hvsim schema > hvsim-scenario.schema.json
  hvsim schema faults

Read: docs/editors.md (using the schema in an editor).";

/// `hvsim advise --help`.
pub(super) const ADVISE: &str = "\
Examples:
  hvsim advise
  hvsim advise scenarios/backup-restore.yaml --objective 1 --runs 400 --svg charts
  hvsim advise tests/fixtures/advise-staff.yaml --levers tests/fixtures/advise-levers/staff-costs.yaml --combine 2

Read: docs/advise.md (the derived levers, costs and the frontier).";

/// `hvsim chaos --help`.
pub(super) const CHAOS: &str = "\
Examples:
  hvsim chaos --candidates 100 --out minimal.yaml
  hvsim chaos scenarios/backup-restore.yaml --single
  hvsim chaos tests/fixtures/chaos-planted.yaml --space tests/fixtures/chaos-spaces/planted.yaml --report chaos.html

Read: docs/chaos.md (the fault space, what breaks, the search and shrinking).";

/// `hvsim fit --help`.
pub(super) const FIT: &str = "\
Examples:
  hvsim fit --curve tests/fixtures/fit-press-release.csv --param teams.dtsi.members=4..16
  hvsim fit tests/fixtures/fit-small.yaml --curve observed.csv --param apps.*.work.reinstall.scale=0.5..3
  hvsim fit --curve tests/fixtures/fit-press-release.csv --svg charts --out fitted.yaml

Read: docs/fit.md (the curve file, the distance, the search and the uncertainty).";

/// `hvsim explain --help`.
pub(super) const EXPLAIN: &str = "\
Examples:
  hvsim explain
  hvsim explain --strategy restore-from-backup --app mail --app dns-public
  hvsim explain scenarios/backup-restore.yaml --json

Read: docs/explain.md (the reasons, how they add up, the critical chain).";

/// `hvsim import --help`.
pub(super) const IMPORT: &str = "\
Examples:
  hvsim import rvtools tests/fixtures/rvtools-small --out estate.yaml
  hvsim import rvtools RVTools_export.xlsx --apps folder --out estate.yaml
  hvsim import rvtools export.xlsx --apps regex:^([a-z]+)- --include-powered-off --out estate.yaml

Read: docs/import.md (from an export to a first compare and chaos run).";

/// `hvsim serve --help`.
pub(super) const SERVE: &str = "\
Examples:
  hvsim serve
  hvsim serve scenarios/backup-restore.yaml --port 9000 --open
  hvsim serve --bind 0.0.0.0 --max-runs 1000 --sessions tabletop-sessions

Read: docs/serve.md (the page, and a 45-minute lesson plan).";

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::cli::Cli;

    /// Each command's help, nested ones (`import rvtools`) included, by
    /// its name: `(name, after_help)`.
    fn helps(cmd: &clap::Command, name: &str, out: &mut Vec<(String, Option<String>)>) {
        out.push((
            name.to_string(),
            cmd.get_after_help().map(|h| h.to_string()),
        ));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            helps(sub, &format!("{name} {}", sub.get_name()), out);
        }
    }

    /// Every command's help ends with two or three examples and a page to
    /// read; every example parses, and every file or page it names exists.
    #[test]
    fn every_example_parses_and_names_real_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut all = Vec::new();
        helps(&Cli::command(), "hvsim", &mut all);
        assert!(all.iter().any(|(name, _)| name == "hvsim import rvtools"));
        let mut examples = 0;
        for (name, help) in all {
            let help = help.unwrap_or_else(|| panic!("`{name} --help` has no examples"));
            assert!(help.contains("Examples:\n"), "{name}: {help}");
            let count = help.lines().filter(|l| l.starts_with("  hvsim")).count();
            assert!((2..=3).contains(&count), "{name}: {count} examples");
            let read = help
                .rsplit("\n\n")
                .next()
                .filter(|p| p.starts_with("Read: "))
                .unwrap_or_else(|| panic!("{name}: its help does not end with a page to read"));
            for word in read.split([' ', '\n', ',', ';', '(', ')']) {
                let file = word.split('#').next().unwrap_or_default();
                if file.ends_with(".md") {
                    assert!(root.join(file).exists(), "{name}: `{file}` does not exist");
                }
            }
            for line in help.lines().filter_map(|l| l.strip_prefix("  hvsim")) {
                let words: Vec<&str> = std::iter::once("hvsim")
                    .chain(
                        line.split_whitespace()
                            .filter(|w| *w != ">" && !w.ends_with(".schema.json")),
                    )
                    .collect();
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("`{}` does not parse: {e}", words.join(" "));
                }
                for w in &words[1..] {
                    if (w.starts_with("scenarios/") || w.starts_with("tests/")) && !w.contains('*')
                    {
                        assert!(root.join(w).exists(), "`{w}` in an example does not exist");
                    }
                }
                examples += 1;
            }
        }
        assert!(examples >= 18, "{examples} examples");
    }
}
