//! The blast-radius chart of `hvsim chaos --single`: one bar per single
//! fault (the 30 most harmful at most), the most harmful first, its paired effect on the first criterion
//! (percentage points of the probability met, or the metric's change)
//! against no fault at all, with the 95 % confidence interval as a whisker.

use super::svg::{Anchor, Svg, num};
use crate::chaos::{Chaos, Single, Target};

const ROW: f64 = 22.0;
const LABEL: f64 = 430.0;
const BARS: f64 = 380.0;
const TOP: f64 = 46.0;
/// The most bars drawn: the most harmful faults (the table lists all).
const MOST_BARS: usize = 30;

/// The chart, or `None` when the table is empty.
pub fn blast_radius_svg(chaos: &Chaos, single: &Single) -> Option<String> {
    let criterion = chaos.judge.criteria.first()?;
    if single.table.is_empty() {
        return None;
    }
    let rows: Vec<(String, f64, (f64, f64), bool)> = single
        .table
        .iter()
        .take(MOST_BARS)
        .map(|b| {
            let m = b.verdict.measures.first().copied();
            let d = m.map_or(0.0, |m| m.diff.0);
            let (lo, hi) = m.map_or((d, d), |m| m.diff_interval);
            let finite = |x: f64| if x.is_finite() { x } else { d };
            (
                chaos.space.describe(&b.fault),
                d,
                (finite(lo), finite(hi)),
                b.verdict.broken(),
            )
        })
        .collect();
    let span = rows
        .iter()
        .map(|(_, d, (lo, hi), _)| d.abs().max(lo.abs()).max(hi.abs()))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let unit = match criterion.target {
        Target::Met(_) => "pp".to_string(),
        _ => criterion.unit.to_string(),
    };
    let width = LABEL + BARS + 120.0;
    let height = TOP + ROW * rows.len() as f64 + 30.0;
    let title = format!(
        "Blast radius: each single fault's effect on {}",
        criterion.label
    );
    let mut svg = Svg::new(width, height, &title);
    svg.text_styled(
        10.0,
        20.0,
        &title,
        Anchor::Start,
        &[("font-weight", "bold".into())],
    );
    let shown = if single.table.len() > rows.len() {
        format!(
            "the {} most harmful of {} single faults (the table lists all): ",
            rows.len(),
            single.table.len()
        )
    } else {
        String::new()
    };
    svg.text(
        10.0,
        36.0,
        &format!(
            "{shown}paired difference against no fault ({unit}), 95 % CI; red: breaks the plan alone"
        ),
        Anchor::Start,
    );
    // Bars grow from the centre: left is better, right is worse for a
    // metric, the other way round for a probability met.
    let zero = LABEL + BARS / 2.0;
    let scale = (BARS / 2.0 - 4.0) / span;
    svg.line((zero, TOP - 4.0), (zero, height - 26.0), "#888888", 1.0);
    for (k, (label, d, (lo, hi), broken)) in rows.iter().enumerate() {
        let y = TOP + ROW * k as f64;
        let short: String = if label.chars().count() > 70 {
            label.chars().take(69).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        svg.text(LABEL - 6.0, y + 14.0, &short, Anchor::End);
        let x = zero + d.min(0.0) * scale;
        let fill = if *broken { "#D55E00" } else { "#0072B2" };
        svg.rect(x, y + 4.0, (d.abs() * scale).max(1.0), ROW - 8.0, fill);
        svg.line(
            (zero + lo * scale, y + ROW / 2.0),
            (zero + hi * scale, y + ROW / 2.0),
            "#222222",
            1.0,
        );
        svg.text(
            LABEL + BARS + 6.0,
            y + 14.0,
            &format!(
                "{}{} {unit}",
                if *d > 0.0 { "+" } else { "" },
                num((d * 10.0).round() / 10.0)
            ),
            Anchor::Start,
        );
    }
    Some(svg.finish())
}
