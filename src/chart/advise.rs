//! The charts of `hvsim advise`: the tornado chart of the levers' paired
//! effects on the headline metric (a bar per lever, best at the top, with
//! its 95 % confidence interval), and the Pareto frontier of cost against
//! the headline over the costed levers and their combinations.

use super::Page;
use super::axis::{nice_range, number_label};
use super::svg::{Anchor, FONT_PX, num, text_width};
use super::{INK, LegendEntry, Swatch, WIDTH, no_data};
use crate::advise::{Advice, Combo, cost_axis, frontier};

const GAIN: &str = "#0072B2";
const LOSS: &str = "#D55E00";
const NEUTRAL: &str = "#999999";
const ROW: f64 = 22.0;

/// The headline as a phrase: `P(objective)` or the metric's name.
fn headline_phrase(def: &crate::montecarlo::MetricDef) -> String {
    match def
        .name
        .strip_prefix("objective ")
        .and_then(|n| n.strip_suffix(" met"))
    {
        Some(o) => format!("P({o})"),
        None => def.name.clone(),
    }
}

/// The unit of a difference, spelled out for an axis title.
fn unit_words(unit: &str) -> &str {
    match unit {
        "h" => "hours",
        "crit·h" => "criticality × hours",
        "pp" => "percentage points",
        other => other,
    }
}

/// A label cut to `chars` characters, with an ellipsis.
fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(chars.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The tornado chart: each lever's paired difference on the chart's
/// headline ([`crate::advise::choose_headline`]) against the plan, the largest gain at
/// the top, with its 95 % interval drawn and written beside it; a note
/// instead of bars when no lever changes it. `command` reproduces it.
pub fn tornado_chart<'a>(a: &Advice, page: impl Into<Page<'a>>) -> String {
    let page = page.into();
    let cv = page.canvas;
    let m = a.headline;
    let def = &a.metrics[m];
    let phrase = headline_phrase(def);
    // The largest significant gain first; the table's order among equals.
    let mut levers: Vec<&crate::advise::LeverResult> = a.levers.iter().collect();
    let key = |l: &crate::advise::LeverResult| {
        if l.effects[m].significant() {
            l.gain(&a.metrics, m)
        } else {
            0.0
        }
    };
    levers.sort_by(|x, y| key(y).total_cmp(&key(x)));
    let moves = levers.iter().any(|l| l.effects[m].diff != 0.0);
    let shown: &[&crate::advise::LeverResult] = if moves { &levers } else { &[] };
    let n = shown.len().max(1);
    // As many characters as the left third holds (36 at most).
    let most = ((WIDTH * 0.3 - 8.0) / text_width("x", cv.font_px)).floor() as usize;
    let labels: Vec<String> = shown
        .iter()
        .map(|l| cut(&l.lever.label, most.min(36)))
        .collect();
    let left = labels
        .iter()
        .map(|l| text_width(l, cv.font_px))
        .fold(120.0f64, f64::max)
        .min(WIDTH * 0.3)
        + 16.0;
    let legend = tornado_legend();
    let lay = page.layout(WIDTH, n as f64 * ROW + 8.0, Some(left), &[], &legend);
    let f = lay.frame;
    // On a page of fixed height the rows share the plot.
    let row = if cv.height.is_some() {
        ((f.h - 8.0) / n as f64).min(cv.len(ROW) * 2.0)
    } else {
        ROW
    };
    // The title and subtitle start at the plot's left edge (a slide's
    // left margin): cut them to the width left.
    let room = |px: f64, text: &str| {
        // Bold titles run wider than the estimate: a tenth of margin.
        let avail = (WIDTH - lay.text_x() - 8.0) / 1.1;
        let mut n = text.chars().count();
        while n > 8 && text_width(&cut(text, n), px) > avail {
            n -= 1;
        }
        cut(text, n)
    };
    // The metric's name first: the rest of the title goes when it does
    // not fit.
    let long = format!("{phrase}: what each lever changes");
    let title = if room(cv.title_px, &long) == long {
        long
    } else {
        room(cv.title_px, &phrase)
    };
    let mut svg = lay.start(
        &title,
        &room(
            cv.font_px,
            &format!(
                "lever − plan ({}), 95 % CI, {} runs on common random numbers (seed {})",
                a.strategy, a.done, a.seed
            ),
        ),
    );
    let pp = def.diff_unit() == "pp";
    // A difference of percentages lies within ±100 pp, whatever the
    // normal approximation of an availability's says (a share's interval
    // is Newcombe's, already within).
    let interval = |e: &crate::advise::Effect| {
        let (lo, hi) = e.interval();
        if pp {
            (lo.max(-100.0), hi.min(100.0))
        } else {
            (lo, hi)
        }
    };
    let ends = shown.iter().flat_map(|l| {
        let e = &l.effects[m];
        let (lo, hi) = interval(e);
        [
            if lo.is_finite() { lo } else { e.diff },
            if hi.is_finite() { hi } else { e.diff },
        ]
    });
    let lo = ends.clone().fold(0.0f64, f64::min);
    let hi = ends.fold(0.0f64, f64::max);
    // Room on the right for each bar's figures.
    let room = if cv.height.is_some() {
        // On a slide, the room a figure of 36 characters takes.
        let r = ((text_width(&"0".repeat(36), cv.px(FONT_PX - 1.0)) + 6.0) / f.w).min(0.6);
        r / (1.0 - r)
    } else {
        0.45
    };
    let hi = hi + room * (hi - lo).max(1e-9);
    let (x_lo, x_hi, ticks) = nice_range(lo, hi.max(lo + 1e-9), cv.range_ticks(8));
    let x_ticks: Vec<(f64, String, Option<String>)> = ticks
        .iter()
        .map(|v| (f.x_of(*v, x_lo, x_hi), number_label(*v), None))
        .collect();
    lay.x_axis(
        &mut svg,
        &x_ticks,
        &format!("lever − plan ({})", unit_words(def.diff_unit())),
    );
    if a.levers.is_empty() {
        no_data(&mut svg, &f, "no lever was evaluated");
    } else if !moves {
        no_data(
            &mut svg,
            &f,
            &format!("no lever changes {phrase}: every lever gives the plan's value in every run"),
        );
    }
    let zero = f.x_of(0.0, x_lo, x_hi);
    svg.line((zero, f.y), (zero, f.bottom()), INK, cv.line(1.2));
    let figure = |v: f64| format!("{v:+.1}");
    for (i, (l, label)) in shown.iter().zip(&labels).enumerate() {
        let e = &l.effects[m];
        let y = f.y + 4.0 + i as f64 * row;
        let better = l.gain(&a.metrics, m) > 0.0;
        let colour = match (e.significant(), better) {
            (false, _) => NEUTRAL,
            (true, true) => GAIN,
            (true, false) => LOSS,
        };
        svg.open(&[("class", "lever".into())]);
        svg.text(f.x - 8.0, y + row / 2.0 + cv.len(4.0), label, Anchor::End);
        let x = f.x_of(e.diff, x_lo, x_hi);
        let (x0, w) = if x < zero {
            (x, zero - x)
        } else {
            (zero, x - zero)
        };
        let (clo, chi) = interval(e);
        let ci = if clo.is_finite() && chi.is_finite() {
            format!(" (95 % CI {} to {})", figure(clo), figure(chi))
        } else {
            String::new()
        };
        let value = if e.same {
            "no change in any run".to_string()
        } else {
            format!("{} {}{ci}", figure(e.diff), def.diff_unit())
        };
        svg.with_tip(
            "rect",
            &[
                ("x", num(x0)),
                ("y", num(y + 3.0)),
                ("width", num(w.max(0.5))),
                ("height", num(row - 8.0)),
                ("fill", colour.into()),
                ("fill-opacity", "0.85".into()),
            ],
            &format!("{}: {value}", l.lever.label),
        );
        let mut right = x.max(zero);
        if !ci.is_empty() {
            let (a_, b_) = (f.x_of(clo, x_lo, x_hi), f.x_of(chi, x_lo, x_hi));
            let mid = y + row / 2.0 - 1.0;
            let (w, tip) = (cv.line(1.2), cv.line(4.0));
            svg.line((a_, mid), (b_, mid), INK, w);
            svg.line((a_, mid - tip), (a_, mid + tip), INK, w);
            svg.line((b_, mid - tip), (b_, mid + tip), INK, w);
            right = right.max(b_);
        }
        svg.text_styled(
            right + 6.0,
            y + row / 2.0 + cv.len(4.0),
            &value,
            Anchor::Start,
            &[
                ("font-size", num(cv.px(FONT_PX - 1.0))),
                ("fill", INK.into()),
            ],
        );
        svg.close();
    }
    lay.legend(&mut svg, &legend);
    svg.finish()
}

/// The tornado chart's legend.
fn tornado_legend() -> Vec<LegendEntry> {
    vec![
        LegendEntry {
            swatch: Swatch::Fill(GAIN, 0.85),
            label: "better than the plan".into(),
        },
        LegendEntry {
            swatch: Swatch::Fill(LOSS, 0.85),
            label: "worse than the plan".into(),
        },
        LegendEntry {
            swatch: Swatch::Fill(NEUTRAL, 0.6),
            label: "no significant difference (95 % CI spans 0)".into(),
        },
        LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "95 % CI of the change".into(),
        },
    ]
}

/// The Pareto frontier: every costed lever and combination as a point
/// (cost, the headline's mean), the frontier joined by a line; `command`
/// reproduces it.
pub fn frontier_chart<'a>(a: &Advice, page: impl Into<Page<'a>>) -> String {
    let page = page.into();
    let cv = page.canvas;
    let def = &a.metrics[a.headline];
    let all: Vec<Combo> = a.costed();
    let front = frontier(&all, &a.metrics, a.headline);
    let cost = cost_axis(&all);
    let money = all.iter().any(|c| c.cost.money_per_year > 0.0);
    let legend = vec![
        LegendEntry {
            swatch: Swatch::Line(GAIN, ""),
            label: "Pareto frontier: nothing cheaper does better".into(),
        },
        LegendEntry {
            swatch: Swatch::Fill(NEUTRAL, 0.8),
            label: "other levers and combinations".into(),
        },
    ];
    let lay = page.layout(WIDTH, 320.0, Some(cv.len(88.0)), &[], &legend);
    let f = lay.frame;
    let mut svg = lay.start(
        &format!("Cost against {}", headline_phrase(def)),
        &format!(
            "the plan ({}), each costed lever and combination; means over {} replications (seed {})",
            a.strategy, a.done, a.seed
        ),
    );
    let xs = all.iter().map(|c| cost(&c.cost));
    let (x_lo, x_hi, xt) = nice_range(0.0, xs.fold(1e-9f64, f64::max), cv.range_ticks(8));
    let ys = all.iter().map(|c| c.effects[a.headline].value);
    let y_lo0 = ys.clone().fold(f64::INFINITY, f64::min);
    let y_hi0 = ys.fold(f64::NEG_INFINITY, f64::max);
    let (y_lo0, y_hi0) = if y_lo0.is_finite() {
        (y_lo0, y_hi0)
    } else {
        (0.0, 1.0)
    };
    let (y_lo, y_hi, yt) = nice_range(y_lo0.min(0.0), y_hi0.max(y_lo0 + 1e-9), cv.range_ticks(7));
    let y_ticks: Vec<(f64, String)> = yt.iter().map(|v| (*v, number_label(*v))).collect();
    lay.y_axis(
        &mut svg,
        &y_ticks,
        y_lo,
        y_hi,
        &format!("mean ({})", unit_words(def.unit)),
    );
    let x_ticks: Vec<(f64, String, Option<String>)> = xt
        .iter()
        .map(|v| (f.x_of(*v, x_lo, x_hi), number_label(*v), None))
        .collect();
    lay.x_axis(
        &mut svg,
        &x_ticks,
        if money { "cost per year" } else { "people" },
    );
    if all.len() < 2 {
        no_data(&mut svg, &f, "no lever has a cost");
    }
    let at = |c: &Combo| {
        (
            f.x_of(cost(&c.cost), x_lo, x_hi),
            f.y_of(c.effects[a.headline].value, y_lo, y_hi),
        )
    };
    let line: Vec<(f64, f64)> = front.iter().map(|&i| at(&all[i])).collect();
    svg.polyline(&line, GAIN, cv.line(2.0), "");
    for (i, c) in all.iter().enumerate() {
        let (x, y) = at(c);
        let on = front.contains(&i);
        let name = if c.levers.is_empty() {
            "the plan".to_string()
        } else {
            c.levers.join(" + ")
        };
        svg.with_tip(
            "circle",
            &[
                ("cx", num(x)),
                ("cy", num(y)),
                ("r", num(cv.line(if on { 4.5 } else { 3.5 }))),
                ("fill", if on { GAIN } else { NEUTRAL }.into()),
            ],
            &format!(
                "{name}: cost {}, {} {}",
                number_label(cost(&c.cost)),
                number_label((c.effects[a.headline].value * 10.0).round() / 10.0),
                def.unit
            ),
        );
        if on {
            let label = cut(&name, 40);
            // On a slide, a label that would pass the right edge ends at
            // its point instead.
            let width = text_width(&label, cv.px(FONT_PX - 1.0));
            let (lx, anchor) = if cv.height.is_some() && x + 6.0 + width > lay.width - 4.0 {
                (x - 6.0, Anchor::End)
            } else {
                (x + 6.0, Anchor::Start)
            };
            svg.text_styled(
                lx,
                y - 6.0,
                &label,
                anchor,
                &[
                    ("font-size", num(cv.px(FONT_PX - 1.0))),
                    ("fill", INK.into()),
                ],
            );
        }
    }
    lay.legend(&mut svg, &legend);
    svg.finish()
}
