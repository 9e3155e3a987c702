//! Scenario files: YAML (the default: comments are how architects document
//! their assumptions), TOML and JSON, chosen by extension.
//!
//! Loading is two stages: serde types that reject unknown fields (`raw`),
//! then validation and id resolution into a [`Scenario`] (`resolve`, one
//! resolver per section of the file). Every problem is reported with file,
//! line, column, the field path and what was expected; validation collects
//! all problems rather than stopping at the first.

mod document;
mod fast;
mod locate;
pub(crate) mod raw;
mod resolve;
pub mod schema;

use std::fmt;
use std::path::Path;

pub use document::{Document, SetError};
pub use locate::{FieldPath, KeyName, LineCol, Locator, Seg};

use crate::model::Scenario;

/// The December 2018 incident, embedded as the default scenario.
pub const DEFAULT_SCENARIO_YAML: &str =
    include_str!("../../scenarios/nouvelle-caledonie-2018.yaml");
/// The name under which the embedded default scenario is reported.
pub const DEFAULT_SCENARIO_NAME: &str = "scenarios/nouvelle-caledonie-2018.yaml (embedded)";

/// Scenario files larger than this are refused (a runaway generator, not a plan).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2.
    Yaml,
    /// TOML 1.0.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// The format for a file name, by extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it.
    pub file: String,
    /// Where, when known.
    pub at: Option<LineCol>,
    /// The field, when known.
    pub path: Option<FieldPath>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(at) = self.at {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        if let Some(path) = &self.path {
            write!(f, ": {path}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is too large to be a scenario.
    #[error("{file}: the file is {size} bytes; scenario files are limited to {limit} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The extension names no supported format.
    #[error("{file}: cannot tell the format: name the file .yaml, .yml, .toml or .json")]
    UnknownFormat {
        /// The file.
        file: String,
    },
    /// The file has errors.
    #[error("{}", render(diagnostics))]
    Invalid {
        /// Every problem found, in file order.
        diagnostics: Vec<Diagnostic>,
    },
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    out
}

impl Scenario {
    /// Loads and validates a scenario file: YAML, TOML or JSON, chosen by
    /// its extension. Every problem is reported with its `file:line:col`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        load_path(path.as_ref())
    }

    /// The embedded default scenario: the December 2018 incident.
    pub fn default_incident() -> Result<Scenario, ScenarioError> {
        load_default()
    }
}

impl std::str::FromStr for Scenario {
    type Err = ScenarioError;

    /// Parses and validates YAML scenario text (messages call it
    /// `<text>`); for TOML or JSON text use [`load_str`].
    fn from_str(text: &str) -> Result<Scenario, ScenarioError> {
        load_str(text, "<text>", Format::Yaml)
    }
}

/// Loads and validates a scenario file, choosing the format by extension.
pub fn load_path(path: &Path) -> Result<Scenario, ScenarioError> {
    let (text, file, format) = read_file(path)?;
    load_str(&text, &file, format)
}

/// Loads the embedded default scenario (the December 2018 incident).
pub fn load_default() -> Result<Scenario, ScenarioError> {
    load_str(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_NAME, Format::Yaml)
}

/// Parses and validates scenario text; `file` names it in messages.
pub fn load_str(text: &str, file: &str, format: Format) -> Result<Scenario, ScenarioError> {
    let mut rest = String::new();
    let (raw, locator) = parse_scenario(text, file, format, &mut rest)?;
    resolve::resolve(raw, file, &locator, None)
}

/// [`load_str`] without the fast reader of the `apps` section: the whole
/// text read by serde. For the tests that prove the two readings equal.
#[doc(hidden)]
pub fn load_str_by_serde(
    text: &str,
    file: &str,
    format: Format,
) -> Result<Scenario, ScenarioError> {
    let (raw, locator) = parse::<raw::ScenarioFile>(text, file, format, Repeats::Types)?;
    resolve::resolve(raw, file, &locator, None)
}

/// Whether the fast reader reads `text`'s `apps` section (YAML text in the
/// shape `hvsim gen` writes) instead of leaving the file to serde. For
/// the tests that prove the two readings equal.
#[doc(hidden)]
pub fn fast_reader_reads(text: &str) -> bool {
    let mut rest = String::new();
    fast_parse(text, &mut rest).is_some()
}

/// Parses a scenario file's text: a YAML file's `apps` section by the
/// fast reader when it understands all of it ([`fast`]), everything else
/// (and everything, when it does not) by serde. `rest` holds the text
/// serde reads in the first case.
fn parse_scenario<'a>(
    text: &'a str,
    file: &str,
    format: Format,
    rest: &'a mut String,
) -> Result<(raw::ScenarioFile<'a>, Locator<'a>), ScenarioError> {
    if format == Format::Yaml
        && let Some(raw) = fast_parse(text, rest)
    {
        return Ok((raw, Locator::new(text, format)));
    }
    parse::<raw::ScenarioFile>(text, file, format, Repeats::Types)
}

/// The fast reading of [`parse_scenario`], or `None` if the fast reader
/// gives up or serde finds anything wrong in the rest of the file (which
/// is then read whole, for the usual messages and locations).
fn fast_parse<'a>(text: &'a str, rest: &'a mut String) -> Option<raw::ScenarioFile<'a>> {
    let section = fast::read_apps(text)?;
    *rest = section.rest(text);
    let rest: &'a String = rest;
    let mut raw = serde_saphyr::from_str_with_options::<raw::ScenarioFile>(
        rest,
        yaml_options(Repeats::Types),
    )
    .ok()?;
    if !fast::is_sentinel(&raw.apps) {
        return None;
    }
    raw.apps = section.apps;
    Some(raw)
}

/// The scenario file `text` as hvsim reads it, printed back as YAML: every
/// field it gave, in the loader's order, with comments and layout dropped.
/// Loading the result resolves to the same scenario (a property test checks
/// it on every bundled and generated scenario): a way to turn a TOML or
/// JSON scenario into YAML, or to see what the loader understood.
pub fn to_yaml(text: &str, file: &str, format: Format) -> Result<String, ScenarioError> {
    let (raw, _) = parse::<raw::ScenarioFile>(text, file, format, Repeats::Types)?;
    serde_saphyr::to_string(&raw).map_err(|e| ScenarioError::Invalid {
        diagnostics: vec![Diagnostic {
            file: file.to_string(),
            at: None,
            path: None,
            message: format!("cannot print the scenario as YAML: {e}"),
        }],
    })
}

/// A scenario and a fault campaign, as text: the campaign's `bugs`,
/// `outages`, `absences` and `chaos` replace the scenario's.
pub struct WithFaults<'a> {
    /// The scenario's text, name and format.
    pub scenario: (&'a str, &'a str, Format),
    /// The campaign's text, name and format.
    pub faults: (&'a str, &'a str, Format),
}

/// Parses and validates a scenario with the faults of a campaign file;
/// problems in the faults are located in the campaign file.
pub fn load_with_faults(input: WithFaults<'_>) -> Result<Scenario, ScenarioError> {
    let (text, file, format) = input.scenario;
    let (ftext, ffile, fformat) = input.faults;
    let mut rest = String::new();
    let (mut raw, locator) = parse_scenario(text, file, format, &mut rest)?;
    let (faults, flocator) = parse::<raw::FaultsFile>(ftext, ffile, fformat, Repeats::Types)?;
    raw.bugs = faults.bugs;
    raw.outages = faults.outages;
    raw.absences = faults.absences;
    raw.chaos = faults.chaos;
    resolve::resolve(raw, file, &locator, Some((ffile, &flocator)))
}

/// Parses text of another file in the scenario's style (`hvsim chaos
/// --space`) into `T`, with the scenario's located errors
/// (`file:line:col: field: message`).
pub fn parse_as<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    format: Format,
) -> Result<T, ScenarioError> {
    parse::<T>(text, file, format, Repeats::Parser).map(|(t, _)| t)
}

/// Reads a file as text, refusing unknown extensions and huge files.
pub fn read_file(path: &Path) -> Result<(String, String, Format), ScenarioError> {
    let file = path.display().to_string();
    let format = Format::from_path(path)
        .ok_or_else(|| ScenarioError::UnknownFormat { file: file.clone() })?;
    let meta = std::fs::metadata(path).map_err(|source| ScenarioError::Read {
        file: file.clone(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ScenarioError::TooLarge {
            file,
            size: meta.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: file.clone(),
        source,
    })?;
    Ok((text, file, format))
}

/// Who rejects a key written twice in one mapping, on the first read of
/// a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repeats {
    /// The YAML parser, which fingerprints every key of every mapping: for
    /// types with maps (a JSON value), which would keep the last value.
    Parser,
    /// The types: every mapping of the scenario's raw types is a derived
    /// struct, which rejects a field given twice itself, so the parser
    /// need not remember the keys it has seen. Merge keys (`<<`) are read
    /// as plain keys, which every raw struct refuses as unknown: a file
    /// with a merge key or a repeated key fails that read and is read
    /// again with the parser checking and merging, for the usual result
    /// or message (`duplicate key …`, located).
    Types,
}

/// The YAML parser's resource budget. Its defaults (250,000 nodes,
/// 1,000,000 events) suit configuration files; a scenario of 100,000 apps
/// (`hvsim gen`) has about 25 nodes per app. Every node or event takes at
/// least a byte of text, so [`MAX_FILE_BYTES`] stays the real bound.
/// `repeats` says whether the parser checks for repeated keys.
fn yaml_options(repeats: Repeats) -> serde_saphyr::Options {
    let (duplicate_keys, merge_keys) = match repeats {
        Repeats::Parser => (
            serde_saphyr::DuplicateKeyPolicy::Error,
            serde_saphyr::MergeKeyPolicy::Merge,
        ),
        Repeats::Types => (
            serde_saphyr::DuplicateKeyPolicy::PassThrough,
            serde_saphyr::MergeKeyPolicy::AsOrdinary,
        ),
    };
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: MAX_FILE_BYTES as usize,
            max_events: MAX_FILE_BYTES as usize,
        },
        duplicate_keys: duplicate_keys,
        merge_keys: merge_keys,
    }
}

/// Deserializes `text` into `T`, with the locator to place later errors.
///
/// A clean file is read once, by the bare deserializer; only a file that
/// fails is read again with its path tracked (`serde_path_to_error`), to
/// name the field of the error. Tracking every value's path costs a big
/// estate about a fifth of its load. Text that `T` borrows (its
/// [`raw::Text`] fields) is borrowed from `text`. `repeats` says who
/// rejects a repeated key on the first read ([`Repeats`]).
fn parse<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    file: &str,
    format: Format,
    repeats: Repeats,
) -> Result<(T, Locator<'a>), ScenarioError> {
    let untracked = match format {
        Format::Yaml => serde_saphyr::from_str_with_options::<T>(text, yaml_options(repeats)).ok(),
        Format::Json => serde_json::from_str::<T>(text).ok(),
        Format::Toml => None,
    };
    if let Some(raw) = untracked {
        return Ok((raw, Locator::new(text, format)));
    }
    // A whole number's range is looked up in the scenario's schema only
    // for the files that schema describes (a scenario, a fault campaign),
    // not for another file read in their style (`chaos --space`), whose
    // fields could share a path with a scenario's of another range.
    let ranges = matches!(repeats, Repeats::Types);
    parse_tracked(text, file, format, ranges)
}

/// [`parse`] with the path of every value tracked, for the error's field;
/// `ranges`: whether the scenario's schema gives the field's range.
fn parse_tracked<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    file: &str,
    format: Format,
    ranges: bool,
) -> Result<(T, Locator<'a>), ScenarioError> {
    let mut path_text = String::new();
    let result: Result<T, (String, Option<LineCol>)> = match format {
        Format::Yaml => serde_saphyr::with_deserializer_from_str_with_options(
            text,
            yaml_options(Repeats::Parser),
            |de| {
                serde_path_to_error::deserialize(de).map_err(|e| {
                    path_text = e.path().to_string();
                    e.into_inner()
                })
            },
        )
        .map_err(|e| {
            let at = e.location().and_then(|l| {
                (l.line() > 0).then(|| LineCol {
                    line: l.line(),
                    column: l.column(),
                })
            });
            (saphyr_message(&e), at)
        }),
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(&mut de)
                .map_err(|e| {
                    path_text = e.path().to_string();
                    let inner = e.into_inner();
                    let at = (inner.line() > 0).then(|| LineCol {
                        line: inner.line() as u64,
                        column: inner.column() as u64,
                    });
                    (strip_json_position(&inner.to_string()), at)
                })
                .and_then(|v| {
                    de.end().map(|()| v).map_err(|e| {
                        let at = (e.line() > 0).then(|| LineCol {
                            line: e.line() as u64,
                            column: e.column() as u64,
                        });
                        (
                            "unexpected text after the end of the JSON document".to_string(),
                            at,
                        )
                    })
                })
        }
        Format::Toml => match toml::de::Deserializer::parse(text) {
            Err(e) => Err(toml_error(text, &e)),
            Ok(de) => serde_path_to_error::deserialize(de).map_err(|e| {
                path_text = e.path().to_string();
                toml_error(text, e.inner())
            }),
        },
    };
    match result {
        Ok(raw) => Ok((raw, Locator::new(text, format))),
        Err((message, mut at)) => {
            // One unquoted distribution in a flow mapping is rarely alone:
            // report every one, each where it is, instead of the first
            // fragment serde tripped on.
            if format == Format::Yaml && split_distribution(&message) {
                let all = unquoted_distributions(text);
                if !all.is_empty() {
                    return Err(ScenarioError::Invalid {
                        diagnostics: all
                            .into_iter()
                            .map(|(at, dist)| Diagnostic {
                                file: file.to_string(),
                                at: Some(at),
                                path: None,
                                message: format!(
                                    "`{dist}` inside `{{ }}` must be quoted: YAML splits a flow mapping at each comma, so its arguments became keys; write `\"{dist}\"`"
                                ),
                            })
                            .collect(),
                    });
                }
            }
            let mut path = FieldPath::parse(&path_text);
            let message = friendly(&message, ranges.then_some(&path));
            // A required key that the file does have, but elsewhere: most
            // often indented under the wrong mapping.
            let message = match missing_field(&message) {
                Some(field) => match misplaced_key(text, field, at) {
                    Some(line) => format!(
                        "{message}: a `{field}:` key is at line {line}, but not inside this mapping; check its indentation"
                    ),
                    None => message,
                },
                None => message,
            };
            // serde reports a missing field at the end of its mapping, often
            // the end of the file: point at the mapping instead, and name
            // the field in the path.
            if let Some(field) = missing_field(&message) {
                at = Locator::new(text, format).locate(&path).or(at);
                path = path.key(field.to_string());
            }
            let path = (!path.0.is_empty()).then_some(path);
            Err(ScenarioError::Invalid {
                diagnostics: vec![Diagnostic {
                    file: file.to_string(),
                    at,
                    path,
                    message,
                }],
            })
        }
    }
}

/// The YAML error's own message, without the source snippet or the
/// location (which the diagnostic shows in its own format).
fn saphyr_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    text.trim().to_string()
}

/// The distributions' names, as [`Dist::parse`](crate::sim::Dist::parse) reads them.
const DISTRIBUTIONS: [&str; 9] = [
    "fixed",
    "uniform",
    "exp",
    "exponential",
    "normal",
    "lognormal",
    "weibull",
    "triangular",
    "pert",
];

/// Whether a parser message is about an unknown key that looks like a
/// piece of a distribution split at its commas (`2h`, `3h)`).
fn split_distribution(message: &str) -> bool {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return false;
    };
    let key = rest.split('`').next().unwrap_or("");
    key.ends_with(')') || key.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// Every unquoted distribution with arguments inside a YAML flow mapping
/// (`{ work: pert(1h, 2h, 3h) }`), with where it starts.
fn unquoted_distributions(text: &str) -> Vec<(LineCol, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line);
        let Some(open) = code.find('{') else { continue };
        let mut quote: Option<char> = None;
        let chars: Vec<(usize, char)> = code.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (at, c) = chars[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if at > open && c.is_ascii_alphabetic() => {
                    let start = i;
                    while i < chars.len() && chars[i].1.is_ascii_alphabetic() {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().map(|x| x.1).collect();
                    let dist = DISTRIBUTIONS.contains(&word.to_ascii_lowercase().as_str());
                    if dist && chars.get(i).is_some_and(|x| x.1 == '(') {
                        let close = chars[i..].iter().position(|x| x.1 == ')');
                        if let Some(k) = close {
                            let whole: String = chars[start..=i + k].iter().map(|x| x.1).collect();
                            if whole.contains(',') {
                                found.push((
                                    LineCol {
                                        line: n as u64 + 1,
                                        column: code[..at].chars().count() as u64 + 1,
                                    },
                                    whole,
                                ));
                            }
                            i += k;
                        }
                    }
                    continue;
                }
                None => {}
            }
            i += 1;
        }
    }
    found
}

/// The line (from 1) of a `field:` key that follows the mapping starting
/// at `at` but is not indented as its keys are: a key meant for it, put
/// under another. The search stops at the next item of the mapping's list
/// or at the next top-level key.
fn misplaced_key(text: &str, field: &str, at: Option<LineCol>) -> Option<usize> {
    let at = at?;
    let indent = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let is_field = |t: &str| {
        t.trim_start_matches("- ")
            .strip_prefix(field)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .skip(usize::try_from(at.line).ok()?)
    {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = line.len() - t.len();
        if is_field(t) && ind != indent {
            return Some(n + 1);
        }
        if (t.starts_with("- ") && ind < indent) || ind == 0 {
            return None;
        }
    }
    None
}

/// The name in "missing field `x`".
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// What serde calls the type it expected, in the user's words; `range`
/// is the whole number's real range at that field, when known.
fn expected_words(expected: &str, range: Option<(u64, u64)>) -> String {
    if let Some(name) = expected.strip_prefix("struct ") {
        // `AppFile` → the app's fields, `LeverCostFile` → the lever cost's.
        let name = name.strip_suffix("File").unwrap_or(name);
        let mut noun = String::new();
        for c in name.chars() {
            if c.is_uppercase() && !noun.is_empty() {
                noun.push(' ');
            }
            noun.extend(c.to_lowercase());
        }
        let owner = if noun.ends_with('s') { "'" } else { "'s" };
        return format!("a mapping of the {noun}{owner} fields, like `key: value` lines");
    }
    let whole = matches!(expected, "u8" | "u16" | "u32" | "u64" | "usize")
        || expected.starts_with("a whole number");
    match (expected, range) {
        (_, Some((lo, hi))) if whole => whole_from(lo, hi),
        ("u32", None) => WHOLE_U32.to_string(),
        ("u64", None) => WHOLE_U64.to_string(),
        ("a sequence", _) => "a list, like `[a, b]` or `- a` lines".to_string(),
        ("a map", _) => "a mapping of `key: value` pairs".to_string(),
        ("f64" | "f32", _) => "a number".to_string(),
        ("a string", _) => "text".to_string(),
        ("a boolean", _) => "`true` or `false`".to_string(),
        _ => expected.to_string(),
    }
}

/// `a whole number from 1 to 10000`; a bound that is the type's largest
/// says so (`4294967295 (2³² − 1)`).
fn whole_from(lo: u64, hi: u64) -> String {
    let hi = match hi {
        h if h == u64::from(u32::MAX) => format!("{h} (2³² − 1)"),
        u64::MAX => format!("{} (2⁶⁴ − 1)", u64::MAX),
        h => h.to_string(),
    };
    format!("a whole number from {lo} to {hi}")
}

/// What serde calls the value it found, in the user's words.
fn found_words(found: &str) -> String {
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_string())
    };
    if let Some(n) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {n}");
    }
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(b) = found.strip_prefix("boolean ") {
        return b.to_string();
    }
    match found {
        "sequence" => "a list".to_string(),
        "map" => "a mapping".to_string(),
        "unit value" | "null" => "nothing (null)".to_string(),
        _ => found.to_string(),
    }
}

/// `expected a whole number from 0 to 4294967295 (2³² − 1)`'s words, for
/// a field whose range the schema does not give.
const WHOLE_U32: &str = "expected a whole number from 0 to 4294967295 (2³² − 1)";
/// The same for a 64-bit field.
const WHOLE_U64: &str = "expected a whole number from 0 to 18446744073709551615 (2⁶⁴ − 1)";

/// Rewords parser messages that speak Rust or library API into what the
/// user wrote and what was expected, at the field `path` (whose real
/// range a whole number's message gives, from the schema).
fn friendly(message: &str, path: Option<&FieldPath>) -> String {
    let m = message.trim();
    let range = || path.and_then(schema::whole_range);
    // serde's own: `invalid type: integer `5`, expected struct AppFile`.
    if let Some(rest) = m
        .strip_prefix("invalid type: ")
        .or_else(|| m.strip_prefix("invalid value: "))
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!(
            "expected {}, found {}",
            expected_words(expected, range()),
            found_words(found)
        );
    }
    if matches!(m, "invalid u32" | "invalid u64")
        && let Some((lo, hi)) = range()
    {
        return format!("expected {}", whole_from(lo, hi));
    }
    if let Some(rest) = m.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("duplicate key `{key}`: each key may appear only once in a mapping");
    }
    if m.starts_with("multiple YAML documents detected") {
        return "the file holds several YAML documents (separated by `---`): a scenario is a single document".into();
    }
    if m.starts_with("invalid floating point") || m == "invalid f64" {
        return "expected a number, like `0.15`; a probability or share is a fraction, not a percentage (15 % is `0.15`)".into();
    }
    if m.starts_with("cannot deserialize null into string") {
        return "expected text, found nothing (null)".into();
    }
    // `{ lag: uniform(1m, 15m) }`: YAML splits a flow mapping at the comma
    // inside the parentheses, and `15m)` becomes a key.
    if let Some(rest) = m.strip_prefix("unknown field `")
        && let Some((key, _)) = rest.split_once('`')
        && split_distribution(m)
    {
        return format!(
            "`{key}` looks like the end of a distribution split at its comma: inside `{{ }}` quote it, like `\"uniform(1m, 15m)\"`"
        );
    }
    let replacements = [
        ("invalid u32", WHOLE_U32),
        ("invalid u64", WHOLE_U64),
        ("invalid boolean", "expected `true` or `false`"),
        (
            "expected sequence start",
            "expected a list, like `[a, b]` or `- a` lines",
        ),
        (
            "expected mapping start",
            "expected a mapping of `key: value` pairs",
        ),
        (
            "unexpected end of input",
            "the file is empty or ends too early: expected a scenario",
        ),
    ];
    for (from, to) in replacements {
        if m == from {
            return to.to_string();
        }
    }
    m.replace("expected u32", WHOLE_U32)
        .replace("expected u64", WHOLE_U64)
        .replace("expected f64", "expected a number")
        .replace("expected a string", "expected text")
}

fn strip_json_position(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

fn toml_error(text: &str, e: &toml::de::Error) -> (String, Option<LineCol>) {
    let at = e
        .span()
        .map(|span| locate::LineIndex::new(text).at(span.start));
    (e.message().trim().to_string(), at)
}
