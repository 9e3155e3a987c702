//! The house keeps its shape: the module map of `docs/design.md` is what
//! the code does.
//!
//! - Each top-level module of the library imports only modules of lower
//!   layers (the `LAYERS` list, bottom up), so no lower layer reaches a
//!   higher one and no two folders import each other.
//! - The renderers (`src/chart/`, `src/report/`) read only outcomes and
//!   summaries: they reach neither the run's modules (the engine, its
//!   vocabulary `run`, the fault and recovery sides, whatever name the
//!   crate root re-exports them under) nor any entry point that simulates.
//! - The library's modules and the CLI's (`src/cli/`) stay small where the
//!   issue said so: `src/engine.rs` under 500 lines, `src/main.rs` a few
//!   dozen, and no function in `src/` over 200 lines.
//!
//! Imports are found as `crate::NAME` paths (in `use` lines and inline)
//! outside comments; `super::` paths stay inside a folder by construction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The library's top-level modules, bottom up, one layer per entry: a
/// module may import only modules of earlier entries, never one of its
/// own entry. The run is four layers: its vocabulary (`run`: events, the
/// world, the handlers' context), the fault side, the recovery side (which
/// reads the fault side's state and calls it where its work may trigger a
/// bug), and the engine that owns the state and dispatches each event.
const LAYERS: &[&[&str]] = &[
    &["units"],
    &["sim"],
    &["model"],
    &["metrics"],
    &["run"],
    &["faults"],
    &["recovery"],
    &["engine"],
    &["sweep"],
    &["scenario"],
    &["montecarlo"],
    &["advise", "chaos"],
    &["explain"],
    &["chart"],
    &["fit"],
    &["report"],
    &["import"],
    &["gen", "fuzzing"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file with comments, string and char literals blanked,
/// line structure kept.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !ident_before(&b, i) {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match b.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| b.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some('\n') => out.push('\n'),
                    _ => {}
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && is_char_literal(&b, i) {
            let mut j = i + 1;
            if b.get(j) == Some(&'\\') {
                j += 1;
            }
            j += 1;
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// A quote opens a char literal (not a lifetime) when it closes within a
/// few characters: `'x'`, `'\n'`, `'\u{1F600}'`.
fn is_char_literal(b: &[char], i: usize) -> bool {
    matches!(
        (b.get(i + 1), b.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The top-level module a file belongs to: `src/sim/dist.rs` → `sim`,
/// `src/engine.rs` → `engine`; `None` for the crate roots and the CLI.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("under src/");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    match name.as_str() {
        "lib" | "main" | "cli" => None,
        _ => Some(name),
    }
}

/// The names the crate root re-exports (`pub use engine::{simulate, …}`
/// in `src/lib.rs`), each with the path it stands for (`simulate` →
/// `engine::simulate`, `decider` → `recovery::decider`), so that
/// `crate::simulate` or `crate::SimError` counts as an import of `engine`
/// and `crate::Decider` as one of `recovery`: the whole surface, read
/// from the root, not a hand-kept list.
fn root_reexports() -> BTreeMap<String, Vec<String>> {
    let code = code_only(&std::fs::read_to_string(src().join("lib.rs")).expect("readable lib.rs"));
    let mut names = BTreeMap::new();
    for stmt in code.split(';') {
        let Some((_, path)) = stmt.rsplit_once("pub use ") else {
            continue;
        };
        for path in paths_at(path.trim().trim_start_matches("crate::")) {
            if let Some(name) = path.last() {
                names.insert(name.clone(), path.clone());
            }
        }
    }
    names
}

/// The paths a `use` or an inline path starting at `text` names, each as
/// its segments: `a::b::c` → `[a, b, c]`; `a::{b, c::d}` → `[a, b]`,
/// `[a, c, d]`; `{a, b}` → `[a]`, `[b]`.
fn paths_at(text: &str) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    let mut rest = text.trim_start();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            return group_texts(group)
                .into_iter()
                .flat_map(|item| paths_at(&item))
                .map(|tail| prefix.iter().cloned().chain(tail).collect())
                .collect();
        }
        let id = first_ident(rest);
        if id.is_empty() {
            break;
        }
        rest = rest.trim_start()[id.len()..].trim_start();
        prefix.push(id.trim_start_matches("r#").to_string());
        match rest.strip_prefix("::") {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    vec![prefix]
}

/// The items of a `{a, b::c, d::{e, f}}` group, as text, given the text
/// after its opening brace.
fn group_texts(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 1;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    items.push(text[start..i].to_string());
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(text[start..i].to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// Every `crate::` path of `code`, a name the crate root re-exports
/// replaced by the path it stands for.
fn crate_paths(code: &str, reexports: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let prev = at.checked_sub(1).map(|p| code.as_bytes()[p]);
        if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'_' || p == b'$') {
            continue;
        }
        for path in paths_at(&code[at + "crate::".len()..]) {
            let Some(first) = path.first() else {
                continue;
            };
            paths.push(match reexports.get(first) {
                Some(full) => full.iter().chain(&path[1..]).cloned().collect(),
                None => path,
            });
        }
    }
    paths
}

/// The library's source files with their code (comments and literals
/// blanked, test modules removed), test files left out: test code may use
/// anything.
fn library_code() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    // A first pass finds the files declared `#[cfg(test)] mod x;` in
    // their parents.
    let mut test_files = Vec::new();
    let code: Vec<String> = files
        .iter()
        .map(|file| code_only(&std::fs::read_to_string(file).expect("readable source")))
        .collect();
    for (file, code) in files.iter().zip(&code) {
        without_tests(code, file, &mut test_files);
    }
    files
        .into_iter()
        .zip(code)
        .filter(|(file, _)| !test_files.contains(file))
        .map(|(file, code)| {
            let code = without_tests(&code, &file, &mut Vec::new());
            (file, code)
        })
        .collect()
}

/// `module → (imported module → first file that imports it)`.
fn imports() -> BTreeMap<String, BTreeMap<String, String>> {
    let reexports = root_reexports();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (file, code) in library_code() {
        let Some(from) = module_of(&file) else {
            continue;
        };
        let entry = graph.entry(from.clone()).or_default();
        for path in crate_paths(&code, &reexports) {
            let Some(to) = path.into_iter().next() else {
                continue;
            };
            if to != from && to != "self" && to.chars().next().is_some_and(|c| c.is_lowercase()) {
                entry
                    .entry(to)
                    .or_insert_with(|| file.display().to_string());
            }
        }
    }
    graph
}

/// `code` without its `#[cfg(test)] mod NAME { ... }` blocks; the files
/// of `#[cfg(test)] mod NAME;` declarations are added to `test_files`.
fn without_tests(code: &str, file: &Path, test_files: &mut Vec<PathBuf>) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let Some(decl) = item
            .strip_prefix("mod ")
            .or_else(|| item.strip_prefix("pub(crate) mod "))
        else {
            rest = after;
            continue;
        };
        let name = first_ident(decl);
        let tail = &decl[name.len()..];
        if tail.trim_start().starts_with(';') {
            // Beside a `mod.rs` or `lib.rs`, the file is a sibling; beside
            // `x.rs`, it is `x/NAME.rs`.
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let dir = file.parent().expect("a file has a folder");
            let base = if matches!(stem, "mod" | "lib" | "main") {
                dir.to_path_buf()
            } else {
                dir.join(stem)
            };
            test_files.push(base.join(format!("{name}.rs")));
            test_files.push(base.join(&name).join("mod.rs"));
            rest = after;
            continue;
        }
        // Skip the block to its closing brace.
        let open = after.find('{').unwrap_or(after.len());
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.extend(after[..end].chars().filter(|c| *c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn first_ident(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#')
        .collect()
}

#[test]
fn each_module_imports_only_lower_layers() {
    let rank: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (*m, i)))
        .collect();
    let graph = imports();
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        let Some(&r_from) = rank.get(from.as_str()) else {
            wrong.push(format!(
                "module `{from}` is not in the layer list of tests/it/layers.rs and docs/design.md"
            ));
            continue;
        };
        for (to, file) in tos {
            match rank.get(to.as_str()) {
                Some(&r_to) if r_to < r_from => {}
                Some(_) => wrong.push(format!(
                    "`{from}` imports `{to}`, which is not below it ({file})"
                )),
                None => wrong.push(format!("`{from}` imports unknown `crate::{to}` ({file})")),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

/// The import graph must also be checked to find something: the engine
/// uses the kernel and the model, and the renderers use the summaries.
#[test]
fn the_import_scan_sees_imports() {
    let graph = imports();
    let has = |from: &str, to: &str| graph.get(from).is_some_and(|t| t.contains_key(to));
    assert!(has("engine", "sim"), "{graph:#?}");
    assert!(has("engine", "model"), "{graph:#?}");
    assert!(has("report", "montecarlo"), "{graph:#?}");
    // The run's layers, one way: the engine drives both sides, recovery
    // reads the fault side, both speak the run's vocabulary.
    assert!(
        has("engine", "faults") && has("engine", "recovery"),
        "{graph:#?}"
    );
    assert!(
        has("recovery", "faults") && has("faults", "run"),
        "{graph:#?}"
    );
}

/// The run's modules, which no renderer imports; of `recovery`, only the
/// decision seam (`recovery::decider`, public as `crate::decider`), whose
/// vocabulary an explanation carries (what a host waited for), may be
/// named: driving a run through it takes `simulate_with`, named below.
const THE_RUN: &[&str] = &["run", "faults", "recovery", "engine"];

/// Entry points above the run that simulate replications (besides the
/// run's own): a renderer naming one would run the model again instead of
/// reading what a study handed it.
const SIMULATING: &[&str] = &[
    "simulate",
    "simulate_with",
    "simulate_prepared",
    "replicate",
    "Study",
    "Variants",
    "compare_shard",
    "restored_curves",
];

/// What in `code` reaches the run or simulates: each `crate::` path into
/// the run's modules (the root's re-exports resolved) but the decision
/// seam, and each identifier of `SIMULATING` (whole: `Study`, not
/// `ReasonStudy`).
fn reaches_the_run(code: &str, reexports: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut found: Vec<String> = crate_paths(code, reexports)
        .into_iter()
        .filter(|p| {
            p.first().is_some_and(|m| THE_RUN.contains(&m.as_str()))
                && !(p[0] == "recovery" && p.get(1).is_some_and(|s| s == "decider"))
        })
        .map(|p| format!("crate::{}", p.join("::")))
        .collect();
    let words: std::collections::BTreeSet<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    found.extend(
        SIMULATING
            .iter()
            .filter(|n| words.contains(*n))
            .map(|n| format!("`{n}`")),
    );
    found
}

/// The renderers read only what runs and studies hand them (an
/// `Outcome`, a `Summary`): no file under `src/chart/` or `src/report/`
/// imports the run's modules (by any path, the crate root's re-exports
/// included) or names an entry point that simulates. Checked to fail: on
/// the tree before the study kept the DR use, it names
/// `crate::engine::simulate` in `chart/capacity/runs.rs`.
#[test]
fn the_renderers_never_simulate() {
    let reexports = root_reexports();
    let renderers: Vec<(PathBuf, String)> = library_code()
        .into_iter()
        .filter(|(f, _)| {
            let rel = f.strip_prefix(src()).expect("under src/");
            rel.starts_with("chart") || rel.starts_with("report")
        })
        .collect();
    assert!(renderers.len() > 20, "the scan finds the renderers");
    let wrong: Vec<String> = renderers
        .iter()
        .flat_map(|(file, code)| {
            reaches_the_run(code, &reexports)
                .into_iter()
                .map(move |what| format!("{}: {what}", file.display()))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "renderers that reach the run instead of reading a Summary:\n{}",
        wrong.join("\n")
    );
    // The scan sees what it looks for: the root's re-exports resolve to
    // their modules, a path into the engine is named, by any spelling,
    // and so is a simulating entry point.
    for (name, path) in [
        ("simulate", "engine::simulate"),
        ("SimError", "engine::SimError"),
        ("decider", "recovery::decider"),
        ("Decider", "recovery::decider::Decider"),
        ("Outcome", "metrics::Outcome"),
    ] {
        assert_eq!(
            reexports.get(name).map(|p| p.join("::")),
            Some(path.to_string()),
            "{reexports:?}"
        );
    }
    for (code, hit) in [
        (
            "let o = crate::engine::simulate(s, t, 1);",
            "crate::engine::simulate",
        ),
        (
            "use crate::{model::Scenario, simulate};",
            "crate::engine::simulate",
        ),
        ("use crate::run::{Cx, Ev};", "crate::run::Cx"),
        ("fn f(e: crate::SimError) {}", "crate::engine::SimError"),
        (
            "use crate::recovery::dispatch::x;",
            "crate::recovery::dispatch::x",
        ),
        ("let s = Study::new(a, b, 1, 1);", "`Study`"),
    ] {
        assert!(
            reaches_the_run(code, &reexports).contains(&hit.to_string()),
            "{code}"
        );
    }
    for code in [
        "use crate::recovery::decider::HostWait;",
        "use crate::decider::HostWait;",
        "use crate::explain::ReasonStudy;",
        "let u = crate::chart::capacity::runs::sample(sc, c);",
    ] {
        assert!(reaches_the_run(code, &reexports).is_empty(), "{code}");
    }
}

/// `(file, fn name, first line, lines)` of every function in the sources.
fn functions() -> Vec<(String, String, usize, usize)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let code = code_only(&std::fs::read_to_string(&file).expect("readable source"));
        let lines: Vec<&str> = code.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let Some(name) = fn_name(lines[i]) else {
                i += 1;
                continue;
            };
            // From the signature to the brace that closes the body; a
            // declaration without a body (`fn f();` in a trait) ends at `;`.
            let mut depth = 0i64;
            let mut opened = false;
            let mut j = i;
            'scan: while j < lines.len() {
                for c in lines[j].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        ';' if !opened && depth == 0 => break 'scan,
                        _ => {}
                    }
                    if opened && depth == 0 {
                        break 'scan;
                    }
                }
                j += 1;
            }
            found.push((file.display().to_string(), name, i + 1, j - i + 1));
            // Nested functions are counted inside their parent only.
            i = if opened { j + 1 } else { i + 1 };
        }
    }
    found
}

fn fn_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        match w {
            "pub" | "pub(crate)" | "pub(super)" | "const" | "async" | "unsafe" | "extern"
            | "default" => continue,
            w if w.starts_with("pub(") => continue,
            "fn" => {
                let name: String = words
                    .next()?
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                return (!name.is_empty()).then_some(name);
            }
            _ => return None,
        }
    }
    None
}

#[test]
fn no_function_is_over_200_lines() {
    let all = functions();
    assert!(
        all.len() > 500,
        "the scan finds the functions: {}",
        all.len()
    );
    let long: Vec<String> = all
        .iter()
        .filter(|f| f.3 > 200)
        .map(|(file, name, line, n)| format!("{file}:{line}: fn {name} is {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over 200 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_engine_and_the_entry_point_stay_small() {
    let lines = |p: &str| {
        std::fs::read_to_string(src().join(p))
            .expect("readable source")
            .lines()
            .count()
    };
    assert!(
        lines("engine.rs") < 500,
        "src/engine.rs: {} lines",
        lines("engine.rs")
    );
    assert!(
        lines("main.rs") < 80,
        "src/main.rs: {} lines",
        lines("main.rs")
    );
}

#[test]
fn the_scanners_understand_rust() {
    let code = code_only("let s = \"crate::x {\"; // crate::y {\nlet c = '{'; fn f<'a>() {}\n");
    assert!(!code.contains("crate::"), "{code}");
    assert_eq!(code.matches('{').count(), 1, "{code}");
    assert_eq!(
        fn_name("    pub(crate) fn step(&mut self) {"),
        Some("step".into())
    );
    assert_eq!(fn_name("    let x = 1;"), None);
}
