//! `hvsim schema`: the JSON Schema editors use to check scenario and fault
//! campaign files as they are typed (docs/editors.md).
//!
//! The schema is checked with a real validator (the `jsonschema` crate,
//! draft 2020-12) against every bundled file (all must pass), against the
//! broken corpus (what a schema can judge must be rejected), and against
//! the loader itself on the scalar spellings YAML allows (a schema that
//! rejects a valid file is worse than none). The copies shipped in
//! `docs/schema/` must equal the command's output; regenerate them with
//!
//! ```text
//! UPDATE_SCHEMA=1 cargo test --test it schema::
//! ```

use std::path::{Path, PathBuf};

use hvsim::scenario::schema::{SchemaKind, schema, schema_text};
use hvsim::scenario::{Format, load_str};
use serde_json::Value;

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let s = schema(kind);
    assert!(
        jsonschema::draft202012::meta::is_valid(&s),
        "the {kind:?} schema is not a valid draft 2020-12 schema"
    );
    jsonschema::draft202012::new(&s).expect("the schema compiles (patterns included)")
}

/// A file's document as JSON, parsed by the format's own reader, or the
/// parser's message.
fn document(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => serde_saphyr::from_str::<Value>(&text).map_err(|e| e.to_string()),
        Some("toml") => toml::from_str::<Value>(&text).map_err(|e| e.to_string()),
        Some("json") => serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()),
        _ => Err(format!("{}: not a scenario format", path.display())),
    }
}

/// The schema's complaints about a document, one line each.
fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
        .expect("the directory exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_bundled_scenario_and_campaign_validates() {
    let scenario = validator(SchemaKind::Scenario);
    let faults = validator(SchemaKind::Faults);
    let scenarios = files("scenarios", &["yaml", "yml", "toml", "json"]);
    let campaigns = files("scenarios/faults", &["yaml", "yml", "toml", "json"]);
    assert!(scenarios.len() >= 7, "bundled scenarios: {scenarios:?}");
    assert!(campaigns.len() >= 2, "bundled campaigns: {campaigns:?}");
    assert!(
        scenarios
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "toml")),
        "a TOML scenario is among them"
    );
    for (v, list) in [(&scenario, &scenarios), (&faults, &campaigns)] {
        for path in list {
            let doc = document(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let errs = errors(v, &doc);
            assert!(
                errs.is_empty(),
                "{} does not validate:\n{}",
                path.display(),
                errs.join("\n")
            );
        }
    }
    // The benchmark fixtures and the `hvsim gen` output are scenarios too.
    for path in files("benches/fixtures", &["yaml", "toml", "json"]) {
        let doc = document(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errs = errors(&scenario, &doc);
        assert!(errs.is_empty(), "{}:\n{}", path.display(), errs.join("\n"));
    }
}

#[test]
fn a_campaign_is_not_a_scenario_and_the_other_way_round() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let campaign = document(&root.join("scenarios/faults/2018-slow-leak.yaml")).expect("parses");
    let scenario = document(&root.join("scenarios/nouvelle-caledonie-2018.yaml")).expect("parses");
    // A campaign lacks the scenario's required sections; a scenario has
    // sections a campaign does not allow.
    assert!(!validator(SchemaKind::Scenario).is_valid(&campaign));
    assert!(!validator(SchemaKind::Faults).is_valid(&scenario));
}

/// Broken files the schema rejects, and the kind of mistake. The schema
/// judges the shape of a file: unknown and missing fields, types, the
/// syntax of values it has a pattern for (durations, sizes, throughputs,
/// distribution names, method, order, role and outage keywords, ids) and
/// fixed bounds (counts, criticality, probabilities, empty lists).
const REJECTED: &[(&str, &str)] = &[
    ("backup-unknown-field.yaml", "unknown field"),
    ("json-unknown-field.json", "unknown field"),
    ("toml-unknown-field.toml", "unknown field"),
    ("unknown-app-field.yaml", "unknown field"),
    ("unknown-top-level-field.yaml", "unknown field"),
    (
        "unquoted-distribution-in-flow-mapping.yaml",
        "unknown field (`15m)`)",
    ),
    ("cores-fractional.yaml", "wrong type"),
    ("cores-negative.yaml", "wrong type (a whole number)"),
    ("cores-wrong-type.yaml", "wrong type"),
    ("crash-not-a-bool.yaml", "wrong type"),
    ("depends-on-not-a-list.yaml", "wrong type"),
    ("json-wrong-type.json", "wrong type"),
    ("toml-wrong-type.toml", "wrong type"),
    ("name-null.yaml", "wrong type (null)"),
    (
        "horizon-bare-number.yaml",
        "wrong type (a number, not a duration)",
    ),
    ("bad-size.yaml", "wrong type (a number, not a size)"),
    (
        "yaml-top-level-list.yaml",
        "wrong type (a list, not a mapping)",
    ),
    (
        "yaml-empty-file.yaml",
        "wrong type (nothing, not a mapping)",
    ),
    ("missing-time-zone.yaml", "missing field"),
    ("missing-vm-memory.yaml", "missing field"),
    ("backup-bad-throughput.yaml", "pattern (throughput)"),
    ("horizon-english.yaml", "pattern (duration)"),
    ("bad-distribution-name.yaml", "pattern (distribution name)"),
    ("id-with-space.yaml", "pattern (id)"),
    ("unknown-method.yaml", "pattern (method)"),
    ("unknown-skill.yaml", "pattern (method)"),
    ("unknown-order.yaml", "pattern (order)"),
    ("several-errors.yaml", "pattern (order), among others"),
    ("unknown-site-role.yaml", "enum (role)"),
    ("app-without-vms.yaml", "bound (empty list)"),
    ("apps-empty.yaml", "bound (empty list)"),
    ("team-without-shifts.yaml", "bound (empty list)"),
    ("app-without-work.yaml", "bound (empty mapping)"),
    ("escalate-empty.yaml", "bound (empty mapping)"),
    ("backup-streams-zero.yaml", "bound"),
    ("cap-zero.yaml", "bound"),
    ("cores-zero.yaml", "bound"),
    ("count-over-limit.yaml", "bound"),
    ("count-zero.yaml", "bound"),
    ("criticality-out-of-range.yaml", "bound"),
    ("max-events-zero.yaml", "bound"),
    ("probability-over-one.yaml", "bound"),
    ("scope-probability-negative.yaml", "bound"),
    ("team-zero-members.yaml", "bound"),
    ("vcpu-per-core-zero.yaml", "bound"),
];

/// Broken files the schema accepts: their mistake is not in the shape of
/// one value, so only the loader (`hvsim validate`) finds it.
const ACCEPTED: &[(&str, &str)] = &[
    // References between ids: a schema sees one value at a time.
    ("dangling-build.yaml", "reference"),
    ("dangling-cluster-in-host.yaml", "reference"),
    ("dangling-depends-on.yaml", "reference"),
    ("dangling-scope-cluster.yaml", "reference"),
    ("dangling-site-in-cluster.yaml", "reference"),
    ("json-dangling-reference.json", "reference"),
    ("toml-dangling-reference.toml", "reference"),
    ("self-dependency.yaml", "reference"),
    ("strategy-unknown-team.yaml", "reference"),
    ("unknown-default-strategy.yaml", "reference"),
    ("wave-unknown-app.yaml", "reference"),
    ("wave-tag-no-app.yaml", "reference (a tag no app has)"),
    ("scope-tag-unknown.yaml", "reference (a tag no host has)"),
    ("dr-site-not-dr.yaml", "reference (the site's role)"),
    ("dependency-cycle.yaml", "cycle"),
    ("duplicate-app-id.yaml", "uniqueness across the file"),
    ("group-expansion-collision.yaml", "uniqueness after `count`"),
    ("duplicate-method.yaml", "uniqueness of names"),
    // Capacity and combinations of sections.
    ("vms-do-not-fit.yaml", "capacity"),
    ("vm-cluster-without-hosts.yaml", "capacity"),
    ("bug-scope-no-affected-host.yaml", "scope against builds"),
    ("failover-without-replication.yaml", "needs another section"),
    ("restore-without-backup.yaml", "needs another section"),
    ("reinstall-without-dr-site.yaml", "needs a DR site"),
    ("rebuild-without-rebuild-to.yaml", "needs another field"),
    (
        "rebuild-to-build-without-effort.yaml",
        "needs another field",
    ),
    ("patch-without-effort.yaml", "needs another field"),
    ("strategy-teams-lack-skill.yaml", "teams against methods"),
    ("escalate-single-method.yaml", "needs two methods"),
    ("objective-without-apps.yaml", "one of two fields"),
    ("objective-without-rto-or-rpo.yaml", "one of two fields"),
    (
        "holiday-too-many-members.yaml",
        "bound set by another field",
    ),
    // Dates, times and calendars: read by jiff and the shift parser, whose
    // grammars (and the time zone database) a pattern would only
    // approximate; approximating them risks rejecting a valid file.
    ("backup-at-with-offset.yaml", "date"),
    ("holiday-bad-date.yaml", "date"),
    ("start-bad-date.yaml", "date"),
    ("start-in-dst-gap.yaml", "date in the time zone"),
    ("start-with-offset.yaml", "date"),
    ("start-with-z.yaml", "date"),
    ("start-year-9999.yaml", "calendar limit"),
    ("trigger-after-horizon.yaml", "date against the horizon"),
    ("trigger-before-start.yaml", "date against the start"),
    (
        "toml-trigger-after-horizon.toml",
        "date against the horizon",
    ),
    ("unknown-time-zone.yaml", "time zone database"),
    ("bad-shift.yaml", "shift"),
    ("shift-unknown-day.yaml", "shift"),
    ("horizon-too-long.yaml", "a duration's value"),
    ("horizon-zero.yaml", "a duration's value"),
    // Inside a distribution's parentheses the pattern lets any argument
    // through: the parameters' names, count and order are the parser's.
    ("dist-wrong-argument-count.yaml", "distribution arguments"),
    ("negative-duration.yaml", "distribution arguments"),
    ("pert-min-over-mode.yaml", "distribution arguments"),
    ("unknown-duration-unit.yaml", "distribution arguments"),
    // JSON objects keep the last of duplicate keys: the document the
    // schema sees is valid (the loader refuses the duplicate).
    ("json-duplicate-key.json", "duplicate key"),
];

/// Broken files that do not parse into a document at all: the format's
/// parser (the editor's too) reports them, before any schema.
/// (`yaml-bad-indentation.yaml` is a syntax error to a YAML parser; the
/// loader, reading into its own types, reports it as text in `count`.)
const UNPARSEABLE: &[&str] = &[
    "yaml-bad-indentation.yaml",
    "json-trailing-comma.json",
    "json-trailing-content.json",
    "toml-syntax-error.toml",
    "yaml-duplicate-key.yaml",
    "yaml-several-documents.yaml",
    "yaml-tab-indentation.yaml",
    "yaml-unclosed-flow-sequence.yaml",
    "unsupported-extension.txt",
];

#[test]
fn broken_files_the_schema_can_judge_are_rejected() {
    let v = validator(SchemaKind::Scenario);
    let all: Vec<String> = files("tests/broken", &["yaml", "yml", "toml", "json", "txt"])
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    let mut problems = Vec::new();
    for name in &all {
        let listed = usize::from(REJECTED.iter().any(|(n, _)| n == name))
            + usize::from(ACCEPTED.iter().any(|(n, _)| n == name))
            + usize::from(UNPARSEABLE.contains(&name.as_str()));
        if listed != 1 {
            problems.push(format!(
                "{name} is in {listed} lists: put it in exactly one of REJECTED, ACCEPTED, UNPARSEABLE"
            ));
        }
    }
    let listed = REJECTED
        .iter()
        .map(|(n, _)| *n)
        .chain(ACCEPTED.iter().map(|(n, _)| *n))
        .chain(UNPARSEABLE.iter().copied());
    for name in listed {
        if !all.iter().any(|n| n == name) {
            problems.push(format!("{name} is listed but not in tests/broken"));
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    for (name, why) in REJECTED {
        match document(&dir.join(name)) {
            Err(e) => problems.push(format!("{name}: does not parse: {e}")),
            Ok(doc) if v.is_valid(&doc) => {
                problems.push(format!("{name}: the schema accepts it ({why})"))
            }
            Ok(_) => {}
        }
    }
    for (name, why) in ACCEPTED {
        match document(&dir.join(name)) {
            Err(e) => problems.push(format!("{name}: does not parse: {e}")),
            Ok(doc) => {
                let errs = errors(&v, &doc);
                if !errs.is_empty() {
                    problems.push(format!(
                        "{name}: listed as beyond the schema ({why}) but rejected: {}",
                        errs.join("; ")
                    ));
                }
            }
        }
    }
    for name in UNPARSEABLE {
        if let Ok(doc) = document(&dir.join(name)) {
            problems.push(format!("{name}: parses, to {doc}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A small valid scenario; `@@` marks the line each case replaces.
const BASE: &str = r#"
name: Base
time_zone: Europe/Paris
start: 2024-03-29 00:00
horizon: 30d
builds:
  - { id: b1, reboot: 15m }
sites:
  - { id: paris }
  - { id: lyon, role: dr }
  - { id: spare }
clusters:
  - { id: prod, site: paris }
  - { id: dr, site: lyon }
hosts:
  - { id: esx, count: 2, cluster: prod, build: b1, cores: 16, memory: 256GiB, tags: [rack-a] }
  - { id: drx, cluster: dr, build: b1, cores: 16, memory: 256GiB }
bugs:
  - id: bug
    builds: [b1]
    trigger: { at: 2024-03-30 23:00 }
    effects: { crash: true, corrupt_vm: 0.2 }
apps:
  - id: web
    vms: [{ cluster: prod, cores: 2, memory: 4GiB, disk: 40GiB }]
    work: { restart: 20m, reinstall: "pert(1h, 2h, 4h)" }
backup: { throughput: 1TiB/h, streams: 4, every: 24h, at: 2024-03-28 22:00 }
teams:
  - { id: ops, members: 3, shifts: ["Mon-Fri 08:00-18:00"] }
strategies:
  - { id: s, detection: 30m, diagnosis: 1h, methods: [restart, reinstall], order: fifo }
"#;

/// Replaces the line of `BASE` that starts with `from` (after indentation)
/// by `to`, keeping the indentation.
fn mutate(from: &str, to: &str) -> String {
    let mut found = 0;
    let out: Vec<String> = BASE
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with(from) {
                found += 1;
                format!("{}{to}", &l[..l.len() - t.len()])
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(found, 1, "`{from}` names one line of BASE");
    out.join("\n")
}

/// The schema and the loader agree on whether a file is valid, for the
/// spellings YAML allows and for values whose syntax the schema has a
/// pattern for. A case the loader accepts and the schema rejects is the bug
/// this test exists for.
#[test]
fn the_schema_agrees_with_the_loader_on_yaml_spellings() {
    let v = validator(SchemaKind::Scenario);
    // (line to replace, replacement, valid?)
    let cases: &[(&str, &str, bool)] = &[
        ("name:", "name: Base", true),
        // YAML reads a plain number or boolean in a text field as its text.
        ("name:", "name: 2018", true),
        ("name:", "name: true", true),
        ("name:", "name: 1.5", true),
        ("name:", "name:", false),
        ("name:", "name: [a]", false),
        (
            "- { id: esx,",
            "- { id: 42, cluster: prod, build: b1, cores: 16, memory: 256GiB, tags: [2018] }",
            true,
        ),
        // Numbers: quoted, signed, in hexadecimal, with separators.
        (
            "- { id: drx,",
            r#"- { id: drx, cluster: dr, build: b1, cores: "16", memory: 256GiB }"#,
            true,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: +16, memory: 256GiB }",
            true,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 0x10, memory: 256GiB }",
            true,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 1_6, memory: 256GiB }",
            true,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16.5, memory: 256GiB }",
            false,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: sixteen, memory: 256GiB }",
            false,
        ),
        // Booleans as YAML 1.1 spells them, and quoted numbers as probabilities.
        (
            "effects:",
            r#"effects: { crash: yes, corrupt_vm: "0.2" }"#,
            true,
        ),
        ("effects:", "effects: { crash: On, corrupt_vm: .2 }", true),
        ("effects:", r#"effects: { crash: "true" }"#, true),
        ("effects:", "effects: { crash: maybe }", false),
        ("effects:", "effects: { corrupt_vm: 1.5 }", false),
        ("effects:", "effects: { corrupt_vm: 2e-1 }", true),
        ("effects:", "effects: { corrupt_vm: null }", true),
        // Durations, sizes, throughputs and distributions.
        ("horizon:", "horizon: 4w 2d 3h 30m 10s 5ms", true),
        ("horizon:", "horizon: 31.5d", true),
        ("horizon:", "horizon: .5w", true),
        ("horizon:", r#"horizon: " 30 d ""#, true),
        ("horizon:", "horizon: 43200min", true),
        ("horizon:", "horizon: 30", false),
        ("horizon:", "horizon: 30 days", false),
        ("horizon:", "horizon: 30D", false),
        ("horizon:", "horizon: -30d", false),
        ("horizon:", r#"horizon: """#, false),
        (
            "- { id: b1,",
            r#"- { id: b1, reboot: "PERT (5m, 10m, 30m)" }"#,
            true,
        ),
        (
            "- { id: b1,",
            r#"- { id: b1, reboot: "exponential(10m)" }"#,
            true,
        ),
        (
            "- { id: b1,",
            r#"- { id: b1, reboot: "lognormal(mean=10m, sd=2m)" }"#,
            true,
        ),
        (
            "- { id: b1,",
            r#"- { id: b1, reboot: "gauss(10m)" }"#,
            false,
        ),
        ("- { id: b1,", r#"- { id: b1, reboot: "pert" }"#, false),
        ("- { id: b1,", "- { id: b1, reboot: 15 }", false),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16, memory: 256 giB }",
            true,
        ),
        // A lowercase `b` is a bit to many readers: never guessed.
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16, memory: 256 gib }",
            false,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16, memory: 256Gb }",
            false,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16, memory: 0.25TB }",
            true,
        ),
        (
            "- { id: drx,",
            "- { id: drx, cluster: dr, build: b1, cores: 16, memory: 256GiB/h }",
            false,
        ),
        (
            "backup:",
            "backup: { throughput: 10 Gbit / s, streams: 4, every: 24h, at: 2024-03-28 22:00 }",
            true,
        ),
        (
            "backup:",
            "backup: { throughput: 2tB/d, streams: 4, every: 24h, at: 2024-03-28 22:00 }",
            true,
        ),
        (
            "backup:",
            "backup: { throughput: 2tb/d, streams: 4, every: 24h, at: 2024-03-28 22:00 }",
            false,
        ),
        (
            "backup:",
            "backup: { throughput: 1Gb/s, streams: 4, every: 24h, at: 2024-03-28 22:00 }",
            false,
        ),
        (
            "backup:",
            "backup: { throughput: 1TiB, streams: 4, every: 24h, at: 2024-03-28 22:00 }",
            false,
        ),
        // Keywords: trimmed where the loader trims them, exact where not.
        (
            "- { id: s,",
            r#"- { id: s, detection: 30m, diagnosis: 1h, methods: [" restart"], order: " fifo " }"#,
            true,
        ),
        (
            "- { id: s,",
            "- { id: s, detection: 30m, diagnosis: 1h, methods: [Restart], order: fifo }",
            false,
        ),
        ("- { id: lyon,", "- { id: lyon, role: dr }", true),
        ("- { id: lyon,", r#"- { id: lyon, role: " dr" }"#, false),
        ("- { id: lyon,", "- { id: lyon, role: DR }", false),
        // Ids: letters (any script), digits, `-`, `_`, `.`, `/`.
        ("- { id: spare", "- { id: spare.b/c_d-1 }", true),
        ("- { id: spare", "- { id: réserve }", true),
        ("- { id: spare", "- { id: 7 }", true),
        (
            "- { id: prod,",
            "- { id: prod, site: paris, description: 12 }",
            true,
        ),
        ("- { id: spare", r#"- { id: "spare 1" }"#, false),
        ("- { id: spare", r#"- { id: "spare:1" }"#, false),
        ("- { id: spare", r#"- { id: "spare,1" }"#, false),
        ("- { id: spare", r#"- { id: "" }"#, false),
    ];
    let mut problems = Vec::new();
    for (from, to, valid) in cases {
        let text = mutate(from, to);
        let loaded = load_str(&text, "case.yaml", Format::Yaml);
        let doc: Value = match serde_saphyr::from_str(&text) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("`{to}`: does not parse: {e}"));
                continue;
            }
        };
        let schema_ok = v.is_valid(&doc);
        if loaded.is_ok() != *valid {
            problems.push(format!(
                "`{to}`: the loader says {}, the case says {}",
                match &loaded {
                    Ok(_) => "valid".to_string(),
                    Err(e) => format!("invalid ({e})"),
                },
                if *valid { "valid" } else { "invalid" }
            ));
        }
        if schema_ok != *valid {
            problems.push(format!(
                "`{to}`: the schema says {}, the loader {}",
                if schema_ok {
                    "valid".to_string()
                } else {
                    format!("invalid ({})", errors(&v, &doc).join("; "))
                },
                if loaded.is_ok() { "valid" } else { "invalid" }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_shipped_schemas_are_the_commands_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (kind, arg, file) in [
        (
            SchemaKind::Scenario,
            "scenario",
            "docs/schema/scenario.schema.json",
        ),
        (
            SchemaKind::Faults,
            "faults",
            "docs/schema/faults.schema.json",
        ),
    ] {
        let out = crate::run_ok(crate::hvsim().args(["schema", arg]));
        let printed = String::from_utf8(out.stdout).expect("UTF-8");
        assert_eq!(printed, schema_text(kind), "hvsim schema {arg}");
        let path = root.join(file);
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&path, &printed).expect("write the schema");
        }
        let shipped = std::fs::read_to_string(&path).unwrap_or_default();
        if shipped != printed {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from `hvsim schema`: regenerate with UPDATE_SCHEMA=1 cargo test --test it schema::"
    );
}

#[test]
fn hvsim_schema_prints_a_draft_2020_12_schema_with_descriptions() {
    let s = crate::hvsim_json(&["schema"]);
    assert_eq!(
        s["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{s}"
    );
    assert_eq!(s["title"], "hvsim scenario");
    assert_eq!(s["additionalProperties"], false);
    let horizon = &s["properties"]["horizon"];
    assert!(
        horizon["description"]
            .as_str()
            .is_some_and(|d| d.contains("How long the simulation may run") && d.contains("`30d`")),
        "{horizon}"
    );
    assert!(horizon["pattern"].is_string(), "{horizon}");
    // The default is the scenario; the same bytes every time.
    let again = crate::hvsim()
        .args(["schema", "scenario"])
        .output()
        .expect("runs");
    assert_eq!(
        serde_json::from_slice::<Value>(&again.stdout).expect("JSON"),
        s
    );

    let f = crate::hvsim_json(&["schema", "faults"]);
    assert_eq!(f["title"], "hvsim fault campaign");
    let props = f["properties"].as_object().expect("properties");
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "absences",
            "bugs",
            "chaos",
            "description",
            "name",
            "outages"
        ]
    );
    assert!(f["required"].is_null() || f["required"] == serde_json::json!([]));
}

#[test]
fn an_unknown_kind_is_a_usage_error_listing_the_choices() {
    let out = crate::hvsim()
        .args(["schema", "scenarios"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'scenarios'")
            && err.contains("scenario")
            && err.contains("faults"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

/// Editors' language servers implement draft 7 fully and later drafts in
/// part: the schema declares 2020-12 but keeps to keywords draft 7 also
/// has (`$defs` is reached by a JSON pointer in `$ref`, which any draft
/// resolves), so it works in all of them.
#[test]
fn the_schema_keeps_to_keywords_draft_7_editors_understand() {
    const KEYWORDS: &[&str] = &[
        "$defs",
        "$ref",
        "$schema",
        "additionalProperties",
        "anyOf",
        "default",
        "description",
        "enum",
        "examples",
        "items",
        "maximum",
        "minItems",
        "minProperties",
        "minimum",
        "pattern",
        "properties",
        "required",
        "title",
        "type",
    ];
    /// Every keyword of a schema object, recursively: the keys of
    /// `properties` and `$defs` are names, not keywords.
    fn keywords(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    out.push(k.clone());
                    match (k.as_str(), x) {
                        ("properties" | "$defs", Value::Object(named)) => {
                            named.values().for_each(|s| keywords(s, out))
                        }
                        _ => keywords(x, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|x| keywords(x, out)),
            _ => {}
        }
    }
    for kind in [SchemaKind::Scenario, SchemaKind::Faults] {
        let mut found = Vec::new();
        keywords(&schema(kind), &mut found);
        assert!(found.iter().any(|k| k == "pattern"), "{kind:?}");
        let unknown: Vec<&String> = found
            .iter()
            .filter(|k| !KEYWORDS.contains(&k.as_str()))
            .collect();
        assert!(unknown.is_empty(), "{kind:?}: {unknown:?}");
    }
}

/// The editor's header line is a YAML comment: the loader ignores it.
#[test]
fn the_yaml_language_server_header_is_accepted() {
    let text = format!(
        "# yaml-language-server: $schema=../docs/schema/scenario.schema.json\n{}",
        BASE.trim_start()
    );
    let loaded = load_str(&text, "header.yaml", Format::Yaml);
    assert!(loaded.is_ok(), "{:?}", loaded.err().map(|e| e.to_string()));
    let doc: Value = serde_saphyr::from_str(&text).expect("parses");
    assert!(validator(SchemaKind::Scenario).is_valid(&doc));
}

/// Every field says what it is: a field added without a doc comment fails
/// here, so editors never show a bare name.
#[test]
fn every_field_has_a_description() {
    for kind in [SchemaKind::Scenario, SchemaKind::Faults] {
        let s = schema(kind);
        let mut objects = vec![("(top level)".to_string(), &s)];
        if let Some(defs) = s["$defs"].as_object() {
            objects.extend(defs.iter().map(|(name, d)| (name.clone(), d)));
        }
        let mut bare = Vec::new();
        for (owner, object) in objects {
            for (field, sub) in object["properties"].as_object().into_iter().flatten() {
                if sub["description"].as_str().is_none_or(|d| d.len() < 10) {
                    bare.push(format!("{owner}.{field}"));
                }
            }
        }
        assert!(
            bare.is_empty(),
            "{kind:?}: fields without a description: {bare:?}"
        );
    }
}
