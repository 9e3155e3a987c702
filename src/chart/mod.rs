//! Charts as standalone SVG documents: the restored curve, the Gantt chart
//! of one run, the distribution of recovery milestones, and a sweep's
//! metric against the swept parameter.
//!
//! Every chart is a pure function of its data: the same input gives the
//! same bytes, with no clock, font lookup or network involved. Text uses
//! the generic `sans-serif` family, so any viewer renders it with what it
//! has. Colours come from the Okabe-Ito palette, which stays
//! distinguishable under the common forms of colour blindness; each series
//! also has its own dash pattern and marker symbol, so that lines can be
//! told apart without colour (in print, by colour-blind readers).

pub(crate) mod advise;
pub(crate) mod availability;
pub(crate) mod axis;
pub(crate) mod capacity;
pub(crate) mod chaos;
pub(crate) mod clock;
pub mod curve;
pub mod depgraph;
pub mod distribution;
pub mod explain;
pub(crate) mod fit;
pub mod forest;
pub mod gantt;
pub mod heatmap;
pub mod perapp;
pub(crate) mod phases;
pub mod png;
pub mod present;
#[doc(hidden)]
pub mod svg;
pub(crate) mod sweep;

use crate::model::Method;
use svg::{Anchor, FONT_PX, Svg, num, text_width};

/// Okabe-Ito, ordered for lines on white: the yellow, weakest on white,
/// comes last.
pub(crate) const SERIES_COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

/// Dash patterns, one per series (series beyond the eighth shift by one,
/// so that no two of the first 64 share colour and dash).
const DASHES: [&str; 8] = [
    "",
    "8 4",
    "2 3",
    "10 3 2 3",
    "5 5",
    "12 3 2 3 2 3",
    "1 5",
    "4 2",
];

/// The marker symbols, one per series, in the order of [`SERIES_COLOURS`].
pub(crate) const SYMBOLS: [&str; 8] = [
    "circle",
    "square",
    "triangle",
    "diamond",
    "triangle-down",
    "plus",
    "cross",
    "star",
];

/// Okabe-Ito again, in another order for recovery methods, so that a
/// method keeps its colour whatever the strategies on the same page.
pub(crate) const METHOD_COLOURS: [&str; 8] = [
    "#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#000000",
];

/// Grey for context: grid lines, off-shift time, markers.
pub(crate) const GRID_GREY: &str = "#e3e3e3";
/// Text and axes.
pub(crate) const INK: &str = "#222222";

/// The colour and dash of the `i`-th series.
pub fn series_style(i: usize) -> (&'static str, &'static str) {
    (
        SERIES_COLOURS[i % SERIES_COLOURS.len()],
        DASHES[(i + i / SERIES_COLOURS.len()) % DASHES.len()],
    )
}

/// The marker symbol of the `i`-th series (one of eight shapes, in turn).
pub(crate) fn series_symbol(i: usize) -> &'static str {
    SYMBOLS[i % SYMBOLS.len()]
}

/// Draws the `i`-th series' symbol centred at `(x, y)`, about 9 px wide,
/// filled with `colour` and rimmed in white so that it stands out of the
/// lines under it. Its class names the symbol.
#[cfg(test)]
fn draw_symbol(svg: &mut Svg, i: usize, at: (f64, f64), colour: &str) {
    draw_symbol_on(svg, &Canvas::standard(), i, at, colour);
}

/// `draw_symbol` as large as the lines of `canvas`.
pub(crate) fn draw_symbol_on(
    svg: &mut Svg,
    c: &Canvas,
    i: usize,
    (x, y): (f64, f64),
    colour: &str,
) {
    let r = c.line(4.5);
    let shape: Vec<(f64, f64)> = match series_symbol(i) {
        "square" => vec![(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
        "triangle" => vec![(0.0, -1.1), (1.0, 0.75), (-1.0, 0.75)],
        "diamond" => vec![(0.0, -1.15), (1.0, 0.0), (0.0, 1.15), (-1.0, 0.0)],
        "triangle-down" => vec![(0.0, 1.1), (1.0, -0.75), (-1.0, -0.75)],
        "plus" => {
            let (a, b) = (0.35, 1.05);
            vec![
                (-a, -b),
                (a, -b),
                (a, -a),
                (b, -a),
                (b, a),
                (a, a),
                (a, b),
                (-a, b),
                (-a, a),
                (-b, a),
                (-b, -a),
                (-a, -a),
            ]
        }
        "cross" => {
            let (a, b) = (0.5, 1.0);
            vec![
                (-b, -b + a),
                (-b + a, -b),
                (0.0, -a),
                (b - a, -b),
                (b, -b + a),
                (a, 0.0),
                (b, b - a),
                (b - a, b),
                (0.0, a),
                (-b + a, b),
                (-b, b - a),
                (-a, 0.0),
            ]
        }
        "star" => (0..10)
            .map(|k| {
                let angle = std::f64::consts::PI * (k as f64 / 5.0 - 0.5);
                let radius = if k % 2 == 0 { 1.2 } else { 0.5 };
                (radius * angle.cos(), radius * angle.sin())
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut attrs = if shape.is_empty() {
        vec![("cx", num(x)), ("cy", num(y)), ("r", num(r * 0.95))]
    } else {
        let points: Vec<String> = shape
            .iter()
            .map(|(dx, dy)| format!("{},{}", num(x + dx * r), num(y + dy * r)))
            .collect();
        vec![("points", points.join(" "))]
    };
    attrs.extend([
        ("class", format!("symbol {}", series_symbol(i))),
        ("fill", colour.to_string()),
        ("stroke", "#ffffff".to_string()),
        ("stroke-width", num(c.line(1.0))),
    ]);
    svg.empty(
        if shape.is_empty() {
            "circle"
        } else {
            "polygon"
        },
        &attrs,
    );
}

/// Places labels wanted at `wanted` (their centre's y, and their height)
/// between `top` and `bottom` so that no two overlap: each moves as little
/// as it can, in the order of `wanted` (sorted top to bottom by the
/// caller's index order is kept). Returns each label's centre.
pub(crate) fn nudge_apart(wanted: &[(f64, f64)], top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].0.total_cmp(&wanted[b].0).then(a.cmp(&b)));
    let mut y = vec![0.0; wanted.len()];
    // Down from the top: each below the one above it.
    let mut next = top;
    for &i in &order {
        let (want, h) = wanted[i];
        y[i] = want.max(next + h / 2.0);
        next = y[i] + h / 2.0;
    }
    // Up from the bottom: none past it, each above the one below.
    let mut limit = bottom;
    for &i in order.iter().rev() {
        let h = wanted[i].1;
        y[i] = y[i].min(limit - h / 2.0);
        limit = y[i] - h / 2.0;
    }
    y
}

/// The colour of a recovery method: by its position in [`Method::ALL`],
/// so a new method gets the next colour without touching the charts.
pub fn method_colour(m: Method) -> &'static str {
    let i = Method::ALL.iter().position(|x| *x == m).unwrap_or(0);
    METHOD_COLOURS[i % METHOD_COLOURS.len()]
}

/// The relative luminance (WCAG 2) of `#rrggbb` laid at `opacity` over
/// white; `None` for anything else.
fn luminance(hex: &str, opacity: f64) -> Option<f64> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let v = f64::from(u8::from_str_radix(h.get(i..i + 2)?, 16).ok()?) / 255.0;
        let v = 1.0 - (1.0 - v) * opacity.clamp(0.0, 1.0);
        Some(if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// The colour of text written on a bar of `fill` at `opacity`: ink or
/// white, whichever contrasts more with it (WCAG contrast ratio), so that
/// a label on a dark bar is not black on black.
pub(crate) fn ink_on(fill: &str, opacity: f64) -> &'static str {
    let (Some(bg), Some(ink)) = (luminance(fill, opacity), luminance(INK, 1.0)) else {
        return INK;
    };
    let with_white = 1.05 / (bg + 0.05);
    let with_ink = (bg + 0.05) / (ink + 0.05);
    if with_white > with_ink {
        "#ffffff"
    } else {
        INK
    }
}

/// Default width of every chart, in pixels.
pub(crate) const WIDTH: f64 = 960.0;

/// The page a chart is laid out for: its logical size, how large its type
/// and lines are, and how many labelled ticks an axis may have. Every size
/// a chart draws is read from here, so that [`Canvas::slide`] re-lays a
/// chart out for a slide (larger type, thicker lines, fewer ticks, a 16:9
/// page filled by the plot) where scaling it up would only enlarge it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Canvas {
    /// The chart's width, in logical pixels.
    pub width: f64,
    /// The whole chart's height when the page fixes it (the plot takes
    /// what the title, axes, legend and footer leave), `None` for a chart
    /// as tall as its content.
    pub height: Option<f64>,
    /// Ordinary text.
    pub font_px: f64,
    /// The chart's title.
    pub title_px: f64,
    /// No text smaller than this.
    pub min_px: f64,
    /// Lines and markers are this many times as thick as on a standard chart.
    pub stroke: f64,
    /// At most this many labelled ticks on an axis.
    pub max_ticks: usize,
    /// The band above the title that names the scenario and its dates.
    pub context_h: f64,
    /// Lines the subtitle may take (wrapped between words).
    pub subtitle_lines: usize,
}

impl Canvas {
    /// The standard chart: 960 px wide, 12 px type, as tall as it needs,
    /// as in the HTML report.
    pub const fn standard() -> Self {
        Canvas {
            width: WIDTH,
            height: None,
            font_px: svg::FONT_PX,
            title_px: 15.0,
            min_px: 0.0,
            stroke: 1.0,
            max_ticks: usize::MAX,
            context_h: 22.0,
            subtitle_lines: 1,
        }
    }

    /// A 16:9 slide: 960 × 540 logical pixels (shown at 1920 × 1080, twice
    /// that), 13 px type and 18.5 px titles (26 and 37 px on the slide), no
    /// text under 12.5 px, lines 1.6 times as thick, at most six labelled
    /// ticks per axis, a subtitle of up to two lines.
    pub const fn slide() -> Self {
        Canvas {
            width: WIDTH,
            height: Some(540.0 - 28.0),
            font_px: 13.0,
            title_px: 18.5,
            min_px: 12.5,
            stroke: 1.6,
            max_ticks: 6,
            context_h: 28.0,
            subtitle_lines: 2,
        }
    }

    /// The canvas of a preset.
    pub fn of(preset: present::Preset) -> Self {
        match preset {
            present::Preset::Standard => Canvas::standard(),
            present::Preset::Slide => Canvas::slide(),
        }
    }

    /// How much larger than standard the type is (exactly 1 on standard).
    fn k(&self) -> f64 {
        self.font_px / svg::FONT_PX
    }

    /// A length that grows with the type (a row, a gap, a margin): `x` as
    /// it is on a standard chart.
    pub fn len(&self, x: f64) -> f64 {
        x * self.k()
    }

    /// A font size for text `px` high on a standard chart.
    pub fn px(&self, px: f64) -> f64 {
        (px * self.k()).max(self.min_px)
    }

    /// A line `w` wide on a standard chart.
    pub fn line(&self, w: f64) -> f64 {
        w * self.stroke
    }

    /// At most `wanted` ticks for the axis's nice range, which may add one
    /// at each end of the ticks it is asked for: still within the canvas's.
    pub fn range_ticks(&self, wanted: usize) -> usize {
        wanted.min(self.max_ticks.saturating_sub(1))
    }

    /// The height of the title and subtitle.
    fn title_h(&self) -> f64 {
        self.len(TITLE_H) + self.title_px - self.len(15.0)
            + (self.subtitle_lines - 1) as f64 * self.len(SUBTITLE_ROW)
    }

    /// At most `wanted` ticks, and at most the canvas's.
    pub fn ticks(&self, wanted: usize) -> usize {
        wanted.min(self.max_ticks)
    }
}

impl Default for Canvas {
    fn default() -> Self {
        Canvas::standard()
    }
}

/// What a chart function is told about where the chart goes: the canvas
/// it is laid out on and the command that reproduces it (its footer;
/// empty for none). A bare command is a standard chart.
#[derive(Clone, Copy, Debug, Default)]
pub struct Page<'a> {
    /// The command line that reproduces the chart.
    pub command: &'a str,
    /// The canvas.
    pub canvas: Canvas,
}

impl<'a> Page<'a> {
    /// A chart on `canvas`, reproduced by `command`.
    pub fn new(command: &'a str, canvas: Canvas) -> Self {
        Page { command, canvas }
    }

    /// A layout on this page's canvas with its command as the footer (see
    /// [`Layout::on`]).
    pub(crate) fn layout(
        &self,
        width: f64,
        plot_h: f64,
        left: Option<f64>,
        markers: &[Marker],
        legend: &[LegendEntry],
    ) -> Layout {
        Layout::on(self.canvas, width, plot_h, left, None, markers, legend)
            .reproduced_by(self.command)
    }
}

impl<'a> From<&'a str> for Page<'a> {
    fn from(command: &'a str) -> Self {
        Page::new(command, Canvas::standard())
    }
}

impl<'a> From<&'a String> for Page<'a> {
    fn from(command: &'a String) -> Self {
        Page::new(command, Canvas::standard())
    }
}

/// The plotting area inside a chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Frame {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Frame {
    /// The x pixel of `v` on a linear scale from `lo` (left) to `hi` (right).
    pub fn x_of(&self, v: f64, lo: f64, hi: f64) -> f64 {
        if hi <= lo {
            return self.x;
        }
        self.x + (v - lo) / (hi - lo) * self.w
    }

    /// The y pixel of `v` on a linear scale from `lo` (bottom) to `hi` (top).
    pub fn y_of(&self, v: f64, lo: f64, hi: f64) -> f64 {
        if hi <= lo {
            return self.y + self.h;
        }
        self.y + self.h - (v - lo) / (hi - lo) * self.h
    }

    /// The bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// What a legend entry shows beside its label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Swatch {
    /// A line of this colour and dash.
    Line(&'static str, &'static str),
    /// A filled box of this colour and opacity.
    Fill(&'static str, f64),
    /// Nothing: a note in the legend.
    Note,
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LegendEntry {
    /// What it shows.
    pub swatch: Swatch,
    /// Its label.
    pub label: String,
}

const LEGEND_ROW: f64 = 18.0;
const MARKER_ROW: f64 = 15.0;
const TITLE_H: f64 = 52.0;
const X_AXIS_H: f64 = 58.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 24.0;
/// A line of the reproducing command under the subtitle.
const COMMAND_ROW: f64 = 15.0;
/// What the reproducing command is introduced by, on its first line.
const COMMAND_LABEL: &str = "reproduce:";
/// The reproducing command's font size.
const COMMAND_PX: f64 = FONT_PX - 1.0;
/// The distance between two lines of a subtitle.
const SUBTITLE_ROW: f64 = 15.0;
/// The lowest a plot gets on a page of fixed height for a footer.
const MIN_PLOT_H: f64 = 120.0;

/// A vertical marker (an incident, an objective) at a fraction of the
/// plot's width, labelled above the plot.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Marker {
    /// Where, from 0 (left edge) to 1 (right edge); outside is not drawn.
    pub at: f64,
    /// Its label.
    pub label: String,
    /// Line colour.
    pub colour: &'static str,
    /// Line dash.
    pub dash: &'static str,
}

/// Solid markers at incidents, placed by `frac` (0 at the left edge, 1 at
/// the right).
pub(crate) fn incident_markers(
    incidents: &[crate::montecarlo::IncidentMark],
    frac: impl Fn(crate::sim::SimTime) -> f64,
) -> Vec<Marker> {
    incidents
        .iter()
        .map(|i| Marker {
            at: frac(i.at),
            label: i.label.clone(),
            colour: INK,
            dash: "",
        })
        .collect()
}

/// Where everything goes in a chart: the title, the command that
/// reproduces it, marker labels in as many rows as they need not to
/// overlap, the plot, the x axis, the legend.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// Whole chart width.
    pub width: f64,
    /// Whole chart height.
    pub height: f64,
    /// The plot area.
    pub frame: Frame,
    /// The page it is laid out for.
    pub canvas: Canvas,
    /// Where the marker labels start: below the title and subtitle.
    top: f64,
    /// The reproducing command, in lines.
    command: Vec<String>,
    marker_rows: Vec<MarkerLabel>,
    legend_rows: Vec<Vec<(f64, usize)>>,
    legend_y: f64,
}

/// The shell words of `command`: split at the spaces outside single
/// quotes, so that a quoted path with a space stays one word.
fn shell_words(command: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in command.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !quoted => escaped = true,
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if i > start {
                    words.push(&command[start..i]);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < command.len() {
        words.push(&command[start..]);
    }
    words
}

/// `command` in lines at most `width` wide, broken only before an option
/// (a word that starts with `-`), so that an option stays with its value,
/// each line but the last ending in ` \`: pasted into a shell, the lines
/// are one command. A part wider than `width` gets a line of its own. No
/// lines for an empty command.
fn command_lines(command: &str, width: f64, font_px: f64) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for word in shell_words(command) {
        match parts.last_mut() {
            Some(part) if !word.starts_with('-') => {
                part.push(' ');
                part.push_str(word);
            }
            _ => parts.push(word.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for part in parts {
        if line.is_empty() {
            line = part;
        } else if text_width(&format!("{line} {part} \\"), font_px) <= width {
            line = format!("{line} {part}");
        } else {
            lines.push(format!("{line} \\"));
            line = part;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Where a marker's label goes: its row above the plot (0 the highest)
/// and where its text starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MarkerLabel {
    /// Its row above the plot, 0 the highest.
    pub row: usize,
    /// The x pixel its text starts at.
    pub x: f64,
}

/// Places the labels of `markers` above a plot from `left` to `left +
/// plot_w`, the chart ending at `right_edge`. A label starts at its line;
/// one that would pass the right edge ends at its line instead, and one
/// too long for either ends at the right edge. A marker's line runs from
/// its label down to the plot, so a label that spans another marker's line
/// goes above that marker's label: each label goes in the highest row
/// below every label spanning its line where it overlaps no other label.
/// A marker without a label takes no row: its line is drawn in the plot
/// only (a label nearby names it with others).
/// Returns each marker's place and the number of rows.
fn place_marker_labels(
    markers: &[Marker],
    left: f64,
    plot_w: f64,
    right_edge: f64,
    font_px: f64,
) -> (Vec<MarkerLabel>, usize) {
    let shown: Vec<usize> = (0..markers.len())
        .filter(|&i| (0.0..=1.0).contains(&markers[i].at) && !markers[i].label.is_empty())
        .collect();
    let x: Vec<f64> = markers.iter().map(|m| left + m.at * plot_w).collect();
    let start: Vec<f64> = markers
        .iter()
        .zip(&x)
        .map(|(m, &x)| {
            let w = text_width(&m.label, font_px);
            if x + 2.0 + w <= right_edge {
                x + 2.0
            } else if x - 2.0 - w >= 0.0 {
                x - 2.0 - w
            } else {
                (right_edge - w).max(0.0)
            }
        })
        .collect();
    // Each label's span, with a gap around it.
    let span: Vec<(f64, f64)> = markers
        .iter()
        .zip(&start)
        .map(|(m, &s)| (s - 3.0, s + text_width(&m.label, font_px) + 3.0))
        .collect();
    // Whether label `j` spans the line of marker `i`.
    let spans_line = |j: usize, i: usize| j != i && span[j].0 <= x[i] && x[i] <= span[j].1;
    let mut out = vec![MarkerLabel { row: 0, x: left }; markers.len()];
    let mut row: Vec<Option<usize>> = vec![None; markers.len()];
    let leftmost = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)))
    };
    for _ in 0..shown.len() {
        // The leftmost marker whose line is spanned only by placed labels
        // (any unplaced one if labels span each other's lines).
        let unplaced = || shown.iter().copied().filter(|&i| row[i].is_none());
        let ready = leftmost(
            &mut unplaced()
                .filter(|&i| shown.iter().all(|&j| !spans_line(j, i) || row[j].is_some())),
        );
        let Some(i) = ready.or_else(|| leftmost(&mut unplaced())) else {
            break;
        };
        let below = shown
            .iter()
            .filter(|&&j| spans_line(j, i))
            .filter_map(|&j| row[j])
            .map(|r| r + 1)
            .max()
            .unwrap_or(0);
        let free = |r: usize| {
            shown
                .iter()
                .all(|&j| row[j] != Some(r) || span[j].1 <= span[i].0 || span[i].1 <= span[j].0)
        };
        let r = (below..).find(|&r| free(r)).unwrap_or(below);
        row[i] = Some(r);
        out[i] = MarkerLabel {
            row: r,
            x: start[i],
        };
    }
    let rows = row.iter().flatten().map(|r| r + 1).max().unwrap_or(0);
    (out, rows)
}

impl Layout {
    /// Lays out a chart `width` wide with a plot `plot_h` high.
    #[cfg(test)]
    pub fn new(
        width: f64,
        plot_h: f64,
        left: Option<f64>,
        markers: &[Marker],
        legend: &[LegendEntry],
    ) -> Self {
        Self::on(
            Canvas::standard(),
            width,
            plot_h,
            left,
            None,
            markers,
            legend,
        )
    }

    /// Lays out a chart `width` wide on `canvas`, `left` and `right`
    /// pixels beside its plot (defaults when `None`). The plot is `plot_h`
    /// high, or on a canvas of fixed height whatever the title, markers,
    /// axis and legend leave of it (at least `plot_h` / 3), so that the
    /// chart fills the page.
    pub fn on(
        canvas: Canvas,
        width: f64,
        plot_h: f64,
        left: Option<f64>,
        right: Option<f64>,
        markers: &[Marker],
        legend: &[LegendEntry],
    ) -> Self {
        let c = canvas;
        let left = left.unwrap_or(c.len(LEFT));
        let right = right.unwrap_or(0.0).max(c.len(RIGHT));
        let plot_w = width - left - right;
        let (marker_rows, rows) = place_marker_labels(
            markers,
            left,
            plot_w,
            width - c.len(RIGHT),
            c.px(FONT_PX - 1.0),
        );
        let marker_h = rows as f64 * c.len(MARKER_ROW) + if markers.is_empty() { 0.0 } else { 4.0 };
        let mut frame = Frame {
            x: left,
            y: c.title_h() + marker_h,
            w: plot_w,
            h: plot_h,
        };
        // Legend entries flow left to right, wrapping at the chart width.
        let mut legend_rows: Vec<Vec<(f64, usize)>> = vec![Vec::new()];
        let mut x = left;
        for (i, e) in legend.iter().enumerate() {
            let swatch = if e.swatch == Swatch::Note {
                0.0
            } else {
                c.len(30.0)
            };
            let w = swatch + text_width(&e.label, c.font_px) + c.len(18.0);
            if x + w > width - c.len(RIGHT) && x > left {
                legend_rows.push(Vec::new());
                x = left;
            }
            if let Some(row) = legend_rows.last_mut() {
                row.push((x, i));
            }
            x += w;
        }
        if legend.is_empty() {
            legend_rows.clear();
        }
        let below = c.len(X_AXIS_H) + legend_rows.len() as f64 * c.len(LEGEND_ROW) + 10.0;
        if let Some(page_h) = c.height {
            frame.h = (page_h - frame.y - below).max(plot_h / 3.0);
        }
        let legend_y = frame.bottom() + c.len(X_AXIS_H);
        let height = frame.bottom() + below;
        Layout {
            width,
            height,
            frame,
            canvas,
            top: c.title_h(),
            command: Vec::new(),
            marker_rows,
            legend_rows,
            legend_y,
        }
    }

    /// The same layout with the command that reproduces the chart as its
    /// footer, below the legend (see `command_lines`), the chart made
    /// taller for it (on a canvas of fixed height, the plot shorter). An
    /// empty command adds nothing: the caller knows the command, the chart
    /// does not guess it.
    pub fn reproduced_by(mut self, command: &str) -> Self {
        let c = self.canvas;
        self.command = command_lines(
            command,
            self.width - self.command_x() - c.len(RIGHT),
            c.px(COMMAND_PX),
        );
        let extra = self.command.len() as f64 * c.len(COMMAND_ROW);
        let taken = if c.height.is_some() {
            extra.min((self.frame.h - self.frame.h.min(MIN_PLOT_H)).max(0.0))
        } else {
            0.0
        };
        self.frame.h -= taken;
        self.legend_y -= taken;
        self.height += extra - taken;
        self
    }

    /// Where the title, subtitle and footer start: the plot's left edge,
    /// or on a canvas of fixed height (a slide) the left margin, so that
    /// a wide column of row labels does not push them off the page.
    fn text_x(&self) -> f64 {
        if self.canvas.height.is_some() {
            self.frame.x.min(self.canvas.len(16.0))
        } else {
            self.frame.x
        }
    }

    /// Where the lines of the reproducing command start, after its label.
    fn command_x(&self) -> f64 {
        self.text_x() + text_width(COMMAND_LABEL, self.canvas.font_px) + self.canvas.len(6.0)
    }

    /// The subtitle's lines: as it is on a canvas of one subtitle line,
    /// else wrapped at the chart's right margin into as many lines as the
    /// canvas allows, the last cut short with `…` if it must be.
    fn subtitle_lines(&self, subtitle: &str) -> Vec<String> {
        let c = self.canvas;
        if subtitle.is_empty() {
            return Vec::new();
        }
        if c.subtitle_lines <= 1 {
            return vec![subtitle.to_string()];
        }
        let room = self.width - self.text_x() - c.len(RIGHT);
        let mut lines = heatmap::wrap(subtitle, room, c.font_px);
        if lines.len() > c.subtitle_lines {
            lines.truncate(c.subtitle_lines);
            if let Some(last) = lines.last_mut() {
                while !last.is_empty() && text_width(&format!("{last} …"), c.font_px) > room {
                    last.pop();
                }
                last.push_str(" …");
            }
        }
        lines
    }

    /// A new document of this size, with the title, a subtitle and the
    /// reproducing command, if any, as its footer.
    pub fn start(&self, title: &str, subtitle: &str) -> Svg {
        let c = self.canvas;
        let mut svg = Svg::with_font(self.width, self.height, title, c.font_px);
        let x = self.text_x();
        svg.text_styled(
            x,
            c.len(20.0),
            title,
            Anchor::Start,
            &[
                ("font-size", num(c.title_px)),
                ("font-weight", "bold".into()),
            ],
        );
        let first = c.len(36.0) + (c.title_px - c.len(15.0));
        for (i, line) in self.subtitle_lines(subtitle).iter().enumerate() {
            svg.text_styled(
                x,
                first + i as f64 * c.len(SUBTITLE_ROW),
                line,
                Anchor::Start,
                &[("fill", "#555555".into())],
            );
        }
        if !self.command.is_empty() {
            // The label apart from the command, so that selecting the
            // command's lines copies nothing else.
            svg.open(&[("class", "command".into())]);
            let row = c.len(COMMAND_ROW);
            let first = self.height - self.command.len() as f64 * row - 4.0;
            let y = |i: usize| first + (i as f64 + 1.0) * row;
            svg.text_styled(
                x,
                y(0),
                COMMAND_LABEL,
                Anchor::Start,
                &[("fill", "#555555".into())],
            );
            for (i, line) in self.command.iter().enumerate() {
                svg.text_styled(
                    self.command_x(),
                    y(i),
                    line,
                    Anchor::Start,
                    &[("font-size", num(c.px(COMMAND_PX))), ("fill", INK.into())],
                );
            }
            svg.close();
        }
        svg
    }

    /// The y axis: grid lines and labels at `ticks` (value, label) on a
    /// scale from `lo` to `hi`, and the axis title (with its unit).
    pub fn y_axis(&self, svg: &mut Svg, ticks: &[(f64, String)], lo: f64, hi: f64, title: &str) {
        let (f, c) = (self.frame, self.canvas);
        svg.open(&[("class", "y-axis".into())]);
        for (v, label) in ticks {
            let y = f.y_of(*v, lo, hi);
            svg.line((f.x, y), (f.x + f.w, y), GRID_GREY, c.line(1.0));
            svg.text(f.x - c.len(6.0), y + c.len(4.0), label, Anchor::End);
        }
        let x = c.len(16.0);
        svg.text_styled(
            x,
            f.y + f.h / 2.0,
            title,
            Anchor::Middle,
            &[(
                "transform",
                format!("rotate(-90 {} {})", num(x), num(f.y + f.h / 2.0)),
            )],
        );
        svg.close();
    }

    /// The x axis: the frame's bottom line, ticks at pixel positions with
    /// one or two label lines, and the axis title.
    pub fn x_axis(&self, svg: &mut Svg, ticks: &[(f64, String, Option<String>)], title: &str) {
        let (f, c) = (self.frame, self.canvas);
        svg.open(&[("class", "x-axis".into())]);
        // A label centred on a tick near an edge would be cut off by it:
        // such labels end (or start) at their tick instead.
        let place = |x: f64, text: &str| {
            let half = text_width(text, c.font_px) / 2.0;
            if x + half > self.width {
                (x, Anchor::End)
            } else if x - half < 0.0 {
                (x, Anchor::Start)
            } else {
                (x, Anchor::Middle)
            }
        };
        for (x, label, second) in ticks {
            svg.line((*x, f.y), (*x, f.bottom()), GRID_GREY, c.line(1.0));
            svg.line(
                (*x, f.bottom()),
                (*x, f.bottom() + c.len(4.0)),
                INK,
                c.line(1.0),
            );
            let (lx, anchor) = place(*x, label);
            svg.text(lx, f.bottom() + c.len(17.0), label, anchor);
            if let Some(s) = second {
                let (sx, anchor) = place(*x, s);
                svg.text(sx, f.bottom() + c.len(31.0), s, anchor);
            }
        }
        svg.line((f.x, f.bottom()), (f.x + f.w, f.bottom()), INK, c.line(1.0));
        svg.line((f.x, f.y), (f.x, f.bottom()), INK, c.line(1.0));
        // Centred under the plot, but moved in rather than cut off when the
        // title is wider than the plot (a plot narrowed by line labels).
        let half = text_width(title, c.font_px) / 2.0;
        let centre = (f.x + f.w / 2.0)
            .min(self.width - half - 2.0)
            .max(half + 2.0);
        svg.text(centre, f.bottom() + c.len(50.0), title, Anchor::Middle);
        svg.close();
    }

    /// The vertical markers and their labels (pass the same markers as to
    /// [`Layout::new`]).
    pub fn markers(&self, svg: &mut Svg, markers: &[Marker]) {
        let (f, c) = (self.frame, self.canvas);
        let font = c.px(FONT_PX - 1.0);
        svg.open(&[("class", "markers".into())]);
        let label_y = |row: usize| self.top + (row as f64 + 1.0) * c.len(MARKER_ROW) - 3.0;
        let shown = || {
            markers
                .iter()
                .zip(&self.marker_rows)
                .filter(|(m, _)| (0.0..=1.0).contains(&m.at))
        };
        // Every line first, then every label over them (with a white halo),
        // so that no line is drawn across a label.
        for (m, place) in shown() {
            let x = f.x + m.at * f.w;
            let top = if m.label.is_empty() {
                f.y
            } else {
                label_y(place.row) + 3.0
            };
            svg.line_dashed((x, top), (x, f.bottom()), m.colour, c.line(1.2), m.dash);
        }
        for (m, place) in shown().filter(|(m, _)| !m.label.is_empty()) {
            // A label that ends at its line is anchored there, so that it
            // meets its line whatever the font's real width.
            let line_x = f.x + m.at * f.w;
            let (x, anchor) = if (line_x - 2.0 - place.x - text_width(&m.label, font)).abs() < 0.01
            {
                (line_x - 2.0, Anchor::End)
            } else {
                (place.x, Anchor::Start)
            };
            svg.text_styled(
                x,
                label_y(place.row),
                &m.label,
                anchor,
                &[
                    ("font-size", num(font)),
                    ("fill", m.colour.into()),
                    ("stroke", "#ffffff".into()),
                    ("stroke-width", num(c.line(3.0))),
                    ("paint-order", "stroke".into()),
                ],
            );
        }
        svg.close();
    }

    /// The legend below the x axis.
    pub fn legend(&self, svg: &mut Svg, legend: &[LegendEntry]) {
        let c = self.canvas;
        svg.open(&[("class", "legend".into())]);
        for (r, row) in self.legend_rows.iter().enumerate() {
            let y = self.legend_y + r as f64 * c.len(LEGEND_ROW);
            for &(x, i) in row {
                let e = &legend[i];
                match e.swatch {
                    Swatch::Line(colour, dash) => svg.line_dashed(
                        (x, y + c.len(6.0)),
                        (x + c.len(24.0), y + c.len(6.0)),
                        colour,
                        c.line(2.5),
                        dash,
                    ),
                    Swatch::Note => {}
                    Swatch::Fill(colour, opacity) => svg.empty(
                        "rect",
                        &[
                            ("x", num(x)),
                            ("y", num(y)),
                            ("width", num(c.len(24.0))),
                            ("height", num(c.len(12.0))),
                            ("fill", colour.into()),
                            ("fill-opacity", format!("{opacity}")),
                        ],
                    ),
                }
                let at = if e.swatch == Swatch::Note {
                    x
                } else {
                    x + c.len(30.0)
                };
                svg.text(at, y + c.len(10.5), &e.label, Anchor::Start);
            }
        }
        svg.close();
    }
}
/// A message in the middle of an empty plot, so that a chart with no data
/// says so instead of looking broken.
pub(crate) fn no_data(svg: &mut Svg, frame: &Frame, message: &str) {
    svg.text_styled(
        frame.x + frame.w / 2.0,
        frame.y + frame.h / 2.0,
        message,
        Anchor::Middle,
        &[("fill", "#555555".into())],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_get_distinct_colours() {
        let colours: std::collections::BTreeSet<_> =
            Method::ALL.iter().map(|m| method_colour(*m)).collect();
        assert_eq!(colours.len(), Method::ALL.len().min(METHOD_COLOURS.len()));
    }

    #[test]
    fn text_on_a_bar_contrasts_with_it() {
        assert_eq!(ink_on(INK, 1.0), "#ffffff");
        assert_eq!(ink_on("#000000", 1.0), "#ffffff");
        assert_eq!(ink_on("#0072B2", 1.0), "#ffffff");
        assert_eq!(ink_on("#E69F00", 1.0), INK);
        assert_eq!(ink_on("#56B4E9", 1.0), INK);
        // A dark bar made pale reads in ink again.
        assert_eq!(ink_on(INK, 0.2), INK);
        for c in METHOD_COLOURS.iter().chain(&SERIES_COLOURS) {
            let (bg, text) = (
                luminance(c, 1.0).unwrap_or(0.0),
                luminance(ink_on(c, 1.0), 1.0).unwrap_or(0.0),
            );
            let ratio = (bg.max(text) + 0.05) / (bg.min(text) + 0.05);
            assert!(ratio >= 3.0, "{c}: contrast {ratio}");
        }
    }

    #[test]
    fn every_series_has_its_own_colour_dash_and_symbol() {
        assert_eq!(series_style(0), ("#0072B2", ""));
        assert_eq!(series_style(8).0, series_style(0).0);
        assert_ne!(series_style(8).1, series_style(0).1);
        let styles: std::collections::BTreeSet<_> = (0..64).map(series_style).collect();
        assert_eq!(styles.len(), 64);
        let dashes: std::collections::BTreeSet<_> = (0..8).map(|i| series_style(i).1).collect();
        assert_eq!(dashes.len(), 8);
        let symbols: std::collections::BTreeSet<_> = (0..8).map(series_symbol).collect();
        assert_eq!(symbols.len(), 8);
        for i in 0..8 {
            let mut svg = Svg::new(20.0, 20.0, "t");
            draw_symbol(&mut svg, i, (10.0, 10.0), INK);
            assert!(svg.finish().contains(series_symbol(i)));
        }
    }

    #[test]
    fn nudged_labels_do_not_overlap_and_stay_inside() {
        let wanted = [
            (50.0, 14.0),
            (52.0, 14.0),
            (51.0, 26.0),
            (195.0, 14.0),
            (199.0, 14.0),
        ];
        let y = nudge_apart(&wanted, 0.0, 200.0);
        for i in 0..y.len() {
            assert!(y[i] - wanted[i].1 / 2.0 >= 0.0 && y[i] + wanted[i].1 / 2.0 <= 200.0);
            for j in 0..i {
                let gap = (y[i] - y[j]).abs();
                assert!(gap + 1e-9 >= (wanted[i].1 + wanted[j].1) / 2.0, "{y:?}");
            }
        }
        // A label with room stays where it is wanted.
        assert_eq!(nudge_apart(&[(80.0, 14.0)], 0.0, 200.0), vec![80.0]);
    }

    #[test]
    fn close_marker_labels_go_on_separate_rows() {
        let m = |at: f64| Marker {
            at,
            label: "incident 1 (socle-2018-a)".into(),
            colour: INK,
            dash: "",
        };
        let lay = Layout::new(WIDTH, 300.0, None, &[m(0.1), m(0.12), m(0.8)], &[]);
        let rows: Vec<usize> = lay.marker_rows.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![0, 1, 0]);
        let lone = Layout::new(WIDTH, 300.0, None, &[m(0.1)], &[]);
        assert!(lay.frame.y > lone.frame.y);
    }

    #[test]
    fn marker_labels_stay_inside_and_no_line_crosses_a_label() {
        let m = |at: f64, label: &str| Marker {
            at,
            label: label.into(),
            colour: INK,
            dash: "",
        };
        let markers = [
            m(0.05, "incident 1 (socle-2018-a)"),
            m(0.3, "incident 2 (socle-2018-b)"),
            m(0.33, "RTO tier 1 4h (incident 2)"),
            m(0.36, "RTO tier 2 1d (incident 2)"),
            m(0.97, "RTO everything 3d (incident 2)"),
            m(0.99, "RTO archive 3d 4h (incident 2)"),
        ];
        let lay = Layout::new(WIDTH, 300.0, None, &markers, &[]);
        let f = lay.frame;
        let spans: Vec<(f64, f64, f64, usize)> = markers
            .iter()
            .zip(&lay.marker_rows)
            .map(|(m, p)| {
                let x = f.x + m.at * f.w;
                let (a, b) = (p.x, p.x + text_width(&m.label, FONT_PX - 1.0));
                assert!(a >= 0.0 && b <= WIDTH, "{} is cut: {a}..{b}", m.label);
                (x, a, b, p.row)
            })
            .collect();
        // Near the right edge a label ends at its line; a label too long
        // for either side still stays inside.
        assert!(lay.marker_rows[5].x < f.x + markers[5].at * f.w);
        assert!(lay.marker_rows[0].x > f.x + markers[0].at * f.w);
        let long = m(
            0.5,
            &"RTO internet services, a day of data at most ".repeat(3),
        );
        let lay = Layout::new(WIDTH, 300.0, None, std::slice::from_ref(&long), &[]);
        assert!(lay.marker_rows[0].x >= 0.0);
        for (i, &(x, _, _, row)) in spans.iter().enumerate() {
            for (j, &(_, a, b, other_row)) in spans.iter().enumerate() {
                if i == j {
                    continue;
                }
                // A line runs from its label down: it must not cross a
                // label in a lower row, nor overlap one in its own.
                assert!(
                    !(a <= x && x <= b && other_row >= row),
                    "the line of {} crosses the label of {}",
                    markers[i].label,
                    markers[j].label
                );
            }
        }
    }

    #[test]
    fn a_long_command_wraps_before_options_with_continuations() {
        let command = "hvsim run '/tmp/my scenarios/it'\\''s here.yaml' --faults x.yaml --strategy s --seed 1";
        assert_eq!(
            shell_words(command),
            vec![
                "hvsim",
                "run",
                "'/tmp/my scenarios/it'\\''s here.yaml'",
                "--faults",
                "x.yaml",
                "--strategy",
                "s",
                "--seed",
                "1"
            ]
        );
        // Wide enough for everything: one line, the command as it is.
        assert_eq!(
            command_lines(command, 2_000.0, COMMAND_PX),
            vec![command.to_string()]
        );
        // Narrow: no word is cut, an option keeps its value, every line
        // but the last continues.
        let lines = command_lines(command, 200.0, COMMAND_PX);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[2], "--strategy s --seed 1");
        for line in &lines[..lines.len() - 1] {
            assert!(line.ends_with(" \\"), "{line}");
        }
        let joined: Vec<&str> = lines
            .iter()
            .map(|l| l.strip_suffix(" \\").unwrap_or(l))
            .collect();
        assert_eq!(joined.join(" "), command);
        assert!(command_lines("", 200.0, COMMAND_PX).is_empty());
    }

    #[test]
    fn a_reproducing_command_is_a_footer_and_an_empty_one_adds_nothing() {
        let lay = Layout::new(WIDTH, 300.0, None, &[], &[]);
        let same = lay.clone().reproduced_by("");
        assert_eq!(same.frame, lay.frame);
        assert_eq!(same.height, lay.height);
        let with = lay.clone().reproduced_by("hvsim run --strategy s --seed 1");
        assert_eq!(with.frame, lay.frame);
        assert_eq!(with.height, lay.height + COMMAND_ROW);
        let svg = with.start("title", "subtitle").finish();
        assert!(
            svg.contains(">hvsim run --strategy s --seed 1</text>"),
            "{svg}"
        );
        assert!(svg.contains(">reproduce:</text>"), "{svg}");
    }

    #[test]
    fn the_standard_canvas_changes_no_size_and_the_slide_fills_its_page() {
        let c = Canvas::standard();
        for x in [0.1, 4.5, 11.0, 12.0, 15.0, 78.0, 333.3] {
            assert_eq!((c.len(x), c.px(x), c.line(x)), (x, x, x));
        }
        assert_eq!((c.ticks(10), c.range_ticks(10)), (10, 10));
        let legend = [LegendEntry {
            swatch: Swatch::Line(INK, ""),
            label: "restore-from-backup".into(),
        }];
        let std = Layout::new(WIDTH, 300.0, None, &[], &legend);
        let same = Layout::on(c, WIDTH, 300.0, None, None, &[], &legend);
        assert_eq!((std.frame, std.height), (same.frame, same.height));
        // A slide is 540 high with its band whatever the plot asked for,
        // with or without a footer; its type and lines are larger.
        let s = Canvas::slide();
        for plot_h in [100.0, 340.0, 600.0] {
            for command in ["", "hvsim run --strategy s --seed 1"] {
                let lay =
                    Layout::on(s, s.width, plot_h, None, None, &[], &legend).reproduced_by(command);
                assert!((lay.height + s.context_h - 540.0).abs() < 1e-9, "{plot_h}");
                assert!(lay.frame.h > 200.0, "{:?}", lay.frame);
            }
        }
        assert!(s.px(FONT_PX - 2.0) * 2.0 >= 24.0 && s.title_px * 2.0 >= 36.0);
        assert!(s.line(1.0) > 1.0 && s.ticks(10) == 6 && s.range_ticks(10) == 5);
    }

    #[test]
    fn a_slide_subtitle_wraps_onto_a_second_line_and_stops_there() {
        let lay = Layout::on(Canvas::slide(), WIDTH, 300.0, None, None, &[], &[]);
        let long = "a subtitle that says what the chart shows ".repeat(6);
        let lines = lay.subtitle_lines(&long);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].ends_with(" …"));
        let room = WIDTH - lay.text_x() - lay.canvas.len(RIGHT);
        assert!(lines.iter().all(|l| text_width(l, 13.0) <= room));
        let std = Layout::new(WIDTH, 300.0, None, &[], &[]);
        assert_eq!(std.subtitle_lines(&long), vec![long.clone()]);
    }

    #[test]
    fn long_legends_wrap() {
        let e = |i: usize| LegendEntry {
            swatch: Swatch::Line(series_style(i).0, ""),
            label: format!("reinstall-dependency-aware-{i}"),
        };
        let legend: Vec<_> = (0..12).map(e).collect();
        let lay = Layout::new(WIDTH, 300.0, None, &[], &legend);
        assert!(lay.legend_rows.len() > 1);
        for row in &lay.legend_rows {
            for w in row.windows(2) {
                let (x0, i0) = w[0];
                assert!(x0 + text_width(&legend[i0].label, FONT_PX) + 30.0 < w[1].0);
            }
        }
    }
}
