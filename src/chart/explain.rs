//! Why the apps were down: one horizontal bar per incident, split into the
//! reasons of `hvsim explain` (each segment its share of the incident's
//! app-hours down), with a tooltip per segment and a legend of the
//! reasons shown.

use super::Page;
use super::svg::{Anchor, num, rect_attrs, text_width};
use super::{GRID_GREY, INK, LegendEntry, Swatch, WIDTH, no_data};
use crate::explain::{Breakdown, Reason};

/// A colour per reason (in [`Reason::ALL`]'s order), by family: waiting
/// for the bug to be understood in blues, for people in oranges and
/// reds, for things (room, services, hosts, data) in purples and greys,
/// the work itself in greens, time lost in black.
pub const REASON_COLOURS: [&str; Reason::ALL.len()] = [
    "#9ecae1", // detection
    "#3182bd", // diagnosis
    "#bcbddc", // dependency
    "#9e9ac8", // dependency gate
    "#e6550d", // queue
    "#fdae6b", // shift
    "#a63603", // no staff
    "#fd8d3c", // runbook
    "#fdd0a2", // cap
    "#756bb1", // DR room
    "#636363", // services
    "#54278f", // power
    "#bdbdbd", // hosts
    "#c7e9c0", // stream
    "#74c476", // transfer
    "#31a354", // hands-on
    "#006d2c", // automated
    "#000000", // recurrence
    "#de2d26", // fix
    "#fcbba1", // no method
];

/// The colour of a reason.
pub fn reason_colour(r: Reason) -> &'static str {
    REASON_COLOURS[r.index()]
}

const BAR_H: f64 = 26.0;
const BAR_GAP: f64 = 14.0;

/// Renders the reasons of each group (its label, its breakdown) as
/// stacked bars of 100 %; `command` is the command line that reproduces
/// the chart (none if empty).
pub fn reason_bars<'a>(
    groups: &[(String, Breakdown)],
    subtitle: &str,
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let mut shown: Vec<Reason> = Reason::ALL
        .into_iter()
        .filter(|r| groups.iter().any(|(_, b)| b.get(*r).as_millis() > 0))
        .collect();
    shown.sort_by_key(|r| r.index());
    let legend: Vec<LegendEntry> = shown
        .iter()
        .map(|&r| LegendEntry {
            swatch: Swatch::Fill(reason_colour(r), 1.0),
            label: r.label().to_string(),
        })
        .collect();
    let left = groups
        .iter()
        .map(|(label, _)| text_width(label, cv.font_px) + 16.0)
        .fold(cv.len(78.0), f64::max)
        .min(WIDTH / 2.0);
    let n = groups.len().max(1) as f64;
    let plot_h = n * (BAR_H + BAR_GAP) + BAR_GAP;
    let layout = page.layout(WIDTH, plot_h, Some(left), &[], &legend);
    let title = "Why the apps were down";
    let mut svg = layout.start(title, subtitle);
    let f = layout.frame;
    // On a page of fixed height the bars share the plot.
    let s = if cv.height.is_some() {
        f.h / plot_h
    } else {
        1.0
    };
    let (bar_h, bar_gap) = (BAR_H * s, BAR_GAP * s);
    // Every 10 %, or every 20 % when the canvas has fewer ticks.
    let step = if cv.max_ticks < 11 { 20 } else { 10 };
    let ticks: Vec<(f64, String, Option<String>)> = (0..=100)
        .step_by(step)
        .map(|i| (f.x_of(f64::from(i), 0.0, 100.0), format!("{i} %"), None))
        .collect();
    layout.x_axis(&mut svg, &ticks, "share of the app-hours down");
    if groups.is_empty() {
        no_data(&mut svg, &f, "no app was down");
    }
    svg.open(&[("class", "bars".into())]);
    for (g, (label, b)) in groups.iter().enumerate() {
        let y = f.y + bar_gap + g as f64 * (bar_h + bar_gap);
        svg.text(f.x - 8.0, y + bar_h / 2.0 + cv.len(4.0), label, Anchor::End);
        let total = b.total().as_millis();
        if total == 0 {
            svg.line((f.x, y), (f.x, y + bar_h), GRID_GREY, cv.line(1.0));
            continue;
        }
        // Tenths of a percent, rounded so that a bar's add up to 100.0.
        let tenths = b.rounded_shares(1000);
        let mut done: u64 = 0;
        for &r in &shown {
            let ms = b.get(r).as_millis();
            if ms == 0 {
                continue;
            }
            // Edges from the running sum, so the segments tile the bar.
            let x0 = f.x_of(done as f64 / total as f64 * 100.0, 0.0, 100.0);
            done += ms;
            let x1 = f.x_of(done as f64 / total as f64 * 100.0, 0.0, 100.0);
            let tip = format!(
                "{label}: {} — {} app-hours ({}.{} %)",
                r.label(),
                num(b.get(r).as_hours_f64()),
                tenths[r.index()] / 10,
                tenths[r.index()] % 10
            );
            svg.with_tip(
                "rect",
                &rect_attrs(x0, y, x1 - x0, bar_h, reason_colour(r)),
                &tip,
            );
        }
    }
    svg.line((f.x, f.y), (f.x, f.bottom()), INK, cv.line(1.0));
    svg.close();
    layout.legend(&mut svg, &legend);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::{REASON_COLOURS, reason_bars};
    use crate::explain::{Breakdown, Reason};
    use crate::sim::SimDuration;

    #[test]
    fn reasons_get_distinct_colours() {
        let mut c = REASON_COLOURS.to_vec();
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), Reason::ALL.len());
    }

    #[test]
    fn each_reason_present_is_a_segment_with_its_share() {
        let mut b = Breakdown::default();
        b.add(Reason::Diagnosis, SimDuration::from_millis(3 * 3_600_000));
        b.add(Reason::Queue, SimDuration::from_millis(3_600_000));
        let svg = reason_bars(&[("incident 1".into(), b)], "", "");
        assert_eq!(
            svg.matches("<rect x=").count() - 1,
            2 + 2,
            "two segments, two legend swatches"
        );
        assert!(
            svg.contains("waiting for the diagnosis — 3 app-hours (75.0 %)"),
            "{svg}"
        );
        assert!(
            svg.contains("queued for a team member — 1 app-hours (25.0 %)"),
            "{svg}"
        );
        let empty = reason_bars(&[], "", "");
        assert!(empty.contains("no app was down"));
    }
}
