//! The findings that open `hvsim compare`'s report: each objective's
//! probability of being met per strategy, the best strategy on each key
//! metric with its paired difference, the sharpest trade-off, and a
//! strategy × metric table of the paired verdicts. The numbers are those of
//! the comparison (the same as `--json`'s), only chosen and worded.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::compare::{percent, points, show};
use crate::montecarlo::{Comparison, MetricDef, MetricKind};

/// Which way a metric is better.
pub(super) fn lower_is_better(def: &MetricDef) -> bool {
    // Hours (milestones, downtime, data lost) and criticality-hours are
    // better lower; shares (objectives met) and percentages
    // (availability) better higher.
    def.kind == MetricKind::Quantity && def.unit != "%"
}

/// A paired difference's verdict against the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paired {
    /// Equal in every replication.
    Same,
    /// The 95 % interval contains zero.
    NotSignificant,
    /// Significantly better than the baseline.
    Better,
    /// Significantly worse than the baseline.
    Worse,
    /// Fewer than two paired replications.
    TooFew,
}

/// The 95 % interval of a paired difference: Newcombe's paired interval
/// for a share ([`Comparison::diff_interval`]), the normal one of the
/// mean for a quantity; unbounded with fewer than 2 paired runs.
fn ci(c: &Comparison, m: usize, s: usize) -> (f64, f64) {
    c.diff_interval(m, s)
        .unwrap_or((f64::NEG_INFINITY, f64::INFINITY))
}

/// The verdict of strategy `s` (not the baseline) on metric `m`.
pub fn paired(c: &Comparison, m: usize, s: usize) -> Paired {
    let def = &c.metrics[m];
    let d = &c.strategies[s].diffs[m];
    if d.n < 2 {
        return Paired::TooFew;
    }
    if d.mean() == 0.0 && d.variance() == 0.0 {
        return Paired::Same;
    }
    let (lo, hi) = ci(c, m, s);
    if lo <= 0.0 && hi >= 0.0 {
        Paired::NotSignificant
    } else if (d.mean() < 0.0) == lower_is_better(def) {
        Paired::Better
    } else {
        Paired::Worse
    }
}

/// `19h 4m sooner (95 % CI 18h 24m–19h 43m)`, `+63.0 pp (95 % CI …)`;
/// a difference that is the same in every run says so instead of giving
/// an interval of no width.
pub(super) fn amount(c: &Comparison, m: usize, s: usize) -> String {
    let def = &c.metrics[m];
    let d = &c.strategies[s].diffs[m];
    let (lo, hi) = ci(c, m, s);
    let constant = d.variance() == 0.0;
    if def.kind == MetricKind::Share {
        // Newcombe's interval is no point even when every run agrees.
        let [mean, lo, hi] = ci_texts(d.mean(), lo, hi, "pp");
        let every = if constant { " in every run" } else { "" };
        return format!("{mean}{every} (95 % CI {lo} to {hi})");
    }
    if def.diff_unit() == "pp" {
        if constant {
            return format!("{} in every run", points(d.mean()));
        }
        let [mean, lo, hi] = ci_texts(d.mean(), lo, hi, "pp");
        return format!("{mean} (95 % CI {lo} to {hi})");
    }
    let instant = def.unit == "h" && def.name.ends_with(" back");
    let (word, a, b) = if d.mean() < 0.0 {
        (if instant { "sooner" } else { "lower" }, -hi, -lo)
    } else {
        (if instant { "later" } else { "higher" }, lo, hi)
    };
    let unit = def.diff_unit();
    if constant {
        return format!("{} {word} in every run", show(Some(d.mean().abs()), unit));
    }
    let [mean, a, b] = ci_texts(d.mean().abs(), a, b, unit);
    format!("{mean} {word} (95 % CI {a}–{b})")
}

/// A mean and the two ends of its 95 % interval in `unit` (`h`, `pp`,
/// `%` or another), all three at the precision that tells the ends apart:
/// `2d 1h 14m (2d 1h 7m–2d 1h 20m)`, never `2d 1h (2d 1h–2d 1h)`. Ends
/// that stay alike at the finest precision tried are shown as [`show`]
/// shows them.
pub(crate) fn ci_texts(mean: f64, a: f64, b: f64, unit: &str) -> [String; 3] {
    let shown = |v: f64, finer: usize| match unit {
        "h" => hours_text(v, 2 + finer),
        "pp" => {
            let text = percent(v, 1 + finer);
            let text = text.trim_end_matches(" %");
            if v > 0.0 {
                format!("+{text} pp")
            } else {
                format!("{text} pp")
            }
        }
        "%" => percent(v, 1 + finer),
        _ => format!("{v:.d$} {unit}", d = 1 + finer),
    };
    let first = [mean, a, b].map(|v| show(Some(v), unit));
    if first[1] != first[2] {
        return first;
    }
    (1..=3)
        .map(|finer| [mean, a, b].map(|v| shown(v, finer)))
        .find(|[_, x, y]| x != y)
        .unwrap_or(first)
}

/// `hours` as a duration in at most `units` human units, largest first
/// (`1d 2h 10m` for 3), as [`SimDuration`](crate::sim::SimDuration)'s two.
fn hours_text(hours: f64, units: usize) -> String {
    let sign = if hours < 0.0 { "-" } else { "" };
    let mut rest =
        crate::sim::SimDuration::from_millis_f64((hours * 3_600_000.0).abs()).as_millis();
    if rest < 1_000 {
        return format!("{sign}{rest}ms");
    }
    let mut parts = Vec::new();
    let mut positions = 0;
    for (size, suffix) in [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ] {
        let n = rest / size;
        if n > 0 || positions > 0 {
            if n > 0 {
                parts.push(format!("{n}{suffix}"));
            }
            rest -= n * size;
            positions += 1;
            if positions == units {
                break;
            }
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// The key metrics: each incident's 90 % milestone, the mean downtime, the
/// weighted impact, the data lost and the availabilities.
pub(super) fn key_metrics(c: &Comparison) -> Vec<usize> {
    (0..c.metrics.len())
        .filter(|&m| {
            let n = &c.metrics[m].name;
            c.metrics[m].kind == MetricKind::Quantity
                && (!n.starts_with("incident ") || n.ends_with(": 90 % back"))
        })
        .collect()
}

/// The improvement of `s` on `m` relative to the baseline's mean (0 when
/// not significantly better).
fn gain(c: &Comparison, m: usize, s: usize) -> f64 {
    if paired(c, m, s) != Paired::Better {
        return 0.0;
    }
    let base = c.strategies[0].stats[m]
        .moments
        .mean()
        .abs()
        .max(f64::MIN_POSITIVE);
    c.strategies[s].diffs[m].mean().abs() / base
}

/// The findings block (empty with a single strategy).
pub fn render_findings(c: &Comparison) -> String {
    let mut out = String::new();
    if c.strategies.len() < 2 {
        single(&mut out, c);
        return out;
    }
    let base = &c.strategies[0].id;
    let _ = writeln!(
        out,
        "\nFindings ({} runs; differences are paired against {base}, with 95 % CIs)",
        c.done
    );
    objectives(&mut out, c);
    best(&mut out, c);
    trade_off(&mut out, c);
    matrix(&mut out, c);
    out
}

/// Per objective: the share of runs that met it, best strategy first.
/// The findings of one strategy, with nothing to pair it against: each
/// objective's probability of being met, then each key metric's mean with
/// its 95 % CI and how often it was reached.
fn single(out: &mut String, c: &Comparison) {
    let Some(only) = c.strategies.first() else {
        return;
    };
    let _ = writeln!(
        out,
        "\nFindings ({} runs of {}, with 95 % CIs; name more strategies to compare them)",
        c.done, only.id
    );
    objectives(out, c);
    for m in key_metrics(c) {
        let def = &c.metrics[m];
        let st = &only.stats[m];
        if st.moments.n == 0 && c.nothing_down() {
            let _ = writeln!(out, "  {}: no app went down, nothing to recover", def.name);
            continue;
        }
        if st.moments.n == 0 {
            let _ = writeln!(out, "  {}: never reached within the horizon", def.name);
            continue;
        }
        let reached = if st.moments.n < c.done {
            format!(", reached in {} of {} runs", st.moments.n, c.done)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {}: {}{reached}",
            def.name,
            super::compare::interval(&st.moments, def.unit)
        );
    }
}

fn objectives(out: &mut String, c: &Comparison) {
    let shares: Vec<usize> = (0..c.metrics.len())
        .filter(|&m| c.metrics[m].kind == MetricKind::Share)
        .collect();
    for m in shares {
        let name = c.metrics[m]
            .name
            .strip_prefix("objective ")
            .and_then(|n| n.strip_suffix(" met"))
            .unwrap_or(&c.metrics[m].name);
        let share = |s: usize| c.strategies[s].stats[m].share();
        let mut order: Vec<usize> = (0..c.strategies.len()).collect();
        // Highest share first; ties in the order given.
        order.sort_by(|&a, &b| {
            let (pa, pb) = (
                share(a).map_or(-1.0, |x| x.0),
                share(b).map_or(-1.0, |x| x.0),
            );
            pb.total_cmp(&pa)
        });
        let text = |s: usize| match share(s) {
            None => format!("{} —", c.strategies[s].id),
            Some((p, (lo, hi))) => format!(
                "{} {} ({}–{})",
                c.strategies[s].id,
                percent(p, 1),
                percent(lo, 1).trim_end_matches(" %"),
                percent(hi, 1).trim_end_matches(" %")
            ),
        };
        let _ = writeln!(out, "  P(met) {name}:");
        let items: Vec<String> = order.iter().map(|&s| text(s)).collect();
        out.push_str(&wrap(&items, "; ", "    ", WIDTH));
        let top = order[0];
        if top != 0 && paired(c, m, top) == Paired::Better {
            let _ = writeln!(
                out,
                "    {} meets it more often than {}:\n      {}",
                c.strategies[top].id,
                c.strategies[0].id,
                amount(c, m, top)
            );
        }
    }
}

/// The strategy with the largest significant improvement on metric `m`
/// (relative to the baseline's mean), if any.
pub(super) fn best_on(c: &Comparison, m: usize) -> Option<usize> {
    (1..c.strategies.len())
        .map(|s| (gain(c, m, s), s))
        .filter(|(g, _)| *g > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, s)| s)
}

/// Per key metric: the strategy with the largest significant improvement.
fn best(out: &mut String, c: &Comparison) {
    let _ = writeln!(out, "  Best on each key metric:");
    for m in key_metrics(c) {
        let line = match best_on(c, m) {
            Some(s) => format!("{}, {}", c.strategies[s].id, amount(c, m, s)),
            None => format!(
                "no strategy is significantly better than {}",
                c.strategies[0].id
            ),
        };
        let whole = format!("    {}: {line}", c.metrics[m].name);
        if whole.chars().count() <= WIDTH {
            let _ = writeln!(out, "{whole}");
        } else {
            let _ = writeln!(out, "    {}:\n      {line}", c.metrics[m].name);
        }
    }
}

/// The strategy whose significant gain on one milestone and significant
/// loss on another are both the largest (relative to the baseline):
/// `(strategy, better metric, worse metric)`.
pub(super) fn sharpest_trade_off(c: &Comparison) -> Option<(usize, usize, usize)> {
    let milestones: Vec<usize> = (0..c.metrics.len())
        .filter(|&m| c.metrics[m].kind == MetricKind::Quantity && lower_is_better(&c.metrics[m]))
        .collect();
    let rel = |m: usize, s: usize| {
        let base = c.strategies[0].stats[m]
            .moments
            .mean()
            .abs()
            .max(f64::MIN_POSITIVE);
        c.strategies[s].diffs[m].mean().abs() / base
    };
    let mut found: Option<(f64, usize, usize, usize)> = None;
    for s in 1..c.strategies.len() {
        let better = milestones
            .iter()
            .filter(|&&m| paired(c, m, s) == Paired::Better)
            .max_by(|&&a, &&b| rel(a, s).total_cmp(&rel(b, s)));
        let worse = milestones
            .iter()
            .filter(|&&m| paired(c, m, s) == Paired::Worse)
            .max_by(|&&a, &&b| rel(a, s).total_cmp(&rel(b, s)));
        if let (Some(&b), Some(&w)) = (better, worse) {
            let score = rel(b, s).min(rel(w, s));
            if found.is_none_or(|f| score > f.0) {
                found = Some((score, s, b, w));
            }
        }
    }
    found.map(|(_, s, b, w)| (s, b, w))
}

/// The sharpest trade-off, if any strategy has one.
fn trade_off(out: &mut String, c: &Comparison) {
    if let Some((s, b, w)) = sharpest_trade_off(c) {
        let _ = writeln!(
            out,
            "  Sharpest trade-off, {}:\n    {}: {},\n    but {}: {}",
            c.strategies[s].id,
            c.metrics[b].name,
            amount(c, b, s),
            c.metrics[w].name,
            amount(c, w, s)
        );
    }
}

/// The width the findings keep to.
const WIDTH: usize = 100;

/// `items` joined by `sep` into lines of at most `width` characters (an
/// item longer than that gets a line of its own), each starting `indent`.
fn wrap(items: &[String], sep: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item}{}", sep.trim_end())
        } else {
            item.clone()
        };
        let len = indent.chars().count() + line.chars().count() + 1 + piece.chars().count();
        if !line.is_empty() && len > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

/// A metric's name in at most `max` characters: objectives as `P(met) …`,
/// long names cut with `…`.
fn short_name(name: &str, max: usize) -> String {
    let name = match name
        .strip_prefix("objective ")
        .and_then(|n| n.strip_suffix(" met"))
    {
        Some(o) => format!("P(met) {o}"),
        None => name.to_string(),
    };
    if name.chars().count() <= max {
        return name;
    }
    let cut: String = name.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Strategy × metric: better, worse, not significant or the same.
fn matrix(out: &mut String, c: &Comparison) {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    let mut header = vec!["metric".to_string()];
    header.extend((1..c.strategies.len()).map(|s| format!("S{s}")));
    table.set_header(header);
    for m in 0..c.metrics.len() {
        let mut row = vec![short_name(&c.metrics[m].name, 44)];
        for s in 1..c.strategies.len() {
            row.push(
                match paired(c, m, s) {
                    Paired::Same => "same",
                    Paired::NotSignificant => "n.s.",
                    Paired::Better => "better",
                    Paired::Worse => "WORSE",
                    Paired::TooFew => "—",
                }
                .to_string(),
            );
        }
        table.add_row(row);
    }
    let legend: Vec<String> = (1..c.strategies.len())
        .map(|s| format!("S{s} {}", c.strategies[s].id))
        .collect();
    let _ = writeln!(
        out,
        "  Each strategy against {} (n.s.: not significant at 95 %):\n{table}",
        c.strategies[0].id,
    );
    out.push_str(&wrap(&legend, " · ", "  ", WIDTH));
}
