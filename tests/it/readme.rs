//! The documents tell the truth: every sample of program output in
//! `README.md` and the pages under `docs/` (subfolders too) is the
//! program's current output, and every repository path they mention
//! exists.
//!
//! A sample is a code block (fenced, or indented by four spaces more than
//! the marker) preceded by a marker comment naming the command that
//! produces it and which of its lines it shows:
//!
//! ```text
//! <!-- sample: hvsim run --seed 1; from "incident 2 —" to "100 % back" -->
//! <!-- sample: hvsim run --seed 1 --trace; stderr; line with "crashed"; line with "diagnosed" -->
//! ```
//!
//! Clauses, separated by `;`: first the command (`hvsim` and its arguments,
//! split on spaces, run from the crate root with the test build's binary);
//! then optionally `stderr` (the default is stdout); then selections, each
//! searched after the previous one's last line: `line with "TEXT" ...`
//! (the first line containing every TEXT given) and `from "A" to "B"`
//! (the first line containing A through the next line containing B).
//! Without selections the sample is the whole stream. Lines are compared
//! without trailing spaces. Select by texts that name what the lines are
//! (a metric, a strategy, a label), not by their values or positions, so
//! that a change of output is fixed by blessing, not by editing markers.
//!
//! When the program's output changes on purpose, update every sample with
//! one command: `HVSIM_BLESS=1 cargo test --test it readme::` rewrites the
//! blocks in place (review the diff). A selection whose text no longer
//! appears cannot be blessed: edit its marker by hand.
//!
//! Each distinct command runs once. Keep them cheap: `compare` samples use
//! a small `--runs`, which the text around the sample states.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The crate root: every path in the documents is relative to it.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `README.md` and every `.md` under `docs/`, at any depth
/// (`docs/lessons/` too), relative to the root, sorted.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut docs = Vec::new();
    let mut dirs = vec![PathBuf::from("docs")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(root().join(&dir)).expect("docs/ is readable") {
            let p = dir.join(e.expect("a docs/ entry").file_name());
            if root().join(&p).is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                docs.push(p);
            }
        }
    }
    docs.sort();
    files.extend(docs);
    files
}

// ---- samples -----------------------------------------------------------

/// Which lines of a command's output a sample shows.
#[derive(Debug, Clone, PartialEq)]
enum Selection {
    /// The first line containing every one of the texts.
    Line(Vec<String>),
    /// From the first line containing the first text through the next line
    /// containing the second.
    Range(String, String),
}

/// A code block's place in its document (0-based line indices).
#[derive(Debug, Clone, PartialEq)]
struct Block {
    /// First line of the content.
    start: usize,
    /// One past its last line.
    end: usize,
    /// Spaces stripped from (and put back on) each content line.
    indent: usize,
}

/// One marker and the block it governs.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    /// 1-based line of the marker, for messages.
    line: usize,
    /// The arguments after `hvsim`.
    args: Vec<String>,
    stderr: bool,
    selections: Vec<Selection>,
    block: Block,
}

impl Sample {
    fn command(&self) -> String {
        format!("hvsim {}", self.args.join(" "))
    }
}

/// Splits a marker's text on `;` outside double quotes.
fn clauses(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.last_mut().expect("never empty").push(c);
            }
            ';' if !quoted => out.push(String::new()),
            _ => out.last_mut().expect("never empty").push(c),
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// The quoted texts of a clause, in order: `from "a" to "b"` → [a, b].
fn quoted(clause: &str) -> Vec<String> {
    clause
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn leading_spaces(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Every sample of a document, or the first problem with a marker.
fn parse_samples(text: &str) -> Result<Vec<Sample>, String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut samples = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let trimmed = raw.trim();
        let Some(body) = trimmed.strip_prefix("<!-- sample:") else {
            continue;
        };
        let here = i + 1;
        let body = body.strip_suffix("-->").ok_or(format!(
            "line {here}: a sample marker ends with `-->` on its line"
        ))?;
        let mut parts = clauses(body).into_iter();
        let command = parts.next().unwrap_or_default();
        let args: Vec<String> = match command.strip_prefix("hvsim") {
            Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                rest.split_whitespace().map(str::to_string).collect()
            }
            _ => {
                return Err(format!(
                    "line {here}: a sample starts with `hvsim ...`, got `{command}`"
                ));
            }
        };
        let mut stderr = false;
        let mut selections = Vec::new();
        for clause in parts {
            let texts = quoted(&clause);
            if clause == "stderr" {
                stderr = true;
            } else if clause == "stdout" {
                stderr = false;
            } else if clause.starts_with("line with ") && !texts.is_empty() {
                selections.push(Selection::Line(texts));
            } else if clause.starts_with("from ") && clause.contains(" to ") && texts.len() == 2 {
                selections.push(Selection::Range(texts[0].clone(), texts[1].clone()));
            } else {
                return Err(format!(
                    "line {here}: unknown clause `{clause}`; expected `stderr`, `stdout`, \
                     `line with \"TEXT\" [\"TEXT\"...]` or `from \"A\" to \"B\"`"
                ));
            }
        }
        let block = find_block(&lines, i, leading_spaces(raw)).ok_or(format!(
            "line {here}: no code block after the sample marker"
        ))?;
        samples.push(Sample {
            line: here,
            args,
            stderr,
            selections,
            block,
        });
    }
    Ok(samples)
}

/// The code block after the marker on line `marker` (indented `indent`):
/// fenced (```` ``` ```` or `~~~`) or indented by at least four more spaces.
fn find_block(lines: &[&str], marker: usize, indent: usize) -> Option<Block> {
    let first = (marker + 1..lines.len()).find(|&j| !lines[j].trim().is_empty())?;
    let open = lines[first];
    let fence = ["```", "~~~"]
        .into_iter()
        .find(|f| open.trim_start().starts_with(f));
    if let Some(fence) = fence {
        let close = (first + 1..lines.len()).find(|&j| lines[j].trim_start().starts_with(fence))?;
        return Some(Block {
            start: first + 1,
            end: close,
            indent: leading_spaces(open),
        });
    }
    let code = indent + 4;
    if leading_spaces(open) < code {
        return None;
    }
    let mut end = first;
    for (j, line) in lines.iter().enumerate().skip(first) {
        if line.trim().is_empty() {
            continue;
        }
        if leading_spaces(line) < code {
            break;
        }
        end = j + 1;
    }
    Some(Block {
        start: first,
        end,
        indent: code,
    })
}

/// The block's lines as shown, without its indentation or trailing spaces.
fn shown(lines: &[&str], block: &Block) -> Vec<String> {
    lines[block.start..block.end]
        .iter()
        .map(|l| {
            let strip = leading_spaces(l).min(block.indent);
            l[strip..].trim_end().to_string()
        })
        .collect()
}

/// The lines of `output` the selections pick, without trailing spaces.
fn select(output: &str, selections: &[Selection]) -> Result<Vec<String>, String> {
    let lines: Vec<&str> = output.lines().map(str::trim_end).collect();
    if selections.is_empty() {
        let mut all: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        while all.last().is_some_and(|l| l.is_empty()) {
            all.pop();
        }
        return Ok(all);
    }
    let find = |from: usize, texts: &[String]| {
        (from..lines.len())
            .find(|&j| texts.iter().all(|t| lines[j].contains(t.as_str())))
            .ok_or(format!(
                "no line with \"{}\" (searched after the previous selection)",
                texts.join("\" and \"")
            ))
    };
    let mut picked = Vec::new();
    let mut cursor = 0;
    for s in selections {
        match s {
            Selection::Line(texts) => {
                let j = find(cursor, texts)?;
                picked.push(lines[j].to_string());
                cursor = j + 1;
            }
            Selection::Range(a, b) => {
                let i = find(cursor, std::slice::from_ref(a))?;
                let j = find(i, std::slice::from_ref(b))?;
                picked.extend(lines[i..=j].iter().map(|l| l.to_string()));
                cursor = j + 1;
            }
        }
    }
    Ok(picked)
}

/// The program's output for (arguments, whether stderr is wanted).
type Runner<'a> = dyn FnMut(&[String], bool) -> Result<String, String> + 'a;

/// Checks (or, with `bless`, rewrites) every sample of one document.
/// `output(args, stderr)` is the program's output. Returns the new text
/// (the same when nothing changed) and one message per stale sample.
fn check_document(
    name: &str,
    text: &str,
    bless: bool,
    output: &mut Runner<'_>,
) -> Result<(String, Vec<String>), String> {
    let samples = parse_samples(text).map_err(|e| format!("{name}:{e}"))?;
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut stale = Vec::new();
    // Bottom up, so that a rewritten block does not move the ones above it.
    for sample in samples.iter().rev() {
        let out = output(&sample.args, sample.stderr)
            .map_err(|e| format!("{name}:{}: {}: {e}", sample.line, sample.command()))?;
        let expected = select(&out, &sample.selections).map_err(|e| {
            format!(
                "{name}:{}: the output of `{}` has {e}: edit the marker",
                sample.line,
                sample.command()
            )
        })?;
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let actual = shown(&refs, &sample.block);
        if actual == expected {
            continue;
        }
        if bless {
            let pad = " ".repeat(sample.block.indent);
            let new: Vec<String> = expected
                .iter()
                .map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!("{pad}{l}")
                    }
                })
                .collect();
            lines.splice(sample.block.start..sample.block.end, new);
        } else {
            stale.push(format!(
                "{name}:{}: the sample of `{}` is stale.\n--- in {name}:\n{}\n--- the program prints:\n{}",
                sample.line,
                sample.command(),
                actual.join("\n"),
                expected.join("\n")
            ));
        }
    }
    stale.reverse();
    Ok((lines.join("\n"), stale))
}

/// Runs `hvsim ARGS` once per distinct command and returns the stream.
fn program_output(
    cache: &mut BTreeMap<Vec<String>, (String, String)>,
    args: &[String],
    stderr: bool,
) -> Result<String, String> {
    if !cache.contains_key(args) {
        let out = crate::hvsim()
            .args(args)
            .env_remove("RUST_LOG")
            .output()
            .map_err(|e| format!("cannot run the binary: {e}"))?;
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        if !out.status.success() {
            return Err(format!("failed ({}): {}", out.status, text(out.stderr)));
        }
        cache.insert(args.to_vec(), (text(out.stdout), text(out.stderr)));
    }
    let (out, err) = &cache[args];
    Ok(if stderr { err.clone() } else { out.clone() })
}

#[test]
fn every_sample_in_the_documents_is_the_programs_output() {
    let bless = std::env::var_os("HVSIM_BLESS").is_some_and(|v| v != "0" && !v.is_empty());
    let mut cache = BTreeMap::new();
    let mut stale = Vec::new();
    let mut readme_samples = 0;
    for doc in documents() {
        let path = root().join(&doc);
        let name = doc.display().to_string();
        let text = std::fs::read_to_string(&path).expect("the document is readable");
        let found = parse_samples(&text).unwrap_or_else(|e| panic!("{name}:{e}"));
        if name == "README.md" {
            readme_samples = found.len();
        }
        let mut run = |args: &[String], err: bool| program_output(&mut cache, args, err);
        let (new, mut problems) =
            check_document(&name, &text, bless, &mut run).unwrap_or_else(|e| panic!("{e}"));
        if bless && new != text {
            std::fs::write(&path, &new).expect("the document is writable");
            eprintln!("blessed: {name}");
        }
        stale.append(&mut problems);
    }
    // The README shows the seed-1 report, a trace and a comparison: if
    // their markers went missing, nothing would be checked.
    assert!(
        readme_samples >= 3,
        "README.md has {readme_samples} sample marker(s); expected at least 3"
    );
    assert!(
        stale.is_empty(),
        "{}\n\nIf the program's output changed on purpose, update every sample with\n    \
         HVSIM_BLESS=1 cargo test --test it readme::\nand review the diff.",
        stale.join("\n\n")
    );
}

#[test]
fn a_stale_sample_is_found_and_blessed() {
    let doc = "Intro.\n\n<!-- sample: hvsim run --seed 1; from \"b\" to \"c\" -->\n\n    \
               b old\n    c\n\nText.\n\n  <!-- sample: hvsim x; stderr; line with \"z\" \"2\" -->\n  \
               ```\n  z2\n  ```\n";
    let mut fake = |args: &[String], stderr: bool| -> Result<String, String> {
        Ok(match (args.first().map(String::as_str), stderr) {
            (Some("run"), false) => "a\nb new  \nc\nd\n".to_string(),
            (Some("x"), true) => "y\nz1\nz2\n".to_string(),
            _ => return Err(format!("unexpected {args:?} {stderr}")),
        })
    };
    let (same, stale) = check_document("doc.md", doc, false, &mut fake).expect("parses");
    assert_eq!(same, doc, "checking never rewrites");
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert!(stale[0].starts_with("doc.md:3: the sample of `hvsim run --seed 1` is stale"));
    assert!(stale[0].contains("b old") && stale[0].contains("b new"));
    let (blessed, stale) = check_document("doc.md", doc, true, &mut fake).expect("parses");
    assert!(stale.is_empty());
    assert_eq!(blessed, doc.replace("b old", "b new"));
    let (again, stale) = check_document("doc.md", &blessed, false, &mut fake).expect("parses");
    assert!(stale.is_empty() && again == blessed);
    // A selection the output no longer has, or a bad marker, is an error.
    let gone = doc.replace("\"z\" \"2\"", "\"z\" \"3\"");
    let err = check_document("doc.md", &gone, true, &mut fake).expect_err("no line with z and 3");
    assert!(
        err.contains("doc.md:10: the output of `hvsim x` has no line with \"z\" and \"3\""),
        "{err}"
    );
    let bad = doc.replace("; stderr;", "; stdin;");
    let err = parse_samples(&bad).expect_err("unknown clause");
    assert!(err.contains("line 10: unknown clause `stdin`"), "{err}");
    let alone = "<!-- sample: hvsim run -->\n\nNo block here.\n";
    assert!(parse_samples(alone).is_err());
}

// ---- paths and links -------------------------------------------------

/// The top-level folders whose paths the documents mention.
const ROOTS: [&str; 6] = ["scenarios/", "docs/", "src/", "tests/", "benches/", ".ci/"];

/// Files whose mentions of repository paths are checked: the documents,
/// BENCHMARKS.md and the bundled scenarios' comments.
fn checked_files() -> Vec<PathBuf> {
    let mut files = documents();
    files.push(PathBuf::from("BENCHMARKS.md"));
    let mut dirs = vec![PathBuf::from("scenarios")];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join(&dir))
            .expect("readable")
            .map(|e| dir.join(e.expect("an entry").file_name()))
            .collect();
        entries.sort();
        for p in entries {
            if root().join(&p).is_dir() {
                dirs.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files
}

/// Repository paths mentioned in a text: tokens starting with one of
/// [`ROOTS`] (at the start of a word), up to the first character that
/// cannot be in a path, without trailing punctuation.
fn mentioned_paths(text: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut found = Vec::new();
    for (i, _) in text.char_indices() {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| path_char(c) || c == '$') {
            continue;
        }
        let rest = &text[i..];
        if !ROOTS.iter().any(|r| rest.starts_with(r)) {
            continue;
        }
        let token: String = rest.chars().take_while(|&c| path_char(c)).collect();
        found.push(token.trim_end_matches(['.', ',', ':']).to_string());
    }
    found
}

/// The Markdown links of a text: (target, 1-based line).
fn links(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push((rest[..end].to_string(), n + 1));
                rest = &rest[end..];
            }
        }
    }
    found
}

/// GitHub's anchor for a heading: lowercase, punctuation dropped, spaces
/// to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown document's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// `base/target` with `.` and `..` resolved, or `None` if it leaves the
/// repository.
fn resolve(base: &Path, target: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = Vec::new();
    for c in base.join(target).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.iter().collect())
}

/// Paths outside the repository that documents used to cite: the
/// original brief and the press release's copy. A clone has neither: cite
/// sources, not such paths. (Split so that this file does not match.)
const OUTSIDE: [&str; 3] = [
    concat!("..", "/shared"),
    concat!("DESIGN", ".md"),
    concat!("STYLE", ".md"),
];

/// Every mention of a path of [`OUTSIDE`].
fn outside_problems(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for needle in OUTSIDE {
            if line.contains(needle) {
                problems.push(format!(
                    "{name}:{}: `{needle}` is outside the repository",
                    n + 1
                ));
            }
        }
    }
    problems
}

/// Paths outside the repository, repository paths that do not exist and,
/// in Markdown, broken relative links and anchors.
fn path_problems(name: &str, text: &str, markdown: bool) -> Vec<String> {
    let mut problems = outside_problems(name, text);
    for path in mentioned_paths(text) {
        if !root().join(&path).exists() {
            problems.push(format!("{name}: `{path}` does not exist in the repository"));
        }
    }
    if !markdown {
        return problems;
    }
    let base = Path::new(name).parent().unwrap_or(Path::new(""));
    for (target, line) in links(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (target.as_str(), None),
        };
        let resolved = if file.is_empty() {
            Some(PathBuf::from(name))
        } else {
            resolve(base, file)
        };
        let Some(resolved) = resolved else {
            problems.push(format!(
                "{name}:{line}: link `{target}` leaves the repository"
            ));
            continue;
        };
        let full = root().join(&resolved);
        if !full.exists() {
            problems.push(format!(
                "{name}:{line}: link `{target}`: {} does not exist",
                resolved.display()
            ));
            continue;
        }
        if let Some(anchor) = anchor
            && resolved.extension().is_some_and(|x| x == "md")
        {
            let target_text = std::fs::read_to_string(&full).expect("readable");
            if !anchors(&target_text).iter().any(|a| a == anchor) {
                problems.push(format!(
                    "{name}:{line}: link `{target}`: {} has no heading `#{anchor}`",
                    resolved.display()
                ));
            }
        }
    }
    problems
}

#[test]
fn every_path_and_link_in_the_documents_exists() {
    let mut problems = Vec::new();
    let files = checked_files();
    for file in &files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(root().join(file)).expect("readable");
        let markdown = file.extension().is_some_and(|x| x == "md");
        problems.extend(path_problems(&name, &text, markdown));
    }
    // Source files and their comments must not point outside the
    // repository either (their other paths are often made up on purpose,
    // as are this file's).
    let mut dirs = vec![
        PathBuf::from("src"),
        PathBuf::from("benches"),
        PathBuf::from("tests/it"),
    ];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(root().join(&dir)).expect("readable") {
            let p = dir.join(e.expect("an entry").file_name());
            if root().join(&p).is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("readme.rs") {
                let text = std::fs::read_to_string(root().join(&p)).expect("readable");
                problems.extend(outside_problems(&p.display().to_string(), &text));
            }
        }
    }
    assert!(files.len() > 5, "too few files checked: {files:?}");
    assert!(
        files.iter().any(|f| f.starts_with("docs/lessons")),
        "the pages in docs/ subfolders are checked too: {files:?}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_path_check_finds_what_is_missing() {
    let outside = concat!("..", "/shared/DESIGN", ".md");
    let text = format!(
        "See [faults](faults.md#outages-compounding-faults) and [gone](nowhere.md), \
         [up](../../etc/passwd), [bad](faults.md#no-such),\n\
         `scenarios/faults/2018-backup-down.yaml`, `src/engine.rs`, \
         {outside}, and /results/shard-0.json.\n"
    );
    let problems = path_problems("docs/x.md", &text, true);
    let has = |s: &str| problems.iter().any(|p| p.contains(s));
    assert!(
        has("`scenarios/faults/2018-backup-down.yaml` does not exist"),
        "{problems:?}"
    );
    assert!(has("link `nowhere.md`"), "{problems:?}");
    assert!(
        has("link `../../etc/passwd` leaves the repository"),
        "{problems:?}"
    );
    assert!(has("has no heading `#no-such`"), "{problems:?}");
    assert!(has("is outside the repository"), "{problems:?}");
    assert!(!has("src/engine.rs") && !has("results"), "{problems:?}");
    assert!(!has("outages-compounding-faults"), "{problems:?}");
    assert_eq!(problems.len(), 6, "{problems:?}");
}
