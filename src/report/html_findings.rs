//! The opening of the HTML report: the findings of the comparison (the
//! same numbers as `hvsim compare --json`, chosen and worded as in
//! `compare`'s findings block) and the objectives heat map, strategy ×
//! objective, each cell the share of replications that met it.
//!
//! Every number a finding states is also carried in `data-` attributes in
//! the units of `compare --json` (shortest round-trip decimals), so that a
//! test can hold the page to the JSON.

use std::fmt::Write;

use super::compare::percent;
use super::findings::{Paired, amount, best_on, key_metrics, paired, sharpest_trade_off};
use crate::chart::heatmap::objective_metrics;
use crate::chart::svg::escape;
use crate::montecarlo::Comparison;

/// One finding as a list item: the metric, the strategy, and the paired
/// difference (mean and 95 % half-width) in the JSON's units.
fn finding_item(c: &Comparison, m: usize, s: usize, text: &str) -> String {
    let d = &c.strategies[s].diffs[m];
    format!(
        "<li class=\"finding\" data-metric=\"{}\" data-strategy=\"{}\" data-diff-mean=\"{}\" \
         data-diff-ci95=\"{}\">{}</li>",
        escape(&c.metrics[m].name),
        escape(&c.strategies[s].id),
        d.mean(),
        d.ci95(),
        text
    )
}

/// The best strategy on key metric `m`, worded for a chart's description:
/// `incident 2 (…): 90 % back: dependency-aware, 5h 31m sooner (…)`.
pub(super) fn best_sentence(c: &Comparison, m: usize) -> String {
    match best_on(c, m) {
        Some(s) => format!(
            "{}: {}, {} than {}.",
            c.metrics[m].name,
            c.strategies[s].id,
            amount(c, m, s),
            c.strategies[0].id
        ),
        None if c.strategies.len() > 1 => format!(
            "{}: no strategy is significantly better than {}.",
            c.metrics[m].name, c.strategies[0].id
        ),
        None => String::new(),
    }
}

/// The findings: per objective the strategy that meets it most often, per
/// key metric the strategy with the largest significant improvement, and
/// the sharpest trade-off; nothing with a single strategy.
pub(super) fn findings_list(out: &mut String, c: &Comparison) {
    if c.strategies.len() < 2 {
        return;
    }
    let base = escape(&c.strategies[0].id);
    let _ = writeln!(
        out,
        "<p>Over {} replications, each strategy against <strong>{base}</strong> on the same \
         faults and work draws (paired differences, 95 % confidence intervals):</p>\n<ul>",
        c.done
    );
    for (m, name) in objective_metrics(c) {
        let top = (0..c.strategies.len())
            .filter_map(|s| c.strategies[s].stats[m].share().map(|(p, _)| (p, s)))
            // Highest share first; ties in the order given.
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, s)) = top
            && s != 0
            && paired(c, m, s) == Paired::Better
        {
            let text = format!(
                "<strong>{}</strong> meets “{}” more often than {base}: {}.",
                escape(&c.strategies[s].id),
                escape(&name),
                escape(&amount(c, m, s))
            );
            let _ = writeln!(out, "{}", finding_item(c, m, s, &text));
        }
    }
    for m in key_metrics(c) {
        let Some(s) = best_on(c, m) else { continue };
        let text = format!(
            "{}: <strong>{}</strong> is best, {}.",
            escape(&c.metrics[m].name),
            escape(&c.strategies[s].id),
            escape(&amount(c, m, s))
        );
        let _ = writeln!(out, "{}", finding_item(c, m, s, &text));
    }
    let none = key_metrics(c).iter().all(|&m| best_on(c, m).is_none());
    if none {
        let _ = writeln!(
            out,
            "<li>No strategy is significantly better than {base} on any key metric.</li>"
        );
    }
    if let Some((s, b, w)) = sharpest_trade_off(c) {
        let text = format!(
            "Sharpest trade-off, <strong>{}</strong>: {}: {}; but {}: {}.",
            escape(&c.strategies[s].id),
            escape(&c.metrics[b].name),
            escape(&amount(c, b, s)),
            escape(&c.metrics[w].name),
            escape(&amount(c, w, s))
        );
        let _ = writeln!(out, "{}", finding_item(c, w, s, &text));
    }
    let _ = writeln!(out, "</ul>");
}

/// The class of a heat map cell: five steps of one blue scale, dark for
/// likely, so that it reads without colour vision and prints in grey.
fn heat_class(p: f64) -> &'static str {
    match p {
        p if p >= 95.0 => "h4",
        p if p >= 80.0 => "h3",
        p if p >= 50.0 => "h2",
        p if p >= 20.0 => "h1",
        _ => "h0",
    }
}

/// The CSS of the heat map's cells.
pub(super) const HEAT_CSS: &str = "
table.heat td { text-align: center; min-width: 6em; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table.heat td small { display: block; font-size: 0.8em; }
td.h4 { background: #08519c; color: #fff; }
td.h3 { background: #3182bd; color: #fff; }
td.h2 { background: #9ecae1; color: #000; }
td.h1 { background: #deebf7; color: #000; }
td.h0 { background: #fff; color: #000; }
";

/// The objectives heat map: a row per strategy, a column per objective,
/// each cell the share of replications that met it with its 95 % Wilson
/// interval. Nothing when the scenario has no objective.
pub(super) fn heat_map(out: &mut String, c: &Comparison) {
    let objectives = objective_metrics(c);
    if objectives.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h3 id=\"heat-map\">Objectives: how often each strategy meets them</h3>"
    );
    if let Some(svg) = crate::chart::heatmap::objectives_heat_map(c, "") {
        let caption = format!(
            "The share of the {} replications in which each objective was met (darker: more \
             often), with its 95 % interval.",
            c.done
        );
        super::html::figure(out, "heat-map-chart", &svg, &caption, false);
    }
    // The same numbers as a table, for screen readers and to copy from;
    // on screen only, since the chart above prints them already.
    let _ = writeln!(
        out,
        "<details class=\"screen\"><summary>The same as a table</summary>\n\
         <table class=\"heat\">\n<caption>The share of the {} replications in which each objective \
         was met (darker: more often), with its 95 % interval.</caption>\n<tr><th>strategy</th>",
        c.done
    );
    for (_, name) in &objectives {
        let _ = write!(out, "<th>{}</th>", escape(name));
    }
    let _ = writeln!(out, "</tr>");
    for s in &c.strategies {
        let _ = write!(out, "<tr><th>{}</th>", escape(&s.id));
        for (m, _) in &objectives {
            match s.stats[*m].share() {
                None => {
                    let _ = write!(out, "<td class=\"h0\">—</td>");
                }
                Some((p, (lo, hi))) => {
                    let _ = write!(
                        out,
                        "<td class=\"{}\" data-metric=\"{}\" data-p=\"{p}\">{}<small>{}–{}</small></td>",
                        heat_class(p),
                        escape(&c.metrics[*m].name),
                        percent(p, 1),
                        percent(lo, 1).trim_end_matches(" %"),
                        percent(hi, 1)
                    );
                }
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</table>\n</details>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_scale_is_monotone_and_covers_its_ends() {
        let steps: Vec<&str> = [0.0, 19.9, 20.0, 50.0, 80.0, 95.0, 100.0]
            .into_iter()
            .map(heat_class)
            .collect();
        assert_eq!(steps, ["h0", "h0", "h1", "h2", "h3", "h4", "h4"]);
    }
}
