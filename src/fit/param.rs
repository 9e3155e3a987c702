//! `--param PATH=RANGE`: what `hvsim fit` varies, and how a value is set
//! in the scenario document.
//!
//! The path is `hvsim sweep`'s (mapping keys by name, list items by `id`
//! or position), plus two things a fit needs:
//!
//! - `*` stands for every item of a list (or every value of a mapping):
//!   `apps.*.work.reinstall`. Items without the rest of the path are
//!   skipped; at least one must have it.
//! - a last part `scale` multiplies the distribution at the path by the
//!   value: `apps.*.work.reinstall.scale=0.5..3` stretches every app's
//!   reinstall effort (every duration parameter of `pert(1h, 2h, 6h)`,
//!   `exp(6h)`, a plain `4h` ...; a Weibull's shape is kept). The scenario
//!   format is unchanged: the fitted file holds the scaled distributions.
//!
//! The range is `A..B` in whole numbers (a grid when small, else searched)
//! or in real numbers (`0.5..3`, searched), or a comma-separated list of
//! numbers (a grid), as `hvsim sweep --set` reads it.

use serde_json::Value;

use crate::sim::Dist;
use crate::sim::time::SimDuration;

/// Whole-number ranges up to this many values are tried in full (a grid).
pub const GRID_MAX: i64 = 41;

/// The values a parameter may take.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Exactly these (a small whole-number range or a list): a grid.
    List(Vec<f64>),
    /// Whole numbers from `.0` to `.1` inclusive, too many for a grid.
    Int(i64, i64),
    /// Real numbers from `.0` to `.1`.
    Real(f64, f64),
}

/// One `--param PATH=RANGE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// As written.
    pub text: String,
    /// The path to the value (without a final `scale`).
    pub path: Vec<String>,
    /// Whether the value scales the distribution at `path`.
    pub scale: bool,
    /// Its values.
    pub values: Values,
}

impl Param {
    /// The path as written, `scale` included.
    pub fn name(&self) -> String {
        let mut n = self.path.join(".");
        if self.scale {
            n.push_str(".scale");
        }
        n
    }

    /// Whether its values are whole numbers.
    pub fn integer(&self) -> bool {
        match &self.values {
            Values::List(v) => v.iter().all(|x| x.fract() == 0.0),
            Values::Int(..) => true,
            Values::Real(..) => false,
        }
    }

    /// Its smallest and largest values.
    pub fn bounds(&self) -> (f64, f64) {
        match &self.values {
            Values::List(v) => (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
            Values::Int(a, b) => (*a as f64, *b as f64),
            Values::Real(a, b) => (*a, *b),
        }
    }

    /// A value as the user reads it: whole numbers plainly, others to
    /// three significant digits.
    pub fn show(&self, v: f64) -> String {
        show_number(v)
    }
}

/// `6`, `1.37`, `0.0512`: whole numbers plainly, others to three
/// significant digits.
pub fn show_number(v: f64) -> String {
    show_number_to(v, 3)
}

/// [`show_number`] to `significant` digits (at least 1): `1.0137` to 4
/// is `1.014`.
pub fn show_number_to(v: f64, significant: u32) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let significant = significant.max(1) as i32;
    let digits =
        (significant - 1 - v.abs().log10().floor() as i32).clamp(0, significant + 3) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Parses `PATH=A..B` (whole or real numbers) or `PATH=LIST`.
pub fn parse_param(text: &str) -> Result<Param, String> {
    let (path_text, range) = text.split_once('=').ok_or_else(|| {
        format!("expected PATH=A..B, like `teams.ops.members=4..40` or `apps.*.work.reinstall.scale=0.5..3`, got `{text}`")
    })?;
    // The path syntax of `--set` (a part with a dot in double quotes).
    let mut path = crate::sweep::parse_path(path_text).map_err(|e| format!("`{text}`: {e}"))?;
    let scale = path.len() > 1 && path.last().is_some_and(|p| p == "scale");
    if scale {
        path.pop();
    }
    let range = range.trim();
    let values = if let Some((a, b)) = range.split_once("..") {
        let (a, b) = (a.trim(), b.trim());
        match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(a), Ok(b)) if a <= b => {
                if b - a < GRID_MAX {
                    Values::List((a..=b).map(|v| v as f64).collect())
                } else {
                    Values::Int(a, b)
                }
            }
            _ => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() && a < b => Values::Real(a, b),
                _ => {
                    return Err(format!(
                        "`{range}`: a range is two numbers A..B with A < B, like `4..40` or `0.5..3`"
                    ));
                }
            },
        }
    } else {
        let spec = crate::sweep::parse_set(text)?;
        let numbers: Option<Vec<f64>> = spec.values.iter().map(Value::as_f64).collect();
        Values::List(numbers.ok_or_else(|| {
            format!("`{range}`: a fit varies numbers: give A..B or a list like `4,6,8`")
        })?)
    };
    let param = Param {
        text: text.to_string(),
        path,
        scale,
        values,
    };
    if scale && param.bounds().0 <= 0.0 {
        return Err(format!("`{text}`: a scale is above 0, like `0.5..3`"));
    }
    Ok(param)
}

/// Why a value could not be set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("--param {param}: {message}")]
pub struct ApplyError {
    /// The parameter, as written.
    pub param: String,
    /// What is wrong.
    pub message: String,
}

/// Sets `param` to `v` in the document `root`.
pub fn apply(root: &mut Value, param: &Param, v: f64) -> Result<(), ApplyError> {
    let fail = |message: String| ApplyError {
        param: param.text.clone(),
        message,
    };
    let mut hits = 0usize;
    let mut problem: Option<String> = None;
    visit(root, &param.path, 0, false, &mut |node, at| {
        hits += 1;
        let result = if param.scale {
            scale_node(node, v).map_err(|m| format!("`{at}`: {m}"))
        } else {
            *node = number(v);
            Ok(())
        };
        if let Err(m) = result
            && problem.is_none()
        {
            problem = Some(m);
        }
    })
    .map_err(fail)?;
    if let Some(m) = problem {
        return Err(fail(m));
    }
    if hits == 0 {
        return Err(fail(format!(
            "no part of the scenario has `{}`",
            param.path.join(".")
        )));
    }
    Ok(())
}

/// A whole number as an integer, else a float.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// Calls `f` on every node at `path[i..]` below `node`; `wild` says a `*`
/// was passed, after which a missing key skips the branch.
fn visit(
    node: &mut Value,
    path: &[String],
    i: usize,
    wild: bool,
    f: &mut dyn FnMut(&mut Value, String),
) -> Result<(), String> {
    let Some(part) = path.get(i) else {
        f(node, path.join("."));
        return Ok(());
    };
    let here = || path[..=i].join(".");
    let last = i + 1 == path.len();
    match node {
        Value::Object(map) if part == "*" => {
            for child in map.values_mut() {
                visit(child, path, i + 1, true, f)?;
            }
            Ok(())
        }
        Value::Array(items) if part == "*" => {
            for child in items.iter_mut() {
                visit(child, path, i + 1, true, f)?;
            }
            Ok(())
        }
        Value::Object(map) => match map.get_mut(part.as_str()) {
            Some(child) => visit(child, path, i + 1, wild, f),
            None if wild => Ok(()),
            // A new key at the end, as `sweep --set` allows (a default made explicit).
            None if last => {
                let child = map.entry(part.clone()).or_insert(Value::Null);
                visit(child, path, i + 1, wild, f)
            }
            None => Err(format!("`{}`: the scenario has no `{part}` there", here())),
        },
        Value::Array(items) => {
            let pos = items
                .iter()
                .position(|it| it.get("id").and_then(Value::as_str) == Some(part.as_str()))
                .or_else(|| part.parse::<usize>().ok().filter(|&n| n < items.len()));
            match pos {
                Some(p) => visit(&mut items[p], path, i + 1, wild, f),
                None if wild => Ok(()),
                None => Err(format!(
                    "`{}`: no item with id `{part}` (or index) in that list",
                    here()
                )),
            }
        }
        _ if wild => Ok(()),
        _ => Err(format!("`{}`: cannot go inside a plain value", here())),
    }
}

/// Multiplies the distribution written at `node` by `k`.
fn scale_node(node: &mut Value, k: f64) -> Result<(), String> {
    let text = match &*node {
        Value::String(s) => s.clone(),
        Value::Null => return Err("no distribution to scale there".to_string()),
        other => other.to_string(),
    };
    let dist = Dist::parse(&text).map_err(|e| format!("cannot scale `{text}`: {e}"))?;
    *node = Value::String(scale_dist(&dist, k).to_string());
    Ok(())
}

/// `d` with every duration parameter multiplied by `k`, to the second
/// (to the millisecond for parameters under a second).
pub fn scale_dist(d: &Dist, k: f64) -> Dist {
    let s = |x: SimDuration| {
        let ms = x.as_millis() as f64 * k;
        if x.as_millis() >= 1000 {
            SimDuration::from_millis_f64((ms / 1000.0).round() * 1000.0)
        } else {
            SimDuration::from_millis_f64(ms)
        }
    };
    match *d {
        Dist::Fixed(x) => Dist::Fixed(s(x)),
        Dist::Uniform { min, max } => Dist::Uniform {
            min: s(min),
            max: s(max),
        },
        Dist::Exponential { mean } => Dist::Exponential { mean: s(mean) },
        Dist::Normal { mean, sd } => Dist::Normal {
            mean: s(mean),
            sd: s(sd),
        },
        Dist::LogNormal { mean, sd, .. } => Dist::lognormal(s(mean), s(sd)),
        Dist::Weibull { shape, scale } => Dist::Weibull {
            shape,
            scale: s(scale),
        },
        Dist::Triangular { min, mode, max } => Dist::Triangular {
            min: s(min),
            mode: s(mode),
            max: s(max),
        },
        Dist::Pert { min, mode, max, .. } => Dist::pert(s(min), s(mode), s(max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_parse_as_grids_or_searches() {
        let p = parse_param("teams.ops.members=4..6").expect("ok");
        assert_eq!(p.values, Values::List(vec![4.0, 5.0, 6.0]));
        assert!(p.integer());
        let p = parse_param("teams.ops.members=1..1000").expect("ok");
        assert_eq!(p.values, Values::Int(1, 1000));
        let p = parse_param("apps.*.work.reinstall.scale=0.5..3").expect("ok");
        assert!(p.scale);
        assert_eq!(p.path, vec!["apps", "*", "work", "reinstall"]);
        assert_eq!(p.values, Values::Real(0.5, 3.0));
        assert_eq!(p.name(), "apps.*.work.reinstall.scale");
        let p = parse_param("x=2,4,8").expect("ok");
        assert_eq!(p.values, Values::List(vec![2.0, 4.0, 8.0]));
        assert!(parse_param("x=3..1").is_err());
        assert!(parse_param("x=a,b").is_err());
        assert!(parse_param("x.scale=0..2").is_err());
        assert!(parse_param("x").is_err());
    }

    #[test]
    fn every_distribution_scales_its_durations() {
        for (text, scaled) in [
            ("4h", "8h"),
            ("uniform(1h, 3h)", "uniform(2h, 6h)"),
            ("exp(6h)", "exp(12h)"),
            ("normal(mean=4h, sd=1h)", "normal(mean=8h, sd=2h)"),
            ("lognormal(mean=4h, sd=2h)", "lognormal(mean=8h, sd=4h)"),
            (
                "weibull(shape=1.5, scale=4h)",
                "weibull(shape=1.5, scale=8h)",
            ),
            ("triangular(1h, 2h, 6h)", "triangular(2h, 4h, 12h)"),
            ("pert(1h, 2h, 6h)", "pert(2h, 4h, 12h)"),
        ] {
            let d = Dist::parse(text).expect("valid");
            assert_eq!(scale_dist(&d, 2.0).to_string(), scaled, "{text}");
        }
        // To the second: no milliseconds from a scale of minutes.
        let d = Dist::parse("pert(40m, 1h40m, 4h)").expect("valid");
        assert_eq!(
            scale_dist(&d, 1.37).to_string(),
            "pert(54m48s, 2h17m, 5h28m48s)"
        );
    }

    #[test]
    fn values_are_set_through_wildcards_and_scales() {
        let mut doc = json!({
            "teams": [{"id": "ops", "members": 4}],
            "apps": [
                {"id": "a", "work": {"reinstall": "pert(1h, 2h, 4h)"}},
                {"id": "b", "work": {"restart": "1h"}},
            ]
        });
        apply(
            &mut doc,
            &parse_param("teams.ops.members=1..9").expect("ok"),
            7.0,
        )
        .expect("set");
        assert_eq!(doc["teams"][0]["members"], json!(7));
        let scale = parse_param("apps.*.work.reinstall.scale=0.5..3").expect("ok");
        apply(&mut doc, &scale, 1.5).expect("scaled");
        assert_eq!(
            doc["apps"][0]["work"]["reinstall"],
            json!("pert(1h30m, 3h, 6h)")
        );
        assert_eq!(doc["apps"][1]["work"].get("reinstall"), None);
        let none = parse_param("apps.*.work.restore.scale=0.5..3").expect("ok");
        assert!(apply(&mut doc, &none, 2.0).is_err());
        let bad = parse_param("teams.dev.members=1..3").expect("ok");
        let e = apply(&mut doc, &bad, 2.0).unwrap_err().to_string();
        assert!(e.contains("no item with id `dev`"), "{e}");
        assert_eq!(show_number(1.3749), "1.37");
        assert_eq!(show_number(6.0), "6");
        assert_eq!(show_number_to(1.0137, 4), "1.014");
        assert_eq!(show_number_to(1.0137, 5), "1.0137");
        assert_eq!(show_number_to(0.051234, 4), "0.05123");
        assert_eq!(show_number_to(1234.6, 3), "1235");
    }
}
