//! Fuzz harnesses: what each `cargo fuzz` target (in `fuzz/`) does with its
//! bytes. They live in the library so that the fuzz targets and the corpus
//! replay test (`tests/it/fuzz_corpus.rs`) run exactly the same code.
//!
//! Each harness feeds the bytes to one parser. Bad input must come back as
//! an error; where the crate has a formatter, a successful parse is written
//! back and parsed again, and the harness asserts the two agree. A panic
//! here, from the parser or from an assertion, is a bug (see
//! `docs/testing.md`). Not part of the public API.

use crate::scenario::{self, Format};
use crate::sim::{Dist, ShiftSpec};
use crate::units::{format_duration, parse_duration, parse_size, parse_throughput};

/// A harness: takes the fuzzer's bytes, panics only on a bug.
pub type Harness = fn(&[u8]);

/// Every fuzz target by name (the names of `fuzz/fuzz_targets/*.rs` and of
/// the corpus directories `fuzz/corpus/NAME`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("scenario_yaml", scenario_yaml),
    ("scenario_toml", scenario_toml),
    ("scenario_json", scenario_json),
    ("units", units),
    ("dist", dist),
    ("shift", shift),
    ("shard", shard),
    ("rvtools", rvtools),
];

/// The harness of the target called `name`.
pub fn harness(name: &str) -> Option<Harness> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, h)| h)
}

/// Scenario files are text: invalid UTF-8 is refused before any parser
/// sees it (`scenario::read_file` reads with `read_to_string`).
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn scenario_in(bytes: &[u8], format: Format) {
    let Some(text) = text(bytes) else { return };
    match scenario::load_str(text, "fuzz", format) {
        Ok(s) => {
            // What every command does next with a loaded scenario.
            let _ = s.default_strategy();
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an empty error message");
        }
    }
}

/// The scenario loader on YAML.
pub fn scenario_yaml(bytes: &[u8]) {
    scenario_in(bytes, Format::Yaml);
}

/// The scenario loader on TOML.
pub fn scenario_toml(bytes: &[u8]) {
    scenario_in(bytes, Format::Toml);
}

/// The scenario loader on JSON.
pub fn scenario_json(bytes: &[u8]) {
    scenario_in(bytes, Format::Json);
}

/// Durations, sizes and throughputs. The first byte picks the parser (so
/// one corpus covers all three); the rest is the text.
pub fn units(bytes: &[u8]) {
    let Some((&which, rest)) = bytes.split_first() else {
        return;
    };
    let Some(t) = text(rest) else { return };
    match which % 3 {
        0 => duration_round_trip(t),
        1 => size_round_trip(t),
        _ => throughput_round_trip(t),
    }
}

/// `format_duration` is exact: it parses back to the same duration.
fn duration_round_trip(t: &str) {
    if let Ok(d) = parse_duration(t) {
        let canonical = format_duration(d);
        assert_eq!(
            parse_duration(&canonical),
            Ok(d),
            "`{t}` → `{canonical}` does not parse back"
        );
        let _ = d.to_string();
    }
}

/// A size's `Display` keeps three decimals of its unit: it parses back to
/// within half a thousandth of that unit.
fn size_round_trip(t: &str) {
    let Ok(size) = parse_size(t) else { return };
    let shown = size.to_string();
    // The unit `Display` chose, from its suffix.
    let suffix = shown.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let unit = parse_size(&format!("1{suffix}")).map_or(1, |u| u.0);
    // Every size shown reads back (next to 16 EiB it is shown in bytes).
    let back = parse_size(&shown)
        .unwrap_or_else(|e| panic!("`{t}` ({} bytes) → `{shown}`: {e}", size.0))
        .0;
    // Rounded to a thousandth of the unit, then to a byte.
    let error = back.abs_diff(size.0);
    assert!(
        error <= unit / 2000 + 1,
        "`{t}` ({} bytes) → `{shown}` ({back} bytes)",
        size.0
    );
}

/// A throughput's `Display` keeps three decimals of its hourly amount's
/// unit: from one byte an hour up, it parses back to within 0.1 %.
fn throughput_round_trip(t: &str) {
    let Ok(tp) = parse_throughput(t) else { return };
    assert!(tp.bytes_per_hour.is_finite() && tp.bytes_per_hour > 0.0);
    let shown = tp.to_string();
    if tp.bytes_per_hour >= 1.0 {
        let back = parse_throughput(&shown)
            .unwrap_or_else(|e| panic!("`{t}` → `{shown}` does not parse back: {e}"));
        let ratio = back.bytes_per_hour / tp.bytes_per_hour;
        assert!(
            (ratio - 1.0).abs() <= 1e-3,
            "`{t}` ({} B/h) → `{shown}` ({} B/h)",
            tp.bytes_per_hour,
            back.bytes_per_hour
        );
    }
}

/// The distribution parser: a parsed distribution is valid, and its
/// canonical form parses back to the same distribution.
pub fn dist(bytes: &[u8]) {
    let Some(t) = text(bytes) else { return };
    let Ok(d) = Dist::parse(t) else { return };
    assert!(d.validate().is_ok(), "`{t}` parsed to an invalid {d:?}");
    let canonical = d.to_string();
    assert_eq!(
        Dist::parse(&canonical).as_ref(),
        Ok(&d),
        "`{t}` → `{canonical}` does not parse back"
    );
    let _ = (d.mean(), d.min(), d.max());
}

/// The shift parser: a parsed shift's text form parses back to it.
pub fn shift(bytes: &[u8]) {
    let Some(t) = text(bytes) else { return };
    let Ok(s) = ShiftSpec::parse(t) else { return };
    let canonical = s.to_string();
    assert_eq!(
        ShiftSpec::parse(&canonical).as_ref(),
        Ok(&s),
        "`{t}` → `{canonical}` does not parse back"
    );
    let _ = s.nominal_length();
}

/// The shard reader on bytes: a shard it accepts is consistent (every
/// histogram counts what its moments count, every quantile lies within
/// the exact min and max) and renders as text and JSON without a panic.
pub fn shard(bytes: &[u8]) {
    let Ok(shard) = crate::montecarlo::shard::parse("fuzz.json", bytes) else {
        return;
    };
    let c = &shard.comparison;
    for s in &c.strategies {
        for st in &s.stats {
            assert_eq!(
                st.hist.len(),
                st.moments.n,
                "an accepted shard's counts disagree"
            );
            if let (Some(lo), Some(hi)) = (st.quantile(0.0), st.max()) {
                for q in [0.5, 0.9, 0.99] {
                    let v = st.quantile(q).unwrap_or(lo);
                    assert!(
                        lo <= v && v <= hi,
                        "quantile {q} = {v} outside [{lo}, {hi}]"
                    );
                }
            }
        }
    }
    let _ = crate::report::render_compare(&shard.scenario, c);
    let _ = crate::report::compare_json(&shard.scenario, c);
}

/// The RVTools readers and the import's mapping: bytes that start like a
/// zip archive are read as an `.xlsx` workbook, anything else as CSV (the
/// first line starting with `Host,` splits a vHost tab from the vInfo tab
/// above it). A bad export must be an error with a message, never a panic;
/// an export that maps must give a scenario that loads.
pub fn rvtools(bytes: &[u8]) {
    use crate::import::{Options, emit, estate, rvtools::Inventory, rvtools::read};
    let mut inv = Inventory::default();
    let read = if bytes.starts_with(b"PK") {
        read::open_xlsx_reader(std::io::Cursor::new(bytes), "fuzz.xlsx")
            .and_then(|book| inv.add_workbook(book, "fuzz.xlsx", None))
    } else {
        let split = bytes
            .windows(6)
            .position(|w| w == b"\nHost,")
            .map_or(bytes.len(), |p| p + 1);
        inv.add_csv_bytes(&bytes[..split], "vInfo")
            .and_then(|()| inv.add_csv_bytes(&bytes[split..], "vHost"))
    };
    let options = Options::default();
    let result = read
        .and_then(|()| estate::map(&inv, &options))
        .and_then(|e| Ok((e, options.template()?)))
        .and_then(|(e, t)| emit::scenario(&e, &t, "fuzz"));
    match result {
        Ok(yaml) => {
            // The loader may refuse what it cannot place (a cluster too
            // full); it must not panic.
            let _ = scenario::load_str(&yaml, "fuzz.yaml", Format::Yaml);
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an empty error message"),
    }
}
