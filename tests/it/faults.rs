//! The fault model: a focused scenario for every trigger and effect, the
//! vendor, compounding outages, chaos and fault campaign files.

use hvsim::metrics::{FaultKind, Outcome};
use hvsim::model::{Method, Scenario};
use hvsim::scenario::{Format, load_str};
use hvsim::sim::{SimDuration, SimTime};

use crate::hvsim;

/// Primary cluster `p` (hosts `hosts`, build `old`), DR site with one big
/// host on build `new`. Start 2024-01-05 00:00 UTC (a Friday).
fn world(hosts: &str, bugs: &str, apps: &str, strategies: &str, extra: &str) -> String {
    format!(
        "name: faults
time_zone: UTC
start: 2024-01-05 00:00
horizon: 40d
builds:
  - {{ id: old, reboot: 10m, rebuild: 2h }}
  - {{ id: new, reboot: 10m, rebuild: 2h }}
sites: [{{ id: main }}, {{ id: dr, role: dr }}]
clusters: [{{ id: p, site: main }}, {{ id: d, site: dr }}]
hosts:
{hosts}
  - {{ id: x, count: 1, cluster: d, build: new, cores: 64, memory: 2TiB }}
bugs:
{bugs}
apps:
{apps}
teams:
  - {{ id: t, members: 4, shifts: [\"24/7\"] }}
strategies:
{strategies}
{extra}"
    )
}

fn load(text: &str) -> Scenario {
    load_str(text, "faults.yaml", Format::Yaml).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(sc: &Scenario, seed: u64) -> Outcome {
    hvsim::simulate(sc, sc.default_strategy(), seed).expect("runs")
}

fn h(hours: f64) -> SimDuration {
    SimDuration::from_millis((hours * 3_600_000.0).round() as u64)
}

fn at_h(hours: f64) -> SimTime {
    SimTime::ZERO.saturating_add(h(hours))
}

const ONE_HOST: &str = "  - { id: h, count: 1, cluster: p, build: old, cores: 32, memory: 512GiB }";
const ONE_APP: &str = "  - { id: a, vms: [{ cluster: p, cores: 2, memory: 8GiB, disk: 100GiB }], work: { restart: 10m, reinstall: 2h, ha-restart: 5m, failover: 15m, restore: 0s } }";
const RESTART: &str =
    "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restart, reinstall], order: fifo }";

#[test]
fn uptime_triggers_strike_hosts_booted_together_together_and_again_after_a_reboot() {
    // Both hosts were booted 25 days before the start; the leak brings them
    // down at 30 days of uptime (± 1 h), so on day 5. After the restart
    // (10 min + 10 min), the next strike is 30 days later, on day 35 of
    // the 40-day horizon whatever the draws.
    let hosts =
        "  - { id: h, count: 2, cluster: p, build: old, cores: 32, memory: 512GiB, uptime: 25d }";
    let bugs = "  - { id: leak, builds: [old], trigger: { uptime: \"uniform(719h, 721h)\" } }";
    let sc = load(&world(hosts, bugs, ONE_APP, RESTART, ""));
    let o = run(&sc, 1);
    let strikes: Vec<SimTime> = o.incidents.iter().map(|i| i.at).collect();
    assert!(strikes.len() >= 3, "{strikes:?}");
    for t in &strikes[..2] {
        assert!(*t >= at_h(119.0) && *t <= at_h(121.0), "{t}");
    }
    // The second round, 30 days after each host's reboot.
    assert!(strikes[2] >= at_h(119.0 + 719.0) && strikes[2] <= at_h(121.0 + 721.0 + 1.0));
    // The app was recovered each time.
    assert!(o.apps[0].final_up().is_some());
}

#[test]
fn poisson_triggers_strike_at_the_given_mean_rate() {
    // A bug that only takes the management plane away for a minute: the
    // host stays up and the strikes form a Poisson process of mean 1 day
    // over 40 days, in each of 40 runs: 1,600 expected in all.
    let bugs = "  - { id: flaky, builds: [old], trigger: { poisson: 1d }, effects: { crash: false, management_plane: 1m } }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, RESTART, ""));
    let total: usize = (1..=40).map(|seed| run(&sc, seed).incidents.len()).sum();
    // Poisson(1600): sd 40; 5 sd either side.
    assert!((1400..=1800).contains(&total), "{total} strikes");
}

#[test]
fn operation_triggers_strike_when_the_operation_happens() {
    // A time bomb crashes the host; the restart's reboot then triggers a
    // second bug (probability 1) that crashes it again; escalation sends
    // the app to DR; the move onto DR host x triggers a third bug there.
    let bugs = "  - { id: bomb, builds: [old], trigger: { at: 2024-01-05 01:00 } }
  - { id: on-boot, builds: [old], trigger: { on: restart, probability: 1.0 } }
  - { id: on-move, builds: [new], trigger: { on: migration, probability: 1.0 }, scope: { hosts: [x] }, effects: { crash: false, management_plane: 1h } }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restart, reinstall], order: fifo, restart_despite_recurrence: true, escalate: { after_recurrences: 1 } }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, strategy, ""));
    let o = run(&sc, 1);
    let by_bug = |id: &str| {
        o.incidents
            .iter()
            .filter(|i| sc.bugs[i.bug.index()].id == id)
            .count()
    };
    assert_eq!(by_bug("bomb"), 1);
    assert!(by_bug("on-boot") >= 1);
    assert_eq!(by_bug("on-move"), 1);
    assert_eq!(o.apps[0].method, Some(Method::Reinstall));
}

#[test]
fn a_crash_dump_delays_the_reboot() {
    // Strike at 01:00; the dump takes 30 min, the reboot 10 min, the
    // restart 10 min: back at 01:50.
    let bugs = "  - { id: psod, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { crash_dump: 30m } }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, RESTART, ""));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(1.0 + 50.0 / 60.0)));
}

#[test]
fn a_power_cut_holds_every_boot_back_until_the_power_returns() {
    // Strike at 01:00; no power for 2 days; then the reboot (10 min) and
    // the restart (10 min): back at 01:00 + 48 h + 20 min, however early
    // the diagnosis (here at once).
    let bugs = "  - { id: cut, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { power_off: 2d } }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, RESTART, ""));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].method, Some(Method::Restart));
    assert_eq!(o.apps[0].final_up(), Some(at_h(49.0 + 20.0 / 60.0)));
    // With a crash dump (30 min) too, the later of the two holds it back.
    let both = bugs.replace("power_off: 2d", "power_off: 2d, crash_dump: 30m");
    let o = run(&load(&world(ONE_HOST, &both, ONE_APP, RESTART, "")), 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(49.0 + 20.0 / 60.0)));
    // A host rebuilt while its power is off (2 h of work) boots only when
    // the power is back, then the app restarts in place (10 min).
    let rebuild = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [rebuild], order: fifo, rebuild_to: new }";
    let o = run(&load(&world(ONE_HOST, bugs, ONE_APP, rebuild, "")), 1);
    assert_eq!(o.apps[0].method, Some(Method::Rebuild));
    assert_eq!(o.apps[0].final_up(), Some(at_h(49.0 + 10.0 / 60.0)));
    // Recovering elsewhere does not wait for the power: reinstalled at DR.
    let reinstall =
        "  - { id: s, detection: 0s, diagnosis: 0s, methods: [reinstall], order: fifo }";
    let o = run(&load(&world(ONE_HOST, bugs, ONE_APP, reinstall, "")), 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(3.0)));
}

/// The error that loading a world with `bugs` gives.
fn invalid(bugs: &str) -> String {
    load_str(
        &world(ONE_HOST, bugs, ONE_APP, RESTART, ""),
        "faults.yaml",
        Format::Yaml,
    )
    .expect_err("rejected")
    .to_string()
}

#[test]
fn power_off_needs_a_crash() {
    let err = invalid(
        "  - { id: cut, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { crash: false, management_plane: 1h, power_off: 2d } }",
    );
    assert!(
        err.contains("bugs[0].effects.power_off") && err.contains("needs `crash: true`"),
        "{err}"
    );
    let err = invalid(
        "  - { id: cut, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { power_off: soon } }",
    );
    assert!(
        err.contains("faults.yaml:") && err.contains("bugs[0].effects.power_off"),
        "{err}"
    );
}

#[test]
fn datastore_loss_corrupts_every_vm_even_without_a_crash() {
    let bugs = "  - { id: vmfs, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { crash: false, datastore_loss: true } }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, RESTART, ""));
    let o = run(&sc, 1);
    assert_eq!(o.faults[0].vms_corrupted, 1);
    assert!(o.faults[0].hosts.is_empty(), "no host crashed");
    // Restart cannot bring back a corrupted VM: reinstalled (2 h).
    assert_eq!(o.apps[0].method, Some(Method::Reinstall));
    assert_eq!(o.apps[0].final_up(), Some(at_h(3.0)));
}

#[test]
fn losing_the_management_plane_holds_automated_methods_back() {
    // The bug crashes h-01 and takes the management plane for 2 h. HA
    // restart to h-02 must wait for it: back at 01:00 + 2 h + 5 min.
    let hosts = "  - { id: h, count: 2, cluster: p, build: old, cores: 32, memory: 512GiB }";
    let bugs = "  - { id: mgmt, builds: [old], trigger: { at: 2024-01-05 01:00 }, scope: { hosts: [h-01] }, effects: { management_plane: 2h } }";
    let strategy =
        "  - { id: s, detection: 0s, diagnosis: 9h, methods: [ha-restart], order: fifo }";
    let sc = load(&world(hosts, bugs, ONE_APP, strategy, ""));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].method, Some(Method::HaRestart));
    assert_eq!(o.apps[0].final_up(), Some(at_h(3.0 + 5.0 / 60.0)));
}

#[test]
fn the_vendor_works_in_its_support_hours() {
    // Friday 20:00 strike; the vendor works Mon-Fri 09:00-17:00 and needs
    // 4 h for the fix: applied Monday 13:00 (day 3 + 13 h = 85 h). Restart
    // is unsafe until then (the bug recurs); then reboot and restart (20
    // min). The workaround (10 h of support) would come later, on Tuesday.
    let bugs = "  - id: bug
    builds: [old]
    trigger: { at: 2024-01-05 20:00 }
    recurrence: 1h
    vendor: { support: Mon-Fri 09:00-17:00, fix: 4h, workaround: 10h }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restart], order: fifo }";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, strategy, ""));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(85.0 + 20.0 / 60.0)));
    // Around the clock, the workaround (10 h) comes first and makes the
    // restart safe: back at 20:00 + 10 h + 20 min.
    let bugs = bugs
        .replace("Mon-Fri 09:00-17:00", "24/7")
        .replace("fix: 4h", "fix: 40h");
    let sc = load(&world(ONE_HOST, &bugs, ONE_APP, strategy, ""));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(30.0 + 20.0 / 60.0)));
    assert_eq!(o.recurrences, 0);
}

#[test]
fn restart_in_place_loops_until_the_fix_as_the_trace_shows() {
    // Restarting despite the recurring bug: the host crashes again every
    // hour or so until the fix at 2024-01-06 01:00; then it stays up.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("loop.yaml");
    let bugs = "  - { id: bug, builds: [old], trigger: { at: 2024-01-05 01:00 }, recurrence: 1h, fix: 24h }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restart], order: fifo, restart_despite_recurrence: true }";
    std::fs::write(&file, world(ONE_HOST, bugs, ONE_APP, strategy, "")).expect("write");
    let out = hvsim()
        .args(["run", "--trace"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let trace = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = trace.lines().collect();
    let fix = lines
        .iter()
        .position(|l| l.contains("fix for bug bug is applied"))
        .expect("the fix is in the trace");
    let again = |l: &&&str| l.contains("strikes again on restarted host");
    let before = lines[..fix].iter().filter(again).count();
    let after = lines[fix..].iter().filter(again).count();
    assert!(before >= 5, "{before} recurrences before the fix\n{trace}");
    assert_eq!(after, 0, "no recurrence after the fix\n{trace}");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains(", 0 still down"), "{report}");
}

#[test]
fn outages_pause_restores_and_block_failover() {
    // 100 GiB at 100 GiB/h: alone, 1 h. The backup system is down from
    // 01:30 for 1 h: the transfer pauses and ends at 03:00.
    let bugs = "  - { id: bug, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { corrupt_vm: 1.0 } }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restore], order: fifo }";
    let extra = "backup: { throughput: 100GiB/h, streams: 1, every: 1d, at: \"2024-01-04 22:00\" }
outages: [{ what: backup, at: 2024-01-05 01:30, for: 1h }]";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, strategy, extra));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(3.0)));
    // The link is cut from 00:30 for 3 h: no failover; with [failover,
    // reinstall] the app is reinstalled (2 h) instead.
    let strategy =
        "  - { id: s, detection: 0s, diagnosis: 0s, methods: [failover, reinstall], order: fifo }";
    let extra = "replication: { lag: 5m }
outages: [{ what: link, at: 2024-01-05 00:30, for: 3h }]";
    let sc = load(&world(ONE_HOST, bugs, ONE_APP, strategy, extra));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].method, Some(Method::Reinstall));
    assert_eq!(o.apps[0].final_up(), Some(at_h(3.0)));
}

#[test]
fn simulated_availability_matches_mtbf_over_mtbf_plus_mttr() {
    // One host failing with exponential MTBF 10 d and MTTR 1 d over 10
    // years: availability 10/11. Its app restarts by itself after each
    // repair, so it has the same availability.
    let text = world(
        ONE_HOST,
        "  []",
        ONE_APP,
        "  - { id: s, detection: 0s, diagnosis: 0s, methods: [restart], order: fifo }",
        "chaos: [{ id: hw, scope: { clusters: [p] }, mtbf: exp(10d), mttr: exp(1d) }]",
    )
    .replace("horizon: 40d", "horizon: 3650d")
    .replace("bugs:\n  []", "bugs: []");
    let sc = load(&text);
    let samples: Vec<f64> = (1..=12)
        .map(|seed| {
            let o = run(&sc, seed);
            let host = o.host_availability(hvsim::model::HostId(0));
            let app = o.app_availability(hvsim::model::AppId(0));
            assert!((host - app).abs() < 1e-3, "host {host} app {app}");
            assert!(o.faults.iter().all(|f| f.kind == FaultKind::Chaos(0)));
            host
        })
        .collect();
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let sd = (samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let expected = 10.0 / 11.0;
    // Within 4 standard errors (and the estimate is not degenerate).
    assert!(sd > 0.0);
    assert!(
        (mean - expected).abs() < 4.0 * sd / n.sqrt(),
        "mean {mean} expected {expected} (sd {sd})"
    );
}

#[test]
fn a_fleet_split_across_two_builds_loses_about_half_as_many_apps() {
    // 20 hosts, 40 single-VM apps spread evenly. The bug carries build
    // `old` and hits each host in scope with probability 0.6. On a
    // homogeneous fleet every host is exposed; split across `old` and
    // `new`, half of them.
    let apps = "  - { id: a, count: 40, vms: [{ cluster: p, cores: 2, memory: 8GiB }], work: { reinstall: 1h } }";
    let bugs = "  - { id: bug, builds: [old], trigger: { at: 2024-01-05 01:00 }, scope: { clusters: [p], probability: 0.6 } }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [reinstall], order: fifo }";
    let homogeneous = "  - { id: h, count: 20, cluster: p, build: old, cores: 32, memory: 512GiB }";
    let split = "  - { id: h, count: 10, cluster: p, build: old, cores: 32, memory: 512GiB }
  - { id: g, count: 10, cluster: p, build: new, cores: 32, memory: 512GiB }";
    let lost = |hosts: &str| -> f64 {
        let sc = load(&world(hosts, bugs, apps, strategy, ""));
        let total: usize = (1..=60)
            .map(|seed| run(&sc, seed).incidents[0].apps.len())
            .sum();
        total as f64 / 60.0
    };
    let (one, two) = (lost(homogeneous), lost(split));
    // Expected 24 and 12 apps lost.
    assert!((one - 24.0).abs() < 2.5, "homogeneous {one}");
    let ratio = two / one;
    assert!(
        (0.4..0.6).contains(&ratio),
        "split {two} / homogeneous {one} = {ratio}"
    );
}

#[test]
fn a_fault_campaign_file_replaces_the_scenarios_faults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let campaign = dir.path().join("leak.yaml");
    std::fs::write(
        &campaign,
        "# A slow leak instead of the time bombs.
bugs:
  - id: leak
    builds: [esxi-2018]
    trigger: { uptime: \"normal(mean=10d, sd=1d)\" }
    scope: { clusters: [internet] }
",
    )
    .expect("write");
    let out = hvsim()
        .args(["run", "--json", "--faults"])
        .arg(&campaign)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let faults = doc["faults"].as_array().expect("faults");
    assert!(!faults.is_empty());
    assert!(faults.iter().all(|f| f["bug"] == "leak"));
    assert!(
        doc["source"]
            .as_str()
            .is_some_and(|s| s.contains("with faults from"))
    );

    // A mistake in the campaign is reported in the campaign file.
    std::fs::write(
        &campaign,
        "bugs:\n  - { id: leak, builds: [esxi-2019], trigger: { uptime: 10d } }\n",
    )
    .expect("write");
    let out = hvsim()
        .args(["validate", "--faults"])
        .arg(&campaign)
        .arg("scenarios/nouvelle-caledonie-2018.yaml")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("leak.yaml:2:26: bugs[0].builds[0]: unknown build `esxi-2019`"),
        "{err}"
    );
}

#[test]
fn the_bundled_campaigns_show_what_their_comments_claim() {
    // Slow leak: the ten internet hosts fail one by one over > 12 h.
    let doc = crate::hvsim_json(&[
        "run",
        "--json",
        "--faults",
        "scenarios/faults/2018-slow-leak.yaml",
    ]);
    let at: Vec<jiff::Timestamp> = doc["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| i["at"].as_str().expect("at").parse().expect("date"))
        .collect();
    assert!(at.len() >= 10, "{} strikes", at.len());
    let span = at[at.len() - 1].duration_since(at[0]);
    assert!(span.as_hours() > 12, "strikes over {span:?}");

    // Bad week: restoring from backup is worse than reinstalling by hand.
    let doc = crate::compare::compare(&[
        "--faults",
        "scenarios/faults/2018-bad-week.yaml",
        "--strategies",
        "as-in-2018,restore-from-backup",
        "--runs",
        "100",
    ]);
    let d = &crate::compare::metric(&doc, "restore-from-backup", "mean downtime")["diff_vs_first"];
    let (mean, ci) = (
        d["mean"].as_f64().expect("mean"),
        d["ci95"].as_f64().expect("ci"),
    );
    assert!(
        mean - ci > 2.0,
        "restore − as-in-2018: {mean:.1} ± {ci:.1} h"
    );
}

#[test]
fn patching_hosts_once_the_fix_exists_is_team_work_host_by_host() {
    // The vendor's fix exists 10 h after the 01:00 strike. Rolled out by
    // patching, one infrastructure engineer patches h-01 (1 h), then h-02
    // (1 h); each app is restarted (reboot 10 min + restart 10 min) once
    // its host is patched: back at 12:20 and 13:20. Applied everywhere at
    // once (no `patch_when_fixed`), both are back at 11:20.
    let hosts = "  - { id: h, count: 2, cluster: p, build: old, cores: 32, memory: 512GiB }";
    let apps =
        "  - { id: a, vms: [{ cluster: p, cores: 2, memory: 8GiB }], work: { restart: 10m } }
  - { id: b, vms: [{ cluster: p, cores: 2, memory: 8GiB }], work: { restart: 10m } }";
    let bugs = "  - { id: bug, builds: [old], trigger: { at: 2024-01-05 01:00 }, recurrence: 1h, vendor: { fix: 10h } }";
    let text = |patch: bool| {
        world(
            hosts,
            bugs,
            apps,
            &format!(
                "  - {{ id: s, detection: 0s, diagnosis: 0s, methods: [restart], order: fifo, teams: [t, infra], patch_when_fixed: {patch} }}"
            ),
            "",
        )
        .replace("  - { id: old, reboot: 10m, rebuild: 2h }", "  - { id: old, reboot: 10m, rebuild: 2h, patch: 1h }")
        .replace(
            "  - { id: t, members: 4, shifts: [\"24/7\"] }",
            "  - { id: t, members: 4, shifts: [\"24/7\"], skills: [restart] }\n  - { id: infra, members: 1, shifts: [\"24/7\"], skills: [rebuild] }",
        )
    };
    let sc = load(&text(true));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(12.0 + 20.0 / 60.0)));
    assert_eq!(o.apps[1].final_up(), Some(at_h(13.0 + 20.0 / 60.0)));
    assert_eq!(o.recurrences, 0);
    let patches: Vec<_> = o
        .tasks
        .iter()
        .filter(|t| matches!(t.subject, hvsim::metrics::TaskSubject::Patch(_)))
        .collect();
    assert_eq!(patches.len(), 2);
    assert!(
        patches
            .iter()
            .all(|t| sc.teams[t.team.index()].id == "infra")
    );
    let sc = load(&text(false));
    let o = run(&sc, 1);
    assert_eq!(o.apps[0].final_up(), Some(at_h(11.0 + 20.0 / 60.0)));
    assert_eq!(o.apps[1].final_up(), Some(at_h(11.0 + 20.0 / 60.0)));
}

#[test]
fn staff_are_absent_at_random_and_nobody_works_while_away() {
    // 10 engineers around the clock, each away (ill) on a given day with
    // probability 0.3: about 7 on duty on a day, over 40 days × 20 runs.
    let apps = "  - { id: a, count: 30, vms: [{ cluster: p, cores: 2, memory: 8GiB }], work: { reinstall: 6h } }";
    let bugs = "  - { id: bug, builds: [old], trigger: { at: 2024-01-05 01:00 }, effects: { corrupt_vm: 1.0 } }";
    let strategy = "  - { id: s, detection: 0s, diagnosis: 0s, methods: [reinstall], order: fifo }";
    let text = |absence: &str| {
        world(ONE_HOST, bugs, apps, strategy, "").replace(
            "  - { id: t, members: 4, shifts: [\"24/7\"] }",
            &format!("  - {{ id: t, members: 10, shifts: [\"24/7\"]{absence} }}"),
        )
    };
    let sc = load(&text(", absence: 0.3"));
    let team = hvsim::model::TeamId(0);
    let (mut sum, mut days) = (0u64, 0u64);
    for seed in 1..=20 {
        let o = run(&sc, seed);
        let roster = o.roster(&sc, team);
        for day in 0..40 {
            sum += u64::from(roster.available(at_h(24.0 * f64::from(day) + 12.0)));
            days += 1;
        }
        // Nobody starts work while away.
        for t in &o.tasks {
            assert!(roster.worker(t.member).is_on(t.start));
        }
        assert_eq!(o, run(&sc, seed), "deterministic");
    }
    let mean = sum as f64 / days as f64;
    // Binomial(10, 0.7) per day: mean 7, sd of the mean over 800 days 0.05.
    assert!((mean - 7.0).abs() < 0.25, "{mean} on duty on average");
    // Fewer people, later recovery: paired against the full team.
    let full = load(&text(""));
    let later = (1..=10)
        .filter(|&seed| {
            let a = run(&sc, seed).incidents[0].milestones.all;
            let b = run(&full, seed).incidents[0].milestones.all;
            a > b
        })
        .count();
    assert!(later >= 9, "{later} of 10 runs later with absences");
}

#[test]
fn overlapping_random_failures_of_one_host_do_not_strand_its_vms() {
    // Two chaos processes on the same host: a second failure often comes
    // before the first repair. Nobody restarts anything (HA has no other
    // host to go to): the host's VMs must restart by themselves after each
    // repair, so the app keeps coming back to the end.
    let text = world(
        ONE_HOST,
        "  []",
        ONE_APP,
        "  - { id: s, detection: 0s, diagnosis: 0s, methods: [ha-restart], order: fifo }",
        "chaos:
  - { id: power, mtbf: exp(2d), mttr: exp(1d) }
  - { id: disk, mtbf: exp(2d), mttr: exp(1d) }",
    )
    .replace("horizon: 40d", "horizon: 200d")
    .replace("bugs:\n  []", "bugs: []");
    let sc = load(&text);
    for seed in 1..=5 {
        let o = run(&sc, seed);
        let app = &o.apps[0];
        assert!(app.outages.len() > 20, "{} outages", app.outages.len());
        // Back up after day 150 at some point.
        assert!(
            app.outages
                .iter()
                .any(|x| x.up_at.is_some_and(|u| u > at_h(150.0 * 24.0))),
            "seed {seed}: stranded"
        );
    }
}
