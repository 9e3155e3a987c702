//! The restored curve: apps up (or the criticality-weighted share up) over
//! real dates, one line per strategy (the median over replications) with
//! its p10–p90 band, incident markers and objective (RTO) lines.

use super::axis::{DateAxis, nice_range, nice_ticks, number_label, ticks_dividing};
use super::{Layout, LegendEntry, Marker, Swatch, WIDTH, incident_markers, no_data, series_style};

use crate::model::{AppId, Scenario};
use crate::montecarlo::{Curves, IncidentMark};
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
pub fn restored_curve(
    scenario: &Scenario,
    curves: &Curves,
    measure: Measure,
    incidents: &[IncidentMark],
    objectives: &[Objective],
    runs_label: &str,
    command: &str,
) -> String {
    let axis = DateAxis::new(scenario);
    let times = &curves.grid.times;
    let (t0, t1) = (
        times.first().copied().unwrap_or(SimTime::ZERO),
        times.last().copied().unwrap_or(SimTime::ZERO),
    );
    let (lo_ms, hi_ms) = (t0.as_millis() as f64, t1.as_millis() as f64);
    let frac = |t: SimTime| {
        if hi_ms <= lo_ms {
            -1.0
        } else {
            (t.as_millis() as f64 - lo_ms) / (hi_ms - lo_ms)
        }
    };
    let mut markers = incident_markers(incidents, frac);
    for inc in incidents {
        for o in objectives.iter().filter(|o| o.concerns(inc)) {
            markers.push(Marker {
                at: frac(inc.at.saturating_add(o.after)),
                label: format!("{} {} ({})", o.label, o.after, short_incident(&inc.label)),
                colour: "#555555",
                dash: "5 3",
            });
        }
    }
    let band = curves.strategies.iter().any(|s| s.runs > 1);
    let mut legend: Vec<LegendEntry> = curves
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (c, d) = series_style(i);
            LegendEntry {
                swatch: Swatch::Line(c, d),
                label: s.id.clone(),
            }
        })
        .collect();
    if band {
        legend.push(LegendEntry {
            swatch: Swatch::Fill(series_style(0).0, BAND_OPACITY * 2.0),
            label: "p10–p90 across replications (in each line's colour)".into(),
        });
    }
    let lay = Layout::new(WIDTH, 340.0, None, &markers, &legend).reproduced_by(command);
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
    // Ticks that divide the scale evenly up to the whole estate; when no
    // round step divides it (157 apps), the scale runs to the next round
    // value and a line marks the whole estate.
    let (y_top, y_values, whole_line) = match measure {
        Measure::WeightedShare => (100.0, nice_ticks(0.0, 100.0, 6), false),
        Measure::Count => match ticks_dividing(y_hi.max(1.0), 6, true) {
            Some(t) => (y_hi.max(1.0), t, false),
            None => {
                let (_, top, t) = nice_range(0.0, y_hi.max(1.0), 6);
                (top, t, true)
            }
        },
    };
    let y_ticks: Vec<(f64, String)> = y_values.into_iter().map(|v| (v, number_label(v))).collect();
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_top, &y_title);
    if whole_line {
        let y = f.y_of(y_hi, 0.0, y_top);
        svg.open(&[("class", "whole-estate".into())]);
        svg.line_dashed((f.x, y), (f.x + f.w, y), "#555555", 1.0, "2 3");
        svg.text_styled(
            f.x + f.w - 4.0,
            y - 4.0,
            &format!("all {} apps", curves.apps),
            super::svg::Anchor::End,
            &[("fill", "#555555".into())],
        );
        svg.close();
    }
    let x_ticks: Vec<(f64, String, Option<String>)> = axis
        .ticks(t0, t1, f.w)
        .into_iter()
        .map(|t| {
            (
                f.x_of(t.at.as_millis() as f64, lo_ms, hi_ms),
                t.label,
                t.day,
            )
        })
        .collect();
    lay.x_axis(&mut svg, &x_ticks, &axis.title(t0, t1));
    if curves.strategies.iter().all(|s| s.runs == 0) || times.len() < 2 {
        no_data(&mut svg, &f, "no replication to draw");
    }
    let value = |s: &crate::montecarlo::StrategyCurves, p: usize, q: f64| match measure {
        Measure::Count => f64::from(s.apps_up(p, q)),
        Measure::WeightedShare => s.share_up(p, q) * 100.0,
    };
    let x_at = |p: usize| f.x_of(times[p].as_millis() as f64, lo_ms, hi_ms);
    let y_at = |v: f64| f.y_of(v, 0.0, y_top);
    if band {
        svg.open(&[("class", "bands".into())]);
        for (i, s) in curves.strategies.iter().enumerate() {
            if s.runs == 0 {
                continue;
            }
            let mut pts = steps(s.points(), x_at, |p| y_at(value(s, p, 0.9)));
            let mut lower = steps(s.points(), x_at, |p| y_at(value(s, p, 0.1)));
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
        let pts = steps(s.points(), x_at, |p| y_at(value(s, p, 0.5)));
        let (c, d) = series_style(i);
        let width = 1.8 + 1.8 * (n - 1 - i) as f64 / (n.max(2) - 1) as f64;
        svg.polyline(&pts, c, width, d);
    }
    svg.close();
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.finish()
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
