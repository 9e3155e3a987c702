//! The data behind the charts, as CSV: the per-app table and the tasks of
//! one run, the restored curves, and the milestone distributions. Dates
//! are RFC 3339 in the scenario's time zone, durations in hours, so a
//! spreadsheet reads them as they are.

use std::fmt::Write;

use super::Clock;
use super::compare::csv_field;
use crate::chart::distribution::{MILESTONES, cdf, incidents, milestone_metric};
use crate::metrics::{Outcome, TaskEnd};
use crate::model::Scenario;
use crate::montecarlo::Comparison;
use crate::montecarlo::Curves;
use crate::sim::{MS_PER_HOUR, SimDuration, SimTime};

/// One app's line in the per-app table.
#[derive(Clone, Debug, PartialEq)]
pub struct AppRow {
    /// The app's id.
    pub app: String,
    /// Its tags, comma-separated.
    pub tags: String,
    /// Its criticality.
    pub criticality: u32,
    /// When it first went down.
    pub down: SimTime,
    /// When it came back for the last time, if it did.
    pub up: Option<SimTime>,
    /// Total downtime (open outages to the horizon).
    pub downtime: SimDuration,
    /// Number of outages.
    pub outages: usize,
    /// The method of its last recovery; without one, `(host repaired)`
    /// when its VMs came back by themselves, `(dependency)` when its own
    /// VMs never broke, `-` when it was not recovered.
    pub method: String,
    /// The team of its last recovery, `-` when none.
    pub team: String,
    /// Why it was still down at the end, empty if it was up.
    pub waiting: String,
}

/// The apps that went down in a run, in file order.
pub fn app_rows(scenario: &Scenario, o: &Outcome) -> Vec<AppRow> {
    scenario
        .apps
        .iter()
        .zip(&o.apps)
        .filter_map(|(app, a)| {
            let down = a.first_down()?;
            Some(AppRow {
                app: app.id.clone(),
                tags: app.tags.join(","),
                criticality: app.criticality,
                down,
                up: a.final_up(),
                downtime: a.downtime(o.horizon),
                outages: a.outages.len(),
                method: match a.method {
                    Some(m) => m.name().to_string(),
                    None if a.recoveries == 0 && a.waiting.is_none() => {
                        super::text::no_method(a).into()
                    }
                    None => "-".into(),
                },
                team: a
                    .team
                    .map_or("-".into(), |t| scenario.teams[t.index()].id.clone()),
                waiting: match (a.final_up(), a.waiting) {
                    (None, Some(w)) => w.describe().to_string(),
                    (None, None) => "down".into(),
                    _ => String::new(),
                },
            })
        })
        .collect()
}

fn hours(d: SimDuration) -> String {
    format!("{:.4}", d.as_millis() as f64 / MS_PER_HOUR as f64)
}

/// The per-app table of one run.
pub fn apps_csv(scenario: &Scenario, o: &Outcome) -> String {
    let clock = Clock::new(scenario);
    let mut out = String::from(
        "app,tags,criticality,went_down,back_up,downtime_h,outages,method,team,still_down_because\n",
    );
    for r in app_rows(scenario, o) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.app),
            csv_field(&r.tags),
            r.criticality,
            clock.rfc3339(r.down),
            r.up.map(|t| clock.rfc3339(t)).unwrap_or_default(),
            hours(r.downtime),
            r.outages,
            csv_field(&r.method),
            csv_field(&r.team),
            csv_field(&r.waiting)
        );
    }
    out
}

/// The tasks of one run: the Gantt chart's data.
pub fn tasks_csv(scenario: &Scenario, o: &Outcome) -> String {
    let clock = Clock::new(scenario);
    let mut out = String::from("app,method,team,member,start,end,work_h,outcome\n");
    for t in &o.tasks {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(&t.subject_name(scenario, o.strategy)),
            t.action_name(),
            csv_field(&scenario.teams[t.team.index()].id),
            t.member + 1,
            clock.rfc3339(t.start),
            t.end.map(|e| clock.rfc3339(e)).unwrap_or_default(),
            hours(t.work),
            match t.outcome {
                TaskEnd::Done => "done",
                TaskEnd::Abandoned => "abandoned",
                TaskEnd::Unfinished => "unfinished",
            }
        );
    }
    out
}

/// The restored curves: per grid point and strategy, apps up and the
/// weighted share up (p10, p50, p90).
pub fn curve_csv(scenario: &Scenario, curves: &Curves) -> String {
    let clock = Clock::new(scenario);
    let mut out = String::from(
        "time,strategy,replications,apps_up_p10,apps_up_p50,apps_up_p90,weighted_up_p10,weighted_up_p50,weighted_up_p90\n",
    );
    for s in &curves.strategies {
        for (p, t) in curves.grid.times.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{:.3},{:.3},{:.3}",
                clock.rfc3339(*t),
                csv_field(&s.id),
                s.runs,
                s.apps_up(p, 0.1),
                s.apps_up(p, 0.5),
                s.apps_up(p, 0.9),
                s.share_up(p, 0.1),
                s.share_up(p, 0.5),
                s.share_up(p, 0.9)
            );
        }
    }
    out
}

/// The milestone distributions: per incident, milestone and strategy,
/// the cumulative share of replications that got there by each time.
pub fn milestones_csv(c: &Comparison) -> String {
    let mut out =
        String::from("incident,bug,milestone,strategy,hours_after_strike,share_of_runs\n");
    for (k, bug) in incidents(c) {
        for (label, _) in MILESTONES {
            let Some(m) = milestone_metric(c, k, label) else {
                continue;
            };
            for s in &c.strategies {
                for (h, share) in cdf(&s.stats[m], c.done) {
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{h:.4},{share:.6}",
                        k + 1,
                        csv_field(&bug),
                        csv_field(label),
                        csv_field(&s.id)
                    );
                }
            }
        }
    }
    out
}
