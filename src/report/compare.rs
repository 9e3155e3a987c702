//! The report of `hvsim compare`: per strategy the distribution of each
//! metric, then the paired differences against the first strategy with a
//! plain-language verdict.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::montecarlo::{Comparison, Moments};
use crate::sim::SimDuration;

pub(crate) fn show(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".into(),
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
            format!("{v:.3} %")
        }
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
    let range = |a: f64, b: f64| {
        format!(
            "95 % CI {}–{}",
            show(Some(a), def.unit),
            show(Some(b), def.unit)
        )
    };
    if lo <= 0.0 && hi >= 0.0 {
        return format!(
            "{}: no significant difference between {} and {base} ({})",
            def.name,
            s.id,
            range(lo, hi)
        );
    }
    // Milestones are instants (sooner, later); other metrics are amounts.
    let instant = def.unit == "h" && def.name.ends_with(" back");
    let (word, a, b) = if d.mean() < 0.0 {
        (if instant { "sooner" } else { "lower" }, -hi, -lo)
    } else {
        (if instant { "later" } else { "higher" }, lo, hi)
    };
    format!(
        "{}: {} is {} {word} than {base} ({})",
        def.name,
        s.id,
        show(Some(d.mean().abs()), def.unit),
        range(a, b)
    )
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
    for (m, def) in c.metrics.iter().enumerate() {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec![
                "strategy",
                "mean ± 95 % CI",
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
                show(st.quantile(0.5), def.unit),
                show(st.quantile(0.9), def.unit),
                show(st.quantile(0.99), def.unit),
                show(st.max(), def.unit),
                format!("{reached:.0} %"),
            ]);
        }
        for col in 1..7 {
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
    pub reached: u64,
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
    pub diff_vs_first: Option<DiffJson>,
}

/// A paired difference.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct DiffJson {
    pub n: u64,
    pub mean: f64,
    pub ci95: f64,
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
                        MetricJson {
                            name: def.name.clone(),
                            unit: def.unit,
                            reached: mo.n,
                            mean: (mo.n > 0).then_some(mo.mean()),
                            ci95: (mo.n > 1).then(|| mo.ci95()),
                            p50: st.quantile(0.5),
                            p90: st.quantile(0.9),
                            p99: st.quantile(0.99),
                            max: st.max(),
                            diff_vs_first: (k > 0 && d.n > 1).then(|| DiffJson {
                                n: d.n,
                                mean: d.mean(),
                                ci95: d.ci95(),
                            }),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// One sweep point: its values, the scenario name, the comparison.
pub type SweepPoint = (Vec<serde_json::Value>, String, Comparison);

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
    out.push_str("strategy,metric,unit,mean,ci95,p50,p90,p99,max,reached,runs\n");
    for (point, _, c) in results {
        for s in &c.strategies {
            for (m, def) in c.metrics.iter().enumerate() {
                let st = &s.stats[m];
                let mo = st.moments;
                for v in point {
                    out.push_str(&csv_field(&crate::sweep::show(v)));
                    out.push(',');
                }
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&s.id),
                    csv_field(&def.name),
                    csv_field(def.unit),
                    opt((mo.n > 0).then(|| mo.mean())),
                    opt((mo.n > 1).then(|| mo.ci95())),
                    opt(st.quantile(0.5)),
                    opt(st.quantile(0.9)),
                    opt(st.quantile(0.99)),
                    opt(st.max()),
                    mo.n,
                    c.done
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
        "{scenario}: sweep of {} over {} point(s), {} replications per strategy and point (seed {})",
        names.join(", "),
        results.len(),
        first.done,
        first.seed
    );
    let mut table = Table::new();
    let mut header: Vec<String> = names.to_vec();
    header.push("strategy".into());
    header.extend(
        picks
            .iter()
            .map(|&m| format!("{} (mean ± 95 % CI)", first.metrics[m].name)),
    );
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for (point, _, c) in results {
        for s in &c.strategies {
            let mut row: Vec<String> = point.iter().map(crate::sweep::show).collect();
            row.push(s.id.clone());
            for &m in &picks {
                row.push(interval(&s.stats[m].moments, c.metrics[m].unit));
            }
            table.add_row(row);
        }
    }
    let _ = writeln!(out, "{table}");
    out
}
