//! A levers file (`--levers FILE`): the user's own levers, each a list of
//! `--set` edits with an optional cost, validated like a scenario file,
//! every problem reported with its `file:line:col` and field.
//!
//! ```yaml
//! levers:
//!   - id: night-engineer                  # unique; names the lever in the table
//!     label: an engineer on nights        # optional; the id by default
//!     set: ["teams.dtsi.shifts.+=daily 22:00-07:00 x1"]   # one or more PATH=VALUE
//!     cost: { per_year: 90000, people: 1 }  # optional; money per year and/or people
//! ```

use serde_json::Value;

use super::lever::{Cost, Edit, Lever, LeverError};
use crate::scenario::{Diagnostic, Document, FieldPath, Format, Locator, ScenarioError};

/// Most levers a file may define.
pub const MAX_LEVERS: usize = 200;

/// Parses and checks a levers file's text; `file` names it in messages.
pub fn parse_levers(text: &str, file: &str, format: Format) -> Result<Vec<Lever>, ScenarioError> {
    parse(text, file, format, false)
}

/// Parses and checks the `levers:` section of a scenario file's text
/// (the same fields as a levers file); `None` when it has none.
pub fn parse_levers_section(
    text: &str,
    file: &str,
    format: Format,
) -> Result<Option<Vec<Lever>>, ScenarioError> {
    let doc = Document::parse(text, file, format)?;
    if doc.value().get("levers").is_none() {
        return Ok(None);
    }
    parse(text, file, format, true).map(Some)
}

/// A levers file, or (`in_scenario`) a scenario's `levers:` section
/// beside the scenario's own fields.
fn parse(
    text: &str,
    file: &str,
    format: Format,
    in_scenario: bool,
) -> Result<Vec<Lever>, ScenarioError> {
    let doc = Document::parse(text, file, format)?;
    let locator = Locator::new(text, format);
    let mut ctx = Ctx {
        file,
        locator: &locator,
        diagnostics: Vec::new(),
    };
    let levers = read(doc.value(), in_scenario, &mut ctx);
    // In file order, as a scenario's problems are.
    ctx.diagnostics.sort_by_key(|d| d.at);
    if ctx.diagnostics.is_empty() {
        Ok(levers)
    } else {
        Err(ScenarioError::Invalid {
            diagnostics: ctx.diagnostics,
        })
    }
}

/// Checks that each of `levers`, read from the file `file` (its text
/// `text`; a levers file or a scenario's `levers:` section), applies to
/// `doc` and leaves a valid scenario. Every lever that does not is
/// reported at once, located as the file's other problems are: an edit
/// that finds no place at that edit (`levers[0].set[1]`), a changed
/// scenario that does not load at the lever's `set`.
pub fn check_levers(
    levers: &[Lever],
    doc: &Document,
    text: &str,
    file: &str,
    format: Format,
) -> Result<(), ScenarioError> {
    let locator = Locator::new(text, format);
    let mut ctx = Ctx {
        file,
        locator: &locator,
        diagnostics: Vec::new(),
    };
    for (i, lever) in levers.iter().enumerate() {
        let set = FieldPath::root().key("levers").index(i).key("set");
        match lever.apply(doc) {
            Ok(_) => {}
            Err(e @ LeverError::Set { index, .. }) => ctx.err(&set.index(index), e.to_string()),
            Err(e @ LeverError::Load { .. }) => ctx.err(&set, e.to_string()),
        }
    }
    if ctx.diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid {
            diagnostics: ctx.diagnostics,
        })
    }
}

struct Ctx<'a> {
    file: &'a str,
    locator: &'a Locator<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.to_string(),
            at: self.locator.locate(path),
            path: Some(path.clone()),
            message: message.into(),
        });
    }
}

const FIELDS: &str = "`id`, `label`, `set` or `cost`";

fn read(root: &Value, in_scenario: bool, ctx: &mut Ctx) -> Vec<Lever> {
    let top = FieldPath::root();
    let Some(map) = root.as_object() else {
        ctx.err(&top, "expected a mapping with a `levers` list");
        return Vec::new();
    };
    // A scenario's other fields are the scenario loader's to check.
    for k in map.keys().filter(|k| *k != "levers" && !in_scenario) {
        ctx.err(
            &top.key(k),
            format!("unknown field `{k}`: a levers file has only `levers`"),
        );
    }
    let path = top.key("levers");
    let Some(items) = map.get("levers").and_then(Value::as_array) else {
        ctx.err(
            &path,
            "expected a list of levers, like `levers: [{id: more-staff, set: [\"teams.ops.members=5\"]}]`",
        );
        return Vec::new();
    };
    if items.is_empty() || items.len() > MAX_LEVERS {
        ctx.err(
            &path,
            format!(
                "expected between 1 and {MAX_LEVERS} levers, got {}",
                items.len()
            ),
        );
    }
    let mut levers: Vec<Lever> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        if let Some(l) = lever(item, &p, ctx) {
            if levers.iter().any(|o| o.id == l.id) {
                ctx.err(
                    &p.key("id"),
                    format!(
                        "lever `{}` is defined twice: give each lever its own id",
                        l.id
                    ),
                );
            }
            levers.push(l);
        }
    }
    levers
}

fn lever(item: &Value, p: &FieldPath, ctx: &mut Ctx) -> Option<Lever> {
    let Some(map) = item.as_object() else {
        ctx.err(p, format!("expected a mapping with {FIELDS}"));
        return None;
    };
    for k in map
        .keys()
        .filter(|k| !matches!(k.as_str(), "id" | "label" | "set" | "cost"))
    {
        ctx.err(&p.key(k), format!("unknown field `{k}`: expected {FIELDS}"));
    }
    let id = match map.get("id").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => Some(s.to_string()),
        _ => {
            ctx.err(&p.key("id"), "expected the lever's id, a non-empty string");
            None
        }
    };
    let label = match map.get("label") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            ctx.err(&p.key("label"), "expected a string");
            None
        }
    };
    let edits = edits(map.get("set"), &p.key("set"), ctx);
    let cost = map.get("cost").and_then(|c| cost(c, &p.key("cost"), ctx));
    let id = id?;
    Some(Lever {
        label: label.unwrap_or_else(|| id.clone()),
        id,
        edits: edits?,
        cost,
    })
}

fn edits(v: Option<&Value>, p: &FieldPath, ctx: &mut Ctx) -> Option<Vec<Edit>> {
    let Some(items) = v.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        ctx.err(
            p,
            "expected a non-empty list of `PATH=VALUE` edits, like `[\"teams.ops.members=5\"]`",
        );
        return None;
    };
    let mut out = Vec::new();
    for (i, e) in items.iter().enumerate() {
        let Some(text) = e.as_str() else {
            ctx.err(&p.index(i), "expected a `PATH=VALUE` string");
            continue;
        };
        match crate::sweep::parse_set(text) {
            Ok(mut spec) if spec.values.len() == 1 => out.push(Edit {
                path: spec.path,
                value: spec.values.remove(0),
            }),
            Ok(_) => ctx.err(
                &p.index(i),
                format!("`{text}` has several values: a lever sets one value per path (quote a list as `[a, b]`)"),
            ),
            Err(e) => ctx.err(&p.index(i), e),
        }
    }
    (out.len() == items.len()).then_some(out)
}

fn cost(v: &Value, p: &FieldPath, ctx: &mut Ctx) -> Option<Cost> {
    let Some(map) = v.as_object() else {
        ctx.err(p, "expected a mapping like `{per_year: 90000, people: 1}`");
        return None;
    };
    let mut c = Cost::default();
    let mut ok = true;
    for (k, x) in map {
        let slot = match k.as_str() {
            "per_year" => &mut c.money_per_year,
            "people" => &mut c.people,
            _ => {
                ctx.err(
                    &p.key(k),
                    format!(
                        "unknown field `{k}`: expected `per_year` (money per year) or `people`"
                    ),
                );
                ok = false;
                continue;
            }
        };
        match x.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => *slot = n,
            _ => {
                ctx.err(&p.key(k), "expected a number, 0 or more");
                ok = false;
            }
        }
    }
    ok.then_some(c)
}

#[cfg(test)]
mod tests {
    use super::parse_levers;
    use crate::scenario::Format;

    #[test]
    fn a_good_file_gives_its_levers() {
        let text = "levers:\n  - id: nights\n    label: an engineer on nights\n    set: [\"teams.dtsi.shifts.+=daily 22:00-07:00 x1\", \"strategies.0.diagnosis=pert(11h, 14h, 18h)\"]\n    cost: { per_year: 90000, people: 1 }\n  - id: crit\n    set: [\"strategies.0.order=criticality\"]\n";
        let levers = parse_levers(text, "l.yaml", Format::Yaml).expect("valid");
        assert_eq!(levers.len(), 2);
        assert_eq!(levers[0].edits.len(), 2);
        assert_eq!(levers[0].cost.map(|c| c.money_per_year), Some(90000.0));
        assert_eq!(levers[1].label, "crit");
        assert!(levers[1].cost.is_none());
    }

    #[test]
    fn every_problem_is_located() {
        let text = "levers:\n  - id: a\n    set: [\"x=1,2\"]\n    cost: { per_year: -1, staff: 2 }\n  - id: a\n    set: []\n    colour: red\n";
        let err = parse_levers(text, "l.yaml", Format::Yaml)
            .expect_err("invalid")
            .to_string();
        for want in [
            "l.yaml:3:11: levers[0].set[0]: `x=1,2` has several values",
            "l.yaml:4:23: levers[0].cost.per_year: expected a number, 0 or more",
            "levers[0].cost.staff: unknown field `staff`",
            "levers[1].set: expected a non-empty list",
            "levers[1].colour: unknown field `colour`",
        ] {
            assert!(err.contains(want), "{want} not in:\n{err}");
        }
    }
}
