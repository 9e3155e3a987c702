//! The dependency graph, DR capacity, availability panel and the Gantt
//! chart's marks (issue 17), each checked through the parsed SVG.

use std::collections::BTreeMap;

use quick_xml::events::Event;

use crate::charts::{labels, succeed};
use crate::charts2::charts;

/// The attributes of every element named `name`, in document order.
pub(crate) fn elements(svg: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                out.push(
                    e.attributes()
                        .flatten()
                        .map(|a| {
                            (
                                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                                String::from_utf8_lossy(&a.value).into_owned(),
                            )
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The chart's `<desc>`, which must follow its `<title>`.
pub(crate) fn desc(svg: &str) -> String {
    let title = svg.find("</title>").expect("a title");
    let start = svg.find("<desc>").expect("a desc") + "<desc>".len();
    assert!(start > title, "the desc follows the title");
    let end = svg[start..].find("</desc>").expect("a closed desc") + start;
    svg[start..end].replace("&#39;", "'")
}

fn count_class(svg: &str, name: &str, class: &str) -> usize {
    elements(svg, name)
        .iter()
        .filter(|a| a.get("class").map(String::as_str) == Some(class))
        .count()
}

#[test]
fn the_dependency_graph_shows_the_trap_each_order_falls_into() {
    let trap = "scenarios/lessons/dependency-trap.yaml";
    let shortest = charts(&["run", trap, "--strategy", "shortest-first"]);
    let aware = charts(&["run", trap, "--strategy", "dependency-aware"]);
    let (s, a) = (&shortest["dependencies.svg"], &aware["dependencies.svg"]);
    // Every app is a node; each of the twelve services depends on the directory.
    let names = labels(s);
    assert!(names.iter().any(|l| l == "directory"), "{names:?}");
    for k in 1..=12 {
        assert!(
            names.iter().any(|l| *l == format!("svc-{k:02}")),
            "{names:?}"
        );
    }
    assert_eq!(
        count_class(s, "line", "trap") + count_class(s, "line", "edge"),
        12
    );
    // Shortest first restores every service before the directory (the
    // trap); dependency-aware starts the directory first.
    assert_eq!(count_class(s, "line", "trap"), 12, "{}", desc(s));
    assert!(count_class(a, "line", "trap") < 12, "{}", desc(a));
    assert!(
        desc(s).contains("shortest-first restored 12 apps before what they depend on"),
        "{}",
        desc(s)
    );
    // Ranks: the directory is restored last under shortest-first (#13).
    assert!(names.iter().any(|l| l.starts_with("#13 ·")), "{names:?}");
    // The foundations are on top: the directory's box is above every service's.
    let rects = elements(s, "rect");
    let tips: Vec<_> = rects.iter().filter(|r| r.contains_key("rx")).collect();
    assert_eq!(tips.len(), 13);
}

#[test]
fn a_large_estate_is_drawn_by_app_group() {
    let svgs = charts(&["run"]);
    let s = &svgs["dependencies.svg"];
    let names = labels(s);
    assert!(names.iter().any(|l| l == "web ×60"), "{names:?}");
    assert!(names.iter().any(|l| l == "eservice ×55"), "{names:?}");
    // 160 apps in a handful of boxes, not 160.
    let boxes = elements(s, "rect")
        .into_iter()
        .filter(|r| r.contains_key("rx"))
        .count();
    assert!(boxes < 20, "{boxes} boxes");
    assert!(
        desc(s).starts_with("The dependency trap: as-in-2018"),
        "{}",
        desc(s)
    );
}

#[test]
fn dr_capacity_shows_use_against_capacity_and_where_room_ran_out() {
    let svgs = charts(&["run", "scenarios/replicated-failover-runbook.yaml"]);
    let s = &svgs["dr-capacity.svg"];
    let d = desc(s);
    assert!(d.starts_with("The DR site's use peaked at"), "{d}");
    assert!(d.contains("it was full from"), "{d}");
    assert!(count_class(s, "g", "full") == 1);
    let names = labels(s);
    for l in [
        "capacity",
        "memory in use",
        "virtual CPUs in use",
        "full: an app down does not fit",
    ] {
        assert!(names.iter().any(|n| n == l), "{l}: {names:?}");
    }
    // Memory in use never above the capacity line: the area stays inside.
    let polys = elements(s, "polygon");
    assert!(!polys.is_empty());
    // A scenario with plenty of room says it never ran out, and shades nothing.
    let svgs = charts(&["run", "scenarios/backup-restore.yaml"]);
    let s = &svgs["dr-capacity.svg"];
    assert!(desc(s).contains("never ran out of room"), "{}", desc(s));
    assert!(!labels(s).iter().any(|n| n.starts_with("full:")));
    // No DR site, no chart.
    let svgs = charts(&["run", "scenarios/ha-single-host-crash.yaml"]);
    assert!(!svgs.contains_key("dr-capacity.svg"), "{:?}", svgs.keys());
}

#[test]
fn the_new_charts_are_deterministic() {
    let a = charts(&["run", "scenarios/backup-restore.yaml", "--seed", "7"]);
    let b = charts(&["run", "scenarios/backup-restore.yaml", "--seed", "7"]);
    assert_eq!(a, b);
}

#[test]
fn the_availability_panel_shows_each_strategy_with_its_interval() {
    let svgs = charts(&[
        "compare",
        "scenarios/availability-year.yaml",
        "--runs",
        "12",
    ]);
    let s = &svgs["availability.svg"];
    let d = desc(s);
    assert!(
        d.starts_with("mean app availability: ha-restart is highest"),
        "{d}"
    );
    // Two metrics × two strategies, a dot each, each with its interval.
    assert_eq!(count_class(s, "circle", "mean"), 4);
    let names = labels(s);
    for l in [
        "mean app availability",
        "least available app's availability",
        "wait-for-repair",
        "ha-restart",
    ] {
        assert!(names.iter().any(|n| n == l), "{l}: {names:?}");
    }
    // The reference lines say what downtime they allow over the horizon.
    assert!(
        names.iter().any(|n| n.starts_with("99.9 %: 8h 45m")),
        "{names:?}"
    );
    // Without random failures there is no availability to draw.
    let svgs = charts(&["compare", "scenarios/backup-restore.yaml", "--runs", "5"]);
    assert!(!svgs.contains_key("availability.svg"), "{:?}", svgs.keys());
}

/// `hvsim report ARGS` as a string.
fn report(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.html");
    succeed(
        crate::hvsim()
            .arg("report")
            .args(args)
            .args(["--no-advise", "--no-explain", "-o"])
            .arg(&path),
    );
    std::fs::read_to_string(&path).expect("the report")
}

#[test]
fn the_report_shows_the_new_charts_where_the_scenario_has_them() {
    let html = report(&["--runs", "20"]);
    for id in [
        "id=\"dependency-graph\"",
        "id=\"dr-capacity-chart\"",
        "id=\"gantt-best-chart\"",
        "id=\"gantt-chart\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
    assert!(!html.contains("id=\"availability\""));
    // Every figure states its finding.
    let figures = html.matches("<figure").count();
    assert_eq!(html.matches("<desc>").count(), figures, "a desc per figure");
    let html = report(&["scenarios/availability-year.yaml", "--runs", "8"]);
    assert!(html.contains("<h2 id=\"availability\">Availability</h2>"));
    assert!(html.contains("href=\"#availability\""));
    // No dependency and no DR site: neither section, rather than an empty one.
    assert!(!html.contains("id=\"dependencies\""));
    assert!(!html.contains("id=\"dr-capacity\""));
}
