//! `--set PATH=VALUE` on `run` and `explain` (as on `compare`): the run of
//! the scenario with that change is the run of the file edited by hand,
//! a part of the path that holds a dot is quoted, and a path that misses
//! names what is there. Also `validate`'s horizon check, which costs a run
//! per strategy: by itself on small estates, on request on big ones.

use serde_json::Value;

use crate::{edited_copy, hvsim, hvsim_json, run_ok};

const FILE: &str = "scenarios/ha-single-host-crash.yaml";

/// The scenario with its bug renamed `nic-9.1-psod` (a dotted id, as
/// `hvsim import rvtools` writes builds), and the same striking later.
fn files(dir: &tempfile::TempDir) -> (String, String) {
    let dotted = [("nic-driver-psod", "nic-9.1-psod")];
    let later = [dotted[0], ("at: 2024-10-08 10:15", "at: 2024-10-08 14:45")];
    (
        edited_copy(dir.path(), FILE, "dotted.yaml", &dotted),
        edited_copy(dir.path(), FILE, "later.yaml", &later),
    )
}

/// A run's JSON without the name of its source, which says how it was made.
fn without_source(mut doc: Value) -> Value {
    doc.as_object_mut().expect("an object").remove("source");
    doc
}

#[test]
fn run_and_explain_set_are_the_edited_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dotted, later) = files(&dir);
    let set = r#"bugs."nic-9.1-psod".trigger.at=2024-10-08 14:45"#;
    for sub in ["run", "explain"] {
        let args = ["--strategy", "manual-restart", "--seed", "2", "--json"];
        let with_set = hvsim_json(&[&[sub, dotted.as_str(), "--set", set][..], &args].concat());
        let on_file = hvsim_json(&[&[sub, later.as_str()][..], &args].concat());
        let unchanged = hvsim_json(&[&[sub, dotted.as_str()][..], &args].concat());
        assert_eq!(with_set["source"], format!("{dotted} with {}", set));
        assert_eq!(without_source(with_set.clone()), without_source(on_file));
        assert_ne!(without_source(with_set), without_source(unchanged));
    }
    // The text report's next steps carry the change.
    let out = run_ok(hvsim().args(["run", &dotted, "--set", set]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("hvsim compare {dotted} --set '{set}'")),
        "{text}"
    );
}

#[test]
fn a_path_that_misses_names_what_is_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dotted, _) = files(&dir);
    // Unquoted, the id is cut at its dots: the message shows it quoted.
    for sub in ["run", "explain", "compare"] {
        let out = hvsim()
            .args([sub, &dotted, "--set", "bugs.nic-9.1-psod.fix=1d"])
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(2), "{sub}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(
                "--set bugs.nic-9.1-psod.fix=1d: `bugs.nic-9`: no item with id `nic-9` \
                 (or index) in that list; it has ids `\"nic-9.1-psod\"` (or index 0)"
            ),
            "{sub}: {err}"
        );
    }
    let out = hvsim()
        .args(["run", &dotted, "--set", "bug.x=1"])
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`bug`: the scenario has no `bug` there; it has"),
        "{err}"
    );
    assert!(err.contains("`bugs`"), "{err}");
    // A quote left open is an argument error that shows the syntax.
    let out = hvsim()
        .args(["run", &dotted, "--set", r#"bugs."nic-9.1.fix=1d"#])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(r#"like `bugs."hv-9.1-defect".fix`"#), "{err}");
}

/// `validate` warns of a horizon too short for the recovery on a small
/// scenario by itself; on a big estate only with `--check-horizon`, and
/// without it says that it skipped the check.
#[test]
fn validate_checks_the_horizon_of_small_estates_and_of_big_ones_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The bug strikes at 10:15 on the first day: a horizon of 10h30m ends
    // a quarter of an hour later, long before a manual restart is done.
    let small = edited_copy(
        dir.path(),
        FILE,
        "short.yaml",
        &[("horizon: 3d", "horizon: 10h30m")],
    );
    let out = run_ok(hvsim().arg("validate").arg(&small));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("with strategy `manual-restart` (seed 1) the horizon of 10h 30m ends at")
            && err.contains("lengthen `horizon`"),
        "{err}"
    );
    // 3,000 VMs × 3 strategies: above the bound. Cut to 1d 6h after its
    // start (the bug strikes on the second day at 02:00), the generated
    // estate's recovery is still under way at the horizon.
    let big = dir.path().join("big.yaml");
    run_ok(
        hvsim()
            .args([
                "gen", "--apps", "300", "--hosts", "40", "--seed", "7", "--out",
            ])
            .arg(&big),
    );
    let text = std::fs::read_to_string(&big).expect("the generated estate");
    assert!(text.contains("\nhorizon: 90d\n"), "{text}");
    std::fs::write(&big, text.replace("\nhorizon: 90d\n", "\nhorizon: 1d6h\n")).expect("written");
    let out = run_ok(hvsim().arg("validate").arg(&big));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("warning"), "{err}");
    assert!(
        err.contains("the horizon was not checked (3000 VMs × 3 strategies")
            && err.contains("add --check-horizon"),
        "{err}"
    );
    let out = run_ok(hvsim().args(["validate", "--check-horizon"]).arg(&big));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("with strategy `restore-dependency-aware` (seed 1) the horizon of 1d 6h")
            && !err.contains("not checked"),
        "{err}"
    );
}
