//! Sweep shard files: the mergeable results of `hvsim sweep --shard I/N
//! --out FILE`.
//!
//! Shard I of N of a sweep runs, at every point of the grid, shard I of N
//! of that point's comparison: the replications `compare --shard I/N`
//! would run there. So each point's part is a comparison's shard, kept in
//! the file in the shard format of [`super::shard`] (its fingerprint
//! included), every shard does the same share of every point, and merging
//! point by point gives the unsharded sweep bit for bit. Schema tag:
//! `hvsim.sweep-shard/1`.
//!
//! The file's fingerprint covers what identifies the sweep: the swept
//! parameters, every point's values and, through each point's comparison
//! fingerprint, the scenario as resolved at that point, the strategies,
//! `--runs`, `--seed` and the random streams. [`merge`] refuses files whose
//! fingerprints differ, and says what differs. The command line and the
//! scenario's line that the sweep's charts carry are kept beside it (they
//! name paths, which may differ from machine to machine) and are taken
//! from shard 0.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::merge::merge_into;
use super::seeds::shard_range;
use super::shard::{self, Shard, ShardError, ShardFile};
use super::summary::{Comparison, SweepPoint};
use crate::model::{Scenario, Strategy};

/// The schema tag of sweep shard files.
pub const SWEEP_SHARD_SCHEMA: &str = "hvsim.sweep-shard/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepShardFile {
    schema: String,
    /// SHA-256 of the parameters, the points' values and their
    /// comparisons' fingerprints.
    fingerprint: String,
    parameters: Vec<String>,
    seed: u64,
    runs: u64,
    shard: [u64; 2],
    /// The command line of the unsharded sweep, for the charts.
    command: String,
    /// The scenario's line at the first point, for the charts.
    context: String,
    points: Vec<PointFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PointFile {
    values: Vec<Value>,
    comparison: ShardFile,
}

/// The digest of a sweep shard: its parameters, its points' values and
/// the fingerprints of the points' comparisons (which hold the scenario
/// at the point, the strategies, the runs, the seed and the streams).
fn digest<'a>(
    parameters: &[String],
    seed: u64,
    runs: u64,
    points: impl Iterator<Item = (&'a [Value], &'a str)>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{SWEEP_SHARD_SCHEMA}\nseed {seed}\nruns {runs}\n").as_bytes());
    for p in parameters {
        hasher.update(format!("parameter {}\n", Value::from(p.as_str())).as_bytes());
    }
    for (values, fingerprint) in points {
        hasher.update(format!("point {}\n", Value::from(values.to_vec())).as_bytes());
        hasher.update(format!("comparison {fingerprint}\n").as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Builds a sweep shard file point by point, as the sweep runs them.
pub struct SweepShardWriter {
    parameters: Vec<String>,
    command: String,
    points: Vec<PointFile>,
}

impl SweepShardWriter {
    /// A shard of the sweep of `parameters` (as written, e.g.
    /// `teams.ops.members`) run by `command` (without `--shard` and
    /// `--out`, as the charts name it).
    pub fn new(parameters: Vec<String>, command: String) -> Self {
        SweepShardWriter {
            parameters,
            command,
            points: Vec::new(),
        }
    }

    /// Adds the point of `values`: the comparison `c` (this shard of it)
    /// of `strategies` on `scenario` as set at the point.
    pub fn push(
        &mut self,
        values: &[Value],
        scenario: &Scenario,
        strategies: &[&Strategy],
        c: &Comparison,
    ) -> Result<(), ShardError> {
        self.points.push(PointFile {
            values: values.to_vec(),
            comparison: shard::document(scenario, strategies, c)?,
        });
        Ok(())
    }

    /// The bytes of the file; `context` is the scenario's line at the first
    /// point, as the sweep's charts show it.
    pub fn encode(self, context: &str) -> Result<Vec<u8>, ShardError> {
        let Some(first) = self.points.first() else {
            return Err(ShardError::Encode("a sweep shard without points".into()));
        };
        let (seed, runs, shard) = (
            first.comparison.seed,
            first.comparison.runs,
            first.comparison.shard,
        );
        let fingerprint = digest(
            &self.parameters,
            seed,
            runs,
            self.points
                .iter()
                .map(|p| (p.values.as_slice(), p.comparison.fingerprint.as_str())),
        );
        let doc = SweepShardFile {
            schema: SWEEP_SHARD_SCHEMA.into(),
            fingerprint,
            parameters: self.parameters,
            seed,
            runs,
            shard,
            command: self.command,
            context: context.to_string(),
            points: self.points,
        };
        serde_json::to_vec_pretty(&doc).map_err(|e| ShardError::Encode(e.to_string()))
    }
}

/// One sweep shard file, read and checked.
pub struct SweepShard {
    /// The file it was read from.
    pub file: String,
    /// What it is a shard of (see the module's documentation).
    pub fingerprint: String,
    /// The swept parameters, as written.
    pub parameters: Vec<String>,
    /// The shard `(I, N)`.
    pub shard: (u64, u64),
    /// The command line of the unsharded sweep.
    pub command: String,
    /// The scenario's line at the first point.
    pub context: String,
    /// Each point's values and its comparison's shard.
    pub points: Vec<(Vec<Value>, Shard)>,
}

/// Whether the file at `path` is a sweep shard file (by its schema tag),
/// read as [`shard::read`] reads a shard file.
pub fn is_sweep_shard(path: &Path) -> Result<bool, ShardError> {
    let bytes = shard::read_bytes(path)?;
    let file = path.display().to_string();
    let invalid = |reason: String| ShardError::Invalid {
        file: file.clone(),
        reason,
    };
    Ok(shard::schema_of(&bytes, &invalid)?.as_deref() == Some(SWEEP_SHARD_SCHEMA))
}

/// Reads and checks a sweep shard file: every point a valid comparison
/// shard, all of the file's split, seed and runs, and the fingerprint
/// that of its contents.
pub fn read(path: &Path) -> Result<SweepShard, ShardError> {
    let bytes = shard::read_bytes(path)?;
    parse(&path.display().to_string(), &bytes)
}

/// Parses and checks the bytes of a sweep shard file; `file` names it.
pub fn parse(file: &str, bytes: &[u8]) -> Result<SweepShard, ShardError> {
    let invalid = |reason: String| ShardError::Invalid {
        file: file.to_string(),
        reason,
    };
    shard::check_schema(bytes, SWEEP_SHARD_SCHEMA, &invalid, &|schema| {
        if schema.starts_with("hvsim.shard/") {
            ": it is a shard of `hvsim compare`; merge it with the other shards of its comparison, not with a sweep's"
        } else {
            ""
        }
    })?;
    let doc: SweepShardFile = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    let expected = digest(
        &doc.parameters,
        doc.seed,
        doc.runs,
        doc.points
            .iter()
            .map(|p| (p.values.as_slice(), p.comparison.fingerprint.as_str())),
    );
    if expected != doc.fingerprint {
        return Err(invalid(
            "its fingerprint does not match its parameters, points, seed and runs: the file was edited"
                .into(),
        ));
    }
    if doc.parameters.is_empty() || doc.points.is_empty() {
        return Err(invalid("a sweep without parameters or points".into()));
    }
    let shard = (doc.shard[0], doc.shard[1]);
    let total = doc.points.len();
    let mut points = Vec::with_capacity(total);
    for (k, p) in doc.points.into_iter().enumerate() {
        let name = format!("{file}, point {} of {total}", k + 1);
        let point_invalid = |reason: String| ShardError::Invalid {
            file: name.clone(),
            reason,
        };
        if p.values.len() != doc.parameters.len() {
            return Err(point_invalid(format!(
                "{} values for {} parameters",
                p.values.len(),
                doc.parameters.len()
            )));
        }
        let s = shard::from_document(&name, p.comparison, &point_invalid)?;
        let c = &s.comparison;
        if c.shard != shard || c.seed != doc.seed || c.runs != doc.runs {
            return Err(point_invalid(format!(
                "shard {}/{} of {} runs under seed {}, in a file of shard {}/{} of {} runs under seed {}: the file was edited",
                c.shard.0, c.shard.1, c.runs, c.seed, shard.0, shard.1, doc.runs, doc.seed
            )));
        }
        points.push((p.values, s));
    }
    Ok(SweepShard {
        file: file.to_string(),
        fingerprint: doc.fingerprint,
        parameters: doc.parameters,
        shard,
        command: doc.command,
        context: doc.context,
        points,
    })
}

/// What differs between two sweep shards, in words.
fn differences(a: &SweepShard, b: &SweepShard) -> Vec<String> {
    if a.parameters != b.parameters {
        return vec![format!(
            "their swept parameters differ (`{}` and `{}`)",
            a.parameters.join(", "),
            b.parameters.join(", ")
        )];
    }
    if a.points.len() != b.points.len() {
        return vec![format!(
            "their values differ ({} and {} points)",
            a.points.len(),
            b.points.len()
        )];
    }
    for ((va, sa), (vb, sb)) in a.points.iter().zip(&b.points) {
        if va != vb {
            let show = |v: &[Value]| {
                v.iter()
                    .map(crate::sweep::show)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return vec![format!(
                "their values of {} differ ({} and {})",
                a.parameters.join(", "),
                show(va),
                show(vb)
            )];
        }
        let d = shard::differences(sa, sb);
        if !d.is_empty() {
            return d;
        }
    }
    Vec::new()
}

/// The sweep merged from its shards: what `hvsim sweep` reports.
pub struct MergedSweep {
    /// The swept parameters, as written.
    pub parameters: Vec<String>,
    /// Each point: its values, the scenario's name there and the whole
    /// comparison.
    pub points: Vec<SweepPoint>,
    /// The command line of the unsharded sweep (from shard 0).
    pub command: String,
    /// The scenario's line at the first point (from shard 0).
    pub context: String,
}

/// Refuses `s` unless it is another complete shard of the sweep of
/// `first`, of the same split, and not one of those `seen`.
fn check_with(
    first: &SweepShard,
    s: &SweepShard,
    seen: &BTreeMap<u64, String>,
) -> Result<(), ShardError> {
    // The metrics (`--reasons` adds some) are not in the fingerprint: the
    // differences compare them point by point.
    let mut diff = differences(first, s);
    if diff.is_empty() && s.fingerprint != first.fingerprint {
        diff.push("their fingerprints differ".into());
    }
    if !diff.is_empty() {
        return Err(ShardError::Mismatch(format!(
            "shards {} and {} are of different sweeps: {}; merge only the shards of one sweep",
            first.file,
            s.file,
            diff.join("; ")
        )));
    }
    let name = |x: &SweepShard| format!("{} (shard {}/{})", x.file, x.shard.0, x.shard.1);
    shard::check_split(
        "sweep",
        (&first.file, first.shard),
        (&s.file, s.shard),
        seen,
    )?;
    for (k, (_, p)) in s.points.iter().enumerate() {
        let c = &p.comparison;
        let (start, end) = shard_range(c.runs, c.shard);
        if c.done != end - start {
            return Err(ShardError::Mismatch(format!(
                "{} is incomplete at point {} of {}: {} of {} replications (it was interrupted); run it again",
                name(s),
                k + 1,
                s.points.len(),
                c.done,
                end - start
            )));
        }
    }
    Ok(())
}

/// Reads the sweep shard files and merges them, point by point, into the
/// unsharded sweep. Refuses files that are not shards of one sweep, a file
/// or a shard given twice, shards of different splits, an incomplete shard
/// and a missing one, naming the files. Each file is folded into the total
/// as it is read, so memory does not grow with their number.
pub fn merge(paths: &[PathBuf]) -> Result<MergedSweep, ShardError> {
    shard::check_distinct(paths)?;
    let Some((first_path, rest)) = paths.split_first() else {
        return Err(ShardError::Mismatch("no shard to merge".into()));
    };
    let first = read(first_path)?;
    let mut seen = BTreeMap::new();
    check_with(&first, &first, &seen)?;
    seen.insert(first.shard.0, first.file.clone());
    let mut labels = (first.shard.0 == 0).then(|| (first.command.clone(), first.context.clone()));
    let mut total: Vec<SweepPoint> = first
        .points
        .iter()
        .map(|(v, s)| (v.clone(), s.scenario.clone(), s.comparison.clone()))
        .collect();
    for p in rest {
        let s = read(p)?;
        check_with(&first, &s, &seen)?;
        seen.insert(s.shard.0, s.file.clone());
        if s.shard.0 == 0 {
            labels = Some((s.command.clone(), s.context.clone()));
        }
        for ((_, _, acc), (_, part)) in total.iter_mut().zip(&s.points) {
            merge_into(&mut acc.strategies, &part.comparison.strategies)
                .map_err(|e| ShardError::Mismatch(format!("{}: {e}", s.file)))?;
            acc.done += part.comparison.done;
        }
    }
    shard::check_complete(first.shard.1, &seen)?;
    for (_, _, c) in &mut total {
        c.shard = (0, 1);
    }
    let (command, context) = labels.unwrap_or_default();
    Ok(MergedSweep {
        parameters: first.parameters,
        points: total,
        command,
        context,
    })
}
