//! The broken-scenario corpus: bad input gets a clear error (file:line:col,
//! the field path, what was expected), never a panic, never a silent default.
//!
//! Each `tests/broken/NAME.EXT` (`.yaml`, a few `.toml` and `.json`, one
//! `.txt`) is a small scenario with exactly one deliberate mistake, said in
//! its first comment line (JSON has no comments: see `tests/broken/README.md`).
//! `tests/broken/NAME.expected` is the exact stderr of
//! `hvsim validate tests/broken/NAME.EXT` run from the crate root.
//!
//! Re-blessing after a deliberate change of wording: run
//!
//! ```text
//! UPDATE_EXPECT=1 cargo test -j1 --test it corpus::
//! ```
//!
//! which writes every `.expected` file from the current output instead of
//! comparing (the other checks still run), then review `git diff tests/broken`.
//! A new corpus file is added the same way: write `NAME.EXT`, bless, review.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The corpus, relative to the crate root (and so in the messages).
const DIR: &str = "tests/broken";

/// Files whose mistake is found before there is any text to locate in (the
/// format is chosen by the extension), so their message has no `:LINE:COL:`.
const WITHOUT_LOCATION: &[&str] = &["unsupported-extension.txt"];

/// How a file currently falls short of the promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // every variant is in use whenever a known gap of its kind is listed
enum Gap {
    /// The mistake is accepted: `validate` says `ok` and exits 0.
    Accepted,
    /// The message has no `:LINE:COL:` location.
    NoLocation,
    /// Consequences of the mistake are reported as further errors.
    ExtraDiagnostics,
}

/// Validator bugs found by this corpus and not fixed yet. The exact current
/// output of these files is still pinned in their `.expected`; only the check
/// their gap breaks is inverted: it must still fail. Fixing a bug therefore
/// fails this test until its entry is removed (and the file re-blessed), so
/// the list cannot go stale.
const KNOWN_GAPS: &[(&str, Gap)] = &[];

fn gap(name: &str) -> Option<Gap> {
    KNOWN_GAPS.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

/// One corpus file and what `hvsim validate` printed for it.
struct Run {
    /// The file name, e.g. `horizon-zero.yaml`.
    name: String,
    /// The path passed on the command line, e.g. `tests/broken/horizon-zero.yaml`.
    arg: String,
    /// Where its `.expected` is.
    expected: PathBuf,
    /// Whether its header comment says `# several errors`.
    several: bool,
    code: Option<i32>,
    stderr: String,
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validate(arg: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hvsim"))
        .current_dir(crate_root())
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .args(["validate", arg])
        .output()
        .expect("the hvsim binary runs")
}

/// Every corpus file, sorted, validated once and shared by the tests.
fn runs() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = crate_root().join(DIR);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry"))
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| !(name.ends_with(".expected") || name.ends_with(".md")))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let path = dir.join(&name);
                let stem = path.file_stem().expect("a file name").to_string_lossy();
                let expected = dir.join(format!("{stem}.expected"));
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let several = text
                    .lines()
                    .take_while(|l| l.starts_with('#'))
                    .any(|l| l.starts_with("# several errors"));
                let arg = format!("{DIR}/{name}");
                let out = validate(&arg);
                Run {
                    name,
                    arg,
                    expected,
                    several,
                    code: out.status.code(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
            })
            .collect()
    })
}

/// Whether the first line reads `FILE:LINE:COL: ...`.
fn has_location(stderr: &str) -> bool {
    let first = stderr.lines().next().unwrap_or("");
    let mut fields = first.split(':').skip(1);
    let mut number = || fields.next().is_some_and(|f| f.parse::<u64>().is_ok());
    number() && number()
}

/// A line diff of `expected` against `got` (longest common subsequence).
fn diff(expected: &str, got: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    // common[i][j]: length of the LCS of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, x) in a.iter().enumerate().rev() {
        for (j, y) in b.iter().enumerate().rev() {
            common[i][j] = if x == y {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let mut out = String::from("    --- expected\n    +++ got\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "      {}", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || common[i + 1][j] >= common[i][j + 1]) {
            let _ = writeln!(out, "    - {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "    + {}", b[j]);
            j += 1;
        }
    }
    if a == b {
        let _ = writeln!(
            out,
            "    (the lines are equal: the texts differ in line endings or the final newline: \
             expected {expected:?}, got {got:?})"
        );
    }
    out
}

fn fail_with(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} problem(s) in the broken-scenario corpus ({DIR}):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_broken_file_gets_its_expected_message() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let runs = runs();
    let mut failures = Vec::new();
    if runs.len() < 30 {
        failures.push(format!(
            "only {} corpus files; expected at least 30",
            runs.len()
        ));
    }

    for run in runs {
        let name = &run.name;
        // Never a panic, whatever else is known about the file.
        if run.stderr.contains("panicked") {
            failures.push(format!("{name}: hvsim panicked:\n{}", run.stderr));
            continue;
        }

        // The exact message.
        if update {
            let old = std::fs::read_to_string(&run.expected).ok();
            if old.as_deref() != Some(run.stderr.as_str()) {
                std::fs::write(&run.expected, &run.stderr)
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", run.expected.display()));
            }
        } else {
            match std::fs::read_to_string(&run.expected) {
                Ok(want) if want == run.stderr => {}
                Ok(want) => failures.push(format!(
                    "{name}: `hvsim validate {}` printed another message\n{}",
                    run.arg,
                    diff(&want, &run.stderr)
                )),
                Err(e) => failures.push(format!(
                    "{name}: cannot read {}: {e} (bless it with UPDATE_EXPECT=1)",
                    run.expected.display()
                )),
            }
        }

        // The promise: exit code 2 and a location.
        let mut broken = Vec::new();
        if run.code != Some(2) {
            broken.push(format!("exit code {:?}, expected 2", run.code));
        }
        if !WITHOUT_LOCATION.contains(&name.as_str()) && !has_location(&run.stderr) {
            let first = run.stderr.lines().next().unwrap_or("");
            broken.push(format!(
                "no FILE:LINE:COL location in the first line `{first}`"
            ));
        }
        match gap(name) {
            Some(Gap::Accepted | Gap::NoLocation) if broken.is_empty() => failures.push(format!(
                "{name}: listed in KNOWN_GAPS but now exits 2 with a location: \
                 remove it from the list"
            )),
            Some(Gap::Accepted | Gap::NoLocation) => {}
            _ => failures.extend(broken.into_iter().map(|b| format!("{name}: {b}"))),
        }
    }

    // No `.expected` left without its scenario file.
    let stems: Vec<PathBuf> = runs.iter().map(|r| r.expected.clone()).collect();
    for entry in std::fs::read_dir(crate_root().join(DIR)).expect("the corpus directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "expected") && !stems.contains(&path) {
            failures.push(format!(
                "{}: has no scenario file next to it",
                path.display()
            ));
        }
    }
    // Two files with one stem would share an `.expected`.
    for pair in stems.windows(2) {
        if pair[0] == pair[1] {
            failures.push(format!("{}: two corpus files share it", pair[0].display()));
        }
    }
    for (known, _) in KNOWN_GAPS {
        if !runs.iter().any(|r| r.name == *known) {
            failures.push(format!("{known}: listed in KNOWN_GAPS but not in {DIR}"));
        }
    }

    fail_with(&failures);
}

#[test]
fn every_broken_file_fails_only_with_its_own_mistake() {
    let mut failures = Vec::new();
    for run in runs() {
        let name = &run.name;
        if gap(name) == Some(Gap::Accepted) || run.stderr.contains("panicked") {
            continue; // nothing to count; the other test reports it
        }
        let lines: Vec<&str> = run.stderr.lines().collect();
        let Some((last, diagnostics)) = lines.split_last() else {
            failures.push(format!("{name}: hvsim printed nothing on stderr"));
            continue;
        };
        if !last.starts_with("error: ") {
            failures.push(format!(
                "{name}: the last line is not `error: ...`: `{last}`"
            ));
        }
        let n = diagnostics.len();
        let ok = if run.several { n > 1 } else { n == 1 };
        let what = if run.several {
            "several diagnostics (its header says `# several errors`)"
        } else {
            "exactly one diagnostic"
        };
        match (gap(name), ok) {
            (Some(Gap::ExtraDiagnostics), true) => failures.push(format!(
                "{name}: listed in KNOWN_GAPS as ExtraDiagnostics but now reports {what}: \
                 remove it from the list"
            )),
            (Some(Gap::ExtraDiagnostics), false) | (_, true) => {}
            (_, false) => failures.push(format!(
                "{name}: expected {what}, got {n}:\n{}",
                diagnostics
                    .iter()
                    .map(|d| format!("    {d}\n"))
                    .collect::<String>()
            )),
        }
    }
    fail_with(&failures);
}

#[test]
fn a_missing_file_is_unreadable_not_invalid() {
    // Not in the corpus: unreadable files exit 1 (not 2), and the OS error
    // text varies by platform.
    let arg = format!("{DIR}/no-such-scenario.yaml");
    let out = validate(&arg);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("cannot read scenario file {arg}: ")),
        "{stderr}"
    );
    assert_eq!(
        lines[1], "error: 1 of 1 scenario file(s) could not be read",
        "{stderr}"
    );
}

/// With unreadable and invalid files together, the summary counts both
/// (it counted only the unreadable ones); the exit code is the
/// unreadable's, 1.
#[test]
fn the_summary_counts_unreadable_and_invalid_files() {
    let missing = format!("{DIR}/no-such-scenario.yaml");
    let out = crate::hvsim()
        .args([
            "validate",
            "scenarios/ha-single-host-crash.yaml",
            &missing,
            "tests/broken/json-trailing-comma.json",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.ends_with("error: 1 of 3 scenario file(s) could not be read, and 1 is invalid\n"),
        "{stderr}"
    );
}
