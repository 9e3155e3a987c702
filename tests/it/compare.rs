//! `hvsim compare`: Monte Carlo over common random numbers.

use crate::{edited_copy, hvsim, hvsim_json, run_ok, without_bugs};

use serde_json::Value;

pub(crate) fn compare(args: &[&str]) -> Value {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    all.push("--json");
    hvsim_json(&all)
}

pub(crate) fn metric<'a>(doc: &'a Value, strategy: &str, name_prefix: &str) -> &'a Value {
    doc["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .find(|s| s["id"] == strategy)
        .expect("strategy")["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| {
            m["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(name_prefix))
        })
        .expect("metric")
}

#[test]
fn the_result_does_not_depend_on_the_number_of_threads() {
    // 150 runs: two full blocks and a partial one.
    let one = compare(&["--runs", "150", "--jobs", "1", "--seed", "4"]);
    let two = compare(&["--runs", "150", "--jobs", "2", "--seed", "4"]);
    let three = compare(&["--runs", "150", "--jobs", "3", "--seed", "4"]);
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert_eq!(one["runs"], 150);
    assert_eq!(
        metric(&one, "as-in-2018", "incident 2").get("reached"),
        Some(&Value::from(150))
    );
}

#[test]
fn common_random_numbers_make_paired_intervals_narrower_than_unpaired_ones() {
    let doc = compare(&[
        "--runs",
        "400",
        "--strategies",
        "as-in-2018,reinstall-by-criticality",
    ]);
    let name = "incident 2 (socle-2018-b): 90 % back";
    let a = metric(&doc, "as-in-2018", name);
    let b = metric(&doc, "reinstall-by-criticality", name);
    let ci = |m: &Value| m["ci95"].as_f64().expect("ci");
    let unpaired = (ci(a).powi(2) + ci(b).powi(2)).sqrt();
    let paired = b["diff_vs_first"]["ci95"].as_f64().expect("paired ci");
    assert!(
        paired < unpaired / 2.0,
        "paired CI ±{paired:.3} h is not much narrower than unpaired ±{unpaired:.3} h"
    );
}

#[test]
fn the_report_names_strategies_and_gives_verdicts() {
    let out = hvsim()
        .args([
            "compare",
            "--runs",
            "200",
            "--strategies",
            "as-in-2018,restart-anyway",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("200 replications of as-in-2018, restart-anyway"),
        "{text}"
    );
    // Restarting into a recurring bug is worse, and the report says so.
    assert!(
        text.contains("incident 2 (socle-2018-b): 90 % back: restart-anyway is")
            && text.contains("later than as-in-2018"),
        "{text}"
    );
    // Incident 1 is recovered the same way by both.
    assert!(
        text.contains("incident 1 (socle-2018-a): 100 % back: restart-anyway and as-in-2018 are identical in every replication"),
        "{text}"
    );
}

#[test]
fn bad_arguments_are_input_errors() {
    for args in [
        &["compare", "--runs", "0"][..],
        &["compare", "--strategies", "nope"][..],
    ] {
        let out = hvsim().args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn sharded_then_merged_equals_unsharded_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = hvsim()
        .args(["compare", "--runs", "300", "--seed", "9", "--json"])
        .output()
        .expect("runs");
    assert!(whole.status.success());
    let mut files = Vec::new();
    // Shards in an odd order, one of them empty-ish at the edge.
    for i in [2, 0, 1] {
        files.push(write_shard(
            dir.path(),
            &["compare", "--runs", "300", "--seed", "9"],
            (i, 3),
        ));
    }
    assert_eq!(merged_json(&files), String::from_utf8_lossy(&whole.stdout));
    // The text report too.
    let whole_text = hvsim()
        .args(["compare", "--runs", "300", "--seed", "9"])
        .output()
        .expect("runs");
    let merged_text = hvsim().arg("merge").args(&files).output().expect("runs");
    assert_eq!(whole_text.stdout, merged_text.stdout);

    // A missing shard is an error that names it.
    let partial = hvsim()
        .arg("merge")
        .args(&files[..2])
        .output()
        .expect("runs");
    assert_eq!(partial.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("missing shard(s): 1/3"));

    // A shard drawn from other random streams (an older build) is refused,
    // with the reason.
    let text = std::fs::read_to_string(&files[0]).expect("shard");
    assert!(text.contains("\"hvsim.shard/4\""));
    std::fs::write(&files[0], text.replace("hvsim.shard/4", "hvsim.shard/1")).expect("write");
    let old = hvsim().arg("merge").args(&files).output().expect("runs");
    assert_eq!(old.status.code(), Some(2));
    let err = String::from_utf8_lossy(&old.stderr);
    assert!(err.contains("random streams differ"), "{err}");
    // So is one of the previous version, which lacks the DR use of the
    // first runs that the merged charts draw.
    std::fs::write(&files[0], text.replace("hvsim.shard/4", "hvsim.shard/3")).expect("write");
    let old = hvsim().arg("merge").args(&files).output().expect("runs");
    assert_eq!(old.status.code(), Some(2));
    let err = String::from_utf8_lossy(&old.stderr);
    assert!(
        err.contains("schema `hvsim.shard/3`, expected `hvsim.shard/4`")
            && err.contains("without the DR site's use in the first runs"),
        "{err}"
    );
    // And the documents say which streams they come from.
    let doc: serde_json::Value = serde_json::from_slice(&whole.stdout).expect("json");
    assert_eq!(doc["streams"], hvsim::sim::STREAM_VERSION);
}

#[test]
fn sweep_shows_what_each_extra_engineer_buys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("sweep.csv");
    let out = run_ok(
        hvsim()
            .args([
                "sweep",
                "--set",
                "teams.dtsi.members=6..8",
                "--strategies",
                "as-in-2018",
                "--runs",
                "64",
                "--json",
                "--csv",
            ])
            .arg(&csv),
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 3);
    let means: Vec<f64> = points
        .iter()
        .map(|p| {
            metric(&p["comparison"], "as-in-2018", "mean downtime")["mean"]
                .as_f64()
                .expect("mean")
        })
        .collect();
    assert!(means[0] > means[1] && means[1] > means[2], "{means:?}");
    assert_eq!(points[2]["point"]["teams.dtsi.members"], 8);
    // The CSV holds every metric of every point: a header and 3 × 13 rows
    // (10 recovery metrics, data loss, 2 objectives).
    let text = std::fs::read_to_string(&csv).expect("csv written");
    assert_eq!(text.lines().count(), 1 + 3 * 13);
    assert!(text.starts_with("teams.dtsi.members,strategy,metric,unit,mean,"));

    // A value the scenario rejects is named by its field, without a line
    // number into the generated document.
    let invalid = hvsim()
        .args(["sweep", "--set", "teams.dtsi.members=1..2", "--runs", "10"])
        .output()
        .expect("runs");
    assert_eq!(invalid.status.code(), Some(2));
    let err = String::from_utf8_lossy(&invalid.stderr);
    assert!(
        err.contains("with teams.dtsi.members=1: teams[0].holidays[0].members: 2 members on duty is more than the team's 1"),
        "{err}"
    );

    let bad = hvsim()
        .args([
            "sweep",
            "--set",
            "teams.nobody.members=1..2",
            "--runs",
            "10",
        ])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no item with id `nobody`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn exponential_work_with_c_teams_matches_the_closed_form() {
    // See tests/fixtures/exp-queue.yaml for the derivation.
    let doc = compare(&["tests/fixtures/exp-queue.yaml", "--runs", "4000"]);
    for (name, expected_h) in [
        ("first app back", 0.5),
        ("50 % back", 5.0),
        ("90 % back", 8.5 + 1.0 / 1.5),
        ("100 % back", 8.5 + 1.0 / 1.5 + 1.0 + 2.0),
    ] {
        let m = metric(&doc, "reinstall", &format!("incident 1 (all-down): {name}"));
        let mean = m["mean"].as_f64().expect("mean");
        let ci = m["ci95"].as_f64().expect("ci");
        assert!(ci < 0.05 * expected_h, "{name}: CI ±{ci} too wide");
        assert!(
            (mean - expected_h).abs() <= 2.0 * ci,
            "{name}: simulated {mean:.3} h ± {ci:.3}, closed form {expected_h:.3} h"
        );
    }
}

#[test]
fn in_2018_a_dependency_aware_order_beats_fifo_on_mean_downtime() {
    let doc = compare(&[
        "--runs",
        "300",
        "--strategies",
        "as-in-2018,reinstall-dependency-aware,reinstall-shortest-first",
    ]);
    let diff = |s: &str| {
        let d = &metric(&doc, s, "mean downtime")["diff_vs_first"];
        (
            d["mean"].as_f64().expect("mean"),
            d["ci95"].as_f64().expect("ci"),
        )
    };
    // Shortest work first, gated on dependencies: hours sooner, significantly.
    let (mean, ci) = diff("reinstall-dependency-aware");
    assert!(
        mean + ci < -1.0,
        "dependency-aware vs fifo: {mean:.2} h ± {ci:.2}"
    );
    // Plain shortest-first falls into the dependency trap: web sites and
    // e-services are reinstalled before the directory they need.
    let (mean, ci) = diff("reinstall-shortest-first");
    assert!(
        mean - ci > 1.0,
        "shortest-first vs fifo: {mean:.2} h ± {ci:.2}"
    );
}

/// The 2018 scenario's illustrative objectives: restoring last night's
/// backups meets the three-day objective for internet services almost
/// always; reinstalling by hand (as in 2018) almost never. Data loss is
/// reported, and the same for both (both go back to last night's backup).
#[test]
fn compare_reports_the_probability_of_meeting_each_objective_and_data_loss() {
    let doc = compare(&[
        "--strategies",
        "as-in-2018,restore-from-backup",
        "--runs",
        "100",
    ]);
    let name = "objective internet services within three days";
    let p_2018 = metric(&doc, "as-in-2018", name)["mean"]
        .as_f64()
        .expect("mean");
    let p_restore = metric(&doc, "restore-from-backup", name)["mean"]
        .as_f64()
        .expect("mean");
    assert_eq!(metric(&doc, "as-in-2018", name)["unit"], "%");
    assert_eq!(metric(&doc, "as-in-2018", name)["kind"], "share");
    assert_eq!(
        metric(&doc, "restore-from-backup", name)["diff_vs_first"]["unit"],
        "pp"
    );
    assert!(p_2018 < 10.0, "as in 2018: {p_2018} %");
    assert!(p_restore > 90.0, "restore: {p_restore} %");
    let loss = metric(&doc, "restore-from-backup", "worst data loss");
    // Backups at 22:00, strike at 23:40 on 25 Dec; internal apps were
    // restarted without loss: the worst loss is under a day.
    let worst = loss["max"].as_f64().expect("max");
    assert!((1.0..24.0).contains(&worst), "{worst} h");
}

#[test]
fn the_sweep_table_shows_the_headline_metrics() {
    let out = hvsim()
        .args(["sweep", "--set", "teams.dtsi.members=8", "--runs", "5"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // One block per headline metric, each titled by the metric.
    let titles: Vec<&str> = text
        .lines()
        .filter(|l| l.ends_with("(mean ± 95 % CI)"))
        .collect();
    for metric in [
        "incident 2 (socle-2018-b): 90 % back",
        "mean downtime per app down",
        "weighted impact",
    ] {
        assert!(
            titles.iter().any(|t| t.starts_with(metric)),
            "no block for `{metric}` in {text}"
        );
    }
}

/// Two apps of the highest criticality, each reinstalled by its own
/// engineer over weeks: the weighted impact is 1.5–2.5 M crit·h (issue 13:
/// such values used to be clamped to 875,560.96), the first app is always
/// back after exactly 500 h (a constant metric), and an objective of
/// 190 days is met in every run.
const BIG_IMPACT: &str = r#"name: big impact
time_zone: UTC
start: 2024-01-01 00:00
horizon: 200d
builds:
  - { id: old, reboot: 10m, rebuild: 2h }
sites: [{ id: main }, { id: dr, role: dr, vcpu_per_core: 1 }]
clusters: [{ id: p, site: main }, { id: d, site: dr }]
hosts:
  - { id: h, count: 1, cluster: p, build: old, cores: 16, memory: 256GiB }
  - { id: x, count: 1, cluster: d, build: old, cores: 16, memory: 256GiB }
bugs:
  - { id: bug, builds: [old], trigger: { at: 2024-01-01 01:00 }, scope: { clusters: [p] }, effects: { corrupt_vm: 1.0 } }
apps:
  - { id: steady, tags: [all], criticality: 1000, vms: [{ cluster: p, cores: 1, memory: 1GiB }], work: { reinstall: 500h } }
  - { id: slow, tags: [all], criticality: 1000, vms: [{ cluster: p, cores: 1, memory: 1GiB }], work: { reinstall: "uniform(1000h, 2000h)" } }
teams:
  - { id: t, members: 2, shifts: ["24/7"] }
objectives:
  - { name: everything within 190 days, tags: [all], rto: 190d }
strategies:
  - { id: s, detection: 0s, diagnosis: 0s, methods: [reinstall], order: fifo }
"#;

fn big_impact(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("big-impact.yaml");
    std::fs::write(&path, BIG_IMPACT).expect("write");
    path.display().to_string()
}

/// The cells of strategy `strategy`'s row in the table of the metric
/// named `metric` in a text report.
fn table_row(text: &str, metric: &str, strategy: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| *l != metric);
    lines
        .find_map(|l| {
            let cells: Vec<String> = l
                .split(['│', '┆'])
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            (cells.first().map(String::as_str) == Some(strategy)).then_some(cells)
        })
        .unwrap_or_else(|| panic!("no row for {strategy} under `{metric}` in\n{text}"))
}

fn crit_hours(cell: &str) -> f64 {
    cell.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("not crit·h: {cell}"))
}

#[test]
fn weighted_impacts_above_a_million_crit_hours_are_not_clamped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = big_impact(&dir);
    let out = hvsim()
        .args(["compare", &file, "--runs", "200", "--seed", "4"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // strategy, mean ± CI, min, p50, p90, p99, max, reached
    let row = table_row(&text, "weighted impact (Σ criticality × downtime)", "s");
    let mean = crit_hours(&row[1]);
    let max = crit_hours(&row[row.len() - 2]);
    assert!(mean > 1_200_000.0, "{text}");
    assert!(max >= mean, "max {max} below the mean {mean}:\n{text}");
    assert_eq!(row.len(), 8, "{row:?}");
    let min = crit_hours(&row[2]);
    let ps: Vec<f64> = row[2..7].iter().map(|c| crit_hours(c)).collect();
    assert!(
        ps.windows(2).all(|w| w[0] <= w[1]),
        "min ≤ p50 ≤ p90 ≤ p99 ≤ max: {ps:?}"
    );
    assert!(min >= 1_500_000.0 && max <= 2_500_000.0, "{row:?}");

    // A constant metric: every quantile is the value itself.
    let row = table_row(&text, "incident 1 (bug): first app back", "s");
    assert_eq!(row[1], "20d 20h ± 0s", "{row:?}");
    for cell in &row[2..7] {
        assert_eq!(cell, "20d 20h", "min, p50, p90, p99 and max: {row:?}");
    }

    // An objective met in every run is a share of 100 %, without quantiles.
    let row = table_row(&text, "objective everything within 190 days met", "s");
    assert_eq!(row.len(), 2, "{row:?}");
    assert!(
        row[1].starts_with("100.0 % of runs (95 % CI 98."),
        "{row:?}"
    );
    assert!(row[1].ends_with("–100.0 %)"), "{row:?}");
    assert!(!text.contains("99.98"), "{text}");
}

#[test]
fn shards_keep_the_exact_min_and_max() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = big_impact(&dir);
    let args = ["compare", &file, "--runs", "130", "--seed", "5"];
    let whole = run_ok(hvsim().args(args).arg("--json"));
    let mut files = Vec::new();
    for i in 0..2 {
        let path = write_shard(dir.path(), &args, (i, 2));
        // The shard holds the exact min and max, in whole milliseconds.
        let shard: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let first_back = shard["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .position(|m| m["name"] == "incident 1 (bug): first app back")
            .expect("metric");
        let stat = &shard["strategies"][0]["stats"][first_back];
        assert_eq!(stat["min"], "1800000000", "{stat}");
        assert_eq!(stat["max"], "1800000000", "{stat}");
        files.push(path);
    }
    let merged = merged_json(&files);
    assert_eq!(merged, String::from_utf8_lossy(&whole.stdout));

    let doc: Value = serde_json::from_str(&merged).expect("json");
    let first = metric(&doc, "s", "incident 1 (bug): first app back");
    for field in ["min", "p50", "p90", "p99", "max", "mean"] {
        assert_eq!(first[field], 500.0, "{field}: {first}");
    }
    let impact = metric(&doc, "s", "weighted impact");
    let get = |f: &str| {
        impact[f]
            .as_f64()
            .unwrap_or_else(|| panic!("{f}: {impact}"))
    };
    assert!(get("max") >= get("mean"), "{impact}");
    assert!(
        get("min") <= get("p50") && get("p99") <= get("max"),
        "{impact}"
    );
    assert_eq!(impact["kind"], "quantity");
    let objective = metric(&doc, "s", "objective everything");
    assert_eq!(objective["kind"], "share");
    assert_eq!(objective["mean"], 100.0);
    assert_eq!(objective["p50"], Value::Null);
    assert_eq!(objective["share_ci95"][1], 100.0);
}

/// Differences of shares are in percentage points, signed.
#[test]
fn differences_of_shares_are_in_percentage_points() {
    let out = run_ok(hvsim().args([
        "compare",
        "--strategies",
        "as-in-2018,restore-from-backup",
        "--runs",
        "30",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    let verdict = text
        .lines()
        .skip_while(|l| !l.starts_with("Paired differences"))
        .find(|l| l.contains("objective internet services within three days"))
        .unwrap_or_else(|| panic!("no verdict in\n{text}"));
    assert!(
        verdict.contains("restore-from-backup more often than as-in-2018, by +")
            && verdict.contains(" pp (95 % CI +"),
        "{verdict}"
    );
    assert!(!verdict.replace("95 % CI", "").contains(" %"), "{verdict}");
    // A difference of shares never exceeds 100 pp, even at the CI's ends.
    let hi: f64 = verdict
        .rsplit(" to +")
        .next()
        .and_then(|rest| rest.split(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no upper bound in {verdict}"));
    assert!(hi <= 100.0, "{verdict}");
}

/// The HTML report shows objectives as shares of runs and their
/// differences in percentage points, like the text report.
#[test]
fn the_html_report_shows_objectives_as_shares() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.html");
    run_ok(
        hvsim()
            .args([
                "report",
                "--runs",
                "20",
                "--strategies",
                "as-in-2018,restore-from-backup",
                "-o",
            ])
            .arg(&path),
    );
    let html = std::fs::read_to_string(&path).expect("report");
    assert!(
        html.contains("<td class=\"num\">100.0 % of runs (95 % CI 83.9–100.0 %)</td>"),
        "no share cell"
    );
    assert!(
        html.contains("restore-from-backup more often than as-in-2018, by +"),
        "no verdict in pp"
    );
    assert!(!html.contains("99.98"));
}

/// Runs `hvsim ARGS --shard I/N --out DIR/shard-I.json`, which must
/// succeed, and returns the shard file's path.
fn write_shard(dir: &std::path::Path, args: &[&str], (i, n): (u32, u32)) -> std::path::PathBuf {
    let path = dir.join(format!("shard-{i}.json"));
    run_ok(
        hvsim()
            .args(args)
            .arg("--shard")
            .arg(format!("{i}/{n}"))
            .arg("--out")
            .arg(&path),
    );
    path
}

/// `hvsim merge FILES --json`, which must succeed: its standard output.
fn merged_json(files: &[std::path::PathBuf]) -> String {
    let merged = run_ok(hvsim().arg("merge").args(files).arg("--json"));
    String::from_utf8_lossy(&merged.stdout).into_owned()
}

/// A bug's milestones are measured from its own first strike, whatever the
/// order in which the bugs strike: here the bug declared second strikes
/// first, on a host whose cluster has no room for HA, so its apps wait for
/// a diagnosis (at least an hour), while the first bug's apps come back by
/// HA restart within minutes. (Once the k-th metric took the run's k-th
/// incident in time order, which swapped the two.)
#[test]
fn each_bug_reports_its_own_first_incident() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/ha-single-host-crash.yaml"),
    )
    .expect("read");
    let one_host = "hosts: [prod-03, legacy-02]";
    assert!(text.contains(one_host));
    let second_bug = "  - id: legacy-disk-psod
    builds: [esxi-8.0u2]
    trigger:
      at: 2024-10-08 09:00
    scope:
      hosts: [legacy-02]
    effects:
      crash: true

apps:";
    let text = text.replacen(one_host, "hosts: [prod-03]", 1).replacen(
        "\napps:",
        &format!("\n{second_bug}"),
        1,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("two-bugs.yaml");
    std::fs::write(&file, text).expect("write");
    let doc = compare(&[
        file.to_str().expect("utf-8"),
        "--strategies",
        "ha-then-restart",
        "--runs",
        "8",
    ]);
    let first = |bug: &str| {
        metric(&doc, "ha-then-restart", &format!("incident {bug}"))["max"]
            .as_f64()
            .expect("reached in every run")
    };
    assert!(first("1 (nic-driver-psod)") < 0.5, "{doc:#}");
    assert!(first("2 (legacy-disk-psod)") >= 1.0, "{doc:#}");
}

/// `compare --set PATH=VALUE` is the comparison of the file with that one
/// change written in (a value with a comma included), and a sharded run
/// with the change merges to the unsharded one.
#[test]
fn compare_set_is_the_edited_file() {
    let file = "scenarios/ha-single-host-crash.yaml";
    let dir = tempfile::tempdir().expect("tempdir");
    let path = edited_copy(
        dir.path(),
        file,
        "edited.yaml",
        &[
            ("members: 3", "members: 1"),
            ("\"Mon-Fri 08:00-18:00\"", "\"Sat,Sun 09:00-13:00\""),
        ],
    );
    let run = ["--runs", "64", "--seed", "3"];
    let mut with_sets = vec![
        file,
        "--set",
        "teams.ops.members=1",
        "--set",
        "teams.ops.shifts.0=Sat,Sun 09:00-13:00",
    ];
    with_sets.extend_from_slice(&run);
    let mut on_file = vec![path.as_str()];
    on_file.extend_from_slice(&run);
    let (a, b) = (compare(&with_sets), compare(&on_file));
    assert_eq!(a["strategies"], b["strategies"]);
    assert_ne!(
        a["strategies"],
        compare(&[&[file][..], &run[..]].concat())["strategies"]
    );

    // Sharded with the same changes, then merged: the same report.
    let mut shards = Vec::new();
    for i in 0..2 {
        let out = dir.path().join(format!("shard-{i}.json"));
        let shard = format!("{i}/2");
        let mut args = vec!["compare"];
        args.extend_from_slice(&with_sets);
        args.extend_from_slice(&["--shard", &shard, "--out", out.to_str().expect("utf-8")]);
        run_ok(hvsim().args(&args));
        shards.push(out);
    }
    let merged: Value = serde_json::from_str(&merged_json(&shards)).expect("json");
    assert_eq!(merged["strategies"], a["strategies"]);

    // A path that is not in the file is bad input, named.
    let out = hvsim()
        .args([
            "compare",
            file,
            "--runs",
            "8",
            "--set",
            "teams.nobody.members=2",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nobody"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The findings block opens the report, and its choices are the JSON's
/// numbers: the best strategy on mean downtime is the one with the largest
/// significant paired reduction, and each objective's strategies are listed
/// from the most often met.
#[test]
fn findings_come_first_and_agree_with_the_json() {
    let args = ["--runs", "64", "--seed", "5"];
    let doc = compare(&args);
    let out = hvsim().arg("compare").args(args).output().expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let findings = text.find("\nFindings (64 runs").expect("findings");
    assert!(
        findings
            < text
                .find("\nDetail: each metric per strategy")
                .expect("detail")
    );
    assert!(
        text.lines()
            .skip(1)
            .take_while(|l| !l.starts_with("Detail"))
            .all(|l| l.chars().count() <= 100
                || l.starts_with('│')
                || l.starts_with('┌')
                || l.starts_with('└')
                || l.starts_with('╞')),
        "{text}"
    );

    let strategies = doc["strategies"].as_array().expect("strategies");
    let metric = |s: &Value, name: &str| -> Value {
        s["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()
            .clone()
    };
    let name = "mean downtime per app down";
    let base = metric(&strategies[0], name)["mean"].as_f64().unwrap();
    let best = strategies[1..]
        .iter()
        .filter_map(|s| {
            let d = &metric(s, name)["diff_vs_first"];
            let (mean, ci) = (d["mean"].as_f64()?, d["ci95"].as_f64()?);
            (mean + ci < 0.0).then(|| (-mean / base, s["id"].as_str().unwrap().to_string()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("a strategy lowers the mean downtime");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("    {name}: ")))
        .expect("best line");
    assert!(
        line.starts_with(&format!("    {name}: {}, ", best.1)),
        "{line} (expected {})",
        best.1
    );

    let objective = "internet services within three days, a day of data at most";
    let share = |s: &Value| {
        metric(s, &format!("objective {objective} met"))["mean"]
            .as_f64()
            .unwrap()
    };
    let top = strategies
        .iter()
        .max_by(|a, b| share(a).total_cmp(&share(b)))
        .unwrap();
    let at = text
        .find(&format!("  P(met) {objective}:\n"))
        .expect("objective line");
    let first = text[at..].lines().nth(1).expect("shares");
    assert!(
        first.trim_start().starts_with(top["id"].as_str().unwrap()),
        "{first}"
    );
}

/// `hvsim sweep` prints one block per metric within 100 columns: points
/// down and strategies across when they fit, one row per point and
/// strategy when they do not.
#[test]
fn sweep_tables_fit_100_columns() {
    let sweep = |strategies: &str| {
        let out = run_ok(
            hvsim()
                .args([
                    "sweep",
                    "scenarios/backup-restore.yaml",
                    "--set",
                    "teams.infra.members=2..3",
                ])
                .args(["--runs", "8", "--strategies", strategies]),
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let narrow = sweep("restore-by-criticality,restore-fifo");
    let wide = sweep("restore-by-criticality,restore-fifo,reinstall-by-hand");
    for text in [&narrow, &wide] {
        for line in text.lines().skip(1) {
            assert!(
                line.chars().count() <= 100,
                "{} columns: {line}",
                line.chars().count()
            );
        }
        assert!(
            text.contains("\nmean downtime per app down (mean ± 95 % CI)\n"),
            "{text}"
        );
    }
    // Two strategies side by side; three in the long form.
    assert!(
        narrow.contains("│ teams.infra.members ┆ restore-by-criticality ┆ restore-fifo "),
        "{narrow}"
    );
    assert!(
        wide.contains("┆ strategy ")
            && wide.contains("│ 3 ")
            && wide.contains("┆ reinstall-by-hand "),
        "{wide}"
    );
}

/// A `--set` value with a comma in it (a shift on two days) is given in
/// double quotes; the quotes are removed and the comma stays.
#[test]
fn a_quoted_sweep_value_keeps_its_comma() {
    let doc = hvsim_json(&[
        "sweep",
        "--set",
        r#"teams.dtsi.shifts.0="Sat,Sun 07:00-22:00",daily 07:00-22:00"#,
        "--strategies",
        "as-in-2018",
        "--runs",
        "16",
        "--json",
    ]);
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 2);
    assert_eq!(
        points[0]["point"]["teams.dtsi.shifts.0"],
        "Sat,Sun 07:00-22:00"
    );
    let mean = |p: &Value| {
        metric(&p["comparison"], "as-in-2018", "mean downtime")["mean"]
            .as_f64()
            .expect("mean")
    };
    // Weekends only is slower than every day.
    assert!(mean(&points[0]) > mean(&points[1]));
}

/// A scenario in which no outage happens (no bug, nothing fails) has
/// nothing to recover: `compare` says so in those words, not that the
/// metrics were "never reached" as if the recovery had failed.
#[test]
fn a_scenario_without_outage_says_there_is_nothing_to_recover() {
    let (_dir, file) = without_bugs();
    let text = |strategies: &str| {
        let out =
            run_ok(hvsim().args(["compare", &file, "--runs", "5", "--strategies", strategies]));
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let said = "No outage: no app went down in any of the 5 runs, so there was nothing to \
                recover (no bug struck and no host failed within the horizon).";
    let one = text("ha-then-restart");
    assert!(one.contains(said), "{one}");
    assert!(!one.contains("never reached"), "{one}");
    assert!(
        one.contains("  mean downtime per app down: no app went down, nothing to recover\n"),
        "{one}"
    );
    let two = text("ha-then-restart,manual-restart");
    assert!(two.contains(said), "{two}");
    assert!(!two.contains("too few paired runs"), "{two}");
    assert!(
        two.contains(
            "  mean downtime per app down: no app went down in any run, nothing to compare\n"
        ),
        "{two}"
    );
    // With its bug, the scenario says nothing of the kind.
    let out = run_ok(hvsim().args([
        "compare",
        "scenarios/ha-single-host-crash.yaml",
        "--runs",
        "5",
    ]));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("No outage"));
}
