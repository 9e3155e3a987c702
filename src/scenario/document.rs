//! A scenario file as a document to edit before it is loaded: what
//! `hvsim sweep` varies.
//!
//! A [`Document`] is the file parsed by the loader's own parser, as a tree
//! of plain values. [`Document::set`] changes one value at a path that
//! walks the file's own structure: mapping keys by name, list items by
//! their `id` (or by position), so `teams.dtsi.members`, `apps.web.count`
//! and `strategies.0.order` all work. [`Document::merge_faults`] replaces
//! its fault sections with a campaign's, as `--faults` does. Then
//! [`Document::load`] validates it like any file, so a bad value gets the
//! usual message (without a line and column, which would point into a
//! document the user never sees).

use std::path::Path;

use serde_json::Value;

use super::resolve::FAULT_SECTIONS;
use super::{Diagnostic, Format, Repeats, ScenarioError, load_str, parse, read_file};
use crate::model::Scenario;
use crate::sweep::{show_part, show_path};

/// A parsed scenario (or fault campaign) file, to edit and then load.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    value: Value,
    file: String,
}

/// Why [`Document::set`] found no place for a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// A mapping on the way has no such key.
    #[error("`{at}`: the scenario has no `{key}` there; it has {known}")]
    NoKey {
        /// The path up to and including the key.
        at: String,
        /// The missing key.
        key: Box<str>,
        /// The keys there are, as a path names them (`a`, `b` and `c`).
        known: Box<str>,
    },
    /// A list on the way has no item with that id, nor that index.
    #[error("`{at}`: no item with id `{id}` (or index) in that list; it has {known}")]
    NoItem {
        /// The path up to and including the id.
        at: String,
        /// The id (or index) looked for.
        id: Box<str>,
        /// The ids there are, as a path names them (a dotted one quoted:
        /// `"hv-9.1-defect"`), and the indices.
        known: Box<str>,
    },
    /// The path goes on below a plain value.
    #[error("`{at}`: cannot go inside a plain value")]
    Plain {
        /// The path up to the part that cannot be reached.
        at: String,
    },
    /// The path has no part.
    #[error("an empty path")]
    EmptyPath,
}

impl Document {
    /// Reads and parses a file, choosing the format by extension.
    pub fn read(path: &Path) -> Result<Document, ScenarioError> {
        let (text, file, format) = read_file(path)?;
        Document::parse(&text, &file, format)
    }

    /// Parses text; `file` names it in messages.
    pub fn parse(text: &str, file: &str, format: Format) -> Result<Document, ScenarioError> {
        let (value, _) = parse::<Value>(text, file, format, Repeats::Parser)?;
        Ok(Document {
            value,
            file: file.to_string(),
        })
    }

    /// The file it was parsed from, as named to [`read`](Self::read) or
    /// [`parse`](Self::parse).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The parsed file as a tree of plain values (what `hvsim chaos` reads
    /// the scenario's own faults from, `hvsim advise` its levers' bases and
    /// `hvsim fit` the distributions it scales).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The parsed file as plain values, for edits [`set`](Self::set) does
    /// not make (`hvsim fit`'s wildcard paths and scaled distributions).
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.value
    }

    /// Replaces this scenario's fault sections (`bugs`, `outages`,
    /// `absences`, `chaos`) with those of a fault campaign, as `--faults` does; a
    /// section the campaign lacks becomes empty.
    pub fn merge_faults(&mut self, campaign: &Document) {
        for key in FAULT_SECTIONS {
            let value = campaign.value.get(key).cloned();
            if value.is_none() && self.value.get(key).is_none() {
                // Neither has it (`absences`, rarely written): keep the
                // document as it was.
                continue;
            }
            let value = value.unwrap_or(Value::Array(Vec::new()));
            if let Some(obj) = self.value.as_object_mut() {
                obj.insert(key.to_string(), value);
            }
        }
    }

    /// Sets the value at `path`, which walks the file's own structure:
    /// mapping keys by name, list items by their `id` (or by position), as
    /// in `teams.dtsi.members` or `strategies.0.order`. A last part `+`
    /// appends the value to a list (`builds.+`). A part is one key or id
    /// whatever it holds (`["bugs", "hv-9.1-defect", "fix"]`); a missing
    /// one is an error that names those there are.
    pub fn set(&mut self, path: &[String], value: Value) -> Result<(), SetError> {
        let mut node = &mut self.value;
        for (i, part) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let here = || show_path(&path[..=i]);
            node = match node {
                Value::Object(map) => {
                    if last {
                        map.insert(part.clone(), value);
                        return Ok(());
                    }
                    let known = || keys(map.keys().map(String::as_str), "no key");
                    if !map.contains_key(part) {
                        return Err(SetError::NoKey {
                            at: here(),
                            key: part.as_str().into(),
                            known: known().into(),
                        });
                    }
                    map.get_mut(part).expect("the key was just found")
                }
                Value::Array(items) if last && part == "+" => {
                    items.push(value);
                    return Ok(());
                }
                Value::Array(items) => {
                    let pos = items
                        .iter()
                        .position(|it| it.get("id").and_then(Value::as_str) == Some(part.as_str()))
                        .or_else(|| part.parse::<usize>().ok().filter(|&n| n < items.len()))
                        .ok_or_else(|| SetError::NoItem {
                            at: here(),
                            id: part.as_str().into(),
                            known: ids(items).into(),
                        })?;
                    if last {
                        items[pos] = value;
                        return Ok(());
                    }
                    &mut items[pos]
                }
                _ => return Err(SetError::Plain { at: here() }),
            };
        }
        Err(SetError::EmptyPath)
    }

    /// Validates the document and resolves it into a scenario named
    /// `file` (also its [`source`](Scenario::source)). Problems are
    /// reported with their field paths but without line and column.
    pub fn load(&self, file: &str) -> Result<Scenario, ScenarioError> {
        let text =
            serde_json::to_string_pretty(&self.value).map_err(|e| ScenarioError::Invalid {
                diagnostics: vec![Diagnostic {
                    file: file.to_string(),
                    at: None,
                    path: None,
                    message: format!("cannot render the scenario: {e}"),
                }],
            })?;
        let mut scenario = load_str(&text, file, Format::Json).map_err(|e| match e {
            // Line and column would point into the generated document, which
            // the user never sees: keep the field path and the message.
            ScenarioError::Invalid { mut diagnostics } => {
                diagnostics.iter_mut().for_each(|d| d.at = None);
                ScenarioError::Invalid { diagnostics }
            }
            other => other,
        })?;
        scenario.source = file.to_string();
        Ok(scenario)
    }
}

/// Keys as a path names them, in backquotes: `` `a`, `b` and `c` ``.
fn keys<'k>(names: impl Iterator<Item = &'k str>, none: &str) -> String {
    let names: Vec<String> = names.map(|k| format!("`{}`", show_part(k))).collect();
    match names.as_slice() {
        [] => none.to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What names an item of a list: its ids (when its items have them) and
/// its indices.
fn ids(items: &[Value]) -> String {
    let indices = match items.len() {
        0 => return "no item".to_string(),
        1 => "index 0".to_string(),
        n => format!("indices 0 to {}", n - 1),
    };
    let named = items
        .iter()
        .filter_map(|it| it.get("id").and_then(Value::as_str));
    let names = keys(named, "");
    if names.is_empty() {
        indices
    } else {
        format!("ids {names} (or {indices})")
    }
}

#[cfg(test)]
mod tests {
    use super::{Document, Format, SetError};
    use serde_json::json;

    fn path(text: &str) -> Vec<String> {
        text.split('.').map(str::to_string).collect()
    }

    #[test]
    fn paths_walk_ids_and_indices() {
        let mut doc = Document {
            value: json!({"teams": [{"id": "ops", "members": 4}], "horizon": "10d"}),
            file: "s.yaml".into(),
        };
        doc.set(&path("teams.ops.members"), json!(7)).expect("ok");
        doc.set(&path("teams.0.shifts"), json!(["24/7"]))
            .expect("ok");
        doc.set(&path("horizon"), json!("20d")).expect("ok");
        assert_eq!(
            doc.value,
            json!({"teams": [{"id": "ops", "members": 7, "shifts": ["24/7"]}], "horizon": "20d"})
        );
        doc.set(&path("teams.ops.shifts.+"), json!("daily 22:00-06:00 x1"))
            .expect("appends");
        assert_eq!(
            doc.value["teams"][0]["shifts"],
            json!(["24/7", "daily 22:00-06:00 x1"])
        );
        doc.set(&path("teams.ops.shifts.0"), json!("24/7"))
            .expect("ok");
        let err = doc.set(&path("teams.dev.members"), json!(1));
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err(
                "`teams.dev`: no item with id `dev` (or index) in that list; \
                 it has ids `ops` (or index 0)"
                    .into()
            )
        );
        assert_eq!(
            doc.set(&path("horizon.days"), json!(1)),
            Err(SetError::Plain {
                at: "horizon.days".into()
            })
        );
        assert_eq!(doc.set(&[], json!(1)), Err(SetError::EmptyPath));
    }

    #[test]
    fn an_id_with_a_dot_is_one_part_and_a_miss_names_what_is_there() {
        let mut doc = Document {
            value: json!({"bugs": [{"id": "hv-9.1-defect", "fix": null}, {"id": "b"}]}),
            file: "s.yaml".into(),
        };
        let dotted = ["bugs", "hv-9.1-defect", "fix"].map(String::from);
        doc.set(&dotted, json!("2018-12-30")).expect("ok");
        assert_eq!(doc.value["bugs"][0]["fix"], json!("2018-12-30"));
        // Split at its dots, the id is not found; the message shows it
        // quoted, as a path must write it.
        let err = doc.set(&path("bugs.hv-9.1-defect.fix"), json!(1));
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err(
                "`bugs.hv-9`: no item with id `hv-9` (or index) in that list; \
                 it has ids `\"hv-9.1-defect\"` and `b` (or indices 0 to 1)"
                    .into()
            )
        );
        let err = doc.set(&path("bug.x.fix"), json!(1));
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("`bug`: the scenario has no `bug` there; it has `bugs`".into())
        );
    }

    #[test]
    fn a_campaign_replaces_every_fault_section() {
        let mut doc = Document::parse(
            "bugs: [a]\noutages: [b]\nchaos: [c]\nname: x\n",
            "s.yaml",
            Format::Yaml,
        )
        .expect("parses");
        let campaign =
            Document::parse(r#"{"bugs": [1, 2]}"#, "f.json", Format::Json).expect("parses");
        doc.merge_faults(&campaign);
        assert_eq!(
            doc.value,
            json!({"bugs": [1, 2], "outages": [], "chaos": [], "name": "x"})
        );
    }

    #[test]
    fn an_edited_document_loads_without_positions_in_its_errors() {
        let mut doc = Document::parse(
            crate::scenario::DEFAULT_SCENARIO_YAML,
            "2018.yaml",
            Format::Yaml,
        )
        .expect("parses");
        let s = doc.load("2018.yaml edited").expect("loads");
        assert_eq!(s.source, "2018.yaml edited");
        doc.set(&path("horizon"), json!("soon")).expect("set");
        match doc.load("2018.yaml edited") {
            Err(crate::scenario::ScenarioError::Invalid { diagnostics }) => {
                assert!(
                    diagnostics.iter().all(|d| d.at.is_none()),
                    "{diagnostics:?}"
                );
                assert!(diagnostics.iter().any(|d| d.path.is_some()));
            }
            other => panic!("expected an invalid scenario, got {other:?}"),
        }
    }
}
