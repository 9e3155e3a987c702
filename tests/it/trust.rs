//! The defects a new user found (issue 13), each through the command line:
//! output paths that must never be destroyed, write failures that must be
//! reported (not panics), bounded `--jobs`, runs cut short by the horizon,
//! decisions revisited when the facts change, and messages that help.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::hvsim;

const SMALL: &str = "tests/fixtures/exp-queue.yaml";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether this process may make device nodes (`mknod` needs root).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A character device node at `path` with the given major and minor
/// numbers (1,7 is `/dev/full`; 1,3 is `/dev/null`).
fn mknod(path: &Path, major: u32, minor: u32) {
    let status = Command::new("mknod")
        .arg(path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .status()
        .expect("mknod runs");
    assert!(status.success(), "mknod {}", path.display());
}

fn is_char_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::symlink_metadata(path)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false)
}

/// Every command that writes a file, writing it to `path`.
fn writers(path: &Path) -> Vec<Vec<String>> {
    let p = path.display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["gen", "--apps", "5", "--hosts", "5", "--out", &p]),
        s(&["report", SMALL, "--runs", "4", "-o", &p]),
        s(&[
            "compare", SMALL, "--runs", "4", "--shard", "0/1", "--out", &p,
        ]),
        s(&[
            "sweep",
            SMALL,
            "--runs",
            "4",
            "--set",
            "teams.t.members=4",
            "--csv",
            &p,
        ]),
    ]
}

#[test]
fn a_device_at_the_output_path_is_written_to_not_replaced() {
    if !is_root() {
        eprintln!("skipped: making device nodes needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    let null = dir.path().join("null");
    mknod(&full, 1, 7);
    mknod(&null, 1, 3);
    for args in writers(&full) {
        let out = hvsim().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert!(is_char_device(&full), "{args:?} replaced the device");
    }
    for args in writers(&null) {
        let out = hvsim().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(is_char_device(&null), "{args:?} replaced the device");
    }
    // Nothing else was left in the directory (no temporary files).
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn a_fifo_at_the_output_path_gets_a_streamed_write() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = hvsim()
        .args(["gen", "--apps", "5", "--hosts", "5", "--out"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Checked before joining: a FIFO renamed over would leave the reader
    // blocked for ever.
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let text = reader.join().unwrap();
    assert!(text.contains("apps:"), "{text}");
}

#[test]
fn a_symlink_keeps_its_link_and_a_private_file_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.yaml");
    fs::write(&target, "stale").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink("real.yaml", &link).unwrap();
    for args in writers(&link) {
        fs::write(&target, "stale").unwrap();
        let out = hvsim().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{args:?} replaced the link"
        );
        assert_ne!(fs::read_to_string(&target).unwrap(), "stale", "{args:?}");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{args:?} changed the mode");
    }
}

#[test]
fn a_dash_writes_to_standard_output() {
    let out = hvsim()
        .args(["gen", "--apps", "3", "--hosts", "3", "--out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("apps:"));
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("-").exists());
}

fn dev_full() -> Stdio {
    Stdio::from(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("s.json");
    let made = hvsim()
        .args(["compare", SMALL, "--runs", "4", "--shard", "0/1", "--out"])
        .arg(&shard)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let shard = shard.display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["run"],
        vec!["run", "--json"],
        vec!["compare", SMALL, "--runs", "4"],
        vec!["merge", &shard],
        vec!["gen", "--apps", "5", "--hosts", "5"],
        vec!["validate", SMALL],
        vec!["sweep", SMALL, "--runs", "4", "--set", "teams.t.members=4"],
        vec!["schema"],
    ];
    for args in cases {
        let out = hvsim().args(&args).stdout(dev_full()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left on device"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    // The trace on a full stderr: exit 1, no panic (nothing can be said).
    let out = hvsim()
        .args(["run", "--trace"])
        .stdout(Stdio::null())
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [vec!["gen", "--apps", "3000", "--hosts", "300"], vec!["run"]] {
        let mut child = hvsim()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn jobs_are_bounded_and_do_not_change_results() {
    let one = hvsim()
        .args(["compare", SMALL, "--runs", "40", "--jobs", "1"])
        .output()
        .unwrap();
    let many = hvsim()
        .args(["compare", SMALL, "--runs", "40", "--jobs", "100000"])
        .output()
        .unwrap();
    assert!(many.status.success(), "{}", stderr(&many));
    assert!(
        stderr(&many).contains("--jobs 100000 is more than 4 per core"),
        "{}",
        stderr(&many)
    );
    assert_eq!(stdout(&one), stdout(&many));
    let zero = hvsim()
        .args(["compare", SMALL, "--runs", "4", "--jobs", "0"])
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
}

/// The small queue with office hours only and a horizon that ends on the
/// Saturday after a Friday-evening strike: nobody is on shift before the
/// horizon ends, so nothing is recovered, and the objective's RTO (3 days)
/// ends after the horizon.
fn weekend_cut_short() -> String {
    small_with(&[
        ("start: 2024-01-01 00:00", "start: 2024-01-05 00:00"),
        ("horizon: 10d", "horizon: 1d 20h"),
        ("at: 2024-01-01 01:00", "at: 2024-01-05 19:00"),
        ("shifts: [\"24/7\"]", "shifts: [\"Mon-Fri 08:00-18:00\"]"),
    ]) + "objectives:\n  - { name: three days, apps: [app-01, app-02], rto: 3d }\n"
}

#[test]
fn a_run_cut_short_by_the_horizon_says_so_and_leaves_objectives_open() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("weekend.yaml");
    fs::write(&file, weekend_cut_short()).unwrap();
    let out = hvsim().arg("run").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("(horizon reached)"), "{text}");
    assert!(!text.contains("nothing left to do"), "{text}");
    assert!(
        text.contains("still pending when the horizon ended: 20 queued for a team member"),
        "{text}"
    );
    assert!(text.contains("open   three days"), "{text}");
    assert!(!text.contains("MISSED"), "{text}");
    let json = hvsim().args(["run", "--json"]).arg(&file).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["stop"], "horizon");
    assert_eq!(doc["objectives"][0]["verdict"], "undetermined");
    assert_eq!(doc["objectives"][0]["met"], false);
    // Validation warns that the horizon cannot hold the recovery.
    let v = hvsim().arg("validate").arg(&file).output().unwrap();
    assert!(v.status.success(), "{}", stderr(&v));
    assert!(
        stderr(&v).contains("the horizon of 1d 20h ends at")
            && stderr(&v).contains("lengthen `horizon`"),
        "{}",
        stderr(&v)
    );
    // And a comparison counts the objective in no run.
    let c = crate::hvsim_json(&[
        "compare",
        "--json",
        "--runs",
        "4",
        &file.display().to_string(),
    ]);
    let text = c.to_string();
    assert!(text.contains("objective three days met"), "{text}");
}

/// Restart first, reinstall second; the bug recurs until the vendor's
/// workaround, which comes after `workaround`; reinstalling the 60 apps
/// by hand takes two engineers 5 days, longer than the latest workaround.
fn workaround_scenario(workaround: &str) -> String {
    format!(
        r#"name: workaround
time_zone: UTC
start: 2024-01-01 00:00
horizon: 30d
builds:
  - {{ id: b, reboot: 10m }}
sites:
  - {{ id: main }}
  - {{ id: dr, role: dr }}
clusters:
  - {{ id: prod, site: main }}
  - {{ id: drc, site: dr }}
hosts:
  - {{ id: h, count: 4, cluster: prod, build: b, cores: 64, memory: 1TiB }}
  - {{ id: d, count: 4, cluster: drc, build: b, cores: 64, memory: 1TiB }}
bugs:
  - id: bug
    builds: [b]
    trigger: {{ at: 2024-01-01 01:00 }}
    scope: {{ clusters: [prod] }}
    recurrence: 2h
    vendor: {{ workaround: {workaround} }}
apps:
  - id: app
    count: 60
    vms: [{{ cluster: prod, cores: 2, memory: 8GiB }}]
    work: {{ restart: 10m, reinstall: 4h }}
teams:
  - {{ id: t, members: 2, shifts: ["24/7"] }}
strategies:
  - {{ id: s, detection: 0s, diagnosis: 0s, methods: [restart, reinstall], order: fifo }}
"#
    )
}

#[test]
fn the_vendors_workaround_lets_waiting_apps_restart_instead() {
    let dir = tempfile::tempdir().unwrap();
    let mut mean_downtime = Vec::new();
    for w in ["4h", "1d", "3d"] {
        let file = dir.path().join(format!("w-{w}.yaml"));
        fs::write(&file, workaround_scenario(w)).unwrap();
        let doc = crate::hvsim_json(&["run", "--json", &file.display().to_string()]);
        let methods: Vec<String> = doc["apps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["method"].as_str().map(str::to_string))
            .collect();
        assert!(
            methods.iter().any(|m| m == "restart"),
            "after the workaround ({w}) waiting apps restart: {methods:?}"
        );
        assert_eq!(doc["stop"], "drained", "workaround {w}");
    }
    // Swept, the workaround time matters (it changed nothing when decisions
    // were never revisited).
    let file = dir.path().join("w-4h.yaml");
    let sweep = crate::hvsim_json(&[
        "sweep",
        &file.display().to_string(),
        "--set",
        "bugs.bug.vendor.workaround=4h,1d,3d",
        "--runs",
        "4",
        "--json",
    ]);
    for point in sweep["points"].as_array().unwrap() {
        let metric = point["comparison"]["strategies"][0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "mean downtime per app down")
            .unwrap()
            .clone();
        mean_downtime.push(metric["mean"].as_f64().unwrap());
    }
    // The later the workaround, the longer the apps are down.
    assert!(
        mean_downtime[0] < mean_downtime[1] && mean_downtime[1] < mean_downtime[2],
        "{mean_downtime:?}"
    );
}

/// The small queue scenario with each `(from, to)` replaced; every `from`
/// must be in it, so a test cannot silently check the unchanged file.
fn small_with(changes: &[(&str, &str)]) -> String {
    let mut text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SMALL)).unwrap();
    for (from, to) in changes {
        assert!(text.contains(from), "{SMALL} has no `{from}`");
        text = text.replace(from, to);
    }
    text
}

fn validate_text(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    fs::write(&file, text).unwrap();
    let out = hvsim().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    stderr(&out).replace(&file.display().to_string(), "bad.yaml")
}

#[test]
fn every_unquoted_distribution_in_braces_is_reported_with_a_hint() {
    let text = small_with(&[
        (
            "work: { reinstall: exp(2h) }",
            "work: { reinstall: pert(1h, 2h, 3h) }",
        ),
        (
            "{ id: reinstall, detection: 0s, diagnosis: 0s,",
            "{ id: reinstall, detection: uniform(0s, 10m), diagnosis: 0s,",
        ),
    ]);
    let err = validate_text(&text);
    assert!(
        err.contains("bad.yaml:31:")
            && err.contains("`pert(1h, 2h, 3h)` inside `{ }` must be quoted"),
        "{err}"
    );
    assert!(
        err.contains("`uniform(0s, 10m)` inside `{ }` must be quoted"),
        "{err}"
    );
    assert!(err.contains("write `\"pert(1h, 2h, 3h)\"`"), "{err}");
}

#[test]
fn a_misindented_key_is_pointed_at() {
    let text = small_with(&[(
        "    vms: [{ cluster: prod, cores: 2, memory: 8GiB }]\n    work: { reinstall: exp(2h) }\n",
        "    work: { reinstall: exp(2h) }\n  vms: [{ cluster: prod, cores: 2, memory: 8GiB }]\n",
    )]);
    let err = validate_text(&text);
    assert!(
        err.contains("missing field `vms`: a `vms:` key is at line 31, but not inside this mapping; check its indentation"),
        "{err}"
    );
}

#[test]
fn a_percentage_for_a_probability_says_to_write_a_fraction() {
    let text = small_with(&[("corrupt_vm: 1.0", "corrupt_vm: 15%")]);
    let err = validate_text(&text);
    assert!(err.contains("15 % is `0.15`"), "{err}");
}

#[test]
fn a_value_too_large_for_its_field_names_the_limit() {
    let text = small_with(&[("members: 4,", "members: 99999999999,")]);
    let err = validate_text(&text);
    // The field's own limit, not that of the integer type that holds it.
    assert!(
        err.contains("members: expected a whole number from 1 to 10000"),
        "{err}"
    );
}

#[test]
fn a_zero_length_shift_is_refused() {
    let text = small_with(&[("shifts: [\"24/7\"]", "shifts: [\"Mon-Fri 08:00-08:00\"]")]);
    let err = validate_text(&text);
    assert!(err.contains("starts when it ends"), "{err}");
}

#[test]
fn an_app_that_can_never_fit_at_the_dr_site_is_refused() {
    let text = small_with(&[(
        "  - { id: d, count: 2, cluster: drc, build: b, cores: 64, memory: 1TiB }",
        "  - { id: d, count: 2, cluster: drc, build: b, cores: 64, memory: 4GiB }",
    )]);
    let err = validate_text(&text);
    assert!(
        err.contains("can never be brought back at the DR site")
            && err.contains("the largest DR host has 4GiB of memory"),
        "{err}"
    );
}

#[test]
fn later_strikes_of_a_bug_say_when_it_was_diagnosed_and_restoration_began() {
    let out = hvsim()
        .args([
            "run",
            "scenarios/nouvelle-caledonie-2018.yaml",
            "--faults",
            "scenarios/faults/2018-slow-leak.yaml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut checked = 0;
    for block in text.split("\n  incident ").skip(1) {
        let block = block.split("\n\n").next().unwrap_or(block);
        if block.contains("first app back        2018") {
            checked += 1;
            assert!(
                !block.contains("diagnosed             not within"),
                "{block}"
            );
            assert!(
                !block.contains("restoration started   not within"),
                "{block}"
            );
        }
    }
    assert!(checked > 1, "{text}");
}

#[test]
fn a_strike_after_the_diagnosis_says_the_bug_was_diagnosed_already() {
    let text = small_with(&[
        (
            "trigger: { at: 2024-01-01 01:00 }",
            "trigger: { poisson: 2d }",
        ),
        (
            "effects: { corrupt_vm: 1.0 }",
            "effects: { corrupt_vm: 0.5 }",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("poisson.yaml");
    fs::write(&file, text).unwrap();
    let out = hvsim().arg("run").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("    diagnosed             already, at incident 1 ("),
        "{text}"
    );
}

/// A scenario, resolved, printed as YAML and loaded again resolves to the
/// same model: for every bundled scenario (YAML and TOML) and the fixtures.
#[test]
fn every_bundled_scenario_prints_as_yaml_and_loads_back_the_same() {
    use hvsim::scenario::{Format, load_str, to_yaml};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = ["scenarios", "tests/fixtures", "benches/fixtures"]
        .iter()
        .filter_map(|d| fs::read_dir(root.join(d)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| Format::from_path(p).is_some())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for path in files {
        let format = Format::from_path(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let original = load_str(&text, &name, format).unwrap();
        let yaml = to_yaml(&text, &name, format).unwrap();
        let again = load_str(&yaml, &name, Format::Yaml)
            .unwrap_or_else(|e| panic!("{name}: the printed YAML does not load: {e}\n{yaml}"));
        assert_eq!(
            format!("{original:?}"),
            format!("{again:?}"),
            "{name}: printed and loaded again, it resolves differently"
        );
    }
}

#[test]
fn the_report_shows_the_vendors_workaround_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.yaml");
    fs::write(&file, workaround_scenario("1d")).unwrap();
    let html = dir.path().join("r.html");
    let out = hvsim()
        .arg("report")
        .arg(&file)
        .args(["--runs", "4", "-o"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("<th>workaround after</th>"),
        "no workaround column"
    );
    assert!(
        text.contains("<td>1d of vendor support</td><td>never</td>"),
        "the workaround and the fix are not shown"
    );
}

/// An app queued behind a dependency that nothing would bring back is
/// stuck, not pending: the run is done ("nothing left to do"), and neither
/// the run nor `validate` tells the user to lengthen a horizon that would
/// change nothing (they did, before `Waiting::DependencyStuck`).
#[test]
fn an_app_gated_behind_a_lost_cause_is_stuck_not_pending() {
    let file = "tests/fixtures/gate-behind-lost-cause.yaml";
    let out = hvsim().args(["run", file]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("(nothing left to do)"), "{text}");
    assert!(!text.contains("still pending"), "{text}");
    assert!(
        text.contains(
            "stuck, with nothing left that could bring them back: 1 no applicable recovery \
             method, 1 queued behind a dependency that cannot come back"
        ),
        "{text}"
    );
    let doc = crate::hvsim_json(&["run", "--json", file]);
    assert_eq!(doc["stop"], "drained");
    let waiting: Vec<(&str, &str)> = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| Some((a["id"].as_str()?, a["waiting"].as_str()?)))
        .collect();
    assert_eq!(
        waiting,
        [
            ("db", "no applicable recovery method"),
            ("web", "queued behind a dependency that cannot come back")
        ]
    );
    let v = hvsim().args(["validate", file]).output().unwrap();
    assert!(v.status.success(), "{}", stderr(&v));
    assert!(!stderr(&v).contains("lengthen"), "{}", stderr(&v));
}

/// An output file in a folder that does not exist: the message names the
/// folder and how to create it, not only the system's "No such file or
/// directory", and nothing is created.
#[test]
fn an_output_in_a_missing_folder_says_which_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-folder");
    let out = crate::hvsim()
        .args([
            "report",
            "scenarios/ha-single-host-crash.yaml",
            "--runs",
            "2",
            "-o",
        ])
        .arg(missing.join("report.html"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "its folder {} does not exist; create it first",
            missing.display()
        )),
        "{err}"
    );
    assert!(!missing.exists());
}

/// No command's output replaces one of its own inputs: a report, a fitted
/// scenario, a shard, a chaos campaign or an import written over the file
/// it read (or over a link to it) is refused before any work, exit 2, and
/// the input is left as it was.
#[test]
fn no_output_replaces_one_of_the_commands_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.yaml");
    let original = std::fs::read("scenarios/ha-single-host-crash.yaml").expect("bundled");
    std::fs::write(&plan, &original).expect("copied");
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&plan, &link).expect("linked");
    let curve = dir.path().join("curve.csv");
    std::fs::write(&curve, "date,restored\n1d,1\n").expect("curve");
    let p = plan.to_str().expect("utf-8");
    let c = curve.to_str().expect("utf-8");
    for out in [&plan, &link] {
        let o = out.to_str().expect("utf-8");
        for args in [
            vec!["report", p, "--runs", "2", "-o", o],
            vec!["compare", p, "--runs", "2", "--shard", "0/1", "--out", o],
            vec!["fit", p, "--curve", c, "--runs", "2", "--out", o],
            vec![
                "sweep",
                p,
                "--set",
                "teams.0.members=1,2",
                "--runs",
                "2",
                "--csv",
                o,
            ],
            vec!["chaos", p, "--runs", "2", "--candidates", "1", "--out", o],
        ] {
            let res = crate::hvsim().args(&args).output().expect("runs");
            let err = String::from_utf8_lossy(&res.stderr);
            assert_eq!(res.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains("which this command reads")
                    || err.contains("this command reads that file"),
                "{args:?}: {err}"
            );
            assert_eq!(
                std::fs::read(&plan).expect("still there"),
                original,
                "{args:?}"
            );
        }
    }
    // The curve is an input too.
    let res = crate::hvsim()
        .args(["fit", p, "--curve", c, "--runs", "2", "--svg"])
        .arg(dir.path().join("charts"))
        .arg("--out")
        .arg(&curve)
        .output()
        .expect("runs");
    assert_eq!(
        res.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&curve).expect("kept"),
        "date,restored\n1d,1\n"
    );
}

/// An output path that cannot take the file is refused before the work:
/// a directory (bad input, exit 2), and a missing folder (exit 1), for the
/// commands that compute for a long time before they write.
#[test]
fn an_output_path_that_cannot_be_written_is_refused_before_the_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nowhere").join("out.json");
    let folder = dir.path().to_str().expect("utf-8");
    let file = "scenarios/ha-single-host-crash.yaml";
    for (args, code, says) in [
        (
            vec![
                "compare", file, "--runs", "2", "--shard", "0/1", "--out", folder,
            ],
            2,
            "is a directory",
        ),
        (
            vec!["report", file, "--runs", "2", "-o", folder],
            2,
            "is a directory",
        ),
        (
            vec![
                "sweep",
                file,
                "--set",
                "teams.0.members=1,2",
                "--runs",
                "2",
                "--out",
                folder,
            ],
            2,
            "is a directory",
        ),
    ] {
        let res = crate::hvsim().args(&args).output().expect("runs");
        let err = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        // Refused before the runs: no report of them on standard output.
        assert!(res.stdout.is_empty(), "{args:?}");
    }
    let res = crate::hvsim()
        .args(["compare", file, "--runs", "2", "--shard", "0/1", "--out"])
        .arg(&missing)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{err}");
    assert!(err.contains("does not exist; create it first"), "{err}");
    assert!(res.stdout.is_empty());
}

/// Objectives are named in reports, `--objective` and the advice: two
/// with one name, or an empty name, are errors at the name, not two rows
/// that read alike.
#[test]
fn objective_names_are_unique_and_not_empty() {
    let text = small_with(&[(
        "strategies:",
        "objectives:\n  - { name: fast, tags: [], apps: [], rto: 1h }\n  - { name: fast, rto: 3h }\n  - { name: \" \", rto: 2h }\nstrategies:",
    )]);
    let err = validate_text(&text);
    assert!(
        err.contains("objectives[1].name: duplicate objective name `fast` (first given at objectives[0].name)"),
        "{err}"
    );
    assert!(
        err.contains("objectives[2].name: an objective's name cannot be empty"),
        "{err}"
    );
}

/// Ctrl-C during `report` or `sweep` says what was done and that nothing
/// was written (a report or table of part of the runs would read as the
/// whole), exit 130, like `compare`, `advise`, `fit` and `chaos` say
/// theirs. SIGINT is sent after three seconds, long after the handler is
/// set (just after loading) and long before a million replications end.
#[cfg(unix)]
#[test]
fn ctrl_c_during_report_or_sweep_says_nothing_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.html");
    let o = out.to_str().expect("utf-8");
    for (args, says) in [
        (
            vec!["report", "--runs", "1000000", "-o", o],
            "replications done; ",
        ),
        (
            vec![
                "sweep",
                "--set",
                "teams.dtsi.members=4..5",
                "--runs",
                "1000000",
                "--csv",
                o,
            ],
            "points done; nothing was written",
        ),
    ] {
        let child = crate::hvsim()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        std::thread::sleep(std::time::Duration::from_secs(3));
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let res = child.wait_with_output().expect("it ends");
        let err = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(130), "{args:?}: {err}");
        assert!(
            err.contains("interrupted: ") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(!out.exists(), "{args:?}");
    }
}

/// A chart folder that is a file says so, not "File exists (os error
/// 17)", and the file is left as it was.
#[test]
fn a_file_for_a_chart_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("charts");
    fs::write(&file, "kept").expect("written");
    let out = crate::hvsim()
        .args(["run", "scenarios/ha-single-host-crash.yaml", "--svg"])
        .arg(&file)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("it is a file, and this option takes a folder"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&file).expect("kept"), "kept");
}
