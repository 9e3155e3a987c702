//! Parameter sweeps: the grammar of `--set PATH=VALUES` and the grid of
//! points it spans (`--set teams.dtsi.members=4..12`).
//!
//! A path walks the scenario file's own structure: mapping keys by name,
//! list items by their `id` (or by position), so `teams.dtsi.members`,
//! `apps.web.count` and `strategies.0.order` all work. A part that holds a
//! dot (an imported build id like `hv-9.1-defect`) is written in double
//! quotes: `bugs."hv-9.1-defect".fix` ([`parse_path`], [`show_path`]). The
//! values are set
//! in the parsed file by [`Document::set`](crate::scenario::Document::set),
//! which is then validated like any file, so a bad value gets the usual
//! message.

use serde_json::Value;

/// Most points one sweep may have.
pub const MAX_POINTS: usize = 1_000;

/// One `--set PATH=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetSpec {
    /// `PATH=VALUES` as written, e.g. `teams.dtsi.members=4..12`.
    pub text: String,
    /// The path, e.g. `["teams", "dtsi", "members"]`.
    pub path: Vec<String>,
    /// The values to try, in order.
    pub values: Vec<Value>,
}

impl SetSpec {
    /// The path as written (a part with a dot in double quotes).
    pub fn name(&self) -> String {
        show_path(&self.path)
    }
}

/// Parses `PATH=VALUES`, where VALUES is `A..B` (whole numbers, inclusive),
/// a comma-separated list (`200GiB/h,400GiB/h`, `fifo,criticality`; a
/// comma inside parentheses, as in `pert(1h, 2h, 4h)`, does not separate,
/// nor does one inside double quotes: `"Sat,Sun 09:00-13:00",Sat 09:00-13:00`
/// is two values, the quotes removed), or one list or mapping in YAML's
/// flow style (`[ha-restart, restart]`, `{lag: 5m}`).
pub fn parse_set(text: &str) -> Result<SetSpec, String> {
    let (path, values) = split_path(text, "VALUES", "teams.ops.members=2..10")?;
    let values = values.trim();
    let parsed: Vec<Value> = if values.starts_with('[') || values.starts_with('{') {
        // One list or mapping, in YAML's flow style: `[restart, reinstall]`.
        vec![flow(values).map_err(|e| format!("`{values}`: {e}"))?]
    } else if let Some((a, b)) = values.split_once("..").filter(|_| !values.contains('"')) {
        let (a, b): (i64, i64) = match (a.trim().parse(), b.trim().parse()) {
            (Ok(a), Ok(b)) if a <= b => (a, b),
            _ => {
                return Err(format!(
                    "`{values}`: a range is two whole numbers A..B with A <= B, like `2..10`"
                ));
            }
        };
        if (b - a) as usize >= MAX_POINTS {
            return Err(format!("`{values}` has more than {MAX_POINTS} values"));
        }
        (a..=b).map(Value::from).collect()
    } else {
        let mut parsed = Vec::new();
        for v in split_top(values) {
            parsed.push(unquoted(v.trim()).map_err(|e| format!("`{values}`: {e}"))?);
        }
        parsed
    };
    if parsed.is_empty() || values.is_empty() {
        return Err(format!("`{text}`: no values to try"));
    }
    Ok(SetSpec {
        text: text.to_string(),
        path,
        values: parsed,
    })
}

/// The comma-separated parts of `text`, ignoring commas inside
/// parentheses, so that `pert(1h, 2h, 4h)` is one value, and inside
/// double quotes, so that `"Sat,Sun 09:00-13:00"` is one value.
fn split_top(text: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if depth <= 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter()
}

/// One value of a list: `"..."` is the text between the quotes, taken as
/// a string whatever it looks like; anything else is read as a scalar.
fn unquoted(text: &str) -> Result<Value, String> {
    match text.strip_prefix('"') {
        Some(rest) => match rest.strip_suffix('"') {
            Some(inner) if !inner.contains('"') => Ok(Value::String(inner.to_string())),
            _ => Err(format!(
                "`{text}`: a quoted value starts and ends with `\"` and has no other \
                 quote inside, like `\"Sat,Sun 09:00-13:00\"`"
            )),
        },
        None if text.contains('"') => Err(format!(
            "`{text}`: a `\"` may only open and close a whole value, like \
             `\"Sat,Sun 09:00-13:00\"`"
        )),
        None => Ok(scalar(text)),
    }
}

/// A list or mapping written in YAML's flow style, as one value.
fn flow(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// Parses `PATH=VALUE`: one value, taken whole (a comma is part of it, as
/// in `teams.ops.shifts.0=Sat,Sun 09:00-13:00`), for a single change.
pub fn parse_set_value(text: &str) -> Result<SetSpec, String> {
    let (path, value) = split_path(text, "VALUE", "teams.ops.members=8")?;
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("`{text}`: no value after `=`"));
    }
    // A list or mapping in YAML's flow style is one value too.
    let value = if value.starts_with('[') || value.starts_with('{') {
        flow(value).map_err(|e| format!("`{value}`: {e}"))?
    } else {
        scalar(value)
    };
    Ok(SetSpec {
        text: text.to_string(),
        path,
        values: vec![value],
    })
}

/// `PATH=REST` split at the first `=` outside double quotes, the path
/// read by [`parse_path`].
fn split_path<'t>(text: &'t str, what: &str, like: &str) -> Result<(Vec<String>, &'t str), String> {
    let mut quoted = false;
    let eq = text.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        '=' if !quoted => Some(i),
        _ => None,
    });
    let eq = match eq {
        Some(eq) => eq,
        // The `=` is there, inside a quote left open.
        None if quoted => return Err(format!("`{text}`: {OPEN_QUOTE}")),
        None => return Err(format!("expected PATH={what}, like `{like}`, got `{text}`")),
    };
    let path = parse_path(&text[..eq]).map_err(|e| format!("`{text}`: {e}"))?;
    Ok((path, &text[eq + 1..]))
}

/// How a quoted part of a path is written, for messages.
const LIKE: &str = "like `bugs.\"hv-9.1-defect\".fix`";

/// The message of a quote left open in a path.
const OPEN_QUOTE: &str =
    "the path opens a `\"` it does not close, like `bugs.\"hv-9.1-defect\".fix`";

/// Parses a path: parts separated by dots, a part that holds a dot (or an
/// `=`) written whole in double quotes, as in `bugs."hv-9.1-defect".fix`.
pub fn parse_path(text: &str) -> Result<Vec<String>, String> {
    let text = text.trim();
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let (part, after) = match rest.strip_prefix('"') {
            Some(inner) => {
                let close = inner.find('"').ok_or_else(|| OPEN_QUOTE.to_string())?;
                let after = &inner[close + 1..];
                if !after.is_empty() && !after.starts_with('.') {
                    return Err(format!(
                        "the path: a quoted part ends at a dot or at the end, {LIKE}"
                    ));
                }
                (&inner[..close], after)
            }
            None => {
                let end = rest.find('.').unwrap_or(rest.len());
                let part = &rest[..end];
                if part.contains('"') {
                    return Err(format!(
                        "the path: a `\"` may only quote a whole part, {LIKE}"
                    ));
                }
                (part, &rest[end..])
            }
        };
        if part.is_empty() {
            return Err("the path has an empty part".to_string());
        }
        parts.push(part.to_string());
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return Ok(parts),
        }
    }
}

/// A path as [`parse_path`] reads it back: parts joined by dots, a part
/// that holds a dot or an `=` in double quotes.
pub fn show_path(path: &[String]) -> String {
    let parts: Vec<String> = path.iter().map(|p| show_part(p)).collect();
    parts.join(".")
}

/// One part of a path, quoted when it must be.
pub fn show_part(part: &str) -> String {
    if part.contains(['.', '=']) {
        format!("\"{part}\"")
    } else {
        part.to_string()
    }
}

fn scalar(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = text.parse::<f64>()
        && f.is_finite()
    {
        return Value::from(f);
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_string()),
    }
}

/// Every point of the grid: one value per set, in row-major order.
pub fn points(sets: &[SetSpec]) -> Result<Vec<Vec<Value>>, String> {
    let mut grid: Vec<Vec<Value>> = vec![Vec::new()];
    for s in sets {
        let mut next = Vec::new();
        for p in &grid {
            for v in &s.values {
                let mut q = p.clone();
                q.push(v.clone());
                next.push(q);
            }
        }
        if next.len() > MAX_POINTS {
            return Err(format!("the sweep has more than {MAX_POINTS} points"));
        }
        grid = next;
    }
    Ok(grid)
}

/// Shows a value as the user wrote it.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_path, parse_set, parse_set_value, points, show_path};
    use serde_json::json;

    #[test]
    fn sets_parse_ranges_and_lists() {
        let s = parse_set("teams.ops.members=2..4").expect("valid");
        assert_eq!(s.path, vec!["teams", "ops", "members"]);
        assert_eq!(s.values, vec![json!(2), json!(3), json!(4)]);
        let s = parse_set("strategies.0.order=fifo,criticality").expect("valid");
        assert_eq!(s.values, vec![json!("fifo"), json!("criticality")]);
        let s = parse_set("strategies.0.diagnosis=pert(1h, 2h, 4h),exp(2h)").expect("valid");
        assert_eq!(s.values, vec![json!("pert(1h, 2h, 4h)"), json!("exp(2h)")]);
        let s = parse_set("strategies.0.methods=[ha-restart, restart]").expect("valid");
        assert_eq!(s.values, vec![json!(["ha-restart", "restart"])]);
        let s = parse_set("replication={lag: \"uniform(1m, 15m)\"}").expect("valid");
        assert_eq!(s.values, vec![json!({"lag": "uniform(1m, 15m)"})]);
        assert!(parse_set("a=[unclosed").is_err());
        assert!(parse_set("teams.ops.members").is_err());
        assert!(parse_set("a=5..2").is_err());
        assert!(parse_set("a=0..5000").is_err());
    }

    #[test]
    fn a_quoted_value_keeps_its_commas() {
        let s = parse_set(r#"teams.ops.shifts.0="Sat,Sun 09:00-13:00",Mon-Fri 08:00-18:00"#)
            .expect("valid");
        assert_eq!(
            s.values,
            vec![json!("Sat,Sun 09:00-13:00"), json!("Mon-Fri 08:00-18:00")]
        );
        // Quoted, a number or a range stays text.
        let s = parse_set(r#"a="8","1..2""#).expect("valid");
        assert_eq!(s.values, vec![json!("8"), json!("1..2")]);
        for bad in [r#"a="open,b"#, r#"a=x"y,z"#, r#"a="in"side",b"#] {
            let e = parse_set(bad).expect_err(bad);
            assert!(e.contains("Sat,Sun"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_part_with_a_dot_is_quoted() {
        let s = parse_set_value(r#"bugs."hv-9.1-defect".fix=2018-12-30 10:00"#).expect("valid");
        assert_eq!(s.path, vec!["bugs", "hv-9.1-defect", "fix"]);
        assert_eq!(s.values, vec![json!("2018-12-30 10:00")]);
        assert_eq!(s.name(), r#"bugs."hv-9.1-defect".fix"#);
        // An `=` inside quotes is part of the id, not the end of the path.
        let s = parse_set(r#"builds."a=b".x=1,2"#).expect("valid");
        assert_eq!(s.path, vec!["builds", "a=b", "x"]);
        assert_eq!(s.values, vec![json!(1), json!(2)]);
        assert_eq!(parse_path(r#""hv-9.1""#), Ok(vec!["hv-9.1".to_string()]));
        for path in [
            vec!["a".to_string(), "b.c".into(), "d=e".into()],
            vec!["teams".into(), "ops".into()],
        ] {
            assert_eq!(parse_path(&show_path(&path)), Ok(path.clone()));
        }
        for (bad, says) in [
            (r#"bugs."hv-9.1.fix"#, "does not close"),
            (r#"bugs."hv"x.fix"#, "ends at a dot"),
            (r#"bugs.hv"9".fix"#, "whole part"),
            ("bugs..fix", "empty part"),
            (r#"bugs."".fix"#, "empty part"),
        ] {
            let e = parse_path(bad).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn an_open_quote_is_named_even_when_it_hides_the_equals_sign() {
        for bad in [r#"bugs."hv-9.1.fix=1d"#, r#"bugs."a=b"#] {
            let e = parse_set_value(bad).expect_err(bad);
            assert!(e.contains("does not close"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_grid_is_the_cartesian_product() {
        let a = parse_set("a=1..2").expect("ok");
        let b = parse_set("b=x,y,z").expect("ok");
        let g = points(&[a, b]).expect("ok");
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec![json!(1), json!("y")]);
    }
}
