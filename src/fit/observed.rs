//! The observed curve: a CSV file of `date,restored` rows.
//!
//! - `date` is a local date-time in the scenario's time zone
//!   (`2018-12-28 12:00`, `2018-12-28T12:00:00`, or a day alone,
//!   `2018-12-28`, for midnight), or a duration since the incident struck
//!   (`2d 12h`, `60h`). Every row uses the same form.
//! - `restored` is a count of apps (`70`), a percentage (`55 %`, `55%`) or
//!   a share from 0 to 1 with a decimal point (`0.55`). Every row uses the
//!   same kind: counts, or shares (percentages and decimals mix freely).
//!
//! Blank lines and lines starting with `#` are ignored; a first line whose
//! second field is not a number is a header. Fields may be quoted with
//! `"`. Each problem is reported as `file:line:col: what was expected`.

use crate::units::parse_duration;
use crate::units::time::SimDuration;

/// Most observed points a curve may have.
pub const MAX_POINTS: usize = 1_000;

/// When an observation was made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    /// A local date-time in the scenario's time zone.
    Local(jiff::civil::DateTime),
    /// This long after the incident struck.
    After(SimDuration),
}

/// What was observed restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A count of apps.
    Count,
    /// A share of the incident's apps, from 0 to 1.
    Share,
}

/// One observed point.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Its line in the file (from 1).
    pub line: usize,
    /// When.
    pub when: When,
    /// Apps restored (a count) or the share restored (0 to 1).
    pub value: f64,
}

/// An observed restored curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// The file it was read from, as named.
    pub file: String,
    /// Counts or shares.
    pub kind: Kind,
    /// The points, in file order.
    pub points: Vec<Point>,
}

/// A problem with a curve file.
#[derive(Debug, thiserror::Error)]
pub enum CurveError {
    /// The file cannot be read.
    #[error("{file}: cannot read the observed curve: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A field is wrong.
    #[error("{file}:{line}:{col}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Its line (from 1).
        line: usize,
        /// Its column (from 1), where the field starts.
        col: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Reads a curve file.
pub fn read_curve(path: &std::path::Path) -> Result<Observed, CurveError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| CurveError::Read {
        file: file.clone(),
        source,
    })?;
    parse_curve(&text, &file)
}

/// Parses a curve's text; `file` names it in messages.
///
/// ```
/// use hvsim::fit::{Kind, parse_curve};
/// let curve = parse_curve("date,restored\n2018-12-28 12:00,70\n", "seen.csv")?;
/// assert_eq!(curve.kind, Kind::Count);
/// assert_eq!(curve.points[0].value, 70.0);
/// let err = parse_curve("date,restored\n2018-12-28 12:00,lots\n", "seen.csv").unwrap_err();
/// assert!(err.to_string().starts_with("seen.csv:2:18: "), "{err}");
/// # Ok::<(), hvsim::fit::CurveError>(())
/// ```
pub fn parse_curve(text: &str, file: &str) -> Result<Observed, CurveError> {
    let err = |line: usize, col: usize, message: String| CurveError::Invalid {
        file: file.to_string(),
        line,
        col,
        message,
    };
    let mut points: Vec<Point> = Vec::new();
    let mut kind: Option<(Kind, usize)> = None;
    let mut form: Option<(bool, usize)> = None;
    let mut seen_data = false;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields = split_fields(raw);
        if fields.len() != 2 {
            return Err(err(
                line,
                1,
                format!(
                    "expected two fields, `date,restored` (like `2018-12-28 12:00,70`), got {}",
                    fields.len()
                ),
            ));
        }
        let (date_col, date) = fields[0];
        let (value_col, value) = fields[1];
        if !seen_data && parse_number(value).is_none() {
            // The header.
            seen_data = true;
            continue;
        }
        seen_data = true;
        let when = parse_when(date).map_err(|m| err(line, date_col, m))?;
        let is_local = matches!(when, When::Local(_));
        match form {
            None => form = Some((is_local, line)),
            Some((f, first)) if f != is_local => {
                let (this, that) = if is_local {
                    ("a date", "a duration since the incident")
                } else {
                    ("a duration since the incident", "a date")
                };
                return Err(err(
                    line,
                    date_col,
                    format!(
                        "`{date}` is {this}, but line {first} gave {that}: give every row the same form"
                    ),
                ));
            }
            Some(_) => {}
        }
        let (k, v) = parse_restored(value).map_err(|m| err(line, value_col, m))?;
        match kind {
            None => kind = Some((k, line)),
            Some((first_kind, first)) if first_kind != k => {
                let name = |k: Kind| match k {
                    Kind::Count => "a count of apps",
                    Kind::Share => "a share",
                };
                return Err(err(
                    line,
                    value_col,
                    format!(
                        "`{value}` is {}, but line {first} gave {}: give every row a count, or every row a share (`55 %`, `0.55`)",
                        name(k),
                        name(first_kind)
                    ),
                ));
            }
            Some(_) => {}
        }
        if points.len() >= MAX_POINTS {
            return Err(err(
                line,
                1,
                format!("more than {MAX_POINTS} points: thin the curve out"),
            ));
        }
        points.push(Point {
            line,
            when,
            value: v,
        });
    }
    let Some((kind, _)) = kind else {
        return Err(err(
            text.lines().count().max(1),
            1,
            "no observed point: expected rows of `date,restored`, like `2018-12-28 12:00,70`"
                .to_string(),
        ));
    };
    Ok(Observed {
        file: file.to_string(),
        kind,
        points,
    })
}

/// The comma-separated fields of a line with the column (from 1, in
/// characters) where each starts, trimmed and unquoted.
fn split_fields(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    let mut push = |from: usize, to: usize| {
        let field = &line[from..to];
        let lead = field.len() - field.trim_start().len();
        let col = line[..from + lead].chars().count() + 1;
        let f = field.trim();
        let f = f
            .strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or(f);
        out.push((col, f));
    };
    for &(i, c) in &bytes {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                push(start, i);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start, line.len());
    out
}

fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A date-time or a duration.
fn parse_when(text: &str) -> Result<When, String> {
    let t = text.trim();
    if let Ok(dt) = t.replacen(' ', "T", 1).parse::<jiff::civil::DateTime>() {
        return Ok(When::Local(dt));
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return Ok(When::Local(d.to_datetime(jiff::civil::Time::midnight())));
    }
    parse_duration(t).map(When::After).map_err(|_| {
        format!(
            "`{t}`: expected a local date-time in the scenario's time zone (`2018-12-28 12:00`) or a duration since the incident struck (`2d 12h`)"
        )
    })
}

/// A count, a percentage or a decimal share.
fn parse_restored(text: &str) -> Result<(Kind, f64), String> {
    let t = text.trim();
    let expected =
        "expected a count of apps (`70`), a percentage (`55 %`) or a share from 0 to 1 (`0.55`)";
    if let Some(p) = t.strip_suffix('%') {
        let v: f64 = p
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("`{t}`: {expected}"))?;
        if !(0.0..=100.0).contains(&v) {
            return Err(format!("`{t}`: a percentage is from 0 % to 100 %"));
        }
        return Ok((Kind::Share, v / 100.0));
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok((Kind::Count, n as f64));
    }
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{t}`: {expected}"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!(
            "`{t}`: a share with a decimal point is from 0 to 1 (write a count without one, a percentage with `%`)"
        ));
    }
    Ok((Kind::Share, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_durations_counts_and_shares_parse() {
        let c = parse_curve(
            "# seen\ndate,restored\n2018-12-27,10\n\"2018-12-28 12:00\", 70\n",
            "a.csv",
        )
        .expect("valid");
        assert_eq!(c.kind, Kind::Count);
        assert_eq!(c.points.len(), 2);
        assert_eq!(c.points[1].line, 4);
        let c = parse_curve("2d 12h,55 %\n3d,0.8\n", "b.csv").expect("valid");
        assert_eq!(c.kind, Kind::Share);
        assert_eq!(c.points[0].when, When::After(SimDuration::from_hours(60)));
        assert!((c.points[0].value - 0.55).abs() < 1e-12);
    }

    #[test]
    fn problems_are_located() {
        let e = |text: &str| {
            parse_curve(text, "c.csv")
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert!(
            e("date,restored\n2018-12-28 12:00,70,1\n")
                .starts_with("c.csv:2:1: expected two fields")
        );
        assert!(
            e("date,restored\nsoon,70\n")
                .starts_with("c.csv:2:1: `soon`: expected a local date-time")
        );
        assert!(
            e("2018-12-28,70\n2018-12-29,0.5\n")
                .starts_with("c.csv:2:12: `0.5` is a share, but line 1")
        );
        assert!(e("2018-12-28,70\n2d,80\n").starts_with("c.csv:2:1: `2d` is a duration"));
        assert!(e("2d,1.5\n").starts_with("c.csv:1:4: `1.5`: a share with a decimal point"));
        assert!(e("2d,120 %\n").contains("from 0 % to 100 %"));
        assert!(e("date,restored\n").contains("no observed point"));
    }
}
