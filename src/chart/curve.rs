//! The restored curve: apps up (or the criticality-weighted share up) over
//! real dates, one line per strategy (the median over replications) with
//! its p10–p90 band, incident markers and objective (RTO) lines.

use super::axis::{DateAxis, nice_range, nice_ticks, number_label, ticks_dividing};
use super::svg::{Anchor, text_width};
use super::svg::{FONT_PX, Svg};
use super::{
    Canvas, Frame, Layout, LegendEntry, Marker, Page, Swatch, WIDTH, draw_symbol_on,
    incident_markers, no_data, nudge_apart, series_style,
};

use crate::model::{AppId, Scenario};
use crate::montecarlo::{Curves, IncidentMark, StrategyCurves};
use crate::sim::{SimDuration, SimTime};

/// What the curve's y axis measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// The number of apps up.
    Count,
    /// The criticality-weighted share of the apps up, in percent.
    WeightedShare,
}

/// A recovery objective: a vertical line this long after each incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// `RTO`, `RTO tier 1`.
    pub label: String,
    /// How long after the strike.
    pub after: SimDuration,
    /// The apps it covers: its line is drawn only after the incidents
    /// that took one of them down.
    pub apps: Vec<AppId>,
}

impl Objective {
    /// Whether `incident` took down an app this objective covers.
    pub fn concerns(&self, incident: &IncidentMark) -> bool {
        incident.apps.iter().any(|a| self.apps.contains(a))
    }
}

/// The scenario's recovery-time objectives, as lines on the restored curve.
pub fn objectives_of(scenario: &Scenario) -> Vec<Objective> {
    let mut out: Vec<Objective> = scenario
        .objectives
        .iter()
        .filter_map(|o| {
            o.rto.map(|rto| Objective {
                label: format!("RTO {}", o.name),
                after: rto,
                apps: o.apps.clone(),
            })
        })
        .collect();
    out.sort_by_key(|o| o.after);
    out
}

/// Band opacity: light enough that overlapping bands stay readable.
pub const BAND_OPACITY: f64 = 0.18;

/// Renders the restored curve. `runs_label` says what the lines are (e.g.
/// `median and p10–p90 of 1000 replications, seed 1`); `command` is the
/// command line that reproduces them, written under it (none if empty).
pub fn restored_curve<'a>(
    scenario: &Scenario,
    curves: &Curves,
    measure: Measure,
    incidents: &[IncidentMark],
    objectives: &[Objective],
    runs_label: &str,
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let c = page.canvas;
    let axis = DateAxis::new(scenario);
    let value = |s: &StrategyCurves, p: usize, q: f64| match measure {
        Measure::Count => f64::from(s.apps_up(p, q)),
        Measure::WeightedShare => s.share_up(p, q) * 100.0,
    };
    let all_times = &curves.grid.times;
    let View {
        first,
        last,
        settled,
        scale,
    } = view(curves, incidents, &value);
    let times = &all_times[first.min(last)..(last + 1).min(all_times.len())];
    let (t0, t1) = (
        times.first().copied().unwrap_or(SimTime::ZERO),
        times.last().copied().unwrap_or(SimTime::ZERO),
    );
    let frac = |t: SimTime| scale.frac(t);
    let mut markers = incident_markers(incidents, frac);
    let late = objective_markers(incidents, objectives, &frac, &axis, &mut markers);
    let band = curves.strategies.iter().any(|s| s.runs > 1);
    // Each line is named at its end, not in a legend: its name, and for a
    // strategy still recovering at the right edge, when it levels off.
    let labels: Vec<(usize, String, Option<String>)> = curves
        .strategies
        .iter()
        .enumerate()
        .filter(|(_, s)| s.runs > 0)
        .map(|(i, s)| {
            let off = settled[i]
                .filter(|at| *at > last)
                .map(|at| format!("levels off {} →", axis.format(all_times[at])));
            (i, s.id.clone(), off)
        })
        .collect();
    let right = end_labels_width(&c, &labels);
    let shown: Vec<usize> = labels.iter().map(|l| l.0).collect();
    let coincide = coinciding(
        &shown,
        |i, p| value(&curves.strategies[i], first + p, 0.5),
        times.len(),
    );
    let mut legend: Vec<LegendEntry> = Vec::new();
    if band {
        legend.push(LegendEntry {
            swatch: Swatch::Fill(series_style(0).0, BAND_OPACITY * 2.0),
            label: "p10–p90 across replications (in each line's colour)".into(),
        });
    }
    for group in &coincide {
        let names: Vec<&str> = group
            .iter()
            .map(|&i| curves.strategies[i].id.as_str())
            .collect();
        legend.push(LegendEntry {
            swatch: Swatch::Note,
            label: format!("{} coincide: one median line", and_list(&names)),
        });
    }
    let lay = Layout::on(c, WIDTH, 340.0, None, Some(right), &markers, &legend)
        .reproduced_by(page.command);
    let f = lay.frame;
    let (title, y_title, y_hi) = match measure {
        Measure::Count => (
            "Apps up over time".to_string(),
            format!("apps up (of {})", curves.apps),
            curves.apps as f64,
        ),
        Measure::WeightedShare => (
            "Criticality-weighted share of apps up over time".to_string(),
            "criticality-weighted share up (%)".to_string(),
            100.0,
        ),
    };
    let mut svg = lay.start(&title, runs_label);
    svg.describe(&curve_finding(
        curves,
        &settled,
        &|i, p| value(&curves.strategies[i], p, 0.5),
        &|p| axis.format(all_times[p]),
        &coincide,
    ));
    let (y_top, y_values, whole_line) = y_scale(measure, y_hi, &c);
    let y_ticks: Vec<(f64, String)> = y_values.into_iter().map(|v| (v, number_label(v))).collect();
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_top, &y_title);
    if whole_line {
        let y = f.y_of(y_hi, 0.0, y_top);
        svg.open(&[("class", "whole-estate".into())]);
        svg.line_dashed((f.x, y), (f.x + f.w, y), "#555555", c.line(1.0), "2 3");
        svg.text_styled(
            f.x + f.w - 4.0,
            y - c.len(4.0),
            &format!("all {} apps", curves.apps),
            super::svg::Anchor::End,
            &[("fill", "#555555".into())],
        );
        svg.close();
    }
    let x_px = |t: SimTime| f.x + scale.frac(t) * f.w;
    let x_ticks = date_ticks(&c, &axis, &scale, x_px);
    let mut x_title = axis.title(t0, t1);
    if !scale.gaps().is_empty() {
        let cut: Vec<String> = scale
            .gaps()
            .iter()
            .map(|(a, b)| b.saturating_since(*a).to_string())
            .collect();
        x_title.push_str(&format!(
            "; {} with nothing changing cut out (grey)",
            cut.join(", ")
        ));
    }
    lay.x_axis(&mut svg, &x_ticks, &x_title);
    draw_gaps(&mut svg, &c, &f, &axis, &scale.gaps(), x_px);
    if curves.strategies.iter().all(|s| s.runs == 0) || times.len() < 2 {
        no_data(&mut svg, &f, "no replication to draw");
    }
    let x_at = |p: usize| x_px(times[p]);
    let y_at = |v: f64| f.y_of(v, 0.0, y_top);
    if band {
        svg.open(&[("class", "bands".into())]);
        for (i, s) in curves.strategies.iter().enumerate() {
            if s.runs == 0 {
                continue;
            }
            let mut pts = steps(times.len(), x_at, |p| y_at(value(s, first + p, 0.9)));
            let mut lower = steps(times.len(), x_at, |p| y_at(value(s, first + p, 0.1)));
            lower.reverse();
            pts.extend(lower);
            svg.polygon(&pts, series_style(i).0, BAND_OPACITY);
        }
        svg.close();
    }
    svg.open(&[("class", "medians".into())]);
    // Strategies often coincide for a while (the same faults, the same
    // first steps): earlier lines are wider, so each one still shows as a
    // rim around the lines drawn over it.
    let n = curves.strategies.len();
    for (i, s) in curves.strategies.iter().enumerate() {
        if s.runs == 0 {
            continue;
        }
        let pts = steps(times.len(), x_at, |p| y_at(value(s, first + p, 0.5)));
        let (colour, d) = series_style(i);
        let width = 1.8 + 1.8 * (n - 1 - i) as f64 / (n.max(2) - 1) as f64;
        svg.polyline(&pts, colour, c.line(width), d);
    }
    svg.close();
    // Each line's symbol at a few points along it, staggered so that
    // coinciding lines still show every symbol.
    if times.len() >= 2 {
        svg.open(&[("class", "symbols".into())]);
        for (k, &i) in shown.iter().enumerate() {
            let s = &curves.strategies[i];
            for part in 0..SYMBOLS_PER_LINE {
                let at = (part as f64 + (k as f64 + 1.0) / (shown.len() as f64 + 1.0))
                    / SYMBOLS_PER_LINE as f64;
                let p = ((times.len() - 1) as f64 * at).round() as usize;
                let (x, y) = (x_at(p), y_at(value(s, first + p, 0.5)));
                draw_symbol_on(&mut svg, &c, i, (x, y), series_style(i).0);
            }
        }
        svg.close();
    }
    draw_end_labels(&mut svg, &c, &f, &labels, |i| {
        y_at(value(
            &curves.strategies[i],
            last.min(first + times.len().saturating_sub(1)),
            0.5,
        ))
    });
    let late: Vec<_> = late.into_iter().map(|l| (f.y, "#555555", l)).collect();
    draw_edge_notes(&mut svg, &c, &f, late);
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.finish()
}

/// The date axis' ticks on each stretch shown, `x` placing an instant.
fn date_ticks(
    c: &Canvas,
    axis: &DateAxis,
    scale: &TimeScale,
    x: impl Fn(SimTime) -> f64,
) -> Vec<(f64, String, Option<String>)> {
    let mut x_ticks: Vec<(f64, String, Option<String>)> = Vec::new();
    for (lo, hi) in scale.shown() {
        let width = (x(hi) - x(lo)).max(0.0);
        for t in axis.ticks_on(c, lo, hi, width) {
            let at = x(t.at);
            // Ticks either side of a gap: keep them a label's width apart.
            let apart = x_ticks
                .last()
                .is_none_or(|(prev, _, _)| at - prev >= c.len(70.0));
            if apart && x_ticks.len() < c.max_ticks {
                x_ticks.push((at, t.label, t.day));
            }
        }
    }
    x_ticks
}

/// The room the line-end labels take right of the plot: the widest name
/// or "levels off" note, at most [`MAX_LABELS_W`].
pub(crate) fn end_labels_width(c: &Canvas, labels: &[(usize, String, Option<String>)]) -> f64 {
    labels
        .iter()
        .map(|(_, id, off)| {
            let name = text_width(id, c.font_px) + c.len(LABEL_INDENT);
            let off = off.as_ref().map_or(0.0, |o| {
                text_width(o, c.px(FONT_PX - 1.0)) + c.len(LABEL_INDENT)
            });
            name.max(off) + 8.0
        })
        .fold(0.0, f64::max)
        .min(c.len(MAX_LABELS_W))
}

/// The objectives' RTO lines after each incident that concerns them, as
/// markers; those due after the chart's end are returned, to be named at
/// its right edge.
fn objective_markers(
    incidents: &[IncidentMark],
    objectives: &[Objective],
    frac: &dyn Fn(SimTime) -> f64,
    axis: &DateAxis,
    markers: &mut Vec<Marker>,
) -> Vec<String> {
    let mut late = Vec::new();
    for inc in incidents {
        for o in objectives.iter().filter(|o| o.concerns(inc)) {
            let due = inc.at.saturating_add(o.after);
            let label = format!("{} {} ({})", o.label, o.after, short_incident(&inc.label));
            if frac(due) > 1.0 {
                late.push(format!("{label} due {} →", axis.format(due)));
            } else {
                markers.push(Marker {
                    at: frac(due),
                    label,
                    colour: "#555555",
                    dash: "5 3",
                });
            }
        }
    }
    late
}

/// The value axis: its top, its ticks, and whether a line marks the whole
/// estate. Ticks divide the scale evenly up to the whole estate; when no
/// round step divides it (157 apps), the scale runs to the next round
/// value and a line marks the whole estate.
fn y_scale(measure: Measure, y_hi: f64, c: &Canvas) -> (f64, Vec<f64>, bool) {
    let most = c.ticks(6);
    match measure {
        Measure::WeightedShare => (100.0, nice_ticks(0.0, 100.0, most), false),
        Measure::Count => match ticks_dividing(y_hi.max(1.0), most, true) {
            Some(t) => (y_hi.max(1.0), t, false),
            None => {
                let (_, top, t) = nice_range(0.0, y_hi.max(1.0), c.range_ticks(6));
                (top, t, true)
            }
        },
    }
}

/// More strategies than this on one restored curve get small multiples
/// as well (see [`restored_panels`]).
pub const MOST_LINES: usize = 4;

/// Small multiples of the restored curve, for more than [`MOST_LINES`]
/// strategies (`None` otherwise): one panel per strategy after the first,
/// its median and band in its colour against the first strategy's median
/// (the baseline) in grey, every panel on the same axes as the others.
pub fn restored_panels<'a>(
    scenario: &Scenario,
    curves: &Curves,
    measure: Measure,
    incidents: &[IncidentMark],
    runs_label: &str,
    page: impl Into<Page<'a>>,
) -> Option<String> {
    let page = page.into();
    let c = page.canvas;
    let n = curves.strategies.len();
    if n <= MOST_LINES {
        return None;
    }
    let axis = DateAxis::new(scenario);
    let value = |s: &StrategyCurves, p: usize, q: f64| match measure {
        Measure::Count => f64::from(s.apps_up(p, q)),
        Measure::WeightedShare => s.share_up(p, q) * 100.0,
    };
    let View {
        first, last, scale, ..
    } = view(curves, incidents, &value);
    let all_times = &curves.grid.times;
    let times = &all_times[first.min(last)..(last + 1).min(all_times.len())];
    let (cols, panel_h, gap_x, gap_y) = (3usize, 130.0, c.len(52.0), c.len(44.0));
    let head = c.len(18.0);
    let rows = (n - 1).div_ceil(cols);
    let plot_h = rows as f64 * (panel_h + gap_y) - gap_y + head;
    let legend = vec![
        LegendEntry {
            swatch: Swatch::Line(BASELINE_GREY, ""),
            label: format!("{} (baseline, every panel)", curves.strategies[0].id),
        },
        LegendEntry {
            swatch: Swatch::Fill(series_style(1).0, BAND_OPACITY * 2.0),
            label: "p10–p90 across replications".into(),
        },
    ];
    let lay = page.layout(WIDTH, plot_h, None, &[], &legend);
    let f = lay.frame;
    // The panels share what the page gives the plot.
    let panel_h = if f.h == plot_h {
        panel_h
    } else {
        (f.h - head - (rows as f64 - 1.0) * gap_y) / rows as f64
    };
    let (title, y_hi, unit) = match measure {
        Measure::Count => (
            "Apps up over time, each strategy against the baseline",
            curves.apps as f64,
            "",
        ),
        Measure::WeightedShare => (
            "Criticality-weighted share up, each strategy against the baseline",
            100.0,
            " %",
        ),
    };
    let mut svg = lay.start(title, runs_label);
    let pw = (f.w - gap_x * (cols as f64 - 1.0)) / cols as f64;
    let (t0, t1) = (
        times.first().copied().unwrap_or(SimTime::ZERO),
        times.last().copied().unwrap_or(SimTime::ZERO),
    );
    let base = &curves.strategies[0];
    let mut finding = Vec::new();
    for (k, (i, s)) in curves.strategies.iter().enumerate().skip(1).enumerate() {
        let (row, col) = (k / cols, k % cols);
        let p = Frame {
            x: f.x + col as f64 * (pw + gap_x),
            y: f.y + head + row as f64 * (panel_h + gap_y),
            w: pw,
            h: panel_h,
        };
        let (colour, dash) = series_style(i);
        svg.open(&[("class", "panel".into())]);
        svg.text_styled(
            p.x,
            p.y - c.len(6.0),
            &s.id,
            Anchor::Start,
            &[("fill", colour.into()), ("font-weight", "bold".into())],
        );
        for v in [0.0, y_hi] {
            let y = p.y_of(v, 0.0, y_hi);
            svg.line((p.x, y), (p.x + p.w, y), super::GRID_GREY, c.line(1.0));
            svg.text(
                p.x - c.len(4.0),
                y + c.len(4.0),
                &format!("{}{unit}", number_label(v)),
                Anchor::End,
            );
        }
        svg.line(
            (p.x, p.bottom()),
            (p.x + p.w, p.bottom()),
            super::INK,
            c.line(1.0),
        );
        let x_at = |q: usize| p.x + scale.frac(times[q]) * p.w;
        let y_at = |v: f64| p.y_of(v, 0.0, y_hi);
        if times.len() >= 2 && s.runs > 0 && base.runs > 0 {
            let mut band = steps(times.len(), x_at, |q| y_at(value(s, first + q, 0.9)));
            let mut lower = steps(times.len(), x_at, |q| y_at(value(s, first + q, 0.1)));
            lower.reverse();
            band.extend(lower);
            svg.polygon(&band, colour, BAND_OPACITY);
            let grey = steps(times.len(), x_at, |q| y_at(value(base, first + q, 0.5)));
            svg.polyline(&grey, BASELINE_GREY, c.line(2.5), "");
            let line = steps(times.len(), x_at, |q| y_at(value(s, first + q, 0.5)));
            svg.polyline(&line, colour, c.line(2.0), dash);
            // The median's mean height over the view against the
            // baseline's: above means more apps up for longer.
            let mean = |c: &StrategyCurves| {
                (0..times.len())
                    .map(|q| value(c, first + q, 0.5))
                    .sum::<f64>()
                    / times.len() as f64
            };
            let ahead = mean(s) - mean(base);
            finding.push((ahead, s.id.as_str()));
        }
        // On a slide, `20 Dec 15:11` when the full dates do not fit side
        // by side.
        let date = |t: SimTime| {
            let full = axis.format(t);
            let fits = 2.0 * text_width(&full, c.px(FONT_PX - 2.0)) + c.len(8.0) <= p.w;
            if c.height.is_none() || fits {
                return full;
            }
            let parts: Vec<&str> = full.split(' ').collect();
            match parts.as_slice() {
                [_, day, month, _, time] => format!("{day} {month} {time}"),
                _ => full,
            }
        };
        for (x, label) in [(p.x, date(t0)), (p.x + p.w, date(t1))] {
            let anchor = if x == p.x { Anchor::Start } else { Anchor::End };
            svg.text_styled(
                x,
                p.bottom() + c.len(14.0),
                &label,
                anchor,
                &[
                    ("font-size", super::svg::num(c.px(FONT_PX - 2.0))),
                    ("fill", "#555555".into()),
                ],
            );
        }
        svg.close();
    }
    lay.legend(&mut svg, &legend);
    finding.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let desc = match (finding.first(), finding.last()) {
        (Some(best), Some(worst)) => format!(
            "Against {}: {} keeps the most apps up over the recovery, {} the fewest. One panel per strategy, from {} to {}.",
            base.id,
            best.1,
            worst.1,
            axis.format(t0),
            axis.format(t1)
        ),
        _ => "No replication to draw.".to_string(),
    };
    svg.describe(&desc);
    Some(svg.finish())
}

/// The baseline in every small multiple.
const BASELINE_GREY: &str = "#9a9a9a";

/// Width of a line-end label's symbol and the gap after it.
const LABEL_INDENT: f64 = 20.0;
/// The most room line-end labels take right of the plot.
const MAX_LABELS_W: f64 = 300.0;
/// Symbols drawn along each median line.
const SYMBOLS_PER_LINE: usize = 3;

/// The names at the ends of the lines (`(series, name, levels-off note)`),
/// right of the plot, each beside its line's last value or nudged from it
/// so that no two overlap (a thin leader then joins them), with the
/// series' symbol before the name.
pub(crate) fn draw_end_labels(
    svg: &mut Svg,
    c: &Canvas,
    f: &Frame,
    labels: &[(usize, String, Option<String>)],
    end_y: impl Fn(usize) -> f64,
) {
    if labels.is_empty() {
        return;
    }
    svg.open(&[("class", "line-labels".into())]);
    let row = c.font_px + c.len(3.0);
    let wanted: Vec<(f64, f64)> = labels
        .iter()
        .map(|(i, _, off)| (end_y(*i), if off.is_some() { 2.0 * row } else { row }))
        .collect();
    let at = nudge_apart(&wanted, f.y - row, f.bottom() + row);
    for ((&(i, ref name, ref off), &(want, h)), &y) in labels.iter().zip(&wanted).zip(&at) {
        let colour = series_style(i).0;
        let x = f.x + f.w + 4.0;
        let top = y - h / 2.0;
        if (y - want).abs() > 0.5 {
            svg.line(
                (f.x + f.w, want),
                (x + 2.0, top + row / 2.0),
                colour,
                c.line(0.8),
            );
        }
        draw_symbol_on(svg, c, i, (x + c.len(8.0), top + row / 2.0), colour);
        svg.text_styled(
            x + c.len(LABEL_INDENT),
            top + row / 2.0 + c.len(4.0),
            name,
            Anchor::Start,
            &[("fill", colour.into()), ("class", "line-label".into())],
        );
        if let Some(off) = off {
            svg.text_styled(
                x + c.len(LABEL_INDENT),
                top + row * 1.5 + c.len(4.0),
                off,
                Anchor::Start,
                &[
                    ("fill", colour.into()),
                    ("font-size", super::svg::num(c.px(FONT_PX - 1.0))),
                ],
            );
        }
    }
    svg.close();
}

/// The groups of series (of `shown`) whose values (`value(series,
/// point)`, over `n` points) are the same everywhere: lines drawn over
/// each other. Each group in the order of `shown`, groups by their first.
pub(crate) fn coinciding(
    shown: &[usize],
    value: impl Fn(usize, usize) -> f64,
    n: usize,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut placed = vec![false; shown.len()];
    for a in 0..shown.len() {
        if placed[a] {
            continue;
        }
        let mut group = vec![shown[a]];
        for b in a + 1..shown.len() {
            if !placed[b] && (0..n).all(|p| value(shown[a], p) == value(shown[b], p)) {
                placed[b] = true;
                group.push(shown[b]);
            }
        }
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The chart's finding, for its `<desc>`: which strategy's median levels
/// off first and when, the last, and the lines that coincide.
fn curve_finding(
    curves: &Curves,
    settled: &[Option<usize>],
    median: &dyn Fn(usize, usize) -> f64,
    date: &dyn Fn(usize) -> String,
    coincide: &[Vec<usize>],
) -> String {
    let mut done: Vec<(usize, usize)> = settled
        .iter()
        .enumerate()
        .filter_map(|(i, at)| at.map(|at| (at, i)))
        .collect();
    done.sort();
    let id = |i: usize| curves.strategies[i].id.as_str();
    let level = |i: usize, at: usize| super::axis::number_label(median(i, at));
    let mut out = match (done.first(), done.last()) {
        (Some(&(a, i)), Some(&(b, j))) if i != j => format!(
            "{} recovers first: its median levels off at {} on {}; {} last, at {} on {}.",
            id(i),
            level(i, a),
            date(a),
            id(j),
            level(j, b),
            date(b)
        ),
        (Some(&(a, i)), _) => format!(
            "{}: the median levels off at {} on {}.",
            id(i),
            level(i, a),
            date(a)
        ),
        _ => "No replication to draw.".to_string(),
    };
    for group in coincide {
        let names: Vec<&str> = group.iter().map(|&i| id(i)).collect();
        out.push_str(&format!(" {} coincide.", and_list(&names)));
    }
    out
}

/// What a restored curve shows: grid points `first..=last`, where each
/// strategy's median levels off (none for a strategy without runs), and
/// the time scale with its quiet stretches squeezed.
struct View {
    first: usize,
    last: usize,
    settled: Vec<Option<usize>>,
    scale: TimeScale,
}

/// The view of `curves`, whose values `value` gives (strategy, grid point,
/// quantile).
fn view(
    curves: &Curves,
    incidents: &[IncidentMark],
    value: &dyn Fn(&StrategyCurves, usize, f64) -> f64,
) -> View {
    let all_times = &curves.grid.times;
    // Zoom to the recoveries: up to where the medians level off, leaving
    // out a strategy whose tail would take most of the width.
    let settled: Vec<Option<usize>> = curves
        .strategies
        .iter()
        .map(|s| (s.runs > 0).then(|| settles_at(s.points(), |p| value(s, p, 0.5))))
        .collect();
    let last = zoom_end(
        &settled.iter().flatten().copied().collect::<Vec<_>>(),
        all_times.len(),
    );
    // And from a little before the first change or incident, not from
    // the quiet hours before it.
    let first_change = curves
        .strategies
        .iter()
        .filter(|s| s.runs > 0)
        .filter_map(|s| {
            (0..=last.min(s.points().saturating_sub(1))).find(|&p| {
                [0.1, 0.5, 0.9]
                    .iter()
                    .any(|&q| value(s, p, q) != value(s, 0, q))
            })
        })
        .min()
        .unwrap_or(0);
    let first_incident = incidents
        .iter()
        .map(|i| all_times.partition_point(|t| *t < i.at))
        .min()
        .unwrap_or(first_change);
    let first = first_change.min(first_incident);
    let first = first.saturating_sub((last.saturating_sub(first) / 20).max(2));
    let times = &all_times[first.min(last)..(last + 1).min(all_times.len())];
    // Long quiet stretches between incidents (every line and band as
    // before the first fault) are squeezed to a narrow gap: one panel per
    // incident when they are far apart.
    let quiet: Vec<bool> = (0..times.len())
        .map(|p| {
            curves.strategies.iter().filter(|s| s.runs > 0).all(|s| {
                [0.1, 0.5, 0.9]
                    .iter()
                    .all(|&q| value(s, first + p, q) == value(s, first, q))
            })
        })
        .collect();
    View {
        first,
        last,
        settled,
        scale: TimeScale::new(times, &quiet, incidents),
    }
}

/// The quiet stretches cut out of the time axis, drawn as grey gaps with
/// break marks and a tooltip; `x` places an instant.
fn draw_gaps(
    svg: &mut Svg,
    c: &Canvas,
    f: &Frame,
    axis: &DateAxis,
    gaps: &[(SimTime, SimTime)],
    x: impl Fn(SimTime) -> f64,
) {
    if gaps.is_empty() {
        return;
    }
    svg.open(&[("class", "gaps".into())]);
    for &(a, b) in gaps {
        let (xa, xb) = (x(a), x(b));
        let mut r = super::svg::rect_attrs(xa, f.y, xb - xa, f.h, "#f2f2f2");
        r.push(("stroke", "none".into()));
        let tip = format!(
            "{} → {}: nothing changed, cut out",
            axis.format(a),
            axis.format(b)
        );
        svg.with_tip("rect", &r, &tip);
        let m = (xa + xb) / 2.0;
        for y in [f.y, f.bottom()] {
            svg.line(
                (m - 6.0, y + 5.0),
                (m - 2.0, y - 5.0),
                super::INK,
                c.line(1.0),
            );
            svg.line(
                (m + 2.0, y + 5.0),
                (m + 6.0, y - 5.0),
                super::INK,
                c.line(1.0),
            );
        }
    }
    svg.close();
}

/// Notes at the right edge of the plot, each `(y, colour, text)`, moved
/// down so that none overlaps the one above it.
fn draw_edge_notes(svg: &mut Svg, c: &Canvas, f: &Frame, notes: Vec<(f64, &str, String)>) {
    if notes.is_empty() {
        return;
    }
    svg.open(&[("class", "off-range".into())]);
    let mut next_y = f.y + c.font_px;
    for (y, colour, label) in notes {
        let y = (y - 4.0).max(next_y);
        next_y = y + c.font_px + 2.0;
        svg.text_styled(
            f.x + f.w - 4.0,
            y,
            &label,
            super::svg::Anchor::End,
            &[
                ("fill", colour.into()),
                ("stroke", "#ffffff".into()),
                ("stroke-width", super::svg::num(c.line(3.0))),
                ("paint-order", "stroke".into()),
            ],
        );
    }
    svg.close();
}

/// Width of a squeezed quiet stretch, in pixels.
const GAP_PX: f64 = 28.0;

/// A time axis whose long quiet stretches are squeezed: pieces of time
/// `(from, to, squeezed)` laid side by side, the squeezed ones [`GAP_PX`]
/// wide and the others sharing the rest in proportion to their length.
struct TimeScale {
    pieces: Vec<(SimTime, SimTime, bool)>,
    /// The plot's width the fractions are of.
    width: f64,
}

impl TimeScale {
    /// The scale of `times`, squeezing each run of `quiet` points longer
    /// than a fifth of the span that is neither at an end nor holds an
    /// incident (keeping a margin of the span's 1/40 each side).
    fn new(times: &[SimTime], quiet: &[bool], incidents: &[IncidentMark]) -> Self {
        let (Some(&t0), Some(&t1)) = (times.first(), times.last()) else {
            return TimeScale {
                pieces: Vec::new(),
                width: super::WIDTH,
            };
        };
        let span = t1.saturating_since(t0).as_millis();
        let margin = SimDuration::from_millis(span / 40);
        let mut pieces = Vec::new();
        let mut from = t0;
        let mut p = 0;
        while p < times.len() {
            let q = (p..times.len()).find(|&q| !quiet[q]).unwrap_or(times.len());
            if q > p {
                let (a, b) = (times[p], times[q - 1]);
                let inner = p > 0 && q < times.len();
                let long = b.saturating_since(a).as_millis() * 5 > span;
                let calm = !incidents.iter().any(|i| a <= i.at && i.at <= b);
                if inner && long && calm {
                    let (ga, gb) = (
                        a.saturating_add(margin),
                        SimTime::from_millis(b.as_millis().saturating_sub(margin.as_millis())),
                    );
                    pieces.push((from, ga, false));
                    pieces.push((ga, gb, true));
                    from = gb;
                }
                p = q;
            } else {
                p += 1;
            }
        }
        pieces.push((from, t1, false));
        TimeScale {
            pieces,
            width: super::WIDTH - 102.0,
        }
    }

    /// Where `t` falls, from 0 (the left edge) to 1 (the right edge);
    /// outside for times outside the span.
    fn frac(&self, t: SimTime) -> f64 {
        let gaps = self.pieces.iter().filter(|p| p.2).count() as f64;
        let normal: u64 = self
            .pieces
            .iter()
            .filter(|p| !p.2)
            .map(|p| p.1.saturating_since(p.0).as_millis())
            .sum();
        let gap_frac = (GAP_PX / self.width).min(0.5 / gaps.max(1.0));
        let per_ms = (1.0 - gaps * gap_frac) / normal.max(1) as f64;
        let (Some(first), Some(last)) = (self.pieces.first(), self.pieces.last()) else {
            return -1.0;
        };
        if t < first.0 {
            return -(first.0.saturating_since(t).as_millis() as f64) * per_ms;
        }
        if t > last.1 {
            return 1.0 + t.saturating_since(last.1).as_millis() as f64 * per_ms;
        }
        let mut acc = 0.0;
        for &(a, b, squeezed) in &self.pieces {
            let len = b.saturating_since(a).as_millis() as f64;
            let w = if squeezed { gap_frac } else { len * per_ms };
            if t <= b {
                let within = if len > 0.0 {
                    t.saturating_since(a).as_millis() as f64 / len
                } else {
                    0.0
                };
                return acc + within * w;
            }
            acc += w;
        }
        1.0
    }

    /// The stretches shown, in order.
    fn shown(&self) -> Vec<(SimTime, SimTime)> {
        self.pieces
            .iter()
            .filter(|p| !p.2)
            .map(|p| (p.0, p.1))
            .collect()
    }

    /// The stretches squeezed, in order.
    fn gaps(&self) -> Vec<(SimTime, SimTime)> {
        self.pieces
            .iter()
            .filter(|p| p.2)
            .map(|p| (p.0, p.1))
            .collect()
    }
}

/// The first of `n` grid points from which `value` stays at its last value.
fn settles_at(n: usize, value: impl Fn(usize) -> f64) -> usize {
    let Some(end) = n.checked_sub(1) else {
        return 0;
    };
    let last = value(end);
    (0..n)
        .rev()
        .take_while(|&p| value(p) == last)
        .last()
        .unwrap_or(end)
}

/// The last grid point (of `n`) a curve chart shows, given the point at
/// which each strategy's median levels off: a little after the last of
/// them, unless that one is a tail (more than half again as far from the
/// start as the next): then after the next, the tail running off the
/// chart; at most half the strategies are left running off.
fn zoom_end(settled: &[usize], n: usize) -> usize {
    let Some(max_p) = n.checked_sub(1) else {
        return 0;
    };
    let mut d = settled.to_vec();
    d.sort_unstable();
    let mut end = d.last().copied().unwrap_or(max_p);
    let mut cut = 0;
    while d.len() >= 2 && 2 * (cut + 1) <= settled.len() {
        let (tail, next) = (d[d.len() - 1], d[d.len() - 2]);
        if tail as f64 > 1.5 * next.max(1) as f64 {
            end = next;
            d.pop();
            cut += 1;
        } else {
            break;
        }
    }
    (end + (end / 20).max(2)).min(max_p)
}

/// `incident 2` from `incident 2: socle-2018-b`, to keep RTO labels short.
fn short_incident(label: &str) -> &str {
    label.split(':').next().unwrap_or(label)
}

/// A step line through the grid: each sample holds until the next one, as
/// the number of apps up does (it changes by jumps, not slopes).
fn steps(n: usize, x: impl Fn(usize) -> f64, y: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    let mut pts = Vec::with_capacity(2 * n);
    for p in 0..n {
        if p > 0 {
            pts.push((x(p), y(p - 1)));
        }
        pts.push((x(p), y(p)));
    }
    // Consecutive equal values make collinear points: keep the ends only.
    pts.dedup_by(|b, a| a.1 == b.1 && a.0 == b.0);
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for pt in pts {
        let n = out.len();
        if n >= 2 && out[n - 1].1 == pt.1 && out[n - 2].1 == pt.1 {
            out[n - 1] = pt;
        } else {
            out.push(pt);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_ends_after_the_recoveries_leaving_a_tail_off() {
        assert_eq!(settles_at(5, |p| [1.0, 3.0, 2.0, 2.0, 2.0][p]), 2);
        assert_eq!(settles_at(3, |_| 7.0), 0);
        assert_eq!(settles_at(0, |_| 7.0), 0);
        // Close together: all shown, with a margin.
        assert_eq!(zoom_end(&[40, 50, 60], 240), 63);
        // One tail far beyond the others: it runs off.
        assert_eq!(zoom_end(&[40, 50, 230], 240), 52);
        // Never more than half the strategies left off.
        assert_eq!(zoom_end(&[10, 100, 230], 240), 105);
        assert_eq!(zoom_end(&[10, 20, 100, 230], 240), 22);
        assert_eq!(zoom_end(&[], 240), 239);
        assert_eq!(zoom_end(&[5], 1), 0);
    }

    #[test]
    fn a_quiet_stretch_is_squeezed_and_the_scale_still_increases() {
        let h = |x: u64| SimTime::from_millis(x * 3_600_000);
        let times: Vec<SimTime> = (0..=100).map(h).collect();
        // Quiet from hour 20 to hour 70, and before hour 5.
        let quiet: Vec<bool> = (0..=100).map(|p| p < 5 || (20..=70).contains(&p)).collect();
        let scale = TimeScale::new(&times, &quiet, &[]);
        assert_eq!(scale.gaps().len(), 1, "not the stretch at the start");
        let (a, b) = scale.gaps()[0];
        assert!(a > h(20) && b < h(70));
        let fr: Vec<f64> = times.iter().map(|t| scale.frac(*t)).collect();
        assert!(fr.windows(2).all(|w| w[0] <= w[1]), "{fr:?}");
        assert_eq!(fr[0], 0.0);
        assert!((fr[100] - 1.0).abs() < 1e-9);
        // The squeezed 45 hours take less room than 5 shown ones.
        assert!(scale.frac(b) - scale.frac(a) < scale.frac(h(10)) - scale.frac(h(5)));
        // An incident in the stretch keeps it.
        let mark = IncidentMark {
            at: h(40),
            label: "incident 2: x".into(),
            apps: Vec::new(),
        };
        assert!(TimeScale::new(&times, &quiet, &[mark]).gaps().is_empty());
    }

    #[test]
    fn steps_hold_each_value_until_the_next_sample() {
        let ys = [5.0, 5.0, 5.0, 2.0, 2.0, 7.0];
        let pts = steps(ys.len(), |p| p as f64 * 10.0, |p| ys[p]);
        assert_eq!(
            pts,
            vec![
                (0.0, 5.0),
                (30.0, 5.0),
                (30.0, 2.0),
                (50.0, 2.0),
                (50.0, 7.0)
            ]
        );
        assert_eq!(steps(1, |_| 1.0, |_| 3.0), vec![(1.0, 3.0)]);
    }
}
