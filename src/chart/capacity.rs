//! DR capacity in use over one run: the share of the DR site's memory
//! (filled) and virtual CPUs (dashed) taken by the VMs placed there, the
//! capacity line at 100 %, the incidents, and shaded where the site was
//! full: an app down that needs it has a VM no DR host has room for.
//!
//! The use is derived from the run's outcome by [`dr_use`] (how room is
//! accounted for: see [`crate::metrics::dr_use`]). "Full for X" counts up
//! to the end of the horizon when the site is still full at the run's
//! last event.
//!
//! Over many runs (one line and band per strategy), see [`runs`].

pub mod runs;

use super::axis::{DateAxis, ticks_dividing};
use super::svg::{Anchor, num};
use super::{Canvas, INK, Layout, LegendEntry, Page, Swatch, WIDTH, incident_markers, no_data};
use crate::metrics::Outcome;
pub use crate::metrics::dr_use::{Step, dr_use};
use crate::model::Scenario;
use crate::montecarlo::IncidentMark;
use crate::sim::{SimDuration, SimTime};

/// The colour of the memory in use.
pub const MEMORY: &str = "#0072B2";
/// The colour of the virtual CPUs in use.
pub const VCPUS: &str = "#E69F00";
/// The shading where the site was full.
pub const FULL: &str = "#D55E00";
const PLOT_H: f64 = 240.0;

/// The share axis up to `peak` %: its top (100 % unless the peak is
/// above) and its ticks, which divide it evenly.
fn share_scale(peak: f64, c: &Canvas) -> (f64, Vec<(f64, String)>) {
    let y_hi = if peak <= 100.0 {
        100.0
    } else {
        super::axis::nice_range(0.0, peak, c.range_ticks(6)).1
    };
    let ticks = ticks_dividing(y_hi, c.ticks(6), true)
        .unwrap_or_else(|| super::axis::nice_range(0.0, y_hi, c.range_ticks(6)).2)
        .into_iter()
        .map(|v| (v, format!("{} %", super::axis::number_label(v))))
        .collect();
    (y_hi, ticks)
}

/// The date axis of `lay` from `t0` to `t1`.
fn date_x_axis(
    lay: &Layout,
    svg: &mut super::svg::Svg,
    axis: &DateAxis,
    (t0, t1): (SimTime, SimTime),
) {
    let (f, lo, hi) = (lay.frame, t0.as_millis() as f64, t1.as_millis() as f64);
    let ticks: Vec<(f64, String, Option<String>)> = axis
        .ticks_on(&lay.canvas, t0, t1, f.w)
        .into_iter()
        .map(|t| (f.x_of(t.at.as_millis() as f64, lo, hi), t.label, t.day))
        .collect();
    lay.x_axis(svg, &ticks, &axis.title(t0, t1));
}

/// The capacity line at `y` across the plot `f`, labelled at its right.
fn capacity_line(svg: &mut super::svg::Svg, c: &Canvas, f: &super::Frame, y: f64) {
    svg.open(&[("class", "capacity".into())]);
    svg.line((f.x, y), (f.x + f.w, y), INK, c.line(1.5));
    svg.text_styled(
        f.x + f.w - c.len(4.0),
        y - c.len(4.0),
        "capacity",
        Anchor::End,
        &[("font-size", num(c.px(11.0)))],
    );
    svg.close();
}

/// The time range shown: the first incident (or move) to the last move or
/// app back, with a fortieth of the span on each side.
fn time_range(o: &Outcome) -> (SimTime, SimTime) {
    let first = o
        .incidents
        .iter()
        .map(|i| i.at)
        .chain(o.moves.iter().map(|m| m.at))
        .min();
    let last = o
        .moves
        .iter()
        .map(|m| m.at)
        .chain(o.apps.iter().filter_map(|a| a.final_up()))
        .max();
    match (first, last) {
        (Some(a), Some(b)) if b > a => {
            let margin = (b.as_millis() - a.as_millis()) / 40;
            (
                SimTime::from_millis(a.as_millis().saturating_sub(margin)),
                SimTime::from_millis(b.as_millis().saturating_add(margin)).min(o.horizon),
            )
        }
        _ => (SimTime::ZERO, o.horizon),
    }
}

/// The chart's finding: the peak, and whether and how long the site was
/// full.
pub fn finding(scenario: &Scenario, o: &Outcome, steps: &[Step]) -> String {
    let axis = DateAxis::new(scenario);
    let peak = steps
        .iter()
        .max_by(|a, b| a.memory_pct.total_cmp(&b.memory_pct).then(b.at.cmp(&a.at)));
    let Some(peak) = peak else {
        return String::new();
    };
    let mut full = SimDuration::ZERO;
    let mut first_full = None;
    for (i, s) in steps.iter().enumerate() {
        if s.full {
            let end = steps.get(i + 1).map_or(o.horizon.max(s.at), |n| n.at);
            full = full.saturating_add(end.saturating_since(s.at));
            first_full.get_or_insert(s.at);
        }
    }
    let waiting = o
        .apps
        .iter()
        .filter(|a| a.waiting == Some(crate::metrics::Waiting::DrCapacity))
        .count();
    let mut text = format!(
        "The DR site's use peaked at {:.0} % of its memory ({:.0} % of its virtual CPUs) on {}",
        peak.memory_pct,
        peak.vcpu_pct,
        axis.format(peak.at)
    );
    match first_full {
        Some(t) => text.push_str(&format!(
            "; it was full from {} ({} in all)",
            axis.format(t),
            full
        )),
        None => text.push_str("; it never ran out of room"),
    }
    if waiting > 0 {
        text.push_str(&format!(
            ", and {waiting} app(s) were still waiting for room at the end"
        ));
    }
    text.push('.');
    text
}

/// Renders the DR site's use over the run `o` on `page`, whose command
/// reproduces the run (none if empty). `None` when the scenario has no DR
/// site.
pub fn dr_capacity<'a>(
    scenario: &Scenario,
    o: &Outcome,
    incidents: &[IncidentMark],
    page: impl Into<Page<'a>>,
) -> Option<String> {
    let page = page.into();
    let cv = page.canvas;
    let steps = dr_use(scenario, o)?;
    let axis = DateAxis::new(scenario);
    let (t0, t1) = time_range(o);
    let (lo, hi) = (t0.as_millis() as f64, t1.as_millis() as f64);
    let frac = |t: SimTime| (t.as_millis() as f64 - lo) / (hi - lo).max(1.0);
    let markers = incident_markers(incidents, frac);
    let any_full = steps.iter().any(|s| s.full);
    let mut legend = vec![
        LegendEntry {
            swatch: Swatch::Fill(MEMORY, 0.35),
            label: "memory in use".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(VCPUS, "6 3"),
            label: "virtual CPUs in use".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "capacity".into(),
        },
    ];
    if any_full {
        legend.push(LegendEntry {
            swatch: Swatch::Fill(FULL, 0.18),
            label: "full: an app down does not fit".into(),
        });
    }
    let lay = page.layout(WIDTH, PLOT_H, None, &markers, &legend);
    let f = lay.frame;
    let strategy = &scenario.strategies[o.strategy.index()];
    let mut svg = lay.start(
        "DR capacity in use",
        &format!(
            "one run: strategy {}, seed {}; share of the DR site's room taken by the VMs placed there",
            strategy.id, o.seed
        ),
    );
    let peak = steps
        .iter()
        .map(|s| s.memory_pct.max(s.vcpu_pct))
        .fold(100.0f64, f64::max);
    let (y_hi, y_ticks) = share_scale(peak, &cv);
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_hi, "share of the DR site in use");
    date_x_axis(&lay, &mut svg, &axis, (t0, t1));
    let x = |t: SimTime| {
        f.x_of(
            t.as_millis().clamp(t0.as_millis(), t1.as_millis()) as f64,
            lo,
            hi,
        )
    };
    let y = |v: f64| f.y_of(v, 0.0, y_hi);
    // Where each step is in force within the range shown.
    let spans: Vec<(SimTime, SimTime, &Step)> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.at, steps.get(i + 1).map_or(t1, |n| n.at), s))
        .filter(|(a, b, _)| *b > t0 && *a < t1)
        .collect();
    svg.open(&[("class", "full".into())]);
    for (a, b, s) in &spans {
        if s.full {
            let mut attrs = super::svg::rect_attrs(x(*a), f.y, x(*b) - x(*a), f.h, FULL);
            attrs.push(("fill-opacity", "0.18".into()));
            svg.with_tip(
                "rect",
                &attrs,
                &format!(
                    "full from {} to {}",
                    axis.format((*a).max(t0)),
                    axis.format(*b)
                ),
            );
        }
    }
    svg.close();
    let step_points = |value: &dyn Fn(&Step) -> f64| {
        let mut pts = Vec::new();
        for (a, b, s) in &spans {
            pts.push((x((*a).max(t0)), y(value(s))));
            pts.push((x(*b), y(value(s))));
        }
        pts
    };
    // The steps as data, for readers and tests that parse the chart.
    let clock = super::clock::Clock::new(scenario);
    let data =
        |value: &dyn Fn(&Step) -> String| steps.iter().map(value).collect::<Vec<_>>().join(" ");
    svg.open(&[
        ("class", "memory".into()),
        ("data-at", data(&|s| clock.rfc3339(s.at))),
        ("data-memory", data(&|s| format!("{:.3}", s.memory_pct))),
        ("data-full", data(&|s| u8::from(s.full).to_string())),
    ]);
    let mem = step_points(&|s| s.memory_pct);
    if let (Some(first), Some(last)) = (mem.first().copied(), mem.last().copied()) {
        let mut area = vec![(first.0, f.bottom())];
        area.extend(mem.iter().copied());
        area.push((last.0, f.bottom()));
        svg.polygon(&area, MEMORY, 0.35);
        svg.polyline(&mem, MEMORY, cv.line(1.5), "");
    }
    svg.close();
    svg.open(&[("class", "vcpus".into())]);
    svg.polyline(&step_points(&|s| s.vcpu_pct), VCPUS, cv.line(1.8), "6 3");
    svg.close();
    capacity_line(&mut svg, &cv, &f, y(100.0));
    if spans.is_empty() {
        no_data(&mut svg, &f, "nothing at the DR site in this run");
    }
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.describe(&finding(scenario, o, &steps));
    Some(svg.finish())
}
