//! The report of `hvsim compare`: the findings first ([`super::findings`]),
//! then per strategy the distribution of each metric, then the paired
//! differences against the first strategy with a plain-language verdict.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::montecarlo::{Comparison, MetricKind, MetricStat, Moments, SweepPoint};
use crate::sim::SimDuration;
use crate::sweep::show as show_value;

/// A percentage with `decimals` decimals, or more when that many would
/// round a value short of 100 % up to it or a value above 0 % down to it:
/// `100.0 %` and `0.0 %` are only ever exact.
pub(crate) fn percent(v: f64, decimals: usize) -> String {
    let mut d = decimals;
    loop {
        let text = format!("{v:.d$}");
        let s = text.trim_start_matches('-');
        let zero = s.chars().all(|c| c == '0' || c == '.');
        let hundred = s.strip_prefix("100").is_some_and(|r| {
            r.is_empty()
                || r.strip_prefix('.')
                    .is_some_and(|r| r.chars().all(|c| c == '0'))
        });
        if d >= 6 || !((zero && v != 0.0) || (hundred && v.abs() != 100.0)) {
            return format!("{text} %");
        }
        d += 1;
    }
}

/// A difference of shares in percentage points, signed: `+12.5 pp`.
pub(crate) fn points(v: f64) -> String {
    let text = percent(v, 1);
    let text = text.trim_end_matches(" %");
    if v > 0.0 {
        format!("+{text} pp")
    } else {
        format!("{text} pp")
    }
}

/// A share of runs (a [`MetricKind::Share`] metric) with its 95 % Wilson
/// interval: `97.0 % of runs (95 % CI 95.9–98.1 %)`; `—` without runs.
pub(crate) fn share_text(st: &MetricStat) -> String {
    match st.share() {
        None => "—".into(),
        Some((p, (lo, hi))) => format!(
            "{} of runs (95 % CI {}–{})",
            percent(p, 1),
            percent(lo, 1).trim_end_matches(" %"),
            percent(hi, 1)
        ),
    }
}

pub(crate) fn show(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".into(),
        Some(v) if unit == "pp" => points(v),
        Some(v) if unit == "h" => {
            let ms = v * 3_600_000.0;
            let d = SimDuration::from_millis_f64(ms.abs());
            if v < 0.0 {
                format!("-{d}")
            } else {
                d.to_string()
            }
        }
        // Availabilities live between 99 and 100 %: one decimal hides them.
        Some(v)
            if unit == "%"
                && ((90.0..100.0).contains(&v.abs())
                    || (0.0..0.1).contains(&v.abs()) && v != 0.0) =>
        {
            percent(v, 3)
        }
        Some(v) if unit == "%" => percent(v, 1),
        Some(v) => format!("{v:.1} {unit}"),
    }
}

pub(crate) fn interval(m: &Moments, unit: &str) -> String {
    if m.n < 2 {
        return show((m.n == 1).then_some(m.mean()), unit);
    }
    format!(
        "{} ± {}",
        show(Some(m.mean()), unit),
        show(Some(m.ci95()), unit)
    )
}

/// The verdict on one paired difference, in words.
pub fn verdict(c: &Comparison, metric: usize, strategy: usize) -> String {
    let base = &c.strategies[0].id;
    let s = &c.strategies[strategy];
    let def = &c.metrics[metric];
    let d = &s.diffs[metric];
    if d.n == 0 && c.nothing_down() {
        return format!(
            "{}: no app went down in any run, nothing to compare",
            def.name
        );
    }
    if d.n < 2 {
        return format!("{}: too few paired runs to compare", def.name);
    }
    if d.mean() == 0.0 && d.variance() == 0.0 {
        return format!(
            "{}: {} and {base} are identical in every replication",
            def.name, s.id
        );
    }
    let (lo, hi) = (d.mean() - d.ci95(), d.mean() + d.ci95());
    // The same difference in every run: no interval of no width.
    let constant = d.variance() == 0.0;
    if def.kind == MetricKind::Share {
        // Differences of shares, in percentage points, signed, with
        // Newcombe's paired interval: within ±100 pp, and no point even
        // when every replication agrees.
        let (lo, hi) = c
            .diff_interval(metric, strategy)
            .unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        let [mean, a, b] = super::findings::ci_texts(d.mean(), lo, hi, "pp");
        let every = if constant {
            "in every replication; "
        } else {
            ""
        };
        let ci = format!("{every}95 % CI {a} to {b}");
        return if lo <= 0.0 && hi >= 0.0 {
            format!(
                "{}: no significant difference between {} and {base} ({mean}, {ci})",
                def.name, s.id,
            )
        } else {
            let how = if d.mean() > 0.0 { "more" } else { "less" };
            format!(
                "{}: {} {how} often than {base}, by {mean} ({ci})",
                def.name, s.id
            )
        };
    }
    // Differences of percentages are in percentage points.
    let amount = |v: f64| match def.diff_unit() {
        "pp" => format!("{} pp", percent(v, 1).trim_end_matches(" %")),
        unit => show(Some(v), unit),
    };
    // The mean and the interval's ends at the precision that tells the
    // ends apart (never `1d–1d`); the same difference in every run says so.
    let texts = |m: f64, a: f64, b: f64| -> (String, String) {
        let first = [m, a, b].map(amount);
        let [m, a, b] = if first[1] != first[2] {
            first
        } else {
            super::findings::ci_texts(m, a, b, def.diff_unit())
        };
        let range = if constant {
            "in every replication".to_string()
        } else {
            format!("95 % CI {a}–{b}")
        };
        (m, range)
    };
    if lo <= 0.0 && hi >= 0.0 {
        return format!(
            "{}: no significant difference between {} and {base} ({})",
            def.name,
            s.id,
            texts(d.mean(), lo, hi).1
        );
    }
    // Milestones are instants (sooner, later); other metrics are amounts.
    let instant = def.unit == "h" && def.name.ends_with(" back");
    let (word, a, b) = if d.mean() < 0.0 {
        (if instant { "sooner" } else { "lower" }, -hi, -lo)
    } else {
        (if instant { "later" } else { "higher" }, lo, hi)
    };
    let (mean, range) = texts(d.mean().abs(), a, b);
    format!(
        "{}: {} is {} {word} than {base} ({})",
        def.name, s.id, mean, range
    )
}

/// What a comparison says when no app went down in any run.
const NOTHING_DOWN: &str = "No outage: no app went down in {runs}, so there was \
     nothing to recover (no bug struck and no host failed within the horizon).";

/// `any of the 5 runs`, `the one run`.
fn runs_said(n: u64) -> String {
    if n == 1 {
        "the one run".to_string()
    } else {
        format!("any of the {n} runs")
    }
}

/// Renders a comparison for people.
pub fn render_compare(scenario_name: &str, c: &Comparison) -> String {
    let mut out = String::new();
    let names: Vec<&str> = c.strategies.iter().map(|s| s.id.as_str()).collect();
    let _ = writeln!(
        out,
        "{scenario_name}: {} replications of {} on common random numbers (seed {})",
        c.done,
        names.join(", "),
        c.seed
    );
    if c.nothing_down() {
        let _ = writeln!(
            out,
            "\n{}",
            NOTHING_DOWN.replace("{runs}", &runs_said(c.done))
        );
    }
    out.push_str(&super::findings::render_findings(c));
    if c.strategies.len() > 1 {
        let _ = writeln!(out, "\nDetail: each metric per strategy");
    }
    for (m, def) in c.metrics.iter().enumerate() {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if def.kind == MetricKind::Share {
            // A yes/no per run: the share of runs, no quantiles.
            table.set_header(vec!["strategy", "share of runs (95 % CI)"]);
            for s in &c.strategies {
                table.add_row(vec![s.id.clone(), share_text(&s.stats[m])]);
            }
        } else {
            table.set_header(vec![
                "strategy",
                "mean ± 95 % CI",
                "min",
                "p50",
                "p90",
                "p99",
                "max",
                "reached",
            ]);
            for s in &c.strategies {
                let st = &s.stats[m];
                let reached = st.moments.n as f64 / c.done.max(1) as f64 * 100.0;
                table.add_row(vec![
                    s.id.clone(),
                    interval(&st.moments, def.unit),
                    show(st.min(), def.unit),
                    show(st.quantile(0.5), def.unit),
                    show(st.quantile(0.9), def.unit),
                    show(st.quantile(0.99), def.unit),
                    show(st.max(), def.unit),
                    format!("{reached:.0} %"),
                ]);
            }
        }
        for col in 1..8 {
            if let Some(c) = table.column_mut(col) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        let _ = writeln!(out, "\n{}\n{table}", def.name);
    }
    if c.strategies.len() > 1 {
        let _ = writeln!(
            out,
            "\nPaired differences against {} (same faults, same work draws)",
            c.strategies[0].id
        );
        for s in 1..c.strategies.len() {
            for m in 0..c.metrics.len() {
                let _ = writeln!(out, "  {}", verdict(c, m, s));
            }
        }
    }
    out
}

/// `hvsim compare --json`.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct CompareJson {
    pub schema: &'static str,
    pub scenario: String,
    pub seed: u64,
    /// [`crate::sim::STREAM_VERSION`].
    pub streams: u32,
    pub runs: u64,
    pub strategies: Vec<StrategyJson>,
}

/// One strategy in [`CompareJson`].
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct StrategyJson {
    pub id: String,
    pub metrics: Vec<MetricJson>,
}

/// One metric in [`StrategyJson`]; values in `unit`.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct MetricJson {
    pub name: String,
    pub unit: &'static str,
    /// `quantity` or `share`.
    pub kind: &'static str,
    pub reached: u64,
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
    /// Quantiles: `null` for a share.
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    /// Exact.
    pub max: Option<f64>,
    /// Exact.
    pub min: Option<f64>,
    /// For a share: the 95 % Wilson interval `[low, high]` of the share, in %.
    pub share_ci95: Option<[f64; 2]>,
    pub diff_vs_first: Option<DiffJson>,
}

/// A paired difference.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct DiffJson {
    pub n: u64,
    pub mean: f64,
    /// The half-width of the normal interval of the mean difference.
    pub ci95: f64,
    /// The 95 % interval `[low, high]` the verdicts follow: Newcombe's
    /// paired interval for a share, mean ± `ci95` for a quantity.
    pub interval: Option<[f64; 2]>,
    /// `pp` (percentage points) for a share, else the metric's unit.
    pub unit: &'static str,
}

/// Builds the JSON document of a comparison.
pub fn compare_json(scenario_name: &str, c: &Comparison) -> CompareJson {
    CompareJson {
        schema: "hvsim.compare/1",
        scenario: scenario_name.to_string(),
        seed: c.seed,
        streams: crate::sim::STREAM_VERSION,
        runs: c.done,
        strategies: c
            .strategies
            .iter()
            .enumerate()
            .map(|(k, s)| StrategyJson {
                id: s.id.clone(),
                metrics: c
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(m, def)| {
                        let st = &s.stats[m];
                        let mo = st.moments;
                        let d = s.diffs[m];
                        let share = def.kind == MetricKind::Share;
                        let quantile = |q| st.quantile(q).filter(|_| !share);
                        MetricJson {
                            name: def.name.clone(),
                            unit: def.unit,
                            kind: def.kind.as_str(),
                            reached: mo.n,
                            mean: (mo.n > 0).then_some(mo.mean()),
                            ci95: (mo.n > 1).then(|| mo.ci95()),
                            p50: quantile(0.5),
                            p90: quantile(0.9),
                            p99: quantile(0.99),
                            max: st.max(),
                            min: st.min(),
                            share_ci95: st.share().filter(|_| share).map(|(_, (lo, hi))| [lo, hi]),
                            diff_vs_first: (k > 0 && d.n > 1).then(|| DiffJson {
                                n: d.n,
                                mean: d.mean(),
                                ci95: d.ci95(),
                                interval: c.diff_interval(m, k).map(|(lo, hi)| [lo, hi]),
                                unit: def.diff_unit(),
                            }),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub(crate) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Every metric at every sweep point, one row per (point, strategy, metric).
pub fn sweep_csv(names: &[String], results: &[SweepPoint]) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    let mut out = String::new();
    for n in names {
        out.push_str(&csv_field(n));
        out.push(',');
    }
    out.push_str("strategy,metric,unit,mean,ci95,p50,p90,p99,max,reached,runs,kind,min\n");
    for (point, _, c) in results {
        for s in &c.strategies {
            for (m, def) in c.metrics.iter().enumerate() {
                let st = &s.stats[m];
                let mo = st.moments;
                let quantile = |q| st.quantile(q).filter(|_| def.kind != MetricKind::Share);
                for v in point {
                    out.push_str(&csv_field(&show_value(v)));
                    out.push(',');
                }
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&s.id),
                    csv_field(&def.name),
                    csv_field(def.unit),
                    opt((mo.n > 0).then(|| mo.mean())),
                    opt((mo.n > 1).then(|| mo.ci95())),
                    opt(quantile(0.5)),
                    opt(quantile(0.9)),
                    opt(quantile(0.99)),
                    opt(st.max()),
                    mo.n,
                    c.done,
                    def.kind.as_str(),
                    opt(st.min())
                );
            }
        }
    }
    out
}

/// The sweep table: per point and strategy, the headline metrics.
pub fn render_sweep(names: &[String], results: &[SweepPoint]) -> String {
    let mut out = String::new();
    let Some((_, scenario, first)) = results.first() else {
        return out;
    };
    // Headline: the 90 % milestone of the last incident, mean downtime,
    // impact, and the probability of meeting each objective.
    let names_of = |m: usize| first.metrics[m].name.as_str();
    let n = first.metrics.len();
    let mut picks: Vec<usize> = Vec::new();
    picks.extend((0..n).rev().find(|&m| names_of(m).ends_with("90 % back")));
    picks.extend((0..n).find(|&m| names_of(m).starts_with("mean downtime")));
    picks.extend((0..n).find(|&m| names_of(m).starts_with("weighted impact")));
    picks.extend((0..n).filter(|&m| first.metrics[m].unit == "%"));
    let _ = writeln!(
        out,
        "{scenario}: sweep of {} over {}\n{} replications per strategy and point (seed {})",
        names.join(", "),
        crate::units::counted(results.len(), "point", "points"),
        first.done,
        first.seed
    );
    // One block per metric, within SWEEP_WIDTH columns: points down and
    // strategies across when that fits, else one row per point and
    // strategy. `--csv` has every metric at every point.
    for &m in &picks {
        let def = &first.metrics[m];
        let cell = |c: &crate::montecarlo::Comparison, s: usize| match c.metrics[m].kind {
            MetricKind::Share => share_cell(&c.strategies[s].stats[m]),
            MetricKind::Quantity => interval(&c.strategies[s].stats[m].moments, c.metrics[m].unit),
        };
        let what = match def.kind {
            MetricKind::Share => "share of runs, 95 % CI",
            MetricKind::Quantity => "mean ± 95 % CI",
        };
        let wide = sweep_block(names, results, &cell, true);
        let table = if table_width(&wide) <= SWEEP_WIDTH {
            wide
        } else {
            sweep_block(names, results, &cell, false)
        };
        let _ = writeln!(out, "\n{} ({what})\n{table}", def.name);
    }
    out
}

/// The width [`render_sweep`]'s tables keep to when they can.
const SWEEP_WIDTH: usize = 100;

/// The widest line of a rendered table, in characters.
fn table_width(table: &Table) -> usize {
    table
        .to_string()
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

/// A share in a sweep's cell: `97.0 % (95.9–98.1)`.
fn share_cell(st: &MetricStat) -> String {
    match st.share() {
        None => "—".into(),
        Some((p, (lo, hi))) => format!(
            "{} ({}–{})",
            percent(p, 1),
            percent(lo, 1).trim_end_matches(" %"),
            percent(hi, 1).trim_end_matches(" %")
        ),
    }
}

/// One metric of a sweep as a table: `wide`, a row per point and a column
/// per strategy; otherwise a row per point and strategy.
fn sweep_block(
    names: &[String],
    results: &[SweepPoint],
    cell: &dyn Fn(&crate::montecarlo::Comparison, usize) -> String,
    wide: bool,
) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    let mut header: Vec<String> = names.to_vec();
    let strategies: Vec<String> = results
        .first()
        .map(|(_, _, c)| c.strategies.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    if wide {
        header.extend(strategies.iter().cloned());
    } else {
        header.push("strategy".into());
        header.push("value".into());
    }
    table.set_header(header);
    for (point, _, c) in results {
        let at: Vec<String> = point.iter().map(show_value).collect();
        if wide {
            let mut row = at;
            row.extend((0..c.strategies.len()).map(|s| cell(c, s)));
            table.add_row(row);
        } else {
            for (s, st) in c.strategies.iter().enumerate() {
                let mut row = at.clone();
                row.push(st.id.clone());
                row.push(cell(c, s));
                table.add_row(row);
            }
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_100_or_0_only_when_exact() {
        assert_eq!(percent(100.0, 1), "100.0 %");
        assert_eq!(percent(0.0, 1), "0.0 %");
        assert_eq!(percent(97.0, 1), "97.0 %");
        assert_eq!(percent(99.99, 1), "99.99 %");
        assert_eq!(percent(99.9996, 3), "99.9996 %");
        assert_eq!(percent(0.004, 1), "0.004 %");
        assert_eq!(show(Some(99.99), "%"), "99.990 %");
    }

    #[test]
    fn differences_of_shares_are_signed_percentage_points() {
        assert_eq!(points(12.5), "+12.5 pp");
        assert_eq!(points(-12.5), "-12.5 pp");
        assert_eq!(points(0.0), "0.0 pp");
        assert_eq!(points(0.04), "+0.04 pp");
        assert_eq!(show(Some(3.0), "pp"), "+3.0 pp");
    }
}
