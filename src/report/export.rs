//! The files of `--svg DIR` and `--csv DIR`: each chart of a command as a
//! standalone SVG, and the data behind it as CSV, by stable file names.

use crate::chart::Page;
use crate::chart::availability::availability_panel;
use crate::chart::capacity::dr_capacity;
use crate::chart::capacity::runs::{dr_capacity_over_runs, sample as sample_dr_use};
use crate::chart::curve::{Measure, Objective, restored_curve, restored_panels};
use crate::chart::depgraph::dependency_graph;
use crate::chart::distribution::{incidents, milestone_distribution};
use crate::chart::forest::forest_plot;
use crate::chart::gantt::gantt;
use crate::chart::heatmap::{objective_metrics, objectives_heat_map};
use crate::chart::perapp::{data_lost_against_rpo, has_data_loss, recovery_against_rto};
use crate::chart::phases::phase_timeline;
use crate::chart::sweep::{headline_metrics, sweep_chart};
use crate::metrics::Outcome;
use crate::model::Scenario;
use crate::montecarlo::{
    Comparison, IncidentMark, Summary, SweepPoint, incident_marks, single_run_curves,
};

use super::data::{apps_csv, curve_csv, milestones_csv, tasks_csv};

/// A file to write: its name in the directory and its contents.
pub type NamedFile = (String, String);

/// The charts of one run: its Gantt chart and its restored curves, each
/// naming `command`, the command line that reproduces the run.
pub fn run_svgs<'a>(scenario: &Scenario, o: &Outcome, page: impl Into<Page<'a>>) -> Vec<NamedFile> {
    let page = page.into();
    let strategy = &scenario.strategies[o.strategy.index()];
    let curves = single_run_curves(scenario, strategy, o);
    let marks = incident_marks(scenario, o);
    let label = format!("one run: strategy {}, seed {}", strategy.id, o.seed);
    let objectives = crate::chart::curve::objectives_of(scenario);
    let mut files: Vec<NamedFile> = vec![
        ("gantt.svg".into(), gantt(scenario, o, &marks, page)),
        (
            "restored-count.svg".into(),
            restored_curve(
                scenario,
                &curves,
                Measure::Count,
                &marks,
                &objectives,
                &label,
                page,
            ),
        ),
        (
            "restored-weighted.svg".into(),
            restored_curve(
                scenario,
                &curves,
                Measure::WeightedShare,
                &marks,
                &objectives,
                &label,
                page,
            ),
        ),
    ];
    files.push((
        "dependencies.svg".into(),
        dependency_graph(scenario, &[o], page),
    ));
    if let Some(chart) = dr_capacity(scenario, o, &marks, page) {
        files.push(("dr-capacity.svg".into(), chart));
    }
    files.push((
        "recovery-rto.svg".into(),
        recovery_against_rto(scenario, o, page),
    ));
    if has_data_loss(scenario) {
        files.push((
            "data-lost-rpo.svg".into(),
            data_lost_against_rpo(scenario, o, page),
        ));
    }
    files
}

/// The data of one run: the per-app table, its tasks, its curve.
pub fn run_csvs(scenario: &Scenario, o: &Outcome) -> Vec<NamedFile> {
    let strategy = &scenario.strategies[o.strategy.index()];
    vec![
        ("apps.csv".into(), apps_csv(scenario, o)),
        ("tasks.csv".into(), tasks_csv(scenario, o)),
        (
            "curve.csv".into(),
            curve_csv(scenario, &single_run_curves(scenario, strategy, o)),
        ),
    ]
}

/// The charts of a comparison: the restored curves (count and weighted;
/// none if the study ran without curves), per incident, the milestone
/// distributions, and the DR site's room in use over the first
/// replications (when the scenario has a DR site and the study kept it,
/// [`Study::with_dr_use`](crate::montecarlo::Study::with_dr_use)), each naming `command`,
/// the command line that reproduces the comparison.
pub fn compare_svgs<'a>(
    scenario: &Scenario,
    summary: &Summary,
    objectives: &[Objective],
    page: impl Into<Page<'a>>,
) -> Vec<NamedFile> {
    let page = page.into();
    let c = &summary.comparison;
    let marks = &summary.marks;
    let label = format!(
        "median line and p10–p90 band over {} replications per strategy (seed {})",
        c.done, c.seed
    );
    let mut files = Vec::new();
    if let Some(curves) = &summary.curves {
        files.push((
            "restored-count.svg".to_string(),
            restored_curve(
                scenario,
                curves,
                Measure::Count,
                marks,
                objectives,
                &label,
                page,
            ),
        ));
        files.push((
            "restored-weighted.svg".to_string(),
            restored_curve(
                scenario,
                curves,
                Measure::WeightedShare,
                marks,
                objectives,
                &label,
                page,
            ),
        ));
    }
    if let Some(chart) = availability_panel(scenario, c, page) {
        files.push(("availability.svg".to_string(), chart));
    }
    if let Some(curves) = &summary.curves {
        // More lines than one chart tells apart: small multiples too.
        for (name, measure) in [
            ("restored-count-panels.svg", Measure::Count),
            ("restored-weighted-panels.svg", Measure::WeightedShare),
        ] {
            if let Some(svg) = restored_panels(scenario, curves, measure, marks, &label, page) {
                files.push((name.to_string(), svg));
            }
        }
    }
    for (k, bug) in incidents(c) {
        files.push((
            format!("milestones-incident-{}.svg", k + 1),
            milestone_distribution(c, k, &bug, page),
        ));
        files.push((
            format!("phases-incident-{}.svg", k + 1),
            phase_timeline(
                scenario,
                c,
                summary.curves.as_ref(),
                k,
                &bug,
                incident_mark(marks, &bug),
                objectives,
                page,
            ),
        ));
    }
    if let Some(svg) = forest_plot(c, &forest_metrics(c), page) {
        files.push(("forest.svg".into(), svg));
    }
    if let Some(svg) = objectives_heat_map(c, page) {
        files.push(("objectives.svg".into(), svg));
    }
    // The DR use the study kept of its first runs (`Study::with_dr_use`).
    if let Some(u) = sample_dr_use(scenario, c) {
        files.push((
            "dr-capacity.svg".into(),
            dr_capacity_over_runs(scenario, &u, marks, page),
        ));
    }
    files
}

/// The charts of a comparison drawn from one run of each strategy (on the
/// comparison's seed, as `hvsim run --seed` gives them): the dependency
/// graph with the order each strategy restored the apps in. `command`
/// reproduces the comparison. (The DR site's room in use is drawn over
/// many runs, by [`compare_svgs`].)
pub fn compare_run_svgs<'a>(
    scenario: &Scenario,
    runs: &[Outcome],
    page: impl Into<Page<'a>>,
) -> Vec<NamedFile> {
    let page = page.into();
    let mut files = Vec::new();
    let shown: Vec<&Outcome> = runs.iter().collect();
    files.push((
        "dependencies.svg".to_string(),
        dependency_graph(scenario, &shown, page),
    ));
    files
}

/// The first incident of `bug` among `marks` (labelled `incident N: BUG`).
pub(super) fn incident_mark<'a>(marks: &'a [IncidentMark], bug: &str) -> Option<&'a IncidentMark> {
    let suffix = format!(": {bug}");
    marks.iter().find(|m| m.label.ends_with(&suffix))
}

/// The metrics of the forest plot: the key metrics of the findings and
/// every objective.
pub(super) fn forest_metrics(c: &Comparison) -> Vec<usize> {
    let mut metrics = super::findings::key_metrics(c);
    metrics.extend(objective_metrics(c).into_iter().map(|(m, _)| m));
    metrics
}

/// The data of a comparison: the curves (if the study ran with them) and
/// the milestone distributions.
pub fn compare_csvs(scenario: &Scenario, summary: &Summary) -> Vec<NamedFile> {
    let mut files = Vec::new();
    if let Some(curves) = &summary.curves {
        files.push(("curve.csv".into(), curve_csv(scenario, curves)));
    }
    files.push(("milestones.csv".into(), milestones_csv(&summary.comparison)));
    files
}

/// The charts of a sweep: each headline metric against the first swept
/// parameter, each naming `command`, the command line that reproduces the
/// sweep.
pub fn sweep_svgs<'a>(
    names: &[String],
    results: &[SweepPoint],
    page: impl Into<Page<'a>>,
) -> Vec<NamedFile> {
    let page = page.into();
    let slug = |name: &str| {
        let s: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        s.split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let Some((_, _, first)) = results.first() else {
        return Vec::new();
    };
    headline_metrics(results)
        .into_iter()
        .map(|m| {
            (
                format!("sweep-{}.svg", slug(&first.metrics[m].name)),
                sweep_chart(names, results, m, page),
            )
        })
        .collect()
}
