//! DR capacity in use over one run: the share of the DR site's memory
//! (filled) and virtual CPUs (dashed) taken by the VMs placed there, the
//! capacity line at 100 %, the incidents, and shaded where the site was
//! full: an app down that needs it has a VM no DR host has room for.
//!
//! Derived from the run's record of VM moves (`Outcome::moves`) from the
//! initial placement: a VM holds its room from the instant it starts
//! running at the DR site. Room reserved by a task still in progress is
//! not counted, and a DR host that crashed still counts in the capacity.

use super::axis::{DateAxis, ticks_dividing};
use super::svg::{Anchor, num};
use super::{INK, Layout, LegendEntry, Swatch, WIDTH, incident_markers, no_data};
use crate::metrics::Outcome;
use crate::model::{Scenario, SiteRole};
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
    /// Memory in use, in % of the site's.
    pub memory_pct: f64,
    /// Virtual CPUs in use, in % of the site's.
    pub vcpu_pct: f64,
    /// Whether no VM of the apps that went down would fit any more.
    pub full: bool,
}

/// The DR site's use over the run, a step per change; `None` when the
/// scenario has no DR host.
pub fn dr_use(scenario: &Scenario, o: &Outcome) -> Option<Vec<Step>> {
    let at_dr = |h: crate::model::HostId| {
        scenario.sites[scenario.hosts[h.index()].site.index()].role == SiteRole::Dr
    };
    let dr_hosts: Vec<&crate::model::Host> = scenario
        .hosts
        .iter()
        .enumerate()
        .filter(|(h, _)| at_dr(crate::model::HostId(*h as u32)))
        .map(|(_, h)| h)
        .collect();
    if dr_hosts.is_empty() {
        return None;
    }
    let memory_cap = dr_hosts.iter().map(|h| h.memory_bytes).sum::<u64>().max(1) as f64;
    let vcpu_cap = dr_hosts.iter().map(|h| h.vcpus).sum::<u64>().max(1) as f64;
    // The apps that may need the DR site: those that went down and were
    // last recovered there, or wait for its room at the end.
    let needs_dr: Vec<usize> = (0..scenario.apps.len())
        .filter(|&a| {
            let h = &o.apps[a];
            !h.outages.is_empty()
                && (h.waiting == Some(crate::metrics::Waiting::DrCapacity)
                    || h.method.is_some_and(|m| {
                        matches!(
                            m,
                            crate::model::Method::Restore
                                | crate::model::Method::Reinstall
                                | crate::model::Method::Failover
                        )
                    }))
        })
        .collect();
    let mut host: Vec<crate::model::HostId> = scenario.vms.iter().map(|v| v.host).collect();
    let mut moves: Vec<(SimTime, usize)> = o.moves.iter().map(|m| m.at).zip(0..).collect();
    moves.sort();
    let use_now = |host: &[crate::model::HostId], at: SimTime| {
        let (mut mem, mut cpu) = (0u64, 0u64);
        // Free room per host, for the first-fit question.
        let mut free: Vec<(u64, u64)> = scenario
            .hosts
            .iter()
            .map(|h| (h.memory_bytes, h.vcpus))
            .collect();
        for (v, vm) in scenario.vms.iter().enumerate() {
            let f = &mut free[host[v].index()];
            f.0 = f.0.saturating_sub(vm.memory_bytes);
            f.1 = f.1.saturating_sub(u64::from(vm.cores));
            if at_dr(host[v]) {
                mem += vm.memory_bytes;
                cpu += u64::from(vm.cores);
            }
        }
        // Full: an app down now that needs the DR site has a VM that no
        // DR host has room for.
        let full = needs_dr.iter().any(|&a| {
            !o.apps[a].is_up_at(at)
                && scenario.apps[a].vms.iter().any(|&v| {
                    let vm = &scenario.vms[v.index()];
                    !at_dr(host[v.index()])
                        && !free.iter().enumerate().any(|(h, &(m, c))| {
                            at_dr(crate::model::HostId(h as u32))
                                && m >= vm.memory_bytes
                                && c >= u64::from(vm.cores)
                        })
                })
        });
        Step {
            at,
            memory_pct: 100.0 * mem as f64 / memory_cap,
            vcpu_pct: 100.0 * cpu as f64 / vcpu_cap,
            full,
        }
    };
    let mut steps = vec![use_now(&host, SimTime::ZERO)];
    let mut i = 0;
    while i < moves.len() {
        let at = moves[i].0;
        // Every move of the same instant at once: one step, not several.
        while i < moves.len() && moves[i].0 == at {
            let m = &o.moves[moves[i].1];
            host[m.vm.index()] = m.to;
            i += 1;
        }
        let step = use_now(&host, at);
        if let Some(last) = steps.last_mut().filter(|l| l.at == at) {
            *last = step;
        } else {
            steps.push(step);
        }
    }
    Some(steps)
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
            let end = steps.get(i + 1).map_or(o.end.max(s.at), |n| n.at);
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

/// Renders the DR site's use over the run `o`; `command` reproduces the run
/// (none if empty). `None` when the scenario has no DR site.
pub fn dr_capacity(
    scenario: &Scenario,
    o: &Outcome,
    incidents: &[IncidentMark],
    command: &str,
) -> Option<String> {
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
    let lay = Layout::new(WIDTH, PLOT_H, None, &markers, &legend).reproduced_by(command);
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
    let y_hi = if peak <= 100.0 {
        100.0
    } else {
        super::axis::nice_range(0.0, peak, 6).1
    };
    let y_ticks: Vec<(f64, String)> = ticks_dividing(y_hi, 6, true)
        .unwrap_or_else(|| super::axis::nice_range(0.0, y_hi, 6).2)
        .into_iter()
        .map(|v| (v, format!("{} %", super::axis::number_label(v))))
        .collect();
    lay.y_axis(&mut svg, &y_ticks, 0.0, y_hi, "share of the DR site in use");
    let x_ticks: Vec<(f64, String, Option<String>)> = axis
        .ticks(t0, t1, f.w)
        .into_iter()
        .map(|t| (f.x_of(t.at.as_millis() as f64, lo, hi), t.label, t.day))
        .collect();
    lay.x_axis(&mut svg, &x_ticks, &axis.title(t0, t1));
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
    svg.open(&[("class", "memory".into())]);
    let mem = step_points(&|s| s.memory_pct);
    if let (Some(first), Some(last)) = (mem.first().copied(), mem.last().copied()) {
        let mut area = vec![(first.0, f.bottom())];
        area.extend(mem.iter().copied());
        area.push((last.0, f.bottom()));
        svg.polygon(&area, MEMORY, 0.35);
        svg.polyline(&mem, MEMORY, 1.5, "");
    }
    svg.close();
    svg.open(&[("class", "vcpus".into())]);
    svg.polyline(&step_points(&|s| s.vcpu_pct), VCPUS, 1.8, "6 3");
    svg.close();
    svg.open(&[("class", "capacity".into())]);
    svg.line((f.x, y(100.0)), (f.x + f.w, y(100.0)), INK, 1.5);
    svg.text_styled(
        f.x + f.w - 4.0,
        y(100.0) - 4.0,
        "capacity",
        Anchor::End,
        &[("font-size", num(11.0))],
    );
    svg.close();
    if spans.is_empty() {
        no_data(&mut svg, &f, "nothing at the DR site in this run");
    }
    lay.markers(&mut svg, &markers);
    lay.legend(&mut svg, &legend);
    svg.describe(&finding(scenario, o, &steps));
    Some(svg.finish())
}
