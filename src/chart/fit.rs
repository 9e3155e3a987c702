//! A fit: the fitted median restored curve and its p10–p90 band against
//! the observed points (`hvsim fit --svg`). It takes plain series, so that
//! the chart layer knows nothing of the fit.

use super::axis::{DateAxis, duration_unit, nice_ticks, number_label};
use super::curve::BAND_OPACITY;
use super::svg::num;
use super::{INK, LegendEntry, Page, Swatch, WIDTH, no_data, series_style};
use crate::sim::SimTime;

/// What the fit chart draws.
#[derive(Clone, Debug)]
pub struct FitChart<'a> {
    /// The title's subject, e.g. the scenario's name.
    pub title: String,
    /// Under the title: what was fitted.
    pub subtitle: String,
    /// The y axis title, e.g. `apps of the incident back (of 120)`.
    pub y_title: String,
    /// The top of the y scale (apps, or 100 for percentages).
    pub y_max: f64,
    /// `Some` for dates on the x axis; `None` when the instants are times
    /// since the strike.
    pub dates: Option<DateAxis>,
    /// What durations on the x axis count from (`the strike`, or `the
    /// start` for a scenario in which nothing fails).
    pub since: &'static str,
    /// The band's instants (simulated times, or times since the strike).
    pub times: &'a [SimTime],
    /// p10 at each instant, in the y axis' unit.
    pub p10: &'a [f64],
    /// The median.
    pub p50: &'a [f64],
    /// p90.
    pub p90: &'a [f64],
    /// The observed points: instant, value and a tooltip.
    pub points: Vec<(SimTime, f64, String)>,
    /// The canvas and the command that reproduces it (none if empty).
    pub page: Page<'a>,
}

/// Renders the chart as a self-contained SVG document.
pub fn fit_chart(c: &FitChart) -> String {
    let (colour, dash) = series_style(0);
    let legend = vec![
        LegendEntry {
            swatch: Swatch::Line(colour, dash),
            label: "fitted median".into(),
        },
        LegendEntry {
            swatch: Swatch::Fill(colour, BAND_OPACITY * 2.0),
            label: "p10–p90 across replications".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "observed (dots)".into(),
        },
    ];
    let cv = c.page.canvas;
    let lay = c.page.layout(WIDTH, 340.0, None, &[], &legend);
    let f = lay.frame;
    let mut svg = lay.start(&c.title, &c.subtitle);
    let y_hi = c.y_max.max(1.0);
    let y_ticks: Vec<(f64, String)> = nice_ticks(0.0, y_hi, cv.ticks(6))
        .into_iter()
        .map(|v| (v, number_label(v)))
        .collect();
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_hi, &c.y_title);
    let (t0, t1) = (
        c.times.first().copied().unwrap_or(SimTime::ZERO),
        c.times.last().copied().unwrap_or(SimTime::ZERO),
    );
    let lo = t0.as_millis() as f64;
    let hi = (t1.as_millis() as f64).max(lo + 1.0);
    match &c.dates {
        Some(axis) => {
            let ticks: Vec<(f64, String, Option<String>)> = axis
                .ticks_on(&cv, t0, t1, f.w)
                .into_iter()
                .map(|t| (f.x_of(t.at.as_millis() as f64, lo, hi), t.label, t.day))
                .collect();
            lay.x_axis(&mut svg, &ticks, &axis.title(t0, t1));
        }
        None => {
            let unit = duration_unit(hi);
            let ticks: Vec<(f64, String, Option<String>)> =
                nice_ticks(lo / unit.ms, hi / unit.ms, cv.ticks(10))
                    .into_iter()
                    .map(|v| (f.x_of(v * unit.ms, lo, hi), number_label(v), None))
                    .collect();
            lay.x_axis(
                &mut svg,
                &ticks,
                &format!("{} since {}", unit.name, c.since),
            );
        }
    }
    if c.times.len() < 2 {
        no_data(&mut svg, &f, "no replication to draw");
    }
    let x_at = |t: SimTime| f.x_of(t.as_millis() as f64, lo, hi);
    let y_at = |v: f64| f.y_of(v.clamp(0.0, y_hi), 0.0, y_hi);
    let line = |ys: &[f64]| -> Vec<(f64, f64)> {
        c.times
            .iter()
            .zip(ys)
            .map(|(t, v)| (x_at(*t), y_at(*v)))
            .collect()
    };
    svg.open(&[("class", "band".into())]);
    let mut band = line(c.p90);
    let mut lower = line(c.p10);
    lower.reverse();
    band.extend(lower);
    if band.len() > 2 {
        svg.polygon(&band, colour, BAND_OPACITY);
    }
    svg.close();
    svg.open(&[("class", "median".into())]);
    svg.polyline(&line(c.p50), colour, cv.line(2.4), dash);
    svg.close();
    svg.open(&[("class", "observed".into())]);
    for (t, v, tip) in &c.points {
        svg.with_tip(
            "circle",
            &[
                ("cx", num(x_at(*t))),
                ("cy", num(y_at(*v))),
                ("r", num(cv.line(5.0))),
                ("fill", INK.into()),
                ("stroke", "#ffffff".into()),
                ("stroke-width", num(cv.line(1.5))),
            ],
            tip,
        );
    }
    svg.close();
    lay.legend(&mut svg, &legend);
    svg.finish()
}
