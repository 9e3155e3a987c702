//! A sweep's metric against the swept parameter: the mean with its 95 %
//! confidence interval at each point, one line per strategy (and per
//! combination of the other swept parameters, when there are several).

use serde_json::Value;

use super::Page;
use super::axis::{nice_range, nice_ticks, number_label};
use super::svg::num;
use super::{LegendEntry, Swatch, WIDTH, no_data, series_style};
use crate::montecarlo::SweepPoint;
use crate::sweep::show as show_value;

/// The unit of a metric, spelled out for an axis title.
fn unit_words(unit: &str) -> &str {
    match unit {
        "h" => "hours",
        "crit·h" => "criticality × hours",
        other => other,
    }
}

/// Renders metric `metric` (an index into the comparisons' metrics)
/// against the first swept parameter in `names`; `command` is the command
/// line that reproduces the sweep, written under the subtitle (none if
/// empty).
pub fn sweep_chart<'a>(
    names: &[String],
    results: &[SweepPoint],
    metric: usize,
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let Some((_, _, first)) = results.first() else {
        return String::new();
    };
    let def = &first.metrics[metric.min(first.metrics.len().saturating_sub(1))];
    let x_name = names.first().cloned().unwrap_or_default();
    // Numbers on a linear axis; anything else (orders, names) as categories.
    let numeric = results
        .iter()
        .all(|(p, _, _)| p.first().is_some_and(Value::is_number));
    let mut categories: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    // Per series: (x, mean, ci95 half-width).
    let mut series: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    for (point, _, c) in results {
        let label = point.first().map(show_value).unwrap_or_default();
        let x = if numeric {
            point.first().and_then(Value::as_f64).unwrap_or(0.0)
        } else {
            match categories.iter().position(|c| *c == label) {
                Some(i) => i as f64,
                None => {
                    categories.push(label);
                    (categories.len() - 1) as f64
                }
            }
        };
        let others: Vec<String> = names
            .iter()
            .zip(point)
            .skip(1)
            .map(|(n, v)| format!("{n}={}", show_value(v)))
            .collect();
        for s in &c.strategies {
            let key = if others.is_empty() {
                s.id.clone()
            } else {
                format!("{} · {}", s.id, others.join(" "))
            };
            let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                series.push(Vec::new());
                keys.len() - 1
            });
            let m = s.stats.get(metric).map(|st| st.moments);
            if let Some(m) = m.filter(|m| m.n > 0) {
                let ci = if m.n > 1 { m.ci95() } else { 0.0 };
                series[i].push((x, m.mean(), ci));
            }
        }
    }
    let (x_lo, x_hi) = if numeric {
        let xs = series.iter().flatten().map(|p| p.0);
        let lo = xs.clone().fold(f64::INFINITY, f64::min);
        let hi = xs.fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() {
            let pad = ((hi - lo) * 0.05).max(0.5);
            (lo - pad, hi + pad)
        } else {
            (0.0, 1.0)
        }
    } else {
        (-0.5, categories.len() as f64 - 0.5)
    };
    let y_hi = series
        .iter()
        .flatten()
        .map(|p| p.1 + p.2)
        .fold(0.0f64, f64::max);
    let y_lo = series
        .iter()
        .flatten()
        .map(|p| p.1 - p.2)
        .fold(0.0f64, f64::min);
    let (y_lo, y_hi, y_ticks_v) = nice_range(y_lo, y_hi.max(y_lo + 1e-9), cv.range_ticks(7));
    let legend = series_legend(&keys);
    let lay = page.layout(WIDTH, 300.0, Some(cv.len(88.0)), &[], &legend);
    let f = lay.frame;
    let mut svg = lay.start(
        &format!("{} against {x_name}", def.name),
        &format!(
            "mean ± 95 % CI over {} replications per point and strategy (seed {})",
            first.done, first.seed
        ),
    );
    let y_ticks: Vec<(f64, String)> = y_ticks_v.iter().map(|v| (*v, number_label(*v))).collect();
    lay.y_axis(
        &mut svg,
        &y_ticks,
        y_lo,
        y_hi,
        &format!("mean ({})", unit_words(def.unit)),
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = if numeric {
        // The swept values themselves when they fit, else round numbers.
        let mut values: Vec<f64> = series.iter().flatten().map(|p| p.0).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let longest = values
            .iter()
            .map(|v| number_label(*v).len())
            .max()
            .unwrap_or(1);
        let fit = super::axis::labels_that_fit_on(&cv, f.w, longest);
        let ticks = if values.len() <= fit {
            values
        } else {
            nice_ticks(x_lo, x_hi, fit.min(12))
        };
        ticks
            .into_iter()
            .map(|v| (f.x_of(v, x_lo, x_hi), number_label(v), None))
            .collect()
    } else {
        // Categories: thin the labels if they would collide.
        let longest = categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(1);
        let fit = super::axis::labels_that_fit_on(&cv, f.w, longest);
        let every = categories.len().div_ceil(fit.max(1)).max(1);
        categories
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, c)| (f.x_of(i as f64, x_lo, x_hi), c.clone(), None))
            .collect()
    };
    lay.x_axis(&mut svg, &x_ticks, &x_name);
    if series.iter().all(Vec::is_empty) {
        no_data(&mut svg, &f, "no replication reached this metric");
    }
    // Nudge series sideways so that their CI bars do not hide each other.
    let n = series.len().max(1) as f64;
    for (i, pts) in series.iter().enumerate() {
        let (colour, dash) = series_style(i);
        let dx = (i as f64 - (n - 1.0) / 2.0) * 3.0;
        svg.open(&[("class", "series".into())]);
        let line: Vec<(f64, f64)> = pts
            .iter()
            .map(|(x, m, _)| (f.x_of(*x, x_lo, x_hi) + dx, f.y_of(*m, y_lo, y_hi)))
            .collect();
        svg.polyline(&line, colour, cv.line(1.8), dash);
        for ((x, m, ci), (px, py)) in pts.iter().zip(&line) {
            let (top, bottom) = (f.y_of(m + ci, y_lo, y_hi), f.y_of(m - ci, y_lo, y_hi));
            let (w, half) = (cv.line(1.4), cv.line(4.0));
            svg.line((*px, top), (*px, bottom), colour, w);
            svg.line((px - half, top), (px + half, top), colour, w);
            svg.line((px - half, bottom), (px + half, bottom), colour, w);
            svg.with_tip(
                "circle",
                &[
                    ("cx", num(*px)),
                    ("cy", num(*py)),
                    ("r", num(cv.line(3.5))),
                    ("fill", colour.into()),
                ],
                &format!(
                    "{}: {x_name}={}: {} ± {} {}",
                    keys[i],
                    if numeric {
                        number_label(*x)
                    } else {
                        categories.get(*x as usize).cloned().unwrap_or_default()
                    },
                    number_label((m * 100.0).round() / 100.0),
                    number_label((ci * 100.0).round() / 100.0),
                    def.unit
                ),
            );
        }
        svg.close();
    }
    lay.legend(&mut svg, &legend);
    svg.describe(&sweep_finding(
        &def.name,
        def.unit,
        &x_name,
        &series,
        &keys,
        &categories,
    ));
    svg.finish()
}

/// One legend entry per series, in its colour and dash.
fn series_legend(keys: &[String]) -> Vec<LegendEntry> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let (c, d) = series_style(i);
            LegendEntry {
                swatch: Swatch::Line(c, d),
                label: k.clone(),
            }
        })
        .collect()
}

/// The sweep chart's finding: how each strategy's mean moves from the
/// first swept value to the last. `categories` is empty on a numeric axis.
fn sweep_finding(
    name: &str,
    unit: &str,
    x_name: &str,
    series: &[Vec<(f64, f64, f64)>],
    keys: &[String],
    categories: &[String],
) -> String {
    let at = |x: f64| {
        if categories.is_empty() {
            number_label(x)
        } else {
            categories.get(x as usize).cloned().unwrap_or_default()
        }
    };
    let value = |m: f64| format!("{} {unit}", number_label((m * 100.0).round() / 100.0));
    let moves: Vec<String> = series
        .iter()
        .zip(keys)
        .filter_map(|(pts, key)| {
            let (a, b) = (pts.first()?, pts.last()?);
            Some(format!(
                "{key}: {} at {x_name}={} to {} at {}",
                value(a.1).trim_end(),
                at(a.0),
                value(b.1).trim_end(),
                at(b.0)
            ))
        })
        .collect();
    if moves.is_empty() {
        format!("{name}: no replication reached this metric.")
    } else {
        format!("{name} (mean) from {}.", moves.join("; "))
    }
}

/// The metrics a sweep charts by default, as `render_sweep` shows them:
/// the 90 % milestone of the last incident, the mean downtime and the
/// weighted impact.
pub fn headline_metrics(results: &[SweepPoint]) -> Vec<usize> {
    let Some((_, _, first)) = results.first() else {
        return Vec::new();
    };
    let n = first.metrics.len();
    let by_name = |needle: &str| first.metrics.iter().rposition(|m| m.name.contains(needle));
    [
        by_name(": 90 % back"),
        by_name("mean downtime"),
        by_name("weighted impact"),
    ]
    .into_iter()
    .flatten()
    .filter(|i| *i < n)
    .collect()
}
