//! The distribution of recovery milestones: for one incident, the
//! cumulative share of replications in which 90 % (solid) and 100 %
//! (dashed) of its apps were back, against the time since the strike, one
//! colour per strategy. A curve that levels off below 100 % says that the
//! milestone was not reached within the horizon in every run.

use super::Page;
use super::axis::{duration_unit, nice_range, nice_ticks, number_label};
use super::{INK, LegendEntry, Swatch, WIDTH, no_data, series_style};
use crate::montecarlo::{Comparison, MetricStat};

/// The milestones drawn, with their line dash.
pub const MILESTONES: [(&str, &str); 2] = [("90 % back", ""), ("100 % back", "7 4")];

/// The index of incident `k`'s (from 0) metric ending in `suffix`
/// (`90 % back`), if the comparison has it.
pub fn milestone_metric(c: &Comparison, k: usize, suffix: &str) -> Option<usize> {
    let prefix = format!("incident {} (", k + 1);
    c.metrics
        .iter()
        .position(|m| m.name.starts_with(&prefix) && m.name.ends_with(&format!(": {suffix}")))
}

/// The incidents a comparison measures: `(index from 0, bug id)`.
pub fn incidents(c: &Comparison) -> Vec<(usize, String)> {
    (0..)
        .map_while(|k| {
            let i = milestone_metric(c, k, MILESTONES[0].0)?;
            let name = &c.metrics[i].name;
            let bug = name
                .split_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .map_or("", |(bug, _)| bug);
            Some((k, bug.to_string()))
        })
        .collect()
}

/// The empirical CDF of one metric: `(hours, share of all runs)` steps,
/// each at the top of its histogram bucket brought into the exact
/// `[min, max]` of the values (the last step is at the exact max).
pub fn cdf(stat: &MetricStat, runs: u64) -> Vec<(f64, f64)> {
    let (Some(lo), Some(hi)) = (stat.min(), stat.max()) else {
        return Vec::new();
    };
    let mut acc = 0u64;
    let mut steps = Vec::new();
    for v in stat.hist.iter_recorded() {
        acc += v.count_at_value();
        steps.push((
            (v.value_iterated_to() as f64 / 3_600.0).max(lo).min(hi),
            acc as f64 / runs.max(1) as f64,
        ));
    }
    steps
}

/// One line of the chart: (strategy, milestone, CDF steps).
type Series = (usize, usize, Vec<(f64, f64)>);

/// The finding of incident `k`'s chart, for its `<desc>`: per milestone,
/// the strategy whose median run gets there soonest and the latest.
fn distribution_finding(c: &Comparison, k: usize, series: &[Series]) -> String {
    let median = |steps: &[(f64, f64)]| {
        steps
            .iter()
            .find(|(_, share)| *share >= 50.0)
            .map(|(h, _)| *h)
    };
    let when =
        |h: f64| crate::sim::SimDuration::from_millis((h * 3_600_000.0).round() as u64).to_string();
    let mut parts = Vec::new();
    for (mi, (label, _)) in MILESTONES.iter().enumerate() {
        let mut medians: Vec<(f64, &str)> = series
            .iter()
            .filter(|(_, m, _)| *m == mi)
            .filter_map(|(si, _, steps)| Some((median(steps)?, c.strategies[*si].id.as_str())))
            .collect();
        medians.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        if let (Some(first), Some(last)) = (medians.first(), medians.last()) {
            parts.push(format!(
                "{label}: {} soonest (median {} after the strike), {} latest ({})",
                first.1,
                when(first.0),
                last.1,
                when(last.0)
            ));
        }
    }
    if parts.is_empty() {
        format!(
            "Incident {}: no strategy got there in half of its runs.",
            k + 1
        )
    } else {
        format!("Incident {}: {}.", k + 1, parts.join("; "))
    }
}

/// Renders incident `k`'s milestone distributions; `command` is the
/// command line that reproduces the comparison, written under the
/// subtitle (none if empty).
pub fn milestone_distribution<'a>(
    c: &Comparison,
    k: usize,
    bug: &str,
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let series: Vec<Series> = MILESTONES
        .iter()
        .enumerate()
        .filter_map(|(mi, (suffix, _))| Some((mi, milestone_metric(c, k, suffix)?)))
        .flat_map(|(mi, metric)| {
            c.strategies
                .iter()
                .enumerate()
                .map(move |(si, s)| (si, mi, cdf(&s.stats[metric], c.done)))
        })
        .collect();
    let hours = || {
        series
            .iter()
            .flat_map(|(_, _, steps)| steps.iter().map(|(h, _)| *h))
    };
    let max_h = hours().fold(0.0f64, f64::max);
    let min_h = hours().fold(f64::INFINITY, f64::min).min(max_h);
    let unit = duration_unit(max_h * 3_600_000.0);
    let per_unit_h = unit.ms / 3_600_000.0;
    // From a round value below the first run, not from 0: the spread is
    // what the chart is for.
    let (x_lo, x_hi, x_ticks_v) = nice_range(
        (min_h / per_unit_h).max(0.0),
        (max_h / per_unit_h).max(min_h / per_unit_h + 1e-3),
        cv.range_ticks(10),
    );
    let x_lo = x_lo.max(0.0);
    let mut legend: Vec<LegendEntry> = c
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            swatch: Swatch::Line(series_style(i).0, ""),
            label: s.id.clone(),
        })
        .collect();
    for (label, dash) in MILESTONES {
        legend.push(LegendEntry {
            swatch: Swatch::Line(INK, dash),
            label: label.to_string(),
        });
    }
    let lay = page.layout(WIDTH, 300.0, None, &[], &legend);
    let f = lay.frame;
    let mut svg = lay.start(
        &format!("Time to 90 % and 100 % of apps back — incident {} ({bug})", k + 1),
        &format!(
            "cumulative share of {} replications per strategy (seed {}); a curve below 100 % at the right did not always get there",
            c.done, c.seed
        ),
    );
    svg.describe(&distribution_finding(c, k, &series));
    let y_ticks: Vec<(f64, String)> = nice_ticks(0.0, 100.0, cv.ticks(6))
        .into_iter()
        .map(|v| (v, number_label(v)))
        .collect();
    lay.y_axis(
        &mut svg,
        &y_ticks,
        0.0,
        100.0,
        "replications that got there (%)",
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = x_ticks_v
        .iter()
        .filter(|v| **v >= x_lo)
        .map(|v| (f.x_of(*v, x_lo, x_hi), number_label(*v), None))
        .collect();
    lay.x_axis(
        &mut svg,
        &x_ticks,
        &format!("{} after the strike", unit.name),
    );
    if series.iter().all(|(_, _, s)| s.is_empty()) {
        no_data(
            &mut svg,
            &f,
            "the milestones were not reached in any replication",
        );
    }
    svg.open(&[("class", "cdfs".into())]);
    for (si, mi, steps) in &series {
        if steps.is_empty() {
            continue;
        }
        // A step function: flat until the next value, then up.
        let mut pts = vec![(f.x, f.y_of(0.0, 0.0, 100.0))];
        let mut prev = 0.0;
        for (h, share) in steps {
            let x = f.x_of(h / per_unit_h, x_lo, x_hi);
            pts.push((x, f.y_of(prev * 100.0, 0.0, 100.0)));
            pts.push((x, f.y_of(share * 100.0, 0.0, 100.0)));
            prev = *share;
        }
        pts.push((f.x + f.w, f.y_of(prev * 100.0, 0.0, 100.0)));
        svg.polyline(&pts, series_style(*si).0, cv.line(2.0), MILESTONES[*mi].1);
    }
    svg.close();
    lay.legend(&mut svg, &legend);
    svg.finish()
}
