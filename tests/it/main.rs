//! The integration tests: one binary, a module per theme.

mod advise;
mod calibration;
mod capacity;
mod chaos;
mod charts;
mod charts2;
mod charts_graphs;
mod charts_new;
mod cli;
mod compare;
mod corpus;
mod corruption;
mod decisions;
mod deploy;
mod explain;
mod fast_load;
mod faults;
mod fit;
mod fuzz_corpus;
mod gallery;
mod gantt_story;
mod r#gen;
mod generated;
mod golden;
mod import;
mod incidents;
mod layers;
mod lessons;
mod load;
mod properties;
mod readme;
mod recovery;
mod report;
mod report_story;
mod round_trips;
mod scenarios;
mod schema;
mod serve;
mod serve_decisions;
mod serve_groups;
mod set;
mod shards;
mod slide;
mod speed;
mod story_audit;
mod sweepshard;
mod trust;

/// The built `hvsim` binary, run from the crate root (so relative paths
/// in arguments and messages are stable).
pub fn hvsim() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hvsim"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs a command (usually [`hvsim`] with its arguments), which must
/// succeed: on a failure the test stops with the command and its stderr.
pub fn run_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `hvsim ARGS`, which must be refused as bad input (exit code 2),
/// and returns its stderr.
pub fn bad_input<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    let out = hvsim().args(args).output().expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes `dir/name`: the file `file` (relative to the crate root) with
/// each `(from, to)` replaced once (each must apply), and returns its path.
pub fn edited_copy(
    dir: &std::path::Path,
    file: &str,
    name: &str,
    edits: &[(&str, &str)],
) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join(file)).expect("the file is readable");
    for (from, to) in edits {
        assert!(text.contains(from), "{file} has `{from}` to replace");
        text = text.replacen(from, to, 1);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the edited copy is written");
    path.to_str().expect("a UTF-8 path").to_string()
}

/// A scenario in which no outage happens: the HA scenario without its
/// top-level `bugs:` section, written into a new temporary folder
/// (returned with the file's path; the folder lives as long as it).
pub fn without_bugs() -> (tempfile::TempDir, String) {
    let file = "scenarios/ha-single-host-crash.yaml";
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(file)).expect("the file is readable");
    let mut kept = Vec::new();
    let mut in_bugs = false;
    for line in text.lines() {
        if line.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            in_bugs = line.starts_with("bugs:");
        }
        if !in_bugs {
            kept.push(line);
        }
    }
    assert!(kept.len() < text.lines().count(), "{file} has bugs to drop");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no-bugs.yaml");
    std::fs::write(&path, kept.join("\n")).expect("the copy is written");
    let path = path.to_str().expect("a UTF-8 path").to_string();
    (dir, path)
}

/// Runs `hvsim ARGS`, which must succeed, and parses the JSON it prints.
pub fn hvsim_json(args: &[&str]) -> serde_json::Value {
    let out = run_ok(hvsim().args(args));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// The bundled scenario files (`scenarios/*.yaml` and `*.toml`, not the
/// fault campaigns), relative to the crate root, sorted.
pub fn bundled_scenario_files() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("scenarios/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "toml")
            )
        })
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    assert!(
        files.len() >= 7,
        "the bundled scenarios are found: {files:?}"
    );
    files
}
