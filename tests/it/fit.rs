//! `hvsim fit`: a synthetic curve made by hvsim itself with known values
//! is recovered within the stated uncertainty (a whole-number grid and a
//! real-valued search), the 2018 scenario is fitted to its press release,
//! bad curves get located errors, the result does not depend on `--jobs`,
//! the chart and the fitted file are written, and every bundled scenario
//! can be fitted with the defaults. Run counts are small: the whole module
//! takes a few seconds of CPU in a debug build.

use std::path::Path;

use hvsim::scenario::{Document, Format};
use serde_json::{Value, json};

use crate::{bundled_scenario_files, hvsim, hvsim_json, run_ok, without_bugs};

const SMALL: &str = "tests/fixtures/fit-small.yaml";

/// The median (nearest rank) of `xs`.
fn median(mut xs: Vec<usize>) -> usize {
    xs.sort_unstable();
    xs[(xs.len().div_ceil(2)).max(1) - 1]
}

/// The synthetic curve: `fit-small.yaml` with `path` set to `value`, run
/// over 41 seeds that the fit does not use, as `after,restored` rows of
/// the median apps back `hours` after the strike.
fn synthetic_curve(dir: &Path, path: &str, value: Value, hours: &[u64]) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SMALL))
        .expect("fixture");
    let mut doc = Document::parse(&text, SMALL, Format::Yaml).expect("parses");
    let path: Vec<String> = path.split('.').map(str::to_string).collect();
    doc.set(&path, value).expect("set");
    let scenario = doc.load(SMALL).expect("loads");
    let strategy = scenario.default_strategy();
    let runs: Vec<hvsim::Outcome> = (1000..1041)
        .map(|seed| hvsim::simulate(&scenario, strategy, seed).expect("runs"))
        .collect();
    let mut csv = String::from("after,restored\n");
    for &h in hours {
        let counts = runs
            .iter()
            .map(|o| {
                let inc = &o.incidents[0];
                inc.restored_at(
                    inc.at
                        .saturating_add(hvsim::sim::SimDuration::from_hours(h)),
                )
            })
            .collect();
        csv.push_str(&format!("{h}h,{}\n", median(counts)));
    }
    let file = dir.join("observed.csv");
    std::fs::write(&file, csv).expect("written");
    file.to_string_lossy().into_owned()
}

/// The best value and range of parameter `k` of a `--json` fit.
fn best(doc: &Value, k: usize) -> (f64, f64, f64) {
    let b = &doc["best"][k];
    let f = |key: &str| b[key].as_f64().expect("a number");
    (f("value"), f("low"), f("high"))
}

#[test]
fn a_synthetic_team_size_is_recovered_within_its_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let curve = synthetic_curve(dir.path(), "teams.ops.members", json!(5), &[3, 6, 9, 12]);
    let doc = hvsim_json(&[
        "fit",
        SMALL,
        "--curve",
        &curve,
        "--param",
        "teams.ops.members=2..10",
        "--runs",
        "30",
        "--json",
    ]);
    assert_eq!(doc["schema"], "hvsim.fit/1");
    assert_eq!(doc["search"], "grid");
    assert_eq!(doc["candidates"].as_array().map(Vec::len), Some(9));
    let (value, low, high) = best(&doc, 0);
    assert!(
        (low..=high).contains(&5.0),
        "5 engineers within {low}..{high} (best {value})"
    );
    assert!((4.0..=6.0).contains(&value), "best {value}");
    // The range says something: it rules out most of the grid.
    assert!(high - low <= 2.0, "{low}..{high}");
    assert!(doc["distance"].as_f64().expect("distance") < 2.0, "{doc}");
}

#[test]
fn a_synthetic_work_scale_is_recovered_by_the_real_search() {
    let dir = tempfile::tempdir().expect("tempdir");
    let curve = synthetic_curve(dir.path(), "teams.ops.members", json!(5), &[4, 8, 12]);
    let doc = hvsim_json(&[
        "fit",
        SMALL,
        "--curve",
        &curve,
        "--param",
        "apps.*.work.reinstall.scale=0.4..2.5",
        "--runs",
        "20",
        "--json",
    ]);
    assert_eq!(doc["search"], "coordinate search");
    let (value, low, high) = best(&doc, 0);
    assert!(
        (low..=high).contains(&1.0),
        "scale 1 within {low}..{high} (best {value})"
    );
    assert!((0.8..=1.25).contains(&value), "best {value}");
    assert!(
        high - low < 0.6,
        "a range narrower than the search: {low}..{high}"
    );
}

#[test]
fn the_2018_scenario_fits_its_press_release_with_about_its_team() {
    // 50 of the 120 apps still down at midday on 28 Dec: the scenario's
    // 8 engineers were calibrated to it (tests/it/calibration.rs), and the
    // fit finds a team of about that size, with a range that excludes a
    // half-size or double-size team.
    let doc = hvsim_json(&[
        "fit",
        "--curve",
        "tests/fixtures/fit-press-release.csv",
        "--param",
        "teams.dtsi.members=4..16",
        "--runs",
        "12",
        "--json",
    ]);
    let (value, low, high) = best(&doc, 0);
    assert!((7.0..=9.0).contains(&value), "best {value}");
    assert!(low > 4.0 && high < 16.0, "{low}..{high}");
    assert!(doc["distance"].as_f64().expect("distance") <= 5.0, "{doc}");
    assert_eq!(doc["unit"], "apps");
    let p = &doc["points"][0];
    assert_eq!(p["at"]["date"], "2018-12-28T12:00:00+11:00");
    let verdict = doc["verdict"].as_str().expect("verdict");
    assert!(
        verdict.starts_with(
            "The points of tests/fixtures/fit-press-release.csv are best matched with teams.dtsi.members = "
        ),
        "{verdict}"
    );
}

#[test]
fn close_candidates_of_a_search_are_listed_with_the_digits_that_tell_them_apart() {
    // The real search refines around 1: at three significant digits
    // several of its best candidates read the same (1.01 and 1.01).
    let out = hvsim()
        .args([
            "fit",
            "--curve",
            "tests/fixtures/fit-press-release.csv",
            "--param",
            "apps.*.work.reinstall.scale=0.5..3",
            "--runs",
            "20",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let table = text
        .split_once("Best candidates")
        .expect("the table")
        .1
        .lines()
        .skip(2);
    let values: Vec<&str> = table
        .map(|l| l.split_whitespace().next().expect("a value"))
        .collect();
    assert_eq!(values.len(), 10, "{text}");
    let mut distinct = values.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), values.len(), "{values:?}");
    assert!(values.iter().any(|v| v.len() > 4), "{values:?}");
}

fn fails_with(args: &[&str], code: i32, expected: &str) {
    let out = hvsim().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{args:?}: expected `{expected}` in {stderr}"
    );
}

#[test]
fn bad_curves_and_params_get_located_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "date,restored\n2018-12-28 12:00,lots\n",
            "bad.csv:2:18: `lots`: expected a count of apps",
        ),
        (
            "date,restored\nChristmas,70\n",
            "bad.csv:2:1: `Christmas`: expected a local date-time",
        ),
        (
            "date,restored\n2018-12-28 12:00,70,3\n",
            "bad.csv:2:1: expected two fields",
        ),
        (
            "2018-12-27 12:00,20\n2018-12-28 12:00,55 %\n",
            "bad.csv:2:18: `55 %` is a share, but line 1 gave a count",
        ),
        (
            "date,restored\n2017-01-01 00:00,3\n",
            "bad.csv:2:1: `2017-01-01 00:00` is before the scenario starts",
        ),
        ("# nothing\n", "no observed point"),
        // Points no run can be held to: after the horizon, more apps than
        // the scenario has.
        (
            "date,restored\n2019-06-01 00:00,3\n",
            "bad.csv:2:1: `2019-06-01 00:00` is after the scenario's horizon",
        ),
        (
            "date,restored\n400d,3\n",
            "bad.csv:2:1: 400d after the strike is beyond",
        ),
        (
            "date,restored\n2018-12-28 12:00,500\n",
            "bad.csv:2:1: 500 apps restored, but scenario",
        ),
    ];
    for (text, expected) in cases {
        let file = dir.path().join("bad.csv");
        std::fs::write(&file, text).expect("written");
        let f = file.to_string_lossy();
        fails_with(&["fit", "--curve", &f, "--runs", "2"], 2, expected);
    }
    // A time the clocks skip (Paris, 28 March 2021) is no time at all.
    let gap = dir.path().join("gap.csv");
    std::fs::write(&gap, "date,restored\n2021-03-28 02:30,100\n").expect("written");
    fails_with(
        &[
            "fit",
            "scenarios/incidents/ovhcloud-strasbourg-2021.yaml",
            "--curve",
            &gap.to_string_lossy(),
            "--runs",
            "2",
        ],
        2,
        "gap.csv:2:1: `2021-03-28 02:30` does not exist in Europe/Paris",
    );
    let ok = "tests/fixtures/fit-press-release.csv";
    fails_with(
        &["fit", "--curve", ok, "--param", "teams.ops.members=1..3"],
        2,
        "--param teams.ops.members=1..3: `teams.ops`: no item with id `ops`",
    );
    fails_with(
        &["fit", "--curve", ok, "--param", "teams.dtsi.members=9..3"],
        2,
        "a range is two numbers A..B with A < B",
    );
    fails_with(
        &["fit", "--curve", "no/such.csv"],
        1,
        "no/such.csv: cannot read the observed curve",
    );
}

#[test]
fn a_fit_is_the_same_whatever_jobs_and_writes_its_chart_and_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let curve = synthetic_curve(dir.path(), "teams.ops.members", json!(4), &[4, 10]);
    let run = |jobs: &str, extra: &[&str]| {
        let mut args = vec![
            "fit",
            SMALL,
            "--curve",
            &curve,
            "--param",
            "teams.ops.members=3..6",
            "--runs",
            "20",
            "--jobs",
            jobs,
        ];
        args.extend_from_slice(extra);
        let out = hvsim().args(&args).output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let svg_dir = dir.path().join("svg");
    let fitted = dir.path().join("fitted.yaml");
    let (s, f) = (svg_dir.to_string_lossy(), fitted.to_string_lossy());
    let one = run("1", &[]);
    let three = run("3", &["--svg", &s, "--out", &f]);
    assert_eq!(one, three, "the report does not depend on --jobs");
    let text = String::from_utf8(one).expect("utf-8");
    assert!(text.starts_with("The points of "), "{text}");
    // The chart: valid SVG with the band, the median and one dot a point.
    let svg = std::fs::read_to_string(svg_dir.join("fit.svg")).expect("chart written");
    let parsed = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default());
    assert!(parsed.is_ok(), "valid SVG");
    assert_eq!(
        svg.matches("<circle").count(),
        2,
        "one dot per observed point"
    );
    assert!(svg.contains("class=\"band\"") && svg.contains("hours since the strike"));
    // The fitted file: the best value set, loadable, with its header.
    let yaml = std::fs::read_to_string(&fitted).expect("fitted file written");
    assert!(
        yaml.starts_with("# tests/fixtures/fit-small.yaml fitted to "),
        "{yaml}"
    );
    assert!(
        yaml.contains("# Command: hvsim fit tests/fixtures/fit-small.yaml"),
        "{yaml}"
    );
    let scenario = hvsim::Scenario::from_path(&fitted).expect("the fitted file loads");
    let doc: Value = serde_json::from_slice(&run("1", &["--json"])).expect("json");
    let members = doc["best"][0]["value"].as_f64().expect("value");
    let doc = Document::read(&fitted).expect("reads");
    assert_eq!(doc.value()["teams"][0]["members"].as_f64(), Some(members));
    assert_eq!(scenario.name, "fit fixture, 40 reinstalls");
}

#[test]
fn every_bundled_scenario_can_be_fitted_with_the_defaults() {
    // Half of the apps hit back a day after the strike; the default
    // parameter is the first team's size.
    let dir = tempfile::tempdir().expect("tempdir");
    let curve = dir.path().join("half.csv");
    std::fs::write(&curve, "after,restored\n1d,50 %\n").expect("written");
    let c = curve.to_string_lossy();
    for file in bundled_scenario_files() {
        let doc = hvsim_json(&["fit", &file, "--curve", &c, "--runs", "3", "--json"]);
        assert_eq!(doc["unit"], "share", "{file}");
        let name = doc["best"][0]["param"].as_str().expect("param");
        assert!(
            name.starts_with("teams.") && name.ends_with(".members"),
            "{file}: {name}"
        );
        assert!(
            doc["verdict"]
                .as_str()
                .is_some_and(|v| v.starts_with("The points of"))
        );
    }
}

#[test]
fn two_parameters_that_trade_off_are_recovered_jointly_and_their_ridge_is_reported() {
    // The model itself at 5 engineers and reinstall scale 1: the curve's
    // slope is the team's size over the work, so 4 engineers at a shorter
    // reinstall fit nearly as well as 6 at a longer one.
    let dir = tempfile::tempdir().expect("tempdir");
    let curve = synthetic_curve(dir.path(), "teams.ops.members", json!(5), &[3, 6, 9, 12]);
    let joint = |jobs: &str| {
        let params = [
            "teams.ops.members=2..10",
            "apps.*.work.reinstall.scale=0.4..2.5",
        ];
        let mut args = vec!["fit", SMALL, "--curve", &curve, "--runs", "10", "--json"];
        args.extend(["--jobs", jobs]);
        args.extend(params.iter().flat_map(|p| ["--param", p]));
        hvsim_json(&args)
    };
    let doc = joint("1");
    assert_eq!(
        doc,
        joint("3"),
        "the joint search does not depend on --jobs"
    );
    assert_eq!(doc["search"], "coordinate search");
    let count = |key: &str| doc[key].as_u64().expect("a count");
    assert!(count("profiled") > 0, "{doc}");
    assert!(count("refined") <= count("refine_max"), "{doc}");
    // The truth is within each reported range ...
    let (members, m_low, m_high) = best(&doc, 0);
    let (scale, s_low, s_high) = best(&doc, 1);
    assert!(
        (m_low..=m_high).contains(&5.0) && (s_low..=s_high).contains(&1.0),
        "5 engineers within {m_low}..{m_high}, scale 1 within {s_low}..{s_high} (best {members} at {scale})"
    );
    // ... and a not-worse candidate is at it (within the search's step).
    let candidates = doc["candidates"].as_array().expect("candidates");
    let near_truth = candidates.iter().any(|c| {
        let v = |i: usize| c["values"][i].as_f64().expect("a value");
        c["not_worse"] == true && v(0) == 5.0 && (v(1) - 1.0).abs() <= 0.15
    });
    assert!(
        near_truth,
        "no not-worse candidate at 5 engineers, scale 1: {doc}"
    );
    // The ridge is reported, more engineers with more work, in the JSON
    // and in the verdict.
    let trades = doc["trade_offs"].as_array().expect("trade_offs");
    assert_eq!(trades.len(), 1, "{doc}");
    let t = &trades[0];
    assert_eq!(
        t["params"],
        json!(["teams.ops.members", "apps.*.work.reinstall.scale"])
    );
    let end = |i: usize, j: usize| t["ends"][i]["values"][j].as_f64().expect("a value");
    assert!(end(0, 0) < end(1, 0) && end(0, 1) < end(1, 1), "{t}");
    let verdict = doc["verdict"].as_str().expect("verdict");
    assert!(
        verdict.contains(
            "teams.ops.members and apps.*.work.reinstall.scale trade off (the more of one, the more of the other)"
        ),
        "{verdict}"
    );
    assert!(
        verdict.contains("not significantly worse than the best"),
        "{verdict}"
    );
    assert!(!verdict.contains("no other value tried"), "{verdict}");
}

#[test]
fn a_single_parameter_has_no_ridge_and_no_joint_refinement() {
    let doc = hvsim_json(&[
        "fit",
        "--curve",
        "tests/fixtures/fit-press-release.csv",
        "--param",
        "teams.dtsi.members=6..10",
        "--runs",
        "5",
        "--json",
    ]);
    assert_eq!(doc["trade_offs"], json!([]));
    assert_eq!(doc["profiled"], 0);
    assert_eq!(doc["refined"], 0);
}

/// Fitting a scenario in which no outage happens (no bug, nothing fails)
/// says first that there is nothing to recover, and labels durations
/// from the scenario's start, not "after the strike" of a strike that
/// never comes.
#[test]
fn a_scenario_without_outage_says_there_is_nothing_to_recover() {
    let (dir, file) = without_bugs();
    let curve = dir.path().join("curve.csv");
    std::fs::write(&curve, "date,restored\n1d,50 %\n3d,90 %\n").expect("the curve is written");
    let charts = dir.path().join("charts");
    let out = run_ok(hvsim().args([
        "fit",
        &file,
        "--curve",
        curve.to_str().expect("a UTF-8 path"),
        "--param",
        "teams.ops.members=1..3",
        "--runs",
        "5",
        "--svg",
        charts.to_str().expect("a UTF-8 path"),
    ]));
    // The chart's axis counts from the start too, not from a strike.
    let svg = std::fs::read_to_string(charts.join("fit.svg")).expect("fit.svg is written");
    assert!(!svg.contains("since the strike"), "{svg}");
    assert!(svg.contains("since the start"), "{svg}");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        text.starts_with("No outage in this scenario: it has no bug, no scheduled outage and no random failure, so no app goes down and there is nothing to recover."),
        "{text}"
    );
    assert!(!text.contains("after the strike"), "{text}");
    assert!(text.contains("  1d after the start "), "{text}");
}
