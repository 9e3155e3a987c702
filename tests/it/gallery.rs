//! The gallery in `docs/charts.md` shows every chart as the program draws
//! it now: each SVG under `docs/charts/` is re-drawn by its command and
//! must be the same bytes. When a chart changes on purpose, re-draw them
//! all with `HVSIM_BLESS=1 cargo test --test it gallery::` (review the
//! diff).
//!
//! To add a chart: one line in [`GALLERY`] (the command, the chart file
//! it writes into `--svg DIR`, the gallery's file name) and one in the
//! table of `docs/charts.md`, then bless.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::hvsim;

/// `(command, chart written by its --svg DIR, file under docs/charts/)`.
/// Commands are run from the crate root; equal commands run once. Keep
/// them cheap (a few runs).
const GALLERY: &[(&str, &str, &str)] = &[
    (
        "compare --runs 20",
        "restored-count.svg",
        "compare-restored-count.svg",
    ),
    (
        "compare --runs 20",
        "restored-count-panels.svg",
        "compare-restored-count-panels.svg",
    ),
    (
        "compare --runs 20",
        "restored-weighted.svg",
        "compare-restored-weighted.svg",
    ),
    (
        "compare --runs 20",
        "milestones-incident-2.svg",
        "compare-milestones-incident-2.svg",
    ),
    ("run --seed 1", "gantt.svg", "run-gantt.svg"),
    (
        "run --seed 1",
        "restored-count.svg",
        "run-restored-count.svg",
    ),
    (
        "sweep --set teams.dtsi.members=4..10 --strategies as-in-2018,restore-from-backup --runs 10",
        "sweep-incident-2-socle-2018-b-90-back.svg",
        "sweep.svg",
    ),
    ("explain --seed 1", "reasons.svg", "explain-reasons.svg"),
    (
        "advise scenarios/backup-restore.yaml --objective 1 --runs 20",
        "advise-tornado.svg",
        "advise-tornado.svg",
    ),
    (
        "compare --runs 20",
        "phases-incident-2.svg",
        "compare-phases-incident-2.svg",
    ),
    ("compare --runs 20", "forest.svg", "compare-forest.svg"),
    (
        "compare --runs 20",
        "objectives.svg",
        "compare-objectives.svg",
    ),
    (
        "compare scenarios/availability-year.yaml --runs 20",
        "availability.svg",
        "compare-availability.svg",
    ),
    ("run --seed 1", "recovery-rto.svg", "run-recovery-rto.svg"),
    ("run --seed 1", "dependencies.svg", "run-dependencies.svg"),
    (
        "run scenarios/backup-restore.yaml --seed 1",
        "data-lost-rpo.svg",
        "run-data-lost-rpo.svg",
    ),
    (
        "run scenarios/replicated-failover-runbook.yaml --seed 1",
        "dr-capacity.svg",
        "run-dr-capacity.svg",
    ),
    (
        "compare --runs 20",
        "dependencies.svg",
        "compare-dependencies.svg",
    ),
    (
        "compare scenarios/replicated-failover-runbook.yaml --runs 20",
        "dr-capacity.svg",
        "compare-dr-capacity.svg",
    ),
    (
        "advise tests/fixtures/advise-staff.yaml --levers tests/fixtures/advise-levers/staff-costs.yaml --runs 64",
        "advise-frontier.svg",
        "advise-frontier.svg",
    ),
    (
        "fit --curve tests/fixtures/fit-press-release.csv --param teams.dtsi.members=6..10 --runs 20",
        "fit.svg",
        "fit.svg",
    ),
    (
        "run --seed 1 --preset slide",
        "gantt.svg",
        "slide-run-gantt.svg",
    ),
    (
        "compare --runs 20 --preset slide",
        "restored-count.svg",
        "slide-compare-restored-count.svg",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs each distinct command once with `--svg DIR`; its directory.
fn drawn() -> BTreeMap<&'static str, tempfile::TempDir> {
    let mut dirs = BTreeMap::new();
    for (command, _, _) in GALLERY {
        if dirs.contains_key(command) {
            continue;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut args: Vec<String> = command.split(' ').map(str::to_string).collect();
        args.push("--svg".into());
        args.push(dir.path().to_string_lossy().into_owned());
        let out = hvsim().args(&args).output().expect("the binary runs");
        assert!(
            out.status.success(),
            "hvsim {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dirs.insert(*command, dir);
    }
    dirs
}

#[test]
fn the_gallery_shows_the_charts_as_drawn_now() {
    let bless = std::env::var_os("HVSIM_BLESS").is_some();
    let dirs = drawn();
    let page = std::fs::read_to_string(root().join("docs/charts.md")).expect("docs/charts.md");
    let mut stale = Vec::new();
    for (command, chart, file) in GALLERY {
        let written = dirs[command].path().join(chart);
        let now = std::fs::read_to_string(&written)
            .unwrap_or_else(|e| panic!("hvsim {command} --svg DIR wrote no {chart}: {e}"));
        let path: PathBuf = root().join("docs/charts").join(file);
        assert!(
            page.contains(&format!("(charts/{file})")),
            "docs/charts.md does not show charts/{file}"
        );
        if bless {
            std::fs::write(&path, &now).expect("the gallery is writable");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(now.as_str()) {
            stale.push(format!("docs/charts/{file} (hvsim {command})"));
        }
    }
    assert!(
        stale.is_empty(),
        "the gallery is not current: {stale:?}; re-draw it with HVSIM_BLESS=1 cargo test --test it gallery::"
    );
}

#[test]
fn every_gallery_file_is_listed() {
    let listed: Vec<&str> = GALLERY.iter().map(|g| g.2).collect();
    for entry in std::fs::read_dir(root().join("docs/charts")).expect("docs/charts/") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            listed.contains(&name.as_str()),
            "docs/charts/{name} is in no GALLERY line: remove it or list it"
        );
    }
}
