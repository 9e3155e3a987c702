//! The self-contained HTML report of `hvsim report`: one file with inline
//! CSS and SVG, nothing fetched from anywhere, that reads the same in any
//! browser offline and prints well.
//!
//! It holds the summary table and the paired verdicts, the charts, one
//! run's Gantt chart and per-app table, the scenario's assumptions (its
//! model and the file's `ASSUMPTION` comments, with the whole file), and
//! the command and seed that reproduce it. It carries no date of its own
//! making: the same inputs give the same bytes.
//!
//! The markup is also well-formed XML (every element closed, every
//! attribute quoted), so it can be checked with an XML parser.

use std::fmt::Write;

use super::compare::{interval, share_text, show, verdict};
use super::data::app_rows;
use crate::chart::curve::{Measure, Objective, restored_curve};
use crate::chart::distribution::{MILESTONES, incidents, milestone_distribution, milestone_metric};
use crate::chart::forest::forest_plot;
use crate::chart::gantt::gantt;
use crate::chart::perapp::{data_lost_against_rpo, has_data_loss, recovery_against_rto};
use crate::chart::phases::phase_timeline;
use crate::chart::svg::escape;
use crate::metrics::Outcome;
use crate::model::Scenario;
use crate::montecarlo::Curves;
use crate::montecarlo::{Comparison, IncidentMark, MetricKind, Summary, incident_marks};

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct HtmlReport<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The scenario file's text, for its assumption comments (none if
    /// unavailable).
    pub source_text: Option<&'a str>,
    /// The fault campaign file's text, when `--faults` replaced the
    /// scenario's faults (shown after the scenario file).
    pub faults_text: Option<&'a str>,
    /// The command line that reproduces this report.
    pub command: &'a str,
    /// The command line that reproduces `run` (`hvsim run` with the same
    /// scenario, faults, strategy and seed), named by its Gantt chart.
    pub run_command: &'a str,
    /// The Monte Carlo study: its comparison and the restored curves of
    /// the same replications (a study run with curves).
    pub summary: &'a Summary,
    /// One run, for the Gantt chart and the per-app table.
    pub run: &'a Outcome,
    /// One run of each strategy compared, with the seed of `run` (which
    /// is among them): the dependency graph shows the order each restored
    /// the apps in, and the best strategy gets a Gantt chart too.
    pub runs: &'a [Outcome],
    /// Recovery objectives to draw on the curves.
    pub objectives: &'a [Objective],
    /// Why the apps of `run` were down (`hvsim explain` of the same run),
    /// shown after it when given.
    pub explanation: Option<&'a crate::explain::Explanation>,
    /// The levers of `hvsim advise` for the strategy of `run`, with the
    /// command line that reproduces them, shown after the run when given.
    pub advice: Option<(&'a crate::advise::Advice, &'a str)>,
}

/// How many of the best levers the report lists.
pub const REPORT_LEVERS: usize = 5;

pub(super) const CSS: &str = "
body { font-family: sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
caption { caption-side: bottom; text-align: left; font-size: 0.9em; color: #444; padding-top: 0.3em; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.55em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
tr > th:first-child { white-space: nowrap; }
details { margin: 0.8em 0; }
summary { cursor: pointer; color: #0072B2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
figure { margin: 1.2em 0; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
svg { max-width: 100%; height: auto; }
.wide svg { max-width: none; }
code, pre { font-family: monospace; background: #f6f6f6; }
pre { padding: 0.8em; overflow-x: auto; font-size: 0.82em; }
.meta { color: #444; }
ul.missed { color: #8b0000; }
@page { size: A4; margin: 14mm 12mm; }
@page landscape { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  nav, .screen { display: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll, pre { overflow: visible; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  table { width: 100%; font-size: 8pt; }
  th, td { overflow-wrap: anywhere; padding: 0.15em 0.3em; }
  thead { display: table-header-group; }
  td.num { white-space: nowrap; overflow-wrap: normal; }
  details table { font-size: 7pt; }
  svg, .wide svg { max-width: 100%; height: auto; }
  figure:has(> .wide) { page: landscape; }
  details > summary { list-style: none; color: #222; font-weight: bold; }
  details::details-content { content-visibility: visible; display: block; }
}
";
/// Inline SVG needs no namespace declaration in HTML: dropping it leaves
/// the page without a single URL.
fn inline(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// `html` with every chart in it named above its title by `context`
/// (the scenario and its dates), as the command line's `--svg` charts
/// are ([`crate::chart::present`]), so that a chart copied out of the
/// report still says what it is about. The reproducing command is not
/// repeated under each chart: the page names it once at its top.
fn charts_in_context(html: &str, context: &str) -> String {
    use crate::chart::present::{Preset, present};
    let mut out = String::with_capacity(html.len() + 2048);
    let mut rest = html;
    while let Some(at) = rest.find("<svg ") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find("</svg>") else {
            break;
        };
        let end = end + "</svg>".len();
        let shown = present(&format!("{}\n", &rest[..end]), context, Preset::Standard);
        out.push_str(&inline(shown.strip_suffix('\n').unwrap_or(&shown)));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A figure; a `wide` one scrolls sideways at its own size, so that its
/// labels stay readable, instead of shrinking to the page (in print it
/// gets a landscape page and fits its width). The chart's description is
/// its caption.
pub(super) fn figure(out: &mut String, id: &str, svg: &str, caption: &str, wide: bool) {
    figure_desc(out, id, svg, caption, caption, wide);
}

/// [`figure`], the chart described by `desc` (its finding first) for
/// readers who do not see it: a `<desc>` after its `<title>`, unless the
/// chart has its own.
pub(super) fn figure_desc(
    out: &mut String,
    id: &str,
    svg: &str,
    caption: &str,
    desc: &str,
    wide: bool,
) {
    let (open, close) = if wide {
        ("<div class=\"scroll wide\">\n", "</div>\n")
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "<figure id=\"{id}\">\n{open}{}{close}<figcaption>{}</figcaption>\n</figure>",
        with_desc(&inline(svg), desc),
        escape(caption)
    );
}

/// `svg` with a `<desc>` of `desc` after its first `<title>` (or at its
/// start), unless it has one.
pub(super) fn with_desc(svg: &str, desc: &str) -> String {
    if svg.contains("<desc") {
        return svg.to_string();
    }
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let at = match svg[start..].find("</title>") {
        Some(i) => start + i + "</title>".len(),
        None => match svg[start..].find('>') {
            Some(i) => start + i + 1,
            None => return svg.to_string(),
        },
    };
    format!(
        "{}\n<desc>{}</desc>{}",
        &svg[..at],
        escape(desc),
        &svg[at..]
    )
}

/// The finding a chart of the comparison states: the best strategy on the
/// first key metric (the first incident's 90 % milestone when there is
/// one).
fn comparison_finding(c: &Comparison) -> String {
    super::findings::key_metrics(c)
        .first()
        .map(|&m| super::html_findings::best_sentence(c, m))
        .unwrap_or_default()
}

/// `finding caption`, or the caption alone.
fn described(finding: &str, caption: &str) -> String {
    if finding.is_empty() {
        caption.to_string()
    } else {
        format!("{finding} {caption}")
    }
}

/// The two restored curves of the study, with their captions.
fn curve_figures(
    out: &mut String,
    r: &HtmlReport,
    curves: &Curves,
    marks: &[IncidentMark],
    runs_label: &str,
) {
    let sc = r.scenario;
    let finding = comparison_finding(&r.summary.comparison);
    for (id, measure, caption) in [
        (
            "curve-count",
            Measure::Count,
            "How many apps are up at each moment: the line is the median replication, the band \
             holds 80 % of them (p10 to p90). Vertical lines mark the incidents.",
        ),
        (
            "curve-weighted",
            Measure::WeightedShare,
            "The same, each app weighted by its criticality: a strategy that brings the critical \
             apps back first climbs faster here.",
        ),
    ] {
        figure_desc(
            out,
            id,
            &restored_curve(sc, curves, measure, marks, r.objectives, runs_label, ""),
            caption,
            &described(&finding, caption),
            false,
        );
    }
}

/// The page's head, title, description and the lines that say what it
/// compares and how to reproduce it.
fn page_head(out: &mut String, r: &HtmlReport) {
    let sc = r.scenario;
    let c = &r.summary.comparison;
    let title = format!("hvsim report: {}", sc.name);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"hvsim {}\"/>\n<title>{}</title>\n<style>{CSS}{}</style>\n</head>\n<body>",
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        super::html_findings::HEAT_CSS
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&sc.name));
    if let Some(d) = &sc.description {
        let _ = writeln!(out, "<p>{}</p>", escape(d.trim()));
    }
    let names: Vec<&str> = c.strategies.iter().map(|s| s.id.as_str()).collect();
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} replications of each strategy ({}) on common random numbers, master seed {}; \
         dates in {}. Scenario: <code>{}</code>.</p>",
        c.done,
        escape(&names.join(", ")),
        c.seed,
        escape(sc.tz.iana_name().unwrap_or("UTC")),
        escape(&sc.source)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">Reproduce this report with <code>{}</code> (the same scenario, seed and \
         replications give the same file, byte for byte).</p>",
        escape(r.command)
    );
}

/// Renders the report.
pub fn render_html(r: &HtmlReport) -> String {
    let sc = r.scenario;
    let c = &r.summary.comparison;
    let mut out = String::new();
    page_head(&mut out, r);
    let milestones = incidents(c);
    // The contents list only the sections this scenario fills.
    let mut contents = vec![("findings", "findings"), ("summary", "summary")];
    let availability = !crate::chart::availability::points(c).is_empty();
    if availability {
        contents.push(("availability", "availability"));
    }
    contents.push(("curves", "restored curves"));
    if !milestones.is_empty() {
        contents.push(("distributions", "milestone distributions"));
    }
    // The DR use the study kept of its first runs (none without a DR site).
    let dr_use = crate::chart::capacity::runs::sample(sc, c);
    if dr_use.is_some() {
        contents.push(("dr-capacity", "DR capacity"));
    }
    contents.push(("gantt", "one run"));
    if r.explanation.is_some() {
        contents.push(("reasons", "why the apps were down"));
    }
    if r.advice.is_some() {
        contents.push(("levers", "top levers"));
    }
    contents.push(("assumptions", "assumptions"));
    let links: Vec<String> = contents
        .iter()
        .map(|(id, text)| format!("<a href=\"#{id}\">{text}</a>"))
        .collect();
    let _ = writeln!(out, "<nav><p>Contents: {}</p></nav>", links.join(" · "));

    // The findings first: what the comparison says, how often each
    // objective is met, and what happened in the run shown.
    let _ = writeln!(out, "<h2 id=\"findings\">Findings</h2>");
    super::html_findings::findings_list(&mut out, c);
    super::html_findings::heat_map(&mut out, c);
    super::html_run::run_glance(&mut out, sc, r.run);

    summary(&mut out, c);
    if availability {
        super::html_graphs::availability_section(&mut out, r);
    }

    // Curves. The charts of the comparison do not repeat its command: the
    // page names it once, above; the Gantt chart names its own run's.
    let marks: Vec<IncidentMark> = incident_marks(sc, r.run);
    let runs_label = format!(
        "median line and p10–p90 band over {} replications per strategy (seed {})",
        c.done, c.seed
    );
    let _ = writeln!(out, "<h2 id=\"curves\">Restored curves</h2>");
    match &r.summary.curves {
        Some(curves) => curve_figures(&mut out, r, curves, &marks, &runs_label),
        None => {
            let _ = writeln!(
                out,
                "<p>Not computed: the study ran without restored curves.</p>"
            );
        }
    }

    // Without incidents (random failures only) there is no milestone to
    // distribute, and no section.
    if !milestones.is_empty() {
        let _ = writeln!(out, "<h2 id=\"distributions\">Milestone distributions</h2>");
    }
    let first_marks = if r.summary.marks.is_empty() {
        &marks
    } else {
        &r.summary.marks
    };
    for (k, bug) in milestones {
        phase_figure(&mut out, r, k, &bug, first_marks);
        let caption = format!(
            "Incident {}: the share of replications in which 90 % (solid) and 100 % (dashed) of \
             its apps were back, against the time since the strike. Further left is better.",
            k + 1
        );
        let finding = milestone_metric(c, k, MILESTONES[0].0)
            .map(|m| super::html_findings::best_sentence(c, m))
            .unwrap_or_default();
        figure_desc(
            &mut out,
            &format!("milestones-{}", k + 1),
            &milestone_distribution(c, k, &bug, ""),
            &caption,
            &described(&finding, &caption),
            false,
        );
    }
    if let Some(u) = &dr_use {
        super::html_graphs::capacity_section(&mut out, r, u, first_marks);
    }

    let strategy = &sc.strategies[r.run.strategy.index()];
    let _ = writeln!(
        out,
        "<h2 id=\"gantt\">One run: strategy {}, seed {}</h2>",
        escape(&strategy.id),
        r.run.seed
    );
    let back = super::html_run::back_sentence(sc, r.run);
    let _ = writeln!(out, "<p>{}.</p>", escape(&capitalised(&back)));
    super::html_run::objectives_list(&mut out, sc, r.run);
    super::html_run::waves_and_automation(&mut out, sc, r.run);
    per_app_figures(&mut out, sc, r.run);
    let caption = format!(
        "Who restored what, when, in the run that {} shows: a row per \
         team member, coloured by method; grey is off shift; the strip above each team shows how \
         many were on duty (holidays show as dips). Where the run has them, automated recoveries \
         (failover, HA restarts) have rows of their own and runbook waves a band above the teams; \
         vertical marks show when 50, 90 and 100 % of the apps were back and each objective's RTO \
         deadline; a zig-zag on the axis marks an idle stretch cut out, with its length; a short \
         bar is named beside it or with its neighbours (web ×12).",
        r.run_command
    );
    let mut gantt_out = String::new();
    figure_desc(
        &mut gantt_out,
        "gantt-chart",
        &gantt(sc, r.run, &marks, r.run_command),
        &caption,
        &described(&format!("{}.", capitalised(&back)), &caption),
        true,
    );
    // On screen the chart scrolls at its own size; in print it fits a
    // landscape page, so the hint is for the screen only.
    out.push_str(&gantt_out.replacen(
        "</figcaption>",
        " <span class=\"screen\">Scroll sideways; hover a bar for details.</span></figcaption>",
        1,
    ));
    super::html_graphs::run_figures(&mut out, r);
    apps_table(&mut out, sc, r.run);
    if let Some(e) = r.explanation {
        super::explain::html_section(&mut out, sc, e, r.run_command);
    }
    if let Some((advice, command)) = r.advice {
        let section = super::advise::advise_html_section(advice, REPORT_LEVERS, command)
            .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
        let section = section.replacen("<h2>", "<h2 id=\"levers\">", 1).replacen(
            "</h2>",
            &format!(": strategy {}</h2>", escape(&advice.strategy)),
            1,
        );
        let _ = writeln!(
            out,
            "{}",
            with_desc(&section, &super::advise::verdict(advice))
        );
        let _ = writeln!(
            out,
            "<p class=\"meta\">The {} best of the levers derived from the scenario, each over {} \
             replications on common random numbers; <code>{}</code> gives them all.</p>",
            REPORT_LEVERS.min(advice.levers.len()),
            advice.done,
            escape(command)
        );
    }
    assumptions(&mut out, sc, r.source_text, r.faults_text);
    let _ = writeln!(
        out,
        "<footer><p class=\"meta\">Made by hvsim {} without any network access.</p></footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    with_theads(&charts_in_context(
        &out,
        &crate::chart::present::scenario_line(sc),
    ))
}

/// `html` with the header row of every table (its first row, when it
/// has only `<th>` cells) in a `<thead>`, so that a table that runs over
/// printed pages repeats its header on each.
fn with_theads(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find("<table") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let row = rest.find("<tr>").and_then(|start| {
            let end = start + rest[start..].find("</tr>")? + "</tr>".len();
            let between = &rest[..start];
            let cells = &rest[start..end];
            // Only the table's own first row (after its caption), and
            // only a row of headers.
            let own = !between[1..].contains("<table") && !between.contains("<tr");
            (own && !between.contains("<thead") && !cells.contains("<td")).then_some((start, end))
        });
        match row {
            Some((start, end)) => {
                out.push_str(&rest[..start]);
                out.push_str("<thead>");
                out.push_str(&rest[start..end]);
                out.push_str("</thead>");
                rest = &rest[end..];
            }
            None => {
                out.push_str("<table");
                rest = &rest["<table".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Incident `k`'s phase timeline, with its caption.
fn phase_figure(out: &mut String, r: &HtmlReport, k: usize, bug: &str, marks: &[IncidentMark]) {
    let caption = format!(
        "Incident {}: where the time goes, per strategy: the phases from the strike at their \
             median (detection, diagnosis, waiting for the first task, restoring), and the \
             first app, 50 %, 90 % and 100 % back with p10–p90 whiskers; dashed lines are the RTOs \
             of the objectives it concerns.",
        k + 1
    );
    figure(
        out,
        &format!("phases-{}", k + 1),
        &phase_timeline(
            r.scenario,
            &r.summary.comparison,
            r.summary.curves.as_ref(),
            k,
            bug,
            super::export::incident_mark(marks, bug),
            r.objectives,
            "",
        ),
        &caption,
        false,
    );
}

/// The run's per-app charts: recovery against RTO, data lost against RPO
/// when the scenario has backups, replication or an RPO.
fn per_app_figures(out: &mut String, sc: &Scenario, run: &Outcome) {
    figure(
        out,
        "recovery-rto",
        &recovery_against_rto(sc, run, ""),
        "Each app of this run that went down: its time from the strike to back for good against \
         the tightest RTO that covers it (the black tick); the apps that missed it come first, in vermillion.",
        false,
    );
    if has_data_loss(sc) {
        figure(
            out,
            "data-lost-rpo",
            &data_lost_against_rpo(sc, run, ""),
            "Each app of this run that was recovered: the data it lost against the tightest RPO \
             that covers it (the black tick); the apps that missed it come first, in vermillion.",
            false,
        );
    }
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The headline metrics: each incident's 90 % and 100 % milestones, the
/// mean downtime and the weighted impact.
fn headline(c: &Comparison) -> Vec<usize> {
    let mut picks = Vec::new();
    for (k, _) in incidents(c) {
        for (label, _) in MILESTONES {
            picks.extend(milestone_metric(c, k, label));
        }
    }
    for needle in ["mean downtime", "weighted impact"] {
        picks.extend(c.metrics.iter().position(|m| m.name.contains(needle)));
    }
    picks
}

/// A table of `metrics`: a row per strategy, a column per metric; each
/// cell the mean ± 95 % CI, the p90, and the share of runs that reached
/// it when not all did.
fn metric_table(out: &mut String, c: &Comparison, metrics: &[usize]) {
    let _ = write!(out, "<div class=\"scroll\"><table>\n<tr><th>strategy</th>");
    for &m in metrics {
        let _ = write!(out, "<th>{}</th>", escape(&c.metrics[m].name));
    }
    let _ = writeln!(out, "</tr>");
    for s in &c.strategies {
        let _ = write!(out, "<tr><th>{}</th>", escape(&s.id));
        for &m in metrics {
            let (st, unit) = (&s.stats[m], c.metrics[m].unit);
            if c.metrics[m].kind == MetricKind::Share {
                // A yes/no per run: the share of runs, no quantiles.
                let _ = write!(out, "<td class=\"num\">{}</td>", escape(&share_text(st)));
                continue;
            }
            let reached = if st.moments.n < c.done {
                format!(
                    "; reached in {:.0} %",
                    st.moments.n as f64 / c.done.max(1) as f64 * 100.0
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<td class=\"num\">{}<br/>p90 {}{}</td>",
                escape(&interval(&st.moments, unit)),
                escape(&show(st.quantile(0.9), unit)),
                escape(&reached)
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</table></div>");
}

fn summary(out: &mut String, c: &Comparison) {
    let _ = writeln!(out, "<h2 id=\"summary\">Summary</h2>");
    let _ = writeln!(
        out,
        "<p>Time from each strike to 90 % and 100 % of its apps back, the mean downtime of \
         the apps that went down, and the criticality-weighted impact. Each cell: mean ± 95 % \
         confidence interval, then the 90th percentile, over the replications that reached the \
         milestone (and the share that did, when not all).</p>"
    );
    let picks = headline(c);
    metric_table(out, c, &picks);
    if picks.len() < c.metrics.len() {
        let _ = writeln!(
            out,
            "<details>\n<summary>Every metric ({})</summary>",
            c.metrics.len()
        );
        metric_table(out, c, &(0..c.metrics.len()).collect::<Vec<_>>());
        let _ = writeln!(out, "</details>");
    }
    if c.strategies.len() > 1 {
        let _ = writeln!(
            out,
            "<p>Paired differences against <strong>{}</strong> (replication <em>i</em> of every \
             strategy sees the same faults and work draws):</p>\n<ul>",
            escape(&c.strategies[0].id)
        );
        for k in 1..c.strategies.len() {
            for &m in &picks {
                let _ = writeln!(out, "<li>{}</li>", escape(&verdict(c, m, k)));
            }
        }
        let _ = writeln!(out, "</ul>");
        if let Some(svg) = forest_plot(c, &super::export::forest_metrics(c), "") {
            figure(
                out,
                "forest",
                &svg,
                "The same paired differences as a forest plot: per metric, each strategy's mean \
                 difference against the baseline (point) and its 95 % interval (bar), the zero line \
                 dashed; each panel names its better side.",
                false,
            );
        }
        if picks.len() < c.metrics.len() {
            let _ = writeln!(
                out,
                "<details>\n<summary>Paired differences on every metric</summary>\n<ul>"
            );
            for k in 1..c.strategies.len() {
                for m in 0..c.metrics.len() {
                    let _ = writeln!(out, "<li>{}</li>", escape(&verdict(c, m, k)));
                }
            }
            let _ = writeln!(out, "</ul>\n</details>");
        }
    }
}

fn apps_table(out: &mut String, sc: &Scenario, o: &Outcome) {
    let clock = super::Clock::new(sc);
    let rows = app_rows(sc, o);
    let _ = writeln!(
        out,
        "<h3 id=\"apps\">Apps in this run ({} of {} went down)</h3>",
        rows.len(),
        sc.apps.len()
    );
    if rows.is_empty() {
        let _ = writeln!(out, "<p>No app went down in this run.</p>");
        return;
    }
    let data = super::html_run::shows_data(sc, o);
    let _ = write!(
        out,
        "<div class=\"scroll\"><table>\n<tr><th>app</th><th>tags</th><th>criticality</th><th>went down</th>\
         <th>back up</th><th>downtime</th><th>method</th><th>team</th>"
    );
    let _ = writeln!(out, "{}</tr>", if data { "<th>data lost</th>" } else { "" });
    let by_id = |id: &str| sc.apps.iter().position(|a| a.id == id);
    for r in rows {
        let up = match r.up {
            Some(t) => clock.short(t),
            None => format!("down: {}", r.waiting),
        };
        let outages = if r.outages > 1 {
            format!(" ({} outages)", r.outages)
        } else {
            String::new()
        };
        let lost = match (data, by_id(&r.app)) {
            (true, Some(a)) => format!(
                "<td class=\"num\">{}</td>",
                escape(&super::html_run::data_lost(o.apps[a].data_loss))
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}{}</td><td>{}</td><td>{}</td>{lost}</tr>",
            escape(&r.app),
            escape(&r.tags),
            r.criticality,
            escape(&clock.short(r.down)),
            escape(&up),
            r.downtime,
            escape(&outages),
            escape(&r.method),
            escape(&r.team)
        );
    }
    let _ = writeln!(out, "</table></div>");
}

/// The lines of a scenario file that state an assumption: comments
/// containing `ASSUMPTION`, with the comment lines that continue them and
/// the setting they sit beside. `(line number, setting, comment)`.
pub fn assumption_comments(text: &str) -> Vec<(usize, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(pos) = line.find('#') else {
            i += 1;
            continue;
        };
        let comment = &line[pos + 1..];
        if !comment.contains("ASSUMPTION") {
            i += 1;
            continue;
        }
        let setting = line[..pos].trim().trim_start_matches("- ").to_string();
        let mut text = comment.trim().to_string();
        let mut j = i + 1;
        // Continuation: comment-only lines right below a comment-only line.
        if setting.is_empty() {
            while j < lines.len() {
                let next = lines[j].trim_start();
                match next.strip_prefix('#') {
                    Some(rest) if !rest.trim().is_empty() && !rest.contains("ASSUMPTION") => {
                        text.push(' ');
                        text.push_str(rest.trim());
                        j += 1;
                    }
                    _ => break,
                }
            }
        }
        found.push((i + 1, setting, text));
        i = j;
    }
    found
}

fn assumptions(out: &mut String, sc: &Scenario, source: Option<&str>, faults: Option<&str>) {
    let _ = writeln!(out, "<h2 id=\"assumptions\">Assumptions</h2>");
    let _ = writeln!(
        out,
        "<p>Time zone {}, horizon {}, {} hosts, {} VMs, {} apps.</p>",
        escape(sc.tz.iana_name().unwrap_or("UTC")),
        sc.horizon,
        sc.hosts.len(),
        sc.vms.len(),
        sc.apps.len()
    );
    let _ = writeln!(
        out,
        "<h3>Faults</h3>\n<table>\n<tr><th>bug</th><th>hosts in scope</th><th>probability per host</th>\
         <th>crash</th><th>VMs corrupted</th><th>recurs after a restart</th><th>workaround after</th><th>fixed after</th></tr>"
    );
    for b in &sc.bugs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{:.0} %</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&b.id),
            b.hosts.len(),
            b.host_probability,
            if b.crash { "yes" } else { "no" },
            b.corrupt_vm * 100.0,
            escape(
                &b.recurrence
                    .as_ref()
                    .map_or("never".into(), |d| d.to_string())
            ),
            escape(&workaround_text(b)),
            escape(&fix_text(b))
        );
    }
    let _ = writeln!(out, "</table>");
    let _ = writeln!(
        out,
        "<h3>Teams</h3>\n<table>\n<tr><th>team</th><th>members</th><th>on-shift hours per member \
         over the horizon (first member)</th></tr>"
    );
    for t in &sc.teams {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&t.id),
            t.roster.size(),
            t.roster.worker(0).total()
        );
    }
    let _ = writeln!(out, "</table>");
    let _ = writeln!(
        out,
        "<h3>Strategies</h3>\n<table>\n<tr><th>strategy</th><th>detection</th><th>diagnosis</th>\
         <th>methods</th><th>order</th><th>teams</th><th>what it means</th></tr>"
    );
    for s in &sc.strategies {
        let methods: Vec<&str> = s.methods.iter().map(|m| m.name()).collect();
        let teams: Vec<&str> = s
            .teams
            .iter()
            .map(|t| sc.teams[t.index()].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.id),
            escape(&s.detection.to_string()),
            escape(&s.diagnosis.to_string()),
            escape(&methods.join(", ")),
            s.order.name(),
            escape(&teams.join(", ")),
            escape(s.description.as_deref().unwrap_or("").trim())
        );
    }
    let _ = writeln!(out, "</table>");
    if let Some(text) = source {
        file_assumptions(out, "scenario file", text);
    }
    if let Some(text) = faults {
        file_assumptions(out, "fault campaign file", text);
    }
}

/// The `ASSUMPTION` comments of one input file, then the whole file.
fn file_assumptions(out: &mut String, what: &str, text: &str) {
    let found = assumption_comments(text);
    if !found.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Assumptions stated in the {what}</h3>\n<table>\n<tr><th>line</th><th>setting</th><th>comment</th></tr>"
        );
        for (line, setting, comment) in found {
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{line}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&setting),
                escape(&comment)
            );
        }
        let _ = writeln!(out, "</table>");
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>The whole {what} ({} lines)</summary>\n<pre>{}</pre>\n</details>",
        text.lines().count(),
        escape(text)
    );
}

/// When a bug's workaround stops its recurrences, as the assumptions table
/// says it: the vendor's support effort from the first strike.
fn workaround_text(b: &crate::model::Bug) -> String {
    match b.vendor.as_ref().and_then(|v| v.workaround.as_ref()) {
        Some(d) => format!("{d} of vendor support"),
        None => "none".into(),
    }
}

/// When a bug is fixed: a delay of its own, or the vendor's fix (support
/// effort from the first strike), or never.
fn fix_text(b: &crate::model::Bug) -> String {
    match (&b.fix, b.vendor.as_ref().and_then(|v| v.fix.as_ref())) {
        (Some(d), _) => d.to_string(),
        (None, Some(d)) => format!("{d} of vendor support"),
        (None, None) => "never".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_rows_go_in_a_thead_that_print_repeats() {
        let html = "<table>\n<caption>c</caption><tr><th>a</th><th>b</th></tr>\n<tr><th>x</th><td>1</td></tr></table>\
                    <table><tr><th>x</th><td>1</td></tr></table>";
        let out = with_theads(html);
        assert_eq!(
            out,
            "<table>\n<caption>c</caption><thead><tr><th>a</th><th>b</th></tr></thead>\n<tr><th>x</th><td>1</td></tr></table>\
             <table><tr><th>x</th><td>1</td></tr></table>"
        );
        assert!(CSS.contains("thead { display: table-header-group; }"));
    }

    use super::*;

    #[test]
    fn assumption_comments_keep_their_setting_and_continuation() {
        let text = "a: 1\n\
                    reboot: 5m  # ASSUMPTION: a guess\n\
                    # ASSUMPTION: two lines\n\
                    # of comment\n\
                    b: 2 # not one\n";
        let found = assumption_comments(text);
        assert_eq!(
            found,
            vec![
                (2, "reboot: 5m".into(), "ASSUMPTION: a guess".into()),
                (3, String::new(), "ASSUMPTION: two lines of comment".into()),
            ]
        );
    }
}
