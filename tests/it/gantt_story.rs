//! The Gantt chart tells the run's story (issue 17), checked through the
//! parsed SVG on the 2018 scenario, the runbook one, a one-app scenario
//! and a generated estate: labels beside or grouped and never
//! overlapping, idle stretches cut out, milestone and RTO marks with their
//! legend entries, automation and wave rows, the finding in `<desc>`.

use hvsim::montecarlo::incident_marks;

use crate::charts::{assert_no_overlap, labels, texts};
use crate::charts2::{assert_inside, charts};

/// A one-app scenario: the app is back 1 h 10 m after the strike, past
/// its 30-minute RTO.
const ONE_APP: &str = "\
name: one app
time_zone: UTC
start: 2024-01-01 00:00
horizon: 2d
builds:
  - { id: b, reboot: 10m }
sites:
  - { id: main }
clusters:
  - { id: prod, site: main }
hosts:
  - { id: h, cluster: prod, build: b, cores: 64, memory: 1TiB }
bugs:
  - id: bug
    builds: [b]
    trigger: { at: 2024-01-01 01:00 }
    scope: { clusters: [prod] }
apps:
  - { id: directory, vms: [{ cluster: prod, cores: 2, memory: 8GiB }], work: { restart: 1h } }
objectives:
  - { name: directory within 30 minutes, apps: [directory], rto: 30m }
teams:
  - { id: ops, members: 2, shifts: [\"24/7\"] }
strategies:
  - { id: restart, detection: 0s, diagnosis: 0s, methods: [restart], order: fifo }
";

/// The Gantt chart `hvsim run ARGS` draws.
fn gantt_of(args: &[&str]) -> String {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    charts(&all).remove("gantt.svg").expect("a Gantt chart")
}

/// The text of the chart's `<desc>`.
fn desc(svg: &str) -> String {
    let a = svg.find("<desc>").expect("a desc") + 6;
    let b = svg[a..].find("</desc>").expect("its end") + a;
    quick_xml::escape::unescape(&svg[a..b])
        .expect("text")
        .into_owned()
}

/// The texts of the group of class `class` (empty if there is none).
fn group_texts(svg: &str, class: &str) -> Vec<String> {
    let open = format!("<g class=\"{class}\">");
    let Some(at) = svg.find(&open) else {
        return Vec::new();
    };
    // Groups of bars hold no nested group of the same name: up to the
    // matching close, counting nested groups.
    let rest = &svg[at..];
    let (mut depth, mut end) = (0usize, rest.len());
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with("<g") {
            depth += 1;
        } else if rest[i..].starts_with("</g>") {
            depth -= 1;
            if depth == 0 {
                end = i + 4;
                break;
            }
        }
        i += rest[i..].chars().next().map_or(1, char::len_utf8);
    }
    labels(&format!("<svg>{}</svg>", &rest[..end]))
}

/// Every text inside the chart and none overlapping another on its line.
fn assert_legible(svg: &str, what: &str) {
    assert_no_overlap(svg, what);
    assert_inside(svg, what);
}

#[test]
fn short_bars_are_named_beside_them_or_grouped_and_no_label_overlaps() {
    let svg = gantt_of(&["--seed", "1"]);
    assert_legible(&svg, "2018");
    // The 120 reinstalls of web and e-service apps: runs of short bars of
    // one family get one label.
    let outside = group_texts(&svg, "bar-labels");
    let grouped: Vec<&String> = outside
        .iter()
        .filter(|s| s.starts_with("web ×") || s.starts_with("eservice ×"))
        .collect();
    assert!(!grouped.is_empty(), "{outside:?}");
    for g in grouped {
        let n: usize = g
            .rsplit('×')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert!(n >= 2, "{g}");
    }
    // And some short bars are named beside them, by their app's name.
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    assert!(
        outside
            .iter()
            .any(|s| scenario.apps.iter().any(|a| &a.id == s)),
        "{outside:?}"
    );
}

#[test]
fn a_generated_estate_of_hundreds_of_apps_stays_legible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("estate.yaml");
    crate::charts::succeed(
        crate::hvsim()
            .args([
                "gen",
                "--apps",
                "400",
                "--hosts",
                "60",
                "--dr-hosts",
                "12",
                "--teams",
                "3",
                "--members",
                "4",
                "--seed",
                "2",
                "--out",
            ])
            .arg(&file),
    );
    let svg = gantt_of(&[file.to_str().expect("a path")]);
    assert_legible(&svg, "generated estate");
    assert!(svg.contains("<desc>"), "a finding");
}

#[test]
fn long_idle_stretches_are_cut_out_with_their_length_and_ticks_stay_in_order() {
    let svg = gantt_of(&["--seed", "1"]);
    let l = labels(&svg);
    // The days between the 2018 incidents (Christmas) and the nights.
    assert!(
        l.iter()
            .any(|s| s.starts_with("3d ") && s.ends_with(" idle")),
        "{l:?}"
    );
    assert!(svg.contains("<title>Sat 22 Dec 2018 "), "the cut's tooltip");
    assert!(
        l.iter()
            .any(|s| s.starts_with("date and time, December 2018")
                && s.ends_with("idle stretches cut out")),
        "{l:?}"
    );
    assert!(svg.contains("<g class=\"cuts\">"));
    assert!(l.contains(&"idle stretch cut out".to_string()), "legend");
    // Ticks either side of a cut are true dates, left to right.
    let ticks: Vec<(f64, String)> = texts(&svg)
        .into_iter()
        .filter(|t| {
            let b = t.4.as_bytes();
            b.len() == 10 && b[3] == b' ' && b[6] == b' ' && b[4].is_ascii_digit()
        })
        .map(|t| (t.0, t.4))
        .collect();
    assert!(ticks.len() >= 3, "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0), "{ticks:?}");
    // The runbook's three hours have no long idle stretch: nothing cut.
    let svg = gantt_of(&["scenarios/replicated-failover-runbook.yaml"]);
    assert!(!svg.contains("class=\"cuts\""));
    assert!(!labels(&svg).iter().any(|s| s.contains("idle")));
}

#[test]
fn milestones_and_rto_deadlines_are_marked_only_where_they_concern_an_incident() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let run = hvsim::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
    let marks = incident_marks(&scenario, &run);
    let svg = gantt_of(&["--seed", "1"]);
    let l = labels(&svg);
    for k in 1..=2 {
        for want in ["50 % back", "90 % back", "100 % back"] {
            let label = format!("{want} (incident {k})");
            assert!(l.contains(&label), "{label} in {l:?}");
        }
    }
    let mut skipped = 0;
    for (k, mark) in marks.iter().enumerate() {
        for o in &scenario.objectives {
            let Some(rto) = o.rto else { continue };
            let label = format!("RTO {} {rto} (incident {})", o.name, k + 1);
            let concerns = mark.apps.iter().any(|a| o.apps.contains(a));
            assert_eq!(l.contains(&label), concerns, "{label} in {l:?}");
            skipped += usize::from(!concerns);
        }
    }
    assert!(skipped > 0, "the first incident hit no internet service");
    let legend = group_texts(&svg, "legend");
    for want in [
        "incident",
        "50/90/100 % of the apps back",
        "RTO deadline",
        "idle stretch cut out",
    ] {
        assert!(legend.contains(&want.to_string()), "{want} in {legend:?}");
    }
    // One app: its three milestones fall together, one mark; its legend
    // has only what is drawn.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("one-app.yaml");
    std::fs::write(&file, ONE_APP).expect("written");
    let svg = gantt_of(&[file.to_str().expect("a path")]);
    assert_legible(&svg, "one app");
    let l = labels(&svg);
    assert!(l.contains(&"50/90/100 % back".to_string()), "{l:?}");
    assert!(
        l.contains(&"RTO directory within 30 minutes 30m".to_string()),
        "{l:?}"
    );
    assert!(l.contains(&"directory".to_string()), "the bar is named");
    let legend = group_texts(&svg, "legend");
    assert_eq!(
        legend,
        [
            "restart",
            "members on duty",
            "incident",
            "50/90/100 % of the apps back",
            "RTO deadline"
        ],
        "24/7: no off-shift shading; nothing automated, no wave, no cut"
    );
    assert_eq!(
        desc(&svg),
        "The one app went down; every one was back by Mon 01 Jan 02:10, 1h 10m after the \
         first strike; directory within 30 minutes: 1 app past the 30m RTO"
    );
}

#[test]
fn automated_recoveries_and_runbook_waves_have_rows_of_their_own() {
    let svg = gantt_of(&["scenarios/replicated-failover-runbook.yaml"]);
    assert_legible(&svg, "runbook");
    let l = labels(&svg);
    for row in ["runbook waves", "automation", "automation (2)"] {
        assert!(l.contains(&row.to_string()), "row {row} in {l:?}");
    }
    // Every wave is named, on its band or beside it.
    let named: Vec<String> = group_texts(&svg, "waves")
        .into_iter()
        .chain(group_texts(&svg, "bar-labels"))
        .collect();
    for wave in ["infrastructure", "business", "the rest"] {
        assert!(named.contains(&wave.to_string()), "{wave} in {named:?}");
    }
    // Failovers are in the automation rows, with tooltips; none in a
    // member's row.
    assert!(svg.contains("<g class=\"automation\">"));
    assert!(svg.contains(": failover (automated), started "));
    // The bars run from each failover's recorded start: with at most 4
    // failovers at once (the runbook strategy's cap), they pack into at
    // most 4 rows (drawn from when each could start, they took 10).
    let rows = l.iter().filter(|s| s.starts_with("automation")).count();
    assert!((2..=4).contains(&rows), "{rows} automation rows in {l:?}");
    let legend = group_texts(&svg, "legend");
    for want in ["failover (automated)", "go (runbook step)", "runbook wave"] {
        assert!(legend.contains(&want.to_string()), "{want} in {legend:?}");
    }
    // The 2018 run has neither: no such rows, no such legend entries.
    let svg = gantt_of(&["--seed", "1"]);
    let l = labels(&svg);
    assert!(
        !l.iter()
            .any(|s| s.starts_with("automation") || s.starts_with("runbook"))
    );
}

#[test]
fn the_desc_states_the_last_app_back_and_the_rto_misses() {
    let scenario = hvsim::scenario::load_default().expect("embedded scenario");
    let run = hvsim::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
    let d = desc(&gantt_of(&["--seed", "1"]));
    assert!(
        d.starts_with("All 160 apps went down; every one was back by "),
        "{d}"
    );
    for (o, r) in scenario.objectives.iter().zip(run.objectives(&scenario)) {
        let Some(rto) = o.rto else { continue };
        let missed = r.rto_missed.len();
        assert!(missed > 0, "2018 missed every RTO");
        let want = format!(
            "{}: {missed} app{} past the {rto} RTO",
            o.name,
            if missed == 1 { "" } else { "s" }
        );
        assert!(d.contains(&want), "{want} in {d}");
    }
}
