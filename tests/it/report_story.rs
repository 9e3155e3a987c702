//! The report tells one story with the command line's charts (issue 17):
//! every chart embedded in the HTML report names the scenario and its
//! dates as `--svg` charts do, the objectives heat map is a chart near
//! the top, the phase timeline splits detection from diagnosis, and
//! `compare --svg` writes the dependency graph and the DR capacity too.
//! Each is read back through the parsed SVG and HTML, on several
//! scenarios.

use std::path::Path;

use crate::charts_graphs::desc;
use crate::charts_new::elements;
use crate::charts2::charts;
use crate::hvsim;

/// One app, one bug, fixed detection (30 min) and diagnosis (1 h) delays
/// and an objective: the smallest scenario a report can tell.
const TINY: &str = "\
name: one app
time_zone: Europe/Paris
start: 2024-03-01 08:00
horizon: 3d
builds:
  - { id: b, reboot: 10m }
sites:
  - { id: main }
  - { id: dr, role: dr }
clusters:
  - { id: prod, site: main }
  - { id: drc, site: dr }
hosts:
  - { id: h, count: 1, cluster: prod, build: b, cores: 16, memory: 64GiB }
  - { id: d, count: 1, cluster: drc, build: b, cores: 16, memory: 64GiB }
bugs:
  - id: crash
    builds: [b]
    trigger: { at: 2024-03-01 10:00 }
    scope: { clusters: [prod] }
    effects: { corrupt_vm: 1.0 }
apps:
  - id: ledger
    vms: [{ cluster: prod, cores: 2, memory: 8GiB }]
    work: { reinstall: 2h }
teams:
  - { id: t, members: 1, shifts: [\"24/7\"] }
objectives:
  - name: ledger within 6 hours
    apps: [ledger]
    rto: 6h
strategies:
  - { id: reinstall, detection: 30m, diagnosis: 1h, methods: [reinstall], order: fifo }
";

/// Writes [`TINY`] into `dir` and returns its path.
fn tiny(dir: &Path) -> String {
    let path = dir.join("one-app.yaml");
    std::fs::write(&path, TINY).expect("the tiny scenario");
    path.to_string_lossy().into_owned()
}

/// The report of `args` (written into `dir`).
fn report(dir: &Path, args: &[&str]) -> String {
    let out = dir.join("report.html");
    crate::charts::succeed(hvsim().arg("report").args(args).arg("-o").arg(&out));
    std::fs::read_to_string(&out).expect("the report")
}

/// Every chart of a page, in order.
fn svgs_of(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<svg ") {
        let end = at + rest[at..].find("</svg>").expect("a closed chart") + "</svg>".len();
        out.push(&rest[at..end]);
        rest = &rest[end..];
    }
    out
}

/// The text of the chart's scenario line (`class="context"`), if any.
fn context(svg: &str) -> Option<String> {
    let at = svg.find("class=\"context\"")?;
    let start = at + svg[at..].find('>')? + 1;
    let end = start + svg[start..].find("</text>")?;
    Some(svg[start..end].replace("&#39;", "'"))
}

/// The text of the chart's `<title>`.
fn title(svg: &str) -> String {
    let start = svg.find("<title>").expect("a title") + "<title>".len();
    let end = start + svg[start..].find("</title>").expect("closed");
    svg[start..end].replace("&#39;", "'")
}

#[test]
fn every_chart_of_the_report_names_the_scenario_and_its_dates_and_the_page_its_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = tiny(dir.path());
    for (scenario, name) in [
        (
            "scenarios/nouvelle-caledonie-2018.yaml",
            "Nouvelle-Calédonie",
        ),
        ("scenarios/backup-restore.yaml", "Datastore corruption"),
        ("scenarios/replicated-failover-runbook.yaml", ""),
        ("scenarios/availability-year.yaml", ""),
        (one.as_str(), "one app"),
    ] {
        // The smallest one with its explanation and levers too.
        let html = if scenario == one {
            report(dir.path(), &[scenario, "--runs", "6", "--advise-runs", "4"])
        } else {
            report(
                dir.path(),
                &[scenario, "--runs", "6", "--no-explain", "--no-advise"],
            )
        };
        let charts = svgs_of(&html);
        assert!(charts.len() >= 4, "{scenario}: {} charts", charts.len());
        // The same line over every chart: the scenario's name, its dates,
        // its time zone; and the chart's title carries it too.
        let line = context(charts[0]).unwrap_or_else(|| panic!("{scenario}: no scenario line"));
        assert!(line.starts_with(name), "{scenario}: {line}");
        assert!(line.contains(" – ") && line.ends_with(')'), "{line}");
        for svg in &charts {
            assert_eq!(context(svg).as_deref(), Some(line.as_str()), "{scenario}");
            assert!(
                title(svg).ends_with(&format!(" — {line}")),
                "{}",
                title(svg)
            );
            assert!(!desc(svg).trim().is_empty(), "{scenario}: {}", title(svg));
            // Still one chart, drawn below its band.
            assert_eq!(svg.matches("<svg").count(), 1);
            assert!(!svg.contains("xmlns"), "{scenario}: no URL in the page");
        }
        // One footer per page: the report's command once at the top, and
        // under a chart only where it shows another command's result (the
        // Gantt and DR capacity charts name their `hvsim run`, the levers'
        // chart its `hvsim advise`).
        assert_eq!(html.matches("Reproduce this report with").count(), 1);
        for svg in &charts {
            if let Some(at) = svg.find("class=\"command\"") {
                let footer = &svg[at..];
                assert!(
                    (footer.contains("hvsim run") || footer.contains("hvsim advise"))
                        && !footer.contains("hvsim report"),
                    "{}",
                    title(svg)
                );
            }
        }
    }
}

#[test]
fn the_objectives_heat_map_is_a_chart_at_the_top_with_the_tables_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = tiny(dir.path());
    for scenario in ["scenarios/backup-restore.yaml", one.as_str()] {
        let html = report(
            dir.path(),
            &[scenario, "--runs", "8", "--no-explain", "--no-advise"],
        );
        let findings = html.find("<h2 id=\"findings\">").expect("findings");
        let chart = html
            .find("<figure id=\"heat-map-chart\">")
            .unwrap_or_else(|| panic!("{scenario}: the heat map chart"));
        let table = html.find("<table class=\"heat\">").expect("the table");
        let summary = html.find("<h2 id=\"summary\">").expect("summary");
        assert!(findings < chart && chart < table && table < summary);
        // Before the one run's lines: the heat map opens the report.
        let run = html.find("MET").or_else(|| html.find("MISSED"));
        assert!(run.is_none_or(|r| chart < r), "{scenario}");
        // The table is for screen readers and copying: on screen only,
        // folded, with the chart's very numbers.
        assert!(
            html[..table]
                .ends_with("<details class=\"screen\"><summary>The same as a table</summary>\n")
        );
        let svg = svgs_of(&html[chart..table])[0];
        let cells: Vec<(String, String, String)> = elements(svg, "rect")
            .into_iter()
            .filter(|a| a.contains_key("data-p"))
            .map(|a| {
                (
                    a["data-strategy"].clone(),
                    a["data-metric"].clone(),
                    a["data-p"].clone(),
                )
            })
            .collect();
        assert!(!cells.is_empty(), "{scenario}");
        for (strategy, metric, p) in &cells {
            let cell = format!("data-metric=\"{metric}\" data-p=\"{p}\"");
            let row = &html[table..summary];
            let row = &row[row
                .find(&format!("<tr><th>{strategy}</th>"))
                .unwrap_or_else(|| panic!("a row for {strategy}"))..];
            let row = &row[..row.find("</tr>").expect("a closed row")];
            assert!(row.contains(&cell), "{strategy} {metric} {p}: {row}");
        }
    }
}

/// The end (hours after the strike) of `phase` in `strategy`'s row.
fn phase_end(svg: &str, strategy: &str, phase: &str) -> Option<f64> {
    elements(svg, "rect")
        .into_iter()
        .find(|a| {
            a.get("data-strategy").map(String::as_str) == Some(strategy)
                && a.get("data-phase").map(String::as_str) == Some(phase)
        })
        .and_then(|a| a.get("data-end-h")?.parse().ok())
}

#[test]
fn the_phase_timeline_draws_detection_and_diagnosis_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = tiny(dir.path());
    // Fixed delays: detection ends 30 min after the strike, diagnosis
    // 1 h later, in every run.
    let files = charts(&["compare", &one, "--runs", "6"]);
    let svg = &files["phases-incident-1.svg"];
    assert_eq!(phase_end(svg, "reinstall", "detection"), Some(0.5));
    assert_eq!(phase_end(svg, "reinstall", "diagnosis"), Some(1.5));
    let labels = crate::charts::labels(svg);
    for phase in [
        "detection",
        "diagnosis",
        "waiting for the first task",
        "restoring",
    ] {
        assert!(
            labels.contains(&format!("{phase} (median)")),
            "{phase}: {labels:?}"
        );
    }
    for back in ["first app", "50 %", "90 %", "100 %"] {
        assert!(
            labels.contains(&format!("{back} back, p10–p90")),
            "{labels:?}"
        );
    }
    assert!(
        desc(svg).contains("detection took 30m") && desc(svg).contains("diagnosis 1h more"),
        "{}",
        desc(svg)
    );
    // Random delays: detection comes first, then diagnosis, then the
    // first task, in every strategy's row.
    let files = charts(&["compare", "scenarios/backup-restore.yaml", "--runs", "12"]);
    let svg = &files["phases-incident-1.svg"];
    let rows: Vec<String> = elements(svg, "g")
        .into_iter()
        .filter_map(|a| a.get("data-strategy").cloned())
        .collect();
    assert!(rows.len() >= 2, "{rows:?}");
    for s in &rows {
        let detected = phase_end(svg, s, "detection").expect("detection");
        let diagnosed = phase_end(svg, s, "diagnosis").expect("diagnosis");
        let started = phase_end(svg, s, "waiting for the first task").expect("first task");
        // pert(10m, 30m, 1h), then pert(1h, 2h, 4h) more.
        assert!((10.0 / 60.0..=1.0).contains(&detected), "{s}: {detected}");
        assert!(diagnosed >= detected + 1.0, "{s}: {diagnosed}");
        assert!(started >= diagnosed, "{s}");
    }
}

#[test]
fn compare_writes_the_dependency_graph_and_the_dr_capacity_as_svg_and_png() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (svg_dir, png_dir) = (dir.path().join("svg"), dir.path().join("png"));
    crate::charts::succeed(
        hvsim()
            .args([
                "compare",
                "scenarios/replicated-failover-runbook.yaml",
                "--runs",
                "4",
            ])
            .arg("--svg")
            .arg(&svg_dir)
            .arg("--png")
            .arg(&png_dir),
    );
    for name in ["dependencies", "dr-capacity"] {
        let svg = std::fs::read_to_string(svg_dir.join(format!("{name}.svg"))).expect(name);
        assert!(context(&svg).is_some(), "{name}: the scenario line");
        assert!(svg.contains("class=\"command\""), "{name}: the footer");
        assert!(
            svg.contains("hvsim compare"),
            "{name}: reproduced by compare"
        );
        let png = std::fs::read(png_dir.join(format!("{name}.png"))).expect(name);
        assert!(png.starts_with(b"\x89PNG"), "{name}");
    }
    // One panel per strategy compared, each its run on the seed.
    let files = charts(&["compare", "scenarios/backup-restore.yaml", "--runs", "4"]);
    let graph = &files["dependencies.svg"];
    let strategies = hvsim_strategies("scenarios/backup-restore.yaml");
    for s in &strategies {
        assert!(graph.contains(s.as_str()), "{s}");
    }
    // No DR site, no DR capacity chart.
    let files = charts(&["compare", "scenarios/availability-year.yaml", "--runs", "2"]);
    assert!(files.contains_key("dependencies.svg"), "{:?}", files.keys());
    assert!(!files.contains_key("dr-capacity.svg"));
}

/// The strategies of a scenario, as `compare --json` lists them.
fn hvsim_strategies(scenario: &str) -> Vec<String> {
    let doc = crate::hvsim_json(&["compare", scenario, "--runs", "2", "--json"]);
    doc["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}
