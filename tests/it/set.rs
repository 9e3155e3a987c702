//! `--set PATH=VALUE` on `run` and `explain` (as on `compare`): the run of
//! the scenario with that change is the run of the file edited by hand,
//! a part of the path that holds a dot is quoted, and a path that misses
//! names what is there.

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
