//! Drawing the Gantt chart's rows, cuts and bars.

use super::labels::{self, Bar, family};
use super::marks::{CUT, ON_DUTY, WAVE};
use super::scale::TimeScale;
use super::{OFF_SHIFT, Plan, ROW_H, Row, member_label};
use crate::chart::axis::DateAxis;
use crate::chart::svg::{Anchor, FONT_PX, Svg, num, rect_attrs};
use crate::chart::{Canvas, Frame, GRID_GREY, INK, ink_on, method_colour};
use crate::metrics::{Outcome, TaskEnd, TaskRecord};
use crate::model::{Method, Scenario, TeamId};
use crate::sim::SimTime;

/// What the drawing needs: the run, its axis and scale, the plot.
pub struct Ctx<'a> {
    pub scenario: &'a Scenario,
    pub o: &'a Outcome,
    pub axis: &'a DateAxis,
    pub scale: &'a TimeScale,
    pub f: Frame,
    /// The time range shown.
    pub range: (SimTime, SimTime),
    /// The canvas it is laid out on.
    pub c: Canvas,
    /// The height of a row.
    pub row_h: f64,
}

impl Ctx<'_> {
    fn x(&self, t: SimTime) -> f64 {
        self.scale.x(t)
    }

    fn y(&self, row: usize) -> f64 {
        self.f.y + row as f64 * self.row_h
    }

    /// Where text `drop` above the bottom of a standard row goes in a row
    /// at `y`: as far from the row's middle as on a standard row.
    fn text_y(&self, y: f64, drop: f64) -> f64 {
        y + (self.row_h - ROW_H) / 2.0 + ROW_H - drop
    }
}

/// The solid pieces of a task: while its member was on shift (the whole
/// task if the calendar says nothing of it).
pub fn task_pieces(scenario: &Scenario, o: &Outcome, task: &TaskRecord) -> Vec<(SimTime, SimTime)> {
    let end = task.end.unwrap_or(o.horizon);
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
    pieces
}

/// A member's off-shift time within `(t0, t1)`.
fn off_shift(
    scenario: &Scenario,
    o: &Outcome,
    (team, member): (usize, u32),
    (t0, t1): (SimTime, SimTime),
) -> Vec<(SimTime, SimTime)> {
    let cal = o.roster(scenario, TeamId(team as u32)).worker(member);
    let mut out = Vec::new();
    let mut cursor = t0;
    for &(s, e) in cal.intervals() {
        if e <= t0 {
            continue;
        }
        if s >= t1 {
            break;
        }
        if s > cursor {
            out.push((cursor, s));
        }
        cursor = cursor.max(e);
    }
    if cursor < t1 {
        out.push((cursor, t1));
    }
    out
}

/// Whether any member row shown has off-shift time in the range.
pub fn any_off_shift(
    scenario: &Scenario,
    o: &Outcome,
    plan: &Plan,
    range: (SimTime, SimTime),
) -> bool {
    plan.rows.iter().any(|r| match *r {
        Row::Member { team, member } => !off_shift(scenario, o, (team, member), range).is_empty(),
        _ => false,
    })
}

/// A plain row's background and bottom line.
fn plain_row(svg: &mut Svg, ctx: &Ctx, y: f64) {
    let (f, row_h) = (ctx.f, ctx.row_h);
    svg.rect(f.x, y, f.w, row_h, "#fafafa");
    svg.line(
        (f.x, y + row_h),
        (f.x + f.w, y + row_h),
        GRID_GREY,
        ctx.c.line(0.5),
    );
}

/// The rows' shading and labels: the waves' lanes, each team's head count
/// on duty, each member's off-shift time, the automation lanes, each
/// backup stream.
pub fn rows(svg: &mut Svg, ctx: &Ctx, plan: &Plan, labels: &[String]) {
    let (f, (t0, t1)) = (ctx.f, ctx.range);
    let x = |t: SimTime| ctx.x(t);
    let row_h = ctx.row_h;
    svg.open(&[("class", "rows".into())]);
    for (r, row) in plan.rows.iter().enumerate() {
        let y = ctx.y(r);
        match *row {
            Row::OnDuty { team } => {
                let roster = ctx.o.roster(ctx.scenario, TeamId(team as u32));
                let size = roster.size().max(1);
                svg.rect(f.x, y, f.w, row_h, "#fafafa");
                // The head count as a step area.
                let mut pts = vec![(x(t0), y + row_h)];
                let mut level = roster.available(t0);
                let mut at = t0;
                loop {
                    let h = y + row_h - 1.0 - f64::from(level) / f64::from(size) * (row_h - 3.0);
                    pts.push((x(at), h));
                    let next = roster.next_change(at).filter(|n| *n < t1);
                    pts.push((x(next.unwrap_or(t1)), h));
                    match next {
                        Some(n) => {
                            at = n;
                            level = roster.available(n);
                        }
                        None => break,
                    }
                }
                pts.push((x(t1), y + row_h));
                svg.polygon(&pts, ON_DUTY, 0.55);
            }
            Row::Member { team, member } => {
                for (s, e) in off_shift(ctx.scenario, ctx.o, (team, member), (t0, t1)) {
                    svg.rect(x(s), y, x(e) - x(s), row_h, OFF_SHIFT);
                }
                svg.line(
                    (f.x, y + row_h),
                    (f.x + f.w, y + row_h),
                    GRID_GREY,
                    ctx.c.line(0.5),
                );
            }
            Row::Waves { .. } | Row::Automation { .. } | Row::Stream { .. } => {
                plain_row(svg, ctx, y)
            }
        }
        svg.text(
            f.x - ctx.c.len(6.0),
            ctx.text_y(y, 5.0),
            &labels[r],
            Anchor::End,
        );
    }
    svg.close();
}

/// The idle stretches cut out: a pale band across the rows with a break
/// mark (two slanted lines) on the axis at the top and bottom.
pub fn cuts(svg: &mut Svg, ctx: &Ctx, cuts: &[(SimTime, SimTime)]) {
    if cuts.is_empty() {
        return;
    }
    let f = ctx.f;
    svg.open(&[("class", "cuts".into())]);
    for &(a, b) in cuts {
        let (xa, xb) = (ctx.x(a), ctx.x(b));
        let mut r = rect_attrs(xa, f.y, xb - xa, f.h, CUT.0);
        r.push(("stroke", "none".into()));
        let tip = format!(
            "{} → {}: {} with nothing happening, cut out",
            ctx.axis.format(a),
            ctx.axis.format(b),
            b.saturating_since(a)
        );
        svg.with_tip("rect", &r, &tip);
        let m = (xa + xb) / 2.0;
        for y in [f.y, f.bottom()] {
            svg.line((m - 6.0, y + 5.0), (m - 2.0, y - 5.0), INK, ctx.c.line(1.0));
            svg.line((m + 2.0, y + 5.0), (m + 6.0, y - 5.0), INK, ctx.c.line(1.0));
        }
    }
    svg.close();
}

/// What a bar is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Wave,
    Task,
    Automation,
    Transfer,
}

/// A bar to draw.
pub struct Drawn {
    pub kind: Kind,
    pub bar: Bar,
    pub colour: &'static str,
    pub opacity: f64,
    /// Outlined with a dash: abandoned or unfinished.
    pub outlined: bool,
    pub tip: String,
}

/// The key bars group by: the kind of work, and the app's group or the
/// name's family.
fn key_of(scenario: &Scenario, app: Option<usize>, action: &str, name: &str) -> (String, String) {
    let fam = app
        .and_then(|a| scenario.apps[a].group.clone())
        .unwrap_or_else(|| family(name));
    (format!("{action}\u{1f}{fam}"), fam)
}

/// Every bar of the chart, with its place.
pub fn bars(ctx: &Ctx, plan: &Plan) -> Vec<Drawn> {
    let (sc, o) = (ctx.scenario, ctx.o);
    let (members, first) = plan.row_of();
    let px = |s: &[(SimTime, SimTime)]| s.iter().map(|&(a, b)| (ctx.x(a), ctx.x(b))).collect();
    let mut out = Vec::new();
    for (lane, list) in plan.wave_lanes.iter().enumerate() {
        for &w in list {
            let wave = &plan.waves[w];
            let span = [(wave.start, wave.end)];
            out.push(Drawn {
                kind: Kind::Wave,
                bar: Bar {
                    row: first[0] + lane,
                    pieces: px(&span),
                    extent: (ctx.x(wave.start), ctx.x(wave.end)),
                    name: wave.name.clone(),
                    key: format!("wave {w}"),
                    family: wave.name.clone(),
                },
                colour: WAVE,
                opacity: 1.0,
                outlined: false,
                tip: format!(
                    "wave {}: {} down, {} → {}",
                    wave.name,
                    crate::units::counted(wave.apps, "app", "apps"),
                    ctx.axis.format(wave.start),
                    ctx.axis.format(wave.end)
                ),
            });
        }
    }
    for task in &o.tasks {
        let Some(&row) = members.get(&(task.team.index(), task.member)) else {
            continue;
        };
        let end = task.end.unwrap_or(o.horizon);
        let app = task.subject_name(sc, o.strategy);
        let how = match task.outcome {
            TaskEnd::Done => String::new(),
            TaskEnd::Abandoned => " (abandoned: the host crashed again)".into(),
            TaskEnd::Unfinished => " (unfinished at the end of the run)".into(),
        };
        let (key, fam) = key_of(sc, task.app().map(|a| a.index()), task.action_name(), &app);
        out.push(Drawn {
            kind: Kind::Task,
            tip: format!(
                "{app}: {} by {}, {} → {}, {} of work{how}",
                task.action_name(),
                member_label(&sc.teams[task.team.index()].id, task.member),
                ctx.axis.format(task.start),
                ctx.axis.format(end),
                task.work
            ),
            bar: Bar {
                row,
                pieces: px(&task_pieces(sc, o, task)),
                extent: (ctx.x(task.start), ctx.x(end)),
                name: app,
                key,
                family: fam,
            },
            // Runbook go steps have no method: drawn in ink.
            colour: task.method().map_or(INK, method_colour),
            opacity: if task.outcome == TaskEnd::Abandoned {
                0.45
            } else {
                1.0
            },
            outlined: task.outcome != TaskEnd::Done,
        });
    }
    for (lane, list) in plan.auto_lanes.iter().enumerate() {
        for &i in list {
            let a = &plan.automated[i];
            let name = sc.apps[a.app].id.clone();
            let (key, fam) = key_of(sc, Some(a.app), a.method.name(), &name);
            out.push(Drawn {
                kind: Kind::Automation,
                tip: format!(
                    "{name}: {} (automated), started {}, back {}",
                    a.method.name(),
                    ctx.axis.format(a.start),
                    ctx.axis.format(a.end)
                ),
                bar: Bar {
                    row: first[1] + lane,
                    pieces: px(&[(a.start, a.end)]),
                    extent: (ctx.x(a.start), ctx.x(a.end)),
                    name,
                    key,
                    family: fam,
                },
                colour: method_colour(a.method),
                opacity: 1.0,
                outlined: false,
            });
        }
    }
    for (k, list) in plan.streams.iter().enumerate() {
        for &i in list {
            let t = &o.transfers[i];
            let Some(start) = t.start else { continue };
            let end = t.end.unwrap_or(o.horizon);
            let name = sc.apps[t.app.index()].id.clone();
            let (key, fam) = key_of(sc, Some(t.app.index()), "transfer", &name);
            out.push(Drawn {
                kind: Kind::Transfer,
                tip: format!(
                    "{name}: transfer of {} from backup, {} → {}{}",
                    crate::units::ByteSize(t.bytes),
                    ctx.axis.format(start),
                    ctx.axis.format(end),
                    if t.end.is_none() { " (unfinished)" } else { "" }
                ),
                bar: Bar {
                    row: first[2] + k,
                    pieces: px(&[(start, end)]),
                    extent: (ctx.x(start), ctx.x(end)),
                    name,
                    key,
                    family: fam,
                },
                colour: method_colour(Method::Restore),
                opacity: 0.8,
                outlined: false,
            });
        }
    }
    out
}

/// Every bar, by kind, with the labels that go on them; then the labels
/// placed beside bars or over groups of them.
pub fn all(svg: &mut Svg, ctx: &Ctx, drawn: &[Drawn]) {
    let size = ctx.c.px(FONT_PX - 2.0);
    let bars: Vec<Bar> = drawn.iter().map(|d| d.bar.clone()).collect();
    let (inside, placed) = labels::place(&bars, size, (ctx.f.x, ctx.f.x + ctx.f.w));
    for (kind, class) in [
        (Kind::Wave, "waves"),
        (Kind::Task, "tasks"),
        (Kind::Automation, "automation"),
        (Kind::Transfer, "transfers"),
    ] {
        if !drawn.iter().any(|d| d.kind == kind) {
            continue;
        }
        svg.open(&[("class", class.into())]);
        for (d, at) in drawn.iter().zip(&inside).filter(|(d, _)| d.kind == kind) {
            bar(svg, ctx, d, *at, size);
        }
        svg.close();
    }
    if placed.is_empty() {
        return;
    }
    svg.open(&[("class", "bar-labels".into())]);
    for p in placed {
        svg.text_styled(
            p.x,
            ctx.text_y(ctx.y(p.row), 5.5),
            &p.text,
            Anchor::Start,
            &[
                ("font-size", num(size)),
                ("fill", INK.into()),
                ("stroke", "#ffffff".into()),
                ("stroke-width", num(ctx.c.line(3.0))),
                ("paint-order", "stroke".into()),
            ],
        );
    }
    svg.close();
}

/// One bar: a thin line across its whole extent when it pauses, its solid
/// pieces with the tooltip, and its label centred at `label_at` if any.
fn bar(svg: &mut Svg, ctx: &Ctx, d: &Drawn, label_at: Option<f64>, size: f64) {
    let y = ctx.y(d.bar.row);
    if d.kind == Kind::Task {
        svg.open(&[("class", "task".into())]);
    }
    if d.bar.pieces.len() > 1 {
        svg.line(
            (d.bar.extent.0, y + ctx.row_h / 2.0),
            (d.bar.extent.1, y + ctx.row_h / 2.0),
            d.colour,
            ctx.c.line(1.0),
        );
    }
    let inset = if d.kind == Kind::Wave { 1.0 } else { 2.0 };
    for &(a, b) in &d.bar.pieces {
        let mut attrs = rect_attrs(
            a,
            y + inset,
            (b - a).max(1.0),
            ctx.row_h - 2.0 * inset,
            d.colour,
        );
        attrs.push(("fill-opacity", format!("{}", d.opacity)));
        if d.outlined {
            attrs.push(("stroke", INK.into()));
            attrs.push(("stroke-dasharray", "3 2".into()));
        }
        svg.with_tip("rect", &attrs, &d.tip);
    }
    if let Some(c) = label_at {
        svg.text_styled(
            c,
            ctx.text_y(y, 5.5),
            &d.bar.name,
            Anchor::Middle,
            &[
                ("font-size", num(size)),
                ("fill", ink_on(d.colour, d.opacity).into()),
            ],
        );
    }
    if d.kind == Kind::Task {
        svg.close();
    }
}
