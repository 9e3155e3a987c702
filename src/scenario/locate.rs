//! Field paths and their line:column in the source text.
//!
//! Validation happens after deserialization, on plain values, and speaks in
//! field paths (`apps[3].depends_on[0]`). To point at the file, each format
//! gets a locator that walks its own parser's spans: YAML (and JSON, which
//! is YAML's flow syntax) its event stream, TOML its spanned document
//! tree. The walk happens only when there is an error to locate: a big
//! estate that loads cleanly is parsed once.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_saphyr::granit_parser::{Event, Parser};

use super::Format;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key: most are the loader's own field names, borrowed, so
    /// that the paths the resolver builds for every entry of a big estate
    /// do not copy them.
    Key(Cow<'static, str>),
    /// A sequence index.
    Index(usize),
}

/// What [`FieldPath::key`] takes: a field name of the program's own, kept
/// borrowed, or a key read from a file, kept as its own copy.
pub trait KeyName {
    /// The key as a path segment holds it.
    fn key_name(self) -> Cow<'static, str>;
}

impl KeyName for &'static str {
    fn key_name(self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

impl KeyName for String {
    fn key_name(self) -> Cow<'static, str> {
        Cow::Owned(self)
    }
}

impl KeyName for &String {
    fn key_name(self) -> Cow<'static, str> {
        Cow::Owned(self.clone())
    }
}

/// A path to a field, e.g. `apps[3].depends_on[0]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// The root.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }
    /// This path extended by a key: a field name (`&'static str`,
    /// borrowed) or a key read from a file (`String`, `&String`).
    pub fn key(&self, k: impl KeyName) -> Self {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend_from_slice(&self.0);
        v.push(Seg::Key(k.key_name()));
        FieldPath(v)
    }
    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        FieldPath(v)
    }
    /// Parses serde_path_to_error's rendering (`apps[3].vms[0].cores`).
    pub fn parse(text: &str) -> Self {
        let mut segs = Vec::new();
        for part in text.split('.') {
            if part.is_empty() || part == "?" {
                continue;
            }
            let (name, rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                segs.push(Seg::Key(name.to_string().into()));
            }
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                if let Ok(i) = idx.trim_end_matches(']').parse() {
                    segs.push(Seg::Index(i));
                }
            }
        }
        FieldPath(segs)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: u64,
    /// Column in characters, from 1.
    pub column: u64,
}

/// Finds where field paths are written in a file's text.
///
/// It keeps only the text: locating needs a walk over the file with its
/// parser, done when there is something to locate (an error), so a file
/// that loads cleanly costs no index. [`locate_all`](Self::locate_all)
/// locates many paths in one walk.
#[derive(Clone, Copy, Debug)]
pub struct Locator<'a> {
    text: &'a str,
    syntax: Syntax,
}

#[derive(Clone, Copy, Debug)]
enum Syntax {
    /// YAML, or JSON (YAML's flow syntax).
    Yaml,
    Toml,
}

/// Where the walked paths are written: only the wanted ones are kept.
type Found = BTreeMap<Vec<Seg>, LineCol>;

impl<'a> Locator<'a> {
    /// A locator for text in `format`.
    pub fn new(text: &'a str, format: Format) -> Self {
        match format {
            Format::Toml => Locator::toml(text),
            Format::Yaml | Format::Json => Locator::yaml(text),
        }
    }

    /// A locator for YAML (or JSON) text.
    pub fn yaml(text: &'a str) -> Self {
        Locator {
            text,
            syntax: Syntax::Yaml,
        }
    }

    /// A locator for TOML text.
    pub fn toml(text: &'a str) -> Self {
        Locator {
            text,
            syntax: Syntax::Toml,
        }
    }

    /// The location of `path`, or of its nearest located ancestor (a
    /// missing field is reported where its parent is). Each call walks the
    /// text: for several paths, use [`locate_all`](Self::locate_all).
    pub fn locate(&self, path: &FieldPath) -> Option<LineCol> {
        self.locate_all(std::slice::from_ref(path)).pop().flatten()
    }

    /// The location of each path (as [`locate`](Self::locate) gives it),
    /// in one walk over the text.
    pub fn locate_all(&self, paths: &[FieldPath]) -> Vec<Option<LineCol>> {
        if paths.is_empty() {
            return Vec::new();
        }
        let mut wanted: BTreeSet<&[Seg]> = BTreeSet::new();
        for p in paths {
            for n in 0..=p.0.len() {
                wanted.insert(&p.0[..n]);
            }
        }
        let found = match self.syntax {
            Syntax::Yaml => walk_yaml(self.text, &wanted),
            Syntax::Toml => walk_toml(self.text, &wanted),
        };
        paths
            .iter()
            .map(|p| {
                (0..=p.0.len())
                    .rev()
                    .find_map(|n| found.get(&p.0[..n]).copied())
            })
            .collect()
    }
}

/// Walks YAML (or JSON) text, keeping where each wanted path is written.
/// Parse errors just end the walk: deserialization reports them with
/// their own location.
fn walk_yaml(text: &str, wanted: &BTreeSet<&[Seg]>) -> Found {
    enum Frame {
        Map {
            path: Vec<Seg>,
            key: Option<String>,
            expecting_key: bool,
        },
        Seq {
            path: Vec<Seg>,
            next: usize,
        },
    }
    let mut map = Found::new();
    let mut record = |p: &Vec<Seg>, at: LineCol| {
        if wanted.contains(p.as_slice()) {
            map.insert(p.clone(), at);
        }
    };
    let mut stack: Vec<Frame> = Vec::new();
    let parser = Parser::new_from_str(text);
    for item in parser {
        let Ok((event, span)) = item else { break };
        let at = LineCol {
            line: span.start.line() as u64,
            column: span.start.col() as u64 + 1,
        };
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if is_node {
            // Where does this node sit?
            let node_path = match stack.last_mut() {
                None => Some(Vec::new()),
                Some(Frame::Map {
                    path,
                    key,
                    expecting_key,
                }) => {
                    if *expecting_key {
                        *expecting_key = false;
                        let name = match &event {
                            Event::Scalar(v, ..) => v.to_string(),
                            _ => "?".to_string(),
                        };
                        let mut p = path.clone();
                        p.push(Seg::Key(name.clone().into()));
                        // The key's own place, until the value overrides it.
                        record(&p, at);
                        *key = Some(name);
                        if !matches!(event, Event::Scalar(..)) {
                            // A complex key: skip it like a value would be.
                            None
                        } else {
                            continue;
                        }
                    } else {
                        *expecting_key = true;
                        let mut p = path.clone();
                        p.push(Seg::Key(key.clone().unwrap_or_default().into()));
                        Some(p)
                    }
                }
                Some(Frame::Seq { path, next }) => {
                    let mut p = path.clone();
                    p.push(Seg::Index(*next));
                    *next += 1;
                    Some(p)
                }
            };
            let node_path = node_path.unwrap_or_else(|| vec![Seg::Key(Cow::Borrowed("?"))]);
            record(&node_path, at);
            match event {
                Event::SequenceStart(..) => stack.push(Frame::Seq {
                    path: node_path,
                    next: 0,
                }),
                Event::MappingStart(..) => stack.push(Frame::Map {
                    path: node_path,
                    key: None,
                    expecting_key: true,
                }),
                _ => {}
            }
        } else if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
            stack.pop();
        }
    }
    map
}

/// Walks TOML text, keeping where each wanted path is written.
fn walk_toml(text: &str, wanted: &BTreeSet<&[Seg]>) -> Found {
    use toml::de::{DeTable, DeValue};
    struct Walk<'w> {
        wanted: &'w BTreeSet<&'w [Seg]>,
        lines: LineIndex<'w>,
        map: Found,
    }
    impl Walk<'_> {
        fn value(&mut self, value: &DeValue<'_>, path: &mut Vec<Seg>) {
            match value {
                DeValue::Table(t) => {
                    for (k, v) in t.iter() {
                        path.push(Seg::Key(k.get_ref().to_string().into()));
                        self.item(v.span().start, v.get_ref(), path);
                        path.pop();
                    }
                }
                DeValue::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        path.push(Seg::Index(i));
                        self.item(v.span().start, v.get_ref(), path);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        fn item(&mut self, start: usize, value: &DeValue<'_>, path: &mut Vec<Seg>) {
            if self.wanted.contains(path.as_slice()) {
                self.map.insert(path.clone(), self.lines.at(start));
                self.value(value, path);
            }
        }
    }
    let mut walk = Walk {
        wanted,
        lines: LineIndex::new(text),
        map: Found::new(),
    };
    let Ok(root) = DeTable::parse(text) else {
        return walk.map;
    };
    walk.map.insert(Vec::new(), LineCol { line: 1, column: 1 });
    walk.value(&DeValue::Table(root.into_inner()), &mut Vec::new());
    walk.map
}

/// Byte offset → line and column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub(crate) fn at(&self, offset: usize) -> LineCol {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(self.text.len()).max(start);
        let column = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count())
            + 1;
        LineCol {
            line: line as u64,
            column: column as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_paths_are_located() {
        let text = "name: x\napps:\n  - id: a\n    depends_on: [b, c]\n  - id: b\n";
        let loc = Locator::yaml(text);
        let at = |p: &str| {
            loc.locate(&FieldPath::parse(p))
                .map(|lc| (lc.line, lc.column))
        };
        assert_eq!(at("name"), Some((1, 7)));
        assert_eq!(at("apps[0].id"), Some((3, 9)));
        assert_eq!(at("apps[0].depends_on[1]"), Some((4, 21)));
        assert_eq!(at("apps[1].id"), Some((5, 9)));
        // A missing field is reported at its parent.
        assert_eq!(at("apps[1].vms"), Some((5, 5)));
    }

    #[test]
    fn many_paths_are_located_in_one_walk_as_one_by_one() {
        let yaml = "name: x\napps:\n  - id: a\n    depends_on: [b, c]\n  - id: b\n";
        let toml = "name = \"x\"\n\n[[apps]]\nid = \"a\"\ndepends_on = [\"b\", \"c\"]\n";
        let paths: Vec<FieldPath> = [
            "apps[1].vms",
            "name",
            "apps[0].depends_on[1]",
            "nowhere.at.all",
            "",
            "apps[0].depends_on[1]",
        ]
        .into_iter()
        .map(FieldPath::parse)
        .collect();
        for loc in [Locator::yaml(yaml), Locator::toml(toml)] {
            let one_by_one: Vec<_> = paths.iter().map(|p| loc.locate(p)).collect();
            assert_eq!(loc.locate_all(&paths), one_by_one);
            assert!(one_by_one.iter().all(Option::is_some), "{one_by_one:?}");
        }
        assert_eq!(Locator::yaml(yaml).locate_all(&[]), Vec::new());
    }

    #[test]
    fn toml_paths_are_located() {
        let text = "name = \"x\"\n\n[[apps]]\nid = \"a\"\ndepends_on = [\"b\", \"c\"]\n";
        let loc = Locator::toml(text);
        let at = |p: &str| {
            loc.locate(&FieldPath::parse(p))
                .map(|lc| (lc.line, lc.column))
        };
        assert_eq!(at("name"), Some((1, 8)));
        assert_eq!(at("apps[0].id"), Some((4, 6)));
        assert_eq!(at("apps[0].depends_on[1]"), Some((5, 20)));
    }

    #[test]
    fn paths_render_and_parse() {
        let p = FieldPath::root()
            .key("apps")
            .index(3)
            .key("vms")
            .index(0)
            .key("cores");
        assert_eq!(p.to_string(), "apps[3].vms[0].cores");
        assert_eq!(FieldPath::parse("apps[3].vms[0].cores"), p);
    }
}
