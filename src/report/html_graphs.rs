//! The report's figures of the runs: the best strategy's Gantt chart
//! beside the one shown, the dependency graph with the order each
//! strategy restored the apps in, and (a section of its own) the DR
//! site's room in use over the runs. Each only where the scenario gives
//! it something to show.

use std::fmt::Write;

use super::html::{HtmlReport, figure_desc};
use crate::chart::availability::availability_panel;
use crate::chart::capacity::runs::{RunsUse, dr_capacity_over_runs};
use crate::chart::depgraph::{self, dependency_graph};
use crate::chart::gantt::gantt;
use crate::chart::svg::escape;
use crate::metrics::Outcome;
use crate::montecarlo::IncidentMark;

/// The strategy that does best on the first key metric on which one is
/// significantly better than the baseline, if any.
fn best_strategy<'a>(r: &HtmlReport<'a>) -> Option<&'a str> {
    let c = &r.summary.comparison;
    let s = super::findings::key_metrics(c)
        .into_iter()
        .find_map(|m| super::findings::best_on(c, m))?;
    Some(c.strategies[s].id.as_str())
}

/// The run of strategy `id` among the report's runs.
fn run_of<'a>(r: &HtmlReport<'a>, id: &str) -> Option<&'a Outcome> {
    r.runs
        .iter()
        .find(|o| r.scenario.strategies[o.strategy.index()].id == id)
}

/// The figures after the Gantt chart of the run shown.
pub(super) fn run_figures(out: &mut String, r: &HtmlReport) {
    let sc = r.scenario;
    let shown = &sc.strategies[r.run.strategy.index()].id;
    let best = best_strategy(r).filter(|b| *b != shown.as_str());
    if let Some((best, o)) = best.and_then(|b| Some((b, run_of(r, b)?))) {
        let command = r.run_command.replacen(
            &format!("--strategy {shown}"),
            &format!("--strategy {best}"),
            1,
        );
        let command = if command == r.run_command {
            ""
        } else {
            &command
        };
        let back = super::html_run::back_sentence(sc, o);
        let _ = writeln!(
            out,
            "<h3 id=\"gantt-best\">The best strategy's run: {}, seed {}</h3>",
            escape(best),
            o.seed
        );
        let caption = format!(
            "The same chart for {best}, the strategy that does best on the first key metric \
                 where one is significantly better, on the same seed: {back}."
        );
        figure_desc(
            out,
            "gantt-best-chart",
            &gantt(sc, o, &crate::montecarlo::incident_marks(sc, o), command),
            &caption,
            &caption,
            true,
        );
    }
    let g = depgraph::graph(sc);
    if !g.edges.is_empty() && !r.runs.is_empty() {
        let runs: Vec<&Outcome> = r
            .summary
            .comparison
            .strategies
            .iter()
            .filter_map(|s| run_of(r, &s.id))
            .collect();
        let _ = writeln!(
            out,
            "<h3 id=\"dependencies\">The order each strategy restored the apps in</h3>"
        );
        let caption = "The apps by dependency depth, what they depend on above them, one panel per \
                       strategy (one run each, on the same seed): #rank is the order in which \
                       their own recovery work finished. A thick vermillion arrow is the \
                       dependency trap: an app restored before what it depends on was back.";
        figure_desc(
            out,
            "dependency-graph",
            &dependency_graph(sc, &runs, ""),
            caption,
            caption,
            false,
        );
    }
}

/// The DR site's room in use over the comparison's runs `u` (sampled by
/// [`crate::chart::capacity::runs::sample`]), a section of its own among
/// the figures of the runs; `marks` are the incidents drawn.
pub(super) fn capacity_section(
    out: &mut String,
    r: &HtmlReport,
    u: &RunsUse,
    marks: &[IncidentMark],
) {
    let sc = r.scenario;
    let chart = dr_capacity_over_runs(sc, u, marks, "");
    let _ = writeln!(out, "<h2 id=\"dr-capacity\">DR capacity in use</h2>");
    let caption = format!(
        "The share of the DR site's memory taken by the VMs placed there or reserved for a \
         recovery in progress, per strategy: the median line and the p10–p90 band of the \
         comparison's first {} replications (kept as they ran), against \
         the capacity of the DR hosts up; below, the share of those runs in which an app \
         down that needed the site did not fit.",
        u.runs
    );
    let caption = format!("{} {caption}", crate::chart::capacity::runs::finding(sc, u));
    figure_desc(out, "dr-capacity-chart", &chart, &caption, &caption, false);
}

/// The availability of the apps per strategy, for scenarios with random
/// failures.
pub(super) fn availability_section(out: &mut String, r: &HtmlReport) {
    let c = &r.summary.comparison;
    let Some(chart) = availability_panel(r.scenario, c, "") else {
        return;
    };
    let _ = writeln!(out, "<h2 id=\"availability\">Availability</h2>");
    let caption = format!(
        "The share of the horizon the apps were up, per strategy over {} replications: the dot \
         is the mean with its 95 % confidence interval, the bar holds 80 % of the replications \
         (p10 to p90); dotted lines mark 99 %, 99.9 %… with the downtime each allows.",
        c.done
    );
    let desc = format!(
        "{} {caption}",
        crate::chart::availability::finding(c, &crate::chart::availability::points(c))
    );
    figure_desc(out, "availability-chart", &chart, &caption, &desc, false);
}
