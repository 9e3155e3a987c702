//! The Gantt chart of one run: a row per team member with what they
//! restored when, coloured by method; grey where the member was off shift
//! (nights, weekends, holidays), and per team a strip of how many were on
//! duty, where holidays show as dips. Automated recoveries (failover, HA
//! restart) have rows of their own, "automation", and a runbook's waves a
//! band above the teams; backup transfers a row per stream.
//!
//! A task that spans a shift gap is drawn as solid pieces while on shift,
//! joined by a thin line across the gap: work pauses, it does not go on.
//! Labels go on their bars, beside them, or grouped (`web ×12`), never
//! overlapping (see its `labels` module); every bar has a tooltip. Long idle
//! stretches are cut out of the time axis (see its `scale` module). Vertical marks
//! show the incidents, when 50, 90 and 100 % of each incident's apps were
//! back, and the RTO deadlines of the objectives each incident hit.

mod draw;
pub(crate) mod labels;
mod marks;
pub(crate) mod scale;
mod work;

use std::collections::BTreeMap;

use super::axis::DateAxis;
use super::svg::text_width;
use super::{Canvas, Layout, Marker, Page, WIDTH, incident_markers, no_data};
use crate::metrics::Outcome;
use crate::model::{Method, Scenario};
use crate::montecarlo::IncidentMark;
use crate::sim::{SimDuration, SimTime};
use draw::Ctx;
use marks::Shown;
use scale::TimeScale;

/// Height of a member's row.
const ROW_H: f64 = 18.0;
/// On a slide, one incident's milestones closer than this share of the
/// plot's width share one label.
const MERGE_WITHIN: f64 = 0.04;
/// Most member rows drawn; beyond, the chart says how many were left out.
pub const MAX_ROWS: usize = 300;
/// Most rows of automated recoveries; beyond, the chart says how many
/// recoveries were left out.
pub const MAX_AUTOMATION_ROWS: usize = 12;
/// The widest a Gantt chart gets, in pixels.
pub const MAX_WIDTH: f64 = 2400.0;
/// Off-shift shading.
pub const OFF_SHIFT: &str = "#f0f0f0";

/// One row of the chart.
enum Row {
    /// A lane of the runbook's waves.
    Waves { lane: usize },
    /// A team's head count on duty.
    OnDuty { team: usize },
    /// One member of a team.
    Member { team: usize, member: u32 },
    /// A lane of automated recoveries.
    Automation { lane: usize },
    /// One stream of the backup system (restores' data transfers).
    Stream { k: usize },
}

/// The run's data transfers, assigned to backup streams: each to the
/// first stream free when it started (as many streams as were ever busy
/// at once).
pub fn stream_rows(o: &Outcome) -> Vec<Vec<usize>> {
    let started: Vec<usize> = (0..o.transfers.len())
        .filter(|&i| o.transfers[i].start.is_some())
        .collect();
    let spans: Vec<(SimTime, SimTime)> = started
        .iter()
        .map(|&i| {
            let t = &o.transfers[i];
            (t.start.unwrap_or(o.horizon), t.end.unwrap_or(o.horizon))
        })
        .collect();
    let (lanes, _) = work::pack(&spans, usize::MAX);
    lanes
        .into_iter()
        .map(|lane| lane.into_iter().map(|k| started[k]).collect())
        .collect()
}

/// The row label of member `k` (from 0) of a team, as in `--trace`.
pub fn member_label(team: &str, member: u32) -> String {
    format!("{team} #{}", member + 1)
}

/// A lane's row label: `automation`, `automation (2)`.
fn lane_label(what: &str, lane: usize) -> String {
    if lane == 0 {
        what.to_string()
    } else {
        format!("{what} ({})", lane + 1)
    }
}

/// What the chart draws, row by row.
struct Plan {
    rows: Vec<Row>,
    /// Member rows left out.
    members_left: usize,
    streams: Vec<Vec<usize>>,
    automated: Vec<work::Automated>,
    auto_lanes: Vec<Vec<usize>>,
    auto_left: usize,
    waves: Vec<work::WaveSpan>,
    wave_lanes: Vec<Vec<usize>>,
}

impl Plan {
    fn new(scenario: &Scenario, o: &Outcome) -> Self {
        let strategy = &scenario.strategies[o.strategy.index()];
        // Teams: the strategy's, plus any that worked (there are none other today).
        let mut teams: Vec<usize> = strategy.teams.iter().map(|t| t.index()).collect();
        for t in &o.tasks {
            if !teams.contains(&t.team.index()) {
                teams.push(t.team.index());
            }
        }
        let automated = work::automated(o);
        let (auto_lanes, auto_left) = work::pack(
            &automated
                .iter()
                .map(|a| (a.start, a.end))
                .collect::<Vec<_>>(),
            MAX_AUTOMATION_ROWS,
        );
        let waves = work::waves(scenario, o, &automated);
        let (wave_lanes, _) = work::pack(
            &waves.iter().map(|w| (w.start, w.end)).collect::<Vec<_>>(),
            usize::MAX,
        );
        let streams = stream_rows(o);
        let mut rows: Vec<Row> = (0..wave_lanes.len())
            .map(|lane| Row::Waves { lane })
            .collect();
        let mut members_left = 0usize;
        for &team in &teams {
            rows.push(Row::OnDuty { team });
            for member in 0..scenario.teams[team].roster.size() {
                if rows.len() >= MAX_ROWS {
                    members_left += 1;
                } else {
                    rows.push(Row::Member { team, member });
                }
            }
        }
        rows.extend((0..auto_lanes.len()).map(|lane| Row::Automation { lane }));
        rows.extend((0..streams.len()).map(|k| Row::Stream { k }));
        Plan {
            rows,
            members_left,
            streams,
            automated,
            auto_lanes,
            auto_left,
            waves,
            wave_lanes,
        }
    }

    /// Each row's label.
    fn labels(&self, scenario: &Scenario) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| match *r {
                Row::Waves { lane } => lane_label("runbook waves", lane),
                Row::OnDuty { team } => format!("{} on duty", scenario.teams[team].id),
                Row::Member { team, member } => member_label(&scenario.teams[team].id, member),
                Row::Automation { lane } => lane_label("automation", lane),
                Row::Stream { k } => format!("backup stream {}", k + 1),
            })
            .collect()
    }

    /// The row of each lane kind's first lane, and each member's row.
    fn row_of(&self) -> (BTreeMap<(usize, u32), usize>, [usize; 3]) {
        let mut members = BTreeMap::new();
        let mut first = [usize::MAX; 3];
        for (r, row) in self.rows.iter().enumerate() {
            match *row {
                Row::Member { team, member } => {
                    members.insert((team, member), r);
                }
                Row::Waves { lane: 0 } => first[0] = r,
                Row::Automation { lane: 0 } => first[1] = r,
                Row::Stream { k: 0 } => first[2] = r,
                _ => {}
            }
        }
        (members, first)
    }

    /// The subtitle's note of what was left out, if anything.
    fn left_out(&self) -> String {
        let mut out = String::new();
        if self.members_left > 0 {
            out.push_str(&format!(
                "; {} more member row(s) not shown",
                self.members_left
            ));
        }
        if self.auto_left > 0 {
            out.push_str(&format!(
                "; {} more automated recoveries not shown",
                self.auto_left
            ));
        }
        out
    }
}

/// Renders the run's tasks. The subtitle names the run's strategy and
/// seed; `command` is the command line that reproduces the run, written
/// under it (none if empty).
pub fn gantt<'a>(
    scenario: &Scenario,
    o: &Outcome,
    incidents: &[IncidentMark],
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let mut cv = page.canvas;
    let axis = DateAxis::new(scenario);
    let strategy = &scenario.strategies[o.strategy.index()];
    let plan = Plan::new(scenario, o);
    let marks = marks::marks_of(scenario, o, incidents);
    let (t0, t1) = time_range(o, &marks);
    let row_labels = plan.labels(scenario);
    let label_w = row_labels
        .iter()
        .map(|l| text_width(l, cv.font_px))
        .fold(60.0f64, f64::max)
        + 16.0;
    let n_rows = plan.rows.len().max(1) as f64;
    // On a page of fixed height the rows share the plot's height; more
    // rows than it holds at a readable height make the chart taller.
    if let Some(page_h) = cv.height
        && n_rows * (cv.font_px + 4.0) > page_h / 2.0
    {
        cv.height = None;
    }
    let plot_h = n_rows * cv.len(ROW_H);
    // Wide enough that many of 120 apps' names fit on their bars; the HTML
    // report scrolls it sideways rather than shrinking it.
    let bars = o.tasks.len() + plan.automated.len();
    let width = if page.canvas.height.is_some() {
        cv.width
    } else {
        (bars as f64 * 12.0).clamp(WIDTH, MAX_WIDTH)
    };
    // The plot's left edge and width do not depend on the markers.
    let probe = Layout::on(cv, width, plot_h, Some(label_w), None, &[], &[]).frame;
    let busy = busy_spans(scenario, o, &plan);
    let points: Vec<SimTime> = incidents
        .iter()
        .map(|i| i.at)
        .chain(marks.iter().map(|m| m.at))
        .collect();
    let scale = TimeScale::new((t0, t1), &busy, &points, (probe.x, probe.w));
    let frac = |t: SimTime| (scale.x(t) - probe.x) / probe.w.max(1.0);
    let mut markers = incident_markers(incidents, frac);
    let slide = page.canvas.height.is_some();
    if slide {
        markers.extend(marks::markers_merged(&marks, frac, MERGE_WITHIN));
    } else {
        markers.extend(marks::markers(&marks, frac));
    }
    let cuts = scale.cuts();
    // Each idle stretch is named above the plot with its length; on a
    // slide, whose rows those labels would squeeze, the axis' title gives
    // the longest instead (the cuts are still drawn).
    if !slide {
        markers.extend(cuts.iter().map(|&(a, b)| Marker {
            at: (frac(a) + frac(b)) / 2.0,
            label: format!("{} idle", b.saturating_since(a)),
            colour: marks::CUT.1,
            dash: marks::CUT.2,
        }));
    }
    let shown = Shown {
        methods: Method::ALL
            .iter()
            .copied()
            .filter(|m| {
                o.tasks.iter().any(|t| t.method() == Some(*m))
                    || plan.automated.iter().any(|a| a.method == *m)
            })
            .collect(),
        go: o.tasks.iter().any(|t| t.method().is_none()),
        waves: !plan.waves.is_empty(),
        off_shift: draw::any_off_shift(scenario, o, &plan, (t0, t1)),
        cuts: !cuts.is_empty(),
        cut_lines: !slide,
    };
    let legend = marks::legend_of(o, &shown, &marks, !incidents.is_empty());
    let mut lay = Layout::on(cv, width, plot_h, Some(label_w), None, &markers, &legend)
        .reproduced_by(page.command);
    // Rows squeezed below a line of text by the marker labels: the chart
    // gets taller instead (shown whole on the slide, smaller).
    if cv.height.is_some() && lay.frame.h / n_rows < cv.font_px + 4.0 {
        cv.height = None;
        lay = Layout::on(cv, width, plot_h, Some(label_w), None, &markers, &legend)
            .reproduced_by(page.command);
    }
    let f = lay.frame;
    let row_h = f.h / n_rows;
    let mut svg = lay.start(
        "Who restored what, when",
        &format!(
            "one run: strategy {}, seed {}{}",
            strategy.id,
            o.seed,
            plan.left_out()
        ),
    );
    svg.describe(&marks::finding(scenario, o));
    let x_ticks = ticks(&axis, &scale, &cv);
    let ctx = Ctx {
        scenario,
        o,
        axis: &axis,
        scale: &scale,
        f,
        range: (t0, t1),
        c: cv,
        row_h: if cv.height.is_some() { row_h } else { ROW_H },
    };
    // Rows first (shading), then the cuts and the axis' grid lines over
    // them, then bars.
    draw::rows(&mut svg, &ctx, &plan, &row_labels);
    draw::cuts(&mut svg, &ctx, &cuts);
    let mut x_title = axis.title(t0, t1);
    if !cuts.is_empty() {
        x_title.push_str(&format!(
            "; {} idle stretch{} cut out",
            cuts.len(),
            if cuts.len() == 1 { "" } else { "es" }
        ));
        if let Some(longest) = cuts.iter().map(|&(a, b)| b.saturating_since(a)).max()
            && slide
        {
            x_title.push_str(&format!(" (the longest {longest})"));
        }
    }
    lay.x_axis(&mut svg, &x_ticks, &x_title);
    if o.tasks.is_empty() && plan.automated.is_empty() {
        no_data(&mut svg, &f, "no recovery task in this run");
    }
    let drawn = draw::bars(&ctx, &plan);
    draw::all(&mut svg, &ctx, &drawn);
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.finish()
}

/// The x axis' ticks: true dates on each stretch shown, a label's width
/// apart either side of a cut.
fn ticks(axis: &DateAxis, scale: &TimeScale, c: &Canvas) -> Vec<(f64, String, Option<String>)> {
    let mut out: Vec<(f64, String, Option<String>)> = Vec::new();
    let font = c.font_px;
    for (lo, hi) in scale.shown() {
        let w = (scale.x(hi) - scale.x(lo)).max(0.0);
        for t in axis.ticks_on(c, lo, hi, w) {
            let x = scale.x(t.at);
            let wide = text_width(&t.label, font)
                .max(t.day.as_deref().map_or(0.0, |d| text_width(d, font)));
            let clear = out.last().is_none_or(|(prev, label, day)| {
                let before = text_width(label, font)
                    .max(day.as_deref().map_or(0.0, |d| text_width(d, font)));
                x - prev >= (before + wide) / 2.0 + 8.0
            });
            if clear && out.len() < c.max_ticks {
                out.push((x, t.label, t.day));
            }
        }
    }
    out
}

/// The spans when something happened: members' work on shift, transfers,
/// automated recoveries.
fn busy_spans(scenario: &Scenario, o: &Outcome, plan: &Plan) -> Vec<(SimTime, SimTime)> {
    let mut busy: Vec<(SimTime, SimTime)> = o
        .tasks
        .iter()
        .flat_map(|t| draw::task_pieces(scenario, o, t))
        .collect();
    busy.extend(
        o.transfers
            .iter()
            .filter_map(|t| Some((t.start?, t.end.unwrap_or(o.horizon)))),
    );
    busy.extend(plan.automated.iter().map(|a| (a.start, a.end)));
    busy
}

/// The time range shown: from the first incident (or task) to the last
/// task's end (and the last RTO deadline marked), with a fortieth of the
/// span of work on each side.
fn time_range(o: &Outcome, marks: &[marks::Mark]) -> (SimTime, SimTime) {
    let first = o
        .incidents
        .iter()
        .map(|i| i.at)
        .chain(o.tasks.iter().map(|t| t.start))
        .min();
    let last = o
        .tasks
        .iter()
        .map(|t| t.end.unwrap_or(o.horizon))
        .chain(o.apps.iter().filter_map(|a| a.final_up()))
        .chain(o.transfers.iter().map(|t| t.end.unwrap_or(o.horizon)))
        .max();
    match (first, last) {
        (Some(a), Some(b)) if b > a => {
            let margin = SimDuration::from_millis((b.as_millis() - a.as_millis()) / 40);
            let end = marks.iter().map(|m| m.at).fold(b, SimTime::max);
            (
                SimTime::from_millis(a.as_millis().saturating_sub(margin.as_millis())),
                end.saturating_add(margin).min(o.horizon),
            )
        }
        _ => (SimTime::ZERO, o.horizon),
    }
}
