//! Golden outputs: what every command prints or writes for the bundled
//! scenarios, pinned by a SHA-256 digest per output in
//! `tests/golden/outputs.sha256`.
//!
//! They hold behaviour byte-identical while the code moves (the
//! architecture issue): `run --json` of every bundled scenario × every
//! strategy × 3 seeds, the text report and the trace of each scenario, a
//! `compare --json` and text of each, both fault campaigns, one HTML
//! report, one `--svg`/`--csv` set of `run` and of `compare`, one sweep,
//! one generated estate, and `explain` (text and JSON) of each scenario.
//!
//! When an output changes on purpose, rewrite the digests with
//! `HVSIM_BLESS=1 cargo test --test it golden::` in a commit of its own
//! that says why. On a mismatch the test writes each differing output to
//! `target/golden-actual/` so it can be compared with the output of the
//! previous commit's binary.

use super::{bundled_scenario_files, hvsim};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DIGESTS: &str = "tests/golden/outputs.sha256";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn strategies(file: &str) -> Vec<String> {
    let scenario = hvsim::scenario::load_path(&root().join(file)).expect("bundled scenario loads");
    scenario.strategies.iter().map(|s| s.id.clone()).collect()
}

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The outputs, keyed by a name that says what produced them.
struct Outputs {
    found: BTreeMap<String, Vec<u8>>,
    scratch: PathBuf,
}

impl Outputs {
    /// Runs `hvsim ARGS` (which must succeed) and records its stdout, or
    /// its stderr when `stderr` is set.
    fn command(&mut self, args: &[&str], stderr: bool) {
        let out = hvsim().args(args).output().expect("the binary runs");
        assert!(
            out.status.success(),
            "hvsim {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let key = format!(
            "hvsim {}{}",
            args.join(" "),
            if stderr { " (stderr)" } else { "" }
        );
        let bytes = if stderr { out.stderr } else { out.stdout };
        assert!(!bytes.is_empty(), "{key} printed something");
        self.found.insert(key, bytes);
    }

    /// Runs `hvsim ARGS` with `DIR` replaced by a fresh directory, and
    /// records every file written there.
    fn files(&mut self, args: &[&str]) {
        let dir = self.scratch.join(format!("{}", self.found.len()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        // Relative to the crate root, where the binary runs: the report
        // quotes its output path, which must not depend on the checkout.
        let dir_text = format!("target/golden-scratch/{}", self.found.len());
        let real: Vec<String> = args
            .iter()
            .map(|a| match a.strip_prefix("DIR") {
                Some(rest) => format!("{dir_text}{rest}"),
                None => a.to_string(),
            })
            .collect();
        let out = hvsim().args(&real).output().expect("the binary runs");
        assert!(
            out.status.success(),
            "hvsim {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("scratch directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(!names.is_empty(), "hvsim {} wrote files", args.join(" "));
        for name in names {
            let bytes = std::fs::read(dir.join(&name)).expect("written file");
            self.found
                .insert(format!("hvsim {} → {name}", args.join(" ")), bytes);
        }
    }
}

fn collect() -> Outputs {
    let scratch = root().join("target/golden-scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut o = Outputs {
        found: BTreeMap::new(),
        scratch,
    };
    for file in bundled_scenario_files() {
        let f = file.as_str();
        for strategy in strategies(f) {
            for seed in ["1", "2", "3"] {
                o.command(
                    &["run", f, "--strategy", &strategy, "--seed", seed, "--json"],
                    false,
                );
            }
        }
        o.command(&["run", f], false);
        o.command(&["run", f, "--trace"], true);
        o.command(&["compare", f, "--runs", "30", "--json"], false);
        o.command(&["compare", f, "--runs", "30"], false);
    }
    for campaign in [
        "scenarios/faults/2018-bad-week.yaml",
        "scenarios/faults/2018-slow-leak.yaml",
    ] {
        o.command(&["run", "--faults", campaign, "--json"], false);
        o.command(
            &["compare", "--faults", campaign, "--runs", "20", "--json"],
            false,
        );
    }
    o.files(&["report", "--runs", "20", "-o", "DIR/report.html"]);
    o.files(&["run", "--seed", "2", "--svg", "DIR", "--csv", "DIR"]);
    o.files(&["compare", "--runs", "20", "--svg", "DIR", "--csv", "DIR"]);
    o.command(
        &[
            "sweep",
            "--set",
            "teams.dtsi.members=2,4",
            "--runs",
            "10",
            "--json",
        ],
        false,
    );
    o.files(&[
        "sweep",
        "--set",
        "teams.dtsi.members=2,4",
        "--runs",
        "10",
        "--csv",
        "DIR",
        "--svg",
        "DIR",
    ]);
    let fit = [
        "fit",
        "--curve",
        "tests/fixtures/fit-press-release.csv",
        "--param",
        "teams.dtsi.members=7..9",
        "--runs",
        "10",
    ];
    o.command(&fit, false);
    o.command(&[&fit[..], &["--json"]].concat(), false);
    o.files(&[&fit[..], &["--svg", "DIR", "--out", "DIR/fitted.yaml"]].concat());
    o.command(
        &["gen", "--apps", "200", "--hosts", "40", "--seed", "7"],
        false,
    );
    o.command(
        &[
            "gen",
            "--apps",
            "120",
            "--hosts",
            "30",
            "--dr-hosts",
            "6",
            "--seed",
            "3",
        ],
        false,
    );
    // Last, so that the scratch directories (and the paths the report
    // quotes) of the outputs above keep their numbers.
    for file in bundled_scenario_files() {
        let f = file.as_str();
        o.command(&["advise", f, "--runs", "8", "--json"], false);
        o.command(&["advise", f, "--runs", "8"], false);
    }
    o.files(&[
        "advise",
        "tests/fixtures/advise-staff.yaml",
        "--levers",
        "tests/fixtures/advise-levers/staff-costs.yaml",
        "--combine",
        "2",
        "--runs",
        "16",
        "--svg",
        "DIR",
    ]);
    // `hvsim chaos` (issue 15), last: a scratch directory's name counts
    // the outputs before it, and `report` embeds that path.
    for file in bundled_scenario_files() {
        let f = file.as_str();
        o.command(
            &[
                "chaos",
                f,
                "--runs",
                "2",
                "--candidates",
                "6",
                "--keep",
                "1",
            ],
            false,
        );
    }
    o.command(
        &[
            "chaos",
            "--runs",
            "2",
            "--candidates",
            "4",
            "--single",
            "--json",
        ],
        false,
    );
    // Added last: a file output's scratch folder is numbered by the
    // outputs before it, and the HTML report quotes its path.
    for file in bundled_scenario_files() {
        o.command(&["explain", &file], false);
        o.command(&["explain", &file, "--json"], false);
    }
    for apps in ["folder", "vapp"] {
        let args = [
            "import",
            "rvtools",
            "tests/fixtures/rvtools-small",
            "--apps",
            apps,
        ];
        o.command(&args, false);
        o.command(&args, true);
    }
    o
}

#[test]
fn every_output_is_unchanged() {
    let outputs = collect();
    let path = root().join(DIGESTS);
    let actual: BTreeMap<String, String> = outputs
        .found
        .iter()
        .map(|(k, v)| (k.clone(), digest(v)))
        .collect();
    if std::env::var_os("HVSIM_BLESS").is_some() {
        let mut text = String::from(
            "# SHA-256 of each golden output (tests/it/golden.rs); bless with\n\
             # HVSIM_BLESS=1 cargo test --test it golden::\n",
        );
        for (k, v) in &actual {
            text.push_str(&format!("{v}  {k}\n"));
        }
        std::fs::write(&path, text).expect("digests written");
        return;
    }
    let text = std::fs::read_to_string(&path).expect("tests/golden/outputs.sha256 exists");
    // A bless writes the outputs sorted by their names (the map's order):
    // a line added elsewhere by hand would move at the next bless and make
    // an unrelated diff.
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once("  ").map(|(_, k)| k))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(
        listed, sorted,
        "{DIGESTS} lists its outputs in the order a bless writes them (sorted by name)"
    );
    let expected: BTreeMap<String, String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (d, k) = l.split_once("  ").expect("digest, two spaces, command");
            (k.to_string(), d.to_string())
        })
        .collect();
    let keys_expected: Vec<_> = expected.keys().collect();
    let keys_actual: Vec<_> = actual.keys().collect();
    assert_eq!(keys_actual, keys_expected, "the same outputs are produced");
    let out_dir = root().join("target/golden-actual");
    let mut differ = Vec::new();
    for (k, d) in &actual {
        if expected[k] != *d {
            std::fs::create_dir_all(&out_dir).expect("target/golden-actual");
            let name: String = k
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            std::fs::write(out_dir.join(name), &outputs.found[k]).expect("written");
            differ.push(k.as_str());
        }
    }
    assert!(
        differ.is_empty(),
        "{} golden output(s) changed (written to target/golden-actual/):\n{}",
        differ.len(),
        differ.join("\n")
    );
}
