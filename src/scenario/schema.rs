//! JSON Schema (draft 2020-12) of scenario and fault campaign files, for
//! editors: `hvsim schema [scenario|faults]` (docs/editors.md).
//!
//! The schema is derived from the loader's own serde types (`raw`),
//! so a field cannot be added, renamed or removed without the schema
//! following. Values the loader reads from text (durations, sizes,
//! distributions, …) are strings; the types below give each kind its
//! pattern and examples. The patterns mirror the parsers in
//! [`crate::units`] and [`crate::sim::dist`] and are never stricter than
//! them: a schema that rejects a valid file is worse than none.
//!
//! The schema follows how the YAML reader reads scalars, so it accepts what
//! YAML accepts: a plain number or `true` in a text field (`name: 2018` is
//! the text `2018`), a quoted number in a number field (`cores: "4"`),
//! YAML 1.1 booleans (`crash: yes`). TOML and JSON are stricter there; the
//! loader (`hvsim validate`) has the last word, and checks what a schema
//! cannot: references between ids, cycles, capacity, dates in the horizon.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::raw;

/// Which file the schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// A scenario file (`hvsim run FILE`).
    Scenario,
    /// A fault campaign file (`--faults FILE`).
    Faults,
}

/// The JSON Schema of a file kind, as a JSON value.
pub fn schema(kind: SchemaKind) -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let (mut schema, title, description) = match kind {
        SchemaKind::Scenario => (
            generator.into_root_schema_for::<raw::ScenarioFile>(),
            "hvsim scenario",
            "A scenario file of hvsim, the discrete-event simulator of hypervisor outages and \
             disaster-recovery plans: the estate (builds, sites, clusters, hosts, apps), its \
             faults (bugs, outages, absences, chaos), the teams and the recovery strategies. YAML, TOML or \
             JSON; every date is local to `time_zone`. Check a file with `hvsim validate FILE`; \
             fields and semantics: README.md, docs/faults.md, docs/recovery.md.",
        ),
        SchemaKind::Faults => (
            generator.into_root_schema_for::<raw::FaultsFile>(),
            "hvsim fault campaign",
            "A fault campaign file of hvsim (`--faults FILE`): its `bugs`, `outages`, `absences` \
             and `chaos` replace the scenario's, so one plan can be tried against many campaigns. Check it \
             with `hvsim validate --faults FILE SCENARIO`; fields and semantics: docs/faults.md.",
        ),
    };
    schema.insert("title".into(), title.into());
    schema.insert("description".into(), description.into());
    let mut value = schema.to_value();
    tidy(&mut value);
    value
}

/// Makes the generated schema read well in an editor: a doc comment's line
/// breaks become spaces (paragraphs stay), and `"default": null` (which
/// schemars adds to optional fields, and which editors would insert on
/// completion) goes: leaving a field out is its default.
fn tidy(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = text
                    .split("\n\n")
                    .map(|paragraph| paragraph.split('\n').collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The schema of a kind as pretty-printed JSON, newline-terminated: what
/// `hvsim schema` prints and `docs/schema/*.schema.json` hold.
pub fn schema_text(kind: SchemaKind) -> String {
    // Serializing a `Value` cannot fail (its keys are strings).
    let mut text = serde_json::to_string_pretty(&schema(kind)).unwrap_or_default();
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------
// A value YAML may spell two ways (`16` or `"16"`) has one schema with both
// types: JSON Schema applies `minimum`/`maximum` to numbers only and
// `pattern` to strings only, so the bounds judge the number and the
// pattern the text, and an editor shows one message instead of an `anyOf`.
//
// Patterns. ECMA-262 regular expressions (what JSON Schema and editors use),
// kept to the common subset: no flags, so case-insensitive words are
// spelt out letter by letter.
// ---------------------------------------------------------------------------

/// A word matched in any letter case: `pert` → `[pP][eE][rR][tT]`.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A decimal number as the unit parsers read it: `12`, `1.5`, `.5`, `1.`.
const NUMBER: &str = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)";
/// Duration units (case-sensitive).
const DURATION_UNIT: &str = "(?:ms|min|s|m|h|d|w)";

/// One or more `<number><unit>` groups, whitespace allowed around each.
fn duration_body() -> String {
    format!(r"\s*(?:{NUMBER}\s*{DURATION_UNIT}\s*)+")
}

/// A distribution: a plain duration, or `name(arguments)`.
fn distribution_body() -> String {
    let names = [
        "fixed",
        "uniform",
        "exponential",
        "exp",
        "normal",
        "lognormal",
        "weibull",
        "triangular",
        "pert",
    ]
    .map(any_case)
    .join("|");
    format!(r"{}|\s*(?:{names})\s*\([^()]*\)\s*", duration_body())
}

/// Padding the YAML reader trims around a scalar it reads as a number.
const PAD: &str = r"[ \t\r\n]*";

/// Declares a marker type whose schema is built by `$body` and inlined at
/// each use, so each field keeps its own description.
macro_rules! kind {
    ($(#[$doc:meta])* $name:ident, $schema_name:literal, |$g:ident| $body:expr) => {
        $(#[$doc])*
        pub(crate) struct $name;
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                $schema_name.into()
            }
            fn json_schema($g: &mut SchemaGenerator) -> Schema {
                $body
            }
        }
    };
}

kind!(
    /// Free text: a name or a description. YAML reads a plain number or
    /// boolean in a text field as its text.
    Text,
    "Text",
    |_g| json_schema!({ "type": ["string", "number", "boolean"] })
);

kind!(
    /// A tag (free text, as [`Text`]).
    Tag,
    "Tag",
    |_g| json_schema!({ "type": ["string", "number", "boolean"] })
);

kind!(
    /// An id, or a reference to one: letters, digits, `-`, `_`, `.`, `/`.
    /// The pattern refuses whitespace and other ASCII punctuation, as the
    /// loader does; it lets other Unicode symbols through (the loader
    /// refuses those too).
    Id,
    "Id",
    |_g| json_schema!({
        "type": ["string", "number", "boolean"],
        "pattern": r"^[^\s\x00-\x20!-,:-@\[-^`{-~\x7f]+$",
    })
);

kind!(
    /// A duration: `4h30m`, `1h 30m`, `1.5h`, `2d`, `90s`, `250ms`, `1w`.
    Duration,
    "Duration",
    |_g| json_schema!({
        "type": "string",
        "pattern": format!("^{}$", duration_body()),
        "examples": ["4h30m", "2d", "90s"],
    })
);

kind!(
    /// A distribution of durations.
    Distribution,
    "Distribution",
    |_g| json_schema!({
        "type": "string",
        "pattern": format!("^(?:{})$", distribution_body()),
        "examples": [
            "15m",
            "pert(1h, 2h, 6h)",
            "exp(30m)",
            "uniform(1h, 3h)",
            "lognormal(mean=3h, sd=1h)",
            "normal(mean=4h, sd=1h)",
            "weibull(shape=1.5, scale=4h)",
            "triangular(1h, 2h, 6h)",
        ],
    })
);

kind!(
    /// A distribution of durations, or `never`.
    DistributionOrNever,
    "DistributionOrNever",
    |_g| json_schema!({
        "type": "string",
        "pattern": format!(r"^(?:\s*never\s*|{})$", distribution_body()),
        "examples": ["never", "5d", "pert(2d, 5d, 10d)"],
    })
);

kind!(
    /// A size: a number and a unit, binary (`KiB` … `EiB`), decimal (`KB`
    /// … `EB`) or `B`; unit letters in any case.
    Size,
    "Size",
    |_g| json_schema!({
        "type": "string",
        "pattern": format!(r"^\s*{NUMBER}\s*(?:[kKmMgGtTpPeE][iI]?)?B\s*$"),
        "examples": ["64GiB", "1.5TiB", "500GB"],
    })
);

kind!(
    /// A throughput: a size or a number of bits per duration unit.
    Throughput,
    "Throughput",
    |_g| json_schema!({
        "type": "string",
        "pattern": format!(
            r"^\s*{NUMBER}\s*(?:(?:[kKmMgGtTpPeE][iI]?)?B|(?:[kKmMgGtT][iI]?)?[bB][iI][tT])\s*/\s*{DURATION_UNIT}\s*$"
        ),
        "examples": ["400GiB/h", "100MiB/s", "1Gbit/s", "2TB/d"],
    })
);

kind!(
    /// A local date and time, without offset.
    LocalDateTime,
    "LocalDateTime",
    |_g| json_schema!({
        "type": "string",
        "examples": ["2018-12-20 00:00", "2024-03-30 23:00"],
    })
);

kind!(
    /// A calendar date.
    Date,
    "Date",
    |_g| json_schema!({ "type": "string", "examples": ["2018-12-25"] })
);

kind!(
    /// An IANA time zone name.
    TimeZone,
    "TimeZone",
    |_g| json_schema!({
        "type": "string",
        "examples": ["Pacific/Noumea", "Europe/Paris", "UTC"],
    })
);

kind!(
    /// A work shift.
    Shift,
    "Shift",
    |_g| json_schema!({
        "type": "string",
        "examples": [
            "24/7",
            "Mon-Fri 08:00-18:00",
            "Sat,Sun 09:00-13:00",
            "daily 22:00-06:00 x1",
        ],
    })
);

kind!(
    /// A recovery method (also a team skill).
    Method,
    "Method",
    |_g| json_schema!({
        "type": "string",
        "pattern": r"^\s*(?:restart|reinstall|ha-restart|restore|failover|rebuild)\s*$",
        "examples": ["restart", "reinstall", "ha-restart", "restore", "failover", "rebuild"],
    })
);

kind!(
    /// A strategy's order.
    Order,
    "Order",
    |_g| json_schema!({
        "type": "string",
        "pattern": r"^\s*(?:fifo|criticality|shortest-first|weighted-shortest|dependency-aware)\s*$",
        "examples": ["fifo", "criticality", "shortest-first", "weighted-shortest", "dependency-aware"],
    })
);

kind!(
    /// A site's role (read exactly, not trimmed).
    Role,
    "Role",
    |_g| json_schema!({ "type": "string", "enum": ["primary", "dr"] })
);

kind!(
    /// What an outage takes away.
    OutageKind,
    "OutageKind",
    |_g| json_schema!({
        "type": "string",
        "pattern": r"^\s*(?:backup|link|management)\s*$",
        "examples": ["backup", "link", "management"],
    })
);

kind!(
    /// The operation an `on` trigger fires on.
    Operation,
    "Operation",
    |_g| json_schema!({
        "type": "string",
        "pattern": r"^\s*(?:restart|migration|restore)\s*$",
        "examples": ["restart", "migration", "restore"],
    })
);

kind!(
    /// `true` or `false`; YAML also reads `yes`/`no`, `on`/`off`, `y`/`n`
    /// (any case), quoted or not.
    Bool,
    "Bool",
    |_g| json_schema!({
        "type": ["boolean", "string"],
        "pattern": format!(
            "^{PAD}(?:{}|{}|{}|{}|{}|{}|{}|{}){PAD}$",
            any_case("true"), any_case("false"), any_case("yes"), any_case("no"),
            any_case("on"), any_case("off"), any_case("y"), any_case("n"),
        ),
        "examples": [true, false],
    })
);

/// A decimal number (YAML also reads one quoted).
fn decimal_pattern() -> String {
    format!(r"^{PAD}\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?{PAD}$")
}

kind!(
    /// A probability between 0 and 1. YAML also reads a quoted number.
    Probability,
    "Probability",
    |_g| json_schema!({
        "type": ["number", "string"],
        "minimum": 0,
        "maximum": 1,
        "pattern": decimal_pattern(),
        "examples": [0.5],
    })
);

kind!(
    /// A share of a task's effort, above 0 and at most 10 (`0.25`: four
    /// times faster). YAML also reads a quoted number.
    Scale,
    "Scale",
    |_g| json_schema!({
        "type": ["number", "string"],
        "minimum": 0,
        "maximum": 10,
        "pattern": decimal_pattern(),
        "examples": [0.25],
    })
);

kind!(
    /// A number, 0 or more (a lever's cost). YAML also reads a quoted number.
    Amount,
    "Amount",
    |_g| json_schema!({
        "type": ["number", "string"],
        "minimum": 0,
        "pattern": decimal_pattern(),
        "examples": [90000],
    })
);

/// A whole number from `MIN` to `MAX`. YAML also reads a quoted number
/// and `0x`, `0o`, `0b` prefixes and `_` separators.
pub(crate) struct Whole<const MIN: u64, const MAX: u64>;

impl<const MIN: u64, const MAX: u64> JsonSchema for Whole<MIN, MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Whole_{MIN}_{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["integer", "string"],
            "minimum": MIN,
            "maximum": MAX,
            "pattern": format!(
                r"^{PAD}\+?(?:[0-9][0-9_]*|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+){PAD}$"
            ),
        })
    }
}

/// `u32::MAX`, for [`Whole`]'s bound.
pub(crate) const U32_MAX: u64 = u32::MAX as u64;

/// `node` with its `$ref` to a definition of `root` followed, or the
/// schema of an `anyOf` of one and `null` (an optional field).
fn resolved<'a>(
    root: &'a serde_json::Value,
    node: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    use serde_json::Value;
    let mut node = node;
    for _ in 0..8 {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            node = root.get("$defs")?.get(r.strip_prefix("#/$defs/")?)?;
        } else if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
            node = any.iter().find(|v| v.get("type") != Some(&"null".into()))?;
        } else {
            return Some(node);
        }
    }
    None
}

/// The schema of the field at `path` in a scenario file (a fault
/// campaign's fields are named as the scenario's), its references and
/// optional wrappers followed; `None` where the path leaves the schema.
fn field_schema(path: &super::FieldPath) -> Option<serde_json::Value> {
    use super::locate::Seg;
    let root = schema(SchemaKind::Scenario);
    let mut node = resolved(&root, &root)?;
    for seg in &path.0 {
        let next = match seg {
            Seg::Key(k) => node.get("properties")?.get(k.as_ref())?,
            Seg::Index(_) => node.get("items")?,
        };
        node = resolved(&root, next)?;
    }
    Some(node.clone())
}

/// The range of the whole number at `path` in a scenario file, when the
/// schema gives one: `teams[0].members` is 1 to 10,000.
pub(crate) fn whole_range(path: &super::FieldPath) -> Option<(u64, u64)> {
    let node = field_schema(path)?;
    let types = node.get("type")?;
    let integer = types == "integer"
        || types
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "integer"));
    if !integer {
        return None;
    }
    Some((
        node.get("minimum")?.as_u64()?,
        node.get("maximum")?.as_u64()?,
    ))
}
