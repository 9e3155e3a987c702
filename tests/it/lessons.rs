//! The lessons (`docs/lessons/`) claim what their scenarios do.
//!
//! Each test checks one lesson's claims, as numbered in its scenario's
//! header, through the CLI a teacher would use: `hvsim compare` for the
//! strategies of a file, `hvsim sweep --set` for a change of the scenario,
//! `hvsim run --json` over a few seeds for "in every replication" claims
//! about single runs. "In every replication" is checked either run by run
//! or, over many replications, as the worst value of one strategy against
//! the best of the other (the latest run of one before the earliest of the
//! other implies it for every paired replication). Margins are wide enough
//! to survive a change of the random streams and narrow enough that the
//! claim fails if it is false.

use crate::compare::compare;
use crate::scenarios::{diff, run};
use crate::{hvsim, hvsim_json, run_ok};

use serde_json::Value;

/// Replications for `compare` and `sweep`: well under a second per point
/// in a debug build.
const RUNS: &str = "100";

/// Seeds for the claims checked run by run.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=10;

fn file(name: &str) -> String {
    format!("scenarios/lessons/{name}.yaml")
}

/// The metric of `strategy` whose name contains `needle` (the first one).
fn metric<'a>(doc: &'a Value, strategy: &str, needle: &str) -> &'a Value {
    doc["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .find(|s| s["id"] == strategy)
        .unwrap_or_else(|| panic!("no strategy {strategy}"))["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"].as_str().is_some_and(|n| n.contains(needle)))
        .unwrap_or_else(|| panic!("{strategy}: no metric `{needle}`"))
}

/// A field (`mean`, `min`, `max`, `ci95`) of a metric of one strategy.
fn stat(doc: &Value, strategy: &str, needle: &str, field: &str) -> f64 {
    metric(doc, strategy, needle)[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{strategy}: `{needle}` has no {field}"))
}

/// `hvsim sweep FILE --set SET... --runs RUNS --json`: each point's
/// comparison, checked to be the point asked for.
fn sweep(file: &str, sets: &[&str], runs: &str, points: &[&[&str]]) -> Vec<Value> {
    let mut args = vec!["sweep", file];
    for set in sets {
        args.extend(["--set", set]);
    }
    args.extend(["--runs", runs, "--json"]);
    let doc = hvsim_json(&args);
    let got = doc["points"].as_array().expect("points");
    assert_eq!(got.len(), points.len(), "hvsim {}", args.join(" "));
    got.iter()
        .zip(points)
        .map(|(p, want)| {
            for (set, value) in sets.iter().zip(want.iter()) {
                let path = set.split('=').next().expect("a path");
                let v = &p["point"][path];
                let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                assert_eq!(shown, *value, "point {}", p["point"]);
            }
            p["comparison"].clone()
        })
        .collect()
}

/// The mean ± CI of two points do not overlap, `a` above `b`.
fn clearly_above(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 - a.1 > b.0 + b.1
}

/// (mean, CI half-width) of a metric.
fn mean_ci(doc: &Value, strategy: &str, needle: &str) -> (f64, f64) {
    (
        stat(doc, strategy, needle, "mean"),
        stat(doc, strategy, needle, "ci95"),
    )
}

const HALF: &str = "incident 1 (corruption): 50 % back";
const LAST: &str = "incident 1 (corruption): 100 % back";
const ALL: &str = "100 % back";
const DOWNTIME: &str = "mean downtime per app down";

/// Hours as the JSON gives them (milliseconds over 3,600,000): fixed
/// schedules are compared within a few milliseconds.
fn same_hours(got: f64, want_h: f64) -> bool {
    (got - want_h).abs() < 1e-6
}

#[test]
fn the_dependency_trap() {
    let f = file("dependency-trap");
    let doc = compare(&[&f, "--runs", RUNS]);
    // Claim 1: half the apps back hours later under shortest-first than in
    // inventory order, in every replication (the latest fifo run before the
    // earliest shortest-first run, 4 h apart), and more downtime per app.
    let fifo_latest = stat(&doc, "fifo", HALF, "max");
    let sf_earliest = stat(&doc, "shortest-first", HALF, "min");
    assert!(
        sf_earliest > fifo_latest + 4.0,
        "50 % back: shortest-first from {sf_earliest} h, fifo up to {fifo_latest} h"
    );
    let (d, ci) = diff(&doc, "shortest-first", DOWNTIME);
    assert!(
        d - ci > 2.0,
        "mean downtime: shortest-first {d} ± {ci} h more"
    );
    // Claim 2: and the last app later too.
    let (d, ci) = diff(&doc, "shortest-first", LAST);
    assert!(
        d - ci > 1.0,
        "100 % back: shortest-first {d} ± {ci} h later"
    );
    // Claim 3: dependency-aware does as well as the inventory order here,
    // and better than shortest-first in every replication.
    for m in [HALF, LAST, DOWNTIME] {
        let (d, ci) = diff(&doc, "dependency-aware", m);
        assert!(d.abs() <= ci + 1e-9, "{m}: dependency-aware {d} ± {ci} h");
    }
    let da_latest = stat(&doc, "dependency-aware", DOWNTIME, "max");
    let sf_least = stat(&doc, "shortest-first", DOWNTIME, "min");
    assert!(
        da_latest < sf_least,
        "mean downtime: dependency-aware up to {da_latest} h, shortest-first from {sf_least} h"
    );
}

#[test]
fn the_bottleneck_moves() {
    let f = file("bottleneck-moves");
    let p = sweep(
        &f,
        &[
            "teams.ops.members=1,2,4,8",
            "backup.throughput=1TiB/h,2TiB/h",
        ],
        "50",
        &[
            &["1", "1TiB/h"],
            &["1", "2TiB/h"],
            &["2", "1TiB/h"],
            &["2", "2TiB/h"],
            &["4", "1TiB/h"],
            &["4", "2TiB/h"],
            &["8", "1TiB/h"],
            &["8", "2TiB/h"],
        ],
    );
    let last = |i: usize| mean_ci(&p[i], "restore", ALL);
    let (one, one_fast, two, four, eight, eight_fast) =
        (last(0), last(1), last(2), last(4), last(6), last(7));
    // Claim 1: the engineers bind at first, then no longer.
    assert!(
        clearly_above(one, (two.0 + 6.0, two.1)),
        "1 engineer {one:?} against 2 {two:?}"
    );
    assert!(
        (four.0 - eight.0).abs() < 0.25,
        "4 engineers {four:?} against 8 {eight:?}: within 15 minutes"
    );
    // Claim 2: the pipe binds with 8 engineers and not with 1.
    assert!(
        clearly_above(eight, (eight_fast.0 + 2.0, eight_fast.1)),
        "8 engineers: 1 TiB/h {eight:?} against 2 TiB/h {eight_fast:?}"
    );
    assert!(
        (one.0 - one_fast.0).abs() < 1.0,
        "1 engineer: 1 TiB/h {one:?} against 2 TiB/h {one_fast:?}"
    );
}

#[test]
fn rto_against_rpo() {
    let f = file("rto-vs-rpo");
    let doc = compare(&[&f, "--runs", RUNS]);
    // Claims 1 and 2: each objective met by failover in every replication
    // and by restore in none.
    for objective in [
        "objective orders: at most 15 minutes of data lost",
        "objective orders within two hours",
    ] {
        assert_eq!(stat(&doc, "restore", objective, "max"), 0.0, "{objective}");
        assert_eq!(
            stat(&doc, "failover-then-restore", objective, "min"),
            100.0,
            "{objective}"
        );
    }
    // Claims 1 and 3, app by app: the backup is 23 h 30 m old; a replica
    // lags by at most 10 minutes.
    let day_s = 23 * 3600 + 30 * 60;
    for seed in SEEDS {
        for strategy in ["restore", "failover-then-restore"] {
            let doc = run(&f, strategy, seed);
            for app in doc["apps"].as_array().expect("apps") {
                let id = app["id"].as_str().expect("id");
                let lost = app["data_loss_s"].as_u64().expect("data lost");
                let replicated = strategy == "failover-then-restore" && id.starts_with("orders");
                if replicated {
                    assert!(lost <= 600, "seed {seed}: {id} lost {lost} s");
                    assert_eq!(app["method"], "failover", "seed {seed}: {id}");
                } else {
                    assert_eq!(lost, day_s, "seed {seed}, {strategy}: {id}");
                    assert_eq!(app["method"], "restore", "seed {seed}: {id}");
                }
            }
        }
    }
}

#[test]
fn blast_radius_and_build_diversity() {
    let f = file("build-diversity");
    let p = sweep(
        &f,
        &["hosts.reserve.build=hv-a,hv-b"],
        RUNS,
        &[&["hv-a"], &["hv-b"]],
    );
    let objective = "objective every app within 30 minutes";
    let s = "ha-then-restart";
    // Claim 1: one build.
    assert_eq!(stat(&p[0], s, objective, "max"), 0.0);
    assert!(stat(&p[0], s, ALL, "min") > 1.0);
    // Claim 2: two builds.
    assert_eq!(stat(&p[1], s, objective, "min"), 100.0);
    assert!(stat(&p[1], s, ALL, "max") <= 0.5);
    // The strike: 8 hosts and 12 apps with one build, 4 hosts and 8 apps
    // with two.
    let reserve = "id: reserve, count: 4, cluster: prod, build: hv-a";
    let diverse = "id: reserve, count: 4, cluster: prod, build: hv-b";
    for (doc, hosts, apps) in [
        (run_edited(&f, (reserve, reserve), s), 8, 12),
        (run_edited(&f, (reserve, diverse), s), 4, 8),
    ] {
        let strike = &doc["faults"][0];
        assert_eq!(strike["hosts"].as_array().expect("hosts").len(), hosts);
        assert_eq!(strike["apps_down"].as_array().expect("apps").len(), apps);
    }
}

#[test]
fn restarting_into_a_recurring_bug() {
    let f = file("recurring-bug");
    let doc = compare(&[&f, "--runs", RUNS]);
    // Claim 1: the last app back for good only in the hours before the fix
    // (72 h after the strike), in every replication.
    assert!(stat(&doc, "restart-anyway", ALL, "min") > 60.0);
    // Claim 2: within a day by reinstalling, and less than half the
    // downtime per app.
    assert!(stat(&doc, "reinstall-at-dr", ALL, "max") < 24.0);
    assert!(
        2.0 * stat(&doc, "reinstall-at-dr", DOWNTIME, "mean")
            < stat(&doc, "restart-anyway", DOWNTIME, "mean")
    );
    // Claim 3: the morning's data (9 h since the 01:00 backup) against none.
    let objective = "objective no data lost";
    assert_eq!(stat(&doc, "restart-anyway", objective, "min"), 100.0);
    assert_eq!(stat(&doc, "reinstall-at-dr", objective, "max"), 0.0);
    let lost = "worst data loss";
    assert!(same_hours(stat(&doc, "reinstall-at-dr", lost, "min"), 9.0));
    assert!(same_hours(stat(&doc, "reinstall-at-dr", lost, "max"), 9.0));
    assert_eq!(stat(&doc, "restart-anyway", lost, "max"), 0.0);
    // Claims 1 and 2: recurrences in every run of restart-anyway, none
    // when the apps moved out of the defect's reach.
    for seed in SEEDS {
        let again = |s| {
            run(&f, s, seed)["totals"]["recurrences"]
                .as_u64()
                .expect("n")
        };
        assert!(again("restart-anyway") > 0, "seed {seed}");
        assert_eq!(again("reinstall-at-dr"), 0, "seed {seed}");
    }
}

/// 100 % back and the mean downtime (hours) at each point of a sweep of
/// a deterministic scenario, checked to be the same in every replication.
fn fixed_points(points: &[Value], strategy: &str) -> Vec<(f64, f64)> {
    points
        .iter()
        .map(|c| {
            for m in [ALL, DOWNTIME] {
                let (lo, hi) = (stat(c, strategy, m, "min"), stat(c, strategy, m, "max"));
                assert_eq!(lo, hi, "{m}: every replication is the same");
            }
            (
                stat(c, strategy, ALL, "mean"),
                stat(c, strategy, DOWNTIME, "mean"),
            )
        })
        .collect()
}

/// One run (seed 1) of `file` with one piece of its text replaced
/// (`(from, to)`, which must occur exactly once), as JSON.
fn run_edited(file: &str, (from, to): (&str, &str), strategy: &str) -> Value {
    let text = std::fs::read_to_string(file).expect("the scenario");
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
    let dir = tempfile::tempdir().expect("a scratch directory");
    let copy = dir.path().join("copy.yaml");
    std::fs::write(&copy, text.replace(from, to)).expect("written");
    run(&copy.display().to_string(), strategy, 1)
}

/// The tasks of `run_edited`, as `HH:MM #member app` in the order they
/// started.
fn schedule(file: &str, edit: (&str, &str), strategy: &str) -> Vec<String> {
    run_edited(file, edit, strategy)["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            let start = t["start"].as_str().expect("a start");
            format!(
                "{} #{} {}",
                &start[11..16],
                t["member"].as_u64().expect("a member"),
                t["app"].as_str().expect("an app")
            )
        })
        .collect()
}

#[test]
fn grahams_anomaly_one_more_engineer() {
    let f = file("graham-more-engineers");
    let p = sweep(
        &f,
        &["teams.ops.members=1..4"],
        "3",
        &[&["1"], &["2"], &["3"], &["4"]],
    );
    let got = fixed_points(&p, "by-criticality");
    let want_last_h = [
        17.0 + 1.0 / 6.0,
        9.0 + 1.0 / 6.0,
        10.0 + 1.0 / 6.0,
        9.0 + 1.0 / 6.0,
    ];
    for (members, ((last, _), want)) in (1..).zip(got.iter().zip(want_last_h)) {
        assert!(
            same_hours(*last, want),
            "{members} engineer(s): last app after {last} h, not {want} h"
        );
    }
    // A third engineer: the last app later, the average sooner.
    assert!(got[2].0 > got[1].0 && got[2].1 < got[1].1, "{got:?}");
    schedules_are(
        &f,
        "by-criticality",
        &[
            (
                ("members: 2,", "members: 2,"),
                &[
                    "10:10 #1 web",
                    "10:10 #2 crm",
                    "11:10 #1 wiki",
                    "12:10 #1 database",
                    "13:10 #2 erp",
                    "16:10 #2 mail",
                ],
            ),
            (
                ("members: 2,", "members: 3,"),
                &[
                    "10:10 #1 web",
                    "10:10 #2 crm",
                    "10:10 #3 wiki",
                    "11:10 #1 erp",
                    "11:10 #3 mail",
                    "13:10 #2 database",
                ],
            ),
        ],
    );
}

/// The schedules a lesson's header works out by hand, task by task: for
/// each edit of the file (`from`, `to`), the run of `strategy` (see
/// [`schedule`]) against the list.
fn schedules_are(f: &str, strategy: &str, cases: &[((&str, &str), &[&str])]) {
    for &(edit, want) in cases {
        assert_eq!(schedule(f, edit, strategy), want, "{f} with {edit:?}");
    }
}

#[test]
fn grahams_anomaly_a_shorter_task() {
    let f = file("graham-shorter-task");
    let p = sweep(
        &f,
        &["apps.database.work.reinstall=4h,3h"],
        "3",
        &[&["4h"], &["3h"]],
    );
    let got = fixed_points(&p, "dependency-aware");
    assert!(same_hours(got[0].0, 7.0), "as written: {got:?}");
    assert!(same_hours(got[1].0, 8.0), "shorter database: {got:?}");
    assert!(
        same_hours(got[0].1, 5.0) && same_hours(got[1].1, 4.5),
        "{got:?}"
    );
    let shorter = (
        "id: database, vms: [{ cluster: prod, cores: 2, memory: 8GiB }], work: { reinstall: 4h }",
        "id: database, vms: [{ cluster: prod, cores: 2, memory: 8GiB }], work: { reinstall: 3h }",
    );
    schedules_are(
        &f,
        "dependency-aware",
        &[
            (
                ("members: 2,", "members: 2,"),
                &[
                    "10:00 #1 wiki",
                    "10:00 #2 archive",
                    "11:00 #1 database",
                    "14:00 #2 billing",
                ],
            ),
            (
                shorter,
                &[
                    "10:00 #1 wiki",
                    "10:00 #2 database",
                    "11:00 #1 billing",
                    "13:00 #2 archive",
                ],
            ),
        ],
    );
}

#[test]
fn the_friday_evening_time_bomb() {
    let f = file("friday-evening-time-bomb");
    let p = sweep(
        &f,
        &["bugs.licence-expiry.trigger.at=2024-06-07 17:30,2024-06-11 10:00"],
        "50",
        &[&["2024-06-07 17:30"], &["2024-06-11 10:00"]],
    );
    let (friday, tuesday) = (&p[0], &p[1]);
    let objective = "objective every app within a day";
    // Claim 1: Friday evening, office hours.
    assert!(stat(friday, "office-hours", ALL, "min") > 60.0);
    assert_eq!(stat(friday, "office-hours", objective, "max"), 0.0);
    // Claim 2: Tuesday morning, same team.
    assert!(stat(tuesday, "office-hours", ALL, "max") < 8.0);
    assert_eq!(stat(tuesday, "office-hours", objective, "min"), 100.0);
    // Claim 3: a weekend team, or one engineer on call, meet it on Friday;
    // the engineer on call hours sooner.
    for s in ["weekend-team", "on-call"] {
        assert_eq!(stat(friday, s, objective, "min"), 100.0, "{s}");
    }
    let weekend = mean_ci(friday, "weekend-team", ALL);
    let on_call = mean_ci(friday, "on-call", ALL);
    assert!(
        clearly_above(weekend, (on_call.0 + 2.0, on_call.1)),
        "weekend team {weekend:?} against on call {on_call:?}"
    );
}

/// The lessons' index lists every lesson page, each page names a scenario
/// of `scenarios/lessons/` that exists, and every scenario there validates
/// and belongs to a page.
#[test]
fn every_lesson_has_its_page_and_its_scenario() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = |dir: &str, ext: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
            .expect("readable")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.ends_with(ext))
            .collect();
        names.sort();
        names
    };
    let pages = list("docs/lessons", ".md");
    let scenarios = list("scenarios/lessons", ".yaml");
    let index = std::fs::read_to_string(root.join("docs/lessons/README.md")).expect("index");
    let mut named = std::collections::BTreeSet::new();
    for page in pages.iter().filter(|p| *p != "README.md") {
        assert!(
            index.contains(&format!("({page})")),
            "the index links {page}"
        );
        let text = std::fs::read_to_string(root.join("docs/lessons").join(page)).expect("page");
        let mut any = false;
        for s in &scenarios {
            if text.contains(&format!("scenarios/lessons/{s}")) {
                named.insert(s.clone());
                any = true;
            }
        }
        assert!(any, "{page} names no scenario of scenarios/lessons/");
        for target in text.split("](").skip(1) {
            let target = target.split(')').next().expect("a link");
            if !target.contains("://") {
                let linked = root.join("docs/lessons").join(target);
                assert!(linked.exists(), "{page} links {target}, which is missing");
            }
        }
        for heading in ["## The claim", "## Discussion"] {
            assert!(text.contains(heading), "{page} has no `{heading}`");
        }
    }
    assert_eq!(pages.len(), 8, "seven lessons and the index: {pages:?}");
    assert_eq!(
        named.into_iter().collect::<Vec<_>>(),
        scenarios,
        "every lesson scenario belongs to a page"
    );
    let mut validate = hvsim();
    validate.arg("validate");
    for s in &scenarios {
        validate.arg(format!("scenarios/lessons/{s}"));
    }
    run_ok(&mut validate);
}

/// Splits a shell command line of the lesson pages into words: spaces
/// separate, single quotes group (the pages use nothing else).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in `{line}`");
    if any {
        out.push(word);
    }
    out
}

/// Every `hvsim` command a lesson page or a lesson scenario's header shows
/// runs as written, with fewer replications (`--runs 3`) and its charts
/// written to a scratch directory instead of `charts/`.
#[test]
fn every_command_of_the_lessons_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut lines = std::collections::BTreeSet::new();
    for dir in ["docs/lessons", "scenarios/lessons"] {
        for e in std::fs::read_dir(root.join(dir)).expect("readable") {
            let text = std::fs::read_to_string(e.expect("an entry").path()).expect("text");
            for line in text.lines() {
                let line = line.strip_prefix("#   ").unwrap_or(line).trim();
                if let Some(rest) = line.strip_prefix("hvsim ") {
                    lines.insert(rest.to_string());
                }
            }
        }
    }
    assert!(lines.len() >= 20, "too few commands found: {lines:?}");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    for line in &lines {
        let mut args = words(line);
        for i in 1..args.len() {
            if args[i - 1] == "--runs" {
                args[i] = "3".into();
            }
            if args[i - 1] == "--svg" {
                args[i] = scratch.path().join("charts").display().to_string();
            }
        }
        run_ok(hvsim().args(&args));
    }
}

/// The charts committed beside the lessons (each page shows its own) are
/// what the pages' commands write, byte for byte (`HVSIM_BLESS=1`
/// rewrites them after a deliberate change).
#[test]
fn the_lessons_charts_are_the_programs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = file("graham-more-engineers");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let svg = scratch.path().display().to_string();
    let (bottleneck, diversity, trap, bomb, recurring, rto) = (
        file("bottleneck-moves"),
        file("build-diversity"),
        file("dependency-trap"),
        file("friday-evening-time-bomb"),
        file("recurring-bug"),
        file("rto-vs-rpo"),
    );
    let charts: [(&[&str], &str, &str); 8] = [
        (
            &[
                "sweep",
                &f,
                "--set",
                "teams.ops.members=1..4",
                "--runs",
                "1",
            ],
            "sweep-incident-1-bomb-90-back.svg",
            "graham-more-engineers-sweep.svg",
        ),
        (&["run", &f], "gantt.svg", "graham-more-engineers-gantt.svg"),
        (
            &[
                "sweep",
                &bottleneck,
                "--set",
                "teams.ops.members=1,2,4,8",
                "--set",
                "backup.throughput=1TiB/h,2TiB/h",
                "--runs",
                "100",
            ],
            "sweep-incident-1-ransomware-90-back.svg",
            "bottleneck-moves-sweep.svg",
        ),
        (
            &[
                "sweep",
                &diversity,
                "--set",
                "hosts.reserve.build=hv-a,hv-b",
                "--runs",
                "100",
            ],
            "sweep-incident-1-hv-a-defect-90-back.svg",
            "build-diversity-sweep.svg",
        ),
        (
            &["run", &trap, "--strategy", "shortest-first"],
            "gantt.svg",
            "dependency-trap-gantt.svg",
        ),
        (
            &["run", &bomb],
            "gantt.svg",
            "friday-evening-time-bomb-gantt.svg",
        ),
        (
            &["run", &recurring, "--strategy", "restart-anyway"],
            "gantt.svg",
            "recurring-bug-gantt.svg",
        ),
        (
            &["compare", &rto, "--runs", "200"],
            "restored-weighted.svg",
            "rto-vs-rpo-weighted.svg",
        ),
    ];
    for (args, written, committed) in charts {
        let page = std::fs::read_to_string(
            root.join("docs/lessons")
                .join(format!("{}.md", lesson_of(committed))),
        )
        .expect("the lesson's page");
        assert!(
            page.contains(&format!("]({committed})")),
            "docs/lessons/{}.md does not show {committed}",
            lesson_of(committed)
        );
        run_ok(hvsim().args(args).args(["--svg", &svg]));
        let got = std::fs::read(scratch.path().join(written)).expect("the chart");
        let path = root.join("docs/lessons").join(committed);
        if std::env::var_os("HVSIM_BLESS").is_some() {
            std::fs::write(&path, &got).expect("blessed");
        }
        let want = std::fs::read(&path).expect("the committed chart");
        assert!(
            got == want,
            "docs/lessons/{committed} is not what `hvsim {}` writes; bless with HVSIM_BLESS=1",
            args.join(" ")
        );
    }
}

/// The lesson a committed chart belongs to: its name up to its last `-`
/// (`graham-more-engineers-gantt.svg` is lesson 6's, `graham-anomaly`).
fn lesson_of(chart: &str) -> &str {
    if chart.starts_with("graham-") {
        return "graham-anomaly";
    }
    chart.rsplit_once('-').map_or(chart, |(lesson, _)| lesson)
}
