//! Loose ends of issue 17's text outputs and of the last session, each a
//! claim checked through the CLI: the run's faults list the staff
//! absences, an absence that cannot be applied is an error rather than a
//! silent fallback, generated estates validate without warnings, and
//! the text outputs keep the shapes issue 17 asked for.

use crate::{edited_copy, hvsim, run_ok};

/// The small teaching scenario the edits below start from.
const HA: &str = "scenarios/ha-single-host-crash.yaml";

/// `hvsim run`'s text lists the scenario's staff absences among the
/// faults, in time order, with the duration this run drew.
#[test]
fn run_lists_staff_absences_among_the_faults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = edited_copy(
        dir.path(),
        HA,
        "absences.yaml",
        &[(
            "default_strategy: ha-then-restart",
            "absences:\n  \
             - { team: ops, members: 2, at: 2024-10-08 11:00, for: 2h }\n  \
             - { team: ops, members: 1, at: 2024-10-08 09:00, for: 30m }\n\
             default_strategy: ha-then-restart",
        )],
    );
    let out = run_ok(hvsim().args(["run", &file]));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let faults = text
        .split("\nFaults\n")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("a Faults section");
    let lines: Vec<&str> = faults
        .lines()
        .filter(|l| !l.starts_with("      "))
        .collect();
    assert_eq!(
        lines,
        [
            "  2024-10-08 09:00 +02:00  staff absence: 1 of team ops's 3 members away for 30m \
             (until 2024-10-08 09:30 +02:00)",
            "  2024-10-08 10:15 +02:00  bug nic-driver-psod strikes: 2 hosts crashed \
             (prod-03, legacy-02), 0 VMs corrupted, 21 apps down",
            "  2024-10-08 11:00 +02:00  staff absence: 2 of team ops's 3 members away for 2h \
             (until 2024-10-08 13:00 +02:00)",
        ],
        "{text}"
    );
    // Without absences the section says nothing of them.
    let plain = run_ok(hvsim().args(["run", HA]));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("staff absence"));
}

/// An absence splits the team's on-duty periods; when that takes the
/// roster over its limit the run stops with an error naming the team, the
/// limit and what to change (it used to drop the absence in silence).
#[test]
fn an_absence_the_roster_cannot_hold_is_an_error_not_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 10,000 members on a daily shift for 97 days hold 990,000 on-duty
    // periods, under the limit of a million; four absences of all but
    // one member split up to 9,999 more each.
    let file = edited_copy(
        dir.path(),
        HA,
        "crowded.yaml",
        &[
            ("horizon: 3d ", "horizon: 97d "),
            (
                "    members: 3\n    shifts: [\"Mon-Fri 08:00-18:00\"]",
                "    members: 10000\n    shifts: [\"daily 08:00-18:00\"]",
            ),
            (
                "default_strategy: ha-then-restart",
                "absences:\n  \
                 - { team: ops, members: 9999, at: 2024-10-08 09:00, for: 1h }\n  \
                 - { team: ops, members: 9999, at: 2024-10-08 12:00, for: 1h }\n  \
                 - { team: ops, members: 9999, at: 2024-10-08 15:00, for: 1h }\n  \
                 - { team: ops, members: 9999, at: 2024-10-09 09:00, for: 1h }\n\
                 default_strategy: ha-then-restart",
            ),
        ],
    );
    let out = hvsim().args(["run", &file]).output().expect("runs");
    assert!(!out.status.success(), "the run must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("team `ops`'s roster with this run's absences cannot be built")
            && err.contains("more than the limit of 1000000")
            && err.contains("fewer or shorter absences")
            && err.contains("(seed 1)"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "no report of a run that did not happen"
    );
    // `validate` runs each strategy once for its horizon check: a run that
    // stops is said, with the strategy and the reason, not skipped.
    let checked = hvsim()
        .args(["validate", "--check-horizon", &file])
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&checked.stderr);
    assert!(
        said.contains("with strategy `ha-then-restart` (seed 1) the run stops before the horizon could be checked")
            && said.contains("roster with this run's absences cannot be built"),
        "{said}"
    );
    // Three absences fit (990,000 + 3 × 9,999 periods at most): the run goes.
    // (`edited_copy` joins an absolute path as it is.)
    let fits = edited_copy(
        dir.path(),
        &file,
        "fits.yaml",
        &[(
            "  - { team: ops, members: 9999, at: 2024-10-09 09:00, for: 1h }\n",
            "",
        )],
    );
    run_ok(hvsim().args(["run", &fits]));
}

/// Generated estates with a DR site (or no corruption) fit their horizon:
/// `hvsim validate --check-horizon` prints no warning, for a few sizes and
/// shapes (README, "Using it", `hvsim gen`).
#[test]
fn generated_estates_validate_without_a_horizon_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shapes: [&[&str]; 4] = [
        &["--apps", "50", "--hosts", "10", "--dr-hosts", "2"],
        &[
            "--apps",
            "200",
            "--hosts",
            "20",
            "--dr-hosts",
            "4",
            "--seed",
            "7",
        ],
        &[
            "--apps",
            "120",
            "--hosts",
            "16",
            "--dr-hosts",
            "4",
            "--deps",
            "3",
            "--teams",
            "2",
        ],
        &["--apps", "60", "--hosts", "10", "--corrupt-vm", "0"],
    ];
    for (k, shape) in shapes.iter().enumerate() {
        let file = dir.path().join(format!("estate-{k}.yaml"));
        let file = file.to_str().expect("UTF-8 path");
        run_ok(hvsim().arg("gen").args(*shape).args(["--out", file]));
        let out = run_ok(hvsim().args(["validate", "--check-horizon", file]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("warning") && !err.contains("note"),
            "gen {shape:?}: {err}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
    }
}

/// Hours and the precision of a duration as the text writes it (`1d 5h`,
/// `18h 9m`, `2d 1h 7m`, `45s`): the value and its last unit, in hours.
fn hours_of(text: &str) -> (f64, f64) {
    let (mut hours, mut unit) = (0.0, 0.0);
    for part in text.split_whitespace() {
        let digits = part.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let n: f64 = digits
            .parse()
            .unwrap_or_else(|_| panic!("`{part}` of `{text}`"));
        unit = match &part[digits.len()..] {
            "d" => 24.0,
            "h" => 1.0,
            "m" => 1.0 / 60.0,
            "s" => 1.0 / 3600.0,
            "ms" => 1.0 / 3_600_000.0,
            other => panic!("unit `{other}` in `{text}`"),
        };
        hours += n * unit;
    }
    (hours, unit)
}

/// An amount of the findings in `unit` equals `value`: a duration to the
/// precision it is written with, a number to its decimal.
fn assert_shown(text: &str, unit: &str, value: f64, what: &str) {
    if unit == "h" {
        let (hours, last) = hours_of(text);
        // Durations are cut (not rounded) to the units they show.
        assert!(
            hours <= value + 1e-6 && value < hours + last,
            "{what}: `{text}` is not {value} h"
        );
    } else {
        let n: f64 = text
            .trim_end_matches(unit)
            .trim()
            .trim_start_matches('+')
            .parse()
            .unwrap_or_else(|_| panic!("{what}: `{text}`"));
        assert!(
            (n - value).abs() <= 0.05 + 1e-9,
            "{what}: `{text}` is not {value}"
        );
    }
}

/// The findings that open `hvsim compare` are the comparison's numbers,
/// the same as `--json`'s: each objective's share met and its Wilson
/// interval per strategy, its paired difference in percentage points, and
/// each key metric's best strategy with its paired difference and CI.
#[test]
fn the_findings_numbers_are_the_compare_jsons() {
    let args = ["compare", "--runs", "40", "--seed", "1"];
    let doc = crate::hvsim_json(&[&args[..], &["--json"]].concat());
    let text = String::from_utf8(run_ok(hvsim().args(args)).stdout).expect("UTF-8");
    let findings = text
        .split("\nFindings (")
        .nth(1)
        .and_then(|f| f.split("\n┌").next())
        .expect("a findings block");
    // The block as one line: entries wrap at 100 columns.
    let flat = findings.split_whitespace().collect::<Vec<_>>().join(" ");
    let strategies = doc["strategies"].as_array().expect("strategies");
    let metric = |s: &serde_json::Value, name: &str| {
        s["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .find(|m| m["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("metric {name}"))
    };
    let f = |v: &serde_json::Value| v.as_f64().expect("a number");
    let mut checked = 0;
    // Shares met, with their Wilson intervals.
    for s in strategies {
        let id = s["id"].as_str().expect("an id");
        let share = regex::Regex::new(&format!(
            r"[:;] {} ([0-9.]+) % \(([0-9.]+)–([0-9.]+)\)",
            regex::escape(id)
        ))
        .expect("a pattern");
        for block in flat.split("P(met) ").skip(1) {
            let name = block.split(':').next().expect("a name");
            let m = metric(s, &format!("objective {name} met"));
            let caps = share
                .captures(block)
                .unwrap_or_else(|| panic!("{id}'s share in `{block}`"));
            assert_shown(&caps[1], "", f(&m["mean"]), name);
            assert_shown(&caps[2], "", f(&m["share_ci95"][0]), name);
            assert_shown(&caps[3], "", f(&m["share_ci95"][1]), name);
            checked += 1;
        }
    }
    // Paired differences: "ID meets it more often than BASE: +X pp (95 %
    // CI +A pp to +B pp)", and "METRIC: ID, AMOUNT WORD (95 % CI A–B)".
    let pp = regex::Regex::new(
        r"P\(met\) ([^:]+):[^:]*? (\S+) meets it (?:more|less) often than \S+: ([-+0-9.]+) pp \(95 % CI ([-+0-9.]+) pp to ([-+0-9.]+) pp\)",
    )
    .expect("a pattern");
    for caps in pp.captures_iter(&flat) {
        let s = strategies
            .iter()
            .find(|s| s["id"] == caps[2])
            .expect("a strategy");
        let d = &metric(s, &format!("objective {} met", &caps[1]))["diff_vs_first"];
        // A share's interval is Newcombe's paired one, the JSON's `interval`.
        let (mean, ends) = (f(&d["mean"]), &d["interval"]);
        assert_shown(&caps[3], "", mean, &caps[1]);
        assert_shown(&caps[4], "", f(&ends[0]), &caps[1]);
        assert_shown(&caps[5], "", f(&ends[1]), &caps[1]);
        checked += 1;
    }
    let best = regex::Regex::new(
        r"(incident \d+ \([^)]+\): [^:]+|mean downtime per app down|weighted impact \(Σ criticality × downtime\)|worst data loss of an app recovered): (\S+), ([0-9.dhms ]+?|[0-9.]+ crit·h) (sooner|later|lower|higher) \(95 % CI ([0-9.dhms ]+?|[0-9.]+ crit·h)–([0-9.dhms ]+?|[0-9.]+ crit·h)\)",
    )
    .expect("a pattern");
    let section = flat
        .split("Best on each key metric:")
        .nth(1)
        .and_then(|b| b.split("Sharpest trade-off").next())
        .expect("the best on each key metric");
    for caps in best.captures_iter(section) {
        let s = strategies
            .iter()
            .find(|s| s["id"] == caps[2])
            .expect("a strategy");
        let m = metric(s, &caps[1]);
        let d = &m["diff_vs_first"];
        let (mean, ci) = (f(&d["mean"]), f(&d["ci95"]));
        let unit = if m["unit"] == "h" { "h" } else { "crit·h" };
        let sooner = matches!(&caps[4], "sooner" | "lower");
        assert_eq!(sooner, mean < 0.0, "{}", &caps[0]);
        let (lo, hi) = if sooner {
            (-mean - ci, -mean + ci)
        } else {
            (mean - ci, mean + ci)
        };
        assert_shown(&caps[3], unit, mean.abs(), &caps[0]);
        assert_shown(&caps[5], unit, lo, &caps[0]);
        assert_shown(&caps[6], unit, hi, &caps[0]);
        checked += 1;
    }
    // The sharpest trade-off: "Sharpest trade-off, ID: METRIC: AMOUNT
    // WORD (95 % CI A–B), but METRIC: AMOUNT WORD (95 % CI A–B)".
    let trade = regex::Regex::new(
        r"(incident \d+ \([^)]+\): [^:]+): ([0-9.dhms ]+?) (sooner|later) \(95 % CI ([0-9.dhms ]+?)–([0-9.dhms ]+?)\)",
    )
    .expect("a pattern");
    let (id, rest) = flat
        .split("Sharpest trade-off, ")
        .nth(1)
        .and_then(|t| t.split_once(": "))
        .expect("a sharpest trade-off");
    let s = strategies
        .iter()
        .find(|s| s["id"] == id)
        .expect("a strategy");
    let rest = rest
        .split("Each strategy against")
        .next()
        .expect("the trade-off");
    for caps in trade.captures_iter(rest) {
        let d = &metric(s, &caps[1])["diff_vs_first"];
        let (mean, ci) = (f(&d["mean"]), f(&d["ci95"]));
        assert_eq!(&caps[3] == "sooner", mean < 0.0, "{}", &caps[0]);
        let (lo, hi) = if mean < 0.0 {
            (-mean - ci, -mean + ci)
        } else {
            (mean - ci, mean + ci)
        };
        assert_shown(&caps[2], "h", mean.abs(), &caps[0]);
        assert_shown(&caps[4], "h", lo, &caps[0]);
        assert_shown(&caps[5], "h", hi, &caps[0]);
        checked += 1;
    }
    assert!(
        checked >= 7 * 2 + 1 + 3 + 2,
        "{checked} numbers checked in {flat}"
    );
}

/// A 95 % interval is written with the precision that tells its ends
/// apart (never `2d 1h–2d 1h`), and a difference that is the same in
/// every run says so instead of an interval of no width.
#[test]
fn confidence_intervals_never_read_the_same_at_both_ends() {
    let ends = regex::Regex::new(r"95 % CI ([^()–]+?)(?:–| to )([^()]+?)\)").expect("a pattern");
    for scenario in [
        "scenarios/friday-evening-time-bomb.toml",
        "scenarios/replicated-failover-runbook.yaml",
        "scenarios/lessons/recurring-bug.yaml",
    ] {
        let out = run_ok(hvsim().args(["compare", scenario, "--runs", "20"]));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let mut intervals = 0;
        for caps in ends.captures_iter(&text) {
            assert_ne!(caps[1].trim(), caps[2].trim(), "{scenario}: {}", &caps[0]);
            intervals += 1;
        }
        assert!(intervals > 5, "{scenario}: {intervals} intervals");
    }
    // On-call at the weekend is back the same time sooner in every run of
    // the time bomb's 100 % milestone: said as such.
    let out = run_ok(hvsim().args([
        "compare",
        "scenarios/lessons/friday-evening-time-bomb.yaml",
        "--runs",
        "20",
    ]));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(text.contains(" in every run"), "{text}");
}

/// A comparison of one strategy opens with its findings too: each
/// objective's probability of being met and the key metrics' means, the
/// numbers of `--json`.
#[test]
fn one_strategy_still_opens_with_its_findings() {
    let args = [
        "compare",
        "scenarios/lessons/bottleneck-moves.yaml",
        "--runs",
        "20",
    ];
    let doc = crate::hvsim_json(&[&args[..], &["--json"]].concat());
    let text = String::from_utf8(run_ok(hvsim().args(args)).stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[2],
        "Findings (20 runs of restore, with 95 % CIs; name more strategies to compare them)"
    );
    let metrics = doc["strategies"][0]["metrics"].as_array().expect("metrics");
    let get = |name: &str| {
        metrics
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let objective = get("objective every app within 12 hours met");
    let ci = &objective["share_ci95"];
    assert_eq!(lines[3], "  P(met) every app within 12 hours:");
    assert_eq!(
        lines[4],
        format!(
            "    restore {:.1} % ({:.1}–{:.1})",
            objective["mean"].as_f64().expect("a share"),
            ci[0].as_f64().expect("a bound"),
            ci[1].as_f64().expect("a bound")
        )
    );
    let downtime = get("mean downtime per app down")["mean"]
        .as_f64()
        .expect("a mean");
    let line = lines
        .iter()
        .find(|l| l.starts_with("  mean downtime per app down: "))
        .expect("the mean downtime");
    let shown = line
        .trim_start_matches("  mean downtime per app down: ")
        .split(" ± ")
        .next()
        .expect("a mean");
    let (hours, last) = hours_of(shown);
    assert!(
        hours <= downtime && downtime < hours + last,
        "{line}: {downtime} h"
    );
    assert!(text.find("Findings").expect("findings") < text.find("\nincident 1").expect("detail"));
}

/// `sweep --reasons` keeps its lines within 100 columns however many
/// points and strategies: a block per strategy, split into tables of as
/// many points as fit (it printed one row of 63 columns, 1,800 wide).
#[test]
fn sweep_reasons_tables_fit_100_columns() {
    let out = run_ok(hvsim().args([
        "sweep",
        "--set",
        "teams.dtsi.members=4..12",
        "--strategies",
        "as-in-2018,restore-from-backup",
        "--runs",
        "4",
        "--reasons",
    ]));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let reasons = text
        .split("\nWhy the apps were down at each point")
        .nth(1)
        .expect("the reasons");
    // Every line of the sweep fits, its title and headings too (they were
    // 127 and 152 columns wide).
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(
        reasons.contains("\n  as-in-2018:\n") && reasons.contains("\n  restore-from-backup:\n")
    );
    // Every point is in a table of each strategy.
    for strategy in reasons.split("\n  restore-from-backup:\n") {
        for point in 4..=12 {
            assert!(
                strategy
                    .lines()
                    .any(|l| l.contains("│ reason") && l.contains(&format!("┆ {point:>6} "))),
                "point {point}: {strategy}"
            );
        }
    }
}

/// `hvsim --help` says that `hvsim run` with no file replays the 2018
/// incident, and ends with examples and the page to read.
#[test]
fn the_top_help_says_run_without_a_file_replays_2018() {
    let out = run_ok(hvsim().arg("--help"));
    let help = String::from_utf8(out.stdout).expect("UTF-8");
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("`hvsim run` with no file, like `hvsim` with no command, replays the December 2018 incident"),
        "{help}"
    );
    assert!(help.contains("Examples:\n  hvsim run\n"), "{help}");
    assert!(
        help.trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("Read: "))
    );
}
