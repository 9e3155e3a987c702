//! A minimal campaign as a `--faults` campaign file: YAML, each fault
//! commented with what it is, the head with the probability of missing and
//! the exact commands that replay it.

use serde_json::Value;

use super::Chaos;
use super::judge::Target;
use super::shrink::Shrunk;

/// The campaign file of `shrunk`. `replay` holds the command lines that
/// replay it (with the file's path in them).
pub fn campaign_file(chaos: &Chaos, shrunk: &Shrunk, name: &str, replay: &[String]) -> String {
    let space = &chaos.space;
    let scenario = space.scenario();
    let mut out = String::new();
    out.push_str(&format!(
        "# A minimal fault campaign found by `hvsim chaos` for {}.\n",
        scenario.name
    ));
    for line in finding(chaos, shrunk) {
        out.push_str(&format!("# {line}\n"));
    }
    out.push_str("# Replay it:\n");
    for r in replay {
        out.push_str(&format!("#   {r}\n"));
    }
    out.push_str(&format!("name: {}\n", quote(name)));
    let values = space.fault_values(&shrunk.campaign);
    for section in ["bugs", "outages", "absences"] {
        let mine: Vec<_> = shrunk
            .campaign
            .iter()
            .zip(&values)
            .filter(|(_, (s, _))| *s == section)
            .collect();
        if mine.is_empty() && section == "absences" {
            // Left out like in the campaign searched (none).
            continue;
        }
        if mine.is_empty() {
            out.push_str(&format!("{section}: []\n"));
            continue;
        }
        out.push_str(&format!("{section}:\n"));
        for (fault, (_, v)) in mine {
            out.push_str(&format!("  # {}\n", space.describe(fault)));
            block_item(&mut out, v);
        }
    }
    out.push_str(&format!("chaos: {}\n", flow(space.background())));
    out
}

/// The finding in words: what it breaks, how likely, and minimality.
pub fn finding(chaos: &Chaos, shrunk: &Shrunk) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(c) = chaos.judge.criteria.get(shrunk.criterion) else {
        return lines;
    };
    let Some(m) = shrunk.verdict.measures.get(shrunk.criterion) else {
        return lines;
    };
    match c.target {
        Target::Met(t) => lines.push(format!(
            "It makes the plan miss \"{}\": met in {:.0} % of {} runs (95 % CI {:.0}–{:.0} %), below the {} % asked; P(miss) {:.0} % (95 % CI {:.0}–{:.0} %).",
            c.label,
            m.value,
            m.n,
            m.ci.0,
            m.ci.1,
            super::judge::threshold_text(t),
            100.0 - m.value,
            100.0 - m.ci.1,
            100.0 - m.ci.0
        )),
        Target::Above(a) | Target::Below(a) => lines.push(format!(
            "It takes {} to {} (95 % CI {}–{}), past the {} allowed.",
            c.label,
            super::judge::show(m.value, c.unit),
            super::judge::show(m.ci.0, c.unit),
            super::judge::show(m.ci.1, c.unit),
            super::judge::show(a, c.unit)
        )),
    }
    lines.push(format!(
        "Strategy {}, {} replications, seed {} (common random numbers).",
        chaos.strategy, chaos.runs, chaos.seed
    ));
    lines.push(match (shrunk.complete, shrunk.campaign.len()) {
        (false, _) => "Interrupted before shrinking ended: it may not be minimal.".to_string(),
        (true, 1) => "One fault alone breaks it.".to_string(),
        (true, 2) => "No single one of these faults breaks it: both are needed.".to_string(),
        _ => "Removing any one of these faults stops it breaking the plan.".to_string(),
    });
    lines
}

/// One list item, a mapping, written as a block with flow values.
fn block_item(out: &mut String, v: &Value) {
    match v.as_object() {
        Some(map) => {
            for (k, (key, value)) in ordered(map).into_iter().enumerate() {
                let lead = if k == 0 { "  - " } else { "    " };
                out.push_str(&format!("{lead}{key}: {}\n", flow(value)));
            }
        }
        None => out.push_str(&format!("  - {}\n", flow(v))),
    }
}

/// A mapping's entries in the order of the documentation (`id` first),
/// the rest alphabetical.
fn ordered(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    const ORDER: [&str; 15] = [
        "id",
        "what",
        "team",
        "members",
        "description",
        "builds",
        "trigger",
        "at",
        "for",
        "scope",
        "effects",
        "recurrence",
        "fix",
        "vendor",
        "name",
    ];
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    entries
}

/// A value in YAML flow style (strings double-quoted, as JSON does).
fn flow(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".into();
            }
            let items: Vec<String> = ordered(map)
                .into_iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}
