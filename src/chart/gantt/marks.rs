//! The Gantt chart's vertical marks (milestones, RTO deadlines, idle
//! stretches cut out), its legend and the finding its `<desc>` states.

use crate::chart::clock::Clock;
use crate::chart::{INK, LegendEntry, Marker, Swatch, method_colour};
use crate::metrics::{Outcome, TaskEnd};
use crate::model::{Method, Scenario};
use crate::montecarlo::IncidentMark;
use crate::sim::SimTime;
use crate::units::{capitalised, part_of};

/// Milestone marks' colour and dash.
pub const MILESTONE: (&str, &str) = ("#1b7f4b", "2 2");
/// RTO deadlines' colour and dash.
pub const DEADLINE: (&str, &str) = ("#555555", "5 3");
/// Cut-out idle stretches' fill and their marks' colour and dash.
pub const CUT: (&str, &str, &str) = ("#fbfbfb", "#9a9a9a", "1 2");
/// The runbook waves' band colour.
pub const WAVE: &str = "#c9d7ea";
/// The on-duty strip's colour.
pub const ON_DUTY: &str = "#7f7f7f";

/// A vertical mark: an instant, its label and its style, and for a
/// milestone what it stands for (so that marks can be merged without
/// reading their labels back).
#[derive(Clone, Debug)]
pub struct Mark {
    /// The instant.
    pub at: SimTime,
    /// The label drawn.
    pub label: String,
    /// Colour and dash.
    pub style: (&'static str, &'static str),
    /// For a milestone, its percentages and incident.
    pub back: Option<Back>,
}

/// What a milestone mark stands for: the percentages of an incident's
/// apps back at its instant (several when they coincide).
#[derive(Clone, Debug, PartialEq)]
pub struct Back {
    /// `50`, `90`, `100`, in order.
    pub pcts: Vec<&'static str>,
    /// ` (incident 2)` when the run had several incidents, else empty.
    pub incident: String,
}

impl Back {
    /// `50/90 % back (incident 1)`.
    fn label(&self) -> String {
        format!("{} % back{}", self.pcts.join("/"), self.incident)
    }
}

/// Per incident, when 50, 90 and 100 % of its apps were back, one mark
/// per instant (`50/90 % back` when two coincide), and the RTO deadline
/// of every objective whose apps the incident hit, within the horizon.
pub fn marks_of(scenario: &Scenario, o: &Outcome, incidents: &[IncidentMark]) -> Vec<Mark> {
    let many = o.incidents.len() > 1;
    let of = |k: usize| {
        if many {
            format!(" (incident {})", k + 1)
        } else {
            String::new()
        }
    };
    let mut out = Vec::new();
    for (k, inc) in o.incidents.iter().enumerate() {
        let m = &inc.milestones;
        let mut at: Vec<(SimTime, Vec<&'static str>)> = Vec::new();
        for (t, pct) in [(m.half, "50"), (m.ninety, "90"), (m.all, "100")] {
            let Some(t) = t else { continue };
            match at.iter_mut().find(|(u, _)| *u == t) {
                Some((_, p)) => p.push(pct),
                None => at.push((t, vec![pct])),
            }
        }
        for (t, pcts) in at {
            let back = Back {
                pcts,
                incident: of(k),
            };
            out.push(Mark {
                at: t,
                label: back.label(),
                style: MILESTONE,
                back: Some(back),
            });
        }
    }
    for (k, inc) in incidents.iter().enumerate() {
        for obj in &scenario.objectives {
            let Some(rto) = obj.rto else { continue };
            if !inc.apps.iter().any(|a| obj.apps.contains(a)) {
                continue;
            }
            let due = inc.at.saturating_add(rto);
            if due <= o.horizon {
                out.push(Mark {
                    at: due,
                    label: format!("RTO {} {rto}{}", obj.name, of(k)),
                    style: DEADLINE,
                    back: None,
                });
            }
        }
    }
    out
}

/// The markers of `marks`, placed by `frac`.
pub fn markers(marks: &[Mark], frac: impl Fn(SimTime) -> f64) -> Vec<Marker> {
    marks
        .iter()
        .map(|m| Marker {
            at: frac(m.at),
            label: m.label.clone(),
            colour: m.style.0,
            dash: m.style.1,
        })
        .collect()
}

/// [`markers`], with each incident's milestones that are closer than
/// `within` (a share of the plot's width) to the first of them named by
/// one label (`50/90/100 % back (incident 1)`) and drawn as lines alone:
/// on a slide, three labels a few pixels apart would take three rows.
pub fn markers_merged(marks: &[Mark], frac: impl Fn(SimTime) -> f64, within: f64) -> Vec<Marker> {
    let mut out = markers(marks, &frac);
    // The first marker of a milestone group, where it is, and what it
    // stands for so far.
    let mut group: Option<(usize, f64, Back)> = None;
    for (i, mark) in marks.iter().enumerate() {
        let Some(back) = &mark.back else {
            group = None;
            continue;
        };
        match &mut group {
            Some((first, at, merged))
                if merged.incident == back.incident && frac(mark.at) - *at < within =>
            {
                merged.pcts.extend(back.pcts.iter().copied());
                out[*first].label = merged.label();
                out[i].label.clear();
            }
            _ => group = Some((i, frac(mark.at), back.clone())),
        }
    }
    out
}

/// What the chart shows, for its legend: only what is drawn.
#[derive(Clone, Debug, Default)]
pub struct Shown {
    /// Methods of the bars drawn, task or automated.
    pub methods: Vec<Method>,
    /// Runbook go steps.
    pub go: bool,
    /// Runbook waves' bands.
    pub waves: bool,
    /// Off-shift shading.
    pub off_shift: bool,
    /// Idle stretches cut out.
    pub cuts: bool,
    /// Each idle stretch also marked by a line with its length above the
    /// plot (not on a slide).
    pub cut_lines: bool,
}

/// The legend: every colour and mark drawn, and only those.
pub fn legend_of(o: &Outcome, shown: &Shown, marks: &[Mark], incidents: bool) -> Vec<LegendEntry> {
    let fill = |colour, opacity, label: &str| LegendEntry {
        swatch: Swatch::Fill(colour, opacity),
        label: label.into(),
    };
    let line = |(colour, dash): (&'static str, &'static str), label: &str| LegendEntry {
        swatch: Swatch::Line(colour, dash),
        label: label.into(),
    };
    let mut legend: Vec<LegendEntry> = Method::ALL
        .iter()
        .filter(|m| shown.methods.contains(m))
        .map(|m| {
            let label = if m.automated() {
                format!("{} (automated)", m.name())
            } else {
                m.name().to_string()
            };
            fill(method_colour(*m), 1.0, &label)
        })
        .collect();
    if shown.go {
        legend.push(fill(INK, 1.0, "go (runbook step)"));
    }
    if shown.waves {
        legend.push(fill(WAVE, 1.0, "runbook wave"));
    }
    legend.push(fill(ON_DUTY, 0.55, "members on duty"));
    if shown.off_shift {
        legend.push(fill(
            crate::chart::gantt::OFF_SHIFT,
            1.0,
            "off shift (night, holiday)",
        ));
    }
    if o.tasks.iter().any(|t| t.outcome == TaskEnd::Abandoned) {
        legend.push(fill("#999999", 0.45, "abandoned: the host crashed again"));
    }
    if incidents {
        legend.push(line((INK, ""), "incident"));
    }
    if marks.iter().any(|m| m.style == MILESTONE) {
        legend.push(line(MILESTONE, "50/90/100 % of the apps back"));
    }
    if marks.iter().any(|m| m.style == DEADLINE) {
        legend.push(line(DEADLINE, "RTO deadline"));
    }
    if shown.cuts && shown.cut_lines {
        legend.push(line((CUT.1, CUT.2), "idle stretch cut out"));
    } else if shown.cuts {
        legend.push(LegendEntry {
            swatch: Swatch::Note,
            label: "// on the axis: an idle stretch cut out".into(),
        });
    }
    legend
}

/// The run's finding: how many apps went down, when the last was back,
/// and how many were past each objective's RTO.
pub fn finding(scenario: &Scenario, o: &Outcome) -> String {
    let clock = Clock::new(scenario);
    let totals = o.totals(scenario);
    if totals.apps_down == 0 {
        return format!("no app of {} went down", scenario.apps.len());
    }
    let still = totals.apps_still_down();
    let last_up = o.apps.iter().filter_map(|a| a.final_up()).max();
    let back = match (still, last_up, o.incidents.first()) {
        (0, Some(t), Some(first)) => format!(
            "every one was back by {}, {} after the first strike",
            clock.short(t),
            t.saturating_since(first.at)
        ),
        (0, Some(t), None) => format!("every one was back by {}", clock.short(t)),
        (n, _, _) => format!("{n} still down when the horizon ended"),
    };
    let down = capitalised(&part_of(
        totals.apps_down,
        scenario.apps.len(),
        "app",
        "apps",
    ));
    let mut out = format!("{down} went down; {back}");
    for (obj, r) in scenario.objectives.iter().zip(o.objectives(scenario)) {
        let Some(rto) = obj.rto else { continue };
        if r.apps_down == 0 {
            continue;
        }
        let missed = r.rto_missed.len();
        if missed == 0 {
            out.push_str(&format!("; {}: RTO {rto} met", obj.name));
        } else {
            out.push_str(&format!(
                "; {}: {missed} app{} past the {rto} RTO",
                obj.name,
                if missed == 1 { "" } else { "s" },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(at: u64, pcts: &[&'static str], incident: &str) -> Mark {
        let back = Back {
            pcts: pcts.to_vec(),
            incident: incident.to_string(),
        };
        Mark {
            at: SimTime::from_millis(at),
            label: back.label(),
            style: MILESTONE,
            back: Some(back),
        }
    }

    fn deadline(at: u64) -> Mark {
        Mark {
            at: SimTime::from_millis(at),
            label: "RTO critical 4h".into(),
            style: DEADLINE,
            back: None,
        }
    }

    #[test]
    fn close_milestones_of_one_incident_share_a_label_and_others_keep_theirs() {
        let marks = [
            back(100, &["50"], " (incident 1)"),
            back(102, &["90", "100"], " (incident 1)"),
            back(103, &["50"], " (incident 2)"),
            deadline(104),
            back(105, &["90"], " (incident 2)"),
            back(500, &["100"], " (incident 2)"),
        ];
        let frac = |t: SimTime| t.as_millis() as f64 / 1000.0;
        let labels: Vec<String> = markers_merged(&marks, frac, 0.01)
            .into_iter()
            .map(|m| m.label)
            .collect();
        assert_eq!(
            labels,
            [
                "50/90/100 % back (incident 1)",
                "",
                "50 % back (incident 2)",
                "RTO critical 4h",
                // The deadline between them ends the group.
                "90 % back (incident 2)",
                // Too far from the group's first.
                "100 % back (incident 2)",
            ]
        );
        // Without merging, every mark keeps its own label.
        let plain: Vec<String> = markers(&marks, frac).into_iter().map(|m| m.label).collect();
        assert_eq!(plain[1], "90/100 % back (incident 1)");
    }
}
