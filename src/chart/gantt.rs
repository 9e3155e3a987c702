//! The Gantt chart of one run: a row per team member with what they
//! restored when, coloured by method; grey where the member was off shift
//! (nights, weekends, holidays), and per team a strip of how many were on
//! duty, where holidays show as dips.
//!
//! A task that spans a shift gap is drawn as solid pieces while on shift,
//! joined by a thin line across the gap: work pauses, it does not go on.
//! Bars carry the app's name only where it fits; every bar has a tooltip.

use std::collections::BTreeMap;

use super::axis::DateAxis;
use super::svg::{Anchor, FONT_PX, Svg, num, rect_attrs, text_width};
use super::{
    Frame, GRID_GREY, INK, Layout, LegendEntry, Swatch, WIDTH, incident_markers, method_colour,
    no_data,
};
use crate::metrics::{Outcome, TaskEnd};
use crate::model::{Method, Scenario};
use crate::montecarlo::IncidentMark;
use crate::sim::{SimDuration, SimTime};

/// Height of a member's row.
const ROW_H: f64 = 18.0;
/// Most member rows drawn; beyond, the chart says how many were left out.
pub const MAX_ROWS: usize = 300;
/// The widest a Gantt chart gets, in pixels.
pub const MAX_WIDTH: f64 = 2400.0;
/// Off-shift shading.
pub const OFF_SHIFT: &str = "#f0f0f0";

/// One row of the chart.
enum Row {
    /// A team's head count on duty.
    OnDuty { team: usize },
    /// One member of a team.
    Member { team: usize, member: u32 },
    /// One stream of the backup system (restores' data transfers).
    Stream { k: usize },
}

/// The run's data transfers, assigned to backup streams: each to the
/// first stream free when it started (as many streams as were ever busy
/// at once).
pub fn stream_rows(o: &Outcome) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..o.transfers.len())
        .filter(|&i| o.transfers[i].start.is_some())
        .collect();
    order.sort_by_key(|&i| (o.transfers[i].start, i));
    let mut streams: Vec<Vec<usize>> = Vec::new();
    let mut free_at: Vec<SimTime> = Vec::new();
    for i in order {
        let t = &o.transfers[i];
        let (Some(start), end) = (t.start, t.end.unwrap_or(o.horizon)) else {
            continue;
        };
        match free_at.iter().position(|f| *f <= start) {
            Some(k) => {
                streams[k].push(i);
                free_at[k] = end;
            }
            None => {
                streams.push(vec![i]);
                free_at.push(end);
            }
        }
    }
    streams
}

/// The row label of member `k` (from 0) of a team, as in `--trace`.
pub fn member_label(team: &str, member: u32) -> String {
    format!("{team} #{}", member + 1)
}

/// Renders the run's tasks. The subtitle names the run's strategy and
/// seed; `command` is the command line that reproduces the run, written
/// under it (none if empty).
pub fn gantt(
    scenario: &Scenario,
    o: &Outcome,
    incidents: &[IncidentMark],
    command: &str,
) -> String {
    let axis = DateAxis::new(scenario);
    let strategy = &scenario.strategies[o.strategy.index()];
    // Teams: the strategy's, plus any that worked (there are none other today).
    let mut teams: Vec<usize> = strategy.teams.iter().map(|t| t.index()).collect();
    for t in &o.tasks {
        if !teams.contains(&t.team.index()) {
            teams.push(t.team.index());
        }
    }
    let mut rows = Vec::new();
    let mut left_out = 0usize;
    let streams = stream_rows(o);
    for &team in &teams {
        rows.push(Row::OnDuty { team });
        for member in 0..scenario.teams[team].roster.size() {
            if rows.len() >= MAX_ROWS {
                left_out += 1;
            } else {
                rows.push(Row::Member { team, member });
            }
        }
    }
    for k in 0..streams.len() {
        rows.push(Row::Stream { k });
    }
    // Time range: the first incident (or task) to the last task's end.
    let (t0, t1) = time_range(o);
    let (lo, hi) = (t0.as_millis() as f64, t1.as_millis() as f64);
    let frac = |t: SimTime| (t.as_millis() as f64 - lo) / (hi - lo).max(1.0);
    let markers = incident_markers(incidents, frac);
    let legend = legend_of(o);
    let label_w = teams
        .iter()
        .map(|&t| text_width(&format!("{} on duty", scenario.teams[t].id), FONT_PX))
        .fold(60.0f64, f64::max)
        + 16.0;
    let plot_h = (rows.len().max(1) as f64) * ROW_H;
    // Wide enough that many of 120 apps' names fit on their bars; the HTML
    // report scrolls it sideways rather than shrinking it.
    let width = (o.tasks.len() as f64 * 12.0).clamp(WIDTH, MAX_WIDTH);
    let lay = Layout::new(width, plot_h, Some(label_w), &markers, &legend).reproduced_by(command);
    let f = lay.frame;
    let mut svg = lay.start(
        "Who restored what, when",
        &format!(
            "one run: strategy {}, seed {}{}",
            strategy.id,
            o.seed,
            if left_out > 0 {
                format!("; {left_out} more member row(s) not shown")
            } else {
                String::new()
            }
        ),
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = axis
        .ticks(t0, t1, f.w)
        .into_iter()
        .map(|t| (f.x_of(t.at.as_millis() as f64, lo, hi), t.label, t.day))
        .collect();
    let scale = Scale { t0, t1, lo, hi, f };
    // Rows first (shading), then the axis' grid lines over them, then bars.
    let (row_of, stream_y) = draw_rows(&mut svg, scenario, o, &rows, streams.len(), &scale);
    lay.x_axis(&mut svg, &x_ticks, &axis.title(t0, t1));
    if o.tasks.is_empty() {
        no_data(&mut svg, &f, "no recovery task in this run");
    }
    draw_tasks(&mut svg, scenario, o, &row_of, &axis, &scale);
    // Data transfers from the backup system, one row per stream.
    draw_transfers(&mut svg, scenario, o, (&streams, &stream_y), &axis, &scale);
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.finish()
}

/// Where instants go across the plot: the time range shown, in
/// milliseconds too, and the plotting frame.
struct Scale {
    t0: SimTime,
    t1: SimTime,
    lo: f64,
    hi: f64,
    f: Frame,
}

impl Scale {
    /// The x of `t`, clamped to the range shown.
    fn x(&self, t: SimTime) -> f64 {
        self.f.x_of(
            t.as_millis()
                .clamp(self.t0.as_millis(), self.t1.as_millis()) as f64,
            self.lo,
            self.hi,
        )
    }
}

/// The time range shown: from the first incident (or task) to the last
/// task's end, with a fortieth of the span on each side.
fn time_range(o: &Outcome) -> (SimTime, SimTime) {
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
            (
                SimTime::from_millis(a.as_millis().saturating_sub(margin.as_millis())),
                b.saturating_add(margin).min(o.horizon),
            )
        }
        _ => (SimTime::ZERO, o.horizon),
    }
}

/// The legend: the methods used, off-shift time, abandoned tasks.
fn legend_of(o: &Outcome) -> Vec<LegendEntry> {
    let used: Vec<Method> = Method::ALL
        .iter()
        .copied()
        .filter(|m| o.tasks.iter().any(|t| t.method() == Some(*m)))
        .collect();
    let mut legend: Vec<LegendEntry> = used
        .iter()
        .map(|m| LegendEntry {
            swatch: Swatch::Fill(method_colour(*m), 1.0),
            label: m.name().to_string(),
        })
        .collect();
    legend.push(LegendEntry {
        swatch: Swatch::Fill(OFF_SHIFT, 1.0),
        label: "off shift (night, holiday)".into(),
    });
    if o.tasks.iter().any(|t| t.outcome == TaskEnd::Abandoned) {
        legend.push(LegendEntry {
            swatch: Swatch::Fill("#999999", 0.45),
            label: "abandoned: the host crashed again".into(),
        });
    }
    legend
}

/// The rows' shading and labels: each team's head count on duty, each
/// member's off-shift time, each backup stream. Returns where each
/// member's row and each stream's row are.
fn draw_rows(
    svg: &mut Svg,
    scenario: &Scenario,
    o: &Outcome,
    rows: &[Row],
    streams: usize,
    scale: &Scale,
) -> (BTreeMap<(usize, u32), f64>, Vec<f64>) {
    let (f, t0, t1) = (scale.f, scale.t0, scale.t1);
    let x = |t: SimTime| scale.x(t);
    let mut row_of = BTreeMap::new();
    let mut stream_y = vec![0.0; streams];
    svg.open(&[("class", "rows".into())]);
    for (r, row) in rows.iter().enumerate() {
        let y = f.y + r as f64 * ROW_H;
        match *row {
            Row::OnDuty { team } => {
                let t = &scenario.teams[team];
                let roster = o.roster(scenario, crate::model::TeamId(team as u32));
                let size = roster.size().max(1);
                svg.rect(f.x, y, f.w, ROW_H, "#fafafa");
                // The head count as a step area.
                let mut pts = vec![(x(t0), y + ROW_H)];
                let mut level = roster.available(t0);
                let mut at = t0;
                loop {
                    let h = y + ROW_H - 1.0 - f64::from(level) / f64::from(size) * (ROW_H - 3.0);
                    pts.push((x(at), h));
                    let next = roster.next_change(at).filter(|n| *n < t1);
                    let end = next.unwrap_or(t1);
                    pts.push((x(end), h));
                    match next {
                        Some(n) => {
                            at = n;
                            level = roster.available(n);
                        }
                        None => break,
                    }
                }
                pts.push((x(t1), y + ROW_H));
                svg.polygon(&pts, "#7f7f7f", 0.55);
                svg.text(
                    f.x - 6.0,
                    y + ROW_H - 5.0,
                    &format!("{} on duty", t.id),
                    Anchor::End,
                );
            }
            Row::Member { team, member } => {
                row_of.insert((team, member), y);
                let cal = o
                    .roster(scenario, crate::model::TeamId(team as u32))
                    .worker(member);
                // Off-shift time: the gaps between on-duty intervals.
                let mut cursor = t0;
                for &(s, e) in cal.intervals() {
                    if e <= t0 {
                        continue;
                    }
                    if s >= t1 {
                        break;
                    }
                    if s > cursor {
                        svg.rect(x(cursor), y, x(s) - x(cursor), ROW_H, OFF_SHIFT);
                    }
                    cursor = cursor.max(e);
                }
                if cursor < t1 {
                    svg.rect(x(cursor), y, x(t1) - x(cursor), ROW_H, OFF_SHIFT);
                }
                svg.line((f.x, y + ROW_H), (f.x + f.w, y + ROW_H), GRID_GREY, 0.5);
                svg.text(
                    f.x - 6.0,
                    y + ROW_H - 5.0,
                    &member_label(&scenario.teams[team].id, member),
                    Anchor::End,
                );
            }
            Row::Stream { k } => {
                stream_y[k] = y;
                svg.rect(f.x, y, f.w, ROW_H, "#fafafa");
                svg.line((f.x, y + ROW_H), (f.x + f.w, y + ROW_H), GRID_GREY, 0.5);
                svg.text(
                    f.x - 6.0,
                    y + ROW_H - 5.0,
                    &format!("backup stream {}", k + 1),
                    Anchor::End,
                );
            }
        }
    }
    svg.close();
    (row_of, stream_y)
}

/// Every task as a bar on its member's row: solid while on shift, a thin
/// line across shift gaps, with a tooltip and the app's name where it fits.
fn draw_tasks(
    svg: &mut Svg,
    scenario: &Scenario,
    o: &Outcome,
    row_of: &BTreeMap<(usize, u32), f64>,
    axis: &DateAxis,
    scale: &Scale,
) {
    let x = |t: SimTime| scale.x(t);
    svg.open(&[("class", "tasks".into())]);
    for task in &o.tasks {
        let Some(&y) = row_of.get(&(task.team.index(), task.member)) else {
            continue;
        };
        let end = task.end.unwrap_or(o.horizon);
        // Runbook go steps have no method: drawn in ink.
        let colour = task.method().map_or(super::INK, method_colour);
        let app = task.subject_name(scenario, o.strategy);
        let how = match task.outcome {
            TaskEnd::Done => String::new(),
            TaskEnd::Abandoned => " (abandoned: the host crashed again)".into(),
            TaskEnd::Unfinished => " (unfinished at the end of the run)".into(),
        };
        let tip = format!(
            "{app}: {} by {}, {} → {}, {} of work{how}",
            task.action_name(),
            member_label(&scenario.teams[task.team.index()].id, task.member),
            axis.format(task.start),
            axis.format(end),
            task.work
        );
        let opacity = if task.outcome == TaskEnd::Abandoned {
            0.45
        } else {
            1.0
        };
        svg.open(&[("class", "task".into())]);
        // The whole span, thin: visible across shift gaps.
        svg.line(
            (x(task.start), y + ROW_H / 2.0),
            (x(end), y + ROW_H / 2.0),
            colour,
            1.0,
        );
        // Solid pieces while the member is on shift.
        let cal = o.roster(scenario, task.team).worker(task.member);
        let mut pieces: Vec<(SimTime, SimTime)> = cal
            .intervals()
            .iter()
            .map(|&(s, e)| (s.max(task.start), e.min(end)))
            .filter(|(s, e)| s < e)
            .collect();
        if pieces.is_empty() {
            pieces.push((task.start, end));
        }
        for (s, e) in &pieces {
            let mut a = rect_attrs(
                x(*s),
                y + 2.0,
                (x(*e) - x(*s)).max(1.0),
                ROW_H - 4.0,
                colour,
            );
            a.push(("fill-opacity", format!("{opacity}")));
            if task.outcome != TaskEnd::Done {
                a.push(("stroke", INK.into()));
                a.push(("stroke-dasharray", "3 2".into()));
            }
            svg.with_tip("rect", &a, &tip);
        }
        // The app's name on the widest piece, only if it fits.
        if let Some((s, e)) = pieces
            .iter()
            .max_by(|a, b| (x(a.1) - x(a.0)).total_cmp(&(x(b.1) - x(b.0))))
        {
            let w = x(*e) - x(*s);
            if text_width(&app, FONT_PX - 2.0) + 4.0 <= w {
                svg.text_styled(
                    x(*s) + w / 2.0,
                    y + ROW_H - 5.5,
                    &app,
                    Anchor::Middle,
                    &[
                        ("font-size", num(FONT_PX - 2.0)),
                        ("fill", super::ink_on(colour, opacity).into()),
                    ],
                );
            }
        }
        svg.close();
    }
    svg.close();
}

/// Data transfers from the backup system, one row per stream.
fn draw_transfers(
    svg: &mut Svg,
    scenario: &Scenario,
    o: &Outcome,
    (streams, stream_y): (&[Vec<usize>], &[f64]),
    axis: &DateAxis,
    scale: &Scale,
) {
    let x = |t: SimTime| scale.x(t);
    svg.open(&[("class", "transfers".into())]);
    let colour = method_colour(Method::Restore);
    for (k, list) in streams.iter().enumerate() {
        let y = stream_y[k];
        for &i in list {
            let t = &o.transfers[i];
            let Some(start) = t.start else { continue };
            let end = t.end.unwrap_or(o.horizon);
            let app = &scenario.apps[t.app.index()].id;
            let tip = format!(
                "{app}: transfer of {} from backup, {} → {}{}",
                crate::units::ByteSize(t.bytes),
                axis.format(start),
                axis.format(end),
                if t.end.is_none() { " (unfinished)" } else { "" }
            );
            let w = (x(end) - x(start)).max(1.0);
            let mut a = rect_attrs(x(start), y + 2.0, w, ROW_H - 4.0, colour);
            a.push(("fill-opacity", "0.8".into()));
            svg.with_tip("rect", &a, &tip);
            if text_width(app, FONT_PX - 2.0) + 4.0 <= w {
                svg.text_styled(
                    x(start) + w / 2.0,
                    y + ROW_H - 5.5,
                    app,
                    Anchor::Middle,
                    &[
                        ("font-size", num(FONT_PX - 2.0)),
                        ("fill", super::ink_on(colour, 0.8).into()),
                    ],
                );
            }
        }
    }
    svg.close();
}
