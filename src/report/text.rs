//! The text report of `hvsim run`, for people.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::{Clock, since};
use crate::metrics::{DataLoss, FaultKind, Outcome, Verdict, Waiting};
use crate::model::Scenario;
use crate::sim::{SimTime, StopReason};
use crate::units::{capitalised, counted, part_of};

/// Which apps the per-app table of a run lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppRows {
    /// Every app that went down when there are at most [`NOTABLE_ROWS`]*2
    /// of them; otherwise those that missed an objective or were still
    /// down at the end, and the [`NOTABLE_ROWS`] longest down.
    #[default]
    Notable,
    /// Every app that went down.
    All,
}

/// How many of the longest-down apps [`AppRows::Notable`] lists.
pub const NOTABLE_ROWS: usize = 10;

/// Renders one run: the summary first (apps down and back, downtime,
/// objectives, each incident's milestones), then the detail (faults,
/// recovery, objectives, availability, totals), then the apps that
/// matter most ([`AppRows::Notable`]).
pub fn render_run(scenario: &Scenario, outcome: &Outcome) -> String {
    render_run_rows(scenario, outcome, AppRows::Notable)
}

/// [`render_run`], with the per-app table listing `rows`.
pub fn render_run_rows(scenario: &Scenario, outcome: &Outcome, rows: AppRows) -> String {
    let clock = Clock::new(scenario);
    let strategy = &scenario.strategies[outcome.strategy.index()];
    let mut out = String::new();
    let tz = scenario.tz.iana_name().unwrap_or("UTC");
    let _ = writeln!(out, "{} — {}", scenario.name, scenario.source);
    let _ = writeln!(
        out,
        "strategy {} · seed {} · {} to {} ({})",
        strategy.id,
        outcome.seed,
        clock.date(SimTime::ZERO),
        clock.date(outcome.horizon),
        tz
    );
    if let Some(d) = &strategy.description {
        let _ = writeln!(out, "  {}", d.trim());
    }

    summary_section(&mut out, scenario, outcome, &clock);
    faults_section(&mut out, scenario, outcome, &clock);
    recovery_section(&mut out, scenario, outcome, &clock);
    objectives_section(&mut out, scenario, outcome);
    availability_section(&mut out, scenario, outcome);
    totals_section(&mut out, scenario, outcome, &clock);
    apps_section(&mut out, scenario, outcome, &clock, rows);
    out
}

/// The run in a few lines: how many apps went down and when they were all
/// back, the downtime, each objective met or missed, and each incident's
/// milestones as durations since its strike.
fn summary_section(out: &mut String, scenario: &Scenario, outcome: &Outcome, clock: &Clock) {
    let _ = writeln!(out, "\nSummary");
    let totals = outcome.totals(scenario);
    let incidents = outcome.incidents.len();
    if totals.apps_down == 0 {
        let _ = writeln!(
            out,
            "  no app went down ({}, {})",
            counted(incidents, "incident", "incidents"),
            counted(outcome.faults.len(), "fault", "faults")
        );
        return;
    }
    let back = back_phrase(outcome, totals.apps_still_down(), clock, "");
    let cause = if incidents > 0 {
        format!("in {}", counted(incidents, "incident", "incidents"))
    } else {
        format!(
            "through {}",
            counted(outcome.faults.len(), "failure", "failures")
        )
    };
    let _ = writeln!(
        out,
        "  {} went down {cause}; {back}",
        capitalised(&part_of(
            totals.apps_down,
            scenario.apps.len(),
            "app",
            "apps"
        )),
    );
    if let Some(mean) = totals.mean_downtime() {
        let _ = writeln!(
            out,
            "  downtime {} in all, {mean} per app down on average",
            totals.downtime
        );
    }
    if !scenario.objectives.is_empty() {
        let results = outcome.objectives(scenario);
        let met = results
            .iter()
            .filter(|r| r.verdict() == Verdict::Met)
            .count();
        let missed: Vec<String> = scenario
            .objectives
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.verdict() != Verdict::Met)
            .map(|(o, r)| match r.verdict() {
                Verdict::Missed => format!("MISSED {}", o.name),
                _ => format!("open {}", o.name),
            })
            .collect();
        let _ = write!(
            out,
            "  objectives: {met} of {} met",
            scenario.objectives.len()
        );
        if missed.is_empty() {
            let _ = writeln!(out);
        } else {
            let _ = writeln!(out, "; {}", missed.join("; "));
        }
    }
    for (k, inc) in outcome.incidents.iter().enumerate() {
        if inc.apps.is_empty() {
            continue;
        }
        let m = inc.milestones;
        let mut steps = Vec::new();
        for (label, t) in [("50 % back", m.half), ("90 %", m.ninety), ("all", m.all)] {
            match t {
                Some(t) => steps.push(format!("{label} after {}", t.saturating_since(inc.at))),
                None => {
                    steps.push(format!("{label} not back within the horizon"));
                    break;
                }
            }
        }
        let _ = writeln!(
            out,
            "  incident {} ({}, {}, {} apps): {}",
            k + 1,
            scenario.bugs[inc.bug.index()].id,
            clock.short(inc.at),
            inc.apps.len(),
            steps.join(", ")
        );
    }
}

/// `every one was back by Thu 27 Dec 09:00, 1d 4h after the first strike`,
/// or `3 still down when the horizon ended` (`were` between the two words
/// when given, for a sentence of its own).
pub(super) fn back_phrase(
    outcome: &Outcome,
    still_down: usize,
    clock: &Clock,
    verb: &str,
) -> String {
    let last_up = outcome.apps.iter().filter_map(|a| a.final_up()).max();
    let first_strike = outcome.incidents.first().map(|i| i.at);
    match (still_down, last_up, first_strike) {
        (0, Some(t), Some(at)) => format!(
            "every one was back by {}, {} after the first strike",
            clock.short(t),
            t.saturating_since(at)
        ),
        (0, Some(t), None) => format!("every one was back by {}", clock.short(t)),
        (n, _, _) => format!("{n} {verb}still down when the horizon ended"),
    }
}

/// The apps [`AppRows::Notable`] lists: all that went down when they are
/// few; otherwise those that missed an objective or were still down at the
/// end, and the [`NOTABLE_ROWS`] longest down.
fn notable_apps(scenario: &Scenario, outcome: &Outcome) -> Vec<bool> {
    let down: Vec<usize> = (0..outcome.apps.len())
        .filter(|&a| outcome.apps[a].first_down().is_some())
        .collect();
    let mut keep = vec![false; outcome.apps.len()];
    if down.len() <= 2 * NOTABLE_ROWS {
        for a in down {
            keep[a] = true;
        }
        return keep;
    }
    for r in outcome.objectives(scenario) {
        for a in r
            .rto_missed
            .iter()
            .chain(&r.rpo_missed)
            .chain(&r.rto_undetermined)
        {
            keep[a.index()] = true;
        }
    }
    let horizon = outcome.horizon;
    for &a in &down {
        if outcome.apps[a].final_up().is_none() {
            keep[a] = true;
        }
    }
    let mut longest = down;
    // Longest first; ties in the scenario's order.
    longest.sort_by_key(|&a| std::cmp::Reverse(outcome.apps[a].downtime(horizon)));
    for &a in longest.iter().take(NOTABLE_ROWS) {
        keep[a] = true;
    }
    keep
}

/// The faults of the run, with the hosts and apps they took down, and
/// the scenario's staff absences among them in time order.
fn faults_section(out: &mut String, scenario: &Scenario, outcome: &Outcome, clock: &Clock) {
    let _ = writeln!(out, "\nFaults");
    if outcome.faults.is_empty() && scenario.absences.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let mut absences = absence_lines(scenario, outcome.seed, clock)
        .into_iter()
        .peekable();
    for f in &outcome.faults {
        while let Some((_, line)) = absences.next_if(|(at, _)| *at <= f.at) {
            out.push_str(&line);
        }
        let bug = f.bug.map_or("", |b| scenario.bugs[b.index()].id.as_str());
        let what = match f.kind {
            FaultKind::Strike => format!("bug {bug} strikes"),
            FaultKind::Recurrence => format!("bug {bug} recurs"),
            FaultKind::Chaos(c) => format!("random failure ({})", scenario.chaos[c as usize].id),
        };
        let hosts = name_list(
            f.hosts
                .iter()
                .map(|h| scenario.hosts[h.index()].id.as_str()),
            4,
        );
        let _ = writeln!(
            out,
            "  {}  {what}: {} crashed ({hosts}), {} corrupted, {} down",
            clock.date(f.at),
            counted(f.hosts.len(), "host", "hosts"),
            counted(f.vms_corrupted as usize, "VM", "VMs"),
            counted(f.apps_down.len(), "app", "apps")
        );
        if f.kind == FaultKind::Strike && !f.apps_down.is_empty() {
            let apps = name_list(
                f.apps_down
                    .iter()
                    .map(|a| scenario.apps[a.index()].id.as_str()),
                8,
            );
            let _ = writeln!(out, "      apps down: {apps}");
        }
    }
    for (_, line) in absences {
        out.push_str(&line);
    }
    if outcome.recurrences > 0 {
        let _ = writeln!(
            out,
            "  {}: restarted hosts crashed again before the bug was fixed",
            counted(outcome.recurrences as usize, "recurrence", "recurrences")
        );
    }
}

/// The scenario's staff absences by start, each a line with its start:
/// who, how many of how many, for how long and until when in this run
/// (drawn as the run drew it, [`Absence::until`](crate::model::Absence::until)).
fn absence_lines(scenario: &Scenario, seed: u64, clock: &Clock) -> Vec<(SimTime, String)> {
    let mut lines: Vec<(SimTime, String)> = scenario
        .absences
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let team = &scenario.teams[a.team.index()];
            let until = a.until(i, seed).min(scenario.horizon_end());
            let line = format!(
                "  {}  staff absence: {} of team {}'s {} away for {} (until {})\n",
                clock.date(a.at),
                a.members,
                team.id,
                counted(team.roster.size() as usize, "member", "members"),
                until.saturating_since(a.at),
                clock.date(until)
            );
            (a.at, line)
        })
        .collect();
    // Stable: absences that start together keep the file's order.
    lines.sort_by_key(|&(at, _)| at);
    lines
}

/// Per incident: its diagnosis and recovery milestones.
fn recovery_section(out: &mut String, scenario: &Scenario, outcome: &Outcome, clock: &Clock) {
    let _ = writeln!(out, "\nRecovery");
    for (k, inc) in outcome.incidents.iter().enumerate() {
        let bug = &scenario.bugs[inc.bug.index()].id;
        let _ = writeln!(
            out,
            "  incident {} — bug {bug} at {}: {} down",
            k + 1,
            clock.date(inc.at),
            counted(inc.apps.len(), "app", "apps")
        );
        if inc.apps.is_empty() {
            continue;
        }
        let line = |label: &str, t: Option<SimTime>| match t {
            Some(t) => format!("    {label:<22}{}  ({})", clock.date(t), since(inc.at, t)),
            None => format!("    {label:<22}not within the horizon"),
        };
        // A later strike of a bug diagnosed at an earlier incident needs no
        // new diagnosis: say when it was.
        let earlier = outcome.incidents[..k]
            .iter()
            .enumerate()
            .find_map(|(j, e)| {
                e.diagnosed_at
                    .filter(|&d| e.bug == inc.bug && d <= inc.at)
                    .map(|d| (j, d))
            });
        match (inc.diagnosed_at, earlier) {
            (None, Some((j, d))) => {
                let _ = writeln!(
                    out,
                    "    {:<22}already, at incident {} ({})",
                    "diagnosed",
                    j + 1,
                    clock.date(d)
                );
            }
            _ => {
                let _ = writeln!(out, "{}", line("diagnosed", inc.diagnosed_at));
            }
        }
        let _ = writeln!(out, "{}", line("restoration started", inc.recovery_started));
        let _ = writeln!(out, "{}", line("first app back", inc.milestones.first));
        let _ = writeln!(out, "{}", line("50 % back", inc.milestones.half));
        let _ = writeln!(out, "{}", line("90 % back", inc.milestones.ninety));
        let _ = writeln!(out, "{}", line("100 % back", inc.milestones.all));
    }
}

/// Each recovery objective: met, missed or open, and by which apps.
fn objectives_section(out: &mut String, scenario: &Scenario, outcome: &Outcome) {
    if !scenario.objectives.is_empty() {
        let _ = writeln!(out, "\nObjectives");
        for (o, r) in scenario.objectives.iter().zip(outcome.objectives(scenario)) {
            let mut bounds = Vec::new();
            if let Some(rto) = o.rto {
                bounds.push(format!("RTO {rto}"));
            }
            if let Some(rpo) = o.rpo {
                bounds.push(format!("RPO {rpo}"));
            }
            let verdict = match r.verdict() {
                Verdict::Met => "met",
                Verdict::Missed => "MISSED",
                Verdict::Undetermined => "open",
            };
            let _ = write!(
                out,
                "  {verdict:<6} {} ({}; {} went down)",
                o.name,
                bounds.join(", "),
                of_its_apps(r.apps_down, o.apps.len())
            );
            if let Some(m) = r.worst_rto_margin_ms {
                let d = crate::sim::SimDuration::from_millis(m.unsigned_abs());
                let _ = write!(
                    out,
                    ": worst margin {}",
                    if m < 0 {
                        format!("-{d}")
                    } else {
                        d.to_string()
                    }
                );
            }
            let _ = writeln!(out);
            let names = |list: &[crate::model::AppId]| {
                name_list(list.iter().map(|a| scenario.apps[a.index()].id.as_str()), 6)
            };
            if !r.rto_missed.is_empty() {
                let _ = writeln!(
                    out,
                    "         {} over the RTO: {}",
                    r.rto_missed.len(),
                    names(&r.rto_missed)
                );
            }
            if !r.rpo_missed.is_empty() {
                let _ = writeln!(
                    out,
                    "         {} lost more data than the RPO: {}",
                    r.rpo_missed.len(),
                    names(&r.rpo_missed)
                );
            }
            if !r.rto_undetermined.is_empty() {
                let _ = writeln!(
                    out,
                    "         {} still down when the horizon ended, before their RTO did (undetermined: lengthen `horizon`): {}",
                    r.rto_undetermined.len(),
                    names(&r.rto_undetermined)
                );
            }
        }
    }
}

/// The table of the apps that went down (those of `which`).
fn apps_section(
    out: &mut String,
    scenario: &Scenario,
    outcome: &Outcome,
    clock: &Clock,
    which: AppRows,
) {
    let keep = match which {
        AppRows::All => vec![true; outcome.apps.len()],
        AppRows::Notable => notable_apps(scenario, outcome),
    };
    let horizon = outcome.horizon;
    let data = scenario.backup.is_some()
        || scenario.replication.is_some()
        || outcome.apps.iter().any(|a| a.data_loss != DataLoss::None);
    let mut header = vec![
        "app",
        "tags",
        "went down",
        "back up",
        "downtime",
        "method",
        "team",
    ];
    if data {
        header.push("data lost");
    }
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    let (mut rows, mut shown) = (0, 0);
    for ((app, o), keep) in scenario.apps.iter().zip(&outcome.apps).zip(&keep) {
        let Some(down) = o.first_down() else { continue };
        rows += 1;
        if !keep {
            continue;
        }
        shown += 1;
        let up = match (o.final_up(), o.waiting) {
            (Some(t), _) => clock.short(t),
            (None, Some(w)) => format!("down: {}", w.describe()),
            (None, None) => "down".to_string(),
        };
        let outages = if o.outages.len() > 1 {
            format!(" ({} outages)", o.outages.len())
        } else {
            String::new()
        };
        let mut row = vec![
            app.id.clone(),
            app.tags.join(","),
            clock.short(down),
            up,
            format!("{}{outages}", o.downtime(horizon)),
            match o.method {
                Some(m) => m.name().to_string(),
                None if o.recoveries == 0 && o.waiting.is_none() => no_method(o).to_string(),
                None => "-".to_string(),
            },
            o.team
                .map_or("-".to_string(), |t| scenario.teams[t.index()].id.clone()),
        ];
        if data {
            row.push(match o.data_loss {
                DataLoss::None => "-".to_string(),
                DataLoss::Since(d) => d.to_string(),
                DataLoss::All => "all (no backup)".to_string(),
            });
        }
        table.add_row(row);
    }
    for c in [4, 7] {
        if let Some(col) = table.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = write!(out, "\nApps ({rows} of {} went down", scenario.apps.len());
    if shown < rows {
        let _ = write!(
            out,
            "; the {shown} that missed an objective, were still down at the end, or were down longest; `--apps all` lists every one"
        );
    }
    let _ = writeln!(out, ")");
    if shown > 0 {
        let _ = writeln!(out, "{table}");
    }
}

/// With random failures: the availability of hosts and apps.
fn availability_section(out: &mut String, scenario: &Scenario, outcome: &Outcome) {
    if !scenario.chaos.is_empty() {
        let span = crate::sim::SimDuration::from_millis(outcome.horizon.as_millis());
        let _ = writeln!(out, "\nAvailability over the horizon ({span})");
        let percent = |x: f64| format!("{:.3} %", 100.0 * x);
        let hosts: Vec<(f64, usize)> = (0..scenario.hosts.len())
            .map(|h| (outcome.host_availability(crate::model::HostId(h as u32)), h))
            .collect();
        let apps: Vec<(f64, usize)> = (0..scenario.apps.len())
            .map(|a| (outcome.app_availability(crate::model::AppId(a as u32)), a))
            .collect();
        for (what, list, name) in [
            ("hosts", &hosts, &|i: usize| {
                scenario.hosts[i].id.clone() as String
            }),
            ("apps", &apps, &|i: usize| scenario.apps[i].id.clone()),
        ]
            as [(&str, &Vec<(f64, usize)>, &dyn Fn(usize) -> String); 2]
        {
            let mean = list.iter().map(|x| x.0).sum::<f64>() / list.len().max(1) as f64;
            if let Some(worst) = list.iter().min_by(|a, b| a.0.total_cmp(&b.0)) {
                let _ = writeln!(
                    out,
                    "  {what}: {} on average; the least available is {} at {}",
                    percent(mean),
                    name(worst.1),
                    percent(worst.0)
                );
            }
        }
        let failures: u32 = outcome.hosts.iter().map(|h| h.failures).sum();
        let _ = writeln!(
            out,
            "  {} in all",
            counted(failures as usize, "host failure", "host failures")
        );
    }
}

/// `3 of its 20 apps`, `all its 20 apps`, `its one app`: an objective's
/// apps that went down.
pub(super) fn of_its_apps(down: usize, apps: usize) -> String {
    match (down, apps) {
        (1, 1) => "its one app".to_string(),
        (d, n) if d == n => format!("all its {n} apps"),
        (d, n) => format!("{d} of its {n} apps"),
    }
}

/// Totals, how the run ended, and what was left pending or stuck.
fn totals_section(out: &mut String, scenario: &Scenario, outcome: &Outcome, clock: &Clock) {
    let totals = outcome.totals(scenario);
    let _ = writeln!(out, "\nTotals");
    let _ = writeln!(
        out,
        "  {} went down, {} back up, {} still down at the end",
        counted(totals.apps_down, "app", "apps"),
        totals.apps_restored,
        totals.apps_still_down()
    );
    if let Some(mean) = totals.mean_downtime() {
        let _ = writeln!(
            out,
            "  downtime: {} in total, {mean} per app on average",
            totals.downtime
        );
    }
    let _ = writeln!(
        out,
        "  {}, {}, {}; run ended {} ({})",
        counted(outcome.host_reboots as usize, "host reboot", "host reboots"),
        counted(outcome.recurrences as usize, "recurrence", "recurrences"),
        counted(outcome.events as usize, "event", "events"),
        clock.date(outcome.end),
        match outcome.stop {
            StopReason::Drained => "nothing left to do",
            StopReason::Horizon => "horizon reached",
            StopReason::Stopped => "stopped",
        }
    );
    let pending = count_by_reason(outcome.pending());
    if !pending.is_empty() {
        let _ = writeln!(
            out,
            "  still pending when the horizon ended: {} (lengthen `horizon` to see them through)",
            pending
        );
    }
    let stuck = count_by_reason(outcome.stuck());
    if !stuck.is_empty() {
        let _ = writeln!(
            out,
            "  stuck, with nothing left that could bring them back: {stuck}"
        );
    }
    if totals.apps_still_down() > 0 {
        let _ = writeln!(
            out,
            "  warning: {} still down at the end of the horizon",
            match totals.apps_still_down() {
                1 => "1 app was".to_string(),
                n => format!("{n} apps were"),
            }
        );
    }
}

/// `a, b, c and 7 more`.
fn name_list<'a>(names: impl Iterator<Item = &'a str>, max: usize) -> String {
    let all: Vec<&str> = names.collect();
    if all.len() <= max {
        return all.join(", ");
    }
    format!("{} and {} more", all[..max].join(", "), all.len() - max)
}

/// `3 queued for a team member, 1 recovery still in progress`: apps
/// counted by why they waited, in order of first appearance.
pub fn count_by_reason(apps: impl Iterator<Item = (crate::model::AppId, Waiting)>) -> String {
    let mut counts: Vec<(Waiting, usize)> = Vec::new();
    for (_, w) in apps {
        match counts.iter_mut().find(|(p, _)| *p == w) {
            Some((_, n)) => *n += 1,
            None => counts.push((w, 1)),
        }
    }
    counts
        .iter()
        .map(|(w, n)| format!("{n} {}", w.describe()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How an app that no recovery task brought back came back: its VMs
/// restarted by themselves once their host was repaired, or its own VMs
/// never broke and it was down through a dependency.
pub(crate) fn no_method(o: &crate::metrics::AppOutcome) -> &'static str {
    if o.self_restarts > 0 {
        "(host repaired)"
    } else {
        "(dependency)"
    }
}
