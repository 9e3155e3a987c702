//! `hvsim chaos`: the planted weakness is found and shrunk exactly, the
//! shrunk campaign replays from its file, is 1-minimal and sits at the
//! boundary; the search is the same whatever `--jobs`; an ample plan
//! gives "nothing found"; every bundled scenario runs; every campaign the
//! space can write loads.

use std::path::PathBuf;

use hvsim::chaos::{Chaos, Judge, Space};
use hvsim::scenario::Document;
use rand::SeedableRng;

use crate::{bundled_scenario_files, hvsim, hvsim_json};

const PLANTED: &str = "tests/fixtures/chaos-planted.yaml";
const SPACE: &str = "tests/fixtures/chaos-spaces/planted.yaml";
const AMPLE: &str = "tests/fixtures/chaos-ample.yaml";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/chaos-tests")
        .join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `objective ledger within 6 hours met`: (share, upper CI bound) of the
/// only strategy of a `compare --json`.
fn met(doc: &serde_json::Value) -> (f64, f64) {
    let m = doc["strategies"][0]["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == "objective ledger within 6 hours met")
        .expect("the objective");
    (
        m["mean"].as_f64().expect("mean"),
        m["share_ci95"][1].as_f64().expect("CI"),
    )
}

fn replay(file: &str) -> (f64, f64) {
    met(&hvsim_json(&[
        "compare",
        PLANTED,
        "--faults",
        file,
        "--strategies",
        "restore",
        "--runs",
        "10",
        "--seed",
        "1",
        "--json",
    ]))
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
    let dir = scratch("planted");
    let out = dir.join("minimal.yaml");
    let out_text = out.to_string_lossy().into_owned();
    let doc = hvsim_json(&[
        "chaos",
        PLANTED,
        "--space",
        SPACE,
        "--runs",
        "10",
        "--candidates",
        "64",
        "--keep",
        "1",
        "--out",
        &out_text,
        "--json",
        "-j",
        "2",
    ]);
    let minimal = &doc["minimal"][0];
    let campaign = &minimal["campaign"];
    let bugs = campaign["bugs"].as_array().expect("bugs");
    let outages = campaign["outages"].as_array().expect("outages");
    assert_eq!((bugs.len(), outages.len()), (1, 1), "{minimal:#}");
    assert_eq!(bugs[0]["id"], "corruption");
    assert_eq!(outages[0]["what"], "backup");
    // 1-minimal: without either fault, the objective is met.
    let without = minimal["without_each_fault"].as_array().expect("without");
    assert_eq!(without.len(), 2);
    assert!(
        without.iter().all(|w| w[0]["breaks"] == false),
        "{without:#?}"
    );
    assert!(minimal["measures"][0]["breaks"] == true);
    // The file replays it with `compare --faults`.
    let (share, hi) = replay(&out_text);
    assert!(hi < 90.0, "replayed: met {share} %, CI up to {hi} %");
    assert_eq!(Some(share), minimal["measures"][0]["value"].as_f64());
    // At the boundary: the restore waits for the outage; 15 minutes
    // shorter, the ledger is back in time.
    let text = std::fs::read_to_string(&out).expect("written");
    let length = outages[0]["for"].as_str().expect("a duration");
    let d = hvsim::units::parse_duration(length).expect("parses");
    let shorter = hvsim::units::format_duration(hvsim::sim::SimDuration::from_millis(
        d.as_millis() - 15 * 60_000,
    ));
    let edited = text.replace(
        &format!("for: \"{length}\""),
        &format!("for: \"{shorter}\""),
    );
    assert_ne!(edited, text);
    let shorter_file = dir.join("shorter.yaml");
    std::fs::write(&shorter_file, edited).expect("write");
    let (share, hi) = replay(&shorter_file.to_string_lossy());
    assert!(hi >= 90.0, "15 minutes shorter still breaks: met {share} %");
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
        assert!(stdout.contains("candidates tried"), "{file}: {stdout}");
    }
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
