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
