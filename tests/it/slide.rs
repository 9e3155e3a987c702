//! Slide-ready charts (issue 17): many strategies told apart without a
//! legend or colour (line-end labels that do not overlap, a dash and a
//! symbol per strategy, a note when lines coincide, small multiples beyond
//! four), the scenario and its dates above every chart, the command as a
//! footer, `--png` and `--preset slide`. Checked through the parsed SVG
//! and the decoded PNG.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hvsim::chart::svg::{FONT_PX, text_width};
use quick_xml::events::Event;

use crate::hvsim;

/// One element of an SVG document: its name, attributes, text and the
/// classes of the groups around it.
#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
    pub groups: Vec<String>,
}

impl Element {
    fn num(&self, key: &str) -> f64 {
        self.attrs
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }
    fn within(&self, class: &str) -> bool {
        self.groups.iter().any(|g| g == class)
    }
}

/// Every element of `svg`, in document order.
pub(crate) fn elements(svg: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out: Vec<Element> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut open_text: Option<usize> = None;
    loop {
        let event = reader.read_event().expect("well-formed SVG");
        let (e, empty) = match &event {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::Text(t) => {
                if let Some(i) = open_text {
                    out[i].text.push_str(&t.unescape().expect("text"));
                }
                continue;
            }
            Event::End(e) => {
                if e.name().as_ref() == b"g" {
                    groups.pop();
                }
                open_text = None;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let attrs: BTreeMap<String, String> = e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().expect("value").into_owned(),
                )
            })
            .collect();
        if name == "g" && !empty {
            groups.push(attrs.get("class").cloned().unwrap_or_default());
        }
        out.push(Element {
            name,
            attrs,
            text: String::new(),
            groups: groups.clone(),
        });
        if !empty {
            open_text = Some(out.len() - 1);
        }
    }
    out
}

fn run_ok(args: &[&str]) {
    let out = hvsim().args(args).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "hvsim {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The charts of the 2018 comparison of `strategies` (4 runs), in a
/// temporary directory.
fn compared_charts(strategies: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().to_string_lossy().into_owned();
    run_ok(&[
        "compare",
        "--runs",
        "4",
        "--strategies",
        strategies,
        "--svg",
        &path,
    ]);
    dir
}

/// The 2018 comparison's charts (seven strategies), written once.
fn compared() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().to_string_lossy().into_owned();
        run_ok(&["compare", "--runs", "8", "--svg", &path]);
        dir
    })
    .path()
}

#[test]
fn every_line_is_named_at_its_end_and_no_two_names_overlap() {
    let svg = read(compared(), "restored-count.svg");
    let els = elements(&svg);
    let names: Vec<&Element> = els
        .iter()
        .filter(|e| e.name == "text" && e.attrs.get("class").is_some_and(|c| c == "line-label"))
        .collect();
    let ids: BTreeSet<&str> = names.iter().map(|e| e.text.as_str()).collect();
    for s in [
        "as-in-2018",
        "restart-anyway",
        "restore-from-backup",
        "reinstall-dependency-aware",
    ] {
        assert!(ids.contains(s), "{s} is not named: {ids:?}");
    }
    assert_eq!(names.len(), 7, "one name per strategy");
    // No bottom legend entry names a strategy any more.
    let legend: Vec<&str> = els
        .iter()
        .filter(|e| e.name == "text" && e.within("legend"))
        .map(|e| e.text.as_str())
        .collect();
    assert!(legend.iter().all(|l| !ids.contains(l)), "{legend:?}");
    // Boxes of the names: none overlaps another, all inside the chart.
    let width: f64 = els[0].num("width");
    let boxes: Vec<(f64, f64, f64, f64)> = names
        .iter()
        .map(|e| {
            let (x, y) = (e.num("x"), e.num("y"));
            (x, y - FONT_PX, x + text_width(&e.text, FONT_PX), y + 2.0)
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        assert!(a.2 <= width, "{} runs off the chart", names[i].text);
        for (j, b) in boxes.iter().enumerate().skip(i + 1) {
            let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
            assert!(apart, "{} overlaps {}", names[i].text, names[j].text);
        }
    }
}

#[test]
fn each_strategy_has_its_own_dash_and_symbol() {
    let els = elements(&read(compared(), "restored-count.svg"));
    let dashes: Vec<String> = els
        .iter()
        .filter(|e| e.name == "polyline" && e.within("medians"))
        .map(|e| e.attrs.get("stroke-dasharray").cloned().unwrap_or_default())
        .collect();
    assert_eq!(dashes.len(), 7);
    let distinct: BTreeSet<&String> = dashes.iter().collect();
    assert_eq!(distinct.len(), 7, "{dashes:?}");
    let symbols: BTreeSet<String> = els
        .iter()
        .filter(|e| e.within("line-labels"))
        .filter_map(|e| {
            e.attrs
                .get("class")
                .filter(|c| c.starts_with("symbol "))
                .cloned()
        })
        .collect();
    assert_eq!(symbols.len(), 7, "{symbols:?}");
}

#[test]
fn more_than_four_strategies_get_small_multiples_and_few_do_not() {
    let svg = read(compared(), "restored-count-panels.svg");
    let els = elements(&svg);
    let panels: Vec<String> = els
        .iter()
        .filter(|e| e.name == "text" && e.within("panel") && e.attrs.contains_key("font-weight"))
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(
        panels.len(),
        6,
        "one panel per strategy but the baseline: {panels:?}"
    );
    assert!(!panels.contains(&"as-in-2018".to_string()));
    // The baseline in grey in every panel.
    let greys = els
        .iter()
        .filter(|e| e.name == "polyline" && e.attrs.get("stroke").is_some_and(|s| s == "#9a9a9a"))
        .count();
    assert_eq!(greys, 6);
    let dir = compared_charts("as-in-2018,restore-from-backup");
    assert!(dir.path().join("restored-count.svg").exists());
    assert!(!dir.path().join("restored-count-panels.svg").exists());
}

#[test]
fn lines_that_coincide_are_said_to() {
    // Two strategies with the same steps: the same lines in every run.
    let dir = compared_charts("as-in-2018,as-in-2018");
    let svg = read(dir.path(), "restored-count.svg");
    let els = elements(&svg);
    let notes: Vec<&str> = els
        .iter()
        .filter(|e| e.name == "text" && e.within("legend"))
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("coincide")),
        "no note of coinciding lines: {notes:?}"
    );
}

#[test]
fn every_chart_names_the_scenario_and_dates_states_its_finding_and_ends_with_its_command() {
    for name in [
        "restored-count.svg",
        "restored-weighted.svg",
        "restored-count-panels.svg",
        "milestones-incident-2.svg",
    ] {
        let svg = read(compared(), name);
        let els = elements(&svg);
        let context = els
            .iter()
            .find(|e| e.attrs.get("class").is_some_and(|c| c == "context"))
            .unwrap_or_else(|| panic!("{name} has no scenario line"));
        assert!(
            context
                .text
                .starts_with("Nouvelle-Calédonie, December 2018 · ")
                && context.text.contains("2018")
                && context.text.contains("(Pacific/Noumea)"),
            "{name}: {}",
            context.text
        );
        let title = els.iter().find(|e| e.name == "title").expect("a title");
        assert!(title.text.contains(&context.text), "{name}: {}", title.text);
        let desc = els.iter().find(|e| e.name == "desc").expect("a desc");
        assert!(desc.text.len() > 30, "{name}: {}", desc.text);
        // The command is the lowest text: a footer.
        let texts: Vec<&Element> = els.iter().filter(|e| e.name == "text").collect();
        let lowest = texts.iter().map(|e| e.num("y")).fold(0.0, f64::max);
        let last = texts
            .iter()
            .rfind(|e| e.within("command"))
            .unwrap_or_else(|| panic!("{name} has no command"));
        assert_eq!(
            last.num("y"),
            lowest,
            "{name}: the command is not at the bottom"
        );
    }
    let desc = elements(&read(compared(), "restored-count.svg"))
        .into_iter()
        .find(|e| e.name == "desc")
        .expect("a desc")
        .text;
    assert!(desc.contains("recovers first"), "{desc}");
}

fn png_size(path: &Path) -> (u32, u32) {
    let png = resvg::tiny_skia::Pixmap::load_png(path)
        .unwrap_or_else(|e| panic!("{} decodes: {e}", path.display()));
    (png.width(), png.height())
}

#[test]
fn png_beside_svg_in_both_presets() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (svg, png, slide) = (
        dir.path().join("svg"),
        dir.path().join("png"),
        dir.path().join("slide"),
    );
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let scenario = "scenarios/ha-single-host-crash.yaml";
    run_ok(&["run", scenario, "--svg", &s(&svg), "--png", &s(&png)]);
    run_ok(&["run", scenario, "--png", &s(&slide), "--preset", "slide"]);
    for name in ["gantt", "restored-count", "restored-weighted"] {
        let doc = read(&svg, &format!("{name}.svg"));
        let width: f64 = elements(&doc)[0].num("width");
        let height: f64 = elements(&doc)[0].num("height");
        assert_eq!(
            png_size(&png.join(format!("{name}.png"))),
            (width as u32, height as u32),
            "{name}: the PNG is the SVG's size"
        );
        assert_eq!(
            png_size(&slide.join(format!("{name}.png"))),
            (1920, 1080),
            "{name}"
        );
        assert!(!slide.join(format!("{name}.svg")).exists());
    }
}

#[test]
fn a_preset_without_charts_is_an_error() {
    let out = hvsim()
        .args(["run", "--preset", "slide"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--svg DIR or --png DIR"), "{err}");
}

/// With no font on the system, `--png` is an error that names the flag,
/// the missing font and the fix, and writes no (blank) PNG; SVG still
/// works. fontdb reads the font directories from `FONTCONFIG_FILE`: one
/// naming an empty directory is a machine without fonts.
#[test]
fn png_without_a_font_is_a_clear_error_not_a_blank_image() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let empty = dir.path().join("no-fonts");
    std::fs::create_dir(&empty).expect("a directory");
    let conf = dir.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir></fontconfig>\n",
            empty.display()
        ),
    )
    .expect("the config is written");
    let (png, svg) = (dir.path().join("png"), dir.path().join("svg"));
    let without_fonts = |flag: &str, charts: &Path| {
        hvsim()
            .env("FONTCONFIG_FILE", &conf)
            .args(["run", "scenarios/ha-single-host-crash.yaml", flag])
            .arg(charts)
            .output()
            .expect("the binary runs")
    };
    let out = without_fonts("--png", &png);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write PNG charts: no sans-serif font on this system")
            && err.contains("fonts-dejavu-core")
            && err.contains("--svg"),
        "{err}"
    );
    assert!(!png.exists(), "no PNG is written without a font");
    let out = without_fonts("--svg", &svg);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(svg.join("gantt.svg").exists());
}

/// A slide chart's text as laid out: where, how large, how anchored,
/// whether it is turned (an axis title up the side), and the groups
/// around it.
struct Laid<'a> {
    x: f64,
    y: f64,
    px: f64,
    anchor: &'a str,
    turned: bool,
    text: &'a str,
    e: &'a Element,
}

impl Laid<'_> {
    /// Its span on its line (by the width estimate the charts use).
    fn span(&self) -> (f64, f64) {
        let w = text_width(self.text, self.px);
        match self.anchor {
            "middle" => (self.x - w / 2.0, self.x + w / 2.0),
            "end" => (self.x - w, self.x),
            _ => (self.x, self.x + w),
        }
    }
}

/// Checks what a slide promises (issue 17) of the chart `name` in `dir`:
/// a 1920 × 1080 page whose 16:9 view the chart fills (`fills`: no white
/// bands), every text at least 24 px as shown and the title at least 32,
/// between two and six labelled ticks on each axis, no two texts on one
/// line overlapping, none past the page's sides.
fn assert_slide(dir: &Path, name: &str, fills: bool) {
    let svg = read(dir, name);
    let els = elements(&svg);
    let root = &els[0];
    assert_eq!(
        (root.num("width"), root.num("height")),
        (1920.0, 1080.0),
        "{name}: a slide is 1920 × 1080"
    );
    let view: Vec<f64> = root.attrs["viewBox"]
        .split(' ')
        .map(|v| v.parse().expect("a number"))
        .collect();
    assert!(
        (view[2] / view[3] - 16.0 / 9.0).abs() < 1e-3,
        "{name}: {view:?}"
    );
    if fills {
        assert!(
            view[0].abs() < 0.5 && view[1].abs() < 0.5,
            "{name}: white bands around the chart, view {view:?}"
        );
    }
    let scale = 1920.0 / view[2];
    let root_px = root.num("font-size");
    let laid: Vec<Laid> = els
        .iter()
        .filter(|e| e.name == "text")
        .map(|e| Laid {
            x: e.num("x"),
            y: e.num("y"),
            px: e
                .attrs
                .get("font-size")
                .map_or(root_px, |v| v.parse().expect("a size")),
            anchor: e.attrs.get("text-anchor").map_or("start", |a| a.as_str()),
            turned: e.attrs.contains_key("transform"),
            text: &e.text,
            e,
        })
        .collect();
    for t in &laid {
        assert!(
            t.px * scale >= 24.0 - 1e-9,
            "{name}: `{}` is {:.1} px on the slide",
            t.text,
            t.px * scale
        );
        let (a, b) = t.span();
        if !t.turned {
            assert!(
                a >= view[0] - 1.0 && b <= view[0] + view[2] + 1.0,
                "{name}: `{}` runs off the slide ({a:.0}..{b:.0} in {view:?})",
                t.text
            );
        }
    }
    let title = laid
        .iter()
        .find(|t| t.e.attrs.contains_key("font-weight"))
        .unwrap_or_else(|| panic!("{name} has no title"));
    assert!(
        title.px * scale >= 32.0,
        "{name}: the title is {:.1} px",
        title.px * scale
    );
    // Labelled ticks: the y axis' labels, the x axis' first row.
    let y_ticks = laid
        .iter()
        .filter(|t| t.e.within("y-axis") && !t.turned)
        .count();
    let x_axis: Vec<&Laid> = laid.iter().filter(|t| t.e.within("x-axis")).collect();
    let first_row = x_axis.iter().map(|t| t.y).fold(f64::INFINITY, f64::min);
    let x_ticks = x_axis.iter().filter(|t| t.y == first_row).count();
    for (axis, n) in [("y", y_ticks), ("x", x_ticks)] {
        if n == 0 {
            // A chart of rows has no value axis up its side; small
            // multiples name each panel's first and last date instead.
            continue;
        }
        assert!(
            (2..=6).contains(&n),
            "{name}: {n} labelled ticks on the {axis} axis"
        );
    }
    // No two texts on one line overlap (the line's group transforms
    // alike: compare within each group path).
    let mut lines: BTreeMap<(String, i64), Spans> = BTreeMap::new();
    for t in laid.iter().filter(|t| !t.turned) {
        let (a, b) = t.span();
        lines
            .entry((t.e.groups.join("/"), (t.y * 10.0).round() as i64))
            .or_default()
            .push((a, b, t.text));
    }
    crate::charts::assert_lines_apart(name, lines.into_values());
}

/// Spans of text on one line: from, to, the text.
type Spans<'a> = Vec<(f64, f64, &'a str)>;

fn slide_charts(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().to_string_lossy().into_owned();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--svg", &path, "--preset", "slide"]);
    run_ok(&all);
    dir
}

#[test]
fn a_run_is_laid_out_for_the_slide_not_scaled_up() {
    let dir = slide_charts(&["run", "scenarios/ha-single-host-crash.yaml"]);
    for name in [
        "restored-count.svg",
        "restored-weighted.svg",
        "gantt.svg",
        "recovery-rto.svg",
    ] {
        assert_slide(dir.path(), name, true);
    }
}

/// The 2018 run's Gantt: 15 marker labels over 9 rows on the standard
/// chart. On a slide the idle stretches are named by the axis' title, not
/// a label each, and one incident's milestones close together share a
/// label, so that it fills the page at the slide's type.
#[test]
fn the_2018_gantt_fits_the_slide() {
    let dir = slide_charts(&["run"]);
    assert_slide(dir.path(), "gantt.svg", true);
    let svg = read(dir.path(), "gantt.svg");
    let texts: Vec<String> = elements(&svg)
        .into_iter()
        .filter(|e| e.name == "text")
        .map(|e| e.text)
        .collect();
    assert!(
        texts.iter().any(|t| t == "50/90/100 % back (incident 1)"),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t.ends_with(" idle")), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("6 idle stretches cut out (the longest 3d 5h)")),
        "{texts:?}"
    );
    // Every milestone still has its line: three for incident 1, three for
    // incident 2.
    let milestone_lines = elements(&svg)
        .iter()
        .filter(|e| {
            e.name == "line"
                && e.within("markers")
                && e.attrs.get("stroke").is_some_and(|c| c == "#1b7f4b")
        })
        .count();
    assert_eq!(milestone_lines, 6);
}

#[test]
fn a_comparison_is_laid_out_for_the_slide_not_scaled_up() {
    let dir = slide_charts(&["compare", "--runs", "4"]);
    for name in [
        "restored-count.svg",
        "restored-weighted.svg",
        "restored-count-panels.svg",
        "milestones-incident-2.svg",
        "phases-incident-2.svg",
        "forest.svg",
        "objectives.svg",
        "dependencies.svg",
        "dr-capacity.svg",
    ] {
        assert_slide(dir.path(), name, true);
    }
}

#[test]
fn per_app_availability_reasons_and_levers_are_laid_out_for_the_slide() {
    let run = slide_charts(&["run", "scenarios/backup-restore.yaml"]);
    for name in [
        "recovery-rto.svg",
        "data-lost-rpo.svg",
        "gantt.svg",
        "dr-capacity.svg",
    ] {
        assert_slide(run.path(), name, true);
    }
    let year = slide_charts(&["compare", "scenarios/availability-year.yaml", "--runs", "4"]);
    assert_slide(year.path(), "availability.svg", true);
    let reasons = slide_charts(&["explain"]);
    assert_slide(reasons.path(), "reasons.svg", true);
    let levers = slide_charts(&[
        "advise",
        "scenarios/backup-restore.yaml",
        "--objective",
        "1",
        "--runs",
        "20",
    ]);
    assert_slide(levers.path(), "advise-tornado.svg", true);
}

#[test]
fn a_fit_and_the_advice_s_frontier_are_laid_out_for_the_slide() {
    let fit = slide_charts(&[
        "fit",
        "--curve",
        "tests/fixtures/fit-press-release.csv",
        "--param",
        "teams.dtsi.members=6..10",
        "--runs",
        "20",
    ]);
    assert_slide(fit.path(), "fit.svg", true);
    let advice = slide_charts(&[
        "advise",
        "tests/fixtures/advise-staff.yaml",
        "--levers",
        "tests/fixtures/advise-levers/staff-costs.yaml",
        "--runs",
        "64",
    ]);
    assert_slide(advice.path(), "advise-frontier.svg", true);
}

#[test]
fn a_sweep_is_laid_out_for_the_slide_not_scaled_up() {
    let dir = slide_charts(&[
        "sweep",
        "tests/fixtures/exp-queue.yaml",
        "--set",
        "teams.t.members=2..5",
        "--runs",
        "8",
    ]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in &names {
        assert_slide(dir.path(), name, true);
    }
}
