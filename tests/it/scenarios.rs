//! The bundled teaching scenarios do what their header comments claim.
//!
//! Each test checks one scenario's numbered claims through the CLI, the
//! way a reader would: `hvsim compare FILE --json` for probabilities and
//! paired differences, `hvsim run FILE --json --seed S` over a few seeds for
//! "in every replication" claims about single apps. The margins are wide
//! enough to survive recalibration of the engine's random streams, and
//! narrow enough that the claim would fail if it were false.

use crate::compare::{compare, metric};
use crate::hvsim_json;

use serde_json::Value;

/// Seeds for the "in every replication" claims checked on single runs.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=20;

/// Replications for `hvsim compare`: a fraction of a second per scenario in
/// a debug build.
const RUNS: &str = "200";

pub(crate) fn run(file: &str, strategy: &str, seed: u64) -> Value {
    let seed = seed.to_string();
    hvsim_json(&[
        "run",
        file,
        "--json",
        "--strategy",
        strategy,
        "--seed",
        &seed,
    ])
}

/// Every strategy of `file` over `RUNS` replications.
fn compare_all(file: &str) -> Value {
    compare(&[file, "--runs", RUNS])
}

/// A metric's mean (hours, % or crit·h).
fn mean(doc: &Value, strategy: &str, name_prefix: &str) -> f64 {
    metric(doc, strategy, name_prefix)["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{strategy}: `{name_prefix}` has no mean"))
}

/// The paired difference of a metric against the first strategy: (mean, CI half-width).
pub(crate) fn diff(doc: &Value, strategy: &str, name_prefix: &str) -> (f64, f64) {
    let d = &metric(doc, strategy, name_prefix)["diff_vs_first"];
    let get = |k: &str| {
        d[k].as_f64()
            .unwrap_or_else(|| panic!("{strategy}: `{name_prefix}` has no paired {k}"))
    };
    (get("mean"), get("ci95"))
}

/// The apps of a run that went down.
fn down(doc: &Value) -> impl Iterator<Item = &Value> {
    doc["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter(|a| !a["down_at"].is_null())
}

fn has_tag(app: &Value, tag: &str) -> bool {
    app["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .any(|t| t == tag)
}

fn id(app: &Value) -> &str {
    app["id"].as_str().expect("id")
}

/// Seconds from the strike to the app being back for good.
fn recovery_s(app: &Value) -> Option<u64> {
    app["recovery_s"].as_u64()
}

/// The bundled scenarios, as text.
fn bundled() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the scenarios directory")
        .map(|e| e.expect("a directory entry").path())
        // Fault campaigns (scenarios/faults/) are not scenarios.
        .filter(|p| p.is_file())
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_method_and_order_is_shown_by_a_bundled_strategy() {
    let files = bundled();
    let lines = || {
        files
            .iter()
            .flat_map(|(_, text)| text.lines())
            .map(str::trim)
    };
    for order in [
        "fifo",
        "criticality",
        "shortest-first",
        "weighted-shortest",
        "dependency-aware",
    ] {
        let yaml = format!("order: {order}");
        let toml = format!("order = \"{order}\"");
        assert!(
            lines().any(|l| l.starts_with(&yaml) || l.starts_with(&toml)),
            "no bundled strategy uses order `{order}`"
        );
    }
    for method in [
        "restart",
        "ha-restart",
        "restore",
        "failover",
        "reinstall",
        "rebuild",
    ] {
        let listed = |l: &str| {
            l.strip_prefix("methods: [")
                .and_then(|rest| rest.strip_suffix(']'))
                .is_some_and(|list| list.split(',').any(|m| m.trim() == method))
        };
        assert!(
            lines().any(listed),
            "no bundled strategy lists method `{method}`"
        );
    }
}

mod ha_single_host_crash {
    use super::*;

    const FILE: &str = "scenarios/ha-single-host-crash.yaml";

    #[test]
    fn ha_brings_prod_back_in_minutes_and_the_full_cluster_falls_back_to_a_restart() {
        for seed in SEEDS {
            let doc = run(FILE, "ha-then-restart", seed);
            let worked_on: Vec<&str> = doc["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .filter_map(|t| t["app"].as_str())
                .collect();
            let mut legacy = 0;
            for app in down(&doc) {
                let back = recovery_s(app).unwrap_or_else(|| panic!("seed {seed}: {app}"));
                if has_tag(app, "prod") {
                    // Claim 1: within 15 minutes, with nobody working on it.
                    assert!(
                        back <= 15 * 60,
                        "seed {seed}: {} back after {back} s",
                        id(app)
                    );
                    assert!(!worked_on.contains(&id(app)), "seed {seed}: {}", id(app));
                } else {
                    // Claim 2: no room for HA; a person restarts it after
                    // the diagnosis (at least 1 h).
                    legacy += 1;
                    assert_eq!(app["method"], "restart", "seed {seed}: {app}");
                    assert!(back >= 3600, "seed {seed}: {} back after {back} s", id(app));
                }
            }
            assert!(legacy > 0, "seed {seed}: the legacy cluster was not hit");
        }
    }

    #[test]
    fn without_ha_nothing_is_back_before_the_diagnosis() {
        for seed in SEEDS {
            let doc = run(FILE, "manual-restart", seed);
            for app in down(&doc) {
                let back = recovery_s(app).unwrap_or_else(|| panic!("seed {seed}: {app}"));
                assert!(back >= 3600, "seed {seed}: {} back after {back} s", id(app));
                assert_eq!(app["method"].as_str().unwrap_or("restart"), "restart");
            }
        }
    }

    #[test]
    fn the_objective_is_met_with_ha_and_never_without_and_the_last_app_is_barely_sooner() {
        let doc = compare_all(FILE);
        let objective = "objective prod within 30 minutes";
        assert!(mean(&doc, "ha-then-restart", objective) >= 99.0);
        assert!(mean(&doc, "manual-restart", objective) <= 1.0);
        // Claim 2: HA does not end the incident much sooner (the legacy
        // apps set the end), though half the apps are back hours sooner.
        let (last, _) = diff(
            &doc,
            "manual-restart",
            "incident 1 (nic-driver-psod): 100 % back",
        );
        assert!((0.0..1.0).contains(&last), "100 % back: {last:.2} h later");
        let (half, ci) = diff(
            &doc,
            "manual-restart",
            "incident 1 (nic-driver-psod): 50 % back",
        );
        assert!(half - ci > 2.0, "50 % back: {half:.2} h ± {ci:.2} later");
    }
}

mod backup_restore {
    use super::*;

    const FILE: &str = "scenarios/backup-restore.yaml";
    const CRITICAL: &str = "objective critical apps within 8 hours";

    #[test]
    fn restore_beats_reinstall_and_criticality_beats_fifo() {
        let doc = compare_all(FILE);
        // Claim 1.
        let by_criticality = mean(&doc, "restore-by-criticality", CRITICAL);
        assert!(by_criticality >= 95.0, "{by_criticality} %");
        assert!(mean(&doc, "reinstall-by-hand", CRITICAL) <= 1.0);
        // Claim 2: more than a day of mean downtime per app.
        let (more, ci) = diff(&doc, "reinstall-by-hand", "mean downtime");
        assert!(more - ci > 24.0, "reinstall: {more:.1} h ± {ci:.1} more");
        // Claim 3: fifo starts with the file server.
        let (impact, ci) = diff(&doc, "restore-fifo", "weighted impact");
        assert!(impact - ci > 0.0, "fifo: {impact:.1} crit·h ± {ci:.1} more");
        let fifo = mean(&doc, "restore-fifo", CRITICAL);
        assert!(
            fifo < by_criticality,
            "fifo {fifo} %, by criticality {by_criticality} %"
        );
    }

    #[test]
    fn every_strategy_loses_the_17_hours_since_the_nightly_backup() {
        let doc = compare_all(FILE);
        for strategy in [
            "restore-by-criticality",
            "restore-fifo",
            "reinstall-by-hand",
        ] {
            let loss = metric(&doc, strategy, "worst data loss");
            for stat in ["mean", "max"] {
                let h = loss[stat].as_f64().expect("hours");
                assert!((h - 17.0).abs() < 0.05, "{strategy}: {stat} {h} h");
            }
            let four_hours = mean(&doc, strategy, "objective payments lose at most 4 hours");
            assert_eq!(four_hours, 0.0, "{strategy}");
            let one_day = mean(&doc, strategy, "objective no app loses more than a day");
            assert_eq!(one_day, 100.0, "{strategy}");
        }
    }

    #[test]
    fn more_restore_streams_help_the_small_restores_behind_the_file_server() {
        let doc = hvsim_json(&[
            "sweep",
            FILE,
            "--set",
            "backup.streams=1,4",
            "--strategies",
            "restore-fifo",
            "--runs",
            "100",
            "--json",
        ]);
        let points = doc["points"].as_array().expect("points");
        let at = |i: usize, name: &str| mean(&points[i]["comparison"], "restore-fifo", name);
        assert_eq!(points[0]["point"]["backup.streams"], 1);
        let (one, four) = (at(0, "mean downtime"), at(1, "mean downtime"));
        assert!(
            one - four > 2.0,
            "1 stream {one:.2} h, 4 streams {four:.2} h"
        );
        let (one, four) = (at(0, CRITICAL), at(1, CRITICAL));
        assert!(
            one < 50.0 && four > 80.0,
            "1 stream {one} %, 4 streams {four} %"
        );
    }
}

mod replicated_failover_runbook {
    use super::*;

    const FILE: &str = "scenarios/replicated-failover-runbook.yaml";
    const NO_ROOM: &str = "no room at the DR site";

    fn up_at(app: &Value) -> jiff::Timestamp {
        app["up_at"]
            .as_str()
            .unwrap_or_else(|| panic!("{} is not back", id(app)))
            .parse()
            .expect("RFC 3339 date")
    }

    #[test]
    fn the_runbook_brings_infrastructure_then_business_back_and_leaves_reporting_without_room() {
        for seed in SEEDS {
            let doc = run(FILE, "srm-runbook", seed);
            let apps: Vec<&Value> = down(&doc).collect();
            let tagged = |tag: &'static str| apps.iter().filter(move |a| has_tag(a, tag));
            // Claim 1: every infrastructure and business app is back; some
            // reporting app waits for room.
            let infra_done = tagged("infra").map(|a| up_at(a)).max().expect("infra");
            let business_first = tagged("business")
                .map(|a| up_at(a))
                .min()
                .expect("business");
            assert!(
                tagged("reporting").any(|a| a["waiting"] == NO_ROOM),
                "seed {seed}: every reporting app found room"
            );
            // Claim 2: the go step and a failover between the waves.
            let gap = business_first.duration_since(infra_done).as_secs();
            assert!(gap >= 20 * 60, "seed {seed}: business {gap} s after infra");
        }
    }

    #[test]
    fn without_waves_reporting_takes_the_room_the_business_apps_needed() {
        for seed in SEEDS {
            let doc = run(FILE, "failover-dependency-aware", seed);
            let stranded: Vec<&str> = down(&doc)
                .filter(|a| has_tag(a, "business") && a["waiting"] == NO_ROOM)
                .map(id)
                .collect();
            assert!(
                !stranded.is_empty(),
                "seed {seed}: every business app found room"
            );
            assert!(
                down(&doc)
                    .filter(|a| has_tag(a, "reporting"))
                    .all(|a| a["method"] == "failover"),
                "seed {seed}: a reporting app did not fail over"
            );
        }
    }

    #[test]
    fn waves_meet_the_business_objective_and_failover_loses_minutes_not_a_day() {
        let doc = compare_all(FILE);
        // Claims 1 and 3.
        let business = "objective business within 4 hours";
        assert!(mean(&doc, "srm-runbook", business) >= 95.0);
        assert_eq!(mean(&doc, "failover-dependency-aware", business), 0.0);
        let (impact, _) = diff(&doc, "failover-dependency-aware", "weighted impact");
        let runbook = mean(&doc, "srm-runbook", "weighted impact");
        assert!(
            impact > 2.0 * runbook,
            "{impact:.0} more than {runbook:.0} crit·h"
        );
        // Claim 4.
        let infra = "objective infrastructure within 3 hours";
        for strategy in ["srm-runbook", "failover-dependency-aware"] {
            let lost = metric(&doc, strategy, "worst data loss")["max"]
                .as_f64()
                .expect("hours");
            assert!(lost <= 0.25 + 0.01, "{strategy}: {lost} h lost");
            assert!(mean(&doc, strategy, infra) >= 95.0, "{strategy}");
        }
        let lost = mean(&doc, "restore-by-criticality", "worst data loss");
        assert!(
            (lost - (23.0 + 10.0 / 60.0)).abs() < 0.05,
            "restore: {lost} h lost"
        );
        assert_eq!(mean(&doc, "restore-by-criticality", infra), 0.0);
        let (longer, ci) = diff(&doc, "restore-by-criticality", "mean downtime");
        assert!(longer - ci > 2.0, "restore: {longer:.2} h ± {ci:.2} longer");
    }
}

mod recurring_bug_rollback {
    use super::*;

    const FILE: &str = "scenarios/recurring-bug-rollback.yaml";

    fn recurrences(doc: &Value) -> u64 {
        doc["totals"]["recurrences"].as_u64().expect("recurrences")
    }

    #[test]
    fn restarting_anyway_loops_and_rolling_back_ends_it_with_the_right_teams() {
        for seed in SEEDS {
            // Claim 1.
            let doc = run(FILE, "restart-anyway", seed);
            assert!(recurrences(&doc) > 20, "seed {seed}: {}", recurrences(&doc));
            // Claims 2 and 4.
            let doc = run(FILE, "rollback", seed);
            assert_eq!(recurrences(&doc), 0, "seed {seed}");
            assert_eq!(doc["totals"]["apps_still_down"], 0, "seed {seed}");
            let tasks = doc["tasks"].as_array().expect("tasks");
            let rebuilds = tasks.iter().filter(|t| t["kind"] == "host").count();
            assert!(rebuilds > 0, "seed {seed}: no host rebuilt");
            for t in tasks {
                let team = if t["kind"] == "host" {
                    "infra"
                } else {
                    "app-team"
                };
                assert_eq!(t["team"], team, "seed {seed}: {t}");
            }
            for app in down(&doc) {
                assert_eq!(app["data_loss_s"], 0, "seed {seed}: {app}");
            }
            // Claim 3: escalated to a reinstall after the recurrences.
            let doc = run(FILE, "restart-then-reinstall", seed);
            assert!(recurrences(&doc) > 0, "seed {seed}");
            assert_eq!(doc["totals"]["apps_still_down"], 0, "seed {seed}");
            assert!(
                down(&doc).any(|a| a["method"] == "reinstall"),
                "seed {seed}: nothing escalated"
            );
        }
    }

    #[test]
    fn rollback_is_days_sooner_than_moving_out_and_loses_no_data() {
        let doc = compare_all(FILE);
        let mean_downtime = mean(&doc, "restart-anyway", "mean downtime");
        assert!(mean_downtime > 48.0, "restart anyway: {mean_downtime:.1} h");
        let within_a_day = "objective everything within a day";
        assert_eq!(mean(&doc, "restart-anyway", within_a_day), 0.0);
        assert_eq!(mean(&doc, "rollback", within_a_day), 100.0);
        let no_loss = "objective no data lost";
        assert_eq!(mean(&doc, "rollback", no_loss), 100.0);
        assert_eq!(mean(&doc, "restart-then-reinstall", no_loss), 0.0);
        assert_eq!(mean(&doc, "restart-anyway", no_loss), 100.0);
        // Days later: the paired differences against restart-anyway.
        let (rollback, _) = diff(&doc, "rollback", "mean downtime");
        let (reinstall, _) = diff(&doc, "restart-then-reinstall", "mean downtime");
        assert!(
            reinstall - rollback > 24.0,
            "{reinstall:.1} h vs {rollback:.1} h"
        );
    }
}

mod availability_year {
    use super::*;

    const FILE: &str = "scenarios/availability-year.yaml";

    #[test]
    fn without_ha_apps_are_as_available_as_their_hosts_and_ha_restores_most_of_it() {
        let doc = compare_all(FILE);
        // Claim 1: MTBF / (MTBF + MTTR) = 60 d / (60 d + 8 h).
        let expected = 100.0 * (60.0 * 24.0) / (60.0 * 24.0 + 8.0);
        let without = mean(&doc, "wait-for-repair", "mean app availability");
        assert!(
            (without - expected).abs() < 0.2,
            "without HA {without:.3} %, expected {expected:.3} %"
        );
        // Claim 2: HA above 99.9 %, and the worst app much better off.
        let with = mean(&doc, "ha-restart", "mean app availability");
        assert!(with > 99.9, "with HA {with:.3} %");
        let worst_without = mean(&doc, "wait-for-repair", "least available");
        let worst_with = mean(&doc, "ha-restart", "least available");
        assert!(
            worst_with - worst_without > 0.5,
            "{worst_without} → {worst_with}"
        );
    }

    #[test]
    fn the_run_reports_availability_per_host_and_per_app() {
        let doc = run(FILE, "wait-for-repair", 3);
        let hosts = doc["hosts"].as_array().expect("hosts");
        assert_eq!(hosts.len(), 12);
        assert!(hosts.iter().any(|h| h["failures"].as_u64() > Some(0)));
        for h in hosts {
            let a = h["availability"].as_f64().expect("availability");
            assert!((0.9..=1.0).contains(&a), "{h}");
        }
        // An app restarts with its host: same availability as its host
        // (its only VM never moves without HA).
        let apps = doc["apps"].as_array().expect("apps");
        let lowest_app = apps
            .iter()
            .filter_map(|a| a["availability"].as_f64())
            .fold(1.0, f64::min);
        let lowest_host = hosts
            .iter()
            .filter_map(|h| h["availability"].as_f64())
            .fold(1.0, f64::min);
        assert!(lowest_app >= lowest_host - 1e-9);
    }

    /// Without HA nothing recovers the apps: their VMs restart by
    /// themselves once the failed host is repaired. The run says so
    /// (`(host repaired)`, `self_restarts`), not `(dependency)`: no app
    /// here depends on another.
    #[test]
    fn apps_back_with_their_repaired_host_say_so() {
        let doc = hvsim_json(&["run", FILE, "--json"]);
        let down: Vec<&Value> = doc["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .filter(|a| !a["down_at"].is_null())
            .collect();
        assert!(!down.is_empty());
        for a in &down {
            assert_eq!(a["method"], Value::Null, "{a}");
            assert_eq!(a["recoveries"], 0, "{a}");
            assert_eq!(
                a["self_restarts"].as_u64(),
                Some(a["outages"].as_array().expect("outages").len() as u64),
                "{a}"
            );
        }
        let out = crate::hvsim().args(["run", FILE]).output().expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("(host repaired)"), "{text}");
        assert!(!text.contains("(dependency)"), "{text}");
        // `explain` names the method chosen, and that the host's repair
        // brought the app back before it.
        let out = crate::hvsim()
            .args(["explain", FILE, "--app", "database-03"])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("restart, the first method; back by itself once its host was repaired"),
            "{text}"
        );
    }
}

/// A VM's `host` pins it to that host (a bug then strikes exactly the VMs
/// on its build's hosts); a host outside the VM's cluster, an unknown
/// host and a named host too full are located errors.
#[test]
fn a_vm_named_host_is_where_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = "scenarios/backup-restore.yaml";
    let line = "      - { count: 2, cluster: erp, cores: 4, memory: 16GiB, disk: 4TiB }";
    let pinned = crate::edited_copy(
        dir.path(),
        file,
        "pinned.yaml",
        &[(
            line,
            "      - { count: 2, cluster: erp, host: erp-05, cores: 4, memory: 16GiB, disk: 4TiB }",
        )],
    );
    let sc = hvsim::scenario::load_path(std::path::Path::new(&pinned)).expect("it loads");
    let app = sc
        .apps
        .iter()
        .find(|a| a.id == "file-server")
        .expect("the app");
    for vm in &app.vms {
        assert_eq!(sc.hosts[sc.vms[vm.index()].host.index()].id, "erp-05");
    }
    for (to, expected) in [
        (
            "host: drx-01",
            "host `drx-01` is in cluster `dr`, not in `erp` where this VM runs",
        ),
        ("host: erp-99", "unknown host `erp-99`"),
    ] {
        let bad = crate::edited_copy(
            dir.path(),
            file,
            "bad.yaml",
            &[(
                line,
                &line.replace("cluster: erp,", &format!("cluster: erp, {to},")),
            )],
        );
        let out = crate::hvsim()
            .arg("validate")
            .arg(&bad)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expected), "{err}");
        assert!(err.contains("bad.yaml:"), "located: {err}");
        assert!(err.contains("apps[0].vms[0].host"), "the field: {err}");
    }
    let full = crate::edited_copy(
        dir.path(),
        file,
        "full.yaml",
        &[(
            line,
            "      - { count: 40, cluster: erp, host: erp-01, cores: 4, memory: 16GiB, disk: 4TiB }",
        )],
    );
    let out = crate::hvsim()
        .arg("validate")
        .arg(&full)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("the host(s) its `host` names are full"),
        "{err}"
    );
}
