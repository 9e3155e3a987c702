//! Replays the fuzzers' saved corpora (`fuzz/corpus/TARGET/`) and the
//! inputs of every crash they found (`tests/fuzz-regressions/TARGET/`)
//! through the same harnesses the fuzz targets run (`hvsim::fuzzing`), so
//! CI checks them without `cargo fuzz`. A panic in a harness is a bug: a
//! parser that panics, or a formatted value that does not parse back.

use std::path::{Path, PathBuf};

use hvsim::fuzzing::{TARGETS, harness};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files directly in `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every file of `dirs` through the harness of `target`; returns the
/// number of inputs and a line per input that panicked.
fn replay(target: &str, dirs: &[PathBuf]) -> (usize, Vec<String>) {
    let run = harness(target).expect("a known target");
    let mut count = 0;
    let mut failures = Vec::new();
    for dir in dirs {
        for file in files(dir) {
            let bytes = std::fs::read(&file).expect("a readable input");
            count += 1;
            if let Err(panic) = std::panic::catch_unwind(|| run(&bytes)) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {message}", file.display()));
            }
        }
    }
    (count, failures)
}

#[test]
fn every_saved_fuzz_input_is_handled_without_a_panic() {
    let mut failures = Vec::new();
    for (target, _) in TARGETS {
        let corpus = root().join("fuzz/corpus").join(target);
        let regressions = root().join("tests/fuzz-regressions").join(target);
        let (count, mut failed) = replay(target, &[corpus.clone(), regressions]);
        assert!(
            !files(&corpus).is_empty(),
            "no saved corpus for fuzz target `{target}` in {}",
            corpus.display()
        );
        assert!(count > 0);
        failures.append(&mut failed);
    }
    assert!(
        failures.is_empty(),
        "{} saved fuzz input(s) panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_directory_names_a_fuzz_target() {
    for base in ["fuzz/corpus", "tests/fuzz-regressions"] {
        let Ok(entries) = std::fs::read_dir(root().join(base)) else {
            continue;
        };
        for entry in entries {
            let name = entry.expect("a readable entry").file_name();
            let name = name.to_string_lossy();
            assert!(
                harness(&name).is_some(),
                "{base}/{name} is not a fuzz target (known: {:?})",
                TARGETS.iter().map(|(n, _)| *n).collect::<Vec<_>>()
            );
        }
    }
}

/// Empty, non-UTF-8 and garbled input comes back as an error from every harness.
#[test]
fn bad_input_is_an_error_not_a_panic() {
    // Bad input is an error, not a panic.
    for (_, run) in TARGETS {
        run(b"");
        run(b"\xff\xfe not UTF-8");
        run(b"{{{{ [[[[ ((((");
    }
    assert!(harness("no_such_target").is_none());
}
