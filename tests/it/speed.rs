//! Speed figures anyone can reproduce (issue 19): `compare --timing`
//! prints how fast the replications ran on stderr, and nothing else
//! changes.

use super::{hvsim, run_ok};

const FIXTURE: &str = "benches/fixtures/plain-restore.yaml";

/// `hvsim compare FIXTURE --runs 40 ARGS`: (stdout, stderr).
fn compare(args: &[&str]) -> (Vec<u8>, String) {
    let out = run_ok(
        hvsim()
            .args(["compare", FIXTURE, "--runs", "40", "--json"])
            .args(args),
    );
    (out.stdout, String::from_utf8(out.stderr).expect("UTF-8"))
}

#[test]
fn timing_goes_to_stderr_and_changes_no_result() {
    let (plain, quiet) = compare(&["--jobs", "1"]);
    let (timed, said) = compare(&["--jobs", "2", "--timing"]);
    assert_eq!(
        plain, timed,
        "--timing (and --jobs) leave the result as it was"
    );
    assert!(
        !quiet.contains("timing:"),
        "no timing unless asked: {quiet}"
    );
    let lines: Vec<&str> = said.lines().filter(|l| l.starts_with("timing: ")).collect();
    assert_eq!(lines.len(), 1, "one timing line: {said}");
    let line = lines[0];
    assert!(
        line.contains(": 40 replications (1 strategy × 40) in ") && line.ends_with(" on 2 threads"),
        "{line}"
    );
    let rate: f64 = line["timing: ".len()..]
        .split(' ')
        .next()
        .expect("a rate")
        .replace(',', "")
        .parse()
        .expect("the rate is a number");
    assert!(rate > 0.0, "{line}");
}

#[test]
fn timing_counts_every_strategy_of_the_comparison() {
    let out = hvsim()
        .args(["compare", "--runs", "8", "--jobs", "1", "--timing"])
        .output()
        .expect("the binary runs");
    assert!(out.status.success());
    let said = String::from_utf8(out.stderr).expect("UTF-8");
    let strategies = hvsim::scenario::load_default()
        .expect("the default scenario loads")
        .strategies
        .len();
    assert!(
        said.contains(&format!(
            ": {} replications ({strategies} strategies × 8) in ",
            8 * strategies
        )),
        "{said}"
    );
}
