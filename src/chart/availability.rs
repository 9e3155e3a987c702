//! The availability panel of a comparison with random failures (`chaos`):
//! per strategy, the mean availability of the apps and that of the least
//! available app, each as its mean with a 95 % confidence interval
//! (whiskers) and the p10–p90 range of the replications (a bar), against
//! reference lines at 99 %, 99.9 %... each with what it allows of downtime
//! over the scenario's horizon.

use super::Page;
use super::axis::{nice_range, number_label};
use super::svg::{Anchor, FONT_PX, num, rect_attrs, text_width};
use super::{GRID_GREY, INK, LegendEntry, Swatch, WIDTH, series_style};
use crate::model::Scenario;
use crate::montecarlo::Comparison;
use crate::sim::SimDuration;

/// The metrics drawn, by their names in the comparison.
pub const METRICS: [&str; 2] = [
    "mean app availability",
    "least available app's availability",
];
const ROW_H: f64 = 22.0;
const HEADER_H: f64 = 24.0;
/// The p10–p90 bar's colour: neutral, the dot carries the strategy's.
const RANGE: &str = "#7f7f7f";
/// The p10–p90 bar's opacity.
const RANGE_OPACITY: f64 = 0.3;

/// One strategy's availability on one metric, in %.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The mean over the replications.
    pub mean: f64,
    /// The 95 % confidence interval of the mean.
    pub ci: (f64, f64),
    /// The 10th and 90th percentiles of the replications.
    pub range: (f64, f64),
}

/// Per metric of [`METRICS`] present in the comparison: its name and a
/// point per strategy. Empty without random failures.
pub fn points(c: &Comparison) -> Vec<(&'static str, Vec<Point>)> {
    METRICS
        .iter()
        .filter_map(|name| {
            let m = c.metrics.iter().position(|d| d.name == *name)?;
            let pts = c
                .strategies
                .iter()
                .map(|s| {
                    let st = &s.stats[m];
                    let mean = st.moments.mean();
                    let h = st.moments.ci95();
                    let h = if h.is_finite() { h } else { 0.0 };
                    Point {
                        mean,
                        ci: ((mean - h).max(0.0), (mean + h).min(100.0)),
                        range: (
                            st.quantile(0.1).unwrap_or(mean),
                            st.quantile(0.9).unwrap_or(mean),
                        ),
                    }
                })
                .collect();
            Some((*name, pts))
        })
        .collect()
}

/// The downtime an availability of `pct` allows over `horizon`.
fn allowed(pct: f64, horizon: SimDuration) -> SimDuration {
    SimDuration::from_millis(((100.0 - pct) / 100.0 * horizon.as_millis() as f64).round() as u64)
}

/// The chart's finding: the most available strategy on each metric, with
/// its mean and interval.
pub fn finding(c: &Comparison, pts: &[(&'static str, Vec<Point>)]) -> String {
    let parts: Vec<String> = pts
        .iter()
        .filter_map(|(name, p)| {
            let (s, best) = p
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean).then(b.0.cmp(&a.0)))?;
            Some(format!(
                "{name}: {} is highest at {:.3} % (95 % CI {:.3}–{:.3} %)",
                c.strategies[s].id, best.mean, best.ci.0, best.ci.1
            ))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("{}.", parts.join("; "))
}

/// Renders the panel; `None` when the comparison has no availability
/// metric (no random failures). `command` reproduces the comparison.
pub fn availability_panel<'a>(
    scenario: &Scenario,
    c: &Comparison,
    page: impl Into<Page<'a>>,
) -> Option<String> {
    let page = page.into();
    let cv = page.canvas;
    let pts = points(c);
    if pts.is_empty() {
        return None;
    }
    let lo_data = pts
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|q| [q.range.0, q.ci.0, q.mean]))
        .fold(100.0f64, f64::min);
    // Some room to the left of the lowest point, never beyond 0.
    let (lo, _, ticks) = nice_range(
        (lo_data - (100.0 - lo_data) * 0.1).max(0.0),
        100.0,
        cv.range_ticks(7),
    );
    let hi = 100.0;
    let names: Vec<&str> = c.strategies.iter().map(|s| s.id.as_str()).collect();
    let label_w = names
        .iter()
        .map(|n| text_width(n, FONT_PX))
        .fold(60.0f64, f64::max)
        + 16.0;
    let rows = pts.len() as f64 * (HEADER_H + names.len() as f64 * ROW_H);
    // Reference lines: the nines inside the range.
    let nines: Vec<f64> = [90.0, 99.0, 99.9, 99.99, 99.999]
        .into_iter()
        .filter(|v| *v > lo && *v < hi)
        .collect();
    let markers: Vec<super::Marker> = nines
        .iter()
        .map(|v| super::Marker {
            at: (v - lo) / (hi - lo),
            label: format!(
                "{} %: {} down",
                number_label(*v),
                allowed(*v, scenario.horizon)
            ),
            colour: "#555555",
            dash: "2 3",
        })
        .collect();
    let legend = vec![
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "mean with its 95 % confidence interval".into(),
        },
        LegendEntry {
            swatch: Swatch::Fill(RANGE, RANGE_OPACITY),
            label: "p10–p90 of the replications".into(),
        },
        LegendEntry {
            swatch: Swatch::Line("#555555", "2 3"),
            label: format!(
                "an availability and the downtime it allows in {}",
                scenario.horizon
            ),
        },
    ];
    let lay = page.layout(WIDTH, rows, Some(label_w), &markers, &legend);
    let f = lay.frame;
    let mut svg = lay.start(
        "Availability of the apps",
        &format!(
            "{} replications per strategy of {} (seed {}); higher is better",
            c.done, scenario.horizon, c.seed
        ),
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = ticks
        .iter()
        .filter(|v| **v <= hi)
        .map(|v| (f.x_of(*v, lo, hi), format!("{} %", number_label(*v)), None))
        .collect();
    lay.x_axis(&mut svg, &x_ticks, "availability over the horizon (%)");
    let x = |v: f64| f.x_of(v.clamp(lo, hi), lo, hi);
    let mut y = f.y;
    for (name, p) in &pts {
        svg.open(&[("class", "metric".into())]);
        svg.text_styled(
            f.x + 4.0,
            y + HEADER_H - 7.0,
            name,
            Anchor::Start,
            &[("font-weight", "bold".into())],
        );
        y += HEADER_H;
        for (s, q) in p.iter().enumerate() {
            let (colour, _) = series_style(s);
            let mid = y + ROW_H / 2.0;
            svg.line((f.x, y + ROW_H), (f.x + f.w, y + ROW_H), GRID_GREY, 0.5);
            svg.text(f.x - 6.0, mid + 4.0, names[s], Anchor::End);
            let tip = format!(
                "{}: {name} {:.3} % (95 % CI {:.3}–{:.3} %, p10–p90 {:.3}–{:.3} %)",
                names[s], q.mean, q.ci.0, q.ci.1, q.range.0, q.range.1
            );
            let mut a = rect_attrs(
                x(q.range.0),
                mid - 6.0,
                (x(q.range.1) - x(q.range.0)).max(1.0),
                12.0,
                RANGE,
            );
            a.push(("fill-opacity", format!("{RANGE_OPACITY}")));
            svg.with_tip("rect", &a, &tip);
            svg.line((x(q.ci.0), mid), (x(q.ci.1), mid), INK, 1.5);
            for end in [q.ci.0, q.ci.1] {
                svg.line((x(end), mid - 4.0), (x(end), mid + 4.0), INK, 1.5);
            }
            svg.with_tip(
                "circle",
                &[
                    ("cx", num(x(q.mean))),
                    ("cy", num(mid)),
                    ("r", "4".into()),
                    ("fill", colour.into()),
                    ("stroke", INK.into()),
                    ("class", "mean".into()),
                ],
                &tip,
            );
            y += ROW_H;
        }
        svg.close();
    }
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.describe(&finding(c, &pts));
    Some(svg.finish())
}
