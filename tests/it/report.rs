//! `hvsim report` (issue 17): the page opens with the findings and the
//! objectives heat map, whose numbers are `compare --json`'s; the run's
//! objectives and the data it lost are on the first screen; every section
//! holds what fits its scenario and none is empty; the headings go in
//! order and every chart describes itself; explain and advise are in by
//! default and can be left out. Printing is checked by `.ci/report-pdf`.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::Event;

use crate::{bundled_scenario_files, hvsim, hvsim_json, run_ok};

/// Writes the report of `args` into `dir` and returns its text.
fn report(dir: &Path, args: &[&str]) -> String {
    let path = dir.join("report.html");
    run_ok(hvsim().arg("report").args(args).arg("-o").arg(&path));
    std::fs::read_to_string(&path).expect("report written")
}

/// An element of the page: its name, attributes and text (its children's
/// included), in document order.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

/// Parses the page as XML (it is well-formed) into its elements.
fn elements(html: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(html);
    let mut all: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let attrs = |e: &quick_xml::events::BytesStart| {
        e.attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().expect("escaped").into_owned(),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    loop {
        match reader.read_event() {
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            Ok(Event::Start(e)) => {
                all.push(Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs: attrs(&e),
                    text: String::new(),
                });
                open.push(all.len() - 1);
            }
            Ok(Event::Empty(e)) => all.push(Element {
                name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                attrs: attrs(&e),
                text: String::new(),
            }),
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Text(t)) => {
                let t = t.unescape().expect("escaped text");
                for &i in &open {
                    all[i].text.push_str(&t);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    all
}

/// The page's text as a reader sees it, without its head. Charts count by
/// the room they take, not by the text in them (their tooltips and
/// description are not read down the page), and a screen-only
/// `<details>` is closed: both are left out.
fn visible_text(html: &str) -> String {
    let mut body = html[html.find("<body>").expect("a body")..].to_string();
    for (open, close) in [
        ("<svg ", "</svg>"),
        ("<details class=\"screen\">", "</details>"),
    ] {
        while let Some(at) = body.find(open) {
            let end = at + body[at..].find(close).expect("closed") + close.len();
            body.replace_range(at..end, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The metric `metric` of strategy `strategy` in a `compare --json` document.
fn json_metric<'a>(
    json: &'a serde_json::Value,
    strategy: &str,
    metric: &str,
) -> &'a serde_json::Value {
    let s = json["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .find(|s| s["id"] == strategy)
        .unwrap_or_else(|| panic!("no strategy {strategy} in the JSON"));
    s["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == metric)
        .unwrap_or_else(|| panic!("no metric {metric} of {strategy} in the JSON"))
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text}"))
}

#[test]
fn the_findings_and_the_heat_map_open_the_report_with_compare_jsons_numbers() {
    for scenario in [
        "scenarios/nouvelle-caledonie-2018.yaml",
        "scenarios/backup-restore.yaml",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let args = [scenario, "--runs", "30", "--seed", "7"];
        let html = report(
            dir.path(),
            &[&args[..], &["--no-explain", "--no-advise"]].concat(),
        );
        let json = hvsim_json(&[&["compare"], &args[..], &["--json"]].concat());
        // Findings first, then the heat map, then the detailed summary.
        let findings = html.find("<h2 id=\"findings\">").expect("findings");
        let heat = html.find("<h3 id=\"heat-map\">").expect("heat map");
        let summary = html.find("<h2 id=\"summary\">").expect("summary");
        assert!(findings < heat && heat < summary, "{scenario}: order");
        assert!(
            !html[..findings].contains("<h2"),
            "{scenario}: no section before the findings"
        );
        let page = elements(&html);
        let (mut finding_items, mut cells) = (0, 0);
        for e in &page {
            if e.name == "li" && e.attrs.get("class").map(String::as_str) == Some("finding") {
                finding_items += 1;
                let m = json_metric(&json, &e.attrs["data-strategy"], &e.attrs["data-metric"]);
                let diff = &m["diff_vs_first"];
                assert_eq!(
                    number(&e.attrs["data-diff-mean"]),
                    diff["mean"].as_f64().expect("a mean"),
                    "{scenario}: {}",
                    e.text
                );
                assert_eq!(
                    number(&e.attrs["data-diff-ci95"]),
                    diff["ci95"].as_f64().expect("a CI"),
                    "{scenario}: {}",
                    e.text
                );
                assert!(e.text.contains(&e.attrs["data-strategy"]), "{}", e.text);
            }
        }
        // The heat map: a row per strategy, a cell per objective, each the
        // JSON's share of runs, shown to a tenth of a percent.
        let table = &html[heat..summary];
        for row in table.split("<tr><th>").skip(2) {
            let strategy = &row[..row.find("</th>").expect("row header")];
            for cell in elements(&format!(
                "<tr><th>{}</tr>",
                &row[..row.find("</tr>").expect("row")]
            ))
            .iter()
            .filter(|e| e.name == "td")
            {
                cells += 1;
                let m = json_metric(&json, strategy, &cell.attrs["data-metric"]);
                let p = m["mean"].as_f64().expect("a share");
                assert_eq!(number(&cell.attrs["data-p"]), p, "{scenario}: {strategy}");
                let shown = number(cell.text.split(" %").next().expect("a percentage"));
                assert!((shown - p).abs() <= 0.05, "{scenario}: {shown} for {p}");
                let [lo, hi] = [0, 1].map(|i| m["share_ci95"][i].as_f64().expect("CI"));
                assert!(
                    cell.text.contains(&format!("{lo:.1}–{hi:.1} %")),
                    "{}",
                    cell.text
                );
            }
        }
        let strategies = json["strategies"].as_array().expect("strategies").len();
        let objectives = json["strategies"][0]["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .filter(|m| m["kind"] == "share")
            .count();
        assert!(objectives > 0, "{scenario} has objectives");
        assert_eq!(cells, strategies * objectives, "{scenario}: every cell");
        assert!(finding_items >= 1, "{scenario}: at least one finding");
    }
}

#[test]
fn the_rpo_miss_of_payments_is_on_the_first_screen_with_the_data_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report(
        dir.path(),
        &[
            "scenarios/backup-restore.yaml",
            "--runs",
            "10",
            "--no-advise",
        ],
    );
    let text = visible_text(&html);
    let missed = "MISSED payments lose at most 4 hours of data";
    let at = text.find(missed).expect("the RPO miss is stated");
    // A first screen holds about this much text; the miss, with the data
    // payments lost, comes before any table of numbers.
    assert!(at < 2500, "the miss is {at} characters down the page");
    assert!(at < text.find("Summary Time from each strike").expect("summary"));
    assert!(text[at..].starts_with(&format!(
        "{missed} (RPO 4h; its one app went down); 1 lost more data than the RPO: payments lost 17h of data"
    )));
    // The one-run section lists every objective as `hvsim run` does, and
    // its table has the data lost column.
    let run = &html[html.find("<h2 id=\"gantt\">").expect("one run")..];
    for want in [
        "<li><strong>met</strong> critical apps within 8 hours",
        "<li><strong>MISSED</strong> payments lose at most 4 hours of data",
        "<th>data lost</th></tr>",
        "<tr><td>payments</td>",
        // The Gantt chart states its finding first.
        "<desc>All 20 apps went down; every one was back by ",
    ] {
        assert!(run.contains(want), "missing {want}");
    }
    let payments = &run[run.find("<tr><td>payments</td>").expect("row")..];
    let row = &payments[..payments.find("</tr>").expect("row end")];
    assert!(row.ends_with("<td class=\"num\">17h</td>"), "{row}");
}

/// The report's sections: `(level, heading text, what follows up to the
/// next heading)`.
fn sections(html: &str) -> Vec<(u8, String, String)> {
    let body = &html[html.find("<body>").expect("a body")..];
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("<h") {
        let level = rest.as_bytes()[start + 2];
        if !(b'1'..=b'6').contains(&level) {
            rest = &rest[start + 2..];
            continue;
        }
        let close = format!("</h{}>", level as char);
        let end = rest[start..].find(&close).expect("a closed heading") + start;
        let heading = visible_text(&format!("<body>{}", &rest[start..end]));
        let after = &rest[end + close.len()..];
        let next = (1..=6)
            .filter_map(|l| after.find(&format!("<h{l}")))
            .min()
            .unwrap_or(after.len());
        found.push((level - b'0', heading, after[..next].to_string()));
        rest = after;
    }
    found
}

#[test]
fn every_bundled_scenario_gets_sections_that_are_not_empty_with_headings_in_order() {
    for file in bundled_scenario_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let html = report(
            dir.path(),
            &[&file, "--runs", "6", "--advise-runs", "4", "--seed", "3"],
        );
        let found = sections(&html);
        assert_eq!(
            found.first().map(|s| s.0),
            Some(1),
            "{file}: starts with h1"
        );
        let mut previous = 0;
        for (i, (level, heading, content)) in found.iter().enumerate() {
            assert!(
                *level <= previous + 1,
                "{file}: h{level} `{heading}` after h{previous}"
            );
            previous = *level;
            // A heading holds content of its own, or opens subsections.
            let subsection = found.get(i + 1).is_some_and(|n| n.0 > *level);
            let has = ["<p", "<table", "<figure", "<ul", "<details", "<section"]
                .iter()
                .any(|t| content.contains(t));
            assert!(
                has || (subsection && content.trim().is_empty()),
                "{file}: section `{heading}` is empty"
            );
        }
        let headings: Vec<&str> = found.iter().map(|s| s.1.as_str()).collect();
        for always in ["Findings", "Summary", "Restored curves", "Assumptions"] {
            assert!(headings.contains(&always), "{file}: {always}");
        }
        assert!(headings.iter().any(|h| h.starts_with("One run")), "{file}");
        assert!(
            headings.iter().any(|h| h.starts_with("Why the apps")),
            "{file}"
        );
        assert!(
            headings.iter().any(|h| h.starts_with("Top levers")),
            "{file}"
        );
        // Every link of the contents goes to a section of the page.
        let nav = &html[html.find("<nav>").expect("nav")..html.find("</nav>").expect("nav")];
        for link in nav.split("href=\"#").skip(1) {
            let id = &link[..link.find('"').expect("quoted")];
            assert!(html.contains(&format!("id=\"{id}\"")), "{file}: #{id}");
        }
        // Each chart says what it is and what it shows; no script.
        assert!(!html.contains("<script"), "{file}: a script");
        for svg in html.split("<svg").skip(1) {
            let svg = &svg[..svg.find("</svg>").expect("closed")];
            let title = svg.find("<title>").expect("a title");
            let desc = svg.find("<desc>").expect("a description");
            assert!(title < desc, "{file}: the title first");
            let text = &svg[desc + 6..svg.find("</desc>").expect("closed")];
            assert!(text.len() > 30, "{file}: a description that says something");
        }
        // Sections that only some scenarios fill.
        assert_eq!(
            html.contains("milestone distributions</a>"),
            headings.contains(&"Milestone distributions"),
            "{file}: the contents and the sections agree"
        );
        if file.ends_with("availability-year.yaml") {
            assert!(!headings.contains(&"Milestone distributions"), "{file}");
        }
        if file.ends_with("replicated-failover-runbook.yaml") {
            assert!(
                headings.contains(&"Runbook waves and automated recovery"),
                "{file}"
            );
            for want in [
                "<td>infrastructure</td>",
                "<td>business</td>",
                "came back by failover without anyone",
            ] {
                assert!(html.contains(want), "{file}: missing {want}");
            }
        }
    }
}

#[test]
fn explain_and_advise_are_in_by_default_and_can_be_left_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["tests/fixtures/explain-queue.yaml", "--runs", "4"];
    let full = report(dir.path(), &args);
    for want in [
        "<a href=\"#reasons\">why the apps were down</a>",
        "<h2 id=\"reasons\">",
        "<a href=\"#levers\">top levers</a>",
        "<h2 id=\"levers\">Top levers: strategy one-engineer</h2>",
        "--strategy one-engineer --runs 4 --seed 1</code> gives them all",
        // The reasons chart states its finding: each bar's sentence.
        "<desc>Of 22 app-hours down in incident 1: 55 % queued for a team member",
    ] {
        assert!(full.contains(want), "missing {want}");
    }
    // The old flag still works and changes nothing.
    let old = report(dir.path(), &[&args[..], &["--explain"]].concat());
    assert_eq!(old, full, "--explain is the default");
    let bare = report(
        dir.path(),
        &[&args[..], &["--no-explain", "--no-advise"]].concat(),
    );
    for gone in ["#reasons", "id=\"reasons\"", "#levers", "id=\"levers\""] {
        assert!(!bare.contains(gone), "{gone} left in");
    }
    assert!(bare.contains("--runs 4 --seed 1 -o "));
    assert!(bare.contains(" --no-explain --no-advise</code>"));
    // Fewer lever replications are said in the command that reproduces it.
    let few = report(dir.path(), &[&args[..], &["--advise-runs", "2"]].concat());
    assert!(few.contains(" --advise-runs 2</code>"));
    assert!(few.contains("--strategy one-engineer --runs 2 --seed 1</code> gives them all"));
}
