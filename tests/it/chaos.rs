//! `hvsim chaos`: the planted weaknesses (a bug and a backup outage; a
//! bug and a staff absence) are found and shrunk exactly, the shrunk
//! campaign replays from its file, is 1-minimal and sits at the boundary
//! (the outage's or the absence's start and length, the trigger); the
//! search is the same whatever `--jobs`, and a `--budget` run is
//! reproduced bit for bit by the `--candidates` command it prints; an
//! ample plan gives "nothing found"; every bundled scenario runs; every
//! campaign the space can write loads; bad absences in a campaign are
//! located.

use std::path::PathBuf;

use hvsim::chaos::{Chaos, Judge, Space};
use hvsim::scenario::Document;
use rand::SeedableRng;

use crate::{bundled_scenario_files, hvsim, hvsim_json, run_ok};

const PLANTED: &str = "tests/fixtures/chaos-planted.yaml";
const SPACE: &str = "tests/fixtures/chaos-spaces/planted.yaml";
const AMPLE: &str = "tests/fixtures/chaos-ample.yaml";
const ABSENCE: &str = "tests/fixtures/chaos-planted-absence.yaml";
const ABSENCE_SPACE: &str = "tests/fixtures/chaos-spaces/planted-absence.yaml";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/chaos-tests")
        .join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `objective ledger within 6 hours met` of the planted weakness replaying
/// the campaign `file`: (share, upper CI bound).
fn replay(file: &str) -> (f64, f64) {
    replay_on(PLANTED, "objective ledger within 6 hours met", file)
}

/// (share, upper CI bound) of the objective metric `name` when `scenario`
/// replays the campaign `file` (`compare --faults`, 10 runs, seed 1).
fn replay_on(scenario: &str, name: &str, file: &str) -> (f64, f64) {
    let doc = hvsim_json(&[
        "compare",
        scenario,
        "--faults",
        file,
        "--strategies",
        "restore",
        "--runs",
        "10",
        "--seed",
        "1",
        "--json",
    ]);
    let m = doc["strategies"][0]["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("the objective {name}"))
        .clone();
    (
        m["mean"].as_f64().expect("mean"),
        m["share_ci95"][1].as_f64().expect("CI"),
    )
}

/// The search of a planted weakness in its space (10 runs, 64 candidates,
/// 2 threads), the minimal campaign written to `out`: the JSON document.
fn find_and_shrink(scenario: &str, space: &str, out: &str) -> serde_json::Value {
    hvsim_json(&[
        "chaos",
        scenario,
        "--space",
        space,
        "--runs",
        "10",
        "--candidates",
        "64",
        "--keep",
        "1",
        "--out",
        out,
        "--json",
        "-j",
        "2",
    ])
}

/// The local date-time `minutes` after `at` (both as campaign files
/// write them, `2025-03-11 20:00`).
fn plus_minutes(at: &str, minutes: i64) -> String {
    let t: jiff::civil::DateTime = at.parse().expect("a local date-time");
    t.checked_add(jiff::Span::new().minutes(minutes))
        .expect("in range")
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The campaign duration `length` (`2h30m`) 15 minutes shorter, as
/// campaign files write it.
fn shorter_by_15_minutes(length: &str) -> String {
    let d = hvsim::units::parse_duration(length).expect("parses");
    hvsim::units::format_duration(hvsim::sim::SimDuration::from_millis(
        d.as_millis() - 15 * 60_000,
    ))
}

/// A planted pair found and shrunk ([`find_and_shrink`] into
/// `scratch(name)/minimal.yaml`): the minimal campaign is the corruption
/// bug and one fault of `section`, each needed (1-minimal: without either
/// the objective is met) and together breaking it. Returns the scratch
/// directory, the campaign file's path and the minimal campaign's entry.
fn shrunk_pair(
    name: &str,
    scenario: &str,
    space: &str,
    section: &str,
) -> (PathBuf, String, serde_json::Value) {
    let dir = scratch(name);
    let out_text = dir.join("minimal.yaml").to_string_lossy().into_owned();
    let doc = find_and_shrink(scenario, space, &out_text);
    let minimal = doc["minimal"][0].clone();
    let campaign = &minimal["campaign"];
    let bugs = campaign["bugs"].as_array().expect("bugs");
    let other = campaign[section].as_array().expect(section);
    assert_eq!((bugs.len(), other.len()), (1, 1), "{minimal:#}");
    assert_eq!(bugs[0]["id"], "corruption");
    let without = minimal["without_each_fault"].as_array().expect("without");
    assert_eq!(without.len(), 2);
    assert!(
        without.iter().all(|w| w[0]["breaks"] == false),
        "{without:#?}"
    );
    assert!(minimal["measures"][0]["breaks"] == true, "{minimal:#}");
    (dir, out_text, minimal)
}

/// Writes `text` with `from` replaced by `to` (which must occur) into
/// `dir/name`, and returns the path.
fn write_edited(dir: &std::path::Path, name: &str, text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from} in {text}");
    let path = dir.join(name);
    std::fs::write(&path, text.replace(from, to)).expect("write");
    path.to_string_lossy().into_owned()
}

/// The plan survives every single fault but misses its objective when
/// the backup system is down while the corrupted app waits for its
/// restore: the search finds the pair, shrinking returns exactly those
/// two faults with the outage just long enough (15 minutes shorter no
/// longer breaks it) and the strike as late as it can be (at the next
/// candidate instant it no longer breaks), and the written file replays
/// it.
#[test]
fn the_planted_pair_is_found_shrunk_to_its_boundary_and_replays() {
    let (dir, out_text, minimal) = shrunk_pair("planted", PLANTED, SPACE, "outages");
    let campaign = &minimal["campaign"];
    let bugs = campaign["bugs"].as_array().expect("bugs");
    let outages = campaign["outages"].as_array().expect("outages");
    assert_eq!(outages[0]["what"], "backup");
    // The file replays it with `compare --faults`.
    let (share, hi) = replay(&out_text);
    assert!(hi < 90.0, "replayed: met {share} %, CI up to {hi} %");
    assert_eq!(Some(share), minimal["measures"][0]["value"].as_f64());
    // At the boundary: the restore waits for the outage; 15 minutes
    // shorter, the ledger is back in time.
    let text = std::fs::read_to_string(&out_text).expect("written");
    let length = outages[0]["for"].as_str().expect("a duration");
    let shorter_file = write_edited(
        &dir,
        "shorter.yaml",
        &text,
        &format!("for: \"{length}\""),
        &format!("for: \"{}\"", shorter_by_15_minutes(length)),
    );
    let (share, hi) = replay(&shorter_file);
    assert!(hi >= 90.0, "15 minutes shorter still breaks: met {share} %");
    // At the boundary of its start too: the outage starts as late as
    // still breaks; 15 minutes later (as long), the restore has read its
    // backup before the outage begins.
    let start = outages[0]["at"].as_str().expect("a start");
    let later_start = write_edited(
        &dir,
        "later-start.yaml",
        &text,
        &format!("    at: \"{start}\""),
        &format!("    at: \"{}\"", plus_minutes(start, 15)),
    );
    let (share, hi) = replay(&later_start);
    assert!(
        hi >= 90.0,
        "an outage starting 15 minutes later still breaks: met {share} %"
    );
    // At the boundary in time too: the strike is at the latest candidate
    // instant of the space that still breaks the plan; at the next one,
    // the restore starts after the outage early enough.
    let at = bugs[0]["trigger"]["at"].as_str().expect("an instant");
    let path = std::path::Path::new(PLANTED);
    let scenario = hvsim::scenario::load_path(path).expect("loads");
    let space_text = std::fs::read_to_string(SPACE).expect("the space file");
    let space = Space::derive(
        &scenario,
        &Document::read(path).expect("parses"),
        Some((&space_text, SPACE, hvsim::scenario::Format::Yaml)),
    )
    .expect("a space");
    let minute = space
        .moments
        .iter()
        .map(|m| m.minute)
        .find(|&m| space.local(m) == at)
        .unwrap_or_else(|| panic!("{at} is a candidate instant"));
    let next = space
        .moments
        .iter()
        .map(|m| m.minute)
        .find(|&m| m > minute)
        .expect("a later candidate instant in the planted space");
    let trigger = format!("trigger: {{ at: \"{at}\" }}");
    assert!(text.contains(&trigger), "{text}");
    let later_file = dir.join("later.yaml");
    std::fs::write(
        &later_file,
        text.replace(
            &trigger,
            &format!("trigger: {{ at: \"{}\" }}", space.local(next)),
        ),
    )
    .expect("write");
    let (share, hi) = replay(&later_file.to_string_lossy());
    assert!(
        hi >= 90.0,
        "a strike at the next instant still breaks: met {share} %"
    );
    // The file says what it is and how to replay it.
    assert!(
        text.contains("# Replay it:\n#   hvsim compare tests/fixtures/chaos-planted.yaml --faults")
    );
    assert!(text.contains("No single one of these faults breaks it"));
}

/// The planted absence: a team of two survives the corruption bug (each
/// member restores one app) and a member's absence (nothing is down) but
/// not both, when the absence leaves one member to restore the two apps
/// one after the other. The search finds the pair; shrinking returns
/// exactly the bug and one member away, the absence starting as late and
/// lasting as short as still breaks (15 minutes later or shorter, the
/// apps are back in time); the file replays with `run --faults` and
/// `compare --faults`.
#[test]
fn the_planted_absence_pair_is_found_shrunk_to_its_boundary_and_replays() {
    let (dir, out_text, minimal) = shrunk_pair("absence", ABSENCE, ABSENCE_SPACE, "absences");
    let campaign = &minimal["campaign"];
    let absences = campaign["absences"].as_array().expect("absences");
    assert_eq!(campaign["outages"].as_array().map(Vec::len), Some(0));
    assert_eq!(absences[0]["team"], "ops");
    assert_eq!(absences[0]["members"], 1);
    let objective = "objective critical apps within 2h30m met";
    let (share, hi) = replay_on(ABSENCE, objective, &out_text);
    assert!(hi < 90.0, "replayed: met {share} %, CI up to {hi} %");
    assert_eq!(Some(share), minimal["measures"][0]["value"].as_f64());
    let run = hvsim()
        .args(["run", ABSENCE, "--faults", &out_text, "--seed", "1"])
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out_text).expect("written");
    assert!(
        text.contains("# 1 of the 2 members of team ops is absent for"),
        "{text}"
    );
    let length = absences[0]["for"].as_str().expect("a duration");
    let shorter = shorter_by_15_minutes(length);
    let start = absences[0]["at"].as_str().expect("a start");
    for (name, from, to) in [
        (
            "shorter.yaml",
            format!("for: \"{length}\""),
            format!("for: \"{shorter}\""),
        ),
        (
            "later.yaml",
            format!("    at: \"{start}\""),
            format!("    at: \"{}\"", plus_minutes(start, 15)),
        ),
    ] {
        let file = write_edited(&dir, name, &text, &from, &to);
        let (share, hi) = replay_on(ABSENCE, objective, &file);
        assert!(hi >= 90.0, "{name}: still breaks: met {share} %");
    }
}

/// A `--budget` run says how many candidates it tried and prints the
/// `--candidates N` command that reproduces it; that command gives the
/// same document bit for bit but for why the search stopped and that
/// note (whatever the budget let it reach).
#[test]
fn a_budget_run_is_reproduced_by_the_candidates_command_it_prints() {
    let common = [
        "chaos", PLANTED, "--space", SPACE, "--runs", "4", "--keep", "1", "--json",
    ];
    let mut args: Vec<&str> = common.to_vec();
    args.extend(["--budget", "1s", "--candidates", "100000"]);
    let mut budgeted = hvsim_json(&args);
    let reproduce = budgeted["reproduce"].clone();
    let n = reproduce["candidates"].as_u64().expect("a count");
    assert_eq!(Some(n), budgeted["candidates_tried"].as_u64());
    let line = reproduce["command"].as_str().expect("a command");
    assert!(
        line.starts_with("hvsim chaos tests/fixtures/chaos-planted.yaml --strategy restore")
            && line.contains(&format!(" --candidates {n} ")),
        "{line}"
    );
    assert!(!line.contains("--budget"), "{line}");
    // Run the command as printed (a plain split: nothing in it is quoted).
    let words: Vec<&str> = line.split(' ').skip(1).chain(["--json"]).collect();
    let mut again = hvsim_json(&words);
    for doc in [&mut budgeted, &mut again] {
        let obj = doc.as_object_mut().expect("an object");
        obj.remove("stop");
        obj.remove("reproduce");
    }
    assert_eq!(
        serde_json::to_string_pretty(&budgeted).expect("JSON"),
        serde_json::to_string_pretty(&again).expect("JSON")
    );
    // The text says it too.
    let text = String::from_utf8(
        hvsim()
            .args(&common[..common.len() - 1])
            .args(["--budget", "10m", "--candidates", "16"])
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("UTF-8");
    assert!(text.contains("16 candidates tried"), "{text}");
    assert!(
        text.contains("The --budget 10m let 16 candidates be tried")
            && text.contains("--candidates 16 --seed 1 --keep 1\n"),
        "{text}"
    );
}

/// Staff absences in a campaign are checked like the rest of it: an
/// unknown team, more members than the team has, none, a negative
/// duration, each located in the campaign file.
#[test]
fn bad_absences_in_a_campaign_are_located() {
    let dir = scratch("bad-absences");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: bad absences\nabsences:\n  - { team: opz, members: 1, at: \"2025-03-11 01:00\", for: 1h }\n  - { team: ops, members: 3, at: \"2025-03-11 01:00\", for: 1h }\n  - { team: ops, members: 1, at: \"2025-03-11 01:00\", for: \"-2h\" }\n  - { team: ops, members: 0, at: \"2025-03-11 01:00\", for: 2h }\n",
    )
    .expect("write");
    let bad = bad.to_string_lossy().into_owned();
    for command in ["run", "compare"] {
        let out = hvsim()
            .args([command, ABSENCE, "--faults", &bad])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        for expected in [
            "bad.yaml:3:13: absences[0].team: unknown team `opz`: did you mean `ops`?",
            "bad.yaml:4:27: absences[1].members: team `ops` has 2 members, so at most 2 can be away, got 3",
            "bad.yaml:5:59: absences[2].for: a duration cannot be negative",
            "bad.yaml:6:27: absences[3].members: members must be at least 1",
        ] {
            assert!(err.contains(expected), "{command}: {expected} in {err}");
        }
    }
}

/// Every single fault of the planted space leaves the objective met, and
/// the table says so.
#[test]
fn no_single_fault_breaks_the_planted_plan() {
    let doc = hvsim_json(&[
        "chaos",
        PLANTED,
        "--space",
        SPACE,
        "--runs",
        "10",
        "--candidates",
        "16",
        "--single",
        "--json",
    ]);
    let faults = doc["faults"].as_array().expect("faults");
    assert!(faults.len() >= 5, "{faults:#?}");
    assert!(faults.iter().all(|f| f["breaks"] == false));
    let r = &doc["resilience"];
    assert_eq!(r["drawn"], 16);
    assert!(r["survived"].as_u64().expect("count") <= 16);
    let text = String::from_utf8(
        hvsim()
            .args([
                "chaos",
                PLANTED,
                "--space",
                SPACE,
                "--runs",
                "10",
                "--candidates",
                "16",
                "--single",
            ])
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("UTF-8");
    assert!(text.contains("Resilience: the plan survives"), "{text}");
    assert!(
        text.contains(&format!("0 of {} single faults break it", faults.len())),
        "{text}"
    );
}

/// On the 2018 scenario the table covers every scope tier of each bug and
/// crash source (a single-host crash among them, which breaks the plan as
/// the search finds) and every kind of fault, says what it covers, lists
/// the scope of each fault, and a host's row replays with `compare
/// --faults` to the same probability met.
#[test]
fn the_blast_radius_covers_every_scope_tier_and_a_host_crash_breaks_2018() {
    let doc = hvsim_json(&[
        "chaos",
        "--runs",
        "6",
        "--candidates",
        "2",
        "--single",
        "--json",
    ]);
    let faults = doc["faults"].as_array().expect("faults");
    let covers = doc["covers"].as_str().expect("covers");
    assert!(
        covers.starts_with(&format!("{} single faults: ", faults.len())),
        "{covers}"
    );
    // 26 hosts, 3 clusters and 2 sites of one build: per source the table
    // lists two hosts and two clusters and counts the 24 + 1 others.
    assert_eq!(doc["unlisted"], 3 * 25, "{covers}");
    let tiers: Vec<&str> = faults
        .iter()
        .map(|f| f["scope"]["tier"].as_str().expect("a tier"))
        .collect();
    for tier in [
        "one host",
        "a cluster",
        "a site",
        "as written",
        "every host on the build",
        "backup",
        "link",
        "management",
        "dr-host",
        "absence",
    ] {
        assert!(tiers.contains(&tier), "{tier} in {tiers:?}");
    }
    let host = faults
        .iter()
        .find(|f| {
            f["scope"]["tier"] == "one host"
                && f["breaks"] == true
                && f["fault"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("a crash bug of build esxi-2018"))
        })
        .unwrap_or_else(|| panic!("a single-host crash that breaks the plan: {faults:#?}"));
    let name = host["scope"]["name"].as_str().expect("the host's name");
    assert!(
        host["fault"]
            .as_str()
            .expect("text")
            .contains(&format!("host {name} "))
    );
    let measure = host["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|m| m["breaks"] == true)
        .expect("a broken criterion");
    let file = scratch("single-2018").join("host.json");
    std::fs::write(&file, host["campaign"].to_string()).expect("write");
    let replayed = hvsim_json(&[
        "compare",
        "--faults",
        &file.to_string_lossy(),
        "--strategies",
        "as-in-2018",
        "--runs",
        "6",
        "--seed",
        "1",
        "--json",
    ]);
    let criterion = measure["criterion"].as_str().expect("criterion");
    let met = replayed["strategies"][0]["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"].as_str().is_some_and(|n| n.contains(criterion)))
        .unwrap_or_else(|| panic!("{criterion} in {replayed:#}"))["mean"]
        .as_f64()
        .expect("mean");
    let value = measure["value"].as_f64().expect("value");
    assert!(
        (100.0 * met - value).abs() < 1e-9,
        "{met} replayed, {value} in the table"
    );
}

/// `--single --report` writes the blast radius's page (it wrote nothing
/// and exited 0), and `--single --out`, which has no campaign to write,
/// is refused before anything runs.
#[test]
fn the_blast_radius_alone_writes_its_page_and_refuses_out() {
    let page = scratch("single").join("page.html");
    let _ = std::fs::remove_file(&page);
    crate::run_ok(hvsim().args([
        "chaos",
        PLANTED,
        "--space",
        SPACE,
        "--runs",
        "6",
        "--candidates",
        "8",
        "--single",
        "--report",
        &page.to_string_lossy(),
    ]));
    let html = std::fs::read_to_string(&page).expect("the page is written");
    assert!(html.contains("<h2>Blast radius of single faults</h2>"));
    assert!(html.contains("--single"), "the page's command is the run's");
    let out = scratch("single").join("min.yaml");
    let refused = hvsim()
        .args(["chaos", PLANTED, "--single", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot be used with"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!out.exists());
}

/// `--metric downtime`, as docs/chaos.md writes it, is the mean downtime:
/// the part is looked for before a name's parenthesis first, so the
/// weighted impact's `(Σ criticality × downtime)` does not make it
/// ambiguous; a part found nowhere is still an error naming the metrics.
#[test]
fn a_metric_named_by_a_part_of_its_name() {
    let doc = hvsim_json(&[
        "chaos",
        PLANTED,
        "--space",
        SPACE,
        "--metric",
        "downtime",
        "--above",
        "12h",
        "--runs",
        "4",
        "--candidates",
        "2",
        "--json",
    ]);
    let judged = doc.to_string();
    assert!(judged.contains("mean downtime per app down"), "{judged}");
    let out = hvsim()
        .args(["chaos", PLANTED, "--metric", "uptime", "--above", "1h"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("names no metric") && err.contains("`mean downtime per app down`"),
        "{err}"
    );
}

/// The same seed gives the same campaigns, the same verdicts and the same
/// report whatever the number of threads.
#[test]
fn the_search_does_not_depend_on_jobs() {
    let run = |jobs: &str| {
        let out = crate::run_ok(hvsim().args([
            "chaos",
            PLANTED,
            "--space",
            SPACE,
            "--runs",
            "6",
            "--candidates",
            "32",
            "--keep",
            "2",
            "--seed",
            "7",
            "--json",
            "-j",
            jobs,
        ]));
        out.stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("3"));
}

/// A plan with ample margin: nothing found, with the number of
/// candidates tried.
#[test]
fn an_ample_plan_gives_nothing_found_with_the_candidates_tried() {
    let out = crate::run_ok(hvsim().args([
        "chaos",
        AMPLE,
        "--space",
        SPACE,
        "--runs",
        "4",
        "--candidates",
        "24",
    ]));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        text.contains("Nothing found: no campaign broke the plan in 24 candidates tried."),
        "{text}"
    );
}

/// Every bundled scenario gets a chaos run with no extra file (a tiny
/// budget: this checks it works, not what it finds).
#[test]
fn every_bundled_scenario_has_a_chaos_run() {
    for file in bundled_scenario_files() {
        let out = hvsim()
            .args([
                "chaos",
                &file,
                "--runs",
                "2",
                "--candidates",
                "6",
                "--keep",
                "1",
            ])
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A search, or the plan already broken without any fault (the
        // availability scenario's own random failures, judged by default
        // on a day of mean downtime): then nothing is searched.
        assert!(
            stdout.contains("candidates tried") || stdout.contains("so no campaign is searched"),
            "{file}: {stdout}"
        );
    }
}

/// A plan that breaks with no fault at all is not searched: every
/// campaign would break it and shrink to a fault that is not the cause
/// (it said "This one fault alone breaks it" of a 15-minute outage).
#[test]
fn a_plan_broken_without_any_fault_is_not_searched() {
    let out = run_ok(hvsim().args([
        "chaos",
        "scenarios/availability-year.yaml",
        "--runs",
        "5",
        "--candidates",
        "4",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("even without any fault of the space"),
        "{text}"
    );
    assert!(
        text.contains("No fault is needed to break it, so no campaign is searched"),
        "{text}"
    );
    assert!(
        !text.contains("alone breaks it") && !text.contains(" when:\n"),
        "{text}"
    );
}

/// `--threshold` is a percentage: a share (0.9) is refused with what to
/// write, and a threshold that is not whole is shown as given (95.5 %,
/// not 96 %).
#[test]
fn the_threshold_is_a_percentage_shown_as_given() {
    let chaos = |threshold: &str| {
        hvsim()
            .args([
                "chaos",
                "--threshold",
                threshold,
                "--runs",
                "2",
                "--candidates",
                "1",
            ])
            .output()
            .expect("runs")
    };
    let out = chaos("0.9");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("0.9 would mean 0.9 %; write 90 for 90 %"),
        "{err}"
    );
    let out = chaos("95.5");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("met in at least 95.5 % of runs"), "{text}");
}

/// Every campaign the space of a bundled scenario can write (each single
/// fault, and random campaigns) is a valid `--faults` campaign.
#[test]
fn every_campaign_of_every_bundled_space_loads() {
    for file in bundled_scenario_files() {
        let scenario = hvsim::scenario::load_path(std::path::Path::new(&file)).expect("loads");
        let doc = Document::read(std::path::Path::new(&file)).expect("parses");
        let space = Space::derive(&scenario, &doc, None).expect("a space");
        let judge = Judge::new(&scenario, None, None, 90.0).expect("a judge");
        let strategy = scenario.default_strategy().id.clone();
        let chaos = Chaos::new(space, doc, judge, &strategy, (1, 1, 1)).expect("set up");
        let mut campaigns: Vec<Vec<hvsim::chaos::Fault>> = hvsim::chaos::single::singles(&chaos)
            .into_iter()
            .map(|f| vec![f])
            .collect();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
        campaigns.extend((0..40).map(|_| chaos.space.random_campaign(&mut rng)));
        for c in &campaigns {
            if let Err(e) = chaos.scenario(c) {
                panic!("{file}: {c:?}: {e}");
            }
        }
    }
}

/// A bad space file is reported with its file, line and column.
#[test]
fn a_bad_space_file_is_located() {
    let dir = scratch("space");
    let bad = dir.join("space.yaml");
    std::fs::write(&bad, "kinds: [bug, meteor]\n").expect("write");
    let out = hvsim()
        .args([
            "chaos",
            PLANTED,
            "--space",
            &bad.to_string_lossy(),
            "--candidates",
            "1",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("space.yaml:1:"), "{err}");
    assert!(err.contains("meteor"), "{err}");
}

/// `--report` writes one self-contained page with the minimal campaign,
/// the blast-radius table and its chart.
#[test]
fn the_report_page_holds_the_campaign_and_the_blast_radius() {
    let dir = scratch("report");
    let page = dir.join("chaos.html");
    crate::run_ok(hvsim().args([
        "chaos",
        PLANTED,
        "--space",
        SPACE,
        "--runs",
        "6",
        "--candidates",
        "48",
        "--keep",
        "1",
        "--report",
        &page.to_string_lossy(),
    ]));
    let html = std::fs::read_to_string(&page).expect("written");
    assert!(
        html.contains("<h2>Minimal campaigns that break the plan</h2>"),
        "{html}"
    );
    assert!(html.contains("the backup system is down for"));
    assert!(html.contains("<h2>Blast radius of single faults</h2>"));
    assert!(html.contains("<svg") && html.contains("Blast radius: each single fault"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
}

/// Ctrl-C during the search returns the best found so far: SIGINT sent
/// once the child has printed its progress (one plain line per
/// generation when standard error is not a terminal), the search stops
/// after the replications in flight, prints its document with `"stop":
/// "interrupted"` and the candidates fully evaluated, and exits with 130
/// (docs/chaos.md).
#[cfg(unix)]
#[test]
fn ctrl_c_returns_the_best_found_so_far_with_exit_code_130() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let mut child = hvsim()
        .args([
            "chaos",
            PLANTED,
            "--runs",
            "10",
            "--candidates",
            "1000000",
            "--json",
            "-j",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    // The first progress line: some candidates are fully evaluated.
    let first = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("chaos: "))
        .expect("a progress line");
    let done: usize = first
        .trim_start_matches("chaos: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    // Drain standard error so that the child never blocks on it.
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).count());
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("reads");
    let code = child.wait().expect("exits").code();
    drain.join().expect("drained");
    assert_eq!(code, Some(130), "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("a JSON document");
    assert_eq!(doc["stop"], "interrupted", "{doc:#}");
    let tried = doc["candidates_tried"].as_u64().expect("a count") as usize;
    assert!(
        tried >= done && tried < 1_000_000,
        "{tried} tried, {done} at the signal"
    );
    assert!(doc["minimal"].is_array());
}

/// The paired difference against no fault of a probability met carries
/// Newcombe's interval, never a point: a campaign that breaks every run
/// reads -100 pp with an interval that reaches above -100; the plan
/// without any fault gives no difference against itself.
#[test]
fn a_difference_in_probability_met_has_an_interval_not_a_point() {
    let doc = hvsim_json(&["chaos", "--runs", "10", "--candidates", "3", "--json"]);
    let minimal = doc["minimal"].as_array().expect("minimal campaigns");
    assert!(!minimal.is_empty(), "the 2018 plan breaks: {doc:#}");
    for m in minimal {
        for x in m["measures"].as_array().expect("measures") {
            let d = &x["diff_vs_no_fault"];
            let mean = d["mean"].as_f64().expect("a mean");
            let (lo, hi) = (
                d["interval"][0].as_f64().expect("low"),
                d["interval"][1].as_f64().expect("high"),
            );
            assert!(lo <= mean && mean <= hi && lo < hi, "{x}");
            assert!((-100.0..=100.0).contains(&lo) && hi <= 100.0, "{x}");
        }
    }
    for x in doc["without_any_fault"].as_array().expect("the baseline") {
        assert!(x.get("diff_vs_no_fault").is_none(), "{x}");
    }
}
