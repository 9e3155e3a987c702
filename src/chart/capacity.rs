//! DR capacity in use over one run: the share of the DR site's memory
//! (filled) and virtual CPUs (dashed) taken by the VMs placed there, the
//! capacity line at 100 %, the incidents, and shaded where the site was
//! full: an app down that needs it has a VM no DR host has room for.
//!
//! Derived from the run's record of VM moves (`Outcome::moves`), its
//! tasks and its faults, from the initial placement, as the engine
//! accounts for room (`src/recovery/placement.rs`):
//! - a VM's room at the DR site is taken when its app's restore or
//!   reinstall task *starts* (the engine reserves the first-fit hosts as
//!   it hands the job to a team member), not when the VM starts running
//!   there; its old host gives the room back when it moves. A failover
//!   is automated and leaves no task in the outcome: its room counts
//!   from the move (a failover lasts minutes).
//! - the capacity is that of the DR hosts *up*: a DR host crashed by a
//!   fault counts neither in the capacity nor in the use while it is
//!   down. The outcome gives each host's crash instants and its total
//!   downtime; each outage is taken to last until the host's next crash
//!   or until the downtime is used up, which is exact for a host that
//!   crashed once, or stayed down between its crashes.
//! - "full for X" counts up to the end of the horizon when the site is
//!   still full at the run's last event.
//!
//! Over many runs (one line and band per strategy), see [`runs`].

pub mod runs;

use super::axis::{DateAxis, ticks_dividing};
use super::svg::{Anchor, num};
use super::{Canvas, INK, Layout, LegendEntry, Page, Swatch, WIDTH, incident_markers, no_data};
use crate::metrics::{Outcome, TaskSubject};
use crate::model::{HostId, Method, Scenario, SiteRole};
use crate::montecarlo::IncidentMark;
use crate::sim::{SimDuration, SimTime};

/// The colour of the memory in use.
pub const MEMORY: &str = "#0072B2";
/// The colour of the virtual CPUs in use.
pub const VCPUS: &str = "#E69F00";
/// The shading where the site was full.
pub const FULL: &str = "#D55E00";
const PLOT_H: f64 = 240.0;

/// The DR site's use at one instant, from then until the next step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// From when.
    pub at: SimTime,
    /// Memory in use, in % of the memory of the DR hosts up (100 % when
    /// none is up).
    pub memory_pct: f64,
    /// Virtual CPUs in use, in % of those of the DR hosts up.
    pub vcpu_pct: f64,
    /// Whether no VM of the apps that went down would fit any more.
    pub full: bool,
}

/// What changes the DR site's use at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    /// A host goes down (crashed).
    HostDown(HostId),
    /// A host is back up.
    HostUp(HostId),
    /// A VM's room is reserved on a host (its recovery task starts).
    Reserve(crate::model::VmId, HostId),
    /// A VM moves to a host (its recovery is done).
    Move(crate::model::VmId, HostId),
    /// Nothing moves, but an app went down or came back: is the site full?
    Look,
}

/// Whether host `h` is at the DR site.
fn at_dr(scenario: &Scenario, h: HostId) -> bool {
    scenario.sites[scenario.hosts[h.index()].site.index()].role == SiteRole::Dr
}

/// Each DR host's outages, from the faults that crashed it and its total
/// downtime: an outage lasts until the next crash or until the downtime
/// is used up, the last one for the rest (see the module doc).
fn dr_host_outages(scenario: &Scenario, o: &Outcome) -> Vec<(SimTime, HostId, bool)> {
    let mut changes = Vec::new();
    for (h, out) in o.hosts.iter().enumerate() {
        let host = HostId(h as u32);
        if !at_dr(scenario, host) || out.downtime == SimDuration::ZERO {
            continue;
        }
        let mut crashes: Vec<SimTime> = o
            .faults
            .iter()
            .filter(|f| f.hosts.contains(&host))
            .map(|f| f.at)
            .collect();
        crashes.sort_unstable();
        crashes.dedup();
        let mut left = out.downtime;
        for (k, &at) in crashes.iter().enumerate() {
            if left == SimDuration::ZERO {
                break;
            }
            let until_next = crashes
                .get(k + 1)
                .map_or(left, |next| next.saturating_since(at).min(left));
            let last = k + 1 == crashes.len();
            let length = if last { left } else { until_next };
            left = left.saturating_sub(length);
            changes.push((at, host, false));
            let up = at.saturating_add(length);
            if up < o.horizon {
                changes.push((up, host, true));
            }
        }
    }
    changes
}

/// When each move's room was taken at its new host: the start of the
/// latest restore or reinstall task of the VM's app that started after
/// the VM's previous move and not after this one; else the start of the
/// app's last automated recovery (a failover, which reserves its room when
/// it starts) when that falls in the same window; else the move itself.
fn reservations(scenario: &Scenario, o: &Outcome) -> Vec<SimTime> {
    let mut previous: Vec<SimTime> = vec![SimTime::ZERO; scenario.vms.len()];
    let mut moved = vec![false; scenario.vms.len()];
    o.moves
        .iter()
        .map(|m| {
            let app = scenario.vms[m.vm.index()].app;
            let after = previous[m.vm.index()];
            let first = !moved[m.vm.index()];
            let start = o
                .tasks
                .iter()
                .filter(|t| {
                    matches!(t.subject, TaskSubject::App(a, Method::Restore | Method::Reinstall) if a == app)
                        && t.start <= m.at
                        && (first || t.start > after)
                })
                .map(|t| t.start)
                .max()
                .or_else(|| {
                    o.apps[app.index()]
                        .automated_start
                        .filter(|&s| s <= m.at && (first || s > after))
                })
                .unwrap_or(m.at);
            previous[m.vm.index()] = m.at;
            moved[m.vm.index()] = true;
            start
        })
        .collect()
}

/// The DR site's use over the run, a step per change; `None` when the
/// scenario has no DR host.
pub fn dr_use(scenario: &Scenario, o: &Outcome) -> Option<Vec<Step>> {
    if !(0..scenario.hosts.len()).any(|h| at_dr(scenario, HostId(h as u32))) {
        return None;
    }
    // The apps that may need the DR site: those that went down and were
    // last recovered there, or wait for its room at the end.
    let needs_dr: Vec<usize> = (0..scenario.apps.len())
        .filter(|&a| {
            let h = &o.apps[a];
            !h.outages.is_empty()
                && (h.waiting == Some(crate::metrics::Waiting::DrCapacity)
                    || h.method.is_some_and(Method::at_dr))
        })
        .collect();
    let mut changes: Vec<(SimTime, Change)> = Vec::new();
    for (m, start) in o.moves.iter().zip(reservations(scenario, o)) {
        if at_dr(scenario, m.to) {
            changes.push((start, Change::Reserve(m.vm, m.to)));
        }
        changes.push((m.at, Change::Move(m.vm, m.to)));
    }
    for (at, h, up) in dr_host_outages(scenario, o) {
        changes.push((
            at,
            if up {
                Change::HostUp(h)
            } else {
                Change::HostDown(h)
            },
        ));
    }
    for &a in &needs_dr {
        for out in &o.apps[a].outages {
            changes.push((out.down_at, Change::Look));
            if let Some(up) = out.up_at {
                changes.push((up, Change::Look));
            }
        }
    }
    // Stable: at one instant, reservations before moves, as recorded.
    changes.sort_by_key(|(at, c)| (*at, matches!(c, Change::Move(..))));
    let mut host: Vec<HostId> = scenario.vms.iter().map(|v| v.host).collect();
    // Where a VM's room is reserved before it moves there.
    let mut reserved: Vec<Option<HostId>> = vec![None; scenario.vms.len()];
    let mut up = vec![true; scenario.hosts.len()];
    let use_now = |host: &[HostId], reserved: &[Option<HostId>], up: &[bool], at: SimTime| {
        // Room taken per host: by the VMs on it and those reserved there.
        let mut taken = vec![(0u64, 0u64); scenario.hosts.len()];
        for (v, vm) in scenario.vms.iter().enumerate() {
            let need = (vm.memory_bytes, u64::from(vm.cores));
            let t = &mut taken[host[v].index()];
            *t = (t.0 + need.0, t.1 + need.1);
            if let Some(r) = reserved[v] {
                let t = &mut taken[r.index()];
                *t = (t.0 + need.0, t.1 + need.1);
            }
        }
        let (mut mem, mut cpu, mut mem_cap, mut cpu_cap) = (0u64, 0u64, 0u64, 0u64);
        for (h, spec) in scenario.hosts.iter().enumerate() {
            if at_dr(scenario, HostId(h as u32)) && up[h] {
                mem += taken[h].0;
                cpu += taken[h].1;
                mem_cap += spec.memory_bytes;
                cpu_cap += spec.vcpus;
            }
        }
        let share = |used: u64, cap: u64| {
            if cap == 0 {
                100.0
            } else {
                100.0 * used as f64 / cap as f64
            }
        };
        // Full: an app down now that needs the DR site has a VM, neither
        // there nor reserved there, that no DR host up has room for.
        let full = needs_dr.iter().any(|&a| {
            !o.apps[a].is_up_at(at)
                && scenario.apps[a].vms.iter().any(|&v| {
                    let vm = &scenario.vms[v.index()];
                    !at_dr(scenario, host[v.index()])
                        && reserved[v.index()].is_none()
                        && !scenario.hosts.iter().enumerate().any(|(h, spec)| {
                            at_dr(scenario, HostId(h as u32))
                                && up[h]
                                && spec.memory_bytes.saturating_sub(taken[h].0) >= vm.memory_bytes
                                && spec.vcpus.saturating_sub(taken[h].1) >= u64::from(vm.cores)
                        })
                })
        });
        Step {
            at,
            memory_pct: share(mem, mem_cap),
            vcpu_pct: share(cpu, cpu_cap),
            full,
        }
    };
    let mut steps = vec![use_now(&host, &reserved, &up, SimTime::ZERO)];
    let mut i = 0;
    while i < changes.len() {
        let at = changes[i].0;
        // Every change of the same instant at once: one step, not several.
        while i < changes.len() && changes[i].0 == at {
            match changes[i].1 {
                Change::HostDown(h) => up[h.index()] = false,
                Change::HostUp(h) => up[h.index()] = true,
                Change::Reserve(v, h) => reserved[v.index()] = Some(h),
                Change::Move(v, h) => {
                    host[v.index()] = h;
                    reserved[v.index()] = None;
                }
                Change::Look => {}
            }
            i += 1;
        }
        let step = use_now(&host, &reserved, &up, at);
        if let Some(last) = steps.last_mut().filter(|l| l.at == at) {
            *last = step;
        } else if steps.last().is_none_or(|l| {
            (l.memory_pct, l.vcpu_pct, l.full) != (step.memory_pct, step.vcpu_pct, step.full)
        }) {
            steps.push(step);
        }
    }
    Some(steps)
}

/// The share axis up to `peak` %: its top (100 % unless the peak is
/// above) and its ticks, which divide it evenly.
fn share_scale(peak: f64, c: &Canvas) -> (f64, Vec<(f64, String)>) {
    let y_hi = if peak <= 100.0 {
        100.0
    } else {
        super::axis::nice_range(0.0, peak, c.range_ticks(6)).1
    };
    let ticks = ticks_dividing(y_hi, c.ticks(6), true)
        .unwrap_or_else(|| super::axis::nice_range(0.0, y_hi, c.range_ticks(6)).2)
        .into_iter()
        .map(|v| (v, format!("{} %", super::axis::number_label(v))))
        .collect();
    (y_hi, ticks)
}

/// The date axis of `lay` from `t0` to `t1`.
fn date_x_axis(
    lay: &Layout,
    svg: &mut super::svg::Svg,
    axis: &DateAxis,
    (t0, t1): (SimTime, SimTime),
) {
    let (f, lo, hi) = (lay.frame, t0.as_millis() as f64, t1.as_millis() as f64);
    let ticks: Vec<(f64, String, Option<String>)> = axis
        .ticks_on(&lay.canvas, t0, t1, f.w)
        .into_iter()
        .map(|t| (f.x_of(t.at.as_millis() as f64, lo, hi), t.label, t.day))
        .collect();
    lay.x_axis(svg, &ticks, &axis.title(t0, t1));
}

/// The capacity line at `y` across the plot `f`, labelled at its right.
fn capacity_line(svg: &mut super::svg::Svg, c: &Canvas, f: &super::Frame, y: f64) {
    svg.open(&[("class", "capacity".into())]);
    svg.line((f.x, y), (f.x + f.w, y), INK, c.line(1.5));
    svg.text_styled(
        f.x + f.w - c.len(4.0),
        y - c.len(4.0),
        "capacity",
        Anchor::End,
        &[("font-size", num(c.px(11.0)))],
    );
    svg.close();
}

/// The time range shown: the first incident (or move) to the last move or
/// app back, with a fortieth of the span on each side.
fn time_range(o: &Outcome) -> (SimTime, SimTime) {
    let first = o
        .incidents
        .iter()
        .map(|i| i.at)
        .chain(o.moves.iter().map(|m| m.at))
        .min();
    let last = o
        .moves
        .iter()
        .map(|m| m.at)
        .chain(o.apps.iter().filter_map(|a| a.final_up()))
        .max();
    match (first, last) {
        (Some(a), Some(b)) if b > a => {
            let margin = (b.as_millis() - a.as_millis()) / 40;
            (
                SimTime::from_millis(a.as_millis().saturating_sub(margin)),
                SimTime::from_millis(b.as_millis().saturating_add(margin)).min(o.horizon),
            )
        }
        _ => (SimTime::ZERO, o.horizon),
    }
}

/// The chart's finding: the peak, and whether and how long the site was
/// full.
pub fn finding(scenario: &Scenario, o: &Outcome, steps: &[Step]) -> String {
    let axis = DateAxis::new(scenario);
    let peak = steps
        .iter()
        .max_by(|a, b| a.memory_pct.total_cmp(&b.memory_pct).then(b.at.cmp(&a.at)));
    let Some(peak) = peak else {
        return String::new();
    };
    let mut full = SimDuration::ZERO;
    let mut first_full = None;
    for (i, s) in steps.iter().enumerate() {
        if s.full {
            let end = steps.get(i + 1).map_or(o.horizon.max(s.at), |n| n.at);
            full = full.saturating_add(end.saturating_since(s.at));
            first_full.get_or_insert(s.at);
        }
    }
    let waiting = o
        .apps
        .iter()
        .filter(|a| a.waiting == Some(crate::metrics::Waiting::DrCapacity))
        .count();
    let mut text = format!(
        "The DR site's use peaked at {:.0} % of its memory ({:.0} % of its virtual CPUs) on {}",
        peak.memory_pct,
        peak.vcpu_pct,
        axis.format(peak.at)
    );
    match first_full {
        Some(t) => text.push_str(&format!(
            "; it was full from {} ({} in all)",
            axis.format(t),
            full
        )),
        None => text.push_str("; it never ran out of room"),
    }
    if waiting > 0 {
        text.push_str(&format!(
            ", and {waiting} app(s) were still waiting for room at the end"
        ));
    }
    text.push('.');
    text
}

/// Renders the DR site's use over the run `o` on `page`, whose command
/// reproduces the run (none if empty). `None` when the scenario has no DR
/// site.
pub fn dr_capacity<'a>(
    scenario: &Scenario,
    o: &Outcome,
    incidents: &[IncidentMark],
    page: impl Into<Page<'a>>,
) -> Option<String> {
    let page = page.into();
    let cv = page.canvas;
    let steps = dr_use(scenario, o)?;
    let axis = DateAxis::new(scenario);
    let (t0, t1) = time_range(o);
    let (lo, hi) = (t0.as_millis() as f64, t1.as_millis() as f64);
    let frac = |t: SimTime| (t.as_millis() as f64 - lo) / (hi - lo).max(1.0);
    let markers = incident_markers(incidents, frac);
    let any_full = steps.iter().any(|s| s.full);
    let mut legend = vec![
        LegendEntry {
            swatch: Swatch::Fill(MEMORY, 0.35),
            label: "memory in use".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(VCPUS, "6 3"),
            label: "virtual CPUs in use".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "capacity".into(),
        },
    ];
    if any_full {
        legend.push(LegendEntry {
            swatch: Swatch::Fill(FULL, 0.18),
            label: "full: an app down does not fit".into(),
        });
    }
    let lay = page.layout(WIDTH, PLOT_H, None, &markers, &legend);
    let f = lay.frame;
    let strategy = &scenario.strategies[o.strategy.index()];
    let mut svg = lay.start(
        "DR capacity in use",
        &format!(
            "one run: strategy {}, seed {}; share of the DR site's room taken by the VMs placed there",
            strategy.id, o.seed
        ),
    );
    let peak = steps
        .iter()
        .map(|s| s.memory_pct.max(s.vcpu_pct))
        .fold(100.0f64, f64::max);
    let (y_hi, y_ticks) = share_scale(peak, &cv);
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_hi, "share of the DR site in use");
    date_x_axis(&lay, &mut svg, &axis, (t0, t1));
    let x = |t: SimTime| {
        f.x_of(
            t.as_millis().clamp(t0.as_millis(), t1.as_millis()) as f64,
            lo,
            hi,
        )
    };
    let y = |v: f64| f.y_of(v, 0.0, y_hi);
    // Where each step is in force within the range shown.
    let spans: Vec<(SimTime, SimTime, &Step)> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.at, steps.get(i + 1).map_or(t1, |n| n.at), s))
        .filter(|(a, b, _)| *b > t0 && *a < t1)
        .collect();
    svg.open(&[("class", "full".into())]);
    for (a, b, s) in &spans {
        if s.full {
            let mut attrs = super::svg::rect_attrs(x(*a), f.y, x(*b) - x(*a), f.h, FULL);
            attrs.push(("fill-opacity", "0.18".into()));
            svg.with_tip(
                "rect",
                &attrs,
                &format!(
                    "full from {} to {}",
                    axis.format((*a).max(t0)),
                    axis.format(*b)
                ),
            );
        }
    }
    svg.close();
    let step_points = |value: &dyn Fn(&Step) -> f64| {
        let mut pts = Vec::new();
        for (a, b, s) in &spans {
            pts.push((x((*a).max(t0)), y(value(s))));
            pts.push((x(*b), y(value(s))));
        }
        pts
    };
    // The steps as data, for readers and tests that parse the chart.
    let clock = super::clock::Clock::new(scenario);
    let data =
        |value: &dyn Fn(&Step) -> String| steps.iter().map(value).collect::<Vec<_>>().join(" ");
    svg.open(&[
        ("class", "memory".into()),
        ("data-at", data(&|s| clock.rfc3339(s.at))),
        ("data-memory", data(&|s| format!("{:.3}", s.memory_pct))),
        ("data-full", data(&|s| u8::from(s.full).to_string())),
    ]);
    let mem = step_points(&|s| s.memory_pct);
    if let (Some(first), Some(last)) = (mem.first().copied(), mem.last().copied()) {
        let mut area = vec![(first.0, f.bottom())];
        area.extend(mem.iter().copied());
        area.push((last.0, f.bottom()));
        svg.polygon(&area, MEMORY, 0.35);
        svg.polyline(&mem, MEMORY, cv.line(1.5), "");
    }
    svg.close();
    svg.open(&[("class", "vcpus".into())]);
    svg.polyline(&step_points(&|s| s.vcpu_pct), VCPUS, cv.line(1.8), "6 3");
    svg.close();
    capacity_line(&mut svg, &cv, &f, y(100.0));
    if spans.is_empty() {
        no_data(&mut svg, &f, "nothing at the DR site in this run");
    }
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.describe(&finding(scenario, o, &steps));
    Some(svg.finish())
}
