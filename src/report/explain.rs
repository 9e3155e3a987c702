//! `hvsim explain`'s text and JSON: the reasons of the incident first,
//! then per app a compact account (when it was down, its largest reasons,
//! the method chosen and why, what set its finish).

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use super::Clock;
use crate::explain::{
    AppExplanation, Breakdown, ChainStep, Detail, Explanation, MethodWhy, Reason, ReasonStudy,
};
use crate::model::{AppId, Scenario};
use crate::montecarlo::Moments;
use crate::recovery::decider::HostWait;
use crate::sim::{SimDuration, SimTime};
use crate::units::grouped;

/// The schema tag of [`ExplainJson`].
pub const EXPLAIN_SCHEMA: &str = "hvsim.explain/1";

/// Reasons shown on an app's line.
const APP_REASONS: usize = 3;

/// Apps named in a queue step.
const AHEAD_NAMED: usize = 3;

/// App-hours of a duration: whole and grouped (`1,950`), with a decimal
/// under ten (`0.3`).
fn app_hours(d: SimDuration) -> String {
    let hours = d.as_hours_f64();
    if hours < 9.95 {
        format!("{hours:.1}")
    } else {
        grouped((d.as_millis() + 1_800_000) / 3_600_000)
    }
}

/// `28 %`; `<1 %` for a share that is not zero but rounds to it.
fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1 %".to_string()
    } else {
        format!("{:.0} %", 100.0 * share)
    }
}

/// The percent of `reason` in `b`, rounded with the others so that the
/// shares of a breakdown add up to 100 ([`Breakdown::rounded_shares`]);
/// `<1 %` for a share that is not zero but rounds to it.
fn reason_percent(b: &Breakdown, rounded: &[u64], reason: Reason) -> String {
    match rounded[reason.index()] {
        0 if b.get(reason) > SimDuration::ZERO => "<1 %".to_string(),
        p => format!("{p} %"),
    }
}

/// The reasons of a breakdown, largest first, as `28 % waiting for the
/// diagnosis, 41 % …` (at most `n` of them; every one if `n` is 0). The
/// percentages are those of the whole breakdown, rounded so that all of
/// them add up to 100.
pub fn shares_sentence(b: &Breakdown, n: usize) -> String {
    let ranked = b.ranked();
    let rounded = b.rounded_shares(100);
    let take = if n == 0 { ranked.len() } else { n };
    ranked
        .iter()
        .take(take)
        .map(|&(r, _)| format!("{} {}", reason_percent(b, &rounded, r), r.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a group of outages is called: `incident 2 (bug esx-psod, Wed 26 Dec 01:40)`.
fn group_name(scenario: &Scenario, e: &Explanation, k: Option<usize>, clock: &Clock) -> String {
    match k {
        Some(k) => {
            let inc = &e.outcome.incidents[k];
            format!(
                "incident {} (bug {}, {}, {} down)",
                k + 1,
                scenario.bugs[inc.bug.index()].id,
                clock.short(inc.at),
                crate::units::counted(inc.apps.len(), "app", "apps")
            )
        }
        None => "outages outside any incident (random failures)".to_string(),
    }
}

/// Renders the explanation of one run; `apps` (if given) selects the
/// apps listed (the incident tables always count every app).
pub fn render_explain(scenario: &Scenario, e: &Explanation, apps: Option<&[AppId]>) -> String {
    let clock = Clock::new(scenario);
    let strategy = &scenario.strategies[e.outcome.strategy.index()];
    let mut out = String::new();
    let _ = writeln!(out, "Why the apps were down — {}", scenario.name);
    let _ = writeln!(
        out,
        "strategy {} · seed {} · dates in {}",
        strategy.id,
        e.outcome.seed,
        scenario.tz.iana_name().unwrap_or("UTC")
    );
    let groups = e.groups();
    if groups.is_empty() {
        let _ = writeln!(out, "\nNo app was down.");
    }
    for (k, b) in &groups {
        let _ = writeln!(
            out,
            "\n{}",
            capitalized(&group_name(scenario, e, *k, &clock))
        );
        let within = match k {
            Some(k) => format!("in incident {}", k + 1),
            None => "outside any incident".to_string(),
        };
        let _ = writeln!(
            out,
            "  of {} app-hours down {within}: {}",
            app_hours(b.total()),
            shares_sentence(b, 0)
        );
        let _ = writeln!(out, "{}", indent(&reason_table(b)));
    }
    apps_section(&mut out, scenario, e, apps, &clock);
    out
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reasons of a group as a table: reason, time, app-hours, share.
fn reason_table(b: &Breakdown) -> String {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec!["reason", "time", "app-hours", "share"]);
    let rounded = b.rounded_shares(100);
    for (r, d) in b.ranked() {
        table.add_row(vec![
            r.label().to_string(),
            d.to_string(),
            app_hours(d),
            reason_percent(b, &rounded, r),
        ]);
    }
    for c in [1, 2, 3] {
        if let Some(col) = table.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    table.to_string()
}

/// The apps that were down, longest first (file order on ties).
fn ranked_apps<'e>(e: &'e Explanation, apps: Option<&[AppId]>) -> Vec<&'e AppExplanation> {
    let mut list: Vec<&AppExplanation> = e
        .apps
        .iter()
        .filter(|a| apps.is_none_or(|only| only.contains(&a.app)))
        .filter(|a| !a.outages.is_empty())
        .collect();
    list.sort_by(|a, b| b.downtime().cmp(&a.downtime()).then(a.app.cmp(&b.app)));
    list
}

fn apps_section(
    out: &mut String,
    scenario: &Scenario,
    e: &Explanation,
    apps: Option<&[AppId]>,
    clock: &Clock,
) {
    let list = ranked_apps(e, apps);
    let _ = writeln!(
        out,
        "\nApps, longest down first ({} of {})",
        list.len(),
        scenario.apps.len()
    );
    if list.is_empty() {
        let _ = writeln!(out, "  none was down");
    }
    let width = list
        .iter()
        .map(|a| scenario.apps[a.app.index()].id.chars().count())
        .max()
        .unwrap_or(0);
    for app in list {
        let name = &scenario.apps[app.app.index()].id;
        let b = app.breakdown();
        let (first, last) = (app.outages.first(), app.outages.last());
        let from = first.map_or(String::new(), |o| clock.short(o.down_at));
        let to = match last.and_then(|o| o.up_at) {
            Some(t) => clock.short(t),
            None => "still down".to_string(),
        };
        let outages = if app.outages.len() > 1 {
            format!(", {} outages", app.outages.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {name:<width$}  {from} → {to}  {}{outages}: {}",
            b.total(),
            shares_sentence(&b, APP_REASONS)
        );
        let mut why = Vec::new();
        if let Some(m) = &app.method {
            why.push(method_said(e, app.app, m));
        }
        if let Some(still) = still_down(scenario, e, app, clock) {
            why.push(still);
        } else if !app.chain.is_empty() {
            why.push(format!(
                "finish set by {}",
                chain_phrase(scenario, &app.chain, clock)
            ));
        }
        if !why.is_empty() {
            let _ = writeln!(out, "  {:width$}    {}", "", why.join("; "));
        }
    }
}

/// For an app still down at the end of the horizon (its last outage
/// never ended, so nothing set its finish), that and what it was waiting
/// for then, since when: `still down at the end of the horizon, Mon 09
/// Jun 23:10: waiting for room at the DR site since Tue 03 Jun 00:10`.
/// `None` for an app that came back.
fn still_down(
    scenario: &Scenario,
    e: &Explanation,
    app: &AppExplanation,
    clock: &Clock,
) -> Option<String> {
    let last = app.outages.last().filter(|o| o.up_at.is_none())?;
    let end = clock.short(e.outcome.horizon);
    let Some(wait) = last.intervals.last() else {
        return Some(format!("still down at the end of the horizon, {end}"));
    };
    // The wait began where the run of intervals of that reason began.
    let since = last
        .intervals
        .iter()
        .rev()
        .take_while(|iv| iv.reason == wait.reason && iv.detail == wait.detail)
        .last()
        .map_or(wait.from, |iv| iv.from);
    let on = match wait.detail {
        Detail::App(d) => format!(" ({})", scenario.apps[d.index()].id),
        _ => String::new(),
    };
    Some(format!(
        "still down at the end of the horizon, {end}: {}{on} since {}",
        wait.reason.label(),
        clock.short(since)
    ))
}

/// The method chosen for app `a`, and, when no recovery of it finished
/// because its VMs came back by themselves once their host was repaired,
/// that too: `restart, the first method; back by itself once its host was
/// repaired`.
fn method_said(e: &Explanation, a: AppId, m: &MethodWhy) -> String {
    let o = &e.outcome.apps[a.index()];
    let back = e
        .apps
        .get(a.index())
        .and_then(|x| x.outages.last())
        .is_none_or(|last| last.up_at.is_some());
    if o.method.is_none() && o.self_restarts > 0 && back {
        format!(
            "{}; back by itself once its host was repaired",
            method_phrase(m)
        )
    } else {
        method_phrase(m)
    }
}

/// `reinstall (restart: its VMs are corrupted)`.
pub fn method_phrase(m: &MethodWhy) -> String {
    if m.skipped.is_empty() {
        return format!("{}, the first method", m.method.name());
    }
    let skipped: Vec<String> = m
        .skipped
        .iter()
        .map(|(x, why)| format!("{}: {}", x.name(), why.label()))
        .collect();
    format!("{} (not {})", m.method.name(), skipped.join("; "))
}

/// `directory (back Thu 27 Dec 14:00) ← queued 12th for reinstall behind a, b, c and 9 more (1d 2h)`.
pub fn chain_phrase(scenario: &Scenario, chain: &[ChainStep], clock: &Clock) -> String {
    chain
        .iter()
        .map(|step| match step {
            ChainStep::Dependency { app, back } => format!(
                "{} ({})",
                scenario.apps[app.index()].id,
                back.map_or("still down".to_string(), |t| format!(
                    "back {}",
                    clock.short(t)
                ))
            ),
            ChainStep::Queue {
                method,
                position,
                ahead,
                waited,
            } => {
                let mut names: Vec<&str> = ahead
                    .iter()
                    .take(AHEAD_NAMED)
                    .map(|a| scenario.apps[a.index()].id.as_str())
                    .collect();
                let more = ahead.len().saturating_sub(AHEAD_NAMED);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                if names.is_empty() {
                    names.push("none");
                }
                format!(
                    "queued {} for {} behind {}{more} ({waited} in the queue)",
                    ordinal(*position),
                    method.name(),
                    names.join(", ")
                )
            }
            ChainStep::Own { reason, time } => format!("{} ({time})", reason.label()),
        })
        .collect::<Vec<_>>()
        .join(" ← ")
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

// ---- HTML ------------------------------------------------------------------

/// Apps listed in the HTML report's section.
const HTML_APPS: usize = 12;

/// The labels and breakdowns of the groups, for the chart.
pub fn chart_groups(scenario: &Scenario, e: &Explanation) -> Vec<(String, Breakdown)> {
    e.groups()
        .into_iter()
        .map(|(k, b)| {
            let label = match k {
                Some(k) => format!(
                    "incident {} ({})",
                    k + 1,
                    scenario.bugs[e.outcome.incidents[k].bug.index()].id
                ),
                None => "no incident".to_string(),
            };
            (label, b)
        })
        .collect()
}

/// The HTML report's section: the reasons of each incident as stacked
/// bars, their sentence, and the longest-down apps with their reasons,
/// method and critical chain.
pub(super) fn html_section(
    out: &mut String,
    scenario: &Scenario,
    e: &Explanation,
    run_command: &str,
) {
    use crate::chart::svg::escape;
    let clock = Clock::new(scenario);
    let strategy = &scenario.strategies[e.outcome.strategy.index()];
    let _ = writeln!(
        out,
        "<h2 id=\"reasons\">Why the apps were down: strategy {}, seed {}</h2>",
        escape(&strategy.id),
        e.outcome.seed
    );
    let groups = chart_groups(scenario, e);
    let subtitle = format!("strategy {}, seed {}", strategy.id, e.outcome.seed);
    let sentences: Vec<String> = e
        .groups()
        .into_iter()
        .map(|(k, b)| {
            let within = match k {
                Some(k) => format!("in incident {}", k + 1),
                None => "outside any incident".to_string(),
            };
            format!(
                "Of {} app-hours down {within}: {}.",
                app_hours(b.total()),
                shares_sentence(&b, 0)
            )
        })
        .collect();
    let caption = format!(
        "Each incident's app-hours down in the run above, split into the reasons the apps \
         were down; they add up to the downtime exactly. Hover a segment for its app-hours; \
         {} shows every app.",
        run_command.replacen("hvsim run", "hvsim explain", 1)
    );
    // The chart's description states what it shows: each bar's sentence.
    super::html::figure_desc(
        out,
        "reasons-chart",
        &crate::chart::explain::reason_bars(&groups, &subtitle, ""),
        &caption,
        &format!("{} {caption}", sentences.join(" ")),
        false,
    );
    for sentence in &sentences {
        let _ = writeln!(out, "<p>{}</p>", escape(sentence));
    }
    let list = ranked_apps(e, None);
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table id=\"reasons-apps\">\n<tr><th>app (longest down first, {} of {})</th>\
         <th>down</th><th>largest reasons</th><th>method and why</th><th>finish set by</th></tr>",
        list.len().min(HTML_APPS),
        list.len()
    );
    for app in list.iter().take(HTML_APPS) {
        let b = app.breakdown();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&scenario.apps[app.app.index()].id),
            b.total(),
            escape(&shares_sentence(&b, APP_REASONS)),
            escape(
                &app.method
                    .as_ref()
                    .map_or("-".to_string(), |m| method_said(e, app.app, m))
            ),
            escape(
                &still_down(scenario, e, app, &clock)
                    .unwrap_or_else(|| chain_phrase(scenario, &app.chain, &clock))
            )
        );
    }
    let _ = writeln!(out, "</table></div>");
}

// ---- JSON ------------------------------------------------------------------

/// One run's explanation, as JSON (schema in `docs/explain.md`).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ExplainJson {
    pub schema: &'static str,
    pub scenario: String,
    pub source: String,
    pub strategy: String,
    pub seed: u64,
    pub streams: u32,
    pub time_zone: String,
    pub start: String,
    pub horizon_end: String,
    pub groups: Vec<GroupJson>,
    pub apps: Vec<AppExplainJson>,
}

/// The reasons of one incident's outages (or of those of no incident).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct GroupJson {
    /// The incident's number (1 for the first), `null` for outages of no incident.
    pub incident: Option<usize>,
    pub bug: Option<String>,
    pub at: Option<String>,
    pub downtime_ms: u64,
    pub app_hours: f64,
    pub reasons: Vec<ReasonJson>,
}

/// One reason's time in a breakdown.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ReasonJson {
    pub reason: &'static str,
    pub label: &'static str,
    pub ms: u64,
    pub share: f64,
}

/// One app's explanation.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct AppExplainJson {
    pub id: String,
    pub downtime_ms: u64,
    pub reasons: Vec<ReasonJson>,
    pub method: Option<MethodJson>,
    pub chain: Vec<ChainJson>,
    pub outages: Vec<OutageJson>,
}

/// The method chosen and why the earlier ones did not apply.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct MethodJson {
    pub method: &'static str,
    pub at: String,
    pub skipped: Vec<SkippedJson>,
}

/// A method that did not apply, with why.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct SkippedJson {
    pub method: &'static str,
    pub why: &'static str,
    pub label: String,
}

/// A link of the critical chain.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum ChainJson {
    Dependency {
        app: String,
        back: Option<String>,
    },
    Queue {
        method: &'static str,
        position: usize,
        ahead: Vec<String>,
        waited_ms: u64,
    },
    Own {
        reason: &'static str,
        ms: u64,
    },
}

/// One outage, split into intervals.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct OutageJson {
    pub down_at: String,
    pub up_at: Option<String>,
    pub incident: Option<usize>,
    pub intervals: Vec<IntervalJson>,
}

/// One interval of an outage.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct IntervalJson {
    pub from: String,
    pub to: String,
    pub ms: u64,
    pub reason: &'static str,
    pub detail: Option<String>,
    pub underlying: Option<&'static str>,
}

fn reasons_json(b: &Breakdown) -> Vec<ReasonJson> {
    b.ranked()
        .into_iter()
        .map(|(r, d)| ReasonJson {
            reason: r.id(),
            label: r.label(),
            ms: d.as_millis(),
            share: b.share(r),
        })
        .collect()
}

fn detail_json(scenario: &Scenario, e: &Explanation, d: Detail) -> Option<String> {
    let strategy = &scenario.strategies[e.outcome.strategy.index()];
    match d {
        Detail::None => None,
        Detail::App(a) => Some(scenario.apps[a.index()].id.clone()),
        Detail::Bug(b) => Some(scenario.bugs[b.index()].id.clone()),
        Detail::Method(m) => Some(m.name().to_string()),
        Detail::Hosts(h) => Some(
            match h {
                HostWait::Reboot => "reboot",
                HostWait::Rebuild => "rebuild",
                HostWait::Repair => "repair",
            }
            .to_string(),
        ),
        Detail::Wave(w) => strategy.waves.get(w).map(|w| w.name.clone()),
    }
}

/// The JSON document of an explanation; `apps` (if given) selects the
/// apps listed.
pub fn explain_json(scenario: &Scenario, e: &Explanation, apps: Option<&[AppId]>) -> ExplainJson {
    let clock = Clock::new(scenario);
    let date = |t: SimTime| clock.rfc3339(t);
    let groups = e
        .groups()
        .into_iter()
        .map(|(k, b)| GroupJson {
            incident: k.map(|k| k + 1),
            bug: k.map(|k| scenario.bugs[e.outcome.incidents[k].bug.index()].id.clone()),
            at: k.map(|k| date(e.outcome.incidents[k].at)),
            downtime_ms: b.total().as_millis(),
            app_hours: b.total().as_hours_f64(),
            reasons: reasons_json(&b),
        })
        .collect();
    let apps = ranked_apps(e, apps)
        .into_iter()
        .map(|app| app_json(scenario, e, app, &clock))
        .collect();
    ExplainJson {
        schema: EXPLAIN_SCHEMA,
        scenario: scenario.name.clone(),
        source: scenario.source.clone(),
        strategy: scenario.strategies[e.outcome.strategy.index()].id.clone(),
        seed: e.outcome.seed,
        streams: crate::sim::STREAM_VERSION,
        time_zone: scenario.tz.iana_name().unwrap_or("UTC").to_string(),
        start: date(SimTime::ZERO),
        horizon_end: date(e.outcome.horizon),
        groups,
        apps,
    }
}

fn app_json(
    scenario: &Scenario,
    e: &Explanation,
    app: &AppExplanation,
    clock: &Clock,
) -> AppExplainJson {
    let date = |t: SimTime| clock.rfc3339(t);
    let name = |a: &AppId| scenario.apps[a.index()].id.clone();
    let b = app.breakdown();
    AppExplainJson {
        id: name(&app.app),
        downtime_ms: b.total().as_millis(),
        reasons: reasons_json(&b),
        method: app.method.as_ref().map(|m| MethodJson {
            method: m.method.name(),
            at: date(m.at),
            skipped: m
                .skipped
                .iter()
                .map(|(x, why)| SkippedJson {
                    method: x.name(),
                    why: why.id(),
                    label: why.label(),
                })
                .collect(),
        }),
        chain: app
            .chain
            .iter()
            .map(|s| match s {
                ChainStep::Dependency { app, back } => ChainJson::Dependency {
                    app: name(app),
                    back: back.map(date),
                },
                ChainStep::Queue {
                    method,
                    position,
                    ahead,
                    waited,
                } => ChainJson::Queue {
                    method: method.name(),
                    position: *position,
                    ahead: ahead.iter().map(name).collect(),
                    waited_ms: waited.as_millis(),
                },
                ChainStep::Own { reason, time } => ChainJson::Own {
                    reason: reason.id(),
                    ms: time.as_millis(),
                },
            })
            .collect(),
        outages: app
            .outages
            .iter()
            .map(|o| OutageJson {
                down_at: date(o.down_at),
                up_at: o.up_at.map(date),
                incident: o.incident.map(|k| k + 1),
                intervals: o
                    .intervals
                    .iter()
                    .map(|iv| IntervalJson {
                        from: date(iv.from),
                        to: date(iv.to),
                        ms: iv.len().as_millis(),
                        reason: iv.reason.id(),
                        detail: detail_json(scenario, e, iv.detail),
                        underlying: iv.underlying.map(Reason::id),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::ordinal;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(ordinal),
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"
            ]
        );
    }
}

// ---- compare --reasons --------------------------------------------------------

/// The reasons shown for a study: those with time in some strategy.
fn study_reasons(st: &ReasonStudy) -> Vec<Reason> {
    Reason::ALL
        .into_iter()
        .filter(|r| {
            st.shares
                .iter()
                .any(|s| s[r.index()].n > 0 && s[r.index()].mean() > 0.0)
        })
        .collect()
}

/// `54.1 % ± 1.2`.
fn share_interval(m: &Moments) -> String {
    if m.n == 0 {
        return "—".to_string();
    }
    if m.n < 2 {
        return format!("{:.1} %", m.mean());
    }
    format!("{:.1} % ± {:.1}", m.mean(), m.ci95())
}

/// The verdict on a paired difference of shares, in percentage points,
/// each number at the precision that shows it (`0.02 pp`, never `0.0 pp`
/// for a difference that is not zero; the interval's ends told apart); a
/// difference that is the same in every run says so instead of giving an
/// interval of no width.
fn share_verdict(st: &ReasonStudy, s: usize, r: Reason) -> String {
    let d = &st.diffs[s][r.index()];
    let (base, id) = (&st.strategies[0], &st.strategies[s]);
    if d.n < 2 {
        return format!("{}: too few paired runs to compare", r.label());
    }
    if d.mean() == 0.0 && d.variance() == 0.0 {
        return format!(
            "{}: the same under {id} as under {base} in every run",
            r.label()
        );
    }
    let (lo, hi) = (d.mean() - d.ci95(), d.mean() + d.ci95());
    let [mean, a, b] = super::findings::ci_texts(d.mean(), lo, hi, "pp");
    let how = if d.mean() > 0.0 { "more" } else { "less" };
    let share = super::compare::percent(st.shares[s][r.index()].mean(), 1);
    let by = super::compare::points(d.mean().abs());
    let by = by.trim_start_matches('+');
    if d.variance() == 0.0 {
        return format!(
            "{}: {share} of the app-hours down under {id}, {how} than under {base} by {by} in every run",
            r.label(),
        );
    }
    if lo <= 0.0 && hi >= 0.0 {
        return format!(
            "{}: no significant difference between {id} and {base} ({mean}, 95 % CI {a} to {b})",
            r.label(),
        );
    }
    format!(
        "{}: {share} of the app-hours down under {id}, {how} than under {base} by {by} (95 % CI {a} to {b})",
        r.label(),
    )
}

/// The finding of a study, in one sentence: the reason whose mean share
/// differs most between the strategies (the largest minus the smallest;
/// ties to the larger share under the baseline, then the reasons' order)
/// with its share under each, or, with one strategy, its largest reason.
fn reason_finding(st: &ReasonStudy, reasons: &[Reason]) -> String {
    let mean = |s: usize, r: Reason| st.shares[s][r.index()].mean();
    let strategies = 0..st.strategies.len();
    let spread = |r: Reason| {
        let all = strategies.clone().map(|s| mean(s, r));
        all.clone().fold(f64::NEG_INFINITY, f64::max) - all.fold(f64::INFINITY, f64::min)
    };
    let key = |r: Reason| {
        if st.strategies.len() > 1 {
            (spread(r), mean(0, r))
        } else {
            (mean(0, r), 0.0)
        }
    };
    let mut pick = reasons[0];
    for &r in &reasons[1..] {
        let (a, b) = (key(r), key(pick));
        if a.0 > b.0 || (a.0 == b.0 && a.1 > b.1) {
            pick = r;
        }
    }
    let under: Vec<String> = strategies
        .map(|s| {
            format!(
                "{} under {}",
                percent(mean(s, pick) / 100.0),
                st.strategies[s]
            )
        })
        .collect();
    let what = capitalized(pick.label());
    if st.strategies.len() > 1 {
        format!(
            "{what} is {} of the app-hours down under {}, {}.",
            percent(mean(0, pick) / 100.0),
            st.strategies[0],
            under[1..].join(", ")
        )
    } else {
        format!(
            "{what} is the largest reason: {} of the app-hours down under {}.",
            percent(mean(0, pick) / 100.0),
            st.strategies[0]
        )
    }
}

/// `compare --reasons`: the finding first (the reason that differs most
/// between the strategies, with its share under each), then the share of
/// the app-hours down each reason took, per strategy (mean and 95 % CI),
/// then the paired differences against the first strategy.
pub fn render_reason_study(st: &ReasonStudy) -> String {
    let mut out = String::new();
    let reasons = study_reasons(st);
    if reasons.is_empty() {
        let _ = writeln!(
            out,
            "\nWhy the apps were down: no app was down in any of the {} runs (seed {})",
            st.runs, st.seed
        );
        return out;
    }
    let _ = writeln!(
        out,
        "\nWhy the apps were down: {}\n  the share of the app-hours down of each reason, mean ± 95 % CI over {} runs (seed {}):",
        reason_finding(st, &reasons),
        st.runs,
        st.seed
    );
    let table = reasons_table(st.strategies.clone(), &reasons, |r| {
        st.shares
            .iter()
            .map(|s| share_interval(&s[r.index()]))
            .collect()
    });
    let _ = writeln!(out, "{table}");
    for s in 1..st.strategies.len() {
        let _ = writeln!(
            out,
            "\n  {} against {}:",
            st.strategies[s], st.strategies[0]
        );
        for &r in &reasons {
            let _ = writeln!(out, "    {}", share_verdict(st, s, r));
        }
    }
    out
}

/// `sweep --reasons`: at each point of the sweep, per strategy, the mean
/// share of the app-hours down each reason took (the reasons with time at
/// some point, one row each; a column per point, a block per strategy
/// when there are several, split to fit 100 columns). The intervals are
/// in `--json`.
pub fn render_sweep_reasons(names: &[String], points: &[(String, ReasonStudy)]) -> String {
    let mut out = String::new();
    let Some((_, first)) = points.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "\nWhy the apps were down at each point of {}:\n\
         the mean share of the app-hours down of each reason over {} runs (seed {}; 95 % CIs in --json)",
        names.join(", "),
        first.runs,
        first.seed
    );
    let reasons: Vec<Reason> = Reason::ALL
        .into_iter()
        .filter(|r| points.iter().any(|(_, st)| study_reasons(st).contains(r)))
        .collect();
    if reasons.is_empty() {
        let _ = writeln!(out, "  no app was down in any run");
        return out;
    }
    // One block per strategy when there are several, each split into
    // tables of as many points as fit 100 columns (issue 17).
    let several = first.strategies.len() > 1;
    let label = reasons
        .iter()
        .map(|r| r.label().chars().count())
        .max()
        .unwrap_or(0);
    for (s, id) in first.strategies.iter().enumerate() {
        if several {
            let _ = writeln!(out, "  {id}:");
        }
        // The indent, the borders and the reason column, then each point's.
        let mut width = 2 + 1 + label + 3;
        let mut chunk: Vec<usize> = Vec::new();
        let mut chunks: Vec<Vec<usize>> = Vec::new();
        for (p, (point, _)) in points.iter().enumerate() {
            let column = point.chars().count().max("100.0 %".len()) + 3;
            if !chunk.is_empty() && width + column > SWEEP_REASONS_COLUMNS {
                chunks.push(std::mem::take(&mut chunk));
                width = 2 + 1 + label + 3;
            }
            width += column;
            chunk.push(p);
        }
        chunks.push(chunk);
        for chunk in chunks {
            let header = chunk.iter().map(|&p| points[p].0.clone()).collect();
            let table = reasons_table(header, &reasons, |r| {
                chunk
                    .iter()
                    .map(|&p| {
                        let m = &points[p].1.shares[s][r.index()];
                        if m.n == 0 {
                            "–".to_string()
                        } else {
                            format!("{:.1} %", m.mean())
                        }
                    })
                    .collect()
            });
            let _ = writeln!(out, "{table}");
        }
    }
    out
}

/// The widest `sweep --reasons` tables, in columns.
const SWEEP_REASONS_COLUMNS: usize = 100;

/// A table of reasons, indented: a row per reason, its label then
/// `cells(reason)` under `columns`, right-aligned.
fn reasons_table(
    columns: Vec<String>,
    reasons: &[Reason],
    cells: impl Fn(Reason) -> Vec<String>,
) -> String {
    let mut header = vec!["reason".to_string()];
    header.extend(columns);
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for &r in reasons {
        let mut row = vec![r.label().to_string()];
        row.extend(cells(r));
        table.add_row(row);
    }
    for c in 1..table.column_count() {
        if let Some(col) = table.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    indent(&table.to_string())
}

/// One reason's share under one strategy, as JSON.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ReasonShareJson {
    pub reason: &'static str,
    /// Runs with downtime.
    pub n: u64,
    /// Mean share, 0 to 1.
    pub mean: f64,
    /// Half-width of its 95 % CI (`null` under two runs).
    pub ci95: Option<f64>,
    /// Paired difference against the baseline, -1 to 1, and its CI half-width.
    pub diff_n: u64,
    pub diff_mean: f64,
    pub diff_ci95: Option<f64>,
}

/// One strategy's reasons over the study.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct StrategyReasonsJson {
    pub strategy: String,
    pub reasons: Vec<ReasonShareJson>,
}

/// `compare --reasons --json`: the study's `reasons` field.
pub fn reason_study_json(st: &ReasonStudy) -> Vec<StrategyReasonsJson> {
    let reasons = study_reasons(st);
    let ci = |m: &Moments| (m.n >= 2).then(|| m.ci95());
    st.strategies
        .iter()
        .enumerate()
        .map(|(s, id)| StrategyReasonsJson {
            strategy: id.clone(),
            reasons: reasons
                .iter()
                .map(|&r| {
                    let (m, d) = (&st.shares[s][r.index()], &st.diffs[s][r.index()]);
                    ReasonShareJson {
                        reason: r.id(),
                        n: m.n,
                        mean: m.mean() / 100.0,
                        ci95: ci(m).map(|c| c / 100.0),
                        diff_n: d.n,
                        diff_mean: d.mean() / 100.0,
                        diff_ci95: ci(d).map(|c| c / 100.0),
                    }
                })
                .collect(),
        })
        .collect()
}
