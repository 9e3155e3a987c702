//! `hvsim sweep --shard I/N --out FILE` and `hvsim merge` (issue 21): the
//! merged shards print exactly what the unsharded sweep prints (text,
//! JSON, reasons, CSV and charts) for any split, a rerun shard writes the
//! same bytes, and shards that do not make one sweep are refused.

use std::path::{Path, PathBuf};

use crate::{hvsim, run_ok};

const SCENARIO: &str = "tests/fixtures/exp-queue.yaml";

/// The sweep of `sets` (each a `--set` value) on the fixture, `--runs runs`.
fn sweep_args(sets: &[&str], runs: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "sweep".to_string(),
        SCENARIO.into(),
        "--runs".into(),
        runs.into(),
    ];
    for s in sets {
        args.push("--set".into());
        args.push((*s).into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Runs every shard of `args` split in `n`, into `dir/shard-I.json`.
fn shards(args: &[String], n: u64, dir: &Path) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let out = dir.join(format!("shard-{i}.json"));
            run_ok(
                hvsim()
                    .args(args)
                    .args(["--shard", &format!("{i}/{n}"), "--out"])
                    .arg(&out),
            );
            out
        })
        .collect()
}

/// `hvsim merge FILES EXTRA`: exit code, stdout and stderr.
fn merge(files: &[PathBuf], extra: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let out = hvsim()
        .arg("merge")
        .args(files)
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The merge of `files` is refused as bad input, prints nothing, and says
/// each of `says`.
fn refused(files: &[PathBuf], says: &[&str]) {
    let (code, stdout, stderr) = merge(files, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "a refused merge printed a report");
    for s in says {
        assert!(stderr.contains(s), "`{s}` not in: {stderr}");
    }
}

/// Text and JSON of the merge equal those of the unsharded sweep, byte for
/// byte, for one shard, three, and more shards than replications; the
/// shards may be given in any order.
#[test]
fn merged_shards_print_the_unsharded_sweep() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (runs, n) in [("130", 1), ("130", 3), ("5", 7)] {
        let args = sweep_args(&["teams.t.members=2..4"], runs, &[]);
        let text = run_ok(hvsim().args(&args)).stdout;
        let json = run_ok(hvsim().args(&args).arg("--json")).stdout;
        let sub = dir.path().join(format!("{runs}-{n}"));
        std::fs::create_dir_all(&sub).expect("mkdir");
        let mut files = shards(&args, n, &sub);
        files.reverse();
        let (code, merged, stderr) = merge(&files, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            merged == text,
            "--runs {runs}, {n} shards: the text differs"
        );
        let (code, merged, stderr) = merge(&files, &["--json"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            merged == json,
            "--runs {runs}, {n} shards: the JSON differs"
        );
    }
}

/// A grid of two parameters with `--reasons`: the table, the reasons, the
/// JSON, the CSV and the charts of the merge are the unsharded sweep's.
#[test]
fn a_grid_with_reasons_merges_with_its_csv_and_charts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = sweep_args(
        &[
            "teams.t.members=2..3",
            "strategies.0.order=fifo,criticality",
        ],
        "70",
        &["--reasons"],
    );
    let whole = dir.path().join("whole");
    let text = run_ok(
        hvsim()
            .args(&args)
            .arg("--svg")
            .arg(&whole)
            .arg("--csv")
            .arg(&whole),
    )
    .stdout;
    assert!(String::from_utf8_lossy(&text).contains("queued for a team member"));
    let json = run_ok(hvsim().args(&args).arg("--json")).stdout;
    let files = shards(&args, 2, dir.path());
    let merged = dir.path().join("merged");
    let m = merged.to_str().expect("utf-8");
    let (code, out, stderr) = merge(&files, &["--svg", m, "--csv", m]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(out == text, "the text differs");
    assert!(merge(&files, &["--json"]).1 == json, "the JSON differs");
    let listing = |d: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .expect("a directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names = listing(&whole);
    assert!(
        names.contains(&"sweep.csv".to_string()) && names.len() > 1,
        "{names:?}"
    );
    assert_eq!(names, listing(&merged));
    for name in names {
        assert!(
            std::fs::read(whole.join(&name)).expect("read")
                == std::fs::read(merged.join(&name)).expect("read"),
            "{name} differs"
        );
    }
}

/// A shard run again (a retried or preempted task) writes the same bytes,
/// whatever `--jobs`.
#[test]
fn a_rerun_shard_writes_identical_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = sweep_args(&["teams.t.members=2..3"], "130", &[]);
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    run_ok(
        hvsim()
            .args(&args)
            .args(["--shard", "1/2", "--jobs", "1", "--out"])
            .arg(&a),
    );
    run_ok(
        hvsim()
            .args(&args)
            .args(["--shard", "1/2", "--jobs", "3", "--out"])
            .arg(&b),
    );
    assert!(std::fs::read(&a).expect("a") == std::fs::read(&b).expect("b"));
}

/// Shards of other sweeps, a missing shard, a duplicate, a comparison's
/// shard and an edited file are refused, naming what is wrong.
#[test]
fn shards_that_do_not_make_one_sweep_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name);
    let args = sweep_args(&["teams.t.members=2..3"], "130", &[]);
    let files = shards(&args, 3, dir.path());
    let other = |name: &str, args: &[String], shard: &str| {
        let out = path(name);
        run_ok(
            hvsim()
                .args(args)
                .args(["--shard", shard, "--out"])
                .arg(&out),
        );
        out
    };
    // Other values, another seed, another parameter, another scenario.
    let values = other(
        "values.json",
        &sweep_args(&["teams.t.members=2..4"], "130", &[]),
        "1/3",
    );
    refused(
        &[files[0].clone(), values, files[2].clone()],
        &[
            "shard-0.json and",
            "values.json are of different sweeps",
            "their values differ (2 and 3 points)",
        ],
    );
    let seed = other(
        "seed.json",
        &sweep_args(&["teams.t.members=2..3"], "130", &["--seed", "9"]),
        "1/3",
    );
    refused(
        &[files[0].clone(), seed],
        &["different sweeps", "their --seed differ (1 and 9)"],
    );
    let param = other(
        "param.json",
        &sweep_args(&["strategies.0.order=fifo,criticality"], "130", &[]),
        "1/3",
    );
    refused(
        &[files[0].clone(), param],
        &["their swept parameters differ (`teams.t.members` and `strategies.0.order`)"],
    );
    let edited = crate::edited_copy(
        dir.path(),
        SCENARIO,
        "other.yaml",
        &[("reinstall: exp(2h)", "reinstall: exp(3h)")],
    );
    let mut on_edited = sweep_args(&["teams.t.members=2..3"], "130", &[]);
    on_edited[1] = edited;
    let content = other("content.json", &on_edited, "1/3");
    refused(
        &[files[0].clone(), content, files[2].clone()],
        &["their scenarios differ (same name `exponential work, c = 4 teams`, different content"],
    );
    // With and without --reasons: the same fingerprint, other metrics.
    let reasons = other(
        "reasons.json",
        &sweep_args(&["teams.t.members=2..3"], "130", &["--reasons"]),
        "1/3",
    );
    refused(
        &[files[0].clone(), reasons, files[2].clone()],
        &["are of different sweeps: their metrics differ"],
    );
    // The same scenario at another path is the same sweep.
    let moved = crate::edited_copy(dir.path(), SCENARIO, "moved.yaml", &[]);
    let mut on_moved = args.clone();
    on_moved[1] = moved;
    let same = other("moved.json", &on_moved, "1/3");
    let (code, _, stderr) = merge(&[files[0].clone(), same, files[2].clone()], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    // A missing shard, a duplicate, the same file twice.
    refused(
        &[files[0].clone(), files[2].clone()],
        &["missing shard(s): 1/3"],
    );
    let copy = path("copy.json");
    std::fs::copy(&files[1], &copy).expect("copy");
    refused(
        &[files[0].clone(), files[1].clone(), copy, files[2].clone()],
        &[
            "shard-1.json and",
            "copy.json are both shard 1/3; give each shard once",
        ],
    );
    refused(&[files[0].clone(), files[0].clone()], &["is given twice"]);
    // Another split.
    let split = other("split.json", &args, "1/2");
    refused(
        &[files[0].clone(), split],
        &["split the sweep into different numbers of shards"],
    );
    // A comparison's shard among a sweep's, and the other way round.
    let compare = path("compare.json");
    run_ok(
        hvsim()
            .args([
                "compare", SCENARIO, "--runs", "130", "--shard", "1/3", "--out",
            ])
            .arg(&compare),
    );
    refused(
        &[files[0].clone(), compare.clone()],
        &["it is a shard of `hvsim compare`"],
    );
    refused(
        &[compare, files[0].clone()],
        &["it is a shard of `hvsim sweep`"],
    );
    // An edited value.
    let text = std::fs::read_to_string(&files[1]).expect("read");
    let forged = path("forged.json");
    std::fs::write(
        &forged,
        text.replacen(
            "\"values\": [\n        2\n",
            "\"values\": [\n        5\n",
            1,
        ),
    )
    .expect("write");
    refused(
        &[files[0].clone(), forged, files[2].clone()],
        &["forged.json", "the file was edited"],
    );
    // Charts need a sweep's shards.
    let (code, _, stderr) = merge(&files[..1], &["--preset", "slide"]);
    assert_eq!(code, Some(2), "{stderr}");
}

/// `--shard` needs `--out` and leaves the charts to the merge.
#[test]
fn a_sweep_shard_needs_out_and_leaves_charts_to_the_merge() {
    let args = sweep_args(&["teams.t.members=2..3"], "10", &[]);
    let out = hvsim()
        .args(&args)
        .args(["--shard", "0/2"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
    let out = hvsim()
        .args(&args)
        .args(["--shard", "0/2", "--out", "x.json", "--svg", "charts"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--svg"));
    assert!(
        !Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("x.json")
            .exists()
    );
}

/// `--out` without `--shard` writes the whole sweep as its one shard and
/// still prints the table; merging that file prints it again.
#[test]
fn out_alone_writes_the_whole_sweep_and_prints_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = sweep_args(&["teams.t.members=2..3"], "70", &[]);
    let text = run_ok(hvsim().args(&args)).stdout;
    let file = dir.path().join("whole.json");
    let out = run_ok(hvsim().args(&args).arg("--out").arg(&file));
    assert!(out.stdout == text, "--out changed the table");
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote sweep shard 0/1"));
    let (code, merged, stderr) = merge(&[file], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(merged == text);
}

/// A sweep shard file changed anywhere (one byte replaced, or cut short)
/// is refused or, where the change is one no check can see (the charts'
/// lines, a histogram count moved), read into consistent counts: never a
/// panic.
#[test]
fn damaged_sweep_shards_never_panic() {
    use proptest::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let args = sweep_args(&["teams.t.members=2..3"], "70", &["--reasons"]);
    let file = &shards(&args, 2, dir.path())[0];
    let bytes = std::fs::read(file).expect("read");
    assert!(hvsim::montecarlo::sweep_shard::parse("ok.json", &bytes).is_ok());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    let change = (0..bytes.len(), any::<u8>(), any::<bool>());
    runner
        .run(&change, |(at, byte, cut)| {
            let mut damaged = bytes.clone();
            if cut {
                damaged.truncate(at);
            } else {
                damaged[at] = byte;
            }
            if let Ok(s) = hvsim::montecarlo::sweep_shard::parse("damaged.json", &damaged) {
                prop_assert!(!cut || damaged.len() + 2 > bytes.len());
                for (_, p) in &s.points {
                    for st in p.comparison.strategies.iter().flat_map(|x| &x.stats) {
                        prop_assert_eq!(st.hist.len(), st.moments.n);
                    }
                }
            }
            Ok(())
        })
        .expect("no panic, and only consistent files read");
}
