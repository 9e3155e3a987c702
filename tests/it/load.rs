//! Loading big estates: a clean file is read once, without tracking
//! paths or building a location index, so every error must still be
//! located to its line and column when it is deep in a big file, whichever
//! stage finds it (the parser, the resolver, the placement of VMs).

use std::path::Path;

use crate::hvsim;

/// Apps of the generated estate (10 VMs each): the last app's VMs are the
/// 50,000th.
const APPS: u32 = 5_000;

/// Writes `text` with the last app's `vms` line changed by `edit`, and
/// returns the file and the changed line's number (from 1) and text.
fn broken(dir: &Path, name: &str, text: &str, edit: (&str, &str)) -> (String, usize, String) {
    let (vms_at, vms_end) = last_vms_line(text);
    let line = &text[vms_at..vms_end];
    assert!(line.contains(edit.0), "{line} has no `{}`", edit.0);
    let changed = line.replacen(edit.0, edit.1, 1);
    let new = format!("{}{changed}{}", &text[..vms_at], &text[vms_end..]);
    let file = dir.join(name);
    std::fs::write(&file, new).expect("write the broken estate");
    let line_no = text[..vms_at].matches('\n').count() + 1;
    (file.to_str().expect("utf-8").to_string(), line_no, changed)
}

/// Where the last app's `vms` line starts and ends in `text`.
fn last_vms_line(text: &str) -> (usize, usize) {
    let last = format!("  - id: app-{APPS:04}\n");
    let app_at = text.find(&last).expect("the last app is in the file");
    let vms_at = app_at + text[app_at..].find("    vms: [").expect("it has VMs");
    let vms_end = vms_at + text[vms_at..].find('\n').expect("a whole line");
    (vms_at, vms_end)
}

/// The value after `key` on `line`, up to `end`.
fn value(line: &str, key: &str, end: char) -> String {
    let rest = line.split(key).nth(1).expect("the key is on the line");
    rest.split(end).next().unwrap_or(rest).to_string()
}

/// The 1-based column of `needle` in `line`.
fn column(line: &str, needle: &str) -> usize {
    line.find(needle).expect("the needle is on the line") + 1
}

#[test]
fn an_error_at_the_50000th_vm_is_located_to_its_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let estate = dir.path().join("estate.yaml");
    let apps = APPS.to_string();
    let out = hvsim()
        .args([
            "gen",
            "--apps",
            &apps,
            "--hosts",
            "1000",
            "--dr-hosts",
            "100",
        ])
        .arg("--out")
        .arg(&estate)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&estate).expect("read the estate");
    // The last app's VMs: `{ count: 10, cluster: c-NN, cores: N, memory: NGiB }`.
    let (at, end) = last_vms_line(&text);
    let original = &text[at..end];
    let cores = value(original, "cores: ", ',');
    let cluster = value(original, "cluster: ", ',');
    let memory = value(original, "memory: ", ' ');

    // Found by the parser: a word where a number must be.
    let (parse, parse_line, parse_text) = broken(
        dir.path(),
        "parse.yaml",
        &text,
        (&format!("cores: {cores},"), "cores: many,"),
    );
    // Found by the resolver: a cluster the file does not declare.
    let (unknown, unknown_line, unknown_text) = broken(
        dir.path(),
        "unknown.yaml",
        &text,
        (&format!("cluster: {cluster},"), "cluster: c-nowhere,"),
    );
    // Found by the placement: VMs no host of their cluster can hold.
    let (full, full_line, full_text) = broken(
        dir.path(),
        "full.yaml",
        &text,
        (&format!("memory: {memory}"), "memory: 900TiB"),
    );

    // Found by the parser on its second read: a key written twice (the
    // first read leaves repeated keys to the raw types).
    let (twice, twice_line, twice_text) = broken(
        dir.path(),
        "twice.yaml",
        &text,
        (
            &format!("cores: {cores},"),
            &format!("cores: {cores}, cores: {cores},"),
        ),
    );

    let out = hvsim()
        .args(["validate", &parse, &unknown, &full, &twice])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = |file: &str, line: usize, col: usize| format!("{file}:{line}:{col}: ");
    let entry = APPS - 1;
    for (want, what) in [
        (
            format!(
                "{}apps[{entry}].vms[0].cores: ",
                at(&parse, parse_line, column(&parse_text, "many"))
            ),
            "the parser's error",
        ),
        (
            format!(
                "{}apps[{entry}].vms[0].cluster: ",
                at(&unknown, unknown_line, column(&unknown_text, "c-nowhere"))
            ),
            "the resolver's error",
        ),
        (
            format!(
                "{}apps[{entry}].vms[0].memory: cluster `{cluster}` is full",
                at(&full, full_line, column(&full_text, "900TiB"))
            ),
            "the placement's error",
        ),
        (
            format!(
                "{}apps[{entry}].vms[0]: duplicate key `cores`: each key may appear only once in a mapping",
                at(
                    &twice,
                    twice_line,
                    twice_text.rfind("cores").unwrap_or(0) + 1
                )
            ),
            "the repeated key",
        ),
    ] {
        assert!(
            stderr.contains(&want),
            "{what}: expected `{want}` in:\n{stderr}"
        );
    }
    // The full cluster is reported once for its `vms` entry, not once per VM.
    assert_eq!(stderr.matches("is full").count(), 1, "{stderr}");
}

/// A value of the wrong kind is explained in the user's words, never in
/// the loader's types (`expected struct AppFile`, `expected u32`), and a
/// whole number's message gives the field's real range; every message
/// stays located at `file:line:col` with the field named.
#[test]
fn a_value_of_the_wrong_kind_says_what_was_expected_in_the_users_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = "scenarios/friday-evening-time-bomb.toml";
    let cases = [
        (
            crate::edited_copy(
                dir.path(),
                toml,
                "app.toml",
                &[
                    (
                        "name = \"Friday-evening time bomb\"",
                        "apps = [5]\nname = \"x\"",
                    ),
                    ("[[apps]]", "[[other]]"),
                    ("[[apps]]", "[[other]]"),
                ],
            ),
            "",
        ),
        (
            crate::edited_copy(
                dir.path(),
                toml,
                "members.toml",
                &[("members = 3", "members = -1")],
            ),
            "members.toml:97:11: teams[0].members: expected a whole number from 1 to 10000, found the number -1",
        ),
        (
            crate::edited_copy(
                dir.path(),
                "scenarios/ha-single-host-crash.yaml",
                "members.yaml",
                &[("    members: 3", "    members: -1")],
            ),
            "members.yaml:137:14: teams[0].members: expected a whole number from 1 to 10000",
        ),
        (
            crate::edited_copy(
                dir.path(),
                "scenarios/ha-single-host-crash.yaml",
                "vms.yaml",
                &[("count: 2, cluster: prod", "count: many, cluster: prod")],
            ),
            "vms.yaml:91:18: apps[0].vms[0].count: expected a whole number from 1 to 100000",
        ),
    ];
    for (file, want) in &cases {
        let err = crate::bad_input(&["validate", file]);
        for internal in [
            "struct ",
            "File",
            "u32",
            "u64",
            "invalid type",
            "invalid value",
        ] {
            assert!(!err.contains(internal), "`{internal}` in: {err}");
        }
        assert!(err.contains(want), "{err}");
    }
    let err = crate::bad_input(&["validate", &cases[0].0]);
    assert!(
        err.contains(
            ": apps[0]: expected a mapping of the app's fields, like `key: value` lines, found the number 5"
        ),
        "{err}"
    );
    let json = dir.path().join("limits.json");
    std::fs::write(&json, "{\"name\": \"x\", \"limits\": 3}").expect("written");
    let err = crate::bad_input(&["validate", json.to_str().expect("UTF-8")]);
    assert!(
        err.contains("limits.json:1:25: limits: expected a mapping of the limits' fields, like `key: value` lines, found the number 3"),
        "{err}"
    );
}
