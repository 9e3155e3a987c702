//! The objectives heat map: a row per strategy, a column per objective,
//! each cell the share of replications in which the objective was met,
//! written in the cell with its 95 % Wilson interval. The scale is one
//! blue in five steps (dark: met often), so that it reads without colour
//! vision and prints in grey; the number, not the colour, carries the
//! value.

use super::Page;
use super::svg::{Anchor, FONT_PX, num, text_width};
use super::{WIDTH, ink_on};
use crate::montecarlo::{Comparison, MetricKind};

/// The steps of the scale: from this share (%) up, this fill.
pub const HEAT_STEPS: [(f64, &str); 5] = [
    (95.0, "#08519c"),
    (80.0, "#3182bd"),
    (50.0, "#9ecae1"),
    (20.0, "#deebf7"),
    (0.0, "#ffffff"),
];

/// The fill of a cell met in `p` % of the replications.
pub fn heat_fill(p: f64) -> &'static str {
    HEAT_STEPS
        .iter()
        .find(|(from, _)| p >= *from)
        .map_or("#ffffff", |(_, fill)| fill)
}

/// The objectives of a comparison: `(metric index, objective name)`.
pub fn objective_metrics(c: &Comparison) -> Vec<(usize, String)> {
    (0..c.metrics.len())
        .filter(|&m| c.metrics[m].kind == MetricKind::Share)
        .map(|m| {
            let name = &c.metrics[m].name;
            let short = name
                .strip_prefix("objective ")
                .and_then(|n| n.strip_suffix(" met"))
                .unwrap_or(name);
            (m, short.to_string())
        })
        .collect()
}

/// `text` in lines at most `width` pixels wide, broken between words
/// (a word longer than a line gets a line of its own).
pub fn wrap(text: &str, width: f64, font_px: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), font_px) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// What the heat map says first: for each objective, the strategy that
/// meets it most often, and how often the baseline does.
pub fn heat_finding(c: &Comparison) -> String {
    let mut parts = Vec::new();
    for (m, name) in objective_metrics(c) {
        let shares: Vec<Option<f64>> = c
            .strategies
            .iter()
            .map(|s| s.stats[m].share().map(|(p, _)| p))
            .collect();
        // Highest share first; ties to the first given.
        let best = shares
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i, p)))
            .fold(None, |acc: Option<(usize, f64)>, (i, p)| match acc {
                Some((_, q)) if q >= p => acc,
                _ => Some((i, p)),
            });
        let Some((b, p)) = best else { continue };
        if p == 0.0 {
            parts.push(format!("“{name}” is met in no run by any strategy"));
            continue;
        }
        let base = match shares.first().copied().flatten() {
            Some(q) if b != 0 => format!(" ({} {q:.1} %)", c.strategies[0].id),
            _ => String::new(),
        };
        parts.push(format!(
            "“{name}” is met most often by {}: {p:.1} % of the runs{base}",
            c.strategies[b].id
        ));
    }
    if parts.is_empty() {
        "The scenario has no objective.".to_string()
    } else {
        format!("{}.", parts.join("; "))
    }
}

const ROW_H: f64 = 34.0;
const COL_W: f64 = 150.0;
const HEADER_LINES: usize = 3;

/// Renders the heat map, `None` when the comparison has no objective;
/// `command` is the command line that reproduces it (none if empty).
pub fn objectives_heat_map<'a>(c: &Comparison, page: impl Into<Page<'a>>) -> Option<String> {
    let page = page.into();
    let cv = page.canvas;
    let objectives = objective_metrics(c);
    if objectives.is_empty() {
        return None;
    }
    let label_w = c
        .strategies
        .iter()
        .map(|s| text_width(&s.id, cv.font_px))
        .fold(0.0, f64::max);
    let left = (label_w + 20.0).max(cv.len(78.0));
    let n = objectives.len() as f64;
    // A page of fixed height is as wide as its canvas: the columns share it.
    let (width, col_w) = if cv.height.is_some() {
        (cv.width, COL_W.min((cv.width - left - 24.0) / n))
    } else {
        ((left + n * COL_W + 24.0).max(WIDTH), COL_W)
    };
    let line_h = cv.len(14.0);
    let header_h = HEADER_LINES as f64 * line_h + 8.0;
    let plot_h = header_h + c.strategies.len() as f64 * cv.len(ROW_H);
    let lay = page.layout(width, plot_h, Some(left), &[], &[]);
    let f = lay.frame;
    let row_h = if cv.height.is_some() {
        (f.h - header_h) / c.strategies.len().max(1) as f64
    } else {
        ROW_H
    };
    let s_y = row_h / ROW_H;
    let mut svg = lay.start(
        "How often each strategy meets each objective",
        &format!(
            "share of {} runs per strategy (seed {}) that met it, 95 % interval below",
            c.done, c.seed
        ),
    );
    svg.open(&[("class", "heat-map".into())]);
    for (j, (_, name)) in objectives.iter().enumerate() {
        let x = f.x + (j as f64 + 0.5) * col_w;
        let mut lines = wrap(name, col_w - 8.0, cv.font_px);
        if lines.len() > HEADER_LINES {
            lines.truncate(HEADER_LINES);
            if let Some(last) = lines.last_mut() {
                last.push('…');
            }
        }
        // Bottom-aligned, so that every header ends just above its column.
        let top = f.y + header_h - 8.0 - (lines.len() as f64 - 1.0) * line_h;
        for (i, line) in lines.iter().enumerate() {
            svg.text_styled(
                x,
                top + i as f64 * line_h,
                line,
                Anchor::Middle,
                &[("font-weight", "bold".into())],
            );
        }
    }
    for (i, s) in c.strategies.iter().enumerate() {
        let y = f.y + header_h + i as f64 * row_h;
        svg.text(f.x - 8.0, y + row_h / 2.0 + cv.len(4.0), &s.id, Anchor::End);
        for (j, (m, name)) in objectives.iter().enumerate() {
            let x = f.x + j as f64 * col_w;
            let share = s.stats[*m].share();
            let fill = share.map_or("#ffffff", |(p, _)| heat_fill(p));
            let tip = match share {
                Some((p, (lo, hi))) => {
                    format!(
                        "{}: “{name}” met in {p:.1} % of the runs (95 % {lo:.1}–{hi:.1})",
                        s.id
                    )
                }
                None => format!("{}: “{name}” never judged", s.id),
            };
            let mut attrs = vec![
                ("x", num(x + 1.0)),
                ("y", num(y + 1.0)),
                ("width", num(col_w - 2.0)),
                ("height", num(row_h - 2.0)),
                ("fill", fill.into()),
                ("stroke", "#bdbdbd".into()),
                ("data-metric", c.metrics[*m].name.clone()),
                ("data-strategy", s.id.clone()),
            ];
            // The share as `compare --json` has it (shortest round trip).
            if let Some((p, _)) = share {
                attrs.push(("data-p", format!("{p}")));
            }
            svg.with_tip("rect", &attrs, &tip);
            let ink = ink_on(fill, 1.0);
            let (main, small) = match share {
                Some((p, (lo, hi))) => (format!("{p:.1} %"), format!("{lo:.1}–{hi:.1}")),
                None => ("—".to_string(), String::new()),
            };
            svg.text_styled(
                x + col_w / 2.0,
                y + 15.0 * s_y,
                &main,
                Anchor::Middle,
                &[("fill", ink.into()), ("font-weight", "bold".into())],
            );
            if !small.is_empty() {
                svg.text_styled(
                    x + col_w / 2.0,
                    y + 28.0 * s_y,
                    &small,
                    Anchor::Middle,
                    &[
                        ("fill", ink.into()),
                        ("font-size", num(cv.px(FONT_PX - 2.0))),
                    ],
                );
            }
        }
    }
    svg.close();
    // The scale, below the table: each step's fill and its range.
    svg.open(&[("class", "legend".into())]);
    let ly = f.bottom() + cv.len(20.0);
    let mut x = f.x;
    let mut upper = 100.0;
    for (from, fill) in HEAT_STEPS {
        svg.empty(
            "rect",
            &[
                ("x", num(x)),
                ("y", num(ly - cv.len(10.0))),
                ("width", num(cv.len(24.0))),
                ("height", num(cv.len(12.0))),
                ("fill", fill.into()),
                ("stroke", "#bdbdbd".into()),
            ],
        );
        let label = if upper >= 100.0 {
            format!("{from:.0}–100 %")
        } else {
            format!("{from:.0}–{upper:.0} %")
        };
        svg.text(x + cv.len(30.0), ly, &label, Anchor::Start);
        x += cv.len(30.0) + text_width(&label, cv.font_px) + cv.len(18.0);
        upper = from;
    }
    svg.close();
    svg.describe(&heat_finding(c));
    Some(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_monotone_and_covers_its_ends() {
        let fills: Vec<&str> = [0.0, 19.9, 20.0, 50.0, 80.0, 95.0, 100.0]
            .into_iter()
            .map(heat_fill)
            .collect();
        assert_eq!(
            fills,
            [
                "#ffffff", "#ffffff", "#deebf7", "#9ecae1", "#3182bd", "#08519c", "#08519c"
            ]
        );
    }

    #[test]
    fn headers_wrap_between_words() {
        let lines = wrap("internet services within three days", 100.0, 12.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "internet services within three days");
        for l in &lines {
            assert!(text_width(l, 12.0) <= 100.0 || !l.contains(' '));
        }
    }
}
