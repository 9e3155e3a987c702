//! The command line, end to end: the built `hvsim` binary on real files.

use crate::hvsim;
use std::str::FromStr;

fn run_ok(args: &[&str]) -> String {
    let out = hvsim().args(args).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "hvsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn no_arguments_runs_the_embedded_2018_incident() {
    let text = run_ok(&[]);
    assert!(text.contains("Nouvelle-Calédonie, December 2018"), "{text}");
    assert!(text.contains("strategy as-in-2018 · seed 1"), "{text}");
    assert!(
        text.contains("2018-12-25 23:40 +11:00  bug socle-2018-b strikes: 10 hosts crashed"),
        "{text}"
    );
    for label in ["first app back", "50 % back", "90 % back", "100 % back"] {
        assert!(text.contains(label), "missing {label}: {text}");
    }
    // The per-app table names apps and shows durations in human units.
    assert!(text.contains("│ mail "), "{text}");
    assert!(text.contains("reinstall"), "{text}");
    // And the same as `run` with the file itself, apart from the source
    // line and the commands to run next (which name the file given).
    let from_file = run_ok(&["run", "scenarios/nouvelle-caledonie-2018.yaml"]);
    let body = |s: &str| {
        s.lines()
            .skip(1)
            .take_while(|l| *l != "Next")
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&text), body(&from_file));
}

#[test]
fn same_seed_gives_byte_identical_json_and_other_seeds_differ() {
    let a = run_ok(&["run", "--json", "--seed", "42"]);
    let b = run_ok(&["run", "--json", "--seed", "42"]);
    assert_eq!(a, b);
    let c = run_ok(&["run", "--json", "--seed", "43"]);
    assert_ne!(a, c);
    // Determinism holds for every strategy, including the one that loops.
    for s in ["restart-anyway", "reinstall-by-criticality"] {
        let x = run_ok(&["run", "--json", "--seed", "7", "--strategy", s]);
        let y = run_ok(&["run", "--json", "--seed", "7", "--strategy", s]);
        assert_eq!(x, y, "strategy {s}");
    }
}

#[test]
fn json_has_the_documented_fields() {
    let text = run_ok(&["run", "--json", "--seed", "3"]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["schema"], "hvsim.run/2");
    assert_eq!(doc["scenario"], "Nouvelle-Calédonie, December 2018");
    assert_eq!(doc["strategy"], "as-in-2018");
    assert_eq!(doc["seed"], 3);
    assert_eq!(doc["time_zone"], "Pacific/Noumea");
    let apps = doc["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 160);
    let mail = apps.iter().find(|a| a["id"] == "mail").expect("mail");
    assert_eq!(mail["tags"], serde_json::json!(["internet", "mail"]));
    assert_eq!(mail["down_at"], "2018-12-25T23:40:00+11:00");
    assert!(
        mail["up_at"]
            .as_str()
            .expect("mail comes back")
            .ends_with("+11:00")
    );
    assert_eq!(mail["method"], "reinstall");
    assert!(mail["downtime_s"].as_u64().expect("seconds") > 86_400);
    let inc = &doc["incidents"][1];
    assert_eq!(inc["bug"], "socle-2018-b");
    assert_eq!(inc["apps_down"], 120);
    for k in ["first", "half", "ninety", "all"] {
        assert!(inc["milestones"][k].is_string(), "milestone {k}");
    }
    assert_eq!(doc["totals"]["apps_down"], 160);
}

#[test]
fn trace_stamps_each_event_with_a_simulated_date() {
    let out = hvsim()
        .args(["run", "--trace", "--seed", "5"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(
        trace.contains("2018-12-25 23:40 +11:00 host esx-www-01 crashed: bug socle-2018-b"),
        "{trace}"
    );
    assert!(trace.contains("2018-12-21 08:30 +11:00 host esx-int-01 crashed: bug socle-2018-a"));
    assert!(trace.contains("starts to reinstall mail"), "{trace}");
    // Lines are in simulated-time order.
    let stamps: Vec<&str> = trace
        .lines()
        .filter(|l| l.starts_with("20"))
        .map(|l| &l[..16])
        .collect();
    assert!(stamps.len() > 300);
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "trace out of order"
    );
}

#[test]
fn restarting_in_place_despite_the_bug_loops_until_the_horizon() {
    let text = run_ok(&[
        "run",
        "--json",
        "--strategy",
        "restart-anyway",
        "--seed",
        "2",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let recurrences = doc["totals"]["recurrences"].as_u64().expect("count");
    // exp(12h) recurrences over ~2 weeks on 10 hosts: dozens, not a handful.
    assert!(recurrences > 50, "{recurrences} recurrences");
    let faults = doc["faults"].as_array().expect("faults");
    assert!(faults.iter().any(|f| f["kind"] == "recurrence"));
    // Apps whose VMs survived are restarted, crash again, and are down at the end.
    let web = doc["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter(|a| a["outages"].as_array().is_some_and(|o| o.len() > 2))
        .count();
    assert!(web > 10, "{web} apps with repeated outages");
}

#[test]
fn unknown_strategy_is_bad_input_with_the_choices() {
    let out = hvsim()
        .args(["run", "--strategy", "pray"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "has no strategy `pray`: expected one of as-in-2018, reinstall-by-criticality"
        ),
        "{err}"
    );
}

#[test]
fn validate_accepts_every_bundled_scenario() {
    let listing = |dir: &str| -> Vec<String> {
        let mut files: Vec<String> =
            std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
                .expect("a scenarios directory")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.is_file())
                .map(|p| {
                    format!(
                        "{dir}/{}",
                        p.file_name().unwrap_or_default().to_string_lossy()
                    )
                })
                .collect();
        files.sort();
        files
    };
    let files = listing("scenarios");
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let text = run_ok(&args);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok: ")).count(),
        files.len()
    );
    // Every fault campaign, with the 2018 scenario it is written for.
    let campaigns = listing("scenarios/faults");
    assert!(!campaigns.is_empty());
    for c in &campaigns {
        let text = run_ok(&[
            "validate",
            "--faults",
            c,
            "scenarios/nouvelle-caledonie-2018.yaml",
        ]);
        assert!(text.starts_with("ok: "), "{c}: {text}");
    }
}

#[test]
fn a_missing_file_is_an_io_error_not_a_panic() {
    let out = hvsim()
        .args(["validate", "scenarios/does-not-exist.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read scenario file scenarios/does-not-exist.yaml"),
        "{err}"
    );
    let out = hvsim()
        .args(["run", "scenarios/does-not-exist.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_event_limit_is_an_error_with_the_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiny-limit.yaml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nouvelle-caledonie-2018.yaml"
    ))
    .expect("read")
    .replace("horizon: 21d", "horizon: 21d\nlimits:\n  max_events: 50");
    std::fs::write(&path, text).expect("write");
    let out = hvsim()
        .args(["run", path.to_str().expect("utf-8"), "--seed", "9"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("processed 50 events") && err.contains("seed 9"),
        "{err}"
    );
    // The same limit met by a replication of compare, report or a sweep
    // point is a limit too (exit 3), not bad input.
    let file = path.to_str().expect("utf-8");
    let report = dir.path().join("r.html");
    for args in [
        vec!["compare", file, "--runs", "2"],
        vec![
            "report",
            file,
            "--runs",
            "2",
            "-o",
            report.to_str().expect("utf-8"),
        ],
        vec![
            "sweep",
            file,
            "--runs",
            "2",
            "--set",
            "teams.dtsi.members=2,3",
        ],
    ] {
        let out = hvsim().args(&args).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains("processed 50 events"), "{args:?}: {err}");
    }
}

#[test]
fn the_same_scenario_in_yaml_json_and_toml_gives_the_same_run() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nouvelle-caledonie-2018.yaml"
    ))
    .expect("read");
    let value: serde_json::Value = serde_saphyr::from_str(&yaml).expect("YAML parses");
    let dir = tempfile::tempdir().expect("tempdir");
    let json_path = dir.path().join("nc.json");
    let toml_path = dir.path().join("nc.toml");
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&value).expect("json"),
    )
    .expect("write");
    std::fs::write(&toml_path, toml::to_string(&value).expect("toml")).expect("write");
    let strip_source = |text: String| -> serde_json::Value {
        let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
        doc["source"] = serde_json::Value::Null;
        doc
    };
    let reference = strip_source(run_ok(&["run", "--json", "--seed", "11"]));
    for path in [&json_path, &toml_path] {
        let got = strip_source(run_ok(&[
            "run",
            path.to_str().expect("utf-8"),
            "--json",
            "--seed",
            "11",
        ]));
        assert_eq!(got, reference, "{}", path.display());
    }
}

#[test]
fn the_toml_teaching_scenario_shows_shifts_at_work() {
    let run = |strategy: &str, seed: u64| -> serde_json::Value {
        let text = run_ok(&[
            "run",
            "scenarios/friday-evening-time-bomb.toml",
            "--json",
            "--strategy",
            strategy,
            "--seed",
            &seed.to_string(),
        ]);
        serde_json::from_str(&text).expect("json")
    };
    let started = |d: &serde_json::Value| {
        d["incidents"][0]["recovery_started"]
            .as_str()
            .expect("started")
            .to_string()
    };
    // The office team starts on Monday morning; the on-call team on Friday
    // evening (the diagnosis ends between 18:00 and 20:00), whatever the
    // draws.
    for seed in 1..=8 {
        let office = started(&run("office-hours", seed));
        assert!(
            office.starts_with("2024-06-10T08:00"),
            "seed {seed}: {office}"
        );
        let weekend = started(&run("on-call-weekend", seed));
        assert!(
            weekend.starts_with("2024-06-07T18") || weekend.starts_with("2024-06-07T19"),
            "seed {seed}: {weekend}"
        );
    }
    let office = run("office-hours", 1);
    // Only the hosts on the affected build crashed.
    let hosts = office["faults"][0]["hosts"].as_array().expect("hosts");
    assert_eq!(hosts.len(), 4);
    assert!(
        hosts
            .iter()
            .all(|h| h.as_str().is_some_and(|h| h.starts_with("old-")))
    );
    assert_eq!(office["totals"]["apps_still_down"], 0);
}

#[test]
fn json_lists_every_task_with_its_worker() {
    let text = run_ok(&["run", "--json", "--seed", "3"]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let tasks = doc["tasks"].as_array().expect("tasks");
    // 40 restarts for incident 1, 120 reinstalls for incident 2.
    assert_eq!(tasks.len(), 160);
    let mail = tasks
        .iter()
        .find(|t| t["app"] == "mail")
        .expect("mail task");
    assert_eq!(mail["method"], "reinstall");
    assert_eq!(mail["team"], "dtsi");
    assert_eq!(mail["outcome"], "done");
    let member = mail["member"].as_u64().expect("member");
    assert!((1..=8).contains(&member));
    // Its span covers at least its work (more when it crossed a night).
    let span = jiff::Timestamp::from_str(mail["end"].as_str().expect("end"))
        .expect("date")
        .duration_since(
            jiff::Timestamp::from_str(mail["start"].as_str().expect("start")).expect("date"),
        );
    assert!(span.as_secs() as u64 >= mail["work_s"].as_u64().expect("work"));
}

/// `hvsim run` puts the summary first, lists the apps that matter (every
/// one with `--apps all`) and ends with what to run next, naming the file.
#[test]
fn run_summarises_first_and_says_what_to_run_next() {
    let text = |args: &[&str]| {
        let out = hvsim().args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let rows = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("│ ") && !l.starts_with("│ app "))
            .count()
    };
    let default = text(&["run"]);
    let summary = default.find("\nSummary\n").expect("a summary");
    assert!(summary < default.find("\nFaults\n").expect("faults"));
    assert!(default.contains(
        "  All 160 apps went down in 2 incidents; every one was back by Sat 29 Dec 09:08, 8d after the first strike"
    ), "{default}");
    assert!(
        default.contains("  objectives: 0 of 2 met; MISSED e-mail"),
        "{default}"
    );
    // The six apps over the first objective's RTO and the eight over the
    // second's are all listed, with the ten longest down.
    for app in ["ad-internal", "mail", "eservice-47", "eservice-54"] {
        assert!(
            default.lines().any(|l| l.starts_with(&format!("│ {app} "))),
            "{app}"
        );
    }
    assert!(rows(&default) < 40, "{}", rows(&default));
    assert!(default.contains("`--apps all` lists every one"));
    assert_eq!(rows(&text(&["run", "--apps", "all"])), 160);
    // Few apps down: all of them, and no note.
    let small = text(&["run", "scenarios/backup-restore.yaml"]);
    assert_eq!(rows(&small), 20);
    assert!(!small.contains("--apps all"));
    // What to run next names the file given.
    let next = &small[small.find("\nNext\n").expect("next steps")..];
    assert!(
        next.contains("hvsim compare scenarios/backup-restore.yaml "),
        "{next}"
    );
    assert!(
        next.contains("hvsim report scenarios/backup-restore.yaml -o report.html"),
        "{next}"
    );
    assert!(
        next.contains("hvsim run scenarios/backup-restore.yaml --strategy restore-fifo"),
        "{next}"
    );
    // The summary of a run whose last app is not back says so.
    let open = text(&["run", "scenarios/replicated-failover-runbook.yaml"]);
    assert!(
        open.contains("1 still down when the horizon ended"),
        "{open}"
    );
    assert!(open.contains("all not back within the horizon"), "{open}");
}
