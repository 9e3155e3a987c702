//! The collector of problems and the checks every resolver shares.
//!
//! [`Ctx`] records each problem against a field path instead of stopping:
//! a user fixing a file wants every mistake at once. Its methods read one
//! field (a distribution, a duration, a size, a probability, an id, a
//! `count`) and record what is wrong with it; [`lookup`] resolves a
//! reference to an id declared elsewhere, suggesting the closest one when
//! it is misspelt.

use std::collections::BTreeMap;

use crate::model::Method;
use crate::scenario::FieldPath;
use crate::sim::{Dist, SimDuration};
use crate::units::{parse_duration, parse_size};

/// Most items one `count` may expand into.
const MAX_GROUP_COUNT: u32 = 100_000;

/// The problems found so far, each against the field it is about.
pub(super) struct Ctx {
    pub(super) errors: Vec<(FieldPath, String)>,
}

impl Ctx {
    /// Records a problem with the field at `path`.
    pub(super) fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.errors.push((path.clone(), message.into()));
    }

    /// A distribution of durations (`pert(1h, 2h, 4h)`).
    pub(super) fn dist(&mut self, path: &FieldPath, text: &str) -> Option<Dist> {
        match Dist::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    /// A duration (`4h30m`).
    pub(super) fn duration(&mut self, path: &FieldPath, text: &str) -> Option<SimDuration> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    /// A size in bytes, more than zero (`800GiB`).
    pub(super) fn size(&mut self, path: &FieldPath, text: &str) -> Option<u64> {
        self.size_at(|| path.clone(), text)
    }

    /// [`Ctx::size`], with the path built only for an error (a big
    /// estate's million VMs make a path per field too dear).
    pub(super) fn size_at(&mut self, path: impl FnOnce() -> FieldPath, text: &str) -> Option<u64> {
        match parse_size(text) {
            Ok(s) if s.0 > 0 => Some(s.0),
            Ok(_) => {
                self.err(&path(), "must be more than zero");
                None
            }
            Err(e) => {
                self.err(&path(), e.to_string());
                None
            }
        }
    }

    /// A probability from 0 to 1, `default` when not given or wrong.
    pub(super) fn probability(&mut self, path: &FieldPath, p: Option<f64>, default: f64) -> f64 {
        match p {
            None => default,
            Some(p) if (0.0..=1.0).contains(&p) => p,
            Some(p) => {
                self.err(
                    path,
                    format!("a probability must be between 0 and 1, got {p}"),
                );
                default
            }
        }
    }

    /// Checks an entity's `id` (not empty, allowed characters, not seen
    /// before among the `kind`'s ids in `seen`) and records it in `seen`.
    pub(super) fn id(
        &mut self,
        path: &FieldPath,
        id: &str,
        seen: &mut BTreeMap<String, FieldPath>,
        kind: &str,
    ) {
        if !self.id_text(path, id, kind) {
            return;
        }
        if let Some(first) = seen.get(id) {
            self.duplicate_id(path, id, first, kind);
        } else {
            seen.insert(id.to_string(), path.clone());
        }
    }

    /// Checks an id's text (not empty, allowed characters); `false` when
    /// it is empty, so has nothing to compare with others.
    pub(super) fn id_text(&mut self, path: &FieldPath, id: &str, kind: &str) -> bool {
        if id.is_empty() {
            self.err(path, format!("a {kind} id cannot be empty"));
            return false;
        }
        if let Some(c) = id
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
        {
            self.err(
                path,
                format!(
                    "{kind} id `{id}` contains `{c}`: use letters, digits, `-`, `_`, `.` or `/`"
                ),
            );
        }
        true
    }

    /// Records that `id` (at `path`) was first defined at `first`.
    pub(super) fn duplicate_id(
        &mut self,
        path: &FieldPath,
        id: &str,
        first: &FieldPath,
        kind: &str,
    ) {
        self.err(
            path,
            format!("duplicate {kind} id `{id}` (first defined at {first})"),
        );
    }

    /// A group's `count`: 1 when not given or wrong.
    pub(super) fn count(&mut self, path: &FieldPath, count: Option<u32>) -> u32 {
        self.count_at(|| path.clone(), count)
    }

    /// [`Ctx::count`], with the path built only for an error.
    pub(super) fn count_at(&mut self, path: impl FnOnce() -> FieldPath, count: Option<u32>) -> u32 {
        match count {
            None => 1,
            Some(0) => {
                self.err(&path(), "count must be at least 1");
                1
            }
            Some(n) if n > MAX_GROUP_COUNT => {
                self.err(
                    &path(),
                    format!("count {n} is over the limit of {MAX_GROUP_COUNT} per group"),
                );
                1
            }
            Some(n) => n,
        }
    }
}

/// Resolves `name` among `known` ids, or records an error with a suggestion.
pub(super) fn lookup<T: Copy>(
    ctx: &mut Ctx,
    path: &FieldPath,
    name: &str,
    known: &BTreeMap<String, T>,
    kind: &str,
) -> Option<T> {
    if let Some(v) = known.get(name) {
        return Some(*v);
    }
    let ids: Vec<&str> = known.keys().map(String::as_str).collect();
    unknown(ctx, path, name, &ids, kind);
    None
}

/// Records that `name` is none of the `known` ids (in order), with a
/// suggestion, or the list of them when there are few.
pub(super) fn unknown(ctx: &mut Ctx, path: &FieldPath, name: &str, known: &[&str], kind: &str) {
    let mut message = format!("unknown {kind} `{name}`");
    if let Some(s) = suggest(name, known.iter().copied()) {
        message.push_str(&format!(": did you mean `{s}`?"));
    } else if known.len() <= 12 && !known.is_empty() {
        let list: Vec<_> = known.iter().map(|k| format!("`{k}`")).collect();
        message.push_str(&format!(": expected one of {}", list.join(", ")));
    }
    ctx.err(path, message);
}

/// The closest candidate within a small edit distance.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// A method's name, in a strategy's `methods` or (`kind` "skill") a team's
/// `skills`.
pub(super) fn parse_method(
    ctx: &mut Ctx,
    path: &FieldPath,
    name: &str,
    kind: &str,
) -> Option<Method> {
    let name = name.trim();
    let m = Method::parse(name);
    if m.is_none() {
        let hint = match suggest(name, Method::ALL.iter().map(|m| m.name())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected {}", Method::expected()),
        };
        ctx.err(path, format!("unknown {kind} `{name}`: {hint}"));
    }
    m
}
