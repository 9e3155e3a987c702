//! The report of `hvsim advise`: the verdict first (the best lever and
//! what it does to the headline, with its confidence interval), then the
//! ranked table of levers, the cost-effectiveness ranking and the Pareto
//! frontier when the levers have costs, how to apply each lever, and the
//! levers that could not be evaluated; and its JSON document.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use super::compare::{percent, show};
use crate::advise::{Advice, Combo, Effect, LeverResult, frontier};
use crate::montecarlo::{MetricDef, MetricKind};

/// A metric's value for people: a share or percentage in %, hours as
/// `2d 4h`, other units with one decimal.
fn value(def: &MetricDef, v: f64) -> String {
    match (def.kind, def.unit) {
        (MetricKind::Share, _) | (_, "%") => percent(v, 1),
        (_, unit) => show(Some(v), unit),
    }
}

/// A signed difference: `+63.0 pp`, `-4h 2m`, `+120.5 crit·h`.
fn amount(def: &MetricDef, v: f64) -> String {
    match def.diff_unit() {
        "pp" => {
            let t = percent(v, 1);
            let t = t.trim_end_matches(" %");
            if v > 0.0 {
                format!("+{t} pp")
            } else {
                format!("{t} pp")
            }
        }
        unit => {
            let t = show(Some(v), unit);
            if v > 0.0 { format!("+{t}") } else { t }
        }
    }
}

/// The 95 % interval of a difference, `60.0 to 66.0 pp`, bounded to
/// ±100 pp for shares.
fn range(def: &MetricDef, e: &Effect) -> String {
    let (mut lo, mut hi) = e.interval();
    if def.diff_unit() == "pp" {
        (lo, hi) = (lo.max(-100.0), hi.min(100.0));
    }
    format!("95 % CI {} to {}", amount(def, lo), amount(def, hi))
}

/// A table cell: the difference and its interval, or "no significant
/// difference".
fn cell(def: &MetricDef, e: &Effect) -> String {
    if e.significant() {
        let (mut lo, mut hi) = e.interval();
        if def.diff_unit() == "pp" {
            (lo, hi) = (lo.max(-100.0), hi.min(100.0));
        }
        format!(
            "{} ({} to {})",
            amount(def, e.diff),
            amount(def, lo),
            amount(def, hi)
        )
    } else if e.n == 0 {
        "not reached".into()
    } else if e.n < 2 {
        "too few runs".into()
    } else {
        "no significant difference".into()
    }
}

/// The headline metric as a phrase: `P(internet services within three
/// days)` or `the mean downtime per app down`.
pub fn headline_phrase(def: &MetricDef) -> String {
    match def
        .name
        .strip_prefix("objective ")
        .and_then(|n| n.strip_suffix(" met"))
    {
        Some(o) => format!("P({o})"),
        None => format!("the {}", def.name),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The verdict sentence: what the best lever does to the headline; when
/// no lever improves it, what the best one does to the mean downtime.
pub fn verdict(a: &Advice) -> String {
    let def = &a.metrics[a.headline];
    let what = headline_phrase(def);
    let improves =
        |l: &&LeverResult, m: usize| l.effects[m].significant() && l.gain(&a.metrics, m) > 0.0;
    if let Some(l) = a.levers.first().filter(|l| improves(l, a.headline)) {
        return format!("{}.", capitalised(&change(a, l, a.headline)));
    }
    let head = format!(
        "No lever improves {what} significantly over {} runs (the plan: {})",
        a.done,
        value(def, a.base[a.headline])
    );
    let second = a.metric(crate::advise::MEAN_DOWNTIME);
    match (second, a.levers.first()) {
        (Some(m), Some(l)) if m != a.headline && improves(&l, m) => {
            format!("{head}; the best lever: {}.", change(a, l, m))
        }
        _ => format!("{head}."),
    }
}

/// `LEVER lowers WHAT from A to B (by D, 95 % CI LO–HI)`.
fn change(a: &Advice, l: &LeverResult, m: usize) -> String {
    let def = &a.metrics[m];
    let e = &l.effects[m];
    let verb = if e.diff > 0.0 { "raises" } else { "lowers" };
    let (lo, hi) = e.interval();
    let (lo, hi) = if def.diff_unit() == "pp" {
        (lo.max(-100.0), hi.min(100.0))
    } else {
        (lo, hi)
    };
    let (small, large) = (lo.abs().min(hi.abs()), lo.abs().max(hi.abs()));
    format!(
        "{} {verb} {} from {} to {} ({})",
        l.lever.label,
        headline_phrase(def),
        value(def, e.base),
        value(def, e.value),
        by_how_much(def, e.diff.abs(), small, large),
    )
}

/// How much a significant change moves a metric, its size and interval
/// as magnitudes (the verb says which way): `by 8h 1m, 95 % CI 6h 23m–9h
/// 39m`, `by 60.0 pp, 95 % CI 50.0–70.0 pp`, at the precision that tells
/// the interval's ends apart; the same difference in every run says so.
fn by_how_much(def: &MetricDef, size: f64, small: f64, large: f64) -> String {
    if def.diff_unit() == "pp" {
        let at = |digits: usize| [size, small, large].map(|v| percent(v, digits).replace(" %", ""));
        let [m, a, b] = (1..=3)
            .map(at)
            .find(|[_, a, b]| a != b)
            .unwrap_or_else(|| at(1));
        return format!("by {m} pp, 95 % CI {a}–{b} pp");
    }
    if small == large {
        return format!("by {} in every run", value(def, size));
    }
    let [m, a, b] = super::findings::ci_texts(size, small, large, def.diff_unit());
    format!("by {m}, 95 % CI {a}–{b}")
}

/// The columns of the ranked table: the headline, then the mean
/// downtime, the weighted impact and the 90 % milestone when compared.
fn columns(a: &Advice) -> Vec<usize> {
    let mut cols = vec![a.headline];
    for m in [
        a.metric(crate::advise::MEAN_DOWNTIME),
        a.metric(crate::advise::WEIGHTED_IMPACT),
        a.ninety,
    ]
    .into_iter()
    .flatten()
    {
        if !cols.contains(&m) {
            cols.push(m);
        }
    }
    cols
}

/// A short column title; the legend under the table names the metrics
/// in full.
fn column_title(def: &MetricDef, headline: bool) -> String {
    let title = if def.name.starts_with("objective ") {
        "P(met)".to_string()
    } else if def.name == crate::advise::WEIGHTED_IMPACT {
        "impact".into()
    } else if def.name == crate::advise::MEAN_DOWNTIME {
        "downtime".into()
    } else if let Some((_, what)) = def.name.split_once(": ") {
        // `incident 2 (bug): 90 % back` -> `90 % back`; the legend names
        // the incident.
        what.to_string()
    } else {
        def.name.clone()
    };
    match (headline, def.diff_unit()) {
        (true, "pp") => format!("{title}, pp (95 % CI)"),
        (true, _) => format!("{title} (95 % CI)"),
        (false, "crit·h") => format!("{title}, crit·h"),
        _ => title,
    }
}

/// A compact cell of the ranked table: for the headline, the paired
/// difference and its interval; for the other metrics, the difference
/// alone, `–` when it is not significant.
fn compact(def: &MetricDef, e: &Effect, headline: bool) -> String {
    let bare = |v: f64| {
        let t = amount(def, v);
        t.trim_end_matches(" pp")
            .trim_end_matches(" crit·h")
            .to_string()
    };
    if !e.significant() {
        return match (e.n, headline) {
            (0, _) => "not reached".into(),
            (1, _) => "too few runs".into(),
            (_, true) => "no significant difference".into(),
            (_, false) => "–".into(),
        };
    }
    if !headline {
        return bare(e.diff);
    }
    let (mut lo, mut hi) = e.interval();
    if def.diff_unit() == "pp" {
        (lo, hi) = (lo.max(-100.0), hi.min(100.0));
    } else if lo == hi {
        // The same difference in every run: no interval of no width.
        return format!("{} in every run", bare(e.diff));
    }
    format!("{} ({} to {})", bare(e.diff), bare(lo), bare(hi))
}

/// A column title that names the incident of a milestone (the HTML
/// section's table, which has room for it).
fn long_title(def: &MetricDef) -> String {
    match def.name.split_once(": ") {
        Some((incident, what)) if def.name.starts_with("incident ") => {
            // `incident 2 (bug): 90 % back` -> `90 % back (incident 2)`.
            let k = incident.split(" (").next().unwrap_or(incident);
            format!("{what} ({k})")
        }
        _ => column_title(def, false),
    }
}

/// The widest a text table may be: an ordinary terminal.
pub const TABLE_WIDTH: u16 = 100;

fn table() -> Table {
    let mut t = Table::new();
    // Cells wrap only when a table would not fit `TABLE_WIDTH` (a long
    // lever id from a levers file).
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(TABLE_WIDTH);
    t
}

/// The legend under the ranked table: what each column is.
fn legend(a: &Advice, cols: &[usize]) -> String {
    let head = &a.metrics[a.headline];
    let mut parts = vec![format!(
        "Paired changes against the plan. {}: {}",
        column_title(head, false),
        headline_phrase(head)
    )];
    for &m in &cols[1..] {
        let def = &a.metrics[m];
        parts.push(if def.name == crate::advise::MEAN_DOWNTIME {
            "downtime: the mean downtime per app down".to_string()
        } else if def.name == crate::advise::WEIGHTED_IMPACT {
            "impact: Σ criticality × downtime".to_string()
        } else if let Some((incident, what)) = def.name.split_once(": ") {
            format!("{what}: after the strike of {incident}")
        } else {
            def.name.clone()
        });
    }
    parts.push("–: no significant difference. Every interval is in --json.".into());
    parts.join("; ")
}

/// Renders the advice for people. `apply` is the start of the command
/// that weighs a lever (`hvsim compare SCENARIO --strategies S --runs N
/// --seed S`); each lever's `--set` edits follow it.
pub fn render_advise(a: &Advice, apply: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", verdict(a));
    let _ = writeln!(
        out,
        "\n{}: strategy {}, {} replications of the plan and of each of {} on common random numbers (seed {}); levers ranked by their paired gain on {}, {}.",
        a.scenario,
        a.strategy,
        a.done,
        crate::units::counted(a.levers.len(), "lever", "levers"),
        a.seed,
        headline_phrase(&a.metrics[a.headline]),
        a.headline_reason()
    );
    let cols = columns(a);
    let plan: Vec<String> = cols
        .iter()
        .map(|&m| {
            let v = if a.base_n[m] == 0 {
                "not reached".to_string()
            } else {
                value(&a.metrics[m], a.base[m])
            };
            let def = &a.metrics[m];
            let name = if m == a.headline {
                headline_phrase(def)
            } else {
                def.name.clone()
            };
            format!("{name} {v}")
        })
        .collect();
    let _ = writeln!(out, "The plan: {}.", plan.join(", "));
    let mut t = table();
    let mut header = vec!["#".to_string(), "lever".to_string()];
    header.extend(
        cols.iter()
            .map(|&m| column_title(&a.metrics[m], m == a.headline)),
    );
    t.set_header(header);
    for (i, l) in a.levers.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), l.lever.id.clone()];
        row.extend(
            cols.iter()
                .map(|&m| compact(&a.metrics[m], &l.effects[m], m == a.headline)),
        );
        t.add_row(row);
    }
    let _ = writeln!(out, "\n{t}\n{}", legend(a, &cols));
    if a.has_costs() {
        costs_section(&mut out, a);
    }
    let _ = writeln!(
        out,
        "\nEach lever, and the command that weighs it on the same replications (its means are the lever's):"
    );
    for (i, l) in a.levers.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}: {}", i + 1, l.lever.id, l.lever.label);
        let _ = writeln!(out, "     {apply} {}", l.lever.set_args());
    }
    if !a.failed.is_empty() {
        let _ = writeln!(out, "\nNot evaluated (the changed scenario does not load):");
        for (_, why) in &a.failed {
            let _ = writeln!(out, "  {why}");
        }
    }
    out
}

/// The headline's gain per 1,000 of money per year, or per person.
fn per_cost(l: &LeverResult, a: &Advice) -> Option<f64> {
    let c = l.lever.cost?;
    let g = l.gain(&a.metrics, a.headline);
    if c.money_per_year > 0.0 {
        Some(g / (c.money_per_year / 1000.0))
    } else if c.people > 0.0 {
        Some(g / c.people)
    } else {
        None
    }
}

fn cost_text(c: &crate::advise::Cost) -> String {
    let mut parts = Vec::new();
    if c.money_per_year > 0.0 {
        parts.push(format!("{} a year", thousands(c.money_per_year)));
    }
    if c.people > 0.0 {
        let who = if c.people == 1.0 { "person" } else { "people" };
        parts.push(format!("{} {who}", c.people));
    }
    if parts.is_empty() {
        "free".into()
    } else {
        parts.join(", ")
    }
}

fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The cost-effectiveness ranking and the Pareto frontier.
fn costs_section(out: &mut String, a: &Advice) {
    let def = &a.metrics[a.headline];
    let mut costed: Vec<&LeverResult> =
        a.levers.iter().filter(|l| l.lever.cost.is_some()).collect();
    // A free lever that helps comes first, one that does not last.
    let key = |l: &LeverResult| {
        per_cost(l, a).unwrap_or(if l.gain(&a.metrics, a.headline) > 0.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        })
    };
    costed.sort_by(|x, y| key(y).total_cmp(&key(x)));
    let mut t = table();
    t.set_header(vec![
        "lever",
        "cost",
        &column_title(def, true),
        "gain per 1,000 a year (or per person)",
    ]);
    for l in &costed {
        let e = &l.effects[a.headline];
        t.add_row(vec![
            l.lever.id.clone(),
            cost_text(&l.lever.cost.unwrap_or_default()),
            cell(def, e),
            per_cost(l, a).map_or_else(|| "free".into(), |g| amount(def, g)),
        ]);
    }
    let _ = writeln!(
        out,
        "\nCost-effectiveness (most gain per unit of cost first):\n{t}"
    );
    let all: Vec<Combo> = a.costed();
    let front = frontier(&all, &a.metrics, a.headline);
    let mut t = table();
    t.set_header(vec![
        "levers",
        "cost",
        &column_title(def, false),
        "95 % CI of the change",
    ]);
    for &i in &front {
        let c = &all[i];
        let name = if c.levers.is_empty() {
            "the plan as it is".to_string()
        } else {
            c.levers.join(" + ")
        };
        let e = &c.effects[a.headline];
        t.add_row(vec![
            name,
            cost_text(&c.cost),
            value(def, e.value),
            if c.levers.is_empty() {
                "—".into()
            } else {
                range(def, e)
            },
        ]);
    }
    let _ = writeln!(
        out,
        "\nPareto frontier of cost against {} ({} options compared: the plan, each costed lever and the combinations tried; {} on the frontier):\n{t}",
        headline_phrase(def),
        all.len(),
        front.len()
    );
}

/// `hvsim advise --json`.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct AdviseJson {
    pub schema: &'static str,
    pub scenario: String,
    pub strategy: String,
    pub seed: u64,
    /// [`crate::sim::STREAM_VERSION`].
    pub streams: u32,
    pub runs: u64,
    /// The metric the levers are ranked on.
    pub headline: String,
    /// Why that metric: `as --objective asks`, `the objective the levers
    /// improve most; --objective to choose`, ...
    pub headline_reason: &'static str,
    pub verdict: String,
    /// The plan's mean of each metric, by name, with its unit.
    pub plan: Vec<PlanJson>,
    /// Best first.
    pub levers: Vec<LeverJson>,
    /// Levers that could not be evaluated.
    pub failed: Vec<FailedJson>,
    /// With costs: the plan, the costed levers and their combinations.
    pub combinations: Vec<ComboJson>,
    /// Indices into `combinations` of the Pareto frontier, by cost.
    pub frontier: Vec<usize>,
}

/// A metric of the plan.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct PlanJson {
    pub metric: String,
    pub unit: &'static str,
    pub mean: f64,
}

/// A lever's results.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct LeverJson {
    pub rank: usize,
    pub id: String,
    pub label: String,
    /// `PATH=VALUE` edits, as `--set` takes them.
    pub set: Vec<String>,
    pub cost: Option<CostJson>,
    pub effects: Vec<EffectJson>,
}

/// A cost.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct CostJson {
    pub per_year: f64,
    pub people: f64,
}

/// An effect on one metric: the lever's mean, the paired difference
/// against the plan and its 95 % interval, in `unit` (`pp` for shares).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct EffectJson {
    pub metric: String,
    pub mean: f64,
    pub diff: f64,
    pub ci95: Option<[f64; 2]>,
    pub unit: &'static str,
    pub paired_runs: u64,
    pub significant: bool,
}

/// A lever that could not be evaluated.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct FailedJson {
    pub id: String,
    pub error: String,
}

/// A combination of costed levers.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ComboJson {
    pub levers: Vec<String>,
    pub cost: CostJson,
    pub effects: Vec<EffectJson>,
}

fn effects_json(a: &Advice, effects: &[Effect]) -> Vec<EffectJson> {
    a.metrics
        .iter()
        .zip(effects)
        .map(|(def, e)| EffectJson {
            metric: def.name.clone(),
            mean: e.value,
            diff: e.diff,
            ci95: e.ci.map(|(lo, hi)| [lo, hi]),
            unit: def.diff_unit(),
            paired_runs: e.n,
            significant: e.significant(),
        })
        .collect()
}

fn cost_json(c: &crate::advise::Cost) -> CostJson {
    CostJson {
        per_year: c.money_per_year,
        people: c.people,
    }
}

/// Builds the JSON document of the advice.
pub fn advise_json(a: &Advice) -> AdviseJson {
    let all = if a.has_costs() {
        a.costed()
    } else {
        Vec::new()
    };
    let front = if all.is_empty() {
        Vec::new()
    } else {
        frontier(&all, &a.metrics, a.headline)
    };
    AdviseJson {
        schema: "hvsim.advise/1",
        scenario: a.scenario.clone(),
        strategy: a.strategy.clone(),
        seed: a.seed,
        streams: crate::sim::STREAM_VERSION,
        runs: a.done,
        headline: a.metrics[a.headline].name.clone(),
        headline_reason: a.headline_reason(),
        verdict: verdict(a),
        plan: a
            .metrics
            .iter()
            .zip(&a.base)
            .map(|(d, &mean)| PlanJson {
                metric: d.name.clone(),
                unit: d.unit,
                mean,
            })
            .collect(),
        levers: a
            .levers
            .iter()
            .enumerate()
            .map(|(i, l)| LeverJson {
                rank: i + 1,
                id: l.lever.id.clone(),
                label: l.lever.label.clone(),
                set: l.lever.edits.iter().map(ToString::to_string).collect(),
                cost: l.lever.cost.as_ref().map(cost_json),
                effects: effects_json(a, &l.effects),
            })
            .collect(),
        failed: a
            .failed
            .iter()
            .map(|(l, e)| FailedJson {
                id: l.id.clone(),
                error: e.clone(),
            })
            .collect(),
        combinations: all
            .iter()
            .map(|c| ComboJson {
                levers: c.levers.clone(),
                cost: cost_json(&c.cost),
                effects: effects_json(a, &c.effects),
            })
            .collect(),
        frontier: front,
    }
}

/// The charts of the advice, each naming `command`, the command line that
/// reproduces it: the tornado chart and, with costs, the frontier.
pub fn advise_svgs<'a>(
    a: &Advice,
    page: impl Into<crate::chart::Page<'a>>,
) -> Vec<super::NamedFile> {
    let page = page.into();
    let mut files = vec![(
        "advise-tornado.svg".to_string(),
        crate::chart::advise::tornado_chart(a, page),
    )];
    if a.has_costs() {
        files.push((
            "advise-frontier.svg".to_string(),
            crate::chart::advise::frontier_chart(a, page),
        ));
    }
    files
}

/// The "top levers" section of an HTML report: the verdict, the `top`
/// best levers with their paired change of each metric, and the tornado
/// chart inline; `command` reproduces the advice. `hvsim report` shows it
/// after its run (docs/advise.md, "In the HTML report").
pub fn advise_html_section(a: &Advice, top: usize, command: &str) -> String {
    use crate::chart::svg::escape;
    let mut out = String::new();
    let _ = writeln!(out, "<section class=\"advise\">\n<h2>Top levers</h2>");
    let _ = writeln!(out, "<p>{}</p>", escape(&verdict(a)));
    let _ = writeln!(
        out,
        "<p>Levers ranked on {}, {}.</p>",
        escape(&headline_phrase(&a.metrics[a.headline])),
        escape(a.headline_reason())
    );
    let cols = columns(a);
    let _ = write!(out, "<table>\n<tr><th>#</th><th>lever</th>");
    for &m in &cols {
        let _ = write!(out, "<th>{}</th>", escape(&long_title(&a.metrics[m])));
    }
    let _ = writeln!(out, "</tr>");
    for (i, l) in a.levers.iter().take(top).enumerate() {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td>",
            i + 1,
            escape(&l.lever.label)
        );
        for &m in &cols {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(&cell(&a.metrics[m], &l.effects[m]))
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</table>");
    let svg = crate::chart::advise::tornado_chart(a, command);
    // Inline: without its XML declaration, if any.
    let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
    let _ = writeln!(out, "<figure>{svg}</figure>\n</section>");
    out
}
