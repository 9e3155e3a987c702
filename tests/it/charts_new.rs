//! The charts of issue 17: the phase timeline of each incident, the
//! forest plot of the paired differences, the objectives heat map and the
//! per-app charts against RTO and RPO. Each is read back as parsed SVG
//! (its data attributes and texts) and rendered to pixels, and held to
//! the numbers of `--json`.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::Event;

use crate::charts::{assert_no_overlap, labels, pixels, render, rgb, succeed};
use crate::charts2::charts as svgs;
use crate::{hvsim, hvsim_json};

/// Every element of `name` with its attributes, and the attributes of the
/// enclosing groups (outermost first, merged: inner wins).
pub(crate) fn elements(svg: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut stack: Vec<BTreeMap<String, String>> = Vec::new();
    let mut out = Vec::new();
    let attrs = |e: &quick_xml::events::BytesStart| -> BTreeMap<String, String> {
        e.attributes()
            .flatten()
            .map(|a| {
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().expect("value").into_owned(),
                )
            })
            .collect()
    };
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) => {
                let mine = attrs(&e);
                if e.name().as_ref() == name.as_bytes() {
                    let mut all: BTreeMap<String, String> = BTreeMap::new();
                    for g in &stack {
                        all.extend(g.clone());
                    }
                    all.extend(mine.clone());
                    out.push(all);
                }
                stack.push(if e.name().as_ref() == b"g" {
                    mine
                } else {
                    BTreeMap::new()
                });
            }
            Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                let mut all: BTreeMap<String, String> = BTreeMap::new();
                for g in &stack {
                    all.extend(g.clone());
                }
                all.extend(attrs(&e));
                out.push(all);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of the chart's `<desc>`.
fn desc(svg: &str) -> String {
    let start = svg.find("<desc>").expect("a <desc>") + "<desc>".len();
    let end = svg[start..].find("</desc>").expect("closed") + start;
    svg[start..end].to_string()
}

/// Asserts that `svg` has a title and a desc right after it.
fn assert_accessible(svg: &str, what: &str) {
    let title = svg.find("<title>").expect("a <title>");
    let d = svg
        .find("<desc>")
        .unwrap_or_else(|| panic!("{what}: no <desc>"));
    assert!(title < d, "{what}: the <desc> comes after the <title>");
    assert!(!desc(svg).trim().is_empty(), "{what}: an empty <desc>");
}

const TWO: &str = "as-in-2018,reinstall-dependency-aware,restore-from-backup";

#[test]
fn the_phase_timeline_shows_that_26_december_went_on_the_diagnosis() {
    let files = svgs(&["compare", "--runs", "64", "--strategies", TWO]);
    let svg = &files["phases-incident-2.svg"];
    assert_accessible(svg, "phases");
    let d = desc(svg);
    // The finding first: the strike on Christmas night, and the first task
    // on the 27th, after the diagnosis.
    assert!(
        d.starts_with("as-in-2018, struck Tue 25 Dec 2018 23:40"),
        "{d}"
    );
    assert!(d.contains("until Thu 27 Dec 2018"), "{d}");
    let bars = elements(svg, "rect");
    let end = |strategy: &str, phase: &str| -> f64 {
        bars.iter()
            .find(|a| {
                a.get("data-strategy").map(String::as_str) == Some(strategy)
                    && a.get("data-phase").map(String::as_str) == Some(phase)
            })
            .and_then(|a| a.get("data-end-h"))
            .unwrap_or_else(|| panic!("{strategy}: {phase}"))
            .parse()
            .expect("hours")
    };
    let diagnosed = end("as-in-2018", "diagnosis");
    // From 23:40 on the 25th, more than 24 h: all of the 26th.
    assert!(diagnosed > 24.3, "{diagnosed}");
    assert!(end("as-in-2018", "waiting for the first task") >= diagnosed);
    // Every strategy has its three phases and four milestones.
    for s in TWO.split(',') {
        let points: BTreeSet<String> = elements(svg, "circle")
            .into_iter()
            .filter(|a| a.get("data-strategy").map(String::as_str) == Some(s))
            .filter_map(|a| a.get("data-milestone").cloned())
            .collect();
        assert_eq!(points.len(), 4, "{s}: {points:?}");
        let first: f64 = elements(svg, "circle")
            .into_iter()
            .find(|a| {
                a.get("data-strategy").map(String::as_str) == Some(s)
                    && a.get("data-milestone").map(String::as_str) == Some("first app")
            })
            .and_then(|a| a.get("data-p50-h").and_then(|v| v.parse().ok()))
            .expect("first app back");
        // Nothing comes back before the diagnosis ends.
        assert!(first >= end(s, "diagnosis"), "{s}");
    }
    // The RTOs of the objectives that incident 2 concerns, and none on
    // incident 1 for an objective of internet services it did not hit.
    let l = labels(svg);
    assert!(
        l.iter().any(|s| s.starts_with("RTO internet services")),
        "{l:?}"
    );
    let l1 = labels(&files["phases-incident-1.svg"]);
    assert!(
        !l1.iter().any(|s| s.starts_with("RTO internet services")),
        "{l1:?}"
    );
    assert_no_overlap(svg, "phases");
    let png = render(svg, "phases-incident-2");
    for colour in ["#969696", "#56B4E9"] {
        assert!(pixels(&png, rgb(colour)) > 100, "{colour}");
    }
}

#[test]
fn the_forest_plot_holds_the_paired_differences_of_compare_json() {
    let args = ["compare", "--runs", "64", "--strategies", TWO];
    let files = svgs(&args);
    let doc = hvsim_json(&[&args[..], &["--json"]].concat());
    let svg = &files["forest.svg"];
    assert_accessible(svg, "forest");
    let diffs: Vec<BTreeMap<String, String>> = elements(svg, "g")
        .into_iter()
        .filter(|a| a.get("class").map(String::as_str) == Some("diff"))
        .collect();
    // Every point is the JSON's paired difference, to the last digit.
    let mut seen = 0;
    for a in &diffs {
        let (metric, strategy) = (&a["data-metric"], &a["data-strategy"]);
        let m = crate::compare::metric(&doc, strategy, metric);
        assert_eq!(&m["name"], metric.as_str());
        let mean: f64 = a["data-mean"].parse().expect("mean");
        let ci: f64 = a["data-ci95"].parse().expect("ci");
        assert_eq!(Some(mean), m["diff_vs_first"]["mean"].as_f64(), "{metric}");
        assert_eq!(Some(ci), m["diff_vs_first"]["ci95"].as_f64(), "{metric}");
        seen += 1;
    }
    // Two strategies against the baseline on each metric drawn.
    let panels: BTreeSet<&String> = diffs.iter().map(|a| &a["data-metric"]).collect();
    assert!(panels.len() >= 4, "{panels:?}");
    assert_eq!(seen, 2 * panels.len());
    let verdict = |strategy: &str, metric: &str| {
        diffs
            .iter()
            .find(|a| a["data-strategy"] == strategy && a["data-metric"].ends_with(metric))
            .map(|a| a["data-verdict"].clone())
            .expect("drawn")
    };
    assert_eq!(
        verdict("restore-from-backup", "(socle-2018-b): 90 % back"),
        "better"
    );
    assert_eq!(
        verdict("restore-from-backup", "a day of data at most met"),
        "better"
    );
    let l = labels(svg);
    assert!(l.iter().any(|s| s == "← better"), "{l:?}");
    assert!(l.iter().any(|s| s == "worse →"), "{l:?}");
    // Objectives are better higher: their panel turns the sides round.
    assert!(l.iter().any(|s| s == "better →"), "{l:?}");
    assert_no_overlap(svg, "forest");
    let png = render(svg, "forest");
    assert!(pixels(&png, rgb(hvsim::chart::forest::BETTER)) > 20);
}

#[test]
fn the_objectives_heat_map_writes_the_share_met_in_each_cell() {
    let args = ["compare", "--runs", "64", "--strategies", TWO];
    let files = svgs(&args);
    let doc = hvsim_json(&[&args[..], &["--json"]].concat());
    let svg = &files["objectives.svg"];
    assert_accessible(svg, "heat map");
    let cells: Vec<BTreeMap<String, String>> = elements(svg, "rect")
        .into_iter()
        .filter(|a| a.contains_key("data-p"))
        .collect();
    // Three strategies × two objectives.
    assert_eq!(cells.len(), 6);
    let l = labels(svg);
    for a in &cells {
        let m = crate::compare::metric(&doc, &a["data-strategy"], &a["data-metric"]);
        let p: f64 = a["data-p"].parse().expect("share");
        assert_eq!(Some(p), m["mean"].as_f64(), "{a:?}");
        // The number is written, not only coloured.
        assert!(l.contains(&format!("{p:.1} %")), "{p} in {l:?}");
        assert_eq!(a["fill"], hvsim::chart::heatmap::heat_fill(p));
    }
    assert!(desc(svg).contains("met most often by restore-from-backup: 100.0 %"));
    // Dark cells carry white text.
    let png = render(svg, "objectives");
    assert!(pixels(&png, rgb("#08519c")) > 500);
}

#[test]
fn the_per_app_charts_put_the_misses_first_and_match_the_run() {
    let files = svgs(&["run", "scenarios/backup-restore.yaml", "--seed", "1"]);
    let svg = &files["data-lost-rpo.svg"];
    assert_accessible(svg, "data lost");
    let rows: Vec<BTreeMap<String, String>> = elements(svg, "g")
        .into_iter()
        .filter(|a| a.get("class").map(String::as_str) == Some("app-row"))
        .collect();
    let doc = hvsim_json(&[
        "run",
        "scenarios/backup-restore.yaml",
        "--seed",
        "1",
        "--json",
    ]);
    let rpo_missed: BTreeSet<String> = doc["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .flat_map(|o| o["rpo_missed"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(String::from))
        .collect();
    assert!(rpo_missed.contains("payments"), "{rpo_missed:?}");
    let missed: BTreeSet<String> = rows
        .iter()
        .filter(|a| a["data-missed"] != "0")
        .map(|a| a["data-app"].clone())
        .collect();
    assert_eq!(missed, rpo_missed);
    assert_eq!(rows[0]["data-app"], "payments");
    assert!(desc(svg).contains("payments"), "{}", desc(svg));
    assert!(
        labels(svg).iter().any(|l| l.contains("missed by")),
        "{:?}",
        labels(svg)
    );
    let png = render(svg, "data-lost-rpo");
    assert!(pixels(&png, rgb(hvsim::chart::perapp::MISSED)) > 50);

    // 160 apps on the 2018 scenario: grouped, no miss hidden in a group.
    let files = svgs(&["run", "--seed", "1"]);
    let svg = &files["recovery-rto.svg"];
    assert_accessible(svg, "recovery");
    let doc = hvsim_json(&["run", "--seed", "1", "--json"]);
    let rto_missed: BTreeSet<String> = doc["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .flat_map(|o| o["rto_missed"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(String::from))
        .collect();
    let rows: Vec<BTreeMap<String, String>> = elements(svg, "g")
        .into_iter()
        .filter(|a| a.get("class").map(String::as_str) == Some("app-row"))
        .collect();
    assert!(
        rows.len() <= hvsim::chart::perapp::MAX_ROWS + 1,
        "{}",
        rows.len()
    );
    let drawn: BTreeSet<String> = rows
        .iter()
        .filter(|a| a["data-missed"] == "1")
        .map(|a| a["data-app"].clone())
        .collect();
    assert_eq!(drawn, rto_missed);
    assert!(
        rows.iter()
            .skip(rto_missed.len())
            .all(|a| a["data-missed"] == "0")
    );
    assert_no_overlap(svg, "recovery");
}

#[test]
fn every_bundled_scenario_gets_the_new_charts_it_can_fill() {
    for file in crate::bundled_scenario_files() {
        let cmp = svgs(&["compare", &file, "--runs", "4"]);
        let doc = hvsim_json(&["compare", &file, "--runs", "4", "--json"]);
        let metrics: Vec<String> = doc["strategies"][0]["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .filter_map(|m| m["name"].as_str().map(String::from))
            .collect();
        let incidents = metrics
            .iter()
            .filter(|m| m.ends_with(": 90 % back"))
            .count();
        let objectives = metrics
            .iter()
            .filter(|m| m.starts_with("objective "))
            .count();
        let strategies = doc["strategies"].as_array().map_or(0, Vec::len);
        for k in 1..=incidents {
            assert!(
                cmp.contains_key(&format!("phases-incident-{k}.svg")),
                "{file}"
            );
        }
        assert_eq!(cmp.contains_key("objectives.svg"), objectives > 0, "{file}");
        assert_eq!(cmp.contains_key("forest.svg"), strategies > 1, "{file}");
        let run = svgs(&["run", &file]);
        assert!(run.contains_key("recovery-rto.svg"), "{file}");
        for (name, svg) in cmp.iter().chain(&run) {
            if ["phases", "forest", "objectives", "recovery", "data-lost"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                assert_accessible(svg, &format!("{file}: {name}"));
                render(svg, name);
            }
        }
    }
}

#[test]
fn the_report_embeds_the_new_charts_in_their_sections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("r.html");
    succeed(
        hvsim()
            .args([
                "report",
                "scenarios/backup-restore.yaml",
                "--runs",
                "16",
                "--no-explain",
                "--no-advise",
                "-o",
            ])
            .arg(&out),
    );
    let html = std::fs::read_to_string(&out).expect("the report");
    let at = |id: &str| {
        html.find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"))
    };
    // The forest plot with the summary's verdicts, the phases with the
    // milestones, the per-app charts in the one run.
    assert!(at("summary") < at("forest") && at("forest") < at("curves"));
    assert!(at("distributions") < at("phases-1"));
    assert!(at("gantt") < at("recovery-rto") && at("recovery-rto") < at("data-lost-rpo"));
    assert!(at("data-lost-rpo") < at("gantt-chart"));
    assert_eq!(html.matches("<desc>").count(), html.matches("<svg").count());
}
