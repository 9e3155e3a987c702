//! The one-run parts of the HTML report: each objective MET or MISSED as
//! `hvsim run` says it (with the apps and the data they lost), the run in
//! one line for the page's opening, and the runbook waves and automated
//! recoveries (failover, HA restart) of the run.

use std::fmt::Write;

use super::Clock;
use crate::chart::svg::escape;
use crate::metrics::{DataLoss, Outcome, TaskSubject, Verdict};
use crate::model::{AppId, Method, Scenario};
use crate::sim::{SimDuration, SimTime};

/// What an app lost, as the per-app tables say it.
pub(super) fn data_lost(loss: DataLoss) -> String {
    match loss {
        DataLoss::None => "-".to_string(),
        DataLoss::Since(d) => d.to_string(),
        DataLoss::All => "all (no backup)".to_string(),
    }
}

/// Whether a run's tables need a "data lost" column: the scenario has
/// backups or replication, or some app lost data.
pub(super) fn shows_data(sc: &Scenario, o: &Outcome) -> bool {
    sc.backup.is_some()
        || sc.replication.is_some()
        || o.apps.iter().any(|a| a.data_loss != DataLoss::None)
}

/// `a, b, c and 7 more`.
fn names(sc: &Scenario, apps: &[AppId], max: usize) -> String {
    let all: Vec<&str> = apps
        .iter()
        .map(|a| sc.apps[a.index()].id.as_str())
        .collect();
    if all.len() <= max {
        return all.join(", ");
    }
    format!("{} and {} more", all[..max].join(", "), all.len() - max)
}

/// `payments lost 17h of data, crm lost 17h of data`.
fn losses(sc: &Scenario, o: &Outcome, apps: &[AppId], max: usize) -> String {
    let mut parts: Vec<String> = apps
        .iter()
        .take(max)
        .map(|a| {
            format!(
                "{} lost {}",
                sc.apps[a.index()].id,
                match o.apps[a.index()].data_loss {
                    DataLoss::All => "all its data (no backup)".to_string(),
                    other => format!("{} of data", data_lost(other)),
                }
            )
        })
        .collect();
    if apps.len() > max {
        parts.push(format!("{} more", apps.len() - max));
    }
    parts.join(", ")
}

/// One objective's result in a run, worded.
struct ObjectiveLine {
    verdict: Verdict,
    /// `payments lose at most 4 hours of data (RPO 4h; 1 of its 1 app(s) went down)`.
    head: String,
    /// `1 lost more data than the RPO: payments lost 17h of data`, …
    detail: Vec<String>,
}

fn objective_lines(sc: &Scenario, o: &Outcome) -> Vec<ObjectiveLine> {
    sc.objectives
        .iter()
        .zip(o.objectives(sc))
        .map(|(obj, r)| {
            let mut bounds = Vec::new();
            if let Some(rto) = obj.rto {
                bounds.push(format!("RTO {rto}"));
            }
            if let Some(rpo) = obj.rpo {
                bounds.push(format!("RPO {rpo}"));
            }
            let mut head = format!(
                "{} ({}; {} went down)",
                obj.name,
                bounds.join(", "),
                super::text::of_its_apps(r.apps_down, obj.apps.len())
            );
            if let Some(m) = r.worst_rto_margin_ms {
                let d = SimDuration::from_millis(m.unsigned_abs());
                let sign = if m < 0 { "-" } else { "" };
                let _ = write!(head, ": worst RTO margin {sign}{d}");
            }
            let mut detail = Vec::new();
            if !r.rto_missed.is_empty() {
                detail.push(format!(
                    "{} over the RTO: {}",
                    r.rto_missed.len(),
                    names(sc, &r.rto_missed, 6)
                ));
            }
            if !r.rpo_missed.is_empty() {
                detail.push(format!(
                    "{} lost more data than the RPO: {}",
                    r.rpo_missed.len(),
                    losses(sc, o, &r.rpo_missed, 6)
                ));
            }
            if !r.rto_undetermined.is_empty() {
                detail.push(format!(
                    "{} still down when the horizon ended, before their RTO did (undetermined: \
                     lengthen `horizon`): {}",
                    r.rto_undetermined.len(),
                    names(sc, &r.rto_undetermined, 6)
                ));
            }
            ObjectiveLine {
                verdict: r.verdict(),
                head,
                detail,
            }
        })
        .collect()
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "met",
        Verdict::Missed => "MISSED",
        Verdict::Undetermined => "open",
    }
}

/// The run in a sentence or two, for the page's opening: how many apps
/// went down and when they were back, and each objective missed with the
/// apps and data that missed it.
pub(super) fn run_glance(out: &mut String, sc: &Scenario, o: &Outcome) {
    let strategy = &sc.strategies[o.strategy.index()];
    let _ = write!(
        out,
        "<p id=\"run-glance\">In the run shown below (strategy <strong>{}</strong>, seed {}): {}.",
        escape(&strategy.id),
        o.seed,
        escape(&back_sentence(sc, o))
    );
    let lines = objective_lines(sc, o);
    if lines.is_empty() {
        let _ = writeln!(out, "</p>");
        return;
    }
    let met = lines.iter().filter(|l| l.verdict == Verdict::Met).count();
    let _ = writeln!(out, " Objectives: {met} of {} met.</p>", lines.len());
    let missed: Vec<&ObjectiveLine> = lines.iter().filter(|l| l.verdict != Verdict::Met).collect();
    if !missed.is_empty() {
        let _ = writeln!(out, "<ul class=\"missed\">");
        for l in missed {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> {}{}</li>",
                verdict_word(l.verdict),
                escape(&l.head),
                escape(
                    &l.detail
                        .iter()
                        .map(|d| format!("; {d}"))
                        .collect::<String>()
                )
            );
        }
        let _ = writeln!(out, "</ul>");
    }
}

/// `12 of 160 apps went down; every one was back by Thu 27 Dec 09:00,
/// 1d 4h after the first strike` (or how many were still down).
pub(super) fn back_sentence(sc: &Scenario, o: &Outcome) -> String {
    let clock = Clock::new(sc);
    let totals = o.totals(sc);
    if totals.apps_down == 0 {
        return format!("no app of {} went down", sc.apps.len());
    }
    let still = totals.apps_still_down();
    let verb = if still == 1 { "was " } else { "were " };
    let back = super::text::back_phrase(o, still, &clock, verb);
    format!(
        "{} went down; {back}",
        crate::units::capitalised(&crate::units::part_of(
            totals.apps_down,
            sc.apps.len(),
            "app",
            "apps"
        ))
    )
}

/// Each objective of the run, MET or MISSED, as `hvsim run` lists them.
pub(super) fn objectives_list(out: &mut String, sc: &Scenario, o: &Outcome) {
    let lines = objective_lines(sc, o);
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h3 id=\"run-objectives\">Objectives in this run</h3>\n<ul>"
    );
    for l in lines {
        let _ = write!(
            out,
            "<li><strong>{}</strong> {}",
            verdict_word(l.verdict),
            escape(&l.head)
        );
        for d in &l.detail {
            let _ = write!(out, "<br/>{}", escape(d));
        }
        let _ = writeln!(out, "</li>");
    }
    let _ = writeln!(out, "</ul>");
}

/// The runbook waves of the run (when its strategy has any): per wave its
/// apps, when its "go" was given and when its last app was back; then the
/// apps brought back without anyone's work (failover, HA restart). Nothing
/// when there are neither.
pub(super) fn waves_and_automation(out: &mut String, sc: &Scenario, o: &Outcome) {
    let clock = Clock::new(sc);
    let strategy = &sc.strategies[o.strategy.index()];
    let automated: Vec<(Method, Vec<usize>)> = [Method::Failover, Method::HaRestart]
        .into_iter()
        .map(|m| {
            let apps = (0..o.apps.len())
                .filter(|&a| o.apps[a].method == Some(m))
                .collect::<Vec<_>>();
            (m, apps)
        })
        .filter(|(_, apps)| !apps.is_empty())
        .collect();
    if strategy.waves.is_empty() && automated.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h3 id=\"runbook\">Runbook waves and automated recovery</h3>"
    );
    if !strategy.waves.is_empty() {
        let _ = writeln!(
            out,
            "<table id=\"waves\">\n<tr><th>wave</th><th>apps (went down)</th><th>go given</th>\
             <th>last app back</th></tr>"
        );
        // Apps in no wave are in the last, "the rest", added at load.
        for (w, wave) in strategy.waves.iter().enumerate() {
            let members: Vec<usize> = (0..sc.apps.len())
                .filter(|&a| strategy.wave_of.get(a).is_some_and(|&k| k as usize == w))
                .collect();
            let down: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&a| o.apps[a].first_down().is_some())
                .collect();
            let go = o
                .tasks
                .iter()
                .filter(|t| matches!(t.subject, TaskSubject::Go(k) if k as usize == w))
                .filter_map(|t| t.end)
                .min();
            let last = last_back(o, &down, &clock);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{} ({})</td><td>{}</td><td>{}</td></tr>",
                escape(&wave.name),
                members.len(),
                down.len(),
                escape(&go.map_or("-".to_string(), |t| clock.short(t))),
                escape(&last)
            );
        }
        let _ = writeln!(out, "</table>");
    }
    if !automated.is_empty() {
        let _ = writeln!(out, "<ul>");
        for (m, apps) in &automated {
            let ids: Vec<AppId> = apps.iter().map(|&a| AppId(a as u32)).collect();
            let first = apps.iter().filter_map(|&a| o.apps[a].final_up()).min();
            let _ = writeln!(
                out,
                "<li>{} came back by {} without anyone's work ({}): first back {}, last {}.</li>",
                crate::units::counted(apps.len(), "app", "apps"),
                m.name(),
                escape(&names(sc, &ids, 8)),
                escape(&first.map_or("-".to_string(), |t| clock.short(t))),
                escape(&last_back(o, apps, &clock))
            );
        }
        let _ = writeln!(out, "</ul>");
    }
}

/// When the last of `apps` came back, or how many were still down.
fn last_back(o: &Outcome, apps: &[usize], clock: &Clock) -> String {
    let still = apps
        .iter()
        .filter(|&&a| o.apps[a].final_up().is_none())
        .count();
    if still > 0 {
        return format!("{still} still down at the end");
    }
    let last: Option<SimTime> = apps.iter().filter_map(|&a| o.apps[a].final_up()).max();
    last.map_or("-".to_string(), |t| clock.short(t))
}
