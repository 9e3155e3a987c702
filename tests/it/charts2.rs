//! The charts' defects of issue 17, each checked through the parsed SVG:
//! objective lines only where they concern an incident, labels inside the
//! chart, even ticks, the year on date axes, legible Gantt labels.

use std::collections::BTreeMap;

use hvsim::chart::curve::objectives_of;
use hvsim::chart::svg::text_width;
use hvsim::montecarlo::incident_marks;
use quick_xml::events::Event;

use crate::charts::{labels, succeed, texts};

/// The charts `hvsim ARGS --svg DIR` writes, by file name.
pub(crate) fn charts(args: &[&str]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    succeed(crate::hvsim().args(args).arg("--svg").arg(dir.path()));
    std::fs::read_dir(dir.path())
        .expect("the directory")
        .map(|e| {
            let path = e.expect("an entry").path();
            (
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::fs::read_to_string(&path).expect("an SVG file"),
            )
        })
        .collect()
}

/// The chart's width, from its root element.
pub(crate) fn width(svg: &str) -> f64 {
    let at = svg.find("width=\"").expect("a width") + 7;
    svg[at..]
        .split('"')
        .next()
        .and_then(|w| w.parse().ok())
        .expect("a number")
}

/// Every `<text>` with its `fill` attribute (ink when it has none), inside
/// a group of class `class`.
fn fills_in(svg: &str, class: &str) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    let (mut depth_in, mut depth) = (None, 0usize);
    let mut fill: Option<String> = None;
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) => {
                depth += 1;
                let attr = |k: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == k)
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                if e.name().as_ref() == b"g" && attr(b"class").as_deref() == Some(class) {
                    depth_in.get_or_insert(depth);
                }
                if e.name().as_ref() == b"text" && depth_in.is_some() {
                    fill = Some(attr(b"fill").unwrap_or_else(|| "#222222".into()));
                }
            }
            Event::End(_) => {
                if depth_in == Some(depth) {
                    depth_in = None;
                }
                depth -= 1;
            }
            Event::Text(t) => {
                if let Some(f) = fill.take() {
                    out.push((t.unescape().expect("text").into_owned(), f));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn rto_lines_are_drawn_only_after_the_incidents_that_hit_their_apps() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let run = hvsim::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
    let marks = incident_marks(&scenario, &run);
    let objectives = objectives_of(&scenario);
    let svg = &charts(&["run", "--seed", "1"])["restored-count.svg"];
    let l = labels(svg);
    let mut skipped = 0;
    for (k, mark) in marks.iter().enumerate() {
        for o in &objectives {
            let label = format!("{} {} (incident {})", o.label, o.after, k + 1);
            let concerns = mark.apps.iter().any(|a| o.apps.contains(a));
            assert_eq!(l.contains(&label), concerns, "{label} in {l:?}");
            skipped += usize::from(!concerns);
        }
    }
    // The first 2018 incident took down internal apps only: the internet
    // services' objective has no line after it.
    assert!(skipped > 0, "{l:?}");
}

#[test]
fn no_label_runs_off_a_chart() {
    for args in [
        &["run", "--seed", "1"][..],
        &["run", "scenarios/replicated-failover-runbook.yaml"],
        &["compare", "--runs", "16"],
    ] {
        for (name, svg) in charts(args) {
            assert_inside(&svg, &format!("{args:?} {name}"));
        }
    }
}

/// Every text of `svg` inside its width (the y axis' title, turned a
/// quarter, has a vertical extent and is left out).
pub(crate) fn assert_inside(svg: &str, what: &str) {
    let w = width(svg);
    let turned: Vec<String> = svg
        .lines()
        .filter(|l| l.starts_with("<text") && l.contains("transform=\"rotate"))
        .filter_map(|l| l.split('>').nth(1)?.split('<').next().map(str::to_string))
        .collect();
    for (x, _, anchor, size, s) in texts(svg) {
        if turned.contains(&quick_xml::escape::escape(s.as_str()).into_owned()) {
            continue;
        }
        let tw = text_width(&s, size);
        let (a, b) = match anchor.as_str() {
            "end" => (x - tw, x),
            "middle" => (x - tw / 2.0, x + tw / 2.0),
            _ => (x, x + tw),
        };
        assert!(
            a >= -0.5 && b <= w + 0.5,
            "{what}: `{s}` spans {a}..{b} of {w}"
        );
    }
}

#[test]
fn count_ticks_divide_the_scale_evenly() {
    // 160 apps: 0, 40, ..., 160; never 0, 50, 100, 160.
    let svg = &charts(&["run", "--seed", "1"])["restored-count.svg"];
    let ticks: Vec<f64> = texts(svg)
        .into_iter()
        .filter(|t| t.2 == "end")
        .filter_map(|t| t.4.parse().ok())
        .collect();
    assert!(ticks.len() >= 3, "{ticks:?}");
    let step = ticks[1] - ticks[0];
    assert!(
        ticks.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-9),
        "{ticks:?}"
    );
    assert_eq!(ticks.first(), Some(&0.0));
}

#[test]
fn date_axes_say_the_year() {
    let files = charts(&["run", "--seed", "1"]);
    for name in ["gantt.svg", "restored-count.svg", "restored-weighted.svg"] {
        let l = labels(&files[name]);
        assert!(
            l.iter()
                .any(|s| s.starts_with("date and time, December 2018 (")),
            "{name}: {l:?}"
        );
    }
}

#[test]
fn gantt_labels_contrast_with_their_bars() {
    // The runbook's go steps are dark bars: their labels are white.
    let files = charts(&["run", "scenarios/replicated-failover-runbook.yaml"]);
    let labels = fills_in(&files["gantt.svg"], "tasks");
    let go: Vec<_> = labels
        .iter()
        .filter(|(s, _)| s.starts_with("go: "))
        .collect();
    assert!(!go.is_empty(), "{labels:?}");
    for (s, fill) in go {
        assert_eq!(fill, "#ffffff", "{s}");
    }
}

#[test]
fn the_restored_curve_zooms_to_the_recoveries() {
    // The runbook's recovery takes hours: the axis is in hours, not in
    // the days the simulation ran on for.
    let files = charts(&[
        "compare",
        "scenarios/replicated-failover-runbook.yaml",
        "--runs",
        "16",
    ]);
    let l = labels(&files["restored-count.svg"]);
    let hourly = l
        .iter()
        .filter(|s| s.len() == 5 && s.as_bytes()[2] == b':')
        .count();
    assert!(hourly >= 3, "{l:?}");
    // On the 2018 scenario, a strategy left off the chart is named at its
    // edge, by its id.
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let files = charts(&["compare", "--runs", "16"]);
    for s in labels(&files["restored-count.svg"]) {
        if let Some((id, _)) = s.split_once(" levels off ") {
            assert!(scenario.strategies.iter().any(|st| st.id == id), "{s}");
        }
    }
}

#[test]
fn a_long_quiet_stretch_between_incidents_is_cut_out() {
    // 2018: the first incident is over by 22 December, the second strikes
    // on the 26th: the days between are squeezed, and the axis says so.
    let files = charts(&["compare", "--runs", "16"]);
    let svg = &files["restored-count.svg"];
    let l = labels(svg);
    assert!(
        l.iter()
            .any(|s| s.contains("with nothing changing cut out (grey)")),
        "{l:?}"
    );
    assert!(svg.contains("<g class=\"gaps\">"), "a drawn gap");
    // Every x tick still increases left to right.
    let xs: Vec<f64> = texts(svg)
        .into_iter()
        .filter(|t| {
            let b = t.4.as_bytes();
            b.len() == 10 && b[3] == b' ' && b[6] == b' ' && b[4].is_ascii_digit()
        })
        .map(|t| t.0)
        .collect();
    assert!(xs.len() >= 3, "{xs:?}");
    assert!(xs.windows(2).all(|w| w[0] <= w[1] + 0.5), "{xs:?}");
    // One incident: nothing to cut.
    let files = charts(&[
        "compare",
        "scenarios/replicated-failover-runbook.yaml",
        "--runs",
        "16",
    ]);
    assert!(!files["restored-count.svg"].contains("class=\"gaps\""));
}
