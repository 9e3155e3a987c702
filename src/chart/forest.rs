//! The forest plot of a comparison: for each metric a panel, in it a row
//! per strategy with its paired difference against the baseline (the
//! mean, a point) and its 95 % confidence interval (a bar), against a
//! line at zero. Each panel names its better and its worse side, since a
//! milestone is better lower and an objective met better higher. A point
//! is blue (a filled disc) when significantly better, vermillion (a
//! filled square) when significantly worse and grey (a hollow disc) when
//! the interval spans zero: the shape says it without colour.

use super::Page;
use super::axis::{nice_ticks, number_label};
use super::svg::{Anchor, Svg, num, text_width};
use super::{Canvas, GRID_GREY, INK, WIDTH};
use crate::montecarlo::{Comparison, MetricDef, MetricKind, Moments};
use crate::sim::SimDuration;

/// Significantly better.
pub const BETTER: &str = "#0072B2";
/// Significantly worse.
pub const WORSE: &str = "#D55E00";
/// Not significant.
pub const NEUTRAL: &str = "#777777";

const ROW_H: f64 = 20.0;
const HEAD_H: f64 = 22.0;
const TICKS_H: f64 = 32.0;
const GAP_H: f64 = 14.0;
const VALUE_W: f64 = 250.0;

/// Whether lower is better on `def`: hours and criticality-hours are,
/// shares and percentages (availability) are not.
fn lower_is_better(def: &MetricDef) -> bool {
    def.kind == MetricKind::Quantity && def.unit != "%"
}

/// A difference in the metric's unit, signed: `−5h 31m`, `+99.0 pp`,
/// `+1,234 crit·h`.
pub fn signed(def: &MetricDef, v: f64) -> String {
    match def.diff_unit() {
        "h" | "pp" => format!("{} {}", signed_bare(def, v), def.diff_unit())
            .trim_end_matches(" h")
            .to_string(),
        unit => format!("{} {unit}", signed_bare(def, v)),
    }
}

/// A difference without its unit (the panel's title names it): hours as
/// a duration to the second, others as numbers.
fn signed_bare(def: &MetricDef, v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "+" };
    match def.diff_unit() {
        "h" => {
            let ms = ((v.abs() * 3_600.0).round() as u64) * 1_000;
            format!("{sign}{}", SimDuration::from_millis(ms))
        }
        "pp" => format!("{sign}{:.1}", v.abs()),
        _ => format!("{sign}{}", number_label(v.abs().round())),
    }
}

/// The verdict of a difference: `Some(true)` significantly better,
/// `Some(false)` significantly worse, `None` not significant (or too few
/// runs to say).
fn verdict(c: &Comparison, m: usize, s: usize) -> Option<bool> {
    let (def, d) = (&c.metrics[m], &c.strategies[s].diffs[m]);
    let (lo, hi) = c.diff_interval(m, s)?;
    if lo <= 0.0 && hi >= 0.0 {
        return None;
    }
    Some((d.mean() < 0.0) == lower_is_better(def))
}

/// What the forest plot says first: per metric, the significant
/// improvements and worsenings, counted.
pub fn forest_finding(c: &Comparison, metrics: &[usize]) -> String {
    let base = c.strategies.first().map_or("", |s| s.id.as_str());
    let mut parts = Vec::new();
    for &m in metrics {
        let def = &c.metrics[m];
        let verdicts: Vec<(usize, Option<bool>)> = (1..c.strategies.len())
            .map(|s| (s, verdict(c, m, s)))
            .collect();
        let better: Vec<&str> = verdicts
            .iter()
            .filter(|(_, v)| *v == Some(true))
            .map(|(s, _)| c.strategies[*s].id.as_str())
            .collect();
        let worse = verdicts.iter().filter(|(_, v)| *v == Some(false)).count();
        let text = if better.is_empty() {
            format!("{}: none better than {base}", def.name)
        } else {
            format!("{}: {} better than {base}", def.name, better.join(", "))
        };
        parts.push(if worse > 0 {
            format!("{text}, {worse} worse")
        } else {
            text
        });
    }
    format!("{}.", parts.join("; "))
}

/// Renders the forest plot of `metrics` (indices into the comparison's
/// metrics), `None` with fewer than two strategies; `command` is the
/// command line that reproduces it (none if empty).
pub fn forest_plot<'a>(
    c: &Comparison,
    metrics: &[usize],
    page: impl Into<Page<'a>>,
) -> Option<String> {
    let page = page.into();
    let cv = page.canvas;
    if c.strategies.len() < 2 || metrics.is_empty() {
        return None;
    }
    let rows = c.strategies.len() - 1;
    let label_w = c.strategies[1..]
        .iter()
        .map(|s| text_width(&s.id, cv.font_px))
        .fold(0.0, f64::max);
    let left = (label_w + 20.0).max(cv.len(78.0));
    let (head_h, ticks_h, gap_h) = (cv.len(HEAD_H), cv.len(TICKS_H), cv.len(GAP_H));
    let fixed = head_h + ticks_h + gap_h;
    // On a page of fixed height, the metrics whose panels fit with rows
    // of readable height, in the order given.
    let (every, all) = (metrics, metrics.len());
    let metrics = if cv.height.is_some() {
        let room = page.layout(WIDTH, 1.0, Some(left), &[], &[]).frame.h;
        let fit = (room / (fixed + rows as f64 * (cv.font_px + 3.0))).floor() as usize;
        &metrics[..fit.clamp(1, all)]
    } else {
        metrics
    };
    let panel_h = fixed + rows as f64 * cv.len(ROW_H);
    let plot_h = metrics.len() as f64 * panel_h;
    let lay = page.layout(WIDTH, plot_h, Some(left), &[], &[]);
    let f = lay.frame;
    // On a page of fixed height the panels share the plot, their rows
    // as high as the room left.
    let (row_h, panel_h) = if cv.height.is_some() {
        let panel_h = f.h / metrics.len() as f64;
        ((panel_h - fixed) / rows as f64, panel_h)
    } else {
        (ROW_H, panel_h)
    };
    let plot_w = f.w - cv.len(VALUE_W);
    let base = &c.strategies[0].id;
    let mut svg = lay.start(
        &format!("Each strategy against {base}: paired differences"),
        &format!(
            "paired difference: mean and 95 % CI, {} runs (seed {}); ● better ■ worse ○ n.s.{}",
            c.done,
            c.seed,
            if metrics.len() < all {
                format!(
                    "; the first {} of {all} metrics (all of them with --preset standard)",
                    metrics.len()
                )
            } else {
                String::new()
            }
        ),
    );
    for (pi, &m) in metrics.iter().enumerate() {
        let def = &c.metrics[m];
        let top = f.y + pi as f64 * panel_h;
        svg.open(&[("class", "panel".into()), ("data-metric", def.name.clone())]);
        svg.text_styled(
            f.x - left + 8.0,
            top + cv.len(14.0),
            &format!("{} ({})", def.name, def.diff_unit()),
            Anchor::Start,
            &[("font-weight", "bold".into())],
        );
        let diffs: Vec<(usize, &Moments)> = (1..c.strategies.len())
            .map(|s| (s, &c.strategies[s].diffs[m]))
            .collect();
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for (s, _) in &diffs {
            if let Some((a, b)) = c.diff_interval(m, *s) {
                (lo, hi) = (lo.min(a), hi.max(b));
            }
        }
        if hi - lo <= 0.0 {
            (lo, hi) = (-1.0, 1.0);
        }
        let pad = (hi - lo) * 0.05;
        let (lo, hi) = (lo - pad, hi + pad);
        let x_of = |v: f64| f.x + (v - lo) / (hi - lo) * plot_w;
        let rows_top = top + head_h;
        let rows_bottom = rows_top + rows as f64 * row_h;
        draw_scale(
            &mut svg,
            &cv,
            def,
            (f.x, plot_w, lo, hi),
            (rows_top, rows_bottom),
        );
        for (r, (s, d)) in diffs.iter().enumerate() {
            let y = rows_top + (r as f64 + 0.5) * row_h;
            let id = &c.strategies[*s].id;
            svg.text(f.x - 8.0, y + 4.0, id, Anchor::End);
            if d.n < 2 {
                svg.text_styled(
                    f.x + 4.0,
                    y + 4.0,
                    "too few paired runs",
                    Anchor::Start,
                    &[("fill", "#555555".into())],
                );
                continue;
            }
            let (mean, half) = (d.mean(), d.ci95());
            let (low, high) = c.diff_interval(m, *s).unwrap_or((mean, mean));
            let v = verdict(c, m, *s);
            let colour = match v {
                Some(true) => BETTER,
                Some(false) => WORSE,
                None => NEUTRAL,
            };
            let tip = format!(
                "{id}: {} ({} to {}) against {base}",
                signed(def, mean),
                signed(def, low),
                signed(def, high)
            );
            svg.open(&[
                ("class", "diff".into()),
                ("data-strategy", id.clone()),
                ("data-mean", format!("{mean}")),
                ("data-ci95", format!("{half}")),
                ("data-low", format!("{low}")),
                ("data-high", format!("{high}")),
                (
                    "data-verdict",
                    match v {
                        Some(true) => "better",
                        Some(false) => "worse",
                        None => "not significant",
                    }
                    .into(),
                ),
            ]);
            svg.line((x_of(low), y), (x_of(high), y), colour, cv.line(2.5));
            for end in [low, high] {
                let tip = cv.line(4.0);
                svg.line(
                    (x_of(end), y - tip),
                    (x_of(end), y + tip),
                    colour,
                    cv.line(1.5),
                );
            }
            match v {
                Some(false) => svg.with_tip(
                    "rect",
                    &[
                        ("x", num(x_of(mean) - cv.line(4.5))),
                        ("y", num(y - cv.line(4.5))),
                        ("width", num(cv.line(9.0))),
                        ("height", num(cv.line(9.0))),
                        ("fill", colour.into()),
                    ],
                    &tip,
                ),
                _ => svg.with_tip(
                    "circle",
                    &[
                        ("cx", num(x_of(mean))),
                        ("cy", num(y)),
                        ("r", num(cv.line(5.0))),
                        ("fill", if v.is_some() { colour } else { "#ffffff" }.into()),
                        ("stroke", colour.into()),
                        ("stroke-width", num(cv.line(2.0))),
                    ],
                    &tip,
                ),
            }
            svg.text_styled(
                f.x + plot_w + cv.len(10.0),
                y + cv.len(4.0),
                &format!(
                    "{} ({} to {})",
                    signed_bare(def, mean),
                    signed_bare(def, low),
                    signed_bare(def, high)
                ),
                Anchor::Start,
                &[("fill", colour.into())],
            );
            svg.close();
        }
        svg.close();
    }
    svg.describe(&forest_finding(c, every));
    Some(svg.finish())
}

/// A panel's scale: grid lines and tick labels, the axis, which side is
/// better on each side of the zero line, and the zero line. `(x, w, lo,
/// hi)` places values from `lo` to `hi` from `x` over `w` pixels; the
/// rows run from `top` to `bottom`.
fn draw_scale(
    svg: &mut Svg,
    cv: &Canvas,
    def: &MetricDef,
    (x0, plot_w, lo, hi): (f64, f64, f64, f64),
    (rows_top, rows_bottom): (f64, f64),
) {
    let x_of = |v: f64| x0 + (v - lo) / (hi - lo) * plot_w;
    // Which side is better, named at the panel's ends.
    let (left_side, right_side) = if lower_is_better(def) {
        ("← better", "worse →")
    } else {
        ("← worse", "better →")
    };
    for v in nice_ticks(lo, hi, cv.ticks(6)) {
        let x = x_of(v);
        svg.line((x, rows_top), (x, rows_bottom), GRID_GREY, cv.line(1.0));
        svg.text(
            x,
            rows_bottom + cv.len(13.0),
            &signed_tick(def, v),
            Anchor::Middle,
        );
    }
    svg.line(
        (x0, rows_bottom),
        (x0 + plot_w, rows_bottom),
        INK,
        cv.line(1.0),
    );
    let zero = x_of(0.0);
    // Which side is better, named on each side of the zero line under
    // the ticks.
    for (x, side, anchor) in [
        (zero - 6.0, left_side, Anchor::End),
        (zero + 6.0, right_side, Anchor::Start),
    ] {
        svg.text_styled(
            x,
            rows_bottom + cv.len(28.0),
            side,
            anchor,
            &[("fill", "#555555".into()), ("class", "side".into())],
        );
    }
    svg.line_dashed(
        (zero, rows_top - 2.0),
        (zero, rows_bottom),
        INK,
        cv.line(1.2),
        "4 3",
    );
}

/// A tick's label: the difference in the metric's unit (`0` at zero).
fn signed_tick(def: &MetricDef, v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    match def.diff_unit() {
        "h" => {
            format!(
                "{}{}",
                if v < 0.0 { "−" } else { "+" },
                number_label(v.abs())
            ) + " h"
        }
        _ => format!(
            "{}{}",
            if v < 0.0 { "−" } else { "+" },
            number_label(v.abs())
        ),
    }
}
