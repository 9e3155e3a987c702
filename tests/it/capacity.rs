//! The DR capacity chart (issue 17), checked through the parsed SVG: one
//! run's use counts the room reserved by a recovery in progress, leaves a
//! crashed DR host out of the capacity and counts "full" up to the
//! horizon; over a comparison's runs, one median line and p10–p90 band per
//! strategy, the same medians as the runs `hvsim run --json` gives, the
//! same bytes whatever `--jobs`.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::charts_graphs::{desc, elements};
use crate::charts2::charts;

/// A DR test scenario: four apps of one 16 GiB VM each, corrupted at
/// 09:00 on a Monday and restored by one engineer at the DR site, whose
/// hosts are `dr_hosts` (YAML host lines); `scope` is the clusters the
/// bug crashes, `restore` the restore task's work.
fn scenario(
    dir: &std::path::Path,
    name: &str,
    dr_hosts: &str,
    scope: &str,
    restore: &str,
) -> String {
    let text = format!(
        r#"name: DR room test
time_zone: UTC
start: 2025-01-06 00:00
horizon: 10d
builds:
  - {{ id: hv, reboot: 10m }}
sites:
  - {{ id: main }}
  - {{ id: dr, role: dr }}
clusters:
  - {{ id: prod, site: main }}
  - {{ id: dra, site: dr }}
  - {{ id: drb, site: dr }}
hosts:
  - {{ id: esx, count: 2, cluster: prod, build: hv, cores: 32, memory: 256GiB }}
{dr_hosts}
bugs:
  - id: corruption
    builds: [hv]
    trigger: {{ at: 2025-01-06 09:00 }}
    scope: {{ clusters: [{scope}] }}
    effects: {{ crash: true, corrupt_vm: 1.0 }}
apps:
  - id: app
    count: 4
    criticality: 1
    vms: [{{ cluster: prod, cores: 4, memory: 16GiB, disk: 1TiB }}]
    work:
      restore: {restore}
teams:
  - {{ id: ops, members: 1, shifts: ["24/7"] }}
backup:
  throughput: 1TiB/h
  streams: 1
  every: 24h
  at: 2025-01-05 22:00
strategies:
  - id: restore
    detection: 10m
    diagnosis: 1h
    methods: [restore]
    order: fifo
  - id: restore-by-criticality
    detection: 10m
    diagnosis: pert(30m, 1h, 2h)
    methods: [restore]
    order: criticality
"#
    );
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the scenario is written");
    path.to_str().expect("a UTF-8 path").to_string()
}

const TWO_HOSTS: &str = "  - { id: dra, cluster: dra, build: hv, cores: 32, memory: 32GiB }\n  \
                         - { id: drb, cluster: drb, build: hv, cores: 32, memory: 32GiB }";
const ONE_SMALL_HOST: &str = "  - { id: drb, cluster: drb, build: hv, cores: 32, memory: 32GiB }";
const ONE_HOST: &str = "  - { id: dra, cluster: dra, build: hv, cores: 32, memory: 64GiB }";

fn instant(rfc3339: &str) -> Timestamp {
    rfc3339.parse().expect("an RFC 3339 date")
}

/// A space-separated attribute of the first element `name` of class
/// `class`, split.
fn data(svg: &str, name: &str, class: &str, attr: &str) -> Vec<String> {
    let e = elements(svg, name)
        .into_iter()
        .find(|e| e.get("class").map(String::as_str) == Some(class))
        .unwrap_or_else(|| panic!("a {name} of class {class}"));
    e[attr].split(' ').map(str::to_string).collect()
}

/// One run's steps: (from when, memory in use %, full).
fn one_run_steps(svg: &str) -> Vec<(Timestamp, f64, bool)> {
    let at = data(svg, "g", "memory", "data-at");
    let mem = data(svg, "g", "memory", "data-memory");
    let full = data(svg, "g", "memory", "data-full");
    assert_eq!((at.len(), mem.len()), (full.len(), full.len()));
    at.iter()
        .zip(&mem)
        .zip(&full)
        .map(|((a, m), f)| (instant(a), m.parse().expect("a number"), f == "1"))
        .collect()
}

/// The step in force at `t`.
fn use_at(steps: &[(Timestamp, f64, bool)], t: Timestamp) -> f64 {
    steps.iter().rev().find(|s| s.0 <= t).map_or(0.0, |s| s.1)
}

/// The restore tasks' starts of a run.
fn restore_starts(json: &serde_json::Value) -> Vec<Timestamp> {
    json["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["method"] == "restore")
        .map(|t| instant(t["start"].as_str().expect("a start")))
        .collect()
}

#[test]
fn one_run_counts_the_room_a_restore_reserves_from_its_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path(), "one.yaml", ONE_HOST, "prod", "1h");
    let json = crate::hvsim_json(&["run", &file, "--json"]);
    let starts = restore_starts(&json);
    assert_eq!(starts.len(), 4);
    let svgs = charts(&["run", &file]);
    let steps = one_run_steps(&svgs["dr-capacity.svg"]);
    // Each app's 16 GiB of the 64 GiB host is taken when its restore task
    // starts, though its VM runs there only after the data transfer.
    for &s in &starts {
        let begun = starts.iter().filter(|&&x| x <= s).count();
        assert_eq!(use_at(&steps, s), 25.0 * begun as f64, "at {s}");
    }
    let moved = json["apps"][0]["up_at"].as_str().map(instant).expect("up");
    assert!(moved > starts[0], "the transfer takes time");
}

#[test]
fn one_run_counts_the_room_a_failover_reserves_from_its_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The restore scenario, replicated, failed over in 2 hours exactly:
    // detection 10m and diagnosis 1h after the 09:00 strike, every
    // failover starts at 10:10 (no cap) and moves its VM at 12:10.
    let file = scenario(dir.path(), "failover.yaml", ONE_HOST, "prod", "1h");
    let text = std::fs::read_to_string(&file).expect("the scenario");
    let text = text
        .replace(
            "      restore: 1h\n",
            "      restore: 1h\n      failover: 2h\n",
        )
        .replace("backup:\n", "replication:\n  lag: 5m\nbackup:\n")
        .replace(
            "    methods: [restore]\n    order: fifo",
            "    methods: [failover]\n    order: fifo",
        );
    assert!(text.contains("failover: 2h") && text.contains("methods: [failover]"));
    std::fs::write(&file, text).expect("written");
    let svgs = charts(&["run", &file, "--strategy", "restore"]);
    let steps = one_run_steps(&svgs["dr-capacity.svg"]);
    // The four apps' 64 GiB fill the 64 GiB host from the failovers'
    // start, not from their moves two hours later.
    assert_eq!(use_at(&steps, instant("2025-01-06T10:09:59Z")), 0.0);
    assert_eq!(use_at(&steps, instant("2025-01-06T10:10:00Z")), 100.0);
    assert_eq!(use_at(&steps, instant("2025-01-06T12:10:00Z")), 100.0);
}

#[test]
fn one_run_leaves_a_crashed_dr_host_out_of_the_capacity_while_it_is_down() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path(), "crash.yaml", TWO_HOSTS, "prod, dra", "1h");
    let json = crate::hvsim_json(&["run", &file, "--json"]);
    let dra = &json["hosts"][2];
    assert_eq!(dra["id"], "dra");
    assert_eq!(dra["failures"], 1);
    let crashed = instant(json["faults"][0]["at"].as_str().expect("at"));
    let back =
        crashed + jiff::SignedDuration::from_secs(dra["downtime_s"].as_i64().expect("seconds"));
    let first = restore_starts(&json)[0];
    assert!(
        crashed < first && first < back,
        "the first restore starts while dra is down"
    );
    let steps = one_run_steps(&charts(&["run", &file])["dr-capacity.svg"]);
    // 16 GiB of the 32 GiB up while dra is down, of 64 GiB once it is back.
    assert_eq!(use_at(&steps, first), 50.0);
    assert_eq!(use_at(&steps, back), 25.0);
}

#[test]
fn one_run_counts_full_up_to_the_horizon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path(), "small.yaml", ONE_SMALL_HOST, "prod", "1h");
    let json = crate::hvsim_json(&["run", &file, "--json"]);
    // The run drains long before its horizon, two apps still waiting.
    assert_eq!(json["stop"], "drained");
    let svg = &charts(&["run", &file])["dr-capacity.svg"];
    let steps = one_run_steps(svg);
    let full_from = steps.iter().find(|s| s.2).expect("full").0;
    // The second restore reserves the host's last room at 11:10; the site
    // stays full to the horizon (16 Jan 00:00): 9d 12h 50m, shown as 9d 12h.
    assert_eq!(full_from, instant("2025-01-06T11:10:00+00:00"));
    let d = desc(svg);
    assert!(
        d.contains("it was full from Mon 06 Jan 2025 11:10 (9d 12h in all)"),
        "{d}"
    );
}

/// The over-runs chart's grid and, per strategy, its p10 / median / p90
/// and share of runs full at each instant.
struct OverRuns {
    times: Vec<Timestamp>,
    runs: usize,
    strategies: BTreeMap<String, [Vec<f64>; 4]>,
}

fn over_runs(svg: &str) -> OverRuns {
    let times = data(svg, "g", "runs-use", "data-times")
        .iter()
        .map(|t| instant(t))
        .collect();
    let runs = data(svg, "g", "runs-use", "data-runs")[0]
        .parse()
        .expect("a count");
    let numbers =
        |s: &str| -> Vec<f64> { s.split(' ').map(|v| v.parse().expect("a number")).collect() };
    let strategies = elements(svg, "g")
        .into_iter()
        .filter(|e| e.get("class").map(String::as_str) == Some("strategy"))
        .map(|e| {
            (
                e["data-strategy"].clone(),
                [
                    numbers(&e["data-p10"]),
                    numbers(&e["data-p50"]),
                    numbers(&e["data-p90"]),
                    numbers(&e["data-full"]),
                ],
            )
        })
        .collect();
    OverRuns {
        times,
        runs,
        strategies,
    }
}

#[test]
fn compare_draws_a_median_and_band_per_strategy_from_the_runs_it_compared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(
        dir.path(),
        "random.yaml",
        ONE_HOST,
        "prod",
        "pert(20m, 1h, 4h)",
    );
    let svgs = charts(&["compare", &file, "--runs", "10", "--seed", "7"]);
    let svg = &svgs["dr-capacity.svg"];
    let u = over_runs(svg);
    assert_eq!(u.runs, 10);
    assert!(u.times.len() >= 150, "{} instants", u.times.len());
    assert_eq!(
        u.strategies.keys().collect::<Vec<_>>(),
        ["restore", "restore-by-criticality"]
    );
    // A band per strategy (the symbols before the lines' names are
    // polygons too), the median inside it at every instant, and a band
    // that is not a line: the runs differ.
    let bands = elements(svg, "polygon")
        .into_iter()
        .filter(|p| !p.get("class").is_some_and(|c| c.starts_with("symbol")))
        .count();
    assert_eq!(bands, 2);
    // Each median line is named at its end, not in a legend.
    let names: Vec<String> = crate::slide::elements(svg)
        .into_iter()
        .filter(|e| e.name == "text" && e.attrs.get("class").is_some_and(|c| c == "line-label"))
        .map(|e| e.text)
        .collect();
    assert_eq!(names, ["restore", "restore-by-criticality"]);
    let mut wide = false;
    for [p10, p50, p90, full] in u.strategies.values() {
        assert_eq!(p50.len(), u.times.len());
        for i in 0..p50.len() {
            assert!(p10[i] <= p50[i] && p50[i] <= p90[i], "at {}", u.times[i]);
            assert!((0.0..=100.0).contains(&full[i]));
        }
        wide |= p10.iter().zip(p90).any(|(a, b)| a < b);
    }
    assert!(wide, "the runs differ");
    assert!(
        desc(svg).starts_with("Over 10 runs per strategy: "),
        "{}",
        desc(svg)
    );
    // The median at each instant is the 5th smallest of the ten runs'
    // use, as `hvsim run --seed` gives each run: a 16 GiB VM of the 64 GiB
    // host per restore begun.
    for (strategy, [_, p50, _, _]) in &u.strategies {
        let starts: Vec<Vec<Timestamp>> = (0..10)
            .map(|i| {
                let seed = hvsim::montecarlo::replication_seed(7, i).to_string();
                restore_starts(&crate::hvsim_json(&[
                    "run",
                    &file,
                    "--strategy",
                    strategy,
                    "--seed",
                    &seed,
                    "--json",
                ]))
            })
            .collect();
        for (i, &t) in u.times.iter().enumerate() {
            let mut shares: Vec<f64> = starts
                .iter()
                .map(|s| 25.0 * s.iter().filter(|&&x| x <= t).count() as f64)
                .collect();
            shares.sort_by(f64::total_cmp);
            assert_eq!(p50[i], shares[4], "{strategy} at {t}");
        }
    }
    // The same bytes on one thread or two.
    let one = charts(&[
        "compare", &file, "--runs", "10", "--seed", "7", "--jobs", "1",
    ]);
    let two = charts(&[
        "compare", &file, "--runs", "10", "--seed", "7", "--jobs", "2",
    ]);
    assert_eq!(one["dr-capacity.svg"], two["dr-capacity.svg"]);
    assert_eq!(&one["dr-capacity.svg"], svg);
}

#[test]
fn the_band_collapses_to_the_line_when_every_run_is_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path(), "fixed.yaml", ONE_SMALL_HOST, "prod", "1h");
    // Fixed durations: every replication of `restore` is the same run.
    let svgs = charts(&["compare", &file, "--runs", "5", "--strategies", "restore"]);
    let svg = &svgs["dr-capacity.svg"];
    let u = over_runs(svg);
    let [p10, p50, p90, full] = &u.strategies["restore"];
    assert_eq!(p10, p50);
    assert_eq!(p90, p50);
    assert_eq!(p50.iter().copied().fold(0.0, f64::max), 100.0);
    // Full in all runs or none, from the second restore's start on.
    assert!(full.iter().all(|&f| f == 0.0 || f == 100.0));
    assert!(full.contains(&100.0));
    let d = desc(svg);
    assert!(
        d.contains("restore fills the DR site's memory to 100 % by Mon 06 Jan 2025")
            && d.contains("runs out of room in 5 of 5 runs"),
        "{d}"
    );
}

/// docs/charts.md quotes the runbook's finding from the gallery's chart
/// (which the gallery test keeps as drawn now): the quote is the chart's.
#[test]
fn the_docs_quote_the_gallery_chart_s_finding() {
    let svg = std::fs::read_to_string("docs/charts/compare-dr-capacity.svg").expect("the gallery");
    let finding = desc(&svg);
    let docs = std::fs::read_to_string("docs/charts.md").expect("the docs");
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let docs = words(&docs);
    let start = docs
        .find("(\"srm-runbook reaches")
        .expect("the docs quote the finding");
    let quoted = &docs[start + 2..];
    let quoted = &quoted[..quoted.find(';').expect("a clause")];
    assert!(
        words(&finding).contains(quoted),
        "docs/charts.md quotes `{quoted}`, the chart says `{finding}`"
    );
}
