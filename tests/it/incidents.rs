//! The incident library (`scenarios/incidents/`, docs/incidents.md): every
//! incident validates and runs, and the CLAIMS in its header hold through
//! the CLI over many seeds, as the 2018 scenario's do in `calibration.rs`.
//!
//! Seeds: 101 per incident, as the 2018 calibration, except Maersk (31).
//! What a seed costs in the test profile (debug build; one `hvsim run
//! --json` and the parsing of its document), in CPU time, measured on
//! this 2-core machine on 3 December 2026 with `/usr/bin/time` around the
//! test binary, one incident at a time: Atlassian 0.15 s, UniSuper 0.03 s,
//! OVHcloud 0.07 s, Maersk 0.40 s (2,500 apps, a 3 MB document). The
//! simulation, not the process, is most of it, so a command returning
//! every run's per-app outcomes at once would save little. At these counts
//! the module takes 40 s of CPU: 63 s of wall time run alone with `nice`
//! while other builds kept the load average at 8 to 9; on a quiet machine
//! it should take about half its CPU time (each test runs its seeds as
//! many at once as there are cores). Maersk at 101 seeds would add 28 s
//! of CPU (checked once with `HVSIM_INCIDENT_SEEDS=101`: every claim
//! holds). The medians' windows are the claims' own;
//! `HVSIM_INCIDENT_SEEDS` sets every incident's count (a longer check, or
//! a quick one).
//!
//! The mechanisms the library needed (`effects.replica_loss`,
//! `effects.power_off`, a team's `joins`, a strategy's `automation`) are
//! tested beside their code or on tiny fixtures here, and their
//! validation through the CLI.

use crate::{hvsim, hvsim_json};

use jiff::Timestamp;
use serde_json::Value;

/// Seeds per incident, as the 2018 calibration's.
const SEEDS: u64 = 101;

/// Seeds for Maersk, whose runs cost six times an Atlassian's.
const MAERSK_SEEDS: u64 = 31;

fn seeds(default: u64) -> u64 {
    std::env::var("HVSIM_INCIDENT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("RFC 3339 date")
}

/// Runs incident `file` with `strategy` (its default if `None`) for
/// seeds 1 to `n`, in seed order; as many runs at once as the machine has
/// cores (each a process of its own: the results do not depend on it).
fn runs(file: &str, strategy: Option<&str>, n: u64) -> Vec<Value> {
    let run = |seed: u64| {
        let seed = seed.to_string();
        let mut args = vec!["run", "--json", "--seed", &seed, file];
        if let Some(s) = strategy {
            args.extend(["--strategy", s]);
        }
        hvsim_json(&args)
    };
    let lanes = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let by_lane: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..lanes)
            .map(|lane| {
                scope.spawn(move || {
                    (1 + lane..=n)
                        .step_by(lanes as usize)
                        .map(run)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a run thread"))
            .collect()
    });
    // Seed k + 1 is the next run of lane k % lanes.
    let mut lanes_runs: Vec<_> = by_lane.into_iter().map(Vec::into_iter).collect();
    (0..n)
        .map(|k| {
            let doc = lanes_runs[(k % lanes) as usize]
                .next()
                .expect("every seed ran");
            assert_eq!(doc["seed"], k + 1, "runs in seed order");
            doc
        })
        .collect()
}

fn apps(doc: &Value) -> &Vec<Value> {
    doc["apps"].as_array().expect("apps")
}

/// The apps of a group (`id` or `id-NN`) or with a tag.
fn group<'a>(doc: &'a Value, prefix: &str) -> Vec<&'a Value> {
    apps(doc)
        .iter()
        .filter(|a| {
            let id = a["id"].as_str().expect("id");
            id == prefix
                || id.strip_prefix(prefix).is_some_and(|r| r.starts_with('-'))
                || a["tags"]
                    .as_array()
                    .expect("tags")
                    .iter()
                    .any(|t| t == prefix)
        })
        .collect()
}

/// When an app was last back up (`None`: still down at the end).
fn up(app: &Value) -> Option<Timestamp> {
    app["up_at"].as_str().map(ts)
}

/// When the last of `apps` was back (`None` if one never was).
fn last_up(apps: &[&Value]) -> Option<Timestamp> {
    apps.iter()
        .map(|a| up(a))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

/// An incident milestone of the run's first incident (`first`, `all`).
fn milestones(docs: &[Value], which: &str) -> Vec<Timestamp> {
    docs.iter()
        .map(|d| {
            ts(d["incidents"][0]["milestones"][which]
                .as_str()
                .expect(which))
        })
        .collect()
}

/// The share of the run's apps back up at `t`.
fn share_up(doc: &Value, t: Timestamp) -> f64 {
    let all = apps(doc);
    let back = all.iter().filter(|a| up(a).is_some_and(|u| u <= t)).count();
    back as f64 / all.len() as f64
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    v[v.len() / 2]
}

/// Asserts that the median of `values` lies in `low..=high`.
fn median_within<T: PartialOrd + Copy + std::fmt::Debug>(
    what: &str,
    values: Vec<T>,
    low: T,
    high: T,
) {
    let m = median(values.clone());
    assert!(
        low <= m && m <= high,
        "{what}: median {m:?}, expected {low:?} to {high:?}; all: {values:?}"
    );
}

#[test]
fn every_incident_validates() {
    let out = hvsim()
        .args([
            "validate",
            "scenarios/incidents/atlassian-2022.yaml",
            "scenarios/incidents/maersk-notpetya-2017.yaml",
            "scenarios/incidents/ovhcloud-strasbourg-2021.yaml",
            "scenarios/incidents/unisuper-2024.yaml",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    // The library is the folder: a new incident must be listed here too.
    let mut files: Vec<String> = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/incidents"),
    )
    .expect("scenarios/incidents/ is readable")
    .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
    .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "atlassian-2022.yaml",
            "maersk-notpetya-2017.yaml",
            "ovhcloud-strasbourg-2021.yaml",
            "unisuper-2024.yaml"
        ]
    );
}

#[test]
fn atlassian_2022_reproduces_the_post_incident_review() {
    let docs = runs(
        "scenarios/incidents/atlassian-2022.yaml",
        None,
        seeds(SEEDS),
    );
    let end_of = |day: &str| ts(&format!("2022-04-{day}T23:59:59Z"));
    for doc in &docs {
        let seed = &doc["seed"];
        // A1: 883 sites down in one strike on 5 April.
        assert_eq!(doc["incidents"][0]["apps_down"], 883, "seed {seed}");
        assert_eq!(doc["incidents"][0]["at"], "2022-04-05T07:38:00+00:00");
        for site in apps(doc) {
            // A2: no failover, every site restored from backup.
            assert_eq!(site["method"], "restore", "seed {seed}: {}", site["id"]);
            // A3: at most 5 minutes of data lost.
            let lost = site["data_loss_s"].as_f64().expect("data loss");
            assert!(lost <= 300.0, "seed {seed}: {} lost {lost} s", site["id"]);
            // A9: the RTO of 6 h missed, the RPO of 1 h met.
            assert_eq!(site["rto_met"], false, "seed {seed}");
            assert_eq!(site["rpo_met"], true, "seed {seed}");
        }
        // A8: every site back by the end of 18 April.
        let last = last_up(&apps(doc).iter().collect::<Vec<_>>());
        assert!(
            last.is_some_and(|t| t <= end_of("18")),
            "seed {seed}: last at {last:?}"
        );
    }
    // A4: the first site back on 8 April.
    let first = milestones(&docs, "first");
    median_within(
        "first site back",
        first,
        ts("2022-04-08T00:00:00Z"),
        end_of("08"),
    );
    // A5 to A7: the review's curve.
    let share = |day: &str| {
        docs.iter()
            .map(|d| share_up(d, end_of(day)))
            .collect::<Vec<_>>()
    };
    median_within("share back at the end of 14 April", share("14"), 0.45, 0.65);
    median_within("share back at the end of 15 April", share("15"), 0.68, 0.88);
    median_within("share back at the end of 16 April", share("16"), 0.95, 1.0);
}

#[test]
fn unisuper_2024_reproduces_the_outage_updates() {
    let file = "scenarios/incidents/unisuper-2024.yaml";
    let docs = runs(file, None, seeds(SEEDS));
    let n_apps = apps(&docs[0]).len();
    for doc in &docs {
        let seed = &doc["seed"];
        // U1: everything down at once.
        assert_eq!(doc["incidents"][0]["apps_down"], n_apps, "seed {seed}");
        // U2: restored from the other provider's backups, none failed over.
        assert!(
            apps(doc).iter().all(|a| a["method"] == "restore"),
            "seed {seed}"
        );
        // U5: everything back before the horizon.
        assert_eq!(doc["totals"]["apps_still_down"], 0, "seed {seed}");
    }
    let when = |id: &str| -> Vec<Timestamp> {
        docs.iter()
            .map(|d| last_up(&group(d, id)).expect("back"))
            .collect()
    };
    let t = |s: &str| ts(&format!("{s}+10:00"));
    // U3, U4, U5.
    median_within(
        "logins back",
        when("member-online"),
        t("2024-05-08T12:00:00"),
        t("2024-05-10T12:00:00"),
    );
    median_within(
        "mobile app back",
        when("mobile-app"),
        t("2024-05-12T12:00:00"),
        t("2024-05-14T12:00:00"),
    );
    let all = milestones(&docs, "all");
    median_within(
        "everything back",
        all,
        t("2024-05-14T12:00:00"),
        t("2024-05-16T12:00:00"),
    );

    // U6: the plan the second region was bought for fails over nothing,
    // and `explain` says why.
    for doc in runs(file, Some("failover-first"), 5) {
        assert!(
            apps(&doc).iter().all(|a| a["method"] == "restore"),
            "seed {}",
            doc["seed"]
        );
    }
    let why = hvsim_json(&[
        "explain",
        file,
        "--strategy",
        "failover-first",
        "--seed",
        "1",
        "--app",
        "member-online",
        "--json",
    ]);
    let skipped = &why["apps"][0]["method"]["skipped"][0];
    assert_eq!(skipped["method"], "failover", "{why}");
    assert_eq!(skipped["why"], "replica-lost", "{why}");
}

#[test]
fn maersk_2017_rebuilds_everything_in_about_ten_days() {
    let docs = runs(
        "scenarios/incidents/maersk-notpetya-2017.yaml",
        None,
        seeds(MAERSK_SEEDS),
    );
    let attack = ts("2017-06-27T13:00:00+02:00");
    let mut per_day = Vec::new();
    let mut last = Vec::new();
    for doc in &docs {
        let seed = &doc["seed"];
        // M1: 2,500 applications on 4,000 servers, down at once.
        assert_eq!(doc["incidents"][0]["apps_down"], 2500, "seed {seed}");
        assert_eq!(doc["faults"][0]["vms_corrupted"], 4000, "seed {seed}");
        // M2: nothing is back before the domain controllers.
        let ad = up(group(doc, "active-directory")[0]).expect("AD back");
        for app in apps(doc) {
            assert!(
                up(app).is_some_and(|u| u >= ad),
                "seed {seed}: {} back before the domain controllers",
                app["id"]
            );
            // M5: backups 3 to 7 days old.
            let lost_d = app["data_loss_s"].as_f64().expect("data loss") / 86_400.0;
            assert!(
                (3.0..=7.0).contains(&lost_d),
                "seed {seed}: {lost_d} days lost"
            );
        }
        // M3: everything back before the horizon.
        let end = last_up(&apps(doc).iter().collect::<Vec<_>>()).expect("all back");
        last.push(end);
        // M4: servers a day from the attack to the last application.
        let days = end.duration_since(attack).as_secs_f64() / 86_400.0;
        per_day.push(4000.0 / days);
    }
    median_within(
        "the last application back",
        last,
        ts("2017-07-05T00:00:00+02:00"),
        ts("2017-07-09T23:59:59+02:00"),
    );
    median_within("servers back per day", per_day, 300.0, 550.0);
}

#[test]
fn ovhcloud_2021_restarts_the_undamaged_halls_from_day_12() {
    let docs = runs(
        "scenarios/incidents/ovhcloud-strasbourg-2021.yaml",
        None,
        seeds(SEEDS),
    );
    let t = |s: &str| ts(&format!("{s}+01:00"));
    let (mut first, mut spread) = (Vec::new(), Vec::new());
    for doc in &docs {
        let seed = &doc["seed"];
        // O1: the destroyed halls come back elsewhere with nothing of their data.
        for rack in group(doc, "destroyed") {
            assert_eq!(rack["method"], "reinstall", "seed {seed}");
            assert_eq!(rack["data_lost_all"], true, "seed {seed}");
        }
        // O2: every rack of the site down on 10 March.
        for rack in apps(doc) {
            let down = ts(rack["down_at"].as_str().expect("went down"));
            assert!(
                down < t("2021-03-10T01:00:00"),
                "seed {seed}: {}",
                rack["id"]
            );
        }
        // O3, O4: the undamaged halls, restarted in place from day 12.
        let undamaged = group(doc, "undamaged");
        assert_eq!(undamaged.len(), 260);
        let ups: Vec<Timestamp> = undamaged.iter().map(|a| up(a).expect("back")).collect();
        assert!(
            undamaged.iter().all(|a| a["method"] == "restart"),
            "seed {seed}"
        );
        let (lo, hi) = (
            *ups.iter().min().expect("some"),
            *ups.iter().max().expect("some"),
        );
        assert!(
            lo >= t("2021-03-21T00:00:00"),
            "seed {seed}: a rack back at {lo}"
        );
        first.push(lo);
        spread.push(hi.duration_since(lo).as_secs_f64() / 86_400.0);
    }
    median_within(
        "first undamaged rack back",
        first,
        t("2021-03-21T12:00:00"),
        t("2021-03-23T12:00:00"),
    );
    median_within(
        "days from the first to the last undamaged rack",
        spread,
        2.0,
        10.0,
    );
}

/// Validate a copy of the Atlassian incident with one line replaced: the
/// error, located.
fn validate_with(from: &str, to: &str) -> String {
    validate_edit("scenarios/incidents/atlassian-2022.yaml", from, to)
}

/// Validate a copy of incident `file` with `from` replaced by `to`: the
/// error, located.
fn validate_edit(file: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("readable");
    assert!(text.contains(from), "the incident has `{from}`");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, text.replace(from, to)).expect("written");
    let out = hvsim()
        .args(["validate", path.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn automation_mistakes_are_located() {
    let line = "{ after: 8d, methods: [restore], scale: 0.15 }";
    let err = validate_with(line, "{ after: 8d, methods: [reinstall], scale: 0.15 }");
    assert!(
        err.contains("broken.yaml:145:")
            && err.contains("strategies[0].automation[0].methods[0]")
            && err.contains("the strategy does not use `reinstall`"),
        "{err}"
    );
    let err = validate_with(line, "{ after: 8d, methods: [restore], scale: 0 }");
    assert!(
        err.contains("strategies[0].automation[0].scale") && err.contains("above 0 and at most 10"),
        "{err}"
    );
    let err = validate_with(line, "{ after: soon, methods: [restore], scale: 0.5 }");
    assert!(err.contains("strategies[0].automation[0].after"), "{err}");
}

/// A tiny estate for the mechanisms the library added: hosts `h-01`
/// (apps `a`) and `h-02` (apps `b`), a DR host, a 24/7 team `t` of
/// `members`, and the given bugs, extra team fields and strategy fields.
fn tiny(bugs: &str, team: &str, strategy: &str) -> String {
    format!(
        "name: tiny
time_zone: UTC
start: 2024-01-05 00:00
horizon: 20d
builds: [{{ id: old, reboot: \"pert(5m, 10m, 30m)\" }}]
sites: [{{ id: main }}, {{ id: dr, role: dr }}]
clusters: [{{ id: p, site: main }}, {{ id: d, site: dr }}]
hosts:
  - {{ id: h, count: 2, cluster: p, build: old, cores: 64, memory: 1TiB }}
  - {{ id: x, count: 1, cluster: d, build: old, cores: 64, memory: 1TiB }}
bugs:
{bugs}
apps:
  - {{ id: a, count: 10, vms: [{{ cluster: p, host: h-01, cores: 2, memory: 8GiB, disk: 100GiB }}], work: {{ restart: \"pert(1h, 2h, 4h)\", reinstall: \"pert(4h, 6h, 10h)\" }} }}
  - {{ id: b, count: 10, vms: [{{ cluster: p, host: h-02, cores: 2, memory: 8GiB, disk: 100GiB }}], work: {{ restart: \"pert(1h, 2h, 4h)\", reinstall: \"pert(4h, 6h, 10h)\" }} }}
teams:
  - {{ id: t, shifts: [\"24/7\"], {team} }}
strategies:
  - {{ id: s, detection: 0s, diagnosis: 30m, methods: [restart], order: fifo{strategy} }}
"
    )
}

/// Runs `text` through the CLI with `seed`: its JSON document.
fn run_text(text: &str, seed: u64) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiny.yaml");
    std::fs::write(&path, text).expect("written");
    let seed = seed.to_string();
    hvsim_json(&[
        "run",
        "--json",
        "--seed",
        &seed,
        path.to_str().expect("utf-8"),
    ])
}

#[test]
fn nothing_on_a_powered_off_host_comes_back_before_its_power() {
    // Both hosts crash at 01:00; h-01's power stays off for 3 days.
    let bugs = "  - { id: cut, builds: [old], trigger: { at: 2024-01-05 01:00 }, scope: { hosts: [h-01] }, effects: { power_off: 3d } }
  - { id: crash, builds: [old], trigger: { at: 2024-01-05 01:00 }, scope: { hosts: [h-02] } }";
    let power = ts("2024-01-08T01:00:00Z");
    for seed in 1..=5 {
        let doc = run_text(&tiny(bugs, "members: 2", ""), seed);
        let on = |id: &str| -> Vec<Timestamp> {
            group(&doc, id)
                .iter()
                .map(|a| up(a).expect("back"))
                .collect()
        };
        // Restarted in place, not one before the power (and a reboot).
        assert!(
            on("a").iter().all(|&u| u > power),
            "seed {seed}: {:?}",
            on("a")
        );
        // The other host's apps do not wait for it.
        assert!(
            on("b").iter().all(|&u| u < ts("2024-01-06T12:00:00Z")),
            "seed {seed}: {:?}",
            on("b")
        );
    }
}

#[test]
fn power_off_mistakes_are_located() {
    let file = "scenarios/incidents/ovhcloud-strasbourg-2021.yaml";
    let line = "power_off: pert(11d12h, 12d, 12d12h)";
    let err = validate_edit(file, line, "power_off: pert(12d, 11d, 13d)");
    assert!(
        err.contains("broken.yaml:120:") && err.contains("bugs[1].effects.power_off"),
        "{err}"
    );
    let err = validate_edit(
        file,
        "crash: true                # powered down; nothing damaged",
        "crash: false\n      management_plane: 1h",
    );
    assert!(
        err.contains("bugs[1].effects.power_off") && err.contains("needs `crash: true`"),
        "{err}"
    );
}

#[test]
fn joiners_shorten_the_recovery_and_never_work_before_they_arrive() {
    // Both hosts crash at 01:00; 20 restarts of 1 to 4 hours each.
    let bugs = "  - { id: crash, builds: [old], trigger: { at: 2024-01-05 01:00 } }";
    let joins = "members: 4, joins: [{ at: 2024-01-05 13:00, members: 3 }]";
    let last = |team: &str, seed: u64| {
        let doc = run_text(&tiny(bugs, team, ""), seed);
        last_up(&apps(&doc).iter().collect::<Vec<_>>()).expect("all back")
    };
    for seed in 1..=3 {
        // The same draws (common random numbers): one member alone is
        // slower than one who is joined by three at 13:00, who are slower
        // than four from the start.
        let (alone, joined, four) = (
            last("members: 1", seed),
            last(joins, seed),
            last("members: 4", seed),
        );
        assert!(
            four <= joined && joined < alone,
            "seed {seed}: 4 from the start {four}, 3 joining {joined}, 1 alone {alone}"
        );
    }
    // The trace: members 2 to 4 take their first task at 13:00 or later.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiny.yaml");
    std::fs::write(&path, tiny(bugs, joins, "")).expect("written");
    let out = hvsim()
        .args(["run", "--trace", path.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let trace = String::from_utf8_lossy(&out.stderr);
    let starts: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains(" starts to "))
        .collect();
    assert!(starts.iter().any(|l| l.contains("t #1 ")), "{trace}");
    for joiner in ["t #2 ", "t #3 ", "t #4 "] {
        let first = starts
            .iter()
            .find(|l| l.contains(joiner))
            .unwrap_or_else(|| panic!("{joiner} works: {trace}"));
        // Lines begin with the local date and time, `2024-01-05 13:00 +00:00`.
        assert!(first[..16] >= *"2024-01-05 13:00", "{first}");
    }
}

#[test]
fn join_mistakes_are_located() {
    let file = "scenarios/incidents/maersk-notpetya-2017.yaml";
    let line = "{ at: 2017-07-01 08:00, members: 30 }";
    let err = validate_edit(file, line, "{ at: 2017-07-01 08:00, members: 80 }");
    assert!(
        err.contains("broken.yaml:")
            && err.contains("teams[0].joins[1].members")
            && err.contains("more than the team's 100"),
        "{err}"
    );
    let err = validate_edit(file, line, "{ at: 2017-06-01 08:00, members: 30 }");
    assert!(
        err.contains("teams[0].joins[1].at") && err.contains("before the scenario's start"),
        "{err}"
    );
    let err = validate_edit(file, line, "{ at: 2017-07-01 08:00, members: 0 }");
    assert!(
        err.contains("teams[0].joins[1].members") && err.contains("at least 1"),
        "{err}"
    );
}
