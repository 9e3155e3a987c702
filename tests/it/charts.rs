//! Charts and the HTML report: each chart is rendered to pixels with a
//! pure-Rust SVG renderer (resvg) and checked for its series, bands and
//! labels; the report for well-formedness, self-containment and
//! determinism.
//!
//! Set `HVSIM_CHART_PNG_DIR` to keep the rendered PNGs for a look.

use std::collections::BTreeMap;
use std::path::Path;

use hvsim::chart::curve::{BAND_OPACITY, Measure, Objective, restored_curve};
use hvsim::chart::distribution::milestone_distribution;
use hvsim::chart::gantt::{OFF_SHIFT, gantt, member_label};
use hvsim::chart::svg::{FONT_PX, text_width};
use hvsim::chart::{method_colour, series_style};
use hvsim::model::Strategy;
use hvsim::montecarlo::{incident_marks, restored_curves};
use hvsim::sim::SimDuration;
use quick_xml::events::Event;
use resvg::tiny_skia::{Pixmap, Transform};

use crate::hvsim;

/// Renders an SVG document to pixels, with the system's fonts when it has
/// any (the checks below do not depend on text being drawn).
pub(crate) fn render(svg: &str, name: &str) -> Pixmap {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // `sans-serif` maps to Arial by default; use whatever sans face there is.
    let family = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .find(|name| name.contains("Sans") && !name.contains("Mono"));
    if let Some(family) = family {
        db.set_sans_serif_family(family);
    }
    let tree = resvg::usvg::Tree::from_str(svg, &opt).expect("the chart is valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height()).expect("a non-empty chart");
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    if let Some(dir) = std::env::var_os("HVSIM_CHART_PNG_DIR") {
        let _ = std::fs::create_dir_all(&dir);
        pixmap
            .save_png(Path::new(&dir).join(format!("{name}.png")))
            .expect("PNG written");
    }
    pixmap
}

pub(crate) fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("hex colour");
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// `colour` at `opacity` over white.
pub(crate) fn over_white(hex: &str, opacity: f64) -> [u8; 3] {
    rgb(hex).map(|c| (255.0 - (255.0 - f64::from(c)) * opacity).round() as u8)
}

fn close(p: &[u8], c: [u8; 3], tol: u8) -> bool {
    p[3] == 255 && (0..3).all(|i| p[i].abs_diff(c[i]) <= tol)
}

/// Pixels of this colour (within a small tolerance for anti-aliasing).
pub(crate) fn pixels(p: &Pixmap, c: [u8; 3]) -> usize {
    p.data()
        .chunks_exact(4)
        .filter(|px| close(px, c, 3))
        .count()
}

/// Every `<text>` of an SVG document: (x, y, anchor, font size, content).
pub(crate) fn texts(svg: &str) -> Vec<(f64, f64, String, f64, String)> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    let mut current: Option<(f64, f64, String, f64)> = None;
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) if e.name().as_ref() == b"text" => {
                let mut a: BTreeMap<String, String> = BTreeMap::new();
                for attr in e.attributes() {
                    let attr = attr.expect("attribute");
                    a.insert(
                        String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
                        attr.unescape_value().expect("value").into_owned(),
                    );
                }
                let num = |k: &str, d: f64| a.get(k).map_or(d, |v| v.parse().expect("number"));
                current = Some((
                    num("x", 0.0),
                    num("y", 0.0),
                    a.get("text-anchor").cloned().unwrap_or("start".into()),
                    num("font-size", FONT_PX),
                ));
            }
            Event::Text(t) => {
                if let Some((x, y, anchor, size)) = current.take() {
                    let s = t.unescape().expect("text").into_owned();
                    out.push((x, y, anchor, size, s));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

pub(crate) fn labels(svg: &str) -> Vec<String> {
    texts(svg).into_iter().map(|t| t.4).collect()
}

/// The command a chart says reproduces it: the lines after its
/// `reproduce:` label, joined as a shell joins lines that end in ` \`.
pub(crate) fn reproducing_command(svg: &str) -> Option<String> {
    let l = labels(svg);
    let start = l.iter().position(|s| s == "reproduce:")? + 1;
    let mut command = String::new();
    for line in &l[start..] {
        match line.strip_suffix(" \\") {
            Some(part) => {
                command.push_str(part);
                command.push(' ');
            }
            None => {
                command.push_str(line);
                return Some(command);
            }
        }
    }
    None
}

/// No two texts on the same baseline overlap (by the same width estimate
/// the charts use to place them).
pub(crate) fn assert_no_overlap(svg: &str, what: &str) {
    let mut by_line: BTreeMap<i64, Vec<(f64, f64, String)>> = BTreeMap::new();
    for (x, y, anchor, size, s) in texts(svg) {
        let w = text_width(&s, size);
        let left = match anchor.as_str() {
            "middle" => x - w / 2.0,
            "end" => x - w,
            _ => x,
        };
        by_line
            .entry((y * 10.0) as i64)
            .or_default()
            .push((left, left + w, s));
    }
    assert_lines_apart(what, by_line.into_values());
}

/// No two spans `(from, to, text)` of a line overlap (half a pixel of
/// slack), for each line of `lines`.
pub(crate) fn assert_lines_apart<S: AsRef<str>>(
    what: &str,
    lines: impl IntoIterator<Item = Vec<(f64, f64, S)>>,
) {
    for mut line in lines {
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in line.windows(2) {
            assert!(
                w[0].1 <= w[1].0 + 0.5,
                "{what}: `{}` overlaps `{}`",
                w[0].2.as_ref(),
                w[1].2.as_ref()
            );
        }
    }
}

#[test]
fn the_restored_curve_has_a_line_and_a_band_per_strategy_and_readable_axes() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let strategies: Vec<&Strategy> = scenario.strategies.iter().take(2).collect();
    let curves = restored_curves(&scenario, &strategies, 64, 1, 2, &|_| true).expect("runs");
    let run = hvsim::simulate(&scenario, strategies[0], 1).expect("runs");
    let marks = incident_marks(&scenario, &run);
    let rto = [Objective {
        label: "RTO".into(),
        after: SimDuration::from_days(1),
        apps: marks.iter().flat_map(|m| m.apps.clone()).collect(),
    }];
    let svg = restored_curve(
        &scenario,
        &curves,
        Measure::Count,
        &marks,
        &rto,
        "64 runs",
        "",
    );
    let png = render(&svg, "restored-count");
    // The two bands, alone or one over the other (drawn in order).
    let (c0, c1) = (series_style(0).0, series_style(1).0);
    let both = {
        let (base, top) = (over_white(c0, BAND_OPACITY), rgb(c1));
        [0, 1, 2].map(|i| {
            (f64::from(base[i]) - (f64::from(base[i]) - f64::from(top[i])) * BAND_OPACITY).round()
                as u8
        })
    };
    let overlap = pixels(&png, both);
    assert!(
        overlap > 200,
        "the bands overlap where the strategies agree"
    );
    for (i, s) in strategies.iter().enumerate() {
        let (colour, _) = series_style(i);
        assert!(pixels(&png, rgb(colour)) > 200, "no line of {}", s.id);
        assert!(
            pixels(&png, over_white(colour, BAND_OPACITY)) + overlap > 400,
            "no band of {}",
            s.id
        );
    }
    let l = labels(&svg);
    let n = scenario.apps.len();
    for want in [
        format!("apps up (of {n})"),
        "incident 1: socle-2018-a".into(),
        "incident 2: socle-2018-b".into(),
        "RTO 1d (incident 2)".into(),
        strategies[0].id.clone(),
        strategies[1].id.clone(),
        "0".into(),
        n.to_string(),
    ] {
        assert!(l.contains(&want), "missing label {want:?} in {l:?}");
    }
    assert!(
        l.iter()
            .any(|s| s.starts_with("date and time, December 2018 (Pacific/Noumea, UTC+11:00)")),
        "{l:?}"
    );
    // Dates are local: the first tick of a day says which day.
    assert!(
        l.iter()
            .any(|s| s.starts_with("Wed 26") || s.starts_with("Thu 27")),
        "{l:?}"
    );
    assert_no_overlap(&svg, "restored curve");

    let weighted = restored_curve(
        &scenario,
        &curves,
        Measure::WeightedShare,
        &marks,
        &[],
        "64 runs",
        "",
    );
    let l = labels(&weighted);
    assert!(l.contains(&"criticality-weighted share up (%)".to_string()));
    assert!(l.contains(&"100".to_string()));
    assert!(
        !l.iter().any(|s| s.starts_with("RTO")),
        "no objective given"
    );
    render(&weighted, "restored-weighted");
}

#[test]
fn the_gantt_chart_has_a_row_per_member_coloured_by_method_with_shift_gaps_and_holidays() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let run = hvsim::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
    let svg = gantt(&scenario, &run, &incident_marks(&scenario, &run), "");
    let png = render(&svg, "gantt");
    let l = labels(&svg);
    let team = &scenario.teams[0];
    for k in 0..team.roster.size() {
        let want = member_label(&team.id, k);
        assert_eq!(
            l.iter().filter(|s| **s == want).count(),
            1,
            "one row label {want}"
        );
    }
    assert!(l.contains(&format!("{} on duty", team.id)));
    // Every method used has its colour on the chart, and its legend entry.
    let used: Vec<_> = hvsim::model::Method::ALL
        .into_iter()
        .filter(|m| run.tasks.iter().any(|t| t.method() == Some(*m)))
        .collect();
    assert!(!used.is_empty());
    for m in used {
        assert!(pixels(&png, rgb(method_colour(m))) > 100, "{}", m.name());
        assert!(l.contains(&m.name().to_string()));
    }
    assert!(
        pixels(&png, rgb(OFF_SHIFT)) > 1000,
        "off-shift time is shaded"
    );
    // Nights are shaded off shift (what is left of them beside the cuts).
    // Christmas, a holiday with two members on duty, is inside the days
    // with nothing happening between the incidents: cut out, and said so.
    let row_top = |label: &str| {
        texts(&svg)
            .into_iter()
            .find(|t| t.4 == label)
            .map(|t| t.1 + 5.0 - 18.0)
            .expect("row label")
    };
    let longest_off = |y: f64| {
        let y = (y + 1.0).round() as u32;
        let (mut best, mut run_len) = (0, 0);
        for x in 0..png.width() {
            let px = png.pixel(x, y).expect("inside");
            let c = [px.red(), px.green(), px.blue(), px.alpha()];
            // Grid lines cross the shading, anti-aliased to any light grey
            // between theirs and the shading's: count them as part of it.
            let light_grey = c[0] == c[1] && c[1] == c[2] && (0xd8..=0xf3).contains(&c[0]);
            if close(&c, rgb(OFF_SHIFT), 3) || light_grey {
                run_len += 1;
                best = best.max(run_len);
            } else {
                run_len = 0;
            }
        }
        best
    };
    assert!(longest_off(row_top(&member_label(&team.id, 0))) > 0);
    assert!(
        svg.split("<title>Sat 22 Dec 2018 ").skip(1).any(|t| t
            .split("</title>")
            .next()
            .is_some_and(
                |t| t.contains("→ Tue 25 Dec 2018") && t.contains("with nothing happening")
            )),
        "Christmas cut out"
    );
    // 120 apps in a few days: bar labels only where they fit, never overlapping.
    assert_no_overlap(&svg, "gantt");
    let apps_named = l
        .iter()
        .filter(|s| scenario.apps.iter().any(|a| a.id == **s))
        .count();
    assert!(
        apps_named > 0 && apps_named < run.tasks.len(),
        "{apps_named}"
    );
    // Every task has a tooltip naming its app.
    assert!(svg.matches("<title>").count() > run.tasks.len());
}

#[test]
fn the_milestone_distribution_has_both_milestones_per_strategy() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let strategies: Vec<&Strategy> = scenario.strategies.iter().take(3).collect();
    let c = hvsim::montecarlo::compare(&scenario, &strategies, 64, 1, 2, &|_| true).expect("runs");
    let svg = milestone_distribution(&c, 1, "socle-2018-b", "");
    let png = render(&svg, "milestones");
    for i in 0..strategies.len() {
        assert!(pixels(&png, rgb(series_style(i).0)) > 100, "strategy {i}");
    }
    let l = labels(&svg);
    assert!(
        l.iter()
            .any(|s| s == "hours after the strike" || s == "days after the strike"),
        "{l:?}"
    );
    assert!(l.contains(&"replications that got there (%)".to_string()));
    assert!(l.contains(&"90 % back".to_string()) && l.contains(&"100 % back".to_string()));
    // Solid for 90 %, dashed for 100 %: one of each per strategy.
    assert_eq!(svg.matches("<polyline").count(), 2 * strategies.len());
    assert_eq!(
        svg.matches("stroke-dasharray=\"7 4\"").count(),
        strategies.len() + 1,
        "dashed lines and the legend's"
    );
    assert_no_overlap(&svg, "distribution");
}

#[test]
fn sweep_charts_show_the_metric_against_the_parameter_with_ci_bars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sweep = |sets: &[&str], runs: &str, out: &Path| {
        let mut args = vec!["sweep", "tests/fixtures/exp-queue.yaml"];
        for set in sets {
            args.extend(["--set", set]);
        }
        args.extend(["--runs", runs]);
        write_charts(&args, out, &["sweep.csv"]);
    };
    sweep(&["teams.t.members=2..5"], "40", dir.path());
    let csv = std::fs::read_to_string(dir.path().join("sweep.csv")).expect("sweep.csv in the dir");
    assert!(csv.starts_with("teams.t.members,strategy,metric"), "{csv}");
    let mut charts: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    charts.sort();
    assert_eq!(charts.len(), 3, "{charts:?}");
    for path in &charts {
        let svg = std::fs::read_to_string(path).expect("svg");
        let name = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let png = render(&svg, &name);
        assert!(pixels(&png, rgb(series_style(0).0)) > 50, "{name}");
        assert_eq!(
            reproducing_command(&svg).as_deref(),
            Some(
                "hvsim sweep tests/fixtures/exp-queue.yaml --runs 40 --seed 1 --set teams.t.members=2..5"
            ),
            "{name}"
        );
        let l = labels(&svg);
        assert!(l.contains(&"teams.t.members".to_string()), "{name}: {l:?}");
        for v in ["2", "3", "4", "5"] {
            assert!(l.contains(&v.to_string()), "{name}: tick {v} in {l:?}");
        }
        assert!(
            l.iter()
                .any(|s| s == "mean (hours)" || s == "mean (criticality × hours)"),
            "{name}: {l:?}"
        );
        // Four points, each with a bar and two caps.
        assert_eq!(svg.matches("<circle").count(), 4, "{name}");
        assert!(svg.matches("<line").count() >= 4 * 3, "{name}");
        assert_no_overlap(&svg, &name);
    }
    // More people, sooner: the 90 % milestone's means decrease along x.
    let ninety = charts
        .iter()
        .find(|p| p.to_string_lossy().contains("90-back"))
        .expect("the 90 % chart");
    let svg = std::fs::read_to_string(ninety).expect("svg");
    let ys: Vec<f64> = svg
        .split("<circle")
        .skip(1)
        .map(|c| {
            let cy = c.split("cy=\"").nth(1).expect("cy");
            cy[..cy.find('"').expect("quote")].parse().expect("number")
        })
        .collect();
    // Values that are not numbers go one per position, and a second swept
    // parameter makes a series per value.
    // (into a directory that does not exist yet: both flags create it).
    let cat = dir.path().join("categories");
    sweep(
        &[
            "strategies.0.order=fifo,shortest-first",
            "teams.t.members=2..3",
        ],
        "20",
        &cat,
    );
    let svg =
        std::fs::read_to_string(cat.join("sweep-mean-downtime-per-app-down.svg")).expect("chart");
    let l = labels(&svg);
    for want in [
        "fifo",
        "shortest-first",
        "strategies.0.order",
        "reinstall · teams.t.members=2",
        "reinstall · teams.t.members=3",
    ] {
        assert!(l.contains(&want.to_string()), "{want} in {l:?}");
    }
    let png = render(&svg, "sweep-categories");
    assert!(
        pixels(&png, rgb(series_style(1).0)) > 50,
        "the second series"
    );
    assert!(
        ys.windows(2).all(|w| w[1] > w[0]),
        "lower on screen with more members: {ys:?}"
    );
}

/// Runs the command and insists that it succeeds.
pub(crate) fn succeed(cmd: &mut std::process::Command) {
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report(dir: &Path, extra: &[&str]) -> String {
    let path = dir.join("report.html");
    succeed(
        hvsim()
            .args(["report", "--runs", "40", "-o"])
            .arg(&path)
            .args(extra),
    );
    std::fs::read_to_string(&path)
        .expect("report written")
        .replace(&path.display().to_string(), "REPORT")
}

/// Parses the page as XML and returns its element names in order; panics
/// on any well-formedness error.
fn elements(html: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(html);
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    loop {
        match reader.read_event() {
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                seen.push(name.clone());
                stack.push(name);
            }
            Ok(Event::Empty(e)) => {
                seen.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::End(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.as_str()),
                    "mismatched </{name}>"
                );
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

#[test]
fn the_html_report_is_self_contained_well_formed_and_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report(dir.path(), &["--seed", "7"]);
    let seen = elements(&html);
    assert_eq!(seen.first().map(String::as_str), Some("html"));
    assert!(
        seen.iter().filter(|e| *e == "svg").count() >= 5,
        "curves ×2, milestones ×2, Gantt"
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing to fetch: no URL, no external resource, no script.
    for bad in [
        "http://", "https://", "src=", "url(", "@import", "<script", "<link", "<img",
    ] {
        assert!(!html.contains(bad), "found {bad}");
    }
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "external link: {}",
            &href[..20.min(href.len())]
        );
    }
    for want in [
        "<h2 id=\"summary\">Summary</h2>",
        "id=\"curve-count\"",
        "id=\"curve-weighted\"",
        "id=\"milestones-1\"",
        "id=\"milestones-2\"",
        "id=\"gantt-chart\"",
        "id=\"apps\"",
        "Assumptions stated in the scenario file",
        "ASSUMPTION: a host reboot, hardware checks included",
        "<code>hvsim report --runs 40 --seed 7 -o REPORT</code>",
        "40 replications of each strategy",
        "reinstall-by-criticality",
        "<td>mail</td>",
        "Pacific/Noumea",
    ] {
        assert!(html.contains(want), "missing {want}");
    }
    // Every chart in the page keeps its labels apart.
    for part in html.split("<svg").skip(1) {
        let end = part.find("</svg>").expect("closed") + "</svg>".len();
        assert_no_overlap(&format!("<svg{}", &part[..end]), "report chart");
    }
}

#[test]
fn a_report_with_a_fault_campaign_shows_it_and_says_how_to_reproduce_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let campaign = "scenarios/faults/2018-slow-leak.yaml";
    let html = report(dir.path(), &["--faults", campaign, "--seed", "7"]);
    elements(&html);
    for want in [
        "<code>hvsim report --faults scenarios/faults/2018-slow-leak.yaml --runs 40 --seed 7 -o REPORT</code>",
        "Assumptions stated in the scenario file",
        "The whole scenario file",
        "The whole fault campaign file (",
        "uptime: normal(mean=5d 12h, sd=6h)",
    ] {
        assert!(html.contains(want), "missing {want}");
    }
    // The campaign's bug, not the scenario's, is the one simulated.
    assert!(html.contains("<td>leak</td>"), "the campaign's bug");
}

#[test]
fn the_html_summary_of_a_small_scenario_is_as_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report(
        dir.path(),
        &["tests/fixtures/exp-queue.yaml", "--seed", "2"],
    );
    let start = html.find("<h2 id=\"summary\">").expect("summary");
    let end = html.find("<h2 id=\"curves\">").expect("curves");
    insta::assert_snapshot!("exp_queue_seed_2_html_summary", &html[start..end]);
}

#[test]
fn the_html_report_is_the_same_bytes_for_the_same_inputs_whatever_jobs() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let one = report(a.path(), &["--seed", "7", "--jobs", "1"]);
    let two = report(b.path(), &["--seed", "7", "--jobs", "2"]);
    assert!(one == two, "reports differ");
    // And another seed gives another report.
    let c = tempfile::tempdir().expect("tempdir");
    assert_ne!(one, report(c.path(), &["--seed", "8"]));
}

/// Runs hvsim with `--svg DIR --csv DIR` and checks that it wrote `files`.
fn write_charts(args: &[&str], dir: &Path, files: &[&str]) {
    succeed(
        hvsim()
            .args(args)
            .arg("--svg")
            .arg(dir)
            .arg("--csv")
            .arg(dir),
    );
    for f in files {
        assert!(dir.join(f).is_file(), "{f}");
    }
}

#[test]
fn run_and_compare_write_charts_and_their_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dir.path().join("run");
    write_charts(
        &["run", "tests/fixtures/exp-queue.yaml", "--seed", "3"],
        &run,
        &[
            "gantt.svg",
            "restored-count.svg",
            "restored-weighted.svg",
            "apps.csv",
            "tasks.csv",
            "curve.csv",
        ],
    );
    let tasks = std::fs::read_to_string(run.join("tasks.csv")).expect("tasks.csv");
    insta::assert_snapshot!("exp_queue_seed_3_tasks_csv", tasks);
    let apps = std::fs::read_to_string(run.join("apps.csv")).expect("apps.csv");
    insta::assert_snapshot!("exp_queue_seed_3_apps_csv", apps);
    let svg = std::fs::read_to_string(run.join("gantt.svg")).expect("svg");
    let l = labels(&svg);
    for k in 1..=4 {
        assert!(l.contains(&format!("t #{k}")), "{l:?}");
    }
    assert!(
        l.contains(&"date and time, January 2024 (UTC, UTC+00:00)".to_string()),
        "{l:?}"
    );

    let cmp = dir.path().join("cmp");
    write_charts(
        &[
            "compare",
            "--runs",
            "64",
            "--strategies",
            "as-in-2018,reinstall-by-criticality",
        ],
        &cmp,
        &[
            "restored-count.svg",
            "restored-weighted.svg",
            "milestones-incident-1.svg",
            "milestones-incident-2.svg",
            "curve.csv",
            "milestones.csv",
        ],
    );
    // Every chart of the comparison names it.
    for chart in [
        "restored-count.svg",
        "restored-weighted.svg",
        "milestones-incident-1.svg",
        "milestones-incident-2.svg",
    ] {
        let svg = std::fs::read_to_string(cmp.join(chart)).expect("svg");
        assert_eq!(
            reproducing_command(&svg).as_deref(),
            Some(
                "hvsim compare --strategies as-in-2018,reinstall-by-criticality --runs 64 --seed 1"
            ),
            "{chart}"
        );
    }
    let curve = std::fs::read_to_string(cmp.join("curve.csv")).expect("curve.csv");
    let mut lines = curve.lines();
    assert_eq!(
        lines.next(),
        Some(
            "time,strategy,replications,apps_up_p10,apps_up_p50,apps_up_p90,weighted_up_p10,weighted_up_p50,weighted_up_p90"
        )
    );
    assert_eq!(lines.count(), 2 * hvsim::montecarlo::GRID_POINTS);
    assert!(curve.contains("+11:00,as-in-2018,64,"), "local times");
    // The shard options cannot go with charts: a shard is not a whole run.
    let out = hvsim()
        .args([
            "compare", "--runs", "64", "--shard", "0/2", "--out", "x", "--svg", "d",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_restored_curve_draws_the_scenarios_rto_objectives() {
    let dir = tempfile::tempdir().expect("tempdir");
    succeed(crate::hvsim().args(["run", "--svg"]).arg(dir.path()));
    let svg = std::fs::read_to_string(dir.path().join("restored-count.svg")).expect("svg");
    let labels = labels(&svg);
    // The 2018 scenario's two objectives, 1 d and 3 d after each strike.
    for name in [
        "RTO e-mail and infrastructure within a day",
        "RTO internet services within three days",
    ] {
        assert!(
            labels.iter().any(|l| l.starts_with(name)),
            "no `{name}` in {labels:?}"
        );
    }
    assert_no_overlap(&svg, "restored curve with objectives");
}

#[test]
fn the_gantt_chart_has_a_row_per_backup_stream_with_the_transfers() {
    let dir = tempfile::tempdir().expect("tempdir");
    succeed(
        crate::hvsim()
            .args([
                "run",
                "scenarios/backup-restore.yaml",
                "--strategy",
                "restore-by-criticality",
                "--svg",
            ])
            .arg(dir.path()),
    );
    let svg = std::fs::read_to_string(dir.path().join("gantt.svg")).expect("svg");
    let labels = labels(&svg);
    let streams = labels
        .iter()
        .filter(|l| l.starts_with("backup stream "))
        .count();
    // The scenario's backup system has 4 streams, all busy at some point.
    assert_eq!(streams, 4, "{labels:?}");
    assert!(svg.contains("from backup"), "transfers have tooltips");
    assert_no_overlap(&svg, "gantt with backup streams");
    // The transfers are drawn in the restore colour.
    let png = render(&svg, "gantt-streams");
    let restore = rgb(hvsim::chart::method_colour(hvsim::model::Method::Restore));
    assert!(pixels(&png, restore) > 100);
}

/// The 2018 estate with another fault campaign: a scenario file and
/// `--faults`, both of which a reproducing command must name.
const SCENARIO_2018: &str = "scenarios/nouvelle-caledonie-2018.yaml";
const LEAK: &str = "scenarios/faults/2018-slow-leak.yaml";

#[test]
fn the_charts_of_a_run_name_its_scenario_file_and_fault_campaign() {
    let dir = tempfile::tempdir().expect("tempdir");
    succeed(
        crate::hvsim()
            .args([
                "run",
                SCENARIO_2018,
                "--faults",
                LEAK,
                "--seed",
                "3",
                "--svg",
            ])
            .arg(dir.path()),
    );
    let want = format!("hvsim run {SCENARIO_2018} --faults {LEAK} --strategy as-in-2018 --seed 3");
    for chart in ["gantt.svg", "restored-count.svg", "restored-weighted.svg"] {
        let svg = std::fs::read_to_string(dir.path().join(chart)).expect("svg");
        assert_eq!(
            reproducing_command(&svg).as_deref(),
            Some(want.as_str()),
            "{chart}"
        );
        assert_no_overlap(&svg, chart);
    }
    // And that command does draw the same chart.
    let again = tempfile::tempdir().expect("tempdir");
    let args: Vec<&str> = want.split(' ').skip(1).collect();
    succeed(crate::hvsim().args(&args).arg("--svg").arg(again.path()));
    let read = |d: &Path| std::fs::read_to_string(d.join("gantt.svg")).expect("svg");
    assert!(
        read(dir.path()) == read(again.path()),
        "another Gantt chart"
    );
}

#[test]
fn the_charts_of_the_embedded_scenario_name_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    succeed(
        crate::hvsim()
            .args(["run", "--seed", "2", "--svg"])
            .arg(dir.path()),
    );
    let svg = std::fs::read_to_string(dir.path().join("gantt.svg")).expect("svg");
    assert_eq!(
        reproducing_command(&svg).as_deref(),
        Some("hvsim run --strategy as-in-2018 --seed 2")
    );
    assert!(!svg.contains(".yaml"), "no scenario path");
}

#[test]
fn the_reports_gantt_chart_names_the_run_with_its_scenario_file_and_fault_campaign() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report(
        dir.path(),
        &[SCENARIO_2018, "--faults", LEAK, "--seed", "7"],
    );
    let run = format!("hvsim run {SCENARIO_2018} --faults {LEAK} --strategy as-in-2018 --seed 7");
    assert!(
        html.contains(&format!("in the run that {run} shows")),
        "the caption names the run"
    );
    assert!(
        html.contains(&format!(
            "<code>hvsim report {SCENARIO_2018} --faults {LEAK} --runs 40 --seed 7 -o REPORT</code>"
        )),
        "the page names the report"
    );
    let start = html
        .find("<figure id=\"gantt-chart\">")
        .expect("Gantt chart");
    let end = start + html[start..].find("</svg>").expect("closed") + "</svg>".len();
    let svg = &html[start..end];
    let svg = &svg[svg.find("<svg").expect("svg")..];
    assert_eq!(reproducing_command(svg).as_deref(), Some(run.as_str()));
}

#[test]
fn a_path_with_a_space_or_a_quote_is_quoted_so_the_command_pastes_into_a_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let odd = dir.path().join("my scenarios");
    std::fs::create_dir(&odd).expect("mkdir");
    let scenario = odd.join("it's 2018.yaml");
    std::fs::copy(SCENARIO_2018, &scenario).expect("copy");
    let charts = dir.path().join("charts");
    succeed(
        crate::hvsim()
            .arg("run")
            .arg(&scenario)
            .args(["--faults", LEAK, "--svg"])
            .arg(&charts),
    );
    let quoted = format!(
        "'{}'",
        scenario.display().to_string().replace('\'', "'\\''")
    );
    let want = format!("hvsim run {quoted} --faults {LEAK} --strategy as-in-2018 --seed 1");
    let svg = std::fs::read_to_string(charts.join("gantt.svg")).expect("svg");
    assert_eq!(reproducing_command(&svg).as_deref(), Some(want.as_str()));
    // Pasted into a shell, the chart's lines (however they wrap) draw it again.
    let l = labels(&svg);
    let start = l.iter().position(|s| s == "reproduce:").expect("label") + 1;
    let end = start
        + l[start..]
            .iter()
            .position(|s| !s.ends_with(" \\"))
            .expect("last")
        + 1;
    let pasted = l[start..end].join("\n");
    let again = dir.path().join("again");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hvsim"))
        .parent()
        .expect("dir");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    succeed(
        std::process::Command::new("sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", path)
            .arg("-c")
            .arg(format!("{pasted} --svg \"$0\""))
            .arg(&again),
    );
    let read = |d: &Path| std::fs::read_to_string(d.join("gantt.svg")).expect("svg");
    assert!(read(&charts) == read(&again), "another Gantt chart");
    // The report says it the same way, escaped for HTML.
    let html = report(
        dir.path(),
        &[&scenario.display().to_string(), "--seed", "7"],
    );
    let quoted_html = quoted.replace('\'', "&#39;");
    assert!(
        html.contains(&format!(
            "in the run that hvsim run {quoted_html} --strategy as-in-2018 --seed 7 shows"
        )),
        "the caption quotes the path"
    );
    assert!(
        html.contains(&format!(
            "<code>hvsim report {quoted_html} --runs 40 --seed 7 -o REPORT</code>"
        )),
        "the report's command quotes the path"
    );
}
