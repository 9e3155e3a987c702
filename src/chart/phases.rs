//! The phase timeline of one incident: a row per strategy, the time from
//! the strike split into its phases (waiting for detection, then for the
//! diagnosis, waiting for the first recovery task to start, restoring
//! until every app is back), each at its median over the replications,
//! and the
//! first app, 50 %, 90 % and 100 % back as points with their p10–p90
//! whiskers. Dashed lines mark the recovery-time objectives that concern
//! the incident. It shows where the time goes: in 2018 nothing was
//! restored on 26 December because the bug was still being diagnosed.

use super::Page;
use super::axis::{DateAxis, duration_unit, nice_range, number_label};
use super::curve::Objective;
use super::distribution::milestone_metric;
use super::svg::{Anchor, num, text_width};
use super::{INK, LegendEntry, Marker, Swatch, WIDTH};
use crate::model::Scenario;
use crate::montecarlo::{Comparison, Curves, IncidentMark, PhaseDist};
use crate::sim::SimDuration;

/// The phases drawn as bars, each with its fill.
pub const PHASE_BARS: [(&str, &str); 4] = [
    ("detection", "#d9d9d9"),
    ("diagnosis", "#969696"),
    ("waiting for the first task", "#E69F00"),
    ("restoring", "#56B4E9"),
];

/// The milestones drawn as points with whiskers: metric suffix, label,
/// whisker dash.
pub const PHASE_MILESTONES: [(&str, &str, &str); 4] = [
    ("first app back", "first app", "1 2"),
    ("50 % back", "50 %", "2 3"),
    ("90 % back", "90 %", ""),
    ("100 % back", "100 %", "7 4"),
];

const ROW_H: f64 = 46.0;

/// One strategy's row: the medians of its phase ends (hours from the
/// strike), and its milestones as `(p10, p50, p90)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseRow {
    /// The strategy.
    pub strategy: String,
    /// The medians of the ends of [`PHASE_BARS`]: detected, diagnosed,
    /// first task started, all back.
    pub ends: [Option<f64>; 4],
    /// [`PHASE_MILESTONES`] as (p10, p50, p90) hours.
    pub milestones: [Option<(f64, f64, f64)>; 4],
}

/// The rows of incident `k` (from 0): from the comparison's milestones and,
/// when the study kept them, the curves' phases.
pub fn phase_rows(c: &Comparison, curves: Option<&Curves>, k: usize) -> Vec<PhaseRow> {
    let median = |d: Option<&PhaseDist>| d.and_then(|d| d.quantile(0.5));
    c.strategies
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let mut milestones = [None; 4];
            for (slot, (suffix, _, _)) in milestones.iter_mut().zip(PHASE_MILESTONES) {
                *slot = milestone_metric(c, k, suffix).and_then(|m| {
                    let st = &s.stats[m];
                    Some((st.quantile(0.1)?, st.quantile(0.5)?, st.quantile(0.9)?))
                });
            }
            let sc = curves.and_then(|cv| cv.strategies.get(si));
            PhaseRow {
                strategy: s.id.clone(),
                ends: [
                    median(sc.and_then(|sc| sc.phase(k, 0))),
                    median(sc.and_then(|sc| sc.phase(k, 1))),
                    median(sc.and_then(|sc| sc.phase(k, 2))),
                    milestones[3].map(|(_, m, _)| m),
                ],
                milestones,
            }
        })
        .collect()
}

/// `h` hours as a duration: `1d 6h`.
fn hours(h: f64) -> String {
    SimDuration::from_millis((h.max(0.0) * 3_600_000.0).round() as u64).to_string()
}

/// What the timeline says first: for the baseline, how long the
/// diagnosis and the wait for the first task took, with the dates when a
/// strike date is known, then the strategy quickest to 90 % back.
pub fn phase_finding(rows: &[PhaseRow], strike: Option<(&DateAxis, &IncidentMark)>) -> String {
    let Some(base) = rows.first() else {
        return String::new();
    };
    let until = |h: f64| {
        strike.map_or_else(String::new, |(axis, mark)| {
            let t = mark
                .at
                .saturating_add(SimDuration::from_millis((h * 3_600_000.0).round() as u64));
            format!(", until {}", axis.format(t))
        })
    };
    let mut out = String::new();
    let struck = strike.map_or_else(String::new, |(axis, mark)| {
        format!(", struck {}", axis.format(mark.at))
    });
    // Detection is drawn on the bug's first strike only: without it, the
    // diagnosis is counted from the strike.
    let diagnosis = |d: f64| match base.ends[0] {
        Some(det) if det <= d => format!(
            "detection took {}{}, diagnosis {} more{}",
            hours(det),
            until(det),
            hours(d - det),
            until(d)
        ),
        _ => format!("detection and diagnosis took {}{}", hours(d), until(d)),
    };
    match (base.ends[1], base.ends[2]) {
        (Some(d), Some(s)) => out.push_str(&format!(
            "{}{struck}: nothing was restored for {} (medians): {}, and the first recovery task started {} after the strike{}.",
            base.strategy,
            hours(s),
            diagnosis(d),
            hours(s),
            until(s)
        )),
        (Some(d), None) => out.push_str(&format!(
            "{}{struck}: {} (medians); no recovery task started in most runs.",
            base.strategy,
            diagnosis(d)
        )),
        _ => {}
    }
    let quickest = rows
        .iter()
        .filter_map(|r| r.milestones[2].map(|(_, m, _)| (m, &r.strategy)))
        .fold(None, |acc: Option<(f64, &String)>, (m, s)| match acc {
            Some((best, _)) if best <= m => acc,
            _ => Some((m, s)),
        });
    if let Some((m, s)) = quickest {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!(
            "{s} gets 90 % of the apps back soonest: {} after the strike (median).",
            hours(m)
        ));
    }
    out
}

/// Renders incident `k`'s (from 0) phase timeline. `mark` is the
/// incident's strike in the baseline's first replication (for the dates
/// under the axis), `objectives` the scenario's RTOs (drawn when they
/// concern the incident); `command` reproduces the comparison (none if
/// empty).
#[allow(clippy::too_many_arguments)]
pub fn phase_timeline<'a>(
    scenario: &Scenario,
    c: &Comparison,
    curves: Option<&Curves>,
    k: usize,
    bug: &str,
    mark: Option<&IncidentMark>,
    objectives: &[Objective],
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let rows = phase_rows(c, curves, k);
    let axis = DateAxis::new(scenario);
    let concerned: Vec<&Objective> = objectives
        .iter()
        .filter(|o| mark.is_none_or(|m| o.concerns(m)))
        .collect();
    let max_h = rows
        .iter()
        .flat_map(|r| {
            r.ends
                .iter()
                .flatten()
                .copied()
                .chain(r.milestones.iter().flatten().map(|m| m.2))
        })
        .fold(0.0f64, f64::max);
    // The objectives' lines stay on the axis unless they would squash
    // the recovery into a third of it.
    let max_h = concerned
        .iter()
        .map(|o| o.after.as_millis() as f64 / 3_600_000.0)
        .filter(|h| *h <= 3.0 * max_h)
        .fold(max_h, f64::max);
    let unit = duration_unit(max_h * 3_600_000.0);
    let per_unit_h = unit.ms / 3_600_000.0;
    let (x_lo, x_hi, ticks) = nice_range(
        0.0,
        (max_h / per_unit_h).max(1e-3) * 1.02,
        cv.range_ticks(10),
    );
    let frac = |h: f64| (h / per_unit_h - x_lo) / (x_hi - x_lo);
    // An RTO beyond the axis is named at its right edge instead.
    let markers: Vec<Marker> = concerned
        .iter()
        .map(|o| {
            let h = o.after.as_millis() as f64 / 3_600_000.0;
            Marker {
                at: frac(h),
                label: format!("{} {}", o.label, o.after),
                colour: "#D55E00",
                dash: "6 4",
            }
        })
        .collect();
    let mut legend: Vec<LegendEntry> = PHASE_BARS
        .iter()
        .map(|(label, fill)| LegendEntry {
            swatch: Swatch::Fill(fill, 1.0),
            label: format!("{label} (median)"),
        })
        .collect();
    for (_, label, dash) in PHASE_MILESTONES {
        legend.push(LegendEntry {
            swatch: Swatch::Line(INK, dash),
            label: format!("{label} back, p10–p90"),
        });
    }
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.strategy, cv.font_px))
        .fold(0.0, f64::max);
    let left = (label_w + 20.0).max(cv.len(78.0));
    let lay = page.layout(
        WIDTH,
        rows.len().max(1) as f64 * ROW_H,
        Some(left),
        &markers,
        &legend,
    );
    let f = lay.frame;
    // On a page of fixed height the rows share the plot: `s` scales a
    // standard row's insides to the row.
    let row_h = if cv.height.is_some() {
        f.h / rows.len().max(1) as f64
    } else {
        ROW_H
    };
    let s = row_h / ROW_H;
    let when = mark.map_or_else(String::new, |m| format!(", {}", axis.format(m.at)));
    let mut svg = lay.start(
        &format!("Where the time goes: incident {} ({bug}){when}", k + 1),
        &format!(
            "phases at their medians, milestones with p10–p90 whiskers; {} runs per strategy (seed {})",
            c.done, c.seed
        ),
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = ticks
        .iter()
        .filter(|v| **v >= x_lo && **v <= x_hi)
        .map(|v| {
            let date = mark.map(|m| {
                let t =
                    m.at.saturating_add(SimDuration::from_millis((v * unit.ms).round() as u64));
                let full = axis.format(t);
                // `Wed 26 Dec`: the day is what the reader needs here.
                full.split(' ').take(3).collect::<Vec<_>>().join(" ")
            });
            (f.x_of(*v, x_lo, x_hi), number_label(*v), date)
        })
        .collect();
    // Dates under the ticks only when they are spaced enough to read.
    let x_ticks = if x_ticks.len() > 1 && f.w / (x_ticks.len() as f64) < cv.len(80.0) {
        x_ticks.into_iter().map(|(x, l, _)| (x, l, None)).collect()
    } else {
        x_ticks
    };
    lay.x_axis(
        &mut svg,
        &x_ticks,
        &format!(
            "{} after the strike{}",
            unit.name,
            if mark.is_some() {
                " (local date below, as in the first run)"
            } else {
                ""
            }
        ),
    );
    lay.markers(&mut svg, &markers);
    let x_of = |h: f64| f.x_of(h / per_unit_h, x_lo, x_hi);
    for (i, r) in rows.iter().enumerate() {
        let y = f.y + i as f64 * row_h;
        svg.open(&[
            ("class", "phase-row".into()),
            ("data-strategy", r.strategy.clone()),
        ]);
        svg.text(f.x - 8.0, y + 18.0 * s, &r.strategy, Anchor::End);
        let mut from = 0.0;
        for ((label, fill), end) in PHASE_BARS.iter().zip(r.ends) {
            let Some(end) = end else { continue };
            let end = end.max(from);
            let tip = format!(
                "{}: {label}, {} to {} after the strike (median)",
                r.strategy,
                hours(from),
                hours(end)
            );
            svg.with_tip(
                "rect",
                &[
                    ("x", num(x_of(from))),
                    ("y", num(y + 8.0 * s)),
                    ("width", num((x_of(end) - x_of(from)).max(0.0))),
                    ("height", num(16.0 * s)),
                    ("fill", (*fill).into()),
                    ("class", "phase".into()),
                    ("data-phase", (*label).into()),
                    ("data-end-h", format!("{end}")),
                ],
                &tip,
            );
            from = end;
        }
        for (j, ((_, label, dash), m)) in PHASE_MILESTONES.iter().zip(r.milestones).enumerate() {
            let Some((p10, p50, p90)) = m else { continue };
            let wy = y + 29.0 * s + j as f64 * 4.0 * s;
            svg.line_dashed((x_of(p10), wy), (x_of(p90), wy), INK, cv.line(1.4), dash);
            svg.with_tip(
                "circle",
                &[
                    ("cx", num(x_of(p50))),
                    ("cy", num(wy)),
                    ("r", num(cv.line(3.0))),
                    ("fill", INK.into()),
                    ("class", "milestone".into()),
                    ("data-milestone", (*label).into()),
                    ("data-p50-h", format!("{p50}")),
                ],
                &format!(
                    "{}: {label} back {} after the strike (median; p10 {}, p90 {})",
                    r.strategy,
                    hours(p50),
                    hours(p10),
                    hours(p90)
                ),
            );
        }
        svg.close();
    }
    lay.legend(&mut svg, &legend);
    let strike = mark.map(|m| (&axis, m));
    svg.describe(&phase_finding(&rows, strike));
    svg.finish()
}
