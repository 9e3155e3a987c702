//! DR capacity in use over the runs of a comparison: per strategy, the
//! median share of the DR site's memory in use with its p10–p90 band, the
//! capacity line at 100 %, and below, the share of runs in which the site
//! was full at each instant.
//!
//! Drawn from a sample of the comparison's own replications: the first
//! 100 (`montecarlo::DR_USE_RUNS`; or fewer, as many as it ran) of each strategy, whose
//! DR use the study kept in its one pass (replication `i` with
//! `replication_seed(seed, i)`, each the run `hvsim run --seed` gives for
//! that seed; see [`Study::with_dr_use`](crate::montecarlo::Study::with_dr_use)):
//! nothing is simulated here. Each run's use (see
//! [`dr_use`](crate::metrics::dr_use)) is sampled on a common grid of
//! [`GRID_POINTS`] instants over the span where anything moves; the
//! quantiles at each instant are nearest-rank (the `⌈q·n⌉`-th smallest),
//! so that the median of 10 runs is the 5th. The runs are kept in
//! replication order, merged shards included: the chart depends neither
//! on `--jobs` nor on sharding.

use super::{FULL, capacity_line, date_x_axis, share_scale};
use crate::chart::axis::DateAxis;
use crate::chart::clock::Clock;
use crate::chart::curve::{BAND_OPACITY, and_list, coinciding, draw_end_labels, end_labels_width};
use crate::chart::svg::{Anchor, num};
use crate::chart::{
    INK, Layout, LegendEntry, Page, Swatch, WIDTH, incident_markers, no_data, series_style,
};
use crate::model::Scenario;
use crate::montecarlo::{Comparison, IncidentMark, RunUse, UseStep};
use crate::sim::SimTime;

/// Instants of the common grid.
pub const GRID_POINTS: usize = 200;
const PLOT_H: f64 = 220.0;
const GAP_H: f64 = 30.0;
const STRIP_H: f64 = 60.0;

/// One strategy's use over its sampled runs, per grid instant.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyUse {
    /// The strategy's id.
    pub id: String,
    /// Memory in use, % of the DR hosts up: p10, median, p90.
    pub p10: Vec<f64>,
    /// The median.
    pub p50: Vec<f64>,
    /// The p90.
    pub p90: Vec<f64>,
    /// % of the runs in which the site was full.
    pub full: Vec<f64>,
    /// Runs in which the site was full at some instant of the grid.
    pub runs_full: u64,
}

/// The DR site's use over the sampled runs of each strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct RunsUse {
    /// The grid's instants, ascending.
    pub times: Vec<SimTime>,
    /// Runs sampled per strategy.
    pub runs: u64,
    /// The comparison's master seed.
    pub seed: u64,
    /// Per strategy, in the comparison's order.
    pub strategies: Vec<StrategyUse>,
}

/// The `q` quantile of `values` by nearest rank (sorts them).
fn nearest_rank(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    values[rank - 1]
}

/// The DR site's use over the first runs of each strategy of `c`, as the
/// study kept it ([`Study::with_dr_use`](crate::montecarlo::Study::with_dr_use)),
/// sampled on a common grid; `None` when it kept none (no DR site, or a
/// study without it).
pub fn sample(scenario: &Scenario, c: &Comparison) -> Option<RunsUse> {
    let n = c.strategies.iter().map(|s| s.dr_use.len()).min()?;
    if n == 0 {
        return None;
    }
    let per_strategy: Vec<&[RunUse]> = c.strategies.iter().map(|s| &s.dr_use[..n]).collect();
    let runs = || per_strategy.iter().flat_map(|r| r.iter());
    let horizon = scenario.horizon_end();
    let start = runs().filter_map(|r| r.start).min();
    let end = runs().map(|r| r.end).max().unwrap_or(SimTime::ZERO);
    let (t0, t1) = match start {
        Some(a) if end > a => {
            let margin = (end.as_millis() - a.as_millis()) / 40;
            (
                SimTime::from_millis(a.as_millis().saturating_sub(margin)),
                SimTime::from_millis(end.as_millis().saturating_add(margin)).min(horizon),
            )
        }
        _ => (SimTime::ZERO, horizon),
    };
    let times = crate::montecarlo::Grid::between(t0, t1, GRID_POINTS).times;
    let strategies = c
        .strategies
        .iter()
        .zip(&per_strategy)
        .map(|(summary, mine)| {
            let mut u = StrategyUse {
                id: summary.id.clone(),
                p10: Vec::with_capacity(times.len()),
                p50: Vec::with_capacity(times.len()),
                p90: Vec::with_capacity(times.len()),
                full: Vec::with_capacity(times.len()),
                runs_full: mine
                    .iter()
                    .filter(|r| times.iter().any(|&t| r.at(t).is_some_and(|s| s.full)))
                    .count() as u64,
            };
            for &t in &times {
                let steps: Vec<Option<&UseStep>> = mine.iter().map(|r| r.at(t)).collect();
                let mut values: Vec<f64> = steps
                    .iter()
                    .map(|s| s.map_or(0.0, UseStep::memory_pct))
                    .collect();
                u.p10.push(nearest_rank(&mut values, 0.1));
                u.p50.push(nearest_rank(&mut values, 0.5));
                u.p90.push(nearest_rank(&mut values, 0.9));
                let full = steps.iter().filter(|s| s.is_some_and(|s| s.full)).count();
                u.full.push(100.0 * full as f64 / n as f64);
            }
            u
        })
        .collect();
    Some(RunsUse {
        times,
        runs: n as u64,
        seed: c.seed,
        strategies,
    })
}

/// The chart's finding, per strategy: how full its median run gets and
/// when, and in how many runs the site ran out of room.
pub fn finding(scenario: &Scenario, u: &RunsUse) -> String {
    let axis = DateAxis::new(scenario);
    let parts: Vec<String> = u
        .strategies
        .iter()
        .map(|s| {
            let (peak_at, peak) = s
                .p50
                .iter()
                .enumerate()
                .fold(
                    (0, f64::MIN),
                    |best, (p, &v)| if v > best.1 { (p, v) } else { best },
                );
            let high = s.p90.iter().copied().fold(0.0f64, f64::max);
            let at = u
                .times
                .get(peak_at)
                .map_or(String::new(), |&t| axis.format(t));
            let room = match s.runs_full {
                0 => "never runs out of room".to_string(),
                k => format!("runs out of room in {k} of {} runs", u.runs),
            };
            if high <= 0.0 {
                return format!("{} leaves the DR site empty", s.id);
            }
            let mut text = if peak >= 99.5 {
                format!(
                    "{} fills the DR site's memory to 100 % by {at} in the median run",
                    s.id
                )
            } else {
                format!(
                    "{} reaches {:.0} % of the DR site's memory by {at} in the median run",
                    s.id, peak
                )
            };
            if high.round() > peak.round() {
                text.push_str(&format!(" ({:.0} % in the p90)", high));
            }
            text.push_str(&format!(" and {room}"));
            text
        })
        .collect();
    format!("Over {} runs per strategy: {}.", u.runs, parts.join("; "))
}

/// The grid's instants and a strategy's values, as data attributes: what
/// the chart draws, for readers and tests that parse it.
fn values_attr(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders the DR site's use over the sampled runs `u` on `page`, whose
/// command reproduces the comparison (none if empty).
pub fn dr_capacity_over_runs<'a>(
    scenario: &Scenario,
    u: &RunsUse,
    incidents: &[IncidentMark],
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let axis = DateAxis::new(scenario);
    let clock = Clock::new(scenario);
    let (t0, t1) = (
        u.times.first().copied().unwrap_or(SimTime::ZERO),
        u.times.last().copied().unwrap_or(SimTime::ZERO),
    );
    let (lo, hi) = (t0.as_millis() as f64, t1.as_millis() as f64);
    let frac = |t: SimTime| (t.as_millis() as f64 - lo) / (hi - lo).max(1.0);
    let markers = incident_markers(incidents, frac);
    let band = u.runs > 1;
    // Each median line is named at its end (the strip's lines share its
    // colour and dash), not in a legend; lines drawn over each other are
    // said to be.
    let labels: Vec<(usize, String, Option<String>)> = u
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.id.clone(), None))
        .collect();
    let shown: Vec<usize> = (0..u.strategies.len()).collect();
    let coincide = coinciding(&shown, |i, p| u.strategies[i].p50[p], u.times.len());
    let mut legend: Vec<LegendEntry> = coincide
        .iter()
        .map(|group| {
            let names: Vec<&str> = group.iter().map(|&i| u.strategies[i].id.as_str()).collect();
            LegendEntry {
                swatch: Swatch::Note,
                label: format!("{} coincide: one median line", and_list(&names)),
            }
        })
        .collect();
    if band {
        legend.push(LegendEntry {
            swatch: Swatch::Fill(series_style(0).0, BAND_OPACITY * 2.0),
            label: "p10–p90 across runs (in each line's colour)".into(),
        });
    }
    legend.push(LegendEntry {
        swatch: Swatch::Line(INK, ""),
        label: "capacity of the DR hosts up".into(),
    });
    let right = end_labels_width(&cv, &labels);
    let lay = Layout::on(
        cv,
        WIDTH,
        PLOT_H + GAP_H + STRIP_H,
        None,
        Some(right),
        &markers,
        &legend,
    )
    .reproduced_by(page.command);
    let f = lay.frame;
    // The strip and the gap above it as on a standard chart (in the
    // canvas's type); the upper panel takes the rest, all of the page
    // a slide leaves it.
    let (gap_h, strip_h) = (cv.len(GAP_H), cv.len(STRIP_H));
    let plot_h = f.h - gap_h - strip_h;
    let mut upper = lay.clone();
    upper.frame.h = plot_h;
    let mut svg = lay.start(
        "DR capacity in use",
        &format!(
            "median and p10–p90 of {} runs per strategy (the comparison's first replications, \
             seed {}): the DR site's memory taken",
            u.runs, u.seed
        ),
    );
    svg.describe(&finding(scenario, u));
    let peak = u
        .strategies
        .iter()
        .flat_map(|s| s.p90.iter().copied())
        .fold(100.0f64, f64::max);
    let (y_hi, y_ticks) = share_scale(peak, &cv);
    upper.y_axis(&mut svg, &y_ticks, 0.0, y_hi, "memory in use");
    date_x_axis(&lay, &mut svg, &axis, (t0, t1));
    let x = |p: usize| f.x_of(u.times[p].as_millis() as f64, lo, hi);
    let y = |v: f64| f.y + plot_h - v / y_hi * plot_h;
    let strip_top = f.y + plot_h + gap_h;
    let y_strip = |v: f64| strip_top + strip_h - v / 100.0 * strip_h;
    // Each value holds from its instant to the next one.
    let steps = |values: &[f64], y: &dyn Fn(f64) -> f64| {
        let mut pts = Vec::with_capacity(2 * values.len());
        for (p, &v) in values.iter().enumerate() {
            pts.push((x(p), y(v)));
            if p + 1 < values.len() {
                pts.push((x(p + 1), y(v)));
            }
        }
        pts
    };
    svg.open(&[
        ("class", "runs-use".into()),
        (
            "data-times",
            u.times
                .iter()
                .map(|&t| clock.rfc3339(t))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("data-runs", u.runs.to_string()),
    ]);
    for (i, s) in u.strategies.iter().enumerate() {
        let (colour, dash) = series_style(i);
        svg.open(&[
            ("class", "strategy".into()),
            ("data-strategy", s.id.clone()),
            ("data-p10", values_attr(&s.p10)),
            ("data-p50", values_attr(&s.p50)),
            ("data-p90", values_attr(&s.p90)),
            ("data-full", values_attr(&s.full)),
        ]);
        if band {
            let mut pts = steps(&s.p90, &y);
            let mut lower = steps(&s.p10, &y);
            lower.reverse();
            pts.extend(lower);
            svg.polygon(&pts, colour, BAND_OPACITY);
        }
        svg.polyline(&steps(&s.p50, &y), colour, cv.line(2.0), dash);
        svg.close();
    }
    svg.close();
    capacity_line(&mut svg, &cv, &f, y(100.0));
    draw_end_labels(&mut svg, &cv, &upper.frame, &labels, |i| {
        y(u.strategies[i].p50.last().copied().unwrap_or(0.0))
    });
    // The second panel: in how many runs the site was full.
    svg.open(&[("class", "full-share".into())]);
    svg.line(
        (f.x, strip_top),
        (f.x + f.w, strip_top),
        crate::chart::GRID_GREY,
        cv.line(1.0),
    );
    svg.line(
        (f.x, strip_top + strip_h),
        (f.x + f.w, strip_top + strip_h),
        INK,
        cv.line(1.0),
    );
    for (v, label) in [(0.0, "0 %"), (100.0, "100 %")] {
        svg.text(
            f.x - cv.len(6.0),
            y_strip(v) + cv.len(4.0),
            label,
            Anchor::End,
        );
    }
    svg.text_styled(
        f.x + cv.len(4.0),
        strip_top - cv.len(6.0),
        "share of runs in which the DR site was full (an app down did not fit)",
        Anchor::Start,
        &[("font-size", num(cv.px(11.0))), ("fill", FULL.into())],
    );
    for (i, s) in u.strategies.iter().enumerate() {
        let (colour, dash) = series_style(i);
        svg.polyline(&steps(&s.full, &y_strip), colour, cv.line(1.5), dash);
    }
    if u.strategies.iter().all(|s| s.runs_full == 0) {
        svg.text_styled(
            f.x + f.w / 2.0,
            strip_top + strip_h / 2.0 + cv.len(4.0),
            "full in no run",
            Anchor::Middle,
            &[("fill", "#555555".into())],
        );
    }
    svg.close();
    if u.times.len() < 2 {
        no_data(&mut svg, &f, "no run to draw");
    }
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::{dr_capacity_over_runs, nearest_rank, sample};
    use crate::model::Strategy;
    use crate::montecarlo::{Comparison, Study, shard};
    use proptest::prelude::*;

    /// A merge of shards draws the chart the unsharded comparison draws,
    /// byte for byte, whichever order the shards are merged in: the first
    /// 100 runs span two shards of 64 (the third holds none of them).
    #[test]
    fn a_merge_of_shards_draws_the_unsharded_chart() {
        let scenario = crate::scenario::load_default().expect("embedded scenario");
        let strategies: Vec<&Strategy> = scenario.strategies.iter().take(2).collect();
        let (runs, seed) = (130, 5);
        let study = || Study::new(&scenario, &strategies, runs, seed).jobs(2);
        let whole = study().with_dr_use().run(&|_| true).expect("runs");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = Vec::new();
        let mut kept = Vec::new();
        for i in [2, 0, 1] {
            let c = study()
                .shard((i, 3))
                .with_dr_use()
                .run(&|_| true)
                .expect("runs")
                .comparison;
            kept.push((i, c.strategies[0].dr_use.len()));
            let path = dir.path().join(format!("shard-{i}.json"));
            let bytes = shard::encode(&scenario, &strategies, &c).expect("encodes");
            std::fs::write(&path, bytes).expect("writes");
            files.push(path);
        }
        assert_eq!(kept, vec![(2, 0), (0, 64), (1, 36)]);
        let (_, merged) = shard::merge(&files).expect("merges");
        let chart = |c: &Comparison| {
            let u = sample(&scenario, c).expect("a DR site");
            (dr_capacity_over_runs(&scenario, &u, &[], ""), u)
        };
        let (want, u) = chart(&whole.comparison);
        let (got, v) = chart(&merged);
        assert_eq!(u, v);
        assert_eq!(u.runs, 100);
        assert_eq!(want, got);
        // A study that did not keep the DR use draws no such chart.
        let plain = study().run(&|_| true).expect("runs");
        assert_eq!(sample(&scenario, &plain.comparison), None);
    }

    #[test]
    fn the_median_of_ten_is_the_fifth_smallest() {
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(nearest_rank(&mut v, 0.5), 5.0);
        assert_eq!(nearest_rank(&mut v, 0.1), 1.0);
        assert_eq!(nearest_rank(&mut v, 0.9), 9.0);
    }

    proptest! {
        /// p10 ≤ median ≤ p90, each one of the values.
        #[test]
        fn quantiles_are_ordered_values(mut v in proptest::collection::vec(0.0f64..100.0, 1..50)) {
            let (a, b, c) = (nearest_rank(&mut v, 0.1), nearest_rank(&mut v, 0.5), nearest_rank(&mut v, 0.9));
            prop_assert!(a <= b && b <= c);
            for q in [a, b, c] {
                prop_assert!(v.contains(&q));
            }
        }
    }
}
