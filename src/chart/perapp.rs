//! Per-app charts of one run: each app's time to recover against its
//! recovery-time objective, and the data it lost against its
//! recovery-point objective. Apps that missed come first, then the
//! others worst first, a bar each, the objective a tick across its row;
//! a miss is vermillion and says by how much, a bar within its objective
//! is blue, one no objective covers grey. Beyond [`MAX_ROWS`] apps the
//! others are grouped, consecutive apps in that order: the bar spans the
//! group, its label names it (`web ×12` when the apps share a group) and
//! says how many apps it holds.

use super::Page;
use super::axis::{duration_unit, nice_range, number_label};
use super::svg::{Anchor, FONT_PX, num, text_width};
use super::{GRID_GREY, INK, LegendEntry, Swatch, WIDTH, no_data};
use crate::metrics::{DataLoss, Outcome};
use crate::model::{AppId, Scenario};
use crate::sim::SimDuration;

/// Rows drawn at most; more apps are grouped.
pub const MAX_ROWS: usize = 40;
/// Within the objective.
pub const MET: &str = "#0072B2";
/// Missed the objective.
pub const MISSED: &str = "#D55E00";
/// No objective covers it.
pub const UNCOVERED: &str = "#999999";

const ROW_H: f64 = 18.0;
/// The widest row label, in pixels; longer ones are cut with `…`.
const LABEL_W_MAX: f64 = 340.0;

/// `label`, cut with `…` to fit `width` pixels at the rows' font size.
fn fitted(label: &str, width: f64, font_px: f64) -> String {
    if text_width(label, font_px) <= width {
        return label.to_string();
    }
    let keep = (width / text_width("x", font_px)) as usize;
    let mut cut: String = label.chars().take(keep.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One app's value against its objective.
#[derive(Clone, Debug, PartialEq)]
pub struct AppBar {
    /// The app's id.
    pub app: String,
    /// Its group, if the scenario gives one.
    pub group: Option<String>,
    /// The value; `None` for "everything" (data) or "never back" (time),
    /// drawn to the right edge.
    pub value: Option<SimDuration>,
    /// The tightest objective that covers it.
    pub limit: Option<SimDuration>,
}

impl AppBar {
    /// Whether it missed its objective.
    pub fn missed(&self) -> bool {
        match (self.value, self.limit) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(v), Some(l)) => v > l,
        }
    }

    /// Its value for sorting, worst (largest, `None`) first.
    fn key(&self) -> u64 {
        self.value.map_or(u64::MAX, |v| v.as_millis())
    }

    /// The order of the chart: misses first, then the largest value
    /// first, then by name.
    fn order(a: &AppBar, b: &AppBar) -> std::cmp::Ordering {
        b.missed()
            .cmp(&a.missed())
            .then(b.key().cmp(&a.key()))
            .then(a.app.cmp(&b.app))
    }
}

/// The tightest of an objective field over the objectives covering `app`.
fn tightest(
    scenario: &Scenario,
    app: AppId,
    field: impl Fn(&crate::model::Objective) -> Option<SimDuration>,
) -> Option<SimDuration> {
    scenario
        .objectives
        .iter()
        .filter(|o| o.apps.contains(&app))
        .filter_map(field)
        .min()
}

/// What a per-app chart measures against which objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Measure {
    /// The time from the strike to back for good, against the RTO.
    Recovery,
    /// The data lost, against the RPO.
    DataLost,
}

impl Measure {
    /// The app's value, `Some(None)` for "never back" or "everything";
    /// `None` when the app has no bar (never down, never recovered).
    fn value(self, a: &crate::metrics::AppOutcome) -> Option<Option<SimDuration>> {
        match self {
            Measure::Recovery => {
                let rec = a.recovery?;
                Some(rec.complete.then_some(rec.time))
            }
            Measure::DataLost => (a.recoveries > 0).then_some(match a.data_loss {
                DataLoss::None => Some(SimDuration::ZERO),
                DataLoss::Since(d) => Some(d),
                DataLoss::All => None,
            }),
        }
    }

    /// The objective's field it is judged by.
    fn limit(self, o: &crate::model::Objective) -> Option<SimDuration> {
        match self {
            Measure::Recovery => o.rto,
            Measure::DataLost => o.rpo,
        }
    }

    /// How the chart names it.
    fn spec(self, subtitle: &str) -> PerApp<'_> {
        let (title, axis, objective, none) = match self {
            Measure::Recovery => (
                "Each app's time to recover against its RTO, one run",
                "from the strike to back for good",
                "RTO",
                "never back",
            ),
            Measure::DataLost => (
                "Each app's data lost against its RPO, one run",
                "data lost",
                "RPO",
                "everything",
            ),
        };
        PerApp {
            title,
            subtitle,
            axis,
            objective,
            none,
            what: "recovery",
        }
    }
}

/// Each app `measure` gives a value in `o`, against its tightest
/// objective, worst first.
fn bars(scenario: &Scenario, o: &Outcome, measure: Measure) -> Vec<AppBar> {
    let mut bars: Vec<AppBar> = scenario
        .apps
        .iter()
        .zip(&o.apps)
        .enumerate()
        .filter_map(|(i, (app, a))| {
            Some(AppBar {
                app: app.id.clone(),
                group: app.group.clone(),
                value: measure.value(a)?,
                limit: tightest(scenario, AppId(i as u32), |obj| measure.limit(obj)),
            })
        })
        .collect();
    bars.sort_by(AppBar::order);
    bars
}

/// Each app that went down in `o`: its time from the strike to back for
/// good (as the RTO judges it; `None` if never back) against its tightest
/// RTO, worst first.
pub fn recovery_bars(scenario: &Scenario, o: &Outcome) -> Vec<AppBar> {
    bars(scenario, o, Measure::Recovery)
}

/// Each app recovered in `o`: the data it lost (`None` for everything)
/// against its tightest RPO, worst first.
pub fn data_loss_bars(scenario: &Scenario, o: &Outcome) -> Vec<AppBar> {
    bars(scenario, o, Measure::DataLost)
}

/// A row: one app, or a group of consecutive ones.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    label: String,
    /// The largest and smallest values (`None`: everything / never).
    hi: Option<SimDuration>,
    lo: Option<SimDuration>,
    limit: Option<SimDuration>,
    missed: usize,
    apps: usize,
    covered: bool,
}

/// `bars` in about [`MAX_ROWS`] rows: every app that missed its
/// objective on a row of its own while they leave room for the others
/// (at most three quarters of the rows), the others in groups of
/// consecutive apps; beyond, every app grouped alike.
fn rows(bars: &[AppBar], max_rows: usize) -> Vec<Row> {
    let missed = bars.iter().filter(|b| b.missed()).count();
    let alone = missed <= max_rows * 3 / 4;
    let per = if alone {
        (bars.len() - missed).div_ceil(max_rows - missed).max(1)
    } else {
        bars.len().div_ceil(max_rows).max(1)
    };
    let mut out = Vec::new();
    let mut group: Vec<&AppBar> = Vec::new();
    for b in bars {
        if alone && b.missed() {
            if !group.is_empty() {
                out.push(row(&group));
                group.clear();
            }
            out.push(row(&[b]));
            continue;
        }
        group.push(b);
        if group.len() == per {
            out.push(row(&group));
            group.clear();
        }
    }
    if !group.is_empty() {
        out.push(row(&group));
    }
    out
}

/// One row of `chunk`, consecutive apps in chart order.
fn row(chunk: &[&AppBar]) -> Row {
    let first = chunk[0];
    let last = chunk[chunk.len() - 1];
    let label = if chunk.len() == 1 {
        first.app.clone()
    } else {
        let shared = first
            .group
            .as_ref()
            .filter(|g| chunk.iter().all(|b| b.group.as_ref() == Some(*g)));
        match shared {
            Some(g) => format!("{g} ×{}", chunk.len()),
            None => format!("{} … {} ({} apps)", first.app, last.app, chunk.len()),
        }
    };
    let values = || chunk.iter().map(|b| b.key());
    let from_key = |k: u64| (k != u64::MAX).then(|| SimDuration::from_millis(k));
    Row {
        label,
        hi: values().max().and_then(from_key),
        lo: values().min().and_then(from_key),
        limit: chunk.iter().filter_map(|b| b.limit).min(),
        missed: chunk.iter().filter(|b| b.missed()).count(),
        apps: chunk.len(),
        covered: chunk.iter().any(|b| b.limit.is_some()),
    }
}

/// What a per-app chart says first: how many apps missed their
/// objective, the worst of them, or that all met it.
pub fn per_app_finding(bars: &[AppBar], what: &str, objective: &str) -> String {
    let covered = bars.iter().filter(|b| b.limit.is_some()).count();
    let missed: Vec<&AppBar> = bars.iter().filter(|b| b.missed()).collect();
    if bars.is_empty() {
        return format!("No app has a {what} in this run.");
    }
    if covered == 0 {
        return format!(
            "{} in this run; no {objective} covers {}.",
            crate::units::counted(bars.len(), "app", "apps"),
            if bars.len() == 1 { "it" } else { "them" }
        );
    }
    match missed.first() {
        None if covered == 1 => format!("The one app with an {objective} met it."),
        None => format!("Every one of the {covered} apps with an {objective} met it."),
        Some(worst) => format!(
            "{} with an {objective} missed it; the worst, {}: {} against {}.",
            crate::units::capitalised(&crate::units::part_of(missed.len(), covered, "app", "apps")),
            worst.app,
            worst
                .value
                .map_or_else(|| "everything".to_string(), |v| v.to_string()),
            worst.limit.map_or_else(String::new, |l| l.to_string())
        ),
    }
}

/// The text of a value: `1d 4h`, or `everything` / `never back`.
fn shown(v: Option<SimDuration>, none: &str) -> String {
    v.map_or_else(|| none.to_string(), |v| v.to_string())
}

/// Renders `bars` as a per-app chart.
struct PerApp<'a> {
    title: &'a str,
    subtitle: &'a str,
    axis: &'a str,
    objective: &'a str,
    /// The text of a `None` value.
    none: &'a str,
    what: &'a str,
}

fn render(spec: &PerApp, bars: &[AppBar], page: Page) -> String {
    let cv = page.canvas;
    let font = cv.px(FONT_PX - 1.0);
    let legend = legend_of(spec);
    // On a page of fixed height, as many rows as it holds.
    let max_rows = if cv.height.is_some() {
        let room = page.layout(WIDTH, ROW_H, None, &[], &legend).frame.h;
        ((room / cv.len(ROW_H - 2.0)).floor() as usize).clamp(4, MAX_ROWS)
    } else {
        MAX_ROWS
    };
    let rows = rows(bars, max_rows);
    let max_ms = rows
        .iter()
        .flat_map(|r| [r.hi, r.limit])
        .flatten()
        .map(|d| d.as_millis())
        .max()
        .unwrap_or(0) as f64;
    let unit = duration_unit(max_ms.max(1.0));
    let (x_lo, x_hi, ticks) =
        nice_range(0.0, (max_ms / unit.ms).max(1e-3) * 1.05, cv.range_ticks(10));
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, font))
        .fold(0.0, f64::max);
    let left = (label_w + 16.0).clamp(cv.len(78.0), cv.len(LABEL_W_MAX) + 16.0);
    let lay = page.layout(
        WIDTH,
        rows.len().max(1) as f64 * cv.len(ROW_H),
        Some(left),
        &[],
        &legend,
    );
    let row_h = if cv.height.is_some() {
        (lay.frame.h / rows.len().max(1) as f64).min(cv.len(ROW_H) * 1.6)
    } else {
        ROW_H
    };
    let f = lay.frame;
    let grouped = if rows.len() < bars.len() {
        format!("; {} apps in {} rows", bars.len(), rows.len())
    } else {
        String::new()
    };
    let mut svg = lay.start(spec.title, &format!("{}{grouped}", spec.subtitle));
    let value_w = cv.len(190.0);
    let plot_w = f.w - value_w;
    let x_of = |d: Option<SimDuration>| match d {
        Some(d) => f.x + (d.as_millis() as f64 / unit.ms - x_lo) / (x_hi - x_lo) * plot_w,
        None => f.x + plot_w,
    };
    let x_ticks: Vec<(f64, String, Option<String>)> = ticks
        .iter()
        .filter(|v| **v >= x_lo && **v <= x_hi)
        .map(|v| {
            (
                f.x + (v - x_lo) / (x_hi - x_lo) * plot_w,
                number_label(*v),
                None,
            )
        })
        .collect();
    lay.x_axis(
        &mut svg,
        &x_ticks,
        &format!("{} ({})", spec.axis, unit.name),
    );
    if rows.is_empty() {
        no_data(
            &mut svg,
            &f,
            &format!("no app has a {} in this run", spec.what),
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = f.y + i as f64 * row_h;
        let colour = if r.missed > 0 {
            MISSED
        } else if r.covered {
            MET
        } else {
            UNCOVERED
        };
        svg.open(&[
            ("class", "app-row".into()),
            ("data-app", r.label.clone()),
            ("data-missed", r.missed.to_string()),
        ]);
        svg.text_styled(
            f.x - 6.0,
            y + row_h / 2.0 + cv.len(4.0),
            &fitted(&r.label, cv.len(LABEL_W_MAX), font),
            Anchor::End,
            &[("font-size", num(font))],
        );
        let (x0, x1) = if r.apps > 1 {
            (x_of(r.lo), x_of(r.hi))
        } else {
            (f.x, x_of(r.hi))
        };
        let tip = if r.apps > 1 {
            format!(
                "{}: {} to {}, {} missed",
                r.label,
                shown(r.lo, spec.none),
                shown(r.hi, spec.none),
                r.missed
            )
        } else {
            format!(
                "{}: {}{}",
                r.label,
                shown(r.hi, spec.none),
                r.limit
                    .map_or_else(String::new, |l| format!(", {} {l}", spec.objective))
            )
        };
        svg.with_tip(
            "rect",
            &[
                ("x", num(x0)),
                ("y", num(y + cv.len(3.0))),
                ("width", num((x1 - x0).max(2.0))),
                ("height", num(row_h - cv.len(6.0))),
                ("fill", colour.into()),
                ("class", "bar".into()),
            ],
            &tip,
        );
        if let Some(l) = r.limit {
            let lx = x_of(Some(l));
            svg.line((lx, y), (lx, y + row_h), INK, cv.line(2.0));
        }
        let note = match (r.apps, r.missed, r.limit, r.hi) {
            (1, 1, Some(l), Some(v)) => {
                format!(
                    "{} — missed by {}",
                    v,
                    SimDuration::from_millis(v.as_millis() - l.as_millis())
                )
            }
            (1, 1, _, None) => format!("{} — missed", spec.none),
            (1, _, _, v) => shown(v, spec.none),
            (n, 0, _, _) => format!("{n} apps"),
            (n, k, _, _) => format!("{k} of {n} missed"),
        };
        svg.text_styled(
            f.x + plot_w + cv.len(8.0),
            y + row_h / 2.0 + cv.len(4.0),
            &note,
            Anchor::Start,
            &[
                ("font-size", num(font)),
                ("fill", if r.missed > 0 { MISSED } else { INK }.into()),
            ],
        );
        svg.close();
    }
    svg.line(
        (f.x + plot_w, f.y),
        (f.x + plot_w, f.bottom()),
        GRID_GREY,
        cv.line(1.0),
    );
    lay.legend(&mut svg, &legend);
    svg.describe(&per_app_finding(bars, spec.what, spec.objective));
    svg.finish()
}

/// The legend of a per-app chart.
fn legend_of(spec: &PerApp) -> Vec<LegendEntry> {
    vec![
        LegendEntry {
            swatch: Swatch::Fill(MET, 1.0),
            label: format!("within its {}", spec.objective),
        },
        LegendEntry {
            swatch: Swatch::Fill(MISSED, 1.0),
            label: format!("missed its {}", spec.objective),
        },
        LegendEntry {
            swatch: Swatch::Fill(UNCOVERED, 1.0),
            label: format!("no {}", spec.objective),
        },
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: format!("{} (tightest that covers it)", spec.objective),
        },
    ]
}

/// The per-app chart of `measure` in run `o`; `command` reproduces the
/// run (none if empty).
fn per_app_chart(scenario: &Scenario, o: &Outcome, measure: Measure, page: Page) -> String {
    let strategy = &scenario.strategies[o.strategy.index()].id;
    let subtitle = format!("strategy {strategy}, seed {}; misses first", o.seed);
    render(&measure.spec(&subtitle), &bars(scenario, o, measure), page)
}

/// Per-app time to recover against the RTO in run `o`; `command`
/// reproduces the run (none if empty).
pub fn recovery_against_rto<'a>(
    scenario: &Scenario,
    o: &Outcome,
    page: impl Into<Page<'a>>,
) -> String {
    per_app_chart(scenario, o, Measure::Recovery, page.into())
}

/// Per-app data lost against the RPO in run `o`; `command` reproduces the
/// run (none if empty).
pub fn data_lost_against_rpo<'a>(
    scenario: &Scenario,
    o: &Outcome,
    page: impl Into<Page<'a>>,
) -> String {
    per_app_chart(scenario, o, Measure::DataLost, page.into())
}

/// Whether the data-lost chart has something to say: the scenario has
/// backups, replication or an RPO.
pub fn has_data_loss(scenario: &Scenario) -> bool {
    scenario.backup.is_some()
        || scenario.replication.is_some()
        || scenario.objectives.iter().any(|o| o.rpo.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(app: &str, h: Option<u64>, limit: Option<u64>) -> AppBar {
        AppBar {
            app: app.into(),
            group: Some("web".into()),
            value: h.map(|h| SimDuration::from_millis(h * 3_600_000)),
            limit: limit.map(|h| SimDuration::from_millis(h * 3_600_000)),
        }
    }

    #[test]
    fn a_miss_is_a_value_over_its_limit_or_none_under_one() {
        assert!(bar("a", Some(5), Some(4)).missed());
        assert!(!bar("a", Some(4), Some(4)).missed());
        assert!(bar("a", None, Some(4)).missed());
        assert!(!bar("a", None, None).missed());
    }

    #[test]
    fn many_apps_are_grouped_and_no_miss_is_lost() {
        let bars: Vec<AppBar> = (0..120)
            .map(|i| bar(&format!("app{i:03}"), Some(200 - i), Some(100)))
            .collect();
        let all = rows(&bars, MAX_ROWS);
        assert!(all.len() <= MAX_ROWS);
        assert_eq!(all.iter().map(|r| r.apps).sum::<usize>(), 120);
        assert_eq!(
            all.iter().map(|r| r.missed).sum::<usize>(),
            bars.iter().filter(|b| b.missed()).count()
        );
        // 100 misses are too many to list one by one: grouped alike.
        assert_eq!(all[0].label, "web ×3");
        let few = rows(&bars[..10], MAX_ROWS);
        assert_eq!(few.len(), 10);
        assert_eq!(few[0].label, "app000");
        // A few misses stay on rows of their own, the rest is grouped.
        let mixed: Vec<AppBar> = (0..120)
            .map(|i| {
                bar(
                    &format!("app{i:03}"),
                    Some(200 - i),
                    Some(if i < 5 { 10 } else { 300 }),
                )
            })
            .collect();
        let some = rows(&mixed, MAX_ROWS);
        assert!(some.len() <= MAX_ROWS + 1, "{}", some.len());
        assert!(some[..5].iter().all(|r| r.apps == 1 && r.missed == 1));
        assert!(some[5..].iter().all(|r| r.missed == 0 && r.apps > 1));
        assert_eq!(some.iter().map(|r| r.apps).sum::<usize>(), 120);
    }
}
