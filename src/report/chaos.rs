//! `hvsim chaos` for people (text) and programs (JSON): the minimal
//! campaigns that break the plan, the finding first; the blast-radius
//! table and the resilience score of `--single`.

use serde_json::{Value, json};

use crate::chaos::judge::{Target, show};
use crate::chaos::{Chaos, Fault, Found, Measure, Scope, Shrunk, Single, Stop, Verdict};

/// A minimal campaign and where it was written.
#[derive(Clone, Debug)]
pub struct Written {
    /// The shrunk campaign.
    pub shrunk: Shrunk,
    /// The file it was written to, if any.
    pub file: Option<String>,
    /// The command lines that replay it.
    pub replay: Vec<String>,
}

fn criterion_line(chaos: &Chaos) -> Vec<String> {
    chaos
        .judge
        .criteria
        .iter()
        .map(|c| match c.target {
            Target::Met(t) => format!(
                "objective \"{}\" met in at least {} % of runs",
                c.label,
                crate::chaos::threshold_text(t)
            ),
            Target::Above(a) => format!("{} at most {}", c.label, show(a, c.unit)),
            Target::Below(b) => format!("{} at least {}", c.label, show(b, c.unit)),
        })
        .collect()
}

/// How a measure reads: `met in 12 % of runs (95 % CI 7–19 %)`.
fn measure(chaos: &Chaos, k: usize, m: &Measure) -> String {
    let Some(c) = chaos.judge.criteria.get(k) else {
        return String::new();
    };
    match c.target {
        Target::Met(_) => format!(
            "met in {:.0} % of runs (95 % CI {:.0}–{:.0} %; {:+.0} pp against no fault, 95 % CI {:+.0} to {:+.0} pp)",
            m.value, m.ci.0, m.ci.1, m.diff.0, m.diff_interval.0, m.diff_interval.1
        ),
        Target::Above(_) | Target::Below(_) => format!(
            "{} (95 % CI {}–{})",
            show(m.value, c.unit),
            show(m.ci.0, c.unit),
            show(m.ci.1, c.unit)
        ),
    }
}

/// What a broken criterion means, the finding's verb.
fn misses(chaos: &Chaos, k: usize, m: &Measure) -> String {
    let Some(c) = chaos.judge.criteria.get(k) else {
        return String::new();
    };
    match c.target {
        Target::Met(_) => format!(
            "Your plan misses \"{}\" (P miss {:.0} %, 95 % CI {:.0}–{:.0} %)",
            c.label,
            100.0 - m.value,
            100.0 - m.ci.1,
            100.0 - m.ci.0
        ),
        Target::Above(a) => format!(
            "Your plan's {} rises to {} (above {})",
            c.label,
            show(m.value, c.unit),
            show(a, c.unit)
        ),
        Target::Below(b) => format!(
            "Your plan's {} falls to {} (below {})",
            c.label,
            show(m.value, c.unit),
            show(b, c.unit)
        ),
    }
}

/// The lines above every chaos report: the command and scenario, the
/// strategy, the replications per `unit` (candidate or fault) and the
/// seed, what is judged, and the judge's note.
fn header(chaos: &Chaos, command: &str, unit: &str) -> String {
    let mut out = format!(
        "{command}: {}\nstrategy {}, {} replications per {unit}, seed {}\n",
        chaos.space.scenario().name,
        chaos.strategy,
        chaos.runs,
        chaos.seed
    );
    for line in criterion_line(chaos) {
        out.push_str(&format!("judged: {line}\n"));
    }
    if let Some(note) = &chaos.judge.note {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// The report of a search: the header, each minimal campaign (the
/// finding first), then what was searched.
pub fn render_chaos(
    chaos: &Chaos,
    baseline: Option<&Verdict>,
    found: &Found,
    written: &[Written],
) -> String {
    let space = &chaos.space;
    let mut out = header(chaos, "hvsim chaos", "candidate");
    out.push('\n');
    if let Some(b) = baseline.filter(|b| b.broken()) {
        let k = b.worst();
        if let Some(m) = b.measures.get(k) {
            out.push_str(&format!(
                "{} even without any fault of the space (no bug, no outage{}).\n  {}\n\n\
                 No fault is needed to break it, so no campaign is searched: fix the plan first \
                 (`hvsim advise` ranks the changes that would help most).\n",
                misses(chaos, k, m),
                if space.background().as_array().is_some_and(|a| !a.is_empty()) {
                    "; the scenario's own random failures only"
                } else {
                    ""
                },
                measure(chaos, k, m)
            ));
        }
        if found.tried.is_empty() {
            return out;
        }
    }
    for (n, w) in written.iter().enumerate() {
        let s = &w.shrunk;
        let k = s.criterion;
        let Some(m) = s.verdict.measures.get(k) else {
            continue;
        };
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{} when:\n", misses(chaos, k, m)));
        for f in &s.campaign {
            out.push_str(&format!("  - {}\n", space.describe(f)));
        }
        out.push_str(&match (s.complete, s.campaign.len()) {
            (false, _) => {
                "Interrupted before shrinking ended: it may not be minimal.\n".to_string()
            }
            (true, 1) => "This one fault alone breaks it.\n".to_string(),
            (true, 2) => "No single one of these faults breaks it.\n".to_string(),
            _ => "Removing any one of these faults stops it breaking the plan.\n".to_string(),
        });
        out.push_str(&format!("  {}\n", measure(chaos, k, m)));
        if let Some(file) = &w.file {
            out.push_str(&format!("  written to {file}; replay:\n"));
            for r in &w.replay {
                out.push_str(&format!("    {r}\n"));
            }
        }
    }
    let broken = found.tried.iter().filter(|t| t.verdict.broken()).count();
    if broken > 0 && written.is_empty() {
        out.push_str(&format!(
            "{} candidates tried, {broken} broke the plan; none shrunk (--keep 0, or interrupted).\n",
            found.tried.len()
        ));
    } else if written.is_empty() {
        out.push_str(&format!(
            "Nothing found: no campaign broke the plan in {} candidates tried.\n",
            found.tried.len()
        ));
        if let Some(worst) = found
            .tried
            .iter()
            .max_by(|a, b| a.verdict.harm_cmp(&b.verdict))
        {
            let k = worst.verdict.worst();
            if let Some(m) = worst.verdict.measures.get(k) {
                out.push_str(&format!("The closest: {}, when:\n", measure(chaos, k, m)));
                for f in &worst.campaign {
                    out.push_str(&format!("  - {}\n", space.describe(f)));
                }
            }
        }
    } else {
        out.push_str(&format!(
            "\n{} candidates tried, {broken} broke the plan; {} minimal campaign{} shown.\n",
            found.tried.len(),
            written.len(),
            if written.len() == 1 { "" } else { "s" }
        ));
    }
    out.push_str(&stop_note(found.stop));
    out
}

fn stop_note(stop: Stop) -> String {
    match stop {
        Stop::Done => String::new(),
        Stop::Time => "The time budget ran out before the candidate budget.\n".into(),
        Stop::Interrupted => "Interrupted: the best found so far.\n".into(),
        Stop::Exhausted => "The space has no more distinct campaigns.\n".into(),
    }
}

/// The measures of the plan without any fault: no difference against
/// itself to give.
fn baseline_json(chaos: &Chaos, v: &Verdict) -> Value {
    let mut doc = measure_json(chaos, v);
    if let Value::Array(measures) = &mut doc {
        for m in measures.iter_mut().filter_map(Value::as_object_mut) {
            m.remove("diff_vs_no_fault");
        }
    }
    doc
}

fn measure_json(chaos: &Chaos, v: &Verdict) -> Value {
    Value::Array(
        chaos
            .judge
            .criteria
            .iter()
            .zip(&v.measures)
            .map(|(c, m)| {
                json!({
                    "criterion": c.label,
                    "metric": c.metric,
                    "value": m.value,
                    "ci95": [m.ci.0, m.ci.1],
                    "diff_vs_no_fault": {
                        "mean": m.diff.0,
                        "ci95": m.diff.1,
                        "interval": [m.diff_interval.0, m.diff_interval.1],
                    },
                    "n": m.n,
                    "breaks": m.breaks,
                })
            })
            .collect(),
    )
}

fn criteria_json(chaos: &Chaos) -> Value {
    Value::Array(
        chaos
            .judge
            .criteria
            .iter()
            .map(|c| {
                let (rule, value) = match c.target {
                    Target::Met(t) => ("met_at_least", t),
                    Target::Above(a) => ("at_most", a),
                    Target::Below(b) => ("at_least", b),
                };
                json!({ "label": c.label, "metric": c.metric, "unit": c.unit, rule: value })
            })
            .collect(),
    )
}

/// The search as JSON (`hvsim.chaos/1`).
pub fn chaos_json(
    chaos: &Chaos,
    baseline: Option<&Verdict>,
    found: &Found,
    written: &[Written],
) -> Value {
    let space = &chaos.space;
    json!({
        "schema": "hvsim.chaos/1",
        "scenario": space.scenario().name,
        "strategy": chaos.strategy,
        "seed": chaos.seed,
        "runs": chaos.runs,
        "criteria": criteria_json(chaos),
        "note": chaos.judge.note,
        "without_any_fault": baseline.map(|b| baseline_json(chaos, b)),
        "candidates_tried": found.tried.len(),
        "broken": found.tried.iter().filter(|t| t.verdict.broken()).count(),
        "stop": format!("{:?}", found.stop).to_lowercase(),
        "minimal": written.iter().map(|w| json!({
            "criterion": chaos.judge.criteria.get(w.shrunk.criterion).map(|c| c.label.clone()),
            "faults": w.shrunk.campaign.iter().map(|f| space.describe(f)).collect::<Vec<_>>(),
            "campaign": chaos.campaign_value(&w.shrunk.campaign, "minimal"),
            "measures": measure_json(chaos, &w.shrunk.verdict),
            "without_each_fault": w.shrunk.without.iter().map(|v| measure_json(chaos, v)).collect::<Vec<_>>(),
            "found_as": w.shrunk.original.iter().map(|f| space.describe(f)).collect::<Vec<_>>(),
            "file": w.file,
            "replay": w.replay,
        })).collect::<Vec<_>>(),
    })
}

/// The blast-radius table and the resilience score, for people.
pub fn render_single(chaos: &Chaos, single: &Single) -> String {
    let space = &chaos.space;
    let mut out = header(chaos, "hvsim chaos --single", "fault");
    if let Some((p, (lo, hi))) = single.score {
        out.push_str(&format!(
            "\nResilience: the plan survives {p:.0} % of random campaigns (95 % CI {lo:.0}–{hi:.0} %; {} of {} drawn from the space).\n",
            single.survived, single.drawn
        ));
    }
    let broken = single.table.iter().filter(|b| b.verdict.broken()).count();
    out.push_str(&format!("Covers {}\n", single.covers));
    out.push_str(&format!(
        "{broken} of {} single faults break it on their own.\n\nBlast radius, the most harmful first:\n",
        single.table.len()
    ));
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    let mut header = vec!["fault".to_string()];
    header.extend(chaos.judge.criteria.iter().map(|c| c.label.clone()));
    header.push("breaks".into());
    table.set_header(header);
    for b in &single.table {
        let mut row = vec![space.describe(&b.fault)];
        row.extend(b.verdict.measures.iter().enumerate().map(|(k, m)| {
            match chaos.judge.criteria.get(k).map(|c| (c.target, c.unit)) {
                Some((Target::Met(_), _)) => format!(
                    "{:.0} % [{:.0}–{:.0}] {:+.0} pp",
                    m.value, m.ci.0, m.ci.1, m.diff.0
                ),
                Some((_, unit)) => format!(
                    "{} [{}–{}]",
                    show(m.value, unit),
                    show(m.ci.0, unit),
                    show(m.ci.1, unit)
                ),
                None => String::new(),
            }
        }));
        row.push(if b.verdict.broken() { "yes" } else { "no" }.into());
        table.add_row(row);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    if single.interrupted {
        out.push_str("Interrupted: the table covers the faults evaluated.\n");
    }
    out
}

/// The blast-radius table and the resilience score as JSON.
pub fn single_json(chaos: &Chaos, single: &Single) -> Value {
    let space = &chaos.space;
    json!({
        "schema": "hvsim.chaos-single/1",
        "scenario": space.scenario().name,
        "strategy": chaos.strategy,
        "seed": chaos.seed,
        "runs": chaos.runs,
        "criteria": criteria_json(chaos),
        "note": chaos.judge.note,
        "resilience": single.score.map(|(p, (lo, hi))| json!({
            "survived": single.survived, "drawn": single.drawn, "share": p, "ci95": [lo, hi],
        })),
        "covers": single.covers,
        "unlisted": single.unlisted,
        "faults": single.table.iter().map(|b| json!({
            "fault": space.describe(&b.fault),
            "scope": scope_json(chaos, &b.fault),
            "campaign": chaos.campaign_value(&[b.fault], "single fault"),
            "breaks": b.verdict.broken(),
            "measures": measure_json(chaos, &b.verdict),
        })).collect::<Vec<_>>(),
        "interrupted": single.interrupted,
    })
}

/// Where a single fault strikes: its tier (`one host`, `a cluster`, `a
/// site`, `as written`, `every host on the build`, or its kind for a fault
/// that is not a bug: `backup`, `link`, `management`, `dr-host`,
/// `absence`) and the instance's name where it has one.
fn scope_json(chaos: &Chaos, fault: &Fault) -> Value {
    let s = chaos.space.scenario();
    match *fault {
        Fault::Bug { scope, .. } => {
            let name = match scope {
                Scope::Host(h) => s.hosts.get(h as usize).map(|x| x.id.clone()),
                Scope::Cluster(c) => s.clusters.get(c as usize).map(|x| x.id.clone()),
                Scope::Site(k) => s.sites.get(k as usize).map(|x| x.id.clone()),
                Scope::AsWritten | Scope::Build => None,
            };
            json!({ "tier": crate::chaos::single::tier(scope), "name": name })
        }
        Fault::Outage { what, .. } => json!({ "tier": what.as_str(), "name": null }),
        Fault::DrHost { .. } => json!({ "tier": "dr-host", "name": null }),
        Fault::Absence { team, .. } => json!({
            "tier": "absence",
            "name": s.teams.get(team as usize).map(|t| t.id.clone()),
        }),
    }
}

/// The self-contained HTML page of a chaos run, in the style of `hvsim
/// report`: the minimal campaigns (when searched), the blast-radius table
/// and its chart (when computed), and how to reproduce it.
pub fn chaos_html(
    chaos: &Chaos,
    written: &[Written],
    single: Option<&Single>,
    command: &str,
) -> String {
    use crate::chart::svg::escape;
    use std::fmt::Write;
    let space = &chaos.space;
    let name = &space.scenario().name;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"hvsim {}\"/>\n<title>hvsim chaos: {}</title>\n<style>{}</style>\n</head>\n<body>",
        env!("CARGO_PKG_VERSION"),
        escape(name),
        super::html::CSS
    );
    let _ = writeln!(out, "<h1>Chaos: {}</h1>", escape(name));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Strategy {}, {} replications per candidate on common random numbers, seed {}. Judged: {}.</p>",
        escape(&chaos.strategy),
        chaos.runs,
        chaos.seed,
        escape(&criterion_line(chaos).join("; "))
    );
    if let Some(note) = &chaos.judge.note {
        let _ = writeln!(out, "<p>{}</p>", escape(note));
    }
    if !written.is_empty() {
        let _ = writeln!(out, "<h2>Minimal campaigns that break the plan</h2>");
        for w in written {
            let s = &w.shrunk;
            let Some(m) = s.verdict.measures.get(s.criterion) else {
                continue;
            };
            let _ = writeln!(
                out,
                "<p><strong>{} when:</strong></p>\n<ul>",
                escape(&misses(chaos, s.criterion, m))
            );
            for f in &s.campaign {
                let _ = writeln!(out, "<li>{}</li>", escape(&space.describe(f)));
            }
            let _ = writeln!(
                out,
                "</ul>\n<p>{}</p>",
                escape(&crate::chaos::file::finding(chaos, s).join(" "))
            );
            if let Some(file) = &w.file {
                let _ = writeln!(
                    out,
                    "<p>Written to <code>{}</code>; replay:</p>\n<pre>{}</pre>",
                    escape(file),
                    escape(&w.replay.join("\n"))
                );
            }
        }
    }
    if let Some(single) = single {
        let _ = writeln!(out, "<h2>Blast radius of single faults</h2>");
        let _ = writeln!(out, "<p>Covers {}</p>", escape(&single.covers));
        if let Some((p, (lo, hi))) = single.score {
            let _ = writeln!(
                out,
                "<p>Resilience: the plan survives {p:.0} % of random campaigns of the space (95 % CI {lo:.0}–{hi:.0} %; {} of {}).</p>",
                single.survived, single.drawn
            );
        }
        if let Some(svg) = crate::chart::chaos::blast_radius_svg(chaos, single) {
            super::html::figure(
                &mut out,
                "blast-radius",
                &svg,
                "Each single fault alone against no fault at all, the most harmful first.",
                true,
            );
        }
        let _ = writeln!(out, "<div class=\"scroll\"><table>\n<tr><th>fault</th>");
        for c in &chaos.judge.criteria {
            let _ = write!(out, "<th>{}</th>", escape(&c.label));
        }
        let _ = writeln!(out, "<th>breaks</th></tr>");
        for b in &single.table {
            let _ = write!(out, "<tr><td>{}</td>", escape(&space.describe(&b.fault)));
            for (k, m) in b.verdict.measures.iter().enumerate() {
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td>",
                    escape(&measure(chaos, k, m))
                );
            }
            let _ = writeln!(
                out,
                "<td>{}</td></tr>",
                if b.verdict.broken() { "yes" } else { "no" }
            );
        }
        let _ = writeln!(out, "</table></div>");
    }
    let _ = writeln!(
        out,
        "<h2>Reproduce</h2>\n<pre>{}</pre>\n<p>The decision rule, the fault space and the search are described in docs/chaos.md.</p>\n</body>\n</html>",
        escape(command)
    );
    out
}
