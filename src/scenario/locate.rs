//! Field paths and their line:column in the source text.
//!
//! Validation happens after deserialization, on plain values, and speaks in
//! field paths (`apps[3].depends_on[0]`). To point at the file, each format
//! gets a locator built from its own parser's spans: YAML (and JSON, which
//! is YAML's flow syntax) from the YAML event stream, TOML from its spanned
//! document tree.

use std::collections::BTreeMap;
use std::fmt;

use serde_saphyr::granit_parser::{Event, Parser};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path to a field, e.g. `apps[3].depends_on[0]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// The root.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
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
                segs.push(Seg::Key(name.to_string()));
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

/// Maps field paths to where they are written.
#[derive(Debug, Default)]
pub struct Locator {
    map: BTreeMap<Vec<Seg>, LineCol>,
}

impl Locator {
    /// The location of `path`, or of its nearest located ancestor (a
    /// missing field is reported where its parent is).
    pub fn locate(&self, path: &FieldPath) -> Option<LineCol> {
        let segs = &path.0;
        (0..=segs.len())
            .rev()
            .find_map(|n| self.map.get(&segs[..n]).copied())
    }

    /// The deepest recorded path starting at or before `at`, for errors
    /// that know a location but not a path.
    pub fn path_at(&self, at: LineCol) -> Option<FieldPath> {
        self.map
            .iter()
            .filter(|(_, lc)| **lc <= at)
            .max_by_key(|(_, lc)| **lc)
            .map(|(p, _)| FieldPath(p.clone()))
    }

    /// Builds a locator from YAML (or JSON) text. Parse errors just end the
    /// walk: deserialization reports them with their own location.
    pub fn yaml(text: &str) -> Self {
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
        let mut map = BTreeMap::new();
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
                            p.push(Seg::Key(name.clone()));
                            // The key's own place, until the value overrides it.
                            map.insert(p, at);
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
                            p.push(Seg::Key(key.clone().unwrap_or_default()));
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
                let node_path = node_path.unwrap_or_else(|| vec![Seg::Key("?".into())]);
                map.insert(node_path.clone(), at);
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
        Locator { map }
    }

    /// Builds a locator from TOML text.
    pub fn toml(text: &str) -> Self {
        use toml::de::{DeTable, DeValue};
        let mut map = BTreeMap::new();
        let Ok(root) = DeTable::parse(text) else {
            return Locator { map };
        };
        let lines = LineIndex::new(text);
        fn walk(
            value: &DeValue<'_>,
            path: &mut Vec<Seg>,
            map: &mut BTreeMap<Vec<Seg>, LineCol>,
            lines: &LineIndex<'_>,
        ) {
            match value {
                DeValue::Table(t) => {
                    for (k, v) in t.iter() {
                        path.push(Seg::Key(k.get_ref().to_string()));
                        map.insert(path.clone(), lines.at(v.span().start));
                        walk(v.get_ref(), path, map, lines);
                        path.pop();
                    }
                }
                DeValue::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        path.push(Seg::Index(i));
                        map.insert(path.clone(), lines.at(v.span().start));
                        walk(v.get_ref(), path, map, lines);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        map.insert(Vec::new(), LineCol { line: 1, column: 1 });
        let table = DeValue::Table(root.into_inner());
        walk(&table, &mut Vec::new(), &mut map, &lines);
        Locator { map }
    }
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
