//! The fast reader of the `apps` section (`src/scenario/fast.rs`) reads a
//! file exactly as serde_saphyr does, or leaves it to serde_saphyr: on
//! every bundled YAML file (scenarios, lessons, incidents, fault
//! campaigns, the broken files of the corpus), on generated estates of
//! varied sizes and options, and on generated estates with a value
//! changed into something unusual, the loaded scenario (its debug form)
//! or the error (its every line) is the same through both readings.

use std::path::{Path, PathBuf};

use hvsim::r#gen::{GenParams, generate};
use hvsim::scenario::{Format, fast_reader_reads, load_str, load_str_by_serde};
use proptest::prelude::*;

use crate::{hvsim, run_ok};

/// The two readings of `text` give the same scenario or the same errors.
fn same_reading(text: &str, file: &str) {
    let fast = load_str(text, file, Format::Yaml);
    let serde = load_str_by_serde(text, file, Format::Yaml);
    match (fast, serde) {
        (Ok(fast), Ok(serde)) => assert!(
            format!("{fast:?}") == format!("{serde:?}"),
            "{file}: the fast reader loaded another scenario"
        ),
        (Err(fast), Err(serde)) => assert_eq!(fast.to_string(), serde.to_string(), "{file}"),
        (fast, serde) => panic!(
            "{file}: fast reading {:?}, serde reading {:?}",
            fast.map(|_| "loaded").map_err(|e| e.to_string()),
            serde.map(|_| "loaded").map_err(|e| e.to_string()),
        ),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_bundled_yaml_file_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["scenarios", "benches", "tests", "examples", "docs"] {
        yaml_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "only {} YAML files found", files.len());
    let mut fast = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let file = path
            .strip_prefix(root)
            .expect("under the root")
            .display()
            .to_string();
        same_reading(&text, &file);
        fast += usize::from(fast_reader_reads(&text));
    }
    // The bundled scenarios are written by hand (block lists, comments
    // between keys): most are left to serde; the point here is that
    // whichever reads them, nothing changes.
    assert!(fast < files.len(), "{fast} of {} read fast", files.len());
}

fn params() -> impl Strategy<Value = GenParams> {
    (
        1u32..120,
        1u32..6,
        1u32..40,
        prop_oneof![Just(0u32), 1u32..10],
        1u32..4,
        1u32..6,
        0.0f64..3.0,
        any::<u64>(),
    )
        .prop_map(
            |(apps, vms_per_app, hosts, dr_hosts, teams, members, deps, seed)| GenParams {
                apps,
                vms_per_app,
                hosts: hosts + dr_hosts,
                dr_hosts,
                teams,
                members,
                deps,
                corrupt_vm: 0.02,
                seed,
            },
        )
}

/// Values a hand-edited file might hold where `hvsim gen` writes a word
/// or a number: each is either read the same by both readers or left to
/// serde_saphyr.
const ODD_VALUES: &[&str] = &[
    "null",
    "Null",
    "~",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "1e3",
    "0x10",
    "0o7",
    "010",
    "-1",
    "+1",
    "1_000",
    ".5",
    ".inf",
    "0",
    "4294967296",
    "2026-01-05",
    "8GiB",
    "\"8GiB\"",
    "'8GiB'",
    "\"a\\\"b\"",
    "\"a b\"",
    "\"\"",
    "&a x",
    "*a",
    "!!str x",
    "x # c",
    "x#c",
    "x: y",
    "a b",
    "c-001",
    "app-000001",
    "pert(1h, 2h, 3h)",
    "\"pert(1h, 2h, 3h)\"",
    "[x]",
    "{ a: b }",
    "",
    "é",
    "\"é\"",
    "x\n      y",
    "x,",
    "\"x\" y",
    "10 ",
];

/// The byte ranges of the values in `text`'s `apps` section: after each
/// `: `, up to the next `,`, `}`, `]` or line end.
fn value_ranges(text: &str) -> Vec<(usize, usize)> {
    let start = text.find("\napps:\n").expect("an apps section");
    let end = start + 1 + text[start + 1..].find("\nteams:").expect("a teams section");
    let mut out = Vec::new();
    let mut at = start;
    while let Some(i) = text[at..end].find(": ") {
        let from = at + i + 2;
        let len = text[from..end]
            .find([',', '}', ']', '\n'])
            .unwrap_or(end - from);
        out.push((from, from + len));
        at = from;
    }
    out
}

/// Every value of `ranges` changed into each of [`ODD_VALUES`]: read the
/// same or left to serde. Returns how many edits were read fast and how
/// many left to serde.
fn odd_values_everywhere(text: &str, ranges: &[(usize, usize)]) -> (usize, usize) {
    let (mut fast, mut left) = (0, 0);
    for &(from, to) in ranges {
        for odd in ODD_VALUES {
            let edited = format!("{}{odd}{}", &text[..from], &text[to..]);
            same_reading(&edited, "edited.yaml");
            if fast_reader_reads(&edited) {
                fast += 1;
            } else {
                left += 1;
            }
        }
    }
    (fast, left)
}

#[test]
fn every_odd_value_in_every_place_is_read_the_same_or_left_to_serde() {
    let params = GenParams {
        apps: 2,
        vms_per_app: 1,
        hosts: 6,
        dr_hosts: 2,
        deps: 2.0,
        ..GenParams::default()
    };
    let text = generate(&params).expect("valid parameters");
    let (fast, left) = odd_values_everywhere(&text, &value_ranges(&text));
    // Both readings are exercised: many edits are words the fast reader
    // takes (and must read as serde_saphyr does), many are left to serde.
    assert!(
        fast > 100 && left > 100,
        "{fast} read fast, {left} left to serde"
    );
}

#[test]
fn an_rvtools_import_is_read_fast_and_the_same_with_any_odd_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("imported.yaml");
    let out = out.to_str().expect("utf-8");
    run_ok(hvsim().args([
        "import",
        "rvtools",
        "tests/fixtures/rvtools-small",
        "--out",
        out,
    ]));
    let text = std::fs::read_to_string(out).expect("the import wrote its scenario");
    assert!(
        fast_reader_reads(&text),
        "the fast reader gave up on:\n{text}"
    );
    same_reading(&text, "imported.yaml");
    // The first app: its block of VMs (flow mappings with comments) and
    // its block of work.
    let ranges = value_ranges(&text);
    let (fast, left) = odd_values_everywhere(&text, &ranges[..ranges.len().min(14)]);
    assert!(
        fast > 50 && left > 50,
        "{fast} read fast, {left} left to serde"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_estates_are_read_fast_and_the_same(params in params()) {
        let text = generate(&params).expect("valid parameters");
        prop_assert!(fast_reader_reads(&text), "the fast reader gave up on:\n{text}");
        same_reading(&text, "estate.yaml");
    }

    #[test]
    fn an_odd_value_is_read_the_same_or_left_to_serde(
        params in params(),
        pick in any::<prop::sample::Index>(),
        odd in prop::sample::select(ODD_VALUES),
    ) {
        let text = generate(&params).expect("valid parameters");
        let ranges = value_ranges(&text);
        let (from, to) = ranges[pick.index(ranges.len())];
        let edited = format!("{}{odd}{}", &text[..from], &text[to..]);
        same_reading(&edited, "edited.yaml");
    }
}
