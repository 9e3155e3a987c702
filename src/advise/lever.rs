//! A lever: a named change to the scenario, as `--set` edits, with an
//! optional cost; and how an edit is written so that `hvsim sweep --set`
//! reads it back.

use std::fmt;

use serde_json::Value;

use crate::model::Scenario;
use crate::scenario::{Document, ScenarioError};
use crate::units::shell_quote;

/// One `--set PATH=VALUE` edit of the scenario document.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// The path, e.g. `["teams", "dtsi", "members"]`; a last part `+`
    /// appends to a list.
    pub path: Vec<String>,
    /// The value set there.
    pub value: Value,
}

impl Edit {
    /// An edit of `path` (dot-separated parts) to `value`.
    pub fn new(path: &[&str], value: impl Into<Value>) -> Edit {
        Edit {
            path: path.iter().map(|p| p.to_string()).collect(),
            value: value.into(),
        }
    }
}

impl fmt::Display for Edit {
    /// `PATH=VALUE`, the value as `hvsim sweep --set` reads it back: a
    /// plain scalar, or a list or mapping in YAML's flow style with its
    /// strings quoted where they must be.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={}",
            crate::sweep::show_path(&self.path),
            top(&self.value)
        )
    }
}

/// A top-level value: strings unquoted (the `--set` grammar reads them
/// whole, commas inside parentheses included).
fn top(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => flow(other),
    }
}

/// A value in YAML's flow style.
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./ ".contains(c))
                && !s.starts_with(' ')
                && !s.ends_with(' ')
                && s.parse::<f64>().is_err()
                && !matches!(s.as_str(), "true" | "false" | "null" | "~");
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// What a lever costs: money per year and/or people.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// Money per year, in the user's currency.
    pub money_per_year: f64,
    /// People (full-time equivalents).
    pub people: f64,
}

/// A change to the plan or the estate, to weigh against the plan as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Lever {
    /// A short id, unique among the levers: `staff:dtsi`, `order:criticality`.
    pub id: String,
    /// What it changes, in words: `one more member in team dtsi (8 → 9)`.
    pub label: String,
    /// The edits that make it.
    pub edits: Vec<Edit>,
    /// Its cost, when the user gave one.
    pub cost: Option<Cost>,
}

/// Why a lever could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum LeverError {
    /// An edit found no place in the document.
    #[error("lever `{lever}`: --set {edit}: {source}")]
    Set {
        /// The lever's id.
        lever: String,
        /// The edit.
        edit: String,
        /// The edit's position among the lever's edits (from 0).
        index: usize,
        /// Why.
        #[source]
        source: crate::scenario::SetError,
    },
    /// The changed scenario does not load.
    #[error("lever `{lever}`: the changed scenario is invalid: {source}")]
    Load {
        /// The lever's id.
        lever: String,
        /// Why.
        #[source]
        source: ScenarioError,
    },
}

impl Lever {
    /// The lever applied to `doc` and loaded, named `FILE with LEVER`.
    pub fn apply(&self, doc: &Document) -> Result<Scenario, LeverError> {
        apply_all(std::slice::from_ref(self), doc)
    }

    /// The edits as `--set` arguments, each quoted for a shell.
    pub fn set_args(&self) -> String {
        let args: Vec<String> = self
            .edits
            .iter()
            .map(|e| format!("--set {}", shell_quote(&e.to_string())))
            .collect();
        args.join(" ")
    }
}

/// Several levers applied to `doc` together, loaded and named after them.
pub fn apply_all(levers: &[Lever], doc: &Document) -> Result<Scenario, LeverError> {
    let mut d = doc.clone();
    let mut names = Vec::new();
    for lever in levers {
        for (index, e) in lever.edits.iter().enumerate() {
            d.set(&e.path, e.value.clone())
                .map_err(|source| LeverError::Set {
                    lever: lever.id.clone(),
                    edit: e.to_string(),
                    index,
                    source,
                })?;
        }
        names.push(lever.id.as_str());
    }
    let file = format!("{} with {}", doc.file(), names.join(" + "));
    d.load(&file).map_err(|source| LeverError::Load {
        lever: names.join(" + "),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::Edit;
    use serde_json::json;

    /// What an edit prints, `hvsim sweep --set` reads back as the same value.
    #[test]
    fn edits_print_as_the_set_grammar_reads_them() {
        for e in [
            Edit::new(&["teams", "dtsi", "members"], 9),
            Edit::new(&["strategies", "s", "diagnosis"], "pert(11h, 14h, 18h)"),
            Edit::new(
                &["strategies", "s", "methods"],
                json!(["ha-restart", "restart"]),
            ),
            Edit::new(&["replication"], json!({"lag": "uniform(1m, 15m)"})),
            Edit::new(
                &["hosts", "+"],
                json!({"id": "a-alt", "count": 5, "memory": "512GiB", "tags": ["x", "1.5"]}),
            ),
            Edit::new(&["strategies", "s", "restart_despite_recurrence"], true),
            Edit::new(&["bugs", "hv-9.1-defect", "fix"], "2018-12-30 10:00"),
        ] {
            let spec = crate::sweep::parse_set(&e.to_string()).expect("parses");
            assert_eq!(spec.path, e.path, "{e}");
            assert_eq!(spec.values, vec![e.value.clone()], "{e}");
        }
    }
}
